/* Benchmark of the encrypted store at stadsdel scale (not a test: it prints figures).
 *
 *   meson compile -C build/gcc store_bench
 *   build/gcc/tests/bench/store_bench [--citizens N] [--page N] [--samples N] [DIR]
 *
 * Per citizen: 4 cases with 2 history events each, 6 invoices, a queue entry for every second
 * citizen and an appointment for 3 in 10 (100 000 citizens: 400 000 cases, 800 000 events,
 * 600 000 invoices, 50 000 queue entries, 30 000 appointments). The same rows are written, in
 * pages of 100 citizens (--page) of one transaction each, once through the encrypted store and
 * once into plain SQLite with the same pragmas, the same indexes (the personnummer's stands for
 * the blind index) and the same look-up-then-insert per record; the ratio is the figure that
 * matters. Then what a citizen's identification reads is loaded for random citizens: every
 * personal kind of theirs (with the audit entries), from which the kiosk computes Översikt. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

static long page_citizens = 100; /* citizens per page (--page) */

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One generated record: kind, ids, and its field values as text. */
struct rec {
    enum store_kind kind;
    char id[48], citizen[48], parent[48];
    char values[STORE_MAX_FIELDS][64];
    bool set[STORE_MAX_FIELDS];
};

#define set(r, field, ...)                                               \
    do {                                                                 \
        int i_ = store_field_index((r)->kind, field);                    \
        snprintf((r)->values[i_], sizeof((r)->values[i_]), __VA_ARGS__); \
        (r)->set[i_] = true;                                             \
    } while (0)

static void
set_text(struct rec *r, const char *field, const char *text)
{
    int i = store_field_index(r->kind, field);
    snprintf(r->values[i], sizeof(r->values[i]), "%s", text);
    r->set[i] = true;
}

/* A personnummer unique to citizen c whose order is not the case store's: as casestore's seed
 * (sync/server/seed.c), birth dates walk 1925-2020 in a scrambled order, so that plain SQLite's
 * index of personnummer takes its inserts where real data puts them (all over the index), as
 * the encrypted store's blind index does. */
static void
make_pnr(long c, char out[48])
{
    const long span = 35064; /* days from 1925-01-01 to 2020-12-31 */
    time_t t = (time_t)(-1420070400LL + (long long)((c * 7919L) % span) * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 48, "%04d%02d%02d%03ld%ld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             (c / span) % 1000, c % 10);
}

static const char *const titles[] = { "Ansökan om hemtjänst", "Ansökan om färdtjänst",
                                      "Fråga om faktura", "Ansökan om förskoleplats",
                                      "Synpunkt på hemtjänsten" };
static const char *const statuses[] = { "inkommen", "handlaggs", "komplettering", "beslutat",
                                        "avslutat" };

/* Generates the records of citizens [first, first + n) into out; returns how many. */
static size_t
generate(long first, long n, struct rec *out, size_t *plain_bytes)
{
    size_t k = 0;
    for (long c = first; c < first + n; c++) {
        struct rec *r = &out[k++];
        memset(r, 0, sizeof(*r));
        r->kind = STORE_KIND_CITIZEN;
        snprintf(r->id, sizeof(r->id), "c%ld", c);
        char pnr[48];
        make_pnr(c, pnr);
        set_text(r, "pnr", pnr);
        set_text(r, "given_name", c % 2 ? "Anna" : "Mohammed");
        set_text(r, "surname", c % 3 ? "Andersson" : "Abdullahi");
        set_text(r, "language", c % 5 ? "sv" : "ar");
        set(r, "phone", "+4670%07ld", c);
        set_text(r, "address", "Drottningholmsvägen 12, 168 72 Bromma");
        set_text(r, "district", "bromma");
        for (int j = 0; j < 4; j++) {
            r = &out[k++];
            memset(r, 0, sizeof(*r));
            r->kind = STORE_KIND_CASE;
            snprintf(r->id, sizeof(r->id), "k%ld-%d", c, j);
            snprintf(r->citizen, sizeof(r->citizen), "c%ld", c);
            set(r, "case_number", "BR-2026-%06ld", c * 4 + j);
            set_text(r, "main", "aldreomsorg");
            set_text(r, "type", "hemtjanst");
            set_text(r, "class", "ny_ansokan");
            set_text(r, "status", statuses[(c + j) % 5]);
            set_text(r, "unit", "Bromma hemtjänst");
            set_text(r, "handlaggare", "Karin Lind");
            set_text(r, "title", titles[(c + j) % 5]);
            set_text(r, "next_step", "Handläggaren kontaktar dig");
            set_text(r, "received_on", "2026-10-01");
            for (int e = 0; e < 2; e++) {
                struct rec *ev = &out[k++];
                memset(ev, 0, sizeof(*ev));
                ev->kind = STORE_KIND_CASE_EVENT;
                snprintf(ev->id, sizeof(ev->id), "e%ld-%d-%d", c, j, e);
                snprintf(ev->citizen, sizeof(ev->citizen), "c%ld", c);
                snprintf(ev->parent, sizeof(ev->parent), "k%ld-%d", c, j);
                set(ev, "at", "%lld", (long long)(1760000000LL + c + e * 86400));
                set_text(ev, "status", statuses[e]);
                set_text(ev, "note", e ? "Handläggare utsedd" : "Ansökan mottagen");
            }
        }
        for (int j = 0; j < 6; j++) {
            r = &out[k++];
            memset(r, 0, sizeof(*r));
            r->kind = STORE_KIND_INVOICE;
            snprintf(r->id, sizeof(r->id), "i%ld-%d", c, j);
            snprintf(r->citizen, sizeof(r->citizen), "c%ld", c);
            set(r, "number", "%lld", (long long)(9000000 + c * 6 + j));
            set_text(r, "issuer", "Stockholms stad");
            set(r, "amount_ore", "%ld", 10000 + (c * 7919 + j) % 500000);
            set_text(r, "invoice_date", "2026-10-01");
            set_text(r, "due_date", j % 2 ? "2026-10-31" : "2026-11-30");
            set(r, "ocr", "18108401%09ld", c * 6 + j);
            set_text(r, "bankgiro", "5050-1055");
            set(r, "paid", "%lld", (long long)(j % 3 == 0));
        }
        if (c % 2 == 0) {
            r = &out[k++];
            memset(r, 0, sizeof(*r));
            r->kind = STORE_KIND_QUEUE_ENTRY;
            snprintf(r->id, sizeof(r->id), "q%ld", c);
            snprintf(r->citizen, sizeof(r->citizen), "c%ld", c);
            set_text(r, "queue", "forskola");
            set_text(r, "unit", "Förskolan Ugglan");
            set(r, "position", "%lld", (long long)(1 + c % 40));
            set(r, "of_total", "%lld", (long long)(40));
        }
        if (c % 10 < 3) {
            r = &out[k++];
            memset(r, 0, sizeof(*r));
            r->kind = STORE_KIND_APPOINTMENT;
            snprintf(r->id, sizeof(r->id), "a%ld", c);
            snprintf(r->citizen, sizeof(r->citizen), "c%ld", c);
            set(r, "starts_at", "%lld", (long long)(1765000000LL + c * 60));
            set_text(r, "place", "Bromma medborgarkontor");
            set_text(r, "handlaggare", "Karin Lind");
        }
    }
    for (size_t i = 0; i < k; i++) {
        for (int f = 0; f < STORE_MAX_FIELDS; f++)
            *plain_bytes += out[i].set[f] ? strlen(out[i].values[f]) : 0;
    }
    return k;
}

static void
to_changes(const struct rec *recs, size_t n, struct store_change *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct rec *r = &recs[i];
        memset(&out[i], 0, sizeof(out[i]));
        out[i].kind = r->kind;
        out[i].id = r->id;
        out[i].citizen = r->citizen[0] ? r->citizen : NULL;
        out[i].parent = r->parent[0] ? r->parent : NULL;
        const struct store_kind_def *d = store_kind(r->kind);
        for (size_t f = 0; f < d->n_fields; f++) {
            out[i].values[f].set = r->set[f];
            out[i].values[f].text = r->values[f];
            out[i].values[f].num = strtoll(r->values[f], NULL, 10);
        }
    }
}

/* The plain baseline: the same tables with TEXT columns, the same pragmas. */
struct plain {
    sqlite3 *db;
    sqlite3_stmt *find[STORE_KIND_COUNT], *insert[STORE_KIND_COUNT];
};

static void
die_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "plain: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void
plain_open(struct plain *p, const char *path)
{
    if (sqlite3_open(path, &p->db) != SQLITE_OK)
        die_sql(p->db, "open");
    sqlite3_exec(p->db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                 "PRAGMA temp_store=MEMORY;",
                 NULL, NULL, NULL);
    for (int k = 0; k < STORE_KIND_COUNT; k++) {
        const struct store_kind_def *d = store_kind((enum store_kind)k);
        char sql[2048], cols[1024] = "", params[512] = "";
        for (size_t f = 0; f < d->n_fields; f++) {
            size_t cl = strlen(cols), pl = strlen(params);
            snprintf(cols + cl, sizeof(cols) - cl, ", f_%s", d->fields[f].name);
            snprintf(params + pl, sizeof(params) - pl, ", ?%zu", f + 4);
        }
        snprintf(sql, sizeof(sql),
                 "CREATE TABLE %s (id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
                 " citizen_id INTEGER, parent_id INTEGER %s); CREATE INDEX %s_c ON %s(citizen_id)",
                 d->table, cols, d->table, d->table);
        if (sqlite3_exec(p->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            die_sql(p->db, "create");
        /* What the encrypted store also indexes: the personnummer, which a citizen is found by
         * at identification (there, its blind index), and the parent case of events and
         * documents (a case's history is listed by it). */
        if (k == STORE_KIND_CITIZEN)
            snprintf(sql, sizeof(sql), "CREATE UNIQUE INDEX %s_pnr ON %s(f_pnr)", d->table,
                     d->table);
        else if (d->has_parent)
            snprintf(sql, sizeof(sql), "CREATE INDEX %s_p ON %s(parent_id)", d->table, d->table);
        else
            sql[0] = '\0';
        if (sql[0] != '\0' && sqlite3_exec(p->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            die_sql(p->db, "create index");
        snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE server_id=?1", d->table);
        sqlite3_prepare_v2(p->db, sql, -1, &p->find[k], NULL);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO %s (server_id, citizen_id, parent_id%s) VALUES (?1, ?2, ?3%s)",
                 d->table, cols, params);
        if (sqlite3_prepare_v2(p->db, sql, -1, &p->insert[k], NULL) != SQLITE_OK)
            die_sql(p->db, "prepare");
    }
}

static int64_t
plain_find(struct plain *p, enum store_kind k, const char *id)
{
    sqlite3_stmt *st = p->find[k];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
}

static void
plain_apply(struct plain *p, const struct rec *recs, size_t n)
{
    sqlite3_exec(p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        const struct rec *r = &recs[i];
        (void)plain_find(p, r->kind, r->id);
        int64_t cid = r->citizen[0] ? plain_find(p, STORE_KIND_CITIZEN, r->citizen) : 0;
        int64_t parent = r->parent[0] ? plain_find(p, STORE_KIND_CASE, r->parent) : 0;
        sqlite3_stmt *st = p->insert[r->kind];
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, cid);
        sqlite3_bind_int64(st, 3, parent);
        const struct store_kind_def *d = store_kind(r->kind);
        for (size_t f = 0; f < d->n_fields; f++) {
            if (r->set[f])
                sqlite3_bind_text(st, (int)f + 4, r->values[f], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, (int)f + 4);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            die_sql(p->db, "insert");
    }
    sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL);
}

static long long
file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    long citizens = 100000;
    int samples = 2000;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--citizens") == 0 && i + 1 < argc)
            citizens = atol(argv[++i]);
        else if (strcmp(argv[i], "--page") == 0 && i + 1 < argc)
            page_citizens = atol(argv[++i]);
        else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc)
            samples = atoi(argv[++i]);
        else if (argv[i][0] != '-')
            dir = argv[i];
        else {
            fprintf(stderr, "usage: store_bench [--citizens N] [--page N] [--samples N] [DIR]\n");
            return 2;
        }
    }
    char tmp[] = "/tmp/minasidor-bench-XXXXXX";
    if (dir == NULL && (dir = mkdtemp(tmp)) == NULL)
        return 1;
    char enc_path[512], plain_path[512], keyspec[512];
    snprintf(enc_path, sizeof(enc_path), "%s/encrypted.db", dir);
    snprintf(plain_path, sizeof(plain_path), "%s/plain.db", dir);
    snprintf(keyspec, sizeof(keyspec), "keyfile:%s/root.key", dir);

    struct errbuf err;
    struct store_key *key = NULL;
    struct store *s = NULL;
    if (store_key_create(keyspec, &key, &err) != STORE_OK ||
        store_open(enc_path, key, &s, &err) != STORE_OK) {
        fprintf(stderr, "store_bench: %s\n", err.msg);
        return 1;
    }
    struct plain plain;
    plain_open(&plain, plain_path);

    size_t cap = page_citizens * 20;
    struct rec *recs = malloc(cap * sizeof(*recs));
    struct store_change *changes = malloc(cap * sizeof(*changes));
    size_t total = 0, plain_bytes = 0;
    double t_enc = 0, t_plain = 0;
    long pages = (citizens + page_citizens - 1) / page_citizens;
    printf("store_bench: %ld citizens in %ld pages of %ld, into %s\n", citizens, pages,
           page_citizens, dir);
    for (long page = 0; page < pages; page++) {
        long first = page * page_citizens;
        long n = citizens - first < page_citizens ? citizens - first : page_citizens;
        size_t k = generate(first, n, recs, &plain_bytes);
        to_changes(recs, k, changes);
        char cursor[32];
        snprintf(cursor, sizeof(cursor), "%ld", page + 1);
        double t0 = now_s();
        if (store_apply(s, changes, k, cursor, NULL, &err) != STORE_OK) {
            fprintf(stderr, "store_bench: apply: %s\n", err.msg);
            return 1;
        }
        double t1 = now_s();
        plain_apply(&plain, recs, k);
        double t2 = now_s();
        t_enc += t1 - t0;
        t_plain += t2 - t1;
        total += k;
        if (page % 100 == 99 || page == pages - 1) {
            fprintf(stderr, "\r  %3ld%%  %zu records", (page + 1) * 100 / pages, total);
            fflush(stderr);
        }
    }
    fprintf(stderr, "\n");
    double enc_rate = (double)total / t_enc, plain_rate = (double)total / t_plain;

    /* A session's first read of random citizens, found by personnummer: every personal kind of
     * theirs, with the audit entries it writes (the kiosk computes Översikt from these rows). */
    struct store_actor actor = { STORE_SESSION_CITIZEN, NULL, NULL };
    double *lat = malloc((size_t)samples * sizeof(*lat));
    srand(1);
    for (int i = 0; i < samples; i++) {
        char pnr[48];
        make_pnr((long)rand() % citizens, pnr);
        double t0 = now_s();
        int64_t cid;
        if (store_citizen_find(s, pnr, &cid) != STORE_OK) {
            fprintf(stderr, "store_bench: a citizen was not found\n");
            return 1;
        }
        for (int k = 0; k < STORE_KIND_COUNT; k++) {
            if (!store_kind(k)->personal || store_kind(k)->has_parent)
                continue;
            struct store_rows *rows = NULL;
            if (store_list(s, &actor, k, cid, 0, &rows) != STORE_OK) {
                fprintf(stderr, "store_bench: reading %s failed\n", store_kind(k)->table);
                return 1;
            }
            store_rows_free(rows);
        }
        lat[i] = (now_s() - t0) * 1000.0;
    }
    qsort(lat, (size_t)samples, sizeof(*lat), cmp_double);

    store_close(s);
    sqlite3_wal_checkpoint_v2(plain.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    for (int k = 0; k < STORE_KIND_COUNT; k++) {
        sqlite3_finalize(plain.find[k]);
        sqlite3_finalize(plain.insert[k]);
    }
    sqlite3_close(plain.db);
    char wal[600];
    snprintf(wal, sizeof(wal), "%s-wal", enc_path);
    long long enc_size = file_size(enc_path) + file_size(wal);
    long long plain_size = file_size(plain_path);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("records written:            %zu\n", total);
    printf("encrypted apply:            %.0f records/s (%.1f s)\n", enc_rate, t_enc);
    printf("plain SQLite apply:         %.0f records/s (%.1f s)\n", plain_rate, t_plain);
    printf("encrypted / plain rate:     %.2f\n", enc_rate / plain_rate);
    printf("session load (%d random):  median %.3f ms, p99 %.3f ms\n", samples, lat[samples / 2],
           lat[samples * 99 / 100]);
    printf("plaintext field bytes:      %.1f MB\n", (double)plain_bytes / 1e6);
    printf("encrypted database on disk: %.1f MB (%.2f x plaintext, %.2f x plain SQLite)\n",
           (double)enc_size / 1e6, (double)enc_size / (double)plain_bytes,
           (double)enc_size / (double)plain_size);
    printf("plain SQLite on disk:       %.1f MB\n", (double)plain_size / 1e6);
    printf("memory high-water mark:     %.1f MB (both stores in one process)\n",
           (double)ru.ru_maxrss / 1024.0);
    free(lat);
    free(recs);
    free(changes);
    store_key_destroy(key);
    if (dir == tmp) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "store_bench: could not remove %s\n", dir);
    }
    return 0;
}
