/* Speech benchmark (issue 15): how soon speech starts after a key, and how soon it stops after
 * the next one, with espeak-ng and SDL audio as the kiosk uses them (src/platform/speech.c).
 * Prints figures; asserts nothing about time (README, Benchmarks).
 *
 *     SDL_AUDIODRIVER=dummy build/gcc/tests/bench/speech_bench [ROUNDS]
 *
 * - key to start of speech: a key event is put in SDL's queue, taken out as the kiosk's loop
 *   does, and the sentence the key asks for is synthesised until its first chunk of sound is
 *   queued for playing (the toolkit's frame comes on top: ui_bench's frame times);
 * - next key to speech stopped, while a long text plays: the key taken, speech_stop, until no
 *   sound is queued;
 * - next key to synthesis stopped, when the key arrives while a long text is being synthesised:
 *   synthesis gives up at the end of the chunk it is making;
 * - samples made for each sentence (audio really produced). */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "speech.h"

static int64_t
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void
report(const char *what, int64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    printf("%-52s median %7.2f ms  p95 %7.2f ms  max %7.2f ms  (%d)\n", what, v[n / 2] / 1000.0,
           v[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1] / 1000.0, v[n - 1] / 1000.0, n);
}

static void
push_key(void)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = SDLK_DOWN;
    SDL_PushEvent(&ev);
}

static void
take_key(void)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
    }
}

int
main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    if (rounds < 1)
        rounds = 1;
    if (SDL_Init(SDL_INIT_EVENTS) != 0) {
        fprintf(stderr, "speech_bench: SDL: %s\n", SDL_GetError());
        return 1;
    }
    struct errbuf err = { "" };
    struct speech *s = speech_open(NULL, &err);
    if (s == NULL) {
        fprintf(stderr, "speech_bench: %s\n", err.msg);
        SDL_Quit();
        return 1;
    }
    static const char *const sentences[] = {
        /* as the kiosk says them (ui_spoken: name, state, role, value) */
        "Fakturor, knapp, 2. 2 fakturor att betala. 2 av dem har förfallit.",
        "Identifiera dig, knapp.",
        "Avgift hemtjänst, rad i listan, 1 835,51 kr · förfaller 28 oktober 2026 · Förfallen.",
        ("Talläge på. Upp och Ner flyttar på skärmen, Enter väljer, Tillbaka går tillbaka och "
         "Hjälp berättar om skärmen. Bromma medborgarkontor, rubrik."),
    };
    const char *long_text =
        "Se dina ärenden, köplatser, fakturor och bokade besök och skicka ansökningar när du har "
        "identifierat dig med BankID i mobilen. Upp och Ner flyttar på skärmen, Enter väljer och "
        "Tillbaka går tillbaka. Hjälp berättar om skärmen. Ring upp mig om du vill att vi ringer.";
    size_t n_sent = sizeof(sentences) / sizeof(sentences[0]);
    int64_t *start = calloc((size_t)rounds * n_sent, sizeof(int64_t));
    int64_t *whole = calloc((size_t)rounds * n_sent, sizeof(int64_t));
    int64_t *stop_play = calloc((size_t)rounds, sizeof(int64_t));
    int64_t *stop_synth = calloc((size_t)rounds, sizeof(int64_t));
    int n_start = 0, n_play = 0;
    printf("speech_bench: espeak-ng, %s audio, %d rounds\n",
           SDL_GetCurrentAudioDriver() ? SDL_GetCurrentAudioDriver() : "no", rounds);
    for (size_t i = 0; i < n_sent; i++) {
        const char *said;
        speech_say(s, "sv", sentences[i]);
        printf("samples %zu: %s\n", speech_last(s, &said), sentences[i]);
    }
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n_sent; i++) {
            push_key();
            int64_t t0 = now_us();
            take_key();
            int64_t t_say = now_us();
            speech_say(s, "sv", sentences[i]);
            int64_t first, total;
            speech_last_timing(s, &first, &total);
            start[n_start] = t_say - t0 + first;
            whole[n_start++] = now_us() - t0;
        }
        /* playing: stopped by the next key */
        speech_say(s, "sv", long_text);
        if (speech_playing(s)) {
            push_key();
            int64_t t0 = now_us();
            take_key();
            speech_stop(s);
            while (speech_playing(s)) {
            }
            stop_play[n_play++] = now_us() - t0;
        }
        /* synthesising: the key is waiting when the first chunk is made */
        push_key();
        int64_t t0 = now_us();
        speech_say(s, "sv", long_text);
        stop_synth[r] = now_us() - t0;
        take_key();
    }
    report("key to start of speech (first chunk queued)", start, n_start);
    report("key to whole sentence synthesised", whole, n_start);
    if (n_play > 0)
        report("next key to speech stopped (while playing)", stop_play, n_play);
    else
        printf("next key to speech stopped (while playing): no audio device, nothing plays\n");
    report("next key to synthesis stopped (while synthesising)", stop_synth, rounds);
    free(start);
    free(whole);
    free(stop_play);
    free(stop_synth);
    speech_close(s);
    SDL_Quit();
    return 0;
}
