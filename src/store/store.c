/* The store: opening, applying synced batches, reading a citizen's data, crypto-shredding. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "store_internal.h"
#include "xalloc.h"

#define LOG_MODULE "store"
#include "log.h"

static const char key_check_text[] = "minasidor root key check v1";

const char *
store_error_code(enum store_error e)
{
    static const char *const codes[] = {
        [STORE_OK] = "ok",
        [STORE_ERR_NOT_FOUND] = "not_found",
        [STORE_ERR_TAMPERED] = "tampered",
        [STORE_ERR_KEY] = "key",
        [STORE_ERR_IO] = "io",
        [STORE_ERR_FULL] = "full",
        [STORE_ERR_SCHEMA] = "schema",
        [STORE_ERR_INVALID] = "invalid",
        [STORE_ERR_BUSY] = "busy",
    };
    return (size_t)e < ARRAY_LEN(codes) ? codes[e] : "unknown";
}

const char *
store_error_message(enum store_error e)
{
    switch (e) {
    case STORE_OK:
        return N_("Done");
    case STORE_ERR_NOT_FOUND:
        return N_("Not found");
    case STORE_ERR_TAMPERED:
        return N_("Stored data has been altered and cannot be shown");
    case STORE_ERR_KEY:
        return N_("The kiosk's key is missing or wrong");
    case STORE_ERR_IO:
        return N_("The kiosk's storage failed");
    case STORE_ERR_FULL:
        return N_("The kiosk's disk is full");
    case STORE_ERR_SCHEMA:
        return N_("The kiosk's database is from another version");
    case STORE_ERR_INVALID:
        return N_("The data is not acceptable");
    case STORE_ERR_BUSY:
        return N_("The kiosk's storage is busy");
    }
    return N_("Unknown error");
}

const unsigned char *
store_subkey(const struct store *s, enum subkey id)
{
    return s->keys + (size_t)id * KEY_BYTES;
}

enum store_error
sql_error(struct store *s, int rc, const char *doing)
{
    int primary = rc & 0xff;
    LOG_ERR("%s: %s (SQLite %d)", doing, s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc),
            rc);
    switch (primary) {
    case SQLITE_FULL:
        return STORE_ERR_FULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_ERR_BUSY;
    case SQLITE_NOTADB:
        return STORE_ERR_SCHEMA;
    case SQLITE_CONSTRAINT:
        return STORE_ERR_INVALID;
    default:
        return STORE_ERR_IO;
    }
}

enum store_error
sql_exec(struct store *s, const char *sql)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? STORE_OK : sql_error(s, rc, "executing SQL");
}

enum store_error
tx_begin(struct store *s)
{
    return sql_exec(s, "BEGIN IMMEDIATE");
}

enum store_error
tx_commit(struct store *s)
{
    return sql_exec(s, "COMMIT");
}

void
tx_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static enum store_error
prep(struct store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return rc == SQLITE_OK ? STORE_OK : sql_error(s, rc, "preparing a statement");
}

/* Builds the per-kind statements from the descriptors. A personal kind's row (schema 7):
 *   id, server_id, [citizen_id | bidx, wrapped_key, erase_pending, f_server_id], [parent_id],
 *   version, sealed
 * where sealed holds every field of the record in one value (seal_record). Parameters: ?1 id,
 * ?2 server_id, ?3 citizen_id (citizens: bidx), ?4 parent_id (citizens: wrapped_key),
 * ?5 version, ?6 sealed, ?7 the citizen's sealed server id. Non-personal kinds keep their
 * fields in f_ columns, from ?3 on. */
static enum store_error
prepare_kind(struct store *s, enum store_kind k)
{
    const struct store_kind_def *d = store_kind(k);
    struct kind_stmts *ks = &s->stmts[k];
    bool citizen = k == STORE_KIND_CITIZEN;
    bool child = d->personal && !citizen;
    const char *parent_col = d->has_parent ? "parent_id" : "0";
    char ins[1024], upd[1024], sel[1024];
    if (citizen) {
        snprintf(ins, sizeof(ins),
                 "INSERT INTO citizens(id, server_id, bidx, wrapped_key, version, sealed,"
                 " f_server_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        snprintf(upd, sizeof(upd),
                 "UPDATE citizens SET bidx=?3, version=?5, sealed=?6 WHERE id=?1");
        snprintf(sel, sizeof(sel), "SELECT id, server_id, 0, version, sealed FROM citizens");
    } else if (child) {
        snprintf(ins, sizeof(ins),
                 "INSERT INTO %s(id, server_id, citizen_id%s, version, sealed)"
                 " VALUES (?1, ?2, ?3%s, ?5, ?6)",
                 d->table, d->has_parent ? ", parent_id" : "", d->has_parent ? ", ?4" : "");
        snprintf(upd, sizeof(upd),
                 "UPDATE %s SET citizen_id=?3%s, version=?5, sealed=?6 WHERE id=?1", d->table,
                 d->has_parent ? ", parent_id=?4" : "");
        snprintf(sel, sizeof(sel), "SELECT id, server_id, %s, version, sealed FROM %s", parent_col,
                 d->table);
    } else {
        struct buf cols, params, sets;
        buf_init(&cols, 512);
        buf_init(&params, 512);
        buf_init(&sets, 512);
        bool ok = true;
        for (size_t i = 0; i < d->n_fields; i++) {
            ok = ok && buf_printf(&cols, ", f_%s", d->fields[i].name) &&
                 buf_printf(&params, ", ?%zu", i + 3) &&
                 buf_printf(&sets, ", f_%s=?%zu", d->fields[i].name, i + 3);
        }
        xassert(ok);
        snprintf(ins, sizeof(ins), "INSERT INTO %s(id, server_id%s) VALUES (?1, ?2%s)", d->table,
                 buf_str(&cols), buf_str(&params));
        snprintf(upd, sizeof(upd), "UPDATE %s SET server_id=?2%s WHERE id=?1", d->table,
                 buf_str(&sets));
        snprintf(sel, sizeof(sel), "SELECT id, server_id, 0, 0%s FROM %s", buf_str(&cols),
                 d->table);
        buf_finish(&cols);
        buf_finish(&params);
        buf_finish(&sets);
    }

    char sql[1200];
    enum store_error e;
    snprintf(sql, sizeof(sql), "SELECT id, %s%s FROM %s WHERE server_id=?1",
             d->personal ? "version" : "0", citizen ? ", f_server_id" : "", d->table);
    e = prep(s, sql, &ks->find);
    snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) + 1 FROM %s", d->table);
    if (e == STORE_OK)
        e = prep(s, sql, &ks->next_id);
    if (e == STORE_OK)
        e = prep(s, ins, &ks->insert);
    if (e == STORE_OK)
        e = prep(s, upd, &ks->update);
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id=?1", d->table);
    if (e == STORE_OK)
        e = prep(s, sql, &ks->remove);
    if (e == STORE_OK) {
        snprintf(sql, sizeof(sql), "%s%s ORDER BY id", sel,
                 citizen ? " WHERE id=?1"
                 : child ? " WHERE citizen_id=?1"
                         : "");
        e = prep(s, sql, &ks->list_citizen);
    }
    if (e == STORE_OK && d->has_parent) {
        snprintf(sql, sizeof(sql), "%s WHERE parent_id=?1 ORDER BY id", sel);
        e = prep(s, sql, &ks->list_parent);
    }
    if (e == STORE_OK && child) {
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE citizen_id=?1", d->table);
        e = prep(s, sql, &ks->erase);
    }
    return e;
}

enum store_error
store_check_key(struct store *s, struct errbuf *err)
{
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "SELECT key_check FROM device_state WHERE id=1", &st);
    if (e != STORE_OK)
        return e;
    const unsigned char *dev = store_subkey(s, SUBKEY_DEVICE);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
        unsigned char got[sizeof(key_check_text) - 1];
        e = open_field_fixed(dev, "device_state", "key_check", 1, 0, sqlite3_column_blob(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0), got, sizeof(got));
        if (e != STORE_OK || memcmp(got, key_check_text, sizeof(got)) != 0) {
            err_set(err, "the root key does not open this database (a wrong key file, or the "
                         "database belongs to another kiosk)");
            e = STORE_ERR_KEY;
        }
        sqlite3_finalize(st);
        return e;
    }
    sqlite3_finalize(st);
    unsigned char *blob;
    size_t len;
    seal_field(dev, "device_state", "key_check", 1, 0, key_check_text, sizeof(key_check_text) - 1,
               &blob, &len);
    e = prep(s, "UPDATE device_state SET key_check=?1 WHERE id=1", &st);
    if (e == STORE_OK) {
        sqlite3_bind_blob(st, 1, blob, (int)len, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "writing the key check");
    }
    sqlite3_finalize(st);
    free(blob);
    return e;
}

#ifndef MINASIDOR_UNIT_TEST
static
#endif
    enum store_error
    store_open_at_version(const char *path, const struct store_key *key, int version,
                          struct store **out, struct errbuf *err)
{
    if (sodium_init() < 0) {
        err_set(err, "libsodium could not start");
        return STORE_ERR_KEY;
    }
    struct store *s = xcalloc(1, sizeof(*s));
    s->keys = sodium_malloc(SUBKEY_COUNT * KEY_BYTES);
    s->cached_key = sodium_malloc(KEY_BYTES);
    xassert(s->keys != NULL && s->cached_key != NULL);
    for (int id = 1; id < SUBKEY_COUNT; id++)
        crypto_kdf_derive_from_key(s->keys + (size_t)id * KEY_BYTES, KEY_BYTES, (uint64_t)id,
                                   "minasido", key->bytes);
    sodium_mprotect_readonly(s->keys);

    enum store_error e = STORE_OK;
    mode_t old_umask = umask(077); /* the database, -wal and -shm are ours alone */
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
                                 SQLITE_OPEN_NOMUTEX,
                             NULL);
    umask(old_umask);
    if (rc != SQLITE_OK) {
        err_set(err, "%s: cannot open: %s", path, s->db ? sqlite3_errmsg(s->db) : "no memory");
        e = sql_error(s, rc, "opening the database");
        goto fail;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    sqlite3_busy_timeout(s->db, 5000);
    /* Before anything is written: a new database only (WAL mode fixes it). */
    sqlite3_exec(s->db, STORE_PAGE_SIZE_SQL, NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
        sqlite3_finalize(st);
        err_set(err, "%s: not a database, or write-ahead logging is not possible there", path);
        e = STORE_ERR_SCHEMA;
        goto fail;
    }
    sqlite3_finalize(st);
    e = sql_exec(s, "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA temp_store=MEMORY;"
                    "PRAGMA foreign_keys=ON; PRAGMA cell_size_check=ON;");
    if (e != STORE_OK) {
        err_set(err, "%s: cannot set up the database", path);
        goto fail;
    }
    e = schema_migrate(s, version, err);
    if (e != STORE_OK)
        goto fail;
    e = store_check_key(s, err);
    if (e != STORE_OK)
        goto fail;
    /* A store opened at an older version (tests of migrations) only looks at its schema. */
    for (int k = 0; k < STORE_KIND_COUNT && e == STORE_OK && version == store_schema_version(); k++)
        e = prepare_kind(s, (enum store_kind)k);
    if (e != STORE_OK) {
        err_set(err, "%s: the database's tables do not match this version", path);
        goto fail;
    }
    *out = s;
    return STORE_OK;
fail:
    if (err != NULL && err->msg[0] == '\0')
        err_set(err, "%s: %s", path, store_error_message(e));
    LOG_WARN("store not opened: %s", store_error_code(e));
    store_close(s);
    return e;
}

enum store_error
store_open(const char *path, const struct store_key *key, struct store **out, struct errbuf *err)
{
    if (err != NULL)
        err->msg[0] = '\0';
    return store_open_at_version(path, key, store_schema_version(), out, err);
}

void
store_close(struct store *s)
{
    if (s == NULL)
        return;
    for (int k = 0; k < STORE_KIND_COUNT; k++) {
        struct kind_stmts *ks = &s->stmts[k];
        sqlite3_finalize(ks->find);
        sqlite3_finalize(ks->next_id);
        sqlite3_finalize(ks->insert);
        sqlite3_finalize(ks->update);
        sqlite3_finalize(ks->remove);
        sqlite3_finalize(ks->list_citizen);
        sqlite3_finalize(ks->list_parent);
        sqlite3_finalize(ks->erase);
    }
    if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
        LOG_ERR("closing the database: %s", sqlite3_errmsg(s->db));
    sodium_free(s->keys);
    sodium_free(s->cached_key);
    free(s->scope);
    free(s);
}

enum store_error
store_integrity_check(struct store *s, struct errbuf *err)
{
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "PRAGMA integrity_check", &st);
    if (e != STORE_OK)
        return e;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0) {
        e = STORE_OK;
    } else {
        err_set(err, "integrity check: %s",
                rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
                                 : sqlite3_errmsg(s->db));
        e = STORE_ERR_IO;
    }
    sqlite3_finalize(st);
    return e;
}

void
citizen_key_forget(struct store *s)
{
    s->cached_citizen = 0;
    sodium_memzero(s->cached_key, KEY_BYTES);
}

enum store_error
citizen_key(struct store *s, int64_t citizen_id, const unsigned char **key)
{
    if (citizen_id == s->cached_citizen && citizen_id != 0) {
        *key = s->cached_key;
        return STORE_OK;
    }
    citizen_key_forget(s);
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "SELECT wrapped_key FROM citizens WHERE id=?1", &st);
    if (e != STORE_OK)
        return e;
    sqlite3_bind_int64(st, 1, citizen_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        e = open_field_fixed(store_subkey(s, SUBKEY_KEK), "citizens", "key", citizen_id, citizen_id,
                             sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                             s->cached_key, KEY_BYTES);
        if (e == STORE_OK) {
            s->cached_citizen = citizen_id;
            *key = s->cached_key;
        }
    } else {
        e = rc == SQLITE_DONE ? STORE_ERR_NOT_FOUND : sql_error(s, rc, "reading a citizen key");
    }
    sqlite3_finalize(st);
    return e;
}

/* Whether a citizen row found by its short reference is this id's: opens the id sealed beside
 * it (two ids sharing 64 bits of a keyed hash are not expected, but must not mix two people). */
static enum store_error
citizen_ref_matches(struct store *s, int64_t cid, const void *sealed, size_t len,
                    const char *server_id, bool *matches)
{
    *matches = false;
    const unsigned char *key = NULL;
    enum store_error e = citizen_key(s, cid, &key);
    if (e != STORE_OK)
        return e;
    struct store_arena *a = arena_create();
    char *id = NULL;
    size_t id_len = 0;
    e = open_field(key, "citizens", "server_id", cid, cid, sealed, len, a, &id, &id_len);
    *matches = e == STORE_OK && id_len == strlen(server_id) && memcmp(id, server_id, id_len) == 0;
    arena_destroy(a);
    return e;
}

/* The row id of a server id in a kind's table, or 0; and the row's record version. */
static enum store_error
find_row_version(struct store *s, enum store_kind k, const char *server_id, int64_t *id,
                 int64_t *version)
{
    char ref[33];
    sqlite3_stmt *st = s->stmts[k].find;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, store_stored_id(s, k, server_id, ref), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (version != NULL)
        *version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    enum store_error e = STORE_OK;
    if (rc == SQLITE_ROW && k == STORE_KIND_CITIZEN) {
        bool matches = false;
        e = citizen_ref_matches(s, *id, sqlite3_column_blob(st, 2),
                                (size_t)sqlite3_column_bytes(st, 2), server_id, &matches);
        if (e == STORE_OK && !matches) {
            /* Another citizen's reference: this id is not stored (its insert will conflict
             * with the reference's index and be set aside, never mixed with that citizen). */
            *id = 0;
            if (version != NULL)
                *version = 0;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sql_error(s, rc, "looking up a record");
    return e;
}

static struct found_row *
found_cache(struct store *s, enum store_kind k)
{
    return k == STORE_KIND_CITIZEN ? &s->last_citizen : k == STORE_KIND_CASE ? &s->last_case : NULL;
}

/* Forgets the rows found (a record erased, or the transaction ended). */
static void
found_forget(struct store *s)
{
    s->last_citizen.row = 0;
    s->last_case.row = 0;
}

static void
found_remember(struct store *s, enum store_kind k, const char *server_id, int64_t row)
{
    struct found_row *f = found_cache(s, k);
    size_t len = strlen(server_id);
    if (f == NULL || len >= sizeof(f->id))
        return;
    memcpy(f->id, server_id, len + 1);
    f->row = row;
}

static enum store_error
find_row(struct store *s, enum store_kind k, const char *server_id, int64_t *id)
{
    struct found_row *f = found_cache(s, k);
    if (f != NULL && f->row != 0 && strcmp(f->id, server_id) == 0) {
        *id = f->row;
        return STORE_OK;
    }
    enum store_error e = find_row_version(s, k, server_id, id, NULL);
    if (e == STORE_OK && *id != 0)
        found_remember(s, k, server_id, *id);
    return e;
}

static enum store_error
next_id(struct store *s, enum store_kind k, int64_t *id)
{
    if (s->next_rowid[k] > 0) {
        *id = s->next_rowid[k]++;
        return STORE_OK;
    }
    sqlite3_stmt *st = s->stmts[k].next_id;
    sqlite3_reset(st);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return sql_error(s, rc, "allocating a row id");
    s->next_rowid[k] = *id + 1;
    return STORE_OK;
}

static bool
valid_pnr12(const char *p)
{
    if (p == NULL || strlen(p) != 12)
        return false;
    for (int i = 0; i < 12; i++) {
        if ((p[i] < '0' || p[i] > '9') && !(i == 8 && p[i] >= 'A' && p[i] <= 'Z'))
            return false;
    }
    return true;
}

/* Deletes a citizen's personal rows, every personal kind's from the kinds' description;
 * keeps only the key row while submissions are pending. */
static enum store_error
erase_in_tx(struct store *s, int64_t cid)
{
    found_forget(s);
    for (int k = STORE_KIND_COUNT - 1; k >= 0; k--) {
        sqlite3_stmt *st = s->stmts[k].erase;
        if (st == NULL)
            continue; /* citizens (below) and kinds that are not personal */
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, cid);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return sql_error(s, rc, "erasing a citizen's records");
    }
    citizen_key_forget(s);
    char sql[512];
    if (outbox_has_pending(s, cid)) {
        snprintf(sql, sizeof(sql),
                 "UPDATE citizens SET erase_pending=1, server_id='erased:' || id,"
                 " bidx=randomblob(32), sealed=NULL WHERE id=%lld",
                 (long long)cid);
        return sql_exec(s, sql);
    }
    /* Delivered submissions lose their (now unreadable) personal fields and the link. */
    snprintf(sql, sizeof(sql),
             "UPDATE outbox SET citizen_id=NULL, f_kind=NULL, f_main=NULL, f_type=NULL,"
             " f_class=NULL, f_payload=NULL, f_registered_by=NULL, f_case_number=NULL,"
             " f_reason=NULL, f_created_at=NULL WHERE citizen_id=%lld;"
             "DELETE FROM citizens WHERE id=%lld",
             (long long)cid, (long long)cid);
    return sql_exec(s, sql);
}

enum store_error
citizen_finish_erase(struct store *s, int64_t cid)
{
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "SELECT erase_pending FROM citizens WHERE id=?1", &st);
    if (e != STORE_OK)
        return e;
    sqlite3_bind_int64(st, 1, cid);
    bool pending = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    if (!pending || outbox_has_pending(s, cid))
        return STORE_OK;
    return erase_in_tx(s, cid);
}

/* Truncates the WAL so that erased bytes do not linger in it. */
static void
checkpoint_truncate(struct store *s)
{
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (rc != SQLITE_OK)
        LOG_WARN("WAL checkpoint after erasing: %s", sqlite3_errmsg(s->db));
}

/* A change's value as the text it is stored as (ints in decimal, into num); NULL if unset. */
static const char *
value_text(const struct store_field_def *f, const struct store_value *v, char num[24])
{
    if (!v->set)
        return NULL;
    if (f->type != STORE_FIELD_INT)
        return v->text;
    /* Decimal by hand: snprintf per field showed in the profile of applying a page. */
    unsigned long long u =
        v->num < 0 ? 0ULL - (unsigned long long)v->num : (unsigned long long)v->num;
    char *p = num + 23;
    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v->num < 0)
        *--p = '-';
    return p;
}

/* The citizen's case store id, sealed under their key: a submission must name it. */
static void
seal_citizen_server_id_blob(int64_t cid, const unsigned char *key, const char *server_id,
                            unsigned char **blob, size_t *len)
{
    seal_field(key, "citizens", "server_id", cid, cid, server_id, strlen(server_id), blob, len);
}

static enum store_error
seal_citizen_server_id(struct store *s, int64_t cid, const unsigned char *key,
                       const char *server_id)
{
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "UPDATE citizens SET f_server_id=?2 WHERE id=?1", &st);
    if (e != STORE_OK)
        return e;
    unsigned char *blob;
    size_t len;
    seal_citizen_server_id_blob(cid, key, server_id, &blob, &len);
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_blob(st, 2, blob, (int)len, free);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "writing a citizen's id");
}

static enum store_error
remove_row(struct store *s, enum store_kind k, int64_t rowid)
{
    found_forget(s);
    sqlite3_stmt *st = s->stmts[k].remove;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, rowid);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "deleting a record");
}

static enum store_error
apply_one(struct store *s, const struct store_change *c, struct errbuf *err)
{
    const struct store_kind_def *d = store_kind(c->kind);
    if (d == NULL || c->id == NULL || *c->id == '\0' || strlen(c->id) > 200) {
        err_set(err, "a change without a valid kind or id");
        return STORE_ERR_INVALID;
    }
    int64_t rowid, version = 0;
    enum store_error e = find_row_version(s, c->kind, c->id, &rowid, &version);
    if (e != STORE_OK)
        return e;

    if (c->tombstone) {
        if (rowid == 0)
            return STORE_OK; /* already gone: tombstones are idempotent */
        if (c->kind == STORE_KIND_CITIZEN)
            return erase_in_tx(s, rowid);
        return remove_row(s, c->kind, rowid);
    }

    for (size_t i = 0; i < d->n_fields; i++) {
        const struct store_value *v = &c->values[i];
        if (d->fields[i].required && !v->set) {
            err_set(err, "field %s is missing", d->fields[i].name);
            return STORE_ERR_INVALID;
        }
        if (v->set && d->fields[i].type == STORE_FIELD_TEXT && v->text == NULL) {
            err_set(err, "field %s has no text", d->fields[i].name);
            return STORE_ERR_INVALID;
        }
    }

    bool is_new = rowid == 0;
    if (is_new && (e = next_id(s, c->kind, &rowid)) != STORE_OK)
        return e;

    int64_t cid = 0, parent = 0;
    const unsigned char *key = NULL;
    unsigned char new_key[KEY_BYTES];
    if (c->kind == STORE_KIND_CITIZEN) {
        cid = rowid;
        if (!valid_pnr12(c->values[RECORD_FIELD_INDEX(REC_CITIZEN_PNR)].text)) {
            err_set(err, "field pnr is not 12 characters in canonical form");
            return STORE_ERR_INVALID;
        }
        if (is_new) {
            randombytes_buf(new_key, KEY_BYTES);
            key = new_key;
        } else if ((e = citizen_key(s, cid, &key)) != STORE_OK) {
            return e;
        }
    } else if (d->personal) {
        if (c->citizen == NULL ||
            (e = find_row(s, STORE_KIND_CITIZEN, c->citizen, &cid)) != STORE_OK || cid == 0) {
            err_set(err, "its citizen is not known here");
            return e != STORE_OK ? e : STORE_ERR_INVALID;
        }
        if (d->has_parent) {
            if (c->parent == NULL ||
                (e = find_row(s, STORE_KIND_CASE, c->parent, &parent)) != STORE_OK || parent == 0) {
                err_set(err, "its case is not known here");
                return e != STORE_OK ? e : STORE_ERR_INVALID;
            }
        }
        if ((e = citizen_key(s, cid, &key)) != STORE_OK)
            return e;
    }

    sqlite3_stmt *st = is_new ? s->stmts[c->kind].insert : s->stmts[c->kind].update;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, rowid);
    char ref[33];
    if (is_new || !d->personal)
        sqlite3_bind_text(st, 2, store_stored_id(s, c->kind, c->id, ref), -1, SQLITE_TRANSIENT);
    char nums[STORE_MAX_FIELDS][24];
    const char *values[STORE_MAX_FIELDS];
    for (size_t i = 0; i < d->n_fields; i++)
        values[i] = value_text(&d->fields[i], &c->values[i], nums[i]);
    if (!d->personal) {
        for (size_t i = 0; i < d->n_fields; i++) {
            if (values[i] != NULL)
                sqlite3_bind_text(st, 3 + (int)i, values[i], -1, SQLITE_STATIC);
        }
    } else {
        if (c->kind == STORE_KIND_CITIZEN) {
            unsigned char bidx[BIDX_BYTES];
            blind_index(s, c->values[RECORD_FIELD_INDEX(REC_CITIZEN_PNR)].text, bidx);
            sqlite3_bind_blob(st, 3, bidx, BIDX_BYTES, SQLITE_TRANSIENT);
            if (is_new) {
                unsigned char *blob;
                size_t len;
                seal_field(store_subkey(s, SUBKEY_KEK), "citizens", "key", rowid, rowid, new_key,
                           KEY_BYTES, &blob, &len);
                sqlite3_bind_blob(st, 4, blob, (int)len, free);
                seal_citizen_server_id_blob(rowid, key, c->id, &blob, &len);
                sqlite3_bind_blob(st, 7, blob, (int)len, free);
            }
        } else {
            sqlite3_bind_int64(st, 3, cid);
            if (d->has_parent)
                sqlite3_bind_int64(st, 4, parent);
        }
        /* Every write is a new version of the record, bound into its seal. */
        version = is_new ? 1 : version + 1;
        sqlite3_bind_int64(st, 5, version);
        unsigned char *blob;
        size_t len;
        seal_record(key, d->table, rowid, cid, version, values, d->n_fields, &blob, &len);
        sqlite3_bind_blob(st, 6, blob, (int)len, free);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sodium_memzero(nums, sizeof(nums));
    if (rc == SQLITE_DONE && is_new && c->kind == STORE_KIND_CITIZEN) {
        /* The citizen's records follow in the same page: keep the fresh key at hand. */
        memcpy(s->cached_key, new_key, KEY_BYTES);
        s->cached_citizen = rowid;
    }
    sodium_memzero(new_key, sizeof(new_key));
    if (rc != SQLITE_DONE) {
        e = sql_error(s, rc, "writing a record");
        if (e == STORE_ERR_INVALID)
            err_set(err, "conflicts with a stored record (same personnummer?)");
        return e;
    }
    if (c->kind == STORE_KIND_CITIZEN || c->kind == STORE_KIND_CASE)
        found_remember(s, c->kind, c->id, rowid);
    return STORE_OK;
}

#ifdef MINASIDOR_UNIT_TEST
/* Lets a test stop a writer with its transaction open, everything written but not committed. */
void (*store_test_before_commit)(void);
unsigned store_test_fail_list;
#endif

/* The change's kind as the set-aside list names it. */
static const char *
change_kind_name(const struct store_change *c)
{
    const struct store_kind_def *d = store_kind(c->kind);
    return c->kind_name != NULL ? c->kind_name : d != NULL ? d->name : "?";
}

/* A citizen upsert outside the kiosk's districts: not stored, and a stored one erased. */
static bool
out_of_scope(const struct store *s, const struct store_change *c)
{
    if (s->scope == NULL || c->kind != STORE_KIND_CITIZEN || c->tombstone)
        return false;
    const struct store_value *v = &c->values[RECORD_FIELD_INDEX(REC_CITIZEN_DISTRICT)];
    return !scope_has(s, v->set ? v->text : NULL);
}

/* One change; *set_aside says it was kept out (and recorded). No savepoint is needed for a
 * change that is set aside: apply_one refuses a change (STORE_ERR_INVALID) before it writes
 * anything, or in the one statement that writes it, which SQLite undoes by itself. (A
 * savepoint per change made applying a page a quarter slower: every page it touched was
 * copied into the statement journal.) */
static enum store_error
apply_guarded(struct store *s, const struct store_change *c, bool heal, int64_t now,
              bool *set_aside, bool *erased, struct errbuf *err)
{
    *set_aside = false;
    if (c->set_aside != NULL) {
        *set_aside = true;
        return set_aside_record(s, change_kind_name(c), c->id, c->set_aside, now);
    }
    if (c->kind_name != NULL && c->tombstone) /* a kind this build does not store */
        return heal ? set_aside_heal(s, c->kind_name, c->id) : STORE_OK;
    if (out_of_scope(s, c)) {
        struct store_change tomb = { .kind = STORE_KIND_CITIZEN, .tombstone = true, .id = c->id };
        enum store_error e = apply_one(s, &tomb, err);
        *erased = true;
        *set_aside = true;
        return e != STORE_OK
                   ? e
                   : set_aside_record(s, "citizen", c->id,
                                      "field district is outside this kiosk's scope", now);
    }
    struct errbuf why = { "" };
    enum store_error e = apply_one(s, c, &why);
    if (e == STORE_ERR_INVALID) {
        /* Only this change goes: the rest of the page and the cursor still apply. */
        citizen_key_forget(s);
        *set_aside = true;
        return set_aside_record(s, change_kind_name(c), c->id,
                                why.msg[0] ? why.msg : "not acceptable", now);
    }
    if (e != STORE_OK) {
        err_set(err, "%s %s: %s", change_kind_name(c), c->id ? c->id : "?",
                why.msg[0] ? why.msg : store_error_message(e));
        return e;
    }
    *erased = *erased || (c->tombstone && c->kind == STORE_KIND_CITIZEN);
    if (e == STORE_OK && heal)
        e = set_aside_heal(s, change_kind_name(c), c->id);
    return e;
}

enum store_error
store_apply(struct store *s, const struct store_change *changes, size_t n, const char *cursor,
            size_t *applied, struct errbuf *err)
{
    if (applied != NULL)
        *applied = 0;
    if (cursor == NULL || strlen(cursor) >= sizeof(((struct store_sync_state *)0)->cursor)) {
        err_set(err, "the sync cursor is missing or too long");
        return STORE_ERR_INVALID;
    }
    /* A page of synced data need not wait for the disk: in write-ahead logging with
     * synchronous=NORMAL a commit is atomic and the database never corrupt, only the last pages
     * may be lost at a power cut, and the cursor goes with them in the same transaction, so they
     * are pulled again. The next durable commit (the outbox's, always FULL) writes them too. One
     * fsync fewer per page is a sixth of a first sync's time. */
    enum store_error e = sql_exec(s, "PRAGMA synchronous=NORMAL");
    if (e == STORE_OK)
        e = tx_begin(s);
    if (e != STORE_OK) {
        sql_exec(s, "PRAGMA synchronous=FULL");
        return e;
    }
    /* Row ids are counted in memory within this transaction (the store is the only writer). */
    memset(s->next_rowid, 0, sizeof(s->next_rowid));
    found_forget(s);
    bool erased = false, heal = set_aside_any(s);
    int64_t now = (int64_t)time(NULL);
    size_t i = 0, kept_out = 0;
    for (; i < n && e == STORE_OK; i++) {
        bool out = false;
        e = apply_guarded(s, &changes[i], heal, now, &out, &erased, err);
        kept_out += out;
    }
    if (e == STORE_OK) {
        sqlite3_stmt *st = NULL;
        e = prep(s, "UPDATE sync_state SET cursor=?1 WHERE id=1", &st);
        if (e == STORE_OK) {
            sqlite3_bind_text(st, 1, cursor, -1, SQLITE_STATIC);
            int rc = sqlite3_step(st);
            if (rc != SQLITE_DONE)
                e = sql_error(s, rc, "saving the sync cursor");
        }
        sqlite3_finalize(st);
    }
#ifdef MINASIDOR_UNIT_TEST
    if (e == STORE_OK && store_test_before_commit != NULL)
        store_test_before_commit();
#endif
    if (e == STORE_OK)
        e = tx_commit(s);
    memset(s->next_rowid, 0, sizeof(s->next_rowid));
    found_forget(s);
    if (e != STORE_OK)
        tx_rollback(s);
    /* Everything else the store writes (the outbox above all) is durable when it returns. */
    enum store_error restored = sql_exec(s, "PRAGMA synchronous=FULL");
    if (e == STORE_OK)
        e = restored;
    if (e != STORE_OK) {
        citizen_key_forget(s);
        if (err != NULL && err->msg[0] == '\0')
            err_set(err, "change %zu of %zu: %s", i, n, store_error_message(e));
        return e;
    }
    if (erased)
        checkpoint_truncate(s);
    if (applied != NULL)
        *applied = n - kept_out;
    return STORE_OK;
}

enum store_error
store_sync_state_get(struct store *s, struct store_sync_state *out)
{
    sqlite3_stmt *st = NULL;
    enum store_error e =
        prep(s, "SELECT cursor, last_success_at, server_offset_s FROM sync_state WHERE id=1", &st);
    if (e != STORE_OK)
        return e;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(out->cursor, sizeof(out->cursor), "%s", (const char *)sqlite3_column_text(st, 0));
        out->last_success_at = sqlite3_column_int64(st, 1);
        out->server_offset_s = sqlite3_column_int64(st, 2);
    } else {
        e = sql_error(s, rc, "reading the sync state");
    }
    sqlite3_finalize(st);
    return e;
}

enum store_error
store_sync_success(struct store *s, int64_t at, int64_t server_offset_s)
{
    sqlite3_stmt *st = NULL;
    enum store_error e =
        prep(s, "UPDATE sync_state SET last_success_at=?1, server_offset_s=?2 WHERE id=1", &st);
    if (e != STORE_OK)
        return e;
    sqlite3_bind_int64(st, 1, at);
    sqlite3_bind_int64(st, 2, server_offset_s);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "saving the sync time");
}

enum store_error
store_reset_synced(struct store *s)
{
    enum store_error e = tx_begin(s);
    sqlite3_stmt *st = NULL;
    if (e == STORE_OK)
        e = prep(s, "SELECT id FROM citizens WHERE erase_pending=0", &st);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (e == STORE_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap)
            ids = xrealloc(ids, (cap = cap ? cap * 2 : 256) * sizeof(*ids));
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n && e == STORE_OK; i++)
        e = erase_in_tx(s, ids[i]);
    free(ids);
    for (int k = 0; k < STORE_KIND_COUNT && e == STORE_OK; k++) {
        const struct store_kind_def *d = store_kind((enum store_kind)k);
        if (d->personal)
            continue; /* erased citizen by citizen above */
        char sql[96];
        snprintf(sql, sizeof(sql), "DELETE FROM %s", d->table);
        e = sql_exec(s, sql);
    }
    if (e == STORE_OK)
        e = sql_exec(s, "DELETE FROM set_aside; UPDATE sync_state SET cursor='' WHERE id=1");
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK) {
        tx_rollback(s);
        return e;
    }
    checkpoint_truncate(s);
    return STORE_OK;
}

#define FIELD(kind, name) RECORD_FIELD_INDEX(REC_##kind##_##name)

static enum store_error read_rows(struct store *s, enum store_kind kind, int64_t citizen_id,
                                  int64_t parent_id, struct store_arena *a,
                                  struct record **rows_out, size_t *n_out);

enum store_error
store_citizen_find(struct store *s, const char *pnr12, int64_t *citizen_id)
{
    if (!valid_pnr12(pnr12))
        return STORE_ERR_INVALID;
    unsigned char bidx[BIDX_BYTES];
    blind_index(s, pnr12, bidx);
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "SELECT id FROM citizens WHERE bidx=?1 AND erase_pending=0", &st);
    if (e != STORE_OK)
        return e;
    sqlite3_bind_blob(st, 1, bidx, BIDX_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t cid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW)
        e = rc == SQLITE_DONE ? STORE_ERR_NOT_FOUND : sql_error(s, rc, "finding a citizen");
    sqlite3_finalize(st);
    if (e != STORE_OK)
        return e;
    /* The blind index is 64 bits: the row it found must hold this personnummer. */
    struct store_arena *a = arena_create();
    struct record *rows = NULL;
    size_t n = 0;
    e = read_rows(s, STORE_KIND_CITIZEN, cid, 0, a, &rows, &n);
    const char *stored = e == STORE_OK && n == 1 ? rows[0].text[FIELD(CITIZEN, PNR)] : NULL;
    if (e == STORE_OK && (stored == NULL || strcmp(stored, pnr12) != 0))
        e = STORE_ERR_NOT_FOUND;
    arena_destroy(a);
    if (e == STORE_OK)
        *citizen_id = cid;
    return e;
}

/* Reads rows of a kind into the arena, without audit (callers log what they read). */
static enum store_error
read_rows(struct store *s, enum store_kind kind, int64_t citizen_id, int64_t parent_id,
          struct store_arena *a, struct record **rows_out, size_t *n_out)
{
    const struct store_kind_def *d = store_kind(kind);
    const unsigned char *key = NULL;
    enum store_error e = STORE_OK;
    if (d->personal && (e = citizen_key(s, citizen_id, &key)) != STORE_OK)
        return e;
    sqlite3_stmt *st =
        parent_id > 0 && d->has_parent ? s->stmts[kind].list_parent : s->stmts[kind].list_citizen;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, parent_id > 0 && d->has_parent ? parent_id : citizen_id);
    size_t n = 0, cap = 8;
    struct record *rows = arena_alloc(a, cap * sizeof(*rows));
    int rc;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct record *bigger = arena_alloc(a, cap * 2 * sizeof(*rows));
            memcpy(bigger, rows, n * sizeof(*rows));
            rows = bigger;
            cap *= 2;
        }
        struct record *r = &rows[n];
        r->id = sqlite3_column_int64(st, 0);
        r->server_id = arena_strndup(a, (const char *)sqlite3_column_text(st, 1),
                                     (size_t)sqlite3_column_bytes(st, 1));
        r->parent_id = sqlite3_column_int64(st, 2);
        if (key != NULL) {
            if (sqlite3_column_type(st, 4) == SQLITE_NULL)
                continue; /* a citizen whose erasure waits for a submission: nothing to read */
            e = open_record(key, d->table, r->id, kind == STORE_KIND_CITIZEN ? r->id : citizen_id,
                            sqlite3_column_int64(st, 3), sqlite3_column_blob(st, 4),
                            (size_t)sqlite3_column_bytes(st, 4), a, r->text, d->n_fields);
        } else {
            for (size_t f = 0; f < d->n_fields; f++) {
                int col = 4 + (int)f;
                if (sqlite3_column_type(st, col) != SQLITE_NULL)
                    r->text[f] = arena_strndup(a, (const char *)sqlite3_column_text(st, col),
                                               (size_t)sqlite3_column_bytes(st, col));
            }
        }
        for (size_t f = 0; e == STORE_OK && f < d->n_fields; f++) {
            if (d->fields[f].type == STORE_FIELD_INT && r->text[f] != NULL)
                r->num[f] = strtoll(r->text[f], NULL, 10);
        }
        n++;
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "reading records");
    sqlite3_reset(st);
    *rows_out = rows;
    *n_out = n;
    return e;
}

static const char *
audit_category(enum store_kind kind)
{
    return store_kind(kind)->name;
}

enum store_error
store_list(struct store *s, const struct store_actor *actor, enum store_kind kind,
           int64_t citizen_id, int64_t parent_id, struct store_rows **out)
{
    if (store_kind(kind) == NULL)
        return STORE_ERR_INVALID;
#ifdef MINASIDOR_UNIT_TEST
    if (store_test_fail_list & (1u << kind))
        return STORE_ERR_TAMPERED;
#endif
    struct store_arena *a = arena_create();
    struct store_rows *r = arena_alloc(a, sizeof(*r));
    r->arena = a;
    r->kind = kind;
    enum store_error e = read_rows(s, kind, citizen_id, parent_id, a, &r->rows, &r->n);
    if (e == STORE_OK && store_kind(kind)->personal) {
        char details[64];
        snprintf(details, sizeof(details), "%zu records", r->n);
        e = store_audit_append(s, actor, citizen_id, audit_category(kind), details);
    }
    if (e != STORE_OK) {
        arena_destroy(a);
        return e;
    }
    *out = r;
    return STORE_OK;
}

void
store_rows_free(struct store_rows *rows)
{
    if (rows != NULL)
        arena_destroy(rows->arena);
}

enum store_error
store_citizen_erase(struct store *s, int64_t citizen_id)
{
    enum store_error e = tx_begin(s);
    if (e == STORE_OK)
        e = erase_in_tx(s, citizen_id);
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK) {
        tx_rollback(s);
        return e;
    }
    checkpoint_truncate(s);
    return STORE_OK;
}

enum store_error
store_roles_put(struct store *s, const void *document, size_t document_len, const void *signature,
                size_t signature_len, int64_t at)
{
    if (document_len > 1024 * 1024 || signature_len > 1024)
        return STORE_ERR_INVALID;
    /* The list names staff by personal number: sealed at rest like any personal field. */
    unsigned char *sealed;
    size_t sealed_len;
    seal_field(store_subkey(s, SUBKEY_DEVICE), "site_roles", "document", 1, 0, document,
               document_len, &sealed, &sealed_len);
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "INSERT OR REPLACE INTO site_roles VALUES (1, ?1, ?2, ?3)", &st);
    if (e == STORE_OK) {
        sqlite3_bind_blob(st, 1, sealed, (int)sealed_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, signature, (int)signature_len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, at);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "saving the role list");
    }
    sqlite3_finalize(st);
    free(sealed);
    return e;
}

static unsigned char *
copy_blob(sqlite3_stmt *st, int col, size_t *len)
{
    *len = (size_t)sqlite3_column_bytes(st, col);
    unsigned char *p = xmalloc(*len + 1);
    if (*len > 0)
        memcpy(p, sqlite3_column_blob(st, col), *len);
    return p;
}

enum store_error
store_roles_get(struct store *s, unsigned char **document, size_t *document_len,
                unsigned char **signature, size_t *signature_len)
{
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "SELECT document, signature FROM site_roles WHERE id=1", &st);
    if (e != STORE_OK)
        return e;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        struct store_arena *a = arena_create();
        char *plain = NULL;
        size_t plain_len = 0;
        e = open_field(store_subkey(s, SUBKEY_DEVICE), "site_roles", "document", 1, 0,
                       sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), a, &plain,
                       &plain_len);
        if (e == STORE_OK) {
            *document = xmalloc(plain_len + 1);
            memcpy(*document, plain, plain_len + 1);
            *document_len = plain_len;
            *signature = copy_blob(st, 1, signature_len);
        }
        arena_destroy(a);
    } else {
        e = rc == SQLITE_DONE ? STORE_ERR_NOT_FOUND : sql_error(s, rc, "reading the role list");
    }
    sqlite3_finalize(st);
    return e;
}

const char *
store_stored_id(const struct store *s, enum store_kind kind, const char *server_id,
                char ref[static 33])
{
    if (kind != STORE_KIND_CITIZEN)
        return server_id;
    server_ref(s, "citizens", server_id, ref);
    return ref;
}

enum store_error
store_migrate_server_refs(struct store *s, struct errbuf *err)
{
    sqlite3_stmt *st = NULL, *up = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT id, server_id FROM citizens WHERE server_id NOT LIKE"
                                " 'erased:%'",
                                -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "UPDATE citizens SET server_id=?2 WHERE id=?1", -1, &up,
                                NULL);
    enum store_error e = rc == SQLITE_OK ? STORE_OK : sql_error(s, rc, "migrating citizen ids");
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *sid = (const char *)sqlite3_column_text(st, 1);
        char ref[STORE_REF_CHARS + 1];
        server_ref(s, "citizens", sid, ref);
        const unsigned char *key = NULL;
        if ((e = citizen_key(s, id, &key)) == STORE_OK)
            e = seal_citizen_server_id(s, id, key, sid);
        sqlite3_reset(up);
        sqlite3_bind_int64(up, 1, id);
        sqlite3_bind_text(up, 2, ref, -1, SQLITE_TRANSIENT);
        if (e == STORE_OK && (rc = sqlite3_step(up)) != SQLITE_DONE)
            e = sql_error(s, rc, "migrating citizen ids");
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "migrating citizen ids");
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    citizen_key_forget(s);
    if (e != STORE_OK && err != NULL)
        err_set(err, "cannot replace the citizens' ids by references");
    return e;
}

/* Whether a table has a column (migrations look at what the older code wrote). */
static bool
has_column(struct store *s, const char *table, const char *column)
{
    sqlite3_stmt *st = NULL;
    bool has = sqlite3_prepare_v2(s->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name=?2", -1,
                                  &st, NULL) == SQLITE_OK;
    if (has) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        has = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return has;
}

/* Schema 7's work for one personal kind: each row's fields, sealed one by one until now, are
 * opened and sealed together as its first version; then the per-field columns go. */
static enum store_error
migrate_sealed_kind(struct store *s, enum store_kind k)
{
    const struct store_kind_def *d = store_kind(k);
    bool citizen = k == STORE_KIND_CITIZEN;
    char column[64];
    bool has[STORE_MAX_FIELDS];
    struct buf sel;
    buf_init(&sel, 1024);
    bool ok = buf_printf(&sel, "SELECT id, %s", citizen ? "id" : "citizen_id");
    for (size_t f = 0; f < d->n_fields; f++) {
        snprintf(column, sizeof(column), "f_%s", d->fields[f].name);
        has[f] = has_column(s, d->table, column);
        ok = ok && buf_printf(&sel, ", %s", has[f] ? column : "NULL");
    }
    ok = ok && buf_printf(&sel, "%s FROM %s%s ORDER BY 2, 1", citizen ? ", f_server_id" : "",
                          d->table, citizen ? " WHERE erase_pending=0" : "");
    xassert(ok);
    char upd[128];
    snprintf(upd, sizeof(upd), "UPDATE %s SET version=1, sealed=?2%s WHERE id=?1", d->table,
             citizen ? ", server_id=?3, bidx=?4" : "");
    sqlite3_stmt *st = NULL, *up = NULL;
    int rc = sqlite3_prepare_v2(s->db, buf_str(&sel), -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, upd, -1, &up, NULL);
    buf_finish(&sel);
    enum store_error e = rc == SQLITE_OK ? STORE_OK : sql_error(s, rc, "migrating records");
    struct store_arena *a = arena_create();
    size_t in_arena = 0;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), cid = sqlite3_column_int64(st, 1);
        const unsigned char *key = NULL;
        if ((e = citizen_key(s, cid, &key)) != STORE_OK)
            break;
        if (++in_arena == 256) { /* bounded guarded memory at any size */
            arena_destroy(a);
            a = arena_create();
            in_arena = 0;
        }
        const char *values[STORE_MAX_FIELDS] = { 0 };
        for (size_t f = 0; f < d->n_fields && e == STORE_OK; f++) {
            int col = 2 + (int)f;
            if (sqlite3_column_type(st, col) == SQLITE_NULL)
                continue;
            char *text = NULL;
            e = open_field(key, d->table, d->fields[f].name, id, cid, sqlite3_column_blob(st, col),
                           (size_t)sqlite3_column_bytes(st, col), a, &text, NULL);
            values[f] = text;
        }
        if (e != STORE_OK)
            break;
        char ref[STORE_REF_CHARS + 1];
        unsigned char bidx[BIDX_BYTES];
        if (citizen) {
            /* The reference and the blind index in their short form (schema 7). */
            int col = 2 + (int)d->n_fields;
            char *sid = NULL;
            e = open_field(key, "citizens", "server_id", id, id, sqlite3_column_blob(st, col),
                           (size_t)sqlite3_column_bytes(st, col), a, &sid, NULL);
            const char *pnr = values[RECORD_FIELD_INDEX(REC_CITIZEN_PNR)];
            if (e != STORE_OK || pnr == NULL) {
                e = e != STORE_OK ? e : STORE_ERR_TAMPERED;
                break;
            }
            server_ref(s, "citizens", sid, ref);
            blind_index(s, pnr, bidx);
        }
        unsigned char *blob;
        size_t len;
        seal_record(key, d->table, id, cid, 1, values, d->n_fields, &blob, &len);
        sqlite3_reset(up);
        sqlite3_bind_int64(up, 1, id);
        sqlite3_bind_blob(up, 2, blob, (int)len, free);
        if (citizen) {
            sqlite3_bind_text(up, 3, ref, -1, SQLITE_TRANSIENT);
            sqlite3_bind_blob(up, 4, bidx, BIDX_BYTES, SQLITE_TRANSIENT);
        }
        if ((rc = sqlite3_step(up)) != SQLITE_DONE)
            e = sql_error(s, rc, "migrating records");
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "migrating records");
    arena_destroy(a);
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    char sql[160];
    for (size_t f = 0; f < d->n_fields && e == STORE_OK; f++) {
        if (!has[f])
            continue;
        snprintf(sql, sizeof(sql), "ALTER TABLE %s DROP COLUMN f_%s", d->table, d->fields[f].name);
        e = sql_exec(s, sql);
    }
    return e;
}

enum store_error
store_migrate_sealed_records(struct store *s, struct errbuf *err)
{
    enum store_error e = STORE_OK;
    for (int k = 0; k < STORE_KIND_COUNT && e == STORE_OK; k++) {
        if (store_kind((enum store_kind)k)->personal)
            e = migrate_sealed_kind(s, (enum store_kind)k);
    }
    citizen_key_forget(s);
    if (e == STORE_ERR_TAMPERED)
        err_set(err, "a stored record was altered before this upgrade; erase the cache and sync "
                     "again (the outbox must be delivered or saved first)");
    else if (e != STORE_OK)
        err_set(err, "cannot seal the stored records in their new form");
    return e;
}
