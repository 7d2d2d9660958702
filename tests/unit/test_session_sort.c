/* The order a person reads a list in (session_sort) and Översikt's figures (session_overview):
 * invoices overdue first, then by due date, paid last; cases with the latest event first;
 * visits soonest first with past ones after; and the next due date is never a past one. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "session.h"
#include "test.h"

#define F(field) RECORD_FIELD_INDEX(field)

/* Noon on 2 December 2026 in Stockholm: the clock of every test here. */
static int64_t
now(void)
{
    return tz_from_local((struct date){ 2026, 12, 2 }, 12, 0, 0);
}

static struct record
invoice(int64_t id, const char *due, int paid)
{
    struct record r = { .id = id };
    r.text[F(REC_INVOICE_DUE_DATE)] = due;
    r.text[F(REC_INVOICE_PAID)] = paid ? "1" : "0";
    r.num[F(REC_INVOICE_PAID)] = paid;
    r.num[F(REC_INVOICE_AMOUNT_ORE)] = 10000 * id;
    return r;
}

static void
ids(const struct store_rows *rows, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < rows->n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? " " : "",
                                 (long long)rows->rows[i].id);
}

TEST(invoices_overdue_first_then_by_due_date_paid_last)
{
    /* the store's order: as the issue found it (Oct paid, Nov overdue, Sep overdue, ...) */
    struct record r[] = {
        invoice(1, "2026-10-28", 1), invoice(2, "2026-11-28", 0), invoice(3, "2026-09-28", 0),
        invoice(4, "2026-12-30", 0), invoice(5, "2026-12-02", 0), invoice(6, "2026-11-28", 1),
    };
    struct store_rows rows = { STORE_KIND_INVOICE, sizeof(r) / sizeof(r[0]), r, NULL };
    session_sort(&rows, now());
    char got[64];
    ids(&rows, got, sizeof(got));
    /* overdue Sep, Nov; to pay: due today, Dec 30; paid: latest first */
    CHECK_MSG(strcmp(got, "3 2 5 4 6 1") == 0, "order %s", got);
}

TEST(cases_latest_event_first_visits_soonest_first)
{
    struct record c[3] = { { .id = 1 }, { .id = 2 }, { .id = 3 } };
    c[0].num[F(REC_CASE_UPDATED_AT)] = 100;
    c[1].num[F(REC_CASE_UPDATED_AT)] = 300;
    c[2].num[F(REC_CASE_UPDATED_AT)] = 200;
    struct store_rows cases = { STORE_KIND_CASE, 3, c, NULL };
    session_sort(&cases, now());
    char got[64];
    ids(&cases, got, sizeof(got));
    CHECK_MSG(strcmp(got, "2 3 1") == 0, "cases %s", got);

    int64_t t = now();
    struct record a[4] = { { .id = 1 }, { .id = 2 }, { .id = 3 }, { .id = 4 } };
    a[0].num[F(REC_APPOINTMENT_STARTS_AT)] = t - 86400;     /* yesterday */
    a[1].num[F(REC_APPOINTMENT_STARTS_AT)] = t + 7 * 86400; /* next week */
    a[2].num[F(REC_APPOINTMENT_STARTS_AT)] = t + 3600;      /* in an hour */
    a[3].num[F(REC_APPOINTMENT_STARTS_AT)] = t - 7 * 86400; /* last week */
    struct store_rows visits = { STORE_KIND_APPOINTMENT, 4, a, NULL };
    session_sort(&visits, t);
    ids(&visits, got, sizeof(got));
    CHECK_MSG(strcmp(got, "3 2 1 4") == 0, "visits %s", got);
}

TEST(the_next_due_date_is_never_a_past_one)
{
    struct record r[] = { invoice(1, "2026-09-28", 0), invoice(2, "2026-11-28", 0),
                          invoice(3, "2026-12-20", 0), invoice(4, "2026-12-10", 1) };
    struct model m = { 0 };
    m.invoices = (struct model_records){ RECORD_KIND_INVOICE, 4, r, false };
    struct model_overview o;
    session_overview(&m, "2026-12-02", now(), &o);
    CHECK_INT(3, o.unpaid_invoices);
    CHECK_INT(2, o.overdue_invoices);
    CHECK(o.next_due_date != NULL && strcmp(o.next_due_date, "2026-12-20") == 0);
    /* all overdue: no next due date at all, rather than a past one */
    m.invoices.n = 2;
    session_overview(&m, "2026-12-02", now(), &o);
    CHECK_INT(2, o.overdue_invoices);
    CHECK(o.next_due_date == NULL);
}

int
main(void)
{
    RUN(invoices_overdue_first_then_by_due_date_paid_last);
    RUN(cases_latest_event_first_visits_soonest_first);
    RUN(the_next_due_date_is_never_a_past_one);
    return test_done();
}
