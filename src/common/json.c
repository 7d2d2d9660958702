/* JSON helpers. */
#include "json.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

/* What went wrong, without jansson's text: that ends in "near '<input>'" and so would copy a
 * piece of the document (a name, a personnummer) into an error that gets logged. */
static const char *
error_kind(const json_error_t *jerr)
{
    switch (json_error_code(jerr)) {
    case json_error_out_of_memory:
        return "out of memory";
    case json_error_stack_overflow:
        return "maximum nesting depth reached";
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_premature_end_of_input:
        return "premature end of input";
    case json_error_end_of_input_expected:
        return "end of input expected";
    case json_error_invalid_syntax:
        return "invalid syntax";
    case json_error_null_character:
        return "\\u0000 in a string";
    case json_error_null_byte_in_key:
        return "\\u0000 in an object key";
    case json_error_duplicate_key:
        return "duplicate object key";
    case json_error_numeric_overflow:
        return "number out of range";
    default:
        return "not valid JSON";
    }
}

json_t *
json_parse_capped(const char *data, size_t len, size_t max_len, struct errbuf *err)
{
    if (len > max_len) {
        err_set(err, "JSON document is %zu bytes, more than the limit of %zu", len, max_len);
        return NULL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        /* Positions only: jansson's line and column (1-based, in characters) are those of the
         * last character it read and its position counts the bytes read, so that character
         * starts at the first byte before it that is not a UTF-8 continuation byte. */
        size_t at =
            jerr.position > 0 && (size_t)jerr.position <= len ? (size_t)jerr.position - 1 : 0;
        while (at > 0 && ((unsigned char)data[at] & 0xc0) == 0x80)
            at--;
        err_set(err, "malformed JSON: %s at line %d, column %d (byte %zu)", error_kind(&jerr),
                jerr.line, jerr.column, at);
    }
    return v;
}

static const json_t *
field(const json_t *obj, const char *key, bool required, bool *ok, struct errbuf *err)
{
    *ok = true;
    if (!json_is_object(obj)) {
        err_set(err, "expected a JSON object");
        *ok = false;
        return NULL;
    }
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required) {
            err_set(err, "%s: missing", key);
            *ok = false;
        }
        return NULL;
    }
    return v;
}

bool
json_get_str(const json_t *obj, const char *key, bool required, size_t max_len, const char **out,
             struct errbuf *err)
{
    bool ok;
    const json_t *v = field(obj, key, required, &ok, err);
    if (v == NULL)
        return ok;
    if (!json_is_string(v)) {
        err_set(err, "%s: expected a string", key);
        return false;
    }
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len > max_len) {
        err_set(err, "%s: longer than %zu bytes", key, max_len);
        return false;
    }
    if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len)) {
        err_set(err, "%s: not valid text", key);
        return false;
    }
    *out = s;
    return true;
}

bool
json_get_int(const json_t *obj, const char *key, bool required, long long min, long long max,
             long long *out, struct errbuf *err)
{
    bool ok;
    const json_t *v = field(obj, key, required, &ok, err);
    if (v == NULL)
        return ok;
    if (!json_is_integer(v)) {
        err_set(err, "%s: expected a whole number", key);
        return false;
    }
    json_int_t n = json_integer_value(v);
    if (n < min || n > max) {
        err_set(err, "%s: outside %lld..%lld", key, min, max);
        return false;
    }
    *out = n;
    return true;
}

bool
json_get_bool(const json_t *obj, const char *key, bool required, bool *out, struct errbuf *err)
{
    bool ok;
    const json_t *v = field(obj, key, required, &ok, err);
    if (v == NULL)
        return ok;
    if (!json_is_boolean(v)) {
        err_set(err, "%s: expected true or false", key);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

static bool
append_u16(struct buf *out, unsigned u)
{
    return buf_printf(out, "\\u%04x", u);
}

bool
json_append_string(struct buf *out, const char *s, bool ascii_only)
{
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        return false;
    if (!buf_append_char(out, '"'))
        return false;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        bool ok;
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            ok = buf_append(out, esc, 2);
            i++;
        } else if (c < 0x20) {
            static const char named[] = { 'b', 't', 'n', 0, 'f', 'r' };
            if (c >= 8 && c <= 13 && named[c - 8] != 0) {
                char esc[2] = { '\\', named[c - 8] };
                ok = buf_append(out, esc, 2);
            } else {
                ok = append_u16(out, c);
            }
            i++;
        } else if (c < 0x80 || !ascii_only) {
            ok = buf_append_char(out, (char)c);
            i++;
        } else {
            uint32_t cp;
            size_t n = utf8_decode(s + i, len - i, &cp);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                ok = append_u16(out, 0xd800 + (cp >> 10)) && append_u16(out, 0xdc00 + (cp & 0x3ff));
            } else {
                ok = append_u16(out, cp);
            }
            i += n;
        }
        if (!ok)
            return false;
    }
    return buf_append_char(out, '"');
}
