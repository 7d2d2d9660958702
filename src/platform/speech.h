/* Speech output (DESIGN.md §8–9, EN 301 549 closed functionality): text spoken with espeak-ng in
 * the current language and played through SDL audio, at a rate and volume the listener sets.
 * The app's speech mode (app/speech_mode.c) decides what is said and whether personal data may
 * be: a kiosk's loudspeaker is heard by the whole room. */
#ifndef MINASIDOR_SPEECH_H
#define MINASIDOR_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct speech;

/* Starts the synthesiser; NULL with err set when espeak-ng or its voices are missing (the kiosk
 * then stays silent). Plays through the audio output named device (NULL: the default one).
 * Without an audio device the speech is made but not played. */
struct speech *speech_open(const char *device, struct errbuf *err);
void speech_close(struct speech *s); /* accepts NULL */

/* Plays through another output (a headset was plugged in; NULL: the default). */
void speech_set_device(struct speech *s, const char *device);

#define SPEECH_RATE_MIN   80 /* words a minute */
#define SPEECH_RATE_MAX   400
#define SPEECH_VOLUME_MIN 10 /* espeak-ng's amplitude: 100 is its normal */
#define SPEECH_VOLUME_MAX 200
/* The rate and volume of what is said next (clamped to the limits above). */
void speech_set_rate(struct speech *s, int wpm);
void speech_set_volume(struct speech *s, int volume);

/* Says text with an espeak-ng voice (the language table's: "sv", "en", "ar"), replacing
 * whatever is still being played. Synthesis runs on the caller's thread; each chunk (about a
 * tenth of a second of sound) is queued for playing as soon as it is made, so the sound starts
 * after the first chunk, and synthesis gives up when a key or a finger is waiting in the input
 * queue (the next key interrupts). False if nothing could be synthesised. */
bool speech_say(struct speech *s, const char *lang, const char *text);

/* The same after whatever is being said (another voice's sentence after this one's). */
bool speech_say_more(struct speech *s, const char *lang, const char *text);

/* Stops playing at once (the person pressed a key, left, or answered). */
void speech_stop(struct speech *s);
/* Stops and wipes what was said and its sound (a session ended: it may have been personal). */
void speech_forget(struct speech *s);
/* True while sound is queued for playing (always false without an audio device). */
bool speech_playing(const struct speech *s);

/* What was said last and how many samples it made (0: nothing), for the headless driver. */
size_t speech_last(const struct speech *s, const char **text);
/* For the benchmark: microseconds from speech_say's call to its first chunk of sound, and to the
 * end of synthesis, for the last text said. */
void speech_last_timing(const struct speech *s, int64_t *first_chunk_us, int64_t *total_us);

#endif
