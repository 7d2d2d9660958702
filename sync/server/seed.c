/* Demo and benchmark data that looks like a stadsdel: Swedish names, valid personnummer (and
 * some samordningsnummer), addresses in the right district, cases distributed like the call
 * statistics of the seeds (DOMAIN.md), invoices with valid OCR references, queue positions,
 * färdtjänst permits and visits, payouts, and general information. Deterministic for a seed. */
#include <stdio.h>
#include <string.h>

#include "date.h"
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
static const char *const statuses[] = { "inkommen", "handlaggs", "komplettering", "beslutat",
                                        "avslutat" };

struct seed_job {
    struct cs_storage *st;
    struct rng *rng;
    long first, count;
};

/* A personnummer unique to citizen number c: the birth date walks the years 1925-2020 in a
 * scrambled order and the serial counts how often a date was used, so no two citizens share a
 * number however many are seeded (up to 35 million). Some are samordningsnummer. */
static void
make_pnr(struct rng *r, long c, char out[13], int *birth_year)
{
    const int64_t first = date_to_days((struct date){ 1925, 1, 1 });
    const int64_t span = date_to_days((struct date){ 2020, 12, 31 }) - first + 1;
    struct date d = date_from_days(first + (int64_t)((c * 7919L) % span));
    int serial = 1 + (int)((c / span) % 998);
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

static void
date_str(char out[11], int y, int m, int d)
{
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
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
        make_pnr(r, c, pnr, &birth_year);
        size_t di = (size_t)pick(r, DISTRICT_COUNT);
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
            char kid[48], number[32], received[11];
            snprintf(kid, sizeof(kid), "case-%ld-%d", c, k);
            snprintf(number, sizeof(number), "%.2s-2026-%06ld", district, c * 5 + k);
            for (char *p = number; *p && *p != '-'; p++)
                *p = (char)(*p - 32);
            date_str(received, 2026, 1 + pick(r, 10), 1 + pick(r, 28));
            int st_i = pick(r, 5);
            const struct tax_entry *type = taxonomy_entry(TAX_TYPE, case_mix[m].type);
            f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "case_number",
                          number, "main", taxonomy_entry(TAX_MAIN, case_mix[m].main)->code, "type",
                          type->code, "class", "ny_ansokan", "status", statuses[st_i], "district",
                          district, "handlaggare", "Karin Lind", "title", type->name_sv,
                          "received_on", received, "next_step",
                          st_i < 3 ? "Handläggaren kontaktar dig" : "Inget mer att göra");
            if (st_i >= 3)
                json_object_set_new(f, "decision", json_string("Beviljad"));
            res = cs_record_put(j->st, "case", kid, cid, NULL, district, f);
            json_decref(f);
            for (int e = 0; e <= st_i && e < 3 && res == CS_OK; e++) {
                char eid[64];
                snprintf(eid, sizeof(eid), "%s-ev%d", kid, e);
                f = json_pack("{s:I, s:s}", "at", (json_int_t)(1767225600 + c % 100000 + e * 86400),
                              "status", statuses[e]);
                res = cs_record_put(j->st, "case_event", eid, cid, kid, district, f);
                json_decref(f);
            }
        }
        /* Invoices (fees for elder care, preschool): OCR with a length digit. */
        int n_inv = pick(r, 4);
        for (int k = 0; k < n_inv && res == CS_OK; k++) {
            char iid[48], base[24], ocr[OCR_MAX_LEN + 1], number[24], due[11];
            snprintf(iid, sizeof(iid), "inv-%ld-%d", c, k);
            snprintf(number, sizeof(number), "%ld", 7000000 + c * 4 + k);
            snprintf(base, sizeof(base), "4711%ld", c * 4 + k);
            (void)!ocr_make(base, true, ocr);
            date_str(due, 2026, 9 + pick(r, 4), 28);
            f = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:I}", "number", number,
                          "issuer", "Stockholms stad", "description", "Avgift hemtjänst",
                          "amount_ore", (json_int_t)(10000 + pick(r, 400000)), "invoice_date",
                          "2026-09-01", "due_date", due, "ocr", ocr, "bankgiro", "5050-1055",
                          "paid", (json_int_t)(pick(r, 3) == 0));
            res = cs_record_put(j->st, "invoice", iid, cid, NULL, district, f);
            json_decref(f);
        }
        if (birth_year >= 2020 && res == CS_OK) {
            char qid[32];
            snprintf(qid, sizeof(qid), "q-%ld", c);
            int of = 20 + pick(r, 80);
            f = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "queue", "forskola", "unit",
                          "Förskolan Ugglan", "position", (json_int_t)(1 + pick(r, of)), "of_total",
                          (json_int_t)of, "registered_on", "2026-03-01", "expected_offer",
                          "2027-01");
            res = cs_record_put(j->st, "queue_entry", qid, cid, NULL, district, f);
            json_decref(f);
        }
        if (fardtjanst && res == CS_OK) {
            char pid[32], aid[32];
            snprintf(pid, sizeof(pid), "pm-%ld", c);
            f = json_pack("{s:s, s:s, s:s}", "kind", "fardtjanst", "valid_from", "2026-01-01",
                          "valid_to", "2026-12-31");
            res = cs_record_put(j->st, "permit", pid, cid, NULL, district, f);
            json_decref(f);
            snprintf(aid, sizeof(aid), "ap-%ld", c);
            f = json_pack("{s:I, s:s, s:s, s:s}", "starts_at",
                          (json_int_t)(1796000000 + pick(r, 5000000)), "place", "Hembesök",
                          "handlaggare", "Karin Lind", "purpose", "Utredning av färdtjänst");
            if (res == CS_OK)
                res = cs_record_put(j->st, "appointment", aid, cid, NULL, district, f);
            json_decref(f);
        }
        if (pick(r, 20) == 0 && res == CS_OK) {
            char oid[32], pay[11];
            snprintf(oid, sizeof(oid), "po-%ld", c);
            date_str(pay, 2026, 12, 23);
            f = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "handlaggare", "Jonas Ek", "decision",
                          "Beviljat ekonomiskt bistånd", "decided_on", "2026-11-15", "amount_ore",
                          (json_int_t)(500000 + pick(r, 800000)), "payout_date", pay, "period",
                          "december 2026");
            res = cs_record_put(j->st, "payout", oid, cid, NULL, district, f);
            json_decref(f);
        }
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
    for (long first = 0; first < n && res == CS_OK; first += 1000) {
        struct seed_job j = { st, &r, first, n - first < 1000 ? n - first : 1000 };
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
