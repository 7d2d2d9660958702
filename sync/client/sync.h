/* The kiosk's sync client: enrolment, pull and push against a case store speaking
 * sync/PROTOCOL.md, over libcurl with the server's key pinned. The decisions are in
 * protocol.c (sans-IO); this file does the I/O and writes the store. */
#ifndef MINASIDOR_SYNC_H
#define MINASIDOR_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "macros.h"
#include "protocol.h"
#include "store.h"

enum sync_error {
    SYNC_OK,
    SYNC_ERR_NETWORK,     /* transient: no connection, timeout */
    SYNC_ERR_SERVER,      /* transient: 5xx */
    SYNC_ERR_RATE,        /* transient: 429 */
    SYNC_ERR_PIN,         /* the server's key is not the pinned one: nothing was sent */
    SYNC_ERR_AUTH,        /* 401: unknown or revoked device, bad token */
    SYNC_ERR_PROTOCOL,    /* malformed, truncated, oversized or unexpected answer */
    SYNC_ERR_TIME_TRAVEL, /* the server's position went backwards */
    SYNC_ERR_STORE,       /* the local store failed */
    SYNC_ERR_CONFIG,
};

const char *sync_error_code(enum sync_error e);
bool sync_error_transient(enum sync_error e);

struct sync_stats {
    size_t pages, records;
    int64_t position, head;
    bool reset;
    size_t accepted, duplicates, rejected;
    int retry_after_s;
    size_t bytes_received; /* response bodies as they crossed the wire (gzip if used) */
    size_t set_aside;      /* changes pulled but set aside (PROTOCOL.md §5) */
};

/* Enrols with a one-time token. The public key is the device's Ed25519 key. */
/* roles_key gets the base64 Ed25519 key that signs the site's role list. */
enum sync_error sync_enroll(const char *url, const char *pin, const char *token,
                            const char *site_name, const unsigned char public_key[32],
                            char device_id[static 40], char site[static 64],
                            char districts[static 256], char roles_key[static 64],
                            struct errbuf *err) WARN_UNUSED;

/* The case store's clock (GET /v1/time: unsigned, the key pinned, short timeouts), for the
 * doctor and the technician's diagnostics: proves the server is reachable with the right pin. */
enum sync_error sync_server_time(const char *url, const char *pin, int64_t *server_time,
                                 struct errbuf *err) WARN_UNUSED;

/* The device's Ed25519 key pair, derived from the root key (so erasing the root key erases the
 * device's identity too). sk is 64 bytes in sodium_malloc memory: free with sodium_free. */
unsigned char *sync_device_keypair(const struct store_key *root, unsigned char pk[static 32]);

struct sync_client;

/* The store, and sk (from sync_device_keypair), must outlive the client. */
struct sync_client *sync_client_create(struct store *store, const char *url, const char *pin,
                                       const char *device_id, const unsigned char *sk,
                                       struct errbuf *err);
void sync_client_destroy(struct sync_client *c);

/* While *flag is non-zero, transfers in flight are aborted (they fail as network errors). The
 * flag must outlive the client. */
void sync_client_set_abort(struct sync_client *c, const _Atomic int *flag);

typedef void (*sync_progress_fn)(const struct sync_stats *s, void *data);

/* Sends the kiosk's usage counts and health (POST /v1/status, PROTOCOL.md §9): the batch of
 * store_usage_batch, forgotten once the case store confirms it, and health as given. A batch the
 * case store refuses as invalid (400) is dropped, since sending it again cannot help; any other
 * failure keeps it for the next run. */
enum sync_error sync_status_send(struct sync_client *c, const struct sync_health *health,
                                 struct errbuf *err) WARN_UNUSED;

/* Pulls until the server has no more, each page and its cursor in one transaction (a change
 * the kiosk cannot use is set aside, not the page); then fetches the site's signed role list
 * and stores it as it came (it is verified where it is used), and reports records set aside
 * (POST /v1/report, best effort). */
enum sync_error sync_pull(struct sync_client *c, sync_progress_fn progress, void *data,
                          struct sync_stats *stats, struct errbuf *err) WARN_UNUSED;

/* Whether the case store answers at all: one unsigned GET /v1/time with the key pinned and
 * short timeouts (3 s to connect, 5 s in all), aborted like the client's transfers. Cheap
 * enough to ask every few seconds while the network is down. */
enum sync_error sync_probe(struct sync_client *c) WARN_UNUSED;

/* Tells the case store to forget this device (factory reset): it revokes the device's key, so
 * nothing signed with it is accepted again. */
enum sync_error sync_unenroll(struct sync_client *c, struct errbuf *err) WARN_UNUSED;

/* Delivers the outbox in sequence order and records each outcome. */
enum sync_error sync_push(struct sync_client *c, struct sync_stats *stats,
                          struct errbuf *err) WARN_UNUSED;

#endif
