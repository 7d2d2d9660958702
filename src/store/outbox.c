/* The outbox: submissions wait here, sealed, until the case store has them. Each gets a random
 * UUID and the next gapless per-device sequence number, in the same transaction as its audit
 * entry; delivery outcomes are recorded per item and a rejected item never blocks the rest. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"
#include "uuid.h"

#define LOG_MODULE "store"
#include "log.h"

static const char *const state_codes[] = {
    [STORE_OUTBOX_QUEUED] = "queued",     [STORE_OUTBOX_SENDING] = "sending",
    [STORE_OUTBOX_ACCEPTED] = "accepted", [STORE_OUTBOX_DUPLICATE] = "duplicate",
    [STORE_OUTBOX_REJECTED] = "rejected",
};

const char *
store_outbox_state_code(enum store_outbox_state st)
{
    return (size_t)st < ARRAY_LEN(state_codes) ? state_codes[st] : "unknown";
}

static bool
state_from_code(const char *code, enum store_outbox_state *out)
{
    for (size_t i = 0; i < ARRAY_LEN(state_codes); i++) {
        if (strcmp(state_codes[i], code) == 0) {
            *out = (enum store_outbox_state)i;
            return true;
        }
    }
    return false;
}

/* The key a submission is sealed under: the citizen's, or the device's for anonymous ones. */
static enum store_error
item_key(struct store *s, int64_t citizen_id, const unsigned char **key)
{
    if (citizen_id == 0) {
        *key = store_subkey(s, SUBKEY_DEVICE);
        return STORE_OK;
    }
    return citizen_key(s, citizen_id, key);
}

static void
bind_sealed(sqlite3_stmt *st, int param, const unsigned char *key, const char *column, int64_t seq,
            int64_t citizen, const char *text)
{
    if (text == NULL) {
        sqlite3_bind_null(st, param);
        return;
    }
    unsigned char *blob;
    size_t len;
    seal_field(key, "outbox", column, seq, citizen, text, strlen(text), &blob, &len);
    sqlite3_bind_blob(st, param, blob, (int)len, free);
}

enum store_error
store_outbox_add(struct store *s, const struct store_actor *actor,
                 const struct store_submission *sub, char uuid_out[37], int64_t *seq_out)
{
    if (sub->kind == NULL || sub->payload == NULL || sub->registered_by == NULL)
        return STORE_ERR_INVALID;
    enum store_error e = tx_begin(s);
    if (e != STORE_OK)
        return e;
    sqlite3_stmt *st = NULL;
    int64_t seq = 0, wire_seq = 0;
    const unsigned char *key = NULL;
    char uuid[37];
    uuid_v4_random(uuid);

    if (sqlite3_prepare_v2(s->db,
                           "SELECT outbox_next_seq, outbox_next_wire FROM device_state WHERE id=1",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        seq = sqlite3_column_int64(st, 0);
        wire_seq = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (seq <= 0 || wire_seq <= 0)
        e = STORE_ERR_IO;
    if (e == STORE_OK)
        e = item_key(s, sub->citizen_id, &key);
    if (e == STORE_OK) {
        int rc = sqlite3_prepare_v2(
            s->db,
            "INSERT INTO outbox (seq, uuid, citizen_id, state, created_at, updated_at, f_kind,"
            " f_main, f_type, f_class, f_payload, f_registered_by, wire_seq, f_created_at)"
            " VALUES (?1, ?2, ?3, 'queued', 0, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?4)",
            -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, seq);
            sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
            if (sub->citizen_id)
                sqlite3_bind_int64(st, 3, sub->citizen_id);
            char when[24];
            snprintf(when, sizeof(when), "%lld", (long long)sub->created_at);
            bind_sealed(st, 4, key, "created_at", seq, sub->citizen_id, when);
            bind_sealed(st, 5, key, "kind", seq, sub->citizen_id, sub->kind);
            bind_sealed(st, 6, key, "main", seq, sub->citizen_id, sub->main);
            bind_sealed(st, 7, key, "type", seq, sub->citizen_id, sub->type);
            bind_sealed(st, 8, key, "class", seq, sub->citizen_id, sub->klass);
            bind_sealed(st, 9, key, "payload", seq, sub->citizen_id, sub->payload);
            bind_sealed(st, 10, key, "registered_by", seq, sub->citizen_id, sub->registered_by);
            sqlite3_bind_int64(st, 11, wire_seq);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "queueing a submission");
    }
    if (e == STORE_OK)
        e = sql_exec(s, "UPDATE device_state SET outbox_next_seq = outbox_next_seq + 1,"
                        " outbox_next_wire = outbox_next_wire + 1");
    if (e == STORE_OK) {
        char details[96];
        snprintf(details, sizeof(details), "submission %s queued as %lld", uuid, (long long)seq);
        e = audit_append_in_tx(s, actor, sub->citizen_id, "submission", details);
    }
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK) {
        tx_rollback(s);
        return e;
    }
    memcpy(uuid_out, uuid, sizeof(uuid));
    if (seq_out != NULL)
        *seq_out = seq;
    return STORE_OK;
}

static enum store_error
open_opt(const unsigned char *key, sqlite3_stmt *st, int col, const char *column, int64_t seq,
         int64_t citizen, struct store_arena *a, const char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return STORE_OK;
    char *text;
    enum store_error e =
        open_field(key, "outbox", column, seq, citizen, sqlite3_column_blob(st, col),
                   (size_t)sqlite3_column_bytes(st, col), a, &text, NULL);
    *out = text;
    return e;
}

static enum store_error
open_field_as(const unsigned char *key, sqlite3_stmt *st, int col, const char *table,
              const char *column, int64_t citizen, struct store_arena *a, const char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return STORE_OK;
    char *text;
    enum store_error e =
        open_field(key, table, column, citizen, citizen, sqlite3_column_blob(st, col),
                   (size_t)sqlite3_column_bytes(st, col), a, &text, NULL);
    *out = text;
    return e;
}

enum store_error
store_outbox_list(struct store *s, bool pending_only, size_t limit, struct store_outbox **out)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT o.seq, o.uuid, coalesce(o.citizen_id, 0), o.state, o.f_created_at, o.attempts,"
             " c.f_server_id, o.f_kind, o.f_main, o.f_type, o.f_class, o.f_payload,"
             " o.f_registered_by, o.f_case_number, o.f_reason, coalesce(o.wire_seq, o.seq)"
             " FROM outbox o LEFT JOIN citizens c ON c.id = o.citizen_id %s ORDER BY o.seq"
             " LIMIT %lld",
             pending_only ? "WHERE o.state IN ('queued', 'sending')" : "",
             limit ? (long long)limit : -1LL);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, "listing the outbox");
    struct store_arena *a = arena_create();
    struct store_outbox *o = arena_alloc(a, sizeof(*o));
    o->arena = a;
    size_t cap = 16;
    o->items = arena_alloc(a, cap * sizeof(*o->items));
    enum store_error e = STORE_OK;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (o->n == cap) {
            struct store_outbox_item *bigger = arena_alloc(a, cap * 2 * sizeof(*bigger));
            memcpy(bigger, o->items, o->n * sizeof(*bigger));
            o->items = bigger;
            cap *= 2;
        }
        struct store_outbox_item *it = &o->items[o->n];
        it->seq = sqlite3_column_int64(st, 0);
        it->wire_seq = sqlite3_column_int64(st, 15);
        it->uuid = arena_strndup(a, (const char *)sqlite3_column_text(st, 1), 36);
        it->citizen_id = sqlite3_column_int64(st, 2);
        if (!state_from_code((const char *)sqlite3_column_text(st, 3), &it->state))
            e = STORE_ERR_TAMPERED;
        it->created_at = 0;
        it->attempts = sqlite3_column_int(st, 5);
        const unsigned char *key = NULL;
        if (e == STORE_OK && sqlite3_column_type(st, 7) != SQLITE_NULL)
            e = item_key(s, it->citizen_id, &key);
        /* The citizen's id, sealed under the same key as the item (their key). */
        if (key != NULL && e == STORE_OK && it->citizen_id != 0)
            e = open_field_as(key, st, 6, "citizens", "server_id", it->citizen_id, a,
                              &it->citizen_server_id);
        const char **fields[] = { &it->kind,    &it->main,          &it->type,        &it->klass,
                                  &it->payload, &it->registered_by, &it->case_number, &it->reason };
        static const char *const columns[] = {
            "kind", "main", "type", "class", "payload", "registered_by", "case_number", "reason"
        };
        for (size_t f = 0; key != NULL && e == STORE_OK && f < ARRAY_LEN(columns); f++)
            e = open_opt(key, st, 7 + (int)f, columns[f], it->seq, it->citizen_id, a, fields[f]);
        const char *when = NULL;
        if (key != NULL && e == STORE_OK)
            e = open_opt(key, st, 4, "created_at", it->seq, it->citizen_id, a, &when);
        if (when != NULL)
            it->created_at = strtoll(when, NULL, 10);
        o->n++;
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "reading the outbox");
    sqlite3_finalize(st);
    if (e != STORE_OK) {
        arena_destroy(a);
        return e;
    }
    *out = o;
    return STORE_OK;
}

void
store_outbox_free(struct store_outbox *o)
{
    if (o != NULL)
        arena_destroy(o->arena);
}

static enum store_error set_state_in_tx(struct store *s, int64_t seq, enum store_outbox_state state,
                                        const char *case_number, const char *reason);

enum store_error
store_outbox_set_state(struct store *s, int64_t seq, enum store_outbox_state state,
                       const char *case_number, const char *reason)
{
    struct store_outbox_update u = { seq, state, case_number, reason };
    return store_outbox_set_states(s, &u, 1);
}

enum store_error
store_outbox_set_states(struct store *s, const struct store_outbox_update *u, size_t n)
{
    enum store_error e = tx_begin(s);
    for (size_t i = 0; i < n && e == STORE_OK; i++)
        e = set_state_in_tx(s, u[i].seq, u[i].state, u[i].case_number, u[i].reason);
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK)
        tx_rollback(s);
    return e;
}

static enum store_error
set_state_in_tx(struct store *s, int64_t seq, enum store_outbox_state state,
                const char *case_number, const char *reason)
{
    enum store_error e = STORE_OK;
    sqlite3_stmt *st = NULL;
    int64_t citizen = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(citizen_id, 0) FROM outbox WHERE seq=?1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, seq);
        if (sqlite3_step(st) == SQLITE_ROW)
            citizen = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    const unsigned char *key = NULL;
    if (citizen < 0)
        e = STORE_ERR_NOT_FOUND;
    if (e == STORE_OK)
        e = item_key(s, citizen, &key);
    if (e == STORE_OK) {
        int rc = sqlite3_prepare_v2(s->db,
                                    "UPDATE outbox SET state=?2,"
                                    " attempts = attempts + (?2 = 'sending'),"
                                    " f_case_number=coalesce(?4, f_case_number),"
                                    " f_reason=?5 WHERE seq=?1",
                                    -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, seq);
            sqlite3_bind_text(st, 2, store_outbox_state_code(state), -1, SQLITE_STATIC);
            bind_sealed(st, 4, key, "case_number", seq, citizen, case_number);
            bind_sealed(st, 5, key, "reason", seq, citizen, reason);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "recording a delivery");
    }
    bool final = state != STORE_OUTBOX_QUEUED && state != STORE_OUTBOX_SENDING;
    if (e == STORE_OK && final && citizen > 0)
        e = citizen_finish_erase(s, citizen);
    return e;
}

bool
outbox_has_pending(struct store *s, int64_t citizen_id)
{
    sqlite3_stmt *st = NULL;
    bool pending = false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM outbox WHERE citizen_id=?1 AND state IN ('queued',"
                           " 'sending') LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, citizen_id);
        pending = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return pending;
}

enum store_error
store_outbox_stats(struct store *s, int64_t *pending, int64_t *oldest_created_at)
{
    *pending = 0;
    *oldest_created_at = 0;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        s->db, "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *pending = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, "counting the outbox");
    if (*pending == 0)
        return STORE_OK;
    /* Items are numbered as they are made: the oldest is the first pending one. Its time is
     * sealed, so it is opened here rather than read from a column. */
    struct store_outbox *ob = NULL;
    enum store_error e = store_outbox_list(s, true, 1, &ob);
    if (e == STORE_OK && ob->n == 1)
        *oldest_created_at = ob->items[0].created_at;
    store_outbox_free(ob);
    return e;
}

enum store_error
outbox_migrate_sealed_times(struct store *s)
{
    sqlite3_stmt *st = NULL, *up = NULL;
    int rc =
        sqlite3_prepare_v2(s->db,
                           "SELECT seq, coalesce(citizen_id, 0), created_at, f_kind IS NOT NULL"
                           " FROM outbox",
                           -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "UPDATE outbox SET f_created_at=?2, created_at=0, updated_at=0"
                                " WHERE seq=?1",
                                -1, &up, NULL);
    enum store_error e = rc == SQLITE_OK ? STORE_OK : sql_error(s, rc, "migrating the outbox");
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(st, 0), citizen = sqlite3_column_int64(st, 1);
        const unsigned char *key = NULL;
        /* An item whose citizen was erased has no personal fields left: its time goes too. */
        bool has_fields = sqlite3_column_int(st, 3) != 0;
        if (has_fields)
            e = item_key(s, citizen, &key);
        char when[24];
        snprintf(when, sizeof(when), "%lld", (long long)sqlite3_column_int64(st, 2));
        sqlite3_reset(up);
        sqlite3_bind_int64(up, 1, seq);
        if (key != NULL)
            bind_sealed(up, 2, key, "created_at", seq, citizen, when);
        else
            sqlite3_bind_null(up, 2);
        if (e == STORE_OK && (rc = sqlite3_step(up)) != SQLITE_DONE)
            e = sql_error(s, rc, "migrating the outbox");
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "migrating the outbox");
    sqlite3_finalize(st);
    sqlite3_finalize(up);
    return e;
}

enum store_error
store_outbox_renumber(struct store *s, int64_t seq, int64_t wire_seq)
{
    if (seq < 1 || wire_seq < 1)
        return STORE_ERR_INVALID;
    enum store_error e = tx_begin(s);
    if (e != STORE_OK)
        return e;
    /* Consecutive numbers, in local order, for the named item and every undelivered one after
     * it; a gap left by an item that never went out (damaged here) closes too. */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "UPDATE outbox SET wire_seq = ?2 + (SELECT count(*) FROM outbox p"
                                " WHERE p.state IN ('queued', 'sending') AND p.seq >= ?1"
                                " AND p.seq < outbox.seq)"
                                " WHERE state IN ('queued', 'sending') AND seq >= ?1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_int64(st, 2, wire_seq);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        e = sql_error(s, rc, "renumbering the outbox");
    /* Items queued from now on continue after the last renumbered one. */
    if (e == STORE_OK) {
        rc = sqlite3_prepare_v2(s->db,
                                "UPDATE device_state SET outbox_next_wire = max(?1, 1 + coalesce("
                                "(SELECT max(wire_seq) FROM outbox WHERE state IN ('queued',"
                                " 'sending')), 0))",
                                -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, wire_seq);
            rc = sqlite3_step(st);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "renumbering the outbox");
    }
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK)
        tx_rollback(s);
    return e;
}
