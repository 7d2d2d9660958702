/* Signed role lists. */
#include "roles.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

const char *
role_code(enum role r)
{
    switch (r) {
    case ROLE_CITIZEN:
        return "citizen";
    case ROLE_STAFF:
        return "staff";
    case ROLE_TECHNICIAN:
        return "technician";
    }
    return "citizen";
}

enum role
roles_lookup(const unsigned char server_pk[32], const void *document, size_t doc_len,
             const unsigned char *signature, size_t sig_len, const char *site, const char *pnr12,
             int64_t now, char staff_id[static 40], struct errbuf *why)
{
    staff_id[0] = '\0';
    if (signature == NULL || sig_len != crypto_sign_BYTES ||
        crypto_sign_verify_detached(signature, document, doc_len, server_pk) != 0) {
        err_set(why, "the role list is not signed by the case store");
        return ROLE_CITIZEN;
    }
    struct errbuf perr;
    json_t *doc = json_parse_capped(document, doc_len, 1024 * 1024, &perr);
    const char *doc_site = json_string_value(json_object_get(doc, "site"));
    json_t *expires = json_object_get(doc, "expires_at");
    json_t *roles = json_object_get(doc, "roles");
    enum role found = ROLE_CITIZEN;
    if (doc == NULL || doc_site == NULL || !json_is_integer(expires) || !json_is_array(roles)) {
        err_set(why, "the role list is malformed");
    } else if (strcmp(doc_site, site) != 0) {
        err_set(why, "the role list is for another site");
    } else if (json_integer_value(expires) <= now) {
        err_set(why, "the role list has expired");
    } else {
        size_t i;
        json_t *r;
        err_set(why, "not in the role list");
        json_array_foreach(roles, i, r)
        {
            const char *pnr = json_string_value(json_object_get(r, "pnr"));
            const char *role = json_string_value(json_object_get(r, "role"));
            const char *id = json_string_value(json_object_get(r, "staff_id"));
            if (pnr == NULL || role == NULL || id == NULL || strcmp(pnr, pnr12) != 0)
                continue;
            if (strcmp(role, "staff") == 0)
                found = ROLE_STAFF;
            else if (strcmp(role, "technician") == 0)
                found = ROLE_TECHNICIAN;
            if (found != ROLE_CITIZEN) {
                snprintf(staff_id, 40, "%s", id);
                err_set(why, "listed");
            }
            break;
        }
    }
    json_decref(doc);
    return found;
}
