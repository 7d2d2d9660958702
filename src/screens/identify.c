/* Identification: the animated QR code from the identity runner, the recommended message for
 * each state, a cancel button, and in demo mode the DEMO identities. */
#include <stdio.h>

#include "i18n.h"
#include "screens.h"

static void
opening(struct ui *ui)
{
    ui_paragraph(ui,
                 _("Open the BankID app on your phone, choose the QR code and point the camera "
                   "at the code below."),
                 UI_TEXT_BODY);
}

/* For a citizen who cannot see the code: how far to hold the phone, that the code is meant to
 * change, and that the phone speaks BankID itself. */
static void
guidance(struct ui *ui)
{
    ui_paragraph(ui, _("Hold your phone's camera 20 to 30 centimetres from the screen."),
                 UI_TEXT_BODY);
    ui_paragraph(ui, _("The code changes every second. That is how it should be."), UI_TEXT_BODY);
    ui_paragraph(ui,
                 _("The BankID app works with your phone's screen reader, VoiceOver or TalkBack."),
                 UI_TEXT_BODY);
}

/* Cancel or try again, and the other ways in. */
static void
choices(struct ui *ui, struct model *m)
{
    const struct model_identify *id = &m->id;
    if (id->state == MODEL_ID_FAILED) {
        if (ui_button(ui, _("Try again"), UI_BUTTON_PRIMARY))
            m->act->identify(m->app);
        if (ui_button(ui, _("Back to the start"), UI_BUTTON_NORMAL))
            m->act->cancel_identify(m->app);
    } else if (ui_button(ui, _("Cancel"), UI_BUTTON_NORMAL)) {
        m->act->cancel_identify(m->app);
    }
    /* A citizen signing in has other ways in: a callback needs no identification. */
    if (m->id_purpose == MODEL_ID_FOR_SESSION && id->state != MODEL_ID_COMPLETE) {
        ui_paragraph(ui,
                     _("Cannot use BankID? We can call you instead, or ask the staff at the desk."),
                     UI_TEXT_BODY);
        if (ui_button(ui, _("Call me back"), UI_BUTTON_NORMAL)) {
            m->act->cancel_identify(m->app);
            m->act->go(m->app, SCREEN_CALLBACK);
        }
    }
}

/* Demo mode: the demo people, instead of scanning. */
static void
demo(struct ui *ui, struct model *m, int per_row)
{
    const struct model_identify *id = &m->id;
    if (id->n_demo == 0 || id->state != MODEL_ID_SHOWING)
        return;
    ui_gap(ui, 3);
    ui_banner(ui,
              _("DEMO: this kiosk talks to a test identity provider. Choose a demo person "
                "instead of scanning."),
              true);
    ui_columns(ui, per_row);
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

/* The cursor's y in the content area. */
static int
cursor_y(const struct ui *ui)
{
    struct ui_rect a = ui_area_rect(ui);
    return a.y + a.h - ui_remaining(ui);
}

/* Makes the part of the content area from x (left to right) w wide, below top, the area
 * widgets go into. */
static void
column(struct ui *ui, struct ui_rect all, int x, int w, int top)
{
    ui_area(ui, all); /* mirrored in the whole width, not in the column before */
    ui_area(ui, ui_mirror(ui, (struct ui_rect){ all.x + x, top, w, all.y + all.h - top }));
}

static void
build(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("Identify yourself"), false);
    const struct model_identify *id = &m->id;
    if (id->msgid != NULL)
        ui_banner(ui, _(id->msgid), id->state == MODEL_ID_FAILED);
    int dw, dh;
    ui_display(ui, &dw, &dh);
    struct ui_rect all = ui_area_rect(ui);
    int gap = ui_mm(ui, 6), top = cursor_y(ui), bottom = top;
    if (id->qr == NULL || id->state != MODEL_ID_SHOWING) {
        choices(ui, m);
        demo(ui, m, 2);
    } else if (dw > dh) {
        /* landscape: the code, its guidance and the choices, the demo people: three columns */
        int w = (all.w - 2 * gap) / 3;
        for (int c = 0; c < 3; c++) {
            column(ui, all, c * (w + gap), w, top);
            if (c == 0) {
                opening(ui);
                ui_qr(ui, id->qr, id->qr_size, 70, _("BankID QR code"));
            } else if (c == 1) {
                guidance(ui);
                choices(ui, m);
            } else {
                demo(ui, m, 1);
            }
            bottom = cursor_y(ui) > bottom ? cursor_y(ui) : bottom;
        }
        ui_area(ui, (struct ui_rect){ all.x, bottom, all.w, all.y + all.h - bottom });
    } else {
        /* portrait: the guidance beside the code, the choices below */
        opening(ui);
        top = cursor_y(ui);
        int side = ui_mm(ui, 70);
        column(ui, all, 0, side, top);
        ui_qr(ui, id->qr, id->qr_size, 70, _("BankID QR code"));
        bottom = cursor_y(ui);
        column(ui, all, side + gap, all.w - side - gap, top);
        guidance(ui);
        bottom = cursor_y(ui) > bottom ? cursor_y(ui) : bottom;
        ui_area(ui, (struct ui_rect){ all.x, bottom, all.w, all.y + all.h - bottom });
        choices(ui, m);
        demo(ui, m, 2);
    }
    if (ui_escape(ui))
        m->act->cancel_identify(m->app);
    chrome_end(ui, m);
}

const struct screen_impl screen_identify = {
    .name = "identify",
    .help = N_("Here you identify yourself with the BankID app on your phone. Hold the "
               "camera 20 to 30 centimetres from the screen; the code changes every second. "
               "If it does not work, choose Cancel and Call me back, or ask the staff at the "
               "desk."),
    .build = build
};
