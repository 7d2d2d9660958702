/* Speech mode (issue 15, EN 301 549 §5.1): the kiosk operated by keypad and ear. Up and Down move
 * a reading cursor through every item of the screen and each is said with its role and state
 * (ui_spoken); Enter operates, Back goes back, Help says what the screen is for; the screen's
 * title is said on arrival, and what changes while one waits (identification, a receipt's
 * delivery, an error) as it changes. Keys interrupt speech, repeat it, stop it and make it
 * faster, slower, louder and softer. Personal data is said only through a headset
 * (speech.output). It starts when a headset is plugged in, or with Help (or Enter at the start
 * screen) on the keypad; it ends with the visit (kiosk_logout). */
#ifndef MINASIDOR_SPEECH_MODE_H
#define MINASIDOR_SPEECH_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "ui.h"

struct kiosk;

/* The keypad table's actions: the setting that lists each one's keys and the toolkit key it is
 * (settings keypad.*; README). */
struct speech_mode_action {
    const char *name;    /* "help": the driver's `keypad help` */
    const char *setting; /* "keypad.help" */
    enum ui_key key;
};
extern const struct speech_mode_action speech_mode_actions[];
extern const size_t speech_mode_actions_n;

enum speech_output {
    SPEECH_OUT_AUTO, /* the headset when one is detected, else the loudspeaker */
    SPEECH_OUT_HEADSET,
    SPEECH_OUT_SPEAKER,
};

/* Told each sentence said, with its samples (0: not synthesised), for the headless driver's
 * transcript. The text is borrowed for the call. */
typedef void (*speech_said_fn)(void *ctx, const char *text, size_t samples);

#define SPEECH_MODE_SAY_MAX 2048

struct speech_mode {
    bool on;
    bool headset;              /* a headset is connected (the platform, or the driver) */
    enum speech_output output; /* speech.output */
    int rate_wpm, volume;      /* this visit's */
    int time_factor;           /* speech.time_factor */
    bool announced;            /* "speech on" said this visit */
    int screen_said;           /* the screen whose title was said (-1: none) */
    const void *lang_said;     /* the language it was said in */
    uint32_t watched[32];      /* hashes of the statuses and headings at the last frame */
    size_t n_watched;
    int wheel;                /* the letter wheel's character, -1: not turned */
    bool reread;              /* Enter was pressed: say the item again, in its new state */
    enum ui_role reread_role; /* the item's role and place, for when Enter replaced it */
    uint32_t dialog;          /* the hash of the open dialog's title, once said; 0: none */
    bool help_keys;           /* Help opened Hjälp's dialog: the keys are said after it */
    struct ui_rect reread_at;
    bool keypad_counted;       /* keypad_use counted this visit */
    char *pending;             /* what this step will say (guarded memory) */
    char *last;                /* what was said last, for Repeat (guarded memory) */
    char in_sv[64], in_en[64]; /* "Tal på svenska", "Speech in English": each in its language */
    speech_said_fn said;
    void *said_ctx;
};

/* Reads the settings; allocates the guarded buffers. */
void speech_mode_init(struct kiosk *k);
void speech_mode_finish(struct kiosk *k);

/* Takes an input before the toolkit does: the speech keys, Up and Down as the reading cursor,
 * the letter wheel, typed characters echoed. True when it was consumed (the toolkit must not see
 * it); the input may be rewritten (a "?" typed outside a field becomes Help). */
bool speech_mode_input(struct kiosk *k, struct ui_input *in);
/* After the frames of a step: the title of a new screen, statuses that appeared or changed;
 * then says what the step gathered. */
void speech_mode_frame(struct kiosk *k);

void speech_mode_start(struct kiosk *k);
/* A headset was plugged in (speech mode starts) or taken out. */
void speech_mode_headset(struct kiosk *k, bool plugged);
/* True when what is said may contain personal data: the output is a headset. */
bool speech_mode_private(const struct kiosk *k);
/* The visit ended: speech mode off, rate and volume back to the settings, nothing kept. */
void speech_mode_end(struct kiosk *k);
/* Says text now whether or not speech mode is on (the idle warning), replacing what is being
 * said; personal text only through a headset. */
void speech_mode_say_now(struct kiosk *k, const char *text, bool personal);
/* How many times longer time limits are now (speech.time_factor in speech mode, else 1). */
int speech_mode_time_factor(const struct kiosk *k);

#endif
