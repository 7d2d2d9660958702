/* `minasidor identify`: one BankID identification against the configured provider, in the
 * terminal: the QR content each second (what the kiosk draws), the user messages, and on
 * success only the masked personal number. For technicians checking the provider, and for the
 * tests; the kiosk screen runs the same flow. */
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "client.h"
#include "date.h"
#include "flow.h"
#include "httpsig.h"
#include "kiosk_state.h"
#include "roles.h"
#include "pnr.h"
#include "settings.h"
#include "xalloc.h"

#define GIVE_UP_MS (5 * 60 * 1000)

void
cmd_identify_usage(FILE *out)
{
    fprintf(out, "Usage: minasidor [--set identity.url=URL] [--set identity.pin=PIN] identify\n"
                 "\n"
                 "Starts a BankID identification and prints the animated QR content once a\n"
                 "second (\"qr: …\") and each message (\"message: RFA… …\"). Exit 0 when\n"
                 "identified (only the masked personal number is printed), 1 when it failed\n"
                 "or was cancelled (SIGINT/SIGTERM cancel the order at the provider).\n");
}

static volatile sig_atomic_t cancel_requested;

static void
handle_signal_cancel(int sig)
{
    (void)sig;
    cancel_requested = 1;
}

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The person's role at this site, from the stored role list, verified with the key the case
 * store gave at enrolment. Anything missing or wrong means citizen. */
static enum role
role_of(const struct config *cfg, const char *pnr12, char *why, size_t why_size)
{
    const char *rk64 = config_get_string(cfg, "device.roles_key");
    const char *site = config_get_string(cfg, "device.site");
    unsigned char pk[32];
    snprintf(why, why_size, "this kiosk has no role list");
    if (rk64 == NULL || site == NULL || config_get_string(cfg, "store.key") == NULL ||
        !httpsig_unb64(rk64, pk, sizeof(pk)))
        return ROLE_CITIZEN;
    struct kiosk_state ks;
    struct errbuf err;
    if (!kiosk_state_open(cfg, false, &ks, &err))
        return ROLE_CITIZEN;
    enum role r = ROLE_CITIZEN;
    unsigned char *doc = NULL, *sig = NULL;
    size_t dl = 0, sl = 0;
    if (store_roles_get(ks.store, &doc, &dl, &sig, &sl) == STORE_OK) {
        char staff_id[40];
        struct errbuf reason;
        r = roles_lookup(pk, doc, dl, sig, sl, site, pnr12, (int64_t)time(NULL), staff_id, &reason);
        snprintf(why, why_size, "%s", reason.msg);
        secure_zero(doc, dl);
    }
    free(doc);
    free(sig);
    kiosk_state_close(&ks);
    return r;
}

int
cmd_identify(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        cmd_identify_usage(stdout);
        return APP_EXIT_OK;
    }
    if (argc > 1)
        return app_usage_error(cmd_identify_usage, "identify: unknown option '%s'", argv[1]);
    const struct config *cfg = settings_current();
    const char *url = config_get_string(cfg, "identity.url");
    if (url == NULL) {
        fprintf(stderr, "minasidor: identity.url is not set\n");
        return APP_EXIT_INVALID;
    }
    const char *site = config_get_string(cfg, "kiosk.site_name");
    struct idp_client *c = idp_client_create(url, config_get_string(cfg, "identity.pin"),
                                             config_get_string(cfg, "identity.end_user_ip"),
                                             site ? site : "Mina sidor");
    signal(SIGINT, handle_signal_cancel);
    signal(SIGTERM, handle_signal_cancel);

    struct flow f;
    flow_init(&f);
    const struct bankid_message *shown = NULL;
    char last_qr[160] = "";
    int64_t start = now_ms();
    while (f.state != FLOW_COMPLETE && f.state != FLOW_FAILED) {
        int64_t t = now_ms();
        if (cancel_requested || t - start > GIVE_UP_MS) {
            cancel_requested = 0;
            flow_cancel(&f);
        }
        struct errbuf err = { "" };
        char code[32];
        enum idp_error e = IDP_OK;
        switch (flow_next(&f, t)) {
        case FLOW_DO_AUTH: {
            struct bankid_auth_response a;
            e = idp_auth(c, &a, code, &err);
            if (e == IDP_OK)
                flow_on_auth(&f, &a, now_ms());
            secure_zero(&a, sizeof(a));
            break;
        }
        case FLOW_DO_COLLECT: {
            struct bankid_collect col;
            e = idp_collect(c, f.order.order_ref, &col, code, &err);
            if (e == IDP_OK)
                flow_on_collect(&f, &col, now_ms());
            secure_zero(&col, sizeof(col));
            break;
        }
        case FLOW_DO_CANCEL:
            /* Whether or not the provider heard it, this identification is over. */
            if (idp_cancel(c, f.order.order_ref, code, &err) != IDP_OK)
                fprintf(stderr, "minasidor: cancel: %s\n", err.msg);
            flow_on_cancelled(&f);
            break;
        case FLOW_DO_NOTHING:
            break;
        }
        if (e != IDP_OK) {
            fprintf(stderr, "minasidor: %s\n", err.msg);
            flow_on_error(&f, e == IDP_ERR_ANSWER ? code : NULL);
        }
        char qr[160];
        if (flow_qr(&f, now_ms(), qr, sizeof(qr)) && strcmp(qr, last_qr) != 0) {
            printf("qr: %s\n", qr);
            snprintf(last_qr, sizeof(last_qr), "%s", qr);
        }
        if (f.message != shown) {
            printf("message: %s%s%s\n", f.message->rfa, f.message->rfa[0] ? " " : "",
                   f.message->sv);
            shown = f.message;
        }
        fflush(stdout);
        struct timespec tick = { 0, 100 * 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    int rc = APP_EXIT_INVALID;
    if (f.state == FLOW_COMPLETE) {
        struct pnr p;
        if (pnr_parse(f.user.personal_number, date_today_stockholm(), 0, &p) == PNR_OK) {
            char masked[14];
            pnr_format(&p, PNR_STYLE_MASKED, date_today_stockholm(), masked);
            printf("identified: %s\n", masked);
            char why[256];
            enum role role = role_of(cfg, f.user.personal_number, why, sizeof(why));
            printf("role: %s (%s)\n", role_code(role), why);
            rc = APP_EXIT_OK;
        } else {
            printf("failed: the provider returned an invalid personal number\n");
        }
    } else {
        printf("failed: %s\n", f.message->rfa);
    }
    flow_finish(&f);
    idp_client_destroy(c);
    return rc;
}
