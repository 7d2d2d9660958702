/* Development TLS material with GnuTLS. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

static bool
write_file(const char *path, const void *data, size_t len, mode_t mode, struct errbuf *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        err_set(err, "%s: cannot create: %s", path, strerror(errno));
        return false;
    }
    bool ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    if (!ok)
        err_set(err, "%s: cannot write", path);
    return ok;
}

enum cert_kind { CERT_SERVER, CERT_CA, CERT_CLIENT };

/* A fresh ECDSA P-256 key and a certificate for it: self-signed unless an issuer is given. */
static bool
make_cert(enum cert_kind kind, const char *dn, gnutls_x509_crt_t issuer,
          gnutls_x509_privkey_t issuer_key, gnutls_datum_t *kpem, gnutls_datum_t *cpem)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    unsigned char serial[16];
    randombytes_buf(serial, sizeof(serial));
    serial[0] &= 0x7f;
    unsigned char ip[4] = { 127, 0, 0, 1 };
    time_t now = time(NULL);
    bool ok =
        gnutls_x509_privkey_init(&key) >= 0 &&
        gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) >= 0 &&
        gnutls_x509_crt_init(&crt) >= 0 && gnutls_x509_crt_set_version(crt, 3) >= 0 &&
        gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) >= 0 &&
        gnutls_x509_crt_set_activation_time(crt, now - 3600) >= 0 &&
        gnutls_x509_crt_set_expiration_time(crt, now + 10L * 365 * 86400) >= 0 &&
        gnutls_x509_crt_set_dn(crt, dn, NULL) >= 0 && gnutls_x509_crt_set_key(crt, key) >= 0 &&
        gnutls_x509_crt_set_basic_constraints(crt, kind == CERT_CA, -1) >= 0;
    if (ok && kind == CERT_SERVER)
        ok = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                  GNUTLS_FSAN_SET) >= 0 &&
             gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                  GNUTLS_FSAN_APPEND) >= 0;
    if (ok)
        ok =
            gnutls_x509_crt_set_key_usage(crt, kind == CERT_CA ? GNUTLS_KEY_KEY_CERT_SIGN
                                                               : GNUTLS_KEY_DIGITAL_SIGNATURE) >= 0;
    if (ok && kind != CERT_CA)
        ok = gnutls_x509_crt_set_key_purpose_oid(
                 crt, kind == CERT_SERVER ? GNUTLS_KP_TLS_WWW_SERVER : GNUTLS_KP_TLS_WWW_CLIENT,
                 0) >= 0;
    if (ok)
        ok = gnutls_x509_crt_sign2(crt, issuer ? issuer : crt, issuer_key ? issuer_key : key,
                                   GNUTLS_DIG_SHA256, 0) >= 0 &&
             gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, kpem) >= 0 &&
             gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, cpem) >= 0;
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return ok;
}

/* Makes a certificate and writes OUT/NAME.key (0600) and OUT/NAME.crt. */
static bool
write_cert(enum cert_kind kind, const char *dn, gnutls_x509_crt_t issuer,
           gnutls_x509_privkey_t issuer_key, const char *out, const char *name, struct errbuf *err)
{
    gnutls_datum_t kpem = { NULL, 0 }, cpem = { NULL, 0 };
    bool ok = make_cert(kind, dn, issuer, issuer_key, &kpem, &cpem);
    if (!ok) {
        err_set(err, "could not make a TLS key and certificate");
    } else {
        char *kp = xasprintf("%s/%s.key", out, name), *cp = xasprintf("%s/%s.crt", out, name);
        ok = write_file(kp, kpem.data, kpem.size, 0600, err) &&
             write_file(cp, cpem.data, cpem.size, 0644, err);
        free(kp);
        free(cp);
    }
    if (kpem.data) {
        sodium_memzero(kpem.data, kpem.size);
        gnutls_free(kpem.data);
    }
    if (cpem.data)
        gnutls_free(cpem.data);
    return ok;
}

bool
cs_tls_generate(const char *dir, struct errbuf *err)
{
    return write_cert(CERT_SERVER, "CN=casestore", NULL, NULL, dir, "tls", err);
}

bool
cs_tls_rp_ca(const char *dir, struct errbuf *err)
{
    char *crt = xasprintf("%s/rp-ca.crt", dir);
    bool have = access(crt, F_OK) == 0;
    free(crt);
    return have || write_cert(CERT_CA, "CN=casestore RP CA,O=minasidor test", NULL, NULL, dir,
                              "rp-ca", err);
}

bool
cs_tls_rp_issue(const char *dir, const char *out, const char *name, struct errbuf *err)
{
    char *cp = xasprintf("%s/rp-ca.crt", dir), *kp = xasprintf("%s/rp-ca.key", dir);
    char *cpem = cs_read_file(cp, 65536, err);
    char *kpem = cpem ? cs_read_file(kp, 65536, err) : NULL;
    gnutls_x509_crt_t ca = NULL;
    gnutls_x509_privkey_t cakey = NULL;
    bool ok = kpem != NULL;
    if (ok) {
        gnutls_datum_t c = { (unsigned char *)cpem, (unsigned)strlen(cpem) };
        gnutls_datum_t k = { (unsigned char *)kpem, (unsigned)strlen(kpem) };
        ok = gnutls_x509_crt_init(&ca) >= 0 &&
             gnutls_x509_crt_import(ca, &c, GNUTLS_X509_FMT_PEM) >= 0 &&
             gnutls_x509_privkey_init(&cakey) >= 0 &&
             gnutls_x509_privkey_import(cakey, &k, GNUTLS_X509_FMT_PEM) >= 0;
        if (!ok)
            err_set(err, "%s: the RP CA cannot be read", dir);
    }
    if (ok) {
        char *dn = xasprintf("CN=%s,O=minasidor test RP", name);
        ok = write_cert(CERT_CLIENT, dn, ca, cakey, out, "rp", err);
        free(dn);
    }
    if (kpem) {
        sodium_memzero(kpem, strlen(kpem));
        free(kpem);
    }
    free(cpem);
    free(cp);
    free(kp);
    if (cakey)
        gnutls_x509_privkey_deinit(cakey);
    if (ca)
        gnutls_x509_crt_deinit(ca);
    return ok;
}

/* Whether a DER certificate names TLS client authentication among its extended key usages. A
 * certificate without the extension is refused too: an RP certificate always says what it is
 * for, and a server or CA certificate from the same CA must not pass as a client. */
static bool
cert_is_for_clients(const gnutls_datum_t *der)
{
    gnutls_x509_crt_t crt = NULL;
    bool ok = false;
    if (gnutls_x509_crt_init(&crt) < 0)
        return false;
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) >= 0) {
        for (unsigned i = 0; !ok; i++) {
            char oid[128];
            size_t size = sizeof(oid);
            if (gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &size, NULL) < 0)
                break;
            ok = strcmp(oid, GNUTLS_KP_TLS_WWW_CLIENT) == 0;
        }
    }
    gnutls_x509_crt_deinit(crt);
    return ok;
}

bool
cs_tls_peer_is_rp(void *session)
{
    gnutls_session_t s = session;
    unsigned status = 0;
    if (s == NULL || gnutls_certificate_type_get(s) != GNUTLS_CRT_X509)
        return false;
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(s, &n);
    if (chain == NULL || n == 0)
        return false;
    return gnutls_certificate_verify_peers2(s, &status) >= 0 && status == 0 &&
           cert_is_for_clients(&chain[0]);
}

char *
cs_read_file(const char *path, size_t max, struct errbuf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct buf b;
    buf_init(&b, max);
    char chunk[4096];
    ssize_t n;
    bool ok = true;
    while (ok && (n = read(fd, chunk, sizeof(chunk))) > 0)
        ok = buf_append(&b, chunk, (size_t)n);
    close(fd);
    if (!ok) {
        err_set(err, "%s: larger than %zu bytes", path, max);
        buf_finish(&b);
        return NULL;
    }
    return buf_steal(&b);
}

bool
cs_tls_pin(const char *cert_path, char pin[static CS_PIN_MAX], struct errbuf *err)
{
    char *pem = cs_read_file(cert_path, 65536, err);
    if (pem == NULL)
        return false;
    gnutls_x509_crt_t crt = NULL;
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t in = { (unsigned char *)pem, (unsigned)strlen(pem) }, der = { NULL, 0 };
    bool ok = gnutls_x509_crt_init(&crt) >= 0 &&
              gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) >= 0 &&
              gnutls_pubkey_init(&pub) >= 0 && gnutls_pubkey_import_x509(pub, crt, 0) >= 0 &&
              gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &der) >= 0;
    if (ok) {
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, der.data, der.size);
        char b64[64];
        sodium_bin2base64(b64, sizeof(b64), h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
        snprintf(pin, CS_PIN_MAX, "sha256//%s", b64);
    } else {
        err_set(err, "%s: not a PEM certificate", cert_path);
    }
    if (der.data)
        gnutls_free(der.data);
    if (pub)
        gnutls_pubkey_deinit(pub);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    free(pem);
    return ok;
}
