/* Logging, in foot's manner: `#define LOG_MODULE "store"` before including this header, then
 * LOG_ERR/WARN/INFO/DBG/ERRNO(fmt, ...). Lines carry module and file:line.
 *
 * Never log a personnummer, a name or any other personal data. The lint test
 * `lint_no_personal_data_in_logs` rejects such arguments, and as a second line of defence every
 * message is scrubbed of anything shaped like a personnummer before it is written. */
#ifndef MINASIDOR_LOG_H
#define MINASIDOR_LOG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

enum log_level {
    LOG_LEVEL_ERR,
    LOG_LEVEL_WARN,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DBG,
};

enum log_target {
    LOG_TARGET_STDERR = 1 << 0,
    LOG_TARGET_SYSLOG = 1 << 1, /* the journal, under systemd */
};

/* Receives each finished (already scrubbed) line; for tests and diagnostics export. */
typedef void (*log_sink_fn)(enum log_level level, const char *module, const char *line, void *data);

/* Sets the level, targets and syslog identity. May be called again to change them. */
void log_init(enum log_level level, unsigned targets, const char *ident);

/* Closes syslog. */
void log_finish(void);

/* Parses "err", "warn", "info", "debug". False for anything else. */
bool log_level_parse(const char *s, enum log_level *out);

/* Adds one extra sink (NULL removes it). */
void log_set_sink(log_sink_fn fn, void *data);

/* Writes one line. errnum != 0 appends strerror(errnum). Use the macros below instead. */
void log_msg(enum log_level level, const char *module, const char *file, int line, int errnum,
             const char *fmt, ...) PRINTF(6, 7);

/* Replaces, in place, every personnummer, samordningsnummer or interim number with "[pnr]":
 * YYMMDD or YYYYMMDD (century 18-20) that is a real date (the day + 60 for a samordningsnummer),
 * an optional - or +, and four more (an interim number has a letter first) whose last is the
 * Luhn check digit, not within a longer run of digits. Other digit runs (device ids, case and
 * OCR numbers, times, sizes) are left alone. Returns how many it replaced. */
size_t log_scrub(char *s, size_t size);

#ifndef LOG_NO_MACROS
#ifndef LOG_MODULE
#error "#define LOG_MODULE \"name\" before #include \"log.h\""
#endif
#define LOG_ERR(...)   log_msg(LOG_LEVEL_ERR, LOG_MODULE, __FILE__, __LINE__, 0, __VA_ARGS__)
#define LOG_WARN(...)  log_msg(LOG_LEVEL_WARN, LOG_MODULE, __FILE__, __LINE__, 0, __VA_ARGS__)
#define LOG_INFO(...)  log_msg(LOG_LEVEL_INFO, LOG_MODULE, __FILE__, __LINE__, 0, __VA_ARGS__)
#define LOG_DBG(...)   log_msg(LOG_LEVEL_DBG, LOG_MODULE, __FILE__, __LINE__, 0, __VA_ARGS__)
#define LOG_ERRNO(...) log_msg(LOG_LEVEL_ERR, LOG_MODULE, __FILE__, __LINE__, errno, __VA_ARGS__)
#endif

#endif
