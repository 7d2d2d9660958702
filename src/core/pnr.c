/* Personnummer parsing. */
#include "pnr.h"

#include <ctype.h>
#include <string.h>

#include "luhn.h"

static bool
is_interim_letter(char c)
{
    return c != '\0' && strchr("TRSUWXJKLMN", c) != NULL;
}

static bool
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

static int
num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

enum pnr_error
pnr_parse(const char *input, struct date today, unsigned flags, struct pnr *out)
{
    while (*input == ' ' || *input == '\t')
        input++;
    size_t len = strlen(input);
    while (len > 0 && (input[len - 1] == ' ' || input[len - 1] == '\t' || input[len - 1] == '\n' ||
                       input[len - 1] == '\r'))
        len--;
    if (len == 0)
        return PNR_ERR_EMPTY;

    /* Split into an optional century, YYMMDD, an optional separator and the last four. */
    char sep = '\0';
    const char *date_part;
    size_t date_len;
    const char *tail;
    if (len == 10 || len == 12) {
        date_len = len - 4;
    } else if ((len == 11 || len == 13) && (input[len - 5] == '-' || input[len - 5] == '+')) {
        date_len = len - 5;
        sep = input[len - 5];
    } else {
        return PNR_ERR_FORMAT;
    }
    date_part = input;
    tail = input + len - 4;

    char serial[4];
    for (int i = 0; i < 4; i++)
        serial[i] = (char)toupper((unsigned char)tail[i]);
    bool interim = is_interim_letter(serial[0]);
    if (!all_digits(date_part, date_len) ||
        !all_digits(serial + (interim ? 1 : 0), interim ? 3 : 4))
        return PNR_ERR_FORMAT;

    int yy = num(date_part + date_len - 6, 2);
    int month = num(date_part + date_len - 4, 2);
    int day = num(date_part + date_len - 2, 2);
    int year;
    if (date_len == 8) {
        int century = num(date_part, 2);
        if (century < 18 || century > 20)
            return PNR_ERR_CENTURY;
        year = century * 100 + yy;
    } else {
        int base = sep == '+' ? today.year - 100 : today.year;
        year = base - ((base - yy) % 100 + 100) % 100;
    }

    enum pnr_kind kind = PNR_KIND_PERSONNUMMER;
    struct date birth = { year, month, day };
    if (!date_valid(birth)) {
        if (day > 60) {
            birth.day = day - 60;
            kind = PNR_KIND_SAMORDNINGSNUMMER;
        }
        if (!date_valid(birth))
            return PNR_ERR_DATE;
    }
    if (date_len == 6 && sep != '+' && date_compare(birth, today) > 0) {
        /* Born later this year in the century just resolved cannot be: one century earlier. */
        birth.year -= 100;
        year -= 100;
        if (!date_valid(birth))
            return PNR_ERR_DATE; /* 29 February in a year that was not a leap year */
    }
    if (date_compare(birth, today) > 0)
        return PNR_ERR_FUTURE;

    if (!interim && memcmp(serial, "000", 3) == 0)
        return PNR_ERR_SERIAL;
    if (interim && !(flags & PNR_ALLOW_INTERIM))
        return PNR_ERR_INTERIM;

    /* The check digit covers YYMMDDNNN; an interim letter counts as 1. */
    char ten[10];
    memcpy(ten, date_part + date_len - 6, 6);
    memcpy(ten + 6, serial, 4);
    if (interim)
        ten[6] = '1';
    if (!luhn_valid(ten, 10))
        return PNR_ERR_CHECKSUM;

    char *c = out->canonical;
    c[0] = (char)('0' + year / 1000);
    c[1] = (char)('0' + year / 100 % 10);
    memcpy(c + 2, date_part + date_len - 6, 6);
    memcpy(c + 8, serial, 4);
    c[12] = '\0';
    out->kind = interim ? PNR_KIND_INTERIM : kind;
    out->birth = birth;
    out->sex = (serial[2] - '0') % 2 ? 'M' : 'F';
    return PNR_OK;
}

const char *
pnr_error_code(enum pnr_error e)
{
    switch (e) {
    case PNR_OK:
        return "ok";
    case PNR_ERR_EMPTY:
        return "empty";
    case PNR_ERR_FORMAT:
        return "format";
    case PNR_ERR_CENTURY:
        return "century";
    case PNR_ERR_DATE:
        return "date";
    case PNR_ERR_FUTURE:
        return "future";
    case PNR_ERR_SERIAL:
        return "serial";
    case PNR_ERR_INTERIM:
        return "interim";
    case PNR_ERR_CHECKSUM:
        return "checksum";
    }
    return "unknown";
}

const char *
pnr_error_message(enum pnr_error e)
{
    switch (e) {
    case PNR_OK:
        return N_("Valid");
    case PNR_ERR_EMPTY:
        return N_("Enter a personal identity number");
    case PNR_ERR_FORMAT:
        return N_("Write it as YYYYMMDD-NNNN or YYMMDD-NNNN");
    case PNR_ERR_CENTURY:
        return N_("The year must start with 18, 19 or 20");
    case PNR_ERR_DATE:
        return N_("There is no such date");
    case PNR_ERR_FUTURE:
        return N_("The date of birth is in the future");
    case PNR_ERR_SERIAL:
        return N_("The birth number 000 is not used");
    case PNR_ERR_INTERIM:
        return N_("Interim numbers cannot be used here");
    case PNR_ERR_CHECKSUM:
        return N_("The last digit does not match; check for a typing error");
    }
    return N_("Not a valid personal identity number");
}

const char *
pnr_kind_code(enum pnr_kind k)
{
    switch (k) {
    case PNR_KIND_PERSONNUMMER:
        return "personnummer";
    case PNR_KIND_SAMORDNINGSNUMMER:
        return "samordningsnummer";
    case PNR_KIND_INTERIM:
        return "interim";
    }
    return "unknown";
}

void
pnr_format(const struct pnr *p, enum pnr_style style, struct date today, char out[static 14])
{
    const char *c = p->canonical;
    switch (style) {
    case PNR_STYLE_LONG:
        memcpy(out, c, 8);
        out[8] = '-';
        memcpy(out + 9, c + 8, 4);
        out[13] = '\0';
        return;
    case PNR_STYLE_SHORT:
        memcpy(out, c + 2, 6);
        out[6] = today.year - p->birth.year >= 100 ? '+' : '-';
        memcpy(out + 7, c + 8, 4);
        out[11] = '\0';
        return;
    case PNR_STYLE_MASKED:
        memcpy(out, c, 8);
        memcpy(out + 8, "-****", 6);
        return;
    }
}
