/* `minasidor sync`: push the outbox, then pull, once or as a daemon that retries by itself. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "diag.h"
#include "kiosk_state.h"
#include "protocol.h"
#include "runner.h"
#include "settings.h"

#define LOG_MODULE "sync"
#include "log.h"

void
cmd_sync_usage(FILE *out)
{
    fprintf(out, "Usage: minasidor [--config FILE] sync --once | --daemon\n"
                 "\n"
                 "Delivers queued submissions and fetches changes from the case store.\n"
                 "--daemon repeats every sync.interval_s seconds and, after a failure, retries\n"
                 "with capped exponential backoff; SIGTERM stops it.\n"
                 "Exit codes: 0 ok, 1 the sync failed.\n");
}

static volatile sig_atomic_t stop;

static void
handle_signal_term(int sig)
{
    (void)sig;
    stop = 1;
}

static enum sync_error
sync_once(const struct config *cfg, struct kiosk_state *ks, struct sync_stats *st,
          struct errbuf *err)
{
    memset(st, 0, sizeof(*st));
    enum sync_error e = sync_push(ks->sync, st, err);
    if (e == SYNC_OK)
        e = sync_pull(ks->sync, NULL, NULL, st, err);
    if (e != SYNC_OK)
        return e;
    /* Usage counts and health: best effort, as in the kiosk's runner. */
    struct sync_health h;
    diag_health((void *)cfg, ks->store, (int64_t)time(NULL), &h);
    struct errbuf serr = { "" };
    enum sync_error se = sync_status_send(ks->sync, &h, &serr);
    if (se != SYNC_OK)
        fprintf(stderr, "minasidor: usage and health not sent (%s): %s\n", sync_error_code(se),
                serr.msg);
    return e;
}

static void
report(const struct sync_stats *st)
{
    printf("sync: pushed %zu accepted, %zu duplicate, %zu rejected; pulled %zu records in %zu "
           "pages%s; position %lld; %zu bytes received\n",
           st->accepted, st->duplicates, st->rejected, st->records, st->pages,
           st->reset ? " after a reset" : "", (long long)st->position, st->bytes_received);
    if (st->set_aside > 0)
        printf("sync: %zu records set aside (minasidor doctor lists them)\n", st->set_aside);
    fflush(stdout);
}

/* The daemon is the kiosk's background runner without a UI: it reports each run and stops on
 * SIGTERM. */
static int
run_daemon(const struct config *cfg)
{
    struct errbuf err = { "" };
    struct store_key *key = NULL;
    const char *keyspec = config_get_string(cfg, "store.key");
    if (keyspec == NULL || store_key_load(keyspec, &key, &err) != STORE_OK) {
        fprintf(stderr, "minasidor: %s\n", keyspec ? err.msg : "this kiosk is not provisioned");
        return APP_EXIT_INVALID;
    }
    struct sync_runner_config rc = {
        .db_path = config_get_string(cfg, "store.path"),
        .key = key,
        .url = config_get_string(cfg, "server.url"),
        .pin = config_get_string(cfg, "server.pin"),
        .device_id = config_get_string(cfg, "device.id"),
        .districts = config_get_string(cfg, "device.districts"),
        .interval_s = (int)config_get_int(cfg, "sync.interval_s"),
        .health = diag_health,
        .health_data = (void *)cfg,
    };
    struct sync_runner *r = sync_runner_start(&rc, &err);
    if (r == NULL) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        store_key_destroy(key);
        return APP_EXIT_INVALID;
    }
    signal(SIGTERM, handle_signal_term);
    signal(SIGINT, handle_signal_term);
    size_t seen = 0;
    struct timespec tick = { 0, 100 * 1000 * 1000 };
    while (!stop) {
        nanosleep(&tick, NULL);
        struct sync_status st;
        sync_runner_status(r, &st);
        if (st.runs != seen && st.last_error == SYNC_OK)
            report(&st.last);
        seen = st.runs;
    }
    sync_runner_stop(r);
    store_key_destroy(key);
    return APP_EXIT_OK;
}

int
cmd_sync(int argc, char **argv)
{
    bool once = false, daemon = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            once = true;
        else if (strcmp(argv[i], "--daemon") == 0)
            daemon = true;
        else if (strcmp(argv[i], "--help") == 0) {
            cmd_sync_usage(stdout);
            return APP_EXIT_OK;
        } else
            return app_usage_error(cmd_sync_usage, "sync: unknown option '%s'", argv[i]);
    }
    if (once == daemon)
        return app_usage_error(cmd_sync_usage, "sync: give --once or --daemon");
    const struct config *cfg = settings_current();
    struct errbuf err = { "" };
    if (daemon)
        return run_daemon(cfg);
    struct kiosk_state ks;
    if (!kiosk_state_open(cfg, true, &ks, &err)) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        return APP_EXIT_INVALID;
    }
    struct sync_stats st;
    int rc = APP_EXIT_OK;
    enum sync_error e = sync_once(cfg, &ks, &st, &err);
    report(&st);
    if (e != SYNC_OK) {
        fprintf(stderr, "minasidor: sync failed (%s): %s\n", sync_error_code(e), err.msg);
        rc = APP_EXIT_INVALID;
    }
    kiosk_state_close(&ks);
    return rc;
}
