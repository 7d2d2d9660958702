/* Fuzz ISO 8601 parsing and the callback promise: the promise is always a working day later. */
#include "date.h"
#include "fuzz_util.h"
#include "holidays.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    int64_t t;
    if (time_parse_iso8601(s, &t)) {
        struct local_time lt;
        tz_to_local(t, &lt);
        if (lt.date.year >= HOLIDAY_MIN_YEAR && lt.date.year < HOLIDAY_MAX_YEAR) {
            int64_t due = callback_due(t);
            FUZZ_ASSERT(due > t);
            struct local_time dl;
            tz_to_local(due, &dl);
            FUZZ_ASSERT(cal_is_workday(dl.date));
            FUZZ_ASSERT(dl.hour == 23 && dl.minute == 59 && dl.second == 59);
        }
        char out[26];
        time_format_local(t, out);
    }
    struct date d;
    if (date_parse_iso(s, &d))
        FUZZ_ASSERT(date_valid(d));
    free(s);
    return 0;
}
