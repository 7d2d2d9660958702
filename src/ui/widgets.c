/* The widgets screens are made of. Each leaves one semantic node and its draw commands; sizes
 * are in millimetres (touch targets at least 15 mm high, 3 mm apart). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui_internal.h"
#include "utf8.h"
#include "xalloc.h"

#define TARGET_MM UI_MIN_TARGET_MM
#define PAD_MM    3.0

/* The node this widget just added (NULL when the tree was full), to say more of it for speech. */
static struct ui_node *
added(struct ui *ui, uint32_t id)
{
    return ui->n_nodes > 0 && ui->nodes[ui->n_nodes - 1].id == id ? &ui->nodes[ui->n_nodes - 1]
                                                                  : NULL;
}

/* The ring around the focused control, in its part's focus style, just outside its frame. */
static void
focus_ring(struct ui *ui, struct ui_rect r, uint32_t id, enum ui_part part)
{
    if (!ui_has_focus(ui, id))
        return;
    int t = ui_mm(ui, 1.2);
    ui_frame(ui, (struct ui_rect){ r.x - t, r.y - t, r.w + 2 * t, r.h + 2 * t }, t,
             ui->theme->style[part][UI_LOOK_FOCUSED].ring);
}

/* Fills and frames a part in the style of its state (UI_STATE_* bits; pressed is read from the
 * toolkit) and returns its style, whose fg the label is drawn in. */
static const struct ui_style *
draw_part(struct ui *ui, struct ui_rect r, uint32_t id, enum ui_part part, unsigned state)
{
    if (ui_pressed(ui, id))
        state |= UI_STATE_PRESSED;
    const struct ui_style *st = ui_style_for(ui->theme, part, state);
    int w = st->border_tenths_mm > 0 ? ui_mm(ui, st->border_tenths_mm / 10.0) : 1;
    ui_fill(ui, r, st->bg);
    ui_frame(ui, r, w > 0 ? w : 1, st->border);
    return st;
}

/* One stroke of a check mark, from (x0,y0) to (x1,y1), as squares of side t (the toolkit draws
 * rectangles only; the embedded fonts have no ✓). */
static void
stroke(struct ui *ui, double x0, double y0, double x1, double y1, int t, struct ui_color c)
{
    double len = sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
    int steps = (int)(len / (t > 2 ? t / 3.0 : 1.0)) + 1;
    for (int i = 0; i <= steps; i++) {
        double f = (double)i / steps;
        ui_fill(ui,
                (struct ui_rect){ (int)lround(x0 + f * (x1 - x0) - t / 2.0),
                                  (int)lround(y0 + f * (y1 - y0) - t / 2.0), t, t },
                c);
    }
}

void
ui_check_mark(struct ui *ui, struct ui_rect r, struct ui_color c, enum ui_part part)
{
    int t = r.w / 6 > 2 ? r.w / 6 : 2;
    double x = r.x, y = r.y, s = r.w;
    stroke(ui, x + 0.12 * s, y + 0.55 * s, x + 0.4 * s, y + 0.82 * s, t, c);
    stroke(ui, x + 0.4 * s, y + 0.82 * s, x + 0.9 * s, y + 0.18 * s, t, c);
    if (ui->n_marks < UI_MAX_MARKS)
        ui->marks[ui->n_marks++] = (struct ui_mark){ r, part };
}

void
ui_heading(struct ui *ui, const char *text, int level)
{
    enum ui_text_style st = level <= 1 ? UI_TEXT_H1 : UI_TEXT_H2;
    int h = ui_text_height(ui, ui->area.w, text, st);
    struct ui_rect r = ui_take(ui, h);
    ui_text(ui, r, text, st, ui->theme->fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_HEADING, text, NULL, 0, r, false);
}

void
ui_paragraph(struct ui *ui, const char *text, enum ui_text_style style)
{
    int h = ui_text_height(ui, ui->area.w, text, style);
    struct ui_rect r = ui_take(ui, h);
    ui_text(ui, r, text, style, style == UI_TEXT_SMALL ? ui->theme->muted : ui->theme->fg,
            UI_ALIGN_START);
    ui_node(ui, UI_ROLE_TEXT, text, NULL, 0, r, false);
}

void
ui_pair(struct ui *ui, const char *label, const char *value)
{
    int lw = ui->area.w * 2 / 5, vw = ui->area.w - lw - ui_mm(ui, 3);
    int h1 = ui_text_height(ui, lw, label, UI_TEXT_BODY);
    int h2 = ui_text_height(ui, vw, value, UI_TEXT_BOLD);
    struct ui_rect r = ui_take(ui, h1 > h2 ? h1 : h2);
    /* one line each, one taller for its script (an Arabic label, a value of digits): centred
     * on each other, so that the two sit on one line rather than one lower */
    int d = h1 - h2, lo = 0, vo = 0;
    if (d != 0 && abs(d) < ui_line_height(ui, UI_TEXT_BODY)) {
        lo = d < 0 ? -d / 2 : 0;
        vo = d > 0 ? d / 2 : 0;
    }
    struct ui_rect lr = ui_mirror(ui, (struct ui_rect){ r.x, r.y + lo, lw, r.h - lo });
    struct ui_rect vr =
        ui_mirror(ui, (struct ui_rect){ r.x + lw + ui_mm(ui, 3), r.y + vo, vw, r.h - vo });
    ui_text(ui, lr, label, UI_TEXT_BODY, ui->theme->muted, UI_ALIGN_START);
    ui_text(ui, vr, value, UI_TEXT_BOLD, ui->theme->fg, UI_ALIGN_START);
    struct ui_node *n = added(ui, ui_node(ui, UI_ROLE_TEXT, label, value, 0, r, false));
    if (n != NULL)
        n->caption = true;
}

bool
ui_pair_button(struct ui *ui, const char *label, const char *value, const char *button)
{
    int gap = ui_mm(ui, 3), pad = ui_mm(ui, PAD_MM);
    int bw = ui->area.w / 3, pw = ui->area.w - bw - gap;
    int lw = pw * 2 / 5, vw = pw - lw - gap;
    int h1 = ui_text_height(ui, lw, label, UI_TEXT_BODY);
    int h2 = ui_text_height(ui, vw, value, UI_TEXT_BOLD);
    int bh = ui_text_height(ui, bw - 2 * pad, button, UI_TEXT_BOLD) + 2 * pad;
    int th = h1 > h2 ? h1 : h2, h = th;
    h = bh > h ? bh : h;
    h = ui_mm(ui, TARGET_MM) > h ? ui_mm(ui, TARGET_MM) : h;
    struct ui_rect r = ui_take(ui, h);
    int y = r.y + (h - th) / 2; /* the answer on the button's middle */
    /* one line each, one taller for its script: centred on each other, as ui_pair does */
    int d = h1 - h2, lo = 0, vo = 0;
    if (d != 0 && abs(d) < ui_line_height(ui, UI_TEXT_BODY)) {
        lo = d < 0 ? -d / 2 : 0;
        vo = d > 0 ? d / 2 : 0;
    }
    struct ui_rect lr = ui_mirror(ui, (struct ui_rect){ r.x, y + lo, lw, h1 });
    struct ui_rect vr = ui_mirror(ui, (struct ui_rect){ r.x + lw + gap, y + vo, vw, h2 });
    ui_text(ui, lr, label, UI_TEXT_BODY, ui->theme->muted, UI_ALIGN_START);
    ui_text(ui, vr, value, UI_TEXT_BOLD, ui->theme->fg, UI_ALIGN_START);
    struct ui_rect nr = ui_mirror(ui, (struct ui_rect){ r.x, y, pw, th });
    struct ui_node *n = added(ui, ui_node(ui, UI_ROLE_TEXT, label, value, 0, nr, false));
    if (n != NULL)
        n->caption = true;
    bool personal = ui->personal; /* the value may be personal; the button is the screen's */
    ui->personal = false;
    struct ui_rect br = ui_mirror(ui, (struct ui_rect){ r.x + r.w - bw, r.y, bw, h });
    bool clicked = ui_button_in(ui, br, button, UI_BUTTON_NORMAL, false);
    ui->personal = personal;
    return clicked;
}

static bool
button(struct ui *ui, struct ui_rect r, const char *label, const char *name,
       enum ui_button_kind kind, unsigned state)
{
    bool checked = state & UI_STATE_CHECKED;
    uint32_t id = ui_node(ui, UI_ROLE_BUTTON, name, NULL, state, r, true);
    enum ui_part part = kind == UI_BUTTON_PRIMARY ? UI_PART_PRIMARY
                        : kind == UI_BUTTON_QUIET ? UI_PART_HEADER
                                                  : UI_PART_BUTTON;
    struct ui_color fg = draw_part(ui, r, id, part, state)->fg;
    int pad = ui_mm(ui, PAD_MM);
    struct ui_rect tr = { r.x + pad, r.y, r.w - 2 * pad, r.h };
    if (checked) {
        /* ✓ at the start of the label (mirrored in RTL): the state is seen, not only coloured */
        int side = ui_line_height(ui, UI_TEXT_BOLD) * 3 / 4;
        if (side > r.h - 2)
            side = r.h - 2;
        struct ui_rect mr = { r.x + pad, r.y + (r.h - side) / 2, side, side };
        if (ui->rtl)
            mr.x = r.x + r.w - pad - side;
        ui_check_mark(ui, mr, fg, part);
        tr.w -= side + ui_mm(ui, 1.5);
        if (!ui->rtl)
            tr.x += side + ui_mm(ui, 1.5);
    }
    /* a label that wraps taller than a button laid out at a fixed height (larger text) is set in
     * the small style rather than cut: screens should size such buttons by ui_text_height */
    enum ui_text_style ts = UI_TEXT_BOLD;
    int th = ui_text_height(ui, tr.w, label, ts);
    if (th > r.h - 2) {
        ts = UI_TEXT_SMALL;
        th = ui_text_height(ui, tr.w, label, ts);
    }
    tr.y = r.y + (r.h - th) / 2;
    tr.h = th;
    ui_text(ui, tr, label, ts, fg, UI_ALIGN_CENTER);
    focus_ring(ui, r, id, part);
    return ui_clicked(ui, id) && !(state & UI_STATE_DISABLED);
}

bool
ui_button_in(struct ui *ui, struct ui_rect r, const char *label, enum ui_button_kind kind,
             bool checked)
{
    return button(ui, r, label, label, kind, checked ? UI_STATE_CHECKED : 0);
}

bool
ui_button_named_in(struct ui *ui, struct ui_rect r, const char *label, const char *name,
                   enum ui_button_kind kind, bool checked)
{
    return button(ui, r, label, name, kind, checked ? UI_STATE_CHECKED : 0);
}

bool
ui_button_if(struct ui *ui, struct ui_rect r, const char *label, enum ui_button_kind kind,
             bool enabled)
{
    return button(ui, r, label, label, kind, enabled ? 0 : UI_STATE_DISABLED);
}

bool
ui_toggle_in(struct ui *ui, struct ui_rect r, const char *label, enum ui_button_kind kind, bool on)
{
    size_t at = ui->n_nodes;
    bool clicked = ui_button_in(ui, r, label, kind, on);
    if (at < ui->n_nodes)
        ui->nodes[at].toggle = true;
    return clicked;
}

bool
ui_button(struct ui *ui, const char *label, enum ui_button_kind kind)
{
    int w = ui->cols > 0 ? (ui->area.w / ui->cols) : ui->area.w;
    int th = ui_text_height(ui, w - 2 * ui_mm(ui, PAD_MM), label, UI_TEXT_BOLD);
    int h = th + 2 * ui_mm(ui, PAD_MM);
    if (h < ui_mm(ui, TARGET_MM))
        h = ui_mm(ui, TARGET_MM);
    return ui_button_in(ui, ui_take(ui, h), label, kind, false);
}

bool
ui_tile(struct ui *ui, const char *title, const char *value, const char *detail)
{
    int pad = ui_mm(ui, 4);
    int w = (ui->cols > 0 ? (ui->area.w - ui_mm(ui, 3) * (ui->cols - 1)) / ui->cols : ui->area.w) -
            2 * pad;
    int h = ui_text_height(ui, w, title, UI_TEXT_BOLD) + ui_text_height(ui, w, value, UI_TEXT_H1) +
            ui_text_height(ui, w, detail, UI_TEXT_SMALL) + 2 * pad;
    if (h < ui_mm(ui, 38))
        h = ui_mm(ui, 38);
    struct ui_rect r = ui_take(ui, h);
    char spoken[UI_LABEL_MAX];
    bool has_value = value != NULL && value[0]; /* a tile without a figure: its title and detail */
    snprintf(spoken, sizeof(spoken), "%s%s%s", has_value ? value : "",
             has_value && detail != NULL && detail[0] ? ". " : "", detail != NULL ? detail : "");
    uint32_t id = ui_node(ui, UI_ROLE_TILE, title, spoken, 0, r, true);
    if (added(ui, id) != NULL)
        added(ui, id)->caption = true;
    struct ui_color fg = draw_part(ui, r, id, UI_PART_TILE, 0)->fg;
    struct ui_rect tr = { r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad };
    tr.y += ui_text(ui, tr, title, UI_TEXT_BOLD, fg, UI_ALIGN_START);
    tr.y += ui_text(ui, tr, value, UI_TEXT_H1, fg, UI_ALIGN_START);
    ui_text(ui, tr, detail, UI_TEXT_SMALL, fg, UI_ALIGN_START);
    focus_ring(ui, r, id, UI_PART_TILE);
    return ui_clicked(ui, id);
}

bool
ui_list_item(struct ui *ui, const char *title, const char *detail, const char *badge)
{
    int pad = ui_mm(ui, 3);
    int bw = badge != NULL ? ui->area.w / 4 : 0;
    int w = ui->area.w - 2 * pad - bw;
    int h =
        ui_text_height(ui, w, title, UI_TEXT_BOLD) + ui_text_height(ui, w, detail, UI_TEXT_SMALL);
    int bh = badge != NULL ? ui_text_height(ui, bw, badge, UI_TEXT_BOLD) : 0;
    h = (bh > h ? bh : h) + 2 * pad; /* a badge may wrap (a long status in Somali) */
    if (h < ui_mm(ui, TARGET_MM))
        h = ui_mm(ui, TARGET_MM);
    struct ui_rect r = ui_take(ui, h);
    uint32_t id = ui_node(ui, UI_ROLE_LISTITEM, title, detail, 0, r, true);
    struct ui_color fg = draw_part(ui, r, id, UI_PART_TILE, 0)->fg;
    struct ui_rect tr = ui_mirror(ui, (struct ui_rect){ r.x + pad, r.y + pad, w, r.h - 2 * pad });
    int used = ui_text(ui, tr, title, UI_TEXT_BOLD, fg, UI_ALIGN_START);
    tr.y += used;
    ui_text(ui, tr, detail, UI_TEXT_SMALL, fg, UI_ALIGN_START);
    if (badge != NULL) {
        struct ui_rect br =
            ui_mirror(ui, (struct ui_rect){ r.x + r.w - bw - pad, r.y + pad, bw, r.h - 2 * pad });
        ui_text(ui, br, badge, UI_TEXT_BOLD, fg, UI_ALIGN_END);
    }
    focus_ring(ui, r, id, UI_PART_TILE);
    return ui_clicked(ui, id);
}

void
ui_pager(struct ui *ui, int *page, int n_items, int per_page)
{
    int pages = per_page > 0 ? (n_items + per_page - 1) / per_page : 1;
    if (pages < 1)
        pages = 1;
    if (*page >= pages)
        *page = pages - 1;
    if (*page < 0)
        *page = 0;
    if (pages == 1)
        return;
    char where[64];
    snprintf(where, sizeof(where), _("Page %d of %d"), *page + 1, pages);
    /* as tall as the labels need (Arabic with larger text is taller than the target) */
    int colw = (ui->area.w - 2 * ui_mm(ui, 3)) / 3 - 2 * ui_mm(ui, PAD_MM),
        h = ui_mm(ui, TARGET_MM);
    const char *labels[] = { _("Previous"), _("Next"), where };
    for (size_t i = 0; i < 3; i++) {
        int th = ui_text_height(ui, colw, labels[i], UI_TEXT_BOLD) + 2 * ui_mm(ui, PAD_MM);
        h = th > h ? th : h;
    }
    ui_columns(ui, 3);
    struct ui_rect prev = ui_take(ui, h);
    struct ui_rect mid = ui_take(ui, h);
    struct ui_rect next = ui_take(ui, h);
    ui_columns(ui, 1);
    if (*page > 0 && ui_button_in(ui, prev, _("Previous"), UI_BUTTON_NORMAL, false))
        (*page)--;
    int th = ui_text_height(ui, mid.w, where, UI_TEXT_BODY); /* Arabic lines are taller */
    ui_text(ui, (struct ui_rect){ mid.x, mid.y + (mid.h - th) / 2, mid.w, th }, where, UI_TEXT_BODY,
            ui->theme->fg, UI_ALIGN_CENTER);
    ui_node(ui, UI_ROLE_STATUS, where, NULL, 0, mid, false);
    if (*page < pages - 1 && ui_button_in(ui, next, _("Next"), UI_BUTTON_NORMAL, false))
        (*page)++;
}

void
ui_banner(struct ui *ui, const char *text, bool warning)
{
    const struct ui_theme *t = ui->theme;
    int pad = ui_mm(ui, 3);
    int h = ui_text_height(ui, ui->area.w - 2 * pad, text, UI_TEXT_BOLD) + 2 * pad;
    struct ui_rect r = ui_take(ui, h);
    ui_fill(ui, r, warning ? t->banner_warn_bg : t->banner_info_bg);
    ui_frame(ui, r, 2, warning ? t->banner_warn_fg : t->banner_info_fg);
    ui_text(ui, (struct ui_rect){ r.x + pad, r.y + pad, r.w - 2 * pad, r.h - 2 * pad }, text,
            UI_TEXT_BOLD, warning ? t->banner_warn_fg : t->banner_info_fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_BANNER, text, warning ? "warning" : "info", 0, r, false);
}

void
ui_steps(struct ui *ui, const char *const *labels, int n, int current)
{
    /* as tall as the longest label needs when it wraps (larger text, a long Somali word) */
    int w = ui->area.w / (n > 0 ? n : 1), h = ui_mm(ui, 12);
    for (int i = 0; i < n; i++) {
        char text[96];
        snprintf(text, sizeof(text), "%d. %s", i + 1, labels[i]);
        int need = ui_text_height(ui, w - 4 - 8, text, UI_TEXT_SMALL) + ui_mm(ui, 2);
        h = need > h ? need : h;
    }
    struct ui_rect band = ui_take(ui, h);
    for (int i = 0; i < n; i++) {
        struct ui_rect r = ui_mirror(ui, (struct ui_rect){ band.x + i * w, band.y, w - 4, h });
        bool cur = i == current;
        const struct ui_style *st =
            ui_style_for(ui->theme, UI_PART_STEP, cur ? UI_STATE_CHECKED : 0);
        ui_fill(ui, r, st->bg);
        ui_frame(ui, r, 1, st->border);
        char text[96];
        snprintf(text, sizeof(text), "%d. %s", i + 1, labels[i]);
        int th = ui_text_height(ui, r.w - 8, text, UI_TEXT_SMALL);
        ui_text(ui, (struct ui_rect){ r.x + 4, r.y + (r.h - th) / 2, r.w - 8, th }, text,
                UI_TEXT_SMALL, st->fg, UI_ALIGN_CENTER);
        struct ui_node *node = added(ui, ui_node(ui, UI_ROLE_STEP, labels[i],
                                                 cur ? "current" : (i < current ? "done" : "todo"),
                                                 cur ? UI_STATE_CHECKED : 0, r, false));
        if (node != NULL) {
            node->set_pos = (short)(i + 1);
            node->set_size = (short)n;
        }
    }
}

void
ui_timeline_entry(struct ui *ui, const char *when, const char *what, const char *note, bool last)
{
    const struct ui_theme *t = ui->theme;
    int mark = ui_mm(ui, 5), indent = ui_mm(ui, 12);
    int w = ui->area.w - indent;
    int h = ui_text_height(ui, w, what, UI_TEXT_BOLD) + ui_text_height(ui, w, when, UI_TEXT_SMALL) +
            ui_text_height(ui, w, note, UI_TEXT_SMALL);
    struct ui_rect r = ui_take(ui, h);
    struct ui_rect dot =
        ui_mirror(ui, (struct ui_rect){ r.x + ui_mm(ui, 2), r.y + ui_mm(ui, 1), mark, mark });
    ui_fill(ui, dot, last ? t->primary_bg : t->border);
    if (!last) {
        struct ui_rect line = ui_mirror(ui, (struct ui_rect){ r.x + ui_mm(ui, 2) + mark / 2 - 1,
                                                              r.y + mark + ui_mm(ui, 1), 3,
                                                              r.h - mark + ui_mm(ui, 2) });
        ui_fill(ui, line, t->border);
    }
    struct ui_rect tr = ui_mirror(ui, (struct ui_rect){ r.x + indent, r.y, w, r.h });
    tr.y += ui_text(ui, tr, what, UI_TEXT_BOLD, t->fg, UI_ALIGN_START);
    tr.y += ui_text(ui, tr, when, UI_TEXT_SMALL, t->muted, UI_ALIGN_START);
    ui_text(ui, tr, note, UI_TEXT_SMALL, t->muted, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_TIMELINE, what, when, last ? UI_STATE_CHECKED : 0, r, false);
}

void
ui_qr(struct ui *ui, const unsigned char *modules, int size, double side_mm, const char *label)
{
    int side = ui_mm(ui, side_mm);
    struct ui_rect band = ui_take(ui, side);
    struct ui_rect r = { band.x + (band.w - side) / 2, band.y, side, side };
    size_t need = (size_t)size * (size_t)size;
    if (ui->qr_len + need > ui->qr_cap) {
        size_t cap = (ui->qr_len + need) * 2;
        unsigned char *nb = xcalloc(1, cap);
        if (ui->qr_buf != NULL) {
            memcpy(nb, ui->qr_buf, ui->qr_len);
            secure_zero(ui->qr_buf, ui->qr_cap);
            free(ui->qr_buf);
        }
        ui->qr_buf = nb;
        ui->qr_cap = cap;
    }
    memcpy(ui->qr_buf + ui->qr_len, modules, need);
    ui->qr_len += need;
    ui_cmd_push(ui, &(struct ui_cmd){ .kind = UI_CMD_QR, .r = r, .qr_size = size });
    ui_node(ui, UI_ROLE_QR, label, NULL, 0, r, false);
}

void
ui_error_note(struct ui *ui, const char *text)
{
    int h = ui_text_height(ui, ui->area.w, text, UI_TEXT_BOLD);
    struct ui_rect er = ui_take(ui, h);
    ui_text(ui, er, text, UI_TEXT_BOLD, ui->theme->invalid, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_STATUS, text, "invalid", 0, er, false);
}

void
ui_field_clear(struct ui_field *f)
{
    secure_zero(f->text, sizeof(f->text));
    f->error = NULL;
}

static void
field_backspace(struct ui_field *f)
{
    size_t n = strlen(f->text);
    while (n > 0) {
        n--;
        if (((unsigned char)f->text[n] & 0xc0) != 0x80)
            break;
    }
    secure_zero(f->text + n, sizeof(f->text) - n);
}

static bool
field_append(struct ui_field *f, const char *s)
{
    size_t have = strlen(f->text), add = strlen(s);
    size_t max = f->max_len > 0 && f->max_len < sizeof(f->text) ? f->max_len : sizeof(f->text) - 1;
    if (!utf8_valid(s, add) || utf8_length(f->text, have) + utf8_length(s, add) > max ||
        have + add >= sizeof(f->text))
        return false;
    memcpy(f->text + have, s, add + 1);
    return true;
}

bool
ui_field(struct ui *ui, struct ui_field *f)
{
    const struct ui_theme *t = ui->theme;
    int pad = ui_mm(ui, 3);
    /* only the text typed may be personal: the question, the hint and the error are the screen's */
    bool personal = ui->personal;
    ui->personal = false;
    ui_paragraph(ui, f->label, UI_TEXT_BOLD);
    ui->personal = personal;
    struct ui_rect r = ui_take(ui, ui_mm(ui, TARGET_MM));
    uint32_t id = ui_node(ui, UI_ROLE_TEXTFIELD, f->label, f->text,
                          f->error != NULL ? UI_STATE_INVALID : 0, r, true);
    struct ui_node *node = added(ui, id);
    if (node != NULL) { /* the question is the screen's; the error or hint is said with it */
        node->caption = true;
        const char *note = f->error != NULL ? f->error : f->hint;
        snprintf(node->note, sizeof(node->note), "%s", note != NULL ? note : "");
    }
    bool changed = false;
    if (ui_has_focus(ui, id)) {
        for (; ui->pending_backspace > 0; ui->pending_backspace--) {
            field_backspace(f);
            changed = true;
        }
        if (ui->pending_text[0] != '\0') {
            changed |= field_append(f, ui->pending_text);
            ui->pending_text[0] = '\0';
        }
        if (changed)
            ui_invalidate(ui); /* the node above still has the old text */
    }
    const struct ui_style *st = draw_part(ui, r, id, UI_PART_FIELD, 0);
    if (f->error != NULL)
        ui_frame(ui, r, ui_mm(ui, 0.6) > 0 ? ui_mm(ui, 0.6) : 1, t->invalid);
    char shown[sizeof(f->text) + 4];
    snprintf(shown, sizeof(shown), "%s%s", f->text, ui_has_focus(ui, id) ? "|" : "");
    int th = ui_text_height(ui, r.w - 2 * pad, shown, UI_TEXT_BODY); /* Arabic lines are taller */
    if (th < ui_line_height(ui, UI_TEXT_BODY) || th > r.h)
        th = th > r.h ? r.h : ui_line_height(ui, UI_TEXT_BODY);
    ui_text(ui, (struct ui_rect){ r.x + pad, r.y + (r.h - th) / 2, r.w - 2 * pad, th }, shown,
            UI_TEXT_BODY, st->fg, UI_ALIGN_START);
    secure_zero(shown, sizeof(shown));
    focus_ring(ui, r, id, UI_PART_FIELD);
    ui->personal = false;
    if (f->error != NULL) {
        ui_error_note(ui, f->error);
    } else if (f->hint != NULL) {
        ui_paragraph(ui, f->hint, UI_TEXT_SMALL);
    }
    ui->personal = personal;
    ui_clicked(ui, id); /* a tap only focuses */
    return changed;
}

/* The text keyboard's pages, each three rows under the digits. The letters: Swedish, with the
 * é and ü of names and loanwords and the commonest marks; capitals with Shift. The marks page has
 * the rest of what Swedish text needs. A right-to-left language the kiosk offers starts on its
 * own alphabet (standard Arabic and Persian layouts), with the Latin letters a key away. */
struct kb_page {
    const char *lang; /* the language whose alphabet it is; NULL: Latin */
    const char *name; /* the key that comes back to it, in its own letters */
    const char *rows[4], *upper[4];
};

static const char digits_row[] = "1234567890";
static const struct kb_page kb_latin = {
    NULL,
    "ABC",
    { "qwertyuiopå", "asdfghjklöä", "zxcvbnméü,.?", NULL },
    { "QWERTYUIOPÅ", "ASDFGHJKLÖÄ", "ZXCVBNMÉÜ,.?", NULL },
};
static const struct kb_page kb_marks = {
    NULL,
    NULL,
    { ".,?!-:;", "'\"()@/", "+&%*=_#", NULL },
    { NULL },
};
static const struct kb_page kb_native[] = {
    { "ar", "أبجد", { "ضصثقفغعهخحج", "شسيبلاتنمكط", "ئءؤرىةوزظدذ", "أإآ،؟." }, { NULL } },
    { "fa", "الفبا", { "ضصثقفغعهخحجچ", "شسیبلاتنمکگ", "ظطزرذدپوژآئ", "ءأ،؟." }, { NULL } },
};

static const struct kb_page *
kb_native_page(void)
{
    const char *code = i18n_current()->code;
    for (size_t i = 0; i < sizeof(kb_native) / sizeof(kb_native[0]); i++) {
        if (strcmp(kb_native[i].lang, code) == 0)
            return &kb_native[i];
    }
    return NULL;
}

static const char *const rows_numeric[] = { "123", "456", "789", "-0+" };
/* on a landscape screen: two rows of six, so that the form and its Send button fit the height */
static const char *const rows_numeric_wide[] = { "123456", "7890-+" };

/* One key of the on-screen keyboard; true when it was tapped. checked: a mode key that is on
 * (Shift, the marks, the other alphabet), drawn and said as selected. */
static bool
key(struct ui *ui, struct ui_rect r, const char *label, enum ui_text_style style, bool checked)
{
    unsigned state = checked ? UI_STATE_CHECKED : 0;
    uint32_t id = ui_node(ui, UI_ROLE_KEY, label, NULL, state, r, true);
    struct ui_color fg = draw_part(ui, r, id, UI_PART_KEY, state)->fg;
    int th = ui_text_height(ui, r.w, label, style); /* "Space" in Tigrinya is taller */
    ui_text(ui, (struct ui_rect){ r.x, r.y + (r.h - th) / 2, r.w, th }, label, style, fg,
            UI_ALIGN_CENTER);
    focus_ring(ui, r, id, UI_PART_KEY);
    return ui_clicked(ui, id);
}

/* A row of keys, one per character of row, each w wide, centred in a band; the character of
 * the tapped key, or "". */
static const char *
key_row(struct ui *ui, const char *row, int w, int key_h, int gap, char *tapped, size_t size)
{
    size_t n = utf8_length(row, strlen(row));
    struct ui_rect band = ui_take(ui, key_h);
    int x = band.x + (band.w - ((int)n * w + ((int)n - 1) * gap)) / 2;
    const char *p = row;
    tapped[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        uint32_t cp;
        size_t len = utf8_decode(p, strlen(p), &cp);
        char ch[8] = { 0 };
        memcpy(ch, p, len);
        p += len;
        struct ui_rect r = { x + (int)k * (w + gap), band.y, w, key_h };
        if (key(ui, r, ch, UI_TEXT_H2, false))
            snprintf(tapped, size, "%s", ch);
    }
    return tapped;
}

/* A row of wide keys sharing the band equally; the index of the tapped one, or -1. */
static int
wide_keys(struct ui *ui, const char *const *labels, const bool *checked, int n, int key_h, int gap)
{
    struct ui_rect band = ui_take(ui, key_h);
    int w = (band.w - gap * (n - 1)) / n, hit = -1;
    for (int i = 0; i < n; i++) {
        struct ui_rect r = { band.x + i * (w + gap), band.y, w, key_h };
        if (key(ui, r, labels[i], UI_TEXT_BOLD, checked[i]))
            hit = i;
    }
    return hit;
}

void
ui_keyboard(struct ui *ui, struct ui_field *f)
{
    bool numeric = f->keyboard == UI_KEYBOARD_NUMERIC, wide = ui->width > ui->height;
    int key_h = ui_mm(ui, TARGET_MM), gap = ui_mm(ui, UI_MIN_GAP_MM); /* 3 mm apart */
    /* larger text is taller, and an Arabic or Persian letter taller than a Latin one */
    int label_h = ui_text_height(ui, 1 << 20, "\u00c5g\u064a", UI_TEXT_H2) + ui_mm(ui, 2);
    key_h = label_h > key_h ? label_h : key_h;
    char tapped[8];
    /* the keys in words (said as they read): capitals (where the letters have them: not Arabic,
     * not Persian), the marks page, the other alphabet; Space, Delete, Clear */
    enum { CAPITALS, MARKS, ALPHABET, SPACE, DELETE, CLEAR };
    const char *labels[6];
    bool on[6] = { false }; /* the page keys name where they go; Shift is on or off */
    int what[6], n = 0;
    /* The keyboard keeps left-to-right order in every language: it is a physical layout. */
    if (numeric) {
        const char *const *rows = wide ? rows_numeric_wide : rows_numeric;
        size_t n_rows = wide ? 2 : 4;
        int max_keys = wide ? 6 : 3, w = (ui->area.w - gap * (max_keys - 1)) / max_keys;
        for (size_t row = 0; row < n_rows; row++) {
            if (key_row(ui, rows[row], w, key_h, gap, tapped, sizeof(tapped))[0] != '\0')
                field_append(f, tapped);
        }
    } else {
        const struct kb_page *native = kb_native_page();
        const struct kb_page *page = f->kb_marks                      ? &kb_marks
                                     : native != NULL && !f->kb_latin ? native
                                                                      : &kb_latin;
        bool shift = f->kb_shift && page->upper[0] != NULL;
        int max_keys = 12, w = (ui->area.w - gap * (max_keys - 1)) / max_keys;
        if (key_row(ui, digits_row, w, key_h, gap, tapped, sizeof(tapped))[0] != '\0')
            field_append(f, tapped);
        for (size_t row = 0; row < 4 && page->rows[row] != NULL; row++) {
            const char *chars = shift ? page->upper[row] : page->rows[row];
            if (key_row(ui, chars, w, key_h, gap, tapped, sizeof(tapped))[0] != '\0') {
                field_append(f, tapped);
                f->kb_shift = false; /* one capital, as on a phone */
            }
        }
        if (page->upper[0] != NULL || (f->kb_marks && (native == NULL || f->kb_latin))) {
            on[n] = shift;
            what[n] = CAPITALS;
            labels[n++] = _("Capitals");
        }
        what[n] = MARKS;
        labels[n++] = f->kb_marks ? _("Letters") : _("Marks");
        if (native != NULL) {
            what[n] = ALPHABET;
            labels[n++] = f->kb_latin ? native->name : kb_latin.name;
        }
    }
    /* the mode keys on a row of their own; on a landscape screen (wide, not tall) one row with
     * Space, Delete and Clear, so that the form and its buttons fit the height */
    int key = -1;
    if (n > 0 && !wide) {
        int hit = wide_keys(ui, labels, on, n, key_h, gap);
        key = hit >= 0 ? what[hit] : -1;
        n = 0;
    }
    static const int actions[] = { SPACE, DELETE, CLEAR };
    for (size_t i = 0; i < 3; i++) {
        what[n] = actions[i];
        on[n] = false;
        labels[n++] = i == 0 ? _("Space") : i == 1 ? _("Delete") : _("Clear");
    }
    int hit = wide_keys(ui, labels, on, n, key_h, gap);
    if (hit >= 0)
        key = what[hit];
    switch (key) {
    case CAPITALS:
        f->kb_shift = !f->kb_shift;
        f->kb_marks = false;
        break;
    case MARKS:
        f->kb_marks = !f->kb_marks;
        f->kb_shift = false;
        break;
    case ALPHABET:
        f->kb_latin = !f->kb_latin;
        f->kb_marks = f->kb_shift = false;
        break;
    case SPACE:
        field_append(f, " ");
        break;
    case DELETE:
        field_backspace(f);
        break;
    case CLEAR:
        ui_field_clear(f);
        break;
    default:
        break;
    }
}
