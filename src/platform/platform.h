/* The display and the input devices: a real window (when a display exists) or SDL's offscreen
 * driver (headless), input events translated for the toolkit, the monotonic clock, and PNG
 * screenshots of what is on screen. Nothing outside ui/ and platform/ sees SDL. */
#ifndef MINASIDOR_PLATFORM_H
#define MINASIDOR_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "ui.h"

struct platform;

/* One row of the keypad table (settings keypad.*, DESIGN.md §9): the toolkit key an action is,
 * and the keys that make it: comma-separated SDL key names ("Up", "Keypad 8", "F1", "Keypad
 * +"). A name that is one punctuation character ("?", "+", "-") means that character as typed,
 * whatever the keyboard layout, and only outside a text field (ui_input.key_too). */
struct platform_key {
    enum ui_key key;
    const char *setting; /* "keypad.help", for the error message */
    const char *names;
};

struct platform_config {
    int width, height;   /* the kiosk's display, in pixels */
    bool headless;       /* SDL's offscreen driver; no window */
    double window_scale; /* a window smaller than the display on a desktop (0: 1) */
    bool fullscreen;
    bool hide_cursor;                  /* a touch-only kiosk: no pointer over the screens */
    const struct platform_key *keymap; /* taken before the built-in keys (Tab, Page Up...) */
    size_t n_keymap;
};

/* Opens the display and creates the toolkit on it. NULL with err set on failure. */
struct platform *platform_open(const struct platform_config *pc, const struct ui_config *uc,
                               struct ui **ui_out, struct errbuf *err);
void platform_close(struct platform *p);

/* Changes the display size (orientation) of the window or offscreen surface. */
void platform_resize(struct platform *p, int width, int height);

/* Waits up to timeout_ms (0: only what is queued) and translates what arrived: finger events
 * directly, mouse events only when not synthesised from touch, keys and text. Returns how many
 * inputs were written; *quit is set when the window was closed. */
int platform_wait(struct platform *p, int timeout_ms, struct ui_input *out, int max, bool *quit);

/* True when a headset (or headphones) is connected: an audio output whose name says so
 * (headset, headphone, hörlur, earphone, earbud, handset), as SDL reports devices added and
 * removed. name gets the device's name (for speech_set_device). */
bool platform_headset(const struct platform *p, char *name, size_t size);

/* Presses and releases the key with this SDL name ("F1", "Keypad +", or a punctuation
 * character, which is typed) as the keyboard would: through SDL's event queue, so that the next
 * platform_wait translates it with the keypad table. For the headless driver. False with err
 * set for a name SDL does not know. */
bool platform_press(struct platform *p, const char *name, struct errbuf *err);

/* Writes what is on screen as a PNG (0600). */
bool platform_screenshot(struct platform *p, const char *path, struct errbuf *err);

/* Monotonic milliseconds. */
int64_t platform_now_ms(void);
int64_t platform_now_us(void); /* the same clock in microseconds */

/* True when a display server is reachable (DISPLAY or WAYLAND_DISPLAY is set). */
bool platform_display_available(void);

/* Writes RGBA pixels (stride in bytes) as an 8-bit RGB PNG. */
bool png_write_rgba(const char *path, const unsigned char *rgba, int w, int h, int stride,
                    struct errbuf *err);

#endif
