/* The BankID simulator. Orders live in casestore's database so that `casestore phone` (another
 * process) and the server see the same orders. */
#include "bankid_sim.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qr.h"
#include "storage.h"
#include "uuid.h"
#include "xalloc.h"

#define START_TIMEOUT_DEFAULT_S 30  /* an unscanned QR fails with startFailed */
#define ORDER_LIFETIME_S        180 /* a pending order expires (expiredTransaction) */
#define KEEP_COMPLETE_S         180 /* a completed order can be collected for 3 minutes */
#define KEEP_FAILED_S           300 /* a failed one for 5 */

static int64_t
start_timeout_s(void)
{
    const char *v = getenv("CASESTORE_BANKID_START_TIMEOUT_S"); /* shorter in tests */
    return v ? strtoll(v, NULL, 10) : START_TIMEOUT_DEFAULT_S;
}

static json_t *
error_body(const char *code, const char *details)
{
    return json_pack("{s:s, s:s}", "errorCode", code, "details", details);
}

/* Moves an order on with time: unscanned too long, or pending too long. */
static void
age_order(struct cs_storage *st, struct cs_bankid_order *o, int64_t now)
{
    const char *life = getenv("CASESTORE_BANKID_ORDER_LIFETIME_S"); /* shorter in tests */
    int64_t lifetime = life ? strtoll(life, NULL, 10) : ORDER_LIFETIME_S;
    bool unscanned = strcmp(o->hint_code, "outstandingTransaction") == 0 &&
                     now - o->created_at >= start_timeout_s();
    if (strcmp(o->status, "pending") != 0 || (!unscanned && now - o->created_at < lifetime))
        return;
    struct cs_bankid_order aged = *o;
    snprintf(aged.status, sizeof(aged.status), "failed");
    snprintf(aged.hint_code, sizeof(aged.hint_code), "%s",
             unscanned ? "startFailed" : "expiredTransaction");
    aged.updated_at = now;
    /* Another process may have moved it on meanwhile: then what it wrote stands. */
    if (cs_bankid_order_update(st, &aged, "pending") == CS_OK)
        *o = aged;
    else
        (void)cs_bankid_order_get(st, o->order_ref, false, o);
}

static void
handle_auth(struct cs_storage *st, const json_t *req, int64_t now, unsigned *status, json_t **body)
{
    const char *ip = json_string_value(json_object_get(req, "endUserIp"));
    const char *pnr =
        json_string_value(json_object_get(json_object_get(req, "requirement"), "personalNumber"));
    if (ip == NULL || *ip == '\0') {
        *status = 400;
        *body = error_body("invalidParameters", "endUserIp is required");
        return;
    }
    if (pnr != NULL &&
        (strlen(pnr) < 10 || strlen(pnr) > 12 || strspn(pnr, "0123456789") != strlen(pnr))) {
        *status = 400;
        *body = error_body("invalidParameters", "personalNumber must be 10 or 12 digits");
        return;
    }
    struct cs_bankid_order o = { .created_at = now, .updated_at = now };
    char autostart[37];
    uuid_v4_random(o.order_ref), uuid_v4_random(o.qr_start_token);
    uuid_v4_random(o.qr_start_secret), uuid_v4_random(autostart);
    snprintf(o.requested_pnr, sizeof(o.requested_pnr), "%s", pnr ? pnr : "");
    snprintf(o.status, sizeof(o.status), "pending");
    snprintf(o.hint_code, sizeof(o.hint_code), "outstandingTransaction");
    enum cs_result r = cs_bankid_order_add(st, &o, ORDER_LIFETIME_S);
    if (r == CS_CONFLICT) {
        *status = 400;
        *body = error_body("alreadyInProgress", "an order for this person is in progress");
        return;
    }
    if (r != CS_OK) {
        *status = 500;
        *body = error_body("internalError", "could not store the order");
        return;
    }
    *status = 200;
    *body = json_pack("{s:s, s:s, s:s, s:s}", "orderRef", o.order_ref, "autoStartToken", autostart,
                      "qrStartToken", o.qr_start_token, "qrStartSecret", o.qr_start_secret);
}

static void
handle_collect(struct cs_storage *st, const char *ref, int64_t now, unsigned *status, json_t **body)
{
    struct cs_bankid_order o;
    if (cs_bankid_order_get(st, ref, false, &o) != CS_OK) {
        *status = 400;
        *body = error_body("invalidParameters", "no such order");
        return;
    }
    age_order(st, &o, now);
    bool complete = strcmp(o.status, "complete") == 0;
    if (now - o.updated_at > (complete ? KEEP_COMPLETE_S : KEEP_FAILED_S) &&
        strcmp(o.status, "pending") != 0) {
        *status = 400;
        *body = error_body("invalidParameters", "the order is no longer collectable");
        return;
    }
    *status = 200;
    if (complete) {
        char *name = xasprintf("%s %s", o.given_name, o.surname);
        /* The signature and OCSP response are placeholders that say they are simulated: only
         * BankID can make real ones, and no kiosk relies on them. */
        char *xml = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?><bankIdSignedData "
                              "simulated=\"true\"><orderRef>%s</orderRef></bankIdSignedData>",
                              ref);
        char sig[512], ocsp[64];
        sodium_bin2base64(sig, sizeof(sig), (const unsigned char *)xml, strlen(xml),
                          sodium_base64_VARIANT_ORIGINAL);
        sodium_bin2base64(ocsp, sizeof(ocsp), (const unsigned char *)"simulated", 9,
                          sodium_base64_VARIANT_ORIGINAL);
        free(xml);
        *body = json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s}, s:s, s:{s:b}, "
                          "s:s, s:s}}",
                          "orderRef", ref, "status", "complete", "completionData", "user",
                          "personalNumber", o.personal_number, "name", name, "givenName",
                          o.given_name, "surname", o.surname, "device", "ipAddress", "127.0.0.1",
                          "uhi", "simulated-device", "bankIdIssueDate", "2024-01-15", "stepUp",
                          "mrtd", 0, "signature", sig, "ocspResponse", ocsp);
        free(name);
    } else {
        *body = json_pack("{s:s, s:s, s:s}", "orderRef", ref, "status", o.status, "hintCode",
                          o.hint_code);
    }
    sodium_memzero(&o, sizeof(o));
}

void
bankid_sim_handle(struct cs_storage *st, const char *method, const json_t *req, int64_t now,
                  bool demo, unsigned *status, json_t **body)
{
    if (demo && strcmp(method, "demo/scan") == 0) {
        const char *qr = json_string_value(json_object_get(req, "qrData"));
        const char *pnr = json_string_value(json_object_get(req, "personalNumber"));
        struct errbuf err;
        if (qr == NULL || pnr == NULL) {
            *status = 400;
            *body = error_body("invalidParameters", "qrData and personalNumber are required");
        } else if (!bankid_sim_phone(st, qr, pnr, BANKID_PHONE_APPROVE, now, &err)) {
            *status = 400;
            *body = error_body("invalidParameters", err.msg);
        } else {
            *status = 200;
            *body = json_object();
        }
        return;
    }
    if (demo && strcmp(method, "demo/identities") == 0) {
        /* The first citizens of the kiosk's district, so that each has data on that kiosk. */
        const char *district = json_string_value(json_object_get(req, "district"));
        *status = 200;
        *body =
            json_pack("{s:o, s:b}", "identities", cs_demo_identities(st, district, 4), "demo", 1);
        return;
    }
    if (strcmp(method, "auth") == 0) {
        handle_auth(st, req, now, status, body);
    } else if (strcmp(method, "collect") == 0 || strcmp(method, "cancel") == 0) {
        const char *ref = json_string_value(json_object_get(req, "orderRef"));
        struct cs_bankid_order o;
        if (ref == NULL) {
            *status = 400;
            *body = error_body("invalidParameters", "orderRef is required");
        } else if (strcmp(method, "collect") == 0) {
            handle_collect(st, ref, now, status, body);
        } else {
            bool changed = cs_bankid_order_get(st, ref, false, &o) == CS_OK;
            if (changed) {
                snprintf(o.status, sizeof(o.status), "failed");
                snprintf(o.hint_code, sizeof(o.hint_code), "cancelled");
                o.updated_at = now;
                changed = cs_bankid_order_update(st, &o, "pending") == CS_OK;
            }
            *status = changed ? 200 : 400;
            *body = changed ? json_object()
                            : error_body("invalidParameters", "no pending order with that ref");
        }
    } else {
        *status = 404;
        *body = error_body("notFound", "no such endpoint");
    }
}

bool
bankid_sim_phone(struct cs_storage *st, const char *qr_data, const char *personal_number,
                 enum bankid_phone_action action, int64_t now, struct errbuf *err)
{
    char token[64], hmac[72];
    long long t = -1;
    if (strlen(qr_data) > 200 ||
        sscanf(qr_data, "bankid.%63[^.].%lld.%71s", token, &t, hmac) != 3 || t < 0) {
        err_set(err, "this is not a BankID QR code");
        return false;
    }
    if (strlen(personal_number) != 12 || strspn(personal_number, "0123456789") != 12) {
        err_set(err, "the personal number must be 12 digits");
        return false;
    }
    struct cs_bankid_order o;
    bool ok = false;
    if (cs_bankid_order_get(st, token, true, &o) != CS_OK) {
        err_set(err, "no order has this QR code");
    } else {
        char expect[160];
        int64_t elapsed = now - o.created_at;
        if (!qr_bankid_data(token, o.qr_start_secret, t, expect, sizeof(expect)) ||
            strcmp(expect, qr_data) != 0) {
            err_set(err, "the QR code is forged (its code does not match)");
        } else if (t > elapsed + 1 || t < elapsed - 2) {
            /* The real app accepts only the code of the last second or two: a photo of the
             * screen taken earlier is useless. */
            err_set(err, "the QR code is stale (it is %lld s old)", (long long)(elapsed - t));
        } else if (strcmp(o.status, "pending") != 0) {
            err_set(err, "the order is no longer pending");
        } else {
            ok = true;
        }
    }
    if (ok) {
        o.updated_at = now;
        if (action == BANKID_PHONE_APPROVE) {
            /* The name as the city's register knows it, or a placeholder for unknown test
             * persons. */
            if (cs_citizen_name(st, personal_number, o.given_name, o.surname) != CS_OK) {
                snprintf(o.given_name, sizeof(o.given_name), "Test");
                snprintf(o.surname, sizeof(o.surname), "Testsson");
            }
            snprintf(o.status, sizeof(o.status), "complete");
            o.hint_code[0] = '\0';
            snprintf(o.personal_number, sizeof(o.personal_number), "%s", personal_number);
        } else if (action == BANKID_PHONE_CANCEL) {
            snprintf(o.status, sizeof(o.status), "failed");
            snprintf(o.hint_code, sizeof(o.hint_code), "userCancel");
        } else {
            snprintf(o.hint_code, sizeof(o.hint_code), "userSign");
        }
        ok = cs_bankid_order_update(st, &o, "pending") == CS_OK;
        if (!ok)
            err_set(err, "the order is no longer pending");
    }
    sodium_memzero(&o, sizeof(o));
    return ok;
}
