/* Staff and technician roles come from a role list for the site, signed by the case store
 * (Ed25519). A list that is unsigned, tampered, signed by another key, expired, for another site
 * or malformed grants nothing: the person is a citizen. */
#ifndef MINASIDOR_ROLES_H
#define MINASIDOR_ROLES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum role {
    ROLE_CITIZEN,
    ROLE_STAFF,      /* ombudsregistrering */
    ROLE_TECHNICIAN, /* provisioning and diagnostics */
};

/* The role of a person (12-digit personal number) at this site, as of now (UTC seconds).
 * Document: {"site":…, "issued_at":…, "expires_at":…, "roles":[{"pnr":…, "role":"staff"|
 * "technician", "staff_id":…}]}. staff_id (40 bytes) gets the person's staff id for the audit
 * log. why (may be NULL) says why a list granted nothing. */
enum role roles_lookup(const unsigned char server_pk[32], const void *document, size_t doc_len,
                       const unsigned char *signature, size_t sig_len, const char *site,
                       const char *pnr12, int64_t now, char staff_id[static 40],
                       struct errbuf *why);

const char *role_code(enum role r);

#endif
