/* The encrypted cache (DESIGN.md §4–5): citizens' data at rest, the outbox and the audit log.
 *
 * SQLite 3.40 with application-level envelope encryption (libsodium): a root key from a key
 * provider; subkeys through crypto_kdf; one random data key per citizen, stored wrapped under the
 * key-encryption key; a record's personal fields sealed together, as one value, with
 * XChaCha20-Poly1305 under associated data that binds format version, table, row id, citizen and
 * the record's version, so ciphertext moved elsewhere, or an older one of the same row, does not
 * open. Lookup by personnummer goes through a keyed BLAKE2b blind index. Erasing a citizen
 * deletes the wrapped key and every row, then truncates the WAL.
 *
 * Functions return enum store_error; raw SQLite and libsodium codes never leave this module. */
#ifndef MINASIDOR_STORE_H
#define MINASIDOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "macros.h"
#include "record_kinds.h"

enum store_error {
    STORE_OK,
    STORE_ERR_NOT_FOUND,
    STORE_ERR_TAMPERED, /* ciphertext or audit chain altered, moved or truncated */
    STORE_ERR_KEY,      /* no root key, a wrong one, or a key file others may read */
    STORE_ERR_IO,       /* the file system or SQLite failed */
    STORE_ERR_FULL,     /* the disk is full */
    STORE_ERR_SCHEMA,   /* a database from a newer version, or not ours */
    STORE_ERR_INVALID,  /* the caller's data is not acceptable (missing field, bad kind) */
    STORE_ERR_BUSY,     /* another process holds the writer lock */
};

/* "tampered", "key"...: stable codes; and a sentence for people. */
const char *store_error_code(enum store_error e);
const char *store_error_message(enum store_error e);

/* --- Root key ----------------------------------------------------------------------------- */

struct store_key;

/* Loads the root key from a provider: "keyfile:/path" (32 raw bytes, or 64 hex digits; the file
 * must be owned by us with mode 0600 or 0400) or "credential:NAME" (a systemd credential under
 * $CREDENTIALS_DIRECTORY, TPM2-sealed in production). Makes the process non-dumpable. */
enum store_error store_key_load(const char *provider, struct store_key **out,
                                struct errbuf *err) WARN_UNUSED;

/* Creates a new random root key for "keyfile:/path" (mode 0600, refusing to overwrite). */
enum store_error store_key_create(const char *provider, struct store_key **out,
                                  struct errbuf *err) WARN_UNUSED;

/* Derives a 32-byte key for another module (ids 16 and up; below 16 are the store's own). */
void store_key_derive(const struct store_key *key, uint64_t id, unsigned char out[static 32]);

/* Wipes and frees the key. Accepts NULL. */
void store_key_destroy(struct store_key *key);

/* --- Opening ------------------------------------------------------------------------------ */

struct store;

/* Opens (creating if needed) the database at path, migrating an older schema. The key may be
 * destroyed after this returns: the store keeps only derived subkeys, in guarded memory. */
enum store_error store_open(const char *path, const struct store_key *key, struct store **out,
                            struct errbuf *err) WARN_UNUSED;

/* Closes the database and wipes every key. Accepts NULL. */
void store_close(struct store *s);

/* The schema version this build writes, and the one of an open store. */
int store_schema_version(void);

/* PRAGMA integrity_check; STORE_OK when "ok", STORE_ERR_IO with the first problem otherwise. */
enum store_error store_integrity_check(struct store *s, struct errbuf *err) WARN_UNUSED;

/* --- Records, as sync delivers them ------------------------------------------------------- */

/* The kinds and their fields are described once, in core's record_kinds.h. */
#define STORE_KIND_ENUM_(NAME, wire, table, personal, parent) \
    STORE_KIND_##NAME = RECORD_KIND_##NAME,
enum store_kind { RECORD_KINDS(STORE_KIND_ENUM_) STORE_KIND_COUNT };

#define STORE_MAX_FIELDS RECORD_MAX_FIELDS

enum store_field_type {
    STORE_FIELD_TEXT,
    STORE_FIELD_INT,
};

struct store_field_def {
    const char *name;
    enum store_field_type type;
    bool required;
};

struct store_kind_def {
    const char *name;  /* on the wire: "case", "invoice" */
    const char *table; /* in SQLite */
    bool personal;     /* sealed under the citizen's key, tied to a citizen */
    bool has_parent;   /* belongs to a case (events, documents) */
    size_t n_fields;
    const struct store_field_def *fields;
};

/* The descriptor of a kind (field order is the index used in records and rows). */
const struct store_kind_def *store_kind(enum store_kind kind);

/* The kind with this wire name; false if none. */
bool store_kind_from_name(const char *name, enum store_kind *out);

/* What a table keeps for a case store record id (for tools and tests that look at the file
 * itself): for a citizen a keyed reference, written into ref and returned (the id is sealed
 * beside it); for other records the id itself, returned as it is. */
const char *store_stored_id(const struct store *s, enum store_kind kind, const char *server_id,
                            char ref[static 33]);

/* The index of a field of a kind, or -1. */
int store_field_index(enum store_kind kind, const char *field);

struct store_value {
    bool set;
    const char *text; /* for STORE_FIELD_TEXT */
    long long num;    /* for STORE_FIELD_INT */
};

/* One upsert or tombstone. Ids are the server's opaque record ids. */
struct store_change {
    enum store_kind kind;
    bool tombstone;
    const char *id;
    const char *citizen; /* personal kinds: the citizen's server id */
    const char *parent;  /* events and documents: the case's server id */
    struct store_value values[STORE_MAX_FIELDS];
    /* Set by whoever could not use the change (sync's parser): it is not applied but recorded as
     * set aside with this reason (field names and positions only, never values). kind_name is
     * the kind as it came, for a kind this build does not know (NULL otherwise); a tombstone of
     * such a kind only clears its set-aside entry. */
    const char *set_aside;
    const char *kind_name;
};

/* Applies changes and the new sync cursor in one transaction. Each change is applied under its
 * own savepoint: one the store cannot take (STORE_ERR_INVALID: a missing field, a record whose
 * citizen or case is unknown here, a personnummer another citizen has), one marked set_aside,
 * and a citizen outside the scope (store_set_scope) are kept out and recorded in the set-aside
 * list; a citizen leaving the scope is erased as a tombstone would. A change that applies
 * removes its record from the set-aside list (healed). Any other error (I/O, key, full disk)
 * rolls back the whole batch, cursor included. A citizen's tombstone erases the citizen
 * (crypto-shredding). *applied (may be NULL) gets the count applied, not set aside. */
enum store_error store_apply(struct store *s, const struct store_change *changes, size_t n,
                             const char *cursor, size_t *applied, struct errbuf *err) WARN_UNUSED;

/* --- Records set aside (sync/PROTOCOL.md §5) ---------------------------------------------- */

/* The districts this kiosk serves ("bromma,kista", from provisioning): a citizen upsert whose
 * district is not one of them is set aside, and the citizen erased if stored. NULL or "" turns
 * the check off. The store keeps a copy. */
void store_set_scope(struct store *s, const char *districts);

#define STORE_SET_ASIDE_MAX 1000 /* the newest are kept */

/* One record the store did not take. kind and id are the server's (sanitised to printable
 * ASCII); reason names fields and positions, never values. */
struct store_set_aside {
    int64_t row;
    char kind[33];
    char id[201];
    char reason[161];
    int64_t first_seen, last_seen;
    bool reported;
};

/* How many records are set aside, how many of them the case store has not been told about,
 * and their kinds with counts ("case 2, citizen 1"). */
enum store_error store_set_aside_summary(struct store *s, int64_t *total, int64_t *unreported,
                                         char kinds[static 160]) WARN_UNUSED;

/* Up to max entries, oldest first; only the unreported ones with unreported_only. */
enum store_error store_set_aside_list(struct store *s, bool unreported_only,
                                      struct store_set_aside *out, size_t max,
                                      size_t *n) WARN_UNUSED;

/* Marks entries (by row) as reported to the case store. */
enum store_error store_set_aside_mark_reported(struct store *s, const struct store_set_aside *e,
                                               size_t n) WARN_UNUSED;

/* --- Sync state --------------------------------------------------------------------------- */

struct store_sync_state {
    char cursor[256];        /* "" before the first pull */
    int64_t last_success_at; /* UTC seconds; 0 = never */
    int64_t server_offset_s; /* server clock minus ours */
};

enum store_error store_sync_state_get(struct store *s, struct store_sync_state *out) WARN_UNUSED;
enum store_error store_sync_success(struct store *s, int64_t at,
                                    int64_t server_offset_s) WARN_UNUSED;

/* Forgets every synced record (not the outbox or audit log) and the cursor, for a server
 * "reset": the next pull starts from scratch. Citizens with undelivered submissions keep their
 * key until those are delivered. */
enum store_error store_reset_synced(struct store *s) WARN_UNUSED;

/* --- Who is reading (for the audit log) --------------------------------------------------- */

enum store_session_kind {
    STORE_SESSION_CITIZEN,
    STORE_SESSION_STAFF,
    STORE_SESSION_TECHNICIAN,
    STORE_SESSION_SYSTEM, /* sync and maintenance */
};

struct store_actor {
    enum store_session_kind kind;
    const char *staff_id; /* staff and technicians; NULL for citizens */
    const char *reason;   /* staff: the stated reason; NULL otherwise */
};

/* --- Reading a citizen's data ------------------------------------------------------------- */

/* Finds a citizen by personnummer (12 digits) through the blind index. */
enum store_error store_citizen_find(struct store *s, const char *pnr12,
                                    int64_t *citizen_id) WARN_UNUSED;

/* Decrypted rows (struct record, record_kinds.h), in guarded memory (sodium_malloc) that
 * store_rows_free wipes. */
struct store_rows {
    enum store_kind kind;
    size_t n;
    struct record *rows;
    struct store_arena *arena; /* private */
};

/* Every row of a kind for one citizen (or, for a parent kind, of one case when parent_id > 0;
 * for non-personal kinds citizen_id is ignored). Each read of personal data is audit-logged.
 * Caller frees with store_rows_free. */
enum store_error store_list(struct store *s, const struct store_actor *actor, enum store_kind kind,
                            int64_t citizen_id, int64_t parent_id,
                            struct store_rows **out) WARN_UNUSED;
void store_rows_free(struct store_rows *rows);

/* Erases a citizen: deletes the wrapped key and every row (crypto-shredding), then truncates
 * the WAL. A citizen with undelivered submissions keeps only the key (no personal fields) until
 * those are delivered. */
enum store_error store_citizen_erase(struct store *s, int64_t citizen_id) WARN_UNUSED;

/* --- Outbox ------------------------------------------------------------------------------- */

enum store_outbox_state {
    STORE_OUTBOX_QUEUED,
    STORE_OUTBOX_SENDING,
    STORE_OUTBOX_ACCEPTED,
    STORE_OUTBOX_DUPLICATE,
    STORE_OUTBOX_REJECTED,
};

const char *store_outbox_state_code(enum store_outbox_state st);

struct store_submission {
    const char *kind; /* "application", "complaint", "callback", "choice" */
    const char *main; /* taxonomy codes */
    const char *type;
    const char *klass;
    int64_t citizen_id;        /* 0: anonymous (a callback without identification) */
    const char *payload;       /* JSON text, personal */
    const char *registered_by; /* JSON: {"by":"citizen"} or ombud details */
    int64_t created_at;
};

/* Adds a submission, with its audit entry, in one transaction. It gets a random UUID and the
 * next gapless per-device sequence number. */
enum store_error store_outbox_add(struct store *s, const struct store_actor *actor,
                                  const struct store_submission *sub, char uuid_out[37],
                                  int64_t *seq_out) WARN_UNUSED;

struct store_outbox_item {
    int64_t seq;      /* the row's own, local and never changed */
    int64_t wire_seq; /* the device's sequence number on the wire (PROTOCOL.md §6) */
    const char *uuid, *kind, *main, *type, *klass, *payload, *registered_by;
    const char *citizen_server_id; /* NULL for anonymous */
    int64_t citizen_id;
    int64_t created_at;
    enum store_outbox_state state;
    const char *case_number; /* accepted */
    const char *reason;      /* rejected */
    int attempts;
};

struct store_outbox {
    size_t n;
    struct store_outbox_item *items;
    struct store_arena *arena;
};

/* Items in sequence order: with pending_only, only queued and sending ones (what push sends);
 * otherwise all, newest last. limit 0 = no limit. Caller frees with store_outbox_free. */
enum store_error store_outbox_list(struct store *s, bool pending_only, size_t limit,
                                   struct store_outbox **out) WARN_UNUSED;
void store_outbox_free(struct store_outbox *o);

/* Records the outcome of delivering one item. case_number for accepted, reason for rejected. */
enum store_error store_outbox_set_state(struct store *s, int64_t seq, enum store_outbox_state state,
                                        const char *case_number, const char *reason) WARN_UNUSED;

struct store_outbox_update {
    int64_t seq;
    enum store_outbox_state state;
    const char *case_number, *reason;
};

/* Records many outcomes in one transaction (what one push answered). */
enum store_error store_outbox_set_states(struct store *s, const struct store_outbox_update *u,
                                         size_t n) WARN_UNUSED;

/* For a case store that answered sequence_conflict or sequence_gap naming the item `seq`: that
 * item and every pending item after it get consecutive wire sequence numbers from wire_seq on,
 * and items queued later continue after them. Delivered items keep theirs. */
enum store_error store_outbox_renumber(struct store *s, int64_t seq, int64_t wire_seq) WARN_UNUSED;

/* Pending (queued or sending) items and the age of the oldest, for diagnostics. */
enum store_error store_outbox_stats(struct store *s, int64_t *pending,
                                    int64_t *oldest_created_at) WARN_UNUSED;

/* --- Audit log ---------------------------------------------------------------------------- */

/* Appends an entry for the citizen (0 = none): category says what kind of data ("overview",
 * "invoices", "submission"...); details are personal and sealed under the citizen's key. */
enum store_error store_audit_append(struct store *s, const struct store_actor *actor,
                                    int64_t citizen_id, const char *category,
                                    const char *details) WARN_UNUSED;

/* Walks the hash chain: STORE_ERR_TAMPERED if an entry was removed, altered or reordered, or
 * the newest entries were cut off. *entries gets the count checked. */
enum store_error store_audit_verify(struct store *s, int64_t *entries,
                                    struct errbuf *err) WARN_UNUSED;

/* One entry, opened: for an auditor's tools and the tests. details is personal (a staff
 * member's reason, about a citizen). */
struct store_audit_entry {
    int64_t id, at;
    const char *session;  /* "citizen", "staff", "technician", "system" */
    const char *category; /* "staff_access", "invoices"... */
    bool about_citizen, by_staff;
    const char *details;
};

struct store_audit_entries {
    size_t n;
    struct store_audit_entry *entries;
    struct store_arena *arena;
};

/* The entries after id `after`, oldest first. Caller frees with store_audit_free. */
enum store_error store_audit_read(struct store *s, int64_t after,
                                  struct store_audit_entries **out) WARN_UNUSED;
void store_audit_free(struct store_audit_entries *e);

/* --- The site's staff role list ----------------------------------------------------------- */

/* Stores the role list as the server signed it (the identity module verifies the signature
 * before trusting it; the store keeps the exact bytes, sealed, so it can be verified again). */
enum store_error store_roles_put(struct store *s, const void *document, size_t document_len,
                                 const void *signature, size_t signature_len,
                                 int64_t at) WARN_UNUSED;

/* The stored role list; STORE_ERR_NOT_FOUND before the first sync. Caller frees both with
 * free() (the document names staff: wipe it first). */
enum store_error store_roles_get(struct store *s, unsigned char **document, size_t *document_len,
                                 unsigned char **signature, size_t *signature_len) WARN_UNUSED;

/* --- Usage counters (no personal data) ---------------------------------------------------- */

/* Counters tallied in memory, for a caller that must not wait on the disk (the UI counts every
 * navigation): store_usage_add only counts, from any thread; store_usage_flush writes the
 * tally in one transaction, from whichever thread owns that store connection (the sync runner,
 * and at shutdown), keeping the counts for the next flush if it cannot write them. Screen,
 * language and outcome are short codes (longer ones are cut). */
struct store_usage;
struct store_usage *store_usage_create(void);
void store_usage_add(struct store_usage *u, int64_t at, const char *screen, const char *lang,
                     const char *outcome);
enum store_error store_usage_flush(struct store_usage *u, struct store *s) WARN_UNUSED;
/* Counts not written yet. */
size_t store_usage_pending(struct store_usage *u);
/* Frees the tally; counts not flushed are lost. Accepts NULL. */
void store_usage_destroy(struct store_usage *u);

/* Counts one use under a counter of the vocabulary (usage_names.h: USAGE_VISIT,
 * USAGE_KEYPAD_USE, "lang.fi", …), like store_usage_add. A name outside the vocabulary is
 * counted here but never sent. */
void store_usage_count(struct store_usage *u, int64_t at, const char *counter);

/* The written counters on their way to the case store (PROTOCOL.md §9): per UTC day (days since
 * 1970-01-01) and counter, as one numbered batch. store_usage_batch returns the batch not yet
 * confirmed, or forms the next one from what store_usage_flush wrote (the oldest
 * STORE_USAGE_BATCH_DAYS days of it); *n is 0 when there is nothing to send. The caller frees
 * *out. Once the case store confirms the batch, store_usage_batch_done forgets it. Batch numbers
 * only grow, so the case store counts each batch once however often it arrives. */
#define STORE_USAGE_BATCH_DAYS 60
struct store_usage_total {
    int64_t day;
    char counter[40];
    int64_t count;
};
enum store_error store_usage_batch(struct store *s, int64_t *batch, struct store_usage_total **out,
                                   size_t *n) WARN_UNUSED;
enum store_error store_usage_batch_done(struct store *s, int64_t batch) WARN_UNUSED;

#ifdef MINASIDOR_UNIT_TEST
/* Test builds only: the raw root key (to prove it is not on disk), opening at an older schema
 * version (to test migrations), and a hook run just before store_apply commits. */
const unsigned char *store_key_bytes_for_test(const struct store_key *key);
enum store_error store_open_at_version(const char *path, const struct store_key *key, int version,
                                       struct store **out, struct errbuf *err);
extern void (*store_test_before_commit)(void);
/* Test builds only: store_list of a kind whose bit (1u << kind) is set fails as a record altered
 * on disk does (STORE_ERR_TAMPERED), for the screens' error state (`set fail-read` in scripts). */
extern unsigned store_test_fail_list;
#endif

#endif
