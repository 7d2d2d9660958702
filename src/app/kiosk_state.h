/* Opening the provisioned kiosk's state (settings, root key, store, sync client) for the
 * subcommands that need it, in one checklist with one teardown. */
#ifndef MINASIDOR_KIOSK_STATE_H
#define MINASIDOR_KIOSK_STATE_H

#include "config.h"
#include "store.h"
#include "sync.h"

struct kiosk_state {
    struct store_key *key;
    struct store *store;
    unsigned char *sk; /* device signing key, sodium memory */
    struct sync_client *sync;
};

/* Opens everything the settings name. False with err set (and nothing left open) on failure. */
bool kiosk_state_open(const struct config *cfg, bool with_sync, struct kiosk_state *ks,
                      struct errbuf *err);
void kiosk_state_close(struct kiosk_state *ks);

#endif
