/* Usage counters, tallied in memory and written in batches (store.h "Usage counters"): the UI
 * counts a screen on every navigation, and a write with synchronous=FULL there would stall it
 * on the disk. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "usage_names.h"
#include "xalloc.h"

#define LOG_MODULE "store"
#include "log.h"

struct usage_entry {
    int64_t hour;
    char screen[32], lang[16], outcome[16];
    int64_t count;
};

struct store_usage {
    pthread_mutex_t lock;
    struct usage_entry *entries;
    size_t n, cap;
};

struct store_usage *
store_usage_create(void)
{
    struct store_usage *u = xcalloc(1, sizeof(*u));
    pthread_mutex_init(&u->lock, NULL);
    return u;
}

void
store_usage_destroy(struct store_usage *u)
{
    if (u == NULL)
        return;
    pthread_mutex_destroy(&u->lock);
    free(u->entries);
    free(u);
}

/* Adds count to an entry of the tally; the caller holds the lock. */
static void
tally(struct store_usage *u, int64_t hour, const char *screen, const char *lang,
      const char *outcome, int64_t count)
{
    for (size_t i = u->n; i-- > 0;) { /* the newest hour is at the end */
        struct usage_entry *e = &u->entries[i];
        if (e->hour == hour && strcmp(e->screen, screen) == 0 && strcmp(e->lang, lang) == 0 &&
            strcmp(e->outcome, outcome) == 0) {
            e->count += count;
            return;
        }
    }
    if (u->n == u->cap)
        u->entries =
            xrealloc(u->entries, (u->cap = u->cap ? u->cap * 2 : 32) * sizeof(*u->entries));
    struct usage_entry *e = &u->entries[u->n++];
    e->hour = hour;
    snprintf(e->screen, sizeof(e->screen), "%s", screen);
    snprintf(e->lang, sizeof(e->lang), "%s", lang);
    snprintf(e->outcome, sizeof(e->outcome), "%s", outcome);
    e->count = count;
}

void
store_usage_add(struct store_usage *u, int64_t at, const char *screen, const char *lang,
                const char *outcome)
{
    pthread_mutex_lock(&u->lock);
    tally(u, at / 3600, screen, lang, outcome, 1);
    pthread_mutex_unlock(&u->lock);
}

size_t
store_usage_pending(struct store_usage *u)
{
    pthread_mutex_lock(&u->lock);
    int64_t total = 0;
    for (size_t i = 0; i < u->n; i++)
        total += u->entries[i].count;
    pthread_mutex_unlock(&u->lock);
    return (size_t)total;
}

enum store_error
store_usage_flush(struct store_usage *u, struct store *s)
{
    /* Take the tally, so that counting goes on while it is written. */
    pthread_mutex_lock(&u->lock);
    struct usage_entry *taken = u->entries;
    size_t n = u->n;
    u->entries = NULL;
    u->n = u->cap = 0;
    pthread_mutex_unlock(&u->lock);
    if (n == 0)
        return STORE_OK;

    sqlite3_stmt *st = NULL;
    enum store_error e = tx_begin(s);
    if (e == STORE_OK) {
        int rc = sqlite3_prepare_v2(s->db,
                                    "INSERT INTO usage_counters VALUES (?1, ?2, ?3, ?4, ?5)"
                                    " ON CONFLICT DO UPDATE SET count = count + excluded.count",
                                    -1, &st, NULL);
        if (rc != SQLITE_OK)
            e = sql_error(s, rc, "counting usage");
    }
    for (size_t i = 0; i < n && e == STORE_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, taken[i].hour);
        sqlite3_bind_text(st, 2, taken[i].screen, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, taken[i].lang, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, taken[i].outcome, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, taken[i].count);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            e = sql_error(s, rc, "counting usage");
    }
    sqlite3_finalize(st);
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK) {
        tx_rollback(s);
        /* Not written: back into the tally, for the next flush. */
        pthread_mutex_lock(&u->lock);
        for (size_t i = 0; i < n; i++)
            tally(u, taken[i].hour, taken[i].screen, taken[i].lang, taken[i].outcome,
                  taken[i].count);
        pthread_mutex_unlock(&u->lock);
    }
    free(taken);
    return e;
}

void
store_usage_count(struct store_usage *u, int64_t at, const char *counter)
{
    store_usage_add(u, at, counter, "", "");
}

/* The name a written row counts under: a screen shown is "screen.NAME"; a row of
 * store_usage_count is its counter. */
static void
counter_of(const char *screen, const char *outcome, char out[USAGE_NAME_MAX])
{
    if (strcmp(outcome, "shown") == 0)
        snprintf(out, USAGE_NAME_MAX, "%s%s", USAGE_SCREEN_PREFIX, screen);
    else
        snprintf(out, USAGE_NAME_MAX, "%s", screen);
}

/* Forms the next batch from the written counters, in the caller's transaction: the oldest
 * STORE_USAGE_BATCH_DAYS days, per day and counter, under the next batch number; those days'
 * counters leave usage_counters. Names outside the vocabulary are dropped (never sent). */
static enum store_error
form_batch(struct store *s)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int64_t n = 0;
    int rc = sqlite3_prepare_v2(s->db, "SELECT usage_batch_next FROM device_state WHERE id=1", -1,
                                &sel, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW)
        n = sqlite3_column_int64(sel, 0);
    sqlite3_finalize(sel);
    if (n == 0)
        return sql_error(s, rc == SQLITE_ROW ? SQLITE_CORRUPT : rc, "numbering a usage batch");
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT hour / 24, screen, outcome, sum(count) FROM usage_counters"
                            " WHERE hour / 24 < (SELECT min(hour / 24) FROM usage_counters) + ?1"
                            " GROUP BY 1, 2, 3",
                            -1, &sel, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO usage_batch VALUES (?1, ?2, ?3, ?4)"
                                " ON CONFLICT DO UPDATE SET count = count + excluded.count",
                                -1, &ins, NULL);
    enum store_error e = rc == SQLITE_OK ? STORE_OK : sql_error(s, rc, "forming a usage batch");
    if (e == STORE_OK)
        sqlite3_bind_int64(sel, 1, STORE_USAGE_BATCH_DAYS);
    size_t rows = 0, dropped = 0;
    while (e == STORE_OK && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        char name[USAGE_NAME_MAX];
        counter_of((const char *)sqlite3_column_text(sel, 1),
                   (const char *)sqlite3_column_text(sel, 2), name);
        if (!usage_counter_known(name)) {
            dropped++;
            continue;
        }
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, n);
        sqlite3_bind_int64(ins, 2, sqlite3_column_int64(sel, 0));
        sqlite3_bind_text(ins, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 4, sqlite3_column_int64(sel, 3));
        if ((rc = sqlite3_step(ins)) != SQLITE_DONE)
            e = sql_error(s, rc, "forming a usage batch");
        rows++;
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "forming a usage batch");
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    if (dropped > 0)
        LOG_WARN("%zu usage counts under names outside the vocabulary were dropped", dropped);
    if (e == STORE_OK) {
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "DELETE FROM usage_counters WHERE hour / 24 < (SELECT min(hour / 24) FROM"
                 " usage_counters) + %d",
                 STORE_USAGE_BATCH_DAYS);
        e = sql_exec(s, sql);
    }
    if (e == STORE_OK && rows > 0)
        e = sql_exec(s, "UPDATE device_state SET usage_batch_next = usage_batch_next + 1");
    return e;
}

enum store_error
store_usage_batch(struct store *s, int64_t *batch, struct store_usage_total **out, size_t *n)
{
    *batch = 0;
    *out = NULL;
    *n = 0;
    enum store_error e = tx_begin(s);
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_OK;
    if (e == STORE_OK) {
        rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM usage_batch", -1, &st, NULL);
        bool empty =
            rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0;
        sqlite3_finalize(st);
        if (rc != SQLITE_OK)
            e = sql_error(s, rc, "reading the usage batch");
        else if (empty)
            e = form_batch(s);
    }
    if (e == STORE_OK) {
        rc = sqlite3_prepare_v2(
            s->db, "SELECT n, day, counter, count FROM usage_batch ORDER BY 2, 3", -1, &st, NULL);
        if (rc != SQLITE_OK)
            e = sql_error(s, rc, "reading the usage batch");
    }
    size_t cap = 0;
    while (e == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap)
            *out = xrealloc(*out, (cap = cap ? cap * 2 : 64) * sizeof(**out));
        struct store_usage_total *t = &(*out)[(*n)++];
        *batch = sqlite3_column_int64(st, 0);
        t->day = sqlite3_column_int64(st, 1);
        snprintf(t->counter, sizeof(t->counter), "%s", (const char *)sqlite3_column_text(st, 2));
        t->count = sqlite3_column_int64(st, 3);
    }
    if (e == STORE_OK && rc != SQLITE_DONE)
        e = sql_error(s, rc, "reading the usage batch");
    sqlite3_finalize(st);
    if (e == STORE_OK)
        e = tx_commit(s);
    if (e != STORE_OK) {
        tx_rollback(s);
        free(*out);
        *out = NULL;
        *n = 0;
        *batch = 0;
    }
    return e;
}

enum store_error
store_usage_batch_done(struct store *s, int64_t batch)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "DELETE FROM usage_batch WHERE n = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, batch);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : sql_error(s, rc, "forgetting a delivered usage batch");
}
