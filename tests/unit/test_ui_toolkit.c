/* The toolkit without a display: a software renderer on a surface. Themes meet their contrast
 * ratios, every part in every state of the style table included; catalogues load and translate (and a broken one is refused); taps go through hit
 * testing (a drag or a double tap is not a click); Tab walks the focus; right to left mirrors
 * the layout. */
#include <SDL.h>
#include <string.h>

#include "assets.h"
#include "i18n.h"
#include "test.h"
#include "ui_sdl.h"

static SDL_Surface *surface;
static SDL_Renderer *renderer;

static struct ui *
make_ui(void)
{
    struct ui_config c = {
        .width_px = 1080,
        .height_px = 1920,
        .diagonal_in = 21.5,
        .fonts = { font_sans_regular, font_sans_bold, font_arabic_regular, font_arabic_bold },
        .font_lens = { font_sans_regular_len, font_sans_bold_len, font_arabic_regular_len,
                       font_arabic_bold_len },
    };
    struct errbuf err;
    struct ui *ui = ui_create(renderer, &c, &err);
    CHECK_MSG(ui != NULL, "%s", err.msg);
    return ui;
}

static int clicks_a, clicks_b;

static void
frame(struct ui *ui)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_columns(ui, 2);
    if (ui_button(ui, "Alpha", UI_BUTTON_NORMAL))
        clicks_a++;
    if (ui_button(ui, "Beta", UI_BUTTON_NORMAL))
        clicks_b++;
    ui_columns(ui, 1);
    ui_end(ui);
    ui_render(ui);
}

static void
tap(struct ui *ui, const char *label, int64_t t, int move)
{
    const struct ui_node *n = ui_find(ui, label, UI_ROLE_BUTTON);
    CHECK(n != NULL);
    int x = n->r.x + n->r.w / 2, y = n->r.y + n->r.h / 2;
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y, .t_ms = t });
    if (move)
        ui_feed(ui,
                &(struct ui_input){ .kind = UI_IN_MOVE, .x = x + move, .y = y, .t_ms = t + 50 });
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_UP, .x = x + move, .y = y, .t_ms = t + 100 });
    frame(ui);
}

/* A pair of colours the widgets draw against each other, and what it is. */
struct pair {
    struct ui_color a, b;
    const char *what;
};

static void
check_pairs(const struct ui_theme *t, const struct pair *pairs, size_t n, double min)
{
    for (size_t p = 0; p < n; p++) {
        double r = ui_contrast_ratio(pairs[p].a, pairs[p].b);
        CHECK_MSG(r >= min, "%s: %s: %.2f < %.1f", t->code, pairs[p].what, r, min);
    }
}

TEST(themes_meet_contrast)
{
    const struct ui_theme *hc = ui_theme_high_contrast(), *st = ui_theme_standard();
    /* Text: 4.5:1 in the standard theme, 7:1 in high contrast (theme.c's promise). State
     * indicators and other non-text (focus ring, control borders, a checked option's fill, the
     * current step): 3:1 against what is next to them (WCAG 1.4.11). */
    struct {
        const struct ui_theme *t;
        double text_min;
    } cases[] = { { hc, 7.0 }, { st, 4.5 } };
    for (size_t i = 0; i < 2; i++) {
        const struct ui_theme *t = cases[i].t;
        const struct pair text[] = {
            { t->fg, t->bg, "text" },
            { t->muted, t->bg, "muted text" },
            { t->header_fg, t->header_bg, "header text" },
            { t->button_fg, t->button_bg, "button text" },
            { t->button_fg, t->button_pressed, "pressed button text" },
            { t->primary_fg, t->primary_bg, "primary and checked button text, current step" },
            { t->tile_fg, t->tile_bg, "tile and list text" },
            { t->tile_fg, t->button_pressed, "pressed tile and list row text" },
            { t->field_fg, t->field_bg, "field text" },
            { t->invalid, t->bg, "a field's error" },
            { t->fg, t->dialog_bg, "dialog text" },
            { t->banner_info_fg, t->banner_info_bg, "info banner" },
            { t->banner_warn_fg, t->banner_warn_bg, "warning banner" },
            { t->staff_fg, t->staff_bg, "staff band" },
        };
        check_pairs(t, text, sizeof(text) / sizeof(text[0]), cases[i].text_min);
        const struct pair non_text[] = {
            { t->focus, t->bg, "focus ring on the page" },
            { t->focus, t->dialog_bg, "focus ring in a dialog" },
            { t->border, t->bg, "control border" },
            { t->border, t->dialog_bg, "dialog frame" },
            { t->invalid, t->field_bg, "an invalid field's frame" },
            { t->primary_bg, t->bg, "a checked option's fill on the page" },
            { t->primary_bg, t->tile_bg, "the current step among the others" },
            { t->primary_bg, t->bg, "the timeline's current mark" },
            { t->header_fg, t->header_bg, "a header button's frame" },
            { t->focus, t->tile_bg, "focus ring next to a tile" },
            { t->primary_bg, t->button_bg, "a checked option beside an unchecked one" },
        };
        check_pairs(t, non_text, sizeof(non_text) / sizeof(non_text[0]), 3.0);
    }
    /* The formula itself: black on white is 21:1. */
    double bw = ui_contrast_ratio((struct ui_color){ 0, 0, 0, 255 },
                                  (struct ui_color){ 255, 255, 255, 255 });
    CHECK(bw > 20.99 && bw < 21.01);
}

static const char *const part_names[UI_PART_COUNT] = {
    "button", "primary button", "header control", "tile or list row", "key", "text field", "step",
};
static const char *const look_names[UI_LOOK_COUNT] = {
    "normal", "pressed", "focused", "checked", "disabled",
};

/* Every part in every state of both themes (the style table, theme.c): its label against its
 * fill at the theme's text ratio; its boundary (fill or frame, whichever stands out more)
 * against what it sits on, the focus ring against that too, and a checked part's fill against
 * the unchecked one at 3:1 (WCAG 1.4.11), so that checked never looks like unchecked. */
TEST(every_part_in_every_state_meets_contrast)
{
    struct {
        const struct ui_theme *t;
        double text_min;
    } cases[] = { { ui_theme_high_contrast(), 7.0 }, { ui_theme_standard(), 4.5 } };
    for (size_t i = 0; i < 2; i++) {
        const struct ui_theme *t = cases[i].t;
        for (int p = 0; p < UI_PART_COUNT; p++) {
            struct ui_color around = t->surround[p];
            for (int l = 0; l < UI_LOOK_COUNT; l++) {
                const struct ui_style *st = &t->style[p][l];
                double text = ui_contrast_ratio(st->fg, st->bg);
                CHECK_MSG(text >= cases[i].text_min, "%s: %s, %s: label %.2f:1 < %.1f:1", t->code,
                          part_names[p], look_names[l], text, cases[i].text_min);
                double fill = ui_contrast_ratio(st->bg, around);
                double frame = ui_contrast_ratio(st->border, around);
                double edge = fill > frame ? fill : frame;
                CHECK_MSG(edge >= 3.0, "%s: %s, %s: boundary %.2f:1 < 3:1 against its background",
                          t->code, part_names[p], look_names[l], edge);
            }
            double ring = ui_contrast_ratio(t->style[p][UI_LOOK_FOCUSED].ring, around);
            CHECK_MSG(ring >= 3.0, "%s: %s: focus ring %.2f:1 < 3:1 against its background",
                      t->code, part_names[p], ring);
            double checked =
                ui_contrast_ratio(t->style[p][UI_LOOK_CHECKED].bg, t->style[p][UI_LOOK_NORMAL].bg);
            CHECK_MSG(checked >= 3.0, "%s: %s: checked %.2f:1 < 3:1 from unchecked", t->code,
                      part_names[p], checked);
            /* Focused is the normal look plus the ring. */
            CHECK(memcmp(&t->style[p][UI_LOOK_FOCUSED].bg, &t->style[p][UI_LOOK_NORMAL].bg,
                         sizeof(struct ui_color)) == 0);
        }
    }
}

static struct ui_color
pixel_at(int x, int y)
{
    const unsigned char *px = (const unsigned char *)surface->pixels + y * surface->pitch + x * 4;
    return (struct ui_color){ px[0], px[1], px[2], 255 };
}

static bool
same_color(struct ui_color a, struct ui_color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* The widgets draw from the table: a header toggle that is on is filled with the checked style
 * (not the header's own colour), one that is off with the normal style, in both themes. */
TEST(checked_header_toggles_are_drawn_from_the_style_table)
{
    struct ui *ui = make_ui();
    for (int hc = 0; hc < 2; hc++) {
        ui_set_theme(ui, hc == 1);
        const struct ui_theme *t = ui_theme(ui);
        ui_begin(ui, 0);
        ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
        ui_fill(ui, (struct ui_rect){ 0, 0, 1080, 400 }, t->header_bg);
        ui_button_in(ui, (struct ui_rect){ 40, 40, 400, 200 }, "On", UI_BUTTON_QUIET, true);
        ui_button_in(ui, (struct ui_rect){ 600, 40, 400, 200 }, "Off", UI_BUTTON_QUIET, false);
        ui_end(ui);
        ui_render(ui);
        /* A corner inside the frame, away from the label. */
        struct ui_color on = pixel_at(40 + 30, 40 + 30), off = pixel_at(600 + 30, 40 + 30);
        const struct ui_style *want_on = &t->style[UI_PART_HEADER][UI_LOOK_CHECKED];
        const struct ui_style *want_off = &t->style[UI_PART_HEADER][UI_LOOK_NORMAL];
        CHECK_MSG(same_color(on, want_on->bg), "%s: checked toggle drawn #%02x%02x%02x", t->code,
                  on.r, on.g, on.b);
        CHECK_MSG(same_color(off, want_off->bg), "%s: unchecked toggle drawn #%02x%02x%02x",
                  t->code, off.r, off.g, off.b);
        CHECK_MSG(ui_contrast_ratio(on, off) >= 3.0, "%s: checked and unchecked %.2f:1", t->code,
                  ui_contrast_ratio(on, off));
    }
    ui_set_theme(ui, false);
    ui_destroy(ui);
}

TEST(catalogues_translate_and_refuse_garbage)
{
    struct errbuf err;
    CHECK(i18n_add_catalogue("sv", catalogue_sv, catalogue_sv_len, &err));
    CHECK(!i18n_add_catalogue("sv", "this is not a catalogue, it is plain text", 41, &err));
    CHECK(strstr(err.msg, "magic") != NULL);
    CHECK(!i18n_add_catalogue("xx", catalogue_sv, catalogue_sv_len, &err));
    unsigned char cut[64];
    memcpy(cut, catalogue_sv, sizeof(cut));
    CHECK(!i18n_add_catalogue("sv", cut, sizeof(cut), &err)); /* tables run past the end */
    CHECK(i18n_set_language("sv"));
    CHECK_STR("Identifiera dig", _("Identify yourself"));
    CHECK_STR("Logga ut", _("Log out"));
    CHECK_STR("no such message", _("no such message"));
    CHECK(i18n_set_language("en"));
    CHECK_STR("Identify yourself", _("Identify yourself"));
    CHECK(!i18n_set_language("klingon"));
    CHECK_STR("en", i18n_current()->code);
    CHECK(i18n_find("ar")->rtl);
}

TEST(taps_drags_and_double_taps)
{
    struct ui *ui = make_ui();
    clicks_a = clicks_b = 0;
    frame(ui);
    tap(ui, "Alpha", 1000, 0);
    CHECK_INT(1, clicks_a);
    tap(ui, "Alpha", 1150, 0); /* within 300 ms: the same tap */
    CHECK_INT(1, clicks_a);
    tap(ui, "Alpha", 2000, 0);
    CHECK_INT(2, clicks_a);
    tap(ui, "Beta", 3000, 200); /* moved 200 px: a drag, not a tap */
    CHECK_INT(0, clicks_b);
    tap(ui, "Beta", 4000, 0);
    CHECK_INT(1, clicks_b);
    /* A press held past the long-press time is a long press, not a click. */
    const struct ui_node *n = ui_find(ui, "Beta", UI_ROLE_BUTTON);
    int x = n->r.x + 5, y = n->r.y + 5;
    /* Touch targets are at least 15 mm high (read now: the node is this frame's). */
    CHECK(n->r.h >= ui_mm(ui, 15));
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y, .t_ms = 10000 });
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_UP, .x = x, .y = y, .t_ms = 16000 });
    frame(ui);
    CHECK_INT(1, clicks_b);
    CHECK_INT(2, clicks_a);
    ui_destroy(ui);
}

static int holds, zone_clicks;

/* A button and a hold zone (the technician's corner) below it. */
static void
hold_frame(struct ui *ui)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    if (ui_button(ui, "Alpha", UI_BUTTON_NORMAL))
        zone_clicks++;
    if (ui_hold_zone(ui, (struct ui_rect){ 0, 1800, 120, 120 }, "Service"))
        holds++;
    ui_end(ui);
    ui_render(ui);
}

static void
press_for(struct ui *ui, const char *label, int64_t t, int64_t held_ms)
{
    const struct ui_node *n = ui_find(ui, label, UI_ROLE_BUTTON);
    CHECK(n != NULL);
    int x = n->r.x + n->r.w / 2, y = n->r.y + n->r.h / 2; /* read before the next frame */
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y, .t_ms = t });
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_UP, .x = x, .y = y, .t_ms = t + held_ms });
    hold_frame(ui);
}

TEST(a_long_press_is_answered_once_and_only_by_what_asks_for_it)
{
    struct ui *ui = make_ui();
    holds = zone_clicks = 0;
    hold_frame(ui);
    press_for(ui, "Service", 1000, 100); /* a tap on the zone does nothing */
    CHECK_INT(0, holds);
    press_for(ui, "Service", 3000, 4900); /* just short of the long-press time */
    CHECK_INT(0, holds);
    press_for(ui, "Service", 10000, 5000); /* held long enough: one long press */
    CHECK_INT(1, holds);
    hold_frame(ui);
    hold_frame(ui);
    CHECK_INT(1, holds);                 /* answered once, not on every frame after */
    press_for(ui, "Alpha", 20000, 6000); /* on a button, a long press is neither a click... */
    CHECK_INT(0, zone_clicks);
    CHECK_INT(1, holds);                /* ...nor the zone's long press */
    press_for(ui, "Alpha", 30000, 100); /* and the button still clicks afterwards */
    CHECK_INT(1, zone_clicks);
    /* The zone is for a finger only: Tab never stops on it. */
    for (int i = 0; i < 4; i++) {
        ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_TAB });
        hold_frame(ui);
        CHECK_STR("Alpha", ui_focused(ui)->label);
    }
    ui_destroy(ui);
}

TEST(keyboard_focus_and_enter)
{
    struct ui *ui = make_ui();
    clicks_a = clicks_b = 0;
    frame(ui);
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_TAB });
    frame(ui);
    CHECK_STR("Alpha", ui_focused(ui)->label);
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_TAB });
    frame(ui);
    CHECK_STR("Beta", ui_focused(ui)->label);
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_ENTER });
    frame(ui);
    CHECK_INT(1, clicks_b);
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_TAB });
    frame(ui);
    CHECK_STR("Alpha", ui_focused(ui)->label); /* wraps around */
    ui_destroy(ui);
}

TEST(rtl_mirrors_columns)
{
    struct ui *ui = make_ui();
    frame(ui);
    int ltr_alpha = ui_find(ui, "Alpha", UI_ROLE_BUTTON)->r.x;
    int ltr_beta = ui_find(ui, "Beta", UI_ROLE_BUTTON)->r.x;
    CHECK(ltr_alpha < ltr_beta);
    ui_set_rtl(ui, true);
    frame(ui);
    CHECK(ui_find(ui, "Alpha", UI_ROLE_BUTTON)->r.x > ui_find(ui, "Beta", UI_ROLE_BUTTON)->r.x);
    CHECK_INT(ltr_beta, ui_find(ui, "Alpha", UI_ROLE_BUTTON)->r.x);
    ui_destroy(ui);
}

TEST(unchanged_frames_are_not_drawn)
{
    struct ui *ui = make_ui();
    frame(ui);
    frame(ui);
    frame(ui);
    uint64_t drawn, skipped;
    ui_frame_counts(ui, &drawn, &skipped);
    CHECK_INT(1, (int)drawn);
    CHECK_INT(2, (int)skipped);
    ui_set_theme(ui, true);
    frame(ui);
    ui_frame_counts(ui, &drawn, &skipped);
    CHECK_INT(2, (int)drawn);
    ui_destroy(ui);
}

int
main(void)
{
    surface = SDL_CreateRGBSurfaceWithFormat(0, 1080, 1920, 32, SDL_PIXELFORMAT_RGBA32);
    renderer = SDL_CreateSoftwareRenderer(surface);
    if (renderer == NULL) {
        printf("1..0 # SKIP no software renderer: %s\n", SDL_GetError());
        return 0;
    }
    RUN(themes_meet_contrast);
    RUN(every_part_in_every_state_meets_contrast);
    RUN(checked_header_toggles_are_drawn_from_the_style_table);
    RUN(a_long_press_is_answered_once_and_only_by_what_asks_for_it);
    RUN(catalogues_translate_and_refuse_garbage);
    RUN(taps_drags_and_double_taps);
    RUN(keyboard_focus_and_enter);
    RUN(rtl_mirrors_columns);
    RUN(unchanged_frames_are_not_drawn);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    return test_done();
}
