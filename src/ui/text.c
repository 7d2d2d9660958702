/* Text: the embedded fonts, word-by-word shaping with SDL_ttf (HarfBuzz), a cache of shaped
 * words as textures, wrapping, and enough of the bidirectional algorithm for a right-to-left
 * interface with left-to-right names and numbers in it: words are shaped whole in their own
 * script's font (Noto Sans for Latin and Cyrillic, Noto Sans Arabic, Noto Sans Ethiopic); runs
 * of words in one direction keep their order, runs are ordered by the paragraph's direction.
 * Words of different fonts sit on one baseline, and a paragraph's line height covers every
 * font it uses. A paragraph has no limit on its number of words. */
#include <stdlib.h>
#include <string.h>

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
    int ascent; /* of the word's font: its texture's top is this far above the baseline */
    uint64_t used;
};

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
    double scale = ui->large_text ? 1.35 : 1.0;
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

/* The script of a word: its first letter of a script with a font of its own. */
static enum script
word_script(const char *w, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(w + i, len - i, &cp);
        if (n == 0)
            return SCRIPT_LATIN;
        if (is_arabic_cp(cp))
            return SCRIPT_ARABIC;
        if (is_ethiopic_cp(cp))
            return SCRIPT_ETHIOPIC;
        i += n;
    }
    return SCRIPT_LATIN;
}

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
    SDL_FreeSurface(s);
    victim->hash = h;
    victim->face = face;
    victim->px = px;
    victim->color = c;
    victim->word = word;
    victim->used = ui->cache_clock;
    return victim;
}

struct word {
    const char *s;
    size_t len;
    bool rtl;
    int face;
    bool newline_before;
    struct ui_text_entry *e;
};

/* Splits text into words (spaces separate; '\n' breaks the line); out has room for every
 * word (count_words). */
static size_t
count_words(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p != ' ' && *p != '\n' && (p == text || p[-1] == ' ' || p[-1] == '\n'))
            n++;
    }
    return n;
}

static size_t
split_words(const char *text, struct word *out, size_t max, bool bold)
{
    size_t n = 0;
    bool nl = false;
    const char *p = text;
    while (*p != '\0' && n < max) {
        if (*p == ' ') {
            p++;
            continue;
        }
        if (*p == '\n') {
            nl = true;
            p++;
            continue;
        }
        const char *start = p;
        while (*p != '\0' && *p != ' ' && *p != '\n')
            p++;
        out[n].s = start;
        out[n].len = (size_t)(p - start);
        enum script sc = word_script(start, out[n].len);
        out[n].rtl = sc == SCRIPT_ARABIC;
        out[n].face = sc == SCRIPT_ARABIC     ? (bold ? FACE_ARABIC_BOLD : FACE_ARABIC)
                      : sc == SCRIPT_ETHIOPIC ? (bold ? FACE_ETHIOPIC_BOLD : FACE_ETHIOPIC)
                                              : (bold ? FACE_SANS_BOLD : FACE_SANS);
        out[n].newline_before = nl;
        out[n].e = NULL;
        nl = false;
        n++;
    }
    return n;
}

int
ui_line_height(struct ui *ui, enum ui_text_style style)
{
    TTF_Font *f = ui_font(ui, style_bold(style) ? FACE_SANS_BOLD : FACE_SANS, style_px(ui, style));
    return f != NULL ? TTF_FontLineSkip(f) : style_px(ui, style);
}

/* Lays out (and with draw, draws) text in r; returns the height used. */
static int
layout(struct ui *ui, struct ui_rect r, const char *text, enum ui_text_style style,
       struct ui_color color, enum ui_align align, bool draw)
{
    if (text == NULL || text[0] == '\0')
        return 0;
    size_t max = count_words(text);
    if (max == 0)
        return 0;
    bool bold = style_bold(style);
    struct word *words = xcalloc(max, sizeof(*words));
    size_t *order = xcalloc(max, sizeof(*order));
    size_t(*runs)[2] = xcalloc(max, sizeof(*runs));
    size_t n = split_words(text, words, max, bold);
    int px = style_px(ui, style);
    int space = px / 4;
    /* The line covers every font the paragraph uses: the tallest ascent above one baseline and
     * the deepest descent below it, and at least the Latin font's line skip. */
    TTF_Font *base = ui_font(ui, bold ? FACE_SANS_BOLD : FACE_SANS, px);
    int ascent = base != NULL ? TTF_FontAscent(base) : px;
    int descent = base != NULL ? -TTF_FontDescent(base) : 0;
    int line_h = ui_line_height(ui, style);
    bool used[UI_FONT_FACES] = { false };
    for (size_t i = 0; i < n; i++) {
        words[i].e = word_entry(ui, words[i].face, px, color, words[i].s, words[i].len);
        TTF_Font *f = used[words[i].face] ? NULL : ui_font(ui, words[i].face, px);
        used[words[i].face] = true;
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
        /* One line: as many words as fit (at least one). */
        size_t first = i;
        int width = 0;
        for (; i < n; i++) {
            int w = words[i].e != NULL ? words[i].e->w : 0;
            int add = (i == first ? 0 : space) + w;
            if (i > first && (words[i].newline_before || width + add > r.w))
                break;
            width += add;
        }
        if (draw) {
            /* Visual order: runs of one direction keep their words' order within the run
             * (reversed for RTL runs); the runs are ordered by the paragraph's direction. */
            size_t k = 0, n_runs = 0;
            for (size_t j = first; j < i;) {
                size_t s = j;
                while (j < i && words[j].rtl == words[s].rtl)
                    j++;
                runs[n_runs][0] = s;
                runs[n_runs][1] = j;
                n_runs++;
            }
            for (size_t q = 0; q < n_runs; q++) {
                size_t run = ui->rtl ? n_runs - 1 - q : q;
                size_t s = runs[run][0], e = runs[run][1];
                if (words[s].rtl) {
                    for (size_t j = e; j-- > s;)
                        order[k++] = j;
                } else {
                    for (size_t j = s; j < e; j++)
                        order[k++] = j;
                }
            }
            enum ui_align a = align;
            if (ui->rtl && a != UI_ALIGN_CENTER)
                a = a == UI_ALIGN_START ? UI_ALIGN_END : UI_ALIGN_START;
            int x = a == UI_ALIGN_START    ? r.x
                    : a == UI_ALIGN_CENTER ? r.x + (r.w - width) / 2
                                           : r.x + r.w - width;
            /* the baseline: centred in the line like a single font's would be */
            int baseline = y + (line_h - ascent - descent) / 2 + ascent;
            for (size_t q = 0; q < k; q++) {
                struct ui_text_entry *e = words[order[q]].e;
                if (e != NULL) {
                    ui_cmd_push(ui, &(struct ui_cmd){ .kind = UI_CMD_TEXTURE,
                                                      .r = { x, baseline - e->ascent, e->w, e->h },
                                                      .tex = e });
                    x += e->w;
                }
                x += space;
            }
        }
        y += line_h;
    }
    free(runs);
    free(order);
    free(words);
    return y - r.y;
}

int
ui_text(struct ui *ui, struct ui_rect r, const char *text, enum ui_text_style style,
        struct ui_color color, enum ui_align align)
{
    return layout(ui, r, text, style, color, align, true);
}

int
ui_text_height(struct ui *ui, int w, const char *text, enum ui_text_style style)
{
    return layout(ui, (struct ui_rect){ 0, 0, w, 0 }, text, style, ui->theme->fg, UI_ALIGN_START,
                  false);
}

void
ui_draw_commands(struct ui *ui)
{
    SDL_Renderer *r = ui->renderer;
    const unsigned char *qr = ui->qr_buf;
    for (size_t i = 0; i < ui->n_cmds; i++) {
        const struct ui_cmd *c = &ui->cmds[i];
        SDL_Rect sr = { c->r.x, c->r.y, c->r.w, c->r.h };
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
    SDL_RenderPresent(r);
}
