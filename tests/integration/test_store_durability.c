/* Suite `store`: a writer killed with SIGKILL at random points, 200 times. After each restart
 * the database passes integrity_check, every batch is applied whole with its cursor or not at
 * all, and no acknowledged outbox item is lost or doubled. */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"
#include "test.h"
#define LOG_MODULE "test"
#include "log.h"

#define ROUNDS          200
#define CASES_PER_BATCH 3

static long long
raw_count(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

/* The child: resumes after the stored cursor and writes batches forever, acknowledging each
 * commit on the pipe ("b<k>" for a batch, "o<seq>" for an outbox item). */
static void
writer(struct fixture *f, int ack)
{
    struct errbuf err;
    if (store_open(f->db, f->key, &f->store, &err) != STORE_OK)
        _exit(3);
    struct store_sync_state ss;
    if (store_sync_state_get(f->store, &ss) != STORE_OK)
        _exit(3);
    long k = atol(ss.cursor);
    for (;;) {
        k++;
        char cid[32], pnr[24], cursor[32], case_ids[CASES_PER_BATCH][32], title[48];
        snprintf(cid, sizeof(cid), "cit-%ld", k);
        snprintf(pnr, sizeof(pnr), "19%010ld", k % 10000000000L);
        snprintf(cursor, sizeof(cursor), "%ld", k);
        snprintf(title, sizeof(title), "batch %ld", k);
        struct store_change c[1 + CASES_PER_BATCH];
        c[0] = change(STORE_KIND_CITIZEN, cid, NULL, NULL, "pnr", pnr, "given_name", "Test", NULL);
        for (int j = 0; j < CASES_PER_BATCH; j++) {
            snprintf(case_ids[j], sizeof(case_ids[j]), "case-%ld-%d", k, j);
            c[1 + j] = change(STORE_KIND_CASE, case_ids[j], cid, NULL, "case_number", "X", "main",
                              "ovrigt", "type", "ovrigt", "class", "information", "status",
                              "inkommen", "title", title, NULL);
        }
        if (store_apply(f->store, c, 1 + CASES_PER_BATCH, cursor, NULL, &err) != STORE_OK)
            _exit(4);
        dprintf(ack, "b%ld\n", k);
        char payload[64];
        snprintf(payload, sizeof(payload), "{\"batch\":%ld}", k);
        struct store_submission sub = {
            "callback", "ovrigt", "aterringning",         "information",
            0,          payload,  "{\"by\":\"citizen\"}", (int64_t)time(NULL)
        };
        char uuid[37];
        int64_t seq;
        if (store_outbox_add(f->store, &citizen_actor, &sub, uuid, &seq) != STORE_OK)
            _exit(4);
        dprintf(ack, "o%lld\n", (long long)seq);
    }
}

TEST(store_survives_200_kills_of_a_writer)
{
    struct fixture f;
    fixture_init(&f);
    store_close(f.store);
    f.store = NULL;
    srand(20261122);
    long acked_batch = 0;
    long long acked_seq = 0;
    int failures = 0;
    for (int round = 0; round < ROUNDS && failures < 3; round++) {
        int p[2];
        CHECK(pipe(p) == 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            writer(&f, p[1]);
        }
        close(p[1]);
        FILE *acks = fdopen(p[0], "r");
        char line[64];
        /* Every fourth round lets the writer commit once first, so that the test always makes
         * progress however slow the machine; the others may die during start-up. */
        if (round % 4 == 0) {
            while (fgets(line, sizeof(line), acks) != NULL) {
                if (line[0] == 'o')
                    acked_seq = atoll(line + 1);
                if (line[0] == 'b') {
                    acked_batch = atol(line + 1);
                    break;
                }
            }
        }
        /* Kill at a random point: during start-up, mid-batch, mid-outbox-write. */
        struct timespec ts = { 0, (long)(rand() % 30000) * 1000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status)) {
            test_fail(__FILE__, __LINE__, "round %d: writer exited %d by itself", round,
                      WEXITSTATUS(status));
            failures++;
        }
        while (fgets(line, sizeof(line), acks) != NULL) {
            if (line[0] == 'b')
                acked_batch = atol(line + 1);
            else if (line[0] == 'o')
                acked_seq = atoll(line + 1);
        }
        fclose(acks);

        struct errbuf err;
        if (store_open(f.db, f.key, &f.store, &err) != STORE_OK) {
            test_fail(__FILE__, __LINE__, "round %d: reopen: %s", round, err.msg);
            failures++;
            continue;
        }
        if (store_integrity_check(f.store, &err) != STORE_OK) {
            test_fail(__FILE__, __LINE__, "round %d: %s", round, err.msg);
            failures++;
        }
        struct store_sync_state ss;
        CHECK(store_sync_state_get(f.store, &ss) == STORE_OK);
        long cursor = atol(ss.cursor);
        long long citizens = raw_count(f.db, "SELECT count(*) FROM citizens");
        long long cases = raw_count(f.db, "SELECT count(*) FROM cases");
        if (cursor < acked_batch || citizens != cursor || cases != cursor * CASES_PER_BATCH) {
            test_fail(__FILE__, __LINE__,
                      "round %d: cursor %ld (acknowledged %ld), %lld citizens, %lld cases", round,
                      cursor, acked_batch, citizens, cases);
            failures++;
        }
        long long n = raw_count(f.db, "SELECT count(*) FROM outbox");
        long long max = raw_count(f.db, "SELECT coalesce(max(seq), 0) FROM outbox");
        long long next = raw_count(f.db, "SELECT outbox_next_seq FROM device_state");
        if (n != max || next != max + 1 || max < acked_seq) {
            test_fail(__FILE__, __LINE__,
                      "round %d: outbox has %lld items, max seq %lld, next %lld, acknowledged "
                      "%lld",
                      round, n, max, next, acked_seq);
            failures++;
        }
        if (round % 25 == 24 || round == ROUNDS - 1) {
            /* Every item decrypts, and no batch was submitted twice. */
            struct store_outbox *o = NULL;
            CHECK(store_outbox_list(f.store, false, 0, &o) == STORE_OK);
            char *seen = calloc((size_t)cursor + 2, 1);
            for (size_t i = 0; o != NULL && i < o->n; i++) {
                long b = atol(strchr(o->items[i].payload, ':') + 1);
                if (b < 1 || b > cursor || seen[b]) {
                    test_fail(__FILE__, __LINE__, "round %d: outbox batch %ld twice or unknown",
                              round, b);
                    failures++;
                    break;
                }
                seen[b] = 1;
            }
            free(seen);
            store_outbox_free(o);
            int64_t entries;
            CHECK(store_audit_verify(f.store, &entries, &err) == STORE_OK);
        }
        store_close(f.store);
        f.store = NULL;
    }
    printf("# %ld batches and %lld submissions written across %d kills\n", acked_batch, acked_seq,
           ROUNDS);
    CHECK(acked_batch >= ROUNDS / 4);
    fixture_finish(&f);
}

int
main(void)
{
    log_init(LOG_LEVEL_WARN, LOG_TARGET_STDERR, "test");
    RUN(store_survives_200_kills_of_a_writer);
    return test_done();
}
