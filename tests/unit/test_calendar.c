/* Dates, Stockholm time, holidays, working days and the callback promise. */
#define _DEFAULT_SOURCE /* tm_gmtoff, to compare with the system's tzdata */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "holidays.h"
#include "test.h"

static struct date
D(int y, int m, int d) {
    return (struct date){ y, m, d };
}

static void
check_date(struct date want, struct date got, const char *what)
{
    CHECK_MSG(date_compare(want, got) == 0, "%s: expected %04d-%02d-%02d, got %04d-%02d-%02d", what,
              want.year, want.month, want.day, got.year, got.month, got.day);
}

TEST(date_days_round_trip_and_weekdays_1900_to_2200)
{
    int64_t first = date_to_days(D(1900, 1, 1));
    int64_t last = date_to_days(D(2200, 12, 31));
    int prev_wd = date_weekday(D(1899, 12, 31));
    for (int64_t z = first; z <= last; z++) {
        struct date d = date_from_days(z);
        if (!date_valid(d) || date_to_days(d) != z) {
            test_fail(__FILE__, __LINE__, "day %lld does not round-trip", (long long)z);
            return;
        }
        int wd = date_weekday(d);
        if (wd != prev_wd % 7 + 1) {
            test_fail(__FILE__, __LINE__, "weekday sequence broken at day %lld", (long long)z);
            return;
        }
        prev_wd = wd;
    }
    CHECK_INT(4, date_weekday(D(1970, 1, 1)));
    CHECK_INT(7, date_weekday(D(2026, 11, 22)));
    CHECK_INT(1, date_weekday(D(1900, 1, 1)));
}

TEST(date_parse_iso_is_strict)
{
    struct date d;
    CHECK(date_parse_iso("2024-02-29", &d));
    CHECK(!date_parse_iso("2023-02-29", &d));
    CHECK(!date_parse_iso("2024-2-29", &d));
    CHECK(!date_parse_iso("2024-02-29T", &d));
    CHECK(!date_parse_iso("2024/02/29", &d));
    CHECK(!date_parse_iso("", &d));
}

/* An independent computus (Gauss, with the Gregorian corrections) to check Meeus against. */
static struct date
easter_gauss(int year)
{
    int a = year % 19, b = year % 4, c = year % 7;
    int k = year / 100;
    int p = (13 + 8 * k) / 25;
    int q = k / 4;
    int M = (15 - p + k - q) % 30;
    int N = (4 + k - q) % 7;
    int d = (19 * a + M) % 30;
    int e = (2 * b + 4 * c + 6 * d + N) % 7;
    int day = 22 + d + e;
    if (d == 29 && e == 6)
        return D(year, 4, 19);
    if (d == 28 && e == 6 && (11 * M + 11) % 30 < 19)
        return D(year, 4, 18);
    return day > 31 ? D(year, 4, day - 31) : D(year, 3, day);
}

TEST(easter_agrees_with_a_second_algorithm_1900_to_2200)
{
    for (int y = HOLIDAY_MIN_YEAR; y <= HOLIDAY_MAX_YEAR; y++) {
        struct date e = holiday_easter(y);
        char what[32];
        snprintf(what, sizeof(what), "easter %d", y);
        check_date(easter_gauss(y), e, what);
        CHECK_MSG(date_weekday(e) == 7, "easter %d is not a Sunday", y);
        CHECK_MSG(date_compare(e, D(y, 3, 22)) >= 0 && date_compare(e, D(y, 4, 25)) <= 0,
                  "easter %d outside 22 March..25 April", y);
    }
}

static struct date
find(const struct holiday *hs, size_t n, enum holiday_id id)
{
    for (size_t i = 0; i < n; i++) {
        if (hs[i].id == id)
            return hs[i].date;
    }
    return D(0, 0, 0);
}

TEST(holidays_2024_to_2030_match_reference_table)
{
    static const struct {
        int year;
        int lf[2], pa[2], kh[2], pi[2], ma[2], ah[2];
    } t[] = {
        { 2024, { 3, 29 }, { 3, 31 }, { 5, 9 }, { 5, 19 }, { 6, 21 }, { 11, 2 } },
        { 2025, { 4, 18 }, { 4, 20 }, { 5, 29 }, { 6, 8 }, { 6, 20 }, { 11, 1 } },
        { 2026, { 4, 3 }, { 4, 5 }, { 5, 14 }, { 5, 24 }, { 6, 19 }, { 10, 31 } },
        { 2027, { 3, 26 }, { 3, 28 }, { 5, 6 }, { 5, 16 }, { 6, 25 }, { 11, 6 } },
        { 2028, { 4, 14 }, { 4, 16 }, { 5, 25 }, { 6, 4 }, { 6, 23 }, { 11, 4 } },
        { 2029, { 3, 30 }, { 4, 1 }, { 5, 10 }, { 5, 20 }, { 6, 22 }, { 11, 3 } },
        { 2030, { 4, 19 }, { 4, 21 }, { 5, 30 }, { 6, 9 }, { 6, 21 }, { 11, 2 } },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct holiday hs[HOLIDAY_COUNT];
        int y = t[i].year;
        CHECK_INT(HOLIDAY_COUNT, holidays_for_year(y, hs));
        check_date(D(y, t[i].lf[0], t[i].lf[1]), find(hs, HOLIDAY_COUNT, HOLIDAY_LANGFREDAGEN),
                   "långfredagen");
        check_date(D(y, t[i].pa[0], t[i].pa[1]), find(hs, HOLIDAY_COUNT, HOLIDAY_PASKDAGEN),
                   "påskdagen");
        check_date(D(y, t[i].kh[0], t[i].kh[1]),
                   find(hs, HOLIDAY_COUNT, HOLIDAY_KRISTI_HIMMELSFARDS_DAG), "kristi himmelsfärd");
        check_date(D(y, t[i].pi[0], t[i].pi[1]), find(hs, HOLIDAY_COUNT, HOLIDAY_PINGSTDAGEN),
                   "pingstdagen");
        check_date(D(y, t[i].ma[0], t[i].ma[1]), find(hs, HOLIDAY_COUNT, HOLIDAY_MIDSOMMARAFTON),
                   "midsommarafton");
        check_date(D(y, t[i].ah[0], t[i].ah[1]), find(hs, HOLIDAY_COUNT, HOLIDAY_ALLA_HELGONS_DAG),
                   "alla helgons dag");
    }
}

TEST(holidays_follow_the_law_every_year_1900_to_2200)
{
    for (int y = HOLIDAY_MIN_YEAR; y <= HOLIDAY_MAX_YEAR; y++) {
        struct holiday hs[HOLIDAY_COUNT];
        if (holidays_for_year(y, hs) != HOLIDAY_COUNT) {
            test_fail(__FILE__, __LINE__, "no holidays for %d", y);
            return;
        }
        for (int i = 1; i < HOLIDAY_COUNT; i++)
            CHECK_MSG(date_compare(hs[i - 1].date, hs[i].date) <= 0, "%d: not sorted", y);
        struct date ms = find(hs, HOLIDAY_COUNT, HOLIDAY_MIDSOMMARDAGEN);
        struct date ah = find(hs, HOLIDAY_COUNT, HOLIDAY_ALLA_HELGONS_DAG);
        CHECK_MSG(date_weekday(ms) == 6 && ms.month == 6 && ms.day >= 20 && ms.day <= 26,
                  "%d: midsommardagen", y);
        CHECK_MSG(date_weekday(ah) == 6 && date_compare(ah, D(y, 10, 31)) >= 0 &&
                      date_compare(ah, D(y, 11, 6)) <= 0,
                  "%d: alla helgons dag", y);
        CHECK_MSG(date_weekday(find(hs, HOLIDAY_COUNT, HOLIDAY_MIDSOMMARAFTON)) == 5,
                  "%d: midsommarafton not a Friday", y);
        int public_count = 0;
        for (int i = 0; i < HOLIDAY_COUNT; i++)
            public_count += hs[i].public_holiday;
        CHECK_INT(13, public_count);
    }
    /* Two holidays can share a date: in 2008 Kristi himmelsfärds dag fell on 1 May. */
    struct holiday hs[HOLIDAY_COUNT];
    holidays_for_year(2008, hs);
    check_date(D(2008, 5, 1), find(hs, HOLIDAY_COUNT, HOLIDAY_KRISTI_HIMMELSFARDS_DAG), "2008");
    CHECK_INT(0, holidays_for_year(1899, hs));
    CHECK_INT(0, holidays_for_year(2201, hs));
}

TEST(next_workday_examples)
{
    check_date(D(2026, 12, 28), cal_next_workday(D(2026, 12, 23)), "before christmas");
    check_date(D(2026, 6, 22), cal_next_workday(D(2026, 6, 18)), "before midsummer");
    check_date(D(2027, 1, 4), cal_next_workday(D(2026, 12, 30)), "before new year");
    check_date(D(2026, 4, 7), cal_next_workday(D(2026, 4, 2)), "easter");
    check_date(D(2026, 11, 23), cal_next_workday(D(2026, 11, 20)), "weekend");
    check_date(D(2026, 11, 24), cal_next_workday(D(2026, 11, 23)), "plain weekday");
    check_date(D(2026, 6, 8), cal_next_workday(D(2026, 6, 5)), "national day on saturday");
    check_date(D(2026, 12, 28), cal_deadline(D(2026, 12, 24)), "deadline on julafton");
    check_date(D(2026, 11, 23), cal_deadline(D(2026, 11, 23)), "deadline on a working day");
    CHECK(!cal_is_workday(D(2026, 12, 31)));
    CHECK(!cal_is_workday(D(2026, 6, 19)));
    CHECK(cal_is_workday(D(2026, 6, 17)));
}

TEST(next_workday_never_lands_on_a_non_working_day)
{
    for (int64_t z = date_to_days(D(1900, 1, 1)); z < date_to_days(D(2200, 12, 20)); z++) {
        struct date d = date_from_days(z);
        struct date n = cal_next_workday(d);
        if (!cal_is_workday(n) || date_compare(n, d) <= 0) {
            test_fail(__FILE__, __LINE__, "%04d-%02d-%02d -> %04d-%02d-%02d", d.year, d.month,
                      d.day, n.year, n.month, n.day);
            return;
        }
        /* ...and skips no working day. */
        for (struct date m = date_add_days(d, 1); date_compare(m, n) < 0; m = date_add_days(m, 1)) {
            if (cal_is_workday(m)) {
                test_fail(__FILE__, __LINE__, "skipped a working day after %04d-%02d-%02d", d.year,
                          d.month, d.day);
                return;
            }
        }
    }
}

TEST(stockholm_offsets_at_the_2026_changes)
{
    int64_t spring = date_to_days(D(2026, 3, 29)) * 86400 + 3600; /* 01:00 UTC */
    int64_t autumn = date_to_days(D(2026, 10, 25)) * 86400 + 3600;
    CHECK_INT(3600, tz_stockholm_offset(spring - 1));
    CHECK_INT(7200, tz_stockholm_offset(spring));
    CHECK_INT(7200, tz_stockholm_offset(autumn - 1));
    CHECK_INT(3600, tz_stockholm_offset(autumn));
    /* 02:30 does not exist on the spring day: read as 03:30 summer time. */
    CHECK_INT(spring + 1800, tz_from_local(D(2026, 3, 29), 2, 30, 0));
    /* 02:30 happens twice in autumn: the first (summer time) one. */
    CHECK_INT(autumn - 1800, tz_from_local(D(2026, 10, 25), 2, 30, 0));
    CHECK_INT(autumn + 5400, tz_from_local(D(2026, 10, 25), 3, 30, 0));
}

TEST(stockholm_time_matches_the_system_tzdata)
{
    if (access("/usr/share/zoneinfo/Europe/Stockholm", R_OK) != 0) {
        test_fail(__FILE__, __LINE__, "tzdata is not installed (the test command installs it)");
        return;
    }
    setenv("TZ", "Europe/Stockholm", 1);
    tzset();
    int mismatches = 0;
    /* Every 20 minutes from 1981 to 2037, local fields and offset must agree. */
    int64_t start = date_to_days(D(1981, 1, 1)) * 86400;
    int64_t end = date_to_days(D(2037, 12, 31)) * 86400;
    for (int64_t t = start; t < end && mismatches < 5; t += 1200) {
        time_t tt = (time_t)t;
        struct tm tm;
        localtime_r(&tt, &tm);
        struct local_time lt;
        tz_to_local(t, &lt);
        if (lt.date.year != tm.tm_year + 1900 || lt.date.month != tm.tm_mon + 1 ||
            lt.date.day != tm.tm_mday || lt.hour != tm.tm_hour || lt.minute != tm.tm_min ||
            lt.utc_offset_s != tm.tm_gmtoff) {
            char s[21];
            time_format_utc(t, s);
            test_fail(__FILE__, __LINE__, "%s: ours %02d:%02d%+d, tzdata %02d:%02d%+ld", s, lt.hour,
                      lt.minute, lt.utc_offset_s, tm.tm_hour, tm.tm_min, (long)tm.tm_gmtoff);
            mismatches++;
        }
    }
}

TEST(iso8601_moments)
{
    int64_t t;
    int64_t base = date_to_days(D(2026, 12, 3)) * 86400;
    CHECK(time_parse_iso8601("2026-12-03T14:00:00Z", &t));
    CHECK_INT(base + 14 * 3600, t);
    CHECK(time_parse_iso8601("2026-12-03T14:00:00+01:00", &t));
    CHECK_INT(base + 13 * 3600, t);
    CHECK(time_parse_iso8601("2026-12-03T14:00+0100", &t));
    CHECK_INT(base + 13 * 3600, t);
    CHECK(time_parse_iso8601("2026-12-03 14:00:00.123-05:30", &t));
    CHECK_INT(base + 19 * 3600 + 1800, t);
    CHECK(time_parse_iso8601("2026-12-03T14:00", &t)); /* Stockholm time: CET */
    CHECK_INT(base + 13 * 3600, t);
    CHECK(time_parse_iso8601("2026-07-03T14:00", &t)); /* CEST */
    CHECK_INT(date_to_days(D(2026, 7, 3)) * 86400 + 12 * 3600, t);
    CHECK(!time_parse_iso8601("2026-12-03", &t));
    CHECK(!time_parse_iso8601("2026-12-03T25:00Z", &t));
    CHECK(!time_parse_iso8601("2026-12-03T14:00:00+1", &t));
    CHECK(!time_parse_iso8601("2026-12-03T14:00:00Zjunk", &t));
    CHECK(!time_parse_iso8601("2026-02-30T14:00Z", &t));
    char out[26];
    time_format_local(base + 13 * 3600, out);
    CHECK_STR("2026-12-03T14:00:00+01:00", out);
}

static void
check_due(const char *request, const char *want_local)
{
    int64_t t;
    CHECK_MSG(time_parse_iso8601(request, &t), "cannot parse %s", request);
    char got[26];
    time_format_local(callback_due(t), got);
    CHECK_MSG(strcmp(got, want_local) == 0, "callback for %s: expected %s, got %s", request,
              want_local, got);
}

TEST(callback_due_is_end_of_next_working_day_across_dst)
{
    check_due("2026-12-03T14:00:00+01:00", "2026-12-04T23:59:59+01:00");
    /* Friday before the spring change: Monday, now in summer time. */
    check_due("2026-03-27T10:00:00+01:00", "2026-03-30T23:59:59+02:00");
    /* During the night of the change itself. */
    check_due("2026-03-29T00:30:00Z", "2026-03-30T23:59:59+02:00");
    /* Friday before the autumn change: Monday, back in standard time. */
    check_due("2026-10-23T16:00:00+02:00", "2026-10-26T23:59:59+01:00");
    check_due("2026-10-25T00:30:00Z", "2026-10-26T23:59:59+01:00");
    /* 23:30 UTC on a Thursday is already Friday in Stockholm. */
    check_due("2026-12-03T23:30:00Z", "2026-12-07T23:59:59+01:00");
    check_due("2026-12-23T09:00", "2026-12-28T23:59:59+01:00");
    int64_t t;
    CHECK(time_parse_iso8601("2026-10-23T16:00:00+02:00", &t));
    CHECK_INT(date_to_days(D(2026, 10, 26)) * 86400 + 22 * 3600 + 59 * 60 + 59, callback_due(t));
}

int
main(void)
{
    RUN(date_days_round_trip_and_weekdays_1900_to_2200);
    RUN(date_parse_iso_is_strict);
    RUN(easter_agrees_with_a_second_algorithm_1900_to_2200);
    RUN(holidays_2024_to_2030_match_reference_table);
    RUN(holidays_follow_the_law_every_year_1900_to_2200);
    RUN(next_workday_examples);
    RUN(next_workday_never_lands_on_a_non_working_day);
    RUN(stockholm_offsets_at_the_2026_changes);
    RUN(stockholm_time_matches_the_system_tzdata);
    RUN(iso8601_moments);
    RUN(callback_due_is_end_of_next_working_day_across_dst);
    return test_done();
}
