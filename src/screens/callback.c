/* Ring upp mig: topic, phone number, time window, language, channel; works without
 * identification. The receipt states the promise computed by callback_due. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "phone.h"
#include "screens.h"
#include "taxonomy.h"
#include "xalloc.h"

/* The request being filled in (the phone number is personal): the visit's state, in guarded
 * memory the router wipes on leave. */
struct request {
    struct ui_field phone;
    int topic, window;
    const char *problem;       /* the number's, msgid, translated when drawn */
    const char *topic_problem; /* the topic's, msgid */
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
    static const enum case_main topics[] = { CASE_MAIN_FORSKOLA, CASE_MAIN_FARDTJANST,
                                             CASE_MAIN_ALDREOMSORG, CASE_MAIN_EKONOMISKT_BISTAND,
                                             CASE_MAIN_OVRIGT };
    const char *labels[5];
    for (size_t i = 0; i < 5; i++)
        labels[i] = C_(taxonomy_context(TAX_MAIN), taxonomy_entry(TAX_MAIN, topics[i])->label);
    const char *windows[] = { _("Morning"), _("Afternoon"), _("Any time") };
    if (m->has_receipt) {
        /* what was asked for, again: the topic, the number (masked) and when we call */
        receipt_head(ui, &m->receipt, _("Thank you, we will call you"));
        ui_banner(ui, m->receipt.promise, false);
        ui_pair(ui, _("What it is about"), r->topic >= 0 ? labels[r->topic] : "–");
        ui_pair(ui, _("When we may call"), windows[r->window]);
        ui_set_personal(ui, true); /* the number */
        ui_pair(ui, _("We call"), m->receipt.phone_masked);
        ui_set_personal(ui, false);
        if (ui_button(ui, _("Done"), UI_BUTTON_PRIMARY)) {
            if (m->role == MODEL_ROLE_STAFF)
                m->act->go(m->app, SCREEN_STAFF); /* the staff member's start, not the reason */
            else
                m->act->back(m->app);
        }
        chrome_end(ui, m);
        return;
    }
    int w, h;
    ui_display(ui, &w, &h);
    int cols = w > h ? 5 : 3; /* one row in landscape, so that Send stays on the screen */
    if (r->topic_problem != NULL && r->problem != NULL) {
        /* more than one problem: a summary at the top, each also beside its own question (one
         * problem alone stands beside its question, where the eye and the speech already go) */
        char summary[400];
        snprintf(summary, sizeof(summary), _("Please correct what is marked: %s"),
                 _("What is it about?"));
        snprintf(summary + strlen(summary), sizeof(summary) - strlen(summary), ", %s",
                 _("Your phone number"));
        ui_banner(ui, summary, true);
    }
    ui_paragraph(ui, _("What is it about?"), UI_TEXT_BOLD);
    if (r->topic_problem != NULL)
        ui_error_note(ui, _(r->topic_problem));
    int row = options_h(ui, labels, 5, cols);
    ui_columns(ui, cols);
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
        if (ui_button_in(ui, ui_take(ui, row), labels[i], UI_BUTTON_NORMAL, r->topic == (int)i)) {
            r->topic = (int)i;
            r->topic_problem = NULL;
        }
    }
    ui_columns(ui, 1);
    ui_paragraph(ui, _("When may we call?"), UI_TEXT_BOLD);
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
    ui_set_personal(ui, true); /* the phone number */
    if (ui_field(ui, &r->phone))
        r->problem = NULL;
    ui_set_personal(ui, false);
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
        struct phone ph;
        enum phone_error pe = phone_parse(r->phone.text, &ph);
        secure_zero(&ph, sizeof(ph));
        /* every problem at once, each beside its question */
        r->topic_problem = r->topic < 0 ? N_("Choose what it is about.") : NULL;
        r->problem = pe != PHONE_OK ? phone_error_message(pe) : NULL;
        if (r->topic_problem == NULL && r->problem == NULL &&
            !m->act->request_callback(m->app, &req, &err))
            r->problem = err; /* on success the receipt is shown from the next frame */
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_callback = {
    .name = "callback",
    .help = N_("Here you ask us to call you. Choose what it is about and when we may call, "
               "write your phone number and choose Send. We call within two working days. "
               "The staff at the desk can also help you."),
    .state_size = sizeof(struct request),
    .enter = enter,
    .build = build,
    .leave = chrome_leave_receipt,
};
