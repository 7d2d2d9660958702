/* casestore's submission schema (sync/server/submission.c): what the kiosk sends passes and is
 * republished as it was; what a hostile device sends is rejected with a reason; the content
 * digest ignores seq and key order; records are checked as a kiosk checks a page. */
#include <jansson.h>
#include <stdlib.h>

#include "submission.h"
#include "test.h"
#include "xalloc.h"

#define NOW 1795353600 /* 2026-11-17 */

static json_t *
item_with(const char *payload, const char *by)
{
    char *text =
        xasprintf("{\"uuid\":\"0b7a6c1e-4f59-4d8a-9c63-2f1e0d9b7a55\",\"seq\":17,\"kind\":"
                  "\"application\",\"main\":\"forskola\",\"type\":\"forskoleplats\",\"class\":"
                  "\"ny_ansokan\",\"citizen\":\"cit-1042\",\"created_at\":1795353000,"
                  "\"payload\":%s,\"registered_by\":%s}",
                  payload, by);
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    free(text);
    return v;
}

/* What the kiosk sends (src/app/kiosk.c, kiosk_staff.c: kiosk_registered_by). */
static const char *const kiosk_bys[] = {
    "{\"by\":\"citizen\",\"identified_with\":\"bankid\"}",
    "{\"by\":\"citizen\",\"identified_with\":\"none\"}",
    "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\",\"site\":\"bromma-mbk\","
    "\"staff_id\":\"staff-17\"}",
    "{\"by\":\"ombud\",\"corrects\":\"9f1c2d3e-4f59-4d8a-9c63-2f1e0d9b7a55\",\"document_last4\":"
    "\"AB12\",\"document_type\":\"passport\",\"identity_established_by\":\"document\",\"site\":"
    "\"bromma-mbk\",\"staff_id\":\"staff-17\"}",
};

TEST(what_the_kiosk_sends_passes_and_is_republished_as_it_was)
{
    for (size_t i = 0; i < sizeof(kiosk_bys) / sizeof(kiosk_bys[0]); i++) {
        json_t *it = item_with("{\"child_pnr\":\"202304121234\",\"units\":[\"Förskolan Ugglan\","
                               "\"Förskolan Näktergalen\"],\"start_date\":\"2027-06-01\","
                               "\"hours\":\"40\",\"n\":3}",
                               kiosk_bys[i]);
        json_t *payload = NULL, *by = NULL;
        struct errbuf err = { "" };
        CHECK_MSG(submission_validate(it, "bromma-mbk", &payload, &by, &err), "%zu: %s", i,
                  err.msg);
        json_t *want = json_loads(kiosk_bys[i], 0, NULL);
        CHECK_MSG(json_equal(want, by), "%zu: registered_by rebuilt as sent", i);
        CHECK(json_equal(json_object_get(it, "payload"), payload));
        CHECK_MSG(submission_city_rules(it, payload, NOW, &err), "%zu: %s", i, err.msg);
        json_decref(want);
        json_decref(payload);
        json_decref(by);
        json_decref(it);
    }
}

TEST(an_ombud_without_a_site_gets_the_devices)
{
    json_t *it = item_with("{}", "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\","
                                 "\"staff_id\":\"staff-17\"}");
    json_t *payload = NULL, *by = NULL;
    struct errbuf err;
    CHECK(submission_validate(it, "bromma-mbk", &payload, &by, &err));
    CHECK_STR("bromma-mbk", json_string_value(json_object_get(by, "site")));
    json_decref(payload);
    json_decref(by);
    json_decref(it);
}

static const struct {
    const char *payload, *by, *reason;
} hostile[] = {
    { "{}", "{\"by\":\"citizen\",\"x\":{\"by\":\"citizen\"}}", "registered_by" },
    { "{}", "{\"by\":\"citizen\",\"identified_with\":\"bankid\",\"extra\":\"1\"}",
      "registered_by" },
    { "{}", "{\"by\":\"robot\"}", "registered_by.by" },
    { "{}", "[]", "registered_by" },
    { "{}", "{\"by\":\"citizen\",\"identified_with\":\"magic\"}", "identified_with" },
    { "{}", "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\"}", "staff_id" },
    { "{}", "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\",\"staff_id\":\"a b\"}",
      "staff_id" },
    { "{}", "{\"by\":\"ombud\",\"identity_established_by\":\"document\",\"staff_id\":\"s\"}",
      "document" },
    { "{}",
      "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\",\"staff_id\":\"s\","
      "\"document_type\":\"passport\",\"document_last4\":\"AB12\"}",
      "document" },
    { "{}",
      "{\"by\":\"ombud\",\"identity_established_by\":\"document\",\"staff_id\":\"s\","
      "\"document_type\":\"library_card\",\"document_last4\":\"AB12\"}",
      "document_type" },
    { "{}",
      "{\"by\":\"ombud\",\"identity_established_by\":\"document\",\"staff_id\":\"s\","
      "\"document_type\":\"passport\",\"document_last4\":\"ab1\"}",
      "document_last4" },
    { "{}",
      "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\",\"staff_id\":\"s\","
      "\"site\":\"kista-mbk\"}",
      "site" },
    { "{}",
      "{\"by\":\"ombud\",\"identity_established_by\":\"bankid\",\"staff_id\":\"s\","
      "\"corrects\":\"not-a-uuid\"}",
      "corrects" },
    { "{\"text\":{\"a\":\"b\"}}", "{\"by\":\"citizen\"}", "payload" },
    { "{\"list\":[[\"a\"]]}", "{\"by\":\"citizen\"}", "payload" },
    { "{\"list\":[1]}", "{\"by\":\"citizen\"}", "payload" },
    { "{\"Bad Key\":\"x\"}", "{\"by\":\"citizen\"}", "payload" },
    { "{\"flag\":true}", "{\"by\":\"citizen\"}", "payload" },
    { "{\"text\":\"a\\u0001b\"}", "{\"by\":\"citizen\"}", "payload" },
    { "[]", "{\"by\":\"citizen\"}", "payload" },
};

TEST(what_a_hostile_device_sends_is_rejected_with_a_reason)
{
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        json_t *it = item_with(hostile[i].payload, hostile[i].by);
        CHECK_MSG(it != NULL, "%zu: the fixture parses", i);
        json_t *payload = NULL, *by = NULL;
        struct errbuf err = { "" };
        bool ok = submission_validate(it, "bromma-mbk", &payload, &by, &err);
        CHECK_MSG(!ok, "%zu: accepted", i);
        CHECK_MSG(strstr(err.msg, hostile[i].reason) != NULL, "%zu: reason \"%s\" lacks \"%s\"", i,
                  err.msg, hostile[i].reason);
        CHECK(payload == NULL && by == NULL);
        json_decref(it);
    }
}

TEST(lengths_are_capped_in_characters)
{
    /* 2000 characters of "ö" (4000 bytes) pass; 2001 do not. */
    char *text = malloc(2001 * 2 + 32);
    for (int n = 2000; n <= 2001; n++) {
        strcpy(text, "{\"text\":\"");
        for (int i = 0; i < n; i++)
            strcat(text, "ö");
        strcat(text, "\"}");
        json_t *it = item_with(text, "{\"by\":\"citizen\"}");
        json_t *payload = NULL, *by = NULL;
        struct errbuf err;
        CHECK_INT(n == 2000, submission_validate(it, NULL, &payload, &by, &err));
        json_decref(payload);
        json_decref(by);
        json_decref(it);
    }
    free(text);
}

TEST(the_city_rule_rejects_a_preschool_start_too_soon)
{
    json_t *it = item_with("{\"start_date\":\"2026-12-01\"}", "{\"by\":\"citizen\"}");
    struct errbuf err;
    CHECK(!submission_city_rules(it, json_object_get(it, "payload"), NOW, &err));
    CHECK(strstr(err.msg, "three months") != NULL);
    json_decref(it);
}

TEST(the_digest_ignores_seq_and_key_order_but_not_content)
{
    json_t *a = item_with("{\"a\":\"1\",\"b\":\"2\"}", "{\"by\":\"citizen\"}");
    json_t *b = item_with("{\"b\":\"2\",\"a\":\"1\"}", "{\"by\":\"citizen\"}");
    json_t *c = item_with("{\"a\":\"1\",\"b\":\"3\"}", "{\"by\":\"citizen\"}");
    json_object_set_new(b, "seq", json_integer(99));
    char da[SUBMISSION_DIGEST_HEX], db[SUBMISSION_DIGEST_HEX], dc[SUBMISSION_DIGEST_HEX];
    CHECK(submission_digest(a, da) && submission_digest(b, db) && submission_digest(c, dc));
    CHECK_STR(da, db);
    CHECK(strcmp(da, dc) != 0);
    CHECK_INT(64, strlen(da));
    CHECK_INT(17, json_integer_value(json_object_get(a, "seq"))); /* the item is untouched */
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static const struct {
    const char *kind, *citizen, *parent, *fields;
    bool ok;
} records[] = {
    { "case", "cit-1", NULL,
      "{\"case_number\":\"K-1\",\"main\":\"m\",\"type\":\"t\",\"class\":\"c\",\"status\":\"s\","
      "\"updated_at\":5,\"registered_by\":{\"by\":\"citizen\",\"identified_with\":\"bankid\"}}",
      true },
    { "case", "cit-1", NULL,
      "{\"case_number\":\"K-1\",\"main\":\"m\",\"type\":\"t\",\"class\":\"c\",\"status\":\"s\","
      "\"registered_by\":{\"by\":\"citizen\",\"x\":{}}}",
      false },
    { "case", "cit-1", NULL, "{\"main\":\"m\",\"type\":\"t\",\"class\":\"c\",\"status\":\"s\"}",
      false },
    { "case", "cit-1", NULL,
      "{\"case_number\":\"K-1\",\"main\":\"m\",\"type\":\"t\",\"class\":\"c\",\"status\":\"s\","
      "\"updated_at\":\"5\"}",
      false },
    { "case", NULL, NULL,
      "{\"case_number\":\"K-1\",\"main\":\"m\",\"type\":\"t\",\"class\":\"c\",\"status\":\"s\"}",
      false },
    { "case_event", "cit-1", NULL, "{\"at\":1,\"status\":\"s\"}", false },
    { "case_event", "cit-1", "case-1", "{\"at\":1,\"status\":\"s\"}", true },
    { "article", NULL, NULL,
      "{\"area\":\"a\",\"lang\":\"sv\",\"title\":\"t\",\"body\":\"b\",\"extra\":[1]}", false },
    { "article", NULL, NULL,
      "{\"area\":\"a\",\"lang\":\"sv\",\"title\":\"t\",\"body\":\"b\",\"extra\":\"x\"}", true },
    { "spaceship", NULL, NULL, "{}", false },
};

TEST(records_are_checked_as_a_kiosk_checks_a_page)
{
    for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
        json_t *f = json_loads(records[i].fields, 0, NULL);
        struct errbuf err = { "" };
        bool ok = submission_record_check(records[i].kind, "id-1", records[i].citizen,
                                          records[i].parent, f, &err);
        CHECK_MSG(ok == records[i].ok, "%zu: expected %s, got %s (%s)", i,
                  records[i].ok ? "publishable" : "refused", ok ? "publishable" : "refused",
                  err.msg);
        json_decref(f);
    }
    /* A text over the 64 KiB a kiosk takes. */
    size_t n = SUBMISSION_WIRE_TEXT_MAX + 1;
    char *body = malloc(n + 1);
    memset(body, 'x', n);
    body[n] = '\0';
    json_t *f =
        json_pack("{s:s, s:s, s:s, s:s}", "area", "a", "lang", "sv", "title", "t", "body", body);
    struct errbuf err;
    CHECK(!submission_record_check("article", "a-1", NULL, NULL, f, &err));
    json_decref(f);
    free(body);
}

int
main(void)
{
    RUN(what_the_kiosk_sends_passes_and_is_republished_as_it_was);
    RUN(an_ombud_without_a_site_gets_the_devices);
    RUN(what_a_hostile_device_sends_is_rejected_with_a_reason);
    RUN(lengths_are_capped_in_characters);
    RUN(the_city_rule_rejects_a_preschool_start_too_soon);
    RUN(the_digest_ignores_seq_and_key_order_but_not_content);
    RUN(records_are_checked_as_a_kiosk_checks_a_page);
    return test_done();
}
