/* The .mo reader behind _(): binary search in the sorted table of original strings that
 * msgfmt writes (GNU gettext manual, "The Format of GNU MO Files"). */
#include "i18n.h"

#include <stdint.h>
#include <string.h>

#include "macros.h"

static const struct i18n_language languages[] = {
    { "sv", "Svenska", false },
    { "en", "English", false },
    { "ar", "العربية", true },
};

struct catalogue {
    const unsigned char *data;
    size_t len;
    uint32_t n;
    uint32_t orig_off, trans_off;
    bool swapped;
};

static struct catalogue catalogues[ARRAY_LEN(languages)];
static size_t current;

const struct i18n_language *
i18n_languages(size_t *n)
{
    *n = ARRAY_LEN(languages);
    return languages;
}

static int
lang_index(const char *code)
{
    for (size_t i = 0; code != NULL && i < ARRAY_LEN(languages); i++) {
        if (strcmp(languages[i].code, code) == 0)
            return (int)i;
    }
    return -1;
}

const struct i18n_language *
i18n_find(const char *code)
{
    int i = lang_index(code);
    return i < 0 ? NULL : &languages[i];
}

static uint32_t
read32(const struct catalogue *c, size_t off)
{
    const unsigned char *p = c->data + off;
    if (c->swapped)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The string of table entry i (length, offset pairs), or NULL if it lies outside the image or
 * is not NUL-terminated. */
static const char *
entry(const struct catalogue *c, uint32_t table, uint32_t i)
{
    size_t at = (size_t)table + (size_t)i * 8;
    if (at + 8 > c->len)
        return NULL;
    uint32_t len = read32(c, at), off = read32(c, at + 4);
    if ((size_t)off + len >= c->len || c->data[off + len] != '\0')
        return NULL;
    return (const char *)c->data + off;
}

bool
i18n_add_catalogue(const char *code, const void *mo, size_t len, struct errbuf *err)
{
    int li = lang_index(code);
    if (li < 0) {
        err_set(err, "%s: not a language the kiosk offers", code);
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
        const char *o = entry(&c, c.orig_off, i), *t = entry(&c, c.trans_off, i);
        if (o == NULL || t == NULL) {
            err_set(err, "%s: catalogue entry %u is malformed", code, (unsigned)i);
            return false;
        }
        if (i > 0 && strcmp(entry(&c, c.orig_off, i - 1), o) >= 0) {
            err_set(err, "%s: catalogue is not sorted (entry %u)", code, (unsigned)i);
            return false;
        }
    }
    catalogues[li] = c;
    return true;
}

bool
i18n_set_language(const char *code)
{
    int i = lang_index(code);
    if (i < 0)
        return false;
    current = (size_t)i;
    return true;
}

const struct i18n_language *
i18n_current(void)
{
    return &languages[current];
}

const char *
i18n_gettext(const char *msgid)
{
    const struct catalogue *c = &catalogues[current];
    if (c->data == NULL || msgid == NULL || msgid[0] == '\0')
        return msgid;
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(msgid, entry(c, c->orig_off, mid));
        if (cmp == 0) {
            const char *t = entry(c, c->trans_off, mid);
            return t[0] != '\0' ? t : msgid;
        }
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return msgid;
}

size_t
i18n_catalogue_size(const char *code)
{
    int i = lang_index(code);
    return i < 0 ? 0 : catalogues[i].n;
}
