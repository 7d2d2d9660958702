/* The list screens: cases, queue places, invoices, payouts. Each pages through its rows with
 * large previous/next buttons, in the order the app sorted them (app/session.c: what is late or
 * new first). A row that opens a detail (a case, an invoice) is a button; one that has none (a
 * queue place, a payout) is text. Each status is an icon and a word in the theme's colour. An
 * empty list says what would be here and offers the next step; a list the store could not read
 * says so and what to do, never "you have none". */
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

/* The list could not be read: what happened and what to do; true when so (nothing else to show). */
bool
list_failed(struct ui *ui, struct model *m, const struct model_records *l)
{
    if (!l->failed)
        return false;
    ui_state_panel(ui, UI_ICON_ERROR, UI_TONE_OVERDUE, _("This information could not be read."),
                   _("It is not lost, but the kiosk cannot show it now. Ask the staff at the "
                     "desk, or choose Call me back."));
    if (ui_button(ui, _("Call me back"), UI_BUTTON_PRIMARY))
        m->act->go(m->app, SCREEN_CALLBACK);
    return true;
}

/* An empty list: what it would show, and the next step as a button to screen next. */
static void
list_empty(struct ui *ui, struct model *m, const char *headline, const char *text, const char *step,
           enum screen_id next)
{
    ui_state_panel(ui, UI_ICON_INFO, UI_TONE_PLAIN, headline, text);
    if (ui_button(ui, step, UI_BUTTON_PRIMARY))
        m->act->go(m->app, next);
}

/* A case's status as an icon and a tone: something asked of the person is a warning, a decision
 * is done, anything else waits. */
void
case_status_look(const char *code, enum ui_icon *icon, enum ui_tone *tone)
{
    bool more = code != NULL && strcmp(code, "komplettering") == 0;
    bool done = code != NULL && (strcmp(code, "beslutat") == 0 || strcmp(code, "avslutat") == 0);
    *icon = more ? UI_ICON_WARNING : done ? UI_ICON_DONE : UI_ICON_WAITING;
    *tone = more                                            ? UI_TONE_OVERDUE
            : code != NULL && strcmp(code, "beslutat") == 0 ? UI_TONE_OK
                                                            : UI_TONE_PLAIN;
}

void
invoice_status_look(enum invoice_state st, enum ui_icon *icon, enum ui_tone *tone)
{
    *icon = st == INVOICE_PAID      ? UI_ICON_DONE
            : st == INVOICE_OVERDUE ? UI_ICON_WARNING
                                    : UI_ICON_WAITING;
    *tone = st == INVOICE_PAID      ? UI_TONE_OK
            : st == INVOICE_OVERDUE ? UI_TONE_OVERDUE
                                    : UI_TONE_PLAIN;
}

static void
build_cases(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("My cases"), true);
    const struct model_records *l = &m->cases;
    if (list_failed(ui, m, l)) {
        chrome_end(ui, m);
        return;
    }
    if (l->n == 0)
        list_empty(ui, m, _("You have no cases."),
                   _("When you apply for something or contact the city, your case is shown here "
                     "with what has happened."),
                   _("Apply or give feedback"), SCREEN_APPLY);
    int *p = visit;
    for (size_t i = page_first(*p); i < page_end(*p, l->n); i++) {
        const char *title = model_text(l, i, REC_CASE_TITLE);
        const char *st = model_text(l, i, REC_CASE_STATUS);
        char detail[256];
        snprintf(detail, sizeof(detail), "%s · %s", model_text(l, i, REC_CASE_CASE_NUMBER),
                 fmt_tax(TAX_MAIN, model_text(l, i, REC_CASE_MAIN)));
        struct ui_row row = {
            .title = title != NULL ? title : fmt_tax(TAX_MAIN, model_text(l, i, REC_CASE_MAIN)),
            .detail = detail,
            .status = fmt_tax(TAX_STATUS, st),
            .opens = true,
        };
        case_status_look(st, &row.icon, &row.tone);
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        ui_set_personal(ui, true); /* the row is the citizen's */
        if (ui_row(ui, &row))
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
    if (list_failed(ui, m, l)) {
        chrome_end(ui, m);
        return;
    }
    if (l->n == 0)
        list_empty(ui, m, _("You are in no queues."),
                   _("When you apply for a place, for example in preschool, your place in the "
                     "queue is shown here."),
                   _("Apply or give feedback"), SCREEN_APPLY);
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
        ui_set_personal(ui, true); /* the row is the citizen's */
        /* a queue place has no detail screen: a row of text, not a button */
        ui_row(ui, &(struct ui_row){ .title = q != NULL ? fmt_tax(TAX_MAIN, q) : "",
                                     .detail = detail,
                                     .figure = pos });
        ui_set_personal(ui, false);
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
    if (list_failed(ui, m, l)) {
        chrome_end(ui, m);
        return;
    }
    if (l->n == 0)
        list_empty(ui, m, _("You have no invoices."),
                   _("Invoices from the city are shown here, with how to pay them. If you are "
                     "waiting for one, we can call you."),
                   _("Call me back"), SCREEN_CALLBACK);
    int *p = visit;
    for (size_t i = page_first(*p); i < page_end(*p, l->n); i++) {
        char amount[64], due[64], detail[256];
        fmt_money(model_num(l, i, REC_INVOICE_AMOUNT_ORE), amount, sizeof(amount));
        fmt_date_short(model_text(l, i, REC_INVOICE_DUE_DATE), due, sizeof(due));
        enum invoice_state st = invoice_state(m, i);
        const char *desc = model_text(l, i, REC_INVOICE_DESCRIPTION);
        snprintf(detail, sizeof(detail), _("Due date: %s"), due);
        struct ui_row row = {
            .title = desc != NULL ? desc : model_text(l, i, REC_INVOICE_NUMBER),
            .detail = detail,
            .figure = amount,
            .status = invoice_state_label(st),
            .opens = true,
        };
        invoice_status_look(st, &row.icon, &row.tone);
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        ui_set_personal(ui, true); /* the row is the citizen's */
        if (ui_row(ui, &row)) {
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
    if (list_failed(ui, m, l)) {
        chrome_end(ui, m);
        return;
    }
    if (l->n == 0)
        list_empty(ui, m, _("You have no decisions on financial assistance."),
                   _("When you have applied for financial assistance, the decisions and the "
                     "days money is paid out are shown here."),
                   _("Apply or give feedback"), SCREEN_APPLY);
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
        ui_set_personal(ui, true); /* the row is the citizen's */
        /* a payout has no detail screen: a row of text, not a button */
        ui_row(ui, &(struct ui_row){ .title = title, .detail = detail, .figure = amount });
        ui_set_personal(ui, false);
        ui_pop_key(ui);
    }
    ui_pager(ui, p, (int)l->n, PER_PAGE);
    chrome_end(ui, m);
}

const struct screen_impl screen_cases = {
    .name = "cases",
    .help = N_("Here are your cases, five at a time. Choose a case to read its status and "
               "what has happened; Next and Previous show more. If you have questions, "
               "choose Call me back or ask the staff at the desk."),
    .state_size = sizeof(int),
    .build = build_cases
};
const struct screen_impl screen_queues = {
    .name = "queues",
    .help = N_("Here are your queue places, with your position and when an offer is "
               "expected. If you have questions, choose Call me back or ask the staff at the "
               "desk."),
    .state_size = sizeof(int),
    .build = build_queues
};
const struct screen_impl screen_invoices = {
    .name = "invoices",
    .help = N_("Here are your invoices with amount, due date and status. Choose an invoice "
               "to see its OCR number and how to pay. If you have questions, choose Call me "
               "back or ask the staff at the desk."),
    .state_size = sizeof(int),
    .build = build_invoices
};
const struct screen_impl screen_payouts = {
    .name = "payouts",
    .help = N_("Here are the decisions on financial assistance and when money is paid out. "
               "If you have questions, choose Call me back or ask the staff at the desk."),
    .state_size = sizeof(int),
    .build = build_payouts
};
