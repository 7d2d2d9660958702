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
    int pad = ui_mm(ui, 2), lh = ui_line_height(ui, UI_TEXT_BOLD);
    struct ui_rect r = ui_take(ui, lh + 2 * pad);
    ui_fill(ui, r, t->staff_bg);
    ui_text(ui, (struct ui_rect){ r.x + pad, r.y + pad, r.w - 2 * pad, lh }, who, UI_TEXT_BOLD,
            t->staff_fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_STATUS, who, NULL, 0, r, false);
    ui_gap(ui, 2);
}

void
chrome_begin(struct ui *ui, struct model *m, const char *title, bool can_go_back)
{
    const struct ui_theme *t = ui_theme(ui);
    int w, h;
    ui_display(ui, &w, &h);
    int margin = ui_mm(ui, 5);
    int row = ui_mm(ui, 15);
    int header_h = 2 * row + 3 * ui_mm(ui, 3);
    ui_fill(ui, (struct ui_rect){ 0, 0, w, header_h }, t->header_bg);
    ui_area(ui, (struct ui_rect){ margin, ui_mm(ui, 3), w - 2 * margin, header_h });

    /* Row 1: back, the title, log out. */
    ui_columns(ui, 4);
    struct ui_rect back = ui_take(ui, row);
    struct ui_rect title_r = ui_take(ui, row);
    ui_take(ui, row);
    struct ui_rect right = ui_take(ui, row);
    title_r.w = right.x > title_r.x ? right.x - title_r.x - ui_mm(ui, 3)
                                    : title_r.x + title_r.w - right.x - right.w;
    if (ui_mirror(ui, title_r).x != title_r.x) { /* right to left: the same gap, mirrored */
        title_r.x = right.x + right.w + ui_mm(ui, 3);
        title_r.w -= ui_mm(ui, 3);
    }
    if (can_go_back && ui_button_in(ui, back, _("Back"), UI_BUTTON_QUIET, false))
        m->act->back(m->app);
    int th = ui_line_height(ui, UI_TEXT_H2);
    ui_text(ui, (struct ui_rect){ title_r.x, title_r.y + (row - th) / 2, title_r.w, th }, title,
            UI_TEXT_H2, t->header_fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_HEADING, title, NULL, 0, title_r, false);
    if (m->signed_in && ui_button_in(ui, right, _("Log out"), UI_BUTTON_QUIET, false))
        m->act->logout(m->app);

    /* Row 2: the languages, each in its own name; contrast; text size. */
    const struct i18n_language *langs[16];
    size_t n_lang = i18n_offered(langs, ARRAY_LEN(langs));
    ui_columns(ui, (int)n_lang + 2);
    for (size_t i = 0; i < n_lang; i++) {
        struct ui_rect r = ui_take(ui, row);
        bool cur = langs[i] == i18n_current();
        if (ui_button_in(ui, r, langs[i]->native, UI_BUTTON_QUIET, cur))
            m->act->set_language(m->app, langs[i]->code);
    }
    if (ui_button_in(ui, ui_take(ui, row), _("Contrast"), UI_BUTTON_QUIET, ui_high_contrast(ui)))
        m->act->toggle_contrast(m->app);
    if (ui_button_in(ui, ui_take(ui, row), _("Larger text"), UI_BUTTON_QUIET, ui_large_text(ui)))
        m->act->toggle_large_text(m->app);
    ui_columns(ui, 1);

    if (ui_escape(ui) && can_go_back)
        m->act->back(m->app);
    ui_area(ui, (struct ui_rect){ margin, header_h + ui_mm(ui, 5), w - 2 * margin,
                                  h - header_h - ui_mm(ui, 10) });
    role_band(ui, m);
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
    int dw = w * 4 / 5, dh = ui_mm(ui, height_mm);
    struct ui_rect d = { (w - dw) / 2, (h - dh) / 2, dw, dh };
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
        ui_paragraph(ui, age, UI_TEXT_SMALL);
    }
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
