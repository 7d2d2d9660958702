/* The case taxonomy and the payment QR payload. */
#include "buf.h"
#include "json.h"
#include "luhn.h"
#include "payqr.h"
#include "taxonomy.h"
#include "test.h"
#include "units.h"

TEST(taxonomy_codes_are_unique_and_found)
{
    for (int dim = 0; dim < TAX_DIMENSION_COUNT; dim++) {
        size_t n = taxonomy_count((enum tax_dimension)dim);
        CHECK(n > 0);
        for (size_t i = 0; i < n; i++) {
            const struct tax_entry *e = taxonomy_entry((enum tax_dimension)dim, i);
            CHECK(e != NULL && e->code && e->name_sv && e->label);
            if (e == NULL)
                continue;
            CHECK_INT((long long)i, taxonomy_find((enum tax_dimension)dim, e->code));
            for (const char *p = e->code; *p; p++)
                CHECK_MSG((*p >= 'a' && *p <= 'z') || *p == '_', "code %s is not ASCII", e->code);
        }
        CHECK(taxonomy_entry((enum tax_dimension)dim, n) == NULL);
        CHECK_INT(-1, taxonomy_find((enum tax_dimension)dim, "no_such_code"));
    }
    CHECK_INT(18, taxonomy_count(TAX_DISTRICT));
    CHECK_INT(4, taxonomy_count(TAX_CLASS));
    CHECK_INT(CASE_TYPE_FAKTURAFRAGA, taxonomy_find(TAX_TYPE, "fakturafraga"));
    CHECK_STR("Fakturafråga", taxonomy_entry(TAX_TYPE, CASE_TYPE_FAKTURAFRAGA)->name_sv);
    CHECK_STR("Hässelby-Vällingby",
              taxonomy_entry(TAX_DISTRICT, DISTRICT_HASSELBY_VALLINGBY)->name_sv);
}

TEST(taxonomy_types_belong_to_main_categories)
{
    CHECK(taxonomy_type_allowed(CASE_MAIN_ALDREOMSORG, CASE_TYPE_HEMTJANST));
    CHECK(!taxonomy_type_allowed(CASE_MAIN_FORSKOLA, CASE_TYPE_HEMTJANST));
    CHECK(taxonomy_type_allowed(CASE_MAIN_FORSKOLA, CASE_TYPE_KOSTATUS));
    CHECK(taxonomy_type_allowed(CASE_MAIN_FARDTJANST, CASE_TYPE_FAKTURAFRAGA));
    CHECK(!taxonomy_type_allowed(CASE_MAIN_COUNT, CASE_TYPE_OVRIGT));
    for (int t = 0; t < CASE_TYPE_COUNT; t++) {
        bool any = false;
        for (int m = 0; m < CASE_MAIN_COUNT; m++)
            any = any || taxonomy_type_allowed((enum case_main)m, (enum case_type)t);
        CHECK_MSG(any, "type %s has no main category", taxonomy_entry(TAX_TYPE, (size_t)t)->code);
    }
}

static struct payqr_invoice
invoice(void)
{
    return (struct payqr_invoice){
        .payee_name = "Stockholms stad",
        .payee_orgnr = "212000-0142",
        .reference = "18108401345678778",
        .invoice_date = { 2026, 11, 1 },
        .has_invoice_date = true,
        .due_date = { 2026, 11, 30 },
        .amount_ore = 123450,
        .account_type = PAYQR_BANKGIRO,
        .account = "5050-1055",
    };
}

TEST(preschool_units_follow_the_kiosk_districts)
{
    const struct unit *u[64];
    size_t n = units_in_districts("bromma,kista", u, 64);
    CHECK(n > 2);
    bool ugglan = false, regnbagen = false;
    for (size_t i = 0; i < n; i++) {
        CHECK(strcmp(u[i]->district, "bromma") == 0 || strcmp(u[i]->district, "kista") == 0);
        ugglan = ugglan || strcmp(u[i]->name, "Förskolan Ugglan") == 0;
        regnbagen = regnbagen || strcmp(u[i]->name, "Förskolan Regnbågen") == 0;
    }
    CHECK(ugglan && regnbagen);
    CHECK(units_in_districts("brom", u, 64) == 0); /* whole codes only */
    CHECK(units_in_districts("", u, 64) == 0);
    CHECK(units_in_districts("bromma", u, 2) == 2); /* never more than asked for */
    CHECK(unit_find("Förskolan Ugglan") != NULL && unit_find("Förskolan X") == NULL);
    for (size_t i = 0; i < n; i++) /* every unit's district is a real one */
        CHECK(taxonomy_find(TAX_DISTRICT, u[i]->district) >= 0);
}

TEST(payqr_builds_the_usingqr_payload)
{
    struct payqr_invoice inv = invoice();
    struct buf b;
    buf_init(&b, 1024);
    CHECK_INT(PAYQR_OK, payqr_build(&inv, &b));
    CHECK_STR("{\"uqr\":1,\"tp\":1,\"nme\":\"Stockholms stad\",\"cc\":\"SE\","
              "\"cid\":\"212000-0142\",\"iref\":\"18108401345678778\",\"idt\":\"20261101\","
              "\"ddt\":\"20261130\",\"due\":1234.5,\"pt\":\"BG\",\"acc\":\"5050-1055\"}",
              buf_str(&b));

    /* A JSON parser reads it back to the same values, with no floating-point drift. */
    struct errbuf err;
    json_t *v = json_parse_capped(b.data, b.len, 4096, &err);
    CHECK(v != NULL);
    if (v != NULL) {
        CHECK_INT(123450, (long long)(json_number_value(json_object_get(v, "due")) * 100 + 0.5));
        CHECK_STR("18108401345678778", json_string_value(json_object_get(v, "iref")));
        json_decref(v);
    }
    buf_finish(&b);
}

TEST(payqr_keeps_the_payload_ascii)
{
    struct payqr_invoice inv = invoice();
    inv.payee_name = "Förskola \"Ängen\" \xf0\x9f\x98\x80";
    inv.amount_ore = 5000;
    inv.has_invoice_date = false;
    struct buf b;
    buf_init(&b, 1024);
    CHECK_INT(PAYQR_OK, payqr_build(&inv, &b));
    CHECK(strstr(buf_str(&b), "\"nme\":\"F\\u00f6rskola \\\"\\u00c4ngen\\\" \\ud83d\\ude00\"") !=
          NULL);
    CHECK(strstr(buf_str(&b), "\"due\":50,") != NULL);
    CHECK(strstr(buf_str(&b), "idt") == NULL);
    for (size_t i = 0; i < b.len; i++)
        CHECK((unsigned char)b.data[i] < 0x80);
    buf_reset(&b);
    inv.amount_ore = 5;
    CHECK_INT(PAYQR_OK, payqr_build(&inv, &b));
    CHECK(strstr(buf_str(&b), "\"due\":0.05,") != NULL);
    buf_finish(&b);
}

TEST(payqr_refuses_invalid_fields)
{
    struct buf b;
    buf_init(&b, 1024);
    struct payqr_invoice inv;
    inv = invoice(), inv.payee_name = "";
    CHECK_INT(PAYQR_ERR_NAME, payqr_build(&inv, &b));
    inv = invoice(), inv.payee_name = "bad \xff utf8";
    CHECK_INT(PAYQR_ERR_NAME, payqr_build(&inv, &b));
    inv = invoice(), inv.payee_orgnr = "212000-0143";
    CHECK_INT(PAYQR_ERR_ORGNR, payqr_build(&inv, &b));
    inv = invoice(), inv.reference = "18108401345678779";
    CHECK_INT(PAYQR_ERR_REFERENCE, payqr_build(&inv, &b));
    inv = invoice(), inv.due_date = (struct date){ 2026, 10, 1 };
    CHECK_INT(PAYQR_ERR_DATE, payqr_build(&inv, &b));
    inv = invoice(), inv.amount_ore = 0;
    CHECK_INT(PAYQR_ERR_AMOUNT, payqr_build(&inv, &b));
    inv = invoice(), inv.account = "5050-1056";
    CHECK_INT(PAYQR_ERR_ACCOUNT, payqr_build(&inv, &b));
    CHECK_INT(0, (long long)b.len);
    struct buf tiny;
    buf_init(&tiny, 40);
    inv = invoice();
    CHECK_INT(PAYQR_ERR_FULL, payqr_build(&inv, &tiny));
    CHECK_INT(0, (long long)tiny.len);
    buf_finish(&tiny);
    buf_finish(&b);
}

TEST(account_numbers_normalize)
{
    char out[12];
    CHECK(bankgiro_normalize("50501055", out));
    CHECK_STR("5050-1055", out);
    CHECK(bankgiro_normalize("5050-1055", out));
    CHECK(!bankgiro_normalize("505010551", out));
    CHECK(!bankgiro_normalize("505-10x5", out));
    /* A seven-digit bankgiro: make one with a right check digit. */
    char bg7[8] = "123456";
    bg7[6] = (char)('0' + luhn_check_digit(bg7, 6));
    bg7[7] = '\0';
    CHECK(bankgiro_normalize(bg7, out));
    CHECK_INT('-', out[3]);
    char pg[9] = "4711";
    pg[4] = (char)('0' + luhn_check_digit(pg, 4));
    pg[5] = '\0';
    CHECK(plusgiro_normalize(pg, out));
    CHECK_INT('-', out[4]);
    CHECK(orgnr_normalize("2120000142", out));
    CHECK_STR("212000-0142", out);
    CHECK(!orgnr_normalize("2110000142", out)); /* checksum */
    CHECK(!orgnr_normalize("19121212-1212", out));
}

int
main(void)
{
    RUN(taxonomy_codes_are_unique_and_found);
    RUN(taxonomy_types_belong_to_main_categories);
    RUN(payqr_builds_the_usingqr_payload);
    RUN(preschool_units_follow_the_kiosk_districts);
    RUN(payqr_keeps_the_payload_ascii);
    RUN(payqr_refuses_invalid_fields);
    RUN(account_numbers_normalize);
    return test_done();
}
