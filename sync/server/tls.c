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

bool
cs_tls_generate(const char *dir, struct errbuf *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kpem = { NULL, 0 }, cpem = { NULL, 0 };
    bool ok = false;
    unsigned char serial[16];
    randombytes_buf(serial, sizeof(serial));
    serial[0] &= 0x7f;
    unsigned char ip[4] = { 127, 0, 0, 1 };
    time_t now = time(NULL);
    if (gnutls_x509_privkey_init(&key) < 0 ||
        gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                     GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
        gnutls_x509_crt_init(&crt) < 0 || gnutls_x509_crt_set_version(crt, 3) < 0 ||
        gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
        gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
        gnutls_x509_crt_set_expiration_time(crt, now + 10L * 365 * 86400) < 0 ||
        gnutls_x509_crt_set_dn(crt, "CN=casestore", NULL) < 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                             GNUTLS_FSAN_SET) < 0 ||
        gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND) <
            0 ||
        gnutls_x509_crt_set_key(crt, key) < 0 ||
        gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0 ||
        gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
        gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0) < 0 ||
        gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
        gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kpem) < 0 ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem) < 0) {
        err_set(err, "could not make a TLS key and certificate");
        goto out;
    }
    char *kp = xasprintf("%s/tls.key", dir), *cp = xasprintf("%s/tls.crt", dir);
    ok = write_file(kp, kpem.data, kpem.size, 0600, err) &&
         write_file(cp, cpem.data, cpem.size, 0644, err);
    free(kp);
    free(cp);
out:
    if (kpem.data)
        gnutls_free(kpem.data);
    if (cpem.data)
        gnutls_free(cpem.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return ok;
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
