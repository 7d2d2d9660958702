/* The BankID simulator. Orders live in casestore's database so that `casestore phone` (another
 * process) and the server see the same orders. */
#include "bankid_sim.h"

#include <sodium.h>
#include <sqlite3.h>
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
age_order(sqlite3 *db, const char *order_ref, int64_t now)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db,
                       "UPDATE bankid_orders SET status='failed', hint_code=CASE"
                       " WHEN hint_code='outstandingTransaction' AND ?2 - created_at >= ?3"
                       " THEN 'startFailed' ELSE 'expiredTransaction' END, updated_at=?2"
                       " WHERE order_ref=?1 AND status='pending' AND"
                       " ((hint_code='outstandingTransaction' AND ?2 - created_at >= ?3) OR"
                       " ?2 - created_at >= ?4)",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, order_ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, now);
    sqlite3_bind_int64(q, 3, start_timeout_s());
    const char *life = getenv("CASESTORE_BANKID_ORDER_LIFETIME_S"); /* shorter in tests */
    sqlite3_bind_int64(q, 4, life ? strtoll(life, NULL, 10) : ORDER_LIFETIME_S);
    sqlite3_step(q);
    sqlite3_finalize(q);
}

static void
handle_auth(sqlite3 *db, const json_t *req, int64_t now, unsigned *status, json_t **body)
{
    const char *ip = json_string_value(json_object_get(req, "endUserIp"));
    const char *pnr =
        json_string_value(json_object_get(json_object_get(req, "requirement"), "personalNumber"));
    if (ip == NULL || *ip == '\0') {
        *status = 400;
        *body = error_body("invalidParameters", "endUserIp is required");
        return;
    }
    if (pnr != NULL) {
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(db,
                           "SELECT 1 FROM bankid_orders WHERE requested_pnr=?1 AND"
                           " status='pending' AND ?2 - created_at < ?3",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, pnr, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, now);
        sqlite3_bind_int64(q, 3, ORDER_LIFETIME_S);
        bool busy = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_finalize(q);
        if (busy) {
            *status = 400;
            *body = error_body("alreadyInProgress", "an order for this person is in progress");
            return;
        }
    }
    char ref[37], token[37], secret[37], autostart[37];
    uuid_v4_random(ref), uuid_v4_random(token), uuid_v4_random(secret), uuid_v4_random(autostart);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db,
                       "INSERT INTO bankid_orders VALUES (?1, ?2, ?3, ?4, 'pending',"
                       " 'outstandingTransaction', NULL, NULL, NULL, ?5, ?5)",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, token, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, secret, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, pnr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, now);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        *status = 500;
        *body = error_body("internalError", "could not store the order");
        return;
    }
    *status = 200;
    *body = json_pack("{s:s, s:s, s:s, s:s}", "orderRef", ref, "autoStartToken", autostart,
                      "qrStartToken", token, "qrStartSecret", secret);
}

static void
handle_collect(sqlite3 *db, const char *ref, int64_t now, unsigned *status, json_t **body)
{
    age_order(db, ref, now);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT status, hint_code, personal_number, given_name, surname,"
                       " updated_at FROM bankid_orders WHERE order_ref=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        *status = 400;
        *body = error_body("invalidParameters", "no such order");
        return;
    }
    const char *st = (const char *)sqlite3_column_text(q, 0);
    int64_t updated = sqlite3_column_int64(q, 5);
    bool complete = strcmp(st, "complete") == 0;
    if (now - updated > (complete ? KEEP_COMPLETE_S : KEEP_FAILED_S) &&
        strcmp(st, "pending") != 0) {
        sqlite3_finalize(q);
        *status = 400;
        *body = error_body("invalidParameters", "the order is no longer collectable");
        return;
    }
    *status = 200;
    if (complete) {
        const char *given = (const char *)sqlite3_column_text(q, 3);
        const char *surname = (const char *)sqlite3_column_text(q, 4);
        char *name = xasprintf("%s %s", given, surname);
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
                          "personalNumber", (const char *)sqlite3_column_text(q, 2), "name", name,
                          "givenName", given, "surname", surname, "device", "ipAddress",
                          "127.0.0.1", "uhi", "simulated-device", "bankIdIssueDate", "2024-01-15",
                          "stepUp", "mrtd", 0, "signature", sig, "ocspResponse", ocsp);
        free(name);
    } else {
        *body = json_pack("{s:s, s:s, s:s}", "orderRef", ref, "status", st, "hintCode",
                          (const char *)sqlite3_column_text(q, 1));
    }
    sqlite3_finalize(q);
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
    sqlite3 *db = cs_storage_db_lock(st);
    if (demo && strcmp(method, "demo/identities") == 0) {
        /* The first citizens of the kiosk's district, so that each has data on that kiosk. */
        sqlite3_stmt *q = NULL;
        sqlite3_prepare_v2(db,
                           "SELECT json_extract(fields, '$.pnr'),"
                           " json_extract(fields, '$.given_name') || ' ' ||"
                           " json_extract(fields, '$.surname') FROM records"
                           " WHERE kind='citizen' AND (?1 IS NULL OR district=?1)"
                           " ORDER BY rowid LIMIT 4",
                           -1, &q, NULL);
        const char *district = json_string_value(json_object_get(req, "district"));
        if (district != NULL)
            sqlite3_bind_text(q, 1, district, -1, SQLITE_STATIC);
        json_t *list = json_array();
        while (sqlite3_step(q) == SQLITE_ROW) {
            json_array_append_new(list, json_pack("{s:s, s:s}", "personalNumber",
                                                  (const char *)sqlite3_column_text(q, 0), "name",
                                                  (const char *)sqlite3_column_text(q, 1)));
        }
        sqlite3_finalize(q);
        cs_storage_db_unlock(st);
        *status = 200;
        *body = json_pack("{s:o, s:b}", "identities", list, "demo", 1);
        return;
    }
    if (strcmp(method, "auth") == 0) {
        handle_auth(db, req, now, status, body);
    } else if (strcmp(method, "collect") == 0 || strcmp(method, "cancel") == 0) {
        const char *ref = json_string_value(json_object_get(req, "orderRef"));
        if (ref == NULL) {
            *status = 400;
            *body = error_body("invalidParameters", "orderRef is required");
        } else if (strcmp(method, "collect") == 0) {
            handle_collect(db, ref, now, status, body);
        } else {
            sqlite3_stmt *q = NULL;
            sqlite3_prepare_v2(db,
                               "UPDATE bankid_orders SET status='failed', hint_code='cancelled',"
                               " updated_at=?2 WHERE order_ref=?1 AND status='pending'",
                               -1, &q, NULL);
            sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
            sqlite3_bind_int64(q, 2, now);
            sqlite3_step(q);
            sqlite3_finalize(q);
            bool changed = sqlite3_changes(db) > 0;
            *status = changed ? 200 : 400;
            *body = changed ? json_object()
                            : error_body("invalidParameters", "no pending order with that ref");
        }
    } else {
        *status = 404;
        *body = error_body("notFound", "no such endpoint");
    }
    cs_storage_db_unlock(st);
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
    sqlite3 *db = cs_storage_db_lock(st);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(db,
                       "SELECT order_ref, qr_start_secret, status, created_at FROM bankid_orders"
                       " WHERE qr_start_token=?1",
                       -1, &q, NULL);
    sqlite3_bind_text(q, 1, token, -1, SQLITE_STATIC);
    bool ok = false;
    char ref[64] = "";
    if (sqlite3_step(q) != SQLITE_ROW) {
        err_set(err, "no order has this QR code");
    } else {
        snprintf(ref, sizeof(ref), "%s", (const char *)sqlite3_column_text(q, 0));
        char expect[160];
        int64_t elapsed = now - sqlite3_column_int64(q, 3);
        if (!qr_bankid_data(token, (const char *)sqlite3_column_text(q, 1), t, expect,
                            sizeof(expect)) ||
            strcmp(expect, qr_data) != 0) {
            err_set(err, "the QR code is forged (its code does not match)");
        } else if (t > elapsed + 1 || t < elapsed - 2) {
            /* The real app accepts only the code of the last second or two: a photo of the
             * screen taken earlier is useless. */
            err_set(err, "the QR code is stale (it is %lld s old)", (long long)(elapsed - t));
        } else if (strcmp((const char *)sqlite3_column_text(q, 2), "pending") != 0) {
            err_set(err, "the order is no longer pending");
        } else {
            ok = true;
        }
    }
    sqlite3_finalize(q);
    if (ok) {
        /* The name as the city's register knows it, or a placeholder for unknown test persons. */
        char given[128] = "Test", surname[128] = "Testsson";
        sqlite3_prepare_v2(db,
                           "SELECT json_extract(fields, '$.given_name'),"
                           " json_extract(fields, '$.surname') FROM records WHERE"
                           " kind='citizen' AND json_extract(fields, '$.pnr')=?1",
                           -1, &q, NULL);
        sqlite3_bind_text(q, 1, personal_number, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
            snprintf(given, sizeof(given), "%s", (const char *)sqlite3_column_text(q, 0));
            snprintf(surname, sizeof(surname), "%s", (const char *)sqlite3_column_text(q, 1));
        }
        sqlite3_finalize(q);
        static const char *const updates[] = {
            [BANKID_PHONE_APPROVE] = "UPDATE bankid_orders SET status='complete', hint_code=NULL,"
                                     " personal_number=?2, given_name=?3, surname=?4,"
                                     " updated_at=?5 WHERE order_ref=?1",
            [BANKID_PHONE_CANCEL] = "UPDATE bankid_orders SET status='failed',"
                                    " hint_code='userCancel', updated_at=?5 WHERE order_ref=?1",
            [BANKID_PHONE_STALL] = "UPDATE bankid_orders SET hint_code='userSign',"
                                   " updated_at=?5 WHERE order_ref=?1",
        };
        sqlite3_prepare_v2(db, updates[action], -1, &q, NULL);
        sqlite3_bind_text(q, 1, ref, -1, SQLITE_STATIC);
        if (action == BANKID_PHONE_APPROVE) {
            sqlite3_bind_text(q, 2, personal_number, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, given, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, surname, -1, SQLITE_STATIC);
        }
        sqlite3_bind_int64(q, 5, now);
        ok = sqlite3_step(q) == SQLITE_DONE;
        sqlite3_finalize(q);
    }
    cs_storage_db_unlock(st);
    return ok;
}
