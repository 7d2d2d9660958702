/* OCR references: the REFERENCE.md §3 vectors at each level, generation, and single-digit
 * changes. */
#include <stdlib.h>

#include "ocr.h"
#include "test.h"

static const char *const both_valid[] = {
    "18108401345678778", "18196701475307475", "1018966492531",    "1019080881039", "03368912618",
    "1202951008",        "1636976",           "0072019122420063", "12351",         "123067",
};

static enum ocr_error
check(const char *ref, enum ocr_level level, struct ocr_result *r)
{
    struct ocr_rules rules = { .level = level };
    return ocr_check(ref, &rules, r);
}

TEST(ocr_reference_vectors_pass_every_level)
{
    for (size_t i = 0; i < sizeof(both_valid) / sizeof(both_valid[0]); i++) {
        struct ocr_result r;
        for (int lvl = OCR_LEVEL_SOFT; lvl <= OCR_LEVEL_VARIABLE; lvl++) {
            enum ocr_error e = check(both_valid[i], (enum ocr_level)lvl, &r);
            CHECK_MSG(e == OCR_OK, "%s at level %d: %s", both_valid[i], lvl, ocr_error_code(e));
        }
        CHECK(r.checksum_ok && r.length_digit_ok);
        struct ocr_rules fixed = { .level = OCR_LEVEL_FIXED,
                                   .fixed_len = { (int)strlen(both_valid[i]), 0 } };
        CHECK(ocr_check(both_valid[i], &fixed, NULL) == OCR_OK);
    }
}

TEST(ocr_luhn_only_vector_fails_the_length_digit)
{
    struct ocr_result r;
    CHECK_INT(OCR_OK, check("1230", OCR_LEVEL_HARD, &r));
    CHECK(r.checksum_ok);
    CHECK(!r.length_digit_ok);
    CHECK_INT(OCR_ERR_LENGTH_DIGIT, check("1230", OCR_LEVEL_VARIABLE, &r));
}

TEST(ocr_soft_level_warns_but_accepts_a_wrong_check_digit)
{
    struct ocr_result r;
    CHECK_INT(OCR_OK, check("18108401345678779", OCR_LEVEL_SOFT, &r));
    CHECK(!r.checksum_ok);
    CHECK_INT(OCR_ERR_CHECKSUM, check("18108401345678779", OCR_LEVEL_HARD, &r));
    CHECK_INT(OCR_ERR_CHECKSUM, check("18108401345678779", OCR_LEVEL_VARIABLE, &r));
}

TEST(ocr_fixed_lengths)
{
    struct ocr_rules r;
    CHECK(ocr_rules_parse("fixed:17", &r));
    CHECK_INT(OCR_OK, ocr_check("18108401345678778", &r, NULL));
    CHECK_INT(OCR_ERR_FIXED_LENGTH, ocr_check("12351", &r, NULL));
    CHECK(ocr_rules_parse("fixed:5,17", &r));
    CHECK_INT(OCR_OK, ocr_check("12351", &r, NULL));
    CHECK_INT(OCR_ERR_FIXED_LENGTH, ocr_check("123067", &r, NULL));
    CHECK(!ocr_rules_parse("fixed:", &r));
    CHECK(!ocr_rules_parse("fixed:1", &r));
    CHECK(!ocr_rules_parse("fixed:26", &r));
    CHECK(!ocr_rules_parse("fixed:5,", &r));
    CHECK(!ocr_rules_parse("fixed:5,6,7", &r));
    CHECK(!ocr_rules_parse("medium", &r));
}

TEST(ocr_rejects_bad_shapes)
{
    CHECK_INT(OCR_ERR_EMPTY, check("", OCR_LEVEL_HARD, NULL));
    CHECK_INT(OCR_ERR_LENGTH, check("0", OCR_LEVEL_HARD, NULL));
    CHECK_INT(OCR_ERR_LENGTH, check("12345678901234567890123455", OCR_LEVEL_SOFT, NULL));
    CHECK_INT(OCR_ERR_FORMAT, check("12 351", OCR_LEVEL_HARD, NULL));
    CHECK_INT(OCR_ERR_FORMAT, check("1235a", OCR_LEVEL_SOFT, NULL));
    CHECK_INT(OCR_ERR_FORMAT, check("-12351", OCR_LEVEL_SOFT, NULL));
}

TEST(ocr_normalize_strips_spaces_only)
{
    char out[OCR_MAX_LEN + 1];
    CHECK_INT(OCR_OK, ocr_normalize(" 1810 8401 3456 7877 8 ", out));
    CHECK_STR("18108401345678778", out);
    CHECK_INT(OCR_ERR_FORMAT, ocr_normalize("1810-8401", out));
    CHECK_INT(OCR_ERR_EMPTY, ocr_normalize("   ", out));
    CHECK_INT(OCR_ERR_LENGTH, ocr_normalize("12345678901234567890123456", out));
}

TEST(ocr_make_reproduces_the_vectors)
{
    for (size_t i = 0; i < sizeof(both_valid) / sizeof(both_valid[0]); i++) {
        char base[32];
        size_t len = strlen(both_valid[i]);
        memcpy(base, both_valid[i], len - 2);
        base[len - 2] = '\0';
        char out[OCR_MAX_LEN + 1];
        CHECK_INT(OCR_OK, ocr_make(base, true, out));
        CHECK_STR(both_valid[i], out);
    }
    char out[OCR_MAX_LEN + 1];
    CHECK_INT(OCR_OK, ocr_make("123", false, out));
    CHECK_STR("1230", out);
    CHECK_INT(OCR_ERR_LENGTH, ocr_make("123456789012345678901234", true, out));
    CHECK_INT(OCR_OK, ocr_make("34567890123456789012345", true, out));
    CHECK_INT(25, (long long)strlen(out));
    CHECK_INT(OCR_ERR_FORMAT, ocr_make("12a", true, out));
    CHECK_INT(OCR_ERR_EMPTY, ocr_make("", false, out));
    CHECK_INT(OCR_OK, ocr_make("", true, out)); /* a length digit alone: "26" */
    CHECK_STR("26", out);
}

TEST(ocr_generated_references_validate_and_single_digit_changes_fail)
{
    srand(4711);
    int mutations = 0;
    for (int n = 0; n < 5000; n++) {
        char base[24];
        int len = 1 + rand() % 22;
        for (int i = 0; i < len; i++)
            base[i] = (char)('0' + rand() % 10);
        base[len] = '\0';
        bool with_len = rand() % 2;
        char ref[OCR_MAX_LEN + 1];
        CHECK_INT(OCR_OK, ocr_make(base, with_len, ref));
        CHECK_INT(OCR_OK, check(ref, with_len ? OCR_LEVEL_VARIABLE : OCR_LEVEL_HARD, NULL));
        size_t rl = strlen(ref);
        for (size_t pos = 0; pos < rl; pos++) {
            char m[OCR_MAX_LEN + 1];
            memcpy(m, ref, rl + 1);
            m[pos] = (char)('0' + (m[pos] - '0' + 1 + rand() % 9) % 10);
            CHECK_MSG(check(m, OCR_LEVEL_HARD, NULL) == OCR_ERR_CHECKSUM, "%s (from %s) accepted",
                      m, ref);
            mutations++;
        }
    }
    CHECK(mutations > 50000);
}

TEST(ocr_group_for_display)
{
    char out[32];
    ocr_group("18108401345678778", out, sizeof(out));
    CHECK_STR("1810 8401 3456 7877 8", out);
    ocr_group("1234", out, sizeof(out));
    CHECK_STR("1234", out);
    ocr_group("1234567890123456789012345", out, sizeof(out));
    CHECK_STR("1234 5678 9012 3456 7890 1234 5", out);
    ocr_group("123456789", out, 6); /* truncates, never overruns */
    CHECK_STR("1234", out);
}

int
main(void)
{
    RUN(ocr_reference_vectors_pass_every_level);
    RUN(ocr_luhn_only_vector_fails_the_length_digit);
    RUN(ocr_soft_level_warns_but_accepts_a_wrong_check_digit);
    RUN(ocr_fixed_lengths);
    RUN(ocr_rejects_bad_shapes);
    RUN(ocr_normalize_strips_spaces_only);
    RUN(ocr_make_reproduces_the_vectors);
    RUN(ocr_generated_references_validate_and_single_digit_changes_fail);
    RUN(ocr_group_for_display);
    return test_done();
}
