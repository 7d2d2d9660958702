/* Swedish phone numbers: accept the ways people write them, normalise to E.164, tell mobile
 * from landline, and refuse the rest with a reason (a callback must reach a real person). */
#ifndef MINASIDOR_PHONE_H
#define MINASIDOR_PHONE_H

#include <stddef.h>

#include "macros.h"

enum phone_kind {
    PHONE_KIND_MOBILE,   /* 070, 072, 073, 076, 079 */
    PHONE_KIND_LANDLINE, /* geographic area codes, and 010 */
    PHONE_KIND_SERVICE,  /* 020 freephone, 075 personal, 077 shared cost, 078 */
};

enum phone_error {
    PHONE_OK,
    PHONE_ERR_EMPTY,
    PHONE_ERR_CHARACTERS, /* something other than digits, spaces, - ( ) . / and a leading + */
    PHONE_ERR_COUNTRY,    /* another country code than +46 */
    PHONE_ERR_PREFIX,     /* no Swedish number starts like that */
    PHONE_ERR_LENGTH,     /* too few or too many digits */
    PHONE_ERR_PREMIUM,    /* 0900, 0939, 0944: premium rate, never called back */
};

struct phone {
    char e164[17]; /* "+46701234567" */
    enum phone_kind kind;
};

/* Accepts "070-123 45 67", "0701234567", "+46 70 123 45 67", "+46 (0)70-123 45 67",
 * "0046701234567", "08-123 456 78", "(08) 12 34 56" and the like. */
enum phone_error phone_parse(const char *input, struct phone *out) WARN_UNUSED;

/* Writes the national form, "070-123 45 67" or "08-123 456 78". out needs 20 bytes. */
void phone_format_national(const struct phone *p, char *out, size_t out_size);

const char *phone_kind_code(enum phone_kind k); /* "mobile", "landline", "service" */
const char *phone_error_code(enum phone_error e);
const char *phone_error_message(enum phone_error e); /* English msgid */

#endif
