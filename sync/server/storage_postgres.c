/* casestore storage on PostgreSQL (libpq), for a city: any number of casestore processes may
 * serve one database at once. The tables are those of storage_sqlite.c in PostgreSQL types;
 * casestore creates and migrates them itself (schema_version), under an advisory lock so that
 * instances starting together do not race.
 *
 * What makes several instances correct:
 * - Everything a request depends on is in the database: the epoch that names the history (a
 *   cursor from one instance is valid at every other), nonces (primary key: a nonce used at
 *   one instance is refused at another), the device's last sequence number.
 * - A push runs in one transaction that first locks the device's row (SELECT ... FOR UPDATE):
 *   two instances handling the same device's pushes take turns, so an item retried at another
 *   instance after a lost response finds the first one's submission and is a duplicate.
 * - The change log has no gaps a reader could skip. With positions from a sequence (or an
 *   identity column), transaction A may take position 5 and commit after B took 6 and
 *   committed: a kiosk pulling between the two commits sees 6, moves its cursor past 5 and
 *   never gets A's change. Here a transaction does not take positions while it works: it
 *   buffers its changes (struct conn) and appends them all as its LAST statement, which also
 *   advances the single row of change_head (UPDATE ... RETURNING, in the same statement). The
 *   row lock that UPDATE takes is held until COMMIT, so the next writer's append waits for this
 *   commit: positions are handed out in commit order, and whenever a position is visible every
 *   lower one is visible too. A pull reads change_head and the changes in one statement (one
 *   snapshot) and never passes the head it saw. The lock is held only for that one statement
 *   and the commit, so writers serialise on the append alone, not on their work.
 *   (The alternative, bounding pulls by the oldest running transaction with pg_snapshot_xmin,
 *   lets writers run fully in parallel but holds every kiosk back behind any long transaction
 *   and needs the xid of each change stored; the counter row is simpler and exact.) */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page.h"
#include "reports.h"
#include "storage_backend.h"
#include "submission.h"
#include "taxonomy.h"
#include "xalloc.h"

#define LOG_MODULE "casestore"
#include "log.h"

#define POOL_SIZE      16 /* connections per process; MHD's threads and the admin commands */
#define SCHEMA_VERSION 2
#define SCHEMA_LOCK    "7233164211235094528" /* pg_advisory_xact_lock key for migrations */

#define BATCH_RECORDS 2000 /* records a seeding transaction sends in one statement */

/* A text[] literal being built ("{"a","b",NULL"), to send many rows in one statement. */
struct column {
    char *s;
    size_t len, cap;
};

struct conn {
    PGconn *pg;
    bool busy;
    /* The changes the open transaction logged, appended at its end (see the top): kind, id,
     * district, op. */
    struct column change[4];
    int n_changes;
    /* Inside cs_transaction (seeding), the records written, sent in batches: kind, id,
     * citizen, parent, district, fields. */
    struct column record[6];
    int n_records;
};

struct cs_storage {
    struct cs_storage_base base; /* first: storage.c dispatches through it */
    char *conninfo;
    pthread_mutex_t lock; /* guards conns[].busy */
    pthread_cond_t freed;
    struct conn conns[POOL_SIZE];
};

static const struct cs_storage_impl postgres_impl;

/* The connection of the transaction cs_transaction runs on this thread (seeding). */
static _Thread_local struct conn *tx_conn;

static void
quiet(void *arg, const char *message)
{
    (void)arg, (void)message; /* "relation already exists, skipping" and the like */
}

static bool
connect_conn(struct cs_storage *st, struct conn *c, struct errbuf *err)
{
    if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
        return true;
    if (c->pg != NULL) {
        PQreset(c->pg);
        if (PQstatus(c->pg) == CONNECTION_OK)
            return true;
        PQfinish(c->pg);
    }
    c->pg = PQconnectdb(st->conninfo);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        err_set(err, "cannot connect to PostgreSQL: %s", PQerrorMessage(c->pg));
        /* libpq's message ends with a newline */
        size_t l = strlen(err->msg);
        if (l > 0 && err->msg[l - 1] == '\n')
            err->msg[l - 1] = '\0';
        PQfinish(c->pg);
        c->pg = NULL;
        return false;
    }
    PQsetErrorVerbosity(c->pg, PQERRORS_TERSE);
    PQsetNoticeProcessor(c->pg, quiet, NULL);
    /* Short queries by key: compiling them (JIT) costs more than running them. */
    PQclear(PQexec(c->pg, "SET jit = off"));
    return true;
}

/* A free connection, connected; NULL (logged) if the database cannot be reached. */
static struct conn *
take(struct cs_storage *st)
{
    pthread_mutex_lock(&st->lock);
    struct conn *c = NULL;
    while (c == NULL) {
        for (size_t i = 0; i < POOL_SIZE && c == NULL; i++) {
            if (!st->conns[i].busy)
                c = &st->conns[i];
        }
        if (c == NULL)
            pthread_cond_wait(&st->freed, &st->lock);
    }
    c->busy = true;
    pthread_mutex_unlock(&st->lock);
    struct errbuf err;
    if (!connect_conn(st, c, &err)) {
        LOG_ERR("%s", err.msg);
        pthread_mutex_lock(&st->lock);
        c->busy = false;
        pthread_cond_signal(&st->freed);
        pthread_mutex_unlock(&st->lock);
        return NULL;
    }
    return c;
}

static void
give(struct cs_storage *st, struct conn *c)
{
    pthread_mutex_lock(&st->lock);
    c->busy = false;
    pthread_cond_signal(&st->freed);
    pthread_mutex_unlock(&st->lock);
}

/* Runs sql with n text parameters (NULL is SQL NULL). NULL (logged: the SQLSTATE and the
 * primary message, never a value) if it failed; caller PQclear's. *state gets the SQLSTATE. */
static PGresult *
run_params(struct conn *c, const char *sql, int n, const char *const *params, char state[6])
{
    /* Without parameters, a script of several statements may run (the schema). */
    PGresult *res =
        n == 0 ? PQexec(c->pg, sql) : PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);
    if (state != NULL)
        state[0] = '\0';
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return res;
    const char *code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (state != NULL)
        snprintf(state, 6, "%s", code ? code : "");
    if (state == NULL || code == NULL || strcmp(code, "23505") != 0)
        LOG_ERR("SQL failed: %s %s", code ? code : "-", msg ? msg : PQerrorMessage(c->pg));
    PQclear(res);
    return NULL;
}

#define run(c, sql, ...)                                                           \
    run_params((c), (sql), (int)ARRAY_LEN(((const char *const[]){ __VA_ARGS__ })), \
               (const char *const[]){ __VA_ARGS__ }, NULL)

static bool
exec0(struct conn *c, const char *sql)
{
    PGresult *res = run_params(c, sql, 0, NULL, NULL);
    PQclear(res);
    return res != NULL;
}

static const char *
i64(char buf[static 24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

/* A text value of a row, or NULL for SQL NULL. */
static const char *
val(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int64_t
val64(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void
copy_val(const PGresult *res, int row, int col, char *out, size_t size)
{
    const char *v = val(res, row, col);
    snprintf(out, size, "%s", v ? v : "");
}

/* bytea as a text parameter: "\x" and hex. */
static const char *
bytea_hex(char *out, size_t size, const unsigned char *bin, size_t len)
{
    out[0] = '\\';
    out[1] = 'x';
    sodium_bin2hex(out + 2, size - 2, bin, len);
    return out;
}

/* --- The changes a transaction logs, appended at its end (see the top) --- */

static void
column_add(struct column *col, const char *text)
{
    size_t need = col->len + (text ? 2 * strlen(text) : 4) + 4;
    if (need > col->cap) {
        col->cap = need * 2 > 256 ? need * 2 : 256;
        col->s = xrealloc(col->s, col->cap);
    }
    char *p = col->s + col->len;
    *p++ = col->len == 0 ? '{' : ',';
    if (text == NULL) {
        memcpy(p, "NULL", 4);
        p += 4;
    } else {
        *p++ = '"';
        for (const char *t = text; *t; t++) {
            if (*t == '"' || *t == '\\')
                *p++ = '\\';
            *p++ = *t;
        }
        *p++ = '"';
    }
    *p = '\0';
    col->len = (size_t)(p - col->s);
}

/* The literal, closed (caller frees). */
static char *
column_literal(const struct column *col)
{
    return col->len == 0 ? xstrdup("{}") : xasprintf("%s}", col->s);
}

static void
column_rewind(struct column *col, size_t len)
{
    col->len = len;
    if (col->s != NULL)
        col->s[len] = '\0';
}

static void
log_change(struct conn *c, const char *kind, const char *id, const char *district, const char *op)
{
    const char *vals[4] = { kind, id, district, op };
    for (size_t i = 0; i < 4; i++)
        column_add(&c->change[i], vals[i]);
    c->n_changes++;
}

struct mark {
    size_t len[4];
    int n;
};

static struct mark
pending_mark(const struct conn *c)
{
    struct mark m;
    for (size_t i = 0; i < 4; i++)
        m.len[i] = c->change[i].len;
    m.n = c->n_changes;
    return m;
}

static void
pending_rewind(struct conn *c, struct mark m)
{
    for (size_t i = 0; i < 4; i++)
        column_rewind(&c->change[i], m.len[i]);
    c->n_changes = m.n;
}

static void
forget_pending(struct conn *c)
{
    pending_rewind(c, (struct mark){ { 0 }, 0 });
    for (size_t i = 0; i < 6; i++)
        column_rewind(&c->record[i], 0);
    c->n_records = 0;
}

/* Writes the batched records (cs_transaction) in one statement. */
static bool
flush_records(struct conn *c)
{
    if (c->n_records == 0)
        return true;
    char *cols[6];
    for (size_t i = 0; i < 6; i++)
        cols[i] = column_literal(&c->record[i]);
    PGresult *res = run(c,
                        "INSERT INTO records (kind, id, citizen, parent, district, fields)"
                        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
                        " $5::text[], $6::text[]) ON CONFLICT (kind, id) DO UPDATE SET"
                        " citizen=excluded.citizen, parent=excluded.parent,"
                        " district=excluded.district, fields=excluded.fields",
                        cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]);
    for (size_t i = 0; i < 6; i++) {
        free(cols[i]);
        column_rewind(&c->record[i], 0);
    }
    c->n_records = 0;
    PQclear(res);
    return res != NULL;
}

static bool
begin(struct conn *c)
{
    forget_pending(c);
    return exec0(c, "BEGIN");
}

/* Appends the transaction's changes (its last statement) and commits; rolls back if either
 * fails. */
static enum cs_result
commit(struct conn *c)
{
    bool ok = flush_records(c);
    if (ok && c->n_changes > 0) {
        char n[24];
        char *cols[4];
        for (size_t i = 0; i < 4; i++)
            cols[i] = column_literal(&c->change[i]);
        PGresult *res =
            run(c,
                "WITH h AS (UPDATE change_head SET seq = seq + $5::bigint RETURNING seq)"
                " INSERT INTO changes (seq, kind, id, district, op)"
                " SELECT h.seq - $5::bigint + u.n, u.kind, u.id, u.district, u.op FROM h,"
                " unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY"
                " AS u(kind, id, district, op, n)",
                cols[0], cols[1], cols[2], cols[3], i64(n, c->n_changes));
        for (size_t i = 0; i < 4; i++)
            free(cols[i]);
        ok = res != NULL;
        PQclear(res);
    }
    forget_pending(c);
    if (ok && exec0(c, "COMMIT"))
        return CS_OK;
    exec0(c, "ROLLBACK");
    return CS_FAILED;
}

static enum cs_result
finish(struct conn *c, enum cs_result r)
{
    if (r == CS_OK)
        return commit(c);
    forget_pending(c);
    exec0(c, "ROLLBACK");
    return r;
}

/* --- Schema --- */

static const char schema_v1[] =
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE tokens (token_hash bytea PRIMARY KEY, site text NOT NULL,"
    " districts text NOT NULL, expires_at bigint NOT NULL, used_at bigint);"
    "CREATE TABLE devices (id text PRIMARY KEY, public_key bytea NOT NULL UNIQUE,"
    " site text NOT NULL, site_name text, districts text NOT NULL, enrolled_at bigint NOT NULL,"
    " revoked_at bigint, last_seq bigint NOT NULL DEFAULT 0);"
    "CREATE TABLE nonces (device_id text NOT NULL, nonce text NOT NULL, at bigint NOT NULL,"
    " PRIMARY KEY (device_id, nonce));"
    "CREATE INDEX nonces_at ON nonces (at);"
    /* fields as the JSON text it was written as (a page carries it as it is); n is the order
     * records were first written in (SQLite's rowid). */
    "CREATE TABLE records (kind text NOT NULL, id text NOT NULL, citizen text, parent text,"
    " district text NOT NULL, fields text NOT NULL,"
    " n bigint GENERATED BY DEFAULT AS IDENTITY, PRIMARY KEY (kind, id));"
    "CREATE INDEX records_citizen ON records (citizen);"
    "CREATE INDEX records_parent ON records (parent);"
    "CREATE TABLE changes (seq bigint PRIMARY KEY, kind text NOT NULL, id text NOT NULL,"
    " district text NOT NULL, op text NOT NULL);"
    /* The last position handed out: one row, updated by each transaction's last statement. */
    "CREATE TABLE change_head (one boolean PRIMARY KEY DEFAULT true CHECK (one),"
    " seq bigint NOT NULL);"
    "INSERT INTO change_head VALUES (true, 0);"
    "CREATE TABLE submissions (uuid text PRIMARY KEY, device_id text NOT NULL,"
    " seq bigint NOT NULL, kind text, main text, type text, class text, citizen text,"
    " payload text, registered_by text, created_at bigint, received_at bigint NOT NULL,"
    " status text NOT NULL, case_number text, reason text, digest text,"
    " UNIQUE (device_id, seq));"
    "CREATE INDEX submissions_citizen ON submissions (citizen);"
    "CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);"
    "CREATE TABLE bankid_orders (order_ref text PRIMARY KEY,"
    " qr_start_token text NOT NULL UNIQUE, qr_start_secret text NOT NULL,"
    " requested_pnr text, status text NOT NULL, hint_code text, personal_number text,"
    " given_name text, surname text, created_at bigint NOT NULL, updated_at bigint NOT NULL,"
    " n bigint GENERATED BY DEFAULT AS IDENTITY);"
    "CREATE TABLE site_roles (site text NOT NULL, pnr text NOT NULL, role text NOT NULL,"
    " staff_id text NOT NULL, PRIMARY KEY (site, pnr));"
    "CREATE TABLE device_reports (device_id text NOT NULL, kind text NOT NULL,"
    " record_id text NOT NULL, reason text NOT NULL, first_reported bigint NOT NULL,"
    " last_reported bigint NOT NULL, PRIMARY KEY (device_id, kind, record_id));"
    /* A record's fields as jsonb, or NULL if they are not JSON (a record written by a system
     * with a bug must not make a query fail). */
    "CREATE FUNCTION cs_json(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS"
    " $$BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END$$;";

/* Version 2: usage statistics and fleet health (storage.h; fleet.c), as storage_sqlite.c keeps
 * them. A day is a DATE (printed back as YYYY-MM-DD); usage_batch is the last batch counted for
 * the device (cs_status_put locks the row, so two instances given the same retried batch count
 * it once). */
static const char schema_v2[] =
    "CREATE TABLE usage_daily (site text NOT NULL, day date NOT NULL, counter text NOT NULL,"
    " count bigint NOT NULL, PRIMARY KEY (site, day, counter));"
    "CREATE TABLE device_status (device_id text PRIMARY KEY,"
    " usage_batch bigint NOT NULL DEFAULT 0, seen_at bigint, version text NOT NULL DEFAULT '',"
    " last_sync bigint NOT NULL DEFAULT 0, outbox_age bigint NOT NULL DEFAULT 0,"
    " failing text NOT NULL DEFAULT '');";

/* Creates the schema, or brings it up to this version's, once for all instances. */
static bool
migrate(struct conn *c, struct errbuf *err)
{
    bool ok = exec0(c, "BEGIN") && exec0(c, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")") &&
              exec0(c, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
    PGresult *res =
        ok ? run_params(c, "SELECT coalesce(max(version), 0) FROM schema_version", 0, NULL, NULL)
           : NULL;
    int64_t have = res ? val64(res, 0, 0) : -1;
    PQclear(res);
    if (have > SCHEMA_VERSION) {
        err_set(err, "the database has schema %lld, newer than this casestore's (%d)",
                (long long)have, SCHEMA_VERSION);
        exec0(c, "ROLLBACK");
        return false;
    }
    if (have == 0) {
        unsigned char r[8];
        char epoch[17];
        randombytes_buf(r, sizeof(r));
        sodium_bin2hex(epoch, sizeof(epoch), r, sizeof(r));
        res = exec0(c, schema_v1) ? run(c, "INSERT INTO meta VALUES ('epoch', $1)", epoch) : NULL;
        ok = res != NULL && exec0(c, "INSERT INTO schema_version VALUES (1)");
        PQclear(res);
    }
    if (ok && have >= 0 && have < 2)
        ok = exec0(c, schema_v2) && exec0(c, "INSERT INTO schema_version VALUES (2)");
    /* Later versions: if (have < 3) ... */
    if (ok && have >= 0 && exec0(c, "COMMIT"))
        return true;
    exec0(c, "ROLLBACK");
    err_set(err, "cannot create or update the schema in PostgreSQL: %s", PQerrorMessage(c->pg));
    return false;
}

static void
pg_close(struct cs_storage *st)
{
    for (size_t i = 0; i < POOL_SIZE; i++) {
        if (st->conns[i].pg != NULL)
            PQfinish(st->conns[i].pg);
        for (size_t k = 0; k < 4; k++)
            free(st->conns[i].change[k].s);
        for (size_t k = 0; k < 6; k++)
            free(st->conns[i].record[k].s);
    }
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->freed);
    sodium_memzero(st->conninfo, strlen(st->conninfo)); /* may hold a password */
    free(st->conninfo);
    free(st);
}

struct cs_storage *
cs_postgres_open(const char *conninfo, struct errbuf *err)
{
    struct cs_storage *st = xcalloc(1, sizeof(*st));
    st->base.impl = &postgres_impl;
    st->conninfo = xstrdup(conninfo);
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->freed, NULL);
    struct conn *c = &st->conns[0];
    if (!connect_conn(st, c, err) || !migrate(c, err)) {
        pg_close(st);
        return NULL;
    }
    return st;
}

/* --- Devices, tokens, nonces --- */

static enum cs_result
pg_token_put(struct cs_storage *st, const unsigned char h[32], const char *site,
             const char *districts, int64_t expires_at, struct errbuf *err)
{
    char hh[68], exp[24];
    struct conn *c = take(st);
    PGresult *res = c ? run(c, "INSERT INTO tokens VALUES ($1, $2, $3, $4, NULL)",
                            bytea_hex(hh, sizeof(hh), h, 32), site, districts, i64(exp, expires_at))
                      : NULL;
    if (c)
        give(st, c);
    PQclear(res);
    if (res == NULL)
        err_set(err, "creating a token failed");
    return res ? CS_OK : CS_FAILED;
}

static void
pg_device_list(struct cs_storage *st, FILE *out)
{
    struct conn *c = take(st);
    PGresult *res = c ? run_params(c,
                                   "SELECT id, site, districts, enrolled_at, revoked_at, last_seq"
                                   " FROM devices ORDER BY enrolled_at, id",
                                   0, NULL, NULL)
                      : NULL;
    for (int i = 0; res && i < PQntuples(res); i++)
        fprintf(out, "%s  site=%s  districts=%s  enrolled=%lld  last_seq=%lld%s\n", val(res, i, 0),
                val(res, i, 1), val(res, i, 2), (long long)val64(res, i, 3),
                (long long)val64(res, i, 5), PQgetisnull(res, i, 4) ? "" : "  REVOKED");
    PQclear(res);
    if (c)
        give(st, c);
}

static enum cs_result
pg_device_revoke(struct cs_storage *st, const char *device_id)
{
    char now[24];
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res = run(c, "UPDATE devices SET revoked_at=$2 WHERE id=$1", device_id,
                        i64(now, (int64_t)time(NULL)));
    enum cs_result r = res == NULL                          ? CS_FAILED
                       : strcmp(PQcmdTuples(res), "0") != 0 ? CS_OK
                                                            : CS_NOT_FOUND;
    PQclear(res);
    give(st, c);
    return r;
}

#define DEVICE_COLUMNS "id, public_key, site, districts, revoked_at, last_seq"

static void
load_device(const PGresult *res, struct cs_device *out)
{
    memset(out, 0, sizeof(*out));
    copy_val(res, 0, 0, out->id, sizeof(out->id));
    const char *pk = val(res, 0, 1);
    if (pk != NULL && strncmp(pk, "\\x", 2) == 0)
        (void)sodium_hex2bin(out->public_key, 32, pk + 2, strlen(pk + 2), NULL, NULL, NULL);
    copy_val(res, 0, 2, out->site, sizeof(out->site));
    copy_val(res, 0, 3, out->districts, sizeof(out->districts));
    out->revoked = !PQgetisnull(res, 0, 4);
    out->last_seq = val64(res, 0, 5);
}

/* The device; with lock, its row stays locked until the transaction ends (pushes). */
static enum cs_result
device_get_on(struct conn *c, const char *device_id, bool lock, struct cs_device *out)
{
    PGresult *res = run(c,
                        lock ? "SELECT " DEVICE_COLUMNS " FROM devices WHERE id=$1 FOR UPDATE"
                             : "SELECT " DEVICE_COLUMNS " FROM devices WHERE id=$1",
                        device_id);
    enum cs_result r = res == NULL ? CS_FAILED : PQntuples(res) == 1 ? CS_OK : CS_NOT_FOUND;
    if (r == CS_OK)
        load_device(res, out);
    PQclear(res);
    return r;
}

static enum cs_result
pg_device_get(struct cs_storage *st, const char *device_id, struct cs_device *out)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    enum cs_result r = device_get_on(c, device_id, false, out);
    give(st, c);
    return r;
}

static enum cs_result
pg_enroll(struct cs_storage *st, const char *token, const unsigned char pk[32],
          const char *site_name, struct cs_device *out, struct errbuf *err)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    char hh[68], pkh[68], now[24];
    i64(now, (int64_t)time(NULL));
    struct conn *c = take(st);
    if (c == NULL || !begin(c)) {
        if (c)
            give(st, c);
        err_set(err, "the case store failed");
        return CS_FAILED;
    }
    /* Two instances enrolling with one token: the second's UPDATE waits for the first and
     * then finds the token used. */
    PGresult *res = run(c,
                        "UPDATE tokens SET used_at=$2 WHERE token_hash=$1 AND used_at IS NULL"
                        " AND expires_at > $2 RETURNING site, districts",
                        bytea_hex(hh, sizeof(hh), h, sizeof(h)), now);
    enum cs_result r = res == NULL ? CS_FAILED : PQntuples(res) == 1 ? CS_OK : CS_CONFLICT;
    char site[64] = "", districts[256] = "";
    if (r == CS_OK) {
        copy_val(res, 0, 0, site, sizeof(site));
        copy_val(res, 0, 1, districts, sizeof(districts));
    } else {
        err_set(err, "the enrolment token is unknown, used or expired");
    }
    PQclear(res);
    if (r == CS_OK) {
        unsigned char rid[6];
        randombytes_buf(rid, sizeof(rid));
        char hex[13], id[40], state[6];
        sodium_bin2hex(hex, sizeof(hex), rid, sizeof(rid));
        snprintf(id, sizeof(id), "dev-%s", hex);
        const char *params[] = { id,        bytea_hex(pkh, sizeof(pkh), pk, 32),
                                 site,      site_name ? site_name : site,
                                 districts, now };
        res = run_params(c, "INSERT INTO devices VALUES ($1, $2, $3, $4, $5, $6, NULL, 0)", 6,
                         params, state);
        if (res == NULL) {
            err_set(err, strcmp(state, "23505") == 0 ? "this device key is already enrolled"
                                                     : "the case store failed");
            r = strcmp(state, "23505") == 0 ? CS_CONFLICT : CS_FAILED;
        }
        PQclear(res);
        if (r == CS_OK)
            r = device_get_on(c, id, false, out);
    }
    r = finish(c, r);
    give(st, c);
    return r;
}

static enum cs_result
pg_nonce_use(struct cs_storage *st, const char *device_id, const char *nonce, int64_t now,
             int64_t keep_s)
{
    char at[24], old[24];
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    /* Every 64th use forgets the old ones: cheap, and a nonce is refused as long as kept. */
    if (randombytes_uniform(64) == 0)
        PQclear(run(c, "DELETE FROM nonces WHERE at < $1", i64(old, now - keep_s)));
    PGresult *res = run(c, "INSERT INTO nonces VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                        device_id, nonce, i64(at, now));
    /* Unique across instances: the primary key, not a process's memory, refuses a replay. */
    enum cs_result r = res == NULL                          ? CS_FAILED
                       : strcmp(PQcmdTuples(res), "1") == 0 ? CS_OK
                                                            : CS_CONFLICT;
    PQclear(res);
    give(st, c);
    return r;
}

/* --- Records --- */

static enum cs_result
record_put_on(struct conn *c, const char *kind, const char *id, const char *citizen,
              const char *parent, const char *district, json_t *fields)
{
    char *text = json_dumps(fields, JSON_COMPACT);
    PGresult *res = run(c,
                        "INSERT INTO records (kind, id, citizen, parent, district, fields)"
                        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, id) DO UPDATE SET"
                        " citizen=$3, parent=$4, district=$5, fields=$6",
                        kind, id, citizen, parent, district, text);
    free(text);
    PQclear(res);
    if (res == NULL)
        return CS_FAILED;
    log_change(c, kind, id, district, "upsert");
    return CS_OK;
}

/* Inside cs_transaction: the record joins the batch, written when it is full or at commit (so
 * a transaction writes each record at most once: seeding does). */
static enum cs_result
record_batch(struct conn *c, const char *kind, const char *id, const char *citizen,
             const char *parent, const char *district, json_t *fields)
{
    char *text = json_dumps(fields, JSON_COMPACT);
    const char *vals[6] = { kind, id, citizen, parent, district, text };
    for (size_t i = 0; i < 6; i++)
        column_add(&c->record[i], vals[i]);
    free(text);
    c->n_records++;
    log_change(c, kind, id, district, "upsert");
    return c->n_records < BATCH_RECORDS || flush_records(c) ? CS_OK : CS_FAILED;
}

static enum cs_result
pg_record_put(struct cs_storage *st, const char *kind, const char *id, const char *citizen,
              const char *parent, const char *district, json_t *fields)
{
    if (tx_conn != NULL) /* inside cs_transaction */
        return record_batch(tx_conn, kind, id, citizen, parent, district, fields);
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    enum cs_result r =
        begin(c) ? record_put_on(c, kind, id, citizen, parent, district, fields) : CS_FAILED;
    r = finish(c, r);
    give(st, c);
    return r;
}

static enum cs_result
pg_transaction(struct cs_storage *st, enum cs_result (*fn)(void *), void *data)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    enum cs_result r = CS_FAILED;
    if (begin(c)) {
        tx_conn = c;
        r = fn(data);
        tx_conn = NULL;
        r = finish(c, r);
    }
    give(st, c);
    return r;
}

/* The citizen, parent and district of a record (locked until the transaction ends). */
static enum cs_result
record_place(struct conn *c, const char *kind, const char *id, char citizen[static 64],
             char parent[static 64], char district[static 64])
{
    PGresult *res = run(c,
                        "SELECT citizen, parent, district FROM records WHERE kind=$1 AND id=$2"
                        " FOR UPDATE",
                        kind, id);
    enum cs_result r = res == NULL ? CS_FAILED : PQntuples(res) == 1 ? CS_OK : CS_NOT_FOUND;
    citizen[0] = parent[0] = district[0] = '\0';
    if (r == CS_OK) {
        copy_val(res, 0, 0, citizen, 64);
        copy_val(res, 0, 1, parent, 64);
        copy_val(res, 0, 2, district, 64);
    }
    PQclear(res);
    return r;
}

static enum cs_result
pg_record_remove(struct cs_storage *st, const char *kind, const char *id, int *children,
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
    struct conn *c = take(st);
    if (c == NULL || !begin(c)) {
        if (c)
            give(st, c);
        err_set(err, "the case store failed");
        return CS_FAILED;
    }
    char citizen[64], parent[64], district[64];
    enum cs_result r = record_place(c, kind, id, citizen, parent, district);
    if (r == CS_NOT_FOUND)
        err_set(err, "no %s with id %s", kind, id);
    if (r == CS_OK && strcmp(kind, "case") == 0) {
        /* A case's events and documents go with it, as they do on the kiosk. */
        PGresult *res = run(c,
                            "DELETE FROM records WHERE kind IN ('case_event', 'case_document')"
                            " AND parent=$1 RETURNING kind, id, district",
                            id);
        for (int i = 0; res && i < PQntuples(res); i++) {
            log_change(c, val(res, i, 0), val(res, i, 1), val(res, i, 2), "delete");
            (*children)++;
        }
        if (res == NULL)
            r = CS_FAILED;
        PQclear(res);
    }
    if (r == CS_OK) {
        PGresult *res = run(c, "DELETE FROM records WHERE kind=$1 AND id=$2", kind, id);
        if (res == NULL)
            r = CS_FAILED;
        else
            log_change(c, kind, id, district, "delete");
        PQclear(res);
    }
    if (r == CS_FAILED)
        err_set(err, "removing the record failed");
    r = finish(c, r);
    give(st, c);
    return r;
}

static enum cs_result
pg_record_rewrite(struct cs_storage *st, const char *kind, const char *id, json_t *fields,
                  struct errbuf *err)
{
    size_t size = json_dumpb(fields, NULL, 0, JSON_COMPACT);
    if (size + 1024 > CS_PAGE_BYTES) {
        err_set(err, "the new fields take %zu bytes: more than a page can carry", size);
        return CS_INVALID;
    }
    struct conn *c = take(st);
    if (c == NULL || !begin(c)) {
        if (c)
            give(st, c);
        err_set(err, "the case store failed");
        return CS_FAILED;
    }
    char citizen[64], parent[64], district[64];
    enum cs_result r = record_place(c, kind, id, citizen, parent, district);
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
        r = record_put_on(c, kind, id, citizen[0] ? citizen : NULL, parent[0] ? parent : NULL,
                          district, fields);
    }
    r = finish(c, r);
    give(st, c);
    return r;
}

/* --- Pull --- */

static enum cs_result
pg_pull(struct cs_storage *st, const struct cs_device *dev, const char *cursor, int limit,
        struct cs_page *page, char cursor_out[static 64], int64_t *position_out, int64_t *head_out,
        bool *more, bool *reset)
{
    *reset = false;
    *more = false;
    /* The position as the cursor says; whether the cursor is of this history is known when
     * the epoch is read, in the same snapshot as the page. */
    const char *dot = strrchr(cursor, '.');
    int64_t asked = dot ? strtoll(dot + 1, NULL, 10) : 0;
    if (asked < 0)
        asked = 0;
    char pos[24], lim[24];
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    /* One statement, one snapshot: the head and every change up to it (see the top). */
    PGresult *res =
        run(c,
            "SELECT h.epoch, h.head, c.seq, c.kind, c.id, c.op, c.district, r.citizen, r.parent,"
            " r.district, r.fields FROM (SELECT (SELECT value FROM meta WHERE key='epoch')"
            " AS epoch, (SELECT seq FROM change_head) AS head) h"
            /* (in one snapshot no change is above the head: both are written by one statement) */
            " LEFT JOIN LATERAL (SELECT * FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2) c"
            " ON true"
            /* each change's record by its key (a lateral lookup, never a scan of records) */
            " LEFT JOIN LATERAL (SELECT citizen, parent, district, fields FROM records"
            " WHERE kind = c.kind AND id = c.id) r ON true ORDER BY c.seq",
            i64(pos, asked), i64(lim, limit));
    give(st, c);
    if (res == NULL)
        return CS_FAILED;
    char epoch[17] = "";
    copy_val(res, 0, 0, epoch, sizeof(epoch));
    int64_t head = val64(res, 0, 1), position = 0;
    if (!cs_cursor_parse(cursor, epoch, &position) || position > head) {
        /* From another history, or ahead of ours: we were restored from an older backup. */
        PQclear(res);
        *reset = true;
        return CS_OK;
    }
    int scanned = 0;
    int64_t last = position;
    bool full = false;
    for (int i = 0; i < PQntuples(res) && !PQgetisnull(res, i, 2); i++) {
        int64_t seq = val64(res, i, 2);
        const char *kind = val(res, i, 3), *id = val(res, i, 4), *op = val(res, i, 5);
        enum cs_page_add added = CS_PAGE_SKIPPED;
        if (!cs_in_scope(dev->districts, val(res, i, 6))) {
            /* not this device's */
        } else if (strcmp(op, "delete") == 0) {
            added = cs_page_add_delete(page, kind, id);
        } else if (val(res, i, 10) != NULL && cs_in_scope(dev->districts, val(res, i, 9))) {
            /* As the record is now, if it still exists, is in scope and can be published. */
            added =
                cs_page_add_upsert(page, kind, id, val(res, i, 7), val(res, i, 8), val(res, i, 10));
        }
        if (added == CS_PAGE_FULL) {
            full = true; /* the page is full: this change starts the next one */
            break;
        }
        scanned++;
        last = seq;
    }
    PQclear(res);
    *more = full || (scanned == limit && last < head);
    snprintf(cursor_out, 64, "c%s.%lld", epoch, (long long)last);
    *position_out = last;
    *head_out = head;
    return CS_OK;
}

/* --- Push --- */

static bool
citizen_district_on(struct conn *c, const char *citizen, char *out, size_t size)
{
    PGresult *res = run(c, "SELECT district FROM records WHERE kind='citizen' AND id=$1", citizen);
    out[0] = '\0';
    if (res != NULL && PQntuples(res) == 1)
        copy_val(res, 0, 0, out, size);
    PQclear(res);
    return out[0] != '\0';
}

/* cs_check_item's view of the database: the connection of the push on this thread. */
static _Thread_local struct conn *push_conn;

static bool
citizen_district(struct cs_storage *st, const char *citizen, char *out, size_t size)
{
    (void)st;
    return citizen_district_on(push_conn, citizen, out, size);
}

static int64_t
next_counter(struct conn *c, const char *name)
{
    PGresult *res = run(c,
                        "INSERT INTO counters VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET"
                        " value = counters.value + 1 RETURNING value",
                        name);
    int64_t v = res && PQntuples(res) == 1 ? val64(res, 0, 0) : 0;
    PQclear(res);
    return v;
}

static bool
set_last_seq(struct conn *c, struct cs_device *dev, int64_t seq)
{
    char s[24];
    PGresult *res = run(c, "UPDATE devices SET last_seq=$2 WHERE id=$1", dev->id, i64(s, seq));
    PQclear(res);
    if (res != NULL)
        dev->last_seq = seq;
    return res != NULL;
}

static enum cs_result
put_case(struct conn *c, const json_t *item, const char *uuid, const char *district,
         const char *case_number, json_t *by, int64_t now)
{
    const char *citizen = json_string_value(json_object_get(item, "citizen"));
    json_t *fields = cs_case_fields(item, district, case_number, by, now);
    char case_id[64], ev_id[72];
    snprintf(case_id, sizeof(case_id), "sub-%s", uuid);
    snprintf(ev_id, sizeof(ev_id), "sub-%s-0", uuid);
    enum cs_result r = record_put_on(c, "case", case_id, citizen, NULL, district, fields);
    json_decref(fields);
    json_t *ev = cs_case_first_event(now);
    if (r == CS_OK)
        r = record_put_on(c, "case_event", ev_id, citizen, case_id, district, ev);
    json_decref(ev);
    return r;
}

static enum cs_result
push_item(struct cs_storage *st, struct conn *c, struct cs_device *dev, const json_t *item,
          int64_t now, json_t **result, struct cs_push_stop *stop, struct errbuf *err)
{
    const char *uuid = json_string_value(json_object_get(item, "uuid"));
    json_int_t seq = json_integer_value(json_object_get(item, "seq"));
    char digest[SUBMISSION_DIGEST_HEX];
    if (!submission_uuid_ok(uuid) || !json_is_integer(json_object_get(item, "seq")) || seq < 1 ||
        !submission_digest(item, digest)) {
        err_set(err, "an item needs a uuid (36 characters) and a seq (1 or more)");
        return CS_INVALID;
    }
    /* 1. A uuid this device stored before: a retry, whatever its seq now, at whichever
     * instance it first arrived (the device's row lock orders them). */
    PGresult *res = run(c,
                        "SELECT status, case_number, reason, digest, device_id FROM submissions"
                        " WHERE uuid=$1",
                        uuid);
    if (res == NULL)
        return CS_FAILED;
    bool taken = PQntuples(res) == 1;
    if (taken && strcmp(val(res, 0, 4), dev->id) == 0) {
        *result = cs_seen_result(uuid, val(res, 0, 0), val(res, 0, 1), val(res, 0, 2),
                                 val(res, 0, 3), digest);
        PQclear(res);
        return CS_OK;
    }
    PQclear(res);
    /* 2. Otherwise the item must be the next in the device's sequence. */
    if (seq != dev->last_seq + 1) {
        stop->gap = seq > dev->last_seq + 1;
        snprintf(stop->uuid, sizeof(stop->uuid), "%s", uuid);
        stop->expected = dev->last_seq + 1;
        err_set(err, "%s: seq %lld, expected %lld",
                stop->gap ? "sequence gap" : "this sequence number is used by another submission",
                (long long)seq, (long long)stop->expected);
        return CS_CONFLICT;
    }
    /* 3. Another device's uuid is refused; anything else is validated. Either way the item
     * consumes its sequence number. */
    if (taken) {
        *result = cs_new_result(uuid, false, NULL, CS_REUSED_UUID);
        return set_last_seq(c, dev, seq) ? CS_OK : CS_FAILED;
    }
    enum cs_result r = CS_OK;
    char district[64];
    json_t *payload = NULL, *by = NULL;
    struct errbuf why;
    push_conn = c;
    bool ok = cs_check_item(st, dev, item, now, citizen_district, &payload, &by, district,
                            sizeof(district), &why);
    push_conn = NULL;
    char case_number[40] = "";
    if (ok) {
        cs_case_number(now, next_counter(c, "case_number"), case_number);
        if (json_string_value(json_object_get(item, "citizen")) != NULL)
            r = put_case(c, item, uuid, district, case_number, by, now);
    }
    if (r == CS_OK) {
        char s[24], created[24], received[24];
        char *payload_text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
        char *by_text = by ? json_dumps(by, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        const char *params[] = {
            uuid,
            dev->id,
            i64(s, seq),
            cs_short_str(item, "kind"),
            cs_short_str(item, "main"),
            cs_short_str(item, "type"),
            cs_short_str(item, "class"),
            cs_short_str(item, "citizen"),
            payload_text,
            by_text,
            i64(created, json_integer_value(json_object_get(item, "created_at"))),
            i64(received, now),
            ok ? "accepted" : "rejected",
            ok ? case_number : NULL,
            ok ? NULL : why.msg,
            digest,
        };
        res = run_params(c,
                         "INSERT INTO submissions (uuid, device_id, seq, kind, main, type, class,"
                         " citizen, payload, registered_by, created_at, received_at, status,"
                         " case_number, reason, digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                         " $9, $10, $11, $12, $13, $14, $15, $16)",
                         (int)ARRAY_LEN(params), params, NULL);
        if (res == NULL)
            r = CS_FAILED;
        PQclear(res);
        free(payload_text);
        free(by_text);
    }
    json_decref(payload);
    json_decref(by);
    if (r == CS_OK && !set_last_seq(c, dev, seq))
        r = CS_FAILED;
    if (r == CS_OK)
        *result = cs_new_result(uuid, ok, case_number, why.msg);
    return r;
}

static enum cs_result
pg_push_items(struct cs_storage *st, struct cs_device *dev, const json_t *items, int64_t now,
              json_t *results, struct cs_push_stop *stop, struct errbuf *err)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    enum cs_result r = begin(c) ? CS_OK : CS_FAILED;
    /* The device's row, locked: its pushes at every instance take turns, and last_seq is
     * what the previous one committed. */
    struct cs_device fresh;
    if (r == CS_OK && (r = device_get_on(c, dev->id, true, &fresh)) == CS_OK)
        dev->last_seq = fresh.last_seq;
    if (r == CS_NOT_FOUND)
        r = CS_FAILED;
    for (size_t i = 0; i < json_array_size(items) && r == CS_OK; i++) {
        json_t *res = NULL;
        struct mark m = pending_mark(c);
        int64_t last_seq = dev->last_seq;
        if (!exec0(c, "SAVEPOINT item")) {
            r = CS_FAILED;
            break;
        }
        r = push_item(st, c, dev, json_array_get(items, i), now, &res, stop, err);
        if (r == CS_OK) {
            exec0(c, "RELEASE item");
            json_array_append_new(results, res);
        } else {
            exec0(c, "ROLLBACK TO item");
            pending_rewind(c, m);
            dev->last_seq = last_seq;
        }
    }
    /* Items before a failing one are kept: their results are lost with the error response, so
     * the client sends them again and they come back as duplicates. */
    enum cs_result done = finish(c, r == CS_FAILED ? CS_FAILED : CS_OK);
    give(st, c);
    if (done != CS_OK)
        return CS_FAILED;
    return r;
}

/* --- The city's changes --- */

/* A record's fields, parsed; NULL if there is no such record or they are not JSON. */
static json_t *
record_fields(struct conn *c, const char *kind, const char *id)
{
    PGresult *res = run(c, "SELECT fields FROM records WHERE kind=$1 AND id=$2", kind, id);
    json_t *f = res && PQntuples(res) == 1 ? json_loads(val(res, 0, 0), 0, NULL) : NULL;
    PQclear(res);
    return f;
}

static enum cs_result
set_field(struct conn *c, const char *kind, const char *id, const char *field, json_t *value,
          struct errbuf *err)
{
    char citizen[64], parent[64], district[64];
    enum cs_result r = record_place(c, kind, id, citizen, parent, district);
    if (r != CS_OK) {
        if (r == CS_NOT_FOUND)
            err_set(err, "no %s with id %s", kind, id);
        json_decref(value);
        return r;
    }
    json_t *fields = record_fields(c, kind, id);
    if (fields == NULL) { /* not an object as stored: the repair command's work, not this one's */
        err_set(err, "%s %s: its stored fields are not JSON", kind, id);
        json_decref(value);
        return CS_INVALID;
    }
    json_object_set_new(fields, field, value);
    r = record_put_on(c, kind, id, citizen[0] ? citizen : NULL, parent[0] ? parent : NULL, district,
                      fields);
    json_decref(fields);
    return r;
}

/* Erases everything the case store holds about a citizen (storage_sqlite.c says what stays). */
static enum cs_result
erase_citizen(struct conn *c, const char *id, struct errbuf *err)
{
    json_t *f = record_fields(c, "citizen", id);
    char pnr[16] = "";
    if (json_string_value(json_object_get(f, "pnr")) != NULL)
        snprintf(pnr, sizeof(pnr), "%s", json_string_value(json_object_get(f, "pnr")));
    json_decref(f);
    PGresult *res = run(c,
                        "DELETE FROM records WHERE (kind='citizen' AND id=$1) OR citizen=$1"
                        " RETURNING district",
                        id);
    if (res == NULL)
        return CS_FAILED;
    char district[64] = "";
    if (PQntuples(res) > 0)
        copy_val(res, PQntuples(res) - 1, 0, district, sizeof(district));
    PQclear(res);
    if (district[0] != '\0')
        log_change(c, "citizen", id, district, "delete");
    res = run(c,
              "UPDATE submissions SET kind=NULL, main=NULL, type=NULL, class=NULL, citizen=NULL,"
              " payload=NULL, registered_by=NULL, created_at=NULL, digest=NULL WHERE citizen=$1",
              id);
    if (res == NULL) {
        err_set(err, "erasing submissions failed");
        return CS_FAILED;
    }
    bool none = strcmp(PQcmdTuples(res), "0") == 0;
    PQclear(res);
    if (district[0] == '\0' && none) {
        err_set(err, "no citizen with id %s", id);
        return CS_NOT_FOUND;
    }
    if (pnr[0] != '\0') {
        res = run(c,
                  "DELETE FROM bankid_orders WHERE personal_number=$1 OR requested_pnr=$1 OR"
                  " requested_pnr=substr($1, 3) OR personal_number=substr($1, 3)",
                  pnr);
        sodium_memzero(pnr, sizeof(pnr));
        if (res == NULL) {
            err_set(err, "erasing identity orders failed");
            return CS_FAILED;
        }
        PQclear(res);
    }
    return CS_OK;
}

static enum cs_result
move_citizen(struct conn *c, const char *id, const char *to, struct errbuf *err)
{
    char old[64];
    if (taxonomy_find(TAX_DISTRICT, to) < 0) {
        err_set(err, "unknown district \"%s\"", to);
        return CS_INVALID;
    }
    if (!citizen_district_on(c, id, old, sizeof(old))) {
        err_set(err, "no citizen with id %s", id);
        return CS_NOT_FOUND;
    }
    json_t *f = record_fields(c, "citizen", id);
    char *text = NULL;
    if (f != NULL) {
        json_object_set_new(f, "district", json_string(to));
        text = json_dumps(f, JSON_COMPACT);
        json_decref(f);
    }
    /* Devices of the old district erase the citizen; those of the new one get it all, the
     * citizen first, then cases, then the rest, in the order they were written. */
    PGresult *res = run(c,
                        "UPDATE records SET district=$2, fields = CASE WHEN kind='citizen' AND"
                        " $3::text IS NOT NULL THEN $3 ELSE fields END"
                        " WHERE (kind='citizen' AND id=$1) OR citizen=$1",
                        id, to, text);
    free(text);
    if (res == NULL)
        return CS_FAILED;
    PQclear(res);
    log_change(c, "citizen", id, old, "delete");
    res = run(c,
              "SELECT kind, id FROM records WHERE (kind='citizen' AND id=$1) OR citizen=$1"
              " ORDER BY kind != 'citizen', kind != 'case', n",
              id);
    for (int i = 0; res && i < PQntuples(res); i++)
        log_change(c, val(res, i, 0), val(res, i, 1), to, "upsert");
    enum cs_result r = res ? CS_OK : CS_FAILED;
    PQclear(res);
    return r;
}

static enum cs_result
pg_mutate(struct cs_storage *st, const char *what, const char *id, const char *arg,
          struct errbuf *err)
{
    struct conn *c = take(st);
    if (c == NULL || !begin(c)) {
        if (c)
            give(st, c);
        err_set(err, "the case store failed");
        return CS_FAILED;
    }
    enum cs_result r;
    if (strcmp(what, "advance-case") == 0) {
        static const char *const order[] = { "inkommen", "handlaggs", "beslutat", "avslutat" };
        const char *to = arg;
        json_t *f = NULL;
        if (to == NULL) {
            to = "handlaggs";
            f = record_fields(c, "case", id);
            const char *now = json_string_value(json_object_get(f, "status"));
            for (size_t i = 0; now != NULL && i + 1 < ARRAY_LEN(order); i++) {
                if (strcmp(now, order[i]) == 0)
                    to = order[i + 1];
            }
        }
        r = set_field(c, "case", id, "status", json_string(to), err);
        /* The case's history says so too: its status is always its last event's. */
        char citizen[64], parent[64], district[64], eid[96];
        if (r == CS_OK && record_place(c, "case", id, citizen, parent, district) == CS_OK) {
            json_t *ev = json_pack("{s:I, s:s}", "at", (json_int_t)time(NULL), "status", to);
            snprintf(eid, sizeof(eid), "%s-ev-m%lld", id, (long long)next_counter(c, "case_event"));
            r = record_put_on(c, "case_event", eid, citizen, id, district, ev);
            json_decref(ev);
        }
        json_decref(f);
    } else if (strcmp(what, "pay-invoice") == 0) {
        r = set_field(c, "invoice", id, "paid", json_integer(1), err);
        if (r == CS_OK && arg != NULL)
            r = set_field(c, "invoice", id, "paid_on", json_string(arg), err);
    } else if (strcmp(what, "move-appointment") == 0 && arg != NULL) {
        r = set_field(c, "appointment", id, "starts_at", json_integer(strtoll(arg, NULL, 10)), err);
    } else if (strcmp(what, "book-appointment") == 0 && arg != NULL) {
        /* id is the citizen; arg the UTC time of a färdtjänst assessment visit. */
        char district[64];
        if (!citizen_district_on(c, id, district, sizeof(district))) {
            err_set(err, "no citizen with id %s", id);
            r = CS_NOT_FOUND;
        } else {
            char aid[64];
            snprintf(aid, sizeof(aid), "ap-%s-%lld", id, (long long)next_counter(c, "appointment"));
            json_t *f = json_pack(
                "{s:I, s:s, s:s, s:s}", "starts_at", (json_int_t)strtoll(arg, NULL, 10), "place",
                "Hembesök", "handlaggare", "Karin Lind", "purpose", "Utredning av färdtjänst");
            r = record_put_on(c, "appointment", aid, id, NULL, district, f);
            json_decref(f);
        }
    } else if (strcmp(what, "move-citizen") == 0 && arg != NULL) {
        r = move_citizen(c, id, arg, err);
    } else if (strcmp(what, "erase-citizen") == 0) {
        r = erase_citizen(c, id, err);
    } else {
        err_set(err,
                "unknown change \"%s\" (advance-case, pay-invoice, move-appointment,"
                " move-citizen, erase-citizen)",
                what);
        r = CS_INVALID;
    }
    if (r == CS_FAILED && err->msg[0] == '\0')
        err_set(err, "the case store failed");
    enum cs_result done = finish(c, r);
    give(st, c);
    if (r == CS_OK && done != CS_OK)
        err_set(err, "the case store failed to commit the change");
    return r == CS_OK ? done : r;
}

static void
pg_stats(struct cs_storage *st, FILE *out)
{
    struct conn *c = take(st);
    if (c == NULL)
        return;
    PGresult *res = run_params(c, "SELECT kind, count(*) FROM records GROUP BY kind ORDER BY kind",
                               0, NULL, NULL);
    for (int i = 0; res && i < PQntuples(res); i++)
        fprintf(out, "records.%s %lld\n", val(res, i, 0), (long long)val64(res, i, 1));
    PQclear(res);
    res = run_params(c, "SELECT status, count(*) FROM submissions GROUP BY status ORDER BY status",
                     0, NULL, NULL);
    for (int i = 0; res && i < PQntuples(res); i++)
        fprintf(out, "submissions.%s %lld\n", val(res, i, 0), (long long)val64(res, i, 1));
    PQclear(res);
    res = run_params(c,
                     "SELECT (SELECT count(*) FROM changes), (SELECT seq FROM change_head),"
                     " (SELECT count(*) FROM device_reports)",
                     0, NULL, NULL);
    if (res && PQntuples(res) == 1)
        fprintf(out, "changes %lld\nposition %lld\ndevice_reports %lld\n",
                (long long)val64(res, 0, 0), (long long)val64(res, 0, 1),
                (long long)val64(res, 0, 2));
    PQclear(res);
    give(st, c);
}

/* --- Reports, the BankID simulator's orders, site roles --- */

static enum cs_result
pg_report_store(struct cs_storage *st, const char *device_id, const json_t *entries, int64_t now)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    char at[24], keep[24];
    bool ok = begin(c);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e)
    {
        if (!ok)
            break;
        PGresult *res = run(c,
                            "INSERT INTO device_reports VALUES ($1, $2, $3, $4, $5, $5)"
                            " ON CONFLICT (device_id, kind, record_id) DO UPDATE SET"
                            " reason = $4, last_reported = $5",
                            device_id, json_string_value(json_object_get(e, "kind")),
                            json_string_value(json_object_get(e, "id")),
                            json_string_value(json_object_get(e, "reason")), i64(at, now));
        ok = res != NULL;
        PQclear(res);
    }
    if (ok) {
        PGresult *res = run(c,
                            "DELETE FROM device_reports WHERE device_id = $1 AND (kind, record_id)"
                            " NOT IN (SELECT kind, record_id FROM device_reports WHERE"
                            " device_id = $1 ORDER BY last_reported DESC LIMIT $2)",
                            device_id, i64(keep, CS_REPORTS_PER_DEVICE));
        ok = res != NULL;
        PQclear(res);
    }
    enum cs_result r = finish(c, ok ? CS_OK : CS_FAILED);
    give(st, c);
    return r;
}

static void
pg_report_list(struct cs_storage *st, FILE *out)
{
    struct conn *c = take(st);
    if (c == NULL)
        return;
    PGresult *res = run_params(c,
                               "SELECT device_id, kind, record_id, reason, last_reported FROM"
                               " device_reports ORDER BY last_reported DESC, device_id, kind,"
                               " record_id",
                               0, NULL, NULL);
    for (int i = 0; res && i < PQntuples(res); i++)
        fprintf(out, "%s  %s %s  %s  last=%lld\n", val(res, i, 0), val(res, i, 1), val(res, i, 2),
                val(res, i, 3), (long long)val64(res, i, 4));
    PQclear(res);
    give(st, c);
}

static const char *
or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

static enum cs_result
pg_bankid_order_add(struct cs_storage *st, const struct cs_bankid_order *o, int64_t busy_s)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    char at[24], busy[24];
    enum cs_result r = begin(c) ? CS_OK : CS_FAILED;
    if (r == CS_OK && o->requested_pnr[0] != '\0') {
        /* One order per person at a time, across instances: the person's orders are locked
         * while this one is checked and stored. */
        PGresult *res = run(c, "SELECT pg_advisory_xact_lock(hashtext($1))", o->requested_pnr);
        PQclear(res);
        res = res ? run(c,
                        "SELECT 1 FROM bankid_orders WHERE requested_pnr=$1 AND"
                        " status='pending' AND $2::bigint - created_at < $3::bigint",
                        o->requested_pnr, i64(at, o->created_at), i64(busy, busy_s))
                  : NULL;
        r = res == NULL ? CS_FAILED : PQntuples(res) > 0 ? CS_CONFLICT : CS_OK;
        PQclear(res);
    }
    if (r == CS_OK) {
        PGresult *res =
            run(c,
                "INSERT INTO bankid_orders VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL,"
                " NULL, $7, $7)",
                o->order_ref, o->qr_start_token, o->qr_start_secret, or_null(o->requested_pnr),
                o->status, or_null(o->hint_code), i64(at, o->created_at));
        r = res ? CS_OK : CS_FAILED;
        PQclear(res);
    }
    r = finish(c, r);
    give(st, c);
    return r;
}

static enum cs_result
pg_bankid_order_get(struct cs_storage *st, const char *key, bool by_token,
                    struct cs_bankid_order *out)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res =
        run(c,
            by_token ? "SELECT order_ref, qr_start_token, qr_start_secret, requested_pnr, status,"
                       " hint_code, personal_number, given_name, surname, created_at, updated_at"
                       " FROM bankid_orders WHERE qr_start_token=$1"
                     : "SELECT order_ref, qr_start_token, qr_start_secret, requested_pnr, status,"
                       " hint_code, personal_number, given_name, surname, created_at, updated_at"
                       " FROM bankid_orders WHERE order_ref=$1",
            key);
    give(st, c);
    enum cs_result r = res == NULL ? CS_FAILED : PQntuples(res) == 1 ? CS_OK : CS_NOT_FOUND;
    if (r == CS_OK) {
        copy_val(res, 0, 0, out->order_ref, sizeof(out->order_ref));
        copy_val(res, 0, 1, out->qr_start_token, sizeof(out->qr_start_token));
        copy_val(res, 0, 2, out->qr_start_secret, sizeof(out->qr_start_secret));
        copy_val(res, 0, 3, out->requested_pnr, sizeof(out->requested_pnr));
        copy_val(res, 0, 4, out->status, sizeof(out->status));
        copy_val(res, 0, 5, out->hint_code, sizeof(out->hint_code));
        copy_val(res, 0, 6, out->personal_number, sizeof(out->personal_number));
        copy_val(res, 0, 7, out->given_name, sizeof(out->given_name));
        copy_val(res, 0, 8, out->surname, sizeof(out->surname));
        out->created_at = val64(res, 0, 9);
        out->updated_at = val64(res, 0, 10);
    }
    PQclear(res);
    return r;
}

static enum cs_result
pg_bankid_order_update(struct cs_storage *st, const struct cs_bankid_order *o,
                       const char *only_if_status)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    char at[24];
    PGresult *res =
        run(c,
            "UPDATE bankid_orders SET status=$2, hint_code=$3, personal_number=$4,"
            " given_name=$5, surname=$6, updated_at=$7 WHERE order_ref=$1"
            " AND ($8::text IS NULL OR status=$8)",
            o->order_ref, o->status, or_null(o->hint_code), or_null(o->personal_number),
            or_null(o->given_name), or_null(o->surname), i64(at, o->updated_at), only_if_status);
    enum cs_result r = res == NULL                          ? CS_FAILED
                       : strcmp(PQcmdTuples(res), "0") != 0 ? CS_OK
                                                            : CS_NOT_FOUND;
    PQclear(res);
    give(st, c);
    return r;
}

static enum cs_result
pg_citizen_name(struct cs_storage *st, const char *pnr, char given[static 128],
                char surname[static 128])
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res = run(c,
                        "SELECT cs_json(fields)->>'given_name', cs_json(fields)->>'surname' FROM"
                        " records WHERE kind='citizen' AND cs_json(fields)->>'pnr' = $1 LIMIT 1",
                        pnr);
    give(st, c);
    enum cs_result r =
        res && PQntuples(res) == 1 && val(res, 0, 0) && val(res, 0, 1) ? CS_OK : CS_NOT_FOUND;
    if (r == CS_OK) {
        copy_val(res, 0, 0, given, 128);
        copy_val(res, 0, 1, surname, 128);
    }
    PQclear(res);
    return r;
}

static json_t *
pg_demo_identities(struct cs_storage *st, const char *district, int n)
{
    json_t *list = json_array();
    struct conn *c = take(st);
    if (c == NULL)
        return list;
    char lim[24];
    PGresult *res = run(c,
                        "SELECT cs_json(fields)->>'pnr', (cs_json(fields)->>'given_name') || ' '"
                        " || (cs_json(fields)->>'surname') FROM records WHERE kind='citizen' AND"
                        " ($1::text IS NULL OR district=$1) ORDER BY n LIMIT $2",
                        district, i64(lim, n));
    give(st, c);
    for (int i = 0; res && i < PQntuples(res); i++) {
        if (val(res, i, 0) != NULL && val(res, i, 1) != NULL)
            json_array_append_new(list, json_pack("{s:s, s:s}", "personalNumber", val(res, i, 0),
                                                  "name", val(res, i, 1)));
    }
    PQclear(res);
    return list;
}

static enum cs_result
pg_role_set(struct cs_storage *st, const char *site, const char *pnr, const char *role,
            const char *staff_id)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res = run(c,
                        "INSERT INTO site_roles VALUES ($1, $2, $3, $4) ON CONFLICT (site, pnr)"
                        " DO UPDATE SET role=$3, staff_id=$4",
                        site, pnr, role, staff_id);
    enum cs_result r = res ? CS_OK : CS_FAILED;
    PQclear(res);
    give(st, c);
    return r;
}

static enum cs_result
pg_role_remove(struct cs_storage *st, const char *site, const char *pnr)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res = run(c, "DELETE FROM site_roles WHERE site=$1 AND pnr=$2", site, pnr);
    enum cs_result r = res == NULL                          ? CS_FAILED
                       : strcmp(PQcmdTuples(res), "0") != 0 ? CS_OK
                                                            : CS_NOT_FOUND;
    PQclear(res);
    give(st, c);
    return r;
}

static json_t *
pg_role_list(struct cs_storage *st, const char *site)
{
    json_t *roles = json_array();
    struct conn *c = take(st);
    if (c == NULL)
        return roles;
    PGresult *res =
        run(c, "SELECT pnr, role, staff_id FROM site_roles WHERE site=$1 ORDER BY pnr", site);
    give(st, c);
    for (int i = 0; res && i < PQntuples(res); i++)
        json_array_append_new(roles, json_pack("{s:s, s:s, s:s}", "pnr", val(res, i, 0), "role",
                                               val(res, i, 1), "staff_id", val(res, i, 2)));
    PQclear(res);
    return roles;
}

/* --- Usage statistics and fleet health --- */

static enum cs_result
pg_status_put(struct cs_storage *st, const struct cs_device *dev, int64_t batch,
              const json_t *usage, const struct cs_health *health, int64_t now, bool *duplicate)
{
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    char b[24], at[24], ls[24], oa[24], n[24];
    bool ok = begin(c);
    PGresult *res = ok ? run(c,
                             "INSERT INTO device_status (device_id) VALUES ($1)"
                             " ON CONFLICT (device_id) DO NOTHING",
                             dev->id)
                       : NULL;
    ok = res != NULL;
    PQclear(res);
    /* The device's row, locked until COMMIT: another instance handed the same batch (a retry
     * after a lost answer) waits here and then sees it counted. */
    res = ok ? run(c, "SELECT usage_batch FROM device_status WHERE device_id = $1 FOR UPDATE",
                   dev->id)
             : NULL;
    ok = res != NULL && PQntuples(res) == 1;
    int64_t last = ok ? val64(res, 0, 0) : 0;
    PQclear(res);
    *duplicate = batch > 0 && batch <= last;
    if (ok && batch > last) {
        size_t i;
        json_t *e;
        json_array_foreach(usage, i, e)
        {
            if (!ok)
                break;
            res = run(c,
                      "INSERT INTO usage_daily VALUES ($1, $2::date, $3, $4::bigint)"
                      " ON CONFLICT (site, day, counter) DO UPDATE"
                      " SET count = usage_daily.count + excluded.count",
                      dev->site, json_string_value(json_object_get(e, "day")),
                      json_string_value(json_object_get(e, "counter")),
                      i64(n, json_integer_value(json_object_get(e, "count"))));
            ok = res != NULL;
            PQclear(res);
        }
    }
    if (ok) {
        res = run(c,
                  "UPDATE device_status SET usage_batch = GREATEST(usage_batch, $2::bigint),"
                  " seen_at = $3, version = $4, last_sync = $5, outbox_age = $6, failing = $7"
                  " WHERE device_id = $1",
                  dev->id, i64(b, batch), i64(at, now), health->version, i64(ls, health->last_sync),
                  i64(oa, health->outbox_age), health->failing);
        ok = res != NULL;
        PQclear(res);
    }
    enum cs_result r = finish(c, ok ? CS_OK : CS_FAILED);
    if (r != CS_OK)
        LOG_ERR("storing a kiosk's status failed");
    give(st, c);
    return r;
}

static enum cs_result
pg_usage_query(struct cs_storage *st, const char *from, const char *to, const char *site,
               json_t **rows)
{
    *rows = json_array();
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res = run(c,
                        "SELECT to_char(day, 'YYYY-MM-DD'), site, counter, count FROM usage_daily"
                        " WHERE ($1::date IS NULL OR day >= $1::date)"
                        " AND ($2::date IS NULL OR day <= $2::date)"
                        " AND ($3::text IS NULL OR site = $3) ORDER BY day, site, counter",
                        from, to, site);
    give(st, c);
    for (int i = 0; res && i < PQntuples(res); i++)
        json_array_append_new(*rows, json_pack("{s:s, s:s, s:s, s:I}", "day", val(res, i, 0),
                                               "site", val(res, i, 1), "counter", val(res, i, 2),
                                               "count", (json_int_t)val64(res, i, 3)));
    enum cs_result r = res != NULL ? CS_OK : CS_FAILED;
    PQclear(res);
    return r;
}

static enum cs_result
pg_fleet_query(struct cs_storage *st, json_t **devices)
{
    *devices = json_array();
    struct conn *c = take(st);
    if (c == NULL)
        return CS_FAILED;
    PGresult *res = run_params(c,
                               "SELECT d.id, d.site, d.enrolled_at, d.revoked_at IS NOT NULL,"
                               " s.seen_at, coalesce(s.version, ''), coalesce(s.last_sync, 0),"
                               " coalesce(s.outbox_age, 0), coalesce(s.failing, '')"
                               " FROM devices d LEFT JOIN device_status s ON s.device_id = d.id"
                               " ORDER BY d.site, d.id",
                               0, NULL, NULL);
    give(st, c);
    for (int i = 0; res && i < PQntuples(res); i++) {
        json_t *seen = PQgetisnull(res, i, 4) ? json_null() : json_integer(val64(res, i, 4));
        json_array_append_new(
            *devices,
            json_pack("{s:s, s:s, s:I, s:b, s:o, s:s, s:I, s:I, s:s}", "device", val(res, i, 0),
                      "site", val(res, i, 1), "enrolled_at", (json_int_t)val64(res, i, 2),
                      "revoked", strcmp(val(res, i, 3), "t") == 0, "seen_at", seen, "version",
                      val(res, i, 5), "last_sync", (json_int_t)val64(res, i, 6), "outbox_age",
                      (json_int_t)val64(res, i, 7), "failing", val(res, i, 8)));
    }
    enum cs_result r = res != NULL ? CS_OK : CS_FAILED;
    PQclear(res);
    return r;
}

static const struct cs_storage_impl postgres_impl = {
    .close = pg_close,
    .token_put = pg_token_put,
    .device_list = pg_device_list,
    .device_revoke = pg_device_revoke,
    .enroll = pg_enroll,
    .device_get = pg_device_get,
    .nonce_use = pg_nonce_use,
    .pull = pg_pull,
    .push_items = pg_push_items,
    .record_put = pg_record_put,
    .record_remove = pg_record_remove,
    .record_rewrite = pg_record_rewrite,
    .transaction = pg_transaction,
    .mutate = pg_mutate,
    .stats = pg_stats,
    .report_store = pg_report_store,
    .report_list = pg_report_list,
    .bankid_order_add = pg_bankid_order_add,
    .bankid_order_get = pg_bankid_order_get,
    .bankid_order_update = pg_bankid_order_update,
    .citizen_name = pg_citizen_name,
    .demo_identities = pg_demo_identities,
    .role_set = pg_role_set,
    .role_remove = pg_role_remove,
    .role_list = pg_role_list,
    .status_put = pg_status_put,
    .usage_query = pg_usage_query,
    .fleet_query = pg_fleet_query,
};
