/* The start screen: language, identification, the way in without BankID (the staff, a callback
 * without identification), and general information. Nothing personal appears here. */
#include "i18n.h"
#include "screens.h"

static void
build(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, m->site_name != NULL ? m->site_name : _("Mina sidor"), false);
    ui_heading(ui, _("Welcome to Mina sidor"), 1);
    ui_paragraph(ui,
                 _("See your cases, queue places, invoices and appointments, and send "
                   "applications, after you identify yourself with BankID on your phone."),
                 UI_TEXT_BODY);
    ui_gap(ui, 4);
    if (m->tech.erased)
        ui_banner(ui, _("This kiosk has been erased. A technician must provision it again."), true);
    if (m->notice != NULL)
        ui_banner(ui, _(m->notice), true);
    if (m->idp_unreachable)
        ui_banner(ui,
                  _("Identification is not possible right now. You can still ask us to call you, "
                    "and read general information."),
                  true);
    /* An erased kiosk has nothing to show and nowhere to queue: only the technician's corner. */
    if (!m->tech.erased && ui_button(ui, _("Identify yourself"), UI_BUTTON_PRIMARY))
        m->act->identify(m->app);
    /* The way in without BankID: a person at the desk (ombudsregistrering with an identity
     * document), or a callback, which needs no identification (DOMAIN.md). */
    if (!m->tech.erased) {
        ui_gap(ui, 4);
        ui_heading(ui, _("Don't have BankID with you?"), 2);
        ui_paragraph(ui, _("Ask the staff for help, or ask us to call you back."), UI_TEXT_BODY);
        ui_columns(ui, 2); /* side by side: the screen still has room in landscape */
        if (ui_button(ui, _("Call me back"), UI_BUTTON_NORMAL))
            m->act->go(m->app, SCREEN_CALLBACK);
        if (ui_button(ui, _("How do I get help?"), UI_BUTTON_NORMAL))
            m->help_open = true;
        ui_columns(ui, 1);
        ui_gap(ui, 2);
        if (ui_button(ui, _("General information"), UI_BUTTON_NORMAL))
            m->act->go(m->app, SCREEN_INFO);
    }
    /* The technician's corner: a long press at the top, on the side where lines start, over the
     * title (the action bar's controls are at the bottom). */
    int w, h, side = ui_mm(ui, 15);
    ui_display(ui, &w, &h);
    struct ui_rect corner = ui_mirror(ui, (struct ui_rect){ 0, 0, side, side });
    if (ui_hold_zone(ui, corner, _("Service")))
        m->act->technician_entry(m->app);
    chrome_end(ui, m);
}

const struct screen_impl screen_start = {
    .name = "start",
    .help = N_("This is the start of Mina sidor. Identify yourself with BankID on your phone "
               "to see your cases, invoices and queue places. Without identifying you can "
               "choose Call me back or General information. The staff at the desk can also "
               "help you."),
    .build = build
};
