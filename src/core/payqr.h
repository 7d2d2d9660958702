/* The payment QR payload for an invoice ("UsingQR" revision 2, REFERENCE.md §4): compact JSON
 * that Swedish banking apps read to fill in a payment. Every field is validated first, so a
 * citizen never scans a code that pays the wrong account or reference. */
#ifndef MINASIDOR_PAYQR_H
#define MINASIDOR_PAYQR_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "macros.h"

struct buf;

enum payqr_account {
    PAYQR_BANKGIRO,
    PAYQR_PLUSGIRO,
};

struct payqr_invoice {
    const char *payee_name;  /* "Stockholms stad", UTF-8, 1..70 characters */
    const char *payee_orgnr; /* organisation number, "212000-0142" or 10 digits */
    const char *reference;   /* the OCR number (hard check level) */
    struct date invoice_date;
    bool has_invoice_date;
    struct date due_date;
    int64_t amount_ore; /* > 0 */
    enum payqr_account account_type;
    const char *account; /* "5050-1055" */
};

enum payqr_error {
    PAYQR_OK,
    PAYQR_ERR_NAME,
    PAYQR_ERR_ORGNR,
    PAYQR_ERR_REFERENCE,
    PAYQR_ERR_DATE,
    PAYQR_ERR_AMOUNT,
    PAYQR_ERR_ACCOUNT,
    PAYQR_ERR_FULL, /* the output buffer's cap */
};

/* Appends the one-line JSON payload to out. Non-ASCII text is written as \uXXXX so the QR
 * carries ASCII only; SEK is implied (no "cur"). */
enum payqr_error payqr_build(const struct payqr_invoice *inv, struct buf *out) WARN_UNUSED;

const char *payqr_error_code(enum payqr_error e);

/* Organisation number: 10 digits (a '-' may stand after the sixth), Luhn, third digit >= 2.
 * Writes "NNNNNN-NNNN" to out (12 bytes). */
bool orgnr_normalize(const char *input, char out[static 12]);

/* Bankgiro number: 7 or 8 digits with a Luhn check digit, '-' anywhere ignored. Writes
 * "NNN-NNNN" or "NNNN-NNNN" (10 bytes). */
bool bankgiro_normalize(const char *input, char out[static 10]);

/* Plusgiro number: 2..8 digits with a Luhn check digit. Writes "NNNNNNN-N" (10 bytes). */
bool plusgiro_normalize(const char *input, char out[static 10]);

#endif
