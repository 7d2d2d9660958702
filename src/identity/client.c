/* Identity client transport. */
#define _GNU_SOURCE /* memfd_create */
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json.h"
#include "xalloc.h"

#define MAX_ANSWER (64 * 1024)

struct idp_client {
    char *base, *pin, *ip, *text;
    int cert_fd, key_fd; /* memory-only files holding the RP certificate and key, or -1 */
    CURL *curl;
};

static size_t
on_body(char *data, size_t size, size_t n, void *userp)
{
    return buf_append(userp, data, size * n) ? size * n : 0;
}

struct idp_client *
idp_client_create(const char *base_url, const char *pin, const char *end_user_ip,
                  const char *visible_text)
{
    struct idp_client *c = xcalloc(1, sizeof(*c));
    c->base = xstrdup(base_url);
    c->pin = pin ? xstrdup(pin) : NULL;
    c->ip = xstrdup(end_user_ip);
    c->text = xstrdup(visible_text);
    c->cert_fd = c->key_fd = -1;
    c->curl = curl_easy_init();
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https");
    if (pin != NULL) {
        curl_easy_setopt(c->curl, CURLOPT_PINNEDPUBLICKEY, pin);
        curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
    return c;
}

void
idp_client_destroy(struct idp_client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    if (c->cert_fd >= 0)
        close(c->cert_fd);
    if (c->key_fd >= 0)
        close(c->key_fd);
    free(c->base), free(c->pin), free(c->ip), free(c->text);
    free(c);
}

/* An anonymous in-memory file holding data, for a TLS library that reads only paths: the key
 * never touches a disk. */
static int
memory_file(const char *name, const void *data, size_t len)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        return -1;
    }
    return fd;
}

bool
idp_client_set_rp_cert(struct idp_client *c, const char *cert_pem, size_t cert_len,
                       const char *key_pem, size_t key_len, struct errbuf *err)
{
    /* libcurl's *_BLOB options are not implemented by its GnuTLS backend (Debian's build), so
     * the PEMs are handed over as /proc/self/fd paths of memory-only files. */
    int cf = memory_file("rp-cert", cert_pem, cert_len);
    int kf = cf >= 0 ? memory_file("rp-key", key_pem, key_len) : -1;
    if (kf < 0) {
        err_set(err, "cannot hold the RP certificate in memory: %s", strerror(errno));
        if (cf >= 0)
            close(cf);
        return false;
    }
    if (c->cert_fd >= 0)
        close(c->cert_fd);
    if (c->key_fd >= 0)
        close(c->key_fd);
    c->cert_fd = cf, c->key_fd = kf;
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", cf);
    curl_easy_setopt(c->curl, CURLOPT_SSLCERT, path);
    curl_easy_setopt(c->curl, CURLOPT_SSLCERTTYPE, "PEM");
    snprintf(path, sizeof(path), "/proc/self/fd/%d", kf);
    curl_easy_setopt(c->curl, CURLOPT_SSLKEY, path);
    curl_easy_setopt(c->curl, CURLOPT_SSLKEYTYPE, "PEM");
    return true;
}

void
idp_client_set_ca(struct idp_client *c, const char *ca_path)
{
    curl_easy_setopt(c->curl, CURLOPT_CAINFO, ca_path);
}

/* Reads a small PEM file into guarded memory; a key must be private to its owner. */
static char *
read_pem(const char *path, bool secret, size_t *len, struct errbuf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        err_set(err, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (secret && (st.st_mode & 077) != 0) {
        err_set(err, "%s: the RP key is readable by others (mode %03o); chmod 600 it", path,
                (unsigned)(st.st_mode & 0777));
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > 65536) {
        err_set(err, "%s: not a PEM file of a sensible size", path);
        close(fd);
        return NULL;
    }
    char *pem = sodium_malloc((size_t)st.st_size + 1);
    ssize_t n = pem ? read(fd, pem, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        err_set(err, "%s: cannot read", path);
        sodium_free(pem);
        return NULL;
    }
    pem[n] = '\0';
    *len = (size_t)n;
    return pem;
}

bool
idp_client_load_rp_cert(struct idp_client *c, const char *cert_path, const char *key_path,
                        struct errbuf *err)
{
    if (sodium_init() < 0) {
        err_set(err, "libsodium cannot start");
        return false;
    }
    size_t cl = 0, kl = 0;
    char *cert = read_pem(cert_path, false, &cl, err);
    char *key = cert ? read_pem(key_path, true, &kl, err) : NULL;
    bool ok = key != NULL && idp_client_set_rp_cert(c, cert, cl, key, kl, err);
    sodium_free(cert); /* sodium_free wipes */
    sodium_free(key);
    return ok;
}

static enum idp_error
post(struct idp_client *c, const char *method, const char *body, struct buf *answer,
     char error_code[static 32], struct errbuf *err)
{
    error_code[0] = '\0';
    char *url = xasprintf("%s/%s", c->base, method);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    buf_init(answer, MAX_ANSWER);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, answer);
    CURLcode rc = curl_easy_perform(c->curl);
    curl_slist_free_all(h);
    free(url);
    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
        err_set(err, "the identity provider's key does not match the pinned key");
        return IDP_ERR_PIN;
    }
    if (rc == CURLE_WRITE_ERROR) {
        err_set(err, "the identity provider's answer is too large");
        return IDP_ERR_PROTOCOL;
    }
    if (rc != CURLE_OK) {
        err_set(err, "cannot reach the identity provider: %s", curl_easy_strerror(rc));
        return IDP_ERR_NETWORK;
    }
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200)
        return IDP_OK;
    json_t *o = json_loadb(buf_str(answer), answer->len, 0, NULL);
    const char *code = json_string_value(json_object_get(o, "errorCode"));
    /* A real endpoint may refuse a missing client certificate without a JSON body. */
    snprintf(error_code, 32, "%s", code ? code : status == 401 ? "unauthorized" : "");
    err_set(err, "the identity provider answered %ld %s%s", status, error_code,
            status == 401 ? ": it refused this relying party; check identity.rp_cert and "
                            "identity.rp_key"
                          : "");
    json_decref(o);
    return IDP_ERR_ANSWER;
}

enum idp_error
idp_auth(struct idp_client *c, struct bankid_auth_response *out, char error_code[static 32],
         struct errbuf *err)
{
    char *body = bankid_auth_request(c->ip, c->text);
    struct buf answer;
    enum idp_error e = post(c, "auth", body, &answer, error_code, err);
    free(body);
    if (e == IDP_OK && !bankid_parse_auth(buf_str(&answer), answer.len, out, err))
        e = IDP_ERR_PROTOCOL;
    buf_finish_wipe(&answer); /* holds the QR secret */
    return e;
}

enum idp_error
idp_collect(struct idp_client *c, const char *order_ref, struct bankid_collect *out,
            char error_code[static 32], struct errbuf *err)
{
    char *body = bankid_order_request(order_ref);
    struct buf answer;
    enum idp_error e = post(c, "collect", body, &answer, error_code, err);
    free(body);
    if (e == IDP_OK && !bankid_parse_collect(buf_str(&answer), answer.len, out, err))
        e = IDP_ERR_PROTOCOL;
    buf_finish_wipe(&answer); /* may hold the identity */
    return e;
}

enum idp_error
idp_cancel(struct idp_client *c, const char *order_ref, char error_code[static 32],
           struct errbuf *err)
{
    char *body = bankid_order_request(order_ref);
    struct buf answer;
    enum idp_error e = post(c, "cancel", body, &answer, error_code, err);
    free(body);
    buf_finish(&answer);
    return e;
}

/* 127.0.0.0/8 written as a plain dotted-decimal literal: four decimal numbers 0..255 without
 * leading zeros, the first 127. (curl has already turned 0x7f000001, 2130706433 and 127.1 into
 * this form, and 0127.0.0.1 into 87.0.0.1, as it will connect to them.) */
static bool
is_loopback_ipv4(const char *h)
{
    for (int part = 0; part < 4; part++) {
        if (part > 0 && *h++ != '.')
            return false;
        if (*h < '0' || *h > '9')
            return false;
        unsigned v = 0;
        const char *start = h;
        while (*h >= '0' && *h <= '9' && h - start < 4)
            v = v * 10 + (unsigned)(*h++ - '0');
        if (h - start > 3 || v > 255 || (*start == '0' && h - start > 1))
            return false;
        if (part == 0 && v != 127)
            return false;
    }
    return *h == '\0';
}

bool
idp_url_is_loopback(const char *url)
{
    if (url == NULL)
        return false;
    /* Parsed by curl itself, so the host checked is the one the requests go to: a prefix test
     * let https://127.0.0.1@192.0.2.1/ (user info) and https://127.0.0.1.nip.io/ through. */
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *zone = NULL;
    bool ok = u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
    /* A demo URL has no user info or IPv6 zone: either is a trick, not a configuration. */
    ok = ok && strcmp(scheme, "https") == 0 &&
         curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER &&
         curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_NO_PASSWORD &&
         curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_NO_ZONEID;
    /* localhost in any case (curl resolves it to loopback itself, as DNS names ignore case), but
     * not "localhost." or "x.localhost", which may go to a resolver. */
    ok = ok && (strcasecmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
                is_loopback_ipv4(host));
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_free(zone);
    curl_url_cleanup(u);
    return ok;
}

enum idp_error
idp_demo_identities(struct idp_client *c, const char *district, struct idp_demo_identity *out,
                    size_t max, size_t *n, struct errbuf *err)
{
    *n = 0;
    if (!idp_url_is_loopback(c->base)) {
        err_set(err, "demo identities are only offered by a provider on this machine");
        return IDP_ERR_PROTOCOL;
    }
    json_t *req = json_object();
    if (district != NULL)
        json_object_set_new(req, "district", json_string(district));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    struct buf answer;
    char code[32];
    enum idp_error e = post(c, "demo/identities", body, &answer, code, err);
    free(body);
    if (e == IDP_OK) {
        json_t *o = json_loadb(buf_str(&answer), answer.len, 0, NULL);
        json_t *list = json_object_get(o, "identities");
        if (!json_is_array(list) || !json_is_true(json_object_get(o, "demo"))) {
            err_set(err, "the provider's demo answer is malformed");
            e = IDP_ERR_PROTOCOL;
        }
        for (size_t i = 0; e == IDP_OK && i < json_array_size(list) && *n < max; i++) {
            const char *p =
                json_string_value(json_object_get(json_array_get(list, i), "personalNumber"));
            const char *nm = json_string_value(json_object_get(json_array_get(list, i), "name"));
            if (p == NULL || nm == NULL || strlen(p) != 12)
                continue;
            snprintf(out[*n].personal_number, sizeof(out[*n].personal_number), "%s", p);
            snprintf(out[*n].name, sizeof(out[*n].name), "%s", nm);
            (*n)++;
        }
        json_decref(o);
    }
    buf_finish_wipe(&answer);
    return e;
}

enum idp_error
idp_demo_scan(struct idp_client *c, const char *qr_data, const char *personal_number,
              struct errbuf *err)
{
    if (!idp_url_is_loopback(c->base)) {
        err_set(err, "demo identities are only offered by a provider on this machine");
        return IDP_ERR_PROTOCOL;
    }
    json_t *req = json_pack("{s:s, s:s}", "qrData", qr_data, "personalNumber", personal_number);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    struct buf answer;
    char code[32];
    enum idp_error e = post(c, "demo/scan", body, &answer, code, err);
    secure_zero(body, strlen(body));
    free(body);
    buf_finish_wipe(&answer);
    return e;
}
