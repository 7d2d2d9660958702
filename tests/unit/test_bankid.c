/* BankID RP v6 wire format: requests, strict parsing, and the message for every state. */
#include <sodium.h>
#include <stdlib.h>

#include "bankid.h"
#include "client.h"
#include "flow.h"
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

static struct bankid_auth_response
order(const char *ref)
{
    struct bankid_auth_response a = { .auto_start_token = "x" };
    snprintf(a.order_ref, sizeof(a.order_ref), "%s", ref);
    snprintf(a.qr_start_token, sizeof(a.qr_start_token), "tok-%s", ref);
    snprintf(a.qr_start_secret, sizeof(a.qr_start_secret), "sec-%s", ref);
    return a;
}

static struct bankid_collect
status(enum bankid_state st, const char *hint)
{
    struct bankid_collect c = { .state = st };
    snprintf(c.hint_code, sizeof(c.hint_code), "%s", hint);
    return c;
}

TEST(flow_collects_every_two_seconds_and_completes)
{
    struct flow f;
    flow_init(&f);
    CHECK_STR("RFA1", f.message->rfa);
    char qr[160];
    CHECK(!flow_qr(&f, 0, qr, sizeof(qr)));
    CHECK_INT(FLOW_DO_AUTH, flow_next(&f, 0));
    CHECK_INT(FLOW_DO_NOTHING, flow_next(&f, 0)); /* one request at a time */
    struct bankid_auth_response a = order("o1");
    flow_on_auth(&f, &a, 1000);
    CHECK(flow_qr(&f, 3500, qr, sizeof(qr)));
    CHECK(strstr(qr, "bankid.tok-o1.2.") == qr);
    CHECK_INT(FLOW_DO_NOTHING, flow_next(&f, 2999));
    CHECK_INT(FLOW_DO_COLLECT, flow_next(&f, 3000));
    struct bankid_collect c = status(BANKID_PENDING, "userSign");
    flow_on_collect(&f, &c, 3100);
    CHECK_STR("RFA9", f.message->rfa);
    CHECK_INT(FLOW_DO_NOTHING, flow_next(&f, 5000));
    CHECK_INT(FLOW_DO_COLLECT, flow_next(&f, 5100));
    c = status(BANKID_COMPLETE, "");
    snprintf(c.user.personal_number, sizeof(c.user.personal_number), "191212121212");
    flow_on_collect(&f, &c, 5200);
    CHECK_INT(FLOW_COMPLETE, f.state);
    CHECK_STR("191212121212", f.user.personal_number);
    CHECK(!flow_qr(&f, 6000, qr, sizeof(qr)));
    CHECK_STR("", f.order.qr_start_secret); /* the secret is gone once it is of no use */
    flow_finish(&f);
    CHECK_STR("", f.user.personal_number);
}

TEST(flow_restarts_an_unscanned_order_a_bounded_number_of_times)
{
    struct flow f;
    flow_init(&f);
    int orders = 0;
    for (int64_t t = 0; f.state != FLOW_FAILED && t < 1000000; t += 500) {
        enum flow_action a = flow_next(&f, t);
        if (a == FLOW_DO_AUTH) {
            char ref[16];
            snprintf(ref, sizeof(ref), "o%d", ++orders);
            struct bankid_auth_response r = order(ref);
            flow_on_auth(&f, &r, t);
        } else if (a == FLOW_DO_COLLECT) {
            struct bankid_collect c = status(BANKID_FAILED, "startFailed");
            flow_on_collect(&f, &c, t);
        }
    }
    CHECK_INT(1 + FLOW_MAX_RESTARTS, orders);
    CHECK_STR("RFA17B", f.message->rfa);
}

TEST(flow_cancels_and_fails_cleanly)
{
    struct flow f;
    flow_init(&f);
    flow_cancel(&f); /* before anything was asked: nothing to cancel at the provider */
    CHECK_INT(FLOW_FAILED, f.state);
    CHECK_INT(FLOW_DO_NOTHING, flow_next(&f, 0));

    flow_init(&f);
    CHECK_INT(FLOW_DO_AUTH, flow_next(&f, 0));
    flow_cancel(&f); /* while the auth request is out: cancel the order it creates */
    struct bankid_auth_response a = order("o9");
    flow_on_auth(&f, &a, 10);
    CHECK_INT(FLOW_DO_CANCEL, flow_next(&f, 20));
    CHECK_STR("o9", f.order.order_ref);
    flow_on_cancelled(&f);
    CHECK_STR("RFA3", f.message->rfa);

    flow_init(&f);
    CHECK_INT(FLOW_DO_AUTH, flow_next(&f, 0));
    flow_on_error(&f, "alreadyInProgress");
    CHECK_INT(FLOW_FAILED, f.state);
    CHECK_STR("RFA4", f.message->rfa);
    flow_init(&f);
    CHECK_INT(FLOW_DO_AUTH, flow_next(&f, 0));
    flow_on_error(&f, NULL); /* unreachable */
    CHECK_STR("RFA5", f.message->rfa);
    flow_init(&f);
    flow_next(&f, 0);
    a = order("o2");
    flow_on_auth(&f, &a, 0);
    flow_next(&f, 2000);
    struct bankid_collect c = status(BANKID_FAILED, "userCancel");
    flow_on_collect(&f, &c, 2100);
    CHECK_INT(FLOW_FAILED, f.state);
    CHECK_STR("RFA6", f.message->rfa);
}

/* Demo identities are offered only when the provider is on this machine. The guard parses the
 * URL as curl will and checks the host, so no spelling of a remote host passes as loopback. */
TEST(demo_mode_needs_a_provider_on_a_loopback_host)
{
    static const struct {
        const char *url;
        bool loopback;
    } cases[] = {
        { "https://127.0.0.1:8443/rp/v6.0", true },
        { "https://127.0.0.1/rp/v6.0", true },
        { "https://127.0.0.1", true },
        { "https://127.255.3.4:1/", true },
        { "https://localhost:8443/rp/v6.0", true },
        { "https://localhost/", true },
        { "https://LOCALHOST:8443/", true }, /* names ignore case; curl resolves it itself */
        { "HTTPS://127.0.0.1/", true },
        { "https://[::1]:8443/rp/v6.0", true },
        { "https://[0:0:0:0:0:0:0:1]/", true }, /* curl writes it [::1] */
        /* Numbers that are 127.0.0.1 to curl too: it connects where it says. */
        { "https://0x7f000001/", true },
        { "https://2130706433/", true },
        { "https://127.1/", true },
        { "https://%31%32%37.0.0.1/", true },
        /* User info: the host is what follows the @. */
        { "https://127.0.0.1@192.0.2.1/rp/v6.0", false },
        { "https://127.0.0.1:8443@192.0.2.1/", false },
        { "https://localhost@192.0.2.1/", false },
        { "https://127.0.0.1%2f@192.0.2.1/", false },
        { "https://127.0.0.1:443\\@192.0.2.1/", false },
        { "https://[::1]@192.0.2.1/", false },
        { "https://user:pw@127.0.0.1/", false }, /* loopback, but no demo URL has user info */
        { "https://192.0.2.1\\@127.0.0.1/", false },
        /* Names that start like loopback. */
        { "https://127.0.0.1.nip.io/rp/v6.0", false },
        { "https://127.0.0.1.example.com:8443/", false },
        { "https://localhost.example.com/", false },
        { "https://localhost:8443.example.com/", false },
        { "https://localhostx/", false },
        { "https://x.localhost/", false },
        { "https://xn--localhost/", false },
        /* Trailing dots: not a literal address, and a name that goes to a resolver. */
        { "https://127.0.0.1./", false },
        { "https://localhost./", false },
        /* Numbers that look like 127 but are not (0127 is octal 87), or no address at all. */
        { "https://0127.0.0.1/", false },
        { "https://127.0.0.256/", false },
        { "https://1270.0.0.1/", false },
        { "https://128.0.0.1/", false },
        { "https://0.0.0.0/", false },
        { "https://192.0.2.1/", false },
        { "https://%31%39%32.0.2.1/", false },
        /* IPv6 that is not exactly ::1. */
        { "https://[::ffff:127.0.0.1]/", false },
        { "https://[::1%25eth0]/", false },
        { "https://[::2]/", false },
        { "https://[2001:db8::1]/", false },
        /* Not https, or not a URL curl would use. */
        { "http://127.0.0.1/", false },
        { "ftp://127.0.0.1/", false },
        { "https:127.0.0.1/", false },
        { "//127.0.0.1/", false },
        { "127.0.0.1", false },
        { "https://127.0.0.1 evil/", false },
        { "https://127.0.0.1\\evil/", false },
        { "", false },
        { NULL, false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = idp_url_is_loopback(cases[i].url);
        CHECK_MSG(got == cases[i].loopback, "%s: expected %s, got %s",
                  cases[i].url ? cases[i].url : "(null)",
                  cases[i].loopback ? "loopback" : "refused", got ? "loopback" : "refused");
    }
}

int
main(void)
{
    RUN(auth_request_carries_ip_and_visible_data);
    RUN(auth_response_needs_order_ref_and_qr_fields);
    RUN(every_hint_code_has_its_recommended_message);
    RUN(completion_gives_a_verified_identity_or_nothing);
    RUN(flow_collects_every_two_seconds_and_completes);
    RUN(flow_restarts_an_unscanned_order_a_bounded_number_of_times);
    RUN(flow_cancels_and_fails_cleanly);
    RUN(demo_mode_needs_a_provider_on_a_loopback_host);
    return test_done();
}
