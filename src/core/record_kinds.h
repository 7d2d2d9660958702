/* The record kinds sync delivers (DESIGN.md §4), described once: the store's tables, statements
 * and erasing, its descriptors (store_kind) and the app's typed field names all come from the
 * lists below (X-macros), so a field added here is stored, erased and readable by name
 * everywhere, and a misspelt field name does not compile.
 *
 *   RECORD_KINDS(K): K(NAME, wire name, table, personal, has a parent case)
 *   NAME_FIELDS(F):  F(NAME, FIELD, wire name, TEXT or INT, required)
 *
 * Kinds are listed parents first: a kind's records refer only to kinds above it. Field order is
 * the index used in records and rows; never reorder a released kind's fields (the sealed record
 * keeps fields by index). */
#ifndef MINASIDOR_RECORD_KINDS_H
#define MINASIDOR_RECORD_KINDS_H

#include <stdint.h>

#define RECORD_KINDS(K)                                                           \
    K(CITIZEN, "citizen", "citizens", 1, 0)                                       \
    K(CASE, "case", "cases", 1, 0)                                                \
    K(CASE_EVENT, "case_event", "case_events", 1, 1)                              \
    K(CASE_DOCUMENT, "case_document", "case_documents", 1, 1)                     \
    K(QUEUE_ENTRY, "queue_entry", "queue_entries", 1, 0)                          \
    K(INVOICE, "invoice", "invoices", 1, 0)                                       \
    K(PERMIT, "permit", "permits", 1, 0)                /* färdtjänst permit */ \
    K(APPOINTMENT, "appointment", "appointments", 1, 0) /* booked visits */       \
    K(PAYOUT, "payout", "payouts", 1, 0)                /* ekonomiskt bistånd */ \
    K(ARTICLE, "article", "articles", 0, 0)             /* general information */ \
    K(UNIT, "unit", "units", 0, 0)                      /* district/unit directory */

#define CITIZEN_FIELDS(F)                         \
    F(CITIZEN, PNR, "pnr", TEXT, 1)               \
    F(CITIZEN, GIVEN_NAME, "given_name", TEXT, 0) \
    F(CITIZEN, SURNAME, "surname", TEXT, 0)       \
    F(CITIZEN, LANGUAGE, "language", TEXT, 0)     \
    F(CITIZEN, PHONE, "phone", TEXT, 0)           \
    F(CITIZEN, EMAIL, "email", TEXT, 0)           \
    F(CITIZEN, ADDRESS, "address", TEXT, 0)       \
    F(CITIZEN, DISTRICT, "district", TEXT, 0)     \
    F(CITIZEN, CONTACT_CHANNEL, "contact_channel", TEXT, 0)

#define CASE_FIELDS(F)                           \
    F(CASE, CASE_NUMBER, "case_number", TEXT, 1) \
    F(CASE, MAIN, "main", TEXT, 1)               \
    F(CASE, TYPE, "type", TEXT, 1)               \
    F(CASE, CLASS, "class", TEXT, 1)             \
    F(CASE, STATUS, "status", TEXT, 1)           \
    F(CASE, DISTRICT, "district", TEXT, 0)       \
    F(CASE, UNIT, "unit", TEXT, 0)               \
    F(CASE, HANDLAGGARE, "handlaggare", TEXT, 0) \
    F(CASE, TITLE, "title", TEXT, 0)             \
    F(CASE, NEXT_STEP, "next_step", TEXT, 0)     \
    F(CASE, DECISION, "decision", TEXT, 0)       \
    F(CASE, RECEIVED_ON, "received_on", TEXT, 0) \
    F(CASE, UPDATED_AT, "updated_at", INT, 0)

#define CASE_EVENT_FIELDS(F)                 \
    F(CASE_EVENT, AT, "at", INT, 1)          \
    F(CASE_EVENT, STATUS, "status", TEXT, 1) \
    F(CASE_EVENT, NOTE, "note", TEXT, 0)

#define CASE_DOCUMENT_FIELDS(F)             \
    F(CASE_DOCUMENT, NAME, "name", TEXT, 1) \
    F(CASE_DOCUMENT, RECEIVED_ON, "received_on", TEXT, 0)

#define QUEUE_ENTRY_FIELDS(F)                               \
    F(QUEUE_ENTRY, QUEUE, "queue", TEXT, 1)                 \
    F(QUEUE_ENTRY, UNIT, "unit", TEXT, 0)                   \
    F(QUEUE_ENTRY, CHILD_NAME, "child_name", TEXT, 0)       \
    F(QUEUE_ENTRY, POSITION, "position", INT, 1)            \
    F(QUEUE_ENTRY, OF_TOTAL, "of_total", INT, 0)            \
    F(QUEUE_ENTRY, REGISTERED_ON, "registered_on", TEXT, 0) \
    F(QUEUE_ENTRY, EXPECTED_OFFER, "expected_offer", TEXT, 0)

#define INVOICE_FIELDS(F)                             \
    F(INVOICE, NUMBER, "number", TEXT, 1)             \
    F(INVOICE, ISSUER, "issuer", TEXT, 0)             \
    F(INVOICE, DESCRIPTION, "description", TEXT, 0)   \
    F(INVOICE, AMOUNT_ORE, "amount_ore", INT, 1)      \
    F(INVOICE, INVOICE_DATE, "invoice_date", TEXT, 0) \
    F(INVOICE, DUE_DATE, "due_date", TEXT, 1)         \
    F(INVOICE, OCR, "ocr", TEXT, 1)                   \
    F(INVOICE, BANKGIRO, "bankgiro", TEXT, 0)         \
    F(INVOICE, PAID, "paid", INT, 1)                  \
    F(INVOICE, PAID_ON, "paid_on", TEXT, 0)

#define PERMIT_FIELDS(F)                         \
    F(PERMIT, KIND, "kind", TEXT, 1)             \
    F(PERMIT, VALID_FROM, "valid_from", TEXT, 0) \
    F(PERMIT, VALID_TO, "valid_to", TEXT, 0)     \
    F(PERMIT, CONDITIONS, "conditions", TEXT, 0)

#define APPOINTMENT_FIELDS(F)                           \
    F(APPOINTMENT, STARTS_AT, "starts_at", INT, 1)      \
    F(APPOINTMENT, PLACE, "place", TEXT, 0)             \
    F(APPOINTMENT, HANDLAGGARE, "handlaggare", TEXT, 0) \
    F(APPOINTMENT, PURPOSE, "purpose", TEXT, 0)         \
    F(APPOINTMENT, STATUS, "status", TEXT, 0)

#define PAYOUT_FIELDS(F)                           \
    F(PAYOUT, HANDLAGGARE, "handlaggare", TEXT, 0) \
    F(PAYOUT, DECISION, "decision", TEXT, 0)       \
    F(PAYOUT, DECIDED_ON, "decided_on", TEXT, 0)   \
    F(PAYOUT, AMOUNT_ORE, "amount_ore", INT, 0)    \
    F(PAYOUT, PAYOUT_DATE, "payout_date", TEXT, 0) \
    F(PAYOUT, PERIOD, "period", TEXT, 0)

#define ARTICLE_FIELDS(F)               \
    F(ARTICLE, AREA, "area", TEXT, 1)   \
    F(ARTICLE, LANG, "lang", TEXT, 1)   \
    F(ARTICLE, TITLE, "title", TEXT, 1) \
    F(ARTICLE, BODY, "body", TEXT, 1)   \
    F(ARTICLE, UPDATED_AT, "updated_at", INT, 0)

#define UNIT_FIELDS(F)                     \
    F(UNIT, DISTRICT, "district", TEXT, 1) \
    F(UNIT, NAME, "name", TEXT, 1)         \
    F(UNIT, KIND, "kind", TEXT, 0)         \
    F(UNIT, ADDRESS, "address", TEXT, 0)   \
    F(UNIT, PHONE, "phone", TEXT, 0)

/* The kinds, in the order above: RECORD_KIND_CITIZEN... (the store names them STORE_KIND_*). */
#define RECORD_KIND_ENUM_(NAME, wire, table, personal, parent) RECORD_KIND_##NAME,
enum record_kind { RECORD_KINDS(RECORD_KIND_ENUM_) RECORD_KIND_COUNT };

/* Typed field names: REC_INVOICE_ISSUER, REC_CASE_TITLE... Each carries its kind (RECORD_FIELD_KIND)
 * and its index in the kind's records (RECORD_FIELD_INDEX), so reading a field of one kind from
 * rows of another is caught. */
#define RECORD_FIELD_SHIFT                                8
#define RECORD_FIELD_KIND(f)                              ((int)(f) >> RECORD_FIELD_SHIFT)
#define RECORD_FIELD_INDEX(f)                             ((int)(f) & ((1 << RECORD_FIELD_SHIFT) - 1))
#define RECORD_FIELD_ENUM_(K, NAME, wire, type, required) REC_##K##_##NAME##_I_,
#define RECORD_FIELD_CONST_(K, NAME, wire, type, required) \
    REC_##K##_##NAME = (RECORD_KIND_##K << RECORD_FIELD_SHIFT) | REC_##K##_##NAME##_I_,
#define RECORD_FIELDS_ENUM_(NAME, wire, table, personal, parent)      \
    enum { NAME##_FIELDS(RECORD_FIELD_ENUM_) REC_##NAME##_N_FIELDS }; \
    enum record_field_##NAME{ NAME##_FIELDS(RECORD_FIELD_CONST_) };
RECORD_KINDS(RECORD_FIELDS_ENUM_)

#define RECORD_MAX_FIELDS 16

/* One record of any kind, as read from the store (decrypted, in guarded memory). */
struct record {
    int64_t id;
    const char *server_id;
    int64_t parent_id;
    const char *text[RECORD_MAX_FIELDS]; /* NULL when unset; ints also as text */
    long long num[RECORD_MAX_FIELDS];    /* INT fields */
};

#endif
