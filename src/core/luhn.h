/* The Luhn (mod 10) check used by personnummer, OCR references, bankgiro, plusgiro and
 * organisation numbers. */
#ifndef MINASIDOR_LUHN_H
#define MINASIDOR_LUHN_H

#include <stdbool.h>
#include <stddef.h>

/* The check digit (0..9) for n ASCII digits: weights 2,1,2,... leftward from the last digit,
 * digit sums of the products. -1 if any character is not a digit. */
int luhn_check_digit(const char *digits, size_t n);

/* True when the last of n digits is the Luhn check digit of the ones before it. */
bool luhn_valid(const char *digits, size_t n);

#endif
