/* casestore's storage interface: everything the HTTP layer and the admin commands need, and no
 * more, so that another backend (PostgreSQL) can be added without touching them. */
#ifndef CASESTORE_STORAGE_H
#define CASESTORE_STORAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "macros.h"

struct cs_storage;

enum cs_result {
    CS_OK,
    CS_NOT_FOUND,
    CS_INVALID,  /* the caller's data is wrong (message in err) */
    CS_CONFLICT, /* e.g. a used token, a sequence gap */
    CS_FAILED,   /* the storage itself failed */
};

struct cs_device {
    char id[40];
    unsigned char public_key[32];
    char site[64];
    char districts[256]; /* comma-separated district codes */
    bool revoked;
    int64_t last_seq;
};

/* Opens (creating, or bringing up to this version's schema) the store: with storage NULL, the
 * SQLite database DIR/casestore.db; with a PostgreSQL connection URI ("postgresql://..." or
 * "postgres://..."), that database, which any number of casestore processes may share. NULL
 * with err if it cannot be opened. */
struct cs_storage *cs_storage_open(const char *dir, const char *storage, struct errbuf *err);
void cs_storage_close(struct cs_storage *st);

/* Admin: a one-time enrolment token for a site and its districts, valid for ttl_s. */
enum cs_result cs_token_create(struct cs_storage *st, const char *site, const char *districts,
                               int64_t ttl_s, char token_out[static 48], struct errbuf *err);
/* Admin: prints devices, one line each (no personal data). */
void cs_device_list(struct cs_storage *st, FILE *out);
enum cs_result cs_device_revoke(struct cs_storage *st, const char *device_id);

/* Enrolment: consumes the token and records the device. */
enum cs_result cs_enroll(struct cs_storage *st, const char *token, const unsigned char pk[32],
                         const char *site_name, struct cs_device *out, struct errbuf *err);

enum cs_result cs_device_get(struct cs_storage *st, const char *device_id, struct cs_device *out);

/* Records a nonce; CS_CONFLICT if the device used it before. Forgets nonces older than
 * keep_s. */
enum cs_result cs_nonce_use(struct cs_storage *st, const char *device_id, const char *nonce,
                            int64_t now, int64_t keep_s);

/* The most a page's changes may take serialised (compact JSON): well under the 8 MiB a kiosk
 * accepts (PROTOCOL.md §1), with room for the page's own members. */
#define CS_PAGE_BYTES (4 * 1024 * 1024)

/* A page of changes for the device's scope after `position` in `epoch`, written into page
 * (cs_page_init'ed by the caller; page.h): at most limit changes scanned and at most
 * CS_PAGE_BYTES of them serialised (a page that is full says *more). A record that cannot be
 * published (submission_record_check) or cannot fit a page alone is logged by kind and id and
 * skipped: the cursor moves past it. *reset when the cursor is not from this server's history. */
struct cs_page;
enum cs_result cs_pull(struct cs_storage *st, const struct cs_device *dev, const char *cursor,
                       int limit, struct cs_page *page, char cursor_out[static 64],
                       int64_t *position_out, int64_t *head_out, bool *more, bool *reset);

/* Whether pages go unchecked (below): cs_pull's caller passes it to cs_page_init. */
bool cs_storage_unchecked(struct cs_storage *st);

/* Fault injection for the kiosk's tests: while set, pages carry records as stored, unchecked
 * (as a back end that does not check what it publishes would), so that the kiosk's own
 * defences (setting a record aside) meet a real server. Records that are not JSON at all, or
 * larger than a page, are still skipped. */
void cs_storage_publish_unchecked(struct cs_storage *st, bool unchecked);

/* Why a push request stopped at an item (CS_CONFLICT; PROTOCOL.md §2): the item's seq was
 * already used by another submission of the device (sequence_conflict) or is ahead of the next
 * one (gap, sequence_gap). */
struct cs_push_stop {
    bool gap;
    char uuid[40];    /* the item's uuid */
    int64_t expected; /* the device's last_seq + 1 */
};

/* The submissions of one push request, in one transaction with the device's last sequence
 * number (so an effect and the sequence that records it are never apart). Per item, in order:
 * a uuid this device stored before is answered as the first time (duplicate, or rejected) if
 * its content digest matches, else rejected; otherwise its seq must be last_seq + 1, or the
 * request stops with CS_CONFLICT and *stop says why; the next item is validated
 * (submission.c) and accepted or rejected, both consuming the seq. results gets one
 * {"uuid","status","case_number"|"reason"} per item processed. On CS_CONFLICT or CS_INVALID
 * (a malformed uuid or seq) the items before it are kept and the rest not processed. */
enum cs_result cs_push_items(struct cs_storage *st, struct cs_device *dev, const json_t *items,
                             int64_t now, json_t *results, struct cs_push_stop *stop,
                             struct errbuf *err);

/* Writes a record as the city's systems would (upsert, logged as a change in its district:
 * the citizen's for personal kinds, "*" for shared ones). fields is borrowed. */
enum cs_result cs_record_put(struct cs_storage *st, const char *kind, const char *id,
                             const char *citizen, const char *parent, const char *district,
                             json_t *fields);

/* Admin repair: removes one record and logs a tombstone in its district, so every kiosk there
 * deletes it on its next pull; a case takes its events and documents with it (*children says
 * how many). A citizen is refused (CS_INVALID): a citizen's tombstone erases them on the
 * kiosks, which is `cs_mutate erase-citizen`. CS_NOT_FOUND if there is no such record. */
enum cs_result cs_record_remove(struct cs_storage *st, const char *kind, const char *id,
                                int *children, struct errbuf *err);

/* Admin repair: replaces one record's fields (borrowed), checked as a page would check them
 * (submission_record_check, and small enough for a page), and logs the upsert in its district.
 * The record keeps its citizen, parent and district. CS_INVALID with the reason, CS_NOT_FOUND
 * if there is no such record. */
enum cs_result cs_record_rewrite(struct cs_storage *st, const char *kind, const char *id,
                                 json_t *fields, struct errbuf *err);

/* Runs fn inside one transaction (seeding in batches is much faster). The records fn writes
 * with cs_record_put may be sent in batches (PostgreSQL): fn writes each record at most once
 * and does not read them back. */
enum cs_result cs_transaction(struct cs_storage *st, enum cs_result (*fn)(void *), void *data);

/* Demo and benchmark data: n citizens, deterministic for a seed. */
enum cs_result cs_seed(struct cs_storage *st, long n, unsigned seed, bool progress,
                       struct errbuf *err);

/* Changes the way the city's systems would. */
enum cs_result cs_mutate(struct cs_storage *st, const char *what, const char *id, const char *arg,
                         struct errbuf *err);

/* --- Usage statistics and fleet health (PROTOCOL.md §9, POST /v1/status; fleet.h) -------- */

/* A kiosk's health as it reported it: nothing about a person. */
struct cs_health {
    char version[32];
    int64_t last_sync;  /* the kiosk's last successful pull, UTC seconds; 0 never */
    int64_t outbox_age; /* seconds the oldest undelivered submission waited; 0 none */
    char failing[256];  /* names of the doctor's checks that fail, comma-separated */
};

/* One status request, validated by the caller (fleet.c): adds the usage batch's counts
 * [{"day": "YYYY-MM-DD", "counter", "count"}] to the device's site's per-day counts and keeps
 * health as the device's latest (seen at now), in one transaction. The batch numbers of a
 * device only grow: a batch not above the last one counted is a repeat, adds nothing, and sets
 * *duplicate (a retry after a lost answer). batch 0 carries no counts. */
enum cs_result cs_status_put(struct cs_storage *st, const struct cs_device *dev, int64_t batch,
                             const json_t *usage, const struct cs_health *health, int64_t now,
                             bool *duplicate);

/* The per-site, per-day counts with day in [from, to] (YYYY-MM-DD; NULL: open) and site (NULL:
 * every site), ordered by day, site and counter: *rows is a new array of {"day", "site",
 * "counter", "count"}, unsuppressed (fleet.c suppresses small counts). */
enum cs_result cs_usage_query(struct cs_storage *st, const char *from, const char *to,
                              const char *site, json_t **rows);

/* Every enrolled device with its latest health: *devices is a new array of {"device", "site",
 * "enrolled_at", "revoked": bool, "seen_at": int|null, "version", "last_sync", "outbox_age",
 * "failing": "a,b"}, ordered by site and device. */
enum cs_result cs_fleet_query(struct cs_storage *st, json_t **devices);

/* Counts for `casestore stats` and the tests: records per kind, submissions, changes, the
 * head position and the kiosks' reports. */
void cs_stats(struct cs_storage *st, FILE *out);

/* The BankID simulator's orders (bankid_sim.c), kept in the store so that `casestore phone`
 * (another process) and every instance see the same orders. Strings are "" when unset. */
struct cs_bankid_order {
    char order_ref[40], qr_start_token[40], qr_start_secret[40];
    char requested_pnr[16];
    char status[16]; /* pending, complete, failed */
    char hint_code[32];
    char personal_number[16], given_name[128], surname[128];
    int64_t created_at, updated_at;
};

/* Stores a new order; CS_CONFLICT if o->requested_pnr has a pending order younger than busy_s
 * (alreadyInProgress). */
enum cs_result cs_bankid_order_add(struct cs_storage *st, const struct cs_bankid_order *o,
                                   int64_t busy_s);
/* The order whose ref (or, by_token, whose QR start token) is key; CS_NOT_FOUND. */
enum cs_result cs_bankid_order_get(struct cs_storage *st, const char *key, bool by_token,
                                   struct cs_bankid_order *out);
/* Writes o's status, hint code, person and updated_at to the order o->order_ref; with
 * only_if_status, only if the order has that status now. CS_NOT_FOUND if nothing changed. */
enum cs_result cs_bankid_order_update(struct cs_storage *st, const struct cs_bankid_order *o,
                                      const char *only_if_status);
/* The city register's name for a personnummer (12 digits); CS_NOT_FOUND. */
enum cs_result cs_citizen_name(struct cs_storage *st, const char *pnr, char given[static 128],
                               char surname[static 128]);
/* Demo: the first n citizens (of district, or of any if NULL) as a new JSON array of
 * {"personalNumber", "name"}. */
json_t *cs_demo_identities(struct cs_storage *st, const char *district, int n);

/* Site roles (site_roles.c): sets (or replaces) a person's role at a site, removes it
 * (CS_NOT_FOUND if there was none), and lists a site's as a new JSON array of
 * {"pnr", "role", "staff_id"} by pnr. */
enum cs_result cs_role_set(struct cs_storage *st, const char *site, const char *pnr,
                           const char *role, const char *staff_id);
enum cs_result cs_role_remove(struct cs_storage *st, const char *site, const char *pnr);
json_t *cs_role_list(struct cs_storage *st, const char *site);

#endif
