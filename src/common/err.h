/* A caller-owned buffer for a human-readable error message ("path:line: key: message"). */
#ifndef MINASIDOR_ERR_H
#define MINASIDOR_ERR_H

#include "macros.h"

struct errbuf {
    char msg[256];
};

/* Replaces the message (truncating to fit). Accepts NULL, so callers may pass no buffer. */
void err_set(struct errbuf *e, const char *fmt, ...) PRINTF(2, 3);

/* Puts "prefix: " in front of the current message, e.g. to add a file name. */
void err_prefix(struct errbuf *e, const char *fmt, ...) PRINTF(2, 3);

#endif
