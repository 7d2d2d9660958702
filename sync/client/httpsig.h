/* HTTP Message Signatures (RFC 9421) with Content-Digest (RFC 9530), as sync/PROTOCOL.md §3
 * profiles them: Ed25519 over "@method", "@path" and "content-digest". Used by the kiosk to sign
 * and by casestore to verify, so both build the signature base from this one place. */
#ifndef MINASIDOR_HTTPSIG_H
#define MINASIDOR_HTTPSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "macros.h"

#define HTTPSIG_PUBLIC_KEY_BYTES 32
#define HTTPSIG_SECRET_KEY_BYTES 64
#define HTTPSIG_DIGEST_MAX       64 /* "sha-256=:" + 44 base64 + ":" + NUL */
#define HTTPSIG_MAX_SKEW_S       300

/* Writes "sha-256=:BASE64:" for the body. */
void httpsig_content_digest(const void *body, size_t len, char out[static HTTPSIG_DIGEST_MAX]);

struct httpsig_params {
    int64_t created;
    char nonce[65];
    char keyid[65];
};

/* Makes the two header values for a request. Caller frees both with free(). */
void httpsig_sign(const unsigned char sk[static HTTPSIG_SECRET_KEY_BYTES], const char *method,
                  const char *path, const char *digest, const struct httpsig_params *p,
                  char **signature_input, char **signature);

/* Parses a Signature-Input header of exactly our profile. False (with err) otherwise. */
bool httpsig_parse_input(const char *header, struct httpsig_params *out,
                         struct errbuf *err) WARN_UNUSED;

/* Verifies a Signature header against the request. */
bool httpsig_verify(const unsigned char pk[static HTTPSIG_PUBLIC_KEY_BYTES], const char *method,
                    const char *path, const char *digest, const struct httpsig_params *p,
                    const char *signature_header) WARN_UNUSED;

/* A random nonce of 22 URL-safe characters. */
void httpsig_nonce(char out[static 23]);

/* Base64 (standard alphabet, padded) helpers for keys on the wire. */
void httpsig_b64(const unsigned char *bin, size_t len, char *out, size_t out_size);
bool httpsig_unb64(const char *text, unsigned char *out, size_t want) WARN_UNUSED;

#endif
