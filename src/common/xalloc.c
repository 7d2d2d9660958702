/* Allocation wrappers: out-of-memory is not a recoverable state for a kiosk, so we abort. */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static NORETURN void
oom(size_t size)
{
    /* No logging machinery here: it may itself need memory. */
    fprintf(stderr, "minasidor: out of memory (%zu bytes)\n", size);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        oom(size);
    return p;
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *
xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        oom(size);
    return p;
}

char *
xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    xassert(n >= 0);
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

/* A volatile function pointer keeps the compiler from proving the store dead. */
static void *(*const volatile memset_v)(void *, int, size_t) = memset;

void
secure_zero(void *p, size_t n)
{
    if (p != NULL && n > 0)
        memset_v(p, 0, n);
}

void
xassert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "minasidor: %s:%d: assertion failed: %s\n", file, line, expr);
    abort();
}
