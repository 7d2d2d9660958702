/* The platform on SDL's offscreen driver: a touch-only kiosk (display.cursor=false, as the
 * packaged unit sets it) has no pointer over its screens; a desktop window keeps it. */
#include <SDL.h>

#include "assets.h"
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

int
main(void)
{
    RUN(a_touch_only_kiosk_hides_the_pointer);
    RUN(a_window_keeps_the_pointer);
    return test_done();
}
