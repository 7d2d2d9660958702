/* HTTP Message Signatures, our profile. */
#include "httpsig.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

void
httpsig_b64(const unsigned char *bin, size_t len, char *out, size_t out_size)
{
    sodium_bin2base64(out, out_size, bin, len, sodium_base64_VARIANT_ORIGINAL);
}

bool
httpsig_unb64(const char *text, unsigned char *out, size_t want)
{
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, want, text, strlen(text), NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return got == want && end != NULL && *end == '\0';
}

void
httpsig_content_digest(const void *body, size_t len, char out[static HTTPSIG_DIGEST_MAX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, body ? body : (const void *)"", len);
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    httpsig_b64(h, sizeof(h), b64, sizeof(b64));
    snprintf(out, HTTPSIG_DIGEST_MAX, "sha-256=:%s:", b64);
}

static char *
params_string(const struct httpsig_params *p)
{
    return xasprintf("(\"@method\" \"@path\" \"content-digest\");created=%lld;nonce=\"%s\";"
                     "keyid=\"%s\";alg=\"ed25519\"",
                     (long long)p->created, p->nonce, p->keyid);
}

static char *
signature_base(const char *method, const char *path, const char *digest,
               const struct httpsig_params *p)
{
    char *params = params_string(p);
    char *base = xasprintf("\"@method\": %s\n\"@path\": %s\n\"content-digest\": %s\n"
                           "\"@signature-params\": %s",
                           method, path, digest, params);
    free(params);
    return base;
}

void
httpsig_sign(const unsigned char sk[static HTTPSIG_SECRET_KEY_BYTES], const char *method,
             const char *path, const char *digest, const struct httpsig_params *p,
             char **signature_input, char **signature)
{
    char *base = signature_base(method, path, digest, p);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const unsigned char *)base, strlen(base), sk);
    free(base);
    char b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    httpsig_b64(sig, sizeof(sig), b64, sizeof(b64));
    char *params = params_string(p);
    *signature_input = xasprintf("sig1=%s", params);
    *signature = xasprintf("sig1=:%s:", b64);
    free(params);
}

static bool
token_ok(const char *s, size_t n)
{
    if (n < 1 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Copies the quoted value after `name="` up to the closing quote. */
static bool
quoted(const char *s, const char *name, char *out, size_t out_size)
{
    const char *p = strstr(s, name);
    if (p == NULL)
        return false;
    p += strlen(name);
    const char *q = strchr(p, '"');
    if (q == NULL || !token_ok(p, (size_t)(q - p)) || (size_t)(q - p) >= out_size)
        return false;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return true;
}

bool
httpsig_parse_input(const char *header, struct httpsig_params *out, struct errbuf *err)
{
    static const char prefix[] = "sig1=(\"@method\" \"@path\" \"content-digest\");created=";
    if (header == NULL || strncmp(header, prefix, sizeof(prefix) - 1) != 0) {
        err_set(err, "Signature-Input must cover \"@method\" \"@path\" \"content-digest\"");
        return false;
    }
    const char *p = header + sizeof(prefix) - 1;
    char *end = NULL;
    long long created = strtoll(p, &end, 10);
    if (end == p || *end != ';') {
        err_set(err, "Signature-Input: bad created");
        return false;
    }
    struct httpsig_params r = { .created = created };
    if (!quoted(end, ";nonce=\"", r.nonce, sizeof(r.nonce)) || strlen(r.nonce) < 16 ||
        !quoted(end, ";keyid=\"", r.keyid, sizeof(r.keyid)) ||
        strstr(end, ";alg=\"ed25519\"") == NULL) {
        err_set(err, "Signature-Input: nonce, keyid or alg missing or malformed");
        return false;
    }
    /* Reject anything that is not exactly what we would have written. */
    char *canon = params_string(&r);
    bool same = strcmp(canon, header + 5) == 0;
    free(canon);
    if (!same) {
        err_set(err, "Signature-Input: unexpected parameters");
        return false;
    }
    *out = r;
    return true;
}

bool
httpsig_verify(const unsigned char pk[static HTTPSIG_PUBLIC_KEY_BYTES], const char *method,
               const char *path, const char *digest, const struct httpsig_params *p,
               const char *signature_header)
{
    size_t n = signature_header ? strlen(signature_header) : 0;
    if (n < 8 || strncmp(signature_header, "sig1=:", 6) != 0 || signature_header[n - 1] != ':')
        return false;
    char b64[128];
    if (n - 7 >= sizeof(b64))
        return false;
    memcpy(b64, signature_header + 6, n - 7);
    b64[n - 7] = '\0';
    unsigned char sig[crypto_sign_BYTES];
    if (!httpsig_unb64(b64, sig, sizeof(sig)))
        return false;
    char *base = signature_base(method, path, digest, p);
    bool ok = crypto_sign_verify_detached(sig, (const unsigned char *)base, strlen(base), pk) == 0;
    free(base);
    return ok;
}

void
httpsig_nonce(char out[static 23])
{
    unsigned char r[16];
    randombytes_buf(r, sizeof(r));
    char b64[sodium_base64_ENCODED_LEN(16, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(b64, sizeof(b64), r, sizeof(r), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    memcpy(out, b64, 22);
    out[22] = '\0';
}
