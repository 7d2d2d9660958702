/* Records set aside: what sync delivered but the store did not take (sync/PROTOCOL.md §5). The
 * list holds the server's kind and id and a reason that names fields, never their values, so it
 * is kept in the clear and reported to the case store as it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "xalloc.h"

#define LOG_MODULE "store"
#include "log.h"

void
store_set_scope(struct store *s, const char *districts)
{
    free(s->scope);
    s->scope = districts != NULL && *districts != '\0' ? xstrdup(districts) : NULL;
}

bool
scope_has(const struct store *s, const char *district)
{
    if (s->scope == NULL)
        return true;
    if (district == NULL || *district == '\0')
        return false;
    size_t dl = strlen(district);
    for (const char *p = s->scope; (p = strstr(p, district)) != NULL; p += dl) {
        bool start = p == s->scope || p[-1] == ',';
        bool end = p[dl] == '\0' || p[dl] == ',';
        if (start && end)
            return true;
    }
    return false;
}

/* Printable ASCII only, at most size-1 bytes: a hostile server's id cannot reach a terminal or
 * a log as anything else. */
static void
sanitise(char *out, size_t size, const char *in)
{
    size_t i = 0;
    for (; in != NULL && in[i] != '\0' && i + 1 < size; i++)
        out[i] = in[i] > 0x20 && in[i] < 0x7f ? in[i] : '?';
    out[i] = '\0';
}

bool
set_aside_any(struct store *s)
{
    sqlite3_stmt *st = NULL;
    bool any =
        sqlite3_prepare_v2(s->db, "SELECT 1 FROM set_aside LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return any;
}

enum store_error
set_aside_record(struct store *s, const char *kind, const char *id, const char *reason, int64_t now)
{
    char k[33], i[201], r[161];
    sanitise(k, sizeof(k), kind != NULL ? kind : "?");
    sanitise(i, sizeof(i), id != NULL && *id != '\0' ? id : "(none)");
    snprintf(r, sizeof(r), "%s", reason != NULL ? reason : "not usable");
    LOG_WARN("set aside %s %s: %s", k, i, r);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db,
        "INSERT INTO set_aside (kind, record_id, reason, first_seen, last_seen, reported)"
        " VALUES (?1, ?2, ?3, ?4, ?4, 0) ON CONFLICT (kind, record_id) DO UPDATE SET"
        " last_seen = excluded.last_seen, reported = reported AND reason = excluded.reason,"
        " reason = excluded.reason",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, i, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_error(s, rc, "recording a record set aside");
    char sql[160];
    snprintf(sql, sizeof(sql),
             "DELETE FROM set_aside WHERE id <= (SELECT id FROM set_aside ORDER BY id DESC"
             " LIMIT 1 OFFSET %d)",
             STORE_SET_ASIDE_MAX);
    return sql_exec(s, sql);
}

enum store_error
set_aside_heal(struct store *s, const char *kind, const char *id)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "DELETE FROM set_aside WHERE kind=?1 AND record_id=?2", -1,
                                &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_error(s, rc, "clearing a record set aside");
    if (sqlite3_changes(s->db) > 0)
        LOG_INFO("%s %s applies now: no longer set aside", kind, id);
    return STORE_OK;
}

enum store_error
store_set_aside_summary(struct store *s, int64_t *total, int64_t *unreported,
                        char kinds[static 160])
{
    *total = *unreported = 0;
    kinds[0] = '\0';
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT kind, count(*), sum(reported = 0) FROM set_aside"
                                " GROUP BY kind ORDER BY kind",
                                -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        int64_t n = sqlite3_column_int64(st, 1);
        *total += n;
        *unreported += sqlite3_column_int64(st, 2);
        size_t l = strlen(kinds);
        snprintf(kinds + l, 160 - l, "%s%s %lld", l ? ", " : "", sqlite3_column_text(st, 0),
                 (long long)n);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "counting records set aside");
}

enum store_error
store_set_aside_list(struct store *s, bool unreported_only, struct store_set_aside *out, size_t max,
                     size_t *n)
{
    *n = 0;
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(s->db,
                           "SELECT id, kind, record_id, reason, first_seen, last_seen, reported"
                           " FROM set_aside WHERE reported = 0 OR ?1 = 0 ORDER BY id LIMIT ?2",
                           -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, unreported_only);
        sqlite3_bind_int64(st, 2, (int64_t)max);
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
        rc = SQLITE_OK;
        struct store_set_aside *e = &out[(*n)++];
        e->row = sqlite3_column_int64(st, 0);
        snprintf(e->kind, sizeof(e->kind), "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(e->id, sizeof(e->id), "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(e->reason, sizeof(e->reason), "%s", (const char *)sqlite3_column_text(st, 3));
        e->first_seen = sqlite3_column_int64(st, 4);
        e->last_seen = sqlite3_column_int64(st, 5);
        e->reported = sqlite3_column_int(st, 6) != 0;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_OK || rc == SQLITE_ROW
               ? STORE_OK
               : sql_error(s, rc, "listing records set aside");
}

enum store_error
store_set_aside_mark_reported(struct store *s, const struct store_set_aside *e, size_t n)
{
    enum store_error err = tx_begin(s);
    sqlite3_stmt *st = NULL;
    if (err == STORE_OK) {
        int rc = sqlite3_prepare_v2(
            s->db, "UPDATE set_aside SET reported = 1 WHERE id = ?1 AND reason = ?2", -1, &st,
            NULL);
        if (rc != SQLITE_OK)
            err = sql_error(s, rc, "marking records reported");
    }
    for (size_t i = 0; i < n && err == STORE_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, e[i].row);
        sqlite3_bind_text(st, 2, e[i].reason, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            err = sql_error(s, rc, "marking records reported");
    }
    sqlite3_finalize(st);
    if (err == STORE_OK)
        err = tx_commit(s);
    if (err != STORE_OK)
        tx_rollback(s);
    return err;
}
