/* One identification, as a state machine without I/O: it says what to do next (auth, collect,
 * cancel, nothing), takes the answers, and gives the QR content and user message to show at
 * any moment. Collect runs every 2 s while pending; an order whose QR nobody scanned is
 * restarted by itself a bounded number of times; leaving the screen cancels the order. */
#ifndef MINASIDOR_FLOW_H
#define MINASIDOR_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "bankid.h"

#define FLOW_COLLECT_INTERVAL_MS 2000
#define FLOW_MAX_RESTARTS        3

enum flow_state {
    FLOW_STARTING, /* an auth request is due or under way */
    FLOW_SHOWING,  /* the QR is shown; collecting */
    FLOW_CANCELLING,
    FLOW_COMPLETE, /* identified: see flow.user */
    FLOW_FAILED,   /* ended: see flow.message */
};

enum flow_action {
    FLOW_DO_NOTHING,
    FLOW_DO_AUTH,
    FLOW_DO_COLLECT,
    FLOW_DO_CANCEL,
};

struct flow {
    enum flow_state state;
    struct bankid_auth_response order;
    int64_t started_ms; /* when the auth answer came (QR time zero) */
    int64_t next_collect_ms;
    int restarts;
    bool request_in_flight;
    const struct bankid_message *message;
    struct bankid_user user; /* complete only; wiped by flow_finish */
};

void flow_init(struct flow *f);

/* What the caller should do now (and then report with one of the flow_on_* calls). */
enum flow_action flow_next(struct flow *f, int64_t now_ms);

void flow_on_auth(struct flow *f, const struct bankid_auth_response *a, int64_t now_ms);
void flow_on_collect(struct flow *f, const struct bankid_collect *c, int64_t now_ms);
/* An HTTP error (errorCode, NULL if none) or a network failure ends the flow with RFA5/RFA4. */
void flow_on_error(struct flow *f, const char *error_code);
/* The phone has just acted (demo scan): collect at the next step, not at the 2 s tick. */
void flow_collect_now(struct flow *f, int64_t now_ms);
void flow_on_cancelled(struct flow *f);

/* The person left the screen or pressed Avbryt: cancel the order at the provider. */
void flow_cancel(struct flow *f);

/* The QR content to draw now; false when no QR should be shown. */
bool flow_qr(const struct flow *f, int64_t now_ms, char *out, size_t out_size);

/* Wipes the identity and the order secrets. */
void flow_finish(struct flow *f);

#endif
