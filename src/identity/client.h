/* The identity client's transport: BankID RP v6 auth, collect and cancel over HTTPS (libcurl),
 * with the provider's key pinned when configured. Blocking calls with short timeouts; the UI
 * runs them off its thread. */
#ifndef MINASIDOR_IDENTITY_CLIENT_H
#define MINASIDOR_IDENTITY_CLIENT_H

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

enum idp_error idp_auth(struct idp_client *c, struct bankid_auth_response *out,
                        char error_code[static 32], struct errbuf *err);
enum idp_error idp_collect(struct idp_client *c, const char *order_ref, struct bankid_collect *out,
                           char error_code[static 32], struct errbuf *err);
enum idp_error idp_cancel(struct idp_client *c, const char *order_ref, char error_code[static 32],
                          struct errbuf *err);

#endif
