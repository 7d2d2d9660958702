/* The list screens: cases, queue places, invoices, payouts. Each pages through its rows with
 * large previous/next buttons; a row opens its detail where there is one. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "i18n.h"
#include "screens.h"
#include "taxonomy.h"

#define PER_PAGE 5

/* Each list's state is its page (an int the router allocates per visit, zeroed). */

/* The rows of page p: [page_first, page_end). */
static size_t
page_first(int p)
{
    return (size_t)p * PER_PAGE;
}

static size_t
page_end(int p, size_t n)
{
    size_t e = (size_t)(p + 1) * PER_PAGE;
    return e < n ? e : n;
}

static void
build_cases(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("My cases"), true);
    const struct model_records *l = &m->cases;
    if (l->n == 0)
        ui_paragraph(ui, _("You have no cases."), UI_TEXT_BODY);
    int *p = visit;
    for (size_t i = page_first(*p); i < page_end(*p, l->n); i++) {
        const char *title = model_text(l, i, REC_CASE_TITLE);
        char detail[256];
        snprintf(detail, sizeof(detail), "%s · %s · %s", model_text(l, i, REC_CASE_CASE_NUMBER),
                 fmt_tax(TAX_MAIN, model_text(l, i, REC_CASE_MAIN)),
                 fmt_tax(TAX_STATUS, model_text(l, i, REC_CASE_STATUS)));
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        ui_set_personal(ui, true); /* a case's number and status */
        if (ui_list_item(ui,
                         title != NULL ? title : fmt_tax(TAX_MAIN, model_text(l, i, REC_CASE_MAIN)),
                         detail, NULL))
            m->act->open_case(m->app, i);
        ui_set_personal(ui, false);
        ui_pop_key(ui);
    }
    ui_pager(ui, p, (int)l->n, PER_PAGE);
    chrome_end(ui, m);
}

static void
build_queues(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("Queue places"), true);
    const struct model_records *l = &m->queues;
    if (l->n == 0)
        ui_paragraph(ui, _("You are in no queues."), UI_TEXT_BODY);
    int *p = visit;
    for (size_t i = page_first(*p); i < page_end(*p, l->n); i++) {
        char pos[96], detail[320], reg[64] = "", exp[64] = "";
        long long of = model_num(l, i, REC_QUEUE_ENTRY_OF_TOTAL);
        if (of > 0)
            snprintf(pos, sizeof(pos), _("Position %lld of %lld"),
                     model_num(l, i, REC_QUEUE_ENTRY_POSITION), of);
        else
            snprintf(pos, sizeof(pos), _("Position %lld"),
                     model_num(l, i, REC_QUEUE_ENTRY_POSITION));
        fmt_date_short(model_text(l, i, REC_QUEUE_ENTRY_REGISTERED_ON), reg, sizeof(reg));
        fmt_date_short(model_text(l, i, REC_QUEUE_ENTRY_EXPECTED_OFFER), exp, sizeof(exp));
        const char *unit = model_text(l, i, REC_QUEUE_ENTRY_UNIT),
                   *child = model_text(l, i, REC_QUEUE_ENTRY_CHILD_NAME);
        const char *expected = exp[0] ? exp : _("not known");
        if (child != NULL)
            /* TRANSLATORS: the unit (a preschool's name), the child's name, two dates */
            snprintf(detail, sizeof(detail), _("%s, %s. Registered %s. Expected offer: %s."),
                     unit != NULL ? unit : "", child, reg, expected);
        else
            snprintf(detail, sizeof(detail), _("%s. Registered %s. Expected offer: %s."),
                     unit != NULL ? unit : "", reg, expected);
        /* the queue is a coded value ("forskola"): its label, never the code through gettext */
        const char *q = model_text(l, i, REC_QUEUE_ENTRY_QUEUE);
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        ui_list_item(ui, q != NULL ? fmt_tax(TAX_MAIN, q) : "", detail, pos);
        ui_pop_key(ui);
    }
    ui_pager(ui, p, (int)l->n, PER_PAGE);
    chrome_end(ui, m);
}

static void
build_invoices(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("Invoices"), true);
    const struct model_records *l = &m->invoices;
    if (l->n == 0)
        ui_paragraph(ui, _("You have no invoices."), UI_TEXT_BODY);
    int *p = visit;
    for (size_t i = page_first(*p); i < page_end(*p, l->n); i++) {
        char amount[64], due[64], detail[256];
        fmt_money(model_num(l, i, REC_INVOICE_AMOUNT_ORE), amount, sizeof(amount));
        fmt_date_short(model_text(l, i, REC_INVOICE_DUE_DATE), due, sizeof(due));
        const char *state = invoice_state_label(invoice_state(m, i));
        const char *desc = model_text(l, i, REC_INVOICE_DESCRIPTION);
        snprintf(detail, sizeof(detail), _("%s · due %s · %s"), amount, due, state);
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        ui_set_personal(ui, true); /* an invoice's amount */
        if (ui_list_item(ui, desc != NULL ? desc : model_text(l, i, REC_INVOICE_NUMBER), detail,
                         state)) {
            m->selected = i;
            m->act->go(m->app, SCREEN_INVOICE);
        }
        ui_set_personal(ui, false);
        ui_pop_key(ui);
    }
    ui_pager(ui, p, (int)l->n, PER_PAGE);
    chrome_end(ui, m);
}

static void
build_payouts(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("Payouts"), true);
    const struct model_records *l = &m->payouts;
    if (l->n == 0)
        ui_paragraph(ui, _("You have no decisions on financial assistance."), UI_TEXT_BODY);
    int *p = visit;
    for (size_t i = page_first(*p); i < page_end(*p, l->n); i++) {
        char amount[64], when[64], decided[64], detail[320];
        fmt_money(model_num(l, i, REC_PAYOUT_AMOUNT_ORE), amount, sizeof(amount));
        fmt_date_short(model_text(l, i, REC_PAYOUT_PAYOUT_DATE), when, sizeof(when));
        fmt_date_short(model_text(l, i, REC_PAYOUT_DECIDED_ON), decided, sizeof(decided));
        const char *h = model_text(l, i, REC_PAYOUT_HANDLAGGARE),
                   *period = model_text(l, i, REC_PAYOUT_PERIOD);
        snprintf(detail, sizeof(detail), _("Paid out %s. Decided %s by %s."), when, decided,
                 h != NULL ? h : "");
        const char *dec = model_text(l, i, REC_PAYOUT_DECISION);
        char title[160];
        snprintf(title, sizeof(title), "%s%s%s", dec != NULL ? dec : "", period ? " · " : "",
                 period ? period : "");
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        ui_list_item(ui, title, detail, amount);
        ui_pop_key(ui);
    }
    ui_pager(ui, p, (int)l->n, PER_PAGE);
    chrome_end(ui, m);
}

const struct screen_impl screen_cases = { .name = "cases",
                                          .state_size = sizeof(int),
                                          .build = build_cases };
const struct screen_impl screen_queues = { .name = "queues",
                                           .state_size = sizeof(int),
                                           .build = build_queues };
const struct screen_impl screen_invoices = { .name = "invoices",
                                             .state_size = sizeof(int),
                                             .build = build_invoices };
const struct screen_impl screen_payouts = { .name = "payouts",
                                            .state_size = sizeof(int),
                                            .build = build_payouts };
