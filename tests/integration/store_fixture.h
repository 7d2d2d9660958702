/* Helpers for the store tests: a scratch directory with a key file, building changes, and
 * searching raw files for plaintext. */
#ifndef MINASIDOR_STORE_FIXTURE_H
#define MINASIDOR_STORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

struct fixture {
    char dir[256];
    char db[300];
    char keyspec[320];
    struct store_key *key;
    struct store *store;
};

/* Makes a directory, a key file and an open store. */
void fixture_init(struct fixture *f);
/* Closes the store (if open), wipes the key and removes the directory. */
void fixture_finish(struct fixture *f);
/* Closes and reopens the store. */
void fixture_reopen(struct fixture *f);

/* A change with text values given as name=value pairs, ending with NULL. Ints as decimal text. */
struct store_change change(enum store_kind kind, const char *id, const char *citizen,
                           const char *parent, ...);

/* Whether needle occurs in the file (a missing file has nothing). */
bool file_contains(const char *path, const void *needle, size_t n);
/* Whether needle occurs in the database, its -wal, -shm or -journal file. */
bool db_files_contain(const char *db, const void *needle, size_t n);

/* A citizen "Tolvan Tolvansson", 191212121212, with cases, invoices and more, applied. */
void fixture_seed_tolvan(struct fixture *f);

extern const struct store_actor citizen_actor;

#endif
