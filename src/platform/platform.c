/* SDL2 as the kiosk's display and input. Touch arrives as finger events and is handled
 * directly; SDL's touch-to-mouse emulation is off and synthesised mouse events are ignored, so
 * one touch is one tap. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <SDL_ttf.h>

#include "platform.h"
#include "ui_sdl.h"
#include "xalloc.h"

#define LOG_MODULE "platform"
#include "log.h"

struct platform {
    SDL_Window *window;
    SDL_Renderer *renderer;
    int width, height;
    bool headless;
    bool finger_down;
};

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

static bool
key_input(const SDL_KeyboardEvent *k, struct ui_input *out)
{
    out->kind = UI_IN_KEY;
    switch (k->keysym.sym) {
    case SDLK_TAB:
        out->key = (k->keysym.mod & KMOD_SHIFT) ? UI_KEY_BACKTAB : UI_KEY_TAB;
        return true;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
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
        return key_input(&ev->key, out);
    case SDL_TEXTINPUT:
        if (ev->text.text[0] == ' ')
            return false; /* space activates, as Enter does */
        out->kind = UI_IN_TEXT;
        size_t len = strnlen(ev->text.text, sizeof(out->text) - 1);
        memcpy(out->text, ev->text.text, len);
        out->text[len] = '\0';
        return true;
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
