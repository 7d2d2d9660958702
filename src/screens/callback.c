/* Ring upp mig: topic, phone number, time window, language, channel; works without
 * identification. The receipt states the promise computed by callback_due. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"
#include "taxonomy.h"

/* The request being filled in (the phone number is personal): the visit's state, in guarded
 * memory the router wipes on leave. */
struct request {
    struct ui_field phone;
    int topic, window;
    const char *problem; /* msgid, translated when drawn */
};

static void
enter(struct model *m, void *state)
{
    struct request *r = state;
    r->phone.keyboard = UI_KEYBOARD_NUMERIC;
    r->phone.max_len = 20;
    r->topic = -1;
    r->window = 2;
    m->has_receipt = false;
}

/* The height of a row of n option buttons in cols columns: 15 mm, or what the longest label
 * needs when it wraps (a long topic with larger text). */
static int
options_h(struct ui *ui, const char *const *labels, size_t n, int cols)
{
    int pad = ui_mm(ui, 3), colw = (ui_area_rect(ui).w - pad * (cols - 1)) / cols;
    int h = ui_mm(ui, 15);
    for (size_t i = 0; i < n; i++) {
        int th = ui_text_height(ui, colw - 2 * pad, labels[i], UI_TEXT_BOLD) + 2 * pad;
        h = th > h ? th : h;
    }
    return h;
}

static void
build(struct ui *ui, struct model *m, void *state)
{
    struct request *r = state;
    chrome_begin(ui, m, _("Call me back"), true);
    if (m->has_receipt) {
        ui_heading(ui, _("Thank you, we will call you"), 1);
        ui_banner(ui, m->receipt.promise, false);
        ui_set_personal(ui, true); /* the phone number */
        ui_pair(ui, _("What you sent"), m->receipt.what);
        ui_set_personal(ui, false);
        ui_pair(ui, _("Reference"), m->receipt.reference);
        ui_pair(
            ui, _("Status"),
            m->receipt.delivered
                ? _("Received by the city")
                : _("Queued on this kiosk; it is sent as soon as the case store can be reached"));
        if (ui_button(ui, _("Done"), UI_BUTTON_PRIMARY)) {
            if (m->role == MODEL_ROLE_STAFF)
                m->act->go(m->app, SCREEN_STAFF); /* the staff member's start, not the reason */
            else
                m->act->back(m->app);
        }
        chrome_end(ui, m);
        return;
    }
    static const enum case_main topics[] = { CASE_MAIN_FORSKOLA, CASE_MAIN_FARDTJANST,
                                             CASE_MAIN_ALDREOMSORG, CASE_MAIN_EKONOMISKT_BISTAND,
                                             CASE_MAIN_OVRIGT };
    const char *labels[5];
    for (size_t i = 0; i < 5; i++)
        labels[i] = C_(taxonomy_context(TAX_MAIN), taxonomy_entry(TAX_MAIN, topics[i])->label);
    int w, h;
    ui_display(ui, &w, &h);
    int cols = w > h ? 5 : 3; /* one row in landscape, so that Send stays on the screen */
    ui_paragraph(ui, _("What is it about?"), UI_TEXT_BOLD);
    int row = options_h(ui, labels, 5, cols);
    ui_columns(ui, cols);
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
        if (ui_button_in(ui, ui_take(ui, row), labels[i], UI_BUTTON_NORMAL, r->topic == (int)i))
            r->topic = (int)i;
    }
    ui_columns(ui, 1);
    ui_paragraph(ui, _("When may we call?"), UI_TEXT_BOLD);
    const char *windows[] = { _("Morning"), _("Afternoon"), _("Any time") };
    row = options_h(ui, windows, 3, 3);
    ui_columns(ui, 3);
    for (int i = 0; i < 3; i++) {
        if (ui_button_in(ui, ui_take(ui, row), windows[i], UI_BUTTON_NORMAL, r->window == i))
            r->window = i;
    }
    ui_columns(ui, 1);
    r->phone.label = _("Your phone number");
    r->phone.hint = _("For example 070-123 45 67");
    r->phone.error = r->problem != NULL ? _(r->problem) : NULL;
    if (ui_field(ui, &r->phone))
        r->problem = NULL;
    ui_keyboard(ui, &r->phone);
    if (ui_button(ui, _("Send"), UI_BUTTON_PRIMARY)) {
        static const char *const window_codes[] = { "morning", "afternoon", "any" };
        struct model_callback_request req = {
            .topic_main = r->topic >= 0 ? taxonomy_entry(TAX_MAIN, topics[r->topic])->code : NULL,
            .phone = r->phone.text,
            .window = window_codes[r->window],
            .language = i18n_current()->code,
            .channel = "phone",
        };
        const char *err = NULL;
        if (r->topic < 0)
            r->problem = N_("Choose what it is about.");
        else if (!m->act->request_callback(m->app, &req, &err))
            r->problem = err; /* on success the receipt is shown from the next frame */
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_callback = {
    .name = "callback",
    .state_size = sizeof(struct request),
    .enter = enter,
    .build = build,
    .leave = chrome_leave_receipt,
};
