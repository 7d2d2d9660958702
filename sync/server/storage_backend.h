/* What a storage back end of casestore implements, and what the back ends share. storage.h is
 * the interface everyone else uses; storage.c dispatches each of its functions through the
 * back end's vtable. Each back end defines its own struct cs_storage whose first member is
 * `struct cs_storage_base`. Private to sync/server/storage*.c. */
#ifndef CASESTORE_STORAGE_BACKEND_H
#define CASESTORE_STORAGE_BACKEND_H

#include <stdatomic.h>

#include "storage.h"

struct cs_storage_impl;

/* What every back end's struct cs_storage starts with; storage.c reads it. */
struct cs_storage_base {
    const struct cs_storage_impl *impl; /* storage.c dispatches through it */
    atomic_bool unchecked;              /* cs_storage_publish_unchecked */
};

struct cs_storage_impl {
    void (*close)(struct cs_storage *st);
    /* Stores an enrolment token by its hash (cs_token_create makes the token and checks the
     * districts); valid until expires_at. */
    enum cs_result (*token_put)(struct cs_storage *st, const unsigned char hash[32],
                                const char *site, const char *districts, int64_t expires_at,
                                struct errbuf *err);
    void (*device_list)(struct cs_storage *st, FILE *out);
    enum cs_result (*device_revoke)(struct cs_storage *st, const char *device_id);
    enum cs_result (*enroll)(struct cs_storage *st, const char *token, const unsigned char pk[32],
                             const char *site_name, struct cs_device *out, struct errbuf *err);
    enum cs_result (*device_get)(struct cs_storage *st, const char *device_id,
                                 struct cs_device *out);
    enum cs_result (*nonce_use)(struct cs_storage *st, const char *device_id, const char *nonce,
                                int64_t now, int64_t keep_s);
    enum cs_result (*pull)(struct cs_storage *st, const struct cs_device *dev, const char *cursor,
                           int limit, struct cs_page *page, char cursor_out[static 64],
                           int64_t *position_out, int64_t *head_out, bool *more, bool *reset);
    enum cs_result (*push_items)(struct cs_storage *st, struct cs_device *dev, const json_t *items,
                                 int64_t now, json_t *results, struct cs_push_stop *stop,
                                 struct errbuf *err);
    enum cs_result (*record_put)(struct cs_storage *st, const char *kind, const char *id,
                                 const char *citizen, const char *parent, const char *district,
                                 json_t *fields);
    enum cs_result (*record_remove)(struct cs_storage *st, const char *kind, const char *id,
                                    int *children, struct errbuf *err);
    enum cs_result (*record_rewrite)(struct cs_storage *st, const char *kind, const char *id,
                                     json_t *fields, struct errbuf *err);
    enum cs_result (*transaction)(struct cs_storage *st, enum cs_result (*fn)(void *), void *data);
    enum cs_result (*mutate)(struct cs_storage *st, const char *what, const char *id,
                             const char *arg, struct errbuf *err);
    void (*stats)(struct cs_storage *st, FILE *out);
    enum cs_result (*report_store)(struct cs_storage *st, const char *device_id,
                                   const json_t *entries, int64_t now);
    void (*report_list)(struct cs_storage *st, FILE *out);
    enum cs_result (*bankid_order_add)(struct cs_storage *st, const struct cs_bankid_order *o,
                                       int64_t busy_s);
    enum cs_result (*bankid_order_get)(struct cs_storage *st, const char *key, bool by_token,
                                       struct cs_bankid_order *out);
    enum cs_result (*bankid_order_update)(struct cs_storage *st, const struct cs_bankid_order *o,
                                          const char *only_if_status);
    enum cs_result (*citizen_name)(struct cs_storage *st, const char *pnr, char given[static 128],
                                   char surname[static 128]);
    json_t *(*demo_identities)(struct cs_storage *st, const char *district, int n);
    enum cs_result (*role_set)(struct cs_storage *st, const char *site, const char *pnr,
                               const char *role, const char *staff_id);
    enum cs_result (*role_remove)(struct cs_storage *st, const char *site, const char *pnr);
    json_t *(*role_list)(struct cs_storage *st, const char *site);
    enum cs_result (*status_put)(struct cs_storage *st, const struct cs_device *dev, int64_t batch,
                                 const json_t *usage, const struct cs_health *health, int64_t now,
                                 bool *duplicate);
    enum cs_result (*usage_query)(struct cs_storage *st, const char *from, const char *to,
                                  const char *site, json_t **rows);
    enum cs_result (*fleet_query)(struct cs_storage *st, json_t **devices);
};

/* The back ends: NULL with err if the store cannot be opened (or created). */
struct cs_storage *cs_sqlite_open(const char *dir, struct errbuf *err);
struct cs_storage *cs_postgres_open(const char *conninfo, struct errbuf *err);

/* --- Shared by the back ends (storage.c) --- */

/* Whether every district of "a,b" is one the city has; false with err naming one that is not. */
bool cs_districts_known(const char *districts, struct errbuf *err);

/* Whether a change in district is for a device of districts ("a,b"; "*" is everyone's). */
bool cs_in_scope(const char *districts, const char *district);

/* The position of a cursor "c<epoch>.<position>" of this epoch; false if it is from another
 * history (or not a cursor). An empty cursor is position 0. */
bool cs_cursor_parse(const char *cursor, const char *epoch, int64_t *position);

/* The answer to an item whose uuid this device stored before (PROTOCOL.md §6): its first
 * answer when stored_digest is NULL or equals digest, else a rejection (reused uuid). */
json_t *cs_seen_result(const char *uuid, const char *status, const char *case_number,
                       const char *reason, const char *stored_digest, const char *digest);

/* The answer to a new item: accepted with case_number, or rejected with reason. */
json_t *cs_new_result(const char *uuid, bool accepted, const char *case_number, const char *reason);

#define CS_REUSED_UUID "this uuid was used for another submission"

/* A submission's case as the citizen sees it on Mina sidor (fields) and its first event. */
json_t *cs_case_fields(const json_t *item, const char *district, const char *case_number,
                       json_t *registered_by, int64_t now);
json_t *cs_case_first_event(int64_t now);

/* "KCS-<year of now>-<n>" */
void cs_case_number(int64_t now, int64_t n, char out[static 40]);

/* A member of an item worth keeping with a rejection: a short string, or NULL. */
const char *cs_short_str(const json_t *item, const char *key);

/* Checks a submission against its schema (submission.c) and the city's rules; the database's
 * part (the citizen's district) comes from citizen_district. See storage_sqlite.c. */
bool cs_check_item(struct cs_storage *st, const struct cs_device *dev, const json_t *item,
                   int64_t now,
                   bool (*citizen_district)(struct cs_storage *, const char *, char *, size_t),
                   json_t **payload, json_t **by, char *district, size_t dsize, struct errbuf *why);

#endif
