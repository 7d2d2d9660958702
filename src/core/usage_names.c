/* The usage and health vocabulary (usage_names.h). */
#include "usage_names.h"

#include <string.h>

#include "macros.h"

static const char *const counters[] = {
    USAGE_VISIT,
    USAGE_IDENTIFY_STARTED,
    USAGE_IDENTIFY_OK,
    USAGE_IDENTIFY_FAILED,
    USAGE_IDENTIFY_CANCELLED,
    USAGE_IDLE_LOGOUT,
    USAGE_SPEECH_MODE,
    USAGE_KEYPAD_USE,
    /* The kiosk's screens (src/screens: each screen_impl's name). */
    "screen.apply",
    "screen.callback",
    "screen.case",
    "screen.cases",
    "screen.fardtjanst",
    "screen.identify",
    "screen.info",
    "screen.invoice",
    "screen.invoices",
    "screen.overview",
    "screen.payouts",
    "screen.queues",
    "screen.staff",
    "screen.staff_citizen",
    "screen.staff_reason",
    "screen.staff_registrations",
    "screen.start",
    "screen.technician",
    "screen.touch_test",
    "screen.wizard",
    /* Submissions by kind (PROTOCOL.md §6). */
    "submit.application",
    "submit.callback",
    "submit.choice",
    "submit.complaint",
    /* The kiosk's languages (i18n/). */
    "lang.ar",
    "lang.en",
    "lang.fa",
    "lang.fi",
    "lang.so",
    "lang.sv",
    "lang.ti",
    "lang.uk",
};

/* The checks of src/app/diag.c, by the names it gives them. */
static const char *const checks[] = {
    "assets",   "casestore", "clock",  "config",    "disk",  "display",
    "identity", "key",       "outbox", "set_aside", "store", "sync",
};

static bool
in(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

bool
usage_counter_known(const char *name)
{
    return name != NULL && in(counters, ARRAY_LEN(counters), name);
}

const char *const *
usage_counter_names(size_t *n)
{
    *n = ARRAY_LEN(counters);
    return counters;
}

bool
usage_check_known(const char *name)
{
    return name != NULL && in(checks, ARRAY_LEN(checks), name);
}

bool
usage_version_valid(const char *v)
{
    if (v == NULL)
        return false;
    int groups = 0, digits = 0;
    for (const char *p = v; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 3)
                return false;
        } else if (*p == '.' && digits > 0 && groups < 2) {
            groups++;
            digits = 0;
        } else {
            return false;
        }
    }
    return *v == '\0' || digits > 0;
}
