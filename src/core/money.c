/* Money formatting and parsing. */
#include "money.h"

#include <stdio.h>
#include <string.h>

#define NBSP  "\xc2\xa0"     /* U+00A0 NO-BREAK SPACE */
#define MINUS "\xe2\x88\x92" /* U+2212 MINUS SIGN */

size_t
money_format(int64_t amount_ore, enum money_style style, char *out, size_t out_size)
{
    /* Work in unsigned so that INT64_MIN has a magnitude. */
    bool negative = amount_ore < 0;
    uint64_t mag = negative ? (uint64_t)0 - (uint64_t)amount_ore : (uint64_t)amount_ore;
    uint64_t kronor = mag / 100;
    unsigned ore = (unsigned)(mag % 100);

    char digits[24];
    int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)kronor);
    const char *group_sep = style == MONEY_STYLE_SV ? NBSP : ",";
    char grouped[64];
    size_t g = 0;
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0) {
            size_t sl = strlen(group_sep);
            memcpy(grouped + g, group_sep, sl);
            g += sl;
        }
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';

    int n;
    if (style == MONEY_STYLE_SV)
        n = snprintf(out, out_size, "%s%s,%02u" NBSP "kr", negative ? MINUS : "", grouped, ore);
    else
        n = snprintf(out, out_size, "%sSEK %s.%02u", negative ? "-" : "", grouped, ore);
    if (n < 0)
        return 0;
    return (size_t)n < out_size ? (size_t)n : out_size - 1;
}

enum money_error
money_parse(const char *input, int64_t *amount_ore)
{
    const char *p = input;
    const char *end = input + strlen(input);
    /* Trim white space (ASCII and no-break) and a trailing "kr", "SEK" or ":-". */
    for (;;) {
        if (p < end && (*p == ' ' || *p == '\t'))
            p++;
        else if (end - p >= 2 && memcmp(p, NBSP, 2) == 0)
            p += 2;
        else
            break;
    }
    for (;;) {
        if (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        else if (end - p >= 2 && memcmp(end - 2, NBSP, 2) == 0)
            end -= 2;
        else if (end - p >= 2 && (memcmp(end - 2, "kr", 2) == 0 || memcmp(end - 2, ":-", 2) == 0))
            end -= 2;
        else if (end - p >= 3 && memcmp(end - 3, "SEK", 3) == 0)
            end -= 3;
        else
            break;
    }
    if (p == end)
        return MONEY_ERR_EMPTY;
    if (*p == '-' || (end - p >= 3 && memcmp(p, MINUS, 3) == 0))
        return MONEY_ERR_RANGE;

    uint64_t kronor = 0;
    int ore = 0;
    int decimals = -1;    /* digits after the decimal mark; -1 before it */
    int group_digits = 0; /* digits since the start or the last thousands space */
    bool grouped = false; /* a thousands space has been seen */
    while (p < end) {
        char c = *p;
        size_t space_len = c == ' ' ? 1 : (end - p >= 2 && memcmp(p, NBSP, 2) == 0) ? 2 : 0;
        if (c >= '0' && c <= '9') {
            if (decimals < 0) {
                kronor = kronor * 10 + (uint64_t)(c - '0');
                if (kronor > (uint64_t)MONEY_MAX_ORE / 100)
                    return MONEY_ERR_RANGE;
                group_digits++;
            } else {
                if (decimals == 2)
                    return MONEY_ERR_DECIMALS;
                ore = ore * 10 + (c - '0');
                decimals++;
            }
            p++;
        } else if (decimals < 0 && space_len > 0) {
            /* "1 234 567": the first group has 1..3 digits, every later one exactly 3. */
            if (group_digits == 0 || group_digits > 3 || (grouped && group_digits != 3))
                return MONEY_ERR_FORMAT;
            grouped = true;
            group_digits = 0;
            p += space_len;
        } else if ((c == ',' || c == '.') && decimals < 0) {
            if (group_digits == 0 || (grouped && group_digits != 3))
                return MONEY_ERR_FORMAT;
            decimals = 0;
            p++;
        } else {
            return MONEY_ERR_FORMAT;
        }
    }
    if (decimals == 0 || (decimals < 0 && (group_digits == 0 || (grouped && group_digits != 3))))
        return MONEY_ERR_FORMAT;
    if (decimals == 1)
        ore *= 10;
    uint64_t total = kronor * 100 + (uint64_t)ore;
    if (total > (uint64_t)MONEY_MAX_ORE)
        return MONEY_ERR_RANGE;
    *amount_ore = (int64_t)total;
    return MONEY_OK;
}

const char *
money_error_code(enum money_error e)
{
    switch (e) {
    case MONEY_OK:
        return "ok";
    case MONEY_ERR_EMPTY:
        return "empty";
    case MONEY_ERR_FORMAT:
        return "format";
    case MONEY_ERR_DECIMALS:
        return "decimals";
    case MONEY_ERR_RANGE:
        return "range";
    }
    return "unknown";
}
