/* OCR references. */
#include "ocr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luhn.h"

enum ocr_error
ocr_check(const char *ref, const struct ocr_rules *rules, struct ocr_result *result)
{
    struct ocr_result dummy;
    if (result == NULL)
        result = &dummy;
    result->checksum_ok = false;
    result->length_digit_ok = false;

    size_t len = strlen(ref);
    if (len == 0)
        return OCR_ERR_EMPTY;
    for (size_t i = 0; i < len; i++) {
        if (ref[i] < '0' || ref[i] > '9')
            return OCR_ERR_FORMAT;
    }
    if (len < OCR_MIN_LEN || len > OCR_MAX_LEN)
        return OCR_ERR_LENGTH;

    result->checksum_ok = luhn_valid(ref, len);
    result->length_digit_ok = (size_t)(ref[len - 2] - '0') == len % 10;

    if (rules->level == OCR_LEVEL_FIXED) {
        bool match = false;
        for (int i = 0; i < 2; i++)
            match = match || (rules->fixed_len[i] > 0 && (size_t)rules->fixed_len[i] == len);
        if (!match)
            return OCR_ERR_FIXED_LENGTH;
    }
    if (!result->checksum_ok && rules->level != OCR_LEVEL_SOFT)
        return OCR_ERR_CHECKSUM;
    if (rules->level == OCR_LEVEL_VARIABLE && !result->length_digit_ok)
        return OCR_ERR_LENGTH_DIGIT;
    return OCR_OK;
}

enum ocr_error
ocr_normalize(const char *input, char out[static OCR_MAX_LEN + 1])
{
    size_t n = 0;
    for (const char *p = input; *p; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if (*p < '0' || *p > '9')
            return OCR_ERR_FORMAT;
        if (n == OCR_MAX_LEN)
            return OCR_ERR_LENGTH;
        out[n++] = *p;
    }
    out[n] = '\0';
    return n == 0 ? OCR_ERR_EMPTY : OCR_OK;
}

enum ocr_error
ocr_make(const char *base, bool length_digit, char out[static OCR_MAX_LEN + 1])
{
    size_t len = strlen(base);
    for (size_t i = 0; i < len; i++) {
        if (base[i] < '0' || base[i] > '9')
            return OCR_ERR_FORMAT;
    }
    size_t total = len + 1 + (length_digit ? 1 : 0);
    if (len == 0 && !length_digit)
        return OCR_ERR_EMPTY;
    if (total < OCR_MIN_LEN || total > OCR_MAX_LEN)
        return OCR_ERR_LENGTH;
    memcpy(out, base, len);
    size_t n = len;
    if (length_digit)
        out[n++] = (char)('0' + total % 10);
    out[n] = (char)('0' + luhn_check_digit(out, n));
    out[n + 1] = '\0';
    return OCR_OK;
}

void
ocr_group(const char *ref, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; ref[i] != '\0' && o + 2 < out_size; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = ' ';
        out[o++] = ref[i];
    }
    if (out_size > 0)
        out[o < out_size ? o : out_size - 1] = '\0';
}

const char *
ocr_error_code(enum ocr_error e)
{
    switch (e) {
    case OCR_OK:
        return "ok";
    case OCR_ERR_EMPTY:
        return "empty";
    case OCR_ERR_FORMAT:
        return "format";
    case OCR_ERR_LENGTH:
        return "length";
    case OCR_ERR_CHECKSUM:
        return "checksum";
    case OCR_ERR_LENGTH_DIGIT:
        return "length_digit";
    case OCR_ERR_FIXED_LENGTH:
        return "fixed_length";
    }
    return "unknown";
}

const char *
ocr_error_message(enum ocr_error e)
{
    switch (e) {
    case OCR_OK:
        return N_("Valid");
    case OCR_ERR_EMPTY:
        return N_("Enter an OCR number");
    case OCR_ERR_FORMAT:
        return N_("An OCR number has only digits");
    case OCR_ERR_LENGTH:
        return N_("An OCR number has 2 to 25 digits");
    case OCR_ERR_CHECKSUM:
        return N_("The last digit does not match; check for a typing error");
    case OCR_ERR_LENGTH_DIGIT:
        return N_("The second-to-last digit does not match the length");
    case OCR_ERR_FIXED_LENGTH:
        return N_("The OCR number does not have the agreed length");
    }
    return N_("Not a valid OCR number");
}

static bool
parse_len(const char *s, const char *end, int *out)
{
    if (s == end || end - s > 2)
        return false;
    int v = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v < OCR_MIN_LEN || v > OCR_MAX_LEN)
        return false;
    *out = v;
    return true;
}

bool
ocr_rules_parse(const char *s, struct ocr_rules *out)
{
    struct ocr_rules r = { .level = OCR_LEVEL_HARD };
    if (strcmp(s, "soft") == 0) {
        r.level = OCR_LEVEL_SOFT;
    } else if (strcmp(s, "hard") == 0) {
        r.level = OCR_LEVEL_HARD;
    } else if (strcmp(s, "variable") == 0) {
        r.level = OCR_LEVEL_VARIABLE;
    } else if (strncmp(s, "fixed:", 6) == 0) {
        r.level = OCR_LEVEL_FIXED;
        const char *p = s + 6;
        const char *comma = strchr(p, ',');
        const char *end = p + strlen(p);
        if (!parse_len(p, comma ? comma : end, &r.fixed_len[0]))
            return false;
        if (comma && !parse_len(comma + 1, end, &r.fixed_len[1]))
            return false;
    } else {
        return false;
    }
    *out = r;
    return true;
}
