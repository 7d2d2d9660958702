/* The sans-IO core of sync (sync/PROTOCOL.md): request bodies in, parsed and validated pages and
 * results out, and the retry policy. No sockets, no clock, no store writes: the tests feed it
 * every malformed, truncated or hostile body there is. */
#ifndef MINASIDOR_SYNC_PROTOCOL_H
#define MINASIDOR_SYNC_PROTOCOL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "macros.h"
#include "store.h"

#define PROTO_MAX_PAGE        1000
#define PROTO_MAX_PUSH        100
#define PROTO_MAX_RESPONSE    (8 * 1024 * 1024)
#define PROTO_BACKOFF_BASE_MS 1000
#define PROTO_BACKOFF_CAP_MS  300000

/* {"cursor": ..., "limit": ...}; caller frees. */
char *proto_pull_request(const char *cursor, int limit);

#define PROTO_MAX_REPORT 100 /* set-aside entries per POST /v1/report */
#define PROTO_REASON_MAX 120

struct proto_page {
    json_t *root; /* owns every string the changes point into (or text does) */
    char *text;   /* the page decoded in place, when the quick reader took it */
    bool reset, more;
    const char *cursor;
    int64_t position, head, server_time;
    size_t n;
    struct store_change *changes; /* n of them */
    size_t set_aside;             /* how many of them are marked set_aside */
    char (*reasons)[PROTO_REASON_MAX];
};

/* Parses and validates a page (PROTOCOL.md §5). The page itself must be whole: JSON, an object,
 * its own fields present and of the right types, changes an array of at most PROTO_MAX_PAGE;
 * false (with err saying what) otherwise. A single change that is not usable (not an object,
 * an unknown kind or op, a required member or field missing or of the wrong type, fields not an
 * object) does not refuse the page: it is returned with set_aside pointing at a reason that
 * names its position and the member, never a value. A delete of an unknown kind is returned as
 * a tombstone with kind_name set (nothing to delete; it clears a set-aside entry). */
bool proto_pull_parse(const char *body, size_t len, struct proto_page *page,
                      struct errbuf *err) WARN_UNUSED;
void proto_page_finish(struct proto_page *page);

/* The quick reader proto_pull_parse tries first: one pass over the text, strings decoded in
 * place, for a page that is whole and every change of it usable. It gives up (false, page
 * untouched) on anything else: a page to refuse, a change to set aside, a duplicate member, a
 * number with a fraction, nesting deeper than 64, more than 64 members in one object; then
 * jansson reads the page and decides as before. Whatever it accepts, it reads exactly as
 * jansson's path would (fuzz_sync checks). */
bool proto_pull_parse_quick(const char *body, size_t len, struct proto_page *page) WARN_UNUSED;
/* jansson's path alone (what proto_pull_parse falls back to), for the fuzzer's comparison. */
bool proto_pull_parse_json(const char *body, size_t len, struct proto_page *page,
                           struct errbuf *err) WARN_UNUSED;

enum proto_page_verdict {
    PROTO_PAGE_APPLY,       /* apply it with its cursor */
    PROTO_PAGE_RESET,       /* forget synced data (not the outbox) and pull from "" */
    PROTO_PAGE_WENT_BACK,   /* the server's position is behind ours: refuse and report */
    PROTO_PAGE_NO_PROGRESS, /* "more" without moving on: stop rather than spin */
};

/* What to do with a parsed page, given the position the kiosk has stored. */
enum proto_page_verdict proto_page_judge(const struct proto_page *page, int64_t stored_position);

/* {"set_aside": [{"kind", "id", "reason"}...]} for POST /v1/report. Caller frees. */
/* The kiosk's health as POST /v1/status carries it: nothing about a person. failing names the
 * checks of `minasidor doctor` that failed (usage_names.h: usage_check_known). */
#define SYNC_HEALTH_MAX_FAILING 16
struct sync_health {
    char version[32];
    int64_t last_sync_at; /* UTC seconds of the last successful pull, 0 = never */
    int64_t outbox_age_s; /* how long the oldest undelivered submission has waited, 0 = none */
    size_t n_failing;
    const char *failing[SYNC_HEALTH_MAX_FAILING];
};

/* The body of POST /v1/status (PROTOCOL.md §9): a usage batch (n totals, may be 0) and the
 * kiosk's health. Caller frees. */
#define PROTO_MAX_USAGE 5000
char *proto_status_request(int64_t batch, const struct store_usage_total *totals, size_t n,
                           const struct sync_health *health);

char *proto_report_request(const struct store_set_aside *entries, size_t n);

/* {"items": [...]} for outbox items [0, n). Items whose stored payload is not JSON are skipped
 * and their seq returned in *bad_seq (0 if none). Caller frees. */
char *proto_push_request(const struct store_outbox *ob, size_t n, int64_t *bad_seq);

struct proto_push_result {
    const char *uuid;
    enum store_outbox_state state; /* accepted, duplicate or rejected */
    const char *case_number, *reason;
};

struct proto_push_response {
    json_t *root;
    int64_t server_time;
    size_t n;
    struct proto_push_result results[PROTO_MAX_PUSH];
};

bool proto_push_parse(const char *body, size_t len, struct proto_push_response *r,
                      struct errbuf *err) WARN_UNUSED;
void proto_push_finish(struct proto_push_response *r);

/* The "error" code and "server_time" of an error body, if it has them ("" and 0 if not). */
void proto_error_parse(const char *body, size_t len, char code[static 32], int64_t *server_time);

/* A 409 sequence_conflict or sequence_gap body: the sequence number the case store expects next
 * and the uuid of the item it stopped at ("" if the server did not name one). False for any
 * other body, or one without a usable "expected". */
bool proto_sequence_error_parse(const char *body, size_t len, int64_t *expected,
                                char uuid[static 37]) WARN_UNUSED;

/* Capped full-jitter exponential backoff: random(0, min(cap, base * 2^attempt)), and never
 * sooner than retry_after_s. random is any 32-bit random value. */
int64_t proto_backoff_ms(int attempt, int retry_after_s, uint32_t random);

#endif
