/* The site role lists casestore signs for kiosks: who at a site is staff or technician. */
#ifndef CASESTORE_SITE_ROLES_H
#define CASESTORE_SITE_ROLES_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct cs_storage;

/* Loads DIR/roles.key (an Ed25519 seed, 0600), creating it the first time. sk: 64 bytes. */
bool site_roles_key(const char *dir, unsigned char sk[static 64], unsigned char pk[static 32],
                    struct errbuf *err);

/* Admin: sets or removes a person's role at a site. role: "staff" or "technician". */
bool site_roles_set(struct cs_storage *st, const char *site, const char *pnr, const char *role,
                    const char *staff_id, struct errbuf *err);
bool site_roles_remove(struct cs_storage *st, const char *site, const char *pnr);

/* The signed document for a site, valid for a week: caller frees *document. */
char *site_roles_document(struct cs_storage *st, const char *site, int64_t now);

#endif
