/* Dates, times and money per language. Weekday and month names and the order of a date's
 * parts are catalogue entries, so a new language needs no code; a translation reorders the
 * parts with numbered placeholders ("%3$d年%2$s%1$d日").
 *
 * Every language uses the 24-hour clock and Western digits (0-9). Western digits because the
 * numbers on the kiosk are the ones the citizen copies or compares: OCR numbers, amounts,
 * personnummer and dates on paper letters and in the bank app, which Swedish authorities print
 * in Western digits in every language (the Arabic and Persian versions of Försäkringskassan's
 * and Migrationsverket's material do the same), and OCR and bankgiro numbers have no other
 * form. Amounts are Swedish kronor, written the Swedish way (1 234,50 kr) in every language
 * but English, whose own convention (SEK 1,234.50) English-reading citizens expect. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "i18n.h"
#include "money.h"
#include "screens.h"

static const char *const weekdays[7] = { N_("Monday"),   N_("Tuesday"), N_("Wednesday"),
                                         N_("Thursday"), N_("Friday"),  N_("Saturday"),
                                         N_("Sunday") };

/* "May" alone is also the verb: the month names have a context of their own only where the
 * English word has two meanings. */
static const char *
month_name(int month)
{
    static const char *const months[12] = {
        N_("January"),  N_("February"), N_("March"),  N_("April"),     "",
        N_("June"),     N_("July"),     N_("August"), N_("September"), N_("October"),
        N_("November"), N_("December")
    };
    if (month == 5)
        return C_("month", "May");
    return _(months[month - 1]);
}

static void
day_month_year(struct date d, char *out, size_t size)
{
    /* TRANSLATORS: a date: day of the month, the month's name, year ("4 december 2026"); use
     * %1$d, %2$s, %3$d to change their order. */
    snprintf(out, size, C_("date", "%d %s %d"), d.day, month_name(d.month), d.year);
}

/* Parses iso into d; if it is not a date, writes it as it is (or nothing) and returns false. */
static bool
parse_or_copy(const char *iso, struct date *d, char *out, size_t size)
{
    if (iso != NULL && date_parse_iso(iso, d))
        return true;
    snprintf(out, size, "%s", iso != NULL ? iso : "");
    return false;
}

void
fmt_date(const char *iso, char *out, size_t size)
{
    struct date d;
    if (!parse_or_copy(iso, &d, out, size))
        return;
    /* TRANSLATORS: a date with its weekday: weekday, day of the month, month, year ("fredag
     * 4 december 2026"); use %1$s, %2$d, %3$s, %4$d to change their order. */
    snprintf(out, size, C_("date", "%s %d %s %d"), _(weekdays[date_weekday(d) - 1]), d.day,
             month_name(d.month), d.year);
}

void
fmt_date_short(const char *iso, char *out, size_t size)
{
    struct date d;
    if (parse_or_copy(iso, &d, out, size))
        day_month_year(d, out, size);
}

void
fmt_time(int64_t utc, char *out, size_t size)
{
    struct local_time lt;
    tz_to_local(utc, &lt);
    char dmy[64];
    day_month_year(lt.date, dmy, sizeof(dmy));
    /* TRANSLATORS: a date and a time of day: "4 december 2026 kl. 10.30" */
    snprintf(out, size, _("%s at %02d:%02d"), dmy, lt.hour, lt.minute);
}

void
fmt_money(long long ore, char *out, size_t size)
{
    char buf[48];
    bool en = strcmp(i18n_current()->code, "en") == 0; /* see the top of this file */
    money_format(ore, en ? MONEY_STYLE_EN : MONEY_STYLE_SV, buf, sizeof(buf));
    snprintf(out, size, "%s", buf);
}

const char *
fmt_tax(enum tax_dimension dim, const char *code)
{
    int i = code != NULL ? taxonomy_find(dim, code) : -1;
    /* a coded value: its label in the dimension's context, never the code through gettext */
    return i < 0 ? (code != NULL ? code : "–")
                 : C_(taxonomy_context(dim), taxonomy_entry(dim, (size_t)i)->label);
}

void
fmt_age(int64_t then, int64_t now, char *out, size_t size)
{
    if (then <= 0) {
        snprintf(out, size, "%s", _("The data has not been fetched from the case store yet."));
        return;
    }
    int64_t min = (now - then) / 60;
    if (min < 1)
        snprintf(out, size, "%s", _("Updated just now."));
    else if (min < 120)
        snprintf(out, size,
                 i18n_ngettext("Updated %lld minute ago.", "Updated %lld minutes ago.",
                               (unsigned long)min),
                 (long long)min);
    else
        snprintf(out, size,
                 i18n_ngettext("Updated %lld hour ago.", "Updated %lld hours ago.",
                               (unsigned long)(min / 60)),
                 (long long)(min / 60));
}

enum invoice_state
invoice_state(const struct model *m, size_t row)
{
    const struct model_records *l = &m->invoices;
    if (model_num(l, row, REC_INVOICE_PAID) != 0)
        return INVOICE_PAID;
    char today[11];
    struct local_time lt;
    tz_to_local(m->now, &lt);
    date_format_iso(lt.date, today);
    const char *due = model_text(l, row, REC_INVOICE_DUE_DATE);
    return due != NULL && strcmp(due, today) < 0 ? INVOICE_OVERDUE : INVOICE_UNPAID;
}

const char *
invoice_state_label(enum invoice_state st)
{
    return st == INVOICE_PAID ? _("Paid") : st == INVOICE_OVERDUE ? _("Overdue") : _("Unpaid");
}

void
fmt_month_year(int year, int month, char *out, size_t size)
{
    /* TRANSLATORS: a calendar's month: the month's name and the year ("december 2026") */
    snprintf(out, size, C_("date", "%s %d"), month_name(month), year);
}
