/* The kiosk: session state machine, router and main loop (kiosk.c), and the headless script
 * driver that operates it like a person would (script.c). */
#ifndef MINASIDOR_KIOSK_H
#define MINASIDOR_KIOSK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "id_runner.h"
#include "kiosk_state.h"
#include "model.h"
#include "platform.h"
#include "qr.h"
#include "runner.h"
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
    int tree_fd;         /* --tree-fd: where the semantic tree goes when it changes, or -1 */
    uint64_t tree_frame; /* the toolkit's drawn-frame count when it was last written there */
};

int64_t kiosk_now_ms(const struct kiosk *k);
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
