/* casestore HTTPS: libmicrohttpd with GnuTLS, a thread pool, capped bodies. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bankid_sim.h"
#include "tls.h"
#include "buf.h"
#include "fleet.h"
#include "reports.h"
#include "site_roles.h"
#include "httpsig.h"
#include "json.h"
#include "page.h"
#include "version.h"
#include "xalloc.h"

#define LOG_MODULE "casestore"
#include "log.h"

#define MAX_BODY       (1024 * 1024)
#define MAX_PUSH_ITEMS 100
#define MAX_PAGE       1000
#define NONCE_KEEP_S   600
/* zlib's fastest level: on pages of records it compresses to ~1.4x the bytes of level 6 in
 * less than half its time, and level 6 was an eighth of the server's time per page. */
#define GZIP_LEVEL 1
/* PROTOCOL.md §1: TLS 1.2 and 1.3 only. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* /v1/enroll: this many bad tokens from one address within the window, then 429 until the
 * window (counted from the first bad token) has passed. */
#define ENROLL_STRIKES   5
#define ENROLL_WINDOW_S  60
#define ENROLL_ADDRESSES 256

struct fault {
    char kind[16]; /* "500", "503", "429", "truncate", "lose" */
    char path[32];
    int remaining;
};

struct enroll_strikes {
    uint32_t addr; /* IPv4, network order; 0 when the slot is free */
    int64_t since; /* the first bad token of the window */
    int count;
};

struct cs_server {
    struct MHD_Daemon *daemon;
    int access_log; /* fd, O_APPEND; -1 without an access log */
    pthread_mutex_t enroll_lock;
    struct enroll_strikes strikes[ENROLL_ADDRESSES];
    int64_t enroll_window_s; /* CASESTORE_ENROLL_WINDOW_S: shorter in tests */
    unsigned char roles_sk[64], roles_pk[32];
    int64_t clock_offset_s; /* CASESTORE_CLOCK_OFFSET_S: a skewed server clock, for tests */
    bool demo;
    struct cs_storage *st;
    pthread_mutex_t fault_lock;
    struct fault faults[16];
    size_t n_faults;
};

struct request {
    struct buf body;
    bool too_large;
    /* For the access log (PROTOCOL.md §10): never bodies, query strings or personal data. */
    char method[8];
    const char *path; /* a known endpoint (static), or "-" */
    char device[40];  /* the signing device, once it is known to be enrolled */
    size_t in_bytes, out_bytes;
    unsigned status; /* 0 until a response is queued */
    struct timespec started;
};

/* The request handle() is answering on this thread, so that responses are logged. */
static _Thread_local struct request *current;

/* The paths the access log names; any other path (it could hold anything) is logged as "-". */
static const char *
known_path(const char *url)
{
    static const char *const paths[] = {
        "/v1/health",         "/v1/time",         "/v1/enroll",      "/v1/pull",
        "/v1/push",           "/v1/roles",        "/v1/unenroll",    "/v1/report",
        "/rp/v6.0/auth",      "/rp/v6.0/collect", "/rp/v6.0/cancel", "/rp/v6.0/demo/identities",
        "/rp/v6.0/demo/scan", "/v1/status",
    };
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        if (strcmp(url, paths[i]) == 0)
            return paths[i];
    }
    return "-";
}

/* MHD_queue_response, noting status and size for the access log. */
static enum MHD_Result
queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r, size_t len)
{
    if (current != NULL) {
        current->status = status;
        current->out_bytes = len;
    }
    return MHD_queue_response(c, status, r);
}

/* One line per request: time, method, path, status, device, bytes in and out, duration. */
static void
access_log(const struct cs_server *srv, const struct request *req)
{
    if (srv->access_log < 0)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char when[32], status[12] = "-";
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (req->status != 0)
        snprintf(status, sizeof(status), "%u", req->status);
    long long ms = (long long)(now.tv_sec - req->started.tv_sec) * 1000 +
                   (now.tv_nsec - req->started.tv_nsec) / 1000000;
    char line[256];
    int n = snprintf(line, sizeof(line), "%s %s %s %s %s in=%zu out=%zu ms=%lld\n", when,
                     req->method, req->path, status, req->device[0] ? req->device : "-",
                     req->in_bytes, req->out_bytes, ms);
    /* One write per line on an O_APPEND descriptor: lines of parallel requests never mix. */
    if (n > 0 && write(srv->access_log, line, (size_t)n) < 0)
        LOG_WARN("access log: %s", strerror(errno));
}

static int64_t
server_now(const struct cs_server *srv)
{
    return (int64_t)time(NULL) + srv->clock_offset_s;
}

/* gzip of len bytes; NULL if compression fails (the caller then sends the text as it is). */
static unsigned char *
gzip_body(const char *in, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)len);
    unsigned char *out = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static bool
accepts_gzip(struct MHD_Connection *c)
{
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    return ae != NULL && strstr(ae, "gzip") != NULL;
}

/* Sends text (taking it: malloc'ed), gzip'ed if the client takes gzip and it is worth it. */
static enum MHD_Result
send_text(struct MHD_Connection *c, unsigned status, char *text, size_t len,
          const char *retry_after)
{
    size_t sent = len;
    struct MHD_Response *r = NULL;
    if (len > 1024 && accepts_gzip(c)) {
        size_t zlen = 0;
        unsigned char *z = gzip_body(text, len, &zlen);
        if (z != NULL) {
            free(text);
            sent = zlen;
            r = MHD_create_response_from_buffer(zlen, z, MHD_RESPMEM_MUST_FREE);
            MHD_add_response_header(r, "Content-Encoding", "gzip");
        }
    }
    if (r == NULL)
        r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (retry_after != NULL)
        MHD_add_response_header(r, "Retry-After", retry_after);
    enum MHD_Result ret = queue(c, status, r, sent);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
send_json(struct MHD_Connection *c, unsigned status, json_t *body, const char *retry_after)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return send_text(c, status, text, strlen(text), retry_after);
}

static enum MHD_Result
send_error(struct MHD_Connection *c, unsigned status, const char *code, const char *message)
{
    return send_json(c, status, json_pack("{s:s, s:s}", "error", code, "message", message),
                     status == 429 || status == 503 ? "2" : NULL);
}

/* Takes the next planned fault for a path, if any. */
static bool
take_fault(struct cs_server *srv, const char *path, char kind[16])
{
    bool hit = false;
    pthread_mutex_lock(&srv->fault_lock);
    for (size_t i = 0; i < srv->n_faults && !hit; i++) {
        struct fault *f = &srv->faults[i];
        if (f->remaining > 0 && strcmp(f->path, path) == 0) {
            f->remaining--;
            memcpy(kind, f->kind, 16);
            hit = true;
        }
    }
    pthread_mutex_unlock(&srv->fault_lock);
    return hit;
}

/* Checks the signature; on failure queues the error response and returns false. */
static bool
authenticate(struct cs_server *srv, struct MHD_Connection *c, const char *method, const char *path,
             const struct buf *body, struct cs_device *dev, enum MHD_Result *ret)
{
    const char *input = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Signature-Input");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Signature");
    const char *digest = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Digest");
    struct httpsig_params p;
    struct errbuf err;
    if (input == NULL || sig == NULL || digest == NULL) {
        *ret = send_error(c, 401, "unsigned", "this request must be signed (PROTOCOL.md §3)");
        return false;
    }
    if (!httpsig_parse_input(input, &p, &err)) {
        *ret = send_error(c, 401, "bad_signature", err.msg);
        return false;
    }
    if (cs_device_get(srv->st, p.keyid, dev) != CS_OK) {
        *ret = send_error(c, 401, "unknown_device", "this device is not enrolled");
        return false;
    }
    if (current != NULL)
        snprintf(current->device, sizeof(current->device), "%s", dev->id);
    if (dev->revoked) {
        *ret = send_error(c, 401, "revoked", "this device was revoked");
        return false;
    }
    int64_t now = server_now(srv);
    if (p.created > now + HTTPSIG_MAX_SKEW_S || p.created < now - HTTPSIG_MAX_SKEW_S) {
        json_t *e = json_pack("{s:s, s:s, s:I}", "error", "stale_signature", "message",
                              "the signature's created time is too far from the server's clock",
                              "server_time", (json_int_t)now);
        *ret = send_json(c, 401, e, NULL);
        return false;
    }
    char want[HTTPSIG_DIGEST_MAX];
    httpsig_content_digest(body->data, body->len, want);
    if (strcmp(want, digest) != 0) {
        *ret = send_error(c, 400, "digest_mismatch", "Content-Digest does not match the body");
        return false;
    }
    if (!httpsig_verify(dev->public_key, method, path, digest, &p, sig)) {
        *ret = send_error(c, 401, "bad_signature", "the signature does not verify");
        return false;
    }
    if (cs_nonce_use(srv->st, dev->id, p.nonce, now, NONCE_KEEP_S) != CS_OK) {
        *ret = send_error(c, 401, "replayed", "this nonce was used before");
        return false;
    }
    return true;
}

static json_t *
parse_body(struct MHD_Connection *c, const struct buf *body, enum MHD_Result *ret)
{
    struct errbuf err;
    json_t *v = json_parse_capped(buf_str(body), body->len, MAX_BODY, &err);
    if (v == NULL || !json_is_object(v)) {
        json_decref(v);
        *ret = send_error(c, 400, "malformed_json", v ? "expected a JSON object" : err.msg);
        return NULL;
    }
    return v;
}

/* The IPv4 address of the peer (network order); 0 if unknown. */
static uint32_t
peer_addr(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL || ci->client_addr->sa_family != AF_INET)
        return 0;
    return ((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr.s_addr;
}

/* The slot of an address (a free or the stalest one if it has none); enroll_lock held. */
static struct enroll_strikes *
strikes_slot(struct cs_server *srv, uint32_t addr, int64_t now)
{
    struct enroll_strikes *oldest = &srv->strikes[0];
    for (size_t i = 0; i < ARRAY_LEN(srv->strikes); i++) {
        struct enroll_strikes *e = &srv->strikes[i];
        if (e->addr == addr)
            return e;
        if (e->addr == 0 || now - e->since >= srv->enroll_window_s)
            e->addr = 0, e->count = 0;
        if (e->addr == 0 || (oldest->addr != 0 && e->since < oldest->since))
            oldest = e;
    }
    oldest->addr = addr;
    oldest->since = now;
    oldest->count = 0;
    return oldest;
}

/* Seconds until an address may try tokens again; 0 if it may now. */
static int64_t
enroll_blocked_for(struct cs_server *srv, uint32_t addr, int64_t now)
{
    int64_t wait = 0;
    pthread_mutex_lock(&srv->enroll_lock);
    for (size_t i = 0; i < ARRAY_LEN(srv->strikes); i++) {
        struct enroll_strikes *e = &srv->strikes[i];
        if (e->addr == addr && e->count >= ENROLL_STRIKES && now - e->since < srv->enroll_window_s)
            wait = e->since + srv->enroll_window_s - now;
    }
    pthread_mutex_unlock(&srv->enroll_lock);
    return wait;
}

static void
enroll_strike(struct cs_server *srv, uint32_t addr, int64_t now)
{
    pthread_mutex_lock(&srv->enroll_lock);
    struct enroll_strikes *e = strikes_slot(srv, addr, now);
    if (now - e->since >= srv->enroll_window_s) {
        e->since = now;
        e->count = 0;
    }
    e->count++;
    pthread_mutex_unlock(&srv->enroll_lock);
}

static enum MHD_Result
handle_enroll(struct cs_server *srv, struct MHD_Connection *c, const struct buf *body)
{
    enum MHD_Result ret;
    uint32_t addr = peer_addr(c);
    int64_t blocked = enroll_blocked_for(srv, addr, server_now(srv));
    if (blocked > 0) {
        /* Guessing tokens: every attempt is refused until the window has passed, a good token
         * too, so that guessing gains nothing. */
        char after[24];
        snprintf(after, sizeof(after), "%lld", (long long)blocked);
        return send_json(c, 429,
                         json_pack("{s:s, s:s}", "error", "too_many_requests", "message",
                                   "too many bad enrolment tokens from this address; wait"),
                         after);
    }
    json_t *req = parse_body(c, body, &ret);
    if (req == NULL)
        return ret;
    struct errbuf err;
    const char *token = NULL, *pk64 = NULL, *site_name = NULL;
    unsigned char pk[32];
    if (!json_get_str(req, "token", true, 100, &token, &err) ||
        !json_get_str(req, "public_key", true, 100, &pk64, &err) ||
        !json_get_str(req, "site_name", false, 100, &site_name, &err)) {
        ret = send_error(c, 400, "invalid_request", err.msg);
    } else if (!httpsig_unb64(pk64, pk, sizeof(pk))) {
        ret = send_error(c, 400, "invalid_request", "public_key: not 32 bytes of base64");
    } else {
        struct cs_device dev;
        enum cs_result r = cs_enroll(srv->st, token, pk, site_name, &dev, &err);
        if (r != CS_OK) {
            enroll_strike(srv, addr, server_now(srv));
            ret = send_error(c, 401, "invalid_token", err.msg);
        } else {
            json_t *districts = json_array();
            char *copy = xstrdup(dev.districts);
            for (char *save = NULL, *d = strtok_r(copy, ",", &save); d;
                 d = strtok_r(NULL, ",", &save))
                json_array_append_new(districts, json_string(d));
            free(copy);
            LOG_INFO("enrolled %s for site %s", dev.id, dev.site);
            char rpk[64];
            httpsig_b64(srv->roles_pk, sizeof(srv->roles_pk), rpk, sizeof(rpk));
            ret = send_json(c, 200,
                            json_pack("{s:s, s:s, s:o, s:s, s:I}", "device_id", dev.id, "site",
                                      dev.site, "districts", districts, "roles_public_key", rpk,
                                      "server_time", (json_int_t)server_now(srv)),
                            NULL);
        }
    }
    json_decref(req);
    return ret;
}

static enum MHD_Result
handle_pull(struct cs_server *srv, struct MHD_Connection *c, const struct cs_device *dev,
            const struct buf *body, bool truncate, bool oversize)
{
    enum MHD_Result ret;
    json_t *req = parse_body(c, body, &ret);
    if (req == NULL)
        return ret;
    struct errbuf err;
    const char *cursor = NULL;
    long long limit = MAX_PAGE;
    if (!json_get_str(req, "cursor", true, 63, &cursor, &err) ||
        !json_get_int(req, "limit", false, 1, MAX_PAGE, &limit, &err)) {
        json_decref(req);
        return send_error(c, 400, "invalid_request", err.msg);
    }
    char next[64];
    int64_t position = 0, head = 0;
    bool more = false, reset = false;
    struct cs_page page;
    cs_page_init(&page, cs_storage_unchecked(srv->st));
    enum cs_result r =
        cs_pull(srv->st, dev, cursor, (int)limit, &page, next, &position, &head, &more, &reset);
    json_decref(req);
    json_int_t now = (json_int_t)server_now(srv);
    if (r != CS_OK || reset) {
        cs_page_finish(&page);
        if (r != CS_OK)
            return send_error(c, 500, "internal_error", "the case store failed");
        return send_json(c, 200, json_pack("{s:b, s:I}", "reset", 1, "server_time", now), NULL);
    }
    cs_page_close(&page);
    /* The page as jansson would write it compact, around the changes cs_pull wrote. */
    struct buf text;
    buf_init(&text, page.text.len + 20 * 1024 * 1024);
    bool ok =
        buf_append_str(&text, "{\"cursor\":") && json_append_string(&text, next, false) &&
        buf_printf(&text,
                   ",\"position\":%lld,\"head\":%lld,\"more\":%s,\"reset\":false,"
                   "\"server_time\":%lld,\"changes\":",
                   (long long)position, (long long)head, more ? "true" : "false", (long long)now) &&
        buf_append(&text, page.text.data, page.text.len);
    cs_page_finish(&page);
    if (ok && oversize) {
        /* Fault injection: a page far larger than any client should accept. */
        size_t n = 9 * 1024 * 1024;
        char *pad = xmalloc(n);
        memset(pad, 'x', n);
        ok = buf_append_str(&text, ",\"padding\":\"") && buf_append(&text, pad, n) &&
             buf_append_char(&text, '"');
        free(pad);
    }
    if (!ok || !buf_append_char(&text, '}')) {
        buf_finish(&text);
        return send_error(c, 500, "internal_error", "the page could not be written");
    }
    size_t len = text.len;
    if (!truncate)
        return send_text(c, 200, buf_steal(&text), len, NULL);
    /* Fault injection: half a body, as a connection cut mid-response would leave it. */
    size_t half = len / 2;
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(half, text.data, MHD_RESPMEM_MUST_COPY);
    buf_finish(&text);
    ret = queue(c, 200, mr, half);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result
handle_push(struct cs_server *srv, struct MHD_Connection *c, struct cs_device *dev,
            const struct buf *body, bool lose)
{
    enum MHD_Result ret;
    json_t *req = parse_body(c, body, &ret);
    if (req == NULL)
        return ret;
    json_t *items = json_object_get(req, "items");
    if (!json_is_array(items) || json_array_size(items) > MAX_PUSH_ITEMS) {
        json_decref(req);
        return send_error(c, 400, "invalid_request", "items: expected an array of at most 100");
    }
    json_t *results = json_array();
    struct errbuf err;
    struct cs_push_stop stop;
    enum cs_result r =
        cs_push_items(srv->st, dev, items, (int64_t)time(NULL), results, &stop, &err);
    if (r == CS_CONFLICT) {
        json_decref(results);
        json_decref(req);
        LOG_INFO("push from %s: %s (expected seq %lld)", dev->id,
                 stop.gap ? "sequence gap" : "sequence conflict", (long long)stop.expected);
        return send_json(c, 409,
                         json_pack("{s:s, s:s, s:I, s:s}", "error",
                                   stop.gap ? "sequence_gap" : "sequence_conflict", "message",
                                   err.msg, "expected", (json_int_t)stop.expected, "uuid",
                                   stop.uuid),
                         NULL);
    }
    if (r == CS_INVALID) {
        json_decref(results);
        json_decref(req);
        return send_error(c, 400, "invalid_request", err.msg);
    }
    if (r != CS_OK) {
        json_decref(results);
        json_decref(req);
        return send_error(c, 500, "internal_error", "the case store failed");
    }
    json_decref(req);
    LOG_INFO("push from %s: %zu items", dev->id, json_array_size(results));
    if (lose) {
        /* Fault injection: the effect is committed, the answer is lost. */
        json_decref(results);
        return send_error(c, 500, "internal_error", "injected: response lost after commit");
    }
    return send_json(c, 200,
                     json_pack("{s:I, s:I, s:o}", "server_time", (json_int_t)server_now(srv),
                               "last_seq", (json_int_t)dev->last_seq, "results", results),
                     NULL);
}

/* POST /v1/report (signed): records a kiosk set aside (PROTOCOL.md §9). Logged by count only:
 * the entries are the device's words. */
static enum MHD_Result
handle_report(struct cs_server *srv, struct MHD_Connection *c, const char *method,
              const struct buf *body)
{
    if (strcmp(method, "POST") != 0)
        return send_error(c, 405, "method_not_allowed", "use POST");
    struct cs_device dev;
    enum MHD_Result ret;
    if (!authenticate(srv, c, method, "/v1/report", body, &dev, &ret))
        return ret;
    json_t *req = parse_body(c, body, &ret);
    if (req == NULL)
        return ret;
    json_t *list = json_object_get(req, "set_aside");
    if (!json_is_array(list) || json_array_size(list) > 100) {
        json_decref(req);
        return send_error(c, 400, "invalid_request", "set_aside: expected an array of at most 100");
    }
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        struct errbuf err;
        const char *s = NULL;
        if (!json_get_str(e, "kind", true, 32, &s, &err) ||
            !json_get_str(e, "id", true, 200, &s, &err) ||
            !json_get_str(e, "reason", true, 200, &s, &err)) {
            err_prefix(&err, "set_aside[%zu]", i);
            json_decref(req);
            return send_error(c, 400, "invalid_request", err.msg);
        }
    }
    enum cs_result r = cs_report_store(srv->st, dev.id, list, server_now(srv));
    json_decref(req);
    if (r != CS_OK)
        return send_error(c, 500, "internal_error", "the case store failed");
    if (i > 0)
        LOG_WARN("%s reports %zu records set aside (casestore device reports)", dev.id, i);
    return send_json(
        c, 200, json_pack("{s:s, s:I}", "status", "ok", "server_time", (json_int_t)server_now(srv)),
        NULL);
}

/* POST /v1/status (signed): a kiosk's usage counts and health (PROTOCOL.md §9), checked
 * strictly (fleet.c), never logged but by count. lose: fault injection, as for a push. */
static enum MHD_Result
handle_status(struct cs_server *srv, struct MHD_Connection *c, const char *method,
              const struct buf *body, bool lose)
{
    if (strcmp(method, "POST") != 0)
        return send_error(c, 405, "method_not_allowed", "use POST");
    struct cs_device dev;
    enum MHD_Result ret;
    if (!authenticate(srv, c, method, "/v1/status", body, &dev, &ret))
        return ret;
    json_t *req = parse_body(c, body, &ret);
    if (req == NULL)
        return ret;
    int64_t batch = 0;
    const json_t *usage = NULL;
    struct cs_health health;
    struct errbuf err = { "" };
    if (!cs_status_check(req, server_now(srv), &batch, &usage, &health, &err)) {
        json_decref(req);
        LOG_WARN("%s sent a status that was refused: %s", dev.id, err.msg);
        return send_error(c, 400, "invalid_request", err.msg);
    }
    bool duplicate = false;
    enum cs_result r =
        cs_status_put(srv->st, &dev, batch, usage, &health, server_now(srv), &duplicate);
    size_t n = json_array_size(usage);
    json_decref(req);
    if (r != CS_OK)
        return send_error(c, 500, "internal_error", "the case store failed");
    LOG_INFO("status from %s: batch %lld, %zu counts%s", dev.id, (long long)batch, n,
             duplicate ? " (a repeat: not counted again)" : "");
    if (lose)
        return send_error(c, 500, "internal_error", "injected: response lost after commit");
    return send_json(c, 200,
                     json_pack("{s:s, s:I, s:I}", "status", duplicate ? "duplicate" : "ok", "batch",
                               (json_int_t)batch, "server_time", (json_int_t)server_now(srv)),
                     NULL);
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    struct cs_server *srv = cls;
    struct request *req = *con_cls;
    if (req == NULL) {
        req = xcalloc(1, sizeof(*req));
        buf_init(&req->body, MAX_BODY);
        clock_gettime(CLOCK_REALTIME, &req->started);
        static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "HEAD" };
        snprintf(req->method, sizeof(req->method), "OTHER");
        for (size_t i = 0; i < ARRAY_LEN(methods); i++) {
            if (strcmp(method, methods[i]) == 0)
                snprintf(req->method, sizeof(req->method), "%s", methods[i]);
        }
        req->path = known_path(url);
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        req->in_bytes += *upload_size;
        if (!req->too_large && !buf_append(&req->body, upload, *upload_size))
            req->too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    current = req; /* until handle_logged returns */
    if (req->too_large)
        return send_error(c, 413, "too_large", "the body is larger than 1 MiB");

    char fault[16] = "";
    bool faulted = take_fault(srv, url, fault);
    bool is_rp = strncmp(url, "/rp/v6.0/", 9) == 0;
    if (faulted && is_rp && strcmp(fault, "garbage") == 0) {
        static const char cut[] = "{\"orderRef\":\"131daac9-16c6-4618-beb0-365768f37288\",\"sta";
        struct MHD_Response *r =
            MHD_create_response_from_buffer(sizeof(cut) - 1, (void *)cut, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result ret = queue(c, 200, r, sizeof(cut) - 1);
        MHD_destroy_response(r);
        return ret;
    }
    if (faulted &&
        (strcmp(fault, "500") == 0 || strcmp(fault, "503") == 0 || strcmp(fault, "429") == 0)) {
        unsigned status = (unsigned)atoi(fault);
        if (is_rp) /* in BankID's own words */
            return send_json(c, status,
                             json_pack("{s:s, s:s}", "errorCode",
                                       status == 429   ? "tooManyRequests"
                                       : status == 503 ? "maintenance"
                                                       : "internalError",
                                       "details", "injected fault"),
                             status == 500 ? NULL : "2");
        return send_error(c, status,
                          status == 429   ? "too_many_requests"
                          : status == 503 ? "maintenance"
                                          : "internal_error",
                          "injected fault");
    }

    bool post = strcmp(method, "POST") == 0;
    if (is_rp) {
        /* The BankID simulator: like the real RP endpoint, only for a relying party that
         * presents a client certificate from the RP CA (mutual TLS). */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (ci == NULL || !cs_tls_peer_is_rp(ci->tls_session))
            return send_json(c, 401,
                             json_pack("{s:s, s:s}", "errorCode", "unauthorized", "details",
                                       "a relying-party client certificate is required"),
                             NULL);
        if (!post)
            return send_json(
                c, 405,
                json_pack("{s:s, s:s}", "errorCode", "methodNotAllowed", "details", "use POST"),
                NULL);
        struct errbuf perr;
        json_t *breq = json_parse_capped(buf_str(&req->body), req->body.len, 65536, &perr);
        if (!json_is_object(breq)) {
            json_decref(breq);
            return send_json(c, 400,
                             json_pack("{s:s, s:s}", "errorCode", "invalidParameters", "details",
                                       "the body is not a JSON object"),
                             NULL);
        }
        unsigned status = 500;
        json_t *answer = NULL;
        bankid_sim_handle(srv->st, url + 9, breq, server_now(srv), srv->demo, &status, &answer);
        json_decref(breq);
        return send_json(c, status, answer, NULL);
    }
    if (strcmp(url, "/v1/health") == 0 || strcmp(url, "/v1/time") == 0) {
        if (strcmp(method, "GET") != 0)
            return send_error(c, 405, "method_not_allowed", "use GET");
        return send_json(c, 200,
                         json_pack("{s:s, s:s, s:I}", "status", "ok", "version", MINASIDOR_VERSION,
                                   "server_time", (json_int_t)server_now(srv)),
                         NULL);
    }
    if (strcmp(url, "/v1/enroll") == 0) {
        if (!post)
            return send_error(c, 405, "method_not_allowed", "use POST");
        return handle_enroll(srv, c, &req->body);
    }
    if (strcmp(url, "/v1/report") == 0)
        return handle_report(srv, c, method, &req->body);
    if (strcmp(url, "/v1/status") == 0)
        return handle_status(srv, c, method, &req->body, faulted && strcmp(fault, "lose") == 0);
    bool is_pull = strcmp(url, "/v1/pull") == 0, is_push = strcmp(url, "/v1/push") == 0;
    bool is_roles = strcmp(url, "/v1/roles") == 0, is_unenroll = strcmp(url, "/v1/unenroll") == 0;
    if (!is_pull && !is_push && !is_roles && !is_unenroll)
        return send_error(c, 404, "not_found", "no such endpoint");
    if (!post)
        return send_error(c, 405, "method_not_allowed", "use POST");
    struct cs_device dev;
    enum MHD_Result ret;
    if (!authenticate(srv, c, method, url, &req->body, &dev, &ret))
        return ret;
    if (is_unenroll) {
        if (cs_device_revoke(srv->st, dev.id) != CS_OK)
            return send_error(c, 404, "unknown_device", "this device is not enrolled");
        return send_json(c, 200, json_pack("{s:s}", "status", "revoked"), NULL);
    }
    if (is_roles) {
        char *doc = site_roles_document(srv->st, dev.site, server_now(srv));
        unsigned char sig[64];
        size_t dl = strlen(doc);
        crypto_sign_detached(sig, NULL, (const unsigned char *)doc, dl, srv->roles_sk);
        size_t cap = sodium_base64_ENCODED_LEN(dl, sodium_base64_VARIANT_ORIGINAL);
        char *d64 = xmalloc(cap);
        httpsig_b64((const unsigned char *)doc, dl, d64, cap);
        char s64[128];
        httpsig_b64(sig, sizeof(sig), s64, sizeof(s64));
        free(doc);
        json_t *answer = json_pack("{s:s, s:s, s:I}", "document", d64, "signature", s64,
                                   "server_time", (json_int_t)server_now(srv));
        free(d64);
        return send_json(c, 200, answer, NULL);
    }
    if (is_pull)
        return handle_pull(srv, c, &dev, &req->body, faulted && strcmp(fault, "truncate") == 0,
                           faulted && strcmp(fault, "oversize") == 0);
    return handle_push(srv, c, &dev, &req->body, faulted && strcmp(fault, "lose") == 0);
}

/* handle, with the request it answers known to queue() and authenticate() meanwhile. */
static enum MHD_Result
handle_logged(void *cls, struct MHD_Connection *c, const char *url, const char *method,
              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    enum MHD_Result ret = handle(cls, c, url, method, version, upload, upload_size, con_cls);
    current = NULL;
    return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    struct cs_server *srv = cls;
    struct request *req = *con_cls;
    if (req != NULL) {
        access_log(srv, req);
        buf_finish_wipe(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

static bool
parse_listen(const char *listen, struct sockaddr_in *sa)
{
    const char *colon = strrchr(listen, ':');
    if (colon == NULL)
        return false;
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return false;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    int port = atoi(colon + 1);
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return port > 0 && port < 65536 && inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

struct cs_server *
cs_server_start(struct cs_storage *st, const struct cs_server_options *o, struct errbuf *err)
{
    struct sockaddr_in sa;
    if (!parse_listen(o->listen, &sa)) {
        err_set(err, "--listen: expected IPv4:PORT, got \"%s\"", o->listen);
        return NULL;
    }
    struct cs_server *srv = xcalloc(1, sizeof(*srv));
    srv->st = st;
    memcpy(srv->roles_sk, o->roles_sk, sizeof(srv->roles_sk));
    memcpy(srv->roles_pk, o->roles_pk, sizeof(srv->roles_pk));
    srv->demo = o->demo;
    const char *skew = getenv("CASESTORE_CLOCK_OFFSET_S");
    srv->clock_offset_s = skew ? strtoll(skew, NULL, 10) : 0;
    const char *window = getenv("CASESTORE_ENROLL_WINDOW_S");
    srv->enroll_window_s = window ? strtoll(window, NULL, 10) : ENROLL_WINDOW_S;
    srv->access_log = -1;
    if (o->access_log != NULL) {
        srv->access_log = open(o->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (srv->access_log < 0) {
            err_set(err, "%s: cannot open the access log: %s", o->access_log, strerror(errno));
            free(srv);
            return NULL;
        }
    }
    pthread_mutex_init(&srv->enroll_lock, NULL);
    pthread_mutex_init(&srv->fault_lock, NULL);
    for (size_t i = 0; o->faults && o->faults[i] && srv->n_faults < ARRAY_LEN(srv->faults); i++) {
        struct fault *f = &srv->faults[srv->n_faults];
        if (sscanf(o->faults[i], "%15[^:]:%31[^:]:%d", f->kind, f->path, &f->remaining) != 3) {
            err_set(err, "--inject: expected KIND:PATH:COUNT, got \"%s\"", o->faults[i]);
            cs_server_stop(srv);
            return NULL;
        }
        srv->n_faults++;
    }
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        handle_logged, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES, MHD_OPTION_HTTPS_MEM_KEY, o->key_pem,
        MHD_OPTION_HTTPS_MEM_CERT, o->cert_pem, MHD_OPTION_HTTPS_MEM_TRUST, o->rp_ca_pem,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads ? o->threads : 4),
        MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_END);
    if (srv->daemon == NULL) {
        err_set(err, "cannot listen on %s (in use, or the TLS key and certificate are wrong)",
                o->listen);
        cs_server_stop(srv);
        return NULL;
    }
    return srv;
}

void
cs_server_stop(struct cs_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->daemon != NULL)
        MHD_stop_daemon(srv->daemon);
    sodium_memzero(srv->roles_sk, sizeof(srv->roles_sk));
    if (srv->access_log >= 0)
        close(srv->access_log);
    pthread_mutex_destroy(&srv->enroll_lock);
    pthread_mutex_destroy(&srv->fault_lock);
    free(srv);
}
