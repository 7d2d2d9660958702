/* The Help dialog: a minimal version for the action bar's Hjälp (lobby-reach), to be replaced by
 * lobby-help's (how to get a person, the path without BankID). It shows what the screen's own
 * help says (screen_impl.help) and closes with Back. */
#include "i18n.h"
#include "screens.h"

void
help_dialog(struct ui *ui, struct model *m)
{
    const char *help = screen_impl(m->screen)->help;
    chrome_dialog_begin(ui, _("Help"), 150);
    if (help != NULL)
        ui_paragraph(ui, _(help), UI_TEXT_BODY);
    if (ui_button(ui, _("Back"), UI_BUTTON_PRIMARY) || ui_escape(ui))
        m->help_open = false;
    ui_modal_end(ui);
}
