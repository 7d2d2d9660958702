/* Money as integer öre; formatting and parsing per language, with no floating point. */
#ifndef MINASIDOR_MONEY_H
#define MINASIDOR_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/* Largest amount accepted from input: 10^13 kronor is far beyond any municipal invoice. */
#define MONEY_MAX_ORE INT64_C(1000000000000000)

enum money_style {
    MONEY_STYLE_SV, /* "1 234,50 kr": no-break spaces, decimal comma, U+2212 minus */
    MONEY_STYLE_EN, /* "SEK 1,234.50" */
};

/* Writes the amount; out needs 40 bytes for any int64. Returns the length written. */
size_t money_format(int64_t amount_ore, enum money_style style, char *out, size_t out_size);

enum money_error {
    MONEY_OK,
    MONEY_ERR_EMPTY,
    MONEY_ERR_FORMAT,   /* not a number as people write amounts */
    MONEY_ERR_DECIMALS, /* more than two decimals */
    MONEY_ERR_RANGE,    /* negative, or above MONEY_MAX_ORE */
};

/* Parses what a person types: "1234", "1 234,50", "1234.5", "1 234 kr", "1234:-". Spaces
 * (including no-break) may group thousands; ',' or '.' is the decimal mark. Negative amounts
 * are refused: a citizen never enters one. */
enum money_error money_parse(const char *input, int64_t *amount_ore) WARN_UNUSED;

const char *money_error_code(enum money_error e);

#endif
