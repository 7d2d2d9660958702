/* Money in öre, and Swedish phone numbers. */
#include <stdlib.h>

#include "money.h"
#include "phone.h"
#include "test.h"

#define NBSP "\xc2\xa0"

static void
check_fmt(int64_t ore, enum money_style style, const char *want)
{
    char out[64];
    money_format(ore, style, out, sizeof(out));
    CHECK_MSG(strcmp(out, want) == 0, "%lld öre: expected \"%s\", got \"%s\"", (long long)ore, want,
              out);
}

TEST(money_formats_swedish_and_english)
{
    check_fmt(123450, MONEY_STYLE_SV, "1" NBSP "234,50" NBSP "kr");
    check_fmt(0, MONEY_STYLE_SV, "0,00" NBSP "kr");
    check_fmt(5, MONEY_STYLE_SV, "0,05" NBSP "kr");
    check_fmt(-5, MONEY_STYLE_SV,
              "\xe2\x88\x92"
              "0,05" NBSP "kr");
    check_fmt(100000000, MONEY_STYLE_SV, "1" NBSP "000" NBSP "000,00" NBSP "kr");
    check_fmt(99999, MONEY_STYLE_SV, "999,99" NBSP "kr");
    check_fmt(123450, MONEY_STYLE_EN, "SEK 1,234.50");
    check_fmt(-123456789, MONEY_STYLE_EN, "-SEK 1,234,567.89");
    check_fmt(INT64_MIN, MONEY_STYLE_EN, "-SEK 92,233,720,368,547,758.08");
    check_fmt(INT64_MAX, MONEY_STYLE_EN, "SEK 92,233,720,368,547,758.07");
    char small[8];
    size_t n = money_format(123450, MONEY_STYLE_EN, small, sizeof(small));
    CHECK_INT(7, n);
    CHECK_STR("SEK 1,2", small);
}

static void
check_parse(const char *in, enum money_error want, int64_t want_ore)
{
    int64_t got = -1;
    enum money_error e = money_parse(in, &got);
    CHECK_MSG(e == want, "\"%s\": expected %s, got %s", in, money_error_code(want),
              money_error_code(e));
    if (want == MONEY_OK)
        CHECK_MSG(got == want_ore, "\"%s\": expected %lld öre, got %lld", in, (long long)want_ore,
                  (long long)got);
}

TEST(money_parses_what_people_type)
{
    check_parse("1234", MONEY_OK, 123400);
    check_parse("1 234,50", MONEY_OK, 123450);
    check_parse("1234.5", MONEY_OK, 123450);
    check_parse(" 1 234 kr ", MONEY_OK, 123400);
    check_parse("1234:-", MONEY_OK, 123400);
    check_parse("1" NBSP "234,05" NBSP "kr", MONEY_OK, 123405);
    check_parse("1 234 567,89", MONEY_OK, 123456789);
    check_parse("0,5", MONEY_OK, 50);
    check_parse("12 SEK", MONEY_OK, 1200);
    check_parse("", MONEY_ERR_EMPTY, 0);
    check_parse(" kr", MONEY_ERR_EMPTY, 0);
    check_parse("12 34", MONEY_ERR_FORMAT, 0);
    check_parse("1234 567", MONEY_ERR_FORMAT, 0);
    check_parse(",5", MONEY_ERR_FORMAT, 0);
    check_parse("5,", MONEY_ERR_FORMAT, 0);
    check_parse("1e5", MONEY_ERR_FORMAT, 0);
    check_parse("1,2,3", MONEY_ERR_FORMAT, 0);
    check_parse("1 234,", MONEY_ERR_FORMAT, 0);
    check_parse("1,234", MONEY_ERR_DECIMALS, 0);
    check_parse("-5", MONEY_ERR_RANGE, 0);
    check_parse("\xe2\x88\x92"
                "5",
                MONEY_ERR_RANGE, 0);
    check_parse("99999999999999999999", MONEY_ERR_RANGE, 0);
    check_parse("10000000000000", MONEY_OK, INT64_C(1000000000000000));
    check_parse("10000000000000,01", MONEY_ERR_RANGE, 0);
}

TEST(money_format_then_parse_round_trips)
{
    srand(99);
    for (int i = 0; i < 20000; i++) {
        int64_t ore = ((int64_t)rand() * rand()) % MONEY_MAX_ORE;
        char out[64];
        money_format(ore, MONEY_STYLE_SV, out, sizeof(out));
        int64_t back = -1;
        enum money_error e = money_parse(out, &back);
        if (e != MONEY_OK || back != ore) {
            test_fail(__FILE__, __LINE__, "%lld -> \"%s\" -> %s %lld", (long long)ore, out,
                      money_error_code(e), (long long)back);
            return;
        }
    }
}

static void
check_phone(const char *in, enum phone_error want, const char *e164, enum phone_kind kind,
            const char *national)
{
    struct phone p;
    enum phone_error e = phone_parse(in, &p);
    CHECK_MSG(e == want, "\"%s\": expected %s, got %s", in, phone_error_code(want),
              phone_error_code(e));
    if (want != PHONE_OK || e != PHONE_OK)
        return;
    CHECK_STR(e164, p.e164);
    CHECK_MSG(p.kind == kind, "\"%s\": expected %s, got %s", in, phone_kind_code(kind),
              phone_kind_code(p.kind));
    char out[24];
    phone_format_national(&p, out, sizeof(out));
    CHECK_STR(national, out);
}

TEST(phone_accepts_the_ways_people_write_numbers)
{
    const char *mobile_forms[] = { "070-123 45 67",       "0701234567",    "+46 70 123 45 67",
                                   "+46 (0)70-123 45 67", "0046701234567", "+460701234567",
                                   "070.123.45.67",       "(070) 1234567", "070/123 45 67" };
    for (size_t i = 0; i < sizeof(mobile_forms) / sizeof(mobile_forms[0]); i++)
        check_phone(mobile_forms[i], PHONE_OK, "+46701234567", PHONE_KIND_MOBILE, "070-123 45 67");
    check_phone("08-123 456 78", PHONE_OK, "+46812345678", PHONE_KIND_LANDLINE, "08-123 456 78");
    check_phone("(08) 12 34 56", PHONE_OK, "+468123456", PHONE_KIND_LANDLINE, "08-12 34 56");
    check_phone("031-123 45 67", PHONE_OK, "+46311234567", PHONE_KIND_LANDLINE, "031-123 45 67");
    check_phone("0980-123 45", PHONE_OK, "+4698012345", PHONE_KIND_LANDLINE, "0980-123 45");
    check_phone("0761234567", PHONE_OK, "+46761234567", PHONE_KIND_MOBILE, "076-123 45 67");
    check_phone("020-123 456", PHONE_OK, "+4620123456", PHONE_KIND_SERVICE, "020-12 34 56");
    check_phone("0771-12 34 56", PHONE_OK, "+46771123456", PHONE_KIND_SERVICE, "0771-12 34 56");
}

TEST(phone_refuses_with_a_reason)
{
    check_phone("", PHONE_ERR_EMPTY, NULL, 0, NULL);
    check_phone("070-123 45 6x", PHONE_ERR_CHARACTERS, NULL, 0, NULL);
    check_phone("+4570123456", PHONE_ERR_COUNTRY, NULL, 0, NULL);
    check_phone("004570123456", PHONE_ERR_COUNTRY, NULL, 0, NULL);
    check_phone("1234567", PHONE_ERR_PREFIX, NULL, 0, NULL);
    check_phone("0711234567", PHONE_ERR_PREFIX, NULL, 0, NULL);
    check_phone("00701234567", PHONE_ERR_COUNTRY, NULL, 0, NULL);
    check_phone("070-123", PHONE_ERR_LENGTH, NULL, 0, NULL);
    check_phone("070123456789", PHONE_ERR_LENGTH, NULL, 0, NULL);
    check_phone("08-123", PHONE_ERR_LENGTH, NULL, 0, NULL);
    check_phone("+", PHONE_ERR_LENGTH, NULL, 0, NULL);
    check_phone("0900-123 45 67", PHONE_ERR_PREMIUM, NULL, 0, NULL);
    check_phone("0939-123456", PHONE_ERR_PREMIUM, NULL, 0, NULL);
    check_phone("0944-12345", PHONE_ERR_PREMIUM, NULL, 0, NULL);
    check_phone("+46+701234567", PHONE_ERR_CHARACTERS, NULL, 0, NULL);
    check_phone("12345678901234567890123456789012345", PHONE_ERR_LENGTH, NULL, 0, NULL);
}

int
main(void)
{
    RUN(money_formats_swedish_and_english);
    RUN(money_parses_what_people_type);
    RUN(money_format_then_parse_round_trips);
    RUN(phone_accepts_the_ways_people_write_numbers);
    RUN(phone_refuses_with_a_reason);
    return test_done();
}
