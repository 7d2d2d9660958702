/* `minasidor sync`: push the outbox, then pull, once or as a daemon that retries by itself. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "kiosk_state.h"
#include "protocol.h"
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
sync_once(struct kiosk_state *ks, struct sync_stats *st, struct errbuf *err)
{
    memset(st, 0, sizeof(*st));
    enum sync_error e = sync_push(ks->sync, st, err);
    if (e == SYNC_OK)
        e = sync_pull(ks->sync, NULL, NULL, st, err);
    return e;
}

static void
report(const struct sync_stats *st)
{
    printf("sync: pushed %zu accepted, %zu duplicate, %zu rejected; pulled %zu records in %zu "
           "pages%s; position %lld; %zu bytes received\n",
           st->accepted, st->duplicates, st->rejected, st->records, st->pages,
           st->reset ? " after a reset" : "", (long long)st->position, st->bytes_received);
    fflush(stdout);
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
    struct kiosk_state ks;
    struct errbuf err = { "" };
    if (!kiosk_state_open(cfg, true, &ks, &err)) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        return APP_EXIT_INVALID;
    }
    struct sync_stats st;
    int rc = APP_EXIT_OK;
    if (once) {
        enum sync_error e = sync_once(&ks, &st, &err);
        report(&st);
        if (e != SYNC_OK) {
            fprintf(stderr, "minasidor: sync failed (%s): %s\n", sync_error_code(e), err.msg);
            rc = APP_EXIT_INVALID;
        }
    } else {
        signal(SIGTERM, handle_signal_term);
        signal(SIGINT, handle_signal_term);
        int attempt = 0;
        while (!stop) {
            enum sync_error e = sync_once(&ks, &st, &err);
            int64_t wait_ms;
            if (e == SYNC_OK) {
                attempt = 0;
                report(&st);
                wait_ms = config_get_int(cfg, "sync.interval_s") * 1000;
            } else {
                LOG_WARN("sync failed (%s): %s", sync_error_code(e), err.msg);
                wait_ms = proto_backoff_ms(attempt++, st.retry_after_s, (uint32_t)rand());
            }
            struct timespec tick = { 0, 100 * 1000 * 1000 };
            for (int64_t slept = 0; slept < wait_ms && !stop; slept += 100)
                nanosleep(&tick, NULL);
        }
    }
    kiosk_state_close(&ks);
    return rc;
}
