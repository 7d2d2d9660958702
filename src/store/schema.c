/* The data model (DESIGN.md §4): record kinds, and the schema migrations that create them.
 * Migrations are fixed SQL: once released, one is never edited, only followed by another. */
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

#define LOG_MODULE "store"
#include "log.h"

/* The descriptors, from the kinds' one description (record_kinds.h). */
#define FIELD_DEF_(K, NAME, wire, type, required) { wire, STORE_FIELD_##type, required },
#define KIND_FIELDS_(NAME, wire, table, personal, parent)                              \
    static const struct store_field_def NAME##_defs[] = { NAME##_FIELDS(FIELD_DEF_) }; \
    _Static_assert(ARRAY_LEN(NAME##_defs) <= STORE_MAX_FIELDS, #NAME " has too many fields");
RECORD_KINDS(KIND_FIELDS_)

#define KIND_DEF_(NAME, wire, table, personal, parent) \
    [STORE_KIND_##NAME] = { wire, table, personal, parent, ARRAY_LEN(NAME##_defs), NAME##_defs },
static const struct store_kind_def kinds[STORE_KIND_COUNT] = { RECORD_KINDS(KIND_DEF_) };

const struct store_kind_def *
store_kind(enum store_kind kind)
{
    return kind < STORE_KIND_COUNT ? &kinds[kind] : NULL;
}

bool
store_kind_from_name(const char *name, enum store_kind *out)
{
    for (int k = 0; k < STORE_KIND_COUNT; k++) {
        if (strcmp(kinds[k].name, name) == 0) {
            *out = (enum store_kind)k;
            return true;
        }
    }
    return false;
}

int
store_field_index(enum store_kind kind, const char *field)
{
    const struct store_kind_def *d = store_kind(kind);
    for (size_t i = 0; d != NULL && i < d->n_fields; i++) {
        if (strcmp(d->fields[i].name, field) == 0)
            return (int)i;
    }
    return -1;
}

/* Version 1: the data model. Personal columns are BLOBs holding sealed values. */
static const char *const migration_1[] = {
    "CREATE TABLE citizens ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE, bidx BLOB NOT NULL UNIQUE,"
    " wrapped_key BLOB NOT NULL, erase_pending INTEGER NOT NULL DEFAULT 0,"
    " f_pnr BLOB, f_given_name BLOB, f_surname BLOB, f_language BLOB, f_phone BLOB,"
    " f_email BLOB, f_address BLOB, f_district BLOB, f_contact_channel BLOB);",
    "CREATE TABLE cases ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " f_case_number BLOB, f_main BLOB, f_type BLOB, f_class BLOB, f_status BLOB,"
    " f_district BLOB, f_unit BLOB, f_handlaggare BLOB, f_title BLOB, f_next_step BLOB,"
    " f_decision BLOB, f_received_on BLOB, f_updated_at BLOB);",
    "CREATE INDEX cases_citizen ON cases(citizen_id);",
    "CREATE TABLE case_events ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " parent_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
    " f_at BLOB, f_status BLOB, f_note BLOB);",
    "CREATE INDEX case_events_parent ON case_events(parent_id);",
    "CREATE INDEX case_events_citizen ON case_events(citizen_id);",
    "CREATE TABLE case_documents ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " parent_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,"
    " f_name BLOB, f_received_on BLOB);",
    "CREATE INDEX case_documents_parent ON case_documents(parent_id);",
    "CREATE INDEX case_documents_citizen ON case_documents(citizen_id);",
    "CREATE TABLE queue_entries ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " f_queue BLOB, f_unit BLOB, f_child_name BLOB, f_position BLOB, f_of_total BLOB,"
    " f_registered_on BLOB, f_expected_offer BLOB);",
    "CREATE INDEX queue_entries_citizen ON queue_entries(citizen_id);",
    "CREATE TABLE invoices ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " f_number BLOB, f_issuer BLOB, f_description BLOB, f_amount_ore BLOB,"
    " f_invoice_date BLOB, f_due_date BLOB, f_ocr BLOB, f_bankgiro BLOB, f_paid BLOB,"
    " f_paid_on BLOB);",
    "CREATE INDEX invoices_citizen ON invoices(citizen_id);",
    "CREATE TABLE permits ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " f_kind BLOB, f_valid_from BLOB, f_valid_to BLOB, f_conditions BLOB);",
    "CREATE INDEX permits_citizen ON permits(citizen_id);",
    "CREATE TABLE appointments ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " f_starts_at BLOB, f_place BLOB, f_handlaggare BLOB, f_purpose BLOB, f_status BLOB);",
    "CREATE INDEX appointments_citizen ON appointments(citizen_id);",
    "CREATE TABLE payouts ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,"
    " f_handlaggare BLOB, f_decision BLOB, f_decided_on BLOB, f_amount_ore BLOB,"
    " f_payout_date BLOB, f_period BLOB);",
    "CREATE INDEX payouts_citizen ON payouts(citizen_id);",
    "CREATE TABLE articles ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " f_area TEXT, f_lang TEXT, f_title TEXT, f_body TEXT, f_updated_at TEXT);",
    "CREATE TABLE units ("
    " id INTEGER PRIMARY KEY, server_id TEXT NOT NULL UNIQUE,"
    " f_district TEXT, f_name TEXT, f_kind TEXT, f_address TEXT, f_phone TEXT);",
    "CREATE TABLE site_roles (id INTEGER PRIMARY KEY CHECK (id = 1), document BLOB NOT NULL,"
    " signature BLOB NOT NULL, updated_at INTEGER NOT NULL);",
    "CREATE TABLE sync_state (id INTEGER PRIMARY KEY CHECK (id = 1), cursor TEXT NOT NULL,"
    " last_success_at INTEGER NOT NULL);",
    "INSERT INTO sync_state VALUES (1, '', 0);",
    "CREATE TABLE device_state (id INTEGER PRIMARY KEY CHECK (id = 1), key_check BLOB,"
    " outbox_next_seq INTEGER NOT NULL, audit_count INTEGER NOT NULL,"
    " audit_last_mac BLOB NOT NULL);",
    "INSERT INTO device_state VALUES (1, NULL, 1, 0, zeroblob(32));",
    "CREATE TABLE outbox ("
    " seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
    " citizen_id INTEGER REFERENCES citizens(id),"
    " state TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " f_kind BLOB, f_main BLOB, f_type BLOB, f_class BLOB, f_payload BLOB,"
    " f_registered_by BLOB, f_case_number BLOB, f_reason BLOB);",
    "CREATE INDEX outbox_state ON outbox(state, seq);",
    "CREATE INDEX outbox_citizen ON outbox(citizen_id);",
    "CREATE TABLE audit_log ("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL, session_kind TEXT NOT NULL,"
    " citizen_bidx BLOB, category TEXT NOT NULL, staff_ref BLOB, details BLOB,"
    " details_citizen INTEGER NOT NULL, mac BLOB NOT NULL);",
    NULL,
};

/* Version 2: anonymous usage counters, and the server's clock offset for sync. */
static const char *const migration_2[] = {
    "CREATE TABLE usage_counters (hour INTEGER NOT NULL, screen TEXT NOT NULL,"
    " lang TEXT NOT NULL, outcome TEXT NOT NULL, count INTEGER NOT NULL,"
    " PRIMARY KEY (hour, screen, lang, outcome)) WITHOUT ROWID;",
    "ALTER TABLE sync_state ADD COLUMN server_offset_s INTEGER NOT NULL DEFAULT 0;",
    NULL,
};

/* Version 3: the sequence number an item carries on the wire, apart from its row's own (which
 * the sealed fields are bound to), so that the kiosk can renumber what it has not delivered
 * when the case store answers sequence_conflict or sequence_gap (PROTOCOL.md §6): after a
 * restored backup of this file, or a push by someone else holding the device key. */
static const char *const migration_3[] = {
    "ALTER TABLE outbox ADD COLUMN wire_seq INTEGER;",
    "UPDATE outbox SET wire_seq = seq;",
    "ALTER TABLE device_state ADD COLUMN outbox_next_wire INTEGER NOT NULL DEFAULT 1;",
    "UPDATE device_state SET outbox_next_wire = outbox_next_seq;",
    NULL,
};

/* Version 4: less in the clear. Who visited when could be read from an audit entry's time,
 * session kind, category and citizen columns and from an outbox item's times without the key;
 * the audit log keeps only its id, a sealed header, the sealed details and the chain's MAC, and
 * an outbox item's time is sealed with its other fields. The SQL adds the columns; the rest
 * needs the keys (audit_migrate_sealed_headers, outbox_migrate_sealed_times). */
static const char *const migration_4[] = {
    "ALTER TABLE outbox ADD COLUMN f_created_at BLOB;",
    NULL,
};

static enum store_error
migrate_4(struct store *s, struct errbuf *err)
{
    enum store_error e = outbox_migrate_sealed_times(s);
    if (e == STORE_OK)
        e = audit_migrate_sealed_headers(s, err);
    return e;
}

/* Version 5: the case store's citizen ids are not in the clear either (they name people to
 * whoever also holds the case store's data): the citizens table keeps a keyed reference
 * instead, and the id sealed beside it for the submissions that must name it. (Other records
 * keep their ids: a hashed key in every table made applying a page 2x slower, random keys
 * scattering every index insert, for ids that name no one without the case store.) */
static const char *const migration_5[] = {
    "ALTER TABLE citizens ADD COLUMN f_server_id BLOB;",
    NULL,
};

/* Version 6: records sync set aside (kind and the server's id, a reason naming fields, never
 * values), until they apply or are reported and pushed out by newer ones. Self-contained: it
 * touches no other table. */
static const char *const migration_6[] = {
    "CREATE TABLE set_aside (id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
    " record_id TEXT NOT NULL, reason TEXT NOT NULL, first_seen INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL, reported INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (kind, record_id));",
    NULL,
};

/* Version 7: a record's personal fields sealed together, as one value (store_migrate_sealed_records
 * and seal_record): one nonce, tag and padding per record instead of per field made the cache
 * 6.5x its plaintext and applying a third as fast as plain SQLite. Associated data binds the
 * format, table, row id, citizen and the record's version (counted up on every write, so an
 * older ciphertext of the same row does not open in its place). Nothing is searched or sorted
 * by a personal field: citizens are found by the personnummer's blind index (bidx), records by
 * citizen, case and id. A citizen's blind index and reference (server_id) are rewritten 64 bits
 * long: their indexes, inserted into at random places, stay small (a row found by either is
 * checked against what is sealed in it). */
static const char *const migration_7[] = {
    "ALTER TABLE citizens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE citizens ADD COLUMN sealed BLOB;",
    "ALTER TABLE cases ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE cases ADD COLUMN sealed BLOB;",
    "ALTER TABLE case_events ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE case_events ADD COLUMN sealed BLOB;",
    "ALTER TABLE case_documents ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE case_documents ADD COLUMN sealed BLOB;",
    "ALTER TABLE queue_entries ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE queue_entries ADD COLUMN sealed BLOB;",
    "ALTER TABLE invoices ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE invoices ADD COLUMN sealed BLOB;",
    "ALTER TABLE permits ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE permits ADD COLUMN sealed BLOB;",
    "ALTER TABLE appointments ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE appointments ADD COLUMN sealed BLOB;",
    "ALTER TABLE payouts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE payouts ADD COLUMN sealed BLOB;",
    NULL,
};

/* Version 8: usage counts on their way to the case store (PROTOCOL.md §9, POST /v1/status):
 * per day and counter, numbered as a batch so that the case store counts a batch once however
 * often it arrives; the number of the last batch the case store confirmed. */
static const char *const migration_8[] = {
    "CREATE TABLE usage_batch (n INTEGER NOT NULL, day INTEGER NOT NULL, counter TEXT NOT NULL,"
    " count INTEGER NOT NULL, PRIMARY KEY (day, counter)) WITHOUT ROWID;",
    "ALTER TABLE device_state ADD COLUMN usage_batch_next INTEGER NOT NULL DEFAULT 1;",
    NULL,
};

struct migration {
    const char *const *sql;
    /* Work that needs the keys, in the same transaction after the SQL; NULL if none. */
    enum store_error (*with_keys)(struct store *s, struct errbuf *err);
    /* Rewrites most of the file: VACUUM afterwards, so that it shrinks to what it holds. */
    bool compact;
};

static const struct migration migrations[] = {
    { migration_1, NULL, false },
    { migration_2, NULL, false },
    { migration_3, NULL, false },
    { migration_4, migrate_4, false },
    { migration_5, store_migrate_server_refs, false },
    { migration_6, NULL, false },
    { migration_7, store_migrate_sealed_records, true },
    { migration_8, NULL, false },
};

int
store_schema_version(void)
{
    return (int)ARRAY_LEN(migrations);
}

static int
user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* After a migration that rewrote most of the file: VACUUM, outside any transaction, with this
 * version's page size (which only a VACUUM outside WAL mode can change). The freed pages hold
 * nothing readable (secure_delete): this is for the size and speed, so a failure (a full disk)
 * leaves a larger file, not an error; but the database must be back in WAL mode. */
static enum store_error
compact_database(struct store *s, struct errbuf *err)
{
    if (sql_exec(s, "PRAGMA journal_mode=DELETE") != STORE_OK ||
        sql_exec(s, STORE_PAGE_SIZE_SQL) != STORE_OK || sql_exec(s, "VACUUM") != STORE_OK)
        LOG_WARN("the database could not be compacted after its migration");
    sqlite3_stmt *st = NULL;
    bool wal = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
               sqlite3_step(st) == SQLITE_ROW &&
               strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (!wal) {
        err_set(err, "write-ahead logging could not be turned on again after the migration");
        return STORE_ERR_IO;
    }
    return STORE_OK;
}

enum store_error
schema_migrate(struct store *s, int target, struct errbuf *err)
{
    int v = user_version(s->db);
    if (v < 0) {
        err_set(err, "not a database this program can read (is it encrypted by other means, or "
                     "damaged?)");
        return STORE_ERR_SCHEMA;
    }
    if (v > store_schema_version()) {
        err_set(err,
                "the database has schema version %d, made by a newer minasidor; this one "
                "understands up to %d. Install the newer version, or erase the cache and sync "
                "again",
                v, store_schema_version());
        return STORE_ERR_SCHEMA;
    }
    bool compact = false;
    for (int next = v + 1; next <= target; next++) {
        enum store_error e = tx_begin(s);
        if (e != STORE_OK)
            return e;
        char setv[48];
        snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", next);
        const struct migration *m = &migrations[next - 1];
        for (const char *const *stmt = m->sql; *stmt && e == STORE_OK; stmt++)
            e = sql_exec(s, *stmt);
        /* Never re-seal anything under a wrong key: that would destroy what it touched. */
        if (e == STORE_OK && m->with_keys != NULL)
            e = store_check_key(s, err);
        if (e == STORE_OK && m->with_keys != NULL)
            e = m->with_keys(s, err);
        if (e == STORE_OK)
            e = sql_exec(s, setv);
        if (e == STORE_OK)
            e = tx_commit(s);
        if (e != STORE_OK) {
            tx_rollback(s);
            if (err != NULL && err->msg[0] != '\0')
                err_prefix(err, "schema migration to version %d failed", next);
            else
                err_set(err, "schema migration to version %d failed", next);
            return e;
        }
        LOG_INFO("schema migrated to version %d", next);
        compact = compact || m->compact;
    }
    return compact ? compact_database(s, err) : STORE_OK;
}
