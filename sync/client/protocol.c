/* Sync protocol core. */
#include "protocol.h"

#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "date.h"
#include "json.h"
#include "utf8.h"
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
    free(page->text);
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
proto_pull_parse_json(const char *body, size_t len, struct proto_page *page, struct errbuf *err)
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

/* The quick reader (protocol.h). jansson spent most of a first sync's client time building,
 * then freeing, an object per change, a hash table per object and a copy per string; this reads
 * the few members a page has straight into the changes, decoding strings where they lie. */
#define QUICK_MAX_DEPTH   64
#define QUICK_MAX_MEMBERS 64

struct quick {
    char *p, *end; /* *end is a NUL, which matches nothing a reader expects */
};

enum quick_type { Q_ABSENT, Q_NULL, Q_TRUE, Q_FALSE, Q_INT, Q_STR, Q_OBJECT, Q_ARRAY };

struct quick_value {
    enum quick_type t;
    long long i;
    const char *s;
    size_t len;
};

/* The keys of one object so far, to refuse a duplicate as jansson does (we give up instead). */
struct quick_members {
    const char *key[QUICK_MAX_MEMBERS];
    size_t len[QUICK_MAX_MEMBERS];
    size_t n;
};

static void
quick_ws(struct quick *q)
{
    while (*q->p == ' ' || *q->p == '\t' || *q->p == '\n' || *q->p == '\r')
        q->p++;
}

static bool
quick_hex4(struct quick *q, uint32_t *out)
{
    if (q->end - q->p < 4)
        return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = q->p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    q->p += 4;
    *out = v;
    return true;
}

static char *
quick_utf8(uint32_t cp, char *w)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xc0 | cp >> 6);
        *w++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xe0 | cp >> 12);
        *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *w++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *w++ = (char)(0xf0 | cp >> 18);
        *w++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *w++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *w++ = (char)(0x80 | (cp & 0x3f));
    }
    return w;
}

/* The string at q->p, decoded in place (it never grows) and NUL-terminated; NULL to give up:
 * not a string, a control character, a bad escape, a lone surrogate, \u0000, invalid UTF-8. */
static const char *
quick_string(struct quick *q, size_t *len)
{
    if (*q->p != '"')
        return NULL;
    char *out = ++q->p, *w = out;
    for (;;) {
        if (q->p >= q->end)
            return NULL;
        unsigned char c = (unsigned char)*q->p;
        if (c == '"') {
            q->p++;
            break;
        }
        if (c < 0x20) {
            return NULL;
        } else if (c == '\\') {
            if (q->end - q->p < 2)
                return NULL;
            char e = q->p[1];
            q->p += 2;
            static const char plain[] = "\"\\/bfnrt", means[] = "\"\\/\b\f\n\r\t";
            const char *k = e != '\0' ? strchr(plain, e) : NULL;
            if (k != NULL) {
                *w++ = means[k - plain];
                continue;
            }
            uint32_t cp, lo;
            if (e != 'u' || !quick_hex4(q, &cp) || cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
                return NULL;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (q->p[0] != '\\' || q->p[1] != 'u')
                    return NULL;
                q->p += 2;
                if (!quick_hex4(q, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return NULL;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            w = quick_utf8(cp, w);
        } else if (c < 0x80) {
            *w++ = (char)c;
            q->p++;
        } else {
            uint32_t cp;
            size_t n = utf8_decode(q->p, (size_t)(q->end - q->p), &cp);
            if (n == 0)
                return NULL;
            memmove(w, q->p, n);
            w += n;
            q->p += n;
        }
    }
    *w = '\0';
    *len = (size_t)(w - out);
    return out;
}

/* A whole number (no fraction or exponent: we give up on those) that fits a long long. */
static bool
quick_int(struct quick *q, long long *out)
{
    const char *s = q->p;
    bool neg = *s == '-';
    s += neg;
    if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
        return false;
    unsigned long long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (*s == '.' || *s == 'e' || *s == 'E' || v > (unsigned long long)LLONG_MAX + neg)
        return false;
    *out = neg ? (v == 0 ? 0 : -(long long)(v - 1) - 1) : (long long)v;
    q->p = (char *)s;
    return true;
}

static bool
quick_literal(struct quick *q, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(q->end - q->p) < n || memcmp(q->p, word, n) != 0)
        return false;
    q->p += n;
    return true;
}

/* The next member of an object whose '{' was read: 1 with the key (and its ':' read), 0 at the
 * '}', -1 to give up. */
static int
quick_member(struct quick *q, struct quick_members *m, const char **key, size_t *klen)
{
    quick_ws(q);
    if (*q->p == '}') {
        q->p++;
        return 0;
    }
    if (m->n > 0) {
        if (*q->p != ',')
            return -1;
        q->p++;
        quick_ws(q);
    }
    if ((*key = quick_string(q, klen)) == NULL || m->n == QUICK_MAX_MEMBERS)
        return -1;
    for (size_t i = 0; i < m->n; i++) {
        if (m->len[i] == *klen && memcmp(m->key[i], *key, *klen) == 0)
            return -1;
    }
    m->key[m->n] = *key;
    m->len[m->n++] = *klen;
    quick_ws(q);
    if (*q->p != ':')
        return -1;
    q->p++;
    quick_ws(q);
    return 1;
}

/* The next element of an array whose '[' was read: 1 (at the element), 0 at the ']', -1. */
static int
quick_element(struct quick *q, size_t *count)
{
    quick_ws(q);
    if (*q->p == ']') {
        q->p++;
        return 0;
    }
    if (*count > 0) {
        if (*q->p != ',')
            return -1;
        q->p++;
        quick_ws(q);
    }
    ++*count;
    return 1;
}

/* Any value; objects and arrays are read through (checked) but not kept. */
static bool
quick_value(struct quick *q, int depth, struct quick_value *v)
{
    memset(v, 0, sizeof(*v));
    if (depth > QUICK_MAX_DEPTH)
        return false;
    int r;
    switch (*q->p) {
    case '"':
        v->t = Q_STR;
        return (v->s = quick_string(q, &v->len)) != NULL;
    case '{': {
        struct quick_members m = { .n = 0 };
        const char *key;
        size_t klen;
        struct quick_value sub;
        q->p++;
        while ((r = quick_member(q, &m, &key, &klen)) == 1) {
            if (!quick_value(q, depth + 1, &sub))
                return false;
        }
        v->t = Q_OBJECT;
        return r == 0;
    }
    case '[': {
        size_t count = 0;
        struct quick_value sub;
        q->p++;
        while ((r = quick_element(q, &count)) == 1) {
            if (!quick_value(q, depth + 1, &sub))
                return false;
        }
        v->t = Q_ARRAY;
        return r == 0;
    }
    case 't':
        v->t = Q_TRUE;
        return quick_literal(q, "true");
    case 'f':
        v->t = Q_FALSE;
        return quick_literal(q, "false");
    case 'n':
        v->t = Q_NULL;
        return quick_literal(q, "null");
    default:
        v->t = Q_INT;
        return quick_int(q, &v->i);
    }
}

static bool
key_is(const char *key, size_t klen, const char *name)
{
    return strlen(name) == klen && memcmp(key, name, klen) == 0;
}

/* A string member as json_get_str takes it (absent and null are NULL); false if it would fail. */
static bool
quick_str(const struct quick_value *v, bool required, size_t max_len, const char **out)
{
    *out = NULL;
    if (v->t == Q_ABSENT || v->t == Q_NULL)
        return !required;
    if (v->t != Q_STR || v->len > max_len)
        return false;
    *out = v->s;
    return true;
}

/* A change's fields object, for a kind known to be an upsert. */
static bool
quick_fields(struct quick *q, int depth, const struct store_kind_def *d, struct store_change *c)
{
    if (*q->p != '{' || depth > QUICK_MAX_DEPTH)
        return false;
    q->p++;
    struct quick_members m = { .n = 0 };
    const char *key;
    size_t klen;
    int r;
    while ((r = quick_member(q, &m, &key, &klen)) == 1) {
        size_t f = 0;
        while (f < d->n_fields && !key_is(key, klen, d->fields[f].name))
            f++;
        struct quick_value v;
        if (!quick_value(q, depth + 1, &v))
            return false;
        if (f == d->n_fields || v.t == Q_NULL)
            continue; /* not a field of the kind (ignored), or unset */
        struct store_value *sv = &c->values[f];
        if (d->fields[f].type == STORE_FIELD_TEXT) {
            if (v.t != Q_STR || v.len > 64 * 1024)
                return false;
            sv->text = v.s;
        } else {
            if (v.t != Q_INT)
                return false;
            sv->num = v.i;
        }
        sv->set = true;
    }
    return r == 0;
}

/* One change, which must be usable as it is (else we give up: the page goes to jansson's path,
 * which sets it aside with its reason). */
static bool
quick_change(struct quick *q, struct store_change *c)
{
    memset(c, 0, sizeof(*c));
    if (*q->p != '{')
        return false;
    q->p++;
    struct quick_members m = { .n = 0 };
    struct quick_value kind = { .t = Q_ABSENT }, id = { .t = Q_ABSENT }, op = { .t = Q_ABSENT },
                       citizen = { .t = Q_ABSENT }, parent = { .t = Q_ABSENT }, other;
    const struct store_kind_def *d = NULL;
    bool fields = false;
    const char *key, *kind_s, *op_s;
    size_t klen;
    int r;
    while ((r = quick_member(q, &m, &key, &klen)) == 1) {
        struct quick_value *v = key_is(key, klen, "kind")      ? &kind
                                : key_is(key, klen, "id")      ? &id
                                : key_is(key, klen, "op")      ? &op
                                : key_is(key, klen, "citizen") ? &citizen
                                : key_is(key, klen, "parent")  ? &parent
                                                               : &other;
        if (!key_is(key, klen, "fields")) {
            if (!quick_value(q, 4, v))
                return false;
            continue;
        }
        /* The fields are read by their kind: it must have come first (casestore's order). */
        if (!quick_str(&kind, true, 32, &kind_s) || !quick_str(&op, true, 16, &op_s) ||
            !store_kind_from_name(kind_s, &c->kind))
            return false;
        if (strcmp(op_s, "upsert") == 0) {
            d = store_kind(c->kind);
            if (!quick_fields(q, 4, d, c))
                return false;
            fields = true;
        } else if (!quick_value(q, 4, &other)) {
            return false;
        }
    }
    if (r != 0 || !quick_str(&kind, true, 32, &kind_s) || !quick_str(&id, true, 200, &c->id) ||
        !quick_str(&op, true, 16, &op_s) || !quick_str(&citizen, false, 200, &c->citizen) ||
        !quick_str(&parent, false, 200, &c->parent) || !store_kind_from_name(kind_s, &c->kind))
        return false;
    if (strcmp(op_s, "delete") == 0) {
        c->tombstone = true;
        memset(c->values, 0, sizeof(c->values)); /* as jansson's path leaves them */
        return true;
    }
    if (strcmp(op_s, "upsert") != 0 || !fields)
        return false;
    if ((d->personal && c->kind != STORE_KIND_CITIZEN && c->citizen == NULL) ||
        (d->has_parent && c->parent == NULL))
        return false;
    for (size_t f = 0; f < d->n_fields; f++) {
        if (d->fields[f].required && !c->values[f].set)
            return false;
    }
    return true;
}

bool
proto_pull_parse_quick(const char *body, size_t len, struct proto_page *page)
{
    if (len > PROTO_MAX_RESPONSE)
        return false;
    char *text = xmalloc(len + 1);
    memcpy(text, body, len);
    text[len] = '\0';
    struct quick q = { text, text + len };
    struct quick_value reset = { .t = Q_ABSENT }, server_time = { .t = Q_ABSENT },
                       cursor = { .t = Q_ABSENT }, position = { .t = Q_ABSENT },
                       head = { .t = Q_ABSENT }, more = { .t = Q_ABSENT }, other;
    struct store_change *changes = NULL;
    size_t n = 0, cap = 0;
    bool have_changes = false, ok = true;
    struct quick_members m = { .n = 0 };
    const char *key;
    size_t klen;
    int r = -1;
    quick_ws(&q);
    if (*q.p == '{') {
        q.p++;
        while (ok && (r = quick_member(&q, &m, &key, &klen)) == 1) {
            if (key_is(key, klen, "changes")) {
                ok = *q.p == '[';
                q.p += ok;
                have_changes = true;
                size_t count = 0;
                while (ok && (r = quick_element(&q, &count)) == 1) {
                    if (n == PROTO_MAX_PAGE) {
                        ok = false;
                        break;
                    }
                    if (n == cap) {
                        cap = cap ? 2 * cap : 64;
                        changes = xrealloc(changes, cap * sizeof(*changes));
                    }
                    ok = quick_change(&q, &changes[n++]);
                }
                ok = ok && r == 0;
                r = -1;
                continue;
            }
            struct quick_value *v = key_is(key, klen, "reset")         ? &reset
                                    : key_is(key, klen, "server_time") ? &server_time
                                    : key_is(key, klen, "cursor")      ? &cursor
                                    : key_is(key, klen, "position")    ? &position
                                    : key_is(key, klen, "head")        ? &head
                                    : key_is(key, klen, "more")        ? &more
                                                                       : &other;
            ok = quick_value(&q, 2, v);
        }
        if (ok && r == 0)
            quick_ws(&q);
    }
    /* The object, all of it, and nothing after it; then its members as jansson's path reads
     * them. */
    ok = ok && r == 0 && q.p == q.end;
    ok =
        ok && (reset.t == Q_ABSENT || reset.t == Q_NULL || reset.t == Q_TRUE || reset.t == Q_FALSE);
    ok = ok && server_time.t == Q_INT && server_time.i >= 0;
    bool is_reset = reset.t == Q_TRUE;
    if (ok && !is_reset) {
        ok = quick_str(&cursor, true, 200, &page->cursor) && position.t == Q_INT &&
             position.i >= 0 &&
             (head.t == Q_ABSENT || head.t == Q_NULL || (head.t == Q_INT && head.i >= 0)) &&
             (more.t == Q_TRUE || more.t == Q_FALSE) && have_changes;
    }
    if (!ok) {
        free(changes);
        free(text);
        memset(page, 0, sizeof(*page));
        return false;
    }
    memset(page, 0, sizeof(*page));
    page->text = text;
    page->server_time = server_time.i;
    page->reset = is_reset;
    if (is_reset) {
        free(changes);
        return true;
    }
    page->cursor = cursor.s;
    page->position = position.i;
    page->head = head.t == Q_INT ? head.i : 0;
    page->more = more.t == Q_TRUE;
    page->n = n;
    page->changes = n > 0 ? changes : xcalloc(1, sizeof(*page->changes));
    if (n == 0)
        free(changes);
    page->reasons = xcalloc(1, sizeof(*page->reasons));
    return true;
}

bool
proto_pull_parse(const char *body, size_t len, struct proto_page *page, struct errbuf *err)
{
    return proto_pull_parse_quick(body, len, page) || proto_pull_parse_json(body, len, page, err);
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
