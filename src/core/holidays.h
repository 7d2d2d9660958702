/* Swedish public holidays (Lag 1989:253 as in force since 2005) and working days (Lag 1930:173
 * 2 §), and the callback promise: "we contact you by the end of the next working day".
 *
 * Years before 2005 are computed under today's law too (6 June a holiday, no annandag pingst),
 * which is what a deadline computed now must use; the law then in force differed, so this is
 * not a historical calendar. Supported years: 1900..2200. */
#ifndef MINASIDOR_HOLIDAYS_H
#define MINASIDOR_HOLIDAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"

#define HOLIDAY_MIN_YEAR 1900
#define HOLIDAY_MAX_YEAR 2200

enum holiday_id {
    HOLIDAY_NYARSDAGEN,
    HOLIDAY_TRETTONDEDAG_JUL,
    HOLIDAY_LANGFREDAGEN,
    HOLIDAY_PASKDAGEN,
    HOLIDAY_ANNANDAG_PASK,
    HOLIDAY_FORSTA_MAJ,
    HOLIDAY_KRISTI_HIMMELSFARDS_DAG,
    HOLIDAY_PINGSTDAGEN,
    HOLIDAY_NATIONALDAGEN,
    HOLIDAY_MIDSOMMARAFTON, /* not a public holiday, but not a working day (1930:173) */
    HOLIDAY_MIDSOMMARDAGEN,
    HOLIDAY_ALLA_HELGONS_DAG,
    HOLIDAY_JULAFTON, /* not a public holiday, but not a working day */
    HOLIDAY_JULDAGEN,
    HOLIDAY_ANNANDAG_JUL,
    HOLIDAY_NYARSAFTON, /* not a public holiday, but not a working day */
    HOLIDAY_COUNT,
};

struct holiday {
    enum holiday_id id;
    struct date date;
    bool public_holiday; /* allmän helgdag; false for the three eves */
};

/* Easter Sunday (Gregorian computus). */
struct date holiday_easter(int year);

/* Fills out[] with the year's holidays and eves, sorted by date; returns HOLIDAY_COUNT, or 0
 * for a year outside HOLIDAY_MIN_YEAR..HOLIDAY_MAX_YEAR. */
size_t holidays_for_year(int year, struct holiday out[static HOLIDAY_COUNT]);

const char *holiday_code(enum holiday_id id);    /* "midsommarafton" */
const char *holiday_name_sv(enum holiday_id id); /* "Midsommarafton" (the name in law) */
const char *holiday_label(enum holiday_id id);   /* English msgid: "Midsummer Eve" */

/* The holiday falling on a date; false if none (Sundays are holidays but have no entry). */
bool holiday_on(struct date d, enum holiday_id *id_out);

/* A working day (vardag under 1930:173): not Saturday, Sunday, a public holiday, midsommarafton,
 * julafton or nyårsafton. */
bool cal_is_workday(struct date d);

/* The first working day strictly after d. */
struct date cal_next_workday(struct date d);

/* The first working day on or after d: where a deadline falling on d moves to. */
struct date cal_deadline(struct date d);

/* The callback promise for a request made at `utc_s`: the end (23:59:59 Stockholm time) of the
 * next working day after the request's Stockholm date, as UTC seconds. */
int64_t callback_due(int64_t utc_s);

#endif
