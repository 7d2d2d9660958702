/* Identity client transport. */
#include "client.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "xalloc.h"

#define MAX_ANSWER (64 * 1024)

struct idp_client {
    char *base, *pin, *ip, *text;
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
    free(c->base), free(c->pin), free(c->ip), free(c->text);
    free(c);
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
    snprintf(error_code, 32, "%s", code ? code : "");
    err_set(err, "the identity provider answered %ld %s", status, error_code);
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

bool
idp_url_is_loopback(const char *url)
{
    static const char *const hosts[] = { "https://127.", "https://localhost:", "https://localhost/",
                                         "https://[::1]" };
    for (size_t i = 0; url != NULL && i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (strncmp(url, hosts[i], strlen(hosts[i])) == 0)
            return true;
    }
    return false;
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
