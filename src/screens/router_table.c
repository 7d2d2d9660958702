/* The table the router knows. */
#include "screens.h"

extern const struct screen_impl screen_start, screen_identify, screen_overview, screen_cases,
    screen_case, screen_queues, screen_invoices, screen_invoice, screen_fardtjanst, screen_payouts,
    screen_callback, screen_info, screen_apply, screen_wizard;

static const struct screen_impl *const table[SCREEN_COUNT] = {
    [SCREEN_START] = &screen_start,
    [SCREEN_IDENTIFY] = &screen_identify,
    [SCREEN_OVERVIEW] = &screen_overview,
    [SCREEN_CASES] = &screen_cases,
    [SCREEN_CASE] = &screen_case,
    [SCREEN_QUEUES] = &screen_queues,
    [SCREEN_INVOICES] = &screen_invoices,
    [SCREEN_INVOICE] = &screen_invoice,
    [SCREEN_FARDTJANST] = &screen_fardtjanst,
    [SCREEN_PAYOUTS] = &screen_payouts,
    [SCREEN_CALLBACK] = &screen_callback,
    [SCREEN_INFO] = &screen_info,
    [SCREEN_APPLY] = &screen_apply,
    [SCREEN_WIZARD] = &screen_wizard,
};

const struct screen_impl *
screen_impl(enum screen_id id)
{
    return id < SCREEN_COUNT ? table[id] : table[SCREEN_START];
}
