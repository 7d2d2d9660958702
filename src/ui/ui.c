/* The toolkit's frame: input, the semantic tree, layout bands, and the draw list. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ui_internal.h"
#include "ui_sdl.h"
#include "xalloc.h"

#define LOG_MODULE "ui"
#include "log.h"

static const char *const role_codes[UI_ROLE_COUNT] = {
    [UI_ROLE_SCREEN] = "screen",       [UI_ROLE_HEADING] = "heading",
    [UI_ROLE_TEXT] = "text",           [UI_ROLE_BUTTON] = "button",
    [UI_ROLE_TILE] = "tile",           [UI_ROLE_KEY] = "key",
    [UI_ROLE_TEXTFIELD] = "textfield", [UI_ROLE_LISTITEM] = "listitem",
    [UI_ROLE_DIALOG] = "dialog",       [UI_ROLE_QR] = "qr",
    [UI_ROLE_BANNER] = "banner",       [UI_ROLE_STEP] = "step",
    [UI_ROLE_TIMELINE] = "timeline",   [UI_ROLE_STATUS] = "status",
};

const char *
ui_role_code(enum ui_role r)
{
    return r < UI_ROLE_COUNT ? role_codes[r] : "?";
}

static void
compute_scale(struct ui *ui)
{
    double diag_px = sqrt((double)ui->width * ui->width + (double)ui->height * ui->height);
    ui->px_per_mm = diag_px / (ui->cfg.diagonal_in * 25.4);
}

struct ui *
ui_create(SDL_Renderer *r, const struct ui_config *cfg, struct errbuf *err)
{
    if (TTF_WasInit() == 0 && TTF_Init() != 0) {
        err_set(err, "cannot start SDL_ttf: %s", TTF_GetError());
        return NULL;
    }
    struct ui *ui = xcalloc(1, sizeof(*ui));
    ui->renderer = r;
    ui->cfg = *cfg;
    if (ui->cfg.diagonal_in <= 0)
        ui->cfg.diagonal_in = 21.5;
    ui->width = cfg->width_px;
    ui->height = cfg->height_px;
    compute_scale(ui);
    ui->theme = ui_theme_standard();
    for (int i = 0; i < UI_FONT_FACES; i++) {
        ui->fonts.data[i] = cfg->fonts[i];
        ui->fonts.len[i] = cfg->font_lens[i];
    }
    /* Every face must open: a kiosk that cannot show text must say so at start. */
    for (int i = 0; i < UI_FONT_FACES; i++) {
        if (ui_font(ui, i, 24) == NULL) {
            err_set(err, "font %d does not load: %s", i, TTF_GetError());
            ui_destroy(ui);
            return NULL;
        }
    }
    ui->stale = true;
    return ui;
}

void
ui_destroy(struct ui *ui)
{
    if (ui == NULL)
        return;
    ui_text_cache_free(ui);
    for (int i = 0; i < ui->fonts.n_open; i++)
        TTF_CloseFont(ui->fonts.open[i].font);
    if (ui->qr_buf != NULL)
        secure_zero(ui->qr_buf, ui->qr_cap);
    free(ui->qr_buf);
    secure_zero(ui, sizeof(*ui));
    free(ui);
}

void
ui_set_theme(struct ui *ui, bool high_contrast)
{
    ui->high_contrast = high_contrast;
    ui->theme = high_contrast ? ui_theme_high_contrast() : ui_theme_standard();
    ui->stale = true;
}

void
ui_set_large_text(struct ui *ui, bool large)
{
    ui->large_text = large;
    ui->stale = true;
}

void
ui_set_rtl(struct ui *ui, bool rtl)
{
    ui->rtl = rtl;
    ui->stale = true;
}

bool
ui_high_contrast(const struct ui *ui)
{
    return ui->high_contrast;
}

bool
ui_large_text(const struct ui *ui)
{
    return ui->large_text;
}

const struct ui_theme *
ui_theme(const struct ui *ui)
{
    return ui->theme;
}

void
ui_set_display(struct ui *ui, int width_px, int height_px)
{
    ui->width = width_px;
    ui->height = height_px;
    compute_scale(ui);
    ui->stale = true;
    ui->drawn_once = false;
}

void
ui_display(const struct ui *ui, int *width_px, int *height_px)
{
    *width_px = ui->width;
    *height_px = ui->height;
}

double
ui_px_per_mm(const struct ui *ui)
{
    return ui->px_per_mm;
}

int
ui_mm(const struct ui *ui, double mm)
{
    return (int)lround(mm * ui->px_per_mm);
}

/* --- Reach --------------------------------------------------------------------------------- */

void
ui_reach_of(double diagonal_in, int width_px, int height_px, int bottom_edge_mm,
            struct ui_reach *out)
{
    double w = width_px > 0 ? width_px : 1, h = height_px > 0 ? height_px : 1;
    double diag_mm = diagonal_in * 25.4, diag_px = sqrt(w * w + h * h);
    out->width_mm = diag_mm * w / diag_px;
    out->height_mm = diag_mm * h / diag_px;
    out->bottom_mm = bottom_edge_mm;
    out->top_mm = out->bottom_mm + out->height_mm;
    out->low_mm = out->bottom_mm > UI_REACH_LOW_MM ? out->bottom_mm : UI_REACH_LOW_MM;
    out->high_mm = out->top_mm < UI_REACH_HIGH_MM ? out->top_mm : UI_REACH_HIGH_MM;
    if (out->high_mm < out->low_mm)
        out->high_mm = out->low_mm;
    out->within_mm = out->high_mm - out->low_mm;
}

void
ui_set_mount(struct ui *ui, int bottom_edge_mm)
{
    ui->cfg.bottom_edge_mm = bottom_edge_mm;
    ui->stale = true;
}

int
ui_mount(const struct ui *ui)
{
    return ui->cfg.bottom_edge_mm;
}

double
ui_floor_mm(const struct ui *ui, int y)
{
    return ui->cfg.bottom_edge_mm + (ui->height - y) / ui->px_per_mm;
}

void
ui_reach_rows(const struct ui *ui, int *top, int *bottom)
{
    *top = 0;
    *bottom = ui->height;
    if (ui->cfg.bottom_edge_mm <= 0)
        return;
    /* floor_mm(y) = bottom_edge + (height - y) / px_per_mm, solved for the band's two ends and
     * rounded inwards */
    double t = ui->height - (UI_REACH_HIGH_MM - ui->cfg.bottom_edge_mm) * ui->px_per_mm;
    double b = ui->height - (UI_REACH_LOW_MM - ui->cfg.bottom_edge_mm) * ui->px_per_mm;
    *top = t <= 0 ? 0 : t >= ui->height ? ui->height : (int)ceil(t);
    *bottom = b >= ui->height ? ui->height : b <= 0 ? 0 : (int)floor(b);
    if (*bottom < *top)
        *bottom = *top;
}

/* --- Input --------------------------------------------------------------------------------- */

static bool
inside(struct ui_rect r, int x, int y)
{
    return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

/* The topmost focusable node of the frame on screen under (x, y); 0 if none. While a dialog is
 * open, only its nodes count. */
static const struct ui_node *
hit(const struct ui *ui, int x, int y)
{
    size_t first = ui->shown_has_modal ? ui->shown_modal_first : 0;
    for (size_t i = ui->n_shown; i-- > first;) {
        const struct ui_node *n = &ui->shown[i];
        if (n->focusable && !n->scrolled_out && !(n->state & UI_STATE_DISABLED) &&
            inside(n->r, x, y))
            return n;
    }
    return NULL;
}

static void
move_focus(struct ui *ui, int dir)
{
    size_t first = ui->shown_has_modal ? ui->shown_modal_first : 0;
    int cur = -1, n_focusable = 0;
    for (size_t i = first; i < ui->n_shown; i++) {
        if (ui->shown[i].focusable && !ui->shown[i].pointer_only &&
            !(ui->shown[i].state & UI_STATE_DISABLED)) {
            n_focusable++;
            if (ui->shown[i].id == ui->focus_id)
                cur = (int)i;
        }
    }
    if (n_focusable == 0)
        return;
    int i = cur < 0 ? (dir > 0 ? (int)first - 1 : (int)ui->n_shown) : cur;
    for (size_t step = 0; step < ui->n_shown; step++) {
        i += dir;
        if (i < (int)first)
            i = (int)ui->n_shown - 1;
        if (i >= (int)ui->n_shown)
            i = (int)first;
        const struct ui_node *n = &ui->shown[i];
        if (n->focusable && !n->pointer_only && !(n->state & UI_STATE_DISABLED)) {
            ui->focus_id = n->id;
            return;
        }
    }
}

/* A node the reading cursor stops on (ui_read_move). */
static bool
readable(const struct ui_node *n)
{
    return n->label[0] != '\0' && !n->pointer_only && n->role != UI_ROLE_KEY &&
           n->role != UI_ROLE_SCREEN && n->role != UI_ROLE_DIALOG;
}

const struct ui_node *
ui_read_move(struct ui *ui, int dir)
{
    size_t first = ui->shown_has_modal ? ui->shown_modal_first : 0;
    if (ui->n_shown <= first)
        return NULL;
    /* where the cursor is: its node, else where its node was, else the focus */
    long cur = -1;
    uint32_t at = ui->read_id != 0 ? ui->read_id : ui->focus_id;
    for (size_t i = first; i < ui->n_shown && at != 0; i++) {
        if (ui->shown[i].id == at)
            cur = (long)i;
    }
    if (cur < 0 && ui->read_id != 0 && ui->read_index >= first && ui->read_index < ui->n_shown)
        cur = (long)ui->read_index - (dir > 0 ? 1 : 0);
    /* from the start: the content's first item down, the header's last up */
    long start = ui->shown_has_modal || ui->shown_content_first > ui->n_shown
                     ? (long)first
                     : (long)ui->shown_content_first;
    long n = (long)ui->n_shown, i = cur < (long)first ? (dir > 0 ? start - 1 : start) : cur;
    for (long step = 0; step < n; step++) {
        i += dir;
        if (i < (long)first)
            i = n - 1;
        if (i >= n)
            i = (long)first;
        const struct ui_node *node = &ui->shown[i];
        if (!readable(node))
            continue;
        ui->read_id = node->id;
        ui->read_index = (size_t)i;
        ui->focus_id = node->focusable && !(node->state & UI_STATE_DISABLED) ? node->id : 0;
        ui->stale = true;
        return node;
    }
    return NULL;
}

const struct ui_node *
ui_read_current(const struct ui *ui)
{
    uint32_t at = ui->read_id != 0 ? ui->read_id : ui->focus_id;
    for (size_t i = 0; at != 0 && i < ui->n_shown; i++) {
        if (ui->shown[i].id == at)
            return &ui->shown[i];
    }
    return NULL;
}

const struct ui_node *
ui_read_at(struct ui *ui, enum ui_role role, struct ui_rect r)
{
    size_t first = ui->shown_has_modal ? ui->shown_modal_first : 0;
    for (size_t i = first; i < ui->n_shown; i++) {
        const struct ui_node *node = &ui->shown[i];
        if (node->role != role || node->r.x != r.x || node->r.y != r.y || !readable(node))
            continue;
        ui->read_id = node->id;
        ui->read_index = i;
        ui->focus_id = node->focusable && !(node->state & UI_STATE_DISABLED) ? node->id : 0;
        ui->stale = true;
        return node;
    }
    return NULL;
}

void
ui_content(struct ui *ui)
{
    ui->content_first = ui->n_nodes;
}

void
ui_read_reset(struct ui *ui)
{
    ui->read_id = 0;
    ui->read_index = 0;
    ui->focus_id = 0;
}

bool
ui_typing(const struct ui *ui)
{
    const struct ui_node *f = ui_focused(ui);
    return f != NULL && f->role == UI_ROLE_TEXTFIELD;
}

bool
ui_feed(struct ui *ui, const struct ui_input *in)
{
    int drag_px = ui_mm(ui, ui->cfg.drag_mm > 0 ? ui->cfg.drag_mm : 6);
    switch (in->kind) {
    case UI_IN_DOWN: {
        const struct ui_node *n = hit(ui, in->x, in->y);
        ui->pressed_id = n != NULL ? n->id : 0;
        ui->down_x = in->x;
        ui->down_y = in->y;
        ui->down_ms = in->t_ms;
        ui->dragging = false;
        ui->stale = true;
        return true;
    }
    case UI_IN_MOVE:
        if (ui->pressed_id != 0 && !ui->dragging &&
            (abs(in->x - ui->down_x) > drag_px || abs(in->y - ui->down_y) > drag_px)) {
            ui->dragging = true; /* lists page with buttons; a drag is not a tap */
            ui->pressed_id = 0;
            ui->stale = true;
            return true;
        }
        return false;
    case UI_IN_UP: {
        uint32_t was = ui->pressed_id;
        ui->pressed_id = 0;
        ui->stale = true;
        const struct ui_node *n = hit(ui, in->x, in->y);
        if (was == 0 || ui->dragging || n == NULL || n->id != was)
            return true;
        int long_ms = ui->cfg.long_press_ms > 0 ? ui->cfg.long_press_ms : 5000;
        if (in->t_ms - ui->down_ms >= long_ms) {
            ui->long_id = was;
            return true;
        }
        int dbl = ui->cfg.double_tap_ms > 0 ? ui->cfg.double_tap_ms : 300;
        if (was == ui->last_click_id && in->t_ms - ui->last_click_ms < dbl)
            return true; /* a double tap is one tap */
        ui->clicked_id = was;
        ui->last_click_id = was;
        ui->last_click_ms = in->t_ms;
        if (!n->keeps_focus) {
            ui->focus_id = was;
            ui->read_id = 0;
        }
        return true;
    }
    case UI_IN_KEY:
        if (in->key >= UI_KEY_HELP)
            return false; /* the speech keys are the app's */
        ui->stale = true;
        /* Tab, arrows and taps move the focus: the reading cursor follows it. */
        ui->read_id = 0;
        switch (in->key) {
        case UI_KEY_TAB:
        case UI_KEY_DOWN:
            move_focus(ui, 1);
            break;
        case UI_KEY_RIGHT:
            move_focus(ui, ui->rtl ? -1 : 1);
            break;
        case UI_KEY_LEFT:
            move_focus(ui, ui->rtl ? 1 : -1);
            break;
        case UI_KEY_BACKTAB:
        case UI_KEY_UP:
            move_focus(ui, -1);
            break;
        case UI_KEY_ENTER:
            if (ui->focus_id != 0)
                ui->clicked_id = ui->focus_id;
            break;
        case UI_KEY_ESCAPE:
            ui->escape = true;
            break;
        case UI_KEY_BACKSPACE:
            /* deletes in a text field; anywhere else it is Back, as on a keypad */
            if (ui_typing(ui))
                ui->pending_backspace++;
            else
                ui->escape = true;
            break;
        case UI_KEY_PAGEUP:
        case UI_KEY_PAGEDOWN:
            break;
        default:
            break;
        }
        return true;
    case UI_IN_EXPOSE:
        ui->drawn_once = false; /* ui_render must not skip the identical frame */
        ui->stale = true;
        return true;
    case UI_IN_TEXT: {
        if (in->key_too && !ui_typing(ui)) {
            struct ui_input k = *in;
            k.kind = UI_IN_KEY;
            return ui_feed(ui, &k);
        }
        size_t have = strlen(ui->pending_text), add = strlen(in->text);
        if (have + add < sizeof(ui->pending_text))
            memcpy(ui->pending_text + have, in->text, add + 1);
        ui->stale = true;
        return true;
    }
    }
    return false;
}

void
ui_invalidate(struct ui *ui)
{
    ui->stale = true;
}

bool
ui_stale(const struct ui *ui)
{
    return ui->stale;
}

/* --- Frame --------------------------------------------------------------------------------- */

void
ui_begin(struct ui *ui, int64_t now_ms)
{
    ui->now_ms = now_ms;
    ui->cache_clock++;
    ui->n_cmds = 0;
    secure_zero(ui->nodes, ui->n_nodes * sizeof(ui->nodes[0]));
    ui->n_nodes = 0;
    ui->content_first = 0;
    secure_zero(ui->lines, ui->n_lines * sizeof(ui->lines[0]));
    ui->n_lines = 0;
    ui->n_texts = 0;
    ui->n_marks = 0;
    ui->qr_len = 0;
    ui->n_keys = 0;
    ui->has_modal = false;
    ui->scrolling = false;
    ui->personal = false;
    ui->modal_depth = 0;
    ui->stale = false;
    ui_area(ui, (struct ui_rect){ 0, 0, ui->width, ui->height });
    ui_fill(ui, ui->area, ui->theme->bg);
}

void
ui_end(struct ui *ui)
{
    /* What was not consumed this frame is dropped: a click on a node that is gone does nothing. */
    ui->clicked_id = 0;
    ui->long_id = 0;
    ui->escape = false;
    ui->pending_text[0] = '\0';
    ui->pending_backspace = 0;
    bool focus_alive = false;
    for (size_t i = 0; i < ui->n_nodes; i++)
        focus_alive |= ui->nodes[i].id == ui->focus_id;
    if (!focus_alive)
        ui->focus_id = 0;
    /* the reading cursor's node gone (the screen changed under it): read_index says where */
    bool read_alive = false;
    for (size_t i = 0; i < ui->n_nodes && ui->read_id != 0; i++)
        read_alive |= ui->nodes[i].id == ui->read_id;
    if (!read_alive && ui->read_id != 0 && ui->read_index >= ui->n_nodes)
        ui->read_id = 0;
    secure_zero(ui->shown, ui->n_shown * sizeof(ui->shown[0]));
    memcpy(ui->shown, ui->nodes, ui->n_nodes * sizeof(ui->nodes[0]));
    ui->n_shown = ui->n_nodes;
    ui->shown_content_first = ui->content_first;
    ui->shown_has_modal = ui->has_modal;
    ui->shown_modal_first = ui->modal_first;
    secure_zero(ui->shown_lines, ui->n_shown_lines * sizeof(ui->shown_lines[0]));
    memcpy(ui->shown_lines, ui->lines, ui->n_lines * sizeof(ui->lines[0]));
    ui->n_shown_lines = ui->n_lines;
    memcpy(ui->shown_marks, ui->marks, ui->n_marks * sizeof(ui->marks[0]));
    ui->n_shown_marks = ui->n_marks;
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

bool
ui_render(struct ui *ui)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < ui->n_cmds; i++) {
        const struct ui_cmd *c = &ui->cmds[i];
        h = fnv(h, &c->kind, sizeof(c->kind));
        h = fnv(h, &c->r, sizeof(c->r));
        h = fnv(h, &c->c, sizeof(c->c));
        h = fnv(h, &c->thickness, sizeof(c->thickness));
        h = fnv(h, &c->clip, sizeof(c->clip));
        h = fnv(h, &c->tex, sizeof(c->tex));
        h = fnv(h, &c->qr_size, sizeof(c->qr_size));
    }
    h = fnv(h, ui->qr_buf != NULL ? ui->qr_buf : (const unsigned char *)"", ui->qr_len);
    if (ui->drawn_once && h == ui->shown_hash) {
        ui->frames_skipped++;
        return false;
    }
    ui_draw_commands(ui);
    ui->shown_hash = h;
    ui->drawn_once = true;
    ui->frames_drawn++;
    return true;
}

void
ui_frame_counts(const struct ui *ui, uint64_t *drawn, uint64_t *skipped)
{
    *drawn = ui->frames_drawn;
    *skipped = ui->frames_skipped;
}

void
ui_forget_text(struct ui *ui)
{
    ui_text_cache_free(ui);
    secure_zero(ui->shown, sizeof(ui->shown));
    ui->n_shown = 0;
    secure_zero(ui->shown_lines, sizeof(ui->shown_lines));
    ui->n_shown_lines = 0;
    ui->drawn_once = false;
    ui->stale = true;
}

/* --- The layout check ----------------------------------------------------------------------- */

/* How far (pixels) a line may stand out of its box: rounding of millimetres to pixels. */
#define LAYOUT_SLACK 1

static bool
within(struct ui_rect in, struct ui_rect out)
{
    return in.x >= out.x - LAYOUT_SLACK && in.y >= out.y - LAYOUT_SLACK &&
           in.x + in.w <= out.x + out.w + LAYOUT_SLACK &&
           in.y + in.h <= out.y + out.h + LAYOUT_SLACK;
}

static bool
overlap(struct ui_rect a, struct ui_rect b)
{
    int w = (a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w) - (a.x > b.x ? a.x : b.x);
    int h = (a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h) - (a.y > b.y ? a.y : b.y);
    return w > LAYOUT_SLACK && h > LAYOUT_SLACK;
}

/* Roles whose box is drawn: a text on one must stay inside it. */
static bool
is_container(enum ui_role r)
{
    return r == UI_ROLE_BUTTON || r == UI_ROLE_TILE || r == UI_ROLE_LISTITEM || r == UI_ROLE_KEY ||
           r == UI_ROLE_TEXTFIELD || r == UI_ROLE_BANNER || r == UI_ROLE_STEP ||
           r == UI_ROLE_DIALOG;
}

/* The smallest drawn box (of the dialog's nodes for a line in the dialog, else of the screen's)
 * under the line's centre, or NULL. */
static const struct ui_node *
container_of(const struct ui *ui, const struct ui_text_line *l)
{
    size_t first = l->modal ? ui->shown_modal_first : 0;
    size_t end = ui->shown_has_modal && !l->modal ? ui->shown_modal_first : ui->n_shown;
    int cx = l->ink.x + l->ink.w / 2, cy = l->ink.y + l->ink.h / 2;
    const struct ui_node *best = NULL;
    for (size_t i = first; i < end; i++) {
        const struct ui_node *n = &ui->shown[i];
        if (!is_container(n->role) || n->pointer_only || n->scrolled_out || cx < n->r.x ||
            cy < n->r.y || cx >= n->r.x + n->r.w || cy >= n->r.y + n->r.h)
            continue;
        if (best == NULL || (int64_t)n->r.w * n->r.h < (int64_t)best->r.w * best->r.h)
            best = n;
    }
    return best;
}

/* Appends a line to a problem report of size bytes (ui_layout_problems, ui_speech_problems). */
void
ui_problem(char *out, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *used, size - *used, fmt, ap);
    va_end(ap);
    *used += n > 0 ? (size_t)n : 0;
    if (*used >= size)
        *used = size;
}

/* A control a finger can operate now: focusable, not pointer-only (the technician's corner),
 * enabled, not behind an open dialog. */
static bool
operable(const struct ui *ui, size_t i)
{
    const struct ui_node *n = &ui->shown[i];
    return n->focusable && !n->pointer_only && !n->scrolled_out &&
           !(n->state & UI_STATE_DISABLED) && !(ui->shown_has_modal && i < ui->shown_modal_first);
}

/* The gap between two rectangles (pixels; 0 when they touch or overlap). */
static int
rect_gap(struct ui_rect a, struct ui_rect b)
{
    int dx = a.x + a.w <= b.x ? b.x - (a.x + a.w) : b.x + b.w <= a.x ? a.x - (b.x + b.w) : -1;
    int dy = a.y + a.h <= b.y ? b.y - (a.y + a.h) : b.y + b.h <= a.y ? a.y - (b.y + b.h) : -1;
    int g = dx > dy ? dx : dy;
    return g > 0 ? g : 0;
}

/* The controls' part of the layout check: reach, size, spacing, checked state. */
static int
control_problems(const struct ui *ui, char *out, size_t size, size_t *used)
{
    int count = 0;
    int top, bottom;
    ui_reach_rows(ui, &top, &bottom);
    /* millimetres rounded to pixels, less one pixel of slack */
    int min_side = (int)floor(UI_MIN_TARGET_MM * ui->px_per_mm) - LAYOUT_SLACK;
    int min_gap = (int)floor(UI_MIN_GAP_MM * ui->px_per_mm) - LAYOUT_SLACK;
    for (size_t i = 0; i < ui->n_shown; i++) {
        if (!operable(ui, i))
            continue;
        const struct ui_node *n = &ui->shown[i];
        const struct ui_rect r = n->r;
        if (ui->cfg.bottom_edge_mm > 0 &&
            (r.y < top - LAYOUT_SLACK || r.y + r.h > bottom + LAYOUT_SLACK)) {
            count++;
            ui_problem(out, size, used,
                       "out of reach: %s \"%s\" from %.0f to %.0f mm above the floor, the reach "
                       "band is %d-%d mm\n",
                       ui_role_code(n->role), n->label, ui_floor_mm(ui, r.y + r.h),
                       ui_floor_mm(ui, r.y), UI_REACH_LOW_MM, UI_REACH_HIGH_MM);
        }
        if (r.w < min_side || r.h < min_side) {
            count++;
            ui_problem(out, size, used, "too small: %s \"%s\" is %.1fx%.1f mm, at least %.0f mm\n",
                       ui_role_code(n->role), n->label, r.w / ui->px_per_mm, r.h / ui->px_per_mm,
                       UI_MIN_TARGET_MM);
        }
        for (size_t j = i + 1; j < ui->n_shown; j++) {
            if (!operable(ui, j))
                continue;
            const struct ui_node *o = &ui->shown[j];
            int g = rect_gap(r, o->r);
            if (g >= min_gap)
                continue;
            count++;
            ui_problem(out, size, used,
                       "too close: %s \"%s\" and %s \"%s\" are %.1f mm apart, at least %.0f mm\n",
                       ui_role_code(n->role), n->label, ui_role_code(o->role), o->label,
                       g / ui->px_per_mm, UI_MIN_GAP_MM);
        }
        if (!(n->state & UI_STATE_CHECKED))
            continue;
        const struct ui_mark *mark = NULL;
        for (size_t k = 0; k < ui->n_shown_marks && mark == NULL; k++) {
            if (within(ui->shown_marks[k].r, r))
                mark = &ui->shown_marks[k];
        }
        if (mark == NULL) {
            count++;
            ui_problem(out, size, used, "checked without its mark: %s \"%s\"\n",
                       ui_role_code(n->role), n->label);
            continue;
        }
        const struct ui_style *on = &ui->theme->style[mark->part][UI_LOOK_CHECKED];
        const struct ui_style *off = &ui->theme->style[mark->part][UI_LOOK_NORMAL];
        double ratio = ui_contrast_ratio(on->bg, off->bg);
        if (ratio < 3.0) {
            count++;
            ui_problem(out, size, used,
                       "checked looks like unchecked: %s \"%s\": its fill is %.2f:1 from the "
                       "unchecked one, at least 3:1\n",
                       ui_role_code(n->role), n->label, ratio);
        }
    }
    return count;
}

int
ui_layout_problems(const struct ui *ui, char *out, size_t size)
{
    size_t used = 0;
    int count = 0;
    if (size > 0)
        out[0] = '\0';
    const struct ui_rect display = { 0, 0, ui->width, ui->height };
    for (size_t i = 0; i < ui->n_shown_lines; i++) {
        const struct ui_text_line *l = &ui->shown_lines[i];
        const struct ui_rect k = l->ink, b = l->box;
        if (!within(k, b)) {
            count++;
            ui_problem(out, size, &used,
                       "clipped: \"%s\": the line is %dx%d at %d,%d, its box %dx%d at %d,%d\n",
                       l->what, k.w, k.h, k.x, k.y, b.w, b.h, b.x, b.y);
        }
        if (!within(k, display)) {
            count++;
            ui_problem(out, size, &used, "off the display: \"%s\": %dx%d at %d,%d\n", l->what, k.w,
                       k.h, k.x, k.y);
        }
        const struct ui_node *c = container_of(ui, l);
        if (c != NULL && !within(k, c->r)) {
            count++;
            ui_problem(out, size, &used,
                       "out of its %s \"%s\": \"%s\": the line is %dx%d at %d,%d, the %s %dx%d at "
                       "%d,%d\n",
                       ui_role_code(c->role), c->label, l->what, k.w, k.h, k.x, k.y,
                       ui_role_code(c->role), c->r.w, c->r.h, c->r.x, c->r.y);
        }
        for (size_t j = i + 1; j < ui->n_shown_lines; j++) {
            const struct ui_text_line *o = &ui->shown_lines[j];
            if (o->text == l->text || o->modal != l->modal || !overlap(k, o->ink))
                continue;
            count++;
            ui_problem(out, size, &used,
                       "overlap: \"%s\" (%dx%d at %d,%d) and \"%s\" (%dx%d at %d,%d)\n", l->what,
                       k.w, k.h, k.x, k.y, o->what, o->ink.w, o->ink.h, o->ink.x, o->ink.y);
        }
    }
    count += control_problems(ui, out, size, &used);
    return count;
}

const struct ui_node *
ui_nodes(const struct ui *ui, size_t *n)
{
    *n = ui->n_shown;
    return ui->shown;
}

/* The first node with this label (exact, then prefix) of the role (-1: any), tappable only if
 * asked. Focusable nodes behind an open dialog never match: input cannot reach them. */
static const struct ui_node *
find(const struct ui *ui, const char *label, int role, bool tappable)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ui->n_shown; i++) {
            const struct ui_node *n = &ui->shown[i];
            if (role >= 0 && (int)n->role != role)
                continue;
            if (ui->shown_has_modal && i < ui->shown_modal_first && n->focusable)
                continue;
            if (tappable && (!n->focusable || (n->state & UI_STATE_DISABLED)))
                continue;
            if (pass == 0 ? strcmp(n->label, label) == 0
                          : strncmp(n->label, label, strlen(label)) == 0)
                return n;
        }
    }
    return NULL;
}

const struct ui_node *
ui_find(const struct ui *ui, const char *label, int role)
{
    return find(ui, label, role, false);
}

const struct ui_node *
ui_find_tappable(const struct ui *ui, const char *label)
{
    return find(ui, label, -1, true);
}

bool
ui_reachable(const struct ui *ui, const struct ui_node *n)
{
    size_t first = ui->shown_has_modal ? ui->shown_modal_first : 0;
    return n >= ui->shown + first && n < ui->shown + ui->n_shown && n->focusable &&
           !n->pointer_only && !(n->state & UI_STATE_DISABLED);
}

const struct ui_node *
ui_focused(const struct ui *ui)
{
    for (size_t i = 0; i < ui->n_shown; i++) {
        if (ui->shown[i].id == ui->focus_id)
            return &ui->shown[i];
    }
    return NULL;
}

/* --- Layout -------------------------------------------------------------------------------- */

void
ui_area(struct ui *ui, struct ui_rect r)
{
    ui->area = r;
    ui->cursor_y = r.y;
    ui->cols = 0;
}

struct ui_rect
ui_area_rect(const struct ui *ui)
{
    return ui->area;
}

struct ui_rect
ui_mirror(const struct ui *ui, struct ui_rect r)
{
    if (ui->rtl)
        r.x = ui->area.x + ui->area.w - (r.x - ui->area.x) - r.w;
    return r;
}

void
ui_columns(struct ui *ui, int n)
{
    ui->cols = n > 1 ? n : 0;
    ui->col_index = 0;
    ui->row_h = 0;
    ui->row_y = ui->cursor_y;
}

void
ui_gap(struct ui *ui, double mm)
{
    ui->cursor_y += ui_mm(ui, mm);
}

int
ui_remaining(const struct ui *ui)
{
    return ui->area.y + ui->area.h - ui->cursor_y;
}

struct ui_rect
ui_take(struct ui *ui, int h)
{
    int gap = ui_mm(ui, 3);
    if (ui->scrolling && ui->cursor_y + h > ui->scroll_bottom)
        ui->scroll_bottom = ui->cursor_y + h;
    if (ui->cols > 0) {
        int w = (ui->area.w - gap * (ui->cols - 1)) / ui->cols;
        struct ui_rect r = { ui->area.x + ui->col_index * (w + gap), ui->row_y, w, h };
        if (h > ui->row_h)
            ui->row_h = h;
        ui->col_index++;
        ui->cursor_y = ui->row_y + ui->row_h + gap;
        if (ui->col_index == ui->cols) {
            ui->col_index = 0;
            ui->row_y = ui->cursor_y;
            ui->row_h = 0;
        }
        return ui_mirror(ui, r);
    }
    struct ui_rect r = { ui->area.x, ui->cursor_y, ui->area.w, h };
    ui->cursor_y += h + gap;
    return r;
}

/* --- Drawing and nodes --------------------------------------------------------------------- */

void
ui_cmd_push(struct ui *ui, const struct ui_cmd *c)
{
    if (ui->n_cmds == UI_MAX_COMMANDS) {
        LOG_WARN("draw list full (%d commands): the rest of this frame is not drawn",
                 UI_MAX_COMMANDS);
        return;
    }
    struct ui_cmd *d = &ui->cmds[ui->n_cmds];
    *d = *c;
    if (ui->scrolling) {
        const struct ui_rect v = ui->view;
        if (c->r.y >= v.y + v.h || c->r.y + c->r.h <= v.y)
            return; /* wholly out of view */
        d->clip = v;
    }
    ui->n_cmds++;
}

void
ui_fill(struct ui *ui, struct ui_rect r, struct ui_color c)
{
    ui_cmd_push(ui, &(struct ui_cmd){ .kind = UI_CMD_FILL, .r = r, .c = c });
}

void
ui_frame(struct ui *ui, struct ui_rect r, int thickness, struct ui_color c)
{
    ui_cmd_push(ui,
                &(struct ui_cmd){ .kind = UI_CMD_FRAME, .r = r, .c = c, .thickness = thickness });
}

static uint32_t
hash_str(uint32_t h, const char *s)
{
    for (; s != NULL && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

uint32_t
ui_node(struct ui *ui, enum ui_role role, const char *label, const char *value, unsigned state,
        struct ui_rect r, bool focusable)
{
    uint32_t id = 2166136261u ^ (uint32_t)role;
    for (int i = 0; i < ui->n_keys; i++)
        id = (id ^ ui->keys[i]) * 16777619u;
    id = hash_str(id, label);
    if (id == 0)
        id = 1;
    /* The same role, label and key twice in one frame: make the second one distinct. */
    for (size_t i = 0; i < ui->n_nodes; i++) {
        if (ui->nodes[i].id == id) {
            id = (id ^ (uint32_t)(i + 1)) * 16777619u;
            i = (size_t)-1;
        }
    }
    if (ui->n_nodes == UI_MAX_NODES) {
        LOG_WARN("semantic tree full (%d nodes)", UI_MAX_NODES);
        return id;
    }
    struct ui_node *n = &ui->nodes[ui->n_nodes++];
    n->id = id;
    n->role = role;
    snprintf(n->label, sizeof(n->label), "%s", label != NULL ? label : "");
    snprintf(n->value, sizeof(n->value), "%s", value != NULL ? value : "");
    n->r = r;
    n->focusable = focusable;
    n->keeps_focus = role == UI_ROLE_KEY;
    n->pointer_only = false;
    n->personal = ui->personal;
    n->scrolled_out = ui->scrolling && !within(r, ui->view);
    n->state = state;
    if (id == ui->focus_id)
        n->state |= UI_STATE_FOCUSED;
    if (id == ui->pressed_id)
        n->state |= UI_STATE_PRESSED;
    return id;
}

/* --- Scrolling ----------------------------------------------------------------------------- */

void
ui_scroll_reset(struct ui *ui)
{
    ui->scroll_y = 0;
    ui->scroll_max = 0;
    ui->scroll_overflowed = false;
    ui->scroll_want = 0;
    ui->scroll_focus = 0;
    ui->stale = true;
}

void
ui_scroll_into_view(struct ui *ui, uint32_t id)
{
    ui->scroll_want = id;
    ui->stale = true;
}

bool
ui_scroll_page(struct ui *ui, int dir)
{
    if (dir == 0) {
        ui->scroll_y = 0;
        ui->stale = true;
        return true;
    }
    if (ui->scroll_y >= ui->scroll_max)
        return false;
    int step = ui->view.h > 0 ? ui->view.h : 1;
    ui->scroll_y = ui->scroll_y + step < ui->scroll_max ? ui->scroll_y + step : ui->scroll_max;
    ui->stale = true;
    return true;
}

/* The scroll that brings a node of the frame on screen wholly into the view (as far as it
 * fits), or the scroll as it is. */
static int
scroll_to_show(const struct ui *ui, uint32_t id, struct ui_rect view)
{
    for (size_t i = 0; i < ui->n_shown && id != 0; i++) {
        const struct ui_node *n = &ui->shown[i];
        if (n->id != id || !n->scrolled_out)
            continue;
        /* its place in the content, then where that is with the view as it is now */
        int top = n->r.y + ui->scroll_y - ui->view.y;
        if (top - ui->scroll_y < 0 || n->r.h > view.h)
            return top;
        if (top + n->r.h - ui->scroll_y > view.h)
            return top + n->r.h - view.h;
    }
    return ui->scroll_y;
}

void
ui_scroll_begin(struct ui *ui)
{
    struct ui_rect view = ui->area;
    ui->bar = (struct ui_rect){ 0, 0, 0, 0 };
    if (ui->scroll_overflowed) {
        /* the row of Scroll up / Scroll down: as tall as its labels need */
        int gap = ui_mm(ui, UI_MIN_GAP_MM), pad = ui_mm(ui, 3);
        int colw = (view.w - gap) / 2 - 2 * pad;
        int h = ui_mm(ui, UI_MIN_TARGET_MM);
        const char *labels[] = { _("Scroll up"), _("Scroll down") };
        for (size_t i = 0; i < 2; i++) {
            int th = ui_text_height(ui, colw, labels[i], UI_TEXT_BOLD) + 2 * pad;
            h = th > h ? th : h;
        }
        if (h + gap < view.h / 2) {
            view.h -= h + gap;
            ui->bar = (struct ui_rect){ view.x, view.y + view.h + gap, view.w, h };
        }
    }
    int y = ui->scroll_y;
    if (ui->scroll_want != 0)
        y = scroll_to_show(ui, ui->scroll_want, view);
    else if (ui->focus_id != 0 && ui->focus_id != ui->scroll_focus)
        y = scroll_to_show(ui, ui->focus_id, view); /* Tab or the keypad moved the focus */
    else if (ui->read_id != 0 && ui->read_id != ui->scroll_focus)
        y = scroll_to_show(ui, ui->read_id, view);
    ui->scroll_focus = ui->focus_id != 0 ? ui->focus_id : ui->read_id;
    ui->scroll_want = 0;
    y = y > ui->scroll_max ? ui->scroll_max : y;
    ui->scroll_y = y < 0 ? 0 : y;
    ui->view = view;
    ui->scrolling = true;
    ui->scroll_bottom = view.y - ui->scroll_y;
    ui_area(ui, (struct ui_rect){ view.x, view.y - ui->scroll_y, view.w, 1 << 24 });
}

void
ui_scroll_end(struct ui *ui)
{
    if (!ui->scrolling)
        return;
    const struct ui_rect v = ui->view;
    int content_h = ui->scroll_bottom - (v.y - ui->scroll_y);
    ui->scrolling = false;
    int max = content_h - v.h;
    /* with the row the view is shorter: overflowing stays overflowing until it all fits the
     * full area (no flicker between the two) */
    int full = v.h + (ui->bar.h > 0 ? ui->bar.h + ui_mm(ui, UI_MIN_GAP_MM) : 0);
    bool over = content_h > full;
    if (over != ui->scroll_overflowed) {
        ui->scroll_overflowed = over;
        ui->stale = true; /* lay out again with (or without) the row */
    }
    ui->scroll_max = max > 0 ? max : 0;
    if (ui->scroll_y > ui->scroll_max) {
        ui->scroll_y = ui->scroll_max;
        ui->stale = true;
    }
    ui_area(ui, (struct ui_rect){ v.x, v.y + v.h, v.w, 0 });
    if (ui->bar.h == 0)
        return;
    ui_area(ui, ui->bar);
    ui_columns(ui, 2);
    struct ui_rect up = ui_take(ui, ui->bar.h), down = ui_take(ui, ui->bar.h);
    ui_columns(ui, 1);
    int step = v.h * 3 / 4;
    if (ui_button_if(ui, up, _("Scroll up"), UI_BUTTON_NORMAL, ui->scroll_y > 0)) {
        ui->scroll_y = ui->scroll_y > step ? ui->scroll_y - step : 0;
        ui->stale = true;
    }
    if (ui_button_if(ui, down, _("Scroll down"), UI_BUTTON_NORMAL, ui->scroll_y < ui->scroll_max)) {
        ui->scroll_y = ui->scroll_y + step < ui->scroll_max ? ui->scroll_y + step : ui->scroll_max;
        ui->stale = true;
    }
}

void
ui_set_personal(struct ui *ui, bool on)
{
    ui->personal = on;
}

void
ui_push_key(struct ui *ui, uint32_t key)
{
    if (ui->n_keys < (int)(sizeof(ui->keys) / sizeof(ui->keys[0])))
        ui->keys[ui->n_keys++] = key;
}

void
ui_pop_key(struct ui *ui)
{
    if (ui->n_keys > 0)
        ui->n_keys--;
}

bool
ui_clicked(struct ui *ui, uint32_t id)
{
    if (ui->clicked_id != id || id == 0)
        return false;
    ui->clicked_id = 0;
    ui->stale = true; /* whatever the click changed is drawn next */
    return true;
}

bool
ui_long_pressed(struct ui *ui, uint32_t id)
{
    if (ui->long_id != id || id == 0)
        return false;
    ui->long_id = 0;
    ui->stale = true;
    return true;
}

void
ui_last_press(const struct ui *ui, int *x, int *y)
{
    *x = ui->down_x;
    *y = ui->down_y;
}

bool
ui_hold_zone(struct ui *ui, struct ui_rect r, const char *label)
{
    uint32_t id = ui_node(ui, UI_ROLE_BUTTON, label, NULL, 0, r, true);
    if (ui->n_nodes > 0 && ui->nodes[ui->n_nodes - 1].id == id) {
        struct ui_node *n = &ui->nodes[ui->n_nodes - 1];
        n->pointer_only = n->keeps_focus = true;
        n->scrolled_out = false; /* a place on the display, not in the content: never scrolls */
    }
    ui_clicked(ui, id); /* a short tap does nothing */
    return ui_long_pressed(ui, id);
}

bool
ui_pressed(const struct ui *ui, uint32_t id)
{
    return ui->pressed_id == id && id != 0;
}

bool
ui_has_focus(const struct ui *ui, uint32_t id)
{
    return ui->focus_id == id && id != 0;
}

void
ui_focus(struct ui *ui, uint32_t id)
{
    ui->focus_id = id;
}

bool
ui_escape(struct ui *ui)
{
    bool e = ui->escape;
    ui->escape = false;
    return e;
}

void
ui_modal_begin(struct ui *ui)
{
    ui->has_modal = true;
    ui->modal_first = ui->n_nodes;
}

/* A modal dialog takes the focus: keys operate it, not what is behind it. */
void
ui_modal_end(struct ui *ui)
{
    bool focus_inside = false;
    for (size_t i = ui->modal_first; i < ui->n_nodes; i++)
        focus_inside |= ui->nodes[i].id == ui->focus_id;
    if (!focus_inside) {
        for (size_t i = ui->modal_first; i < ui->n_nodes; i++) {
            if (ui->nodes[i].focusable) {
                ui->focus_id = ui->nodes[i].id;
                ui->nodes[i].state |= UI_STATE_FOCUSED;
                for (size_t j = 0; j < ui->modal_first; j++) /* nothing behind is focused now */
                    ui->nodes[j].state &= ~(unsigned)UI_STATE_FOCUSED;
                break;
            }
        }
    }
}
