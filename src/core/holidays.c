/* Holidays and working days. */
#include "holidays.h"

#include <string.h>

#include "macros.h"

struct date
holiday_easter(int year)
{
    /* The "anonymous Gregorian" algorithm (Meeus, Astronomical Algorithms, ch. 8). */
    int a = year % 19;
    int b = year / 100;
    int c = year % 100;
    int d = b / 4;
    int e = b % 4;
    int f = (b + 8) / 25;
    int g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return (struct date){ year, month, day };
}

/* The Saturday within [first, first + 6]. */
static struct date
saturday_from(struct date first)
{
    int wd = date_weekday(first);
    return date_add_days(first, (6 - wd + 7) % 7);
}

static const struct {
    const char *code;
    const char *name_sv;
    const char *label;
} names[HOLIDAY_COUNT] = {
    [HOLIDAY_NYARSDAGEN] = { "nyarsdagen", "Nyårsdagen", N_("New Year's Day") },
    [HOLIDAY_TRETTONDEDAG_JUL] = { "trettondedag_jul", "Trettondedag jul", N_("Epiphany") },
    [HOLIDAY_LANGFREDAGEN] = { "langfredagen", "Långfredagen", N_("Good Friday") },
    [HOLIDAY_PASKDAGEN] = { "paskdagen", "Påskdagen", N_("Easter Sunday") },
    [HOLIDAY_ANNANDAG_PASK] = { "annandag_pask", "Annandag påsk", N_("Easter Monday") },
    [HOLIDAY_FORSTA_MAJ] = { "forsta_maj", "Första maj", N_("May Day") },
    [HOLIDAY_KRISTI_HIMMELSFARDS_DAG] = { "kristi_himmelsfards_dag", "Kristi himmelsfärds dag",
                                          N_("Ascension Day") },
    [HOLIDAY_PINGSTDAGEN] = { "pingstdagen", "Pingstdagen", N_("Whit Sunday") },
    [HOLIDAY_NATIONALDAGEN] = { "nationaldagen", "Sveriges nationaldag",
                                N_("National Day of Sweden") },
    [HOLIDAY_MIDSOMMARAFTON] = { "midsommarafton", "Midsommarafton", N_("Midsummer Eve") },
    [HOLIDAY_MIDSOMMARDAGEN] = { "midsommardagen", "Midsommardagen", N_("Midsummer Day") },
    [HOLIDAY_ALLA_HELGONS_DAG] = { "alla_helgons_dag", "Alla helgons dag", N_("All Saints' Day") },
    [HOLIDAY_JULAFTON] = { "julafton", "Julafton", N_("Christmas Eve") },
    [HOLIDAY_JULDAGEN] = { "juldagen", "Juldagen", N_("Christmas Day") },
    [HOLIDAY_ANNANDAG_JUL] = { "annandag_jul", "Annandag jul", N_("Boxing Day") },
    [HOLIDAY_NYARSAFTON] = { "nyarsafton", "Nyårsafton", N_("New Year's Eve") },
};

size_t
holidays_for_year(int year, struct holiday out[static HOLIDAY_COUNT])
{
    if (year < HOLIDAY_MIN_YEAR || year > HOLIDAY_MAX_YEAR)
        return 0;
    struct date easter = holiday_easter(year);
    struct date midsommardagen = saturday_from((struct date){ year, 6, 20 });
    struct date dates[HOLIDAY_COUNT] = {
        [HOLIDAY_NYARSDAGEN] = { year, 1, 1 },
        [HOLIDAY_TRETTONDEDAG_JUL] = { year, 1, 6 },
        [HOLIDAY_LANGFREDAGEN] = date_add_days(easter, -2),
        [HOLIDAY_PASKDAGEN] = easter,
        [HOLIDAY_ANNANDAG_PASK] = date_add_days(easter, 1),
        [HOLIDAY_FORSTA_MAJ] = { year, 5, 1 },
        [HOLIDAY_KRISTI_HIMMELSFARDS_DAG] = date_add_days(easter, 39),
        [HOLIDAY_PINGSTDAGEN] = date_add_days(easter, 49),
        [HOLIDAY_NATIONALDAGEN] = { year, 6, 6 },
        [HOLIDAY_MIDSOMMARAFTON] = date_add_days(midsommardagen, -1),
        [HOLIDAY_MIDSOMMARDAGEN] = midsommardagen,
        [HOLIDAY_ALLA_HELGONS_DAG] = saturday_from((struct date){ year, 10, 31 }),
        [HOLIDAY_JULAFTON] = { year, 12, 24 },
        [HOLIDAY_JULDAGEN] = { year, 12, 25 },
        [HOLIDAY_ANNANDAG_JUL] = { year, 12, 26 },
        [HOLIDAY_NYARSAFTON] = { year, 12, 31 },
    };
    for (int i = 0; i < HOLIDAY_COUNT; i++) {
        out[i].id = (enum holiday_id)i;
        out[i].date = dates[i];
        out[i].public_holiday =
            i != HOLIDAY_MIDSOMMARAFTON && i != HOLIDAY_JULAFTON && i != HOLIDAY_NYARSAFTON;
    }
    /* Insertion sort by date: Kristi himmelsfärd and pingst may fall after 1 May or 6 June. */
    for (int i = 1; i < HOLIDAY_COUNT; i++) {
        struct holiday h = out[i];
        int j = i - 1;
        while (j >= 0 && date_compare(out[j].date, h.date) > 0) {
            out[j + 1] = out[j];
            j--;
        }
        out[j + 1] = h;
    }
    return HOLIDAY_COUNT;
}

const char *
holiday_code(enum holiday_id id)
{
    return id < HOLIDAY_COUNT ? names[id].code : "unknown";
}

const char *
holiday_name_sv(enum holiday_id id)
{
    return id < HOLIDAY_COUNT ? names[id].name_sv : "?";
}

const char *
holiday_label(enum holiday_id id)
{
    return id < HOLIDAY_COUNT ? names[id].label : "?";
}

bool
holiday_on(struct date d, enum holiday_id *id_out)
{
    struct holiday hs[HOLIDAY_COUNT];
    size_t n = holidays_for_year(d.year, hs);
    for (size_t i = 0; i < n; i++) {
        if (date_compare(hs[i].date, d) == 0) {
            if (id_out != NULL)
                *id_out = hs[i].id;
            return true;
        }
    }
    return false;
}

bool
cal_is_workday(struct date d)
{
    if (date_weekday(d) >= 6)
        return false;
    /* Every entry, public holiday or eve, makes a day a non-working day. */
    return !holiday_on(d, NULL);
}

struct date
cal_next_workday(struct date d)
{
    do {
        d = date_add_days(d, 1);
    } while (!cal_is_workday(d));
    return d;
}

struct date
cal_deadline(struct date d)
{
    while (!cal_is_workday(d))
        d = date_add_days(d, 1);
    return d;
}

int64_t
callback_due(int64_t utc_s)
{
    struct local_time lt;
    tz_to_local(utc_s, &lt);
    struct date due = cal_next_workday(lt.date);
    return tz_from_local(due, 23, 59, 59);
}
