/* Hjälp: a dialog over any screen that says what this screen is for (its screen_impl's help)
 * and how to reach a person: the staff at the desk, who help without BankID too, or a callback
 * by the next working day. Opened by the chrome's Hjälp (model.help_open); closed by its Stäng,
 * by going to another screen, and by the end of the visit (the model is wiped). */
#include "i18n.h"
#include "screens.h"

/* The height the dialog's content takes at width w, in pixels: each part as the toolkit lays it
 * out, with the gap the toolkit leaves after each (generously: a line too many is better than a
 * button cut off). */
static int
content_height(struct ui *ui, int w, const char *const *texts, const enum ui_text_style *styles,
               int n_texts, int n_buttons)
{
    int gap = ui_mm(ui, 3), h = 0;
    for (int i = 0; i < n_texts; i++)
        h += ui_text_height(ui, w, texts[i], styles[i]) + gap;
    int button =
        ui_text_height(ui, w - ui_mm(ui, 8), _("Call me back"), UI_TEXT_BOLD) + ui_mm(ui, 8);
    button = button < ui_mm(ui, 15) ? ui_mm(ui, 15) : button;
    return h + n_buttons * (button + gap) + ui_mm(ui, 4);
}

void
help_dialog(struct ui *ui, struct model *m)
{
    const char *about = screen_impl(m->screen)->help;
    bool citizen = !m->signed_in || m->role == MODEL_ROLE_CITIZEN;
    /* Staff and technicians are the people a citizen would be sent to: for them the screen's
     * help is the whole answer. */
    bool offer_callback =
        citizen && !m->tech.erased && m->screen != SCREEN_CALLBACK && m->screen != SCREEN_IDENTIFY;
    const char *person =
        m->signed_in
            ? _("The staff at the desk can help you. Or choose Call me back and we will call you.")
            : _("The staff at the desk can help you, also without BankID. Or choose Call me back "
                "and we will call you.");
    const char *texts[] = { _("Help"), about != NULL ? _(about) : "", _("Talk to a person"),
                            person };
    const enum ui_text_style styles[] = { UI_TEXT_H1, UI_TEXT_BODY, UI_TEXT_H2, UI_TEXT_BODY };
    int n_texts = citizen ? 4 : 2;

    int w, h;
    ui_display(ui, &w, &h);
    int inner = w * 4 / 5 - 2 * ui_mm(ui, 6);
    int px = content_height(ui, inner, texts, styles, n_texts, offer_callback ? 2 : 1) +
             2 * ui_mm(ui, 6);
    px = px > h - ui_mm(ui, 10) ? h - ui_mm(ui, 10) : px;
    double mm = px / (ui_mm(ui, 100) / 100.0);

    chrome_dialog_begin(ui, texts[0], mm);
    if (about != NULL)
        ui_paragraph(ui, texts[1], UI_TEXT_BODY);
    if (citizen) {
        ui_heading(ui, texts[2], 2);
        ui_paragraph(ui, texts[3], UI_TEXT_BODY);
    }
    if (offer_callback && ui_button(ui, _("Call me back"), UI_BUTTON_NORMAL)) {
        m->help_open = false;
        m->act->go(m->app, SCREEN_CALLBACK);
    }
    if (ui_button(ui, _("Close"), UI_BUTTON_PRIMARY))
        m->help_open = false;
    ui_modal_end(ui);
}
