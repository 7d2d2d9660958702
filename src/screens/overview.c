/* Översikt: first what needs doing ("Att göra": overdue invoices, a case where more information
 * is requested, a decision to read, a visit within a week), then a tile for each area that has
 * something in it, the empty areas together on one line, and the ways to apply or be called. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"

#define DAY_S          (24 * 60 * 60)
#define DECISION_NEW_S (30 * DAY_S) /* a decision is news for a month */
#define TODO_CASES     4            /* at most this many cases in Att göra */

/* The areas below Att göra, in the order of their tiles. */
enum area { AREA_CASES, AREA_INVOICES, AREA_QUEUES, AREA_FARDTJANST, AREA_PAYOUTS, AREA_COUNT };

static const char *const area_titles[AREA_COUNT] = { N_("My cases"), N_("Invoices"),
                                                     N_("Queue places"), N_("Mobility service"),
                                                     N_("Payouts") };
static const enum screen_id area_screens[AREA_COUNT] = { SCREEN_CASES, SCREEN_INVOICES,
                                                         SCREEN_QUEUES, SCREEN_FARDTJANST,
                                                         SCREEN_PAYOUTS };

static bool
area_failed(const struct model *m, enum area a)
{
    switch (a) {
    case AREA_CASES:
        return m->cases.failed;
    case AREA_INVOICES:
        return m->invoices.failed;
    case AREA_QUEUES:
        return m->queues.failed;
    case AREA_FARDTJANST:
        return m->permits.failed || m->appointments.failed;
    default:
        return m->payouts.failed;
    }
}

static bool
area_empty(const struct model *m, enum area a)
{
    switch (a) {
    case AREA_CASES:
        return m->cases.n == 0;
    case AREA_INVOICES:
        return m->invoices.n == 0;
    case AREA_QUEUES:
        return m->queues.n == 0;
    case AREA_FARDTJANST:
        return m->permits.n == 0 && m->appointments.n == 0;
    default:
        return m->payouts.n == 0;
    }
}

/* Att göra: one row per thing to do, each opening where it is done; true when there was one. */
static bool
to_do(struct ui *ui, struct model *m)
{
    const struct model_overview *o = &m->ov;
    bool any = false;
    char title[192], detail[192];
    if (o->overdue_invoices > 0 && !m->invoices.failed) {
        snprintf(title, sizeof(title),
                 i18n_ngettext("%d invoice is overdue", "%d invoices are overdue",
                               (unsigned long)o->overdue_invoices),
                 o->overdue_invoices);
        if (ui_row(ui, &(struct ui_row){ .title = title,
                                         .status = _("Overdue"),
                                         .icon = UI_ICON_WARNING,
                                         .tone = UI_TONE_OVERDUE,
                                         .opens = true }))
            m->act->go(m->app, SCREEN_INVOICES);
        any = true;
    }
    const struct model_records *l = &m->cases;
    int shown = 0;
    for (size_t i = 0; i < l->n && shown < TODO_CASES; i++) {
        const char *st = model_text(l, i, REC_CASE_STATUS);
        bool more = st != NULL && strcmp(st, "komplettering") == 0;
        bool decided = st != NULL && strcmp(st, "beslutat") == 0 &&
                       m->now - model_num(l, i, REC_CASE_UPDATED_AT) < DECISION_NEW_S;
        if (!more && !decided)
            continue;
        const char *t = model_text(l, i, REC_CASE_TITLE);
        ui_push_key(ui, (uint32_t)l->rows[i].id);
        if (ui_row(ui,
                   &(struct ui_row){
                       .title = t != NULL ? t : fmt_tax(TAX_MAIN, model_text(l, i, REC_CASE_MAIN)),
                       .detail = model_text(l, i, REC_CASE_CASE_NUMBER),
                       .status = fmt_tax(TAX_STATUS, st),
                       .icon = more ? UI_ICON_WARNING : UI_ICON_DONE,
                       .tone = more ? UI_TONE_OVERDUE : UI_TONE_OK,
                       .opens = true }))
            m->act->open_case(m->app, i);
        ui_pop_key(ui);
        shown++;
        any = true;
    }
    if (o->next_appointment_at > 0 && o->next_appointment_at - m->now < 7 * DAY_S) {
        fmt_time(o->next_appointment_at, title, sizeof(title));
        snprintf(detail, sizeof(detail), "%s",
                 o->next_appointment_place != NULL ? o->next_appointment_place : "");
        if (ui_row(ui, &(struct ui_row){ .title = title,
                                         .detail = detail,
                                         .status = _("Next visit"),
                                         .icon = UI_ICON_CALENDAR,
                                         .tone = UI_TONE_PLAIN,
                                         .opens = true }))
            m->act->go(m->app, SCREEN_FARDTJANST);
        any = true;
    }
    return any;
}

/* The tile of an area that has something in it. */
static void
tile(struct ui *ui, struct model *m, enum area a)
{
    const struct model_overview *o = &m->ov;
    char v[64], d[192], x[96];
    switch (a) {
    case AREA_CASES:
        snprintf(v, sizeof(v), "%d", o->open_cases);
        snprintf(d, sizeof(d),
                 i18n_ngettext("%d case is open, of %d in all.", "%d cases are open, of %d in all.",
                               (unsigned long)o->open_cases),
                 o->open_cases, o->cases_total);
        break;
    case AREA_INVOICES:
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
                     i18n_ngettext("%d invoice to pay, due %s.",
                                   "%d invoices to pay, the next due %s.",
                                   (unsigned long)o->unpaid_invoices),
                     o->unpaid_invoices, x);
        } else {
            snprintf(d, sizeof(d), "%s", _("nothing to pay"));
        }
        break;
    case AREA_QUEUES:
        snprintf(v, sizeof(v), "%d", o->queue_entries);
        snprintf(d, sizeof(d), _("best position: %d"), o->best_queue_position);
        break;
    case AREA_FARDTJANST: {
        int coming = 0;
        for (size_t i = 0; i < m->appointments.n; i++)
            coming += model_num(&m->appointments, i, REC_APPOINTMENT_STARTS_AT) >= m->now;
        snprintf(v, sizeof(v), "%d", coming);
        if (o->next_appointment_at > 0) {
            fmt_time(o->next_appointment_at, x, sizeof(x));
            snprintf(d, sizeof(d), "%s: %s, %s", _("Next visit"), x,
                     o->next_appointment_place != NULL ? o->next_appointment_place : "");
        } else {
            snprintf(d, sizeof(d), "%s", _("no booked visits"));
        }
        break;
    }
    default:
        if (o->next_payout_date != NULL) {
            fmt_money(o->next_payout_ore, v, sizeof(v));
            fmt_date_short(o->next_payout_date, x, sizeof(x));
            snprintf(d, sizeof(d), _("next payout %s"), x);
        } else {
            snprintf(v, sizeof(v), "%zu", m->payouts.n);
            snprintf(d, sizeof(d), "%s", _("no payouts planned"));
        }
        break;
    }
    if (ui_tile(ui, _(area_titles[a]), v, d))
        m->act->go(m->app, area_screens[a]);
}

static void
build(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("My pages"), false);
    /* Everything about the citizen is personal (the loudspeaker says only the tiles' titles);
     * the callback and forms tiles are the same for everyone. */
    ui_set_personal(ui, true);
    int w, h;
    ui_display(ui, &w, &h);
    bool landscape = w > h;
    char hello[200];
    snprintf(hello, sizeof(hello), _("Hello %s"), m->given_name != NULL ? m->given_name : "");
    char pnr[64];
    snprintf(pnr, sizeof(pnr), _("Personal identity number: %s"),
             m->pnr_revealed ? m->pnr_shown : m->pnr_masked);
    /* The greeting, the number and its button: in landscape on one row (the height is short),
     * in portrait the greeting above. The number is text; showing its last digits is a button
     * beside it that says so. */
    int per_row = landscape ? 3 : 2;
    int colw = (ui_area_rect(ui).w - ui_mm(ui, 3) * (per_row - 1)) / per_row;
    if (!landscape)
        ui_heading(ui, hello, 1);
    ui_columns(ui, per_row);
    if (landscape) {
        struct ui_rect hr = ui_take(ui, ui_text_height(ui, colw, hello, UI_TEXT_H1));
        ui_text(ui, hr, hello, UI_TEXT_H1, ui_theme(ui)->fg, UI_ALIGN_START);
        ui_node(ui, UI_ROLE_HEADING, hello, NULL, 0, hr, false);
    }
    struct ui_rect pr = ui_take(ui, ui_text_height(ui, colw, pnr, UI_TEXT_BODY));
    ui_text(ui, pr, pnr, UI_TEXT_BODY, ui_theme(ui)->fg, UI_ALIGN_START);
    ui_node(ui, UI_ROLE_TEXT, pnr, NULL, 0, pr, false);
    ui_set_personal(ui, false);
    if (ui_button(ui, m->pnr_revealed ? _("Hide the last digits") : _("Show the last digits"),
                  UI_BUTTON_NORMAL))
        m->pnr_revealed = !m->pnr_revealed;
    ui_columns(ui, 1);

    bool failed = false;
    for (int a = 0; a < AREA_COUNT; a++)
        failed |= area_failed(m, (enum area)a);
    if (failed) {
        ui_state_panel(ui, UI_ICON_ERROR, UI_TONE_OVERDUE,
                       _("Some of your information could not be read."),
                       _("It is not lost, but the kiosk cannot show it now. Ask the staff at the "
                         "desk, or choose Call me back."));
    }

    ui_heading(ui, _("To do"), 2);
    ui_set_personal(ui, true);
    bool any = to_do(ui, m);
    ui_set_personal(ui, false);
    if (!any)
        ui_status(ui, UI_ICON_DONE, UI_TONE_OK, _("Nothing needs doing now."), UI_TEXT_BODY);

    int cols = landscape ? 3 : 2, n_full = 0, n_empty = 0;
    enum area empty[AREA_COUNT];
    for (int a = 0; a < AREA_COUNT; a++) {
        if (!area_failed(m, (enum area)a) && area_empty(m, (enum area)a))
            empty[n_empty++] = (enum area)a;
        else
            n_full++;
    }
    if (n_full > 0) {
        ui_gap(ui, 3);
        ui_columns(ui, n_full < cols ? n_full : cols);
        ui_set_personal(ui, true);
        for (int a = 0; a < AREA_COUNT; a++) {
            if (area_failed(m, (enum area)a)) {
                /* never a zero that is not true: the tile says it could not be read and opens
                 * the list's error state, with what to do */
                if (ui_tile(ui, _(area_titles[a]), NULL, _("This information could not be read.")))
                    m->act->go(m->app, area_screens[a]);
            } else if (!area_empty(m, (enum area)a)) {
                tile(ui, m, (enum area)a);
            }
        }
        ui_set_personal(ui, false);
        ui_columns(ui, 1);
    }
    if (n_empty > 0) {
        /* the empty areas on one line: each still opens, to its empty state and next step */
        ui_paragraph(ui, _("Nothing here yet:"), UI_TEXT_SMALL);
        ui_columns(ui, n_empty < cols ? n_empty : cols);
        for (int i = 0; i < n_empty; i++) {
            if (ui_button(ui, _(area_titles[empty[i]]), UI_BUTTON_NORMAL))
                m->act->go(m->app, area_screens[empty[i]]);
        }
        ui_columns(ui, 1);
    }
    ui_gap(ui, 3);
    ui_columns(ui, 2);
    if (ui_tile(ui, _("Call me back"), NULL, _("we call you within two working days")))
        m->act->go(m->app, SCREEN_CALLBACK);
    if (ui_tile(ui, _("Apply or give feedback"), NULL,
                _("preschool, mobility service, home care, income and more")))
        m->act->go(m->app, SCREEN_APPLY);
    ui_columns(ui, 1);
    chrome_end(ui, m);
}

const struct screen_impl screen_overview = {
    .name = "overview",
    .help = N_("This is your overview. Each button opens one area: your cases, invoices, "
               "queue places, mobility service, payouts, a callback and applications. Log "
               "out when you are done. The staff at the desk can help you, or choose Call me "
               "back."),
    .build = build
};
