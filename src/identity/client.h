/* The identity client's transport: BankID RP v6 auth, collect and cancel over HTTPS (libcurl),
 * with the provider's key pinned when configured. Blocking calls with short timeouts; the UI
 * runs them off its thread. */
#ifndef MINASIDOR_IDENTITY_CLIENT_H
#define MINASIDOR_IDENTITY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "bankid.h"
#include "err.h"

enum idp_error {
    IDP_OK,
    IDP_ERR_NETWORK,  /* unreachable: the kiosk says so and offers callback and information */
    IDP_ERR_PIN,      /* the provider's key is not the pinned one */
    IDP_ERR_ANSWER,   /* an HTTP error with a BankID errorCode (see error_code) */
    IDP_ERR_PROTOCOL, /* malformed answer */
};

struct idp_client;

/* base_url: ".../rp/v6.0"; pin: "sha256//…" or NULL to rely on CA validation. */
struct idp_client *idp_client_create(const char *base_url, const char *pin, const char *end_user_ip,
                                     const char *visible_text);
void idp_client_destroy(struct idp_client *c);

/* Mutual TLS: the relying-party certificate and its key, PEM, from memory (copied; the caller
 * wipes its copy). */
bool idp_client_set_rp_cert(struct idp_client *c, const char *cert_pem, size_t cert_len,
                            const char *key_pem, size_t key_len, struct errbuf *err);
/* Validate the provider's certificate against this CA (PEM file) instead of the system's, as
 * BankID's own servers need; ignored when a pin is set. */
void idp_client_set_ca(struct idp_client *c, const char *ca_path);
/* The same from files; the key file must not be readable by group or others. */
bool idp_client_load_rp_cert(struct idp_client *c, const char *cert_path, const char *key_path,
                             struct errbuf *err);

enum idp_error idp_auth(struct idp_client *c, struct bankid_auth_response *out,
                        char error_code[static 32], struct errbuf *err);
enum idp_error idp_collect(struct idp_client *c, const char *order_ref, struct bankid_collect *out,
                           char error_code[static 32], struct errbuf *err);
enum idp_error idp_cancel(struct idp_client *c, const char *order_ref, char error_code[static 32],
                          struct errbuf *err);

/* --- Demo mode ----------------------------------------------------------------------------- */

/* True when url, parsed by libcurl as the requests will be, is https:// to a loopback host
 * (127.0.0.0/8 as a literal address, [::1], or localhost) with no user info or zone id: demo
 * mode is refused anywhere else, so a production configuration (the provider on another
 * machine) cannot turn it on. False for NULL or anything curl cannot parse. */
bool idp_url_is_loopback(const char *url);

struct idp_demo_identity {
    char personal_number[13];
    char name[128];
};

/* The identities casestore (serve --demo) offers for the kiosk's district; *n may be 0. */
enum idp_error idp_demo_identities(struct idp_client *c, const char *district,
                                   struct idp_demo_identity *out, size_t max, size_t *n,
                                   struct errbuf *err);
/* Plays the phone: scans qr_data and approves as personal_number. */
enum idp_error idp_demo_scan(struct idp_client *c, const char *qr_data, const char *personal_number,
                             struct errbuf *err);

#endif
