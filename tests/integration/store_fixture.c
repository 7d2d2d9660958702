/* Store test helpers. */
#include "store_fixture.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "xalloc.h"

const struct store_actor citizen_actor = { STORE_SESSION_CITIZEN, NULL, NULL };

void
fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/minasidor-store-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        perror("mkdtemp");
        abort();
    }
    snprintf(f->db, sizeof(f->db), "%s/cache.db", f->dir);
    snprintf(f->keyspec, sizeof(f->keyspec), "keyfile:%s/root.key", f->dir);
    struct errbuf err;
    if (store_key_create(f->keyspec, &f->key, &err) != STORE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
    if (store_open(f->db, f->key, &f->store, &err) != STORE_OK) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
}

void
fixture_reopen(struct fixture *f)
{
    store_close(f->store);
    f->store = NULL;
    struct errbuf err;
    if (store_open(f->db, f->key, &f->store, &err) != STORE_OK) {
        fprintf(stderr, "reopen: %s\n", err.msg);
        abort();
    }
}

void
fixture_finish(struct fixture *f)
{
    store_close(f->store);
    store_key_destroy(f->key);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
}

struct store_change
change(enum store_kind kind, const char *id, const char *citizen, const char *parent, ...)
{
    struct store_change c = { .kind = kind, .id = id, .citizen = citizen, .parent = parent };
    const struct store_kind_def *d = store_kind(kind);
    va_list ap;
    va_start(ap, parent);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        int i = store_field_index(kind, name);
        if (i < 0) {
            fprintf(stderr, "no field %s in %s\n", name, d->name);
            abort();
        }
        c.values[i].set = true;
        c.values[i].text = value;
        c.values[i].num = strtoll(value, NULL, 10);
    }
    va_end(ap);
    return c;
}

bool
file_contains(const char *path, const void *needle, size_t n)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    bool found = false;
    if (size > 0) {
        char *data = xmalloc((size_t)size);
        if (fread(data, 1, (size_t)size, fp) == (size_t)size) {
            for (long i = 0; i + (long)n <= size && !found; i++)
                found = memcmp(data + i, needle, n) == 0;
        }
        free(data);
    }
    fclose(fp);
    return found;
}

bool
db_files_contain(const char *db, const void *needle, size_t n)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < 4; i++) {
        char path[400];
        snprintf(path, sizeof(path), "%s%s", db, suffixes[i]);
        if (file_contains(path, needle, n))
            return true;
    }
    return false;
}

void
fixture_seed_tolvan(struct fixture *f)
{
    struct store_change c[] = {
        change(STORE_KIND_CITIZEN, "cit-1", NULL, NULL, "pnr", "191212121212", "given_name",
               "Tolvan", "surname", "Tolvansson", "language", "sv", "phone", "+46701234567",
               "district", "bromma", NULL),
        change(STORE_KIND_CASE, "case-1", "cit-1", NULL, "case_number", "BR-2026-0412", "main",
               "aldreomsorg", "type", "hemtjanst", "class", "ny_ansokan", "status", "handlaggs",
               "title", "Ansökan om hemtjänst för Tolvan", "handlaggare", "Anna Handläggare",
               "next_step", "Hembesök 3 december", NULL),
        change(STORE_KIND_CASE, "case-2", "cit-1", NULL, "case_number", "BR-2025-0007", "main",
               "fardtjanst", "type", "fardtjanst", "class", "ny_ansokan", "status", "avslutat",
               "title", "Färdtjänst", "decision", "Beviljad", NULL),
        change(STORE_KIND_CASE_EVENT, "ev-1", "cit-1", "case-1", "at", "1763900000", "status",
               "inkommen", NULL),
        change(STORE_KIND_CASE_EVENT, "ev-2", "cit-1", "case-1", "at", "1764000000", "status",
               "handlaggs", "note", "Handläggare utsedd", NULL),
        change(STORE_KIND_CASE_DOCUMENT, "doc-1", "cit-1", "case-1", "name", "Läkarintyg",
               "received_on", "2026-11-10", NULL),
        change(STORE_KIND_INVOICE, "inv-1", "cit-1", NULL, "number", "90001", "amount_ore",
               "123450", "due_date", "2026-11-30", "ocr", "18108401345678778", "paid", "0",
               "bankgiro", "5050-1055", NULL),
        change(STORE_KIND_INVOICE, "inv-2", "cit-1", NULL, "number", "90002", "amount_ore", "5000",
               "due_date", "2026-10-31", "ocr", "1018966492531", "paid", "0", NULL),
        change(STORE_KIND_INVOICE, "inv-3", "cit-1", NULL, "number", "90003", "amount_ore", "9900",
               "due_date", "2026-09-30", "ocr", "1019080881039", "paid", "1", "paid_on",
               "2026-09-28", NULL),
        change(STORE_KIND_QUEUE_ENTRY, "q-1", "cit-1", NULL, "queue", "forskola", "unit",
               "Förskolan Ugglan", "position", "7", "of_total", "42", NULL),
        change(STORE_KIND_QUEUE_ENTRY, "q-2", "cit-1", NULL, "queue", "forskola", "unit",
               "Förskolan Solen", "position", "3", "of_total", "12", NULL),
        change(STORE_KIND_APPOINTMENT, "ap-1", "cit-1", NULL, "starts_at", "1764756000", "place",
               "Bromma medborgarkontor", "handlaggare", "Anna Handläggare", NULL),
        change(STORE_KIND_APPOINTMENT, "ap-0", "cit-1", NULL, "starts_at", "1700000000", "place",
               "Long ago", NULL),
        change(STORE_KIND_PERMIT, "pm-1", "cit-1", NULL, "kind", "fardtjanst", "valid_to",
               "2027-06-30", NULL),
        change(STORE_KIND_PAYOUT, "po-1", "cit-1", NULL, "amount_ore", "812300", "payout_date",
               "2026-12-23", NULL),
        change(STORE_KIND_ARTICLE, "art-1", NULL, NULL, "area", "fardtjanst", "lang", "sv", "title",
               "Så ansöker du om färdtjänst", "body", "Text.", NULL),
    };
    struct errbuf err = { "" };
    size_t applied;
    enum store_error e = store_apply(f->store, c, ARRAY_LEN(c), "cursor-1", &applied, &err);
    if (e != STORE_OK) {
        fprintf(stderr, "seed: %s: %s\n", store_error_code(e), err.msg);
        abort();
    }
}
