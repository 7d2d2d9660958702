/* Logging to stderr and syslog, with a scrubber for personnummer-shaped text. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define LOG_NO_MACROS /* syslog.h owns the LOG_ERR name in this file */
#include "log.h"

static enum log_level max_level = LOG_LEVEL_INFO;
static unsigned log_targets = LOG_TARGET_STDERR;
static bool syslog_open;
static log_sink_fn sink;
static void *sink_data;

static const char *const level_names[] = {
    [LOG_LEVEL_ERR] = "err",
    [LOG_LEVEL_WARN] = "warn",
    [LOG_LEVEL_INFO] = "info",
    [LOG_LEVEL_DBG] = "debug",
};

void
log_init(enum log_level level, unsigned targets, const char *ident)
{
    max_level = level;
    log_targets = targets;
    if (syslog_open) {
        closelog();
        syslog_open = false;
    }
    if (targets & LOG_TARGET_SYSLOG) {
        openlog(ident ? ident : "minasidor", LOG_PID, LOG_USER);
        syslog_open = true;
    }
}

void
log_finish(void)
{
    if (syslog_open)
        closelog();
    syslog_open = false;
}

bool
log_level_parse(const char *s, enum log_level *out)
{
    for (size_t i = 0; i < ARRAY_LEN(level_names); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

void
log_set_sink(log_sink_fn fn, void *data)
{
    sink = fn;
    sink_data = data;
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

size_t
log_scrub(char *s, size_t size)
{
    size_t replaced = 0;
    size_t len = strnlen(s, size);
    size_t i = 0;
    while (i < len) {
        if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && is_digit(s[j]))
            j++;
        size_t head = j - i;
        size_t end = j;
        /* YYMMDDNNNC or YYYYMMDDNNNC as one run; or YYMMDD / YYYYMMDD, an optional - or +, and
         * four more, where an interim number has a letter first. */
        if (head == 10 || head == 12) {
            end = j;
        } else if (head == 6 || head == 8) {
            size_t p = j;
            bool sep = p < len && (s[p] == '-' || s[p] == '+');
            if (sep)
                p++;
            bool first_ok = p < len && ((sep && is_digit(s[p])) || (s[p] >= 'A' && s[p] <= 'Z'));
            if (!first_ok || p + 4 > len || !is_digit(s[p + 1]) || !is_digit(s[p + 2]) ||
                !is_digit(s[p + 3]) || (p + 4 < len && is_digit(s[p + 4]))) {
                i = j;
                continue;
            }
            end = p + 4;
        } else {
            i = j;
            continue;
        }
        static const char mark[] = "[pnr]";
        size_t mlen = sizeof(mark) - 1;
        size_t run = end - i;
        /* The mark is never longer than a run (>= 10 chars), so the string only shrinks. */
        memcpy(s + i, mark, mlen);
        memmove(s + i + mlen, s + end, len - end + 1);
        len -= run - mlen;
        i += mlen;
        replaced++;
    }
    return replaced;
}

void
log_msg(enum log_level level, const char *module, const char *file, int line, int errnum,
        const char *fmt, ...)
{
    if (level > max_level && sink == NULL)
        return;

    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(text, sizeof(text), "(unformattable log message)");
    if (errnum != 0) {
        size_t used = strlen(text);
        char ebuf[128];
        const char *etext = strerror_r(errnum, ebuf, sizeof(ebuf)) == 0 ? ebuf : "unknown error";
        snprintf(text + used, sizeof(text) - used, ": %s", etext);
    }
    log_scrub(text, sizeof(text));

    char full[1200];
    snprintf(full, sizeof(full), "%s: %s:%d: %s", module, file, line, text);

    if (sink != NULL)
        sink(level, module, full, sink_data);
    if (level > max_level)
        return;

    if (log_targets & LOG_TARGET_STDERR) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s %s %s\n", stamp, level_names[level], full);
    }
    if (log_targets & LOG_TARGET_SYSLOG) {
        static const int prio[] = {
            [LOG_LEVEL_ERR] = LOG_ERR,
            [LOG_LEVEL_WARN] = LOG_WARNING,
            [LOG_LEVEL_INFO] = LOG_INFO,
            [LOG_LEVEL_DBG] = LOG_DEBUG,
        };
        syslog(prio[level], "%s", full);
    }
}
