/* Suite `store`: the encrypted cache on real SQLite files. */
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_fixture.h"
#include "test.h"
#include "usage_names.h"
#define LOG_MODULE "test"
#include "log.h"

/* The reference under which the open store keeps a case store id ("case-1"): tests that edit
 * the file behind the store's back find rows by it. Borrowed until the next call. */
static const char *
ref(struct store *s, enum store_kind kind, const char *server_id)
{
    static char out[4][33];
    static int next;
    return store_stored_id(s, kind, server_id, out[next++ % 4]);
}

/* Flips one bit of a stored value, as someone editing the file would. server_id is the row's
 * reference (ref()). */
static void
raw_flip(const char *db, const char *table, const char *column, const char *server_id, int offset)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE server_id=?1", column, table);
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_text(st, 1, server_id, -1, SQLITE_STATIC);
    unsigned char blob[4096];
    int n = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_bytes(st, 0);
        memcpy(blob, sqlite3_column_blob(st, 0), (size_t)n);
    }
    sqlite3_finalize(st);
    CHECK(n > offset);
    blob[offset] ^= 1;
    snprintf(sql, sizeof(sql), "UPDATE %s SET %s=?1 WHERE server_id=?2", table, column);
    CHECK(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK);
    sqlite3_bind_blob(st, 1, blob, n, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, server_id, -1, SQLITE_STATIC);
    CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/* Runs SQL on the database behind the store's back, as an attacker with the disk would. */
static void
raw_sql(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    CHECK(sqlite3_open(db, &h) == SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
    CHECK_MSG(rc == SQLITE_OK, "raw SQL failed: %s: %s", sql, msg ? msg : "");
    sqlite3_free(msg);
    sqlite3_close(h);
}

static long long
raw_count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open(db, &h) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

/* How many rows of the kind's table hold the case store id (0 or 1), by its reference. */
static long long
rows_with_id(struct fixture *f, enum store_kind kind, const char *server_id)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE server_id='%s'",
             store_kind(kind)->table, ref(f->store, kind, server_id));
    return raw_count(f->db, sql);
}

struct logs {
    int errors;
    char last[1300];
};

static void
capture(enum log_level level, const char *module, const char *line, void *data)
{
    struct logs *l = data;
    if (level == LOG_LEVEL_ERR)
        l->errors++;
    snprintf(l->last, sizeof(l->last), "%s", line);
}

/* The citizen's given name as the store reads it back (what a session shows), or "" when the
 * read fails. */
static const char *
given_name_of(struct fixture *f, int64_t cid, char *buf, size_t size)
{
    struct store_rows *rows = NULL;
    buf[0] = '\0';
    if (store_list(f->store, &citizen_actor, STORE_KIND_CITIZEN, cid, 0, &rows) == STORE_OK &&
        rows != NULL && rows->n == 1 &&
        rows->rows[0].text[RECORD_FIELD_INDEX(REC_CITIZEN_GIVEN_NAME)] != NULL)
        snprintf(buf, size, "%s", rows->rows[0].text[RECORD_FIELD_INDEX(REC_CITIZEN_GIVEN_NAME)]);
    store_rows_free(rows);
    return buf;
}

TEST(store_lists_round_trip)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t cid = 0;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    CHECK(cid > 0);
    CHECK_INT(STORE_ERR_NOT_FOUND, store_citizen_find(f.store, "198211059954", &cid));
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));

    /* Every kind of Tolvan's reads back (Översikt is computed from these rows by the app). */
    static const struct {
        enum store_kind kind;
        size_t n;
    } kinds[] = { { STORE_KIND_CASE, 2 },        { STORE_KIND_INVOICE, 3 },
                  { STORE_KIND_QUEUE_ENTRY, 2 }, { STORE_KIND_PERMIT, 1 },
                  { STORE_KIND_APPOINTMENT, 2 }, { STORE_KIND_PAYOUT, 1 } };
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        struct store_rows *rows = NULL;
        CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, kinds[i].kind, cid, 0, &rows));
        CHECK_MSG(rows != NULL && rows->n == kinds[i].n, "kind %d: %zu rows", (int)kinds[i].kind,
                  rows != NULL ? rows->n : 0);
        store_rows_free(rows);
    }

    struct store_rows *cases = NULL;
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CASE, cid, 0, &cases));
    CHECK_INT(2, cases ? cases->n : 0);
    if (cases != NULL && cases->n == 2) {
        int title = store_field_index(STORE_KIND_CASE, "title");
        CHECK_STR("Ansökan om hemtjänst för Tolvan", cases->rows[0].text[title]);
        CHECK_STR(ref(f.store, STORE_KIND_CASE, "case-1"), cases->rows[0].server_id);
        CHECK(!db_files_contain(f.db, "cit-1", 5));
        struct store_rows *events = NULL;
        CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CASE_EVENT, cid,
                                       cases->rows[0].id, &events));
        CHECK_INT(2, events ? events->n : 0);
        if (events != NULL && events->n == 2)
            CHECK_STR("Handläggare utsedd",
                      events->rows[1].text[store_field_index(STORE_KIND_CASE_EVENT, "note")]);
        store_rows_free(events);
    }
    store_rows_free(cases);

    struct store_rows *articles = NULL;
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_ARTICLE, 0, 0, &articles));
    CHECK_INT(1, articles ? articles->n : 0);
    store_rows_free(articles);

    /* Every read of personal data left an audit entry, and the chain holds. */
    int64_t entries = 0;
    struct errbuf err;
    CHECK_INT(STORE_OK, store_audit_verify(f.store, &entries, &err));
    CHECK_INT(8, entries); /* six kinds above, the cases and their events */
    struct store_sync_state sync;
    CHECK_INT(STORE_OK, store_sync_state_get(f.store, &sync));
    CHECK_STR("cursor-1", sync.cursor);
    fixture_finish(&f);
}

TEST(store_apply_sets_aside_what_it_cannot_take_and_applies_the_rest)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    struct store_change c[] = {
        change(STORE_KIND_CASE, "case-9", "cit-1", NULL, "case_number", "X", "main", "ovrigt",
               "type", "ovrigt", "class", "information", "status", "inkommen", NULL),
        change(STORE_KIND_INVOICE, "inv-9", "cit-1", NULL, "number", "1", NULL), /* incomplete */
        change(STORE_KIND_CASE, "case-8", "cit-404", NULL, "case_number", "X", "main", "ovrigt",
               "type", "ovrigt", "class", "information", "status", "inkommen", NULL), /* orphan */
        change(STORE_KIND_CASE_EVENT, "ev-8", "cit-1", "case-404", "at", "1795000000", "status",
               "inkommen", NULL), /* its case is unknown */
        change(STORE_KIND_CITIZEN, "cit-2", NULL, NULL, "pnr", "191212121212", NULL), /* same pnr */
        change(STORE_KIND_CASE, "case-10", "cit-1", NULL, "case_number", "Y", "main", "ovrigt",
               "type", "ovrigt", "class", "information", "status", "inkommen", NULL),
    };
    struct store_change parsed_out = { .kind = STORE_KIND_CASE,
                                       .id = "case-7",
                                       .set_aside = "change 3: fields: expected an object" };
    struct store_change unknown = { .kind = STORE_KIND_CITIZEN,
                                    .id = "w-1",
                                    .kind_name = "widget",
                                    .set_aside = "change 4: unknown kind" };
    struct store_change all[ARRAY_LEN(c) + 2];
    memcpy(all, c, sizeof(c));
    all[ARRAY_LEN(c)] = parsed_out;
    all[ARRAY_LEN(c) + 1] = unknown;
    struct errbuf err = { "" };
    size_t applied = 0;
    CHECK_INT(STORE_OK, store_apply(f.store, all, ARRAY_LEN(all), "cursor-2", &applied, &err));
    CHECK_INT(2, applied);
    CHECK_INT(1, rows_with_id(&f, STORE_KIND_CASE, "case-9"));
    CHECK_INT(1, rows_with_id(&f, STORE_KIND_CASE, "case-10"));
    CHECK_INT(0, rows_with_id(&f, STORE_KIND_INVOICE, "inv-9"));
    CHECK_INT(0, rows_with_id(&f, STORE_KIND_CASE, "case-8"));
    CHECK_INT(0, rows_with_id(&f, STORE_KIND_CASE_EVENT, "ev-8"));
    CHECK_INT(0, rows_with_id(&f, STORE_KIND_CITIZEN, "cit-2"));
    struct store_sync_state sync;
    CHECK_INT(STORE_OK, store_sync_state_get(f.store, &sync));
    CHECK_STR("cursor-2", sync.cursor);

    /* The list: kind, id and a reason that names fields, never values. */
    struct store_set_aside list[10];
    size_t n = 0;
    CHECK_INT(STORE_OK, store_set_aside_list(f.store, false, list, 10, &n));
    CHECK_INT(6, n);
    CHECK_STR("invoice", list[0].kind);
    CHECK_STR("inv-9", list[0].id);
    CHECK_STR("field amount_ore is missing", list[0].reason);
    CHECK_STR("case-8", list[1].id);
    CHECK_STR("its citizen is not known here", list[1].reason);
    CHECK_STR("ev-8", list[2].id);
    CHECK_STR("its case is not known here", list[2].reason);
    CHECK_STR("cit-2", list[3].id);
    CHECK(strstr(list[3].reason, "conflicts") != NULL);
    CHECK_STR("change 3: fields: expected an object", list[4].reason);
    CHECK_STR("widget", list[5].kind);
    CHECK(!list[0].reported);
    int64_t total = 0, unreported = 0;
    char kinds[160];
    CHECK_INT(STORE_OK, store_set_aside_summary(f.store, &total, &unreported, kinds));
    CHECK_INT(6, total);
    CHECK_INT(6, unreported);
    CHECK_STR("case 2, case_event 1, citizen 1, invoice 1, widget 1", kinds);

    /* Reported ones stay listed but are not reported again; the same failure again does not
     * make them new. */
    CHECK_INT(STORE_OK, store_set_aside_mark_reported(f.store, list, 2));
    CHECK_INT(STORE_OK, store_apply(f.store, &c[1], 1, "cursor-3", NULL, &err));
    CHECK_INT(STORE_OK, store_set_aside_summary(f.store, &total, &unreported, kinds));
    CHECK_INT(6, total);
    CHECK_INT(4, unreported);

    /* A repaired record heals: it applies and leaves the list. */
    struct store_change fixed =
        change(STORE_KIND_INVOICE, "inv-9", "cit-1", NULL, "number", "1", "amount_ore", "100",
               "due_date", "2026-12-01", "ocr", "18108401345678778", "paid", "0", NULL);
    CHECK_INT(STORE_OK, store_apply(f.store, &fixed, 1, "cursor-4", &applied, &err));
    CHECK_INT(1, applied);
    CHECK_INT(1, rows_with_id(&f, STORE_KIND_INVOICE, "inv-9"));
    CHECK_INT(STORE_OK, store_set_aside_summary(f.store, &total, &unreported, kinds));
    CHECK_INT(5, total);
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM set_aside WHERE record_id='inv-9'"));

    /* Bounded: the newest STORE_SET_ASIDE_MAX are kept. */
    struct store_change *many = calloc(STORE_SET_ASIDE_MAX + 5, sizeof(*many));
    char(*ids)[16] = calloc(STORE_SET_ASIDE_MAX + 5, sizeof(*ids));
    for (size_t i = 0; i < STORE_SET_ASIDE_MAX + 5; i++) {
        snprintf(ids[i], sizeof(ids[i]), "x-%zu", i);
        many[i] = (struct store_change){ .kind = STORE_KIND_UNIT,
                                         .id = ids[i],
                                         .set_aside = "change 0: name: missing" };
    }
    CHECK_INT(STORE_OK,
              store_apply(f.store, many, STORE_SET_ASIDE_MAX + 5, "cursor-5", NULL, &err));
    CHECK_INT(STORE_SET_ASIDE_MAX, raw_count(f.db, "SELECT count(*) FROM set_aside"));
    CHECK_INT(1, raw_count(f.db, "SELECT count(*) FROM set_aside WHERE record_id='x-1004'"));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM set_aside WHERE record_id='x-4'"));
    free(many);
    free(ids);
    fixture_finish(&f);
}

TEST(store_apply_sets_aside_citizens_outside_the_scope_and_erases_them)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f); /* cit-1, no district scope yet */
    store_set_scope(f.store, "bromma,kista");
    struct store_change c[] = {
        change(STORE_KIND_CITIZEN, "cit-1", NULL, NULL, "pnr", "191212121212", "district", "farsta",
               NULL), /* moved out */
        change(STORE_KIND_CITIZEN, "cit-5", NULL, NULL, "pnr", "198112289874", "district", "bromma",
               NULL),
        change(STORE_KIND_CITIZEN, "cit-6", NULL, NULL, "pnr", "194910201252", "district", "kistan",
               NULL), /* not kista */
        change(STORE_KIND_CITIZEN, "cit-7", NULL, NULL, "pnr", "200001012380", NULL),
    };
    struct errbuf err = { "" };
    size_t applied = 0;
    CHECK_INT(STORE_OK, store_apply(f.store, c, ARRAY_LEN(c), "cursor-2", &applied, &err));
    CHECK_INT(1, applied);
    CHECK_INT(1, raw_count(f.db, "SELECT count(*) FROM citizens"));
    CHECK_INT(1, rows_with_id(&f, STORE_KIND_CITIZEN, "cit-5"));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM invoices"));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM cases"));
    CHECK_INT(3, raw_count(f.db, "SELECT count(*) FROM set_aside WHERE kind='citizen' AND"
                                 " reason='field district is outside this kiosk''s scope'"));
    int64_t cid;
    CHECK_INT(STORE_ERR_NOT_FOUND, store_citizen_find(f.store, "191212121212", &cid));
    fixture_finish(&f);
}

TEST(store_apply_tombstones_and_updates)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    struct errbuf err = { "" };
    /* Tombstones delete, and deleting what is not there is not an error. */
    struct store_change tomb[] = {
        { .kind = STORE_KIND_CASE, .tombstone = true, .id = "case-2" },
        { .kind = STORE_KIND_INVOICE, .tombstone = true, .id = "never-seen" }
    };
    CHECK_INT(STORE_OK, store_apply(f.store, tomb, 2, "cursor-3", NULL, &err));
    CHECK_INT(1, raw_count(f.db, "SELECT count(*) FROM cases"));
    /* An update replaces the record. */
    struct store_change upd =
        change(STORE_KIND_INVOICE, "inv-1", "cit-1", NULL, "number", "90001", "amount_ore",
               "123450", "due_date", "2026-11-30", "ocr", "18108401345678778", "paid", "1", NULL);
    CHECK_INT(STORE_OK, store_apply(f.store, &upd, 1, "cursor-4", NULL, &err));
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    struct store_rows *inv = NULL, *cs = NULL;
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_INVOICE, cid, 0, &inv));
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CASE, cid, 0, &cs));
    CHECK_INT(1, cs ? (long long)cs->n : -1);
    long long unpaid = 0;
    for (size_t i = 0; inv != NULL && i < inv->n; i++)
        unpaid += inv->rows[i].num[RECORD_FIELD_INDEX(REC_INVOICE_PAID)] == 0;
    CHECK_INT(1, unpaid);
    store_rows_free(inv);
    store_rows_free(cs);
    fixture_finish(&f);
}

static const char *const needles[] = {
    "191212121212",      "121212-1212",        "Tolvansson",   "hemtjänst för Tolvan",
    "18108401345678778", "Handläggare utsedd", "+46701234567",
};

static void
check_no_plaintext(const struct fixture *f, const char *when)
{
    for (size_t i = 0; i < ARRAY_LEN(needles); i++)
        CHECK_MSG(!db_files_contain(f->db, needles[i], strlen(needles[i])),
                  "%s: \"%s\" is readable on disk", when, needles[i]);
}

static int pause_fd = -1;

static void
pause_forever(void)
{
    if (write(pause_fd, "x", 1) != 1)
        _exit(4);
    for (;;)
        pause();
}

TEST(store_personal_data_never_reaches_the_disk_in_clear)
{
    struct fixture f;
    fixture_init(&f);
    store_close(f.store);
    f.store = NULL;

    /* A writer stopped with its transaction open: a batch big enough to spill pages into the
     * WAL before the commit, holding the same personal data. */
    int pipefd[2];
    CHECK(pipe(pipefd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct errbuf err;
        if (store_open(f.db, f.key, &f.store, &err) != STORE_OK)
            _exit(3);
        fixture_seed_tolvan(&f);
        enum { N = 36000 }; /* records are sealed whole: ~150 bytes a case */
        static struct store_change big[N];
        static char ids[N][16];
        for (int i = 0; i < N; i++) {
            snprintf(ids[i], sizeof(ids[i]), "bulk-%d", i);
            big[i] = change(STORE_KIND_CASE, ids[i], "cit-1", NULL, "case_number", "BR-1", "main",
                            "aldreomsorg", "type", "hemtjanst", "class", "ny_ansokan", "status",
                            "inkommen", "title", "Ansökan om hemtjänst för Tolvan", "handlaggare",
                            "Tolvansson", NULL);
        }
        pause_fd = pipefd[1];
        store_test_before_commit = pause_forever;
        (void)!store_apply(f.store, big, N, "big", NULL, &err);
        _exit(5);
    }
    char b;
    CHECK(read(pipefd[0], &b, 1) == 1);
    struct stat wal;
    char wal_path[400];
    snprintf(wal_path, sizeof(wal_path), "%s-wal", f.db);
    CHECK_MSG(stat(wal_path, &wal) == 0 && wal.st_size > 4 * 1024 * 1024,
              "the open transaction should have spilled into the WAL");
    check_no_plaintext(&f, "during an open transaction");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    check_no_plaintext(&f, "after kill -9 of the writer");
    close(pipefd[0]);
    close(pipefd[1]);

    fixture_reopen(&f);
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    struct store_rows *rows = NULL;
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CASE, cid, 0, &rows));
    store_rows_free(rows);
    char uuid[37];
    struct store_submission sub = { "callback",
                                    "ovrigt",
                                    "aterringning",
                                    "information",
                                    0,
                                    "{\"phone\":\"+46701234567\",\"name\":\"Tolvansson\"}",
                                    "{\"by\":\"citizen\"}",
                                    1763800000 };
    CHECK_INT(STORE_OK, store_outbox_add(f.store, &citizen_actor, &sub, uuid, NULL));
    check_no_plaintext(&f, "with the store open");
    store_close(f.store);
    f.store = NULL;
    check_no_plaintext(&f, "after a clean close");

    /* The root key itself is nowhere in the database either, and the files are ours alone. */
    CHECK(!db_files_contain(f.db, store_key_bytes_for_test(f.key), 32));
    struct stat st;
    CHECK(stat(f.db, &st) == 0 && (st.st_mode & 077) == 0);
    fixture_finish(&f);
}

/* A second citizen, Sven (cit-2), beside Tolvan. */
static void
seed_sven(struct fixture *f, struct errbuf *err)
{
    struct store_change sven = change(STORE_KIND_CITIZEN, "cit-2", NULL, NULL, "pnr",
                                      "198211059954", "given_name", "Sven", NULL);
    CHECK_INT(STORE_OK, store_apply(f->store, &sven, 1, "c2", NULL, err));
}

TEST(store_tampered_or_moved_ciphertext_is_refused_and_logged)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    struct errbuf err;
    seed_sven(&f, &err);
    int64_t tolvan, sven;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &tolvan));
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "198211059954", &sven));
    char case1[33];
    snprintf(case1, sizeof(case1), "%s", ref(f.store, STORE_KIND_CASE, "case-1"));
    store_close(f.store);
    f.store = NULL;

    struct logs logs = { 0 };
    log_set_sink(capture, &logs);
    struct store_rows *rows = NULL;

    /* One flipped byte in the middle of a sealed record. */
    raw_flip(f.db, "cases", "sealed", case1, 40);
    fixture_reopen(&f);
    CHECK_INT(STORE_ERR_TAMPERED,
              store_list(f.store, &citizen_actor, STORE_KIND_CASE, tolvan, 0, &rows));
    CHECK(logs.errors >= 1);
    CHECK(strstr(logs.last, "sealed record of cases row") != NULL);
    store_close(f.store);
    f.store = NULL;
    fixture_finish(&f);

    /* A valid ciphertext moved to another row of the same citizen. */
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &tolvan));
    char sql[400];
    snprintf(sql, sizeof(sql),
             "UPDATE cases SET sealed = (SELECT sealed FROM cases WHERE server_id='%s')"
             " WHERE server_id='%s'",
             ref(f.store, STORE_KIND_CASE, "case-1"), ref(f.store, STORE_KIND_CASE, "case-2"));
    store_close(f.store);
    f.store = NULL;
    raw_sql(f.db, sql);
    fixture_reopen(&f);
    logs.errors = 0;
    CHECK_INT(STORE_ERR_TAMPERED,
              store_list(f.store, &citizen_actor, STORE_KIND_CASE, tolvan, 0, &rows));
    CHECK(logs.errors >= 1);

    /* ...and to another citizen. */
    seed_sven(&f, &err); /* applied again: the same record */
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "198211059954", &sven));
    {
        const char *c1 = ref(f.store, STORE_KIND_CITIZEN, "cit-1");
        const char *c2 = ref(f.store, STORE_KIND_CITIZEN, "cit-2");
        snprintf(sql, sizeof(sql),
                 "UPDATE citizens SET sealed = (SELECT sealed FROM citizens WHERE"
                 " server_id='%s') WHERE server_id='%s';"
                 "UPDATE citizens SET wrapped_key = (SELECT wrapped_key FROM citizens WHERE"
                 " server_id='%s') WHERE server_id='%s'",
                 c1, c2, c1, c2);
    }
    store_close(f.store);
    f.store = NULL;
    raw_sql(f.db, sql);
    fixture_reopen(&f);
    struct store_rows *o = NULL;
    CHECK_INT(STORE_ERR_TAMPERED,
              store_list(f.store, &citizen_actor, STORE_KIND_CASE, sven, 0, &o));
    /* Tolvan's data opens again once the row holding the moved ciphertext is gone. */
    struct store_change drop = { .kind = STORE_KIND_CASE, .tombstone = true, .id = "case-2" };
    CHECK_INT(STORE_OK, store_apply(f.store, &drop, 1, "c3", NULL, &err));
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CASE, tolvan, 0, &o));
    store_rows_free(o);
    log_set_sink(NULL, NULL);
    fixture_finish(&f);
}

/* Every write of a record is a new version, bound into its seal: the ciphertext the same row
 * held before does not open in its place (the record's other fields cannot be rolled back one
 * by one either: they are sealed together). */
TEST(store_an_older_version_of_a_record_does_not_open_in_its_place)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t tolvan;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &tolvan));
    raw_sql(f.db, "CREATE TABLE old_copy AS SELECT sealed FROM cases WHERE server_id='case-1'");
    struct store_change upd = change(STORE_KIND_CASE, "case-1", "cit-1", NULL, "case_number",
                                     "BR-2026-0412", "main", "aldreomsorg", "type", "hemtjanst",
                                     "class", "ny_ansokan", "status", "avslutat", NULL);
    struct errbuf err;
    CHECK_INT(STORE_OK, store_apply(f.store, &upd, 1, "u1", NULL, &err));
    CHECK_INT(2, raw_count(f.db, "SELECT version FROM cases WHERE server_id='case-1'"));
    struct store_rows *rows = NULL;
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CASE, tolvan, 0, &rows));
    store_rows_free(rows);
    raw_sql(f.db, "UPDATE cases SET sealed=(SELECT sealed FROM old_copy) WHERE"
                  " server_id='case-1'");
    struct logs logs = { 0 };
    log_set_sink(capture, &logs);
    CHECK_INT(STORE_ERR_TAMPERED,
              store_list(f.store, &citizen_actor, STORE_KIND_CASE, tolvan, 0, &rows));
    log_set_sink(NULL, NULL);
    CHECK(strstr(logs.last, "sealed record of cases row") != NULL);
    fixture_finish(&f);
}

/* Swaps a column's values between two citizen rows, behind the store's back. */
static void
raw_swap_citizens(const char *db, const char *column, int64_t a, int64_t b)
{
    char sql[600];
    snprintf(sql, sizeof(sql),
             "CREATE TEMP TABLE sw AS SELECT id, %s AS v FROM citizens WHERE id IN (%lld, %lld);"
             "UPDATE citizens SET %s=randomblob(32) WHERE id IN (%lld, %lld);"
             "UPDATE citizens SET %s=(SELECT v FROM sw WHERE sw.id=%lld) WHERE id=%lld;"
             "UPDATE citizens SET %s=(SELECT v FROM sw WHERE sw.id=%lld) WHERE id=%lld;",
             column, (long long)a, (long long)b, column, (long long)a, (long long)b, column,
             (long long)b, (long long)a, column, (long long)a, (long long)b);
    raw_sql(db, sql);
}

/* The blind index and the reference to the case store's id are 64 bits (short, for their
 * indexes' sake): two people could share one. A row found by either is checked against the
 * personnummer or id sealed in it, so such a row is never taken for the other person's. The
 * test makes two citizens' keys point at each other's rows. */
TEST(store_a_short_key_leading_to_another_citizens_row_never_mixes_them)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    struct errbuf err;
    seed_sven(&f, &err);
    int64_t a = 0, b = 0;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &a));
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "198211059954", &b));
    CHECK(a > 0 && b > 0 && a != b);

    raw_swap_citizens(f.db, "bidx", a, b);
    int64_t found = 0;
    CHECK_INT(STORE_ERR_NOT_FOUND, store_citizen_find(f.store, "191212121212", &found));
    CHECK_INT(STORE_ERR_NOT_FOUND, store_citizen_find(f.store, "198211059954", &found));
    CHECK_INT(0, found);

    raw_swap_citizens(f.db, "server_id", a, b);
    /* Tolvan's update and a case of Sven's land on the other's row: both are set aside. */
    struct store_change c[] = {
        change(STORE_KIND_CITIZEN, "cit-1", NULL, NULL, "pnr", "191212121212", "given_name",
               "Tolvan II", NULL),
        change(STORE_KIND_CASE, "case-9", "cit-2", NULL, "case_number", "BR-2026-0999", "main",
               "aldreomsorg", "type", "hemtjanst", "class", "ny_ansokan", "status", "inkommen",
               NULL),
    };
    size_t applied = 99;
    CHECK_INT(STORE_OK, store_apply(f.store, c, 2, "c3", &applied, &err));
    CHECK_INT(0, (long long)applied);
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM cases WHERE server_id='case-9'"));
    int given = RECORD_FIELD_INDEX(REC_CITIZEN_GIVEN_NAME);
    struct store_rows *rows = NULL;
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CITIZEN, b, 0, &rows));
    CHECK(rows != NULL && rows->n == 1);
    if (rows != NULL && rows->n == 1)
        CHECK_STR("Sven", rows->rows[0].text[given]);
    store_rows_free(rows);
    CHECK_INT(STORE_OK, store_list(f.store, &citizen_actor, STORE_KIND_CITIZEN, a, 0, &rows));
    CHECK(rows != NULL && rows->n == 1);
    if (rows != NULL && rows->n == 1)
        CHECK_STR("Tolvan", rows->rows[0].text[given]);
    store_rows_free(rows);
    fixture_finish(&f);
}

/* The store's descriptors, tables and the typed field names (REC_INVOICE_ISSUER) are one
 * description (record_kinds.h): each name is its kind's and its field's. */
#define CHECK_FIELD(K, NAME, w, ty, req)                                                         \
    CHECK_INT(STORE_KIND_##K, RECORD_FIELD_KIND(REC_##K##_##NAME));                              \
    CHECK_STR(w, store_kind(STORE_KIND_##K)->fields[RECORD_FIELD_INDEX(REC_##K##_##NAME)].name); \
    CHECK_INT(RECORD_FIELD_INDEX(REC_##K##_##NAME), store_field_index(STORE_KIND_##K, w));
#define CHECK_KIND(NAME, w, t, pers, par)                                          \
    NAME##_FIELDS(CHECK_FIELD) CHECK_STR(t, store_kind(STORE_KIND_##NAME)->table); \
    CHECK_INT(REC_##NAME##_N_FIELDS, store_kind(STORE_KIND_##NAME)->n_fields);

TEST(store_kinds_and_typed_field_names_are_one_description)
{
    RECORD_KINDS(CHECK_KIND)
    CHECK_INT(RECORD_KIND_COUNT, STORE_KIND_COUNT);
}

TEST(store_crypto_shredding_leaves_nothing_and_spares_others)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    struct errbuf err;
    seed_sven(&f, &err);
    int64_t tolvan, sven;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &tolvan));
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "198211059954", &sven));

    /* The wrapped key as it sits on disk. */
    unsigned char wrapped[128];
    int wlen = 0;
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_open(f.db, &h);
    sqlite3_prepare_v2(h, "SELECT wrapped_key FROM citizens WHERE server_id=?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, ref(f.store, STORE_KIND_CITIZEN, "cit-1"), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        wlen = sqlite3_column_bytes(st, 0);
        memcpy(wrapped, sqlite3_column_blob(st, 0), (size_t)wlen);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    CHECK(wlen > 32);
    CHECK(db_files_contain(f.db, wrapped, (size_t)wlen));

    struct store_change tomb = { .kind = STORE_KIND_CITIZEN, .tombstone = true, .id = "cit-1" };
    CHECK_INT(STORE_OK, store_apply(f.store, &tomb, 1, "c3", NULL, &err));
    static const char *const tables[] = { "cases",        "case_events",   "case_documents",
                                          "invoices",     "queue_entries", "permits",
                                          "appointments", "payouts" };
    for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        CHECK_MSG(raw_count(f.db, sql) == 0, "%s still has rows", tables[i]);
    }
    CHECK_INT(1, raw_count(f.db, "SELECT count(*) FROM citizens"));
    CHECK_MSG(!db_files_contain(f.db, wrapped, (size_t)wlen),
              "the erased citizen's wrapped key is still on disk");
    CHECK_INT(STORE_ERR_NOT_FOUND, store_citizen_find(f.store, "191212121212", &tolvan));
    char name[64];
    CHECK_STR("Sven", given_name_of(&f, sven, name, sizeof(name)));
    int64_t entries;
    CHECK_INT(STORE_OK, store_audit_verify(f.store, &entries, &err));
    fixture_finish(&f);
}

TEST(store_erasing_a_citizen_with_a_pending_submission_keeps_the_submission)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    struct store_submission sub = {
        "application",          "aldreomsorg", "hemtjanst",
        "ny_ansokan",           cid,           "{\"text\":\"Jag vill ha hemtjänst\"}",
        "{\"by\":\"citizen\"}", 1763800000
    };
    char uuid[37];
    int64_t seq;
    CHECK_INT(STORE_OK, store_outbox_add(f.store, &citizen_actor, &sub, uuid, &seq));
    CHECK_INT(STORE_OK, store_citizen_erase(f.store, cid));
    CHECK_INT(STORE_ERR_NOT_FOUND, store_citizen_find(f.store, "191212121212", &cid));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM invoices"));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM citizens WHERE sealed IS NOT NULL"));
    struct store_outbox *ob = NULL;
    CHECK_INT(STORE_OK, store_outbox_list(f.store, true, 0, &ob));
    CHECK_INT(1, ob ? ob->n : 0);
    if (ob != NULL && ob->n == 1)
        CHECK_STR("{\"text\":\"Jag vill ha hemtjänst\"}", ob->items[0].payload);
    store_outbox_free(ob);
    CHECK_INT(STORE_OK,
              store_outbox_set_state(f.store, seq, STORE_OUTBOX_ACCEPTED, "BR-2026-1", NULL));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM citizens"));
    CHECK_INT(1, raw_count(f.db, "SELECT count(*) FROM outbox WHERE state='accepted'"));
    fixture_finish(&f);
}

TEST(store_wrong_or_exposed_keys_are_refused_clearly)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    store_close(f.store);
    f.store = NULL;
    struct errbuf err = { "" };

    char other[400];
    snprintf(other, sizeof(other), "keyfile:%s/other.key", f.dir);
    struct store_key *k2 = NULL;
    CHECK_INT(STORE_OK, store_key_create(other, &k2, &err));
    struct store *s = NULL;
    CHECK_INT(STORE_ERR_KEY, store_open(f.db, k2, &s, &err));
    CHECK(strstr(err.msg, "root key does not open this database") != NULL);
    store_key_destroy(k2);

    CHECK_INT(STORE_ERR_KEY, store_key_create(f.keyspec, &k2, &err));
    CHECK(strstr(err.msg, "cannot create: File exists") != NULL);

    char path[400];
    snprintf(path, sizeof(path), "%s/root.key", f.dir);
    chmod(path, 0644);
    CHECK_INT(STORE_ERR_KEY, store_key_load(f.keyspec, &k2, &err));
    CHECK(strstr(err.msg, "mode 0644 lets others read it") != NULL);
    chmod(path, 0400);
    CHECK_INT(STORE_OK, store_key_load(f.keyspec, &k2, &err));
    store_key_destroy(k2);

    char missing[400];
    snprintf(missing, sizeof(missing), "keyfile:%s/nope.key", f.dir);
    CHECK_INT(STORE_ERR_KEY, store_key_load(missing, &k2, &err));
    CHECK(strstr(err.msg, "No such file") != NULL);
    CHECK_INT(STORE_ERR_KEY, store_key_load("tpm:whatever", &k2, &err));

    /* A systemd credential: 64 hex digits in $CREDENTIALS_DIRECTORY. */
    char cred[400];
    snprintf(cred, sizeof(cred), "%s/minasidor-root", f.dir);
    FILE *fp = fopen(cred, "w");
    fputs("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", fp);
    fclose(fp);
    setenv("CREDENTIALS_DIRECTORY", f.dir, 1);
    CHECK_INT(STORE_OK, store_key_load("credential:minasidor-root", &k2, &err));
    CHECK_INT(0x1f, store_key_bytes_for_test(k2)[31]);
    store_key_destroy(k2);
    CHECK_INT(STORE_ERR_KEY, store_key_load("credential:../etc", &k2, &err));
    unsetenv("CREDENTIALS_DIRECTORY");
    CHECK_INT(STORE_ERR_KEY, store_key_load("credential:minasidor-root", &k2, &err));
    fixture_finish(&f);
}

TEST(store_audit_chain_detects_removed_and_altered_entries)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    struct store_actor staff = { STORE_SESSION_STAFF, "staff-17", "Ombudsregistrering" };
    for (int i = 0; i < 6; i++)
        CHECK_INT(STORE_OK, store_audit_append(f.store, i % 2 ? &staff : &citizen_actor, cid,
                                               "invoices", "list"));
    struct errbuf err = { "" };
    int64_t n;
    CHECK_INT(STORE_OK, store_audit_verify(f.store, &n, &err));
    CHECK_INT(6, n);
    CHECK(!db_files_contain(f.db, "staff-17", 8));
    CHECK(!db_files_contain(f.db, "Ombudsregistrering", 18));
    store_close(f.store);
    f.store = NULL;

    /* Entry 4 claims entry 2's (validly sealed) header. */
    raw_sql(f.db, "CREATE TABLE keep AS SELECT header FROM audit_log WHERE id=4;"
                  "UPDATE audit_log SET header=(SELECT header FROM audit_log WHERE id=2)"
                  " WHERE id=4");
    fixture_reopen(&f);
    CHECK_INT(STORE_ERR_TAMPERED, store_audit_verify(f.store, &n, &err));
    CHECK_STR("audit log: entry 4 was altered", err.msg);
    store_close(f.store);
    f.store = NULL;
    raw_sql(f.db, "UPDATE audit_log SET header=(SELECT header FROM keep) WHERE id=4;"
                  "DROP TABLE keep");
    fixture_reopen(&f);
    CHECK_INT(STORE_OK, store_audit_verify(f.store, &n, &err));
    store_close(f.store);
    f.store = NULL;
    raw_sql(f.db, "DELETE FROM audit_log WHERE id=3");
    fixture_reopen(&f);
    CHECK_INT(STORE_ERR_TAMPERED, store_audit_verify(f.store, &n, &err));
    CHECK_STR("audit log: entry 3 is missing", err.msg);
    fixture_finish(&f);

    fixture_init(&f);
    fixture_seed_tolvan(&f);
    for (int i = 0; i < 3; i++)
        CHECK_INT(STORE_OK, store_audit_append(f.store, &citizen_actor, 0, "information", "x"));
    store_close(f.store);
    f.store = NULL;
    raw_sql(f.db, "DELETE FROM audit_log WHERE id=3");
    fixture_reopen(&f);
    CHECK_INT(STORE_ERR_TAMPERED, store_audit_verify(f.store, &n, &err));
    CHECK_STR("audit log: the newest entries were removed (2 of 3 left)", err.msg);
    fixture_finish(&f);
}

/* Who visited when must not be readable without the key: the audit log keeps only its id, a
 * sealed header, the sealed details and the MAC; an outbox item's time is sealed too. */
TEST(store_audit_and_outbox_say_nothing_of_who_came_when_without_the_key)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    struct store_actor staff = { STORE_SESSION_STAFF, "staff-17", "Ombudsregistrering" };
    CHECK_INT(STORE_OK, store_audit_append(f.store, &staff, cid, "overview", "read"));
    struct store_submission sub = {
        "complaint", "ovrigt", "ovrigt", "synpunkt", cid, "{}", "{\"by\":\"citizen\"}", 1763801234
    };
    char uuid[37];
    CHECK_INT(STORE_OK, store_outbox_add(f.store, &citizen_actor, &sub, uuid, NULL));
    CHECK_INT(4, raw_count(f.db, "SELECT count(*) FROM pragma_table_info('audit_log')"));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM pragma_table_info('audit_log') WHERE"
                                 " name NOT IN ('id', 'header', 'details', 'mac')"));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM outbox WHERE created_at != 0 OR"
                                 " updated_at != 0 OR f_created_at IS NULL"));
    CHECK(!db_files_contain(f.db, "overview", 8));
    CHECK(!db_files_contain(f.db, "1763801234", 10));
    struct store_audit_entries *a = NULL;
    CHECK_INT(STORE_OK, store_audit_read(f.store, 0, &a));
    CHECK(a != NULL && a->n == 2);
    if (a != NULL && a->n == 2) {
        CHECK_STR("staff", a->entries[0].session);
        CHECK_STR("overview", a->entries[0].category);
        CHECK(a->entries[0].about_citizen && a->entries[0].by_staff);
        CHECK_STR("reason: Ombudsregistrering; read", a->entries[0].details);
        CHECK_STR("submission", a->entries[1].category);
        CHECK(!a->entries[1].by_staff);
    }
    store_audit_free(a);
    int64_t pending = 0, oldest = 0;
    CHECK_INT(STORE_OK, store_outbox_stats(f.store, &pending, &oldest));
    CHECK_INT(1, pending);
    CHECK_INT(1763801234, oldest);
    fixture_finish(&f);
}

/* PROTOCOL.md §6: when the case store expects another number, the kiosk renumbers what it has
 * not delivered; the sealed fields stay bound to the row's own number and still open. */
TEST(store_outbox_renumbers_pending_items_consecutively_and_continues_after_them)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    for (int i = 0; i < 4; i++) {
        char payload[64];
        snprintf(payload, sizeof(payload), "{\"n\":%d}", i);
        struct store_submission sub = {
            "complaint",   "ovrigt", "ovrigt", "synpunkt", cid, payload, "{\"by\":\"citizen\"}",
            1763800000 + i
        };
        char uuid[37];
        CHECK_INT(STORE_OK, store_outbox_add(f.store, &citizen_actor, &sub, uuid, NULL));
    }
    /* 1 delivered, 3 rejected here (so never sent): 2 and 4 are pending. */
    CHECK_INT(STORE_OK,
              store_outbox_set_state(f.store, 1, STORE_OUTBOX_ACCEPTED, "KCS-2026-1", NULL));
    CHECK_INT(STORE_OK, store_outbox_set_state(f.store, 3, STORE_OUTBOX_REJECTED, NULL, "x"));
    CHECK_INT(STORE_ERR_INVALID, store_outbox_renumber(f.store, 2, 0));
    CHECK_INT(STORE_OK, store_outbox_renumber(f.store, 2, 17));
    struct store_submission next = {
        "complaint", "ovrigt", "ovrigt", "synpunkt", cid, "{}", "{\"by\":\"citizen\"}", 1763800009
    };
    char uuid[37];
    int64_t seq = 0;
    CHECK_INT(STORE_OK, store_outbox_add(f.store, &citizen_actor, &next, uuid, &seq));
    CHECK_INT(5, seq);
    struct store_outbox *o = NULL;
    CHECK_INT(STORE_OK, store_outbox_list(f.store, false, 0, &o));
    CHECK_INT(5, o ? o->n : 0);
    if (o != NULL && o->n == 5) {
        static const int64_t want[] = { 1, 17, 3, 18, 19 };
        for (size_t i = 0; i < 5; i++)
            CHECK_INT(want[i], o->items[i].wire_seq);
        CHECK_STR("{\"n\":1}", o->items[1].payload);
        CHECK_STR("{\"n\":3}", o->items[3].payload);
    }
    store_outbox_free(o);
    fixture_finish(&f);
}

TEST(store_outbox_is_gapless_ordered_and_never_blocked_by_a_rejection)
{
    struct fixture f;
    fixture_init(&f);
    fixture_seed_tolvan(&f);
    int64_t cid;
    CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
    char uuids[3][37];
    int64_t seqs[3];
    for (int i = 0; i < 3; i++) {
        char payload[64];
        snprintf(payload, sizeof(payload), "{\"n\":%d}", i);
        struct store_submission sub = { i == 1 ? "callback" : "complaint",
                                        "ovrigt",
                                        "ovrigt",
                                        "synpunkt",
                                        i == 1 ? 0 : cid,
                                        payload,
                                        "{\"by\":\"citizen\"}",
                                        1763800000 + i };
        CHECK_INT(STORE_OK, store_outbox_add(f.store, &citizen_actor, &sub, uuids[i], &seqs[i]));
        CHECK_INT(i + 1, seqs[i]);
        CHECK_INT(36, strlen(uuids[i]));
        CHECK_INT('4', uuids[i][14]);
    }
    CHECK(strcmp(uuids[0], uuids[1]) != 0 && strcmp(uuids[1], uuids[2]) != 0);
    CHECK_INT(STORE_OK, store_outbox_set_state(f.store, 1, STORE_OUTBOX_REJECTED, NULL,
                                               "Ärendetypen tas inte emot här"));
    struct store_outbox *o = NULL;
    CHECK_INT(STORE_OK, store_outbox_list(f.store, true, 0, &o));
    CHECK_INT(2, o ? o->n : 0);
    if (o != NULL && o->n == 2) {
        CHECK_INT(2, o->items[0].seq);
        CHECK_STR("{\"n\":1}", o->items[0].payload);
        CHECK(o->items[0].citizen_server_id == NULL);
        CHECK_STR("cit-1", o->items[1].citizen_server_id);
    }
    store_outbox_free(o);
    CHECK_INT(STORE_OK, store_outbox_set_state(f.store, 2, STORE_OUTBOX_SENDING, NULL, NULL));
    CHECK_INT(STORE_OK,
              store_outbox_set_state(f.store, 2, STORE_OUTBOX_ACCEPTED, "KCS-2026-99", NULL));
    CHECK_INT(STORE_ERR_NOT_FOUND,
              store_outbox_set_state(f.store, 99, STORE_OUTBOX_ACCEPTED, NULL, NULL));
    int64_t pending, oldest;
    CHECK_INT(STORE_OK, store_outbox_stats(f.store, &pending, &oldest));
    CHECK_INT(1, pending);
    CHECK_INT(1763800002, oldest);
    CHECK_INT(STORE_OK, store_outbox_list(f.store, false, 0, &o));
    CHECK_INT(3, o ? o->n : 0);
    if (o != NULL && o->n == 3) {
        CHECK_INT(STORE_OUTBOX_REJECTED, o->items[0].state);
        CHECK_STR("Ärendetypen tas inte emot här", o->items[0].reason);
        CHECK_STR("KCS-2026-99", o->items[1].case_number);
        CHECK_INT(1, o->items[1].attempts);
    }
    store_outbox_free(o);

    /* A server reset forgets synced data but not the outbox. */
    CHECK_INT(STORE_OK, store_reset_synced(f.store));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM invoices"));
    CHECK_INT(3, raw_count(f.db, "SELECT count(*) FROM outbox"));
    CHECK_INT(STORE_OK, store_outbox_list(f.store, true, 0, &o));
    CHECK_INT(1, o ? o->n : 0);
    store_outbox_free(o);
    fixture_finish(&f);
}

TEST(store_migrates_from_every_previous_schema)
{
    for (int from = 1; from < store_schema_version(); from++) {
        struct fixture f;
        fixture_init(&f);
        store_close(f.store);
        f.store = NULL;
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", f.db, f.db, f.db);
        CHECK(system(cmd) == 0);
        struct errbuf err;
        CHECK_INT(STORE_OK, store_open_at_version(f.db, f.key, from, &f.store, &err));
        CHECK_INT(from, raw_count(f.db, "PRAGMA user_version"));
        /* Today's code writes only today's schema: the data of an older one comes from the
         * previous version's own files (tests/integration/fixtures/v2, test_restore.py). */
        fixture_reopen(&f);
        CHECK_INT(store_schema_version(), raw_count(f.db, "PRAGMA user_version"));
        fixture_seed_tolvan(&f);
        int64_t cid;
        CHECK_INT(STORE_OK, store_citizen_find(f.store, "191212121212", &cid));
        char name[64];
        CHECK_STR("Tolvan", given_name_of(&f, cid, name, sizeof(name)));
        struct store_usage *u = store_usage_create();
        store_usage_add(u, 1763800000, "overview", "sv", "shown");
        store_usage_add(u, 1763800100, "overview", "sv", "shown");
        CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
        store_usage_destroy(u);
        CHECK_INT(2, raw_count(f.db, "SELECT count FROM usage_counters"));
        CHECK_INT(STORE_OK, store_sync_success(f.store, 1763800000, -3));
        struct store_sync_state ss;
        CHECK_INT(STORE_OK, store_sync_state_get(f.store, &ss));
        CHECK_INT(-3, ss.server_offset_s);
        int64_t total = -1, unreported = -1;
        char kinds[160];
        CHECK_INT(STORE_OK, store_set_aside_summary(f.store, &total, &unreported, kinds));
        CHECK_INT(0, total);
        fixture_finish(&f);
    }
}

TEST(store_refuses_newer_and_foreign_databases)
{
    struct fixture f;
    fixture_init(&f);
    store_close(f.store);
    f.store = NULL;
    raw_sql(f.db, "PRAGMA user_version = 99");
    struct errbuf err = { "" };
    struct store *s = NULL;
    CHECK_INT(STORE_ERR_SCHEMA, store_open(f.db, f.key, &s, &err));
    CHECK(strstr(err.msg, "schema version 99, made by a newer minasidor") != NULL);

    char junk[400];
    snprintf(junk, sizeof(junk), "%s/junk.db", f.dir);
    FILE *fp = fopen(junk, "w");
    for (int i = 0; i < 4096; i++)
        fputc("not a database "[i % 15], fp);
    fclose(fp);
    CHECK_INT(STORE_ERR_SCHEMA, store_open(junk, f.key, &s, &err));
    CHECK(strlen(err.msg) > 0);

    char link[400];
    snprintf(link, sizeof(link), "%s/link.db", f.dir);
    CHECK(symlink(f.db, link) == 0);
    CHECK(store_open(link, f.key, &s, &err) != STORE_OK);
    fixture_finish(&f);
}

TEST(store_keeps_the_signed_role_list_byte_for_byte)
{
    struct fixture f;
    fixture_init(&f);
    unsigned char *doc = NULL, *sig = NULL;
    size_t dl = 0, sl = 0;
    CHECK_INT(STORE_ERR_NOT_FOUND, store_roles_get(f.store, &doc, &dl, &sig, &sl));
    const char document[] = "{\"site\":\"bromma\",\"roles\":[]}";
    const unsigned char signature[4] = { 0, 1, 2, 255 };
    CHECK_INT(STORE_OK, store_roles_put(f.store, document, sizeof(document) - 1, signature, 4, 1));
    fixture_reopen(&f);
    CHECK_INT(STORE_OK, store_roles_get(f.store, &doc, &dl, &sig, &sl));
    CHECK_INT(sizeof(document) - 1, dl);
    CHECK(doc != NULL && memcmp(doc, document, dl) == 0);
    CHECK(sl == 4 && sig != NULL && memcmp(sig, signature, 4) == 0);
    CHECK(!db_files_contain(f.db, "bromma", 6)); /* sealed at rest */
    free(doc);
    free(sig);
    fixture_finish(&f);
}

/* The UI counts every navigation: in memory, from any thread, written in one transaction by
 * whoever flushes; nothing counted is lost, also while a flush is under way or when it fails. */
struct counting {
    struct store_usage *u;
    const char *screen;
};

static void *
count_many(void *arg)
{
    const struct counting *c = arg;
    for (int i = 0; i < 5000; i++)
        store_usage_add(c->u, 1763800000 + i % 2 * 3600, c->screen, "sv", "shown");
    return NULL;
}

TEST(store_usage_counts_in_memory_and_writes_them_in_batches_without_loss)
{
    struct fixture f;
    fixture_init(&f);
    struct store_usage *u = store_usage_create();
    store_usage_add(u, 1763800000, "overview", "sv", "shown");
    store_usage_add(u, 1763800100, "overview", "sv", "shown");
    store_usage_add(u, 1763800100, "invoices", "en", "shown");
    CHECK_INT(3, store_usage_pending(u));
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM usage_counters"));
    CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
    CHECK_INT(0, store_usage_pending(u));
    CHECK_INT(2, raw_count(f.db, "SELECT count FROM usage_counters WHERE screen='overview'"));
    CHECK_INT(1, raw_count(f.db, "SELECT count FROM usage_counters WHERE screen='invoices'"));

    /* A flush that cannot write keeps the counts for the next one. */
    store_usage_add(u, 1763800200, "overview", "sv", "shown");
    raw_sql(f.db, "ALTER TABLE usage_counters RENAME TO usage_away");
    log_set_sink(capture, &(struct logs){ 0 });
    CHECK(store_usage_flush(u, f.store) != STORE_OK);
    log_set_sink(NULL, NULL);
    CHECK_INT(1, store_usage_pending(u));
    raw_sql(f.db, "ALTER TABLE usage_away RENAME TO usage_counters");
    CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
    CHECK_INT(3, raw_count(f.db, "SELECT count FROM usage_counters WHERE screen='overview'"));

    /* Two threads counting while this one flushes, again and again. */
    struct counting a = { u, "cases" }, b = { u, "queues" };
    pthread_t ta, tb;
    CHECK(pthread_create(&ta, NULL, count_many, &a) == 0);
    CHECK(pthread_create(&tb, NULL, count_many, &b) == 0);
    for (int i = 0; i < 20; i++)
        CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
    CHECK_INT(10000, raw_count(f.db, "SELECT sum(count) FROM usage_counters WHERE screen IN"
                                     " ('cases', 'queues')"));
    CHECK_INT(4, raw_count(f.db, "SELECT count(*) FROM usage_counters WHERE screen IN"
                                 " ('cases', 'queues')"));
    store_usage_destroy(u);
    fixture_finish(&f);
}

/* The written counters become numbered batches per day and counter (POST /v1/status): one
 * batch at a time until it is confirmed, names outside the vocabulary never in it. */
TEST(store_usage_batches_are_numbered_per_day_and_counter_and_forgotten_when_confirmed)
{
    struct fixture f;
    fixture_init(&f);
    const int64_t day = 20400, at = day * 86400 + 3600;
    struct store_usage *u = store_usage_create();
    store_usage_add(u, at, "overview", "sv", "shown");
    store_usage_add(u, at + 7200, "overview", "fi", "shown"); /* another hour, same day */
    store_usage_count(u, at, USAGE_VISIT);
    store_usage_count(u, at + 86400, USAGE_VISIT); /* the next day */
    store_usage_count(u, at, "screen.tolvan");     /* not in the vocabulary */
    CHECK_INT(STORE_OK, store_usage_flush(u, f.store));

    int64_t batch = 0;
    struct store_usage_total *t = NULL;
    size_t n = 0;
    log_set_sink(capture, &(struct logs){ 0 });
    CHECK_INT(STORE_OK, store_usage_batch(f.store, &batch, &t, &n));
    log_set_sink(NULL, NULL);
    CHECK_INT(1, batch);
    CHECK_INT(3, n);
    CHECK_INT(day, t[0].day);
    CHECK_STR("screen.overview", t[0].counter);
    CHECK_INT(2, t[0].count);
    CHECK_STR("visit", t[1].counter);
    CHECK_INT(day + 1, t[2].day);
    free(t);
    CHECK_INT(0, raw_count(f.db, "SELECT count(*) FROM usage_counters"));

    /* Unconfirmed: the same batch again, new counts wait for the next one. */
    store_usage_count(u, at, USAGE_VISIT);
    CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
    CHECK_INT(STORE_OK, store_usage_batch(f.store, &batch, &t, &n));
    CHECK_INT(1, batch);
    CHECK_INT(3, n);
    free(t);
    CHECK_INT(STORE_OK, store_usage_batch_done(f.store, 1));
    CHECK_INT(STORE_OK, store_usage_batch(f.store, &batch, &t, &n));
    CHECK_INT(2, batch);
    CHECK_INT(1, n);
    CHECK_INT(1, t[0].count);
    free(t);
    CHECK_INT(STORE_OK, store_usage_batch_done(f.store, 2));
    CHECK_INT(STORE_OK, store_usage_batch(f.store, &batch, &t, &n));
    CHECK_INT(0, n); /* nothing to send; the number is not used up */
    free(t);
    store_usage_count(u, at, USAGE_IDLE_LOGOUT);
    CHECK_INT(STORE_OK, store_usage_flush(u, f.store));
    CHECK_INT(STORE_OK, store_usage_batch(f.store, &batch, &t, &n));
    CHECK_INT(3, batch);
    free(t);
    store_usage_destroy(u);
    fixture_finish(&f);
}

int
main(void)
{
    log_init(LOG_LEVEL_ERR, 0, "test");
    RUN(store_lists_round_trip);
    RUN(store_apply_sets_aside_what_it_cannot_take_and_applies_the_rest);
    RUN(store_apply_sets_aside_citizens_outside_the_scope_and_erases_them);
    RUN(store_apply_tombstones_and_updates);
    RUN(store_personal_data_never_reaches_the_disk_in_clear);
    RUN(store_tampered_or_moved_ciphertext_is_refused_and_logged);
    RUN(store_an_older_version_of_a_record_does_not_open_in_its_place);
    RUN(store_a_short_key_leading_to_another_citizens_row_never_mixes_them);
    RUN(store_kinds_and_typed_field_names_are_one_description);
    RUN(store_crypto_shredding_leaves_nothing_and_spares_others);
    RUN(store_erasing_a_citizen_with_a_pending_submission_keeps_the_submission);
    RUN(store_wrong_or_exposed_keys_are_refused_clearly);
    RUN(store_audit_chain_detects_removed_and_altered_entries);
    RUN(store_outbox_is_gapless_ordered_and_never_blocked_by_a_rejection);
    RUN(store_outbox_renumbers_pending_items_consecutively_and_continues_after_them);
    RUN(store_audit_and_outbox_say_nothing_of_who_came_when_without_the_key);
    RUN(store_migrates_from_every_previous_schema);
    RUN(store_refuses_newer_and_foreign_databases);
    RUN(store_keeps_the_signed_role_list_byte_for_byte);
    RUN(store_usage_counts_in_memory_and_writes_them_in_batches_without_loss);
    RUN(store_usage_batches_are_numbered_per_day_and_counter_and_forgotten_when_confirmed);
    return test_done();
}
