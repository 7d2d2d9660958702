/* Kiosks' set-aside reports in casestore.db. */
#include "reports.h"

#include <sqlite3.h>
#include <string.h>

#define LOG_MODULE "casestore"
#include "log.h"

static const char table[] =
    "CREATE TABLE IF NOT EXISTS device_reports (device_id TEXT NOT NULL, kind TEXT NOT NULL,"
    " record_id TEXT NOT NULL, reason TEXT NOT NULL, first_reported INTEGER NOT NULL,"
    " last_reported INTEGER NOT NULL, PRIMARY KEY (device_id, kind, record_id));";

static bool
ensure_table(sqlite3 *db)
{
    return sqlite3_exec(db, table, NULL, NULL, NULL) == SQLITE_OK;
}

enum cs_result
cs_report_store(struct cs_storage *st, const char *device_id, const json_t *entries, int64_t now)
{
    sqlite3 *db = cs_storage_db_lock(st);
    sqlite3_stmt *q = NULL;
    bool ok =
        ensure_table(db) && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    if (ok)
        ok = sqlite3_prepare_v2(db,
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
        sqlite3_bind_text(q, 2, json_string_value(json_object_get(e, "kind")), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, json_string_value(json_object_get(e, "id")), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, json_string_value(json_object_get(e, "reason")), -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 5, now);
        ok = sqlite3_step(q) == SQLITE_DONE;
    }
    sqlite3_finalize(q);
    if (ok) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "DELETE FROM device_reports WHERE device_id = ?1 AND rowid NOT IN (SELECT rowid"
                 " FROM device_reports WHERE device_id = ?1 ORDER BY last_reported DESC LIMIT %d)",
                 CS_REPORTS_PER_DEVICE);
        ok = sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(q, 1, device_id, -1, SQLITE_STATIC);
            ok = sqlite3_step(q) == SQLITE_DONE;
        }
        sqlite3_finalize(q);
    }
    if (!ok)
        LOG_ERR("storing a device's report: %s", sqlite3_errmsg(db));
    sqlite3_exec(db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    cs_storage_db_unlock(st);
    return ok ? CS_OK : CS_FAILED;
}

void
cs_report_stats(struct cs_storage *st, FILE *out)
{
    sqlite3 *db = cs_storage_db_lock(st);
    sqlite3_stmt *q = NULL;
    if (ensure_table(db) &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM device_reports", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        fprintf(out, "device_reports %lld\n", (long long)sqlite3_column_int64(q, 0));
    sqlite3_finalize(q);
    cs_storage_db_unlock(st);
}

void
cs_report_list(struct cs_storage *st, FILE *out)
{
    sqlite3 *db = cs_storage_db_lock(st);
    sqlite3_stmt *q = NULL;
    if (ensure_table(db) &&
        sqlite3_prepare_v2(db,
                           "SELECT device_id, kind, record_id, reason, last_reported FROM"
                           " device_reports ORDER BY last_reported DESC, device_id, kind,"
                           " record_id",
                           -1, &q, NULL) == SQLITE_OK)
        while (sqlite3_step(q) == SQLITE_ROW)
            fprintf(out, "%s  %s %s  %s  last=%lld\n", sqlite3_column_text(q, 0),
                    sqlite3_column_text(q, 1), sqlite3_column_text(q, 2), sqlite3_column_text(q, 3),
                    (long long)sqlite3_column_int64(q, 4));
    sqlite3_finalize(q);
    cs_storage_db_unlock(st);
}
