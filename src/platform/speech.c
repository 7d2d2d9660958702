/* Speech output with espeak-ng (synchronous synthesis into memory) played through SDL's audio
 * queue. */
#include "speech.h"

#include <SDL.h>
#include <espeak-ng/speak_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define LOG_MODULE "speech"
#include "log.h"

#define MAX_SECONDS 30 /* longer text is cut: what the kiosk says is a sentence or two */

struct speech {
    SDL_AudioDeviceID dev;
    int16_t *pcm;
    size_t n, cap;
    char last[512];
    size_t last_samples;
};

/* espeak hands over each chunk of samples with the events of the call; every event carries the
 * user data espeak_Synth was given. */
static int
on_samples(short *wav, int n, espeak_EVENT *ev)
{
    struct speech *s = ev != NULL ? ev->user_data : NULL;
    if (s == NULL || wav == NULL || n <= 0)
        return 0;
    size_t room = s->cap - s->n, take = (size_t)n < room ? (size_t)n : room;
    memcpy(s->pcm + s->n, wav, take * sizeof(*wav));
    s->n += take;
    return 0;
}

struct speech *
speech_open(struct errbuf *err)
{
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, NULL, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
        err_set(err, "espeak-ng cannot start (are its voices installed? espeak-ng-data)");
        return NULL;
    }
    espeak_SetSynthCallback(on_samples);
    struct speech *s = xcalloc(1, sizeof(*s));
    s->cap = (size_t)rate * MAX_SECONDS;
    s->pcm = xmalloc(s->cap * sizeof(*s->pcm));
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) == 0) {
        SDL_AudioSpec want = {
            .freq = rate, .format = AUDIO_S16SYS, .channels = 1, .samples = 1024
        };
        s->dev = SDL_OpenAudioDevice(NULL, 0, &want, NULL, 0);
    }
    if (s->dev == 0)
        LOG_INFO("no audio device: speech is made but not heard (%s)", SDL_GetError());
    else
        SDL_PauseAudioDevice(s->dev, 0);
    return s;
}

void
speech_close(struct speech *s)
{
    if (s == NULL)
        return;
    if (s->dev != 0)
        SDL_CloseAudioDevice(s->dev);
    espeak_Terminate();
    free(s->pcm);
    free(s);
}

bool
speech_say(struct speech *s, const char *lang, const char *text)
{
    if (s == NULL)
        return false;
    speech_stop(s);
    if (espeak_SetVoiceByName(lang) != EE_OK && espeak_SetVoiceByName("sv") != EE_OK)
        return false;
    s->n = 0;
    espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8 | espeakENDPAUSE, NULL, s);
    if (e != EE_OK || s->n == 0) {
        LOG_WARN("speech not synthesised (espeak error %d)", (int)e);
        return false;
    }
    snprintf(s->last, sizeof(s->last), "%s", text);
    s->last_samples = s->n;
    if (s->dev != 0 && SDL_QueueAudio(s->dev, s->pcm, (Uint32)(s->n * sizeof(*s->pcm))) != 0)
        LOG_WARN("speech not played: %s", SDL_GetError());
    return true;
}

void
speech_stop(struct speech *s)
{
    if (s != NULL && s->dev != 0)
        SDL_ClearQueuedAudio(s->dev);
}

size_t
speech_last(const struct speech *s, const char **text)
{
    *text = s != NULL ? s->last : "";
    return s != NULL ? s->last_samples : 0;
}
