/* Fuzz money parsing: an accepted amount formats and parses back to itself. */
#include "fuzz_util.h"
#include "money.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    int64_t ore;
    if (money_parse(s, &ore) == MONEY_OK) {
        FUZZ_ASSERT(ore >= 0 && ore <= MONEY_MAX_ORE);
        char out[64];
        money_format(ore, MONEY_STYLE_SV, out, sizeof(out));
        int64_t back;
        FUZZ_ASSERT(money_parse(out, &back) == MONEY_OK && back == ore);
    }
    free(s);
    return 0;
}
