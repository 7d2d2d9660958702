/* What the screens see: plain structs the app fills from the encrypted store, the identity
 * runner and the sync client, and the actions a screen may ask of the app. Screens include this
 * header and nothing else of app/ (tests/lint/layers.py). Every personal string here points
 * into guarded memory that ending the session wipes. */
#ifndef MINASIDOR_MODEL_H
#define MINASIDOR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "record_kinds.h"

enum screen_id {
    SCREEN_START,
    SCREEN_IDENTIFY,
    SCREEN_OVERVIEW,
    SCREEN_CASES,
    SCREEN_CASE,
    SCREEN_QUEUES,
    SCREEN_INVOICES,
    SCREEN_INVOICE,
    SCREEN_FARDTJANST,
    SCREEN_PAYOUTS,
    SCREEN_CALLBACK,
    SCREEN_INFO,
    SCREEN_APPLY,      /* Ansök / Lämna synpunkt: the forms */
    SCREEN_WIZARD,     /* one form, step by step, then review and receipt */
    SCREEN_TECHNICIAN, /* diagnostics and the technician's actions */
    SCREEN_TOUCH_TEST,
    SCREEN_STAFF,               /* ombudsregistrering: the staff member's start */
    SCREEN_STAFF_CITIZEN,       /* establishing the citizen's identity */
    SCREEN_STAFF_REASON,        /* why the staff member needs the citizen's data */
    SCREEN_STAFF_REGISTRATIONS, /* the delivery state of their own registrations */
    SCREEN_COUNT,
};

/* Rows of one kind, read by typed field name: model_text(&m->invoices, i, REC_INVOICE_ISSUER).
 * The names come from the kinds' one description (record_kinds.h): a misspelt one does not
 * compile, and one of another kind reads as unset. The rows are the store's own (struct record),
 * in guarded memory. */
struct model_records {
    enum record_kind kind;
    size_t n;
    const struct record *rows;
};

static inline const struct record *
model_row(const struct model_records *l, size_t row, int field)
{
    return row < l->n && RECORD_FIELD_KIND(field) == (int)l->kind ? &l->rows[row] : NULL;
}

static inline const char *
model_text(const struct model_records *l, size_t row, int field)
{
    const struct record *r = model_row(l, row, field);
    return r != NULL ? r->text[RECORD_FIELD_INDEX(field)] : NULL;
}

static inline long long
model_num(const struct model_records *l, size_t row, int field)
{
    const struct record *r = model_row(l, row, field);
    return r != NULL ? r->num[RECORD_FIELD_INDEX(field)] : 0;
}

struct model_overview {
    int open_cases, cases_total;
    int unpaid_invoices, overdue_invoices;
    long long unpaid_total_ore;
    const char *next_due_date;
    int queue_entries, best_queue_position;
    int64_t next_appointment_at;
    const char *next_appointment_place;
    const char *permit_valid_to;
    const char *next_payout_date;
    long long next_payout_ore;
};

enum model_id_state {
    MODEL_ID_STARTING,
    MODEL_ID_SHOWING,
    MODEL_ID_CANCELLING,
    MODEL_ID_COMPLETE,
    MODEL_ID_FAILED,
};

struct model_identify {
    enum model_id_state state;
    const unsigned char *qr; /* size×size modules, NULL when none */
    int qr_size;
    const char *msgid; /* the recommended user message (English msgid) */
    const char *rfa;
    size_t n_demo; /* demo mode: identities offered, each labelled DEMO */
    const char *demo_names[4];
};

struct model_receipt {
    char reference[40]; /* the submission's id */
    char what[160];     /* what was sent, translated at submission */
    char promise[160];  /* callback: "We will contact you by ..." */
    bool delivered;     /* reached the case store */
    char case_number[40];
    bool rejected; /* the case store refused it */
};

struct model_callback_request {
    const char *topic_main; /* taxonomy code */
    const char *phone;      /* as typed; validated by the app */
    const char *window;     /* "morning", "afternoon", "any" */
    const char *language;
    const char *channel; /* "phone", "sms-first" */
};

/* A finished form: its classification and its answers, each a value or a list. */
#define MODEL_MAX_ANSWERS 12
#define MODEL_MAX_LIST    5

struct model_answer {
    const char *key;   /* payload key: "start_date" */
    const char *value; /* NULL when the answer is a list */
    const char *list[MODEL_MAX_LIST];
    size_t n_list;
};

struct model_submission {
    const char *kind; /* "application", "complaint" */
    const char *main, *type, *klass;
    const char *what; /* the form's title, translated, for the receipt */
    size_t n;
    struct model_answer answers[MODEL_MAX_ANSWERS];
};

/* Who is signed in: a citizen, or a person the site's signed role list names. */
enum model_role {
    MODEL_ROLE_CITIZEN,
    MODEL_ROLE_STAFF,
    MODEL_ROLE_TECHNICIAN,
};

/* What an identification is for. */
enum model_id_purpose {
    MODEL_ID_FOR_SESSION,    /* a citizen (or staff member) signs in */
    MODEL_ID_FOR_TECHNICIAN, /* after the long press in the corner */
    MODEL_ID_FOR_CITIZEN,    /* staff mode: the citizen identifies with their own phone */
};

/* The technician's screen: facts and checks about the device, never about a person. */
#define MODEL_TECH_LINES 40

struct model_tech_line {
    const char *label; /* msgid, or a check's name */
    char value[208];
    int level; /* -1 a fact; 0 ok, 1 warn, 2 fail */
};

struct model_tech {
    size_t n;
    struct model_tech_line lines[MODEL_TECH_LINES];
    bool syncing;
    char sync_result[200]; /* the last "sync now", "" before */
    double touch_max_mm;   /* the last touch test's largest hit error; < 0 before */
    char export_path[256];
    bool erased;            /* factory reset done: nothing works until provisioned again */
    const char *erase_note; /* msgid: what the reset could not do, or NULL */
};

/* Staff mode: the citizen being served and how their identity was established. */
struct model_staff {
    char staff_id[40];
    bool have_citizen;
    bool by_document; /* else: the citizen identified with BankID on this kiosk */
    char pnr_masked[16];
    const char *document_type; /* code: "id_card", "passport", "driving_licence" */
    char document_last4[8];
    const char *reason; /* code of the stated reason, NULL before */
};

/* One of the staff member's own registrations, as the outbox knows it. */
#define MODEL_MAX_REGISTRATIONS 20

struct model_registration {
    char reference[12];
    const char *what; /* msgid: the form's title ("Preschool choice"), or NULL */
    char type[32];    /* the ärendetyp code, when no form matches */
    int state;        /* 0 queued, 1 sending, 2 accepted, 3 duplicate, 4 rejected */
    char case_number[40];
    char reason[160];
    bool corrected; /* a correction was sent */
};

struct model_actions {
    void (*go)(void *app, enum screen_id s);
    void (*back)(void *app);
    void (*identify)(void *app);
    void (*cancel_identify)(void *app);
    void (*demo_identify)(void *app, size_t i);
    void (*logout)(void *app);
    void (*keep_session)(void *app);
    void (*set_language)(void *app, const char *code);
    void (*toggle_contrast)(void *app);
    void (*toggle_large_text)(void *app);
    void (*open_case)(void *app, size_t row);
    /* Errors cross into screens as msgids (English, N_): the screen translates them when it
     * draws them, so a language change shows them in the new language. */
    /* Queues a callback request (in the outbox, with its audit entry) and fills the receipt;
     * false with the message's msgid in err when a field is invalid. */
    bool (*request_callback)(void *app, const struct model_callback_request *req, const char **err);
    /* Queues a form the screen has validated (outbox and audit entry in one transaction) and
     * fills the receipt; false with the message's msgid when it could not be saved. */
    bool (*submit)(void *app, const struct model_submission *sub, const char **err);
    /* The long press in the technician's corner: identification for service mode. */
    void (*technician_entry)(void *app);
    void (*tech_refresh)(void *app);
    void (*tech_sync_now)(void *app);
    void (*tech_export)(void *app);
    void (*tech_factory_reset)(void *app);               /* after the screen's two confirmations */
    void (*tech_touch_result)(void *app, double max_mm); /* the touch test's largest error */
    /* Staff mode. The citizen identifies with their phone (an identification that does not end
     * the staff session), or the staff member enters a checked identity document; false with the
     * message's msgid when the personnummer or document number is not valid. */
    void (*staff_citizen_by_phone)(void *app);
    bool (*staff_citizen_by_document)(void *app, const char *pnr, const char *doc_type,
                                      const char *last4, const char **err);
    void (*staff_reason)(void *app, const char *reason_code); /* audit-logged */
    void (*staff_end_citizen)(void *app);                     /* the next citizen */
    void (*staff_registrations)(void *app);                   /* refreshes m->registrations */
    void (*staff_correct)(void *app, size_t i);               /* opens a rejected one in its form */
};

struct model {
    enum screen_id screen;
    bool signed_in;
    const char *given_name, *surname;
    char pnr_masked[16], pnr_shown[16];
    bool pnr_revealed;
    struct model_overview ov;
    struct model_records cases, events, documents, queues, invoices, permits, appointments, payouts,
        articles;
    size_t selected;            /* the row a detail screen shows */
    const unsigned char *payqr; /* the selected invoice's payment QR, or NULL */
    int payqr_size;
    int64_t now;          /* UTC seconds (the app's clock) */
    int64_t last_sync_at; /* 0: never */
    bool offline;         /* the case store is not reachable */
    bool idp_unreachable; /* the identity provider is not reachable */
    bool idle_warning;    /* the "are you still there" dialog is open */
    bool help_open;       /* the Help dialog is open (closed when the screen changes) */
    /* Speech mode is on in a language espeak-ng has no voice for: the screen says so and offers
     * speech in Swedish or English, each button labelled in its own language. */
    bool speech_voiceless;
    const char *speech_in_sv, *speech_in_en;
    int idle_seconds_left;
    const char *site_name;
    const char *districts; /* this kiosk's districts, "bromma,kista" */
    size_t form;           /* the form SCREEN_WIZARD shows (screens' forms table) */
    struct model_identify id;
    struct model_receipt receipt;
    bool has_receipt;
    enum model_role role;
    enum model_id_purpose id_purpose;
    const char *notice; /* msgid the start screen shows once (e.g. service mode refused) */
    struct model_tech tech;
    struct model_staff staff;
    size_t n_registrations;
    struct model_registration registrations[MODEL_MAX_REGISTRATIONS];
    /* A correction: the form opens with these answers (owned by the app). */
    const struct model_submission *prefill;
    const struct model_actions *act;
    void *app;
};

#endif
