/* casestore storage on SQLite (WAL). Records are kept as JSON field objects with their kind,
 * citizen, parent and district; every write appends to a change log that pull pages through. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "date.h"
#include "page.h"
#include "reports.h"
#include "storage_backend.h"
#include "submission.h"
#include "taxonomy.h"
#include "xalloc.h"

#define LOG_MODULE "casestore"
#include "log.h"

struct cs_storage {
    struct cs_storage_base base; /* first: storage.c dispatches through it */
    sqlite3 *db;
    pthread_mutex_t lock; /* one writer; MHD's thread pool serialises here */
    /* Prepared once (lock held): preparing them per record was most of seeding's time. */
    sqlite3_stmt *put_record, *put_change;
    char epoch[17];
};

static const struct cs_storage_impl sqlite_impl;
static void sq_close(struct cs_storage *st);

static const char schema[] =
    /* secure_delete: what is deleted (an erased citizen) is overwritten, not just unlinked. */
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
    " PRAGMA secure_delete=ON;"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tokens (token_hash BLOB PRIMARY KEY, site TEXT NOT NULL,"
    " districts TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);"
    "CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, public_key BLOB NOT NULL UNIQUE,"
    " site TEXT NOT NULL, site_name TEXT, districts TEXT NOT NULL, enrolled_at INTEGER NOT NULL,"
    " revoked_at INTEGER, last_seq INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS nonces (device_id TEXT NOT NULL, nonce TEXT NOT NULL,"
    " at INTEGER NOT NULL, PRIMARY KEY (device_id, nonce)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, id TEXT NOT NULL, citizen TEXT,"
    " parent TEXT, district TEXT NOT NULL, fields TEXT NOT NULL, PRIMARY KEY (kind, id));"
    "CREATE INDEX IF NOT EXISTS records_citizen ON records(citizen);"
    "CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind TEXT NOT NULL, id TEXT NOT NULL, district TEXT NOT NULL, op TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS submissions (uuid TEXT PRIMARY KEY, device_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, kind TEXT, main TEXT, type TEXT, class TEXT, citizen TEXT,"
    " payload TEXT, registered_by TEXT, created_at INTEGER, received_at INTEGER NOT NULL,"
    " status TEXT NOT NULL, case_number TEXT, reason TEXT, digest TEXT,"
    " UNIQUE (device_id, seq));"
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    /* The BankID simulator's orders (bankid_sim.c), shared with `casestore phone`. */
    "CREATE TABLE IF NOT EXISTS bankid_orders (order_ref TEXT PRIMARY KEY,"
    " qr_start_token TEXT NOT NULL UNIQUE, qr_start_secret TEXT NOT NULL,"
    " requested_pnr TEXT, status TEXT NOT NULL, hint_code TEXT, personal_number TEXT,"
    " given_name TEXT, surname TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    /* Who is staff or technician at each site (site_roles.c). */
    "CREATE TABLE IF NOT EXISTS site_roles (site TEXT NOT NULL, pnr TEXT NOT NULL,"
    " role TEXT NOT NULL, staff_id TEXT NOT NULL, PRIMARY KEY (site, pnr));"
    /* What kiosks report they set aside (reports.h). */
    "CREATE TABLE IF NOT EXISTS device_reports (device_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " record_id TEXT NOT NULL, reason TEXT NOT NULL, first_reported INTEGER NOT NULL,"
    " last_reported INTEGER NOT NULL, PRIMARY KEY (device_id, kind, record_id));";

static enum cs_result
fail(struct cs_storage *st, const char *doing)
{
    LOG_ERR("%s: %s", doing, sqlite3_errmsg(st->db));
    return CS_FAILED;
}

static bool
exec(struct cs_storage *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        LOG_ERR("SQL failed: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return false;
    }
    return true;
}

/* A text column, or NULL for SQL NULL. */
static const char *
column_text(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) != SQLITE_NULL ? (const char *)sqlite3_column_text(q, i)
                                                    : NULL;
}

/* Brings a casestore.db of an earlier version up to this one's schema. */
static void
migrate(struct cs_storage *st)
{
    /* submissions.digest (the content digest that tells a retry from a reused uuid): rows
     * stored before it have none and count as matching. */
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT 1 FROM pragma_table_info('submissions') WHERE"
                       " name='digest'",
                       -1, &q, NULL);
    bool have = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (!have)
        exec(st, "ALTER TABLE submissions ADD COLUMN digest TEXT");
}

struct cs_storage *
cs_sqlite_open(const char *dir, struct errbuf *err)
{
    struct cs_storage *st = xcalloc(1, sizeof(*st));
    st->base.impl = &sqlite_impl;
    pthread_mutex_init(&st->lock, NULL);
    char *path = xasprintf("%s/casestore.db", dir);
    int rc = sqlite3_open_v2(
        path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK || !exec(st, schema)) {
        err_set(err, "%s: cannot open: %s", path, st->db ? sqlite3_errmsg(st->db) : "no memory");
        free(path);
        sq_close(st);
        return NULL;
    }
    /* Created 0600 under casestore's umask; an older database made with a looser mode is
     * tightened (SQLite gives the -wal and -shm files the database file's mode). */
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        char *f = xasprintf("%s%s", path, suffixes[i]);
        struct stat sb;
        if (stat(f, &sb) == 0 && (sb.st_mode & 077) != 0 && chmod(f, 0600) != 0)
            LOG_WARN("%s: cannot make it private: %s", f, strerror(errno));
        free(f);
    }
    free(path);
    sqlite3_busy_timeout(st->db, 10000);
    migrate(st);
    /* The epoch names this database's history: a cursor from another history means reset. */
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key='epoch'", -1, &q, NULL);
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(st->epoch, sizeof(st->epoch), "%s", (const char *)sqlite3_column_text(q, 0));
    } else {
        unsigned char r[8];
        randombytes_buf(r, sizeof(r));
        sodium_bin2hex(st->epoch, sizeof(st->epoch), r, sizeof(r));
        char *sql = xasprintf("INSERT INTO meta VALUES ('epoch', '%s')", st->epoch);
        exec(st, sql);
        free(sql);
    }
    sqlite3_finalize(q);
    return st;
}

static void
sq_close(struct cs_storage *st)
{
    if (st == NULL)
        return;
    sqlite3_finalize(st->put_record);
    sqlite3_finalize(st->put_change);
    sqlite3_close(st->db);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static int64_t
next_counter(struct cs_storage *st, const char *name)
{
    sqlite3_stmt *q = NULL;
    int64_t v = 0;
    sqlite3_prepare_v2(st->db,
                       "INSERT INTO counters VALUES (?1, 1) ON CONFLICT DO UPDATE SET"
                       " value = value + 1 RETURNING value",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static enum cs_result
sq_token_put(struct cs_storage *st, const unsigned char h[32], const char *site,
             const char *districts, int64_t expires_at, struct errbuf *err)
{
    (void)err; /* a failure is logged and said by fail() */
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "INSERT INTO tokens VALUES (?1, ?2, ?3, ?4, NULL)", -1, &q, NULL);
    sqlite3_bind_blob(q, 1, h, 32, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, districts, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, expires_at);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return rc == SQLITE_DONE ? CS_OK : fail(st, "creating a token");
}

static void
sq_device_list(struct cs_storage *st, FILE *out)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT id, site, districts, enrolled_at, revoked_at, last_seq FROM devices"
                       " ORDER BY enrolled_at",
                       -1, &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "%s  site=%s  districts=%s  enrolled=%lld  last_seq=%lld%s\n",
                sqlite3_column_text(q, 0), sqlite3_column_text(q, 1), sqlite3_column_text(q, 2),
                (long long)sqlite3_column_int64(q, 3), (long long)sqlite3_column_int64(q, 5),
                sqlite3_column_type(q, 4) == SQLITE_NULL ? "" : "  REVOKED");
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
}

static enum cs_result
sq_device_revoke(struct cs_storage *st, const char *device_id)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "UPDATE devices SET revoked_at=?2 WHERE id=?1", -1, &q, NULL);
    sqlite3_bind_text(q, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (int64_t)time(NULL));
    sqlite3_step(q);
    sqlite3_finalize(q);
    int changed = sqlite3_changes(st->db);
    pthread_mutex_unlock(&st->lock);
    return changed ? CS_OK : CS_NOT_FOUND;
}

static void
load_device(sqlite3_stmt *q, struct cs_device *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(q, 0));
    if (sqlite3_column_bytes(q, 1) == 32)
        memcpy(out->public_key, sqlite3_column_blob(q, 1), 32);
    snprintf(out->site, sizeof(out->site), "%s", (const char *)sqlite3_column_text(q, 2));
    snprintf(out->districts, sizeof(out->districts), "%s", (const char *)sqlite3_column_text(q, 3));
    out->revoked = sqlite3_column_type(q, 4) != SQLITE_NULL;
    out->last_seq = sqlite3_column_int64(q, 5);
}

static enum cs_result
device_get_locked(struct cs_storage *st, const char *device_id, struct cs_device *out)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT id, public_key, site, districts, revoked_at, last_seq FROM devices"
                       " WHERE id=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, device_id, -1, SQLITE_STATIC);
    enum cs_result r = CS_NOT_FOUND;
    if (sqlite3_step(q) == SQLITE_ROW) {
        load_device(q, out);
        r = CS_OK;
    }
    sqlite3_finalize(q);
    return r;
}

static enum cs_result
sq_device_get(struct cs_storage *st, const char *device_id, struct cs_device *out)
{
    pthread_mutex_lock(&st->lock);
    enum cs_result r = device_get_locked(st, device_id, out);
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_enroll(struct cs_storage *st, const char *token, const unsigned char pk[32],
          const char *site_name, struct cs_device *out, struct errbuf *err)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    pthread_mutex_lock(&st->lock);
    enum cs_result r = CS_CONFLICT;
    exec(st, "BEGIN IMMEDIATE");
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "UPDATE tokens SET used_at=?2 WHERE token_hash=?1 AND used_at IS NULL"
                       " AND expires_at > ?2 RETURNING site, districts",
                       -1, &q, NULL);
    sqlite3_bind_blob(q, 1, h, sizeof(h), SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (int64_t)time(NULL));
    char site[64] = "", districts[256] = "";
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(site, sizeof(site), "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(districts, sizeof(districts), "%s", (const char *)sqlite3_column_text(q, 1));
        r = CS_OK;
    } else {
        err_set(err, "the enrolment token is unknown, used or expired");
    }
    sqlite3_finalize(q);
    if (r == CS_OK) {
        unsigned char rid[6];
        randombytes_buf(rid, sizeof(rid));
        char hex[13];
        sodium_bin2hex(hex, sizeof(hex), rid, sizeof(rid));
        char id[40];
        snprintf(id, sizeof(id), "dev-%s", hex);
        sqlite3_prepare_v2(st->db, "INSERT INTO devices VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, 0)",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(q, 2, pk, 32, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, site, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, site_name ? site_name : site, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, districts, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 6, (int64_t)time(NULL));
        if (sqlite3_step(q) != SQLITE_DONE) {
            err_set(err, "this device key is already enrolled");
            r = CS_CONFLICT;
        }
        sqlite3_finalize(q);
        if (r == CS_OK)
            r = device_get_locked(st, id, out);
    }
    exec(st, r == CS_OK ? "COMMIT" : "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_nonce_use(struct cs_storage *st, const char *device_id, const char *nonce, int64_t now,
             int64_t keep_s)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "DELETE FROM nonces WHERE at < ?1", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, now - keep_s);
    sqlite3_step(q);
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db, "INSERT INTO nonces VALUES (?1, ?2, ?3)", -1, &q, NULL);
    sqlite3_bind_text(q, 1, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, nonce, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, now);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return rc == SQLITE_DONE ? CS_OK : CS_CONFLICT;
}

static void
log_change(struct cs_storage *st, const char *kind, const char *id, const char *district,
           const char *op)
{
    if (st->put_change == NULL)
        sqlite3_prepare_v2(st->db,
                           "INSERT INTO changes (kind, id, district, op) VALUES (?1,?2,?3,?4)", -1,
                           &st->put_change, NULL);
    sqlite3_stmt *q = st->put_change;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, district, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, op, -1, SQLITE_STATIC);
    sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
}

static enum cs_result
record_put_locked(struct cs_storage *st, const char *kind, const char *id, const char *citizen,
                  const char *parent, const char *district, json_t *fields)
{
    char *text = json_dumps(fields, JSON_COMPACT);
    if (st->put_record == NULL)
        sqlite3_prepare_v2(st->db,
                           "INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO"
                           " UPDATE SET citizen=?3, parent=?4, district=?5, fields=?6",
                           -1, &st->put_record, NULL);
    sqlite3_stmt *q = st->put_record;
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, citizen, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, parent, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, district, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, text, -1, free);
    int rc = sqlite3_step(q);
    enum cs_result r = rc == SQLITE_DONE ? CS_OK : fail(st, "writing a record");
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (r != CS_OK)
        return r;
    log_change(st, kind, id, district, "upsert");
    return CS_OK;
}

static enum cs_result
sq_record_put(struct cs_storage *st, const char *kind, const char *id, const char *citizen,
              const char *parent, const char *district, json_t *fields)
{
    /* Inside cs_transaction the lock is held already. */
    return record_put_locked(st, kind, id, citizen, parent, district, fields);
}

static enum cs_result
sq_transaction(struct cs_storage *st, enum cs_result (*fn)(void *), void *data)
{
    pthread_mutex_lock(&st->lock);
    exec(st, "BEGIN IMMEDIATE");
    enum cs_result r = fn(data);
    exec(st, r == CS_OK ? "COMMIT" : "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return r;
}

/* The citizen, parent and district of a record; CS_NOT_FOUND if there is none. */
static enum cs_result
record_place(struct cs_storage *st, const char *kind, const char *id, char citizen[static 64],
             char parent[static 64], char district[static 64])
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT citizen, parent, district FROM records WHERE kind=?1 AND"
                       " id=?2",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    enum cs_result r = CS_NOT_FOUND;
    citizen[0] = parent[0] = district[0] = '\0';
    if (sqlite3_step(q) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) != SQLITE_NULL)
            snprintf(citizen, 64, "%s", (const char *)sqlite3_column_text(q, 0));
        if (sqlite3_column_type(q, 1) != SQLITE_NULL)
            snprintf(parent, 64, "%s", (const char *)sqlite3_column_text(q, 1));
        snprintf(district, 64, "%s", (const char *)sqlite3_column_text(q, 2));
        r = CS_OK;
    }
    sqlite3_finalize(q);
    return r;
}

static enum cs_result
sq_record_remove(struct cs_storage *st, const char *kind, const char *id, int *children,
                 struct errbuf *err)
{
    *children = 0;
    if (strcmp(kind, "citizen") == 0) {
        err_set(err,
                "removing a citizen erases them on every kiosk: use `casestore mutate"
                " erase-citizen %s`",
                id);
        return CS_INVALID;
    }
    pthread_mutex_lock(&st->lock);
    exec(st, "BEGIN IMMEDIATE");
    char citizen[64], parent[64], district[64];
    enum cs_result r = record_place(st, kind, id, citizen, parent, district);
    if (r != CS_OK) {
        err_set(err, "no %s with id %s", kind, id);
    } else {
        /* A case's events and documents go with it, as they do on the kiosk: none is left
         * behind to be sent later without its case. */
        sqlite3_stmt *q = NULL;
        if (strcmp(kind, "case") == 0) {
            sqlite3_prepare_v2(st->db,
                               "DELETE FROM records WHERE kind IN ('case_event', 'case_document')"
                               " AND parent=?1 RETURNING kind, id, district",
                               -1, &q, NULL);
            sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
            while (sqlite3_step(q) == SQLITE_ROW) {
                log_change(st, (const char *)sqlite3_column_text(q, 0),
                           (const char *)sqlite3_column_text(q, 1),
                           (const char *)sqlite3_column_text(q, 2), "delete");
                (*children)++;
            }
            sqlite3_finalize(q);
        }
        sqlite3_prepare_v2(st->db, "DELETE FROM records WHERE kind=?1 AND id=?2", -1, &q, NULL);
        sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            r = fail(st, "removing a record");
        sqlite3_finalize(q);
        if (r == CS_OK)
            log_change(st, kind, id, district, "delete");
    }
    exec(st, r == CS_OK ? "COMMIT" : "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_record_rewrite(struct cs_storage *st, const char *kind, const char *id, json_t *fields,
                  struct errbuf *err)
{
    size_t size = json_dumpb(fields, NULL, 0, JSON_COMPACT);
    if (size + 1024 > CS_PAGE_BYTES) {
        err_set(err, "the new fields take %zu bytes: more than a page can carry", size);
        return CS_INVALID;
    }
    pthread_mutex_lock(&st->lock);
    exec(st, "BEGIN IMMEDIATE");
    char citizen[64], parent[64], district[64];
    enum cs_result r = record_place(st, kind, id, citizen, parent, district);
    const char *moved = json_string_value(json_object_get(fields, "district"));
    struct errbuf why;
    if (r != CS_OK) {
        err_set(err, "no %s with id %s", kind, id);
    } else if (!submission_record_check(kind, id, citizen[0] ? citizen : NULL,
                                        parent[0] ? parent : NULL, fields, &why)) {
        err_set(err, "the new fields are not a valid %s: %s", kind, why.msg);
        r = CS_INVALID;
    } else if (strcmp(kind, "citizen") == 0 && moved != NULL && strcmp(moved, district) != 0) {
        err_set(err, "a citizen's district is changed with `casestore mutate move-citizen`");
        r = CS_INVALID;
    } else {
        r = record_put_locked(st, kind, id, citizen[0] ? citizen : NULL, parent[0] ? parent : NULL,
                              district, fields);
    }
    exec(st, r == CS_OK ? "COMMIT" : "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_pull(struct cs_storage *st, const struct cs_device *dev, const char *cursor, int limit,
        struct cs_page *page, char cursor_out[static 64], int64_t *position_out, int64_t *head_out,
        bool *more, bool *reset)
{
    *reset = false;
    *more = false;
    int64_t position = 0;
    if (!cs_cursor_parse(cursor, st->epoch, &position)) {
        *reset = true;
        return CS_OK;
    }
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "SELECT coalesce(max(seq), 0) FROM changes", -1, &q, NULL);
    int64_t max_seq = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_finalize(q);
    if (position > max_seq) {
        /* The client is ahead of our history: we were restored from an older backup. */
        pthread_mutex_unlock(&st->lock);
        *reset = true;
        return CS_OK;
    }
    sqlite3_prepare_v2(st->db,
                       "SELECT c.seq, c.kind, c.id, c.op, c.district, r.citizen, r.parent,"
                       " r.district, r.fields FROM changes c LEFT JOIN records r"
                       " ON r.kind = c.kind AND r.id = c.id WHERE c.seq > ?1 ORDER BY c.seq"
                       " LIMIT ?2",
                       -1, &q, NULL);
    sqlite3_bind_int64(q, 1, position);
    sqlite3_bind_int(q, 2, limit);
    int scanned = 0;
    int64_t last = position;
    bool full = false;
    while (!full && sqlite3_step(q) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(q, 0);
        const char *kind = (const char *)sqlite3_column_text(q, 1);
        const char *id = (const char *)sqlite3_column_text(q, 2);
        const char *op = (const char *)sqlite3_column_text(q, 3);
        const char *change_district = (const char *)sqlite3_column_text(q, 4);
        enum cs_page_add added = CS_PAGE_SKIPPED;
        if (!cs_in_scope(dev->districts, change_district)) {
            /* not this device's */
        } else if (strcmp(op, "delete") == 0) {
            added = cs_page_add_delete(page, kind, id);
        } else if (sqlite3_column_type(q, 8) != SQLITE_NULL &&
                   cs_in_scope(dev->districts, (const char *)sqlite3_column_text(q, 7))) {
            /* An upsert is sent as the record is now, if it still exists and is still in
             * scope, and only if every kiosk can take it: a record that is not as the
             * protocol says is the server's error, logged (kind and id, never content) and
             * skipped, never a page that wedges a district. */
            added = cs_page_add_upsert(page, kind, id, column_text(q, 5), column_text(q, 6),
                                       column_text(q, 8));
        }
        if (added == CS_PAGE_FULL) {
            full = true; /* the page is full: this change starts the next one */
            break;
        }
        scanned++;
        last = seq;
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    *more = full || (scanned == limit && last < max_seq);
    snprintf(cursor_out, 64, "c%s.%lld", st->epoch, (long long)last);
    *position_out = last;
    *head_out = max_seq;
    return CS_OK;
}

static const char *
jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The district a citizen lives in now; false (and "") if there is no such citizen. */
static bool
citizen_district(struct cs_storage *st, const char *citizen, char *out, size_t size)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "SELECT district FROM records WHERE kind='citizen' AND id=?1", -1,
                       &q, NULL);
    sqlite3_bind_text(q, 1, citizen, -1, SQLITE_STATIC);
    out[0] = '\0';
    if (sqlite3_step(q) == SQLITE_ROW)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return out[0] != '\0';
}

/* The answer to an item whose uuid this device stored before (PROTOCOL.md §6): the same
 * content is a retry (its first answer again), other content under the same uuid is refused.
 * Neither looks at or moves the sequence. False if the device never stored this uuid. */
static bool
answer_seen(struct cs_storage *st, const struct cs_device *dev, const char *uuid,
            const char *digest, json_t **result)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT status, case_number, reason, digest FROM submissions WHERE uuid=?1"
                       " AND device_id=?2",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, dev->id, -1, SQLITE_STATIC);
    bool seen = sqlite3_step(q) == SQLITE_ROW;
    if (seen) {
        *result = cs_seen_result(uuid, column_text(q, 0), column_text(q, 1), column_text(q, 2),
                                 column_text(q, 3), digest);
    }
    sqlite3_finalize(q);
    return seen;
}

static bool
uuid_taken(struct cs_storage *st, const char *uuid)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "SELECT 1 FROM submissions WHERE uuid=?1", -1, &q, NULL);
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
    bool taken = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return taken;
}

static void
set_last_seq(struct cs_storage *st, struct cs_device *dev, int64_t seq)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "UPDATE devices SET last_seq=?2 WHERE id=?1", -1, &q, NULL);
    sqlite3_bind_text(q, 1, dev->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, seq);
    sqlite3_step(q);
    sqlite3_finalize(q);
    dev->last_seq = seq;
}

/* The submission becomes a case the citizen sees on Mina sidor, with its first event. */
static enum cs_result
put_case(struct cs_storage *st, const json_t *item, const char *uuid, const char *district,
         const char *case_number, json_t *by, int64_t now)
{
    const char *citizen = jstr(item, "citizen");
    json_t *fields = cs_case_fields(item, district, case_number, by, now);
    char case_id[64], ev_id[72];
    snprintf(case_id, sizeof(case_id), "sub-%s", uuid);
    snprintf(ev_id, sizeof(ev_id), "sub-%s-0", uuid);
    enum cs_result r = record_put_locked(st, "case", case_id, citizen, NULL, district, fields);
    json_decref(fields);
    json_t *ev = cs_case_first_event(now);
    if (r == CS_OK)
        r = record_put_locked(st, "case_event", ev_id, citizen, case_id, district, ev);
    json_decref(ev);
    return r;
}

static enum cs_result
push_item_locked(struct cs_storage *st, struct cs_device *dev, const json_t *item, int64_t now,
                 json_t **result, struct cs_push_stop *stop, struct errbuf *err)
{
    const char *uuid = jstr(item, "uuid");
    json_int_t seq = json_integer_value(json_object_get(item, "seq"));
    char digest[SUBMISSION_DIGEST_HEX];
    if (!submission_uuid_ok(uuid) || !json_is_integer(json_object_get(item, "seq")) || seq < 1 ||
        !submission_digest(item, digest)) {
        err_set(err, "an item needs a uuid (36 characters) and a seq (1 or more)");
        return CS_INVALID;
    }
    /* 1. A uuid this device stored before: a retry, whatever its seq now. */
    if (answer_seen(st, dev, uuid, digest, result))
        return CS_OK;
    /* 2. Otherwise the item must be the next in the device's sequence. */
    struct cs_device fresh;
    if (device_get_locked(st, dev->id, &fresh) != CS_OK)
        return CS_FAILED;
    dev->last_seq = fresh.last_seq;
    if (seq != fresh.last_seq + 1) {
        stop->gap = seq > fresh.last_seq + 1;
        snprintf(stop->uuid, sizeof(stop->uuid), "%s", uuid);
        stop->expected = fresh.last_seq + 1;
        err_set(err, "%s: seq %lld, expected %lld",
                stop->gap ? "sequence gap" : "this sequence number is used by another submission",
                (long long)seq, (long long)stop->expected);
        return CS_CONFLICT;
    }
    /* 3. The next one: another device's uuid is refused (nothing of that submission is
     * told); anything else is validated. Either way the item consumes its sequence number. */
    if (uuid_taken(st, uuid)) {
        set_last_seq(st, dev, seq);
        *result = json_pack("{s:s, s:s, s:s}", "uuid", uuid, "status", "rejected", "reason",
                            CS_REUSED_UUID);
        return CS_OK;
    }
    enum cs_result r = CS_OK;
    char district[64];
    json_t *payload = NULL, *by = NULL;
    struct errbuf why;
    bool ok = cs_check_item(st, dev, item, now, citizen_district, &payload, &by, district,
                            sizeof(district), &why);
    char case_number[40] = "";
    if (ok) {
        cs_case_number(now, next_counter(st, "case_number"), case_number);
        if (jstr(item, "citizen") != NULL)
            r = put_case(st, item, uuid, district, case_number, by, now);
    }
    if (r == CS_OK) {
        /* A rejected item keeps what passed the schema; of one that did not, nothing but a
         * few short codes (staff see the reason, not the device's JSON). */
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(st->db,
                           "INSERT INTO submissions (uuid, device_id, seq, kind, main, type,"
                           " class, citizen, payload, registered_by, created_at, received_at,"
                           " status, case_number, reason, digest) VALUES (?1,?2,?3,?4,?5,?6,?7,"
                           "?8,?9,?10,?11,?12,?13,?14,?15,?16)",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, dev->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, seq);
        sqlite3_bind_text(q, 4, cs_short_str(item, "kind"), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, cs_short_str(item, "main"), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, cs_short_str(item, "type"), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, cs_short_str(item, "class"), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 8, cs_short_str(item, "citizen"), -1, SQLITE_STATIC);
        if (payload != NULL)
            sqlite3_bind_text(q, 9, json_dumps(payload, JSON_COMPACT), -1, free);
        if (by != NULL)
            sqlite3_bind_text(q, 10, json_dumps(by, JSON_COMPACT | JSON_SORT_KEYS), -1, free);
        sqlite3_bind_int64(q, 11, json_integer_value(json_object_get(item, "created_at")));
        sqlite3_bind_int64(q, 12, now);
        sqlite3_bind_text(q, 13, ok ? "accepted" : "rejected", -1, SQLITE_STATIC);
        if (ok)
            sqlite3_bind_text(q, 14, case_number, -1, SQLITE_STATIC);
        else
            sqlite3_bind_text(q, 15, why.msg, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 16, digest, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            r = fail(st, "storing a submission");
        sqlite3_finalize(q);
    }
    json_decref(payload);
    json_decref(by);
    if (r == CS_OK) {
        set_last_seq(st, dev, seq);
        *result = cs_new_result(uuid, ok, case_number, why.msg);
    }
    return r;
}

static enum cs_result
sq_push_items(struct cs_storage *st, struct cs_device *dev, const json_t *items, int64_t now,
              json_t *results, struct cs_push_stop *stop, struct errbuf *err)
{
    pthread_mutex_lock(&st->lock);
    exec(st, "BEGIN IMMEDIATE");
    enum cs_result r = CS_OK;
    for (size_t i = 0; i < json_array_size(items) && r == CS_OK; i++) {
        json_t *res = NULL;
        exec(st, "SAVEPOINT item");
        r = push_item_locked(st, dev, json_array_get(items, i), now, &res, stop, err);
        exec(st, r == CS_OK ? "RELEASE item" : "ROLLBACK TO item");
        if (r == CS_OK)
            json_array_append_new(results, res);
    }
    /* Items before a failing one are kept: their results are lost with the error response, so
     * the client sends them again and they come back as duplicates. */
    exec(st, r == CS_FAILED ? "ROLLBACK" : "COMMIT");
    pthread_mutex_unlock(&st->lock);
    return r;
}

/* Erases everything the case store holds about a citizen, inside the caller's transaction:
 * their records, the contents of their submissions and the BankID simulator's orders that name
 * them. A submission keeps a tombstone (uuid, device, seq, status, case number, reason, time)
 * with no content and no digest, so that its device pushing the uuid again still gets
 * "duplicate" and never a second case. */
static enum cs_result
erase_citizen_locked(struct cs_storage *st, const char *id, struct errbuf *err)
{
    sqlite3_stmt *q = NULL;
    char pnr[16] = "";
    sqlite3_prepare_v2(st->db,
                       "SELECT json_extract(fields, '$.pnr') FROM records WHERE kind='citizen' AND"
                       " id=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
        snprintf(pnr, sizeof(pnr), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db,
                       "DELETE FROM records WHERE (kind='citizen' AND id=?1) OR citizen=?1"
                       " RETURNING district",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    char district[64] = "";
    while (sqlite3_step(q) == SQLITE_ROW)
        snprintf(district, sizeof(district), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (district[0] != '\0')
        log_change(st, "citizen", id, district, "delete");
    /* Also when the citizen was erased before: a kiosk that was offline may have pushed for
     * them since (rejected, "the citizen is not known", but stored). */
    /* A content digest, where submissions keep one, goes too: it would confirm a guess of the
     * content. A tombstone without one still answers its uuid as a duplicate. */
    sqlite3_prepare_v2(st->db, "SELECT 1 FROM pragma_table_info('submissions') WHERE name='digest'",
                       -1, &q, NULL);
    bool has_digest = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db,
                       has_digest
                           ? "UPDATE submissions SET kind=NULL, main=NULL, type=NULL, class=NULL,"
                             " citizen=NULL, payload=NULL, registered_by=NULL, created_at=NULL,"
                             " digest=NULL WHERE citizen=?1"
                           : "UPDATE submissions SET kind=NULL, main=NULL, type=NULL, class=NULL,"
                             " citizen=NULL, payload=NULL, registered_by=NULL, created_at=NULL"
                             " WHERE citizen=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        err_set(err, "erasing submissions failed: %s", sqlite3_errmsg(st->db));
        return fail(st, "erasing submissions");
    }
    if (district[0] == '\0' && sqlite3_changes(st->db) == 0) {
        err_set(err, "no citizen with id %s", id);
        return CS_NOT_FOUND;
    }
    if (pnr[0] != '\0') {
        /* Orders asked for them or completed as them (the 10-digit form too, in case a relying
         * party sent one). */
        sqlite3_prepare_v2(st->db,
                           "DELETE FROM bankid_orders WHERE personal_number=?1 OR"
                           " requested_pnr=?1 OR requested_pnr=substr(?1, 3)"
                           " OR personal_number=substr(?1, 3)",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, pnr, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            err_set(err, "erasing identity orders failed: %s", sqlite3_errmsg(st->db));
            return fail(st, "erasing identity orders");
        }
    }
    return CS_OK;
}

/* Re-logs every record of a citizen in their (new) district, citizen first. */
static void
relog_citizen(struct cs_storage *st, const char *citizen, const char *district)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT kind, id FROM records WHERE (kind='citizen' AND id=?1) OR citizen=?1"
                       " ORDER BY kind != 'citizen', kind != 'case', rowid",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, citizen, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW)
        log_change(st, (const char *)sqlite3_column_text(q, 0),
                   (const char *)sqlite3_column_text(q, 1), district, "upsert");
    sqlite3_finalize(q);
}

static enum cs_result
set_field(struct cs_storage *st, const char *kind, const char *id, const char *field, json_t *value,
          struct errbuf *err)
{
    char citizen[64], parent[64], district[64];
    if (record_place(st, kind, id, citizen, parent, district) != CS_OK) {
        err_set(err, "no %s with id %s", kind, id);
        json_decref(value);
        return CS_NOT_FOUND;
    }
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "SELECT fields FROM records WHERE kind=?1 AND id=?2", -1, &q, NULL);
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    json_t *fields = sqlite3_step(q) == SQLITE_ROW
                         ? json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL)
                         : NULL;
    sqlite3_finalize(q);
    if (fields == NULL) { /* not an object as stored: the repair command's work, not this one's */
        err_set(err, "%s %s: its stored fields are not JSON", kind, id);
        json_decref(value);
        return CS_INVALID;
    }
    json_object_set_new(fields, field, value);
    enum cs_result r = record_put_locked(st, kind, id, citizen[0] ? citizen : NULL,
                                         parent[0] ? parent : NULL, district, fields);
    json_decref(fields);
    return r;
}

static enum cs_result
sq_mutate(struct cs_storage *st, const char *what, const char *id, const char *arg,
          struct errbuf *err)
{
    pthread_mutex_lock(&st->lock);
    exec(st, "BEGIN IMMEDIATE");
    enum cs_result r;
    if (strcmp(what, "advance-case") == 0) {
        static const char *const order[] = { "inkommen", "handlaggs", "beslutat", "avslutat" };
        const char *to = arg;
        if (to == NULL) {
            to = "handlaggs";
            sqlite3_stmt *q = NULL;
            sqlite3_prepare_v2(st->db,
                               "SELECT json_extract(fields, '$.status') FROM records WHERE"
                               " kind='case' AND id=?1",
                               -1, &q, NULL);
            sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
            if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
                for (size_t i = 0; i + 1 < ARRAY_LEN(order); i++) {
                    if (strcmp((const char *)sqlite3_column_text(q, 0), order[i]) == 0)
                        to = order[i + 1];
                }
            }
            sqlite3_finalize(q);
            char *copy = xstrdup(to);
            r = set_field(st, "case", id, "status", json_string(copy), err);
            free(copy);
        } else {
            r = set_field(st, "case", id, "status", json_string(to), err);
        }
        /* The case's history says so too: its status is always its last event's. */
        char citizen[64], parent[64], district[64], eid[96];
        if (r == CS_OK && record_place(st, "case", id, citizen, parent, district) == CS_OK) {
            json_t *ev = json_pack("{s:I, s:s}", "at", (json_int_t)time(NULL), "status", to);
            snprintf(eid, sizeof(eid), "%s-ev-m%lld", id,
                     (long long)next_counter(st, "case_event"));
            r = record_put_locked(st, "case_event", eid, citizen, id, district, ev);
            json_decref(ev);
        }
    } else if (strcmp(what, "pay-invoice") == 0) {
        r = set_field(st, "invoice", id, "paid", json_integer(1), err);
        if (r == CS_OK && arg != NULL)
            r = set_field(st, "invoice", id, "paid_on", json_string(arg), err);
    } else if (strcmp(what, "move-appointment") == 0 && arg != NULL) {
        r = set_field(st, "appointment", id, "starts_at", json_integer(strtoll(arg, NULL, 10)),
                      err);
    } else if (strcmp(what, "book-appointment") == 0 && arg != NULL) {
        /* id is the citizen; arg the UTC time of a färdtjänst assessment visit. */
        char district[64];
        citizen_district(st, id, district, sizeof(district));
        if (district[0] == '\0') {
            err_set(err, "no citizen with id %s", id);
            r = CS_NOT_FOUND;
        } else {
            char aid[64];
            snprintf(aid, sizeof(aid), "ap-%s-%lld", id,
                     (long long)next_counter(st, "appointment"));
            json_t *f = json_pack(
                "{s:I, s:s, s:s, s:s}", "starts_at", (json_int_t)strtoll(arg, NULL, 10), "place",
                "Hembesök", "handlaggare", "Karin Lind", "purpose", "Utredning av färdtjänst");
            r = record_put_locked(st, "appointment", aid, id, NULL, district, f);
            json_decref(f);
        }
    } else if (strcmp(what, "move-citizen") == 0 && arg != NULL) {
        r = CS_NOT_FOUND;
        char old[64];
        citizen_district(st, id, old, sizeof(old));
        sqlite3_stmt *q = NULL;
        if (taxonomy_find(TAX_DISTRICT, arg) < 0) {
            err_set(err, "unknown district \"%s\"", arg);
            r = CS_INVALID;
        } else if (old[0] == '\0') {
            err_set(err, "no citizen with id %s", id);
        } else {
            /* Devices of the old district erase the citizen; those of the new one get it all. */
            sqlite3_prepare_v2(st->db,
                               "UPDATE records SET district=?2, fields = CASE WHEN kind='citizen'"
                               " THEN json_set(fields, '$.district', ?2) ELSE fields END"
                               " WHERE (kind='citizen' AND id=?1) OR citizen=?1",
                               -1, &q, NULL);
            sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, arg, -1, SQLITE_STATIC);
            sqlite3_step(q);
            sqlite3_finalize(q);
            log_change(st, "citizen", id, old, "delete");
            relog_citizen(st, id, arg);
            r = CS_OK;
        }
    } else if (strcmp(what, "erase-citizen") == 0) {
        r = erase_citizen_locked(st, id, err);
    } else {
        err_set(err,
                "unknown change \"%s\" (advance-case, pay-invoice, move-appointment,"
                " move-citizen, erase-citizen)",
                what);
        r = CS_INVALID;
    }
    exec(st, r == CS_OK ? "COMMIT" : "ROLLBACK");
    if (r == CS_OK && strcmp(what, "erase-citizen") == 0) {
        /* The erased rows were overwritten (secure_delete), but the write-ahead log still holds
         * earlier copies of their pages: copy the new pages back and empty the log. */
        int log_frames = 0, done = 0;
        int rc =
            sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &done);
        if (rc != SQLITE_OK) {
            err_set(err,
                    "the citizen is erased, but the write-ahead log could not be emptied (%s);"
                    " run the command again when the server is idle",
                    sqlite3_errmsg(st->db));
            r = CS_FAILED;
        }
    }
    pthread_mutex_unlock(&st->lock);
    return r;
}

static void
sq_stats(struct cs_storage *st, FILE *out)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind", -1,
                       &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "records.%s %lld\n", sqlite3_column_text(q, 0),
                (long long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db,
                       "SELECT status, count(*) FROM submissions GROUP BY status ORDER BY status",
                       -1, &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "submissions.%s %lld\n", sqlite3_column_text(q, 0),
                (long long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db, "SELECT count(*), coalesce(max(seq), 0) FROM changes", -1, &q, NULL);
    if (sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "changes %lld\nposition %lld\n", (long long)sqlite3_column_int64(q, 0),
                (long long)sqlite3_column_int64(q, 1));
    sqlite3_finalize(q);
    sqlite3_prepare_v2(st->db, "SELECT count(*) FROM device_reports", -1, &q, NULL);
    if (sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "device_reports %lld\n", (long long)sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
}

/* The kiosks' reports (reports.h). */
static enum cs_result
sq_report_store(struct cs_storage *st, const char *device_id, const json_t *entries, int64_t now)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    bool ok = exec(st, "BEGIN IMMEDIATE");
    if (ok)
        ok = sqlite3_prepare_v2(st->db,
                                "INSERT INTO device_reports VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
                                " ON CONFLICT DO UPDATE SET reason = ?4, last_reported = ?5",
                                -1, &q, NULL) == SQLITE_OK;
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        if (!ok)
            break;
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, device_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, jstr(e, "kind"), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, jstr(e, "id"), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, jstr(e, "reason"), -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, now);
        ok = sqlite3_step(q) == SQLITE_DONE;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (ok) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "DELETE FROM device_reports WHERE device_id = ?1 AND rowid NOT IN (SELECT rowid"
                 " FROM device_reports WHERE device_id = ?1 ORDER BY last_reported DESC LIMIT %d)",
                 CS_REPORTS_PER_DEVICE);
        ok = sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(q, 1, device_id, -1, SQLITE_STATIC);
            ok = sqlite3_step(q) == SQLITE_DONE;
        }
        sqlite3_finalize(q);
    }
    if (!ok)
        LOG_ERR("storing a device's report: %s", sqlite3_errmsg(st->db));
    exec(st, ok ? "COMMIT" : "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return ok ? CS_OK : CS_FAILED;
}

static void
sq_report_list(struct cs_storage *st, FILE *out)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT device_id, kind, record_id, reason, last_reported FROM"
                       " device_reports ORDER BY last_reported DESC, device_id, kind, record_id",
                       -1, &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "%s  %s %s  %s  last=%lld\n", sqlite3_column_text(q, 0),
                sqlite3_column_text(q, 1), sqlite3_column_text(q, 2), sqlite3_column_text(q, 3),
                (long long)sqlite3_column_int64(q, 4));
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
}

/* --- Usage statistics and fleet health (storage.h; fleet.c) ---------------------------------
 * Two tables of their own, created on first use (storage_postgres.c has them as schema 2, a
 * day there as DATE). One writer at a time (BEGIN IMMEDIATE under st->lock) makes the batch
 * check and the counting one step: a batch not above the device's last is counted once. */
static const char usage_schema[] =
    "CREATE TABLE IF NOT EXISTS usage_daily (site TEXT NOT NULL, day TEXT NOT NULL,"
    " counter TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (site, day, counter));"
    "CREATE TABLE IF NOT EXISTS device_status (device_id TEXT PRIMARY KEY,"
    " usage_batch INTEGER NOT NULL DEFAULT 0, seen_at INTEGER, version TEXT NOT NULL DEFAULT '',"
    " last_sync INTEGER NOT NULL DEFAULT 0, outbox_age INTEGER NOT NULL DEFAULT 0,"
    " failing TEXT NOT NULL DEFAULT '');";

static enum cs_result
sq_status_put(struct cs_storage *st, const struct cs_device *dev, int64_t batch,
              const json_t *usage, const struct cs_health *health, int64_t now, bool *duplicate)
{
    *duplicate = false;
    pthread_mutex_lock(&st->lock);
    if (!exec(st, usage_schema) || !exec(st, "BEGIN IMMEDIATE")) {
        pthread_mutex_unlock(&st->lock);
        return fail(st, "storing a kiosk's status");
    }
    sqlite3_stmt *q = NULL;
    bool ok = sqlite3_prepare_v2(st->db,
                                 "INSERT INTO device_status (device_id) VALUES (?1)"
                                 " ON CONFLICT DO NOTHING",
                                 -1, &q, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(q, 1, dev->id, -1, SQLITE_STATIC);
        ok = sqlite3_step(q) == SQLITE_DONE;
    }
    sqlite3_finalize(q);
    int64_t last = 0;
    if (ok && sqlite3_prepare_v2(st->db, "SELECT usage_batch FROM device_status WHERE device_id=?1",
                                 -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, dev->id, -1, SQLITE_STATIC);
        ok = sqlite3_step(q) == SQLITE_ROW;
        last = ok ? sqlite3_column_int64(q, 0) : 0;
    }
    sqlite3_finalize(q);
    *duplicate = batch > 0 && batch <= last;
    if (ok && batch > last) {
        ok = sqlite3_prepare_v2(st->db,
                                "INSERT INTO usage_daily VALUES (?1, ?2, ?3, ?4) ON CONFLICT"
                                " DO UPDATE SET count = count + excluded.count",
                                -1, &q, NULL) == SQLITE_OK;
        size_t i;
        json_t *e;
        json_array_foreach(usage, i, e)
        {
            if (!ok)
                break;
            sqlite3_reset(q);
            sqlite3_bind_text(q, 1, dev->site, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 2, json_string_value(json_object_get(e, "day")), -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(q, 3, json_string_value(json_object_get(e, "counter")), -1,
                              SQLITE_STATIC);
            sqlite3_bind_int64(q, 4, json_integer_value(json_object_get(e, "count")));
            ok = sqlite3_step(q) == SQLITE_DONE;
        }
        sqlite3_finalize(q);
    }
    if (ok)
        ok = sqlite3_prepare_v2(st->db,
                                "UPDATE device_status SET usage_batch = max(usage_batch, ?2),"
                                " seen_at = ?3, version = ?4, last_sync = ?5, outbox_age = ?6,"
                                " failing = ?7 WHERE device_id = ?1",
                                -1, &q, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(q, 1, dev->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, batch);
        sqlite3_bind_int64(q, 3, now);
        sqlite3_bind_text(q, 4, health->version, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, health->last_sync);
        sqlite3_bind_int64(q, 6, health->outbox_age);
        sqlite3_bind_text(q, 7, health->failing, -1, SQLITE_STATIC);
        ok = sqlite3_step(q) == SQLITE_DONE;
    }
    sqlite3_finalize(q);
    if (ok)
        ok = exec(st, "COMMIT");
    enum cs_result r = ok ? CS_OK : fail(st, "storing a kiosk's status");
    if (!ok)
        exec(st, "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_usage_query(struct cs_storage *st, const char *from, const char *to, const char *site,
               json_t **rows)
{
    *rows = json_array();
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    bool ok = exec(st, usage_schema) &&
              sqlite3_prepare_v2(st->db,
                                 "SELECT day, site, counter, count FROM usage_daily"
                                 " WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2)"
                                 " AND (?3 IS NULL OR site = ?3) ORDER BY day, site, counter",
                                 -1, &q, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_text(q, 1, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, to, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, site, -1, SQLITE_STATIC);
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW)
            json_array_append_new(
                *rows, json_pack("{s:s, s:s, s:s, s:I}", "day", sqlite3_column_text(q, 0), "site",
                                 sqlite3_column_text(q, 1), "counter", sqlite3_column_text(q, 2),
                                 "count", (json_int_t)sqlite3_column_int64(q, 3)));
        ok = rc == SQLITE_DONE;
    }
    sqlite3_finalize(q);
    enum cs_result r = ok ? CS_OK : fail(st, "reading the usage counts");
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_fleet_query(struct cs_storage *st, json_t **devices)
{
    *devices = json_array();
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    bool ok = exec(st, usage_schema) &&
              sqlite3_prepare_v2(st->db,
                                 "SELECT d.id, d.site, d.enrolled_at, d.revoked_at IS NOT NULL,"
                                 " s.seen_at, coalesce(s.version, ''), coalesce(s.last_sync, 0),"
                                 " coalesce(s.outbox_age, 0), coalesce(s.failing, '')"
                                 " FROM devices d LEFT JOIN device_status s ON s.device_id = d.id"
                                 " ORDER BY d.site, d.id",
                                 -1, &q, NULL) == SQLITE_OK;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        json_t *seen = sqlite3_column_type(q, 4) == SQLITE_NULL
                           ? json_null()
                           : json_integer(sqlite3_column_int64(q, 4));
        json_array_append_new(
            *devices,
            json_pack("{s:s, s:s, s:I, s:b, s:o, s:s, s:I, s:I, s:s}", "device",
                      sqlite3_column_text(q, 0), "site", sqlite3_column_text(q, 1), "enrolled_at",
                      (json_int_t)sqlite3_column_int64(q, 2), "revoked", sqlite3_column_int(q, 3),
                      "seen_at", seen, "version", sqlite3_column_text(q, 5), "last_sync",
                      (json_int_t)sqlite3_column_int64(q, 6), "outbox_age",
                      (json_int_t)sqlite3_column_int64(q, 7), "failing",
                      sqlite3_column_text(q, 8)));
    }
    ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(q);
    enum cs_result r = ok ? CS_OK : fail(st, "reading the fleet");
    pthread_mutex_unlock(&st->lock);
    return r;
}

/* The BankID simulator's orders. */
static enum cs_result
sq_bankid_order_add(struct cs_storage *st, const struct cs_bankid_order *o, int64_t busy_s)
{
    pthread_mutex_lock(&st->lock);
    exec(st, "BEGIN IMMEDIATE");
    sqlite3_stmt *q = NULL;
    enum cs_result r = CS_OK;
    if (o->requested_pnr[0] != '\0') {
        sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM bankid_orders WHERE requested_pnr=?1 AND"
                           " status='pending' AND ?2 - created_at < ?3",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, o->requested_pnr, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, o->created_at);
        sqlite3_bind_int64(q, 3, busy_s);
        if (sqlite3_step(q) == SQLITE_ROW)
            r = CS_CONFLICT;
        sqlite3_finalize(q);
    }
    if (r == CS_OK) {
        sqlite3_prepare_v2(st->db,
                           "INSERT INTO bankid_orders VALUES (?1, ?2, ?3, nullif(?4, ''), ?5,"
                           " nullif(?6, ''), NULL, NULL, NULL, ?7, ?7)",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, o->order_ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, o->qr_start_token, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, o->qr_start_secret, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, o->requested_pnr, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, o->status, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, o->hint_code, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 7, o->created_at);
        if (sqlite3_step(q) != SQLITE_DONE)
            r = fail(st, "storing an identity order");
        sqlite3_finalize(q);
    }
    exec(st, r == CS_OK ? "COMMIT" : "ROLLBACK");
    pthread_mutex_unlock(&st->lock);
    return r;
}

static void
copy_column(sqlite3_stmt *q, int i, char *out, size_t size)
{
    const char *v = column_text(q, i);
    snprintf(out, size, "%s", v ? v : "");
}

static enum cs_result
sq_bankid_order_get(struct cs_storage *st, const char *key, bool by_token,
                    struct cs_bankid_order *out)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       by_token
                           ? "SELECT order_ref, qr_start_token, qr_start_secret, requested_pnr,"
                             " status, hint_code, personal_number, given_name, surname,"
                             " created_at, updated_at FROM bankid_orders"
                             " WHERE qr_start_token=?1"
                           : "SELECT order_ref, qr_start_token, qr_start_secret, requested_pnr,"
                             " status, hint_code, personal_number, given_name, surname,"
                             " created_at, updated_at FROM bankid_orders WHERE order_ref=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    enum cs_result r = CS_NOT_FOUND;
    if (sqlite3_step(q) == SQLITE_ROW) {
        copy_column(q, 0, out->order_ref, sizeof(out->order_ref));
        copy_column(q, 1, out->qr_start_token, sizeof(out->qr_start_token));
        copy_column(q, 2, out->qr_start_secret, sizeof(out->qr_start_secret));
        copy_column(q, 3, out->requested_pnr, sizeof(out->requested_pnr));
        copy_column(q, 4, out->status, sizeof(out->status));
        copy_column(q, 5, out->hint_code, sizeof(out->hint_code));
        copy_column(q, 6, out->personal_number, sizeof(out->personal_number));
        copy_column(q, 7, out->given_name, sizeof(out->given_name));
        copy_column(q, 8, out->surname, sizeof(out->surname));
        out->created_at = sqlite3_column_int64(q, 9);
        out->updated_at = sqlite3_column_int64(q, 10);
        r = CS_OK;
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_bankid_order_update(struct cs_storage *st, const struct cs_bankid_order *o,
                       const char *only_if_status)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "UPDATE bankid_orders SET status=?2, hint_code=nullif(?3, ''),"
                       " personal_number=nullif(?4, ''), given_name=nullif(?5, ''),"
                       " surname=nullif(?6, ''), updated_at=?7 WHERE order_ref=?1"
                       " AND (?8 IS NULL OR status=?8)",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, o->order_ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, o->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, o->hint_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, o->personal_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, o->given_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, o->surname, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, o->updated_at);
    sqlite3_bind_text(q, 8, only_if_status, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    enum cs_result r = rc != SQLITE_DONE             ? fail(st, "updating an identity order")
                       : sqlite3_changes(st->db) > 0 ? CS_OK
                                                     : CS_NOT_FOUND;
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_citizen_name(struct cs_storage *st, const char *pnr, char given[static 128],
                char surname[static 128])
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT json_extract(fields, '$.given_name'),"
                       " json_extract(fields, '$.surname') FROM records WHERE"
                       " kind='citizen' AND json_extract(fields, '$.pnr')=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, pnr, -1, SQLITE_STATIC);
    enum cs_result r = CS_NOT_FOUND;
    if (sqlite3_step(q) == SQLITE_ROW && column_text(q, 0) != NULL && column_text(q, 1) != NULL) {
        copy_column(q, 0, given, 128);
        copy_column(q, 1, surname, 128);
        r = CS_OK;
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return r;
}

static json_t *
sq_demo_identities(struct cs_storage *st, const char *district, int n)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT json_extract(fields, '$.pnr'),"
                       " json_extract(fields, '$.given_name') || ' ' ||"
                       " json_extract(fields, '$.surname') FROM records"
                       " WHERE kind='citizen' AND (?1 IS NULL OR district=?1)"
                       " ORDER BY rowid LIMIT ?2",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, district, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, n);
    json_t *list = json_array();
    while (sqlite3_step(q) == SQLITE_ROW && column_text(q, 0) && column_text(q, 1))
        json_array_append_new(list, json_pack("{s:s, s:s}", "personalNumber", column_text(q, 0),
                                              "name", column_text(q, 1)));
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return list;
}

/* Site roles. */
static enum cs_result
sq_role_set(struct cs_storage *st, const char *site, const char *pnr, const char *role,
            const char *staff_id)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO site_roles VALUES (?1, ?2, ?3, ?4)", -1, &q,
                       NULL);
    sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, pnr, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, staff_id, -1, SQLITE_STATIC);
    enum cs_result r = sqlite3_step(q) == SQLITE_DONE ? CS_OK : fail(st, "storing a role");
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return r;
}

static enum cs_result
sq_role_remove(struct cs_storage *st, const char *site, const char *pnr)
{
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db, "DELETE FROM site_roles WHERE site=?1 AND pnr=?2", -1, &q, NULL);
    sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, pnr, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    enum cs_result r = rc != SQLITE_DONE             ? fail(st, "removing a role")
                       : sqlite3_changes(st->db) > 0 ? CS_OK
                                                     : CS_NOT_FOUND;
    pthread_mutex_unlock(&st->lock);
    return r;
}

static json_t *
sq_role_list(struct cs_storage *st, const char *site)
{
    pthread_mutex_lock(&st->lock);
    json_t *roles = json_array();
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(st->db,
                       "SELECT pnr, role, staff_id FROM site_roles WHERE site=?1 ORDER BY pnr", -1,
                       &q, NULL);
    sqlite3_bind_text(q, 1, site, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW)
        json_array_append_new(roles, json_pack("{s:s, s:s, s:s}", "pnr", column_text(q, 0), "role",
                                               column_text(q, 1), "staff_id", column_text(q, 2)));
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return roles;
}

static const struct cs_storage_impl sqlite_impl = {
    .close = sq_close,
    .token_put = sq_token_put,
    .device_list = sq_device_list,
    .device_revoke = sq_device_revoke,
    .enroll = sq_enroll,
    .device_get = sq_device_get,
    .nonce_use = sq_nonce_use,
    .pull = sq_pull,
    .push_items = sq_push_items,
    .record_put = sq_record_put,
    .record_remove = sq_record_remove,
    .record_rewrite = sq_record_rewrite,
    .transaction = sq_transaction,
    .mutate = sq_mutate,
    .stats = sq_stats,
    .report_store = sq_report_store,
    .report_list = sq_report_list,
    .bankid_order_add = sq_bankid_order_add,
    .bankid_order_get = sq_bankid_order_get,
    .bankid_order_update = sq_bankid_order_update,
    .citizen_name = sq_citizen_name,
    .demo_identities = sq_demo_identities,
    .role_set = sq_role_set,
    .role_remove = sq_role_remove,
    .role_list = sq_role_list,
    .status_put = sq_status_put,
    .usage_query = sq_usage_query,
    .fleet_query = sq_fleet_query,
};
