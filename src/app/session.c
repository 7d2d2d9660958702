/* The session object and the citizen's mode. A session is created when someone identifies and
 * destroyed as a unit at logout: its memory is guarded (sodium_malloc) and wiped when freed, and
 * everything decrypted for it hangs off it, so ending it is one call. */
#include "session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "kiosk.h"
#include "pnr.h"

#define LOG_MODULE "session"
#include "log.h"

/* The mode's state follows the session in the same allocation, aligned for anything. */
#define STATE_OFFSET ((sizeof(struct session) + 15) / 16 * 16)

struct session *
session_create(struct kiosk *k, const struct session_mode *mode, const struct bankid_user *u,
               const char *staff_id)
{
    xassert(k->session == NULL);
    /* sodium_malloc puts the end of the block at its guard page: a size that is a multiple of
     * 16 keeps the start (and so the mode's state) aligned. */
    size_t size = (STATE_OFFSET + mode->state_size + 15) / 16 * 16;
    struct session *s = sodium_malloc(size);
    xassert(s != NULL);
    memset(s, 0, size);
    s->mode = mode;
    s->mode_state = mode->state_size > 0 ? (unsigned char *)s + STATE_OFFSET : NULL;
    snprintf(s->pnr12, sizeof(s->pnr12), "%s", u->personal_number);
    snprintf(s->given_name, sizeof(s->given_name), "%s", u->given_name);
    snprintf(s->surname, sizeof(s->surname), "%s", u->surname);
    snprintf(s->staff_id, sizeof(s->staff_id), "%s", staff_id);
    k->session = s;
    k->m->signed_in = true;
    k->m->role = mode->role;
    k->last_input_ms = kiosk_now_ms(k);
    LOG_INFO("%s session began", mode->name);
    mode->begin(k, s, u);
    return s;
}

void
session_forget_citizen(struct kiosk *k, struct session *s)
{
    for (size_t i = 0; i < STORE_KIND_COUNT; i++) {
        store_rows_free(s->rows[i]);
        s->rows[i] = NULL;
    }
    store_rows_free(s->events);
    store_rows_free(s->documents);
    s->events = s->documents = NULL;
    memset(s->read_failed, 0, sizeof(s->read_failed));
    qr_matrix_free(&s->payqr);
    memset(&s->payqr, 0, sizeof(s->payqr));
    s->citizen_id = 0;
    struct model *m = k->m;
    struct model_records *views[] = { &m->cases,    &m->events,  &m->documents,    &m->queues,
                                      &m->invoices, &m->permits, &m->appointments, &m->payouts };
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
        memset(views[i], 0, sizeof(*views[i]));
    memset(&m->ov, 0, sizeof(m->ov));
    m->payqr = NULL;
    m->payqr_size = 0;
}

void
session_destroy(struct kiosk *k, struct session *s)
{
    if (s == NULL)
        return;
    if (s->mode->end != NULL)
        s->mode->end(k, s);
    session_forget_citizen(k, s);
    if (k->session == s)
        k->session = NULL;
    sodium_free(s); /* wipes it: names, personnummer, the mode's state */
}

/* --- The order a person reads a list in --------------------------------------------------- */

/* An invoice's place: the overdue ones first (a person's first question is what is late), then
 * those still to pay, the paid ones last. */
static int
invoice_rank(const struct record *r, const char *today)
{
    if (r->num[RECORD_FIELD_INDEX(REC_INVOICE_PAID)] != 0)
        return 2;
    const char *due = r->text[RECORD_FIELD_INDEX(REC_INVOICE_DUE_DATE)];
    return due != NULL && strcmp(due, today) < 0 ? 0 : 1;
}

static int
cmp_text(const char *a, const char *b)
{
    return a == NULL ? (b == NULL ? 0 : 1) : b == NULL ? -1 : strcmp(a, b);
}

static int
cmp_num(long long a, long long b)
{
    return (a > b) - (a < b);
}

/* Negative when a comes before b in the list a person reads. */
static int
cmp_rows(enum store_kind kind, const struct record *a, const struct record *b, const char *today,
         int64_t now)
{
    int c = 0;
    switch (kind) {
    case STORE_KIND_INVOICE: {
        int ra = invoice_rank(a, today), rb = invoice_rank(b, today);
        int due = RECORD_FIELD_INDEX(REC_INVOICE_DUE_DATE);
        c = ra != rb  ? ra - rb
            : ra == 2 ? -cmp_text(a->text[due], b->text[due]) /* paid: the latest first */
                      : cmp_text(a->text[due], b->text[due]); /* to pay: the soonest due first */
        break;
    }
    case STORE_KIND_CASE: /* what happened last first */
        c = -cmp_num(a->num[RECORD_FIELD_INDEX(REC_CASE_UPDATED_AT)],
                     b->num[RECORD_FIELD_INDEX(REC_CASE_UPDATED_AT)]);
        break;
    case STORE_KIND_APPOINTMENT: { /* the soonest coming visit first, past ones after */
        long long ta = a->num[RECORD_FIELD_INDEX(REC_APPOINTMENT_STARTS_AT)],
                  tb = b->num[RECORD_FIELD_INDEX(REC_APPOINTMENT_STARTS_AT)];
        bool pa = ta < now, pb = tb < now;
        c = pa != pb ? (pa ? 1 : -1) : pa ? -cmp_num(ta, tb) : cmp_num(ta, tb);
        break;
    }
    case STORE_KIND_PAYOUT: /* the latest payout first */
        c = -cmp_text(a->text[RECORD_FIELD_INDEX(REC_PAYOUT_PAYOUT_DATE)],
                      b->text[RECORD_FIELD_INDEX(REC_PAYOUT_PAYOUT_DATE)]);
        break;
    case STORE_KIND_QUEUE_ENTRY: /* the nearest place first */
        c = cmp_num(a->num[RECORD_FIELD_INDEX(REC_QUEUE_ENTRY_POSITION)],
                    b->num[RECORD_FIELD_INDEX(REC_QUEUE_ENTRY_POSITION)]);
        break;
    default:
        break;
    }
    return c != 0 ? c : cmp_num(a->id, b->id); /* stable: the store's order */
}

void
session_sort(struct store_rows *rows, int64_t now)
{
    if (rows == NULL)
        return;
    struct local_time lt;
    tz_to_local(now, &lt);
    char today[11];
    date_format_iso(lt.date, today);
    /* insertion sort: a person's rows are few, and it needs no context pointer */
    for (size_t i = 1; i < rows->n; i++) {
        struct record r = rows->rows[i];
        size_t j = i;
        for (; j > 0 && cmp_rows(rows->kind, &r, &rows->rows[j - 1], today, now) < 0; j--)
            rows->rows[j] = rows->rows[j - 1];
        rows->rows[j] = r;
    }
}

/* Reads rows of a kind (of a case when parent_id is set) for the session's citizen into *out,
 * replacing what was there, if the mode may, in the order a person reads them. A read the store
 * refuses (an I/O error, a record whose ciphertext was altered) is remembered in
 * s->read_failed[kind], so that the screen says so instead of showing an empty list. */
static bool
read_rows(struct kiosk *k, struct session *s, enum store_kind kind, int64_t parent_id,
          struct store_rows **out)
{
    store_rows_free(*out);
    *out = NULL;
    s->read_failed[kind] = false;
    if (k->ks.store == NULL || s->citizen_id == 0 || !s->mode->may_read(k, s, kind))
        return false;
    struct store_actor actor = s->mode->actor(k, s);
    enum store_error e = store_list(k->ks.store, &actor, kind, s->citizen_id, parent_id, out);
    if (e != STORE_OK) {
        LOG_WARN("cannot read %s rows: %s", store_kind(kind)->name, store_error_code(e));
        s->read_failed[kind] = true;
        return false;
    }
    session_sort(*out, kiosk_now_utc(k));
    return true;
}

bool
session_load(struct kiosk *k, struct session *s, enum store_kind kind)
{
    return read_rows(k, s, kind, 0, &s->rows[kind]);
}

bool
session_load_case(struct kiosk *k, struct session *s, int64_t case_id)
{
    if (case_id == 0) {
        store_rows_free(s->events);
        store_rows_free(s->documents);
        s->events = s->documents = NULL;
        return false;
    }
    bool events = read_rows(k, s, STORE_KIND_CASE_EVENT, case_id, &s->events);
    bool documents = read_rows(k, s, STORE_KIND_CASE_DOCUMENT, case_id, &s->documents);
    return events && documents;
}

/* --- Översikt ----------------------------------------------------------------------------- */

void
session_overview(const struct model *m, const char *today, int64_t now, struct model_overview *o)
{
    memset(o, 0, sizeof(*o));
    const struct model_records *l = &m->cases;
    o->cases_total = (int)l->n;
    for (size_t i = 0; i < l->n; i++) {
        const char *st = model_text(l, i, REC_CASE_STATUS);
        o->open_cases += st != NULL && strcmp(st, "avslutat") != 0;
    }
    l = &m->invoices;
    for (size_t i = 0; i < l->n; i++) {
        if (model_num(l, i, REC_INVOICE_PAID))
            continue;
        o->unpaid_invoices++;
        o->unpaid_total_ore += model_num(l, i, REC_INVOICE_AMOUNT_ORE);
        const char *d = model_text(l, i, REC_INVOICE_DUE_DATE);
        if (d != NULL && strcmp(d, today) < 0)
            o->overdue_invoices++;
        /* the next due date is one still to come: a past one is overdue, never "next" */
        if (d != NULL && strcmp(d, today) >= 0 &&
            (o->next_due_date == NULL || strcmp(d, o->next_due_date) < 0))
            o->next_due_date = d;
    }
    l = &m->queues;
    o->queue_entries = (int)l->n;
    for (size_t i = 0; i < l->n; i++) {
        long long pos = model_num(l, i, REC_QUEUE_ENTRY_POSITION);
        if (o->best_queue_position == 0 || pos < o->best_queue_position)
            o->best_queue_position = (int)pos;
    }
    l = &m->appointments;
    for (size_t i = 0; i < l->n; i++) {
        int64_t t = (int64_t)model_num(l, i, REC_APPOINTMENT_STARTS_AT);
        if (t >= now && (o->next_appointment_at == 0 || t < o->next_appointment_at)) {
            o->next_appointment_at = t;
            o->next_appointment_place = model_text(l, i, REC_APPOINTMENT_PLACE);
        }
    }
    l = &m->permits;
    for (size_t i = 0; i < l->n; i++) {
        const char *v = model_text(l, i, REC_PERMIT_VALID_TO);
        if (v != NULL && (o->permit_valid_to == NULL || strcmp(v, o->permit_valid_to) > 0))
            o->permit_valid_to = v;
    }
    l = &m->payouts;
    for (size_t i = 0; i < l->n; i++) {
        const char *d = model_text(l, i, REC_PAYOUT_PAYOUT_DATE);
        if (d != NULL && strcmp(d, today) >= 0 &&
            (o->next_payout_date == NULL || strcmp(d, o->next_payout_date) < 0)) {
            o->next_payout_date = d;
            o->next_payout_ore = model_num(l, i, REC_PAYOUT_AMOUNT_ORE);
        }
    }
}

/* --- The citizen's mode ------------------------------------------------------------------- */

/* Finds the person in the cache, reads each personal table once (decrypted and audit-logged
 * once) and computes Översikt from those rows. */
static void
citizen_begin(struct kiosk *k, struct session *s, const struct bankid_user *u)
{
    struct model *m = k->m;
    m->given_name = s->given_name;
    m->surname = s->surname;
    struct pnr p;
    struct date today = date_today_stockholm();
    if (pnr_parse(s->pnr12, today, 0, &p) == PNR_OK) {
        pnr_format(&p, PNR_STYLE_MASKED, today, m->pnr_masked);
        pnr_format(&p, PNR_STYLE_LONG, today, m->pnr_shown);
    }
    sodium_memzero(&p, sizeof(p));
    enum store_error found = k->ks.store != NULL
                                 ? store_citizen_find(k->ks.store, s->pnr12, &s->citizen_id)
                                 : STORE_ERR_NOT_FOUND;
    if (found == STORE_OK) {
        static const enum store_kind kinds[] = { STORE_KIND_CASE,        STORE_KIND_QUEUE_ENTRY,
                                                 STORE_KIND_INVOICE,     STORE_KIND_PERMIT,
                                                 STORE_KIND_APPOINTMENT, STORE_KIND_PAYOUT };
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
            (void)session_load(k, s, kinds[i]);
    } else {
        s->citizen_id = 0;
        if (found == STORE_ERR_NOT_FOUND) {
            LOG_INFO("identified person has no data on this kiosk");
        } else { /* the person may have data we cannot read: say so, not "you have none" */
            LOG_WARN("cannot look the identified person up: %s", store_error_code(found));
            for (size_t i = 0; i < STORE_KIND_COUNT; i++)
                s->read_failed[i] = true;
        }
    }
    kiosk_records_from(&m->cases, s->rows[STORE_KIND_CASE]);
    kiosk_records_from(&m->queues, s->rows[STORE_KIND_QUEUE_ENTRY]);
    kiosk_records_from(&m->invoices, s->rows[STORE_KIND_INVOICE]);
    kiosk_records_from(&m->permits, s->rows[STORE_KIND_PERMIT]);
    kiosk_records_from(&m->appointments, s->rows[STORE_KIND_APPOINTMENT]);
    kiosk_records_from(&m->payouts, s->rows[STORE_KIND_PAYOUT]);
    m->cases.failed = s->read_failed[STORE_KIND_CASE];
    m->queues.failed = s->read_failed[STORE_KIND_QUEUE_ENTRY];
    m->invoices.failed = s->read_failed[STORE_KIND_INVOICE];
    m->permits.failed = s->read_failed[STORE_KIND_PERMIT];
    m->appointments.failed = s->read_failed[STORE_KIND_APPOINTMENT];
    m->payouts.failed = s->read_failed[STORE_KIND_PAYOUT];
    char iso[11];
    date_format_iso(today, iso);
    session_overview(m, iso, kiosk_now_utc(k), &m->ov);
    kiosk_go(k, SCREEN_OVERVIEW);
}

static struct store_actor
citizen_actor(const struct kiosk *k, const struct session *s)
{
    return (struct store_actor){ STORE_SESSION_CITIZEN, NULL, NULL };
}

static bool
citizen_may_read(const struct kiosk *k, const struct session *s, enum store_kind kind)
{
    return true; /* their own data, all of it */
}

static bool
citizen_may_submit(const struct kiosk *k, const struct session *s, const char **err)
{
    return true;
}

const struct session_mode session_citizen = {
    .name = "citizen",
    .role = MODEL_ROLE_CITIZEN,
    .home = SCREEN_OVERVIEW,
    .begin = citizen_begin,
    .actor = citizen_actor,
    .may_read = citizen_may_read,
    .may_submit = citizen_may_submit,
};
