/* Sync on a background thread, as the kiosk runs it: the UI asks ("sync now") and reads a status
 * snapshot; neither ever waits for the network. The thread has its own store connection, re-arms
 * its own timer (the interval after success, capped full-jitter backoff after a transient
 * failure), slows down when runs make no progress, and stops promptly, aborting a transfer in
 * flight. While citizens' submissions wait and the last run could not reach the case store, it
 * also probes it cheaply every 10 s or so (sync_probe) and runs as soon as it answers, so a
 * network that comes back is noticed within seconds, not after the backoff. */
#ifndef MINASIDOR_SYNC_RUNNER_H
#define MINASIDOR_SYNC_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "sync.h"

struct sync_runner_config {
    const char *db_path;
    const struct store_key *key; /* must outlive the runner */
    const char *url, *pin, *device_id;
    const char *districts; /* the kiosk's scope (store_set_scope); NULL: no check */
    int interval_s;
    /* Usage counters the UI tallies (may be NULL): written by this thread after each run, when
     * asked (sync_runner_flush_usage) and when it stops. Must outlive the runner. */
    struct store_usage *usage;
    /* Fills the kiosk's health for POST /v1/status (may be NULL: usage counts only), called on
     * this thread with its store at most every SYNC_HEALTH_EVERY_S; data is passed through. */
    void (*health)(void *data, struct store *store, int64_t now, struct sync_health *out);
    void *health_data;
};

#define SYNC_HEALTH_EVERY_S 600

struct sync_status {
    size_t runs;  /* completed runs */
    bool running; /* a run is under way */
    enum sync_error last_error;
    char message[256];       /* the last error, for technicians; never personal data */
    int64_t last_success_at; /* UTC seconds, 0 = never */
    int64_t next_run_at;     /* UTC seconds */
    int no_progress_runs;    /* consecutive runs that moved nothing although work was pending */
    struct sync_stats last;  /* of the last run */
};

struct sync_runner;

/* Starts the thread; the first run begins at once. NULL with err set if it cannot open the
 * store or the client. */
struct sync_runner *sync_runner_start(const struct sync_runner_config *cfg, struct errbuf *err);

/* Asks for a run as soon as the current one (if any) ends. Returns at once. */
void sync_runner_request(struct sync_runner *r);

/* Asks the thread to write the usage counters now (without a sync run). Returns at once. */
void sync_runner_flush_usage(struct sync_runner *r);

/* Copies the status. Returns at once. */
void sync_runner_status(struct sync_runner *r, struct sync_status *out);

/* Stops the thread (aborting a transfer in flight, writing the usage counters) and frees
 * everything. Accepts NULL. */
void sync_runner_stop(struct sync_runner *r);

#endif
