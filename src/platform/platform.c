/* SDL2 as the kiosk's display and input. Touch arrives as finger events and is handled
 * directly; SDL's touch-to-mouse emulation is off and synthesised mouse events are ignored, so
 * one touch is one tap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL_ttf.h>

#include "platform.h"
#include "ui_sdl.h"
#include "xalloc.h"

#define LOG_MODULE "platform"
#include "log.h"

#define MAX_KEYS 64

/* A key of the keypad table: a key code, or a typed character (text). */
struct key_binding {
    SDL_Keycode code;
    char text[8];
    enum ui_key key;
};

struct platform {
    SDL_Window *window;
    SDL_Renderer *renderer;
    int width, height;
    bool headless;
    bool finger_down;
    struct key_binding keys[MAX_KEYS];
    size_t n_keys;
    bool swallow_text; /* a bound key was pressed: the character it types is not text */
    bool headset;
    char headset_name[128];
};

/* The keypad table into bindings. False with err set for a name SDL does not know. */
static bool
bind_keys(struct platform *p, const struct platform_config *pc, struct errbuf *err)
{
    for (size_t i = 0; i < pc->n_keymap; i++) {
        const char *s = pc->keymap[i].names != NULL ? pc->keymap[i].names : "";
        while (*s != '\0') {
            size_t len = strcspn(s, ",");
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)len, s);
            s += len + (s[len] == ',');
            if (name[0] == '\0')
                continue;
            if (p->n_keys == MAX_KEYS) {
                err_set(err, "keypad: more than %d keys", MAX_KEYS);
                return false;
            }
            struct key_binding *b = &p->keys[p->n_keys];
            memset(b, 0, sizeof(*b));
            b->key = pc->keymap[i].key;
            /* a punctuation character is matched as typed: '?' is Shift+'+' on a Swedish
             * keyboard and Shift+'/' on an American one */
            if (strlen(name) == 1 && name[0] > ' ' && name[0] < 0x7f &&
                !SDL_isalnum((unsigned char)name[0])) {
                b->text[0] = name[0];
            } else if ((b->code = SDL_GetKeyFromName(name)) == SDLK_UNKNOWN) {
                err_set(err, "%s: no key is named '%s' (SDL key names: Up, Return, F1, Keypad +)",
                        pc->keymap[i].setting, name);
                return false;
            }
            p->n_keys++;
        }
    }
    return true;
}

/* Whether an output device's name says it is worn: the headset detection rule (README). */
static bool
headset_name(const char *name)
{
    static const char *const words[] = { "headset",  "headphone", "hörlur",
                                         "earphone", "earbud",    "handset" };
    if (name == NULL)
        return false;
    char low[256];
    size_t n = strnlen(name, sizeof(low) - 1);
    for (size_t i = 0; i < n; i++)
        low[i] = (char)SDL_tolower((unsigned char)name[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strstr(low, words[i]) != NULL)
            return true;
    }
    return false;
}

/* An audio device came or went: look at them all again. */
static void
recount_headsets(struct platform *p)
{
    bool was = p->headset;
    p->headset = false;
    int n = SDL_GetNumAudioDevices(0);
    for (int i = 0; i < n && !p->headset; i++) {
        const char *name = SDL_GetAudioDeviceName(i, 0);
        if (headset_name(name)) {
            p->headset = true;
            snprintf(p->headset_name, sizeof(p->headset_name), "%s", name);
        }
    }
    if (p->headset != was)
        LOG_INFO("headset %s", p->headset ? "connected" : "disconnected");
}

bool
platform_headset(const struct platform *p, char *name, size_t size)
{
    if (size > 0)
        snprintf(name, size, "%s", p->headset ? p->headset_name : "");
    return p->headset;
}

static char typed_char(SDL_Keycode code);

bool
platform_press(struct platform *p, const char *name, struct errbuf *err)
{
    (void)p;
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    if (strlen(name) == 1 && name[0] > ' ' && name[0] < 0x7f) {
        ev.type = SDL_TEXTINPUT;
        ev.text.text[0] = name[0];
        return SDL_PushEvent(&ev) >= 0;
    }
    SDL_Keycode code = SDL_GetKeyFromName(name);
    if (code == SDLK_UNKNOWN) {
        err_set(err, "no key is named '%s'", name);
        return false;
    }
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = code;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(code);
    if (SDL_PushEvent(&ev) < 0)
        return false;
    char c = typed_char(code);
    if (c != 0) { /* as SDL sends it: the key, its text, the release */
        SDL_Event text;
        memset(&text, 0, sizeof(text));
        text.type = SDL_TEXTINPUT;
        text.text.text[0] = c;
        if (SDL_PushEvent(&text) < 0)
            return false;
    }
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    return SDL_PushEvent(&ev) >= 0;
}

int64_t
platform_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
platform_now_ms(void)
{
    return platform_now_us() / 1000;
}

bool
platform_display_available(void)
{
    const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    return (x != NULL && x[0] != '\0') || (w != NULL && w[0] != '\0');
}

struct platform *
platform_open(const struct platform_config *pc, const struct ui_config *uc, struct ui **ui_out,
              struct errbuf *err)
{
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    if (pc->headless) {
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
        /* The software renderer draws into the window's own surface. Without this SDL would
         * put a second, OpenGL renderer (llvmpipe, on a machine without a GPU) behind that
         * surface and upload every frame to it: three quarters of a frame's time. */
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    }
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        err_set(err, "cannot start the display (%s): %s", pc->headless ? "offscreen" : "window",
                SDL_GetError());
        return NULL;
    }
    struct platform *p = xcalloc(1, sizeof(*p));
    if (!bind_keys(p, pc, err)) {
        platform_close(p);
        return NULL;
    }
    /* Audio devices are watched for a headset (speech mode); no audio is no headset. */
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) == 0)
        recount_headsets(p);
    p->width = pc->width;
    p->height = pc->height;
    p->headless = pc->headless;
    double scale = pc->window_scale > 0 ? pc->window_scale : 1.0;
    Uint32 flags = SDL_WINDOW_SHOWN | (pc->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    p->window = SDL_CreateWindow("Mina sidor", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                 (int)(pc->width * scale), (int)(pc->height * scale), flags);
    if (p->window == NULL) {
        err_set(err, "cannot open the window: %s", SDL_GetError());
        platform_close(p);
        return NULL;
    }
    /* Headless frames are drawn in software so that screenshots do not depend on a GPU. */
    p->renderer = SDL_CreateRenderer(
        p->window, -1, pc->headless ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED);
    if (p->renderer == NULL)
        p->renderer = SDL_CreateRenderer(p->window, -1, SDL_RENDERER_SOFTWARE);
    if (p->renderer == NULL) {
        err_set(err, "cannot create a renderer: %s", SDL_GetError());
        platform_close(p);
        return NULL;
    }
    if (pc->hide_cursor)
        SDL_ShowCursor(SDL_DISABLE);
    SDL_SetRenderDrawBlendMode(p->renderer, SDL_BLENDMODE_BLEND);
    SDL_RenderSetLogicalSize(p->renderer, pc->width, pc->height);
    SDL_StartTextInput();
    *ui_out = ui_create(p->renderer, uc, err);
    if (*ui_out == NULL) {
        platform_close(p);
        return NULL;
    }
    LOG_INFO("display %dx%d (%s, %s renderer, pointer %s)", pc->width, pc->height,
             pc->headless ? "offscreen" : SDL_GetCurrentVideoDriver(),
             pc->headless ? "software" : "default", pc->hide_cursor ? "hidden" : "shown");
    return p;
}

void
platform_close(struct platform *p)
{
    if (p == NULL)
        return;
    if (p->renderer != NULL)
        SDL_DestroyRenderer(p->renderer);
    if (p->window != NULL)
        SDL_DestroyWindow(p->window);
    free(p);
    TTF_Quit();
    SDL_Quit();
}

void
platform_resize(struct platform *p, int width, int height)
{
    p->width = width;
    p->height = height;
    if (p->headless)
        SDL_SetWindowSize(p->window, width, height);
    SDL_RenderSetLogicalSize(p->renderer, width, height);
}

/* The character a key types (Space, the numeric keypad's), or 0. */
static char
typed_char(SDL_Keycode code)
{
    if (code >= SDLK_KP_1 && code <= SDLK_KP_9)
        return (char)('1' + (code - SDLK_KP_1));
    switch (code) {
    case SDLK_SPACE:
        return ' ';
    case SDLK_KP_0:
        return '0';
    case SDLK_KP_PLUS:
        return '+';
    case SDLK_KP_MINUS:
        return '-';
    case SDLK_KP_MULTIPLY:
        return '*';
    case SDLK_KP_DIVIDE:
        return '/';
    case SDLK_KP_PERIOD:
        return '.';
    default:
        return 0;
    }
}

static bool
key_input(struct platform *p, const SDL_KeyboardEvent *k, struct ui_input *out)
{
    out->kind = UI_IN_KEY;
    p->swallow_text = false;
    bool tab = k->keysym.sym == SDLK_TAB;
    for (size_t i = 0; i < p->n_keys && !tab; i++) {
        if (p->keys[i].text[0] != '\0' || p->keys[i].code != k->keysym.sym)
            continue;
        out->key = p->keys[i].key;
        /* A key that also types (Space, Keypad +, Keypad 8) types in a text field and is its
         * action elsewhere; SDL's text event for it follows and is dropped. */
        char c = typed_char(k->keysym.sym);
        if (c != 0) {
            out->kind = UI_IN_TEXT;
            out->text[0] = c;
            out->key_too = true;
            p->swallow_text = true;
        }
        return true;
    }
    switch (k->keysym.sym) {
    case SDLK_TAB:
        out->key = (k->keysym.mod & KMOD_SHIFT) ? UI_KEY_BACKTAB : UI_KEY_TAB;
        return true;
    case SDLK_SPACE:
        p->swallow_text = true; /* without a keypad table, space activates, as Enter does */
        out->key = UI_KEY_ENTER;
        return true;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
        out->key = UI_KEY_ENTER;
        return true;
    case SDLK_ESCAPE:
        out->key = UI_KEY_ESCAPE;
        return true;
    case SDLK_UP:
        out->key = UI_KEY_UP;
        return true;
    case SDLK_DOWN:
        out->key = UI_KEY_DOWN;
        return true;
    case SDLK_LEFT:
        out->key = UI_KEY_LEFT;
        return true;
    case SDLK_RIGHT:
        out->key = UI_KEY_RIGHT;
        return true;
    case SDLK_BACKSPACE:
        out->key = UI_KEY_BACKSPACE;
        return true;
    case SDLK_PAGEUP:
        out->key = UI_KEY_PAGEUP;
        return true;
    case SDLK_PAGEDOWN:
        out->key = UI_KEY_PAGEDOWN;
        return true;
    default:
        return false;
    }
}

/* One SDL event as toolkit input; false for events the toolkit does not take. */
static bool
translate(struct platform *p, const SDL_Event *ev, struct ui_input *out, bool *quit)
{
    memset(out, 0, sizeof(*out));
    out->t_ms = platform_now_ms();
    switch (ev->type) {
    case SDL_QUIT:
        *quit = true;
        return false;
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP:
        /* One finger operates the kiosk; a second finger is ignored. */
        if (ev->type == SDL_FINGERDOWN && p->finger_down)
            return false;
        p->finger_down = ev->type != SDL_FINGERUP;
        out->kind = ev->type == SDL_FINGERDOWN ? UI_IN_DOWN
                    : ev->type == SDL_FINGERUP ? UI_IN_UP
                                               : UI_IN_MOVE;
        out->x = (int)(ev->tfinger.x * (float)p->width);
        out->y = (int)(ev->tfinger.y * (float)p->height);
        return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (ev->button.which == SDL_TOUCH_MOUSEID || ev->button.button != SDL_BUTTON_LEFT)
            return false;
        out->kind = ev->type == SDL_MOUSEBUTTONDOWN ? UI_IN_DOWN : UI_IN_UP;
        out->x = ev->button.x;
        out->y = ev->button.y;
        return true;
    case SDL_MOUSEMOTION:
        if (ev->motion.which == SDL_TOUCH_MOUSEID || !(ev->motion.state & SDL_BUTTON_LMASK))
            return false;
        out->kind = UI_IN_MOVE;
        out->x = ev->motion.x;
        out->y = ev->motion.y;
        return true;
    case SDL_KEYDOWN:
        return key_input(p, &ev->key, out);
    case SDL_KEYUP:
        p->swallow_text = false; /* its text, if any, came before */
        return false;
    case SDL_TEXTINPUT: {
        bool swallow = p->swallow_text;
        p->swallow_text = false;
        if (swallow)
            return false; /* the key's action or character came with its key event */
        out->kind = UI_IN_TEXT;
        size_t len = strnlen(ev->text.text, sizeof(out->text) - 1);
        memcpy(out->text, ev->text.text, len);
        out->text[len] = '\0';
        for (size_t i = 0; i < p->n_keys; i++) {
            if (p->keys[i].text[0] != '\0' && strcmp(p->keys[i].text, out->text) == 0) {
                out->key_too = true;
                out->key = p->keys[i].key;
            }
        }
        return true;
    }
    case SDL_AUDIODEVICEADDED:
    case SDL_AUDIODEVICEREMOVED:
        if (!ev->adevice.iscapture)
            recount_headsets(p);
        return false;
    case SDL_WINDOWEVENT:
        if (ev->window.event != SDL_WINDOWEVENT_EXPOSED)
            return false;
        out->kind = UI_IN_EXPOSE;
        return true;
    default:
        return false;
    }
}

int
platform_wait(struct platform *p, int timeout_ms, struct ui_input *out, int max, bool *quit)
{
    int n = 0;
    SDL_Event ev;
    bool have = false;
    if (timeout_ms > 0 && p->headless) {
        /* SDL's offscreen driver cannot block for events: SDL_WaitEventTimeout would poll every
         * millisecond. Nothing but a signal's quit event arrives there, so poll ten times a
         * second instead. */
        for (int left = timeout_ms; !have && left > 0; left -= 100) {
            have = SDL_PollEvent(&ev) != 0;
            if (!have)
                SDL_Delay((Uint32)(left < 100 ? left : 100));
        }
        if (!have && !(have = SDL_PollEvent(&ev) != 0))
            return 0;
    } else if (timeout_ms > 0) {
        if (!SDL_WaitEventTimeout(&ev, timeout_ms))
            return 0;
        have = true;
    }
    while (n < max) {
        if (!have && !SDL_PollEvent(&ev))
            break;
        have = false;
        if (translate(p, &ev, &out[n], quit))
            n++;
    }
    return n;
}

bool
platform_screenshot(struct platform *p, const char *path, struct errbuf *err)
{
    int ow, oh;
    SDL_GetRendererOutputSize(p->renderer, &ow, &oh);
    /* Read back at the output size; with a scaled window that differs from the display size. */
    unsigned char *px = xmalloc((size_t)ow * (size_t)oh * 4);
    if (SDL_RenderReadPixels(p->renderer, NULL, SDL_PIXELFORMAT_ABGR8888, px, ow * 4) != 0) {
        free(px);
        err_set(err, "cannot read the frame back: %s", SDL_GetError());
        return false;
    }
    bool ok = png_write_rgba(path, px, ow, oh, ow * 4, err);
    free(px);
    return ok;
}
