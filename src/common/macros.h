/* Small macros every module uses: attributes, array length, assertions, TESTABLE. */
#ifndef MINASIDOR_MACROS_H
#define MINASIDOR_MACROS_H

#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__) || defined(__clang__)
#define WARN_UNUSED  __attribute__((warn_unused_result))
#define NORETURN     __attribute__((noreturn))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define UNUSED       __attribute__((unused))
#else
#define WARN_UNUSED
#define NORETURN
#define PRINTF(f, a)
#define UNUSED
#endif

/* Static in the product, visible to the unit tests (curl's UNITTEST idea). */
#ifdef MINASIDOR_UNIT_TEST
#define TESTABLE
#else
#define TESTABLE static
#endif

/* Programmer errors only: never for bad input, which gets an error return instead. */
NORETURN void xassert_fail(const char *expr, const char *file, int line);
#define xassert(cond) ((cond) ? (void)0 : xassert_fail(#cond, __FILE__, __LINE__))

/* Marks a string for translation without translating it here (gettext's N_), and the same
 * with a message context (translated later with C_(ctx, s), i18n.h). */
#define N_(s)       (s)
#define NC_(ctx, s) (s)

#endif
