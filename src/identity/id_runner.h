/* One identification run on its own thread, so the kiosk's screen never waits on the network:
 * the thread drives the flow (auth, collect every 2 s, automatic restarts, cancel) with the
 * provider; the UI takes snapshots of its state, QR content and message whenever it draws. */
#ifndef MINASIDOR_ID_RUNNER_H
#define MINASIDOR_ID_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "client.h"
#include "flow.h"

#define IDR_MAX_DEMO 4

struct idr_config {
    const char *url, *pin, *end_user_ip, *visible_text;
    const char *rp_cert, *rp_key; /* PEM files for mutual TLS, or NULL */
    const char *ca;               /* the provider's CA (PEM file), or NULL for the system's */
    const char *district;         /* for demo identities */
    bool demo;                    /* ask for demo identities (honoured only on loopback) */
};

struct idr_snapshot {
    enum flow_state state;
    char qr[160]; /* "" when no QR is to be shown */
    const struct bankid_message *message;
    bool unreachable;        /* the provider could not be reached */
    struct bankid_user user; /* FLOW_COMPLETE only: wipe after use */
    size_t n_demo;
    struct idp_demo_identity demo[IDR_MAX_DEMO];
};

struct idr;

struct idr *idr_start(const struct idr_config *cfg);
void idr_snapshot(struct idr *r, struct idr_snapshot *out);
/* The person pressed Avbryt or left the screen. */
void idr_cancel(struct idr *r);
/* Demo mode: the phone approves the QR shown now as demo identity i. */
void idr_demo_scan(struct idr *r, size_t i);
/* Cancels a pending order, waits for the thread, wipes everything. Accepts NULL. */
void idr_stop(struct idr *r);

#endif
