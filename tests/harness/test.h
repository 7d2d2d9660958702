/* A small TAP test harness: each TEST is one "ok"/"not ok" line; every failed check prints what
 * it expected and what it got. */
#ifndef MINASIDOR_TEST_H
#define MINASIDOR_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

extern int test_current_failed;

void test_run(const char *name, void (*fn)(void));
void test_skip(const char *name, const char *why);
int test_done(void);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(name) static void name(void)
#define RUN(name)  test_run(#name, name)

#define CHECK(cond)                                              \
    do {                                                         \
        if (!(cond))                                             \
            test_fail(__FILE__, __LINE__, "expected %s", #cond); \
    } while (0)

#define CHECK_MSG(cond, ...)                            \
    do {                                                \
        if (!(cond))                                    \
            test_fail(__FILE__, __LINE__, __VA_ARGS__); \
    } while (0)

#define CHECK_INT(expected, got)                                                        \
    do {                                                                                \
        long long e_ = (long long)(expected), g_ = (long long)(got);                    \
        if (e_ != g_)                                                                   \
            test_fail(__FILE__, __LINE__, "%s: expected %lld, got %lld", #got, e_, g_); \
    } while (0)

#define CHECK_STR(expected, got)                                                       \
    do {                                                                               \
        const char *e_ = (expected), *g_ = (got);                                      \
        if (g_ == NULL || strcmp(e_, g_) != 0)                                         \
            test_fail(__FILE__, __LINE__, "%s: expected \"%s\", got \"%s\"", #got, e_, \
                      g_ ? g_ : "(null)");                                             \
    } while (0)

#endif
