/* Översikt: a tile per area with its count and most important fact. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"

static void
build(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("My pages"), false);
    char hello[200];
    snprintf(hello, sizeof(hello), _("Hello %s"), m->given_name != NULL ? m->given_name : "");
    ui_set_personal(ui, true); /* the name and the personnummer: spoken only through a headset */
    ui_heading(ui, hello, 1);
    char pnr[64];
    snprintf(pnr, sizeof(pnr), _("Personal identity number: %s"),
             m->pnr_revealed ? m->pnr_shown : m->pnr_masked);
    if (ui_button(ui, pnr, UI_BUTTON_NORMAL))
        m->pnr_revealed = !m->pnr_revealed;
    ui_set_personal(ui, false);

    const struct model_overview *o = &m->ov;
    char v[64], d[192], x[96];
    int w, h;
    ui_display(ui, &w, &h);
    ui_columns(ui, w > h ? 3 : 2); /* seven tiles: three rows fit a landscape screen */
    snprintf(v, sizeof(v), "%d", o->open_cases);
    snprintf(d, sizeof(d),
             i18n_ngettext("%d case is open, of %d in all.", "%d cases are open, of %d in all.",
                           (unsigned long)o->open_cases),
             o->open_cases, o->cases_total);
    if (ui_tile(ui, _("My cases"), v, d))
        m->act->go(m->app, SCREEN_CASES);

    snprintf(v, sizeof(v), "%d", o->unpaid_invoices);
    if (o->overdue_invoices > 0) {
        /* two whole sentences, each with the plural of its own number */
        char od[96];
        snprintf(d, sizeof(d),
                 i18n_ngettext("%d invoice to pay.", "%d invoices to pay.",
                               (unsigned long)o->unpaid_invoices),
                 o->unpaid_invoices);
        snprintf(od, sizeof(od),
                 i18n_ngettext("%d of them is overdue.", "%d of them are overdue.",
                               (unsigned long)o->overdue_invoices),
                 o->overdue_invoices);
        snprintf(d + strlen(d), sizeof(d) - strlen(d), " %s", od);
    } else if (o->next_due_date != NULL) {
        fmt_date_short(o->next_due_date, x, sizeof(x));
        snprintf(d, sizeof(d),
                 i18n_ngettext("%d invoice to pay, due %s.", "%d invoices to pay, the next due %s.",
                               (unsigned long)o->unpaid_invoices),
                 o->unpaid_invoices, x);
    } else {
        snprintf(d, sizeof(d), "%s", _("nothing to pay"));
    }
    if (ui_tile(ui, _("Invoices"), v, d))
        m->act->go(m->app, SCREEN_INVOICES);

    snprintf(v, sizeof(v), "%d", o->queue_entries);
    if (o->best_queue_position > 0)
        snprintf(d, sizeof(d), _("best position: %d"), o->best_queue_position);
    else
        snprintf(d, sizeof(d), "%s", _("no queue places"));
    if (ui_tile(ui, _("Queue places"), v, d))
        m->act->go(m->app, SCREEN_QUEUES);

    if (o->next_appointment_at > 0) {
        fmt_time(o->next_appointment_at, x, sizeof(x));
        snprintf(v, sizeof(v), "%s", _("Next visit"));
        snprintf(d, sizeof(d), "%s, %s", x,
                 o->next_appointment_place != NULL ? o->next_appointment_place : "");
    } else {
        snprintf(v, sizeof(v), "%s", "–");
        snprintf(d, sizeof(d), "%s", _("no booked visits"));
    }
    if (ui_tile(ui, _("Mobility service"), v, d))
        m->act->go(m->app, SCREEN_FARDTJANST);

    if (o->next_payout_date != NULL) {
        fmt_money(o->next_payout_ore, v, sizeof(v));
        fmt_date_short(o->next_payout_date, x, sizeof(x));
        snprintf(d, sizeof(d), _("next payout %s"), x);
    } else {
        snprintf(v, sizeof(v), "%s", "–");
        snprintf(d, sizeof(d), "%s", _("no payouts planned"));
    }
    if (ui_tile(ui, _("Payouts"), v, d))
        m->act->go(m->app, SCREEN_PAYOUTS);
    if (ui_tile(ui, _("Call me back"), _("Call"), _("we call you within two working days")))
        m->act->go(m->app, SCREEN_CALLBACK);
    if (ui_tile(ui, _("Apply or give feedback"), _("Apply"),
                _("preschool, mobility service, home care, income and more")))
        m->act->go(m->app, SCREEN_APPLY);
    ui_columns(ui, 1);
    chrome_end(ui, m);
}

const struct screen_impl screen_overview = { .name = "overview", .build = build };
