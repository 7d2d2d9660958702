/* Fuzz personnummer parsing: never crash, and every accepted number re-parses to itself. */
#include "fuzz_util.h"
#include "pnr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct date today = { 2026, 11, 22 };
    for (unsigned flags = 0; flags <= PNR_ALLOW_INTERIM; flags++) {
        struct pnr p;
        if (pnr_parse(s, today, flags, &p) != PNR_OK)
            continue;
        char out[14];
        pnr_format(&p, PNR_STYLE_MASKED, today, out);
        pnr_format(&p, PNR_STYLE_SHORT, today, out);
        pnr_format(&p, PNR_STYLE_LONG, today, out);
        struct pnr q;
        FUZZ_ASSERT(pnr_parse(out, today, flags, &q) == PNR_OK);
        FUZZ_ASSERT(strcmp(p.canonical, q.canonical) == 0);
        FUZZ_ASSERT(date_valid(p.birth));
    }
    free(s);
    return 0;
}
