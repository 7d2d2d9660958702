/* Opening the kiosk's state. */
#include "kiosk_state.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "httpsig.h"

bool
kiosk_state_open(const struct config *cfg, bool with_sync, struct kiosk_state *ks,
                 struct errbuf *err)
{
    memset(ks, 0, sizeof(*ks));
    const char *key = config_get_string(cfg, "store.key");
    const char *path = config_get_string(cfg, "store.path");
    if (key == NULL || path == NULL) {
        err_set(err, "this kiosk is not provisioned (store.key and store.path are not set; run "
                     "minasidor provision)");
        return false;
    }
    if (store_key_load(key, &ks->key, err) != STORE_OK ||
        store_open(path, ks->key, &ks->store, err) != STORE_OK)
        goto fail;
    /* Defence in depth: what the case store sends outside our districts is set aside. */
    store_set_scope(ks->store, config_get_string(cfg, "device.districts"));
    if (with_sync) {
        unsigned char pk[32];
        ks->sk = sync_device_keypair(ks->key, pk);
        ks->sync = sync_client_create(ks->store, config_get_string(cfg, "server.url"),
                                      config_get_string(cfg, "server.pin"),
                                      config_get_string(cfg, "device.id"), ks->sk, err);
        if (ks->sync == NULL)
            goto fail;
    }
    return true;
fail:
    kiosk_state_close(ks);
    return false;
}

void
kiosk_state_close(struct kiosk_state *ks)
{
    sync_client_destroy(ks->sync);
    store_close(ks->store);
    if (ks->sk != NULL)
        sodium_free(ks->sk);
    store_key_destroy(ks->key);
    memset(ks, 0, sizeof(*ks));
}

enum role
kiosk_state_role(const struct config *cfg, struct store *store, const char *pnr12, int64_t now,
                 char staff_id[static 40], struct errbuf *why)
{
    const char *rk64 = config_get_string(cfg, "device.roles_key");
    const char *site = config_get_string(cfg, "device.site");
    unsigned char pk[32];
    staff_id[0] = '\0';
    err_set(why, "this kiosk has no role list");
    if (rk64 == NULL || site == NULL || store == NULL || !httpsig_unb64(rk64, pk, sizeof(pk)))
        return ROLE_CITIZEN;
    enum role r = ROLE_CITIZEN;
    unsigned char *doc = NULL, *sig = NULL;
    size_t dl = 0, sl = 0;
    if (store_roles_get(store, &doc, &dl, &sig, &sl) == STORE_OK) {
        r = roles_lookup(pk, doc, dl, sig, sl, site, pnr12, now, staff_id, why);
        sodium_memzero(doc, dl);
    }
    free(doc);
    free(sig);
    return r;
}
