/* casestore's TLS material: a development key pair and self-signed certificate, and the
 * public-key pin kiosks are configured with. */
#ifndef CASESTORE_TLS_H
#define CASESTORE_TLS_H

#include <stdbool.h>

#include "err.h"

#define CS_PIN_MAX 80

/* Writes DIR/tls.key (0600) and DIR/tls.crt: ECDSA P-256, for localhost and 127.0.0.1. */
bool cs_tls_generate(const char *dir, struct errbuf *err);

/* Writes DIR/rp-ca.key (0600) and DIR/rp-ca.crt unless they exist: the CA whose certificates
 * the BankID simulator accepts from relying parties, as BankID issues RP certificates. */
bool cs_tls_rp_ca(const char *dir, struct errbuf *err);
/* Issues an RP (TLS client) certificate from DIR's RP CA: OUT/rp.crt and OUT/rp.key (0600). */
bool cs_tls_rp_issue(const char *dir, const char *out, const char *name, struct errbuf *err);
/* Whether a TLS session (gnutls_session_t) presented a client certificate that verifies
 * against the trust list it was served with and has the clientAuth extended key usage. */
bool cs_tls_peer_is_rp(void *session);
/* The pin of a PEM certificate: "sha256//" + base64(SHA-256(SubjectPublicKeyInfo DER)). */
bool cs_tls_pin(const char *cert_path, char pin[static CS_PIN_MAX], struct errbuf *err);

/* Reads a whole (small) file; caller frees. NULL with err set on failure. */
char *cs_read_file(const char *path, size_t max, struct errbuf *err);

#endif
