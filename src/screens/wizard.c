/* Ansök / Lämna synpunkt: the list of forms, and one form as a wizard. One question per step,
 * checked before the next; then a review of everything; then the receipt, which says whether
 * the submission has reached the case store. Answers live here until the screen is left and are
 * wiped then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "forms.h"
#include "i18n.h"
#include "macros.h"
#include "money.h"
#include "pnr.h"
#include "screens.h"
#include "units.h"
#include "utf8.h"

#define MAX_UNITS      64
#define UNITS_PER_PAGE 6

struct answer {
    struct ui_field field; /* Q_DATE, Q_TEXT, Q_PNR, Q_MONEY, Q_NUMBER */
    int choice;            /* Q_CHOICE: index, or -1 */
    unsigned multi;        /* Q_MULTI: bit per option */
    const struct unit *units[MODEL_MAX_LIST];
    size_t n_units;
    char value[64]; /* the checked value as the payload carries it: "2027-01-10", "3850000" */
    int view_year, view_month; /* Q_DATE: the month the calendar shows (0: the chosen's, today's) */
};

/* One visit of the wizard: the router allocates it (guarded, zeroed) on enter and wipes it on
 * leave, so the answers live exactly as long as the screen. */
struct wizard {
    struct answer answers[FORM_MAX_QUESTIONS];
    size_t step; /* 0..n-1: the questions; n: the review */
    int unit_page;
    const char *problem; /* why the current step cannot go on (msgid), or NULL */
    bool confirmed;      /* staff mode: the citizen confirmed on screen */
    bool from_review;    /* changing one answer from the review: Next goes back to it */
};

static const struct form *
current(const struct model *m)
{
    return &forms[m->form < n_forms ? m->form : 0];
}

static const char *check(const struct model *m, const struct question *q, struct answer *a);

/* A correction: the answers of the rejected submission, put back into the form's controls. */
static void
prefill(const struct model *m, const struct question *q, struct answer *a)
{
    const struct model_answer *p = NULL;
    for (size_t i = 0; m->prefill != NULL && i < m->prefill->n; i++) {
        if (strcmp(m->prefill->answers[i].key, q->key) == 0)
            p = &m->prefill->answers[i];
    }
    if (p == NULL)
        return;
    const char *v = p->value != NULL ? p->value : "";
    switch (q->kind) {
    case Q_CHOICE:
        for (size_t o = 0; o < q->n_options; o++) {
            if (strcmp(q->options[o].code, v) == 0)
                a->choice = (int)o;
        }
        break;
    case Q_MULTI:
        for (size_t j = 0; j < p->n_list; j++) {
            for (size_t o = 0; o < q->n_options; o++) {
                if (strcmp(q->options[o].code, p->list[j]) == 0)
                    a->multi |= 1u << o;
            }
        }
        break;
    case Q_UNITS: {
        const struct unit *all[MAX_UNITS];
        size_t n = units_in_districts(m->districts ? m->districts : "", all, MAX_UNITS);
        for (size_t j = 0; j < p->n_list && a->n_units < MODEL_MAX_LIST; j++) {
            for (size_t u = 0; u < n; u++) {
                if (strcmp(all[u]->name, p->list[j]) == 0)
                    a->units[a->n_units++] = all[u];
            }
        }
        break;
    }
    case Q_MONEY:
        snprintf(a->field.text, sizeof(a->field.text), "%lld", strtoll(v, NULL, 10) / 100);
        break;
    default:
        snprintf(a->field.text, sizeof(a->field.text), "%s", v);
        break;
    }
}

static void
enter(struct model *m, void *state)
{
    struct wizard *w = state;
    for (size_t i = 0; i < FORM_MAX_QUESTIONS; i++)
        w->answers[i].choice = -1;
    const struct form *f = current(m);
    for (size_t i = 0; i < f->n; i++) {
        const struct question *q = &f->q[i];
        struct ui_field *fl = &w->answers[i].field;
        fl->keyboard = q->kind == Q_TEXT ? UI_KEYBOARD_TEXT : UI_KEYBOARD_NUMERIC;
        fl->max_len = q->kind == Q_TEXT ? (size_t)q->max * 2 : 24; /* bytes; å is two */
    }
    m->has_receipt = false;
    if (m->prefill == NULL)
        return;
    /* Start at the first answer that no longer passes, or at the review. */
    for (w->step = 0; w->step < f->n; w->step++) {
        prefill(m, &f->q[w->step], &w->answers[w->step]);
        if ((w->problem = check(m, &f->q[w->step], &w->answers[w->step])) != NULL)
            break;
    }
}

static struct date
today(const struct model *m)
{
    struct local_time lt;
    tz_to_local(m->now, &lt);
    return lt.date;
}

/* Digits and separators people type, down to the digits; false if anything else is there. */
static bool
digits_only(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = in; *p != '\0'; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= size)
                return false;
            out[n++] = *p;
        } else if (*p != ' ' && *p != '-') {
            return false;
        }
    }
    out[n] = '\0';
    return n > 0;
}

/* Checks the answer to q; on success fills a->value and returns NULL, else the reason's msgid
 * (translated when drawn, so a language change shows it in the new language). */
static const char *
check(const struct model *m, const struct question *q, struct answer *a)
{
    const char *text = a->field.text;
    a->value[0] = '\0';
    switch (q->kind) {
    case Q_CHOICE:
        if (a->choice < 0)
            return N_("Choose one of the alternatives.");
        snprintf(a->value, sizeof(a->value), "%s", q->options[a->choice].code);
        return NULL;
    case Q_MULTI:
        return a->multi == 0 && !q->optional ? N_("Choose at least one.") : NULL;
    case Q_UNITS:
        if (a->n_units == 0)
            return N_("Choose at least one preschool.");
        return a->n_units > (size_t)q->max ? q->range_error : NULL;
    case Q_TEXT: {
        size_t len = strspn(text, " ");
        if (text[len] == '\0')
            return q->optional ? NULL : N_("Please write something here.");
        return utf8_length(text, strlen(text)) > (size_t)q->max ? q->range_error : NULL;
    }
    case Q_PNR: {
        struct pnr p;
        enum pnr_error e = pnr_parse(text, today(m), 0, &p);
        if (e != PNR_OK)
            return pnr_error_message(e);
        struct date t = today(m);
        int age = t.year - p.birth.year -
                  (t.month < p.birth.month || (t.month == p.birth.month && t.day < p.birth.day));
        if (age < q->min || age > q->max)
            return q->range_error;
        snprintf(a->value, sizeof(a->value), "%s", p.canonical);
        return NULL;
    }
    case Q_DATE: {
        char d[16];
        struct date when;
        if (text[0] == '\0')
            return N_("Choose a day in the calendar.");
        if (!digits_only(text, d, sizeof(d)) || strlen(d) != 8)
            return N_("Write the date as YYYY-MM-DD, for example 2027-01-10.");
        char iso[11];
        snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d, d + 4, d + 6);
        if (!date_parse_iso(iso, &when))
            return N_("There is no such date.");
        int64_t days = date_to_days(when) - date_to_days(today(m));
        if (days < q->min || days > q->max)
            return q->range_error;
        snprintf(a->value, sizeof(a->value), "%s", iso);
        return NULL;
    }
    case Q_MONEY: {
        int64_t ore = 0;
        if (money_parse(text, &ore) != MONEY_OK)
            return N_("Write an amount in kronor, for example 38 500.");
        if (ore < (int64_t)q->min * 100 || ore > (int64_t)q->max * 100)
            return q->range_error;
        snprintf(a->value, sizeof(a->value), "%lld", (long long)ore);
        return NULL;
    }
    case Q_NUMBER: {
        char d[16];
        if (!digits_only(text, d, sizeof(d)) || strlen(d) > 6)
            return N_("Write a whole number.");
        long v = strtol(d, NULL, 10);
        if (v < q->min || v > q->max)
            return q->range_error;
        snprintf(a->value, sizeof(a->value), "%ld", v);
        return NULL;
    }
    }
    return NULL;
}

/* The answer as the review and the receipt show it. */
static void
shown(const struct model *m, const struct question *q, const struct answer *a, char *out,
      size_t size)
{
    out[0] = '\0';
    switch (q->kind) {
    case Q_CHOICE:
        snprintf(out, size, "%s", a->choice >= 0 ? _(q->options[a->choice].label) : "–");
        return;
    case Q_MULTI:
        for (size_t i = 0; i < q->n_options; i++) {
            if (a->multi & (1u << i))
                snprintf(out + strlen(out), size - strlen(out), "%s%s", out[0] ? ", " : "",
                         _(q->options[i].label));
        }
        return;
    case Q_UNITS:
        for (size_t i = 0; i < a->n_units; i++)
            snprintf(out + strlen(out), size - strlen(out), "%s%zu. %s", i ? ", " : "", i + 1,
                     a->units[i]->name);
        return;
    case Q_DATE:
        fmt_date_short(a->value, out, size);
        return;
    case Q_MONEY:
        fmt_money(strtoll(a->value, NULL, 10), out, size);
        return;
    case Q_PNR: {
        struct pnr p;
        char pn[14] = "";
        if (pnr_parse(a->value, today(m), 0, &p) == PNR_OK)
            pnr_format(&p, PNR_STYLE_LONG, today(m), pn);
        snprintf(out, size, "%s", pn);
        return;
    }
    case Q_TEXT:
        snprintf(out, size, "%s", a->field.text[0] ? a->field.text : "–");
        return;
    case Q_NUMBER:
        snprintf(out, size, "%s", a->value);
        return;
    }
}

static void
ask_units(struct ui *ui, const struct model *m, struct wizard *w, const struct question *q,
          struct answer *a)
{
    if (a->n_units > 0)
        ui_paragraph(ui, _("Your choices, first choice at the top:"), UI_TEXT_BOLD);
    for (size_t i = 0; i < a->n_units; i++) {
        char row[160];
        snprintf(row, sizeof(row), "%zu. %s", i + 1, a->units[i]->name);
        ui_paragraph(ui, row, UI_TEXT_BODY);
        ui_columns(ui, 2);
        char up[200], rm[200];
        snprintf(up, sizeof(up), _("Move up: %s"), a->units[i]->name);
        snprintf(rm, sizeof(rm), _("Remove: %s"), a->units[i]->name);
        struct ui_rect r1 = ui_take(ui, ui_mm(ui, 15)), r2 = ui_take(ui, ui_mm(ui, 15));
        if (i > 0 && ui_button_in(ui, r1, up, UI_BUTTON_NORMAL, false)) {
            const struct unit *t = a->units[i - 1];
            a->units[i - 1] = a->units[i];
            a->units[i] = t;
        }
        if (ui_button_in(ui, r2, rm, UI_BUTTON_NORMAL, false)) {
            memmove(&a->units[i], &a->units[i + 1], (a->n_units - i - 1) * sizeof(a->units[0]));
            a->n_units--;
        }
        ui_columns(ui, 1);
    }
    const struct unit *all[MAX_UNITS];
    size_t n = units_in_districts(m->districts ? m->districts : "", all, MAX_UNITS);
    const struct unit *free_units[MAX_UNITS];
    size_t n_free = 0;
    for (size_t i = 0; i < n; i++) {
        bool chosen = false;
        for (size_t j = 0; j < a->n_units; j++)
            chosen = chosen || a->units[j] == all[i];
        if (!chosen)
            free_units[n_free++] = all[i];
    }
    if (a->n_units >= (size_t)q->max) {
        ui_banner(ui, _("You have chosen five preschools, the most there can be."), false);
        return;
    }
    if (n_free == 0)
        return;
    ui_paragraph(ui, _("Tap a preschool to add it:"), UI_TEXT_BOLD);
    ui_columns(ui, 2);
    size_t first = (size_t)w->unit_page * UNITS_PER_PAGE;
    if (first >= n_free)
        first = w->unit_page = 0;
    for (size_t i = first; i < n_free && i < first + UNITS_PER_PAGE; i++) {
        if (ui_button_in(ui, ui_take(ui, ui_mm(ui, 15)), free_units[i]->name, UI_BUTTON_NORMAL,
                         false)) {
            a->units[a->n_units++] = free_units[i];
            w->problem = NULL;
        }
    }
    ui_columns(ui, 1);
    ui_pager(ui, &w->unit_page, (int)n_free, UNITS_PER_PAGE);
}

/* A date is chosen, not typed: a month's calendar, a week a row from Monday, with the days the
 * question allows as buttons (each named with its full date), the others as plain numbers; the
 * months before and after a button away. The answer's text holds the chosen day, YYYY-MM-DD. */
static bool
ask_date(struct ui *ui, const struct model *m, const struct question *q, struct answer *a)
{
    bool tapped = false;
    struct date now = today(m), chosen;
    bool has = date_parse_iso(a->field.text, &chosen);
    if (a->view_year == 0) {
        struct date v = has ? chosen : date_add_days(now, q->min > 0 ? q->min : 0);
        a->view_year = v.year;
        a->view_month = v.month;
    }
    char iso[11], long_date[96];
    if (has) {
        fmt_date(a->field.text, long_date, sizeof(long_date));
        ui_set_personal(ui, true); /* an answer */
        ui_pair(ui, _("Chosen day"), long_date);
        ui_set_personal(ui, false);
    }
    int64_t first_ok = date_to_days(now) + q->min, last_ok = date_to_days(now) + q->max;
    struct date first = { a->view_year, a->view_month, 1 };
    int days = date_days_in_month(first.year, first.month);
    int64_t first_day = date_to_days(first), last_day = first_day + days - 1;
    /* the month and its neighbours */
    char month[64];
    fmt_month_year(first.year, first.month, month, sizeof(month));
    const char *prev_l = _("Previous month"), *next_l = _("Next month");
    int pad = ui_mm(ui, 3), colw = (ui_area_rect(ui).w - 2 * pad) / 3;
    int h = ui_mm(ui, 15);
    const char *nav[] = { prev_l, month, next_l };
    for (size_t i = 0; i < 3; i++) {
        int th = ui_text_height(ui, colw - 2 * pad, nav[i], UI_TEXT_BOLD) + 2 * pad;
        h = th > h ? th : h;
    }
    ui_columns(ui, 3);
    struct ui_rect pr = ui_take(ui, h), mr = ui_take(ui, h), nr = ui_take(ui, h);
    ui_columns(ui, 1);
    if (first_day > first_ok && ui_button_in(ui, pr, prev_l, UI_BUTTON_NORMAL, false)) {
        a->view_month = a->view_month == 1 ? 12 : a->view_month - 1;
        a->view_year -= a->view_month == 12;
    }
    int th = ui_text_height(ui, mr.w, month, UI_TEXT_BOLD);
    ui_text(ui, (struct ui_rect){ mr.x, mr.y + (mr.h - th) / 2, mr.w, th }, month, UI_TEXT_BOLD,
            ui_theme(ui)->fg, UI_ALIGN_CENTER);
    ui_node(ui, UI_ROLE_HEADING, month, NULL, 0, mr, false);
    if (last_day < last_ok && ui_button_in(ui, nr, next_l, UI_BUTTON_NORMAL, false)) {
        a->view_month = a->view_month == 12 ? 1 : a->view_month + 1;
        a->view_year += a->view_month == 1;
    }
    /* the weekdays, then the weeks */
    static const char *const wd[7] = { NC_("weekday-short", "Mon"), NC_("weekday-short", "Tue"),
                                       NC_("weekday-short", "Wed"), NC_("weekday-short", "Thu"),
                                       NC_("weekday-short", "Fri"), NC_("weekday-short", "Sat"),
                                       NC_("weekday-short", "Sun") };
    ui_columns(ui, 7);
    for (int i = 0; i < 7; i++) {
        const char *l = C_("weekday-short", wd[i]);
        struct ui_rect r = ui_take(ui, ui_text_height(ui, colw, l, UI_TEXT_SMALL));
        ui_text(ui, r, l, UI_TEXT_SMALL, ui_theme(ui)->muted, UI_ALIGN_CENTER);
        ui_node(ui, UI_ROLE_TEXT, l, NULL, 0, r, false);
    }
    ui_columns(ui, 1);
    int lead = date_weekday(first) - 1; /* Monday first, as a Swedish calendar */
    int cells = lead + days, rows = (cells + 6) / 7;
    for (int row = 0; row < rows; row++) {
        ui_columns(ui, 7);
        for (int col = 0; col < 7; col++) {
            int cell = row * 7 + col;
            struct ui_rect r = ui_take(ui, ui_mm(ui, 15));
            if (cell < lead || cell >= cells)
                continue;
            struct date d = date_from_days(first_day + cell - lead);
            int64_t dn = date_to_days(d);
            char num[4];
            snprintf(num, sizeof(num), "%d", d.day);
            if (dn < first_ok || dn > last_ok) { /* not a day the question allows */
                int nh = ui_text_height(ui, r.w, num, UI_TEXT_BODY);
                ui_text(ui, (struct ui_rect){ r.x, r.y + (r.h - nh) / 2, r.w, nh }, num,
                        UI_TEXT_BODY, ui_theme(ui)->muted, UI_ALIGN_CENTER);
                continue;
            }
            date_format_iso(d, iso);
            fmt_date(iso, long_date, sizeof(long_date));
            bool on = has && date_compare(d, chosen) == 0;
            if (ui_button_named_in(ui, r, num, long_date, UI_BUTTON_NORMAL, on)) {
                snprintf(a->field.text, sizeof(a->field.text), "%s", iso);
                tapped = true;
            }
        }
        ui_columns(ui, 1);
    }
    return tapped;
}

static void
ask(struct ui *ui, const struct model *m, struct wizard *w, const struct question *q,
    struct answer *a)
{
    bool choose =
        q->kind == Q_CHOICE || q->kind == Q_MULTI || q->kind == Q_UNITS || q->kind == Q_DATE;
    if (choose) { /* a field says its question, hint and problem itself */
        ui_heading(ui, _(q->label), 2);
        if (w->problem != NULL) /* beside its question, not under the options */
            ui_error_note(ui, _(w->problem));
        else if (q->hint != NULL)
            ui_paragraph(ui, _(q->hint), UI_TEXT_BODY);
    }
    switch (q->kind) {
    case Q_CHOICE:
    case Q_MULTI:
        ui_columns(ui, 2);
        for (size_t i = 0; i < q->n_options; i++) {
            bool on = q->kind == Q_CHOICE ? a->choice == (int)i : (a->multi & (1u << i)) != 0;
            /* one of several answers is chosen; each of a multiple choice is on or off */
            struct ui_rect r = ui_take(ui, ui_mm(ui, 15));
            const char *label = _(q->options[i].label);
            if (q->kind == Q_MULTI ? ui_toggle_in(ui, r, label, UI_BUTTON_NORMAL, on)
                                   : ui_button_in(ui, r, label, UI_BUTTON_NORMAL, on)) {
                if (q->kind == Q_CHOICE)
                    a->choice = (int)i;
                else
                    a->multi ^= 1u << i;
                w->problem = NULL;
            }
        }
        ui_columns(ui, 1);
        break;
    case Q_UNITS:
        ask_units(ui, m, w, q, a);
        break;
    case Q_DATE:
        if (ask_date(ui, m, q, a))
            w->problem = NULL;
        break;
    default:
        a->field.label = _(q->label);
        a->field.hint = q->hint != NULL ? _(q->hint) : NULL;
        a->field.error = w->problem != NULL ? _(w->problem) : NULL;
        ui_set_personal(ui, true); /* a personnummer, an income, the citizen's own words */
        if (ui_field(ui, &a->field))
            w->problem = NULL;
        ui_set_personal(ui, false);
        ui_keyboard(ui, &a->field);
        return;
    }
}

static void
submit(struct model *m, struct wizard *w, const struct form *f)
{
    struct model_submission s = {
        .kind = f->kind,
        .main = taxonomy_entry(TAX_MAIN, f->main)->code,
        .type = taxonomy_entry(TAX_TYPE, f->type)->code,
        .klass = taxonomy_entry(TAX_CLASS, f->klass)->code,
        .what = _(f->title),
    };
    for (size_t i = 0; i < f->n && s.n < MODEL_MAX_ANSWERS; i++) {
        const struct question *q = &f->q[i];
        const struct answer *a = &w->answers[i];
        struct model_answer *out = &s.answers[s.n++];
        out->key = q->key;
        if (q->kind == Q_MULTI) {
            for (size_t o = 0; o < q->n_options && out->n_list < MODEL_MAX_LIST; o++) {
                if (a->multi & (1u << o))
                    out->list[out->n_list++] = q->options[o].code;
            }
        } else if (q->kind == Q_UNITS) {
            for (size_t u = 0; u < a->n_units; u++)
                out->list[out->n_list++] = a->units[u]->name;
        } else if (q->kind == Q_TEXT) {
            out->value = a->field.text;
        } else {
            out->value = a->value;
        }
        if (f->main_from != NULL && strcmp(f->main_from, q->key) == 0)
            s.main = a->value;
    }
    const char *err = NULL;
    if (!m->act->submit(m->app, &s, &err))
        w->problem = err;
}

/* Staff mode: the citizen reads the review and confirms on screen before anything is sent. */
static void
citizen_confirms(struct ui *ui, struct wizard *w)
{
    ui_banner(ui, _("Let the citizen read this and confirm."), false);
    if (ui_toggle_in(ui, ui_take(ui, ui_mm(ui, 18)),
                     _("I have seen the information and want it to be sent"), UI_BUTTON_NORMAL,
                     w->confirmed)) {
        w->confirmed = !w->confirmed;
        w->problem = NULL;
    }
}

static void
review(struct ui *ui, struct model *m, struct wizard *w, const struct form *f, bool receipt)
{
    for (size_t i = 0; i < f->n; i++) {
        char v[400];
        shown(m, &f->q[i], &w->answers[i], v, sizeof(v));
        ui_set_personal(ui, true); /* the answers */
        if (receipt) {
            ui_pair(ui, _(f->q[i].step), v);
            ui_set_personal(ui, false);
            continue;
        }
        /* each answer changed where it was asked, and back here after it */
        char change[160];
        snprintf(change, sizeof(change), _("Change: %s"), _(f->q[i].step));
        bool tapped = ui_pair_button(ui, _(f->q[i].step), v, change);
        ui_set_personal(ui, false);
        if (tapped) {
            w->step = i;
            w->from_review = true;
            w->problem = NULL;
        }
    }
    if (receipt)
        return;
    if (m->role == MODEL_ROLE_STAFF)
        citizen_confirms(ui, w);
    if (w->problem != NULL)
        ui_banner(ui, _(w->problem), true);
    if (ui_button(ui, _("Send"), UI_BUTTON_PRIMARY)) {
        if (m->role == MODEL_ROLE_STAFF && !w->confirmed)
            w->problem = N_("The citizen must confirm first.");
        else
            submit(m, w, f);
    }
}

static void
build_receipt(struct ui *ui, struct model *m, struct wizard *w, const struct form *f)
{
    const struct model_receipt *r = &m->receipt;
    receipt_head(ui, r, _("Thank you, the city has received it"));
    ui_set_personal(ui, true);
    ui_pair(ui, _("What you sent"), r->what);
    ui_set_personal(ui, false);
    review(ui, m, w, f, true);
    if (ui_button(ui, _("Done"), UI_BUTTON_PRIMARY))
        m->act->go(m->app, m->role == MODEL_ROLE_STAFF ? SCREEN_STAFF : SCREEN_OVERVIEW);
}

static void
build(struct ui *ui, struct model *m, void *state)
{
    struct wizard *w = state;
    const struct form *f = current(m);
    chrome_begin(ui, m, _(f->title), true);
    if (m->has_receipt) {
        build_receipt(ui, m, w, f);
        chrome_end(ui, m);
        return;
    }
    const char *labels[FORM_MAX_QUESTIONS + 1];
    for (size_t i = 0; i < f->n; i++)
        labels[i] = _(f->q[i].step);
    labels[f->n] = _("Review");
    ui_steps(ui, labels, (int)f->n + 1, (int)w->step);
    if (w->step == 0)
        ui_paragraph(ui, _(f->intro), UI_TEXT_BODY);
    if (w->step >= f->n) {
        ui_heading(ui, _("Check what you are sending"), 2);
        review(ui, m, w, f, false);
        chrome_end(ui, m);
        return;
    }
    ask(ui, m, w, &f->q[w->step], &w->answers[w->step]);
    ui_columns(ui, 2);
    struct ui_rect prev = ui_take(ui, ui_mm(ui, 15)), next = ui_take(ui, ui_mm(ui, 15));
    ui_columns(ui, 1);
    if (w->step > 0 && !w->from_review &&
        ui_button_in(ui, prev, _("Previous step"), UI_BUTTON_NORMAL, false)) {
        w->step--;
        w->problem = NULL;
    }
    if (ui_button_in(ui, next, w->from_review ? _("Back to the review") : _("Next step"),
                     UI_BUTTON_PRIMARY, false)) {
        w->problem = check(m, &f->q[w->step], &w->answers[w->step]);
        if (w->problem == NULL) {
            w->step = w->from_review ? f->n : w->step + 1;
            w->from_review = false;
            w->unit_page = 0;
        }
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_wizard = {
    .name = "wizard",
    .help = N_("Here you fill in a form, one question at a time. Next step goes on; at the "
               "end you check everything before you send it. The staff at the desk can help "
               "you, or choose Call me back."),
    .state_size = sizeof(struct wizard),
    .enter = enter,
    .build = build,
    .leave = chrome_leave_receipt,
};

/* --- The list of forms ------------------------------------------------------------------ */

static void
build_apply(struct ui *ui, struct model *m, void *state)
{
    chrome_begin(ui, m, _("Apply or give feedback"), true);
    ui_paragraph(ui, _("Choose what you want to do. It takes a few minutes."), UI_TEXT_BODY);
    /* Citizens see the applications and feedback; staff see what their stated reason covers:
     * the applications, or the choices ("val") that only staff register. */
    bool choices = m->role == MODEL_ROLE_STAFF && m->staff.reason != NULL &&
                   strcmp(m->staff.reason, "choice") == 0;
    for (size_t i = 0; i < n_forms; i++) {
        if (forms[i].staff_only != choices)
            continue;
        if (ui_list_item(ui, _(forms[i].title), _(forms[i].intro), NULL)) {
            m->form = i;
            m->act->go(m->app, SCREEN_WIZARD);
        }
    }
    chrome_end(ui, m);
}

const struct screen_impl screen_apply = {
    .name = "apply",
    .help = N_("Here you choose an application or feedback to fill in. It takes a few "
               "minutes, one question at a time. The staff at the desk can help you fill it "
               "in."),
    .build = build_apply
};
