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

/* Schema 1-3's chain, over the columns that were then in the clear (for the migration only). */
static void
entry_mac_v1(const struct store *s, const unsigned char prev[MAC_BYTES], int64_t id, int64_t at,
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

/* The chain: each entry's MAC covers the previous MAC, its id and both sealed blobs. */
static void
entry_mac(const struct store *s, const unsigned char prev[MAC_BYTES], int64_t id,
          const void *header, size_t header_len, const void *details, size_t details_len,
          unsigned char out[MAC_BYTES])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, store_subkey(s, SUBKEY_AUDIT), KEY_BYTES, MAC_BYTES);
    crypto_generichash_update(&h, prev, MAC_BYTES);
    put64(&h, id);
    put_bytes(&h, header, header_len);
    put_bytes(&h, details, details_len);
    crypto_generichash_final(&h, out, MAC_BYTES);
}

/* What an entry says about itself, sealed under the device key (so it survives a citizen's
 * erasure, which shreds only the details): "AT\tSESSION\tCATEGORY\tBIDX\tSTAFF\tCITIZEN",
 * the blind index and the staff member's keyed hash in hex ("" when none), CITIZEN the row
 * whose key seals the details (0: the device's). */
static void
seal_header(const struct store *s, int64_t id, int64_t at, const char *session,
            const unsigned char *bidx, size_t bidx_len, const char *category,
            const unsigned char *staff, size_t staff_len, int64_t details_citizen,
            unsigned char **blob, size_t *blob_len)
{
    char bhex[2 * KEY_BYTES + 1] = "", shex[2 * KEY_BYTES + 1] = "";
    if (bidx_len > 0 && bidx_len <= KEY_BYTES)
        sodium_bin2hex(bhex, sizeof(bhex), bidx, bidx_len);
    if (staff_len > 0 && staff_len <= KEY_BYTES)
        sodium_bin2hex(shex, sizeof(shex), staff, staff_len);
    char text[320];
    int n = snprintf(text, sizeof(text), "%lld\t%s\t%s\t%s\t%s\t%lld", (long long)at, session,
                     category, bhex, shex, (long long)details_citizen);
    xassert(n > 0 && (size_t)n < sizeof(text));
    seal_field(store_subkey(s, SUBKEY_DEVICE), "audit_log", "header", id, 0, text, (size_t)n, blob,
               blob_len);
    sodium_memzero(text, sizeof(text));
}

struct header {
    int64_t at, details_citizen;
    const char *session, *category;
    bool about_citizen, by_staff;
};

/* Opens and splits a header into the arena. */
static enum store_error
open_header(const struct store *s, int64_t id, const void *blob, size_t len, struct store_arena *a,
            struct header *h)
{
    char *text = NULL;
    size_t tl = 0;
    enum store_error e = open_field(store_subkey(s, SUBKEY_DEVICE), "audit_log", "header", id, 0,
                                    blob, len, a, &text, &tl);
    if (e != STORE_OK)
        return e;
    char *part[6];
    size_t n = 0;
    for (char *p = text; n < ARRAY_LEN(part); n++) {
        part[n] = p;
        p = strchr(p, '\t');
        if (p == NULL) {
            n++;
            break;
        }
        *p++ = '\0';
    }
    if (n != ARRAY_LEN(part)) {
        LOG_ERR("audit log entry %lld: the header is malformed", (long long)id);
        return STORE_ERR_TAMPERED;
    }
    h->at = strtoll(part[0], NULL, 10);
    h->session = part[1];
    h->category = part[2];
    h->about_citizen = part[3][0] != '\0';
    h->by_staff = part[4][0] != '\0';
    h->details_citizen = strtoll(part[5], NULL, 10);
    return STORE_OK;
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
            int len = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_bytes(st, 0) : 0;
            if (len > 0 && len <= KEY_BYTES) { /* 8 bytes since schema 7, 32 before */
                memcpy(bidx, sqlite3_column_blob(st, 0), (size_t)len);
                bidx_len = (size_t)len;
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
    unsigned char *header;
    size_t header_len;
    seal_header(s, id, at, session, bidx, bidx_len, category, staff, staff_len, details_citizen,
                &header, &header_len);
    unsigned char mac[MAC_BYTES];
    entry_mac(s, prev, id, header, header_len, blob, blob_len, mac);

    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO audit_log (id, header, details, mac)"
                                " VALUES (?1, ?2, ?3, ?4)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_blob(st, 2, header, (int)header_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, blob, (int)blob_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, mac, MAC_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    free(header);
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
    int rc = sqlite3_prepare_v2(s->db, "SELECT id, header, details, mac FROM audit_log ORDER BY id",
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
        unsigned char mac[MAC_BYTES];
        entry_mac(s, prev, id, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                  sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2), mac);
        if (sqlite3_column_bytes(st, 3) != MAC_BYTES ||
            sodium_memcmp(mac, sqlite3_column_blob(st, 3), MAC_BYTES) != 0) {
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
                                "SELECT id, header, details FROM audit_log WHERE id > ?1"
                                " ORDER BY id",
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
        struct header h;
        e = open_header(s, en->id, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
                        a, &h);
        if (e != STORE_OK)
            break;
        en->at = h.at;
        en->session = h.session;
        en->category = h.category;
        en->about_citizen = h.about_citizen;
        en->by_staff = h.by_staff;
        int64_t cit = h.details_citizen;
        const unsigned char *key = NULL;
        if (cit > 0 && citizen_key(s, cit, &key) != STORE_OK) {
            en->details = "(the citizen was erased)"; /* crypto-shredded with their key */
            continue;
        }
        if (key == NULL)
            key = store_subkey(s, SUBKEY_DEVICE);
        char *text = NULL;
        size_t len = 0;
        e = open_field(key, "audit_log", "details", en->id, cit, sqlite3_column_blob(st, 2),
                       (size_t)sqlite3_column_bytes(st, 2), a, &text, &len);
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

enum store_error
audit_migrate_sealed_headers(struct store *s, struct errbuf *err)
{
    enum store_error e = sql_exec(s, "CREATE TABLE audit_log_4 (id INTEGER PRIMARY KEY,"
                                     " header BLOB NOT NULL, details BLOB, mac BLOB NOT NULL)");
    sqlite3_stmt *st = NULL, *ins = NULL;
    int rc = SQLITE_OK;
    if (e == STORE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, at, session_kind, citizen_bidx, category, staff_ref,"
                                " details, details_citizen, mac FROM audit_log ORDER BY id",
                                -1, &st, NULL);
    if (e == STORE_OK && rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO audit_log_4 (id, header, details, mac)"
                                " VALUES (?1, ?2, ?3, ?4)",
                                -1, &ins, NULL);
    if (e == STORE_OK && rc != SQLITE_OK)
        e = sql_error(s, rc, "migrating the audit log");
    unsigned char old_prev[MAC_BYTES] = { 0 }, prev[MAC_BYTES] = { 0 };
    int64_t expect = 1;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), at = sqlite3_column_int64(st, 1);
        const char *session = (const char *)sqlite3_column_text(st, 2);
        const char *category = (const char *)sqlite3_column_text(st, 4);
        const void *bidx = sqlite3_column_blob(st, 3), *staff = sqlite3_column_blob(st, 5);
        size_t bidx_len = (size_t)sqlite3_column_bytes(st, 3);
        size_t staff_len = (size_t)sqlite3_column_bytes(st, 5);
        const void *details = sqlite3_column_blob(st, 6);
        size_t details_len = (size_t)sqlite3_column_bytes(st, 6);
        int64_t details_citizen = sqlite3_column_int64(st, 7);
        unsigned char mac[MAC_BYTES];
        entry_mac_v1(s, old_prev, id, at, session ? session : "", bidx, bidx_len,
                     category ? category : "", staff, staff_len, details, details_len,
                     details_citizen, mac);
        if (id != expect || sqlite3_column_bytes(st, 8) != MAC_BYTES ||
            sodium_memcmp(mac, sqlite3_column_blob(st, 8), MAC_BYTES) != 0) {
            err_set(err,
                    "the audit log was altered before this upgrade (entry %lld); it is kept "
                    "as it is: have a technician export diagnostics, then factory-reset",
                    (long long)expect);
            e = STORE_ERR_TAMPERED;
            break;
        }
        memcpy(old_prev, mac, MAC_BYTES);
        unsigned char *header;
        size_t header_len;
        seal_header(s, id, at, session ? session : "", bidx, bidx_len, category ? category : "",
                    staff, staff_len, details_citizen, &header, &header_len);
        entry_mac(s, prev, id, header, header_len, details, details_len, prev);
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_blob(ins, 2, header, (int)header_len, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 3, details, (int)details_len, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 4, prev, MAC_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(ins);
        free(header);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "migrating the audit log");
        expect++;
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "migrating the audit log");
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    st = NULL;
    /* The old chain's anchor must match too: a cut-off tail is not laundered either. */
    if (e == STORE_OK &&
        sqlite3_prepare_v2(s->db, "SELECT audit_count, audit_last_mac FROM device_state", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) != expect - 1 || sqlite3_column_bytes(st, 1) != MAC_BYTES ||
            sodium_memcmp(old_prev, sqlite3_column_blob(st, 1), MAC_BYTES) != 0) {
            err_set(err, "the audit log's newest entries were removed before this upgrade");
            e = STORE_ERR_TAMPERED;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (e == STORE_OK)
        e = sql_exec(s, "DROP TABLE audit_log; ALTER TABLE audit_log_4 RENAME TO audit_log");
    if (e == STORE_OK &&
        (rc = sqlite3_prepare_v2(s->db, "UPDATE device_state SET audit_last_mac=?1 WHERE id=1", -1,
                                 &st, NULL)) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, prev, MAC_BYTES, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "migrating the audit anchor");
    }
    sqlite3_finalize(st);
    return e;
}
