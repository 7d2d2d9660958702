/* Fuzz OCR checking and generation: a made reference always passes its level. */
#include "fuzz_util.h"
#include "ocr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char ref[OCR_MAX_LEN + 1];
    if (ocr_normalize(s, ref) == OCR_OK) {
        struct ocr_rules rules[] = { { OCR_LEVEL_SOFT, { 0, 0 } },
                                     { OCR_LEVEL_HARD, { 0, 0 } },
                                     { OCR_LEVEL_VARIABLE, { 0, 0 } },
                                     { OCR_LEVEL_FIXED, { 10, 17 } } };
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
            struct ocr_result r;
            (void)!ocr_check(ref, &rules[i], &r);
        }
        char grouped[32];
        ocr_group(ref, grouped, sizeof(grouped));
    }
    for (int ld = 0; ld <= 1; ld++) {
        char made[OCR_MAX_LEN + 1];
        if (ocr_make(s, ld, made) == OCR_OK) {
            struct ocr_rules r = { ld ? OCR_LEVEL_VARIABLE : OCR_LEVEL_HARD, { 0, 0 } };
            FUZZ_ASSERT(ocr_check(made, &r, NULL) == OCR_OK);
        }
    }
    struct ocr_rules parsed;
    (void)ocr_rules_parse(s, &parsed);
    free(s);
    return 0;
}
