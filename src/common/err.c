/* Error message buffers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_set(struct errbuf *e, const char *fmt, ...)
{
    if (e == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

void
err_prefix(struct errbuf *e, const char *fmt, ...)
{
    if (e == NULL)
        return;
    char prefix[sizeof(e->msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    /* Assemble in a larger buffer, then truncate into place. */
    char joined[2 * sizeof(e->msg) + 2];
    size_t pl = strlen(prefix);
    memcpy(joined, prefix, pl);
    memcpy(joined + pl, ": ", 2);
    memcpy(joined + pl + 2, e->msg, strnlen(e->msg, sizeof(e->msg) - 1) + 1);
    joined[sizeof(joined) - 1] = '\0';
    size_t jl = strlen(joined);
    if (jl >= sizeof(e->msg))
        jl = sizeof(e->msg) - 1;
    memcpy(e->msg, joined, jl);
    e->msg[jl] = '\0';
}
