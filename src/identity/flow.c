/* The identification state machine. */
#include "flow.h"

#include <sodium.h>
#include <string.h>

#include "qr.h"

void
flow_init(struct flow *f)
{
    memset(f, 0, sizeof(*f));
    f->state = FLOW_STARTING;
    static const struct bankid_collect starting = { .state = BANKID_PENDING,
                                                    .hint_code = "outstandingTransaction" };
    f->message = bankid_message_for(&starting);
}

void
flow_collect_now(struct flow *f, int64_t now_ms)
{
    if (f->state == FLOW_SHOWING)
        f->next_collect_ms = now_ms;
}

enum flow_action
flow_next(struct flow *f, int64_t now_ms)
{
    if (f->request_in_flight)
        return FLOW_DO_NOTHING;
    switch (f->state) {
    case FLOW_STARTING:
        f->request_in_flight = true;
        return FLOW_DO_AUTH;
    case FLOW_SHOWING:
        if (now_ms < f->next_collect_ms)
            return FLOW_DO_NOTHING;
        f->request_in_flight = true;
        return FLOW_DO_COLLECT;
    case FLOW_CANCELLING:
        f->request_in_flight = true;
        return FLOW_DO_CANCEL;
    case FLOW_COMPLETE:
    case FLOW_FAILED:
        return FLOW_DO_NOTHING;
    }
    return FLOW_DO_NOTHING;
}

void
flow_on_auth(struct flow *f, const struct bankid_auth_response *a, int64_t now_ms)
{
    f->request_in_flight = false;
    if (f->state == FLOW_CANCELLING) {
        f->order = *a; /* cancel what was just created */
        return;
    }
    f->order = *a;
    f->started_ms = now_ms;
    f->next_collect_ms = now_ms + FLOW_COLLECT_INTERVAL_MS;
    f->state = FLOW_SHOWING;
}

void
flow_on_collect(struct flow *f, const struct bankid_collect *c, int64_t now_ms)
{
    f->request_in_flight = false;
    if (f->state != FLOW_SHOWING)
        return;
    f->message = bankid_message_for(c);
    switch (c->state) {
    case BANKID_PENDING:
        f->next_collect_ms = now_ms + FLOW_COLLECT_INTERVAL_MS;
        return;
    case BANKID_COMPLETE:
        f->user = c->user;
        f->state = FLOW_COMPLETE;
        sodium_memzero(&f->order, sizeof(f->order));
        return;
    case BANKID_FAILED:
        if (bankid_restart_on(c->hint_code) && f->restarts < FLOW_MAX_RESTARTS) {
            /* Nobody scanned the code: start a new order rather than leave a dead QR. */
            f->restarts++;
            f->state = FLOW_STARTING;
            return;
        }
        f->state = FLOW_FAILED;
        return;
    }
}

void
flow_on_error(struct flow *f, const char *error_code)
{
    f->request_in_flight = false;
    f->message = bankid_message_for_error(error_code);
    f->state = FLOW_FAILED;
}

void
flow_on_cancelled(struct flow *f)
{
    f->request_in_flight = false;
    static const struct bankid_collect cancelled = { .state = BANKID_FAILED,
                                                     .hint_code = "cancelled" };
    f->message = bankid_message_for(&cancelled);
    f->state = FLOW_FAILED;
}

void
flow_cancel(struct flow *f)
{
    if (f->state == FLOW_SHOWING || (f->state == FLOW_STARTING && f->request_in_flight))
        f->state = FLOW_CANCELLING;
    else if (f->state == FLOW_STARTING)
        flow_on_cancelled(f);
}

bool
flow_qr(const struct flow *f, int64_t now_ms, char *out, size_t out_size)
{
    if (f->state != FLOW_SHOWING)
        return false;
    int64_t t = (now_ms - f->started_ms) / 1000;
    return qr_bankid_data(f->order.qr_start_token, f->order.qr_start_secret, t < 0 ? 0 : t, out,
                          out_size);
}

void
flow_finish(struct flow *f)
{
    sodium_memzero(f, sizeof(*f));
}
