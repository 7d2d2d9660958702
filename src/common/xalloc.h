/* Allocation that cannot fail: small allocations abort the process on out-of-memory. */
#ifndef MINASIDOR_XALLOC_H
#define MINASIDOR_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "macros.h"

/* Each returns memory the caller frees with free(); none returns NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF(1, 0);

/* Overwrites n bytes in a way the compiler may not drop (for secrets outside sodium memory). */
void secure_zero(void *p, size_t n);

#endif
