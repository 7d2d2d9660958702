/* A growable byte buffer with a hard size cap, for anything sized by the network or a user
 * (curl's dynbuf idea): appending past the cap fails cleanly and leaves the buffer intact. */
#ifndef MINASIDOR_BUF_H
#define MINASIDOR_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

struct buf {
    char *data;     /* NUL-terminated after any successful append; NULL until first use */
    size_t len;     /* bytes held, not counting the terminating NUL */
    size_t cap;     /* bytes allocated */
    size_t max_len; /* the cap: len never exceeds it */
};

/* Starts an empty buffer that will hold at most max_len bytes. Caller storage. */
void buf_init(struct buf *b, size_t max_len);

/* Frees the memory; the buffer may be reused after buf_init. Accepts a finished buffer. */
void buf_finish(struct buf *b);

/* As buf_finish, but overwrites the contents first (for secrets and personal data). */
void buf_finish_wipe(struct buf *b);

/* Appends n bytes. False (and nothing appended) when that would exceed the cap. */
bool buf_append(struct buf *b, const void *data, size_t n) WARN_UNUSED;
bool buf_append_str(struct buf *b, const char *s) WARN_UNUSED;
bool buf_append_char(struct buf *b, char c) WARN_UNUSED;
bool buf_printf(struct buf *b, const char *fmt, ...) PRINTF(2, 3) WARN_UNUSED;

/* The contents as a C string; "" for an empty buffer. Borrowed until the next change. */
const char *buf_str(const struct buf *b);

/* Empties the buffer but keeps its memory (wiping what it held). */
void buf_reset(struct buf *b);

/* Hands the memory to the caller (who frees it) and leaves the buffer empty. Never NULL. */
char *buf_steal(struct buf *b);

#endif
