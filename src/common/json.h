/* Thin helpers over jansson: parse with a size cap, and typed, bounded field access whose
 * errors name the field ("amount_ore: expected an integer"). */
#ifndef MINASIDOR_JSON_H
#define MINASIDOR_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "macros.h"

/* Parses one JSON value of at most max_len bytes; duplicate keys and trailing garbage are
 * errors. Returns a new reference (caller json_decref's) or NULL with err set to what went
 * wrong and where (line, column, byte offset), never any of the document's content. */
json_t *json_parse_capped(const char *data, size_t len, size_t max_len,
                          struct errbuf *err) WARN_UNUSED;

/* Field getters for objects. With required=false a missing (or null) field leaves *out as it
 * was and succeeds. Strings are borrowed from the object and checked to be at most max_len
 * bytes of valid UTF-8 without NUL. */
bool json_get_str(const json_t *obj, const char *key, bool required, size_t max_len,
                  const char **out, struct errbuf *err) WARN_UNUSED;
bool json_get_int(const json_t *obj, const char *key, bool required, long long min, long long max,
                  long long *out, struct errbuf *err) WARN_UNUSED;
bool json_get_bool(const json_t *obj, const char *key, bool required, bool *out,
                   struct errbuf *err) WARN_UNUSED;

/* Appends s to out as a JSON string literal (with quotes). ascii_only escapes every non-ASCII
 * character as \uXXXX (with surrogate pairs). False if s is not valid UTF-8 or out is full. */
struct buf;
bool json_append_string(struct buf *out, const char *s, bool ascii_only) WARN_UNUSED;

#endif
