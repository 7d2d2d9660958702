/* Bankgirot OCR payment references (REFERENCE.md §3): validation at each agreed check level,
 * generation from a base, and grouping for display. */
#ifndef MINASIDOR_OCR_H
#define MINASIDOR_OCR_H

#include <stdbool.h>
#include <stddef.h>

#include "macros.h"

#define OCR_MIN_LEN 2
#define OCR_MAX_LEN 25

enum ocr_level {
    OCR_LEVEL_SOFT,     /* mjuk: a wrong check digit is a warning, not an error */
    OCR_LEVEL_HARD,     /* hård: the check digit must match */
    OCR_LEVEL_VARIABLE, /* hård + variabel längd: check digit and length digit must match */
    OCR_LEVEL_FIXED,    /* hård + fast längd: check digit, and one of one or two agreed lengths */
};

struct ocr_rules {
    enum ocr_level level;
    int fixed_len[2]; /* OCR_LEVEL_FIXED: agreed lengths (2..25); 0 = not used */
};

enum ocr_error {
    OCR_OK,
    OCR_ERR_EMPTY,
    OCR_ERR_FORMAT,       /* a character that is not a digit */
    OCR_ERR_LENGTH,       /* shorter than 2 or longer than 25 digits */
    OCR_ERR_CHECKSUM,     /* the last digit is not the Luhn check digit */
    OCR_ERR_LENGTH_DIGIT, /* the second-to-last digit is not the length mod 10 */
    OCR_ERR_FIXED_LENGTH, /* not one of the agreed lengths */
};

struct ocr_result {
    bool checksum_ok;     /* the Luhn check digit matches */
    bool length_digit_ok; /* the second-to-last digit equals the length mod 10 */
};

/* Checks a reference of digits only. At OCR_LEVEL_SOFT a wrong check digit still returns
 * OCR_OK, with result->checksum_ok false as the warning. result may be NULL. */
enum ocr_error ocr_check(const char *ref, const struct ocr_rules *rules,
                         struct ocr_result *result) WARN_UNUSED;

/* Copies input to out without spaces (people copy grouped references); fails with
 * OCR_ERR_FORMAT for any other non-digit, OCR_ERR_LENGTH if it does not fit. */
enum ocr_error ocr_normalize(const char *input, char out[static OCR_MAX_LEN + 1]) WARN_UNUSED;

/* Makes a reference: base digits, then (optionally) the length digit, then the check digit.
 * Fails with OCR_ERR_FORMAT or OCR_ERR_LENGTH if the result would not be 2..25 digits. */
enum ocr_error ocr_make(const char *base, bool length_digit,
                        char out[static OCR_MAX_LEN + 1]) WARN_UNUSED;

/* Writes the reference in groups of four from the left, separated by a space (for reading it
 * aloud or off a screen). out needs 32 bytes for the longest reference. */
void ocr_group(const char *ref, char *out, size_t out_size);

const char *ocr_error_code(enum ocr_error e);
const char *ocr_error_message(enum ocr_error e); /* English msgid */

/* Parses "soft", "hard", "variable", "fixed:N" or "fixed:N,M". */
bool ocr_rules_parse(const char *s, struct ocr_rules *out);

#endif
