/* Fuzz what casestore takes from a kiosk in POST /v1/status (sync/server/fleet.c): whatever is
 * accepted names only counters and checks of the vocabulary, with counts, days and a version in
 * range, so nothing else can reach `casestore report usage` or `casestore fleet`. */
#include "fleet.h"
#include "fuzz_util.h"
#include "json.h"
#include "usage_names.h"

#define NOW 1795353600 /* 2026-11-21 */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct errbuf err;
    json_t *req = json_parse_capped((const char *)data, size, 1 << 20, &err);
    if (req == NULL)
        return 0;
    int64_t batch = -1;
    const json_t *usage = NULL;
    struct cs_health h;
    if (cs_status_check(req, NOW, &batch, &usage, &h, &err)) {
        FUZZ_ASSERT(batch >= 0 && json_array_size(usage) <= CS_USAGE_MAX_ENTRIES);
        FUZZ_ASSERT(batch > 0 || json_array_size(usage) == 0);
        size_t i;
        json_t *e;
        json_array_foreach(usage, i, e)
        {
            FUZZ_ASSERT(usage_counter_known(json_string_value(json_object_get(e, "counter"))));
            json_int_t n = json_integer_value(json_object_get(e, "count"));
            FUZZ_ASSERT(n >= 1 && n <= CS_USAGE_MAX_COUNT);
            FUZZ_ASSERT(strlen(json_string_value(json_object_get(e, "day"))) == 10);
            FUZZ_ASSERT(json_object_size(e) == 3);
        }
        FUZZ_ASSERT(usage_version_valid(h.version));
        char copy[sizeof(h.failing)];
        memcpy(copy, h.failing, sizeof(copy));
        for (char *save = NULL, *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
            FUZZ_ASSERT(usage_check_known(c));
    }
    json_decref(req);
    return 0;
}
