/* The platform on SDL's offscreen driver: a touch-only kiosk (display.cursor=false, as the
 * packaged unit sets it) has no pointer over its screens; a desktop window keeps it. The keypad
 * table turns keys (a USB keypad's or a PC keyboard's) into the toolkit's keys. */
#include <SDL.h>
#include <string.h>

#include "assets.h"
#include "macros.h"
#include "platform.h"
#include "test.h"
#include "ui.h"

static int
cursor_after_open(bool hide)
{
    struct ui_config uc = {
        .width_px = 720,
        .height_px = 1280,
        .diagonal_in = 21.5,
        .fonts = ASSETS_UI_FONTS,
        .font_lens = ASSETS_UI_FONT_LENS,
    };
    struct platform_config pc = {
        .width = 720, .height = 1280, .headless = true, .hide_cursor = hide
    };
    struct errbuf err = { "" };
    struct ui *ui = NULL;
    struct platform *p = platform_open(&pc, &uc, &ui, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (p == NULL)
        return -1;
    int shown = SDL_ShowCursor(SDL_QUERY);
    ui_destroy(ui); /* the caller's, as the kiosk does before closing the platform */
    platform_close(p);
    return shown;
}

TEST(a_touch_only_kiosk_hides_the_pointer)
{
    CHECK_INT(SDL_DISABLE, cursor_after_open(true));
}

TEST(a_window_keeps_the_pointer)
{
    CHECK_INT(SDL_ENABLE, cursor_after_open(false));
}

/* The keypad table as the kiosk's defaults have it (settings keypad.*), in part. */
static const struct platform_key keymap[] = {
    { UI_KEY_UP, "keypad.up", "Up,Keypad 8" },
    { UI_KEY_ENTER, "keypad.enter", "Return,Space" },
    { UI_KEY_HELP, "keypad.help", "F1,?" },
    { UI_KEY_VOLUME_UP, "keypad.volume_up", "Keypad +,+" },
    { UI_KEY_REPEAT, "keypad.repeat", "F2" },
};

static struct platform *
open_with_keys(const struct platform_key *keys, size_t n, struct ui **ui, struct errbuf *err)
{
    struct ui_config uc = {
        .width_px = 720,
        .height_px = 1280,
        .diagonal_in = 21.5,
        .fonts = ASSETS_UI_FONTS,
        .font_lens = ASSETS_UI_FONT_LENS,
    };
    struct platform_config pc = {
        .width = 720, .height = 1280, .headless = true, .keymap = keys, .n_keymap = n
    };
    return platform_open(&pc, &uc, ui, err);
}

/* Presses the key named name and returns what the platform made of it (kind -1: nothing). */
static struct ui_input
pressed(struct platform *p, const char *name)
{
    struct errbuf err = { "" };
    struct ui_input in[8] = { 0 };
    bool quit = false;
    CHECK_MSG(platform_press(p, name, &err), "%s", err.msg);
    int n = platform_wait(p, 0, in, 8, &quit);
    CHECK_MSG(n <= 1, "one key made %d inputs", n);
    if (n == 0)
        in[0].kind = (enum ui_input_kind) - 1;
    return in[0];
}

TEST(the_keypad_table_makes_the_toolkits_keys)
{
    struct errbuf err = { "" };
    struct ui *ui = NULL;
    struct platform *p = open_with_keys(keymap, ARRAY_LEN(keymap), &ui, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (p == NULL)
        return;
    struct ui_input in = pressed(p, "F1");
    CHECK_INT(UI_IN_KEY, in.kind);
    CHECK_INT(UI_KEY_HELP, in.key);
    in = pressed(p, "F2");
    CHECK_INT(UI_KEY_REPEAT, in.key);
    in = pressed(p, "Up");
    CHECK_INT(UI_IN_KEY, in.kind);
    CHECK_INT(UI_KEY_UP, in.key);
    in = pressed(p, "Return");
    CHECK_INT(UI_KEY_ENTER, in.key);
    /* a key that also types is its character, and its action outside a text field; SDL's text
     * event after it is not a second input */
    in = pressed(p, "Keypad +");
    CHECK_INT(UI_IN_TEXT, in.kind);
    CHECK_STR("+", in.text);
    CHECK(in.key_too);
    CHECK_INT(UI_KEY_VOLUME_UP, in.key);
    in = pressed(p, "Keypad 8");
    CHECK_INT(UI_IN_TEXT, in.kind);
    CHECK_STR("8", in.text);
    CHECK_INT(UI_KEY_UP, in.key);
    /* a punctuation character counts as typed, on any layout */
    in = pressed(p, "?");
    CHECK_INT(UI_IN_TEXT, in.kind);
    CHECK_STR("?", in.text);
    CHECK(in.key_too);
    CHECK_INT(UI_KEY_HELP, in.key);
    /* a letter is only text */
    in = pressed(p, "a");
    CHECK_INT(UI_IN_TEXT, in.kind);
    CHECK(!in.key_too);
    /* keys outside the table keep their built-in meaning */
    in = pressed(p, "Tab");
    CHECK_INT(UI_KEY_TAB, in.key);
    in = pressed(p, "Backspace");
    CHECK_INT(UI_KEY_BACKSPACE, in.key);
    ui_destroy(ui);
    platform_close(p);
}

TEST(an_unknown_key_name_is_refused_with_its_setting)
{
    static const struct platform_key bad[] = { { UI_KEY_HELP, "keypad.help", "F1,Hjälpknapp" } };
    struct errbuf err = { "" };
    struct ui *ui = NULL;
    struct platform *p = open_with_keys(bad, ARRAY_LEN(bad), &ui, &err);
    CHECK(p == NULL);
    CHECK_MSG(strstr(err.msg, "keypad.help") != NULL && strstr(err.msg, "Hjälpknapp") != NULL,
              "the error names the setting and the key: %s", err.msg);
    if (p != NULL) {
        ui_destroy(ui);
        platform_close(p);
    }
}

TEST(the_dummy_audio_device_is_no_headset)
{
    struct errbuf err = { "" };
    struct ui *ui = NULL;
    struct platform *p = open_with_keys(NULL, 0, &ui, &err);
    CHECK_MSG(p != NULL, "%s", err.msg);
    if (p == NULL)
        return;
    char name[64];
    CHECK(!platform_headset(p, name, sizeof(name)));
    CHECK_STR("", name);
    ui_destroy(ui);
    platform_close(p);
}

int
main(void)
{
    RUN(a_touch_only_kiosk_hides_the_pointer);
    RUN(a_window_keeps_the_pointer);
    RUN(the_keypad_table_makes_the_toolkits_keys);
    RUN(an_unknown_key_name_is_refused_with_its_setting);
    RUN(the_dummy_audio_device_is_no_headset);
    return test_done();
}
