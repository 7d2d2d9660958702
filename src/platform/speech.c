/* Speech output with espeak-ng (synchronous synthesis into memory) played through SDL's audio
 * queue, chunk by chunk as it is made. */
#include "speech.h"

#include <SDL.h>
#include <espeak-ng/speak_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

#define LOG_MODULE "speech"
#include "log.h"

#define MAX_SECONDS 60 /* longer text is cut: what the kiosk says is a paragraph at most */
#define CHUNK_MS    100

struct speech {
    SDL_AudioDeviceID dev;
    int sample_rate;
    int16_t *pcm;
    size_t n, cap, queued; /* samples made, room, and how many of them are queued */
    bool interrupted;
    int rate_wpm, volume;
    char last[1024];
    size_t last_samples;
    int64_t t0_us, first_us, total_us;
};

static int64_t
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A key or a finger waits in SDL's queue: the person has moved on. Only on the thread that
 * pumps events (the UI thread, which is the one that synthesises). */
static bool
input_waiting(void)
{
    SDL_PumpEvents();
    return SDL_HasEvent(SDL_KEYDOWN) || SDL_HasEvent(SDL_FINGERDOWN) ||
           SDL_HasEvent(SDL_MOUSEBUTTONDOWN) || SDL_HasEvent(SDL_TEXTINPUT);
}

/* espeak hands over each chunk of samples with the events of the call; every event carries the
 * user data espeak_Synth was given. Returning 1 ends the synthesis. */
static int
on_samples(short *wav, int n, espeak_EVENT *ev)
{
    struct speech *s = ev != NULL ? ev->user_data : NULL;
    if (s == NULL || wav == NULL || n <= 0)
        return 0;
    size_t room = s->cap - s->n, take = (size_t)n < room ? (size_t)n : room;
    memcpy(s->pcm + s->n, wav, take * sizeof(*wav));
    s->n += take;
    if (s->first_us == 0)
        s->first_us = now_us() - s->t0_us;
    if (s->dev != 0) {
        if (SDL_QueueAudio(s->dev, s->pcm + s->queued,
                           (Uint32)((s->n - s->queued) * sizeof(*s->pcm))) != 0)
            LOG_WARN("speech not played: %s", SDL_GetError());
        s->queued = s->n;
        if (input_waiting()) {
            s->interrupted = true;
            return 1;
        }
    }
    return 0;
}

static void
open_device(struct speech *s, const char *device)
{
    if (s->dev != 0)
        SDL_CloseAudioDevice(s->dev);
    s->dev = 0;
    SDL_AudioSpec want = {
        .freq = s->sample_rate, .format = AUDIO_S16SYS, .channels = 1, .samples = 1024
    };
    s->dev = SDL_OpenAudioDevice(device, 0, &want, NULL, 0);
    if (s->dev == 0 && device != NULL)
        s->dev = SDL_OpenAudioDevice(NULL, 0, &want, NULL, 0);
    if (s->dev == 0)
        LOG_INFO("no audio device: speech is made but not heard (%s)", SDL_GetError());
    else
        SDL_PauseAudioDevice(s->dev, 0);
}

struct speech *
speech_open(const char *device, struct errbuf *err)
{
    int rate =
        espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, CHUNK_MS, NULL, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
        err_set(err, "espeak-ng cannot start (are its voices installed? espeak-ng-data)");
        return NULL;
    }
    espeak_SetSynthCallback(on_samples);
    struct speech *s = xcalloc(1, sizeof(*s));
    s->sample_rate = rate;
    s->cap = (size_t)rate * MAX_SECONDS;
    s->pcm = xmalloc(s->cap * sizeof(*s->pcm));
    s->rate_wpm = espeakRATE_NORMAL;
    s->volume = 100;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) == 0)
        open_device(s, device);
    else
        LOG_INFO("no audio: speech is made but not heard (%s)", SDL_GetError());
    return s;
}

void
speech_close(struct speech *s)
{
    if (s == NULL)
        return;
    speech_forget(s);
    if (s->dev != 0)
        SDL_CloseAudioDevice(s->dev);
    espeak_Terminate();
    free(s->pcm);
    free(s);
}

void
speech_set_device(struct speech *s, const char *device)
{
    if (s != NULL && SDL_WasInit(SDL_INIT_AUDIO) != 0)
        open_device(s, device);
}

void
speech_set_rate(struct speech *s, int wpm)
{
    if (s != NULL)
        s->rate_wpm = wpm < SPEECH_RATE_MIN   ? SPEECH_RATE_MIN
                      : wpm > SPEECH_RATE_MAX ? SPEECH_RATE_MAX
                                              : wpm;
}

void
speech_set_volume(struct speech *s, int volume)
{
    if (s != NULL)
        s->volume = volume < SPEECH_VOLUME_MIN   ? SPEECH_VOLUME_MIN
                    : volume > SPEECH_VOLUME_MAX ? SPEECH_VOLUME_MAX
                                                 : volume;
}

static bool
say(struct speech *s, const char *lang, const char *text)
{
    if (s == NULL)
        return false;
    if (espeak_SetVoiceByName(lang) != EE_OK && espeak_SetVoiceByName("sv") != EE_OK)
        return false;
    espeak_SetParameter(espeakRATE, s->rate_wpm, 0);
    espeak_SetParameter(espeakVOLUME, s->volume, 0);
    s->n = s->queued = 0;
    s->interrupted = false;
    s->t0_us = now_us();
    s->first_us = 0;
    espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8 | espeakENDPAUSE, NULL, s);
    s->total_us = now_us() - s->t0_us;
    snprintf(s->last, sizeof(s->last), "%s", text);
    s->last_samples = s->n;
    if (e != EE_OK || s->n == 0) {
        LOG_WARN("speech not synthesised (espeak error %d)", (int)e);
        return false;
    }
    return true;
}

bool
speech_say(struct speech *s, const char *lang, const char *text)
{
    speech_stop(s);
    return say(s, lang, text);
}

bool
speech_say_more(struct speech *s, const char *lang, const char *text)
{
    return say(s, lang, text);
}

void
speech_stop(struct speech *s)
{
    if (s != NULL && s->dev != 0)
        SDL_ClearQueuedAudio(s->dev);
}

void
speech_forget(struct speech *s)
{
    if (s == NULL)
        return;
    speech_stop(s);
    SDL_memset(s->pcm, 0, s->cap * sizeof(*s->pcm));
    SDL_memset(s->last, 0, sizeof(s->last));
    s->n = s->queued = s->last_samples = 0;
}

bool
speech_playing(const struct speech *s)
{
    return s != NULL && s->dev != 0 && SDL_GetQueuedAudioSize(s->dev) > 0;
}

size_t
speech_last(const struct speech *s, const char **text)
{
    *text = s != NULL ? s->last : "";
    return s != NULL ? s->last_samples : 0;
}

void
speech_last_timing(const struct speech *s, int64_t *first_chunk_us, int64_t *total_us)
{
    *first_chunk_us = s != NULL ? s->first_us : 0;
    *total_us = s != NULL ? s->total_us : 0;
}
