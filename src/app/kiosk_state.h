/* Opening the provisioned kiosk's state (settings, root key, store, sync client) for the
 * subcommands that need it, in one checklist with one teardown. */
#ifndef MINASIDOR_KIOSK_STATE_H
#define MINASIDOR_KIOSK_STATE_H

#include "config.h"
#include "roles.h"
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

/* The person's role at this site (pnr12: 12 digits) from the stored role list, verified with
 * the key the case store gave at enrolment (device.roles_key) for device.site, as of now. Anything
 * missing or wrong means citizen; why says what. staff_id gets the person's staff id. */
enum role kiosk_state_role(const struct config *cfg, struct store *store, const char *pnr12,
                           int64_t now, char staff_id[static 40], struct errbuf *why);

#endif
