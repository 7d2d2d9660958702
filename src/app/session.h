/* A session: whoever identified, from identification to logout, as one object in guarded memory
 * (sodium_malloc) that ending the session wipes and frees in one call. What the person may see
 * and do depends on the mode they identified into (citizen, staff, technician): each mode is an
 * implementation of struct session_mode and owns its own state, allocated with the session (as
 * cage gives each kind of view its own impl and data). */
#ifndef MINASIDOR_SESSION_H
#define MINASIDOR_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bankid.h"
#include "model.h"
#include "qr.h"
#include "store.h"

struct kiosk;
struct session;

struct session_mode {
    const char *name; /* "citizen", "staff", "technician": for the log */
    enum model_role role;
    enum screen_id home; /* where the mode starts and Back ends */
    size_t state_size;   /* the mode's own state (session_mode_state), zeroed at creation */
    /* Starts the mode for the person who identified: reads what the mode may read, writes its
     * audit entry, fills the model and goes home. */
    void (*begin)(struct kiosk *k, struct session *s, const struct bankid_user *u);
    /* Releases what the mode holds outside the session's memory (NULL: nothing). The session's
     * memory, the mode's state included, is wiped after it. */
    void (*end)(struct kiosk *k, struct session *s);
    /* The actor of the audit log for what this session reads and writes. */
    struct store_actor (*actor)(const struct kiosk *k, const struct session *s);
    /* Whether this session may read rows of a kind now. */
    bool (*may_read)(const struct kiosk *k, const struct session *s, enum store_kind kind);
    /* Whether this session may submit now; false with the message's msgid in err. */
    bool (*may_submit)(const struct kiosk *k, const struct session *s, const char **err);
};

extern const struct session_mode session_citizen, session_staff, session_technician;

struct session {
    const struct session_mode *mode;
    char pnr12[13]; /* who identified (12 digits) */
    char given_name[128], surname[128];
    char staff_id[40]; /* staff and technicians: from the signed role list */
    /* The citizen whose data is read and submitted for (staff: the one being served); 0 when
     * none or not in this kiosk's districts. */
    int64_t citizen_id;
    /* Decrypted rows (the store's allocations) the model's records point into. */
    struct store_rows *rows[STORE_KIND_COUNT];
    struct store_rows *events, *documents; /* the open case's */
    bool read_failed[STORE_KIND_COUNT];    /* the last read of the kind failed (not: refused) */
    struct qr_matrix payqr;                /* the open invoice's payment QR */
    void *mode_state;                      /* mode->state_size bytes, inside this allocation */
};

/* Creates the session in guarded memory for the person who identified (staff_id: from the role
 * list, "" for a citizen) and begins its mode. Any session before it must have ended. */
struct session *session_create(struct kiosk *k, const struct session_mode *mode,
                               const struct bankid_user *u, const char *staff_id);
/* Ends the mode, frees every decrypted row and wipes and frees the session. Accepts NULL. */
void session_destroy(struct kiosk *k, struct session *s);
/* Drops the citizen's data the session holds (every row, the QR) and its views in the model:
 * at the end, and when staff begin serving the next citizen. */
void session_forget_citizen(struct kiosk *k, struct session *s);
/* Reads the rows of a kind for the session's citizen, if the mode may (replacing any before);
 * false when it may not or the store failed. The model's view is the caller's to set. */
bool session_load(struct kiosk *k, struct session *s, enum store_kind kind);
/* Reads the history (events, documents) of one of the citizen's cases into s->events and
 * s->documents, if the mode may. */
bool session_load_case(struct kiosk *k, struct session *s, int64_t case_id);

/* Puts rows in the order a person reads them (at now, UTC): invoices overdue first, then by due
 * date, paid last (latest first); cases with the latest event first; visits soonest first (past
 * ones after); payouts latest first; queue places nearest first. */
void session_sort(struct store_rows *rows, int64_t now);

/* The overview of Översikt, computed from the rows the session has loaded (no second read). */
void session_overview(const struct model *m, const char *today_iso, int64_t now,
                      struct model_overview *o);

#endif
