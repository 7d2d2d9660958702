/* The background sync thread. */
#include "runner.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "protocol.h"
#include "xalloc.h"

#define LOG_MODULE "sync"
#include "log.h"

#define NO_PROGRESS_LIMIT 5
/* While submissions wait for a case store that did not answer: one unsigned GET /v1/time every
 * 8 to 12 s (jitter, so a district's kiosks do not probe in step). */
#define PROBE_MIN_MS    8000
#define PROBE_JITTER_MS 4000

struct sync_runner {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool requested;
    bool flush_usage; /* sync_runner_flush_usage asked */
    atomic_int stop;
    struct store_usage *usage;
    void (*health)(void *data, struct store *store, int64_t now, struct sync_health *out);
    void *health_data;
    struct sync_health last_health; /* computed at last_health_at */
    int64_t last_health_at;
    struct sync_status status;
    int interval_s;
    struct store *store;
    unsigned char *sk;
    struct sync_client *client;
    bool probing;         /* probe while waiting: submissions wait, the case store was away */
    bool probe_triggered; /* the run under way was started by a probe that answered */
};

static int64_t
now_s(void)
{
    return (int64_t)time(NULL);
}

static void
write_usage(struct sync_runner *r)
{
    if (r->usage != NULL && store_usage_flush(r->usage, r->store) != STORE_OK)
        LOG_WARN("usage counters not written (kept for the next try)");
}

/* After a successful pull: the usage counts written so far and the health. The doctor's checks
 * read the whole store, so they run at most every SYNC_HEALTH_EVERY_S; the last sync and the
 * outbox's age are always now's. Best effort, like the report of records set aside: what is not
 * sent now is sent by the next run. */
static void
send_status(struct sync_runner *r)
{
    write_usage(r);
    int64_t now = now_s();
    if (r->health != NULL &&
        (r->last_health_at == 0 || now - r->last_health_at >= SYNC_HEALTH_EVERY_S)) {
        memset(&r->last_health, 0, sizeof(r->last_health));
        r->health(r->health_data, r->store, now, &r->last_health);
        r->last_health_at = now;
    }
    int64_t pending = 0, oldest = 0;
    r->last_health.last_sync_at = now;
    r->last_health.outbox_age_s = 0;
    if (store_outbox_stats(r->store, &pending, &oldest) == STORE_OK && pending > 0)
        r->last_health.outbox_age_s = now - oldest;
    struct errbuf err = { "" };
    enum sync_error e = sync_status_send(r->client, &r->last_health, &err);
    if (e != SYNC_OK && !atomic_load(&r->stop))
        LOG_WARN("usage and health not sent (%s): %s", sync_error_code(e), err.msg);
}

/* Runs push then pull; returns how long to wait before the next run. */
static int64_t
run_once(struct sync_runner *r, int *attempt)
{
    struct sync_stats st = { 0 };
    struct errbuf err = { "" };
    enum sync_error e = sync_push(r->client, &st, &err);
    if (e == SYNC_OK)
        e = sync_pull(r->client, NULL, NULL, &st, &err);
    if (e == SYNC_OK)
        send_status(r);
    int64_t pending = 0, oldest = 0;
    (void)!store_outbox_stats(r->store, &pending, &oldest);
    size_t moved = st.records + st.accepted + st.duplicates + st.rejected;

    pthread_mutex_lock(&r->lock);
    r->status.runs++;
    r->status.running = false;
    r->status.last = st;
    r->status.last_error = e;
    snprintf(r->status.message, sizeof(r->status.message), "%s", e == SYNC_OK ? "" : err.msg);
    if (e == SYNC_OK)
        r->status.last_success_at = now_s();
    r->status.no_progress_runs = (pending > 0 && moved == 0) ? r->status.no_progress_runs + 1 : 0;
    int no_progress = r->status.no_progress_runs;
    pthread_mutex_unlock(&r->lock);

    if (e != SYNC_OK && !atomic_load(&r->stop))
        LOG_WARN("sync failed (%s): %s", sync_error_code(e), err.msg);
    /* Probe while submissions wait and the case store (or the way to it) failed. Not after a
     * probe's run met a server error: the server answers the probe but not the run (e.g.
     * maintenance), so the backoff alone decides. */
    r->probing = pending > 0 && (e == SYNC_ERR_NETWORK || e == SYNC_ERR_SERVER) &&
                 !(r->probe_triggered && e == SYNC_ERR_SERVER);
    r->probe_triggered = false;
    if (no_progress > NO_PROGRESS_LIMIT)
        return PROTO_BACKOFF_CAP_MS; /* work is pending but nothing moves: do not hammer */
    if (e == SYNC_OK) {
        *attempt = 0;
        return (int64_t)r->interval_s * 1000;
    }
    return proto_backoff_ms((*attempt)++, st.retry_after_s, randombytes_random());
}

static void
deadline_in(struct timespec *until, int64_t ms)
{
    clock_gettime(CLOCK_REALTIME, until);
    until->tv_sec += ms / 1000;
    until->tv_nsec += (ms % 1000) * 1000000L;
    if (until->tv_nsec >= 1000000000L) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000L;
    }
}

static int64_t
mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits wait_ms, or less when a run is asked for, the runner stops, or (while probing) the case
 * store answers a probe. */
static void
wait_for_next_run(struct sync_runner *r, int64_t wait_ms)
{
    int64_t due = mono_ms() + wait_ms;
    pthread_mutex_lock(&r->lock);
    r->status.next_run_at = now_s() + wait_ms / 1000;
    for (;;) {
        int64_t left = due - mono_ms();
        if (left <= 0)
            break;
        int64_t slice = left;
        if (r->probing) {
            int64_t probe_ms = PROBE_MIN_MS + (int64_t)randombytes_uniform(PROBE_JITTER_MS);
            if (slice > probe_ms)
                slice = probe_ms;
        }
        struct timespec until;
        deadline_in(&until, slice);
        while (!r->requested && !atomic_load(&r->stop) && !r->flush_usage &&
               pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
            ;
        if (r->flush_usage && !atomic_load(&r->stop)) {
            r->flush_usage = false;
            pthread_mutex_unlock(&r->lock);
            write_usage(r);
            pthread_mutex_lock(&r->lock);
            continue; /* the next run stays due when it was */
        }
        if (r->requested || atomic_load(&r->stop) || slice == left)
            break;
        pthread_mutex_unlock(&r->lock);
        bool answered = sync_probe(r->client) == SYNC_OK;
        pthread_mutex_lock(&r->lock);
        if (answered) {
            LOG_INFO("the case store answers again: syncing now");
            r->probe_triggered = true;
            break;
        }
    }
    r->requested = false;
    pthread_mutex_unlock(&r->lock);
}

static void *
thread_main(void *arg)
{
    struct sync_runner *r = arg;
    int attempt = 0;
    int64_t wait_ms = 0;
    while (!atomic_load(&r->stop)) {
        wait_for_next_run(r, wait_ms);
        pthread_mutex_lock(&r->lock);
        bool stopping = atomic_load(&r->stop);
        if (!stopping)
            r->status.running = true;
        pthread_mutex_unlock(&r->lock);
        if (stopping)
            break;
        wait_ms = run_once(r, &attempt);
        write_usage(r);
    }
    write_usage(r);
    return NULL;
}

static void
teardown(struct sync_runner *r)
{
    sync_client_destroy(r->client);
    store_close(r->store);
    if (r->sk != NULL)
        sodium_free(r->sk);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

struct sync_runner *
sync_runner_start(const struct sync_runner_config *cfg, struct errbuf *err)
{
    struct sync_runner *r = xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    atomic_init(&r->stop, 0);
    r->interval_s = cfg->interval_s > 0 ? cfg->interval_s : 60;
    r->usage = cfg->usage;
    r->health = cfg->health;
    r->health_data = cfg->health_data;
    unsigned char pk[32];
    if (store_open(cfg->db_path, cfg->key, &r->store, err) != STORE_OK) {
        teardown(r);
        return NULL;
    }
    r->sk = sync_device_keypair(cfg->key, pk);
    store_set_scope(r->store, cfg->districts);
    r->client = sync_client_create(r->store, cfg->url, cfg->pin, cfg->device_id, r->sk, err);
    if (r->client == NULL) {
        teardown(r);
        return NULL;
    }
    sync_client_set_abort(r->client, &r->stop);
    if (pthread_create(&r->thread, NULL, thread_main, r) != 0) {
        err_set(err, "cannot start the sync thread");
        teardown(r);
        return NULL;
    }
    return r;
}

void
sync_runner_request(struct sync_runner *r)
{
    pthread_mutex_lock(&r->lock);
    r->requested = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

void
sync_runner_flush_usage(struct sync_runner *r)
{
    pthread_mutex_lock(&r->lock);
    r->flush_usage = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

void
sync_runner_status(struct sync_runner *r, struct sync_status *out)
{
    pthread_mutex_lock(&r->lock);
    *out = r->status;
    pthread_mutex_unlock(&r->lock);
}

void
sync_runner_stop(struct sync_runner *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stop, 1);
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    teardown(r);
}
