/* casestore's HTTPS front: routing, request limits, signature checks, JSON responses. It talks
 * to storage only through storage.h. */
#ifndef CASESTORE_HTTP_H
#define CASESTORE_HTTP_H

#include <stdbool.h>

#include "err.h"
#include "storage.h"

struct cs_server;

struct cs_server_options {
    const char *listen;   /* "127.0.0.1:8443" */
    const char *cert_pem; /* borrowed until stop */
    const char *key_pem;
    const char *rp_ca_pem; /* the CA of relying-party client certificates (BankID simulator) */
    unsigned threads;
    const char *const *faults; /* "STATUS|truncate|lose:PATH:COUNT", NULL-terminated; for tests */
    const unsigned char *roles_sk; /* 64 bytes: signs site role lists */
    const unsigned char *roles_pk; /* 32 bytes: given to kiosks at enrolment */
    bool demo;                     /* the BankID simulator offers demo identities (loopback only) */
    const char *access_log; /* file the access log is appended to (PROTOCOL.md §10); NULL: none */
};

struct cs_server *cs_server_start(struct cs_storage *st, const struct cs_server_options *o,
                                  struct errbuf *err);
void cs_server_stop(struct cs_server *srv);

#endif
