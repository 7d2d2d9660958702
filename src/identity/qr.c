/* Animated QR content and encoding. */
#include "qr.h"

#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

bool
qr_bankid_data(const char *start_token, const char *start_secret, int64_t t, char *out,
               size_t out_size)
{
    if (start_token == NULL || start_secret == NULL || *start_token == '\0' ||
        *start_secret == '\0' || t < 0)
        return false;
    char msg[24];
    snprintf(msg, sizeof(msg), "%lld", (long long)t);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    /* The key is the ASCII of qrStartSecret, of whatever length. */
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)start_secret, strlen(start_secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
    char hex[2 * sizeof(mac) + 1];
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    int n = snprintf(out, out_size, "bankid.%s.%s.%s", start_token, msg, hex);
    return n > 0 && (size_t)n < out_size;
}

bool
qr_encode(const char *text, struct qr_matrix *out)
{
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (code == NULL)
        return false;
    int inner = code->width;
    int size = inner + 2 * QR_QUIET_ZONE;
    out->size = size;
    out->modules = xcalloc((size_t)size * (size_t)size, 1);
    for (int y = 0; y < inner; y++) {
        for (int x = 0; x < inner; x++) {
            /* libqrencode: bit 0 of each byte is the module's colour. */
            out->modules[(y + QR_QUIET_ZONE) * size + x + QR_QUIET_ZONE] =
                code->data[y * inner + x] & 1;
        }
    }
    QRcode_free(code);
    return true;
}

void
qr_matrix_free(struct qr_matrix *m)
{
    free(m->modules);
    m->modules = NULL;
    m->size = 0;
}
