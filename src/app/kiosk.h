/* The kiosk: session state machine, router and main loop (kiosk.c), and the headless script
 * driver that operates it like a person would (script.c). */
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
#include "speech.h"
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

struct kiosk {
    const struct config *cfg;
    struct kiosk_state ks;
    struct sync_runner *sync;
    struct store_usage *usage; /* counted in memory; the sync runner writes them */
    struct platform *plat;
    struct ui *ui;
    struct model m;
    enum screen_id stack[8];
    int depth;
    bool headless;

    /* identification */
    struct idr *idr;
    struct idr_snapshot id_snap; /* what the runner said last (the model points into it) */
    struct qr_matrix id_qr;      /* id_snap.qr encoded */
    bool demo;

    /* the session (all personal; wiped by kiosk_logout) */
    int64_t citizen_id;
    struct store_overview *ov;
    struct store_rows *rows[STORE_KIND_COUNT];
    struct store_rows *events, *documents;
    char *names; /* sodium memory: given name, surname */
    char pnr12[13];
    struct qr_matrix payqr;

    /* time: the monotonic clock plus what the script advanced */
    int64_t advanced_ms;
    int64_t last_input_ms;
    int64_t idle_deadline_ms; /* while the dialog is open: when the session ends */
    int64_t next_tick_ms;
    char receipt_uuid[37];
    size_t sync_runs_seen;
    bool quit;
    struct kiosk_bench bench;
    struct speech *speech; /* NULL: silent, or not needed yet */
    bool speech_failed;
    int tree_fd;         /* --tree-fd: where the semantic tree goes when it changes, or -1 */
    uint64_t tree_frame; /* the toolkit's drawn-frame count when it was last written there */
    /* technician mode (kiosk_tech.c) */
    size_t tech_sync_until;        /* "sync now": the run count that ends it; 0 when not asked */
    struct diag_report tech_local; /* the last checks on this machine */
    struct diag_report tech_net;   /* the last network checks (valid when tech_have_net) */
    bool tech_have_net;
    struct tech_probe *probe; /* the network checks under way off the UI thread, or NULL */
    /* staff mode (kiosk_staff.c): the citizen being served, all personal */
    char staff_pnr12[13]; /* the staff member's own, so that they cannot be "the citizen" */
    char cit_pnr12[13];
    char correcting[37]; /* the uuid of a rejected registration being corrected, or "" */
    char *prefill_buf;   /* sodium memory: the strings m.prefill points into */
    struct model_submission prefill;
};

int64_t kiosk_now_ms(const struct kiosk *k);
int64_t kiosk_now_utc(const struct kiosk *k);
/* Rows from the store as the model shows them (borrowed: the rows must outlive the model's use). */
void kiosk_records_from(struct model_records *out, const struct store_rows *rows);
/* The signed-in person's name, into guarded memory the model points into (freed at logout). */
void kiosk_set_names(struct kiosk *k, const struct bankid_user *u);

/* For kiosk_tech.c and kiosk_staff.c: navigation, identification for a purpose, and putting a
 * submission into the outbox with the receipt started (the actor and registered_by say who). */
void kiosk_go(struct kiosk *k, enum screen_id s);
void kiosk_identify(struct kiosk *k, enum model_id_purpose purpose);
bool kiosk_queue_submission(struct kiosk *k, const struct store_actor *actor,
                            const struct store_submission *sub, const char **err);

/* kiosk_tech.c: technician mode. */
void kiosk_tech_begin(struct kiosk *k, const char *staff_id);
void kiosk_tech_poll(struct kiosk *k, const struct sync_status *st);
/* On every tick: takes the network checks when they are done. At exit: waits for them. */
void kiosk_tech_tick(struct kiosk *k);
void kiosk_tech_finish(struct kiosk *k);
void kiosk_tech_entry(void *app);
void kiosk_tech_refresh(void *app);
void kiosk_tech_sync_now(void *app);
void kiosk_tech_export(void *app);
void kiosk_tech_factory_reset(void *app);

/* kiosk_staff.c: ombudsregistrering. */
void kiosk_staff_begin(struct kiosk *k, const struct bankid_user *u, const char *staff_id);
void kiosk_staff_citizen_identified(struct kiosk *k, const struct bankid_user *u);
void kiosk_staff_forget(struct kiosk *k); /* wipes the citizen being served */
void kiosk_staff_drop_correction(struct kiosk *k);
/* The actor of the audit log and registered_by of a submission, for whoever is signed in. */
const struct store_actor *kiosk_actor(const struct kiosk *k);
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
/* Ends the session: cancels identification, wipes every decrypted value and text texture. */
void kiosk_logout(struct kiosk *k);
void kiosk_set_orientation(struct kiosk *k, bool landscape);

/* Runs the script; 0 when every step passed, 1 (with a message on stderr) at the first that
 * did not. */
int kiosk_script_run(struct kiosk *k, FILE *script, const char *name, const char *shots_dir);

/* Writes the semantic tree to fd if a new frame was drawn since the last call: "frame W H", then one line
 * per node "node ROLE LABEL VALUE X Y W H" (tab-separated, display pixels), then "end". For
 * tests that drive a real window with real pointer events and must know where things are; it
 * carries what the screen shows, so it goes to a pipe, never to a file. */
void kiosk_tree_publish(struct kiosk *k, int fd);

#endif
