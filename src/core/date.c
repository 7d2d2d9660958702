/* Civil date arithmetic (after Howard Hinnant's days_from_civil) and Stockholm local time. */
#include "date.h"

#include <string.h>
#include <time.h>

bool
date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
date_days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && date_is_leap(year) ? 29 : days[month - 1];
}

bool
date_valid(struct date d)
{
    return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= date_days_in_month(d.year, d.month);
}

int64_t
date_to_days(struct date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date
date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    return (
        struct date){ .year = (int)(yoe + era * 400 + (m <= 2)), .month = (int)m, .day = (int)d };
}

int
date_weekday(struct date d)
{
    int64_t days = date_to_days(d); /* 1970-01-01 was a Thursday (4) */
    int64_t w = (days % 7 + 7 + 3) % 7;
    return (int)w + 1;
}

struct date
date_add_days(struct date d, int64_t n)
{
    return date_from_days(date_to_days(d) + n);
}

int
date_compare(struct date a, struct date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

static bool
digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool
date_parse_iso(const char *s, struct date *out)
{
    struct date d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &d.year) ||
        !digits(s + 5, 2, &d.month) || !digits(s + 8, 2, &d.day) || !date_valid(d))
        return false;
    *out = d;
    return true;
}

/* Writes v as exactly n decimal digits (v is known to fit: dates are validated). */
static char *
put(char *out, int v, int n)
{
    unsigned u = v < 0 ? 0u : (unsigned)v;
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + u % 10);
        u /= 10;
    }
    return out + n;
}

void
date_format_iso(struct date d, char out[static 11])
{
    char *p = put(out, d.year, 4);
    *p++ = '-';
    p = put(p, d.month, 2);
    *p++ = '-';
    p = put(p, d.day, 2);
    *p = '\0';
}

/* "YYYY-MM-DDTHH:MM:SS" (19 characters, no terminator). */
static char *
put_datetime(char *out, struct date d, int h, int m, int sec)
{
    date_format_iso(d, out);
    char *p = out + 10;
    *p++ = 'T';
    p = put(p, h, 2);
    *p++ = ':';
    p = put(p, m, 2);
    *p++ = ':';
    return put(p, sec, 2);
}

/* The last Sunday of a month, as days since the epoch. */
static int64_t
last_sunday(int year, int month)
{
    struct date d = { year, month, date_days_in_month(year, month) };
    return date_to_days(d) - (date_weekday(d) % 7);
}

/* UTC seconds at which summer time starts and ends in a year; false if none that year. */
static bool
dst_bounds(int year, int64_t *start, int64_t *end)
{
    if (year < 1980)
        return false;
    if (year == 1980) {
        /* Sweden's first year of the current era of summer time: 6 April to 28 September. */
        *start = date_to_days((struct date){ 1980, 4, 6 }) * 86400 + 3600;
        *end = date_to_days((struct date){ 1980, 9, 28 }) * 86400 + 3600;
        return true;
    }
    *start = last_sunday(year, 3) * 86400 + 3600;
    *end = last_sunday(year, year < 1996 ? 9 : 10) * 86400 + 3600;
    return true;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int
tz_stockholm_offset(int64_t utc_s)
{
    int year = date_from_days(floor_div(utc_s, 86400)).year;
    int64_t start, end;
    if (dst_bounds(year, &start, &end) && utc_s >= start && utc_s < end)
        return 7200;
    return 3600;
}

void
tz_to_local(int64_t utc_s, struct local_time *out)
{
    int off = tz_stockholm_offset(utc_s);
    int64_t local = utc_s + off;
    int64_t days = floor_div(local, 86400);
    int64_t secs = local - days * 86400;
    out->date = date_from_days(days);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->utc_offset_s = off;
}

int64_t
tz_from_local(struct date d, int hour, int minute, int second)
{
    int64_t local = date_to_days(d) * 86400 + hour * 3600 + minute * 60 + second;
    /* Try the standard-time reading first: if it maps back to the same wall clock in CET and
     * also in CEST, the CEST reading is the earlier moment (the first occurrence). */
    int64_t as_cest = local - 7200;
    if (tz_stockholm_offset(as_cest) == 7200)
        return as_cest;
    int64_t as_cet = local - 3600;
    if (tz_stockholm_offset(as_cet) == 3600)
        return as_cet;
    /* In the spring gap: neither reading exists, so move forward by the hour skipped. */
    return as_cet;
}

static bool
parse_offset(const char *s, int *off_s)
{
    int sign = s[0] == '+' ? 1 : s[0] == '-' ? -1 : 0;
    int hh, mm;
    if (sign == 0 || !digits(s + 1, 2, &hh))
        return false;
    const char *p = s + 3;
    if (*p == ':')
        p++;
    if (!digits(p, 2, &mm) || p[2] != '\0' || hh > 23 || mm > 59)
        return false;
    *off_s = sign * (hh * 3600 + mm * 60);
    return true;
}

bool
time_parse_iso8601(const char *s, int64_t *utc_s_out)
{
    char datepart[11];
    if (strlen(s) < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return false;
    memcpy(datepart, s, 10);
    datepart[10] = '\0';
    struct date d;
    int hh, mi, ss = 0;
    if (!date_parse_iso(datepart, &d) || !digits(s + 11, 2, &hh) || s[13] != ':' ||
        !digits(s + 14, 2, &mi))
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        if (!digits(p + 1, 2, &ss))
            return false;
        p += 3;
        if (*p == '.' || *p == ',') {
            p++;
            if (*p < '0' || *p > '9')
                return false;
            while (*p >= '0' && *p <= '9')
                p++; /* fractions of a second are dropped */
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return false;
    if (ss == 60)
        ss = 59; /* a leap second is read as the second before it */
    if (*p == '\0') {
        *utc_s_out = tz_from_local(d, hh, mi, ss);
        return true;
    }
    int off;
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
        off = 0;
    else if (!parse_offset(p, &off))
        return false;
    *utc_s_out = date_to_days(d) * 86400 + hh * 3600 + mi * 60 + ss - off;
    return true;
}

void
time_format_local(int64_t utc_s, char out[static 26])
{
    struct local_time lt;
    tz_to_local(utc_s, &lt);
    char *p = put_datetime(out, lt.date, lt.hour, lt.minute, lt.second);
    *p++ = '+';
    p = put(p, lt.utc_offset_s / 3600, 2);
    memcpy(p, ":00", 4);
}

void
time_format_utc(int64_t utc_s, char out[static 21])
{
    int64_t days = floor_div(utc_s, 86400);
    int64_t secs = utc_s - days * 86400;
    struct date d = date_from_days(days);
    char *p = put_datetime(out, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(p, "Z", 2);
}

struct date
date_today_stockholm(void)
{
    struct local_time lt;
    tz_to_local((int64_t)time(NULL), &lt);
    return lt.date;
}
