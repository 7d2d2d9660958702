/* BankID RP v6 wire format: requests, strict parsing, and the message for every state. */
#include <sodium.h>
#include <stdlib.h>

#include "bankid.h"
#include "test.h"

static bool
collect(const char *body, struct bankid_collect *c)
{
    struct errbuf err;
    return bankid_parse_collect(body, strlen(body), c, &err);
}

TEST(auth_request_carries_ip_and_visible_data)
{
    CHECK(sodium_init() >= 0);
    char *s = bankid_auth_request("192.0.2.10", "Bromma medborgarkontor");
    CHECK(strstr(s, "\"endUserIp\":\"192.0.2.10\"") != NULL);
    CHECK(strstr(s, "\"userVisibleData\":\"QnJvbW1hIG1lZGJvcmdhcmtvbnRvcg==\"") != NULL);
    CHECK(strstr(s, "\"userVisibleDataFormat\":\"simpleMarkdownV1\"") != NULL);
    free(s);
    s = bankid_order_request("131daac9-16c6-4618-beb0-365768f37288");
    CHECK_STR("{\"orderRef\":\"131daac9-16c6-4618-beb0-365768f37288\"}", s);
    free(s);
}

TEST(auth_response_needs_order_ref_and_qr_fields)
{
    struct bankid_auth_response a;
    struct errbuf err;
    const char ok[] = "{\"orderRef\":\"o1\",\"autoStartToken\":\"a\",\"qrStartToken\":\"t\","
                      "\"qrStartSecret\":\"s\"}";
    CHECK(bankid_parse_auth(ok, strlen(ok), &a, &err));
    CHECK_STR("o1", a.order_ref);
    CHECK_STR("s", a.qr_start_secret);
    const char bad[] = "{\"orderRef\":\"o1\",\"qrStartToken\":\"t\"}";
    CHECK(!bankid_parse_auth(bad, strlen(bad), &a, &err));
    CHECK_STR("qrStartSecret: missing", err.msg);
    CHECK(!bankid_parse_auth("{\"orderRef\":", 12, &a, &err));
}

TEST(every_hint_code_has_its_recommended_message)
{
    static const struct {
        const char *body, *rfa;
    } rows[] = {
        { "{\"status\":\"pending\",\"hintCode\":\"outstandingTransaction\"}", "RFA1" },
        { "{\"status\":\"pending\",\"hintCode\":\"noClient\"}", "RFA1" },
        { "{\"status\":\"pending\",\"hintCode\":\"started\"}", "RFA15" },
        { "{\"status\":\"pending\",\"hintCode\":\"userSign\"}", "RFA9" },
        { "{\"status\":\"pending\",\"hintCode\":\"userMrtd\"}", "RFA23" },
        { "{\"status\":\"pending\",\"hintCode\":\"userCallConfirm\"}", "RFA21" },
        { "{\"status\":\"pending\",\"hintCode\":\"somethingNew\"}", "RFA21" },
        { "{\"status\":\"failed\",\"hintCode\":\"expiredTransaction\"}", "RFA8" },
        { "{\"status\":\"failed\",\"hintCode\":\"certificateErr\"}", "RFA16" },
        { "{\"status\":\"failed\",\"hintCode\":\"userCancel\"}", "RFA6" },
        { "{\"status\":\"failed\",\"hintCode\":\"cancelled\"}", "RFA3" },
        { "{\"status\":\"failed\",\"hintCode\":\"startFailed\"}", "RFA17B" },
        { "{\"status\":\"failed\",\"hintCode\":\"userDeclinedCall\"}", "RFA6" },
        { "{\"status\":\"failed\",\"hintCode\":\"notSupportedByUserApp\"}", "RFA22" },
        { "{\"status\":\"failed\",\"hintCode\":\"transactionRiskBlocked\"}", "RFA22" },
        { "{\"status\":\"failed\",\"hintCode\":\"somethingNew\"}", "RFA22" },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct bankid_collect c;
        CHECK_MSG(collect(rows[i].body, &c), "parse %s", rows[i].body);
        CHECK_STR(rows[i].rfa, bankid_message_for(&c)->rfa);
        CHECK(strlen(bankid_message_for(&c)->sv) > 0 && strlen(bankid_message_for(&c)->msgid) > 0);
    }
    CHECK_STR("RFA4", bankid_message_for_error("alreadyInProgress")->rfa);
    CHECK_STR("RFA3", bankid_message_for_error("canceled")->rfa);
    CHECK_STR("RFA5", bankid_message_for_error("maintenance")->rfa);
    CHECK_STR("RFA5", bankid_message_for_error("tooManyRequests")->rfa);
    CHECK_STR("RFA5", bankid_message_for_error(NULL)->rfa);
    CHECK(bankid_restart_on("startFailed"));
    CHECK(!bankid_restart_on("userCancel"));
}

TEST(completion_gives_a_verified_identity_or_nothing)
{
    struct bankid_collect c;
    CHECK(collect("{\"orderRef\":\"o\",\"status\":\"complete\",\"completionData\":{\"user\":{"
                  "\"personalNumber\":\"191212121212\",\"name\":\"Tolvan Tolvansson\","
                  "\"givenName\":\"Tolvan\",\"surname\":\"Tolvansson\"},\"device\":{"
                  "\"ipAddress\":\"192.0.2.10\"},\"bankIdIssueDate\":\"2020-02-01\"}}",
                  &c));
    CHECK_INT(BANKID_COMPLETE, c.state);
    CHECK_STR("191212121212", c.user.personal_number);
    CHECK_STR("Tolvan", c.user.given_name);
    CHECK(!collect("{\"status\":\"complete\",\"completionData\":{\"user\":{\"personalNumber\":"
                   "\"1912121212\",\"givenName\":\"T\",\"surname\":\"T\"}}}",
                   &c));
    CHECK_STR("", c.user.personal_number);
    CHECK(!collect("{\"status\":\"complete\"}", &c));
    CHECK(!collect("{\"status\":\"done\"}", &c));
    CHECK(!collect("{\"hintCode\":\"started\"}", &c));
    CHECK(!collect("not json", &c));
}

int
main(void)
{
    RUN(auth_request_carries_ip_and_visible_data);
    RUN(auth_response_needs_order_ref_and_qr_fields);
    RUN(every_hint_code_has_its_recommended_message);
    RUN(completion_gives_a_verified_identity_or_nothing);
    return test_done();
}
