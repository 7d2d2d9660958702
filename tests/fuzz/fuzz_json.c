/* Fuzz the JSON helpers: capped parsing, typed getters, the payment-QR builder fed from parsed
 * fields, and escaping (valid text escapes to JSON that parses back to the same text). */
#include "buf.h"
#include "fuzz_util.h"
#include "json.h"
#include "payqr.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct errbuf err;
    json_t *v = json_parse_capped((const char *)data, size, 4096, &err);
    if (v != NULL) {
        struct payqr_invoice inv = { .due_date = { 2026, 1, 31 } };
        long long amount = 1;
        const char *due = NULL;
        if (json_get_str(v, "payee", false, 200, &inv.payee_name, &err) &&
            json_get_str(v, "orgnr", false, 20, &inv.payee_orgnr, &err) &&
            json_get_str(v, "ocr", false, 40, &inv.reference, &err) &&
            json_get_str(v, "bankgiro", false, 20, &inv.account, &err) &&
            json_get_str(v, "due_date", false, 10, &due, &err) &&
            json_get_int(v, "amount_ore", false, 1, 100000000000LL, &amount, &err)) {
            if (due != NULL)
                (void)date_parse_iso(due, &inv.due_date);
            inv.amount_ore = amount;
            struct buf b;
            buf_init(&b, 2048);
            if (payqr_build(&inv, &b) == PAYQR_OK) {
                json_t *back = json_parse_capped(b.data, b.len, 4096, &err);
                FUZZ_ASSERT(back != NULL);
                for (size_t i = 0; i < b.len; i++)
                    FUZZ_ASSERT((unsigned char)b.data[i] < 0x80);
                json_decref(back);
            }
            buf_finish(&b);
        }
        bool flag;
        (void)json_get_bool(v, "flag", false, &flag, &err);
        json_decref(v);
    }

    if (size < 1024 && utf8_valid((const char *)data, size) && memchr(data, 0, size) == NULL) {
        char *s = fuzz_cstr(data, size);
        for (int ascii = 0; ascii <= 1; ascii++) {
            struct buf b;
            buf_init(&b, 16384);
            FUZZ_ASSERT(json_append_string(&b, s, ascii));
            json_t *parsed = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
            FUZZ_ASSERT(parsed != NULL && json_is_string(parsed));
            FUZZ_ASSERT(strcmp(json_string_value(parsed), s) == 0);
            json_decref(parsed);
            buf_finish(&b);
        }
        free(s);
    }
    return 0;
}
