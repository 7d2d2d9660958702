/* Status at a glance: an icon and a word in the theme's ok or overdue colour (never colour
 * alone), the rows of a list (a button only where the row opens something) and the panel an
 * empty or failed list shows instead of nothing. */
#include <stdio.h>
#include <string.h>

#include "ui_internal.h"

struct ui_color
ui_tone_color(const struct ui *ui, enum ui_tone tone)
{
    const struct ui_theme *t = ui->theme;
    return tone == UI_TONE_OK ? t->ok : tone == UI_TONE_OVERDUE ? t->overdue : t->fg;
}

/* The icon's side beside text of a style: the style's line height, a little smaller. */
static int
icon_side(struct ui *ui, enum ui_text_style style)
{
    return ui_line_height(ui, style) * 4 / 5;
}

/* Draws icon + word at the start (or, with end, the end) side of r; returns the height used. */
static int
status_in(struct ui *ui, struct ui_rect r, enum ui_icon icon, struct ui_color c, const char *word,
          enum ui_text_style style, bool end)
{
    int side = icon_side(ui, style), gap = ui_mm(ui, 2);
    int lh = ui_line_height(ui, style);
    int ww = r.w - side - gap;
    int tw = ui_text_width(ui, word, style);
    if (tw > ww)
        tw = ww;
    int th = ui_text_height(ui, ww, word, style);
    /* the icon centred on the word's first line (an Arabic line is taller than a Latin one) */
    int line = ui_text_height(ui, 1 << 20, word, style);
    if (line < lh)
        line = lh;
    /* laid out left to right, then mirrored: the icon before the word in reading order */
    int x0 = end ? r.x + r.w - tw - gap - side : r.x;
    struct ui_rect ir = { x0, r.y + (line - side) / 2, side, side };
    struct ui_rect wr = { x0 + side + gap, r.y, tw, th };
    ui_icon(ui, ui_mirror(ui, ir), icon, c);
    ui_text(ui, ui_mirror(ui, wr), word, style, c, UI_ALIGN_START);
    return th > lh ? th : lh;
}

void
ui_status(struct ui *ui, enum ui_icon icon, enum ui_tone tone, const char *word,
          enum ui_text_style style)
{
    int side = icon_side(ui, style), gap = ui_mm(ui, 2);
    int h = ui_text_height(ui, ui->area.w - side - gap, word, style);
    if (h < ui_line_height(ui, style))
        h = ui_line_height(ui, style);
    struct ui_rect r = ui_take(ui, h);
    status_in(ui, (struct ui_rect){ ui->area.x, r.y, ui->area.w, h }, icon, ui_tone_color(ui, tone),
              word, style, false);
    ui_node(ui, UI_ROLE_STATUS, word, NULL, 0, r, false);
}

void
ui_status_pair(struct ui *ui, const char *label, enum ui_icon icon, enum ui_tone tone,
               const char *word)
{
    int gap = ui_mm(ui, 3), side = icon_side(ui, UI_TEXT_BOLD);
    int lw = ui->area.w * 2 / 5, vw = ui->area.w - lw - gap;
    int h1 = ui_text_height(ui, lw, label, UI_TEXT_BODY);
    int h2 = ui_text_height(ui, vw - side - ui_mm(ui, 2), word, UI_TEXT_BOLD);
    if (h2 < ui_line_height(ui, UI_TEXT_BOLD))
        h2 = ui_line_height(ui, UI_TEXT_BOLD);
    struct ui_rect r = ui_take(ui, h1 > h2 ? h1 : h2);
    ui_text(ui, ui_mirror(ui, (struct ui_rect){ r.x, r.y, lw, r.h }), label, UI_TEXT_BODY,
            ui->theme->muted, UI_ALIGN_START);
    status_in(ui, (struct ui_rect){ r.x + lw + gap, r.y, vw, h2 }, icon, ui_tone_color(ui, tone),
              word, UI_TEXT_BOLD, false);
    /* a pair to the ear as to the eye: "Status, Förfallen" (the caption said even when the
     * value is personal) */
    uint32_t id = ui_node(ui, UI_ROLE_TEXT, label, word, 0, r, false);
    if (ui->n_nodes > 0 && ui->nodes[ui->n_nodes - 1].id == id)
        ui->nodes[ui->n_nodes - 1].caption = true;
}

bool
ui_row(struct ui *ui, const struct ui_row *row)
{
    const struct ui_theme *t = ui->theme;
    int pad = ui_mm(ui, 3), gap = ui_mm(ui, 3);
    bool end = row->figure != NULL || row->status != NULL;
    int chev = row->opens ? ui_mm(ui, 7) : 0;
    int ew = end ? (ui->area.w - 2 * pad - chev) * 2 / 5 : 0;
    int w = ui->area.w - 2 * pad - chev - (end ? ew + gap : 0);
    int h = ui_text_height(ui, w, row->title, UI_TEXT_BOLD) +
            ui_text_height(ui, w, row->detail, UI_TEXT_SMALL);
    int fh = row->figure != NULL ? ui_text_height(ui, ew, row->figure, UI_TEXT_BOLD) : 0;
    int sh = 0;
    if (row->status != NULL) {
        int side = icon_side(ui, UI_TEXT_BOLD);
        sh = ui_text_height(ui, ew - side - ui_mm(ui, 2), row->status, UI_TEXT_BOLD);
        if (sh < ui_line_height(ui, UI_TEXT_BOLD))
            sh = ui_line_height(ui, UI_TEXT_BOLD);
    }
    if (fh + sh > h)
        h = fh + sh;
    h += 2 * pad;
    if (row->opens && h < ui_mm(ui, 15)) /* a touch target */
        h = ui_mm(ui, 15);
    struct ui_rect r = ui_take(ui, h);

    /* what speech says: the title, then the figure and the status (what a person asks first:
     * how much, is it late), then the detail */
    char value[UI_LABEL_MAX] = "";
    const char *parts[] = { row->figure, row->status, row->detail };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t used = strlen(value);
        if (parts[i] != NULL && parts[i][0])
            snprintf(value + used, sizeof(value) - used, "%s%s", used > 0 ? ". " : "", parts[i]);
    }
    uint32_t id = ui_node(ui, row->opens ? UI_ROLE_LISTITEM : UI_ROLE_TEXT, row->title, value, 0, r,
                          row->opens);
    struct ui_color fg;
    if (row->opens) {
        unsigned state = ui_pressed(ui, id) ? UI_STATE_PRESSED : 0;
        const struct ui_style *st = ui_style_for(t, UI_PART_TILE, state);
        int bw = st->border_tenths_mm > 0 ? ui_mm(ui, st->border_tenths_mm / 10.0) : 1;
        ui_fill(ui, r, st->bg);
        ui_frame(ui, r, bw > 0 ? bw : 1, st->border);
        fg = st->fg;
    } else {
        /* text on the page: a rule below it, no fill and no frame a finger would try */
        fg = t->fg;
        ui_fill(ui, (struct ui_rect){ r.x, r.y + r.h - 1, r.w, 1 }, t->muted);
    }
    struct ui_rect tr = ui_mirror(ui, (struct ui_rect){ r.x + pad, r.y + pad, w, r.h - 2 * pad });
    tr.y += ui_text(ui, tr, row->title, UI_TEXT_BOLD, fg, UI_ALIGN_START);
    ui_text(ui, tr, row->detail, UI_TEXT_SMALL, fg, UI_ALIGN_START);
    if (end) {
        struct ui_rect er = { r.x + r.w - pad - chev - ew, r.y + pad, ew, r.h - 2 * pad };
        if (row->figure != NULL) {
            struct ui_rect fr = ui_mirror(ui, (struct ui_rect){ er.x, er.y, ew, fh });
            ui_text(ui, fr, row->figure, UI_TEXT_BOLD, fg, UI_ALIGN_END);
        }
        if (row->status != NULL) {
            struct ui_color c = row->tone == UI_TONE_PLAIN ? fg : ui_tone_color(ui, row->tone);
            status_in(ui, (struct ui_rect){ er.x, er.y + fh, ew, sh }, row->icon, c, row->status,
                      UI_TEXT_BOLD, true);
        }
    }
    if (row->opens) {
        /* the sign that the row opens something, pointing the way the language reads */
        int lh = ui_line_height(ui, UI_TEXT_H2);
        struct ui_rect cr = ui_mirror(
            ui, (struct ui_rect){ r.x + r.w - pad - chev, r.y + (r.h - lh) / 2, chev, lh });
        ui_text(ui, cr, ui->rtl ? "\u2039" : "\u203a", UI_TEXT_H2, fg, UI_ALIGN_CENTER);
        if (ui_has_focus(ui, id)) {
            int ft = ui_mm(ui, 1.2);
            ui_frame(ui, (struct ui_rect){ r.x - ft, r.y - ft, r.w + 2 * ft, r.h + 2 * ft }, ft,
                     t->style[UI_PART_TILE][UI_LOOK_FOCUSED].ring);
        }
    }
    return row->opens && ui_clicked(ui, id);
}

void
ui_state_panel(struct ui *ui, enum ui_icon icon, enum ui_tone tone, const char *headline,
               const char *text)
{
    const struct ui_theme *t = ui->theme;
    int pad = ui_mm(ui, 4), side = ui_mm(ui, 12), gap = ui_mm(ui, 4);
    int w = ui->area.w - 2 * pad - side - gap;
    int h = ui_text_height(ui, w, headline, UI_TEXT_H2) +
            (text != NULL ? ui_text_height(ui, w, text, UI_TEXT_BODY) : 0);
    if (h < side)
        h = side;
    h += 2 * pad;
    struct ui_rect r = ui_take(ui, h);
    struct ui_color c = ui_tone_color(ui, tone);
    ui_fill(ui, r, t->tile_bg);
    ui_frame(ui, r, ui_mm(ui, tone == UI_TONE_OVERDUE ? 0.8 : 0.3), c);
    ui_icon(ui, ui_mirror(ui, (struct ui_rect){ r.x + pad, r.y + pad, side, side }), icon, c);
    struct ui_rect tr =
        ui_mirror(ui, (struct ui_rect){ r.x + pad + side + gap, r.y + pad, w, h - 2 * pad });
    tr.y +=
        ui_text(ui, tr, headline, UI_TEXT_H2, tone == UI_TONE_OVERDUE ? c : t->fg, UI_ALIGN_START);
    if (text != NULL)
        ui_text(ui, tr, text, UI_TEXT_BODY, t->fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_STATUS, headline, text, 0, r, false);
}
