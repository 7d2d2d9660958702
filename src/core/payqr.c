/* Payment QR payload. */
#include "payqr.h"

#include <string.h>

#include "buf.h"
#include "json.h"
#include "luhn.h"
#include "ocr.h"
#include "utf8.h"

/* Copies the digits of input to out (at most max), allowing '-' and ' ' between them. */
static size_t
take_digits(const char *input, char *out, size_t max)
{
    size_t n = 0;
    for (const char *p = input; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        if (*p < '0' || *p > '9' || n == max)
            return 0;
        out[n++] = *p;
    }
    out[n] = '\0';
    return n;
}

bool
orgnr_normalize(const char *input, char out[static 12])
{
    char d[11];
    if (take_digits(input, d, 10) != 10 || !luhn_valid(d, 10) || d[2] < '2')
        return false;
    memcpy(out, d, 6);
    out[6] = '-';
    memcpy(out + 7, d + 6, 5);
    return true;
}

bool
bankgiro_normalize(const char *input, char out[static 10])
{
    char d[9];
    size_t n = take_digits(input, d, 8);
    if ((n != 7 && n != 8) || !luhn_valid(d, n))
        return false;
    memcpy(out, d, n - 4);
    out[n - 4] = '-';
    memcpy(out + n - 3, d + n - 4, 5);
    return true;
}

bool
plusgiro_normalize(const char *input, char out[static 10])
{
    char d[9];
    size_t n = take_digits(input, d, 8);
    if (n < 2 || !luhn_valid(d, n))
        return false;
    memcpy(out, d, n - 1);
    out[n - 1] = '-';
    out[n] = d[n - 1];
    out[n + 1] = '\0';
    return true;
}

static bool
append_field(struct buf *out, const char *key, const char *value)
{
    return buf_printf(out, ",\"%s\":", key) && json_append_string(out, value, true);
}

enum payqr_error
payqr_build(const struct payqr_invoice *inv, struct buf *out)
{
    size_t name_len = inv->payee_name ? strlen(inv->payee_name) : 0;
    if (name_len == 0 || !utf8_valid(inv->payee_name, name_len) ||
        utf8_length(inv->payee_name, name_len) > 70)
        return PAYQR_ERR_NAME;
    for (size_t i = 0; i < name_len; i++) {
        if ((unsigned char)inv->payee_name[i] < 0x20)
            return PAYQR_ERR_NAME;
    }
    char orgnr[12];
    if (inv->payee_orgnr == NULL || !orgnr_normalize(inv->payee_orgnr, orgnr))
        return PAYQR_ERR_ORGNR;
    struct ocr_rules hard = { .level = OCR_LEVEL_HARD };
    if (inv->reference == NULL || ocr_check(inv->reference, &hard, NULL) != OCR_OK)
        return PAYQR_ERR_REFERENCE;
    if (!date_valid(inv->due_date) || (inv->has_invoice_date && !date_valid(inv->invoice_date)))
        return PAYQR_ERR_DATE;
    if (inv->has_invoice_date && date_compare(inv->invoice_date, inv->due_date) > 0)
        return PAYQR_ERR_DATE;
    if (inv->amount_ore <= 0 || inv->amount_ore > INT64_C(100000000000))
        return PAYQR_ERR_AMOUNT;
    char account[10];
    bool acc_ok = inv->account != NULL &&
                  (inv->account_type == PAYQR_BANKGIRO ? bankgiro_normalize(inv->account, account)
                                                       : plusgiro_normalize(inv->account, account));
    if (!acc_ok)
        return PAYQR_ERR_ACCOUNT;

    char ddt[9], idt[9];
    char iso[11];
    date_format_iso(inv->due_date, iso);
    memcpy(ddt, iso, 4), memcpy(ddt + 4, iso + 5, 2), memcpy(ddt + 6, iso + 8, 3);
    date_format_iso(inv->invoice_date, iso);
    memcpy(idt, iso, 4), memcpy(idt + 4, iso + 5, 2), memcpy(idt + 6, iso + 8, 3);

    /* "due" is a JSON number written from integer öre: 1234.5 for 123450, 50 for 5000. */
    char due[32];
    long long kr = (long long)(inv->amount_ore / 100);
    int ore = (int)(inv->amount_ore % 100);
    if (ore == 0)
        snprintf(due, sizeof(due), "%lld", kr);
    else if (ore % 10 == 0)
        snprintf(due, sizeof(due), "%lld.%d", kr, ore / 10);
    else
        snprintf(due, sizeof(due), "%lld.%02d", kr, ore);

    size_t start = out->len;
    bool ok = buf_append_str(out, "{\"uqr\":1,\"tp\":1") &&
              append_field(out, "nme", inv->payee_name) && append_field(out, "cc", "SE") &&
              append_field(out, "cid", orgnr) && append_field(out, "iref", inv->reference) &&
              (!inv->has_invoice_date || append_field(out, "idt", idt)) &&
              append_field(out, "ddt", ddt) && buf_printf(out, ",\"due\":%s", due) &&
              append_field(out, "pt", inv->account_type == PAYQR_BANKGIRO ? "BG" : "PG") &&
              append_field(out, "acc", account) && buf_append_char(out, '}');
    if (!ok) {
        out->len = start;
        if (out->data != NULL)
            out->data[start] = '\0';
        return PAYQR_ERR_FULL;
    }
    return PAYQR_OK;
}

const char *
payqr_error_code(enum payqr_error e)
{
    switch (e) {
    case PAYQR_OK:
        return "ok";
    case PAYQR_ERR_NAME:
        return "name";
    case PAYQR_ERR_ORGNR:
        return "orgnr";
    case PAYQR_ERR_REFERENCE:
        return "reference";
    case PAYQR_ERR_DATE:
        return "date";
    case PAYQR_ERR_AMOUNT:
        return "amount";
    case PAYQR_ERR_ACCOUNT:
        return "account";
    case PAYQR_ERR_FULL:
        return "full";
    }
    return "unknown";
}
