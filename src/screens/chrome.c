/* What every screen has around its content. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"

/* Staff and technicians work in a visibly different kiosk: a coloured frame round the screen
 * and a band that names who is working, so a citizen never takes it for their own session. */
static void
role_band(struct ui *ui, const struct model *m)
{
    if (!m->signed_in || m->role == MODEL_ROLE_CITIZEN)
        return;
    const struct ui_theme *t = ui_theme(ui);
    int w, h;
    ui_display(ui, &w, &h);
    ui_frame(ui, (struct ui_rect){ 0, 0, w, h }, ui_mm(ui, 3), t->staff_bg);
    char who[200];
    if (m->role == MODEL_ROLE_STAFF)
        snprintf(who, sizeof(who), _("Staff mode: %s %s (%s)"), m->given_name, m->surname,
                 m->staff.staff_id);
    else
        snprintf(who, sizeof(who), _("Service mode (%s)"), m->staff.staff_id);
    /* as tall as the line needs in its script: Arabic is taller than Latin */
    int pad = ui_mm(ui, 2), lh = ui_text_height(ui, w - 2 * pad, who, UI_TEXT_BOLD);
    struct ui_rect r = ui_take(ui, lh + 2 * pad);
    ui_fill(ui, r, t->staff_bg);
    ui_text(ui, (struct ui_rect){ r.x + pad, r.y + pad, r.w - 2 * pad, lh }, who, UI_TEXT_BOLD,
            t->staff_fg, UI_ALIGN_START);
    ui_set_personal(ui, m->role == MODEL_ROLE_STAFF); /* a staff member's name */
    ui_node(ui, UI_ROLE_STATUS, who, NULL, 0, r, false);
    ui_set_personal(ui, false);
    ui_gap(ui, 2);
}

/* The height of a bar row whose buttons carry this label at width w: at least row. */
static int
bar_row_h(struct ui *ui, int row, const char *label, int w)
{
    int h = ui_text_height(ui, w, label, UI_TEXT_BOLD) + ui_mm(ui, 2);
    return h > row ? h : row;
}

/* The screen reads from the top and is operated low (issue 13): the title in a band at the top,
 * the content below it, and every control of the kiosk's own in an action bar at the bottom of
 * the reach band (EN 301 549 8.3.3.1, ui_reach_rows): Back, Help, Log out; the languages, each
 * in its own name, contrast and text size. The content's controls go below the top of the reach
 * band too (on a tall portrait screen on a floor stand the top 10 cm are out of a seated
 * person's reach): its area starts there. */
void
chrome_begin(struct ui *ui, struct model *m, const char *title, bool can_go_back)
{
    const struct ui_theme *t = ui_theme(ui);
    int w, h, reach_top, reach_bottom;
    ui_display(ui, &w, &h);
    ui_reach_rows(ui, &reach_top, &reach_bottom);
    int margin = ui_mm(ui, 5);
    int row = ui_mm(ui, UI_MIN_TARGET_MM), gap = ui_mm(ui, UI_MIN_GAP_MM);
    const struct i18n_language *langs[16];
    size_t n_lang = i18n_offered(langs, ARRAY_LEN(langs));
    const char *contrast = _("Contrast"), *larger = _("Larger text");
    const char *row1_labels[3] = { _("Back"), _("Help"), _("Log out") };
    int n_items = (int)n_lang + 2;

    /* The title band: the title's own height at the full width (it wraps rather than shrinks). */
    int pad = ui_mm(ui, 3);
    int title_h = ui_text_height(ui, w - 2 * margin, title, UI_TEXT_H2);
    int band_h = title_h + 2 * pad;

    /* The bar: row 1 Back, Help, Log out; below it as many choices to a row as the widest label
     * (with room for its check mark) allows on one line, the rows as even as they can be. Each
     * row as tall as its tallest label needs (an Arabic line with larger text is taller than the
     * 15 mm a Latin one needs). */
    int col1 = (w - 2 * margin - 2 * gap) / 3 - 2 * gap;
    int row1 = row;
    for (int i = 0; i < 3; i++)
        row1 = bar_row_h(ui, row1, row1_labels[i], col1) > row1
                   ? bar_row_h(ui, row1, row1_labels[i], col1)
                   : row1;
    int mark_w = ui_line_height(ui, UI_TEXT_BOLD) * 3 / 4 + ui_mm(ui, 1.5);
    int widest = 0, row2 = 0;
    for (int i = 0; i < n_items; i++) {
        const char *label = i < (int)n_lang    ? langs[i]->native
                            : i == (int)n_lang ? contrast
                                               : larger;
        int lw = ui_text_width(ui, label, UI_TEXT_BOLD) + mark_w;
        int lh = bar_row_h(ui, row, label, 1 << 20);
        widest = lw > widest ? lw : widest;
        row2 = lh > row2 ? lh : row2;
    }
    int per_row = (w - 2 * margin + gap) / (widest + 2 * gap + 2 + gap);
    per_row = per_row < 1 ? 1 : per_row > n_items ? n_items : per_row;
    int rows = (n_items + per_row - 1) / per_row;
    per_row = (n_items + rows - 1) / rows;
    int bar_h = row1 + rows * row2 + (rows + 2) * gap;
    int bar_bottom = reach_bottom < h ? reach_bottom : h;
    int bar_y = bar_bottom - bar_h;
    if (bar_y < band_h)
        bar_y = band_h;

    /* Above the reach band nothing can be operated: the title's band fills that part (the title
     * at its foot, next to the content) rather than leaving it empty, when the content keeps
     * at least half of the screen between it and the bar. */
    int dead = reach_top - ui_mm(ui, 5);
    enum ui_text_style title_style = UI_TEXT_H2;
    if (dead > band_h && bar_y - gap - reach_top >= (bar_y - band_h) / 2) {
        band_h = dead;
        /* a band that tall carries the title as large as the screen's first heading */
        int big_h = ui_text_height(ui, w - 2 * margin, title, UI_TEXT_H1);
        if (big_h + 2 * pad <= band_h) {
            title_style = UI_TEXT_H1;
            title_h = big_h;
        }
    }
    ui_fill(ui, (struct ui_rect){ 0, 0, w, band_h }, t->header_bg);
    ui_fill(ui, (struct ui_rect){ 0, bar_y, w, h - bar_y }, t->header_bg);
    struct ui_rect title_r = { margin, band_h - pad - title_h, w - 2 * margin, title_h };

    ui_area(ui, (struct ui_rect){ margin, bar_y + gap, w - 2 * margin, bar_h - gap });
    ui_columns(ui, 3);
    struct ui_rect back = ui_take(ui, row1);
    struct ui_rect help = ui_take(ui, row1);
    struct ui_rect out = ui_take(ui, row1);
    /* the title first in the tree, so that the bar's controls follow it in reading order */
    ui_text(ui, title_r, title, title_style, t->header_fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_HEADING, title, NULL, 0, title_r, false);
    if (can_go_back && ui_button_in(ui, back, row1_labels[0], UI_BUTTON_QUIET, false))
        m->act->back(m->app);
    if (ui_button_in(ui, help, row1_labels[1], UI_BUTTON_QUIET, false))
        m->help_open = true;
    if (m->signed_in && ui_button_in(ui, out, row1_labels[2], UI_BUTTON_QUIET, false))
        m->act->logout(m->app);

    ui_columns(ui, per_row);
    for (size_t i = 0; i < n_lang; i++) {
        struct ui_rect r = ui_take(ui, row2);
        bool cur = langs[i] == i18n_current();
        if (ui_button_in(ui, r, langs[i]->native, UI_BUTTON_QUIET, cur))
            m->act->set_language(m->app, langs[i]->code);
    }
    /* the toggles at the end of the last row, apart from the languages */
    for (int i = n_items; i < rows * per_row; i++)
        ui_take(ui, row2);
    if (ui_toggle_in(ui, ui_take(ui, row2), contrast, UI_BUTTON_QUIET, ui_high_contrast(ui)))
        m->act->toggle_contrast(m->app);
    if (ui_toggle_in(ui, ui_take(ui, row2), larger, UI_BUTTON_QUIET, ui_large_text(ui)))
        m->act->toggle_large_text(m->app);
    ui_columns(ui, 1);

    if (ui_escape(ui) && can_go_back)
        m->act->back(m->app);
    int content_top = band_h + ui_mm(ui, 5);
    int content_bottom = bar_y - gap;
    /* below the top of the reach band, unless that leaves the content less than half its room
     * (a screen mounted far too high: doctor warns of it) */
    if (reach_top > content_top && content_bottom - reach_top >= (content_bottom - content_top) / 2)
        content_top = reach_top;
    ui_area(ui,
            (struct ui_rect){ margin, content_top, w - 2 * margin,
                              content_bottom > content_top ? content_bottom - content_top : 0 });
    ui_scroll_begin(ui); /* content that does not fit scrolls (Större text, landscape) */
    ui_content(ui);      /* the reading cursor starts here (speech mode) */
    role_band(ui, m);
    if (m->speech_voiceless) {
        ui_banner(ui,
                  _("Speech is not available in this language. Choose Swedish or English: the "
                    "screen changes to that language too."),
                  true);
        ui_columns(ui, 2);
        if (ui_button(ui, m->speech_in_sv, UI_BUTTON_NORMAL))
            m->act->set_language(m->app, "sv");
        if (ui_button(ui, m->speech_in_en, UI_BUTTON_NORMAL))
            m->act->set_language(m->app, "en");
        ui_columns(ui, 1);
    }
    if (m->offline)
        ui_banner(ui,
                  _("The case store cannot be reached right now. You see the data saved on this "
                    "kiosk; what you send is delivered when the connection is back."),
                  true);
}

void
chrome_dialog_begin(struct ui *ui, const char *title, double height_mm)
{
    const struct ui_theme *t = ui_theme(ui);
    int w, h;
    ui_display(ui, &w, &h);
    ui_fill(ui, (struct ui_rect){ 0, 0, w, h }, t->scrim);
    /* in the middle of the reach band (its controls within reach), or as low as it must be */
    int top, bottom;
    ui_reach_rows(ui, &top, &bottom);
    int dw = w * 4 / 5, dh = ui_mm(ui, height_mm);
    int dy = top + (bottom - top - dh) / 2;
    if (dy + dh > bottom)
        dy = bottom - dh;
    if (dy < 0)
        dy = 0;
    struct ui_rect d = { (w - dw) / 2, dy, dw, dh };
    ui_modal_begin(ui);
    ui_fill(ui, d, t->dialog_bg);
    ui_frame(ui, d, ui_mm(ui, 1), t->border);
    ui_node(ui, UI_ROLE_DIALOG, title, NULL, 0, d, false);
    int pad = ui_mm(ui, 6);
    ui_area(ui, (struct ui_rect){ d.x + pad, d.y + pad, d.w - 2 * pad, d.h - 2 * pad });
    ui_heading(ui, title, 1);
}

void
chrome_end(struct ui *ui, struct model *m)
{
    if (m->signed_in) {
        char age[128];
        fmt_age(m->last_sync_at, m->now, age, sizeof(age));
        /* below the content when there is room (a landscape screen with the keyboard has none) */
        ui_paragraph(ui, age, UI_TEXT_SMALL); /* scrolls with the content */
    }
    ui_scroll_end(ui);
    if (m->help_open && !m->idle_warning)
        help_dialog(ui, m);
    if (!m->idle_warning)
        return;
    chrome_dialog_begin(ui, _("Are you still there?"), 110);
    char left[160];
    snprintf(left, sizeof(left),
             i18n_ngettext("For your privacy you will be logged out in %d second.",
                           "For your privacy you will be logged out in %d seconds.",
                           (unsigned long)m->idle_seconds_left),
             m->idle_seconds_left);
    ui_paragraph(ui, left, UI_TEXT_BODY);
    if (ui_button(ui, _("Continue"), UI_BUTTON_PRIMARY))
        m->act->keep_session(m->app);
    if (ui_button(ui, _("Log out"), UI_BUTTON_NORMAL))
        m->act->logout(m->app);
    ui_modal_end(ui);
}

void
chrome_leave_receipt(struct model *m, void *state)
{
    (void)state; /* the router wipes it */
    m->has_receipt = false;
    memset(&m->receipt, 0, sizeof(m->receipt));
}
