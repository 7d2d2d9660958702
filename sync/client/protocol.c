/* Sync protocol core. */
#include "protocol.h"

#include <stdarg.h>
#include <string.h>

#include "date.h"
#include "json.h"
#include "xalloc.h"

char *
proto_pull_request(const char *cursor, int limit)
{
    json_t *o = json_pack("{s:s, s:i}", "cursor", cursor, "limit", limit);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

void
proto_page_finish(struct proto_page *page)
{
    free(page->changes);
    free(page->reasons);
    json_decref(page->root);
    memset(page, 0, sizeof(*page));
}

/* Marks a change set aside: "change 3: <what>", where what comes from err (member names only:
 * json_get_* never quote values) or fmt. */
__attribute__((format(printf, 4, 5))) static void
set_aside(struct proto_page *page, size_t index, const struct errbuf *why, const char *fmt, ...)
{
    char *r = page->reasons[index];
    int l = snprintf(r, PROTO_REASON_MAX, "change %zu: ", index);
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r + l, PROTO_REASON_MAX - (size_t)l, fmt, ap);
        va_end(ap);
    } else {
        size_t room = PROTO_REASON_MAX - (size_t)l - 1, wl = strnlen(why->msg, room);
        memcpy(r + l, why->msg, wl); /* a long reason is cut, not refused */
        r[(size_t)l + wl] = '\0';
    }
    page->changes[index].set_aside = r;
    page->set_aside++;
}

static void
parse_change(json_t *c, size_t index, struct proto_page *page)
{
    struct store_change *out = &page->changes[index];
    memset(out, 0, sizeof(*out));
    struct errbuf why = { "" };
    if (!json_is_object(c)) {
        out->kind_name = "?";
        set_aside(page, index, NULL, "not a JSON object");
        return;
    }
    const char *kind = NULL, *op = NULL;
    /* What the set-aside list names it by, before anything else can fail. */
    out->kind_name = json_string_value(json_object_get(c, "kind"));
    if (out->kind_name == NULL)
        out->kind_name = "?";
    if (json_string_value(json_object_get(c, "id")) != NULL &&
        strlen(json_string_value(json_object_get(c, "id"))) <= 200)
        out->id = json_string_value(json_object_get(c, "id"));
    if (!json_get_str(c, "kind", true, 32, &kind, &why) ||
        !json_get_str(c, "id", true, 200, &out->id, &why) ||
        !json_get_str(c, "op", true, 16, &op, &why) ||
        !json_get_str(c, "citizen", false, 200, &out->citizen, &why) ||
        !json_get_str(c, "parent", false, 200, &out->parent, &why)) {
        set_aside(page, index, &why, NULL);
        return;
    }
    if (!store_kind_from_name(kind, &out->kind)) {
        if (strcmp(op, "delete") == 0)
            out->tombstone = true; /* nothing here to delete: it only clears the set-aside entry */
        else
            set_aside(page, index, NULL, "unknown kind");
        return;
    }
    out->kind_name = NULL; /* known: the store names it */
    if (strcmp(op, "delete") == 0) {
        out->tombstone = true;
        return;
    }
    if (strcmp(op, "upsert") != 0) {
        set_aside(page, index, NULL, "op must be upsert or delete");
        return;
    }
    const struct store_kind_def *d = store_kind(out->kind);
    if (d->personal && out->kind != STORE_KIND_CITIZEN && out->citizen == NULL) {
        set_aside(page, index, NULL, "citizen missing");
        return;
    }
    if (d->has_parent && out->parent == NULL) {
        set_aside(page, index, NULL, "parent missing");
        return;
    }
    json_t *fields = json_object_get(c, "fields");
    if (!json_is_object(fields)) {
        set_aside(page, index, NULL, "fields: expected an object");
        return;
    }
    for (size_t f = 0; f < d->n_fields; f++) {
        const struct store_field_def *fd = &d->fields[f];
        struct store_value *v = &out->values[f];
        bool ok;
        if (fd->type == STORE_FIELD_TEXT) {
            ok = json_get_str(fields, fd->name, fd->required, 64 * 1024, &v->text, &why);
            v->set = v->text != NULL;
        } else {
            v->num = 0;
            ok = json_get_int(fields, fd->name, fd->required, INT64_MIN, INT64_MAX, &v->num, &why);
            v->set = ok && json_object_get(fields, fd->name) != NULL &&
                     !json_is_null(json_object_get(fields, fd->name));
        }
        if (!ok) {
            set_aside(page, index, &why, NULL);
            return;
        }
    }
}

/* The parser's message quotes the text near the error, which may be part of a personal value:
 * keep the line and column, drop the quote. */
static void
drop_quoted_text(struct errbuf *err)
{
    char *near = err != NULL ? strstr(err->msg, " near '") : NULL;
    if (near != NULL)
        *near = '\0';
}

bool
proto_pull_parse(const char *body, size_t len, struct proto_page *page, struct errbuf *err)
{
    memset(page, 0, sizeof(*page));
    json_t *root = json_parse_capped(body, len, PROTO_MAX_RESPONSE, err);
    if (root == NULL) {
        drop_quoted_text(err);
        return false;
    }
    page->root = root;
    long long server_time = 0;
    if (!json_is_object(root) || !json_get_bool(root, "reset", false, &page->reset, err) ||
        !json_get_int(root, "server_time", true, 0, INT64_MAX, &server_time, err)) {
        if (!json_is_object(root))
            err_set(err, "the page is not a JSON object");
        proto_page_finish(page);
        return false;
    }
    page->server_time = server_time;
    if (page->reset)
        return true;
    long long position = 0, head = 0;
    json_t *changes = json_object_get(root, "changes");
    if (!json_get_str(root, "cursor", true, 200, &page->cursor, err) ||
        !json_get_int(root, "position", true, 0, INT64_MAX, &position, err) ||
        !json_get_int(root, "head", false, 0, INT64_MAX, &head, err) ||
        !json_get_bool(root, "more", true, &page->more, err)) {
        proto_page_finish(page);
        return false;
    }
    if (!json_is_array(changes) || json_array_size(changes) > PROTO_MAX_PAGE) {
        err_set(err, "changes: expected an array of at most %d", PROTO_MAX_PAGE);
        proto_page_finish(page);
        return false;
    }
    page->position = position;
    page->head = head;
    page->n = json_array_size(changes);
    page->changes = xcalloc(page->n ? page->n : 1, sizeof(*page->changes));
    page->reasons = xcalloc(page->n ? page->n : 1, sizeof(*page->reasons));
    for (size_t i = 0; i < page->n; i++)
        parse_change(json_array_get(changes, i), i, page);
    return true;
}

enum proto_page_verdict
proto_page_judge(const struct proto_page *page, int64_t stored_position)
{
    if (page->reset)
        return PROTO_PAGE_RESET;
    if (page->position < stored_position)
        return PROTO_PAGE_WENT_BACK;
    if (page->more && page->position == stored_position && page->n == 0)
        return PROTO_PAGE_NO_PROGRESS;
    return PROTO_PAGE_APPLY;
}

char *
proto_status_request(int64_t batch, const struct store_usage_total *totals, size_t n,
                     const struct sync_health *health)
{
    json_t *usage = json_array();
    for (size_t i = 0; i < n && i < PROTO_MAX_USAGE; i++) {
        char day[11];
        date_format_iso(date_from_days(totals[i].day), day);
        json_array_append_new(usage,
                              json_pack("{s:s, s:s, s:I}", "day", day, "counter", totals[i].counter,
                                        "count", (json_int_t)totals[i].count));
    }
    json_t *failing = json_array();
    for (size_t i = 0; i < health->n_failing; i++)
        json_array_append_new(failing, json_string(health->failing[i]));
    json_t *root = json_pack("{s:I, s:o, s:{s:s, s:I, s:I, s:o}}", "batch", (json_int_t)batch,
                             "usage", usage, "health", "version", health->version, "last_sync",
                             (json_int_t)health->last_sync_at, "outbox_age",
                             (json_int_t)health->outbox_age_s, "failing", failing);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

char *
proto_report_request(const struct store_set_aside *entries, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n && i < PROTO_MAX_REPORT; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "kind", entries[i].kind, "id",
                                              entries[i].id, "reason", entries[i].reason));
    json_t *root = json_pack("{s:o}", "set_aside", list);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

char *
proto_push_request(const struct store_outbox *ob, size_t n, int64_t *bad_seq)
{
    *bad_seq = 0;
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct store_outbox_item *it = &ob->items[i];
        json_t *payload = it->payload ? json_loads(it->payload, 0, NULL) : NULL;
        json_t *by = it->registered_by ? json_loads(it->registered_by, 0, NULL) : NULL;
        if (payload == NULL || by == NULL || it->kind == NULL) {
            json_decref(payload);
            json_decref(by);
            if (*bad_seq == 0)
                *bad_seq = it->seq;
            break; /* later items must wait: the server needs the sequence without gaps */
        }
        json_t *o =
            json_pack("{s:s, s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:o, s:o}", "uuid", it->uuid,
                      "seq", (json_int_t)it->wire_seq, "kind", it->kind, "main", it->main, "type",
                      it->type, "class", it->klass, "citizen", it->citizen_server_id, "created_at",
                      (json_int_t)it->created_at, "payload", payload, "registered_by", by);
        if (it->citizen_server_id == NULL)
            json_object_set_new(o, "citizen", json_null());
        json_array_append_new(items, o);
    }
    json_t *root = json_pack("{s:o}", "items", items);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

void
proto_push_finish(struct proto_push_response *r)
{
    json_decref(r->root);
    r->root = NULL;
    r->n = 0;
}

bool
proto_push_parse(const char *body, size_t len, struct proto_push_response *r, struct errbuf *err)
{
    memset(r, 0, sizeof(*r));
    json_t *root = json_parse_capped(body, len, PROTO_MAX_RESPONSE, err);
    if (root == NULL) {
        drop_quoted_text(err);
        return false;
    }
    r->root = root;
    long long server_time = 0;
    json_t *results = json_object_get(root, "results");
    if (!json_get_int(root, "server_time", true, 0, INT64_MAX, &server_time, err) ||
        !json_is_array(results) || json_array_size(results) > PROTO_MAX_PUSH) {
        if (err && err->msg[0] == '\0')
            err_set(err, "results: expected an array");
        if (json_is_object(root) && !json_is_array(results))
            err_set(err, "results: expected an array of at most %d", PROTO_MAX_PUSH);
        proto_push_finish(r);
        return false;
    }
    r->server_time = server_time;
    r->n = json_array_size(results);
    for (size_t i = 0; i < r->n; i++) {
        json_t *o = json_array_get(results, i);
        struct proto_push_result *pr = &r->results[i];
        const char *status = NULL;
        if (!json_get_str(o, "uuid", true, 36, &pr->uuid, err) ||
            !json_get_str(o, "status", true, 16, &status, err) ||
            !json_get_str(o, "case_number", false, 64, &pr->case_number, err) ||
            !json_get_str(o, "reason", false, 1000, &pr->reason, err)) {
            err_prefix(err, "result %zu", i);
            proto_push_finish(r);
            return false;
        }
        if (strcmp(status, "accepted") == 0 && pr->case_number != NULL) {
            pr->state = STORE_OUTBOX_ACCEPTED;
        } else if (strcmp(status, "duplicate") == 0) {
            pr->state = STORE_OUTBOX_DUPLICATE;
        } else if (strcmp(status, "rejected") == 0 && pr->reason != NULL) {
            pr->state = STORE_OUTBOX_REJECTED;
        } else {
            err_set(err, "result %zu: status \"%.16s\" without what it needs", i, status);
            proto_push_finish(r);
            return false;
        }
    }
    return true;
}

void
proto_error_parse(const char *body, size_t len, char code[static 32], int64_t *server_time)
{
    code[0] = '\0';
    *server_time = 0;
    json_t *root = json_loadb(body, len, 0, NULL);
    const char *c = json_string_value(json_object_get(root, "error"));
    if (c != NULL)
        snprintf(code, 32, "%s", c);
    json_t *t = json_object_get(root, "server_time");
    if (json_is_integer(t))
        *server_time = json_integer_value(t);
    json_decref(root);
}

bool
proto_sequence_error_parse(const char *body, size_t len, int64_t *expected, char uuid[static 37])
{
    *expected = 0;
    uuid[0] = '\0';
    json_t *root = json_loadb(body, len, 0, NULL);
    const char *code = json_string_value(json_object_get(root, "error"));
    json_t *e = json_object_get(root, "expected");
    const char *u = json_string_value(json_object_get(root, "uuid"));
    bool ok = code != NULL &&
              (strcmp(code, "sequence_conflict") == 0 || strcmp(code, "sequence_gap") == 0) &&
              json_is_integer(e) && json_integer_value(e) >= 1;
    if (ok) {
        *expected = (int64_t)json_integer_value(e);
        if (u != NULL && strlen(u) == 36)
            memcpy(uuid, u, 37);
    }
    json_decref(root);
    return ok;
}

int64_t
proto_backoff_ms(int attempt, int retry_after_s, uint32_t random)
{
    int64_t ceiling = PROTO_BACKOFF_BASE_MS;
    for (int i = 0; i < attempt && ceiling < PROTO_BACKOFF_CAP_MS; i++)
        ceiling *= 2;
    if (ceiling > PROTO_BACKOFF_CAP_MS)
        ceiling = PROTO_BACKOFF_CAP_MS;
    int64_t delay = (int64_t)((uint64_t)random % (uint64_t)(ceiling + 1));
    int64_t floor_ms = (int64_t)retry_after_s * 1000;
    return delay < floor_ms ? floor_ms : delay;
}
