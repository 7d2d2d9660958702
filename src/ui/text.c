/* Text: the embedded fonts, word-by-word shaping with SDL_ttf (HarfBuzz), a cache of shaped
 * words as textures, wrapping, and enough of the bidirectional algorithm for a right-to-left
 * interface with left-to-right names and numbers in it: words are shaped whole in their own
 * script's font (Noto Sans for Latin and Cyrillic, Noto Sans Arabic, Noto Sans Ethiopic); runs
 * of words in one direction keep their order, runs are ordered by the paragraph's direction.
 * Words of different fonts sit on one baseline, and a paragraph's line height covers every
 * font it uses. A paragraph has no limit on its number of words. */
#include <stdlib.h>
#include <string.h>

#include <fribidi.h>

#include "macros.h"
#include "ui_internal.h"
#include "utf8.h"
#include "xalloc.h"

#define LOG_MODULE "ui"
#include "log.h"

#define PROBE 32

struct ui_text_entry {
    uint32_t hash;
    int face, px;
    struct ui_color color;
    char *word; /* may be personal: wiped when evicted */
    SDL_Texture *tex;
    int w, h;
    int ascent;         /* of the word's font: its texture's top is this far above the baseline */
    struct ui_rect ink; /* the inked pixels within the texture (the layout check) */
    uint64_t used;
};

/* The rectangle of the surface's pixels that are not transparent (w 0: none). */
static struct ui_rect
surface_ink(SDL_Surface *s)
{
    struct ui_rect r = { 0, 0, 0, 0 };
    if (s->format->BytesPerPixel != 4 || s->format->Amask == 0 || SDL_LockSurface(s) != 0)
        return (struct ui_rect){ 0, 0, s->w, s->h };
    int x0 = s->w, y0 = s->h, x1 = -1, y1 = -1;
    for (int y = 0; y < s->h; y++) {
        const uint32_t *row = (const uint32_t *)((const unsigned char *)s->pixels + y * s->pitch);
        for (int x = 0; x < s->w; x++) {
            if ((row[x] & s->format->Amask) >> s->format->Ashift < 64) /* a quarter inked */
                continue;
            x0 = x < x0 ? x : x0;
            x1 = x > x1 ? x : x1;
            y0 = y < y0 ? y : y0;
            y1 = y > y1 ? y : y1;
        }
    }
    SDL_UnlockSurface(s);
    if (x1 >= 0)
        r = (struct ui_rect){ x0, y0, x1 - x0 + 1, y1 - y0 + 1 };
    return r;
}

enum {
    FACE_SANS = UI_FACE_SANS,
    FACE_SANS_BOLD = UI_FACE_SANS_BOLD,
    FACE_ARABIC = UI_FACE_ARABIC,
    FACE_ARABIC_BOLD = UI_FACE_ARABIC_BOLD,
    FACE_ETHIOPIC = UI_FACE_ETHIOPIC,
    FACE_ETHIOPIC_BOLD = UI_FACE_ETHIOPIC_BOLD,
};

TTF_Font *
ui_font(struct ui *ui, int face, int px)
{
    for (int i = 0; i < ui->fonts.n_open; i++) {
        if (ui->fonts.open[i].face == face && ui->fonts.open[i].px == px)
            return ui->fonts.open[i].font;
    }
    if (ui->fonts.n_open == (int)(sizeof(ui->fonts.open) / sizeof(ui->fonts.open[0])))
        return ui->fonts.open[0].font; /* never in practice: a handful of sizes */
    SDL_RWops *rw = SDL_RWFromConstMem(ui->fonts.data[face], (int)ui->fonts.len[face]);
    TTF_Font *f = rw != NULL ? TTF_OpenFontRW(rw, 1, px) : NULL;
    if (f == NULL)
        return NULL;
    if (face == FACE_ARABIC || face == FACE_ARABIC_BOLD) {
        TTF_SetFontDirection(f, TTF_DIRECTION_RTL);
        TTF_SetFontScriptName(f, "Arab");
    } else if (face == FACE_ETHIOPIC || face == FACE_ETHIOPIC_BOLD) {
        TTF_SetFontScriptName(f, "Ethi");
    }
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    ui->fonts.open[ui->fonts.n_open].face = face;
    ui->fonts.open[ui->fonts.n_open].px = px;
    ui->fonts.open[ui->fonts.n_open].font = f;
    ui->fonts.n_open++;
    return f;
}

static int
style_px(const struct ui *ui, enum ui_text_style st)
{
    static const double mm[UI_TEXT_STYLE_COUNT] = {
        [UI_TEXT_BODY] = 6.5, [UI_TEXT_BOLD] = 6.5, [UI_TEXT_SMALL] = 5.0,
        [UI_TEXT_H1] = 10.0,  [UI_TEXT_H2] = 8.0,   [UI_TEXT_HUGE] = 15.0,
    };
    double scale = ui->large_text ? 1.6 : 1.0; /* Större text: at least x1.6 (issue 13) */
    return ui_mm(ui, mm[st] * scale);
}

static bool
style_bold(enum ui_text_style st)
{
    return st == UI_TEXT_BOLD || st == UI_TEXT_H1 || st == UI_TEXT_H2 || st == UI_TEXT_HUGE;
}

static bool
is_arabic_cp(uint32_t cp)
{
    return (cp >= 0x0600 && cp <= 0x06ff) || (cp >= 0x0750 && cp <= 0x077f) ||
           (cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff);
}

static bool
is_ethiopic_cp(uint32_t cp)
{
    return (cp >= 0x1200 && cp <= 0x139f) || (cp >= 0x2d80 && cp <= 0x2ddf) ||
           (cp >= 0xab00 && cp <= 0xab2f);
}

enum script { SCRIPT_LATIN, SCRIPT_ARABIC, SCRIPT_ETHIOPIC };

static uint32_t
entry_hash(int face, int px, struct ui_color c, const char *w, size_t len)
{
    uint32_t h = 2166136261u;
    const int parts[6] = { face, px, c.r, c.g, c.b, c.a };
    for (int i = 0; i < 6; i++)
        h = (h ^ (uint32_t)parts[i]) * 16777619u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static void
entry_clear(struct ui_text_entry *e)
{
    if (e->tex != NULL)
        SDL_DestroyTexture(e->tex);
    if (e->word != NULL) {
        secure_zero(e->word, strlen(e->word));
        free(e->word);
    }
    memset(e, 0, sizeof(*e));
}

void
ui_text_cache_free(struct ui *ui)
{
    if (ui->cache == NULL)
        return;
    for (size_t i = 0; i < UI_TEXT_CACHE; i++)
        entry_clear(&ui->cache[i]);
    free(ui->cache);
    ui->cache = NULL;
}

/* The shaped word, from the cache or made now; NULL if it cannot be drawn. */
static struct ui_text_entry *
word_entry(struct ui *ui, int face, int px, struct ui_color c, const char *w, size_t len)
{
    if (ui->cache == NULL)
        ui->cache = xcalloc(UI_TEXT_CACHE, sizeof(*ui->cache));
    uint32_t h = entry_hash(face, px, c, w, len);
    struct ui_text_entry *victim = NULL;
    for (size_t p = 0; p < PROBE; p++) {
        struct ui_text_entry *e = &ui->cache[(h + p) % UI_TEXT_CACHE];
        if (e->word != NULL && e->hash == h && e->face == face && e->px == px &&
            memcmp(&e->color, &c, sizeof(c)) == 0 && strlen(e->word) == len &&
            memcmp(e->word, w, len) == 0) {
            e->used = ui->cache_clock;
            return e;
        }
        if (e->word == NULL) {
            if (victim == NULL || victim->word != NULL)
                victim = e;
        } else if (e->used != ui->cache_clock &&
                   (victim == NULL || (victim->word != NULL && e->used < victim->used))) {
            victim = e;
        }
    }
    if (victim == NULL) {
        LOG_WARN("text cache: every slot in use this frame; a word is not drawn");
        return NULL;
    }
    entry_clear(victim);
    TTF_Font *f = ui_font(ui, face, px);
    char *word = xstrndup(w, len);
    SDL_Surface *s =
        f != NULL ? TTF_RenderUTF8_Blended(f, word, (SDL_Color){ c.r, c.g, c.b, c.a }) : NULL;
    if (s == NULL) {
        secure_zero(word, len);
        free(word);
        return NULL;
    }
    victim->tex = SDL_CreateTextureFromSurface(ui->renderer, s);
    victim->w = s->w;
    victim->h = s->h;
    victim->ascent = TTF_FontAscent(f);
    victim->ink = surface_ink(s);
    SDL_FreeSurface(s);
    victim->hash = h;
    victim->face = face;
    victim->px = px;
    victim->color = c;
    victim->word = word;
    victim->used = ui->cache_clock;
    return victim;
}

/* A piece of a paragraph: one word or the part of a word in one script and at one bidi
 * embedding level (FriBidi's, for the paragraph), shaped on its own; or a space between words.
 * Its text is in visual order for a right-to-left piece in a font that shapes left to right
 * (a bracket in an Arabic sentence: reversed and mirrored), else in logical order. */
struct piece {
    char *s; /* owned */
    size_t len;
    int face;  /* -1: a space */
    int level; /* FriBidi embedding level (odd: right to left) */
    size_t word;
    bool newline_before;
    struct ui_text_entry *e;
};

static size_t
utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int
script_of(uint32_t cp)
{
    return is_arabic_cp(cp) ? SCRIPT_ARABIC : is_ethiopic_cp(cp) ? SCRIPT_ETHIOPIC : -1;
}

static int
face_of(int script, bool bold)
{
    return script == SCRIPT_ARABIC     ? (bold ? FACE_ARABIC_BOLD : FACE_ARABIC)
           : script == SCRIPT_ETHIOPIC ? (bold ? FACE_ETHIOPIC_BOLD : FACE_ETHIOPIC)
                                       : (bold ? FACE_SANS_BOLD : FACE_SANS);
}

static bool
is_latin_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xc0 && cp < 0x0600);
}

/* The face has a glyph for cp (always true without a ui: the unit tests' visual order). */
static bool
has_glyph(struct ui *ui, int face, uint32_t cp)
{
    if (ui == NULL || face == FACE_SANS || face == FACE_SANS_BOLD)
        return true;
    TTF_Font *f = ui_font(ui, face, 24);
    return f == NULL || TTF_GlyphIsProvided32(f, cp);
}

static bool
all_glyphs(struct ui *ui, int face, const FriBidiChar *cps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!has_glyph(ui, face, cps[i]))
            return false;
    }
    return true;
}

static bool
is_number_char(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || cp == '*'; /* '*': a masked digit (the personnummer) */
}

static bool
is_number_separator(uint32_t cp)
{
    return cp == ' ' || cp == 0xa0 || cp == '-' || cp == '.' || cp == ',' || cp == ':' || cp == '/';
}

/* Numbers of more than one group ("1 234,50", "070-123 45 67", "19491024-****", "2026-12-04",
 * "14:30") or an amount ("835 kr") become left-to-right isolates (LRI ... PDI): in an Arabic or Persian sentence the
 * bidirectional algorithm would order their groups right to left ("234,50 1", "****-19491024"),
 * and numbers run left to right in every language (i18n/README.md). out has room for 3n. */
static size_t
isolate_numbers(const FriBidiChar *in, size_t n, FriBidiChar *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (!is_number_char(in[i])) {
            out[o++] = in[i++];
            continue;
        }
        size_t j = i;
        int groups = 1;
        while (j < n) {
            if (is_number_char(in[j])) {
                j++;
            } else if (is_number_separator(in[j]) && j + 1 < n && is_number_char(in[j + 1])) {
                groups++;
                j++;
            } else {
                break;
            }
        }
        /* and its currency: "1 234,50 kr" is one thing (i18n/README.md: amounts are written
         * the Swedish way in every language but English) */
        if (j + 3 <= n && (in[j] == ' ' || in[j] == 0xa0) && in[j + 1] == 'k' && in[j + 2] == 'r' &&
            (j + 3 == n || !is_latin_letter(in[j + 3]))) {
            j += 3;
            groups++;
        }
        if (groups > 1)
            out[o++] = 0x2066;
        while (i < j)
            out[o++] = in[i++];
        if (groups > 1)
            out[o++] = 0x2069;
    }
    return o;
}

/* The pieces of text, in logical order, with the levels of the Unicode Bidirectional Algorithm
 * (FriBidi); rtl is the interface's direction, which aligns and mirrors but does not decide a
 * paragraph's own. Spaces collapse; '\n' breaks the line. Caller frees with free_pieces. */
static size_t
text_pieces(struct ui *ui, const char *text, bool rtl, bool bold, struct piece **out)
{
    size_t bytes = strlen(text), n = 0;
    FriBidiChar *cps = xcalloc(bytes + 1, sizeof(*cps));
    for (size_t i = 0; i < bytes;) {
        uint32_t cp;
        size_t k = utf8_decode(text + i, bytes - i, &cp);
        if (k == 0) { /* not UTF-8: one byte, shown as U+FFFD */
            cp = 0xfffd;
            k = 1;
        }
        cps[n++] = cp;
        i += k;
    }
    FriBidiChar *iso = xcalloc(3 * n + 1, sizeof(*iso));
    n = isolate_numbers(cps, n, iso);
    free(cps);
    cps = iso;
    FriBidiCharType *types = xcalloc(n + 1, sizeof(*types));
    FriBidiBracketType *brackets = xcalloc(n + 1, sizeof(*brackets));
    FriBidiLevel *levels = xcalloc(n + 1, sizeof(*levels));
    /* The paragraph's direction is its first strong character's (rules P2, P3): a Swedish
     * sentence shown in the Arabic interface (a text the city has only in Swedish, the
     * personnummer's label) still reads left to right. Without one it is left to right in
     * either interface: a paragraph of only digits and separators is a number (an OCR number,
     * a time), and numbers run left to right in Arabic and Persian too; an RTL paragraph
     * direction would turn "1234 5678 9012" into "9012 5678 1234". One exception: in a
     * right-to-left interface a paragraph with any right-to-left letter is right to left, so
     * that a line built from data first ("1 234,50 kr · سررسید ...", the amount first) reads
     * from the right like the rest of the screen instead of starting at the left. */
    FriBidiParType dir = FRIBIDI_PAR_WLTR;
    fribidi_get_bidi_types(cps, (FriBidiStrIndex)n, types);
    for (size_t i = 0; rtl && i < n && dir == FRIBIDI_PAR_WLTR; i++) {
        if (FRIBIDI_IS_LETTER(types[i]) && FRIBIDI_IS_RTL(types[i]))
            dir = FRIBIDI_PAR_RTL;
    }
    fribidi_get_bracket_types(cps, (FriBidiStrIndex)n, types, brackets);
    if (fribidi_get_par_embedding_levels_ex(types, brackets, (FriBidiStrIndex)n, &dir, levels) ==
        0) {
        for (size_t i = 0; i < n; i++)
            levels[i] = rtl ? 1 : 0; /* only on allocation failure inside FriBidi */
    }
    struct piece *p = xcalloc(n + 1, sizeof(*p));
    size_t np = 0, word = 0;
    bool nl = false, in_word = false;
    for (size_t i = 0; i < n;) {
        if (cps[i] == ' ' || cps[i] == '\n') {
            if (cps[i] == '\n')
                nl = true;
            else if (in_word && !nl && i + 1 < n && cps[i + 1] != ' ' && cps[i + 1] != '\n') {
                p[np++] = (struct piece){ .face = -1, .level = levels[i], .word = word };
            }
            if (in_word)
                word++;
            in_word = false;
            i++;
            continue;
        }
        /* one piece: same level, and no change between scripts with fonts of their own */
        size_t j = i;
        int script = -1;
        while (j < n && cps[j] != ' ' && cps[j] != '\n' && levels[j] == levels[i]) {
            int sc = script_of(cps[j]);
            if (sc < 0 && is_latin_letter(cps[j]))
                sc = SCRIPT_LATIN;
            if (sc >= 0 && script >= 0 && sc != script)
                break;
            /* punctuation the script's font does not have ('?' after an Ethiopic word, '('
             * before one) is a piece of its own in Noto Sans, not a box */
            if (sc < 0 && script >= 0 && !has_glyph(ui, face_of(script, bold), cps[j]))
                break;
            if (sc >= 0 && script < 0 && j > i &&
                !all_glyphs(ui, face_of(sc, bold), cps + i, j - i))
                break;
            if (sc >= 0)
                script = sc;
            j++;
        }
        bool odd = FRIBIDI_LEVEL_IS_RTL(levels[i]);
        int face = face_of(script < 0 ? SCRIPT_LATIN : script, bold);
        bool shapes_rtl = face == FACE_ARABIC || face == FACE_ARABIC_BOLD;
        /* the marks that only steer the algorithm (LRM, RLM, ALM, embeddings, isolates) are
         * not drawn; joiners (ZWNJ in Persian) stay for HarfBuzz */
        char *buf = xmalloc((j - i) * 4 + 1);
        size_t len = 0;
        bool reverse = odd != shapes_rtl; /* the font shapes the other way: visual order */
        for (size_t q = 0; q < j - i; q++) {
            size_t k = reverse ? j - 1 - q : i + q;
            if (cps[k] == 0x200e || cps[k] == 0x200f || cps[k] == 0x061c ||
                FRIBIDI_IS_EXPLICIT(types[k]) || FRIBIDI_IS_ISOLATE(types[k]))
                continue;
            FriBidiChar m = cps[k];
            if (reverse && odd)
                fribidi_get_mirror_char(cps[k], &m);
            len += utf8_put(buf + len, m);
        }
        buf[len] = '\0';
        if (len == 0) {
            free(buf);
            i = j;
            continue;
        }
        p[np++] = (struct piece){ .s = buf,
                                  .len = len,
                                  .face = face,
                                  .level = levels[i],
                                  .word = word,
                                  .newline_before = nl && !in_word };
        nl = nl && in_word;
        in_word = true;
        i = j;
    }
    free(levels);
    free(brackets);
    free(types);
    free(cps);
    *out = p;
    return np;
}

static void
free_pieces(struct piece *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].s != NULL) {
            secure_zero(p[i].s, p[i].len); /* may be personal */
            free(p[i].s);
        }
    }
    free(p);
}

/* Rule L2 of the bidirectional algorithm over the pieces [first, end) of one line: from the
 * highest level down to the lowest odd one, every run at that level or above is reversed.
 * order receives piece indices in visual order (left to right). */
static void
line_visual_order(const struct piece *p, size_t first, size_t end, size_t *order)
{
    size_t n = end - first;
    int hi = 0, lo_odd = 255;
    for (size_t i = 0; i < n; i++) {
        order[i] = first + i;
        hi = p[first + i].level > hi ? p[first + i].level : hi;
        if ((p[first + i].level & 1) && p[first + i].level < lo_odd)
            lo_odd = p[first + i].level;
    }
    for (int lev = hi; lev >= lo_odd && lev > 0; lev--) {
        for (size_t i = 0; i < n;) {
            if (p[order[i]].level < lev) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && p[order[j]].level >= lev)
                j++;
            for (size_t a = i, b = j - 1; a < b; a++, b--) {
                size_t t = order[a];
                order[a] = order[b];
                order[b] = t;
            }
            i = j;
        }
    }
}

#ifdef MINASIDOR_UNIT_TEST
char *
ui_text_visual(const char *text, bool rtl)
{
    struct piece *p;
    size_t n = text_pieces(NULL, text, rtl, false, &p);
    size_t *order = xcalloc(n + 1, sizeof(*order));
    line_visual_order(p, 0, n, order);
    char *out = xcalloc(strlen(text) * 2 + 2, 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct piece *q = &p[order[i]];
        if (q->face < 0) {
            out[len++] = ' ';
            continue;
        }
        bool shapes_rtl = q->face == FACE_ARABIC || q->face == FACE_ARABIC_BOLD;
        if (!shapes_rtl) {
            memcpy(out + len, q->s, q->len);
            len += q->len;
            continue;
        }
        /* HarfBuzz lays an RTL piece's characters out right to left (mirrored) */
        uint32_t cps[256];
        size_t m = 0;
        for (size_t k = 0; k < q->len && m < 256;) {
            size_t c = utf8_decode(q->s + k, q->len - k, &cps[m]);
            k += c ? c : 1;
            m++;
        }
        for (size_t k = m; k-- > 0;) {
            FriBidiChar mc = cps[k];
            if (q->level & 1)
                fribidi_get_mirror_char(cps[k], &mc);
            len += utf8_put(out + len, mc);
        }
    }
    out[len] = '\0';
    free(order);
    free_pieces(p, n);
    return out;
}
#endif

int
ui_line_height(struct ui *ui, enum ui_text_style style)
{
    TTF_Font *f = ui_font(ui, style_bold(style) ? FACE_SANS_BOLD : FACE_SANS, style_px(ui, style));
    return f != NULL ? TTF_FontLineSkip(f) : style_px(ui, style);
}

/* Keeps a drawn line for the layout check: its box, what it covers, the text's start. */
static void
record_line(struct ui *ui, struct ui_rect box, struct ui_rect ink, const char *text)
{
    if (ui->n_lines == UI_MAX_TEXT_LINES)
        return;
    if (ui->scrolling && (ink.y < ui->view.y || ink.y + ink.h > ui->view.y + ui->view.h))
        return; /* scrolled partly or wholly out of view: drawn clipped */
    struct ui_text_line *l = &ui->lines[ui->n_lines++];
    l->box = box;
    l->ink = ink;
    l->text = ui->n_texts;
    l->modal = ui->has_modal;
    size_t n = strlen(text);
    if (n >= sizeof(l->what)) { /* cut before a UTF-8 continuation byte */
        n = sizeof(l->what) - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(l->what, text, n);
    l->what[n] = '\0';
}

/* Lays out (and with draw, draws) text in r; returns the height used. */
static int
layout(struct ui *ui, struct ui_rect r, const char *text, enum ui_text_style style,
       struct ui_color color, enum ui_align align, bool draw, int *widest)
{
    if (text == NULL || text[0] == '\0')
        return 0;
    bool bold = style_bold(style);
    if (draw)
        ui->n_texts++;
    struct piece *p;
    size_t n = text_pieces(ui, text, ui->rtl, bold, &p);
    if (n == 0) {
        free_pieces(p, n);
        return 0;
    }
    size_t *order = xcalloc(n, sizeof(*order));
    int px = style_px(ui, style);
    int space = px / 4;
    /* A word wider than the box (a long Finnish compound with larger text) cannot wrap: the
     * text is set smaller until its widest word fits, rather than cut. */
    for (int pass = 0; pass < 3; pass++) {
        int widest_word = 0, w = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i].face < 0)
                continue;
            p[i].e = word_entry(ui, p[i].face, px, color, p[i].s, p[i].len);
            w = i > 0 && p[i - 1].face >= 0 && p[i - 1].word == p[i].word ? w : 0;
            w += p[i].e != NULL ? p[i].e->w : 0;
            widest_word = w > widest_word ? w : widest_word;
        }
        if (r.w <= 0 || widest_word <= r.w || px <= 8)
            break;
        int smaller = (int)((long long)px * r.w / widest_word) - 1;
        px = smaller < 8 ? 8 : smaller;
        space = px / 4;
    }
    /* The line covers every font the paragraph uses: the tallest ascent above one baseline and
     * the deepest descent below it, and at least the Latin font's line skip. */
    TTF_Font *base = ui_font(ui, bold ? FACE_SANS_BOLD : FACE_SANS, px);
    int ascent = base != NULL ? TTF_FontAscent(base) : px;
    int descent = base != NULL ? -TTF_FontDescent(base) : 0;
    int line_h = ui_line_height(ui, style);
    bool used[UI_FONT_FACES] = { false };
    for (size_t i = 0; i < n; i++) {
        if (p[i].face < 0)
            continue;
        TTF_Font *f = used[p[i].face] ? NULL : ui_font(ui, p[i].face, px);
        used[p[i].face] = true;
        if (f != NULL) {
            ascent = TTF_FontAscent(f) > ascent ? TTF_FontAscent(f) : ascent;
            descent = -TTF_FontDescent(f) > descent ? -TTF_FontDescent(f) : descent;
        }
    }
    if (ascent + descent > line_h)
        line_h = ascent + descent;
    int y = r.y;
    size_t i = 0;
    while (i < n) {
        /* One line: as many words as fit (at least one); a word is its pieces. */
        size_t first = i;
        int width = 0;
        while (i < n) {
            size_t j = i;
            int w = 0;
            if (p[j].face < 0) { /* the space before the next word */
                w += space;
                j++;
            }
            size_t word = j < n ? p[j].word : 0;
            for (; j < n && p[j].face >= 0 && p[j].word == word; j++)
                w += p[j].e != NULL ? p[j].e->w : 0;
            bool starts = i == first;
            bool breaks =
                j > i && i < n &&
                (p[i].face < 0 ? i + 1 < n && p[i + 1].newline_before : p[i].newline_before);
            if (!starts && (breaks || width + w > r.w))
                break;
            width += starts && p[i].face < 0 ? w - space : w;
            i = j;
        }
        if (widest != NULL && width > *widest)
            *widest = width;
        /* a space at either end of the line is not drawn */
        size_t s = first, e = i;
        if (s < e && p[s].face < 0)
            s++;
        if (e > s && p[e - 1].face < 0)
            e--;
        if (draw && e > s) {
            line_visual_order(p, s, e, order);
            enum ui_align a = align;
            if (ui->rtl && a != UI_ALIGN_CENTER)
                a = a == UI_ALIGN_START ? UI_ALIGN_END : UI_ALIGN_START;
            int x = a == UI_ALIGN_START    ? r.x
                    : a == UI_ALIGN_CENTER ? r.x + (r.w - width) / 2
                                           : r.x + r.w - width;
            /* the baseline: centred in the line like a single font's would be */
            int baseline = y + (line_h - ascent - descent) / 2 + ascent;
            int left = 1 << 30, right = -(1 << 30), top = 1 << 30, bottom = -(1 << 30);
            for (size_t q = 0; q < e - s; q++) {
                const struct piece *pc = &p[order[q]];
                if (pc->face < 0) {
                    x += space;
                } else if (pc->e != NULL) {
                    ui_cmd_push(ui, &(struct ui_cmd){
                                        .kind = UI_CMD_TEXTURE,
                                        .r = { x, baseline - pc->e->ascent, pc->e->w, pc->e->h },
                                        .tex = pc->e });
                    struct ui_rect k = pc->e->ink;
                    k.x += x;
                    k.y += baseline - pc->e->ascent;
                    x += pc->e->w;
                    if (k.w == 0)
                        continue;
                    left = k.x < left ? k.x : left;
                    right = k.x + k.w > right ? k.x + k.w : right;
                    top = k.y < top ? k.y : top;
                    bottom = k.y + k.h > bottom ? k.y + k.h : bottom;
                }
            }
            if (right > left) /* what the line inks, for the layout check */
                record_line(ui, r, (struct ui_rect){ left, top, right - left, bottom - top }, text);
        }
        y += line_h;
    }
    free(order);
    free_pieces(p, n);
    return y - r.y;
}

int
ui_text(struct ui *ui, struct ui_rect r, const char *text, enum ui_text_style style,
        struct ui_color color, enum ui_align align)
{
    return layout(ui, r, text, style, color, align, true, NULL);
}

int
ui_text_height(struct ui *ui, int w, const char *text, enum ui_text_style style)
{
    return layout(ui, (struct ui_rect){ 0, 0, w, 0 }, text, style, ui->theme->fg, UI_ALIGN_START,
                  false, NULL);
}

int
ui_text_width(struct ui *ui, const char *text, enum ui_text_style style)
{
    int widest = 0;
    layout(ui, (struct ui_rect){ 0, 0, 1 << 20, 0 }, text, style, ui->theme->fg, UI_ALIGN_START,
           false, &widest);
    return widest;
}

void
ui_draw_commands(struct ui *ui)
{
    SDL_Renderer *r = ui->renderer;
    const unsigned char *qr = ui->qr_buf;
    for (size_t i = 0; i < ui->n_cmds; i++) {
        const struct ui_cmd *c = &ui->cmds[i];
        SDL_Rect sr = { c->r.x, c->r.y, c->r.w, c->r.h };
        SDL_Rect clip = { c->clip.x, c->clip.y, c->clip.w, c->clip.h };
        SDL_RenderSetClipRect(r, c->clip.w > 0 ? &clip : NULL);
        switch (c->kind) {
        case UI_CMD_FILL:
            SDL_SetRenderDrawColor(r, c->c.r, c->c.g, c->c.b, c->c.a);
            SDL_RenderFillRect(r, &sr);
            break;
        case UI_CMD_FRAME:
            SDL_SetRenderDrawColor(r, c->c.r, c->c.g, c->c.b, c->c.a);
            for (int t = 0; t < c->thickness; t++) {
                SDL_Rect fr = { sr.x + t, sr.y + t, sr.w - 2 * t, sr.h - 2 * t };
                SDL_RenderDrawRect(r, &fr);
            }
            break;
        case UI_CMD_TEXTURE:
            if (c->tex != NULL && c->tex->tex != NULL)
                SDL_RenderCopy(r, c->tex->tex, NULL, &sr);
            break;
        case UI_CMD_QR: {
            int n = c->qr_size, m = c->r.w / (n > 0 ? n : 1);
            int ox = c->r.x + (c->r.w - m * n) / 2, oy = c->r.y + (c->r.h - m * n) / 2;
            SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
            SDL_RenderFillRect(r, &sr);
            SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    if (qr[y * n + x]) {
                        SDL_Rect mr = { ox + x * m, oy + y * m, m, m };
                        SDL_RenderFillRect(r, &mr);
                    }
                }
            }
            qr += (size_t)n * (size_t)n;
            break;
        }
        }
    }
    SDL_RenderSetClipRect(r, NULL);
    SDL_RenderPresent(r);
}

/* The status icons' code points in assets/icons/icons.ttf (enum ui_icon). */
static const char *const icon_glyphs[UI_ICON_COUNT] = {
    [UI_ICON_DONE] = "\u2714",         /* heavy check mark */
    [UI_ICON_WARNING] = "\u26a0",      /* warning sign */
    [UI_ICON_WAITING] = "\u23f3",      /* hourglass */
    [UI_ICON_ERROR] = "\u2716",        /* heavy multiplication x */
    [UI_ICON_INFO] = "\U0001f6c8",     /* circled information source */
    [UI_ICON_CALENDAR] = "\U0001f5d3", /* spiral calendar */
};

void
ui_icon(struct ui *ui, struct ui_rect r, enum ui_icon icon, struct ui_color c)
{
    if ((unsigned)icon >= UI_ICON_COUNT || r.h <= 0)
        return;
    const char *g = icon_glyphs[icon];
    struct ui_text_entry *e = word_entry(ui, UI_FACE_ICONS, r.h, c, g, strlen(g));
    if (e == NULL || e->ink.w == 0)
        return;
    /* the glyph's ink centred in r, scaled down if the font draws it larger than r */
    struct ui_rect ink = e->ink;
    double s = 1.0;
    if (ink.w > r.w || ink.h > r.h)
        s = ink.w * r.h > ink.h * r.w ? (double)r.w / ink.w : (double)r.h / ink.h;
    int w = (int)(e->w * s), h = (int)(e->h * s);
    int x = r.x + (r.w - (int)(ink.w * s)) / 2 - (int)(ink.x * s),
        y = r.y + (r.h - (int)(ink.h * s)) / 2 - (int)(ink.y * s);
    ui_cmd_push(ui, &(struct ui_cmd){ .kind = UI_CMD_TEXTURE, .r = { x, y, w, h }, .tex = e });
}
