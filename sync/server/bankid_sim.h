/* casestore's BankID RP API v6 simulator (REFERENCE.md §1): auth, collect and cancel with
 * orders that expire, QR start tokens and secrets, hintCode progression, alreadyInProgress, and
 * startFailed for a QR nobody scanned in time; and the citizen's phone, which checks the QR the
 * kiosk shows exactly as the real app would before it approves, cancels or stalls. */
#ifndef CASESTORE_BANKID_SIM_H
#define CASESTORE_BANKID_SIM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct cs_storage;

/* Handles POST /rp/v6.0/{auth,collect,cancel}: *status and a new JSON body. With demo (serve
 * --demo, loopback only) also demo/identities (a few citizens anyone may identify as, for the
 * kiosk's DEMO buttons) and demo/scan {qrData, personalNumber} (the phone approving as one). */
void bankid_sim_handle(struct cs_storage *st, const char *method, const json_t *req, int64_t now,
                       bool demo, unsigned *status, json_t **body);

enum bankid_phone_action {
    BANKID_PHONE_APPROVE,
    BANKID_PHONE_CANCEL,
    BANKID_PHONE_STALL,
};

/* The phone scans qr_data ("bankid.TOKEN.T.HMAC") and acts as personal_number (12 digits).
 * False with err for a forged or stale code, an unknown or finished order. */
bool bankid_sim_phone(struct cs_storage *st, const char *qr_data, const char *personal_number,
                      enum bankid_phone_action action, int64_t now, struct errbuf *err);

#endif
