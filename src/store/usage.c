/* Usage counters, tallied in memory and written in batches (store.h "Usage counters"): the UI
 * counts a screen on every navigation, and a write with synchronous=FULL there would stall it
 * on the disk. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "xalloc.h"

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
