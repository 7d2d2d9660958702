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

/* Builds the per-kind statements from the descriptors. */
static enum store_error
prepare_kind(struct store *s, enum store_kind k)
{
    const struct store_kind_def *d = store_kind(k);
    struct kind_stmts *ks = &s->stmts[k];
    bool citizen = k == STORE_KIND_CITIZEN;
    bool child = d->personal && !citizen;
    struct buf ins, upd, sel;
    buf_init(&ins, 4096);
    buf_init(&upd, 4096);
    buf_init(&sel, 4096);
    bool ok = buf_printf(&ins, "INSERT INTO %s(id, server_id", d->table) &&
              buf_printf(&upd, "UPDATE %s SET server_id=?2", d->table) &&
              buf_printf(&sel, "SELECT id, server_id, %s", d->has_parent ? "parent_id" : "0");
    int param = 3;
    if (citizen) {
        ok = ok && buf_append_str(&ins, ", bidx, wrapped_key") &&
             buf_printf(&upd, ", bidx=?%d", param);
        param += 2; /* wrapped_key is never updated, but keeps the numbering shared */
    }
    if (child)
        ok = ok && buf_append_str(&ins, ", citizen_id") &&
             buf_printf(&upd, ", citizen_id=?%d", param++);
    if (d->has_parent)
        ok = ok && buf_append_str(&ins, ", parent_id") &&
             buf_printf(&upd, ", parent_id=?%d", param++);
    for (size_t i = 0; i < d->n_fields; i++) {
        ok = ok && buf_printf(&ins, ", f_%s", d->fields[i].name) &&
             buf_printf(&upd, ", f_%s=?%d", d->fields[i].name, param++) &&
             buf_printf(&sel, ", f_%s", d->fields[i].name);
    }
    ok = ok && buf_append_str(&ins, ") VALUES (?1, ?2");
    for (int p = 3; p < param; p++)
        ok = ok && buf_printf(&ins, ", ?%d", p);
    ok = ok && buf_append_str(&ins, ")") && buf_append_str(&upd, " WHERE id=?1") &&
         buf_printf(&sel, " FROM %s", d->table);
    xassert(ok);

    char sql[512];
    enum store_error e;
    snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE server_id=?1", d->table);
    e = prep(s, sql, &ks->find);
    snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) + 1 FROM %s", d->table);
    if (e == STORE_OK)
        e = prep(s, sql, &ks->next_id);
    if (e == STORE_OK)
        e = prep(s, buf_str(&ins), &ks->insert);
    if (e == STORE_OK)
        e = prep(s, buf_str(&upd), &ks->update);
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id=?1", d->table);
    if (e == STORE_OK)
        e = prep(s, sql, &ks->remove);
    if (e == STORE_OK) {
        snprintf(sql, sizeof(sql), "%s%s ORDER BY id", buf_str(&sel),
                 citizen ? " WHERE id=?1"
                 : child ? " WHERE citizen_id=?1"
                         : "");
        e = prep(s, sql, &ks->list_citizen);
    }
    if (e == STORE_OK && d->has_parent) {
        snprintf(sql, sizeof(sql), "%s WHERE parent_id=?1 ORDER BY id", buf_str(&sel));
        e = prep(s, sql, &ks->list_parent);
    }
    buf_finish(&ins);
    buf_finish(&upd);
    buf_finish(&sel);
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
    for (int k = 0; k < STORE_KIND_COUNT && e == STORE_OK; k++)
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

/* The row id of a server id in a kind's table, or 0. */
static enum store_error
find_row(struct store *s, enum store_kind k, const char *server_id, int64_t *id)
{
    char ref[33];
    sqlite3_stmt *st = s->stmts[k].find;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, store_stored_id(s, k, server_id, ref), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sql_error(s, rc, "looking up a record");
    return STORE_OK;
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

/* Deletes a citizen's personal rows; keeps only the key row while submissions are pending. */
static enum store_error
erase_in_tx(struct store *s, int64_t cid)
{
    static const char *const tables[] = { "case_events",   "case_documents", "cases",
                                          "queue_entries", "invoices",       "permits",
                                          "appointments",  "payouts" };
    char sql[512];
    for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE citizen_id=%lld", tables[i],
                 (long long)cid);
        enum store_error e = sql_exec(s, sql);
        if (e != STORE_OK)
            return e;
    }
    citizen_key_forget(s);
    if (outbox_has_pending(s, cid)) {
        snprintf(sql, sizeof(sql),
                 "UPDATE citizens SET erase_pending=1, server_id='erased:' || id,"
                 " bidx=randomblob(32), f_pnr=NULL, f_given_name=NULL, f_surname=NULL,"
                 " f_language=NULL, f_phone=NULL, f_email=NULL, f_address=NULL,"
                 " f_district=NULL, f_contact_channel=NULL WHERE id=%lld",
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

static enum store_error
bind_value(struct store *s, sqlite3_stmt *st, int param, const struct store_field_def *f,
           const struct store_value *v, const unsigned char *key, const char *table, int64_t rowid,
           int64_t citizen)
{
    (void)s;
    if (!v->set) {
        sqlite3_bind_null(st, param);
        return STORE_OK;
    }
    char num[24];
    const char *text = v->text;
    if (f->type == STORE_FIELD_INT) {
        snprintf(num, sizeof(num), "%lld", v->num);
        text = num;
    }
    if (text == NULL)
        return STORE_ERR_INVALID;
    if (key == NULL) {
        sqlite3_bind_text(st, param, text, -1, SQLITE_TRANSIENT);
        return STORE_OK;
    }
    unsigned char *blob;
    size_t len;
    seal_field(key, table, f->name, rowid, citizen, text, strlen(text), &blob, &len);
    sqlite3_bind_blob(st, param, blob, (int)len, free);
    return STORE_OK;
}

/* The citizen's case store id, sealed under their key: a submission must name it. */
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
    seal_field(key, "citizens", "server_id", cid, cid, server_id, strlen(server_id), &blob, &len);
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_blob(st, 2, blob, (int)len, free);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "writing a citizen's id");
}

static enum store_error
apply_one(struct store *s, const struct store_change *c, struct errbuf *err)
{
    const struct store_kind_def *d = store_kind(c->kind);
    if (d == NULL || c->id == NULL || *c->id == '\0' || strlen(c->id) > 200) {
        err_set(err, "a change without a valid kind or id");
        return STORE_ERR_INVALID;
    }
    int64_t rowid;
    enum store_error e = find_row(s, c->kind, c->id, &rowid);
    if (e != STORE_OK)
        return e;

    if (c->tombstone) {
        if (rowid == 0)
            return STORE_OK; /* already gone: tombstones are idempotent */
        if (c->kind == STORE_KIND_CITIZEN)
            return erase_in_tx(s, rowid);
        sqlite3_stmt *st = s->stmts[c->kind].remove;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, rowid);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "deleting a record");
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
        if (!valid_pnr12(c->values[0].text)) {
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
    sqlite3_bind_text(st, 2, store_stored_id(s, c->kind, c->id, ref), -1, SQLITE_TRANSIENT);
    int param = 3;
    if (c->kind == STORE_KIND_CITIZEN) {
        unsigned char bidx[KEY_BYTES];
        blind_index(s, c->values[0].text, bidx);
        sqlite3_bind_blob(st, param, bidx, KEY_BYTES, SQLITE_TRANSIENT);
        if (is_new) {
            unsigned char *wrapped;
            size_t wlen;
            seal_field(store_subkey(s, SUBKEY_KEK), "citizens", "key", rowid, rowid, new_key,
                       KEY_BYTES, &wrapped, &wlen);
            sqlite3_bind_blob(st, param + 1, wrapped, (int)wlen, free);
        }
        param += 2;
    } else if (d->personal) {
        sqlite3_bind_int64(st, param++, cid);
        if (d->has_parent)
            sqlite3_bind_int64(st, param++, parent);
    }
    for (size_t i = 0; i < d->n_fields && e == STORE_OK; i++)
        e = bind_value(s, st, param++, &d->fields[i], &c->values[i], key, d->table, rowid, cid);
    int rc = e == STORE_OK ? sqlite3_step(st) : SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (e == STORE_OK && rc == SQLITE_DONE && c->kind == STORE_KIND_CITIZEN)
        e = seal_citizen_server_id(s, rowid, key, c->id);
    if (e == STORE_OK && rc == SQLITE_DONE && is_new && c->kind == STORE_KIND_CITIZEN) {
        /* The citizen's records follow in the same page: keep the fresh key at hand. */
        memcpy(s->cached_key, new_key, KEY_BYTES);
        s->cached_citizen = rowid;
    }
    sodium_memzero(new_key, sizeof(new_key));
    if (e != STORE_OK)
        return e;
    if (rc != SQLITE_DONE) {
        e = sql_error(s, rc, "writing a record");
        if (e == STORE_ERR_INVALID)
            err_set(err, "conflicts with a stored record (same personnummer?)");
        return e;
    }
    return STORE_OK;
}

#ifdef MINASIDOR_UNIT_TEST
/* Lets a test stop a writer with its transaction open, everything written but not committed. */
void (*store_test_before_commit)(void);
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
    const struct store_value *v = &c->values[store_field_index(STORE_KIND_CITIZEN, "district")];
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
    enum store_error e = tx_begin(s);
    if (e != STORE_OK)
        return e;
    /* Row ids are counted in memory within this transaction (the store is the only writer). */
    memset(s->next_rowid, 0, sizeof(s->next_rowid));
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
    if (e != STORE_OK) {
        tx_rollback(s);
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
    if (e == STORE_OK)
        e = sql_exec(s, "DELETE FROM articles; DELETE FROM units; DELETE FROM set_aside;"
                        "UPDATE sync_state SET cursor='' WHERE id=1");
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
store_citizen_find(struct store *s, const char *pnr12, int64_t *citizen_id)
{
    if (!valid_pnr12(pnr12))
        return STORE_ERR_INVALID;
    unsigned char bidx[KEY_BYTES];
    blind_index(s, pnr12, bidx);
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s, "SELECT id FROM citizens WHERE bidx=?1 AND erase_pending=0", &st);
    if (e != STORE_OK)
        return e;
    sqlite3_bind_blob(st, 1, bidx, KEY_BYTES, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *citizen_id = sqlite3_column_int64(st, 0);
    else
        e = rc == SQLITE_DONE ? STORE_ERR_NOT_FOUND : sql_error(s, rc, "finding a citizen");
    sqlite3_finalize(st);
    return e;
}

/* Reads rows of a kind into the arena, without audit (callers log what they read). */
static enum store_error
read_rows(struct store *s, enum store_kind kind, int64_t citizen_id, int64_t parent_id,
          struct store_arena *a, struct store_row **rows_out, size_t *n_out)
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
    struct store_row *rows = arena_alloc(a, cap * sizeof(*rows));
    int rc;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct store_row *bigger = arena_alloc(a, cap * 2 * sizeof(*rows));
            memcpy(bigger, rows, n * sizeof(*rows));
            rows = bigger;
            cap *= 2;
        }
        struct store_row *r = &rows[n];
        r->id = sqlite3_column_int64(st, 0);
        r->server_id = arena_strndup(a, (const char *)sqlite3_column_text(st, 1),
                                     (size_t)sqlite3_column_bytes(st, 1));
        r->parent_id = sqlite3_column_int64(st, 2);
        for (size_t f = 0; f < d->n_fields && e == STORE_OK; f++) {
            int col = 3 + (int)f;
            if (sqlite3_column_type(st, col) == SQLITE_NULL)
                continue;
            char *text;
            if (key != NULL) {
                e = open_field(key, d->table, d->fields[f].name, r->id,
                               kind == STORE_KIND_CITIZEN ? r->id : citizen_id,
                               sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col),
                               a, &text, NULL);
            } else {
                text = arena_strndup(a, (const char *)sqlite3_column_text(st, col),
                                     (size_t)sqlite3_column_bytes(st, col));
            }
            if (e != STORE_OK)
                break;
            r->text[f] = text;
            if (d->fields[f].type == STORE_FIELD_INT)
                r->num[f] = strtoll(text, NULL, 10);
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

#define FIELD(kind, name) field_index_or_die(kind, name)

static int
field_index_or_die(enum store_kind kind, const char *name)
{
    int i = store_field_index(kind, name);
    xassert(i >= 0);
    return i;
}

enum store_error
store_overview_load(struct store *s, const struct store_actor *actor, int64_t citizen_id,
                    const char *today, int64_t now, struct store_overview **out)
{
    struct store_arena *a = arena_create();
    struct store_overview *o = arena_alloc(a, sizeof(*o));
    o->arena = a;
    struct store_row *rows;
    size_t n;

    enum store_error e = read_rows(s, STORE_KIND_CITIZEN, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK && n == 0)
        e = STORE_ERR_NOT_FOUND;
    if (e == STORE_OK) {
        o->given_name = rows[0].text[FIELD(STORE_KIND_CITIZEN, "given_name")];
        o->surname = rows[0].text[FIELD(STORE_KIND_CITIZEN, "surname")];
        o->language = rows[0].text[FIELD(STORE_KIND_CITIZEN, "language")];
    }

    if (e == STORE_OK)
        e = read_rows(s, STORE_KIND_CASE, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK) {
        int status = FIELD(STORE_KIND_CASE, "status");
        o->cases_total = (int)n;
        for (size_t i = 0; i < n; i++)
            o->open_cases += rows[i].text[status] && strcmp(rows[i].text[status], "avslutat") != 0;
    }

    if (e == STORE_OK)
        e = read_rows(s, STORE_KIND_INVOICE, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK) {
        int paid = FIELD(STORE_KIND_INVOICE, "paid"), due = FIELD(STORE_KIND_INVOICE, "due_date");
        int amount = FIELD(STORE_KIND_INVOICE, "amount_ore");
        for (size_t i = 0; i < n; i++) {
            if (rows[i].num[paid])
                continue;
            o->unpaid_invoices++;
            o->unpaid_total_ore += rows[i].num[amount];
            const char *d = rows[i].text[due];
            if (d != NULL && strcmp(d, today) < 0)
                o->overdue_invoices++;
            if (d != NULL && (o->next_due_date == NULL || strcmp(d, o->next_due_date) < 0))
                o->next_due_date = d;
        }
    }

    if (e == STORE_OK)
        e = read_rows(s, STORE_KIND_QUEUE_ENTRY, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK) {
        int pos = FIELD(STORE_KIND_QUEUE_ENTRY, "position");
        o->queue_entries = (int)n;
        for (size_t i = 0; i < n; i++) {
            if (o->best_queue_position == 0 || rows[i].num[pos] < o->best_queue_position)
                o->best_queue_position = (int)rows[i].num[pos];
        }
    }

    if (e == STORE_OK)
        e = read_rows(s, STORE_KIND_APPOINTMENT, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK) {
        int at = FIELD(STORE_KIND_APPOINTMENT, "starts_at");
        int place = FIELD(STORE_KIND_APPOINTMENT, "place");
        for (size_t i = 0; i < n; i++) {
            int64_t t = rows[i].num[at];
            if (t >= now && (o->next_appointment_at == 0 || t < o->next_appointment_at)) {
                o->next_appointment_at = t;
                o->next_appointment_place = rows[i].text[place];
            }
        }
    }

    if (e == STORE_OK)
        e = read_rows(s, STORE_KIND_PERMIT, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK) {
        int to = FIELD(STORE_KIND_PERMIT, "valid_to");
        for (size_t i = 0; i < n; i++) {
            const char *v = rows[i].text[to];
            if (v != NULL && (o->permit_valid_to == NULL || strcmp(v, o->permit_valid_to) > 0))
                o->permit_valid_to = v;
        }
    }

    if (e == STORE_OK)
        e = read_rows(s, STORE_KIND_PAYOUT, citizen_id, 0, a, &rows, &n);
    if (e == STORE_OK) {
        int date = FIELD(STORE_KIND_PAYOUT, "payout_date");
        int amount = FIELD(STORE_KIND_PAYOUT, "amount_ore");
        for (size_t i = 0; i < n; i++) {
            const char *d = rows[i].text[date];
            if (d != NULL && strcmp(d, today) >= 0 &&
                (o->next_payout_date == NULL || strcmp(d, o->next_payout_date) < 0)) {
                o->next_payout_date = d;
                o->next_payout_ore = rows[i].num[amount];
            }
        }
    }

    struct store_sync_state sync;
    if (e == STORE_OK && (e = store_sync_state_get(s, &sync)) == STORE_OK)
        o->last_updated_at = sync.last_success_at;
    if (e == STORE_OK)
        e = store_audit_append(s, actor, citizen_id, "overview", "overview shown");
    if (e != STORE_OK) {
        arena_destroy(a);
        return e;
    }
    *out = o;
    return STORE_OK;
}

void
store_overview_free(struct store_overview *o)
{
    if (o != NULL)
        arena_destroy(o->arena);
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
store_usage_count(struct store *s, int64_t at, const char *screen, const char *lang,
                  const char *outcome)
{
    sqlite3_stmt *st = NULL;
    enum store_error e = prep(s,
                              "INSERT INTO usage_counters VALUES (?1, ?2, ?3, ?4, 1)"
                              " ON CONFLICT DO UPDATE SET count = count + 1",
                              &st);
    if (e != STORE_OK)
        return e;
    sqlite3_bind_int64(st, 1, at / 3600);
    sqlite3_bind_text(st, 2, screen, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, lang, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, outcome, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "counting usage");
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
        char ref[33];
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
