/* The table the router knows. */
#include "screens.h"

extern const struct screen_impl screen_start, screen_identify, screen_overview, screen_cases,
    screen_case, screen_queues, screen_invoices, screen_invoice, screen_fardtjanst, screen_payouts,
    screen_callback, screen_info, screen_apply, screen_wizard, screen_technician, screen_touch_test,
    screen_staff, screen_staff_citizen, screen_staff_reason, screen_staff_registrations;

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
    [SCREEN_TECHNICIAN] = &screen_technician,
    [SCREEN_TOUCH_TEST] = &screen_touch_test,
    [SCREEN_STAFF] = &screen_staff,
    [SCREEN_STAFF_CITIZEN] = &screen_staff_citizen,
    [SCREEN_STAFF_REASON] = &screen_staff_reason,
    [SCREEN_STAFF_REGISTRATIONS] = &screen_staff_registrations,
};

const struct screen_impl *
screen_impl(enum screen_id id)
{
    return id < SCREEN_COUNT ? table[id] : table[SCREEN_START];
}
