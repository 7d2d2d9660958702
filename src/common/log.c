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

/* The letters Skatteverket uses in the first serial digit of an interim number. */
static bool
is_interim_letter(char c)
{
    c = (char)(c & ~0x20); /* upper case */
    return c != '\0' && strchr("TRSUWXJKLMN", c) != NULL;
}

static int
two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYMMDD or YYYYMMDD (n = 6 or 8, all digits) as a personnummer's birth date: a real day, or a
 * real day + 60 (samordningsnummer). Without the century 29 February needs a year divisible
 * by four. */
static bool
valid_birth_date(const char *d, size_t n)
{
    int year = -1;
    if (n == 8) {
        int century = two_digits(d);
        if (century < 18 || century > 20)
            return false;
        year = century * 100 + two_digits(d + 2);
        d += 2;
    }
    int yy = two_digits(d), month = two_digits(d + 2), day = two_digits(d + 4);
    if (day > 60)
        day -= 60;
    static const int days_in[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12 || day < 1 || day > days_in[month - 1])
        return false;
    if (month == 2 && day == 29)
        return year >= 0 ? (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 : yy % 4 == 0;
    return true;
}

/* Luhn over YYMMDD and the four serial characters; an interim letter counts as 1. */
static bool
valid_check_digit(const char *yymmdd, const char *serial)
{
    char ten[10];
    memcpy(ten, yymmdd, 6);
    memcpy(ten + 6, serial, 4);
    if (is_interim_letter(ten[6]))
        ten[6] = '1';
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        if (!is_digit(ten[i]))
            return false;
        int v = (ten[i] - '0') * (i % 2 == 0 && i < 9 ? 2 : 1);
        sum += v > 9 ? v - 9 : v;
    }
    return sum % 10 == 0;
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
        size_t end;
        size_t date_len;
        const char *serial;
        /* YYMMDDNNNC or YYYYMMDDNNNC as one run; or YYMMDD / YYYYMMDD, an optional - or +, and
         * four more, where an interim number has a letter first. */
        if (head == 10 || head == 12) {
            date_len = head - 4;
            serial = s + j - 4;
            end = j;
        } else if (head == 6 || head == 8) {
            size_t p = j;
            bool sep = p < len && (s[p] == '-' || s[p] == '+');
            if (sep)
                p++;
            bool first_ok = p < len && ((sep && is_digit(s[p])) || is_interim_letter(s[p]));
            if (!first_ok || p + 4 > len || !is_digit(s[p + 1]) || !is_digit(s[p + 2]) ||
                !is_digit(s[p + 3]) || (p + 4 < len && is_digit(s[p + 4]))) {
                i = j;
                continue;
            }
            date_len = head;
            serial = s + p;
            end = p + 4;
        } else {
            i = j;
            continue;
        }
        /* Only a real date and a valid check digit: device ids, case numbers, OCR numbers,
         * timestamps and sizes stay readable in the log. */
        if (!valid_birth_date(s + i, date_len) ||
            !valid_check_digit(s + i + date_len - 6, serial)) {
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
