/* The schema of what a kiosk pushes and of what casestore publishes. A device is trusted with
 * its own submissions, never with what every other kiosk of its district will parse: whatever
 * it sends is checked here member by member and rebuilt, so the case record that goes out
 * holds only values of the shapes the protocol names. */
#include "submission.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "macros.h"
#include "store.h"
#include "taxonomy.h"

static const char *
jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

bool
submission_digest(const json_t *item, char out[static SUBMISSION_DIGEST_HEX])
{
    json_t *copy = json_copy((json_t *)item); /* shallow: only "seq" is dropped */
    if (copy == NULL)
        return false;
    json_object_del(copy, "seq");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    if (text == NULL)
        return false;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    free(text);
    sodium_bin2hex(out, SUBMISSION_DIGEST_HEX, h, sizeof(h));
    return true;
}

/* Characters (code points) of a valid UTF-8 string: jansson checked the encoding. */
static size_t
chars(const json_t *s)
{
    const char *p = json_string_value(s);
    size_t n = 0, len = json_string_length(s);
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)p[i] & 0xC0) != 0x80;
    return n;
}

/* A string of at most max characters without control characters (NUL included). */
static bool
text_ok(const json_t *v, size_t max)
{
    if (!json_is_string(v) || chars(v) > max)
        return false;
    const char *p = json_string_value(v);
    for (size_t i = 0; i < json_string_length(v); i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            return false;
    }
    return true;
}

/* An id or a code: 1..SUBMISSION_CODE_MAX of [A-Za-z0-9._:-]. */
static bool
code_ok(const json_t *v)
{
    if (!json_is_string(v))
        return false;
    size_t len = json_string_length(v);
    const char *p = json_string_value(v);
    if (len == 0 || len > SUBMISSION_CODE_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* A payload member's name: 1..40 of [a-z0-9_]. */
static bool
key_ok(const char *k)
{
    size_t len = strlen(k);
    if (len == 0 || len > 40)
        return false;
    for (size_t i = 0; i < len; i++) {
        bool ok = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_';
        if (!ok)
            return false;
    }
    return true;
}

bool
submission_uuid_ok(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return false;
    }
    return true;
}

static bool
one_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

/* The payload, rebuilt: a flat object of strings, integers and lists of strings. */
static json_t *
payload_rebuild(const json_t *in, struct errbuf *err)
{
    if (!json_is_object(in)) {
        err_set(err, "payload: expected an object");
        return NULL;
    }
    if (json_object_size(in) > SUBMISSION_ANSWERS) {
        err_set(err, "payload: more than %d answers", SUBMISSION_ANSWERS);
        return NULL;
    }
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        if (!key_ok(k)) {
            err_set(err, "payload: an answer's name is not 1 to 40 of a-z, 0-9 and _");
            json_decref(out);
            return NULL;
        }
        json_t *copy = NULL;
        if (json_is_string(v)) {
            if (text_ok(v, SUBMISSION_TEXT_MAX))
                copy = json_stringn(json_string_value(v), json_string_length(v));
            else
                err_set(err,
                        "payload: %s: a text of more than %d characters or with control"
                        " characters",
                        k, SUBMISSION_TEXT_MAX);
        } else if (json_is_integer(v)) {
            copy = json_integer(json_integer_value(v));
        } else if (json_is_array(v) && json_array_size(v) <= SUBMISSION_LIST_MAX) {
            copy = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (!text_ok(e, SUBMISSION_NAME_MAX)) {
                    err_set(err,
                            "payload: %s: a list element is not a text of at most %d"
                            " characters",
                            k, SUBMISSION_NAME_MAX);
                    json_decref(copy);
                    copy = NULL;
                    break;
                }
                json_array_append_new(copy,
                                      json_stringn(json_string_value(e), json_string_length(e)));
            }
        } else {
            err_set(err, "payload: %s: expected a text, an integer or a list of at most %d texts",
                    k, SUBMISSION_LIST_MAX);
        }
        if (copy == NULL) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, k, copy);
    }
    return out;
}

/* registered_by, rebuilt from the members PROTOCOL.md §6 names and nothing else. The site is
 * the one casestore enrolled the device for. */
static json_t *
registered_by_rebuild(const json_t *in, const char *device_site, struct errbuf *err)
{
    static const char *const citizen_members[] = { "by", "identified_with" };
    static const char *const ombud_members[] = {
        "by",   "staff_id", "identity_established_by", "document_type", "document_last4",
        "site", "corrects",
    };
    static const char *const identified[] = { "bankid", "none" };
    static const char *const established[] = { "bankid", "document" };
    static const char *const documents[] = { "id_card", "passport", "driving_licence" };
    if (!json_is_object(in)) {
        err_set(err, "registered_by: expected an object");
        return NULL;
    }
    const char *by = jstr(in, "by");
    bool ombud = by != NULL && strcmp(by, "ombud") == 0;
    if (by == NULL || (!ombud && strcmp(by, "citizen") != 0)) {
        err_set(err, "registered_by.by: expected \"citizen\" or \"ombud\"");
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)in, k, v)
    {
        bool known = ombud ? one_of(k, ombud_members, ARRAY_LEN(ombud_members))
                           : one_of(k, citizen_members, ARRAY_LEN(citizen_members));
        if (!known || !json_is_string(v)) {
            err_set(err, "registered_by: a member that is not a text or not one of §6's");
            return NULL;
        }
    }
    if (!ombud) {
        const char *with = jstr(in, "identified_with");
        if (with != NULL && !one_of(with, identified, ARRAY_LEN(identified))) {
            err_set(err, "registered_by.identified_with: expected \"bankid\" or \"none\"");
            return NULL;
        }
        return with ? json_pack("{s:s, s:s}", "by", "citizen", "identified_with", with)
                    : json_pack("{s:s}", "by", "citizen");
    }
    const char *how = jstr(in, "identity_established_by");
    const char *doc = jstr(in, "document_type"), *last4 = jstr(in, "document_last4");
    const char *site = jstr(in, "site");
    if (!code_ok(json_object_get(in, "staff_id"))) {
        err_set(err, "registered_by.staff_id: expected an id of 1 to %d characters",
                SUBMISSION_CODE_MAX);
        return NULL;
    }
    if (!one_of(how, established, ARRAY_LEN(established))) {
        err_set(err, "registered_by.identity_established_by: expected \"bankid\" or"
                     " \"document\"");
        return NULL;
    }
    bool by_document = strcmp(how, "document") == 0;
    if (by_document != (doc != NULL) || by_document != (last4 != NULL)) {
        err_set(err, "registered_by: document_type and document_last4 go with, and only with,"
                     " identity established by a document");
        return NULL;
    }
    if (by_document && !one_of(doc, documents, ARRAY_LEN(documents))) {
        err_set(err, "registered_by.document_type: expected id_card, passport or"
                     " driving_licence");
        return NULL;
    }
    if (by_document) {
        bool ok = strlen(last4) == 4;
        for (size_t i = 0; ok && i < 4; i++)
            ok = (last4[i] >= '0' && last4[i] <= '9') || (last4[i] >= 'A' && last4[i] <= 'Z');
        if (!ok) {
            err_set(err, "registered_by.document_last4: expected 4 of A-Z and 0-9");
            return NULL;
        }
    }
    if (site != NULL && (device_site == NULL || strcmp(site, device_site) != 0)) {
        err_set(err, "registered_by.site: not the site this kiosk was enrolled for");
        return NULL;
    }
    json_t *corrects = json_object_get(in, "corrects");
    if (corrects != NULL && !submission_uuid_ok(json_string_value(corrects))) {
        err_set(err, "registered_by.corrects: expected the uuid of the rejected submission");
        return NULL;
    }
    json_t *out = json_pack("{s:s, s:s, s:s}", "by", "ombud", "staff_id", jstr(in, "staff_id"),
                            "identity_established_by", how);
    if (device_site != NULL && device_site[0] != '\0')
        json_object_set_new(out, "site", json_string(device_site));
    if (by_document) {
        json_object_set_new(out, "document_type", json_string(doc));
        json_object_set_new(out, "document_last4", json_string(last4));
    }
    if (corrects != NULL)
        json_object_set_new(out, "corrects", json_string(json_string_value(corrects)));
    return out;
}

bool
submission_validate(const json_t *item, const char *device_site, json_t **payload,
                    json_t **registered_by, struct errbuf *err)
{
    static const char *const kinds[] = { "application", "complaint", "callback", "choice" };
    *payload = NULL;
    *registered_by = NULL;
    const char *kind = jstr(item, "kind");
    if (!one_of(kind, kinds, ARRAY_LEN(kinds))) {
        err_set(err, "unknown kind of submission");
        return false;
    }
    int main = jstr(item, "main") ? taxonomy_find(TAX_MAIN, jstr(item, "main")) : -1;
    int type = jstr(item, "type") ? taxonomy_find(TAX_TYPE, jstr(item, "type")) : -1;
    int klass = jstr(item, "class") ? taxonomy_find(TAX_CLASS, jstr(item, "class")) : -1;
    if (main < 0 || type < 0 || klass < 0) {
        err_set(err, "unknown huvudkategori, ärendetyp or ärendeklass");
        return false;
    }
    if (!taxonomy_type_allowed((enum case_main)main, (enum case_type)type)) {
        err_set(err, "this ärendetyp does not belong under this huvudkategori");
        return false;
    }
    const json_t *citizen = json_object_get(item, "citizen");
    if (citizen != NULL && !json_is_null(citizen) && !code_ok(citizen)) {
        err_set(err, "citizen: expected the citizen's server id or null");
        return false;
    }
    const json_t *created = json_object_get(item, "created_at");
    if (!json_is_integer(created) || json_integer_value(created) < 0) {
        err_set(err, "created_at: expected the time in seconds since 1970");
        return false;
    }
    json_t *p = payload_rebuild(json_object_get(item, "payload"), err);
    json_t *by =
        p ? registered_by_rebuild(json_object_get(item, "registered_by"), device_site, err) : NULL;
    if (by == NULL) {
        json_decref(p);
        return false;
    }
    *payload = p;
    *registered_by = by;
    return true;
}

bool
submission_city_rules(const json_t *item, const json_t *payload, int64_t now, struct errbuf *err)
{
    /* Stockholm's rule for förskola: apply at least three months before the start (the city
     * then offers a place within four). The case store decides this, not the kiosk. */
    const char *start = jstr(payload, "start_date");
    const char *type = jstr(item, "type");
    struct date d;
    if (type != NULL && taxonomy_find(TAX_TYPE, type) == CASE_TYPE_FORSKOLEPLATS && start != NULL &&
        (!date_parse_iso(start, &d) || date_to_days(d) < now / 86400 + 90)) {
        err_set(err, "Förskoleplats: the start date must be at least three months after the"
                     " application");
        return false;
    }
    return true;
}

bool
submission_record_check(const char *kind, const char *id, const char *citizen, const char *parent,
                        const json_t *fields, struct errbuf *err)
{
    enum store_kind k;
    if (kind == NULL || !store_kind_from_name(kind, &k)) {
        err_set(err, "a kind kiosks do not know");
        return false;
    }
    const struct store_kind_def *def = store_kind(k);
    if (id == NULL || id[0] == '\0' || strlen(id) > SUBMISSION_WIRE_ID_MAX ||
        (citizen != NULL && strlen(citizen) > SUBMISSION_WIRE_ID_MAX) ||
        (parent != NULL && strlen(parent) > SUBMISSION_WIRE_ID_MAX)) {
        err_set(err, "an id longer than %d bytes", SUBMISSION_WIRE_ID_MAX);
        return false;
    }
    if (def->personal && k != STORE_KIND_CITIZEN && citizen == NULL) {
        err_set(err, "no citizen");
        return false;
    }
    if (def->has_parent && parent == NULL) {
        err_set(err, "no parent");
        return false;
    }
    if (!json_is_object(fields)) {
        err_set(err, "fields: expected an object");
        return false;
    }
    for (size_t i = 0; i < def->n_fields; i++) {
        const struct store_field_def *f = &def->fields[i];
        const json_t *v = json_object_get(fields, f->name);
        if (v == NULL || json_is_null(v)) {
            if (f->required) {
                err_set(err, "%s: missing", f->name);
                return false;
            }
            continue;
        }
        bool ok = f->type == STORE_FIELD_INT ? json_is_integer(v) : json_is_string(v);
        if (!ok) {
            err_set(err, "%s: expected %s", f->name,
                    f->type == STORE_FIELD_INT ? "an integer" : "a text");
            return false;
        }
        if (f->type == STORE_FIELD_TEXT && json_string_length(v) > SUBMISSION_WIRE_TEXT_MAX) {
            err_set(err, "%s: longer than %d bytes", f->name, SUBMISSION_WIRE_TEXT_MAX);
            return false;
        }
    }
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)fields, name, v)
    {
        if (store_field_index(k, name) >= 0 || !(json_is_object(v) || json_is_array(v)))
            continue;
        if (k == STORE_KIND_CASE && strcmp(name, "registered_by") == 0) {
            /* As casestore rebuilt it; the site it names is checked when it is pushed. */
            json_t *again = registered_by_rebuild(v, jstr(v, "site"), err);
            bool same = again != NULL && json_equal(again, v);
            json_decref(again);
            if (!same) {
                if (again != NULL)
                    err_set(err, "registered_by: not as §6 describes it");
                return false;
            }
            continue;
        }
        err_set(err, "a field that is an object or a list");
        return false;
    }
    return true;
}
