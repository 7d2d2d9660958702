/* The audit log: every read of a citizen's personal data and every submission, hash-chained
 * with a MAC under a key derived from the root key, so that a removed, altered or reordered
 * entry, or a cut-off tail, is detected. The newest MAC and the count also live in device_state,
 * written in the same transaction. Details are sealed under the citizen's key, so erasing the
 * citizen makes them unreadable while the chain stays verifiable. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"

#define LOG_MODULE "store"
#include "log.h"

#define MAC_BYTES 32

static const char *const session_codes[] = {
    [STORE_SESSION_CITIZEN] = "citizen",
    [STORE_SESSION_STAFF] = "staff",
    [STORE_SESSION_TECHNICIAN] = "technician",
    [STORE_SESSION_SYSTEM] = "system",
};

static void
put64(crypto_generichash_state *h, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (8 * i));
    crypto_generichash_update(h, b, 8);
}

static void
put_bytes(crypto_generichash_state *h, const void *p, size_t n)
{
    put64(h, (int64_t)n);
    if (n > 0)
        crypto_generichash_update(h, p, n);
}

static void
entry_mac(const struct store *s, const unsigned char prev[MAC_BYTES], int64_t id, int64_t at,
          const char *session, const void *bidx, size_t bidx_len, const char *category,
          const void *staff, size_t staff_len, const void *details, size_t details_len,
          int64_t details_citizen, unsigned char out[MAC_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, store_subkey(s, SUBKEY_AUDIT), KEY_BYTES, MAC_BYTES);
    crypto_generichash_update(&h, prev, MAC_BYTES);
    put64(&h, id);
    put64(&h, at);
    put_bytes(&h, session, strlen(session));
    put_bytes(&h, bidx, bidx_len);
    put_bytes(&h, category, strlen(category));
    put_bytes(&h, staff, staff_len);
    put_bytes(&h, details, details_len);
    put64(&h, details_citizen);
    crypto_generichash_final(&h, out, MAC_BYTES);
}

enum store_error
audit_append_in_tx(struct store *s, const struct store_actor *actor, int64_t citizen_id,
                   const char *category, const char *details)
{
    sqlite3_stmt *st = NULL;
    int64_t count = -1;
    unsigned char prev[MAC_BYTES] = { 0 };
    if (sqlite3_prepare_v2(s->db, "SELECT audit_count, audit_last_mac FROM device_state", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == MAC_BYTES) {
        count = sqlite3_column_int64(st, 0);
        memcpy(prev, sqlite3_column_blob(st, 1), MAC_BYTES);
    }
    sqlite3_finalize(st);
    if (count < 0)
        return STORE_ERR_IO;

    unsigned char bidx[KEY_BYTES];
    size_t bidx_len = 0;
    if (citizen_id > 0) {
        if (sqlite3_prepare_v2(s->db, "SELECT bidx FROM citizens WHERE id=?1", -1, &st, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_int64(st, 1, citizen_id);
            if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == KEY_BYTES) {
                memcpy(bidx, sqlite3_column_blob(st, 0), KEY_BYTES);
                bidx_len = KEY_BYTES;
            }
        }
        sqlite3_finalize(st);
    }
    /* Staff are identified by a keyed hash, not in clear: the log itself is personal data. */
    unsigned char staff[16];
    size_t staff_len = 0;
    if (actor->staff_id != NULL) {
        crypto_generichash(staff, sizeof(staff), (const unsigned char *)actor->staff_id,
                           strlen(actor->staff_id), store_subkey(s, SUBKEY_AUDIT), KEY_BYTES);
        staff_len = sizeof(staff);
    }
    int64_t id = count + 1;
    int64_t at = (int64_t)time(NULL);
    const unsigned char *key = NULL;
    int64_t details_citizen = citizen_id > 0 ? citizen_id : 0;
    enum store_error e = citizen_id > 0 ? citizen_key(s, citizen_id, &key) : STORE_OK;
    if (key == NULL)
        key = store_subkey(s, SUBKEY_DEVICE);
    if (e != STORE_OK)
        return e;
    char text[512];
    snprintf(text, sizeof(text), "%s%s%s", actor->reason ? "reason: " : "",
             actor->reason ? actor->reason : "", actor->reason ? "; " : "");
    size_t tl = strlen(text);
    snprintf(text + tl, sizeof(text) - tl, "%s", details ? details : "");
    unsigned char *blob;
    size_t blob_len;
    seal_field(key, "audit_log", "details", id, details_citizen, text, strlen(text), &blob,
               &blob_len);
    sodium_memzero(text, sizeof(text));
    const char *session = session_codes[actor->kind];
    unsigned char mac[MAC_BYTES];
    entry_mac(s, prev, id, at, session, bidx, bidx_len, category, staff, staff_len, blob, blob_len,
              details_citizen, mac);

    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO audit_log (id, at, session_kind, citizen_bidx,"
                                " category, staff_ref, details, details_citizen, mac)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, at);
        sqlite3_bind_text(st, 3, session, -1, SQLITE_STATIC);
        if (bidx_len)
            sqlite3_bind_blob(st, 4, bidx, (int)bidx_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, category, -1, SQLITE_STATIC);
        if (staff_len)
            sqlite3_bind_blob(st, 6, staff, (int)staff_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 7, blob, (int)blob_len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, details_citizen);
        sqlite3_bind_blob(st, 9, mac, MAC_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    free(blob);
    if (rc != SQLITE_DONE)
        return sql_error(s, rc, "writing the audit log");
    rc = sqlite3_prepare_v2(s->db,
                            "UPDATE device_state SET audit_count=?1, audit_last_mac=?2 WHERE id=1",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_blob(st, 2, mac, MAC_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "writing the audit anchor");
}

enum store_error
store_audit_append(struct store *s, const struct store_actor *actor, int64_t citizen_id,
                   const char *category, const char *details)
{
    enum store_error e = tx_begin(s);
    if (e == STORE_OK)
        e = audit_append_in_tx(s, actor, citizen_id, category, details);
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK)
        tx_rollback(s);
    return e;
}

enum store_error
store_audit_verify(struct store *s, int64_t *entries, struct errbuf *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, at, session_kind, citizen_bidx, category, staff_ref,"
                                " details, details_citizen, mac FROM audit_log ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, "reading the audit log");
    unsigned char prev[MAC_BYTES] = { 0 };
    int64_t expect = 1;
    enum store_error e = STORE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id != expect) {
            err_set(err, "audit log: entry %lld is missing", (long long)expect);
            e = STORE_ERR_TAMPERED;
            break;
        }
        const char *session = (const char *)sqlite3_column_text(st, 2);
        const char *category = (const char *)sqlite3_column_text(st, 4);
        unsigned char mac[MAC_BYTES];
        entry_mac(s, prev, id, sqlite3_column_int64(st, 1), session ? session : "",
                  sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3),
                  category ? category : "", sqlite3_column_blob(st, 5),
                  (size_t)sqlite3_column_bytes(st, 5), sqlite3_column_blob(st, 6),
                  (size_t)sqlite3_column_bytes(st, 6), sqlite3_column_int64(st, 7), mac);
        if (sqlite3_column_bytes(st, 8) != MAC_BYTES ||
            sodium_memcmp(mac, sqlite3_column_blob(st, 8), MAC_BYTES) != 0) {
            err_set(err, "audit log: entry %lld was altered", (long long)id);
            e = STORE_ERR_TAMPERED;
            break;
        }
        memcpy(prev, mac, MAC_BYTES);
        expect++;
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "reading the audit log");
    sqlite3_finalize(st);
    if (e == STORE_OK) {
        rc = sqlite3_prepare_v2(s->db, "SELECT audit_count, audit_last_mac FROM device_state", -1,
                                &st, NULL);
        if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
            if (sqlite3_column_int64(st, 0) != expect - 1 ||
                sqlite3_column_bytes(st, 1) != MAC_BYTES ||
                sodium_memcmp(prev, sqlite3_column_blob(st, 1), MAC_BYTES) != 0) {
                err_set(err, "audit log: the newest entries were removed (%lld of %lld left)",
                        (long long)(expect - 1), (long long)sqlite3_column_int64(st, 0));
                e = STORE_ERR_TAMPERED;
            }
        } else {
            e = sql_error(s, rc, "reading the audit anchor");
        }
        sqlite3_finalize(st);
    }
    if (e == STORE_ERR_TAMPERED)
        LOG_ERR("%s", err ? err->msg : "audit log tampered");
    if (entries != NULL)
        *entries = expect - 1;
    return e;
}

enum store_error
store_audit_read(struct store *s, int64_t after, struct store_audit_entries **out)
{
    *out = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, at, session_kind, category, citizen_bidx IS NOT NULL,"
                                " staff_ref IS NOT NULL, details, details_citizen FROM audit_log"
                                " WHERE id > ?1 ORDER BY id",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, "reading the audit log");
    sqlite3_bind_int64(st, 1, after);
    struct store_arena *a = arena_create();
    struct store_audit_entries *r = arena_alloc(a, sizeof(*r));
    r->arena = a;
    size_t cap = 0;
    enum store_error e = STORE_OK;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->n == cap) {
            cap = cap ? cap * 2 : 32;
            struct store_audit_entry *grown = arena_alloc(a, cap * sizeof(*grown));
            if (r->n > 0)
                memcpy(grown, r->entries, r->n * sizeof(*grown));
            r->entries = grown;
        }
        struct store_audit_entry *en = &r->entries[r->n++];
        en->id = sqlite3_column_int64(st, 0);
        en->at = sqlite3_column_int64(st, 1);
        en->session = arena_strndup(a, (const char *)sqlite3_column_text(st, 2),
                                    (size_t)sqlite3_column_bytes(st, 2));
        en->category = arena_strndup(a, (const char *)sqlite3_column_text(st, 3),
                                     (size_t)sqlite3_column_bytes(st, 3));
        en->about_citizen = sqlite3_column_int(st, 4) != 0;
        en->by_staff = sqlite3_column_int(st, 5) != 0;
        int64_t cit = sqlite3_column_int64(st, 7);
        const unsigned char *key = NULL;
        if (cit > 0 && citizen_key(s, cit, &key) != STORE_OK) {
            en->details = "(the citizen was erased)"; /* crypto-shredded with their key */
            continue;
        }
        if (key == NULL)
            key = store_subkey(s, SUBKEY_DEVICE);
        char *text = NULL;
        size_t len = 0;
        e = open_field(key, "audit_log", "details", en->id, cit, sqlite3_column_blob(st, 6),
                       (size_t)sqlite3_column_bytes(st, 6), a, &text, &len);
        en->details = text;
    }
    sqlite3_finalize(st);
    if (e == STORE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = sql_error(s, rc, "reading the audit log");
    if (e != STORE_OK) {
        arena_destroy(a);
        return e;
    }
    *out = r;
    return STORE_OK;
}

void
store_audit_free(struct store_audit_entries *e)
{
    if (e != NULL)
        arena_destroy(e->arena);
}
