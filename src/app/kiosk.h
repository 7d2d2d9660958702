/* The kiosk: device, router and main loop (kiosk.c), and the headless script driver that
 * operates it like a person would (script.c).
 *
 * The shape of src/app, by owner:
 *   - The device, struct kiosk: settings, the store (kiosk_state), the sync runner, the UI and
 *     the platform, speech, the network checks, and the facts it shows whoever is signed in
 *     (struct kiosk_facts: offline, last sync, notices, factory reset, touch test). It lives
 *     from start to exit and never holds a person's data.
 *   - The session, struct session (session.h): created in guarded memory when someone
 *     identifies, destroyed as a unit by kiosk_logout (session_destroy: one call). It owns who
 *     identified, the citizen being read, every decrypted row and the payment QR.
 *   - The modes, struct session_mode: citizen (session.c), staff (kiosk_staff.c), technician
 *     (kiosk_tech.c). Each says how it begins and ends, where home is, whose name the audit log
 *     gets, what may be read and what may be submitted, and owns its own state inside the
 *     session's allocation. kiosk.c asks the mode; it knows no mode's fields.
 *   - The model, struct model (model.h), in guarded memory: what the screens see. The device
 *     publishes its facts into it on every frame and the mode fills the rest; logout wipes it
 *     whole.
 *   - The screens' state: each screen_impl's per-visit state (screens.h), allocated in guarded
 *     memory by the router (struct kiosk_router) on enter and wiped on leave.
 *   - Identification (idr, the QR) belongs to the device until it completes: then a session
 *     begins, or, in staff mode, the citizen being served is set. */
#ifndef MINASIDOR_KIOSK_H
#define MINASIDOR_KIOSK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "id_runner.h"
#include "kiosk_state.h"
#include "model.h"
#include "platform.h"
#include "qr.h"
#include "runner.h"
#include "session.h"
#include "speech.h"
#include "speech_mode.h"
#include "ui.h"

#define KIOSK_IDLE_WARN_S      60 /* no input this long opens the "are you still there" dialog */
#define KIOSK_IDLE_COUNTDOWN_S 30 /* the dialog's countdown before logging out */

/* What the benchmark reads (tests/bench/ui_bench.py, through script commands): the time of
 * each drawn frame per screen, and identification-complete to Översikt drawn. */
#define KIOSK_BENCH_SAMPLES 512

struct kiosk_bench {
    uint32_t n[SCREEN_COUNT]; /* frames drawn; the last KIOSK_BENCH_SAMPLES are kept */
    uint32_t us[SCREEN_COUNT][KIOSK_BENCH_SAMPLES];
    int64_t id_done_us;        /* when identification completed, until Översikt is drawn */
    int64_t id_to_overview_us; /* the last such interval */
};

/* What the device knows and shows to whoever is, or is not, signed in. It outlives sessions;
 * the model gets it anew on every frame (kiosk.c publish), so logging out (which wipes the
 * whole model) needs no list of fields to keep. */
struct kiosk_facts {
    bool offline;         /* the case store is not reachable */
    bool idp_unreachable; /* the identity provider is not reachable */
    int64_t last_sync_at; /* 0: never */
    const char *notice;   /* msgid the next screen shows once */
    bool erased;          /* factory reset done */
    const char *erase_note;
    double touch_max_mm; /* the last touch test's largest error; < 0 before */
};

/* The router: the screen shown, the way back, and the shown screen's per-visit state. */
struct kiosk_router {
    enum screen_id stack[8];
    int depth;
    void *state;    /* screen_impl.state_size bytes of guarded memory, or NULL */
    void *building; /* the state the screen being built was given */
    void *retired;  /* left during its own build: freed when that build returns */
};

struct kiosk {
    /* The device: settings, store, sync runner, UI, platform. */
    const struct config *cfg;
    struct kiosk_state ks;
    struct sync_runner *sync;
    struct store_usage *usage; /* counted in memory; the sync runner writes them */
    struct platform *plat;
    struct ui *ui;
    struct speech *speech; /* NULL: silent, or not needed yet */
    bool speech_failed;
    struct speech_mode sm;  /* keypad and ear (speech_mode.c) */
    bool plat_headset;      /* the platform's headset report, as last seen */
    char headset_name[128]; /* its audio device, which speech plays through */
    bool headless;
    bool demo;
    struct kiosk_facts facts;
    struct tech_probe *probe; /* the device's network checks under way off the UI thread */

    /* What the screens see (model.h): a view the device and the session fill. In guarded
     * memory: it shows personal data (masked numbers, a receipt) while a session lasts. */
    struct model *m;
    struct kiosk_router router;

    /* Identification, before there is a session (or, in staff mode, for the citizen). */
    struct idr *idr;
    struct idr_snapshot id_snap; /* what the runner said last (the model points into it) */
    struct qr_matrix id_qr;      /* id_snap.qr encoded */

    /* Whoever identified, or NULL: one object in guarded memory (session.h). */
    struct session *session;
    /* Allmän information's articles (not personal), read when that screen opens. */
    struct store_rows *articles;

    /* time: the monotonic clock plus what the script advanced */
    int64_t advanced_ms;
    int64_t last_input_ms;
    int64_t idle_deadline_ms; /* while the dialog is open: when the session ends */
    int64_t next_tick_ms;
    char receipt_uuid[37]; /* the last submission's, for its receipt (not personal) */
    size_t sync_runs_seen;
    bool quit;
    struct kiosk_bench bench;
    int tree_fd;         /* --tree-fd: where the semantic tree goes when it changes, or -1 */
    uint64_t tree_frame; /* the toolkit's drawn-frame count when it was last written there */
};

int64_t kiosk_now_ms(const struct kiosk *k);
/* Counts one anonymous use under a name of the usage vocabulary (usage_names.h, e.g.
 * USAGE_KEYPAD_USE, USAGE_SPEECH_MODE): tallied in memory, sent with sync. */
void kiosk_count(struct kiosk *k, const char *counter);
int64_t kiosk_now_utc(const struct kiosk *k);
/* Rows from the store as the model shows them (borrowed: the rows must outlive the model's use). */
void kiosk_records_from(struct model_records *out, const struct store_rows *rows);

/* For the modes (session.c, kiosk_staff.c, kiosk_tech.c): navigation, identification for a
 * purpose, and putting a submission into the outbox with the receipt started (the actor and
 * registered_by say who). */
void kiosk_go(struct kiosk *k, enum screen_id s);
void kiosk_identify(struct kiosk *k, enum model_id_purpose purpose);
bool kiosk_queue_submission(struct kiosk *k, const struct store_actor *actor,
                            const struct store_submission *sub, const char **err);
/* The actor of the audit log, for whoever is signed in (a citizen's when no one is). Borrowed
 * until the next call. */
const struct store_actor *kiosk_actor(const struct kiosk *k);

/* kiosk_tech.c: the technician's actions, and the device's network checks (on every tick:
 * takes them when done; at exit: waits for them). */
void kiosk_tech_poll(struct kiosk *k, const struct sync_status *st);
void kiosk_tech_tick(struct kiosk *k);
void kiosk_tech_finish(struct kiosk *k);
void kiosk_tech_entry(void *app);
void kiosk_tech_refresh(void *app);
void kiosk_tech_sync_now(void *app);
void kiosk_tech_export(void *app);
void kiosk_tech_factory_reset(void *app);
void kiosk_tech_touch_result(void *app, double max_mm);

/* kiosk_staff.c: ombudsregistrering. */
void kiosk_staff_citizen_identified(struct kiosk *k, const struct bankid_user *u);
void kiosk_staff_drop_correction(struct kiosk *k);
char *kiosk_registered_by(const struct kiosk *k); /* JSON; free() */
void kiosk_staff_by_phone(void *app);
bool kiosk_staff_by_document(void *app, const char *pnr, const char *doc_type, const char *last4,
                             const char **err);
void kiosk_staff_reason(void *app, const char *reason_code);
void kiosk_staff_end_citizen(void *app);
void kiosk_staff_registrations(void *app);
void kiosk_staff_correct(void *app, size_t i);
/* One pass of the loop: feed inputs, run timers, build and draw what changed. */
void kiosk_step(struct kiosk *k, const struct ui_input *in, int n_in);
/* Ends the session (session_destroy: one call wipes everything personal), cancels
 * identification, wipes the model and the text textures and returns to the start screen. */
void kiosk_logout(struct kiosk *k);
void kiosk_set_orientation(struct kiosk *k, bool landscape);

/* Stops the background sync (hold: the network is gone, submissions stay queued) or starts it
 * again; the headless driver's `set network off|on`. */
void kiosk_sync_hold(struct kiosk *k, bool hold);

/* Runs the script; 0 when every step passed, 1 (with a message on stderr) at the first that
 * did not. */
int kiosk_script_run(struct kiosk *k, FILE *script, const char *name, const char *shots_dir);

/* Writes the semantic tree to fd if a new frame was drawn since the last call: "frame W H", then one line
 * per node "node ROLE LABEL VALUE X Y W H" (tab-separated, display pixels), then "end". For
 * tests that drive a real window with real pointer events and must know where things are; it
 * carries what the screen shows, so it goes to a pipe, never to a file. */
void kiosk_tree_publish(struct kiosk *k, int fd);

#endif
