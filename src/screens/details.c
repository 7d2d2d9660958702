/* The detail screens: one case with its timeline, one invoice with its OCR number and payment
 * QR code, färdtjänst, and general information. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "i18n.h"
#include "screens.h"
#include "taxonomy.h"

static const char *
or_dash(const char *s)
{
    return s != NULL && s[0] ? s : "–";
}

static void
build_case(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("Case"), true);
    const struct model_records *l = &m->cases;
    size_t i = m->selected;
    if (i >= l->n) {
        chrome_end(ui, m);
        return;
    }
    /* In landscape the timeline stands beside the case's facts (at the end side), so that a case
     * with its history fits the screen's height. */
    int dw, dh;
    ui_display(ui, &dw, &dh);
    struct ui_rect all = ui_area_rect(ui);
    int gap = ui_mm(ui, 6), half = (all.w - gap) / 2;
    bool beside = dw > dh && m->events.n > 0;
    struct ui_rect start = ui_mirror(ui, (struct ui_rect){ all.x, all.y, half, all.h });
    struct ui_rect end =
        ui_mirror(ui, (struct ui_rect){ all.x + half + gap, all.y, all.w - half - gap, all.h });
    if (beside)
        ui_area(ui, start);
    ui_set_personal(ui, true); /* the case is the citizen's: its title, facts and history */
    const char *title = model_text(l, i, REC_CASE_TITLE);
    ui_heading(ui, title != NULL ? title : fmt_tax(TAX_MAIN, model_text(l, i, REC_CASE_MAIN)), 2);
    char received[64];
    fmt_date_short(model_text(l, i, REC_CASE_RECEIVED_ON), received, sizeof(received));
    ui_pair(ui, _("Case number"), or_dash(model_text(l, i, REC_CASE_CASE_NUMBER)));
    ui_pair(ui, _("Category"), fmt_tax(TAX_TYPE, model_text(l, i, REC_CASE_TYPE)));
    {
        /* the status stands out: icon, word and colour */
        const char *st = model_text(l, i, REC_CASE_STATUS);
        enum ui_icon icon;
        enum ui_tone tone;
        case_status_look(st, &icon, &tone);
        ui_status_pair(ui, _("Status"), icon, tone, fmt_tax(TAX_STATUS, st));
    }
    ui_pair(ui, _("Case officer"), or_dash(model_text(l, i, REC_CASE_HANDLAGGARE)));
    ui_pair(ui, _("Received"), received);
    ui_pair(ui, _("Next step"), or_dash(model_text(l, i, REC_CASE_NEXT_STEP)));
    ui_pair(ui, _("Decision"), or_dash(model_text(l, i, REC_CASE_DECISION)));
    if (m->documents.n > 0) {
        ui_set_personal(ui, false);
        ui_heading(ui, _("Documents we have received"), 2);
        ui_set_personal(ui, true);
        for (size_t d = 0; d < m->documents.n; d++) {
            char when[64], line[256];
            fmt_date_short(model_text(&m->documents, d, REC_CASE_DOCUMENT_RECEIVED_ON), when,
                           sizeof(when));
            snprintf(line, sizeof(line), "%s (%s)",
                     or_dash(model_text(&m->documents, d, REC_CASE_DOCUMENT_NAME)), when);
            ui_paragraph(ui, line, UI_TEXT_BODY);
        }
    }
    if (beside)
        ui_area(ui, end);
    if (m->events.failed || m->documents.failed) { /* never an empty history that is not true */
        ui_set_personal(ui, false);
        ui_heading(ui, _("What has happened"), 2);
        (void)list_failed(ui, m, m->events.failed ? &m->events : &m->documents);
    } else if (m->events.n > 0) {
        ui_set_personal(ui, false);
        ui_heading(ui, _("What has happened"), 2);
        ui_set_personal(ui, true);
        for (size_t e = 0; e < m->events.n; e++) {
            char when[96];
            fmt_time(model_num(&m->events, e, REC_CASE_EVENT_AT), when, sizeof(when));
            ui_timeline_entry(ui, when,
                              fmt_tax(TAX_STATUS, model_text(&m->events, e, REC_CASE_EVENT_STATUS)),
                              model_text(&m->events, e, REC_CASE_EVENT_NOTE), e + 1 == m->events.n);
        }
    }
    ui_set_personal(ui, false);
    chrome_end(ui, m);
}

/* "1234 5678 9012 3" for reading aloud and copying into a bank app. */
static void
group_digits(const char *s, char *out, size_t size)
{
    size_t o = 0, n = strlen(s);
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = ' ';
        out[o++] = s[i];
    }
    out[o] = '\0';
}

static void
build_invoice(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("Invoice"), true);
    const struct model_records *l = &m->invoices;
    size_t i = m->selected;
    if (i >= l->n) {
        chrome_end(ui, m);
        return;
    }
    char amount[64], due[96], ocr[64];
    fmt_money(model_num(l, i, REC_INVOICE_AMOUNT_ORE), amount, sizeof(amount));
    fmt_date(model_text(l, i, REC_INVOICE_DUE_DATE), due, sizeof(due));
    group_digits(or_dash(model_text(l, i, REC_INVOICE_OCR)), ocr, sizeof(ocr));
    ui_set_personal(ui, true); /* what, how much, when: the citizen's */
    ui_heading(ui, or_dash(model_text(l, i, REC_INVOICE_DESCRIPTION)), 2);
    ui_pair(ui, _("Amount"), amount);
    ui_pair(ui, _("Due date"), due);
    ui_pair(ui, _("Bankgiro"), or_dash(model_text(l, i, REC_INVOICE_BANKGIRO)));
    ui_pair(ui, _("Invoice number"), or_dash(model_text(l, i, REC_INVOICE_NUMBER)));
    bool paid = model_num(l, i, REC_INVOICE_PAID) != 0;
    enum invoice_state state = invoice_state(m, i);
    enum ui_icon icon;
    enum ui_tone tone;
    invoice_status_look(state, &icon, &tone);
    ui_status_pair(ui, _("Status"), icon, tone, invoice_state_label(state));
    ui_set_personal(ui, false);
    if (state == INVOICE_OVERDUE)
        ui_banner(ui, _("The due date has passed. Pay as soon as you can, or ask us to call you."),
                  true);
    if (paid) {
        char on[64];
        fmt_date_short(model_text(l, i, REC_INVOICE_PAID_ON), on, sizeof(on));
        ui_set_personal(ui, true);
        ui_pair(ui, _("Paid"), on);
        ui_set_personal(ui, false);
    }
    ui_paragraph(ui, _("OCR number"), UI_TEXT_BOLD);
    int h = ui_line_height(ui, UI_TEXT_HUGE);
    struct ui_rect r = ui_take(ui, h);
    ui_text(ui, r, ocr, UI_TEXT_HUGE, ui_theme(ui)->fg, UI_ALIGN_START);
    ui_set_personal(ui, true);
    ui_node(ui, UI_ROLE_TEXT, _("OCR number"), ocr, 0, r, false);
    ui_set_personal(ui, false);
    if (!paid && m->payqr != NULL) {
        ui_paragraph(ui, _("Scan the code with your bank app to pay."), UI_TEXT_BODY);
        ui_qr(ui, m->payqr, m->payqr_size, 55, _("Payment QR code"));
    }
    chrome_end(ui, m);
}

static void
build_fardtjanst(struct ui *ui, struct model *m, void *visit)
{
    chrome_begin(ui, m, _("Mobility service"), true);
    const struct model_records *p = &m->permits, *a = &m->appointments;
    if (list_failed(ui, m, p->failed ? p : a)) {
        chrome_end(ui, m);
        return;
    }
    if (p->n == 0) {
        ui_state_panel(ui, UI_ICON_INFO, UI_TONE_PLAIN, _("You have no mobility service permit."),
                       _("With a permit you can travel by taxi or special transport at the price "
                         "of public transport. You apply with a form here."));
        if (ui_button(ui, _("Apply or give feedback"), UI_BUTTON_PRIMARY))
            m->act->go(m->app, SCREEN_APPLY);
    }
    for (size_t i = 0; i < p->n; i++) {
        char from[64], to[64], valid[160];
        fmt_date_short(model_text(p, i, REC_PERMIT_VALID_FROM), from, sizeof(from));
        fmt_date_short(model_text(p, i, REC_PERMIT_VALID_TO), to, sizeof(to));
        snprintf(valid, sizeof(valid), _("%s to %s"), from, to);
        ui_heading(ui, _("Permit"), 2);
        ui_set_personal(ui, true);
        ui_pair(ui, _("Valid"), valid);
        ui_pair(ui, _("Conditions"), or_dash(model_text(p, i, REC_PERMIT_CONDITIONS)));
        ui_set_personal(ui, false);
    }
    ui_heading(ui, _("Booked visits"), 2);
    if (a->n == 0)
        ui_paragraph(ui, _("You have no booked visits."), UI_TEXT_BODY);
    for (size_t i = 0; i < a->n && i < 4; i++) {
        char when[96], detail[320];
        fmt_time(model_num(a, i, REC_APPOINTMENT_STARTS_AT), when, sizeof(when));
        snprintf(detail, sizeof(detail), _("%s. Case officer: %s."),
                 or_dash(model_text(a, i, REC_APPOINTMENT_PLACE)),
                 or_dash(model_text(a, i, REC_APPOINTMENT_HANDLAGGARE)));
        ui_push_key(ui, (uint32_t)a->rows[i].id);
        ui_set_personal(ui, true); /* when and where the citizen is going */
        /* a visit has no detail screen: a row of text, not a button */
        ui_row(ui, &(struct ui_row){ .title = when, .detail = detail });
        ui_set_personal(ui, false);
        ui_pop_key(ui);
    }
    if (ui_button(ui, _("Ask for another time"), UI_BUTTON_PRIMARY))
        m->act->go(m->app, SCREEN_CALLBACK);
    chrome_end(ui, m);
}

static void
build_info(struct ui *ui, struct model *m, void *visit)
{
    int *info_page = visit; /* the page shown */
    chrome_begin(ui, m, _("General information"), true);
    /* Each article (one per area) carries its language: the citizen's language where the
     * city has written it, Swedish otherwise, and then the screen says so. */
    const struct model_records *l = &m->articles;
    const char *lang = i18n_current()->code;
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *al = model_text(l, i, REC_ARTICLE_LANG),
                   *area = model_text(l, i, REC_ARTICLE_AREA);
        if (al == NULL)
            continue;
        bool mine = strcmp(al, lang) == 0;
        if (!mine && strcmp(al, "sv") != 0)
            continue;
        /* the Swedish one only when its area has none in the citizen's language */
        bool other = false;
        for (size_t j = 0; !mine && j < l->n && !other; j++) {
            const char *aj = model_text(l, j, REC_ARTICLE_LANG),
                       *area_j = model_text(l, j, REC_ARTICLE_AREA);
            other = aj != NULL && strcmp(aj, lang) == 0 && area != NULL && area_j != NULL &&
                    strcmp(area, area_j) == 0;
        }
        if (other)
            continue;
        total++;
        if (total <= (size_t)*info_page * 3 || shown == 3)
            continue;
        ui_heading(ui, or_dash(model_text(l, i, REC_ARTICLE_TITLE)), 2);
        if (!mine)
            ui_paragraph(ui,
                         _("This text is not available in your language. It is shown in Swedish."),
                         UI_TEXT_SMALL);
        ui_paragraph(ui, or_dash(model_text(l, i, REC_ARTICLE_BODY)), UI_TEXT_BODY);
        shown++;
    }
    if (total == 0)
        ui_paragraph(ui, _("No information has been fetched yet."), UI_TEXT_BODY);
    ui_pager(ui, info_page, (int)total, 3);
    chrome_end(ui, m);
}

const struct screen_impl screen_case = {
    .name = "case",
    .help = N_("Here is one case: its number, status, case officer and what has happened. "
               "Back returns to the list. To talk to someone about it, choose Call me back "
               "or ask the staff at the desk."),
    .build = build_case
};
const struct screen_impl screen_invoice = {
    .name = "invoice",
    .help = N_("Here is one invoice: amount, due date, bankgiro and the OCR number to pay "
               "with. You can scan the code with your bank app. If you have questions, "
               "choose Call me back or ask the staff at the desk."),
    .build = build_invoice
};
const struct screen_impl screen_fardtjanst = {
    .name = "fardtjanst",
    .help = N_("Here are your mobility service permit and your booked visits. To get another "
               "time, choose Ask for another time and we will call you. The staff at the "
               "desk can also help you."),
    .build = build_fardtjanst
};
const struct screen_impl screen_info = {
    .name = "info",
    .help = N_("Here is general information from the city. Next and Previous show more. The "
               "staff at the desk can answer your questions."),
    .state_size = sizeof(int),
    .build = build_info
};
