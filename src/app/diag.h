/* The kiosk's health, checked one thing at a time: for `minasidor doctor` and the technician's
 * screen. Every detail is about the device, never about a person (no names, personnummer or
 * payloads: the store is opened only to count and check, never to decrypt). */
#ifndef MINASIDOR_DIAG_H
#define MINASIDOR_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "json.h"
#include "store.h"

enum diag_level {
    DIAG_OK,
    DIAG_WARN,
    DIAG_FAIL,
};

const char *diag_level_code(enum diag_level l); /* "ok", "warn", "fail" */

struct diag_check {
    const char *name; /* stable, for machines: "store", "casestore" */
    enum diag_level level;
    char detail[200];
    const char *hint; /* what to do about it; NULL when ok */
};

#define DIAG_MAX_CHECKS 16

/* What the checks found, as facts the technician's screen shows. Times are UTC seconds; 0 and
 * -1 mean unknown. */
struct diag_report {
    size_t n;
    struct diag_check checks[DIAG_MAX_CHECKS];
    enum diag_level worst;
    int64_t last_sync_at;
    char cursor[64]; /* the server's opaque position, shortened */
    int64_t outbox_pending, outbox_oldest_at;
    int64_t set_aside; /* records sync set aside */
    bool have_clock_offset;
    int64_t clock_offset_s; /* the case store's clock minus ours */
    long long free_disk_bytes, db_bytes;
    bool integrity_ok;
    bool casestore_reachable, idp_reachable;
};

/* Runs every check at `now`, in the doctor's order. store: the kiosk's open store, or NULL to
 * open it here from the settings (checking the key provider and the file on the way). Network
 * checks wait at most a few seconds each. */
void diag_run(const struct config *cfg, struct store *store, int64_t now, struct diag_report *out);

/* The same split in two for the kiosk, whose screen must not wait for the network: the checks
 * on this machine (fast), and those that ask the case store and the identity provider (run them
 * off the UI thread; they read only the settings). */
void diag_run_local(const struct config *cfg, struct store *store, int64_t now,
                    struct diag_report *out);
void diag_run_network(const struct config *cfg, int64_t now, struct diag_report *out);

/* Appends the checks of r to a JSON array: {"name", "status", "detail", "hint"}. */
void diag_checks_json(const struct diag_report *r, json_t *array);

/* The kiosk's health as sync sends it to the case store (POST /v1/status): this version, the
 * last sync, the outbox's age and the names of the local checks that fail (diag_run_local; the
 * network checks are the sync itself). cfg is the struct config: the signature is the sync
 * runner's health callback (runner.h). */
struct sync_health;
void diag_health(void *cfg, struct store *store, int64_t now, struct sync_health *out);

/* The directory the store lives in (the state directory). */
void diag_state_dir(const struct config *cfg, char *out, size_t size);

#endif
