/* Fuzz phone parsing: the national form of an accepted number parses to the same E.164. */
#include "fuzz_util.h"
#include "phone.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct phone p;
    if (phone_parse(s, &p) == PHONE_OK) {
        char national[24];
        phone_format_national(&p, national, sizeof(national));
        struct phone q;
        FUZZ_ASSERT(phone_parse(national, &q) == PHONE_OK);
        FUZZ_ASSERT(strcmp(p.e164, q.e164) == 0);
        FUZZ_ASSERT(phone_parse(p.e164, &q) == PHONE_OK && q.kind == p.kind);
    }
    free(s);
    return 0;
}
