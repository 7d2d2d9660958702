/* The .mo reader behind _(): binary search in the sorted table of original strings that
 * msgfmt writes (GNU gettext manual, "The Format of GNU MO Files"), contexts as
 * "msgctxt\004msgid", plural translations as NUL-separated forms chosen by the catalogue's
 * Plural-Forms formula, and the fallback chain language → Swedish → msgid. */
#include "i18n.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"

#define MAX_LANGUAGES 16
#define SOURCE_LANG   "en" /* the msgids are English: English never falls back to Swedish */
#define DEFAULT_LANG  "sv"

struct catalogue {
    const unsigned char *data;
    size_t len;
    uint32_t n;
    uint32_t orig_off, trans_off;
    bool swapped;
    unsigned long nplurals;
    char plural[256]; /* the formula of Plural-Forms; "n != 1" when the header has none */
};

static struct catalogue catalogues[MAX_LANGUAGES];
static size_t current;
static bool preview;

static int
lang_index(const char *code)
{
    for (size_t i = 0; code != NULL && i < i18n_table_len && i < MAX_LANGUAGES; i++) {
        if (strcmp(i18n_table[i].code, code) == 0)
            return (int)i;
    }
    return -1;
}

static bool
offered(size_t i)
{
    const struct i18n_language *l = &i18n_table[i];
    if (strcmp(l->code, SOURCE_LANG) == 0)
        return true;
    return l->complete ? catalogues[i].data != NULL || strcmp(l->code, DEFAULT_LANG) == 0
                       : preview && catalogues[i].data != NULL;
}

size_t
i18n_offered(const struct i18n_language **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < i18n_table_len && i < MAX_LANGUAGES && n < max; i++) {
        if (offered(i))
            out[n++] = &i18n_table[i];
    }
    return n;
}

const struct i18n_language *
i18n_find(const char *code)
{
    int i = lang_index(code);
    return i < 0 ? NULL : &i18n_table[i];
}

void
i18n_set_preview(bool on)
{
    preview = on;
    if (!offered(current))
        current = 0;
}

/* ---- the Plural-Forms evaluator: recursive descent over C's precedence levels, with
 * short-circuit evaluation (skip) so that "n != 0 && 10 % n" never divides by zero. ---- */

struct pexpr {
    const char *p;
    int depth;
    bool bad;
};

static unsigned long p_ternary(struct pexpr *e, unsigned long n, bool skip);

static void
p_space(struct pexpr *e)
{
    while (*e->p == ' ' || *e->p == '\t' || *e->p == '\n')
        e->p++;
}

static bool
p_take(struct pexpr *e, const char *tok)
{
    p_space(e);
    size_t len = strlen(tok);
    if (strncmp(e->p, tok, len) != 0)
        return false;
    /* "<" must not take the first half of "<=", "!" not of "!=" */
    if (len == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '!' || tok[0] == '=') &&
        e->p[1] == '=')
        return false;
    e->p += len;
    return true;
}

static unsigned long
p_primary(struct pexpr *e, unsigned long n, bool skip)
{
    p_space(e);
    if (++e->depth > 64) {
        e->bad = true;
        return 0;
    }
    unsigned long v = 0;
    if (*e->p == 'n') {
        e->p++;
        v = n;
    } else if (*e->p >= '0' && *e->p <= '9') {
        while (*e->p >= '0' && *e->p <= '9') {
            if (v > 100000000ul)
                e->bad = true;
            v = v * 10 + (unsigned long)(*e->p++ - '0');
        }
    } else if (p_take(e, "(")) {
        v = p_ternary(e, n, skip);
        if (!p_take(e, ")"))
            e->bad = true;
    } else if (p_take(e, "!")) {
        v = !p_primary(e, n, skip);
    } else {
        e->bad = true;
    }
    e->depth--;
    return v;
}

static unsigned long
p_mul(struct pexpr *e, unsigned long n, bool skip)
{
    unsigned long v = p_primary(e, n, skip);
    for (;;) {
        char op = p_take(e, "*") ? '*' : p_take(e, "/") ? '/' : p_take(e, "%") ? '%' : 0;
        if (op == 0 || e->bad)
            return v;
        unsigned long r = p_primary(e, n, skip);
        if (skip)
            continue;
        if (op != '*' && r == 0) {
            e->bad = true;
            return 0;
        }
        v = op == '*' ? v * r : op == '/' ? v / r : v % r;
    }
}

static unsigned long
p_add(struct pexpr *e, unsigned long n, bool skip)
{
    unsigned long v = p_mul(e, n, skip);
    for (;;) {
        char op = p_take(e, "+") ? '+' : p_take(e, "-") ? '-' : 0;
        if (op == 0 || e->bad)
            return v;
        unsigned long r = p_mul(e, n, skip);
        v = op == '+' ? v + r : v - r;
    }
}

static unsigned long
p_rel(struct pexpr *e, unsigned long n, bool skip)
{
    unsigned long v = p_add(e, n, skip);
    for (;;) {
        int op = p_take(e, "<=")   ? 1
                 : p_take(e, ">=") ? 2
                 : p_take(e, "<")  ? 3
                 : p_take(e, ">")  ? 4
                                   : 0;
        if (op == 0 || e->bad)
            return v;
        unsigned long r = p_add(e, n, skip);
        v = op == 1 ? v <= r : op == 2 ? v >= r : op == 3 ? v < r : v > r;
    }
}

static unsigned long
p_eq(struct pexpr *e, unsigned long n, bool skip)
{
    unsigned long v = p_rel(e, n, skip);
    for (;;) {
        int op = p_take(e, "==") ? 1 : p_take(e, "!=") ? 2 : 0;
        if (op == 0 || e->bad)
            return v;
        unsigned long r = p_rel(e, n, skip);
        v = op == 1 ? v == r : v != r;
    }
}

static unsigned long
p_and(struct pexpr *e, unsigned long n, bool skip)
{
    unsigned long v = p_eq(e, n, skip);
    while (!e->bad && p_take(e, "&&")) {
        unsigned long r = p_eq(e, n, skip || !v);
        v = v && r;
    }
    return v;
}

static unsigned long
p_or(struct pexpr *e, unsigned long n, bool skip)
{
    unsigned long v = p_and(e, n, skip);
    while (!e->bad && p_take(e, "||")) {
        unsigned long r = p_and(e, n, skip || v);
        v = v || r;
    }
    return v;
}

static unsigned long
p_ternary(struct pexpr *e, unsigned long n, bool skip)
{
    if (++e->depth > 64) {
        e->bad = true;
        return 0;
    }
    unsigned long c = p_or(e, n, skip);
    unsigned long v = c;
    if (!e->bad && p_take(e, "?")) {
        unsigned long a = p_ternary(e, n, skip || !c);
        if (!p_take(e, ":"))
            e->bad = true;
        unsigned long b = p_ternary(e, n, skip || c);
        v = c ? a : b;
    }
    e->depth--;
    return v;
}

bool
i18n_plural_eval(const char *expr, unsigned long n, unsigned long *out)
{
    struct pexpr e = { expr, 0, false };
    unsigned long v = p_ternary(&e, n, false);
    p_space(&e);
    if (e.bad || (*e.p != '\0' && *e.p != ';'))
        return false;
    *out = v;
    return true;
}

/* ---- the .mo image ---- */

static uint32_t
read32(const struct catalogue *c, size_t off)
{
    const unsigned char *p = c->data + off;
    if (c->swapped)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The string of table entry i (length, offset pairs), or NULL if it lies outside the image or
 * is not NUL-terminated; *len is its length (plural forms are NUL-separated inside it). */
static const char *
entry(const struct catalogue *c, uint32_t table, uint32_t i, uint32_t *len)
{
    size_t at = (size_t)table + (size_t)i * 8;
    if (at + 8 > c->len)
        return NULL;
    uint32_t l = read32(c, at), off = read32(c, at + 4);
    if ((size_t)off + l >= c->len || c->data[off + l] != '\0')
        return NULL;
    if (len != NULL)
        *len = l;
    return (const char *)c->data + off;
}

/* The translation of key (with its length), or NULL: the whole NUL-separated entry. */
static const char *
lookup(const struct catalogue *c, const char *key, uint32_t *len)
{
    if (c->data == NULL)
        return NULL;
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(key, entry(c, c->orig_off, mid, NULL));
        if (cmp == 0) {
            const char *t = entry(c, c->trans_off, mid, len);
            return t[0] != '\0' ? t : NULL;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Reads "nplurals=N; plural=EXPR;" from the header entry (msgid ""). */
static bool
read_plural_forms(struct catalogue *c, const char *code, struct errbuf *err)
{
    c->nplurals = 2;
    snprintf(c->plural, sizeof(c->plural), "%s", "n != 1");
    uint32_t hl;
    const char *h = lookup(c, "", &hl);
    const char *pf = h != NULL ? strstr(h, "Plural-Forms:") : NULL;
    if (pf == NULL)
        return true;
    const char *np = strstr(pf, "nplurals="), *pl = strstr(pf, "plural=");
    while (pl != NULL && pl > pf && pl[-1] == 'n') /* "nplurals=" contains "plural=" too */
        pl = strstr(pl + 1, "plural=");
    const char *eol = strchr(pf, '\n');
    if (np == NULL || pl == NULL || (eol != NULL && (np > eol || pl > eol))) {
        err_set(err, "%s: Plural-Forms is not 'nplurals=N; plural=EXPR;'", code);
        return false;
    }
    c->nplurals = strtoul(np + 9, NULL, 10);
    pl += 7;
    size_t len = strcspn(pl, ";\n");
    if (c->nplurals < 1 || c->nplurals > 6 || len >= sizeof(c->plural)) {
        err_set(err, "%s: Plural-Forms has an unusable nplurals or formula", code);
        return false;
    }
    memcpy(c->plural, pl, len);
    c->plural[len] = '\0';
    for (unsigned long n = 0; n <= 1000; n++) {
        unsigned long v;
        if (!i18n_plural_eval(c->plural, n, &v) || v >= c->nplurals) {
            err_set(err, "%s: Plural-Forms formula '%s' fails for n=%lu", code, c->plural, n);
            return false;
        }
    }
    return true;
}

bool
i18n_add_catalogue(const char *code, const void *mo, size_t len, struct errbuf *err)
{
    int li = lang_index(code);
    if (li < 0) {
        err_set(err, "%s: not a language of the kiosk's table (i18n/languages.tsv)", code);
        return false;
    }
    struct catalogue c = { .data = mo, .len = len };
    if (len < 28) {
        err_set(err, "%s: catalogue too short (%zu bytes)", code, len);
        return false;
    }
    const unsigned char *p = mo;
    if (p[0] == 0xde && p[1] == 0x12 && p[2] == 0x04 && p[3] == 0x95)
        c.swapped = false;
    else if (p[0] == 0x95 && p[1] == 0x04 && p[2] == 0x12 && p[3] == 0xde)
        c.swapped = true;
    else {
        err_set(err, "%s: not a .mo catalogue (bad magic)", code);
        return false;
    }
    c.n = read32(&c, 8);
    c.orig_off = read32(&c, 12);
    c.trans_off = read32(&c, 16);
    if ((size_t)c.orig_off + (size_t)c.n * 8 > len || (size_t)c.trans_off + (size_t)c.n * 8 > len) {
        err_set(err, "%s: catalogue tables run past its end", code);
        return false;
    }
    for (uint32_t i = 0; i < c.n; i++) {
        const char *o = entry(&c, c.orig_off, i, NULL), *t = entry(&c, c.trans_off, i, NULL);
        if (o == NULL || t == NULL) {
            err_set(err, "%s: catalogue entry %u is malformed", code, (unsigned)i);
            return false;
        }
        if (i > 0 && strcmp(entry(&c, c.orig_off, i - 1, NULL), o) >= 0) {
            err_set(err, "%s: catalogue is not sorted (entry %u)", code, (unsigned)i);
            return false;
        }
    }
    if (!read_plural_forms(&c, code, err))
        return false;
    catalogues[li] = c;
    return true;
}

bool
i18n_set_language(const char *code)
{
    int i = lang_index(code);
    if (i < 0 || !offered((size_t)i))
        return false;
    current = (size_t)i;
    return true;
}

const struct i18n_language *
i18n_current(void)
{
    return &i18n_table[current];
}

/* The catalogues to look in, in order: the language's, then Swedish's (not for English, whose
 * text is the msgid). At most 2. */
static size_t
chain(const struct catalogue **out)
{
    size_t n = 0;
    const char *code = i18n_table[current].code;
    if (strcmp(code, SOURCE_LANG) == 0)
        return 0;
    out[n++] = &catalogues[current];
    int sv = lang_index(DEFAULT_LANG);
    if (sv >= 0 && (size_t)sv != current)
        out[n++] = &catalogues[sv];
    return n;
}

/* Looks up ctx\004msgid (or msgid) along the chain; the form for n when plural. */
static const char *
translate(const char *ctx, const char *msgid, const char *plural, unsigned long n)
{
    if (msgid == NULL || msgid[0] == '\0')
        return msgid;
    char stack[512], *key = (char *)msgid, *heap = NULL;
    if (ctx != NULL) {
        size_t cl = strlen(ctx), ml = strlen(msgid);
        key = cl + ml + 2 <= sizeof(stack) ? stack : (heap = malloc(cl + ml + 2));
        if (key == NULL)
            return plural != NULL && n != 1 ? plural : msgid;
        memcpy(key, ctx, cl);
        key[cl] = '\004';
        memcpy(key + cl + 1, msgid, ml + 1);
    }
    const struct catalogue *cs[2];
    size_t nc = chain(cs);
    const char *found = NULL;
    for (size_t i = 0; i < nc && found == NULL; i++) {
        uint32_t len;
        const char *t = lookup(cs[i], key, &len);
        if (t == NULL)
            continue;
        if (plural == NULL) {
            found = t;
            break;
        }
        unsigned long form = 0;
        if (!i18n_plural_eval(cs[i]->plural, n, &form) || form >= cs[i]->nplurals)
            form = 0;
        /* step over NUL-separated forms, staying inside the entry */
        const char *s = t, *end = t + len;
        for (unsigned long f = 0; f < form && s < end; f++)
            s += strlen(s) + 1;
        if (s <= end && s[0] != '\0')
            found = s;
    }
    free(heap);
    if (found != NULL)
        return found;
    return plural != NULL && n != 1 ? plural : msgid;
}

const char *
i18n_gettext(const char *msgid)
{
    return translate(NULL, msgid, NULL, 0);
}

const char *
i18n_pgettext(const char *ctx, const char *msgid)
{
    return translate(ctx, msgid, NULL, 0);
}

const char *
i18n_ngettext(const char *msgid, const char *plural, unsigned long n)
{
    return translate(NULL, msgid, plural, n);
}

const char *
i18n_npgettext(const char *ctx, const char *msgid, const char *plural, unsigned long n)
{
    return translate(ctx, msgid, plural, n);
}

size_t
i18n_catalogue_size(const char *code)
{
    int i = lang_index(code);
    return i < 0 ? 0 : catalogues[i].n;
}
