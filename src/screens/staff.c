/* Staff mode (ombudsregistrering): the staff member's start, establishing the citizen's
 * identity (their own phone, or a checked identity document), the reason for seeing their data,
 * and the delivery state of the staff member's own registrations. */
#include <stdio.h>
#include <string.h>

#include "forms.h"
#include "i18n.h"
#include "screens.h"

/* --- Start ------------------------------------------------------------------------------- */

/* The translated label of a reason or document code, "–" for none. */
static const char *
label_of(const struct form_option *list, size_t n, const char *code)
{
    const struct form_option *o = form_option_find(list, n, code);
    return o != NULL ? _(o->label) : "–";
}

static void
build_home(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("Ombudsregistrering"), false);
    const struct model_staff *s = &m->staff;
    if (s->have_citizen) {
        ui_heading(ui, _("The citizen you are serving"), 2);
        ui_set_personal(ui, true); /* who the citizen is, and their document */
        ui_pair(ui, _("Personal identity number"), s->pnr_masked);
        char how[160];
        if (s->by_document)
            snprintf(how, sizeof(how), _("%s checked, number ending %s"),
                     label_of(identity_documents, n_identity_documents, s->document_type),
                     s->document_last4);
        else
            snprintf(how, sizeof(how), "%s", _("BankID on this kiosk"));
        ui_pair(ui, _("Identity established by"), how);
        ui_set_personal(ui, false);
        ui_pair(ui, _("Reason"), label_of(staff_reasons, n_staff_reasons, s->reason));
        if (s->reason != NULL && ui_button(ui, _("Continue for this citizen"), UI_BUTTON_PRIMARY))
            m->act->staff_reason(m->app, s->reason);
        if (s->reason == NULL && ui_button(ui, _("State the reason"), UI_BUTTON_PRIMARY))
            m->act->go(m->app, SCREEN_STAFF_REASON);
        if (ui_button(ui, _("Next citizen"), UI_BUTTON_NORMAL))
            m->act->staff_end_citizen(m->app);
    } else {
        ui_paragraph(ui,
                     _("Register applications and choices on a citizen's behalf. First establish "
                       "who the citizen is."),
                     UI_TEXT_BODY);
        if (ui_button(ui, _("Serve a citizen"), UI_BUTTON_PRIMARY))
            m->act->go(m->app, SCREEN_STAFF_CITIZEN);
    }
    if (ui_button(ui, _("My registrations"), UI_BUTTON_NORMAL)) {
        m->act->staff_registrations(m->app);
        m->act->go(m->app, SCREEN_STAFF_REGISTRATIONS);
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_staff = {
    .name = "staff",
    .help = N_("Staff mode: register applications and choices on a citizen's behalf. First "
               "establish who the citizen is, then state the reason. Log out when you are "
               "done."),
    .build = build_home
};

/* --- The citizen's identity -------------------------------------------------------------- */

/* What the staff member types: personal, so it lives in the visit's state (guarded memory the
 * router wipes on leave). */
struct citizen_form {
    struct ui_field pnr_field, last4_field;
    int doc_choice;
    const char *problem; /* msgid, translated when drawn */
};

static void
citizen_enter(struct model *m, void *state)
{
    struct citizen_form *c = state;
    c->pnr_field.keyboard = UI_KEYBOARD_NUMERIC;
    c->pnr_field.max_len = 16;
    c->last4_field.keyboard = UI_KEYBOARD_TEXT;
    c->last4_field.max_len = 8;
    c->doc_choice = -1;
}

static void
build_citizen(struct ui *ui, struct model *m, void *state)
{
    struct citizen_form *c = state;
    chrome_begin(ui, m, _("Who is the citizen?"), true);
    if (m->notice != NULL)
        ui_banner(ui, _(m->notice), true);
    ui_heading(ui, _("With their own phone"), 2);
    if (ui_button(ui, _("The citizen identifies with BankID"), UI_BUTTON_PRIMARY))
        m->act->staff_citizen_by_phone(m->app);
    ui_heading(ui, _("Or with an identity document you have checked"), 2);
    c->pnr_field.label = _("The citizen's personal identity number");
    c->pnr_field.hint = _("12 digits, for example 19450312-1234");
    ui_set_personal(ui, true);
    if (ui_field(ui, &c->pnr_field))
        c->problem = NULL;
    ui_set_personal(ui, false);
    ui_paragraph(ui, _("Document"), UI_TEXT_BOLD);
    ui_columns(ui, 3);
    int doc_h = ui_mm(ui, UI_MIN_TARGET_MM), pad = ui_mm(ui, 3);
    for (int i = 0; i < (int)n_identity_documents; i++) { /* as tall as a wrapped label needs */
        int th = ui_text_height(ui, (ui_area_rect(ui).w - 2 * pad) / 3 - 2 * pad,
                                _(identity_documents[i].label), UI_TEXT_BOLD) +
                 2 * pad;
        doc_h = th > doc_h ? th : doc_h;
    }
    for (int i = 0; i < (int)n_identity_documents; i++) {
        if (ui_button_in(ui, ui_take(ui, doc_h), _(identity_documents[i].label), UI_BUTTON_NORMAL,
                         c->doc_choice == i))
            c->doc_choice = i;
    }
    ui_columns(ui, 1);
    c->last4_field.label = _("Last four characters of the document number");
    ui_set_personal(ui, true);
    if (ui_field(ui, &c->last4_field))
        c->problem = NULL;
    ui_set_personal(ui, false);
    if (c->problem != NULL)
        ui_banner(ui, _(c->problem), true);
    if (ui_button(ui, _("Document checked: continue"), UI_BUTTON_PRIMARY)) {
        const char *err = NULL;
        if (c->doc_choice < 0)
            c->problem = N_("Choose the kind of document.");
        else if (!m->act->staff_citizen_by_document(m->app, c->pnr_field.text,
                                                    identity_documents[c->doc_choice].code,
                                                    c->last4_field.text, &err))
            c->problem = err;
    }
    /* One keyboard: the numeric pad until the number is there and the document chosen, then
     * letters and digits for the document number. */
    ui_keyboard(ui, strlen(c->pnr_field.text) >= 10 && c->doc_choice >= 0 ? &c->last4_field
                                                                          : &c->pnr_field);
    chrome_end(ui, m);
}

const struct screen_impl screen_staff_citizen = {
    .name = "staff_citizen",
    .help = N_("Establish who the citizen is: they identify with BankID on this kiosk, or "
               "you write their personal identity number and check an identity document."),
    .state_size = sizeof(struct citizen_form),
    .enter = citizen_enter,
    .build = build_citizen,
};

/* --- The reason ------------------------------------------------------------------------- */

static void
build_reason(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("Reason"), true);
    ui_heading(ui, _("Why do you need the citizen's data?"), 2);
    ui_paragraph(ui,
                 _("You see only what the task needs. Your reason is written to the audit log "
                   "with your staff id."),
                 UI_TEXT_BODY);
    ui_set_personal(ui, true);
    ui_pair(ui, _("Personal identity number"), m->staff.pnr_masked);
    ui_set_personal(ui, false);
    for (size_t i = 0; i < n_staff_reasons; i++) {
        if (ui_button(ui, _(staff_reasons[i].label), UI_BUTTON_NORMAL))
            m->act->staff_reason(m->app, staff_reasons[i].code);
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_staff_reason = {
    .name = "staff_reason",
    .help = N_("Choose why you need the citizen's data. The reason is written to the audit "
               "log with your staff id."),
    .build = build_reason
};

/* --- My registrations ------------------------------------------------------------------- */

static void
build_registrations(struct ui *ui, struct model *m, void *state)
{
    int *reg_page = state; /* the page shown */
    chrome_begin(ui, m, _("My registrations"), true);
    if (m->n_registrations == 0)
        ui_paragraph(ui, _("You have not registered anything on this kiosk."), UI_TEXT_BODY);
    static const char *const states[] = {
        N_("Queued on this kiosk"), N_("Being sent"),   N_("Received by the city"),
        N_("Received by the city"), N_("Not accepted"),
    };
    const int per_page = 5;
    for (size_t i = (size_t)*reg_page * per_page;
         i < m->n_registrations && i < (size_t)(*reg_page + 1) * per_page; i++) {
        const struct model_registration *r = &m->registrations[i];
        char title[160], detail[300];
        snprintf(title, sizeof(title), "%s %s", r->what ? _(r->what) : fmt_tax(TAX_TYPE, r->type),
                 r->reference);
        if (r->state == 2 || r->state == 3)
            snprintf(detail, sizeof(detail), "%s, %s", _(states[r->state]), r->case_number);
        else if (r->state == 4)
            snprintf(detail, sizeof(detail), "%s: %s%s", _(states[4]), r->reason,
                     r->corrected ? _(" (corrected and sent again)") : "");
        else
            snprintf(detail, sizeof(detail), "%s", _(states[r->state < 4 ? r->state : 0]));
        ui_push_key(ui, (uint32_t)i);
        ui_set_personal(ui, true); /* a citizen's registration: its case number, why refused */
        ui_pair(ui, title, detail);
        ui_set_personal(ui, false);
        if (r->state == 4 && !r->corrected) {
            char label[200];
            snprintf(label, sizeof(label), _("Correct and send again: %s"), r->reference);
            if (ui_button(ui, label, UI_BUTTON_PRIMARY))
                m->act->staff_correct(m->app, i);
        }
        ui_pop_key(ui);
    }
    ui_pager(ui, reg_page, (int)m->n_registrations, per_page);
    if (ui_button(ui, _("Update"), UI_BUTTON_NORMAL))
        m->act->staff_registrations(m->app);
    chrome_end(ui, m);
}

const struct screen_impl screen_staff_registrations = {
    .name = "staff_registrations",
    .help = N_("Your registrations on this kiosk and whether the city has received them. One "
               "that was not accepted can be corrected and sent again."),
    .state_size = sizeof(int),
    .build = build_registrations,
};
