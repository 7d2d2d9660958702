/* Swedish personnummer and samordningsnummer (REFERENCE.md §2): parsing every accepted form,
 * century resolution against a reference date, check digit, real calendar dates, and display. */
#ifndef MINASIDOR_PNR_H
#define MINASIDOR_PNR_H

#include <stdbool.h>

#include "date.h"
#include "macros.h"

enum pnr_kind {
    PNR_KIND_PERSONNUMMER,
    PNR_KIND_SAMORDNINGSNUMMER, /* day of month + 60 */
    PNR_KIND_INTERIM,           /* a letter in the serial; only with PNR_ALLOW_INTERIM */
};

/* Why an input is not a valid number; each has a stable code for the wire and a message. */
enum pnr_error {
    PNR_OK,
    PNR_ERR_EMPTY,    /* nothing given */
    PNR_ERR_FORMAT,   /* not one of the accepted shapes */
    PNR_ERR_CENTURY,  /* 12 digits whose century is not 18, 19 or 20 */
    PNR_ERR_DATE,     /* no such date (also for a samordningsnummer after subtracting 60) */
    PNR_ERR_FUTURE,   /* the birth date is after the reference date */
    PNR_ERR_SERIAL,   /* födelsenummer 000 */
    PNR_ERR_INTERIM,  /* interim number, not accepted here */
    PNR_ERR_CHECKSUM, /* the check digit does not match */
};

enum pnr_flags {
    PNR_ALLOW_INTERIM = 1 << 0,
};

struct pnr {
    char canonical[13]; /* 12 characters, YYYYMMDDNNNC; the serial may hold a letter if interim */
    enum pnr_kind kind;
    struct date birth; /* the real birth date (day - 60 undone) */
    char sex;          /* 'F' or 'M': the legal sex digit (the ninth), even or odd */
};

/* Parses YYMMDD-NNNC, YYMMDD+NNNC, YYMMDDNNNC, YYYYMMDD[-+]NNNC or YYYYMMDDNNNC (leading and
 * trailing white space ignored). Ten-digit forms take their century from `today`: the most
 * recent year not after today with those two digits, or 100 years earlier with '+'. */
enum pnr_error pnr_parse(const char *input, struct date today, unsigned flags,
                         struct pnr *out) WARN_UNUSED;

/* "format", "date", "checksum"...: stable codes for JSON output and the wire. */
const char *pnr_error_code(enum pnr_error e);

/* A sentence saying why (English msgid, translated by the caller). */
const char *pnr_error_message(enum pnr_error e);

/* "personnummer", "samordningsnummer", "interim". */
const char *pnr_kind_code(enum pnr_kind k);

enum pnr_style {
    PNR_STYLE_LONG,   /* YYYYMMDD-NNNC */
    PNR_STYLE_SHORT,  /* YYMMDD-NNNC, or YYMMDD+NNNC from the year the person turns 100 */
    PNR_STYLE_MASKED, /* YYYYMMDD-**** (shown on screen unless the citizen reveals it) */
};

/* Writes the number in a style; `today` matters only for PNR_STYLE_SHORT. 14 bytes with NUL. */
void pnr_format(const struct pnr *p, enum pnr_style style, struct date today, char out[static 14]);

#endif
