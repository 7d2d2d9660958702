/* Shared inside src/store only: the store handle, sealing, the guarded arena, SQL helpers. */
#ifndef MINASIDOR_STORE_INTERNAL_H
#define MINASIDOR_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

#define KEY_BYTES 32

/* The database's page size (new databases, and a migration that compacts): 8 KiB applied a
 * page of records faster than SQLite's 4 KiB (store_bench: 0.64x plain SQLite's rate at 20 000
 * citizens, 0.60x with 4 KiB). */
#define STORE_PAGE_SIZE_SQL "PRAGMA page_size=8192"

/* Subkey ids under the root key (crypto_kdf, context "minasido"). Never renumber. */
enum subkey {
    SUBKEY_KEK = 1,    /* wraps citizens' data keys */
    SUBKEY_INDEX = 2,  /* blind index of personnummer */
    SUBKEY_DEVICE = 3, /* anonymous submissions and the key check */
    SUBKEY_AUDIT = 4,  /* the audit chain's MAC */
    SUBKEY_REF = 5,    /* keyed references to the case store's citizen ids */
    SUBKEY_COUNT = 6,
};

struct store_key {
    unsigned char *bytes; /* KEY_BYTES, sodium_malloc */
};

struct kind_stmts {
    sqlite3_stmt *find, *next_id, *insert, *update, *remove, *list_citizen, *list_parent;
    sqlite3_stmt *erase; /* a citizen's rows of a personal kind other than citizens */
};

/* The row a record id was last found at, inside one store_apply (sync pages come grouped by
 * citizen and case): spares a look-up, and for citizens a keyed hash, per record. */
struct found_row {
    char id[201];
    int64_t row;
};

struct store {
    sqlite3 *db;
    unsigned char *keys; /* SUBKEY_COUNT * KEY_BYTES, sodium_malloc, read-only when idle */
    struct kind_stmts stmts[STORE_KIND_COUNT];
    /* Next free row id per table inside the current store_apply; 0 = ask SQLite. */
    int64_t next_rowid[STORE_KIND_COUNT];
    struct found_row last_citizen, last_case; /* row 0: none */
    /* The last unwrapped citizen key: sync pages come grouped by citizen. */
    int64_t cached_citizen;
    unsigned char *cached_key; /* KEY_BYTES, sodium_malloc */
    char *scope;               /* "bromma,kista" or NULL: store_set_scope */
};

const unsigned char *store_subkey(const struct store *s, enum subkey id);

/* Guarded memory for decrypted data: chunks from sodium_malloc, wiped by sodium_free. */
struct store_arena;
struct store_arena *arena_create(void);
void *arena_alloc(struct store_arena *a, size_t n);
char *arena_strndup(struct store_arena *a, const char *s, size_t n);
void arena_destroy(struct store_arena *a);

/* Seals plaintext bound to (table, column, rowid, citizen). Caller frees *out with free(). */
void seal_field(const unsigned char key[KEY_BYTES], const char *table, const char *column,
                int64_t rowid, int64_t citizen, const void *plain, size_t len, unsigned char **out,
                size_t *out_len);

/* Opens a sealed field into the arena as a NUL-terminated string (*len without the NUL).
 * STORE_ERR_TAMPERED (and a log line naming table, column and row) if it does not open. */
enum store_error open_field(const unsigned char key[KEY_BYTES], const char *table,
                            const char *column, int64_t rowid, int64_t citizen,
                            const unsigned char *blob, size_t blob_len, struct store_arena *a,
                            char **out, size_t *len);

/* As open_field, into caller storage of exactly want bytes (for keys). */
enum store_error open_field_fixed(const unsigned char key[KEY_BYTES], const char *table,
                                  const char *column, int64_t rowid, int64_t citizen,
                                  const unsigned char *blob, size_t blob_len, unsigned char *out,
                                  size_t want);

/* Seals a record's fields (values[i] NULL when unset) together, bound to (table, rowid,
 * citizen, version). Caller frees *out with free(). */
void seal_record(const unsigned char key[KEY_BYTES], const char *table, int64_t rowid,
                 int64_t citizen, int64_t version, const char *const *values, size_t n,
                 unsigned char **out, size_t *out_len);

/* Opens a sealed record into the arena: values[i] points at field i (a string) or is NULL.
 * STORE_ERR_TAMPERED (and a log line naming the table and row) if it does not open. */
enum store_error open_record(const unsigned char key[KEY_BYTES], const char *table, int64_t rowid,
                             int64_t citizen, int64_t version, const unsigned char *blob,
                             size_t blob_len, struct store_arena *a, const char **values, size_t n);

/* What the citizens table keeps instead of a case store citizen id: 16 hex digits (64 bits) of
 * a keyed BLAKE2b of table and id, so a citizen is found by id but the file does not show the
 * ids (store_stored_id). Short, so that its index (whose inserts land at random places) has few
 * pages: a row found by it is checked against the id sealed beside it (f_server_id). */
#define STORE_REF_CHARS 16
void server_ref(const struct store *s, const char *table, const char *server_id,
                char out[STORE_REF_CHARS + 1]);

/* Schema 5's work with keys: replace every citizen's id by its reference, keeping the id
 * sealed (a submission names its citizen to the case store). */
enum store_error store_migrate_server_refs(struct store *s, struct errbuf *err);

/* Schema 7's work with keys: seal each record's fields together (seal_record) instead of one
 * by one, drop the per-field columns, and shorten the citizens' references and blind indexes. */
enum store_error store_migrate_sealed_records(struct store *s, struct errbuf *err);

/* The blind index of a 12-digit personnummer: 64 bits of a keyed BLAKE2b, short for the same
 * reason as the reference; a citizen found by it is checked against the sealed personnummer. */
#define BIDX_BYTES 8
void blind_index(const struct store *s, const char *pnr12, unsigned char out[BIDX_BYTES]);

/* The data key of a citizen, unwrapped (cached). Borrowed until the next call. */
enum store_error citizen_key(struct store *s, int64_t citizen_id, const unsigned char **key);
void citizen_key_forget(struct store *s);

/* Maps a SQLite result code, logging the failure once with what was being done. */
enum store_error sql_error(struct store *s, int rc, const char *doing);

/* Runs SQL without results. */
enum store_error sql_exec(struct store *s, const char *sql);

enum store_error tx_begin(struct store *s);
enum store_error tx_commit(struct store *s);
void tx_rollback(struct store *s);

/* Schema: the migrations, applied in order. */
enum store_error schema_migrate(struct store *s, int target_version, struct errbuf *err);

/* Whether the root key opens this database (the key check, written on first open). */
enum store_error store_check_key(struct store *s, struct errbuf *err);

/* Schema 4's work with keys, inside its migration's transaction: seal the audit log's headers
 * (after verifying the old chain; a broken chain is not laundered into a valid one) and the
 * outbox's times. */
enum store_error audit_migrate_sealed_headers(struct store *s, struct errbuf *err);
enum store_error outbox_migrate_sealed_times(struct store *s);

/* Audit, used inside other transactions. */
enum store_error audit_append_in_tx(struct store *s, const struct store_actor *actor,
                                    int64_t citizen_id, const char *category, const char *details);

/* Outbox: whether a citizen has undelivered items (they keep the key until delivered). */
bool outbox_has_pending(struct store *s, int64_t citizen_id);

/* Set-aside list, inside store_apply's transaction: records one entry (upsert by kind and id,
 * keeping the newest STORE_SET_ASIDE_MAX), and forgets the entry of a record that applied. */
enum store_error set_aside_record(struct store *s, const char *kind, const char *id,
                                  const char *reason, int64_t now);
enum store_error set_aside_heal(struct store *s, const char *kind, const char *id);
bool set_aside_any(struct store *s);

/* Whether a district is in the store's scope (true when no scope is set). */
bool scope_has(const struct store *s, const char *district);

/* Deletes a citizen row entirely if erase is pending and nothing is left to deliver. */
enum store_error citizen_finish_erase(struct store *s, int64_t citizen_id);

#endif
