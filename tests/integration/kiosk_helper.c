/* Test helper for the sync suite: acts on a provisioned kiosk the way the (future) UI and an
 * attacker would, so the Python tests can drive real processes.
 *
 *   kiosk_helper CONF submit PNR|- KIND MAIN TYPE CLASS COUNT   queue submissions
 *   kiosk_helper CONF find PNR                                  exit 0 found, 3 not found
 *   kiosk_helper CONF counts                                    rows per table, outbox states
 *   kiosk_helper CONF replay [URL]                              send one signed pull twice (the
 *                                                               second time to URL if given)
 *   kiosk_helper CONF push-raw FILE                             POST FILE's bytes to /v1/push
 *   kiosk_helper CONF post-raw PATH FILE                        ... or to PATH, signed with the
 *                                                               device key; prints the status
 *                                                               and the body
 *   kiosk_helper CONF audit                                     the audit log, opened (TSV)
 *   kiosk_helper CONF refs KIND                                 for each case store id on stdin,
 *                                                               "id<TAB>reference" as the cache
 *                                                               keeps it
 *   kiosk_helper CONF outbox                                    uuid, wire seq, state and case
 *                                                               number of every item (TSV)
 *   kiosk_helper CONF records PNR                               every record of the citizen,
 *                                                               opened: kind, stored id and the
 *                                                               fields as JSON (TSV) */
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "httpsig.h"
#include "kiosk_state.h"
#include "settings.h"
#include "xalloc.h"

static size_t
discard(char *d, size_t s, size_t n, void *u)
{
    (void)d, (void)u;
    return s * n;
}

static int
replay(const struct config *cfg, struct kiosk_state *ks, const char *second_url)
{
    const char *body = "{\"cursor\":\"\",\"limit\":1}";
    char digest[HTTPSIG_DIGEST_MAX];
    httpsig_content_digest(body, strlen(body), digest);
    struct httpsig_params p = { .created = (int64_t)time(NULL) };
    httpsig_nonce(p.nonce);
    snprintf(p.keyid, sizeof(p.keyid), "%s", config_get_string(cfg, "device.id"));
    char *input, *sig;
    httpsig_sign(ks->sk, "POST", "/v1/pull", digest, &p, &input, &sig);
    char *h1 = xasprintf("Content-Digest: %s", digest),
         *h2 = xasprintf("Signature-Input: %s", input), *h3 = xasprintf("Signature: %s", sig);
    struct curl_slist *hs = curl_slist_append(NULL, h1);
    hs = curl_slist_append(hs, h2);
    hs = curl_slist_append(hs, h3);
    char *url = xasprintf("%s/v1/pull", config_get_string(cfg, "server.url"));
    char *url2 =
        xasprintf("%s/v1/pull", second_url ? second_url : config_get_string(cfg, "server.url"));
    for (int i = 0; i < 2; i++) {
        CURL *h = curl_easy_init();
        curl_easy_setopt(h, CURLOPT_URL, i == 0 ? url : url2);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, config_get_string(cfg, "server.pin"));
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        long status = 0;
        if (curl_easy_perform(h) == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        printf("%ld\n", status);
        curl_easy_cleanup(h);
    }
    curl_slist_free_all(hs);
    free(h1), free(h2), free(h3), free(url), free(url2), free(input), free(sig);
    return 0;
}

struct answer {
    char *data;
    size_t len;
};

static size_t
collect(char *d, size_t s, size_t n, void *u)
{
    struct answer *a = u;
    a->data = xrealloc(a->data, a->len + s * n + 1);
    memcpy(a->data + a->len, d, s * n);
    a->len += s * n;
    a->data[a->len] = '\0';
    return s * n;
}

/* Signs body as the device (a fresh nonce) and POSTs it to path: what a device that holds the
 * key can send, whatever the kiosk's own code would. Prints the status, then the body. */
static int
post_raw(const struct config *cfg, struct kiosk_state *ks, const char *path, const char *file)
{
    FILE *f = fopen(file, "rb");
    if (f == NULL) {
        perror(file);
        return 2;
    }
    struct answer body = { NULL, 0 };
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        collect(chunk, 1, n, &body);
    fclose(f);
    char digest[HTTPSIG_DIGEST_MAX];
    httpsig_content_digest(body.data ? body.data : "", body.len, digest);
    struct httpsig_params p = { .created = (int64_t)time(NULL) };
    httpsig_nonce(p.nonce);
    snprintf(p.keyid, sizeof(p.keyid), "%s", config_get_string(cfg, "device.id"));
    char *input, *sig;
    httpsig_sign(ks->sk, "POST", path, digest, &p, &input, &sig);
    char *h1 = xasprintf("Content-Digest: %s", digest),
         *h2 = xasprintf("Signature-Input: %s", input), *h3 = xasprintf("Signature: %s", sig);
    struct curl_slist *hs = curl_slist_append(NULL, h1);
    hs = curl_slist_append(hs, h2);
    hs = curl_slist_append(hs, h3);
    hs = curl_slist_append(hs, "Content-Type: application/json");
    char *url = xasprintf("%s%s", config_get_string(cfg, "server.url"), path);
    struct answer got = { NULL, 0 };
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data ? body.data : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, config_get_string(cfg, "server.pin"));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
    long status = 0;
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, "kiosk_helper: %s\n", curl_easy_strerror(rc));
    printf("%ld\n%s\n", status, got.data ? got.data : "");
    curl_easy_cleanup(h);
    curl_slist_free_all(hs);
    free(h1), free(h2), free(h3), free(url), free(input), free(sig), free(body.data),
        free(got.data);
    return rc == CURLE_OK ? 0 : 1;
}

static void
counts(const struct config *cfg)
{
    sqlite3 *db = NULL;
    sqlite3_open_v2(config_get_string(cfg, "store.path"), &db, SQLITE_OPEN_READONLY, NULL);
    for (int k = 0; k < STORE_KIND_COUNT; k++) {
        const char *table = store_kind((enum store_kind)k)->table;
        char *sql = xasprintf("SELECT count(*) FROM %s", table);
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (sqlite3_step(st) == SQLITE_ROW)
            printf("%s %lld\n", table, (long long)sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
        free(sql);
    }
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "SELECT state, count(*) FROM outbox GROUP BY state", -1, &st, NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("outbox.%s %lld\n", sqlite3_column_text(st, 0),
               (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Every record of one citizen, each kind in turn, as the store opens them. */
static int
records(struct kiosk_state *ks, const char *pnr)
{
    struct store_actor actor = { STORE_SESSION_SYSTEM, NULL, NULL };
    int64_t cid;
    if (store_citizen_find(ks->store, pnr, &cid) != STORE_OK)
        return 3;
    for (int k = 0; k < STORE_KIND_COUNT; k++) {
        const struct store_kind_def *d = store_kind((enum store_kind)k);
        struct store_rows *rows = NULL;
        if (!d->personal)
            continue;
        if (store_list(ks->store, &actor, (enum store_kind)k, cid, 0, &rows) != STORE_OK)
            return 1;
        for (size_t i = 0; i < rows->n; i++) {
            const struct record *r = &rows->rows[i];
            json_t *o = json_object();
            for (size_t f = 0; f < d->n_fields; f++) {
                if (r->text[f] != NULL)
                    json_object_set_new(o, d->fields[f].name,
                                        d->fields[f].type == STORE_FIELD_INT
                                            ? json_integer(r->num[f])
                                            : json_string(r->text[f]));
            }
            char *j = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
            printf("%s\t%s\t%s\n", d->name, r->server_id, j);
            free(j);
            json_decref(o);
        }
        store_rows_free(rows);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: kiosk_helper CONF submit|find|counts|replay ...\n");
        return 2;
    }
    struct errbuf err;
    struct config *cfg = settings_load(argv[1], NULL, 0, &err);
    if (cfg == NULL) {
        fprintf(stderr, "kiosk_helper: %s\n", err.msg);
        return 2;
    }
    if (strcmp(argv[2], "counts") == 0) {
        counts(cfg);
        config_destroy(cfg);
        return 0;
    }
    struct kiosk_state ks;
    if (!kiosk_state_open(cfg, true, &ks, &err)) {
        fprintf(stderr, "kiosk_helper: %s\n", err.msg);
        config_destroy(cfg);
        return 2;
    }
    int rc = 0;
    struct store_actor actor = { STORE_SESSION_CITIZEN, NULL, NULL };
    if (strcmp(argv[2], "find") == 0 && argc == 4) {
        int64_t id;
        rc = store_citizen_find(ks.store, argv[3], &id) == STORE_OK ? 0 : 3;
    } else if (strcmp(argv[2], "submit") == 0 && argc == 9) {
        int64_t cid = 0;
        if (strcmp(argv[3], "-") != 0 && store_citizen_find(ks.store, argv[3], &cid) != STORE_OK) {
            fprintf(stderr, "kiosk_helper: no such citizen here\n");
            rc = 3;
        }
        for (int i = 0; rc == 0 && i < atoi(argv[8]); i++) {
            char payload[96];
            snprintf(payload, sizeof(payload),
                     "{\"text\":\"submission %d\",\"phone\":\"+46701234567\"}", i);
            struct store_submission sub = { argv[4],
                                            argv[5],
                                            argv[6],
                                            argv[7],
                                            cid,
                                            payload,
                                            "{\"by\":\"citizen\",\"identified_with\":\"bankid\"}",
                                            (int64_t)time(NULL) };
            char uuid[37];
            if (store_outbox_add(ks.store, &actor, &sub, uuid, NULL) != STORE_OK)
                rc = 1;
        }
    } else if (strcmp(argv[2], "replay") == 0) {
        rc = replay(cfg, &ks, argc > 3 ? argv[3] : NULL);
    } else if (strcmp(argv[2], "push-raw") == 0 && argc == 4) {
        rc = post_raw(cfg, &ks, "/v1/push", argv[3]);
    } else if (strcmp(argv[2], "post-raw") == 0 && argc == 5) {
        rc = post_raw(cfg, &ks, argv[3], argv[4]);
    } else if (strcmp(argv[2], "refs") == 0 && argc == 4) {
        enum store_kind kind;
        char line[256];
        rc = store_kind_from_name(argv[3], &kind) ? 0 : 2;
        while (rc == 0 && fgets(line, sizeof(line), stdin) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            char ref[33];
            printf("%s\t%s\n", line, store_stored_id(ks.store, kind, line, ref));
        }
    } else if (strcmp(argv[2], "outbox") == 0) {
        struct store_outbox *ob = NULL;
        rc = store_outbox_list(ks.store, false, 0, &ob) == STORE_OK ? 0 : 1;
        for (size_t i = 0; ob != NULL && i < ob->n; i++) {
            const struct store_outbox_item *it = &ob->items[i];
            printf("%s\t%lld\t%s\t%s\n", it->uuid, (long long)it->wire_seq,
                   store_outbox_state_code(it->state), it->case_number ? it->case_number : "-");
        }
        store_outbox_free(ob);
    } else if (strcmp(argv[2], "records") == 0 && argc == 4) {
        rc = records(&ks, argv[3]);
    } else if (strcmp(argv[2], "usage") == 0 && argc == 6) {
        /* usage COUNTER N UTC_SECONDS: N uses counted as the kiosk counts them (in memory,
         * written by a flush), for sync to send. */
        struct store_usage *u = store_usage_create();
        for (long i = 0; i < atol(argv[4]); i++)
            store_usage_count(u, atoll(argv[5]), argv[3]);
        rc = store_usage_flush(u, ks.store) == STORE_OK ? 0 : 1;
        store_usage_destroy(u);
    } else if (strcmp(argv[2], "audit") == 0) {
        struct store_audit_entries *a = NULL;
        rc = store_audit_read(ks.store, 0, &a) == STORE_OK ? 0 : 1;
        for (size_t i = 0; a != NULL && i < a->n; i++) {
            const struct store_audit_entry *e = &a->entries[i];
            printf("%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)e->id, e->session, e->category,
                   e->about_citizen ? "citizen" : "-", e->by_staff ? "staff" : "-",
                   e->details ? e->details : "");
        }
        store_audit_free(a);
    } else {
        fprintf(stderr, "kiosk_helper: unknown command\n");
        rc = 2;
    }
    kiosk_state_close(&ks);
    config_destroy(cfg);
    return rc;
}
