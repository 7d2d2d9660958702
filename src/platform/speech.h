/* Speech output (DESIGN.md §8–9, EN 301 549 closed functionality): text spoken with espeak-ng in
 * the current language and played through SDL audio. Used for what a person must notice without
 * looking: the "are you still there" warning. Say nothing personal through it: a kiosk's
 * loudspeaker is heard by the whole room. */
#ifndef MINASIDOR_SPEECH_H
#define MINASIDOR_SPEECH_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct speech;

/* Starts the synthesiser; NULL with err set when espeak-ng or its voices are missing (the kiosk
 * then stays silent). Without an audio device the speech is made but not played. */
struct speech *speech_open(struct errbuf *err);
void speech_close(struct speech *s); /* accepts NULL */

/* Says text with an espeak-ng voice (the language table's: "sv", "en", "ar"), replacing
 * whatever is still being played. Synthesis runs on the caller's thread (tens of milliseconds for a sentence). False if nothing
 * could be synthesised. */
bool speech_say(struct speech *s, const char *lang, const char *text);

/* Stops playing at once (the person left, or answered). */
void speech_stop(struct speech *s);

/* What was said last and how many samples it made (0: nothing), for the headless driver. */
size_t speech_last(const struct speech *s, const char **text);

#endif
