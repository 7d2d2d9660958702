/* Demo and benchmark data that looks like a stadsdel: Swedish names, valid personnummer (and
 * some samordningsnummer), addresses in the right district, cases distributed like the call
 * statistics of the seeds (DOMAIN.md), invoices with valid OCR references, queue positions,
 * färdtjänst permits and visits, payouts, and general information. Deterministic for a seed and
 * the day it is seeded: dates are relative to that day, so that a demo always has invoices that
 * are overdue and visits still to come.
 *
 * The data must read true to someone who knows a case file: a case's status is its last event's,
 * reached along the path a case takes; events and visits happen in office hours on working days
 * in Stockholm time (stored as UTC); the demo people (the first four citizens of each district,
 * whom the BankID simulator offers) together show every state a citizen can meet. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "holidays.h"
#include "luhn.h"
#include "ocr.h"
#include "storage.h"
#include "taxonomy.h"

struct rng {
    uint64_t s;
};

static uint32_t
next(struct rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 11);
}

static int
pick(struct rng *r, int n)
{
    return (int)(next(r) % (uint32_t)n);
}

static const char *const given[] = { "Anna",  "Erik",  "Maria", "Karl",  "Fatima",  "Mohammed",
                                     "Eva",   "Lars",  "Sara",  "Ahmed", "Ingrid",  "Johan",
                                     "Aino",  "Matti", "Leila", "Omar",  "Kerstin", "Per",
                                     "Hodan", "Abdi",  "Britt", "Nils",  "Elin",    "Ali" };
static const char *const surnames[] = { "Andersson", "Johansson",  "Karlsson", "Nilsson",
                                        "Eriksson",  "Larsson",    "Olsson",   "Persson",
                                        "Svensson",  "Gustafsson", "Hassan",   "Mohamed",
                                        "Ali",       "Virtanen",   "Korhonen", "Lindqvist",
                                        "Berg",      "Åberg",      "Öberg",    "Ekström" };
/* A street and postcode in each district (taxonomy order), so an address matches its stadsdel. */
static const struct {
    const char *street, *area;
    int postcode;
} streets[DISTRICT_COUNT] = {
    [DISTRICT_BROMMA] = { "Drottningholmsvägen", "Bromma", 16731 },
    [DISTRICT_ENSKEDE_ARSTA] = { "Nynäsvägen", "Johanneshov", 12060 },
    [DISTRICT_FARSTA] = { "Farstavägen", "Farsta", 12347 },
    [DISTRICT_HAGERSTEN] = { "Hägerstensvägen", "Hägersten", 12654 },
    [DISTRICT_HASSELBY_VALLINGBY] = { "Vällingbyvägen", "Vällingby", 16265 },
    [DISTRICT_KATARINA_SOFIA] = { "Götgatan", "Stockholm", 11646 },
    [DISTRICT_KISTA] = { "Kistagången", "Kista", 16440 },
    [DISTRICT_KUNGSHOLMEN] = { "Fleminggatan", "Stockholm", 11226 },
    [DISTRICT_LILJEHOLMEN] = { "Liljeholmsvägen", "Stockholm", 11761 },
    [DISTRICT_MARIA_GAMLA_STAN] = { "Hornsgatan", "Stockholm", 11728 },
    [DISTRICT_NORRMALM] = { "Sveavägen", "Stockholm", 11359 },
    [DISTRICT_RINKEBY] = { "Rinkebysvängen", "Spånga", 16374 },
    [DISTRICT_SKARPNACK] = { "Skarpnäcks allé", "Skarpnäck", 12833 },
    [DISTRICT_SKARHOLMEN] = { "Skärholmsvägen", "Skärholmen", 12748 },
    [DISTRICT_SPANGA_TENSTA] = { "Tensta allé", "Spånga", 16364 },
    [DISTRICT_VANTOR] = { "Rågsvedsvägen", "Hägersten", 12465 },
    [DISTRICT_ALVSJO] = { "Älvsjövägen", "Älvsjö", 12533 },
    [DISTRICT_OSTERMALM] = { "Karlavägen", "Stockholm", 11449 },
};
static const char *const languages[] = {
    "sv", "sv", "sv", "sv", "sv", "sv", "en", "fi", "ar", "so"
};

/* Weights from Hässelby-Vällingby's half-year (DOMAIN.md), plus preschool queues. */
static const struct {
    enum case_type type;
    enum case_main main;
    int weight;
} case_mix[] = {
    { CASE_TYPE_HEMTJANST, CASE_MAIN_ALDREOMSORG, 1244 },
    { CASE_TYPE_BOENDE, CASE_MAIN_ALDREOMSORG, 380 },
    { CASE_TYPE_FAKTURAFRAGA, CASE_MAIN_OVRIGT, 343 },
    { CASE_TYPE_FARDTJANST, CASE_MAIN_FARDTJANST, 316 },
    { CASE_TYPE_FIXAREN, CASE_MAIN_ALDREOMSORG, 254 },
    { CASE_TYPE_LANDSTINGSFRAGA, CASE_MAIN_OVRIGT, 166 },
    { CASE_TYPE_TRYGGHETSLARM, CASE_MAIN_ALDREOMSORG, 104 },
    { CASE_TYPE_DAGVERKSAMHET, CASE_MAIN_ALDREOMSORG, 32 },
    { CASE_TYPE_RIKSFARDTJANST, CASE_MAIN_FARDTJANST, 26 },
    { CASE_TYPE_GOD_MAN, CASE_MAIN_OVRIGT, 25 },
    { CASE_TYPE_PERSONLIG_ASSISTANS, CASE_MAIN_OVRIGT, 18 },
    { CASE_TYPE_FORSKOLEPLATS, CASE_MAIN_FORSKOLA, 300 },
    { CASE_TYPE_EKONOMISKT_BISTAND, CASE_MAIN_EKONOMISKT_BISTAND, 200 },
};
enum status {
    ST_INKOMMEN,
    ST_HANDLAGGS,
    ST_KOMPLETTERING,
    ST_BESLUTAT,
    ST_AVSLUTAT,
    ST_COUNT,
};
static const char *const statuses[ST_COUNT] = { "inkommen", "handlaggs", "komplettering",
                                                "beslutat", "avslutat" };
static const char *const next_steps[ST_COUNT] = {
    "Handläggaren kontaktar dig",
    "Handläggaren utreder ärendet och kontaktar dig",
    "Skicka in de uppgifter handläggaren har begärt",
    "Läs beslutet. Du kan överklaga inom tre veckor",
    "Inget mer att göra",
};

/* The demo people of a district: the simulator offers the first four (bankid_sim.c). */
#define DEMO_PEOPLE 4

struct seed_job {
    struct cs_storage *st;
    struct rng *rng;
    long first, count;
    struct date today;               /* Stockholm, the day of seeding */
    int in_district[DISTRICT_COUNT]; /* citizens seeded so far in each district */
};

/* What a demo person has: their cases' statuses and types, their invoices (days from today to
 * the due date, and whether paid), a queue place (position, or 0: none), a färdtjänst visit
 * (working days from today, or 0: none), a payout. Together the four show every state. */
struct demo_case {
    enum status status;
    enum case_type type;
};
struct demo_invoice {
    int due_in_days;
    bool paid;
};
static const struct demo_profile {
    struct demo_case cases[3];
    int n_cases;
    struct demo_invoice invoices[4]; /* 4 at most: an invoice's number is 4 c + k */
    int n_invoices;
    int queue_position; /* 1: an offer is near */
    int visit_in_workdays;
    bool payout;
} demo_profiles[DEMO_PEOPLE] = {
    /* a requested completion, a decision to read, a closed case; two overdue invoices (the
     * demo pays the first: packaging/demo.sh), one to pay later and a paid one; nothing else
     * (empty queue, färdtjänst and payout pages) */
    { { { ST_KOMPLETTERING, CASE_TYPE_HEMTJANST },
        { ST_BESLUTAT, CASE_TYPE_BOENDE },
        { ST_AVSLUTAT, CASE_TYPE_FAKTURAFRAGA } },
      3,
      { { -19, false }, { -5, false }, { 16, false }, { -45, true } },
      4,
      0,
      0,
      false },
    /* a färdtjänst case being processed with a visit within the week, a preschool application
     * received and a queue place with an offer near; a paid invoice */
    { { { ST_HANDLAGGS, CASE_TYPE_FARDTJANST }, { ST_INKOMMEN, CASE_TYPE_FORSKOLEPLATS } },
      2,
      { { -12, true } },
      1,
      1,
      3,
      false },
    /* income support decided, with its payout; two overdue invoices; a queue place far back */
    { { { ST_BESLUTAT, CASE_TYPE_EKONOMISKT_BISTAND } },
      1,
      { { -33, false }, { -3, false } },
      2,
      14,
      0,
      true },
    /* a färdtjänst case waiting for a completion, a visit in two weeks; an invoice to pay */
    { { { ST_KOMPLETTERING, CASE_TYPE_FARDTJANST }, { ST_AVSLUTAT, CASE_TYPE_TRYGGHETSLARM } },
      2,
      { { 9, false } },
      1,
      0,
      10,
      false },
};

/* The main area a case type belongs to (case_mix). */
static enum case_main
main_of(enum case_type t)
{
    for (size_t i = 0; i < ARRAY_LEN(case_mix); i++) {
        if (case_mix[i].type == t)
            return case_mix[i].main;
    }
    return CASE_MAIN_OVRIGT;
}

/* A working day n working days before (n < 0) or after d. */
static struct date
workdays_from(struct date d, int n)
{
    int step = n < 0 ? -1 : 1;
    for (int left = n < 0 ? -n : n; left > 0;) {
        d = date_add_days(d, step);
        left -= cal_is_workday(d);
    }
    return cal_is_workday(d) ? d : cal_next_workday(d);
}

/* UTC seconds of a time in office hours (08.00-16.55, on the quarter hour for visits) on d, in
 * Stockholm time. */
static int64_t
office_time(struct rng *r, struct date d, bool on_the_quarter)
{
    int hour = 8 + pick(r, 9);
    int minute = on_the_quarter ? 15 * pick(r, 4) : pick(r, 60);
    return tz_from_local(d, hour, minute, 0);
}

/* The statuses a case passed through to reach `to` (at most 6): received, processed, a
 * completion requested and given (when `completion`), decided, closed. */
static int
status_path(enum status to, bool completion, enum status out[6])
{
    int n = 0;
    out[n++] = ST_INKOMMEN;
    if (to == ST_INKOMMEN)
        return n;
    out[n++] = ST_HANDLAGGS;
    if (to == ST_HANDLAGGS)
        return n;
    if (to == ST_KOMPLETTERING || completion) {
        out[n++] = ST_KOMPLETTERING;
        if (to == ST_KOMPLETTERING)
            return n;
        out[n++] = ST_HANDLAGGS;
    }
    out[n++] = ST_BESLUTAT;
    if (to == ST_AVSLUTAT)
        out[n++] = ST_AVSLUTAT;
    return n;
}

/* A case with its history: the events of its path, the last one a few working days before
 * today and each earlier one a few working days before the next, all in office hours. */
static enum cs_result
put_case(struct seed_job *j, const char *cid, long c, int k, const char *district,
         enum case_type type_id, enum status status)
{
    struct rng *r = j->rng;
    enum status path[6];
    int n = status_path(status, pick(r, 3) == 0, path);
    struct date days[6];
    days[n - 1] = workdays_from(j->today, -(1 + pick(r, status == ST_AVSLUTAT ? 60 : 15)));
    for (int e = n - 2; e >= 0; e--)
        days[e] = workdays_from(days[e + 1], -(2 + pick(r, 12)));
    char kid[48], number[48], received[11];
    snprintf(kid, sizeof(kid), "case-%ld-%d", c, k);
    snprintf(number, sizeof(number), "%.2s-%04d-%06ld", district, days[0].year, c * 5 + k);
    for (char *p = number; *p && *p != '-'; p++)
        *p = (char)(*p - 32);
    date_format_iso(days[0], received);
    const struct tax_entry *type = taxonomy_entry(TAX_TYPE, type_id);
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "case_number",
                          number, "main", taxonomy_entry(TAX_MAIN, main_of(type_id))->code, "type",
                          type->code, "class", "ny_ansokan", "status", statuses[status], "district",
                          district, "handlaggare", "Karin Lind", "title", type->name_sv,
                          "received_on", received, "next_step", next_steps[status]);
    if (status >= ST_BESLUTAT)
        json_object_set_new(f, "decision", json_string("Beviljad"));
    enum cs_result res = cs_record_put(j->st, "case", kid, cid, NULL, district, f);
    json_decref(f);
    for (int e = 0; e < n && res == CS_OK; e++) {
        char eid[64];
        snprintf(eid, sizeof(eid), "%s-ev%d", kid, e);
        f = json_pack("{s:I, s:s}", "at", (json_int_t)office_time(r, days[e], false), "status",
                      statuses[path[e]]);
        res = cs_record_put(j->st, "case_event", eid, cid, kid, district, f);
        json_decref(f);
    }
    return res;
}

/* An invoice (fees for elder care, preschool) due due_in_days from today: OCR with a length
 * digit; a paid one says when. */
static enum cs_result
put_invoice(struct seed_job *j, const char *cid, long c, int k, const char *district,
            int due_in_days, bool paid)
{
    struct rng *r = j->rng;
    char iid[48], base[32], ocr[OCR_MAX_LEN + 1], number[24], due[11], issued[11], paid_on[11];
    snprintf(iid, sizeof(iid), "inv-%ld-%d", c, k);
    snprintf(number, sizeof(number), "%ld", 7000000 + c * 4 + k);
    snprintf(base, sizeof(base), "4711%ld", c * 4 + k);
    (void)!ocr_make(base, true, ocr);
    struct date due_d = date_add_days(j->today, due_in_days);
    date_format_iso(due_d, due);
    date_format_iso(date_add_days(due_d, -30), issued);
    /* paid a few days before it was due, and never after today */
    struct date paid_d = date_add_days(due_d, -pick(r, 8));
    date_format_iso(date_compare(paid_d, j->today) > 0 ? j->today : paid_d, paid_on);
    json_t *f =
        json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "number", number, "issuer",
                  "Stockholms stad", "description", "Avgift hemtjänst", "amount_ore",
                  (json_int_t)(10000 + pick(r, 400000)), "invoice_date", issued, "due_date", due,
                  "ocr", ocr, "bankgiro", "5050-1055", "paid", (json_int_t)paid);
    if (paid)
        json_object_set_new(f, "paid_on", json_string(paid_on));
    enum cs_result res = cs_record_put(j->st, "invoice", iid, cid, NULL, district, f);
    json_decref(f);
    return res;
}

static enum cs_result
put_queue_entry(struct seed_job *j, const char *cid, long c, const char *district, int position,
                const char *child)
{
    struct rng *r = j->rng;
    char qid[32], registered[11], offer[11];
    snprintf(qid, sizeof(qid), "q-%ld", c);
    int of = position + pick(r, 80);
    date_format_iso(date_add_days(j->today, -(60 + pick(r, 200))), registered);
    /* the nearer the front, the sooner the offer: about a week a place */
    date_format_iso(date_add_days(j->today, 7 * position + pick(r, 14)), offer);
    json_t *f = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "queue", "forskola", "unit",
                          "Förskolan Ugglan", "position", (json_int_t)position, "of_total",
                          (json_int_t)of, "registered_on", registered, "expected_offer", offer);
    if (child != NULL)
        json_object_set_new(f, "child_name", json_string(child));
    enum cs_result res = cs_record_put(j->st, "queue_entry", qid, cid, NULL, district, f);
    json_decref(f);
    return res;
}

/* A färdtjänst permit for the year to come and an assessment visit at home, in office hours
 * on a working day (in_workdays from today). */
static enum cs_result
put_fardtjanst(struct seed_job *j, const char *cid, long c, const char *district, int in_workdays)
{
    char pid[32], aid[32], from[11], to[11];
    snprintf(pid, sizeof(pid), "pm-%ld", c);
    struct date start = date_add_days(j->today, -pick(j->rng, 300));
    date_format_iso(start, from);
    date_format_iso(date_add_days(start, 364), to);
    json_t *f =
        json_pack("{s:s, s:s, s:s}", "kind", "fardtjanst", "valid_from", from, "valid_to", to);
    enum cs_result res = cs_record_put(j->st, "permit", pid, cid, NULL, district, f);
    json_decref(f);
    snprintf(aid, sizeof(aid), "ap-%ld", c);
    f = json_pack("{s:I, s:s, s:s, s:s}", "starts_at",
                  (json_int_t)office_time(j->rng, workdays_from(j->today, in_workdays), true),
                  "place", "Hembesök", "handlaggare", "Karin Lind", "purpose",
                  "Utredning av färdtjänst");
    if (res == CS_OK)
        res = cs_record_put(j->st, "appointment", aid, cid, NULL, district, f);
    json_decref(f);
    return res;
}

/* Income support decided last month, paid out on a working day this month or next. */
static enum cs_result
put_payout(struct seed_job *j, const char *cid, long c, const char *district)
{
    static const char *const months[] = { "januari",   "februari", "mars",     "april",
                                          "maj",       "juni",     "juli",     "augusti",
                                          "september", "oktober",  "november", "december" };
    char oid[32], decided[11], pay[11], period[48];
    snprintf(oid, sizeof(oid), "po-%ld", c);
    struct date pay_d = workdays_from(j->today, 2 + pick(j->rng, 15));
    date_format_iso(pay_d, pay);
    date_format_iso(workdays_from(pay_d, -(10 + pick(j->rng, 10))), decided);
    snprintf(period, sizeof(period), "%s %d", months[pay_d.month - 1], pay_d.year);
    json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "handlaggare", "Jonas Ek", "decision",
                          "Beviljat ekonomiskt bistånd", "decided_on", decided, "amount_ore",
                          (json_int_t)(500000 + pick(j->rng, 800000)), "payout_date", pay, "period",
                          period);
    enum cs_result res = cs_record_put(j->st, "payout", oid, cid, NULL, district, f);
    json_decref(f);
    return res;
}

/* A personnummer unique to citizen number c: the birth date walks the years 1925-2020 in a
 * scrambled order and the serial counts how often a date was used, so no two citizens share a
 * number however many are seeded (up to 35 million). Some are samordningsnummer. A demo person
 * is an adult, born 1945-1989, with the serial 999, which no other citizen gets. */
static void
make_pnr(struct rng *r, long c, bool demo, char out[13], int *birth_year)
{
    const int64_t first = date_to_days((struct date){ 1925, 1, 1 });
    const int64_t span = date_to_days((struct date){ 2020, 12, 31 }) - first + 1;
    const int64_t adult_first = date_to_days((struct date){ 1945, 1, 1 }), adult_span = 45 * 365;
    struct date d = demo ? date_from_days(adult_first + (int64_t)((c * 7919L) % adult_span))
                         : date_from_days(first + (int64_t)((c * 7919L) % span));
    int serial = demo ? 999 : 1 + (int)((c / span) % 998);
    bool samordning = pick(r, 40) == 0;
    char body[24], full[40];
    snprintf(body, sizeof(body), "%02d%02d%02d%03d", d.year % 100, d.month % 100,
             (d.day + (samordning ? 60 : 0)) % 100, serial % 1000);
    snprintf(full, sizeof(full), "%02d%.9s%d", (d.year / 100) % 100, body,
             luhn_check_digit(body, 9));
    memcpy(out, full, 12);
    out[12] = '\0';
    *birth_year = d.year;
}

static enum cs_result
seed_batch(void *data)
{
    struct seed_job *j = data;
    struct rng *r = j->rng;
    enum cs_result res = CS_OK;
    for (long c = j->first; c < j->first + j->count && res == CS_OK; c++) {
        char cid[32], pnr[13];
        int birth_year;
        snprintf(cid, sizeof(cid), "cit-%ld", c);
        size_t di = (size_t)pick(r, DISTRICT_COUNT);
        int demo = j->in_district[di]++;
        make_pnr(r, c, demo < DEMO_PEOPLE, pnr, &birth_year);
        const char *district = taxonomy_entry(TAX_DISTRICT, di)->code;
        char address[96], phone[16];
        snprintf(address, sizeof(address), "%s %d, %03d %02d %s", streets[di].street,
                 1 + pick(r, 120), streets[di].postcode / 100, streets[di].postcode % 100,
                 streets[di].area);
        snprintf(phone, sizeof(phone), "+467%d%07d", (int[]){ 0, 2, 3, 6 }[pick(r, 4)],
                 pick(r, 10000000));
        json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "pnr", pnr, "given_name",
                              given[pick(r, ARRAY_LEN(given))], "surname",
                              surnames[pick(r, ARRAY_LEN(surnames))], "language",
                              languages[pick(r, ARRAY_LEN(languages))], "phone", phone, "address",
                              address, "district", district);
        res = cs_record_put(j->st, "citizen", cid, NULL, NULL, district, f);
        json_decref(f);

        if (demo < DEMO_PEOPLE) {
            /* a demo person: their profile, not chance */
            const struct demo_profile *p = &demo_profiles[demo];
            for (int k = 0; k < p->n_cases && res == CS_OK; k++)
                res = put_case(j, cid, c, k, district, p->cases[k].type, p->cases[k].status);
            for (int k = 0; k < p->n_invoices && res == CS_OK; k++)
                res = put_invoice(j, cid, c, k, district, p->invoices[k].due_in_days,
                                  p->invoices[k].paid);
            if (p->queue_position > 0 && res == CS_OK)
                res = put_queue_entry(j, cid, c, district, p->queue_position,
                                      demo == 1 ? "Alva" : "Leo");
            if (p->visit_in_workdays > 0 && res == CS_OK)
                res = put_fardtjanst(j, cid, c, district, p->visit_in_workdays);
            if (p->payout && res == CS_OK)
                res = put_payout(j, cid, c, district);
            continue;
        }

        int total = 0;
        for (size_t i = 0; i < ARRAY_LEN(case_mix); i++)
            total += case_mix[i].weight;
        int n_cases = pick(r, 5);
        bool fardtjanst = false;
        for (int k = 0; k < n_cases && res == CS_OK; k++) {
            int w = pick(r, total);
            size_t m = 0;
            while (w >= case_mix[m].weight)
                w -= case_mix[m++].weight;
            fardtjanst = fardtjanst || case_mix[m].main == CASE_MAIN_FARDTJANST;
            res =
                put_case(j, cid, c, k, district, case_mix[m].type, (enum status)pick(r, ST_COUNT));
        }
        /* Invoices: most due within the last three months or the next month; a third paid. */
        int n_inv = pick(r, 4);
        for (int k = 0; k < n_inv && res == CS_OK; k++) {
            int due_in = 30 - pick(r, 120);
            res = put_invoice(j, cid, c, k, district, due_in,
                              due_in < 0 ? pick(r, 3) != 0 : pick(r, 3) == 0);
        }
        if (birth_year >= 2020 && res == CS_OK)
            res = put_queue_entry(j, cid, c, district, 1 + pick(r, 80), NULL);
        if (fardtjanst && res == CS_OK)
            res = put_fardtjanst(j, cid, c, district, 1 + pick(r, 40));
        if (pick(r, 20) == 0 && res == CS_OK)
            res = put_payout(j, cid, c, district);
    }
    return res;
}

static const struct {
    const char *id, *area, *lang, *title, *body;
} articles[] = {
    { "art-fardtjanst-sv", "fardtjanst", "sv", "Så ansöker du om färdtjänst",
      "Du ansöker hos Trafikförvaltningen. En handläggare gör ett hembesök." },
    { "art-fardtjanst-en", "fardtjanst", "en", "How to apply for mobility service",
      "You apply to the transport administration. An officer visits you at home." },
    { "art-bistand-sv", "ekonomiskt_bistand", "sv", "Riksnormen för ekonomiskt bistånd",
      "Riksnormen bestäms av regeringen varje år." },
    { "art-hemtjanst-sv", "aldreomsorg", "sv", "Avgifter inom äldreomsorgen",
      "Avgiften beror på din inkomst och vilka insatser du har." },
    { "art-eu-sv", "ovrigt", "sv", "EU-medborgares uppehållsrätt",
      "EU-medborgare har uppehållsrätt i tre månader." },
};

static enum cs_result
seed_shared(void *data)
{
    struct cs_storage *st = data;
    enum cs_result res = CS_OK;
    for (size_t i = 0; i < ARRAY_LEN(articles) && res == CS_OK; i++) {
        json_t *f =
            json_pack("{s:s, s:s, s:s, s:s}", "area", articles[i].area, "lang", articles[i].lang,
                      "title", articles[i].title, "body", articles[i].body);
        res = cs_record_put(st, "article", articles[i].id, NULL, NULL, "*", f);
        json_decref(f);
    }
    for (size_t d = 0; d < DISTRICT_COUNT && res == CS_OK; d++) {
        const struct tax_entry *e = taxonomy_entry(TAX_DISTRICT, d);
        char id[48], name[80];
        snprintf(id, sizeof(id), "unit-mbk-%s", e->code);
        snprintf(name, sizeof(name), "%s medborgarkontor", e->name_sv);
        json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "district", e->code, "name", name, "kind",
                              "medborgarkontor", "phone", "08-508 00 508");
        res = cs_record_put(st, "unit", id, NULL, NULL, "*", f);
        json_decref(f);
    }
    return res;
}

enum cs_result
cs_seed(struct cs_storage *st, long n, unsigned seed, bool progress, struct errbuf *err)
{
    struct rng r = { (uint64_t)seed * 0x9E3779B97F4A7C15ull + 1 };
    enum cs_result res = cs_transaction(st, seed_shared, st);
    struct seed_job j = { .st = st, .rng = &r, .today = date_today_stockholm() };
    for (long first = 0; first < n && res == CS_OK; first += 1000) {
        j.first = first;
        j.count = n - first < 1000 ? n - first : 1000;
        res = cs_transaction(st, seed_batch, &j);
        if (progress)
            fprintf(stderr, "\rseeding: %ld of %ld citizens", first + j.count, n);
    }
    if (progress)
        fprintf(stderr, "\n");
    if (res != CS_OK)
        err_set(err, "seeding failed");
    return res;
}
