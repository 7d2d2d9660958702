/* The sans-IO sync core and HTTP message signatures: bytes in, decisions out. */
#include <sodium.h>
#include <stdlib.h>

#include "buf.h"
#include "httpsig.h"
#include "protocol.h"
#include "test.h"
#include "usage_names.h"
#include "xalloc.h"

static bool
parse(const char *body, struct proto_page *page, struct errbuf *err)
{
    return proto_pull_parse(body, strlen(body), page, err);
}

#define PAGE(changes)                                                                \
    "{\"cursor\":\"c1.5\",\"position\":5,\"head\":9,\"more\":false,\"reset\":false," \
    "\"server_time\":1795353600,\"changes\":[" changes "]}"

TEST(pull_page_with_every_kind_of_change_parses)
{
    struct proto_page p;
    struct errbuf err = { "" };
    CHECK_MSG(parse(PAGE("{\"kind\":\"citizen\",\"id\":\"c1\",\"op\":\"upsert\",\"fields\":"
                         "{\"pnr\":\"191212121212\",\"given_name\":\"Tolvan\",\"extra\":1}},"
                         "{\"kind\":\"case_event\",\"id\":\"e1\",\"citizen\":\"c1\",\"parent\":"
                         "\"k1\",\"op\":\"upsert\",\"fields\":{\"at\":1795000000,\"status\":"
                         "\"inkommen\"}},"
                         "{\"kind\":\"invoice\",\"id\":\"i9\",\"op\":\"delete\"}"),
                    &p, &err),
              "%s", err.msg);
    CHECK_INT(3, p.n);
    CHECK_INT(5, p.position);
    CHECK_INT(9, p.head);
    CHECK_STR("c1.5", p.cursor);
    CHECK_INT(STORE_KIND_CITIZEN, p.changes[0].kind);
    CHECK_STR("Tolvan",
              p.changes[0].values[store_field_index(STORE_KIND_CITIZEN, "given_name")].text);
    CHECK(!p.changes[0].values[store_field_index(STORE_KIND_CITIZEN, "surname")].set);
    CHECK_INT(1795000000, p.changes[1].values[store_field_index(STORE_KIND_CASE_EVENT, "at")].num);
    CHECK_STR("k1", p.changes[1].parent);
    CHECK(p.changes[2].tombstone);
    proto_page_finish(&p);

    CHECK(parse("{\"reset\":true,\"server_time\":1}", &p, &err));
    CHECK(p.reset);
    proto_page_finish(&p);
}

/* The quick reader and jansson's path read a page alike, member by member. */
static void
check_same_reading(const struct proto_page *a, const struct proto_page *b)
{
    CHECK_INT(b->n, a->n);
    CHECK(a->reset == b->reset && a->more == b->more);
    CHECK_INT(b->position, a->position);
    CHECK_INT(b->head, a->head);
    CHECK_INT(b->server_time, a->server_time);
    CHECK_STR(b->cursor ? b->cursor : "(none)", a->cursor ? a->cursor : "(none)");
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        const struct store_change *x = &a->changes[i], *y = &b->changes[i];
        CHECK_INT(y->kind, x->kind);
        CHECK(x->tombstone == y->tombstone);
        CHECK_STR(y->id, x->id);
        CHECK_STR(y->citizen ? y->citizen : "(none)", x->citizen ? x->citizen : "(none)");
        CHECK_STR(y->parent ? y->parent : "(none)", x->parent ? x->parent : "(none)");
        for (size_t f = 0; f < STORE_MAX_FIELDS; f++) {
            CHECK(x->values[f].set == y->values[f].set);
            if (y->values[f].text != NULL)
                CHECK_STR(y->values[f].text, x->values[f].text ? x->values[f].text : "(none)");
            CHECK_INT(y->values[f].num, x->values[f].num);
        }
    }
}

TEST(quick_reader_reads_a_page_as_jansson_does_and_gives_up_on_anything_else)
{
    /* Escapes of every kind, a surrogate pair, raw UTF-8, whitespace, members in another order,
     * an unknown member with an object in it, a null head, nulls for unset fields. */
    static const char page[] =
        " {\"server_time\" : 1795353600, \"reset\":false, \"head\":null, "
        "\"x\":{\"y\":[1,\"z\",{}]},"
        "\"changes\":[{\"kind\":\"citizen\",\"id\":\"c\\u0031\",\"op\":\"upsert\",\"fields\":"
        "{\"pnr\":\"191212121212\",\"given_name\":\"\\u00c5sa \\ud83d\\ude00\\n\\\"\\\\\\/\","
        "\"surname\":\"Öberg\",\"phone\":null,\"extra\":{\"a\":[true,false,null,-0]}}},"
        "{\"kind\":\"case_event\",\"id\":\"e1\",\"citizen\":\"c1\",\"parent\":\"k1\",\"op\":"
        "\"upsert\",\"fields\":{\"at\":-9223372036854775808,\"status\":\"inkommen\"}},"
        "{\"kind\":\"invoice\",\"id\":\"i9\",\"op\":\"delete\",\"citizen\":\"c1\"}],"
        "\"more\":true,\"position\":7,\"cursor\":\"c1.7\"}\n";
    struct proto_page quick, slow;
    struct errbuf err = { "" };
    CHECK(proto_pull_parse_quick(page, strlen(page), &quick));
    CHECK_MSG(proto_pull_parse_json(page, strlen(page), &slow, &err), "%s", err.msg);
    check_same_reading(&quick, &slow);
    CHECK_STR("Åsa 😀\n\"\\/",
              quick.changes[0].values[store_field_index(STORE_KIND_CITIZEN, "given_name")].text);
    proto_page_finish(&quick);
    proto_page_finish(&slow);

    /* What it leaves to jansson's path: a page to refuse or with a change to set aside, and
     * what it does not read itself. proto_pull_parse still decides each as before. */
    static const char *const others[] = {
        PAGE("{\"kind\":\"invoice\",\"id\":\"i\",\"op\":\"delete\",\"id\":\"j\"}"), /* twice */
        PAGE("{\"kind\":\"article\",\"id\":\"a\\u0000\",\"op\":\"delete\"}"),
        PAGE("{\"kind\":\"case_event\",\"id\":\"e\",\"citizen\":\"c\",\"parent\":\"k\",\"op\":"
             "\"upsert\",\"fields\":{\"at\":1.5,\"status\":\"x\"}}"),
        PAGE("{\"kind\":\"unit\",\"op\":\"upsert\",\"id\":\"u\",\"fields\":{\"name\":\"n\"}}"),
        PAGE("{\"fields\":{},\"kind\":\"invoice\",\"id\":\"i\",\"op\":\"delete\"}"),
        PAGE("{\"kind\":\"spaceship\",\"id\":\"s\",\"op\":\"delete\"}"),
        PAGE("{\"kind\":\"invoice\",\"id\":\"\\ud800\",\"op\":\"delete\"}"),
        PAGE("{\"kind\":\"invoice\",\"id\":\"i\",\"op\":\"delete\"},"),
        "{\"cursor\":\"c\",\"position\":1,\"more\":false,\"server_time\":1,\"changes\":[]} x",
        "{\"cursor\":\"c\",\"position\":-1,\"more\":false,\"server_time\":1,\"changes\":[]}",
        "[]",
    };
    for (size_t i = 0; i < ARRAY_LEN(others); i++) {
        CHECK_MSG(!proto_pull_parse_quick(others[i], strlen(others[i]), &quick), "took %s",
                  others[i]);
        struct errbuf e1 = { "" }, e2 = { "" };
        bool a = proto_pull_parse(others[i], strlen(others[i]), &quick, &e1);
        bool b = proto_pull_parse_json(others[i], strlen(others[i]), &slow, &e2);
        CHECK_MSG(a == b, "%s", others[i]);
        CHECK_STR(e2.msg, e1.msg);
        if (a && b) {
            CHECK_INT(slow.set_aside, quick.set_aside);
            check_same_reading(&quick, &slow);
            proto_page_finish(&quick);
            proto_page_finish(&slow);
        }
    }
}

static void
expect_refused(const char *body, const char *want_in_message)
{
    struct proto_page p;
    struct errbuf err = { "" };
    bool ok = parse(body, &p, &err);
    CHECK_MSG(!ok, "accepted: %s", body);
    if (!ok)
        CHECK_MSG(strstr(err.msg, want_in_message) != NULL, "message \"%s\" lacks \"%s\"", err.msg,
                  want_in_message);
    else
        proto_page_finish(&p);
}

TEST(pull_page_refuses_every_malformed_shape)
{
    expect_refused("", "malformed JSON");
    expect_refused("{\"cursor\":\"c1.5\",\"position\":5,", "malformed JSON"); /* truncated */
    /* Cut inside a value: the message says where, not what. */
    struct proto_page p;
    struct errbuf err = { "" };
    CHECK(!parse("{\"changes\":[{\"fields\":{\"address\":\"Drottninghol", &p, &err));
    CHECK_MSG(strstr(err.msg, "column") != NULL && strstr(err.msg, "Drottning") == NULL, "%s",
              err.msg);
    expect_refused("[]", "not a JSON object");
    expect_refused("{\"cursor\":\"x\",\"position\":5,\"more\":false}", "server_time");
    expect_refused("{\"cursor\":\"c\",\"position\":-1,\"more\":false,\"server_time\":1,"
                   "\"changes\":[]}",
                   "position");
    expect_refused("{\"cursor\":7,\"position\":1,\"more\":false,\"server_time\":1,"
                   "\"changes\":[]}",
                   "cursor: expected a string");
    expect_refused("{\"cursor\":\"c\",\"position\":1,\"server_time\":1,\"changes\":[]}",
                   "more: missing");
    expect_refused("{\"cursor\":\"c\",\"position\":1,\"more\":false,\"server_time\":1,"
                   "\"changes\":{}}",
                   "changes: expected an array");
    expect_refused("{\"cursor\":\"c\",\"position\":1,\"more\":false,\"server_time\":1}",
                   "changes: expected an array");
    /* More than a page may hold. */
    struct buf b;
    buf_init(&b, 1 << 20);
    CHECK(buf_append_str(&b, "{\"cursor\":\"c\",\"position\":1,\"more\":false,\"server_time\":1,"
                             "\"changes\":["));
    for (int i = 0; i <= PROTO_MAX_PAGE; i++)
        CHECK(buf_printf(&b, "%s{\"kind\":\"unit\",\"id\":\"u%d\",\"op\":\"delete\"}", i ? "," : "",
                         i));
    CHECK(buf_append_str(&b, "]}"));
    expect_refused(buf_str(&b), "at most 1000");
    buf_finish(&b);
}

/* One bad change among good ones: the page parses, the bad one is marked set aside with a
 * reason naming its position and the member, the good ones are as they came. */
static void
expect_set_aside(const char *bad, const char *want_reason, const char *want_kind,
                 const char *want_id)
{
    char *body = xasprintf(PAGE("{\"kind\":\"unit\",\"id\":\"u1\",\"op\":\"delete\"},%s,"
                                "{\"kind\":\"invoice\",\"id\":\"i9\",\"op\":\"delete\"}"),
                           bad);
    struct proto_page p;
    struct errbuf err = { "" };
    bool ok = parse(body, &p, &err);
    CHECK_MSG(ok, "page refused for one bad change (%s): %s", bad, err.msg);
    if (ok) {
        CHECK_INT(3, p.n);
        CHECK_INT(1, p.set_aside);
        CHECK(p.changes[0].set_aside == NULL && p.changes[0].tombstone);
        CHECK(p.changes[2].set_aside == NULL && p.changes[2].tombstone);
        CHECK_STR("i9", p.changes[2].id);
        const char *r = p.changes[1].set_aside;
        CHECK_MSG(r != NULL && strstr(r, want_reason) != NULL && strncmp(r, "change 1: ", 10) == 0,
                  "reason \"%s\" lacks \"%s\"", r ? r : "(none)", want_reason);
        const char *kind = p.changes[1].kind_name != NULL ? p.changes[1].kind_name
                                                          : store_kind(p.changes[1].kind)->name;
        CHECK_STR(want_kind, kind);
        if (want_id != NULL)
            CHECK_STR(want_id, p.changes[1].id ? p.changes[1].id : "(null)");
        else
            CHECK(p.changes[1].id == NULL);
        /* Reasons name fields, never values. */
        CHECK_MSG(r == NULL || (strstr(r, "Tolvan") == NULL && strstr(r, "1912") == NULL),
                  "a value in the reason: %s", r);
        proto_page_finish(&p);
    }
    free(body);
}

TEST(pull_page_sets_aside_one_bad_change_and_keeps_the_rest)
{
    /* A delete of a kind nobody here knows is not a problem: it only clears the entry. */
    struct proto_page p;
    struct errbuf err = { "" };
    CHECK(parse(PAGE("{\"kind\":\"spaceship\",\"id\":\"x\",\"op\":\"delete\"}"), &p, &err));
    CHECK_INT(0, p.set_aside);
    CHECK(p.n == 1 && p.changes[0].tombstone && p.changes[0].set_aside == NULL);
    CHECK_STR("spaceship", p.n == 1 ? p.changes[0].kind_name : "");
    proto_page_finish(&p);

    expect_set_aside("{\"kind\":\"spaceship\",\"id\":\"x\",\"op\":\"upsert\",\"fields\":{}}",
                     "unknown kind", "spaceship", "x");
    expect_set_aside("{\"kind\":\"citizen\",\"id\":\"c1\",\"op\":\"upsert\",\"fields\":"
                     "{\"given_name\":\"Tolvan\"}}",
                     "pnr: missing", "citizen", "c1");
    expect_set_aside("{\"kind\":\"case\",\"id\":\"k1\",\"op\":\"upsert\",\"fields\":{}}",
                     "citizen missing", "case", "k1");
    expect_set_aside("{\"kind\":\"case_event\",\"id\":\"e1\",\"citizen\":\"c1\",\"op\":"
                     "\"upsert\",\"fields\":{\"at\":1,\"status\":\"x\"}}",
                     "parent missing", "case_event", "e1");
    expect_set_aside("{\"kind\":\"invoice\",\"id\":\"i1\",\"citizen\":\"c1\",\"op\":"
                     "\"upsert\",\"fields\":{\"number\":\"1\",\"amount_ore\":\"12\",\"due_date\":"
                     "\"x\",\"ocr\":\"1\",\"paid\":0}}",
                     "amount_ore: expected a whole number", "invoice", "i1");
    expect_set_aside("{\"kind\":\"citizen\",\"id\":\"c1\",\"op\":\"upsert\",\"fields\":"
                     "{\"pnr\":191212121212}}",
                     "pnr: expected a string", "citizen", "c1");
    expect_set_aside("{\"kind\":\"citizen\",\"id\":\"c1\",\"op\":\"merge\",\"fields\":{}}",
                     "op must be", "citizen", "c1");
    expect_set_aside("{\"kind\":\"citizen\",\"id\":7,\"op\":\"delete\"}", "id: expected", "citizen",
                     NULL);
    expect_set_aside("{\"kind\":\"case\",\"id\":\"k2\",\"citizen\":\"c1\",\"op\":\"upsert\","
                     "\"fields\":[\"Tolvan\"]}",
                     "fields: expected an object", "case", "k2");
    expect_set_aside("[\"Tolvan\"]", "not a JSON object", "?", NULL);
    expect_set_aside("\"191212121212\"", "not a JSON object", "?", NULL);
    expect_set_aside("{\"id\":\"k3\",\"op\":\"delete\"}", "kind: missing", "?", "k3");
}

TEST(report_request_is_the_agreed_shape)
{
    struct store_set_aside e[2] = {
        { .kind = "case_event", .id = "ev-1", .reason = "its case is not known here" },
        { .kind = "spaceship", .id = "x", .reason = "change 3: unknown kind" },
    };
    char *body = proto_report_request(e, 2);
    CHECK_STR("{\"set_aside\":[{\"kind\":\"case_event\",\"id\":\"ev-1\",\"reason\":\"its case is "
              "not known here\"},{\"kind\":\"spaceship\",\"id\":\"x\",\"reason\":\"change 3: "
              "unknown kind\"}]}",
              body);
    free(body);
}

TEST(status_request_is_the_agreed_shape)
{
    struct store_usage_total t[] = {
        { .day = 20424, .counter = "visit", .count = 37 },
        { .day = 20424, .counter = "lang.fi", .count = 3 },
    };
    struct sync_health h = { .version = "0.1.0",
                             .last_sync_at = 1795353600,
                             .outbox_age_s = 60,
                             .n_failing = 1,
                             .failing = { "display" } };
    char *body = proto_status_request(42, t, 2, &h);
    CHECK_STR("{\"batch\":42,\"usage\":[{\"day\":\"2025-12-02\",\"counter\":\"visit\","
              "\"count\":37},{\"day\":\"2025-12-02\",\"counter\":\"lang.fi\",\"count\":3}],"
              "\"health\":{\"version\":\"0.1.0\",\"last_sync\":1795353600,\"outbox_age\":60,"
              "\"failing\":[\"display\"]}}",
              body);
    free(body);
    /* A batch (STORE_USAGE_BATCH_DAYS days of every counter at most) always fits one request. */
    size_t n = 0;
    usage_counter_names(&n);
    CHECK(n * STORE_USAGE_BATCH_DAYS <= PROTO_MAX_USAGE);
}

TEST(push_results_are_strict)
{
    struct proto_push_response r;
    struct errbuf err = { "" };
    const char ok[] = "{\"server_time\":1,\"last_seq\":3,\"results\":["
                      "{\"uuid\":\"a\",\"status\":\"accepted\",\"case_number\":\"KCS-1\"},"
                      "{\"uuid\":\"b\",\"status\":\"duplicate\",\"case_number\":\"KCS-0\"},"
                      "{\"uuid\":\"c\",\"status\":\"rejected\",\"reason\":\"no\"}]}";
    CHECK_MSG(proto_push_parse(ok, strlen(ok), &r, &err), "%s", err.msg);
    CHECK_INT(3, r.n);
    CHECK_INT(STORE_OUTBOX_ACCEPTED, r.results[0].state);
    CHECK_INT(STORE_OUTBOX_DUPLICATE, r.results[1].state);
    CHECK_INT(STORE_OUTBOX_REJECTED, r.results[2].state);
    CHECK_STR("no", r.results[2].reason);
    proto_push_finish(&r);
    const char *bad[] = {
        "{\"server_time\":1,\"results\":[{\"uuid\":\"a\",\"status\":\"accepted\"}]}",
        "{\"server_time\":1,\"results\":[{\"uuid\":\"a\",\"status\":\"rejected\"}]}",
        "{\"server_time\":1,\"results\":[{\"uuid\":\"a\",\"status\":\"maybe\"}]}",
        "{\"server_time\":1,\"results\":{}}",
        "{\"results\":[]}",
        "{\"server_time\":1,\"results\":[{\"status\":\"duplicate\"}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_MSG(!proto_push_parse(bad[i], strlen(bad[i]), &r, &err), "accepted %s", bad[i]);
    }
}

TEST(backoff_is_capped_full_jitter_and_honours_retry_after)
{
    for (int attempt = 0; attempt < 40; attempt++) {
        int64_t ceiling = PROTO_BACKOFF_BASE_MS << (attempt < 20 ? attempt : 20);
        if (ceiling > PROTO_BACKOFF_CAP_MS)
            ceiling = PROTO_BACKOFF_CAP_MS;
        int64_t max_seen = 0;
        for (uint32_t r = 0; r < 2000; r++) {
            int64_t d = proto_backoff_ms(attempt, 0, r * 2654435761u);
            CHECK_MSG(d >= 0 && d <= ceiling, "attempt %d: %lld outside 0..%lld", attempt,
                      (long long)d, (long long)ceiling);
            if (d > max_seen)
                max_seen = d;
        }
        CHECK_MSG(max_seen > ceiling / 2, "attempt %d: no jitter near the ceiling", attempt);
    }
    CHECK_INT(30000, proto_backoff_ms(0, 30, 0));
    CHECK(proto_backoff_ms(12, 30, UINT32_MAX) <= PROTO_BACKOFF_CAP_MS);
}

TEST(message_signatures_verify_and_catch_every_change)
{
    CHECK(sodium_init() >= 0);
    unsigned char pk[32], sk[64], pk2[32], sk2[64];
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    const char body[] = "{\"cursor\":\"\",\"limit\":1000}";
    char digest[HTTPSIG_DIGEST_MAX];
    httpsig_content_digest(body, strlen(body), digest);
    struct httpsig_params p = { .created = 1795353600 };
    httpsig_nonce(p.nonce);
    snprintf(p.keyid, sizeof(p.keyid), "dev-5f3a9c1e");
    char *input, *sig;
    httpsig_sign(sk, "POST", "/v1/pull", digest, &p, &input, &sig);
    struct httpsig_params q;
    struct errbuf err;
    CHECK_MSG(httpsig_parse_input(input, &q, &err), "%s", err.msg);
    CHECK_INT(1795353600, q.created);
    CHECK_STR("dev-5f3a9c1e", q.keyid);
    CHECK(httpsig_verify(pk, "POST", "/v1/pull", digest, &q, sig));
    CHECK(!httpsig_verify(pk2, "POST", "/v1/pull", digest, &q, sig));
    CHECK(!httpsig_verify(pk, "POST", "/v1/push", digest, &q, sig));
    char other[HTTPSIG_DIGEST_MAX];
    httpsig_content_digest("{}", 2, other);
    CHECK(!httpsig_verify(pk, "POST", "/v1/pull", other, &q, sig));
    q.created++;
    CHECK(!httpsig_verify(pk, "POST", "/v1/pull", digest, &q, sig));
    q.created--;
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    CHECK(!httpsig_verify(pk, "POST", "/v1/pull", digest, &q, sig));
    CHECK(!httpsig_verify(pk, "POST", "/v1/pull", digest, &q, "sig1=:short:"));
    CHECK(!httpsig_parse_input("sig1=(\"@method\");created=1;nonce=\"aaaaaaaaaaaaaaaaaa\"", &q,
                               &err));
    CHECK(!httpsig_parse_input("sig1=(\"@method\" \"@path\" \"content-digest\");created=1;"
                               "nonce=\"short\";keyid=\"d\";alg=\"ed25519\"",
                               &q, &err));
    CHECK(!httpsig_parse_input("sig1=(\"@method\" \"@path\" \"content-digest\");created=1;"
                               "nonce=\"aaaaaaaaaaaaaaaaaa\";keyid=\"d\\\"x\";alg=\"ed25519\"",
                               &q, &err));
    /* RFC 9530's example: the digest of {"hello": "world"}. */
    httpsig_content_digest("{\"hello\": \"world\"}\n", 19, digest);
    CHECK_STR("sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:", digest);
    free(input);
    free(sig);
}

TEST(page_verdicts_refuse_time_travel_and_spinning)
{
    struct proto_page p = { .position = 100, .more = false };
    CHECK_INT(PROTO_PAGE_APPLY, proto_page_judge(&p, 100));
    CHECK_INT(PROTO_PAGE_APPLY, proto_page_judge(&p, 0));
    CHECK_INT(PROTO_PAGE_WENT_BACK, proto_page_judge(&p, 101));
    p.more = true;
    CHECK_INT(PROTO_PAGE_NO_PROGRESS, proto_page_judge(&p, 100));
    p.n = 1;
    CHECK_INT(PROTO_PAGE_APPLY, proto_page_judge(&p, 100));
    p.reset = true;
    CHECK_INT(PROTO_PAGE_RESET, proto_page_judge(&p, 500));
}

TEST(sequence_errors_name_the_expected_number_and_the_item)
{
    int64_t expected = -1;
    char uuid[37];
    const char *conflict = "{\"error\":\"sequence_conflict\",\"message\":\"m\",\"expected\":12,"
                           "\"uuid\":\"0b7a6c1e-4f59-4d8a-9c63-2f1e0d9b7a55\"}";
    CHECK(proto_sequence_error_parse(conflict, strlen(conflict), &expected, uuid));
    CHECK_INT(12, expected);
    CHECK_STR("0b7a6c1e-4f59-4d8a-9c63-2f1e0d9b7a55", uuid);
    const char *gap = "{\"error\":\"sequence_gap\",\"expected\":3}"; /* an older server */
    CHECK(proto_sequence_error_parse(gap, strlen(gap), &expected, uuid));
    CHECK_INT(3, expected);
    CHECK_STR("", uuid);
    static const char *const refused[] = {
        "{\"error\":\"sequence_gap\"}",
        "{\"error\":\"sequence_gap\",\"expected\":0}",
        "{\"error\":\"sequence_gap\",\"expected\":\"3\"}",
        "{\"error\":\"invalid_request\",\"expected\":3}",
        "{\"error\":\"sequence_conflict\",\"expected\":3,\"uuid\":\"short\"}",
        "[]",
        "{\"error\":\"sequence_conflict\",\"expec",
        "",
    };
    for (size_t i = 0; i < ARRAY_LEN(refused); i++) {
        bool ok = proto_sequence_error_parse(refused[i], strlen(refused[i]), &expected, uuid);
        if (i == 4) { /* a usable number with an unusable uuid: renumber from the first item */
            CHECK(ok);
            CHECK_STR("", uuid);
        } else {
            CHECK_MSG(!ok, "accepted %s", refused[i]);
        }
    }
}

int
main(void)
{
    RUN(pull_page_with_every_kind_of_change_parses);
    RUN(quick_reader_reads_a_page_as_jansson_does_and_gives_up_on_anything_else);
    RUN(pull_page_refuses_every_malformed_shape);
    RUN(pull_page_sets_aside_one_bad_change_and_keeps_the_rest);
    RUN(report_request_is_the_agreed_shape);
    RUN(status_request_is_the_agreed_shape);
    RUN(push_results_are_strict);
    RUN(backoff_is_capped_full_jitter_and_honours_retry_after);
    RUN(message_signatures_verify_and_catch_every_change);
    RUN(page_verdicts_refuse_time_travel_and_spinning);
    RUN(sequence_errors_name_the_expected_number_and_the_item);
    return test_done();
}
