/* Site role lists. */
#include "site_roles.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage.h"
#include "xalloc.h"

#define VALID_S (7 * 86400)

bool
site_roles_key(const char *dir, unsigned char sk[static 64], unsigned char pk[static 32],
               struct errbuf *err)
{
    char *path = xasprintf("%s/roles.key", dir);
    unsigned char seed[crypto_sign_SEEDBYTES];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok;
    if (fd >= 0) {
        ok = read(fd, seed, sizeof(seed)) == (ssize_t)sizeof(seed);
        close(fd);
    } else {
        randombytes_buf(seed, sizeof(seed));
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ok = fd >= 0 && write(fd, seed, sizeof(seed)) == (ssize_t)sizeof(seed) && fsync(fd) == 0;
        if (fd >= 0)
            close(fd);
    }
    if (ok)
        crypto_sign_seed_keypair(pk, sk, seed);
    else
        err_set(err, "%s: cannot read or create the role-signing key: %s", path, strerror(errno));
    sodium_memzero(seed, sizeof(seed));
    free(path);
    return ok;
}

bool
site_roles_set(struct cs_storage *st, const char *site, const char *pnr, const char *role,
               const char *staff_id, struct errbuf *err)
{
    if (strcmp(role, "staff") != 0 && strcmp(role, "technician") != 0) {
        err_set(err, "role must be staff or technician");
        return false;
    }
    if (strlen(pnr) != 12 || strspn(pnr, "0123456789") != 12) {
        err_set(err, "the personal number must be 12 digits");
        return false;
    }
    bool ok = cs_role_set(st, site, pnr, role, staff_id) == CS_OK;
    if (!ok)
        err_set(err, "could not store the role");
    return ok;
}

bool
site_roles_remove(struct cs_storage *st, const char *site, const char *pnr)
{
    return cs_role_remove(st, site, pnr) == CS_OK;
}

char *
site_roles_document(struct cs_storage *st, const char *site, int64_t now)
{
    json_t *roles = cs_role_list(st, site);
    json_t *doc = json_pack("{s:s, s:I, s:I, s:o}", "site", site, "issued_at", (json_int_t)now,
                            "expires_at", (json_int_t)(now + VALID_S), "roles", roles);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}
