/* Personnummer and samordningsnummer: every REFERENCE.md §2 vector, every accepted form, and the
 * property that any single-digit change of a valid number is caught. */
#include <stdlib.h>

#include "luhn.h"
#include "pnr.h"
#include "test.h"

static const struct date today = { 2026, 11, 22 };

static void
expect_valid(const char *input, const char *canonical, enum pnr_kind kind)
{
    struct pnr p;
    enum pnr_error e = pnr_parse(input, today, 0, &p);
    CHECK_MSG(e == PNR_OK, "%s: expected valid, got %s", input, pnr_error_code(e));
    if (e == PNR_OK) {
        CHECK_STR(canonical, p.canonical);
        CHECK_MSG(p.kind == kind, "%s: expected kind %s, got %s", input, pnr_kind_code(kind),
                  pnr_kind_code(p.kind));
    }
}

static void
expect_invalid(const char *input, enum pnr_error want)
{
    struct pnr p;
    enum pnr_error e = pnr_parse(input, today, 0, &p);
    CHECK_MSG(e == want, "%s: expected %s, got %s", input, pnr_error_code(want), pnr_error_code(e));
}

TEST(pnr_reference_valid_vectors)
{
    static const char *const valid[] = { "190905271474", "198211059954", "199012119948",
                                         "187912219990", "200012099891", "196703049988" };
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        expect_valid(valid[i], valid[i], PNR_KIND_PERSONNUMMER);
}

TEST(pnr_reference_samordningsnummer_vectors)
{
    static const char *const valid[] = { "195705749959", "197306749982", "200308659978" };
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        expect_valid(valid[i], valid[i], PNR_KIND_SAMORDNINGSNUMMER);
    /* Skatteverket's example: a man born 1970-10-03 with individual number 239. */
    struct pnr p;
    CHECK(pnr_parse("701063-2391", today, 0, &p) == PNR_OK);
    CHECK_STR("197010632391", p.canonical);
    CHECK_INT(3, p.birth.day);
    CHECK_INT('M', p.sex);
}

TEST(pnr_reference_invalid_vectors_say_why)
{
    expect_invalid("201509160006", PNR_ERR_SERIAL);
    expect_invalid("198707049996", PNR_ERR_CHECKSUM);
    expect_invalid("201211209941", PNR_ERR_CHECKSUM);
    expect_invalid("193901829913", PNR_ERR_CHECKSUM);
    expect_invalid("19090527 1474", PNR_ERR_FORMAT);
    expect_invalid("20000101T220", PNR_ERR_INTERIM);
}

TEST(pnr_accepts_every_form)
{
    expect_valid("19121212-1212", "191212121212", PNR_KIND_PERSONNUMMER);
    expect_valid("191212121212", "191212121212", PNR_KIND_PERSONNUMMER);
    expect_valid("19121212+1212", "191212121212", PNR_KIND_PERSONNUMMER);
    expect_valid("121212+1212", "191212121212", PNR_KIND_PERSONNUMMER);
    expect_valid("121212-1212", "201212121212", PNR_KIND_PERSONNUMMER);
    expect_valid("1212121212", "201212121212", PNR_KIND_PERSONNUMMER);
    expect_valid("  821105-9954\n", "198211059954", PNR_KIND_PERSONNUMMER);
    expect_valid("090527+1474", "190905271474", PNR_KIND_PERSONNUMMER);
    expect_valid("791221+9990", "187912219990", PNR_KIND_PERSONNUMMER);
    expect_valid("001209-9891", "200012099891", PNR_KIND_PERSONNUMMER);
}

TEST(pnr_rejects_malformed_input)
{
    expect_invalid("", PNR_ERR_EMPTY);
    expect_invalid("   ", PNR_ERR_EMPTY);
    expect_invalid("12345", PNR_ERR_FORMAT);
    expect_invalid("19121212_1212", PNR_ERR_FORMAT);
    expect_invalid("1912121-21212", PNR_ERR_FORMAT);
    expect_invalid("19121212--1212", PNR_ERR_FORMAT);
    expect_invalid("1912121212121", PNR_ERR_FORMAT);
    expect_invalid("abcdefghijkl", PNR_ERR_FORMAT);
    expect_invalid("17121212-1212", PNR_ERR_CENTURY);
    expect_invalid("21121212-1212", PNR_ERR_CENTURY);
    expect_invalid("19121312-1212", PNR_ERR_DATE);
    expect_invalid("19120012-1212", PNR_ERR_DATE);
    expect_invalid("19121232-1212", PNR_ERR_DATE);
    expect_invalid("19121292-1212", PNR_ERR_DATE);
}

TEST(pnr_leap_years_are_real)
{
    /* 2000 was a leap year, 1900 was not; checksums are computed so only the date decides. */
    char buf[16];
    const char *dates[] = { "20000229", "19000229", "20240229", "20230229", "19000301" };
    const bool ok[] = { true, false, true, false, true };
    for (int i = 0; i < 5; i++) {
        char ten[11];
        memcpy(ten, dates[i] + 2, 6);
        memcpy(ten + 6, "123", 3);
        ten[9] = (char)('0' + luhn_check_digit(ten, 9));
        ten[10] = '\0';
        snprintf(buf, sizeof(buf), "%.2s%s", dates[i], ten);
        struct pnr p;
        enum pnr_error e = pnr_parse(buf, today, 0, &p);
        CHECK_MSG((e == PNR_OK) == ok[i], "%s: got %s", buf, pnr_error_code(e));
        if (!ok[i])
            CHECK_INT(PNR_ERR_DATE, e);
    }
}

TEST(pnr_century_from_reference_date)
{
    /* A ten-digit number is the most recent birth date not after today... */
    struct pnr p;
    char ten[12] = "261121-123";
    ten[10] = (char)('0' + luhn_check_digit("261121123", 9));
    ten[11] = '\0';
    CHECK(pnr_parse(ten, today, 0, &p) == PNR_OK);
    CHECK_INT(2026, p.birth.year);
    /* ...so a birthday later this year means a hundred years earlier. */
    char later[12] = "261231-123";
    later[10] = (char)('0' + luhn_check_digit("261231123", 9));
    later[11] = '\0';
    CHECK(pnr_parse(later, today, 0, &p) == PNR_OK);
    CHECK_INT(1926, p.birth.year);
    /* '+' means the person has turned 100 this calendar year or earlier. */
    later[6] = '+';
    CHECK(pnr_parse(later, today, 0, &p) == PNR_OK);
    CHECK_INT(1926, p.birth.year);
    char plus[12] = "261121+123";
    plus[10] = ten[10];
    plus[11] = '\0';
    CHECK(pnr_parse(plus, today, 0, &p) == PNR_OK);
    CHECK_INT(1926, p.birth.year);
}

TEST(pnr_future_birth_date_is_refused)
{
    char buf[13] = "20270101123";
    char ten[10];
    memcpy(ten, buf + 2, 9);
    buf[11] = (char)('0' + luhn_check_digit(ten, 9));
    buf[12] = '\0';
    expect_invalid(buf, PNR_ERR_FUTURE);
}

TEST(pnr_interim_numbers_only_when_allowed)
{
    /* Build an interim number whose check digit is right (the letter counts as 1). */
    char buf[14] = "20000101-T22";
    buf[12] = (char)('0' + luhn_check_digit("000101122", 9));
    buf[13] = '\0';
    struct pnr p;
    CHECK_INT(PNR_ERR_INTERIM, pnr_parse(buf, today, 0, &p));
    CHECK_INT(PNR_OK, pnr_parse(buf, today, PNR_ALLOW_INTERIM, &p));
    CHECK_INT(PNR_KIND_INTERIM, p.kind);
    CHECK_INT('T', p.canonical[8]);
    buf[12] = (char)('0' + (buf[12] - '0' + 1) % 10);
    CHECK_INT(PNR_ERR_CHECKSUM, pnr_parse(buf, today, PNR_ALLOW_INTERIM, &p));
}

TEST(pnr_display_forms)
{
    struct pnr p;
    char out[14];
    CHECK(pnr_parse("191212121212", today, 0, &p) == PNR_OK);
    pnr_format(&p, PNR_STYLE_LONG, today, out);
    CHECK_STR("19121212-1212", out);
    pnr_format(&p, PNR_STYLE_SHORT, today, out);
    CHECK_STR("121212+1212", out);
    pnr_format(&p, PNR_STYLE_MASKED, today, out);
    CHECK_STR("19121212-****", out);
    CHECK(pnr_parse("198211059954", today, 0, &p) == PNR_OK);
    pnr_format(&p, PNR_STYLE_SHORT, today, out);
    CHECK_STR("821105-9954", out);
    CHECK_INT('M', p.sex);
    CHECK(pnr_parse("199012119948", today, 0, &p) == PNR_OK);
    CHECK_INT('F', p.sex);
    CHECK_INT(1990, p.birth.year);
    CHECK_INT(12, p.birth.month);
    CHECK_INT(11, p.birth.day);
}

TEST(pnr_generated_numbers_validate_and_every_single_digit_change_fails)
{
    srand(20261122);
    int checked = 0;
    for (int n = 0; n < 3000; n++) {
        struct date d = date_from_days(
            date_to_days((struct date){ 1900, 1, 1 }) +
            rand() % (int)(date_to_days(today) - date_to_days((struct date){ 1900, 1, 1 })));
        int serial = 1 + rand() % 999;
        bool samordning = rand() % 4 == 0;
        char num[13];
        snprintf(num, sizeof(num), "%04d%02d%02d%03d", d.year, d.month,
                 d.day + (samordning ? 60 : 0), serial);
        num[11] = (char)('0' + luhn_check_digit(num + 2, 9));
        num[12] = '\0';
        struct pnr p;
        enum pnr_error e = pnr_parse(num, today, 0, &p);
        CHECK_MSG(e == PNR_OK, "generated %s: %s", num, pnr_error_code(e));
        if (e != PNR_OK)
            continue;
        CHECK_STR(num, p.canonical);
        CHECK_MSG(date_compare(p.birth, d) == 0, "generated %s: wrong birth date", num);
        /* Every change of one Luhn-covered digit must be rejected. */
        for (int pos = 2; pos < 12; pos++) {
            for (char c = '0'; c <= '9'; c++) {
                if (c == num[pos])
                    continue;
                char mutated[13];
                memcpy(mutated, num, sizeof(mutated));
                mutated[pos] = c;
                struct pnr q;
                CHECK_MSG(pnr_parse(mutated, today, 0, &q) != PNR_OK, "%s (from %s) accepted",
                          mutated, num);
                checked++;
            }
        }
    }
    CHECK(checked > 200000);
}

TEST(pnr_error_codes_and_messages_are_distinct)
{
    for (int a = PNR_OK; a <= PNR_ERR_CHECKSUM; a++) {
        CHECK(strlen(pnr_error_message((enum pnr_error)a)) > 0);
        for (int b = a + 1; b <= PNR_ERR_CHECKSUM; b++)
            CHECK(strcmp(pnr_error_code((enum pnr_error)a), pnr_error_code((enum pnr_error)b)) !=
                  0);
    }
}

int
main(void)
{
    RUN(pnr_reference_valid_vectors);
    RUN(pnr_reference_samordningsnummer_vectors);
    RUN(pnr_reference_invalid_vectors_say_why);
    RUN(pnr_accepts_every_form);
    RUN(pnr_rejects_malformed_input);
    RUN(pnr_leap_years_are_real);
    RUN(pnr_century_from_reference_date);
    RUN(pnr_future_birth_date_is_refused);
    RUN(pnr_interim_numbers_only_when_allowed);
    RUN(pnr_display_forms);
    RUN(pnr_generated_numbers_validate_and_every_single_digit_change_fails);
    RUN(pnr_error_codes_and_messages_are_distinct);
    return test_done();
}
