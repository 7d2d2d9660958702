/* TAP harness implementation. */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

int test_current_failed;
static int n_run;
static int n_failed;

void
test_fail(const char *file, int line, const char *fmt, ...)
{
    test_current_failed = 1;
    va_list ap;
    va_start(ap, fmt);
    printf("# %s:%d: ", file, line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

void
test_run(const char *name, void (*fn)(void))
{
    test_current_failed = 0;
    fn();
    n_run++;
    if (test_current_failed)
        n_failed++;
    printf("%s %d - %s\n", test_current_failed ? "not ok" : "ok", n_run, name);
    fflush(stdout);
}

void
test_skip(const char *name, const char *why)
{
    n_run++;
    printf("ok %d - %s # SKIP %s\n", n_run, name, why);
}

int
test_done(void)
{
    printf("1..%d\n", n_run);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
