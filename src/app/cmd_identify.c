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
#include "date.h"
#include "id_runner.h"
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

/* The person's role at this site (kiosk_state_role); citizen when the kiosk has no store. */
static enum role
role_of(const struct config *cfg, const char *pnr12, char *why, size_t why_size)
{
    struct kiosk_state ks;
    struct errbuf err;
    snprintf(why, why_size, "this kiosk has no role list");
    if (config_get_string(cfg, "store.key") == NULL || !kiosk_state_open(cfg, false, &ks, &err))
        return ROLE_CITIZEN;
    char staff_id[40];
    enum role r = kiosk_state_role(cfg, ks.store, pnr12, (int64_t)time(NULL), staff_id, &err);
    snprintf(why, why_size, "%s", err.msg);
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
    struct idr_config ic = {
        .url = url,
        .pin = config_get_string(cfg, "identity.pin"),
        .rp_cert = config_get_string(cfg, "identity.rp_cert"),
        .rp_key = config_get_string(cfg, "identity.rp_key"),
        .ca = config_get_string(cfg, "identity.ca"),
        .end_user_ip = config_get_string(cfg, "identity.end_user_ip"),
        .visible_text = site ? site : "Mina sidor",
    };
    signal(SIGINT, handle_signal_cancel);
    signal(SIGTERM, handle_signal_cancel);

    /* The same runner the kiosk screen uses; this loop only shows what it says. */
    struct idr *r = idr_start(&ic);
    struct idr_snapshot s;
    const struct bankid_message *shown = NULL;
    char last_qr[sizeof(s.qr)] = "";
    int64_t start = now_ms();
    bool cancelled = false;
    for (;;) {
        if (!cancelled && (cancel_requested || now_ms() - start > GIVE_UP_MS)) {
            cancelled = true;
            idr_cancel(r);
        }
        idr_snapshot(r, &s);
        if (s.qr[0] != '\0' && strcmp(s.qr, last_qr) != 0) {
            printf("qr: %s\n", s.qr);
            snprintf(last_qr, sizeof(last_qr), "%s", s.qr);
        }
        if (s.message != NULL && s.message != shown) {
            printf("message: %s%s%s\n", s.message->rfa, s.message->rfa[0] ? " " : "",
                   s.message->sv);
            shown = s.message;
        }
        fflush(stdout);
        if (s.state == FLOW_COMPLETE || s.state == FLOW_FAILED)
            break;
        secure_zero(&s, sizeof(s));
        struct timespec tick = { 0, 100 * 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    int rc = APP_EXIT_INVALID;
    if (s.state == FLOW_COMPLETE) {
        struct pnr p;
        if (pnr_parse(s.user.personal_number, date_today_stockholm(), 0, &p) == PNR_OK) {
            char masked[14];
            pnr_format(&p, PNR_STYLE_MASKED, date_today_stockholm(), masked);
            printf("identified: %s\n", masked);
            char why[256];
            enum role role = role_of(cfg, s.user.personal_number, why, sizeof(why));
            printf("role: %s (%s)\n", role_code(role), why);
            rc = APP_EXIT_OK;
        } else {
            printf("failed: the provider returned an invalid personal number\n");
        }
    } else {
        printf("failed: %s\n", s.message != NULL ? s.message->rfa : "");
    }
    secure_zero(&s, sizeof(s));
    idr_stop(r);
    return rc;
}
