/* Civil (proleptic Gregorian) dates and Europe/Stockholm time. Time is UTC seconds internally;
 * Stockholm local time is only for display and for rules stated in local days. */
#ifndef MINASIDOR_DATE_H
#define MINASIDOR_DATE_H

#include <stdbool.h>
#include <stdint.h>

struct date {
    int year;  /* e.g. 2026 */
    int month; /* 1..12 */
    int day;   /* 1..31 */
};

struct local_time {
    struct date date;
    int hour, minute, second;
    int utc_offset_s; /* 3600 (CET) or 7200 (CEST) */
};

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_valid(struct date d);

/* Days since 1970-01-01 (negative before), and back. */
int64_t date_to_days(struct date d);
struct date date_from_days(int64_t days);

/* 1 = Monday .. 7 = Sunday (ISO 8601). */
int date_weekday(struct date d);

struct date date_add_days(struct date d, int64_t n);
int date_compare(struct date a, struct date b); /* <0, 0, >0 */

/* "YYYY-MM-DD" exactly; false for anything else or an impossible date. */
bool date_parse_iso(const char *s, struct date *out);

/* Writes "YYYY-MM-DD" (11 bytes with NUL). */
void date_format_iso(struct date d, char out[static 11]);

/* Europe/Stockholm: UTC offset in force at a UTC moment. DST follows the EU rule (last Sunday of
 * March to last Sunday of October, switching at 01:00 UTC) from 1996, ended on the last Sunday
 * of September from 1980 to 1995, and is not applied before 1980. */
int tz_stockholm_offset(int64_t utc_s);
void tz_to_local(int64_t utc_s, struct local_time *out);

/* The UTC moment of a Stockholm wall-clock time. A time skipped by the spring change is moved
 * forward by the gap (02:30 becomes 03:30); a repeated autumn time means its first occurrence. */
int64_t tz_from_local(struct date d, int hour, int minute, int second);

/* Parses an ISO 8601 moment: "YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM|±HHMM)"; without an offset
 * the time is read as Stockholm local time. A space may stand for the T. */
bool time_parse_iso8601(const char *s, int64_t *utc_s_out);

/* Writes Stockholm local time with its offset: "2026-12-04T23:59:59+01:00" (26 bytes). */
void time_format_local(int64_t utc_s, char out[static 26]);

/* Writes UTC: "2026-12-04T22:59:59Z" (21 bytes). */
void time_format_utc(int64_t utc_s, char out[static 21]);

/* Today's date in Stockholm. */
struct date date_today_stockholm(void);

#endif
