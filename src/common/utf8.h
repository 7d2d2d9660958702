/* UTF-8 validation and decoding (strict: no overlongs, no surrogates, at most U+10FFFF). */
#ifndef MINASIDOR_UTF8_H
#define MINASIDOR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the n bytes are valid UTF-8. */
bool utf8_valid(const char *s, size_t n);

/* Decodes one code point from valid UTF-8; returns its length in bytes (0 when invalid). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Number of code points in valid UTF-8 text. */
size_t utf8_length(const char *s, size_t n);

#endif
