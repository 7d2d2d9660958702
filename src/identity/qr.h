/* The BankID animated QR code (REFERENCE.md §1): the content for each second of an order, and
 * the module matrix the UI draws. The kiosk is always the "other device", so it never uses
 * autostart; the content changes every second so that a photo of the screen is useless a
 * moment later. */
#ifndef MINASIDOR_QR_H
#define MINASIDOR_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

#define QR_QUIET_ZONE 4 /* modules of light border on every side (at least 4) */

/* "bankid.<qrStartToken>.<t>.<hex HMAC-SHA256(qrStartSecret, t)>" for t whole seconds since the
 * auth response. False if the token or secret is empty or out is too small (128 bytes fit). */
bool qr_bankid_data(const char *start_token, const char *start_secret, int64_t t, char *out,
                    size_t out_size) WARN_UNUSED;

struct qr_matrix {
    int size;               /* modules per side, quiet zone included */
    unsigned char *modules; /* size * size; 1 = dark. Caller frees with qr_matrix_free */
};

/* Encodes text (byte mode, error correction level M) with the quiet zone added. False if it
 * does not fit in a QR code. */
bool qr_encode(const char *text, struct qr_matrix *out) WARN_UNUSED;
void qr_matrix_free(struct qr_matrix *m);

#endif
