/* Identification: the animated QR code from the identity runner, the recommended message for
 * each state, a cancel button, and in demo mode the DEMO identities. */
#include <stdio.h>

#include "i18n.h"
#include "screens.h"

static void
build(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("Identify yourself"), false);
    const struct model_identify *id = &m->id;
    if (id->msgid != NULL)
        ui_banner(ui, _(id->msgid), id->state == MODEL_ID_FAILED);
    if (id->qr != NULL && id->state == MODEL_ID_SHOWING) {
        ui_paragraph(ui,
                     _("Open the BankID app on your phone, choose the QR code and point the camera "
                       "at the code below."),
                     UI_TEXT_BODY);
        ui_qr(ui, id->qr, id->qr_size, 70, _("BankID QR code"));
    }
    if (id->state == MODEL_ID_FAILED) {
        if (ui_button(ui, _("Try again"), UI_BUTTON_PRIMARY))
            m->act->identify(m->app);
        if (ui_button(ui, _("Back to the start"), UI_BUTTON_NORMAL))
            m->act->cancel_identify(m->app);
    } else if (ui_button(ui, _("Cancel"), UI_BUTTON_NORMAL)) {
        m->act->cancel_identify(m->app);
    }
    if (id->n_demo > 0 && id->state == MODEL_ID_SHOWING) {
        ui_gap(ui, 3);
        ui_banner(ui,
                  _("DEMO: this kiosk talks to a test identity provider. Choose a demo person "
                    "instead of scanning."),
                  true);
        ui_columns(ui, 2);         /* two to a row: all of them fit a landscape screen too */
        ui_set_personal(ui, true); /* each button names a (test) person */
        for (size_t i = 0; i < id->n_demo; i++) {
            char label[160];
            snprintf(label, sizeof(label), "DEMO: %s", id->demo_names[i]);
            if (ui_button(ui, label, UI_BUTTON_NORMAL))
                m->act->demo_identify(m->app, i);
        }
        ui_set_personal(ui, false);
        ui_columns(ui, 1);
    }
    if (ui_escape(ui))
        m->act->cancel_identify(m->app);
    chrome_end(ui, m);
}

const struct screen_impl screen_identify = { .name = "identify", .build = build };
