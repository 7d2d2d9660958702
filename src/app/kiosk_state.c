/* Opening the kiosk's state. */
#include "kiosk_state.h"

#include <sodium.h>
#include <string.h>

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
