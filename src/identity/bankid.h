/* The BankID RP API v6 wire format, sans-IO (REFERENCE.md §1): request bodies, response parsing,
 * and the state and recommended user message (RFA code) for every status, hintCode and error.
 * The transport and the order loop build on this; tests feed it every answer there is. */
#ifndef MINASIDOR_BANKID_H
#define MINASIDOR_BANKID_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "macros.h"

enum bankid_state {
    BANKID_PENDING,
    BANKID_COMPLETE,
    BANKID_FAILED,
};

/* The user message to show (and speak). msgid is English, translated by the UI; rfa is the
 * recommended message's code ("RFA1"...); sv is BankID's Swedish text. */
struct bankid_message {
    const char *rfa;
    const char *sv;
    const char *msgid;
};

struct bankid_auth_response {
    char order_ref[64], auto_start_token[64], qr_start_token[64], qr_start_secret[64];
};

struct bankid_user {
    char personal_number[13]; /* 12 digits */
    char given_name[128], surname[128], name[256];
};

struct bankid_collect {
    enum bankid_state state;
    char hint_code[48];      /* "" when none */
    struct bankid_user user; /* complete only */
};

/* {"endUserIp": ip, "userVisibleData": base64(text), "userVisibleDataFormat":
 * "simpleMarkdownV1"}. Caller frees. */
char *bankid_auth_request(const char *end_user_ip, const char *user_visible_text);

/* {"orderRef": ref} for collect and cancel. Caller frees. */
char *bankid_order_request(const char *order_ref);

bool bankid_parse_auth(const char *body, size_t len, struct bankid_auth_response *out,
                       struct errbuf *err) WARN_UNUSED;
bool bankid_parse_collect(const char *body, size_t len, struct bankid_collect *out,
                          struct errbuf *err) WARN_UNUSED;

/* The message for a collect result (unknown hintCodes give the generic pending or failed one).
 * The kiosk always identifies with the QR code, so the QR variants (RFA1, RFA17B) are used. */
const struct bankid_message *bankid_message_for(const struct bankid_collect *c);

/* The message for an HTTP error body's errorCode ("alreadyInProgress", "maintenance"...). */
const struct bankid_message *bankid_message_for_error(const char *error_code);

/* Whether an order failing with this hintCode should be restarted by itself (an unscanned QR). */
bool bankid_restart_on(const char *hint_code);

#endif
