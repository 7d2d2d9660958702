/* storage.h's functions, dispatched to the back end the store was opened with, and what the
 * back ends share: scope, cursors, pages, the answers to pushed items and the case a submission
 * becomes. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports.h"
#include "storage_backend.h"
#include "submission.h"
#include "taxonomy.h"
#include "xalloc.h"

#define LOG_MODULE "casestore"
#include "log.h"

static const struct cs_storage_impl *
impl(struct cs_storage *st)
{
    /* Every back end's struct cs_storage starts with struct cs_storage_base. */
    return ((const struct cs_storage_base *)st)->impl;
}

struct cs_storage *
cs_storage_open(const char *dir, const char *storage, struct errbuf *err)
{
    if (storage == NULL)
        return cs_sqlite_open(dir, err);
    if (strncmp(storage, "postgresql://", 13) == 0 || strncmp(storage, "postgres://", 11) == 0)
        return cs_postgres_open(storage, err);
    err_set(err, "--storage: expected postgresql://..., got \"%.40s\"", storage);
    return NULL;
}

void
cs_storage_close(struct cs_storage *st)
{
    if (st != NULL)
        impl(st)->close(st);
}

enum cs_result
cs_token_create(struct cs_storage *st, const char *site, const char *districts, int64_t ttl_s,
                char token_out[static 48], struct errbuf *err)
{
    /* Every district must be one the city has; the token is kept only as its hash. */
    if (!cs_districts_known(districts, err))
        return CS_INVALID;
    unsigned char r[16], h[32];
    randombytes_buf(r, sizeof(r));
    char hex[33];
    sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
    snprintf(token_out, 48, "et-%s", hex);
    crypto_generichash(h, sizeof(h), (const unsigned char *)token_out, strlen(token_out), NULL, 0);
    return impl(st)->token_put(st, h, site, districts, (int64_t)time(NULL) + ttl_s, err);
}

void
cs_device_list(struct cs_storage *st, FILE *out)
{
    impl(st)->device_list(st, out);
}

enum cs_result
cs_device_revoke(struct cs_storage *st, const char *device_id)
{
    return impl(st)->device_revoke(st, device_id);
}

enum cs_result
cs_enroll(struct cs_storage *st, const char *token, const unsigned char pk[32],
          const char *site_name, struct cs_device *out, struct errbuf *err)
{
    return impl(st)->enroll(st, token, pk, site_name, out, err);
}

enum cs_result
cs_device_get(struct cs_storage *st, const char *device_id, struct cs_device *out)
{
    return impl(st)->device_get(st, device_id, out);
}

enum cs_result
cs_nonce_use(struct cs_storage *st, const char *device_id, const char *nonce, int64_t now,
             int64_t keep_s)
{
    return impl(st)->nonce_use(st, device_id, nonce, now, keep_s);
}

enum cs_result
cs_pull(struct cs_storage *st, const struct cs_device *dev, const char *cursor, int limit,
        struct cs_page *page, char cursor_out[static 64], int64_t *position_out, int64_t *head_out,
        bool *more, bool *reset)
{
    return impl(st)->pull(st, dev, cursor, limit, page, cursor_out, position_out, head_out, more,
                          reset);
}

void
cs_storage_publish_unchecked(struct cs_storage *st, bool unchecked)
{
    atomic_store(&((struct cs_storage_base *)st)->unchecked, unchecked);
}

bool
cs_storage_unchecked(struct cs_storage *st)
{
    return atomic_load(&((struct cs_storage_base *)st)->unchecked);
}

enum cs_result
cs_push_items(struct cs_storage *st, struct cs_device *dev, const json_t *items, int64_t now,
              json_t *results, struct cs_push_stop *stop, struct errbuf *err)
{
    return impl(st)->push_items(st, dev, items, now, results, stop, err);
}

enum cs_result
cs_record_put(struct cs_storage *st, const char *kind, const char *id, const char *citizen,
              const char *parent, const char *district, json_t *fields)
{
    return impl(st)->record_put(st, kind, id, citizen, parent, district, fields);
}

enum cs_result
cs_record_remove(struct cs_storage *st, const char *kind, const char *id, int *children,
                 struct errbuf *err)
{
    return impl(st)->record_remove(st, kind, id, children, err);
}

enum cs_result
cs_record_rewrite(struct cs_storage *st, const char *kind, const char *id, json_t *fields,
                  struct errbuf *err)
{
    return impl(st)->record_rewrite(st, kind, id, fields, err);
}

enum cs_result
cs_transaction(struct cs_storage *st, enum cs_result (*fn)(void *), void *data)
{
    return impl(st)->transaction(st, fn, data);
}

enum cs_result
cs_mutate(struct cs_storage *st, const char *what, const char *id, const char *arg,
          struct errbuf *err)
{
    return impl(st)->mutate(st, what, id, arg, err);
}

void
cs_stats(struct cs_storage *st, FILE *out)
{
    impl(st)->stats(st, out);
}

enum cs_result
cs_report_store(struct cs_storage *st, const char *device_id, const json_t *entries, int64_t now)
{
    return impl(st)->report_store(st, device_id, entries, now);
}

void
cs_report_list(struct cs_storage *st, FILE *out)
{
    impl(st)->report_list(st, out);
}

enum cs_result
cs_bankid_order_add(struct cs_storage *st, const struct cs_bankid_order *o, int64_t busy_s)
{
    return impl(st)->bankid_order_add(st, o, busy_s);
}

enum cs_result
cs_bankid_order_get(struct cs_storage *st, const char *key, bool by_token,
                    struct cs_bankid_order *out)
{
    memset(out, 0, sizeof(*out));
    return impl(st)->bankid_order_get(st, key, by_token, out);
}

enum cs_result
cs_bankid_order_update(struct cs_storage *st, const struct cs_bankid_order *o,
                       const char *only_if_status)
{
    return impl(st)->bankid_order_update(st, o, only_if_status);
}

enum cs_result
cs_citizen_name(struct cs_storage *st, const char *pnr, char given[static 128],
                char surname[static 128])
{
    return impl(st)->citizen_name(st, pnr, given, surname);
}

json_t *
cs_demo_identities(struct cs_storage *st, const char *district, int n)
{
    return impl(st)->demo_identities(st, district, n);
}

enum cs_result
cs_role_set(struct cs_storage *st, const char *site, const char *pnr, const char *role,
            const char *staff_id)
{
    return impl(st)->role_set(st, site, pnr, role, staff_id);
}

enum cs_result
cs_role_remove(struct cs_storage *st, const char *site, const char *pnr)
{
    return impl(st)->role_remove(st, site, pnr);
}

json_t *
cs_role_list(struct cs_storage *st, const char *site)
{
    return impl(st)->role_list(st, site);
}

enum cs_result
cs_status_put(struct cs_storage *st, const struct cs_device *dev, int64_t batch,
              const json_t *usage, const struct cs_health *health, int64_t now, bool *duplicate)
{
    *duplicate = false;
    return impl(st)->status_put(st, dev, batch, usage, health, now, duplicate);
}

enum cs_result
cs_usage_query(struct cs_storage *st, const char *from, const char *to, const char *site,
               json_t **rows)
{
    return impl(st)->usage_query(st, from, to, site, rows);
}

enum cs_result
cs_fleet_query(struct cs_storage *st, json_t **devices)
{
    return impl(st)->fleet_query(st, devices);
}

/* --- Shared by the back ends --- */

bool
cs_districts_known(const char *districts, struct errbuf *err)
{
    char *copy = xstrdup(districts);
    bool ok = true;
    for (char *save = NULL, *d = strtok_r(copy, ",", &save); d && ok;
         d = strtok_r(NULL, ",", &save)) {
        if (taxonomy_find(TAX_DISTRICT, d) < 0) {
            err_set(err, "unknown district \"%s\"", d);
            ok = false;
        }
    }
    free(copy);
    return ok;
}

bool
cs_in_scope(const char *districts, const char *district)
{
    if (strcmp(district, "*") == 0)
        return true;
    size_t dl = strlen(district);
    for (const char *p = districts; (p = strstr(p, district)) != NULL; p += dl) {
        bool start = p == districts || p[-1] == ',';
        bool end = p[dl] == '\0' || p[dl] == ',';
        if (start && end)
            return true;
    }
    return false;
}

bool
cs_cursor_parse(const char *cursor, const char *epoch, int64_t *position)
{
    *position = 0;
    if (cursor[0] == '\0')
        return true;
    size_t el = strlen(epoch);
    if (cursor[0] != 'c' || strncmp(cursor + 1, epoch, el) != 0 || cursor[1 + el] != '.')
        return false;
    char *end = NULL;
    *position = strtoll(cursor + 2 + el, &end, 10);
    return end != cursor + 2 + el && *end == '\0' && *position >= 0;
}

json_t *
cs_seen_result(const char *uuid, const char *status, const char *case_number, const char *reason,
               const char *stored_digest, const char *digest)
{
    /* Rows stored before digests were kept have none: they count as matching. */
    if (stored_digest != NULL && strcmp(stored_digest, digest) != 0)
        return json_pack("{s:s, s:s, s:s}", "uuid", uuid, "status", "rejected", "reason",
                         CS_REUSED_UUID);
    if (strcmp(status, "rejected") == 0)
        return json_pack("{s:s, s:s, s:s}", "uuid", uuid, "status", "rejected", "reason",
                         reason ? reason : "rejected");
    return json_pack("{s:s, s:s, s:s?}", "uuid", uuid, "status", "duplicate", "case_number",
                     case_number);
}

json_t *
cs_new_result(const char *uuid, bool accepted, const char *case_number, const char *reason)
{
    return accepted
               ? json_pack("{s:s, s:s, s:s}", "uuid", uuid, "status", "accepted", "case_number",
                           case_number)
               : json_pack("{s:s, s:s, s:s}", "uuid", uuid, "status", "rejected", "reason", reason);
}

static const char *
jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

json_t *
cs_case_fields(const json_t *item, const char *district, const char *case_number,
               json_t *registered_by, int64_t now)
{
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char received[11];
    strftime(received, sizeof(received), "%Y-%m-%d", &tm);
    int type = taxonomy_find(TAX_TYPE, jstr(item, "type"));
    json_t *fields = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "case_number",
                               case_number, "main", jstr(item, "main"), "type", jstr(item, "type"),
                               "class", jstr(item, "class"), "status", "inkommen", "title",
                               taxonomy_entry(TAX_TYPE, (size_t)type)->name_sv, "district",
                               district, "received_on", received, "updated_at", (json_int_t)now);
    /* Who registered it (the citizen, or an ombud and how identity was established) stays
     * with the case, as casestore rebuilt it from the validated members: every kiosk of the
     * district parses it. Kiosks ignore fields they do not know. */
    json_object_set(fields, "registered_by", registered_by);
    return fields;
}

json_t *
cs_case_first_event(int64_t now)
{
    return json_pack("{s:I, s:s, s:s}", "at", (json_int_t)now, "status", "inkommen", "note",
                     "Inkommen via Mina sidor-kiosken");
}

void
cs_case_number(int64_t now, int64_t n, char out[static 40])
{
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 40, "KCS-%04d-%06lld", tm.tm_year + 1900, (long long)n);
}

const char *
cs_short_str(const json_t *item, const char *key)
{
    const char *s = jstr(item, key);
    return s != NULL && strlen(s) <= 64 ? s : NULL;
}

bool
cs_check_item(struct cs_storage *st, const struct cs_device *dev, const json_t *item, int64_t now,
              bool (*citizen_district)(struct cs_storage *, const char *, char *, size_t),
              json_t **payload, json_t **by, char *district, size_t dsize, struct errbuf *why)
{
    snprintf(district, dsize, "*");
    if (!submission_validate(item, dev->site, payload, by, why))
        return false;
    if (!submission_city_rules(item, *payload, now, why))
        return false;
    const char *citizen = jstr(item, "citizen");
    const char *reason = NULL;
    if (citizen == NULL) {
        if (strcmp(jstr(item, "kind"), "callback") != 0)
            reason = "only a callback request may be anonymous";
    } else if (!citizen_district(st, citizen, district, dsize)) {
        reason = "the citizen is not known";
    } else if (!cs_in_scope(dev->districts, district)) {
        reason = "the citizen is outside this kiosk's districts";
    }
    if (reason != NULL)
        err_set(why, "%s", reason);
    return reason == NULL;
}
