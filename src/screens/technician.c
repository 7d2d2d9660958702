/* Technician mode: the device's facts and checks, sync now, the touch test, exporting
 * diagnostics and the factory reset (two confirmations). Nothing personal is shown here. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"

#define LINES_PER_PAGE 14

/* The service screen's visit: the page of facts shown and the factory reset's progress. */
struct service {
    int page;
    int reset_stage; /* 0, then 1 and 2: the two confirmations */
};

static void
enter(struct model *m, void *state)
{
    m->act->tech_refresh(m->app); /* checked afresh each time (after a touch test, too) */
}

static const char *
level_word(int level)
{
    return level == 0 ? _("ok") : level == 1 ? _("warning") : level == 2 ? _("fail") : NULL;
}

/* The two confirmations of a factory reset, as a dialog over the screen. */
static void
reset_dialog(struct ui *ui, struct model *m, struct service *sv)
{
    chrome_dialog_begin(
        ui, sv->reset_stage == 1 ? _("Erase this kiosk?") : _("Really erase everything?"), 120);
    ui_paragraph(ui,
                 sv->reset_stage == 1
                     ? _("The keys and the cache are erased and the kiosk is removed from the case "
                         "store. Submissions not yet delivered are lost.")
                     : _("This cannot be undone. The kiosk must be provisioned again before anyone "
                         "can use it."),
                 UI_TEXT_BODY);
    if (ui_button(ui, sv->reset_stage == 1 ? _("Yes, continue") : _("Erase everything now"),
                  UI_BUTTON_PRIMARY)) {
        if (sv->reset_stage == 1) {
            sv->reset_stage = 2;
        } else {
            sv->reset_stage = 0;
            m->act->tech_factory_reset(m->app);
        }
    }
    if (ui_button(ui, _("Cancel"), UI_BUTTON_NORMAL) || ui_escape(ui))
        sv->reset_stage = 0;
    ui_modal_end(ui);
}

static void
build(struct ui *ui, struct model *m, void *state)
{
    struct service *sv = state;
    chrome_begin(ui, m, _("Service mode"), false);
    const struct model_tech *t = &m->tech;
    if (t->erased) {
        ui_heading(ui, _("This kiosk has been erased"), 1);
        ui_paragraph(ui,
                     _("The keys and the cache are gone. Provision the kiosk again with a new "
                       "token before it is used."),
                     UI_TEXT_BODY);
        if (t->erase_note != NULL)
            ui_banner(ui, _(t->erase_note), true);
        chrome_end(ui, m);
        return;
    }
    ui_columns(ui, 2);
    int bh = ui_mm(ui, 15);
    struct ui_rect sync = ui_take(ui, bh), touch = ui_take(ui, bh);
    struct ui_rect export = ui_take(ui, bh), refresh = ui_take(ui, bh);
    ui_columns(ui, 1);
    if (ui_button_in(ui, sync, t->syncing ? _("Syncing…") : _("Sync now"), UI_BUTTON_PRIMARY,
                     t->syncing) &&
        !t->syncing)
        m->act->tech_sync_now(m->app);
    if (ui_button_in(ui, touch, _("Touch test"), UI_BUTTON_NORMAL, false))
        m->act->go(m->app, SCREEN_TOUCH_TEST);
    if (ui_button_in(ui, export, _("Export diagnostics"), UI_BUTTON_NORMAL, false))
        m->act->tech_export(m->app);
    if (ui_button_in(ui, refresh, _("Check again"), UI_BUTTON_NORMAL, false))
        m->act->tech_refresh(m->app);
    if (t->syncing || t->sync_result[0] != '\0')
        ui_pair(ui, _("Sync"),
                t->syncing ? _("Running: fetching changes and delivering") : t->sync_result);
    if (t->export_path[0] != '\0')
        ui_pair(ui, _("Diagnostics file"), t->export_path);
    for (size_t i = (size_t)sv->page * LINES_PER_PAGE;
         i < t->n && i < (size_t)(sv->page + 1) * LINES_PER_PAGE; i++) {
        const struct model_tech_line *l = &t->lines[i];
        char v[260];
        const char *word = level_word(l->level);
        snprintf(v, sizeof(v), "%s%s%s", word ? word : "", word ? ": " : "", l->value);
        ui_pair(ui, _(l->label), v);
    }
    ui_pager(ui, &sv->page, (int)t->n, LINES_PER_PAGE);
    if (ui_button(ui, _("Factory reset"), UI_BUTTON_NORMAL))
        sv->reset_stage = 1;
    chrome_end(ui, m);
    if (sv->reset_stage > 0)
        reset_dialog(ui, m, sv);
}

const struct screen_impl screen_technician = {
    .name = "technician",
    .help = N_("Service mode, for technicians: the kiosk's checks, sync, the touch test, "
               "diagnostics and the factory reset. A citizen who needs help should ask the "
               "staff at the desk."),
    .state_size = sizeof(struct service),
    .enter = enter,
    .build = build,
};

/* --- The touch test ----------------------------------------------------------------------- */

#define TARGETS 5

/* The touch test's visit: which targets were hit, and how far from their centres. */
struct touch_test {
    double err_mm[TARGETS];
    bool hit[TARGETS];
};

/* The whole screen is the test: targets in the four corners and the centre, nothing else near
 * them; the instructions and results in the upper middle. */
static void
touch_build(struct ui *ui, struct model *m, void *state)
{
    struct touch_test *tt = state;
    const struct ui_theme *th = ui_theme(ui);
    int w, h;
    ui_display(ui, &w, &h);
    ui_fill(ui, (struct ui_rect){ 0, 0, w, h }, th->bg);
    int side = ui_mm(ui, 20), in = ui_mm(ui, 6);
    const struct ui_rect r[TARGETS] = {
        { in, in, side, side },
        { w - in - side, in, side, side },
        { (w - side) / 2, (h - side) / 2, side, side },
        { in, h - in - side, side, side },
        { w - in - side, h - in - side, side, side },
    };
    int margin = in + side + ui_mm(ui, 4);
    ui_area(ui, (struct ui_rect){ margin, in, w - 2 * margin, (h - side) / 2 - in - ui_mm(ui, 4) });
    ui_heading(ui, _("Touch test"), 1);
    ui_paragraph(ui, _("Touch the centre of each target."), UI_TEXT_BODY);
    double worst = 0;
    int done = 0;
    char label[TARGETS][64];
    for (int i = 0; i < TARGETS; i++) {
        snprintf(label[i], sizeof(label[i]), _("Target %d"), i + 1);
        if (tt->hit[i]) {
            char v[64];
            snprintf(v, sizeof(v), _("%.1f mm from the centre"), tt->err_mm[i]);
            ui_pair(ui, label[i], v);
            worst = fmax(worst, tt->err_mm[i]);
            done++;
        }
    }
    if (done == TARGETS) {
        char v[64];
        snprintf(v, sizeof(v), "%.1f mm", worst);
        ui_pair(ui, _("Largest error"), v);
        m->act->tech_touch_result(m->app, worst);
        ui_banner(ui,
                  worst <= 3.0 ? _("The touch screen is accurate.")
                               : _("Touches land far from where they are aimed: check the "
                                   "screen's mounting and calibration."),
                  worst > 3.0);
    }
    if (ui_button(ui, _("Back"), UI_BUTTON_NORMAL) || ui_escape(ui))
        m->act->back(m->app);
    for (int i = 0; i < TARGETS; i++) {
        if (ui_button_in(ui, r[i], label[i], UI_BUTTON_PRIMARY, tt->hit[i])) {
            int x, y;
            ui_last_press(ui, &x, &y);
            /* Against the centre in whole pixels, as hit testing sees it. */
            double dx = x - (r[i].x + r[i].w / 2), dy = y - (r[i].y + r[i].h / 2);
            tt->err_mm[i] = sqrt(dx * dx + dy * dy) / ui_px_per_mm(ui);
            tt->hit[i] = true;
        }
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_touch_test = {
    .name = "touch_test",
    .help = N_("The touch test: touch the centre of each of the five targets. Back returns "
               "to service mode."),
    .state_size = sizeof(struct touch_test),
    .build = touch_build,
};
