/* Sync client: the I/O around protocol.c. */
#include "sync.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "httpsig.h"
#include "json.h"
#include "protocol.h"
#include "xalloc.h"

#define LOG_MODULE "sync"
#include "log.h"

/* Device signing seed: the root key's crypto_kdf subkey 16 (ids below 16 belong to the store). */
#define DEVICE_SEED_ID 16

struct sync_client {
    struct store *store;
    char *url, *pin, *device_id;
    const unsigned char *sk;
    int64_t clock_offset_s; /* server minus ours */
    CURL *curl;
    const _Atomic int *abort_flag; /* sync_client_set_abort, or NULL */
};

struct response {
    long status;
    struct buf body; /* decoded */
    int retry_after_s;
    size_t wire_bytes; /* as received, before gzip decoding */
};

static const char *const codes[] = {
    [SYNC_OK] = "ok",
    [SYNC_ERR_NETWORK] = "network",
    [SYNC_ERR_SERVER] = "server",
    [SYNC_ERR_RATE] = "rate_limited",
    [SYNC_ERR_PIN] = "pin_mismatch",
    [SYNC_ERR_AUTH] = "unauthorized",
    [SYNC_ERR_PROTOCOL] = "protocol",
    [SYNC_ERR_TIME_TRAVEL] = "server_went_back",
    [SYNC_ERR_STORE] = "store",
    [SYNC_ERR_CONFIG] = "config",
};

const char *
sync_error_code(enum sync_error e)
{
    return (size_t)e < ARRAY_LEN(codes) ? codes[e] : "unknown";
}

bool
sync_error_transient(enum sync_error e)
{
    return e == SYNC_ERR_NETWORK || e == SYNC_ERR_SERVER || e == SYNC_ERR_RATE;
}

unsigned char *
sync_device_keypair(const struct store_key *root, unsigned char pk[static 32])
{
    unsigned char *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
    unsigned char seed[crypto_sign_SEEDBYTES];
    store_key_derive(root, DEVICE_SEED_ID, seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof(seed));
    return sk;
}

static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
    struct response *r = userp;
    return buf_append(&r->body, data, size * n) ? size * n : 0; /* 0 aborts: too large */
}

static size_t
on_header(char *data, size_t size, size_t n, void *userp)
{
    struct response *r = userp;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0)
        r->retry_after_s = atoi(data + 12);
    return len;
}

static CURL *
new_curl(const char *pin)
{
    CURL *h = curl_easy_init();
    if (h == NULL)
        return NULL;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    /* A link that freezes once the connection is up is abandoned within the same bound as one
     * that never connects: less than 1 byte/s for 10 s. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 10L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    /* Trust is the pinned key (PROTOCOL.md §1), checked before any byte is sent. The
     * development certificate is self-signed, so CA validation is not what decides. */
    curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pin);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    return h;
}

static enum sync_error
perform(CURL *h, const char *url, const char *path, const char *body, struct curl_slist *headers,
        struct response *r, struct errbuf *err)
{
    char *full = xasprintf("%s%s", url, path);
    buf_init(&r->body, PROTO_MAX_RESPONSE);
    r->status = 0;
    r->retry_after_s = 0;
    curl_easy_setopt(h, CURLOPT_URL, full);
    if (body != NULL)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    else
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    CURLcode rc = curl_easy_perform(h);
    free(full);
    if (rc != CURLE_OK) /* what arrived of an answer that did not complete goes too */
        buf_finish_wipe(&r->body);
    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
        err_set(err, "the server's key does not match the pinned key: nothing was sent");
        return SYNC_ERR_PIN;
    }
    if (rc == CURLE_WRITE_ERROR) {
        err_set(err, "the server's answer is larger than %d bytes", PROTO_MAX_RESPONSE);
        return SYNC_ERR_PROTOCOL;
    }
    if (rc != CURLE_OK) {
        err_set(err, "cannot reach the case store: %s", curl_easy_strerror(rc));
        return SYNC_ERR_NETWORK;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_off_t downloaded = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
    r->wire_bytes = (size_t)downloaded;
    return SYNC_OK;
}

static enum sync_error
status_error(const struct response *r, struct errbuf *err)
{
    char code[32];
    int64_t t;
    proto_error_parse(buf_str(&r->body), r->body.len, code, &t);
    err_set(err, "the case store answered %ld%s%s", r->status, code[0] ? " " : "", code);
    if (r->status == 429)
        return SYNC_ERR_RATE;
    if (r->status >= 500)
        return SYNC_ERR_SERVER;
    if (r->status == 401)
        return SYNC_ERR_AUTH;
    return SYNC_ERR_PROTOCOL;
}

enum sync_error
sync_enroll(const char *url, const char *pin, const char *token, const char *site_name,
            const unsigned char public_key[32], char device_id[static 40], char site[static 64],
            char districts[static 256], char roles_key[static 64], struct errbuf *err)
{
    char pk64[64];
    httpsig_b64(public_key, 32, pk64, sizeof(pk64));
    json_t *o =
        json_pack("{s:s, s:s, s:s?}", "token", token, "public_key", pk64, "site_name", site_name);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    CURL *h = new_curl(pin);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    struct response r;
    enum sync_error e =
        h ? perform(h, url, "/v1/enroll", body, headers, &r, err) : SYNC_ERR_NETWORK;
    free(body);
    curl_slist_free_all(headers);
    if (h)
        curl_easy_cleanup(h);
    if (e != SYNC_OK)
        return e;
    if (r.status != 200) {
        e = status_error(&r, err);
        buf_finish(&r.body);
        return e;
    }
    json_t *root = json_parse_capped(buf_str(&r.body), r.body.len, 65536, err);
    const char *id = NULL, *s = NULL, *rk = NULL;
    json_t *d = json_object_get(root, "districts");
    if (root == NULL || !json_get_str(root, "device_id", true, 39, &id, err) ||
        !json_get_str(root, "site", true, 63, &s, err) ||
        !json_get_str(root, "roles_public_key", true, 63, &rk, err) || !json_is_array(d)) {
        e = SYNC_ERR_PROTOCOL;
    } else {
        snprintf(roles_key, 64, "%s", rk);
        snprintf(device_id, 40, "%s", id);
        snprintf(site, 64, "%s", s);
        districts[0] = '\0';
        size_t i;
        json_t *v;
        json_array_foreach(d, i, v)
        {
            size_t l = strlen(districts);
            snprintf(districts + l, 256 - l, "%s%s", l ? "," : "",
                     json_string_value(v) ? json_string_value(v) : "");
        }
    }
    json_decref(root);
    buf_finish(&r.body);
    return e;
}

static int
on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    const _Atomic int *flag = userp;
    return *flag ? 1 : 0; /* non-zero aborts the transfer */
}

/* GET /v1/time, unsigned, with short timeouts; aborted while *abort_flag is set (may be NULL). */
static enum sync_error
get_time(const char *url, const char *pin, const _Atomic int *abort_flag, long timeout_s,
         int64_t *server_time, struct errbuf *err)
{
    CURL *h = new_curl(pin);
    if (h == NULL) {
        err_set(err, "cannot start an HTTP client");
        return SYNC_ERR_NETWORK;
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 3L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    if (abort_flag != NULL) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)(uintptr_t)abort_flag);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    struct response r;
    enum sync_error e = perform(h, url, "/v1/time", NULL, NULL, &r, err);
    curl_easy_cleanup(h);
    if (e != SYNC_OK)
        return e;
    if (r.status != 200) {
        e = status_error(&r, err);
    } else {
        json_t *root = json_parse_capped(buf_str(&r.body), r.body.len, 4096, err);
        json_t *t = json_object_get(root, "server_time");
        if (!json_is_integer(t)) {
            err_set(err, "the case store's time is missing or malformed");
            e = SYNC_ERR_PROTOCOL;
        } else {
            *server_time = (int64_t)json_integer_value(t);
        }
        json_decref(root);
    }
    buf_finish(&r.body);
    return e;
}

enum sync_error
sync_server_time(const char *url, const char *pin, int64_t *server_time, struct errbuf *err)
{
    return get_time(url, pin, NULL, 10L, server_time, err);
}

struct sync_client *
sync_client_create(struct store *store, const char *url, const char *pin, const char *device_id,
                   const unsigned char *sk, struct errbuf *err)
{
    if (url == NULL || pin == NULL || device_id == NULL || strncmp(pin, "sha256//", 8) != 0) {
        err_set(err, "server.url, server.pin (sha256//…) and device.id must be set");
        return NULL;
    }
    struct sync_client *c = xcalloc(1, sizeof(*c));
    c->store = store;
    c->url = xstrdup(url);
    c->pin = xstrdup(pin);
    c->device_id = xstrdup(device_id);
    c->sk = sk;
    c->curl = new_curl(pin);
    struct store_sync_state ss;
    if (store_sync_state_get(store, &ss) == STORE_OK)
        c->clock_offset_s = ss.server_offset_s;
    return c;
}

void
sync_client_set_abort(struct sync_client *c, const _Atomic int *flag)
{
    c->abort_flag = flag;
    curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, (void *)(uintptr_t)flag);
    curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
}

void
sync_client_destroy(struct sync_client *c)
{
    if (c == NULL)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->url);
    free(c->pin);
    free(c->device_id);
    free(c);
}

/* A signed POST; on a stale signature, learns the server's clock and tries once more.
 *
 * On a "replayed" answer it signs again with a fresh nonce and tries again at once. That
 * answer to a request of ours means the server saw this very signature before (only we hold the
 * key, and nonces are random): libcurl re-sends a request by itself when a reused connection
 * dies before any byte of the answer arrives (the server may well have processed the first
 * copy), and it has no option to turn that off short of never reusing connections
 * (CURLOPT_FORBID_REUSE: a TLS handshake per page). Every signed request is safe to repeat (a
 * repeated push is answered "duplicate", pages and the role list are read-only, a report is an
 * upsert), so a fresh signature is all the re-send needs. If the link keeps dying that way, the
 * failure is the network's (transient), not an authorisation problem. */
#define MAX_RESIGN 3

static enum sync_error
signed_post(struct sync_client *c, const char *path, const char *body, struct response *r,
            struct errbuf *err)
{
    bool clock_learned = false;
    int resigned = 0;
    for (;;) {
        char digest[HTTPSIG_DIGEST_MAX];
        httpsig_content_digest(body, strlen(body), digest);
        struct httpsig_params p = { .created = (int64_t)time(NULL) + c->clock_offset_s };
        httpsig_nonce(p.nonce);
        snprintf(p.keyid, sizeof(p.keyid), "%s", c->device_id);
        char *input, *sig;
        httpsig_sign(c->sk, "POST", path, digest, &p, &input, &sig);
        char *h1 = xasprintf("Content-Digest: %s", digest);
        char *h2 = xasprintf("Signature-Input: %s", input);
        char *h3 = xasprintf("Signature: %s", sig);
        struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
        headers = curl_slist_append(headers, h1);
        headers = curl_slist_append(headers, h2);
        headers = curl_slist_append(headers, h3);
        enum sync_error e = perform(c->curl, c->url, path, body, headers, r, err);
        curl_slist_free_all(headers);
        free(h1), free(h2), free(h3), free(input), free(sig);
        if (e != SYNC_OK || r->status != 401)
            return e;
        char code[32];
        int64_t server_time;
        proto_error_parse(buf_str(&r->body), r->body.len, code, &server_time);
        if (strcmp(code, "replayed") == 0 && resigned == MAX_RESIGN) {
            buf_finish(&r->body);
            err_set(err,
                    "the connection kept dying mid-request (the case store saw re-sent "
                    "copies of %s)",
                    path);
            return SYNC_ERR_NETWORK;
        } else if (strcmp(code, "replayed") == 0) {
            resigned++;
            LOG_INFO("a re-sent request met its own nonce at the case store: signing it again");
        } else if (strcmp(code, "stale_signature") == 0 && server_time != 0 && !clock_learned) {
            clock_learned = true;
            c->clock_offset_s = server_time - (int64_t)time(NULL);
            LOG_WARN("our clock is %lld s off the case store's; adjusting",
                     (long long)-c->clock_offset_s);
        } else {
            return e;
        }
        buf_finish(&r->body);
    }
}

enum sync_error
sync_unenroll(struct sync_client *c, struct errbuf *err)
{
    struct response r;
    enum sync_error e = signed_post(c, "/v1/unenroll", "{}", &r, err);
    if (e != SYNC_OK)
        return e;
    if (r.status != 200)
        e = status_error(&r, err);
    buf_finish(&r.body);
    return e;
}

/* The local cursor is "POSITION CURSOR": the server's cursor is opaque, its position is not. */
static void
split_cursor(const char *stored, int64_t *position, const char **cursor)
{
    char *end = NULL;
    *position = strtoll(stored, &end, 10);
    *cursor = (end && *end == ' ') ? end + 1 : "";
    if (*stored == '\0')
        *position = 0;
}

static enum sync_error
fetch_roles(struct sync_client *c, struct sync_stats *stats, struct errbuf *err)
{
    struct response r;
    enum sync_error e = signed_post(c, "/v1/roles", "{}", &r, err);
    if (e != SYNC_OK)
        return e;
    stats->bytes_received += r.wire_bytes;
    if (r.status != 200) {
        e = status_error(&r, err);
        buf_finish(&r.body);
        return e;
    }
    json_t *root = json_parse_capped(buf_str(&r.body), r.body.len, PROTO_MAX_RESPONSE, err);
    buf_finish_wipe(&r.body);
    const char *d64 = NULL, *s64 = NULL;
    e = SYNC_ERR_PROTOCOL;
    if (root != NULL && json_get_str(root, "document", true, PROTO_MAX_RESPONSE, &d64, err) &&
        json_get_str(root, "signature", true, 100, &s64, err)) {
        size_t cap = strlen(d64);
        unsigned char *doc = xmalloc(cap + 1);
        size_t dl = 0;
        unsigned char sig[64];
        if (sodium_base642bin(doc, cap, d64, strlen(d64), NULL, &dl, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0 &&
            httpsig_unb64(s64, sig, sizeof(sig))) {
            e = store_roles_put(c->store, doc, dl, sig, sizeof(sig), (int64_t)time(NULL)) ==
                        STORE_OK
                    ? SYNC_OK
                    : SYNC_ERR_STORE;
        } else {
            err_set(err, "the role list is not base64");
        }
        sodium_memzero(doc, cap + 1);
        free(doc);
    }
    json_decref(root);
    return e;
}

/* Tells the case store which records this kiosk set aside (POST /v1/report), at most 100 a
 * request, and marks them reported on 200. Best effort: the pull has succeeded already, and
 * what is not reported now is next time. */
static void
report_set_aside(struct sync_client *c)
{
    struct store_set_aside *list = xcalloc(PROTO_MAX_REPORT, sizeof(*list));
    for (int round = 0; round < 10; round++) {
        size_t n = 0;
        if (store_set_aside_list(c->store, true, list, PROTO_MAX_REPORT, &n) != STORE_OK || n == 0)
            break;
        char *body = proto_report_request(list, n);
        struct response r;
        struct errbuf err = { "" };
        enum sync_error e = signed_post(c, "/v1/report", body, &r, &err);
        free(body);
        if (e == SYNC_OK && r.status != 200)
            e = status_error(&r, &err);
        buf_finish(&r.body);
        if (e != SYNC_OK) {
            LOG_WARN("could not report %zu records set aside (%s): %s", n, sync_error_code(e),
                     err.msg);
            break;
        }
        if (store_set_aside_mark_reported(c->store, list, n) != STORE_OK)
            break;
        LOG_INFO("reported %zu records set aside to the case store", n);
    }
    free(list);
}

enum sync_error
sync_probe(struct sync_client *c)
{
    int64_t t;
    struct errbuf err = { "" };
    return get_time(c->url, c->pin, c->abort_flag, 5L, &t, &err);
}

/* One page fetched and parsed on a thread of its own while the kiosk applies the one before it
 * (the cursor for the next request is in the page, so the request need not wait for the apply):
 * the server builds, compresses and sends a page, and the kiosk decodes and parses it, on the
 * other core. Only this thread uses the client's connection until it is joined; the store is
 * the caller's alone. */
struct fetch {
    struct sync_client *c;
    char *request;
    enum sync_error e;
    struct response r;
    bool parsed;
    struct proto_page page;
    struct errbuf err;
    pthread_t thread;
    bool threaded;
};

static void *
fetch_main(void *arg)
{
    struct fetch *f = arg;
    f->e = signed_post(f->c, "/v1/pull", f->request, &f->r, &f->err);
    free(f->request);
    f->request = NULL;
    if (f->e == SYNC_OK && f->r.status == 200) {
        f->parsed = proto_pull_parse(buf_str(&f->r.body), f->r.body.len, &f->page, &f->err);
        buf_finish(&f->r.body);
    }
    return NULL;
}

static void
fetch_start(struct fetch *f, struct sync_client *c, const char *cursor)
{
    memset(f, 0, sizeof(*f));
    f->c = c;
    f->request = proto_pull_request(cursor, PROTO_MAX_PAGE);
    f->threaded = pthread_create(&f->thread, NULL, fetch_main, f) == 0;
    if (!f->threaded) /* no thread to be had: fetch it now, as before */
        fetch_main(f);
}

static void
fetch_wait(struct fetch *f)
{
    if (f->threaded)
        pthread_join(f->thread, NULL);
    f->threaded = false;
}

/* A prefetched page that will not be applied (a page before it failed). */
static void
fetch_discard(struct fetch *f)
{
    fetch_wait(f);
    if (f->e == SYNC_OK && f->r.status != 200)
        buf_finish(&f->r.body);
    if (f->parsed)
        proto_page_finish(&f->page);
}

enum sync_error
sync_pull(struct sync_client *c, sync_progress_fn progress, void *data, struct sync_stats *stats,
          struct errbuf *err)
{
    int resets = 0;
    struct store_sync_state ss;
    if (store_sync_state_get(c->store, &ss) != STORE_OK)
        return SYNC_ERR_STORE;
    int64_t position;
    const char *cursor;
    split_cursor(ss.cursor, &position, &cursor);
    struct fetch slots[2], *cur = &slots[0], *next = &slots[1];
    fetch_start(cur, c, cursor);
    for (;;) {
        fetch_wait(cur);
        if (cur->e != SYNC_OK) {
            err_set(err, "%s", cur->err.msg);
            return cur->e;
        }
        struct response *r = &cur->r;
        if (r->status != 200) {
            stats->retry_after_s = r->retry_after_s;
            enum sync_error e = status_error(r, err);
            buf_finish(&r->body);
            return e;
        }
        stats->bytes_received += r->wire_bytes;
        if (!cur->parsed) {
            err_set(err, "%s", cur->err.msg);
            LOG_WARN("refused a page: %s", cur->err.msg);
            return SYNC_ERR_PROTOCOL;
        }
        struct proto_page *page = &cur->page;
        c->clock_offset_s = page->server_time - (int64_t)time(NULL);
        switch (proto_page_judge(page, position)) {
        case PROTO_PAGE_RESET:
            proto_page_finish(page);
            if (++resets > 2) {
                err_set(err, "the case store keeps asking for a reset");
                return SYNC_ERR_PROTOCOL;
            }
            LOG_WARN("the case store asked for a reset: refetching (the outbox is kept)");
            if (store_reset_synced(c->store) != STORE_OK)
                return SYNC_ERR_STORE;
            stats->reset = true;
            position = 0;
            fetch_start(cur, c, "");
            continue;
        case PROTO_PAGE_WENT_BACK:
            err_set(err, "the case store went back in time (position %lld, we have %lld)",
                    (long long)page->position, (long long)position);
            proto_page_finish(page);
            return SYNC_ERR_TIME_TRAVEL;
        case PROTO_PAGE_NO_PROGRESS:
            err_set(err, "the case store says there is more but does not move on");
            proto_page_finish(page);
            return SYNC_ERR_PROTOCOL;
        case PROTO_PAGE_APPLY:
            break;
        }
        char stored[sizeof(ss.cursor)];
        int n =
            snprintf(stored, sizeof(stored), "%lld %s", (long long)page->position, page->cursor);
        if (n < 0 || (size_t)n >= sizeof(stored)) {
            err_set(err, "the cursor is too long");
            proto_page_finish(page);
            return SYNC_ERR_PROTOCOL;
        }
        bool more = page->more;
        if (more) /* the next page travels while this one is applied */
            fetch_start(next, c, page->cursor);
        size_t applied = 0;
        enum store_error se = store_apply(c->store, page->changes, page->n, stored, &applied, err);
        if (se != STORE_OK) {
            proto_page_finish(page);
            if (more)
                fetch_discard(next);
            return se == STORE_ERR_INVALID ? SYNC_ERR_PROTOCOL : SYNC_ERR_STORE;
        }
        position = page->position;
        stats->pages++;
        stats->records += applied;
        stats->set_aside += page->n - applied;
        stats->position = page->position;
        stats->head = page->head > page->position ? page->head : page->position;
        proto_page_finish(page);
        if (progress != NULL)
            progress(stats, data);
        if (!more)
            break;
        struct fetch *t = cur;
        cur = next;
        next = t;
    }
    enum sync_error re = fetch_roles(c, stats, err);
    if (re != SYNC_OK)
        return re;
    if (store_sync_success(c->store, (int64_t)time(NULL), c->clock_offset_s) != STORE_OK)
        return SYNC_ERR_STORE;
    report_set_aside(c);
    return SYNC_OK;
}

enum sync_error
sync_status_send(struct sync_client *c, const struct sync_health *health, struct errbuf *err)
{
    int64_t batch = 0;
    struct store_usage_total *totals = NULL;
    size_t n = 0;
    if (store_usage_batch(c->store, &batch, &totals, &n) != STORE_OK)
        return SYNC_ERR_STORE;
    char *body = proto_status_request(batch, totals, n, health);
    free(totals);
    struct response r;
    enum sync_error e = signed_post(c, "/v1/status", body, &r, err);
    free(body);
    if (e != SYNC_OK)
        return e;
    long status = r.status;
    if (status != 200)
        e = status_error(&r, err);
    buf_finish(&r.body);
    if (status == 400 && n > 0) {
        LOG_WARN("the case store refused usage batch %lld (%s): dropped", (long long)batch,
                 err->msg);
        return store_usage_batch_done(c->store, batch) == STORE_OK ? e : SYNC_ERR_STORE;
    }
    if (e == SYNC_OK && n > 0 && store_usage_batch_done(c->store, batch) != STORE_OK)
        return SYNC_ERR_STORE;
    return e;
}

/* The case store expects another sequence number than ours (PROTOCOL.md §6): this cache was
 * restored from an earlier copy, or someone else pushed with this device's key. Renumbers the
 * undelivered items from the one it stopped at; items it already has are recognised by uuid
 * whatever number they carry, so nothing is lost or doubled. */
static enum sync_error
renumber(struct sync_client *c, const struct store_outbox *ob, const struct response *r,
         struct errbuf *err)
{
    int64_t expected = 0;
    char uuid[37];
    if (!proto_sequence_error_parse(buf_str(&r->body), r->body.len, &expected, uuid))
        return status_error(r, err);
    const struct store_outbox_item *from = &ob->items[0]; /* a server that names no item */
    for (size_t i = 0; i < ob->n && uuid[0] != '\0'; i++) {
        if (strcmp(ob->items[i].uuid, uuid) == 0)
            from = &ob->items[i];
    }
    LOG_WARN("the case store expects sequence %lld where we sent %lld: renumbering the outbox",
             (long long)expected, (long long)from->wire_seq);
    if (store_outbox_renumber(c->store, from->seq, expected) != STORE_OK) {
        err_set(err, "cannot renumber the outbox");
        return SYNC_ERR_STORE;
    }
    return SYNC_OK;
}

enum sync_error
sync_push(struct sync_client *c, struct sync_stats *stats, struct errbuf *err)
{
    int renumbered = 0;
    for (int round = 0; round < 10000; round++) {
        struct store_outbox *ob = NULL;
        if (store_outbox_list(c->store, true, PROTO_MAX_PUSH, &ob) != STORE_OK)
            return SYNC_ERR_STORE;
        if (ob->n == 0) {
            store_outbox_free(ob);
            return SYNC_OK;
        }
        int64_t bad_seq = 0;
        char *body = proto_push_request(ob, ob->n, &bad_seq);
        if (bad_seq != 0) {
            /* Not sendable as stored: reject locally so the queue moves on, and say so. The
             * items after it take over its number, which never reached the case store. */
            LOG_ERR("outbox item %lld is damaged and was not sent", (long long)bad_seq);
            int64_t bad_wire = 0;
            for (size_t i = 0; i < ob->n; i++) {
                if (ob->items[i].seq == bad_seq)
                    bad_wire = ob->items[i].wire_seq;
            }
            if (store_outbox_set_state(c->store, bad_seq, STORE_OUTBOX_REJECTED, NULL,
                                       "damaged on this kiosk; not sent") != STORE_OK ||
                store_outbox_renumber(c->store, bad_seq + 1, bad_wire) != STORE_OK) {
                free(body);
                store_outbox_free(ob);
                return SYNC_ERR_STORE;
            }
        }
        struct store_outbox_update *ups = xcalloc(ob->n, sizeof(*ups));
        size_t n_up = 0;
        for (size_t i = 0; i < ob->n && ob->items[i].seq != bad_seq; i++)
            ups[n_up++] =
                (struct store_outbox_update){ ob->items[i].seq, STORE_OUTBOX_SENDING, NULL, NULL };
        enum store_error se = store_outbox_set_states(c->store, ups, n_up);
        if (se != STORE_OK) {
            free(ups);
            free(body);
            store_outbox_free(ob);
            return SYNC_ERR_STORE;
        }
        struct response r;
        enum sync_error e = signed_post(c, "/v1/push", body, &r, err);
        free(body);
        if (e == SYNC_OK && r.status == 409 && renumbered < 3) {
            renumbered++;
            e = renumber(c, ob, &r, err);
            buf_finish(&r.body);
            free(ups);
            store_outbox_free(ob);
            if (e != SYNC_OK)
                return e;
            continue; /* at once, with the new numbers */
        }
        if (e != SYNC_OK || r.status != 200) {
            if (e == SYNC_OK) {
                stats->retry_after_s = r.retry_after_s;
                e = status_error(&r, err);
                buf_finish(&r.body);
            }
            free(ups);
            store_outbox_free(ob);
            return e;
        }
        stats->bytes_received += r.wire_bytes;
        struct proto_push_response pr;
        bool ok = proto_push_parse(buf_str(&r.body), r.body.len, &pr, err);
        buf_finish(&r.body);
        if (!ok) {
            free(ups);
            store_outbox_free(ob);
            return SYNC_ERR_PROTOCOL;
        }
        size_t progressed = 0;
        n_up = 0;
        for (size_t i = 0; i < pr.n; i++) {
            const struct store_outbox_item *it = NULL;
            for (size_t k = 0; k < ob->n && it == NULL; k++) {
                if (strcmp(ob->items[k].uuid, pr.results[i].uuid) == 0)
                    it = &ob->items[k];
            }
            if (it == NULL)
                continue; /* not ours: ignore, the item stays pending */
            if (store_outbox_set_state(c->store, it->seq, pr.results[i].state,
                                       pr.results[i].case_number,
                                       pr.results[i].reason) != STORE_OK) {
                proto_push_finish(&pr);
                store_outbox_free(ob);
                return SYNC_ERR_STORE;
            }
            progressed++;
            stats->accepted += pr.results[i].state == STORE_OUTBOX_ACCEPTED;
            stats->duplicates += pr.results[i].state == STORE_OUTBOX_DUPLICATE;
            stats->rejected += pr.results[i].state == STORE_OUTBOX_REJECTED;
        }
        se = store_outbox_set_states(c->store, ups, n_up);
        free(ups);
        proto_push_finish(&pr);
        store_outbox_free(ob);
        if (se != STORE_OK)
            return SYNC_ERR_STORE;
        if (progressed == 0) {
            err_set(err, "the case store answered without taking any submission");
            return SYNC_ERR_PROTOCOL;
        }
    }
    return SYNC_OK;
}
