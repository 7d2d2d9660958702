/* casestore's TLS material: a development key pair and self-signed certificate, and the
 * public-key pin kiosks are configured with. */
#ifndef CASESTORE_TLS_H
#define CASESTORE_TLS_H

#include <stdbool.h>

#include "err.h"

#define CS_PIN_MAX 80

/* Writes DIR/tls.key (0600) and DIR/tls.crt: ECDSA P-256, for localhost and 127.0.0.1. */
bool cs_tls_generate(const char *dir, struct errbuf *err);

/* The pin of a PEM certificate: "sha256//" + base64(SHA-256(SubjectPublicKeyInfo DER)). */
bool cs_tls_pin(const char *cert_path, char pin[static CS_PIN_MAX], struct errbuf *err);

/* Reads a whole (small) file; caller frees. NULL with err set on failure. */
char *cs_read_file(const char *path, size_t max, struct errbuf *err);

#endif
