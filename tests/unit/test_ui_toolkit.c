/* The toolkit without a display: a software renderer on a surface. Themes meet their contrast
 * ratios, every part in every state of the style table included; taps go through hit
 * testing (a drag or a double tap is not a click); Tab walks the focus; right to left mirrors
 * the layout. */
#include <SDL.h>
#include <fribidi.h>
#include <stdio.h>
#include <stdlib.h>
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
        .fonts = ASSETS_UI_FONTS,
        .font_lens = ASSETS_UI_FONT_LENS,
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

static struct ui_field reading_field = { .label = "Name" };
static int reading_clicks;

/* A screen with a header control, then content: a heading, text, a button, a field, a button. */
static void
reading_frame(struct ui *ui)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_button(ui, "Header", UI_BUTTON_QUIET);
    ui_content(ui);
    ui_heading(ui, "Title", 1);
    ui_paragraph(ui, "Some text", UI_TEXT_BODY);
    if (ui_button(ui, "Go", UI_BUTTON_NORMAL))
        reading_clicks++;
    ui_field(ui, &reading_field);
    ui_button(ui, "Last", UI_BUTTON_NORMAL);
    ui_end(ui);
}

TEST(the_reading_cursor_reads_text_and_controls_from_the_content)
{
    struct ui *ui = make_ui();
    reading_clicks = 0;
    ui_field_clear(&reading_field);
    reading_frame(ui);
    /* Down from the start: the content's first item, a heading; text is read but not focused */
    const struct ui_node *n = ui_read_move(ui, 1);
    CHECK_STR("Title", n != NULL ? n->label : "(none)");
    reading_frame(ui);
    CHECK(ui_focused(ui) == NULL);
    n = ui_read_move(ui, 1);
    CHECK_STR("Some text", n != NULL ? n->label : "(none)");
    /* a control: focused, so Enter operates it */
    n = ui_read_move(ui, 1);
    CHECK_STR("Go", n != NULL ? n->label : "(none)");
    reading_frame(ui);
    CHECK_STR("Go", ui_focused(ui) != NULL ? ui_focused(ui)->label : "(none)");
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_ENTER });
    reading_frame(ui);
    CHECK_INT(1, reading_clicks);
    CHECK_STR("Go", ui_read_current(ui) != NULL ? ui_read_current(ui)->label : "(none)");
    /* the field's caption is text; the field takes the focus, and typing */
    n = ui_read_move(ui, 1);
    CHECK_STR("Name", n != NULL ? n->label : "(none)");
    n = ui_read_move(ui, 1);
    CHECK_INT(UI_ROLE_TEXTFIELD, n != NULL ? (int)n->role : -1);
    reading_frame(ui);
    CHECK(ui_typing(ui));
    /* "?" typed in a text field is text; outside one it is its key */
    ui_feed(ui, &(struct ui_input){
                    .kind = UI_IN_TEXT, .text = "?", .key_too = true, .key = UI_KEY_HELP });
    reading_frame(ui);
    CHECK_STR("?", reading_field.text);
    /* Backspace deletes in the field... */
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_BACKSPACE });
    reading_frame(ui);
    CHECK_STR("", reading_field.text);
    /* ...and wraps from the last item to the header, then the content again */
    n = ui_read_move(ui, 1);
    CHECK_STR("Last", n != NULL ? n->label : "(none)");
    n = ui_read_move(ui, 1);
    CHECK_STR("Header", n != NULL ? n->label : "(none)");
    n = ui_read_move(ui, 1);
    CHECK_STR("Title", n != NULL ? n->label : "(none)");
    /* elsewhere Backspace is Back */
    ui_read_move(ui, -1);
    reading_frame(ui);
    CHECK(!ui_typing(ui));
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_BACKSPACE });
    CHECK(ui_escape(ui));
    /* Up from a new screen's start: the header's last control */
    ui_read_reset(ui);
    n = ui_read_move(ui, -1);
    CHECK_STR("Header", n != NULL ? n->label : "(none)");
    ui_field_clear(&reading_field);
    ui_destroy(ui);
}

static bool relabel_shown;

/* A button whose label says what it does next: "Show" becomes "Hide" when pressed. */
static void
relabel_frame(struct ui *ui)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_content(ui);
    ui_paragraph(ui, relabel_shown ? "1234" : "****", UI_TEXT_BODY);
    if (ui_button(ui, relabel_shown ? "Hide" : "Show", UI_BUTTON_NORMAL))
        relabel_shown = !relabel_shown;
    ui_button(ui, "Next", UI_BUTTON_NORMAL);
    ui_end(ui);
}

TEST(the_reading_cursor_stays_on_a_button_relabelled_in_place)
{
    struct ui *ui = make_ui();
    relabel_shown = false;
    relabel_frame(ui);
    ui_read_move(ui, 1);
    const struct ui_node *n = ui_read_move(ui, 1);
    CHECK_STR("Show", n != NULL ? n->label : "(none)");
    struct ui_rect at = n->r;
    relabel_frame(ui);
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_ENTER });
    relabel_frame(ui);
    relabel_frame(ui);
    CHECK(relabel_shown);
    /* "Show" is gone: nothing is under the cursor until it is put on the button's place */
    CHECK(ui_read_current(ui) == NULL);
    n = ui_read_at(ui, UI_ROLE_BUTTON, at);
    CHECK_STR("Hide", n != NULL ? n->label : "(none)");
    relabel_frame(ui);
    CHECK_STR("Hide", ui_focused(ui) != NULL ? ui_focused(ui)->label : "(none)");
    /* and it reads on from there */
    n = ui_read_move(ui, 1);
    CHECK_STR("Next", n != NULL ? n->label : "(none)");
    /* nothing of that role there: NULL, the cursor where it was */
    CHECK(ui_read_at(ui, UI_ROLE_HEADING, at) == NULL);
    CHECK_STR("Next", ui_read_current(ui) != NULL ? ui_read_current(ui)->label : "(none)");
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

/* Draws text on one line of a fresh frame; *right is the rightmost inked column. */
static void
draw_line(struct ui *ui, const char *text)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_fill(ui, (struct ui_rect){ 0, 0, 1080, 1920 }, (struct ui_color){ 255, 255, 255, 255 });
    ui_text(ui, (struct ui_rect){ 40, 100, 1000, 600 }, text, UI_TEXT_HUGE,
            (struct ui_color){ 0, 0, 0, 255 }, UI_ALIGN_START);
    ui_end(ui);
    ui_invalidate(ui);
    ui_render(ui);
}

/* The lowest inked row in columns [x0, x1), and the rightmost inked column (-1: none). */
static int
ink_bottom(int x0, int x1, int *right)
{
    int bottom = -1;
    *right = -1;
    const unsigned char *px = surface->pixels;
    for (int y = 0; y < 800; y++) {
        for (int x = x0; x < x1; x++) {
            const unsigned char *p = px + y * surface->pitch + x * 4;
            if (p[0] < 128) {
                bottom = y;
                *right = x > *right ? x : *right;
            }
        }
    }
    return bottom;
}

TEST(scripts_share_a_baseline)
{
    /* Latin, Arabic (alif stands on the baseline) and Ethiopic (ሀ stands on it) on one
     * line: their ink ends on the same row, whatever each font's ascent. */
    struct ui *ui = make_ui();
    int latin_end, arabic_end, any;
    draw_line(ui, "HHHH");
    ink_bottom(0, 1080, &latin_end);
    draw_line(ui, "HHHH اا");
    ink_bottom(0, 1080, &arabic_end);
    draw_line(ui, "HHHH اا ሀ");
    int latin = ink_bottom(0, latin_end + 1, &any);
    int arabic = ink_bottom(latin_end + 4, arabic_end + 1, &any);
    int ethiopic = ink_bottom(arabic_end + 4, 1080, &any);
    CHECK_MSG(latin > 100 && arabic > 100 && ethiopic > 100, "no ink: %d %d %d", latin, arabic,
              ethiopic);
    CHECK_MSG(abs(latin - arabic) <= 1, "Latin ends on row %d, Arabic on %d", latin, arabic);
    CHECK_MSG(abs(latin - ethiopic) <= 1, "Latin ends on row %d, Ethiopic on %d", latin, ethiopic);
    /* the line is as tall as its tallest font needs: a second line starts below the first's
     * descent, and a paragraph of more than 256 words is laid out whole */
    char many[300 * 3 + 1] = "";
    for (int w = 0; w < 256; w++)
        strcat(many, "ab ");
    int h256 = ui_text_height(ui, 1000, many, UI_TEXT_BODY);
    for (int w = 256; w < 300; w++)
        strcat(many, "ab ");
    int h300 = ui_text_height(ui, 1000, many, UI_TEXT_BODY);
    int one = ui_text_height(ui, 1000, "ab", UI_TEXT_BODY);
    CHECK_MSG(h300 > h256, "300 words take %d px, 256 words %d px: words were dropped", h300, h256);
    CHECK(ui_text_height(ui, 1000, "ال", UI_TEXT_BODY) >= one);
    ui_destroy(ui);
}

/* The layout check finds a label too long for its button, a line taller than its box, text
 * that leaves the display, and two texts on top of each other; a frame without them passes. */
TEST(layout_check_finds_clipped_and_overlapping_text)
{
    struct ui *ui = make_ui();
    char out[2048];
    frame(ui); /* two buttons side by side with short labels */
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);

    /* a word wider than its button is set smaller until it fits (it cannot wrap) */
    ui_begin(ui, 0);
    ui_button_in(ui, (struct ui_rect){ 100, 100, 150, 120 }, "Tietosuojaselosteeseen",
                 UI_BUTTON_NORMAL, false);
    ui_end(ui);
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);
    /* but a button that low is too small a target */
    ui_begin(ui, 0);
    ui_button_in(ui, (struct ui_rect){ 100, 100, 150, 12 }, "Tietosuojaselosteeseen",
                 UI_BUTTON_NORMAL, false);
    ui_end(ui);
    CHECK_INT(1, ui_layout_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "too small: button \"Tietosuojaselosteeseen\"") != NULL, "%s", out);

    /* an Arabic line in a box one Latin line high (the header's title before its fix) */
    ui_begin(ui, 0);
    int th = ui_line_height(ui, UI_TEXT_H2);
    ui_text(ui, (struct ui_rect){ 100, 100, 800, th }, "صفحاتي", UI_TEXT_H2, ui_theme(ui)->fg,
            UI_ALIGN_START);
    ui_end(ui);
    CHECK_INT(1, ui_layout_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "clipped: \"صفحاتي\"") != NULL, "%s", out);

    ui_begin(ui, 0);
    ui_text(ui, (struct ui_rect){ 1000, 100, 400, 200 }, "Utbetalningar", UI_TEXT_BODY,
            ui_theme(ui)->fg, UI_ALIGN_START);
    ui_text(ui, (struct ui_rect){ 100, 300, 600, 200 }, "Mina ärenden", UI_TEXT_BODY,
            ui_theme(ui)->fg, UI_ALIGN_START);
    ui_text(ui, (struct ui_rect){ 110, 310, 600, 200 }, "Fakturor", UI_TEXT_BODY, ui_theme(ui)->fg,
            UI_ALIGN_START);
    ui_end(ui);
    CHECK_INT(2, ui_layout_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "off the display: \"Utbetalningar\"") != NULL, "%s", out);
    CHECK_MSG(strstr(out, "overlap: \"Mina ärenden\"") != NULL, "%s", out);

    /* a long paragraph wraps inside its box; text behind an open dialog does not count */
    ui_begin(ui, 0);
    ui_paragraph(ui, "Du har inga beslut om ekonomiskt bistånd. Du har inga bokade besök.",
                 UI_TEXT_BODY);
    ui_modal_begin(ui);
    ui_node(ui, UI_ROLE_DIALOG, "Är du kvar?", NULL, 0, (struct ui_rect){ 0, 0, 1080, 600 }, false);
    ui_text(ui, (struct ui_rect){ 40, 40, 1000, 200 }, "Är du kvar?", UI_TEXT_H1, ui_theme(ui)->fg,
            UI_ALIGN_START);
    ui_modal_end(ui);
    ui_end(ui);
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);
    ui_destroy(ui);
}

/* The reach band of the default display (21.5 inches, 1080x1920) as the doctor and the layout
 * share it: on a floor stand (bottom edge 850 mm) the top 106 mm are out of reach, on a low wall
 * mount (700 mm) and in landscape all of it is within 380-1220 mm. */
TEST(reach_band_of_the_default_display)
{
    struct ui_reach r;
    ui_reach_of(21.5, 1080, 1920, 850, &r);
    CHECK_MSG(r.height_mm > 475 && r.height_mm < 477, "%.1f", r.height_mm);
    CHECK_MSG(r.top_mm > 1325 && r.top_mm < 1327, "%.1f", r.top_mm);
    CHECK_MSG(r.low_mm == 850 && r.high_mm == UI_REACH_HIGH_MM, "%.0f-%.0f", r.low_mm, r.high_mm);
    CHECK_MSG(r.within_mm > 369 && r.within_mm < 371, "%.1f", r.within_mm);
    ui_reach_of(21.5, 1080, 1920, 700, &r);
    CHECK_MSG(r.within_mm > r.height_mm - 0.01, "%.1f of %.1f", r.within_mm, r.height_mm);
    ui_reach_of(21.5, 1920, 1080, 850, &r);
    CHECK_MSG(r.height_mm > 267 && r.height_mm < 269 && r.within_mm > r.height_mm - 0.01, "%.1f",
              r.within_mm);
    ui_reach_of(21.5, 1080, 1920, 1300, &r); /* too high: nothing within reach */
    CHECK_MSG(r.within_mm == 0, "%.1f", r.within_mm);

    struct ui *ui = make_ui();
    int top, bottom;
    ui_reach_rows(ui, &top, &bottom); /* mount not known: the whole display */
    CHECK_INT(0, top);
    CHECK_INT(1920, bottom);
    ui_set_mount(ui, 850);
    ui_reach_rows(ui, &top, &bottom);
    CHECK_MSG(top >= 427 && top <= 429, "%d", top);
    CHECK_INT(1920, bottom);
    CHECK_MSG(ui_floor_mm(ui, top) <= UI_REACH_HIGH_MM, "%.1f", ui_floor_mm(ui, top));
    CHECK_MSG(ui_floor_mm(ui, 1920) == 850, "%.1f", ui_floor_mm(ui, 1920));
    ui_destroy(ui);
}

/* The controls' layout check, on a deliberately broken frame: a button out of reach on a floor
 * stand (not on a wall mount), one smaller than 15 mm, two 1 mm apart, a checked one without its
 * check mark; a well-made frame passes, and controls behind an open dialog do not count. */
TEST(layout_check_fails_on_a_broken_frame)
{
    struct ui *ui = make_ui();
    ui_set_mount(ui, 850);
    char out[4096];
    int mm = ui_mm(ui, 1);

    ui_begin(ui, 0); /* well made: 20 mm buttons, 5 mm apart, low; one checked with its mark */
    ui_button_in(ui, (struct ui_rect){ 100, 1500, 40 * mm, 20 * mm }, "Svenska", UI_BUTTON_QUIET,
                 true);
    ui_toggle_in(ui, (struct ui_rect){ 100 + 45 * mm, 1500, 40 * mm, 20 * mm }, "Kontrast",
                 UI_BUTTON_QUIET, false);
    ui_end(ui);
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);

    ui_begin(ui, 0);
    ui_button_in(ui, (struct ui_rect){ 100, 40, 40 * mm, 20 * mm }, "Tillbaka", UI_BUTTON_QUIET,
                 false);
    ui_end(ui);
    CHECK_INT(1, ui_layout_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "out of reach: button \"Tillbaka\"") != NULL, "%s", out);
    ui_set_mount(ui, 700); /* the same frame on a low wall mount: within reach */
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);
    ui_set_mount(ui, 850);

    ui_begin(ui, 0);
    ui_button_in(ui, (struct ui_rect){ 100, 1500, 10 * mm, 20 * mm }, "J", UI_BUTTON_NORMAL, false);
    ui_button_in(ui, (struct ui_rect){ 600, 1500, 40 * mm, 20 * mm }, "Nej", UI_BUTTON_NORMAL,
                 false);
    ui_button_in(ui, (struct ui_rect){ 600 + 41 * mm, 1500, 40 * mm, 20 * mm }, "Kanske",
                 UI_BUTTON_NORMAL, false);
    ui_node(ui, UI_ROLE_BUTTON, "Vald", NULL, UI_STATE_CHECKED,
            (struct ui_rect){ 100, 1700, 30 * mm, 20 * mm }, true);
    ui_end(ui);
    CHECK_INT(3, ui_layout_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "too small: button \"J\"") != NULL, "%s", out);
    CHECK_MSG(strstr(out, "too close: button \"Nej\" and button \"Kanske\"") != NULL, "%s", out);
    CHECK_MSG(strstr(out, "checked without its mark: button \"Vald\"") != NULL, "%s", out);

    ui_begin(ui, 0); /* behind a dialog: not operable now, not checked */
    ui_button_in(ui, (struct ui_rect){ 100, 40, 40 * mm, 20 * mm }, "Tillbaka", UI_BUTTON_QUIET,
                 false);
    ui_modal_begin(ui);
    ui_node(ui, UI_ROLE_DIALOG, "Hjälp", NULL, 0, (struct ui_rect){ 50, 1000, 900, 800 }, false);
    ui_button_in(ui, (struct ui_rect){ 100, 1500, 40 * mm, 20 * mm }, "Stäng", UI_BUTTON_PRIMARY,
                 false);
    ui_modal_end(ui);
    ui_end(ui);
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);
    ui_destroy(ui);
}

/* Content taller than its area scrolls: Scroll up / Scroll down appear (a frame later), what is
 * not wholly in view cannot be tapped and is left out of the checks, Scroll down moves it into
 * view, and the keyboard focus brings a control into view by itself. */
static int scroll_clicked; /* the row a tap reached (1-based), 0: none */

static void
press_at(struct ui *ui, int x, int y, int64_t t)
{
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y, .t_ms = t });
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_UP, .x = x, .y = y, .t_ms = t + 100 });
}

static void
scroll_frame(struct ui *ui)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 20, 400, 1040, 600 });
    ui_scroll_begin(ui);
    char label[32];
    for (int i = 0; i < 12; i++) {
        snprintf(label, sizeof(label), "Rad %d", i + 1);
        if (ui_button(ui, label, UI_BUTTON_NORMAL))
            scroll_clicked = i + 1;
    }
    ui_scroll_end(ui);
    ui_end(ui);
}

TEST(content_that_does_not_fit_scrolls)
{
    struct ui *ui = make_ui();
    ui_set_mount(ui, 700);
    char out[4096];
    scroll_frame(ui);
    CHECK(ui_stale(ui)); /* it overflowed: laid out again with the scroll row */
    scroll_frame(ui);
    const struct ui_node *up = ui_find(ui, "Scroll up", UI_ROLE_BUTTON);
    const struct ui_node *down = ui_find(ui, "Scroll down", UI_ROLE_BUTTON);
    CHECK(up != NULL && down != NULL);
    CHECK((up->state & UI_STATE_DISABLED) != 0); /* at the top */
    CHECK((down->state & UI_STATE_DISABLED) == 0);
    const struct ui_node *first = ui_find(ui, "Rad 1", UI_ROLE_BUTTON);
    const struct ui_node *last = ui_find(ui, "Rad 12", UI_ROLE_BUTTON);
    CHECK(first != NULL && !first->scrolled_out);
    CHECK(last != NULL && last->scrolled_out);
    int y_last = last->r.y;
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);
    /* a finger where the last row is laid out (below the view) reaches nothing */
    press_at(ui, last->r.x + last->r.w / 2, last->r.y + last->r.h / 2, 1000);
    scroll_frame(ui);
    CHECK_INT(0, scroll_clicked);
    down = ui_find(ui, "Scroll down", UI_ROLE_BUTTON);
    press_at(ui, down->r.x + down->r.w / 2, down->r.y + down->r.h / 2, 3000);
    for (int i = 0; i < 4 && ui_stale(ui); i++)
        scroll_frame(ui);
    scroll_frame(ui);
    last = ui_find(ui, "Rad 12", UI_ROLE_BUTTON);
    first = ui_find(ui, "Rad 1", UI_ROLE_BUTTON);
    CHECK(last != NULL && first != NULL);
    CHECK_MSG(last->r.y < y_last, "%d then %d", y_last, last->r.y);
    CHECK(first->scrolled_out);
    CHECK_MSG(ui_layout_problems(ui, out, sizeof(out)) == 0, "%s", out);
    /* back to the top, then Tab to the first row out of view: the view follows the focus */
    ui_scroll_page(ui, 0);
    scroll_frame(ui);
    scroll_frame(ui);
    const struct ui_node *f = NULL;
    for (int i = 0; i < 40; i++) {
        ui_feed(ui, &(struct ui_input){ .kind = UI_IN_KEY, .key = UI_KEY_TAB });
        scroll_frame(ui);
        scroll_frame(ui);
        f = ui_focused(ui);
        if (f != NULL && strcmp(f->label, "Rad 12") == 0)
            break;
    }
    CHECK(f != NULL && strcmp(f->label, "Rad 12") == 0);
    CHECK(!f->scrolled_out);
    ui_scroll_reset(ui);
    ui_destroy(ui);
}

/* Punctuation that a script's font lacks is drawn in Noto Sans: the '?' after a Tigrinya word
 * takes the width of Noto Sans's '?', not of the Ethiopic font's empty box. */
TEST(punctuation_the_script_font_lacks_is_not_a_box)
{
    struct ui *ui = make_ui();
    int word = ui_text_width(ui, "እዩ", UI_TEXT_BOLD), mark = ui_text_width(ui, "?", UI_TEXT_BOLD);
    int both = ui_text_width(ui, "እዩ?", UI_TEXT_BOLD);
    CHECK_MSG(abs(both - word - mark) <= 1, "እዩ? is %d px, እዩ %d and ? %d", both, word, mark);
    word = ui_text_width(ui, "ሰላም", UI_TEXT_BODY);
    both = ui_text_width(ui, "(ሰላም)", UI_TEXT_BODY);
    mark = ui_text_width(ui, "()", UI_TEXT_BODY);
    CHECK_MSG(abs(both - word - mark) <= 2, "(ሰላም) is %d px, ሰላም %d and () %d", both, word, mark);
    ui_destroy(ui);
}

/* FriBidi's own visual order of one line: levels, mirroring and rule L2 on the characters. */
static char *
fribidi_visual(const char *text, bool rtl)
{
    FriBidiChar cps[512];
    FriBidiCharType types[512];
    FriBidiBracketType brackets[512];
    FriBidiLevel levels[512];
    FriBidiStrIndex map[512];
    FriBidiStrIndex n =
        fribidi_charset_to_unicode(FRIBIDI_CHAR_SET_UTF8, text, (FriBidiStrIndex)strlen(text), cps);
    /* the kiosk's paragraphs take their first strong letter's direction, but in a right-to-left
     * interface one with a right-to-left letter is right to left (text.c) */
    FriBidiParType dir = FRIBIDI_PAR_WLTR;
    fribidi_get_bidi_types(cps, n, types);
    for (FriBidiStrIndex k = 0; rtl && k < n; k++) {
        if (FRIBIDI_IS_LETTER(types[k]) && FRIBIDI_IS_RTL(types[k]))
            dir = FRIBIDI_PAR_RTL;
    }
    fribidi_get_bidi_types(cps, n, types);
    fribidi_get_bracket_types(cps, n, types, brackets);
    CHECK(fribidi_get_par_embedding_levels_ex(types, brackets, n, &dir, levels) != 0);
    fribidi_shape_mirroring(levels, n, cps);
    for (FriBidiStrIndex i = 0; i < n; i++)
        map[i] = i;
    CHECK(fribidi_reorder_line(FRIBIDI_FLAGS_DEFAULT, types, n, 0, dir, levels, NULL, map) != 0);
    FriBidiChar vis[512];
    FriBidiStrIndex nv = 0;
    for (FriBidiStrIndex i = 0; i < n; i++) {
        FriBidiChar c = cps[map[i]];
        FriBidiCharType t = fribidi_get_bidi_type(c);
        /* marks that only steer the algorithm are not drawn */
        if (c == 0x200e || c == 0x200f || c == 0x061c || FRIBIDI_IS_EXPLICIT(t) ||
            FRIBIDI_IS_ISOLATE(t))
            continue;
        vis[nv++] = c;
    }
    char *out = calloc(4 * (size_t)nv + 1, 1);
    fribidi_unicode_to_charset(FRIBIDI_CHAR_SET_UTF8, vis, nv, out);
    return out;
}

TEST(bidi_order_is_fribidis)
{
    /* A number of several groups is a left-to-right isolate (text.c), as if the text had
     * LRI ... PDI round it: FriBidi is given the text so marked (iso). */
    static const struct {
        const char *text;
        bool rtl;
        const char *iso;
    } lines[] = {
        /* an OCR number and "BankID" inside an Arabic sentence */
        { "رقم OCR الخاص بك هو 1234 5678 9012، ادفع في BankID.", true,
          "رقم OCR الخاص بك هو \u20661234 5678 9012\u2069، ادفع في BankID." },
        { "ادفع 1 234,50 kr قبل 2026-12-04 إلى بنكجيرو 5050-1055", true,
          "ادفع \u20661 234,50 kr\u2069 قبل \u20662026-12-04\u2069 إلى بنكجيرو "
          "\u20665050-1055\u2069" },
        /* the masked personnummer after an Arabic label */
        { "الرقم الشخصي: 19491024-****", true, "الرقم الشخصي: \u206619491024-****\u2069" },
        { "الرقم (OCR 123) صحيح؟", true, NULL },
        /* Persian with its own digits, which run left to right */
        { "شماره ۱۲۳۴ را در BankID وارد کنید", true, NULL },
        /* Arabic names in a left-to-right sentence */
        { "Your case officer is محمد علي (BankID 2).", false, NULL },
        { "Tigrinya ሰላም 123 and العربية 45 in one line", false, NULL },
        { "Hej Anna, du har 3 ärenden.", false, NULL },
        /* a Swedish sentence in the Arabic interface reads left to right (its first strong
         * letter decides), and so does the personnummer's label */
        { "2 fakturor att betala. 2 av dem har förfallit.", true, NULL },
        { "Personnummer: 19491024-****", true, NULL },
        { "123 456", true, NULL },
        /* an OCR number alone (the invoice screen) reads left to right in Arabic too */
        { "1234 5678 9012", true, NULL },
        /* a translation's own marks: an isolated number, RLM/LRM, Persian's ZWNJ */
        { "الرقم \u2066123-456\u2069 صحيح", true, NULL },
        { "السعر\u200f 100 kr\u200e فقط", true, "السعر\u200f \u2066100 kr\u2069\u200e فقط" },
        { "می\u200cخواهم با BankID وارد شوم", true, NULL },
        /* a line built from data first (an invoice row in Persian): right to left all the
         * same, the amount (first) on the right, the date (last) on the left */
        { "1 835,51 kr · سررسید 28 اکتبر 2026", true,
          "\u20661 835,51 kr\u2069 · سررسید 28 اکتبر 2026" },
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        char *ours = ui_text_visual(lines[i].text, lines[i].rtl);
        char *theirs = fribidi_visual(lines[i].iso ? lines[i].iso : lines[i].text, lines[i].rtl);
        if (i == 0)
            CHECK_MSG(strstr(ours, "1234 5678 9012") != NULL, "%s", ours);
        if (i == 1)
            CHECK_MSG(strstr(ours, "1 234,50") && strstr(ours, "2026-12-04"), "%s", ours);
        if (i == 2)
            CHECK_MSG(strstr(ours, "19491024-****") != NULL, "%s", ours);
        if (i == 16)
            CHECK_MSG(strncmp(ours, "2026", 4) == 0 && strstr(ours, "1 835,51 kr") != NULL,
                      "the Persian line starts at the right: %s", ours);
        if (i == 8)
            CHECK_STR("2 fakturor att betala. 2 av dem har förfallit.", ours);
        if (i == 11)
            CHECK_STR("1234 5678 9012", ours);
        if (i == 12)
            CHECK_MSG(strstr(ours, "123-456") != NULL && strstr(ours, "\u2066") == NULL,
                      "the isolated number is drawn left to right, its marks not at all: %s", ours);
        CHECK_MSG(strcmp(ours, theirs) == 0, "\"%s\": drawn as \"%s\", FriBidi says \"%s\"",
                  lines[i].text, ours, theirs);
        free(ours);
        free(theirs);
    }
}

/* --- What speech says ---------------------------------------------------------------------- */

static void
use_language(const char *code)
{
    for (size_t i = 0; i < asset_catalogues_n; i++) {
        if (strcmp(asset_catalogues[i].code, code) == 0) {
            struct errbuf err;
            CHECK_MSG(
                i18n_add_catalogue(code, asset_catalogues[i].data, *asset_catalogues[i].len, &err),
                "%s: %s", code, err.msg);
        }
    }
    CHECK_MSG(i18n_set_language(code), "%s is not offered", code);
}

/* What the node with this label (of the role; -1 any) says; "" when there is none. */
static const char *
said(struct ui *ui, const char *label, int role, bool personal_ok)
{
    static char out[512];
    const struct ui_node *n = ui_find(ui, label, role);
    CHECK_MSG(n != NULL, "no node \"%s\"", label);
    out[0] = '\0';
    if (n != NULL) {
        size_t len = ui_spoken(n, personal_ok, out, sizeof(out));
        CHECK_INT((int)strlen(out), (int)len);
    }
    return out;
}

static struct ui_field speech_field, speech_bad_field, speech_pnr_field;

static void
speech_frame(struct ui *ui, bool personal)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_heading(ui, "Fakturor", 1);
    ui_tile(ui, "Mina ärenden", "2", "2 ärenden är öppna");
    ui_columns(ui, 3);
    ui_toggle_in(ui, ui_take(ui, 100), "Kontrast", UI_BUTTON_QUIET, true);
    ui_toggle_in(ui, ui_take(ui, 100), "Större text", UI_BUTTON_QUIET, false);
    ui_button_in(ui, ui_take(ui, 100), "Svenska", UI_BUTTON_QUIET, true);
    ui_columns(ui, 1);
    ui_node(ui, UI_ROLE_BUTTON, "Skicka", NULL, UI_STATE_DISABLED, ui_take(ui, 100), true);
    ui_node(ui, UI_ROLE_KEY, "å", NULL, 0, ui_take(ui, 100), true);
    ui_node(ui, UI_ROLE_DIALOG, "Är du kvar?", NULL, 0, ui_take(ui, 100), false);
    ui_node(ui, UI_ROLE_SCREEN, "Översikt", NULL, 0, ui_take(ui, 100), false);
    ui_node(ui, UI_ROLE_STATUS, "Sida 1 av 2", NULL, 0, ui_take(ui, 100), false);
    const char *steps[] = { "Barn", "Förskolor", "Start", "Granska" };
    ui_steps(ui, steps, 4, 1);
    ui_banner(ui, "Förfallodagen har passerat.", true);
    ui_qr(ui, (const unsigned char[]){ 1, 0, 0, 1 }, 2, 20, "QR-kod för BankID");
    ui_timeline_entry(ui, "1 december 2026", "Beslut fattat", NULL, true);
    speech_field.label = "Ditt telefonnummer";
    speech_field.hint = "Till exempel 070-123 45 67";
    ui_field(ui, &speech_field);
    speech_bad_field.label = "Start";
    speech_bad_field.error = "Det finns inget sådant datum.";
    snprintf(speech_bad_field.text, sizeof(speech_bad_field.text), "2027-02-30");
    ui_field(ui, &speech_bad_field);
    ui_set_personal(ui, personal);
    ui_heading(ui, "Hej Tolvan", 1);
    ui_pair(ui, "Belopp", "1 200 kr");
    ui_list_item(ui, "Ansökan om hemtjänst för Tolvan", "ÄR-2026-0042 · Pågår", NULL);
    ui_tile(ui, "Utbetalningar", "4 500 kr", "nästa utbetalning 25 december");
    speech_pnr_field.label = "Ditt barns personnummer";
    speech_pnr_field.hint = "12 siffror";
    snprintf(speech_pnr_field.text, sizeof(speech_pnr_field.text), "20230412-1234");
    ui_field(ui, &speech_pnr_field);
    ui_set_personal(ui, false);
    ui_button(ui, "Logga ut", UI_BUTTON_QUIET);
    ui_end(ui);
    ui_render(ui);
}

TEST(spoken_says_name_role_value_and_state)
{
    use_language("sv");
    struct ui *ui = make_ui();
    speech_frame(ui, false);
    CHECK_STR("Fakturor, rubrik", said(ui, "Fakturor", UI_ROLE_HEADING, false));
    CHECK_STR("Mina ärenden, knapp, 2. 2 ärenden är öppna",
              said(ui, "Mina ärenden", UI_ROLE_TILE, false));
    CHECK_STR("Kontrast, på, knapp", said(ui, "Kontrast", UI_ROLE_BUTTON, false));
    CHECK_STR("Större text, av, knapp", said(ui, "Större text", UI_ROLE_BUTTON, false));
    CHECK_STR("Svenska, vald, knapp", said(ui, "Svenska", UI_ROLE_BUTTON, false));
    CHECK_STR("Skicka, knapp, inaktiv", said(ui, "Skicka", UI_ROLE_BUTTON, false));
    CHECK_STR("å, tangent", said(ui, "å", UI_ROLE_KEY, false));
    CHECK_STR("Är du kvar? dialogruta", said(ui, "Är du kvar?", UI_ROLE_DIALOG, false));
    CHECK_STR("Översikt, skärm", said(ui, "Översikt", UI_ROLE_SCREEN, false));
    CHECK_STR("Sida 1 av 2, status", said(ui, "Sida 1 av 2", UI_ROLE_STATUS, false));
    CHECK_STR("Förskolor, steg 2 av 4, aktuellt", said(ui, "Förskolor", UI_ROLE_STEP, false));
    CHECK_STR("Barn, steg 1 av 4, klart", said(ui, "Barn", UI_ROLE_STEP, false));
    CHECK_STR("Granska, steg 4 av 4", said(ui, "Granska", UI_ROLE_STEP, false));
    CHECK_STR("Förfallodagen har passerat, meddelande, varning",
              said(ui, "Förfallodagen", UI_ROLE_BANNER, false));
    CHECK_STR("QR-kod för BankID, bild", said(ui, "QR-kod för BankID", UI_ROLE_QR, false));
    CHECK_STR("Beslut fattat, händelse, 1 december 2026, senaste",
              said(ui, "Beslut fattat", UI_ROLE_TIMELINE, false));
    CHECK_STR("Ditt telefonnummer, textfält, tomt, Till exempel 070-123 45 67",
              said(ui, "Ditt telefonnummer", UI_ROLE_TEXTFIELD, false));
    CHECK_STR("Start, textfält, 2027-02-30, felaktigt ifyllt, Det finns inget sådant datum.",
              said(ui, "Start", UI_ROLE_TEXTFIELD, false));
    CHECK_STR("Det finns inget sådant datum, status, fel",
              said(ui, "Det finns inget", UI_ROLE_STATUS, false));
    /* a plain text says no role word; a pair says its label and its value */
    CHECK_STR("Logga ut, knapp", said(ui, "Logga ut", UI_ROLE_BUTTON, false));
    for (int r = 0; r < UI_ROLE_COUNT; r++)
        CHECK_MSG(ui_role_word((enum ui_role)r)[0] != '\0', "role %s has no word",
                  ui_role_code((enum ui_role)r));
    /* the words follow the language */
    use_language("en");
    CHECK_STR("Kontrast, on, button", said(ui, "Kontrast", UI_ROLE_BUTTON, false));
    CHECK_STR("Förskolor, step 2 of 4, current", said(ui, "Förskolor", UI_ROLE_STEP, false));
    use_language("sv");
    ui_destroy(ui);
}

TEST(spoken_keeps_personal_data_off_the_loudspeaker)
{
    use_language("sv");
    struct ui *ui = make_ui();
    speech_frame(ui, true);
    static const char *const data[] = { "Tolvan",    "1 200", "kr",         "ÄR-2026",
                                        "hemtjänst", "4 500", "25 december" };
    const char *masked[] = {
        said(ui, "Hej Tolvan", UI_ROLE_HEADING, false),
    };
    CHECK_STR("rubrik, uppgifterna läses bara upp i hörlurar", masked[0]);
    CHECK_STR("Belopp, text, uppgifterna läses bara upp i hörlurar",
              said(ui, "Belopp", UI_ROLE_TEXT, false));
    CHECK_STR("Utbetalningar, knapp, uppgifterna läses bara upp i hörlurar",
              said(ui, "Utbetalningar", UI_ROLE_TILE, false));
    CHECK_STR("rad i listan, uppgifterna läses bara upp i hörlurar",
              said(ui, "Ansökan", UI_ROLE_LISTITEM, false));
    static const struct {
        const char *label;
        int role;
    } personal[] = { { "Hej Tolvan", UI_ROLE_HEADING },
                     { "Belopp", UI_ROLE_TEXT },
                     { "Ansökan", UI_ROLE_LISTITEM },
                     { "Utbetalningar", UI_ROLE_TILE } };
    for (size_t i = 0; i < sizeof(personal) / sizeof(personal[0]); i++) {
        const struct ui_node *n = ui_find(ui, personal[i].label, personal[i].role);
        CHECK(n != NULL && n->personal);
        const char *speaker = said(ui, personal[i].label, personal[i].role, false);
        for (size_t d = 0; d < sizeof(data) / sizeof(data[0]); d++)
            CHECK_MSG(strstr(speaker, data[d]) == NULL, "\"%s\" says \"%s\"", speaker, data[d]);
    }
    /* a personal field: the typed text is personal, its question and hint are not */
    CHECK_STR("Ditt barns personnummer, textfält, uppgifterna läses bara upp i hörlurar, 12 "
              "siffror",
              said(ui, "Ditt barns personnummer", UI_ROLE_TEXTFIELD, false));
    CHECK(!ui_find(ui, "Ditt barns personnummer", UI_ROLE_TEXT)->personal);
    CHECK(!ui_find(ui, "12 siffror", UI_ROLE_TEXT)->personal);
    CHECK(ui_find(ui, "Ditt barns personnummer", UI_ROLE_TEXTFIELD)->personal);
    CHECK(strstr(said(ui, "Ditt barns personnummer", UI_ROLE_TEXTFIELD, true), "20230412-1234") !=
          NULL);
    /* through a headset the same nodes say everything */
    CHECK_STR("Hej Tolvan, rubrik", said(ui, "Hej Tolvan", UI_ROLE_HEADING, true));
    CHECK_STR("Belopp, 1 200 kr", said(ui, "Belopp", UI_ROLE_TEXT, true));
    CHECK_STR("Ansökan om hemtjänst för Tolvan, rad i listan, ÄR-2026-0042 · Pågår",
              said(ui, "Ansökan", UI_ROLE_LISTITEM, true));
    /* what is not personal is said in full either way, and ui_begin ends the marking */
    CHECK_STR("Logga ut, knapp", said(ui, "Logga ut", UI_ROLE_BUTTON, false));
    CHECK(!ui_find(ui, "Logga ut", UI_ROLE_BUTTON)->personal);
    CHECK(!ui_find(ui, "Fakturor", UI_ROLE_HEADING)->personal);
    /* a string cut short stays terminated and the length is what it needed */
    char small[8];
    size_t need = ui_spoken(ui_find(ui, "Kontrast", UI_ROLE_BUTTON), false, small, sizeof(small));
    CHECK_INT((int)strlen("Kontrast, på, knapp"), (int)need);
    CHECK_INT(7, (int)strlen(small));
    ui_destroy(ui);
}

TEST(spoken_passes_right_to_left_text_through)
{
    use_language("ar");
    struct ui *ui = make_ui();
    ui_set_rtl(ui, true);
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_button(ui, "الفواتير", UI_BUTTON_NORMAL);
    ui_toggle_in(ui, ui_take(ui, 100), "التباين", UI_BUTTON_QUIET, true);
    ui_banner(ui, "هل ما زلت هنا؟", true);
    ui_banner(ui, "ሰላም።", false);
    ui_end(ui);
    CHECK_STR("الفواتير, زر", said(ui, "الفواتير", UI_ROLE_BUTTON, false));
    CHECK_STR("التباين, مفعّل, زر", said(ui, "التباين", UI_ROLE_BUTTON, false));
    /* a question keeps its mark; a full stop, Ethiopic too, gives way to the comma */
    CHECK_STR("هل ما زلت هنا؟ رسالة, تحذير", said(ui, "هل ما زلت هنا؟", UI_ROLE_BANNER, false));
    CHECK_STR("ሰላም, رسالة", said(ui, "ሰላም።", UI_ROLE_BANNER, false));
    ui_destroy(ui);
    use_language("sv");
}

/* A frame for the speech check, broken in one way (0: not broken). */
static void
checked_frame(struct ui *ui, int broken)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_heading(ui, "Ring upp mig", 1);
    ui_button(ui, "Skicka", UI_BUTTON_PRIMARY);
    if (broken == 1)
        ui_button(ui, "", UI_BUTTON_NORMAL); /* a button with no name */
    if (broken == 2)
        ui_node(ui, UI_ROLE_BUTTON, "Dold", NULL, 0, (struct ui_rect){ 10, 10, 0, 0 }, true);
    if (broken == 3)
        ui_node(ui, UI_ROLE_BUTTON, "Utanför", NULL, 0, (struct ui_rect){ 2000, 10, 50, 50 }, true);
    if (broken == 4) {
        ui_modal_begin(ui);
        ui_paragraph(ui, "Är du kvar?", UI_TEXT_BODY); /* a dialog that cannot take the focus */
    }
    /* disabled and pointer-only controls are not the keys' business */
    ui_node(ui, UI_ROLE_BUTTON, "", NULL, UI_STATE_DISABLED, (struct ui_rect){ 0, 0, 0, 0 }, true);
    ui_hold_zone(ui, (struct ui_rect){ 0, 1800, 100, 100 }, "Service");
    ui_end(ui);
}

TEST(the_speech_check_finds_unnamed_and_invisible_controls)
{
    struct ui *ui = make_ui();
    char out[1024];
    checked_frame(ui, 0);
    CHECK_MSG(ui_speech_problems(ui, out, sizeof(out)) == 0, "a good frame: %s", out);
    checked_frame(ui, 1);
    CHECK_INT(1, ui_speech_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "no name to say: a button") != NULL, "%s", out);
    checked_frame(ui, 2);
    CHECK_INT(1, ui_speech_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "not visible: button \"Dold\"") != NULL, "%s", out);
    checked_frame(ui, 3);
    CHECK_INT(1, ui_speech_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "not visible: button \"Utanför\"") != NULL, "%s", out);
    /* the focus on a control that an open dialog hides */
    checked_frame(ui, 0);
    ui_focus(ui, ui_find(ui, "Skicka", UI_ROLE_BUTTON)->id);
    checked_frame(ui, 4);
    CHECK_INT(1, ui_speech_problems(ui, out, sizeof(out)));
    CHECK_MSG(strstr(out, "focused behind the dialog: button \"Skicka\"") != NULL, "%s", out);
    /* a dialog with a control takes the focus from behind it: nothing to report */
    checked_frame(ui, 0);
    ui_focus(ui, ui_find(ui, "Skicka", UI_ROLE_BUTTON)->id);
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, 1080, 1920 });
    ui_button(ui, "Skicka", UI_BUTTON_PRIMARY);
    ui_modal_begin(ui);
    ui_button(ui, "Fortsätt", UI_BUTTON_PRIMARY);
    ui_modal_end(ui);
    ui_end(ui);
    CHECK_MSG(ui_speech_problems(ui, out, sizeof(out)) == 0, "%s", out);
    CHECK_STR("Fortsätt", ui_focused(ui)->label);
    ui_destroy(ui);
}

/* --- The on-screen keyboard ---------------------------------------------------------------- */

static struct ui_field kb_field;

static void
keyboard_frame(struct ui *ui, int width, int height)
{
    ui_begin(ui, 0);
    ui_area(ui, (struct ui_rect){ 0, 0, width, height });
    ui_keyboard(ui, &kb_field);
    ui_end(ui);
    ui_render(ui);
}

/* Taps the key with this label (one of the keyboard's) and draws the next frame. */
static void
tap_key(struct ui *ui, const char *label, int64_t *t)
{
    const struct ui_node *n = ui_find(ui, label, UI_ROLE_KEY);
    CHECK_MSG(n != NULL, "no key \"%s\"", label);
    if (n == NULL)
        return;
    int x = n->r.x + n->r.w / 2, y = n->r.y + n->r.h / 2;
    *t += 1000;
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_DOWN, .x = x, .y = y, .t_ms = *t });
    ui_feed(ui, &(struct ui_input){ .kind = UI_IN_UP, .x = x, .y = y, .t_ms = *t + 100 });
    keyboard_frame(ui, 1080, 1920); /* the tap is answered */
    keyboard_frame(ui, 1080, 1920); /* and the keys show its page */
}

/* Every key on the page: named (said as it reads), at least 15 mm each way, 3 mm from the
 * next; returns how many keys there are. */
static size_t
check_keys(struct ui *ui, const char *page)
{
    size_t n, keys = 0;
    const struct ui_node *all = ui_nodes(ui, &n);
    int min = ui_mm(ui, 15), gap = ui_mm(ui, 3);
    for (size_t i = 0; i < n; i++) {
        const struct ui_node *a = &all[i];
        if (a->role != UI_ROLE_KEY)
            continue;
        keys++;
        char spoken[256];
        ui_spoken(a, true, spoken, sizeof(spoken));
        CHECK_MSG(a->label[0] != '\0' && strstr(spoken, a->label) == spoken,
                  "%s: a key says \"%s\"", page, spoken);
        CHECK_MSG(a->r.w >= min && a->r.h >= min, "%s: key \"%s\" is %dx%d px, under 15 mm", page,
                  a->label, a->r.w, a->r.h);
        for (size_t j = i + 1; j < n; j++) {
            const struct ui_node *b = &all[j];
            if (b->role != UI_ROLE_KEY)
                continue;
            bool apart = b->r.x >= a->r.x + a->r.w + gap || a->r.x >= b->r.x + b->r.w + gap ||
                         b->r.y >= a->r.y + a->r.h + gap || a->r.y >= b->r.y + b->r.h + gap;
            CHECK_MSG(apart, "%s: keys \"%s\" and \"%s\" are closer than 3 mm", page, a->label,
                      b->label);
        }
    }
    return keys;
}

TEST(the_keyboard_types_capitals_marks_and_each_alphabet_with_large_keys)
{
    struct ui *ui = make_ui();
    int64_t t = 0;
    use_language("sv");
    memset(&kb_field, 0, sizeof(kb_field));
    kb_field.keyboard = UI_KEYBOARD_TEXT;
    keyboard_frame(ui, 1080, 1920);
    CHECK(check_keys(ui, "sv letters") >= 40);
    CHECK(ui_find(ui, "é", UI_ROLE_KEY) != NULL && ui_find(ui, "ü", UI_ROLE_KEY) != NULL);
    CHECK(ui_find(ui, ",", UI_ROLE_KEY) != NULL && ui_find(ui, "?", UI_ROLE_KEY) != NULL);
    /* Shift: one capital, then small letters again */
    tap_key(ui, "Stor bokstav", &t);
    const struct ui_node *shift = ui_find(ui, "Stor bokstav", UI_ROLE_KEY);
    CHECK(shift != NULL && (shift->state & UI_STATE_CHECKED));
    CHECK(ui_find(ui, "Ö", UI_ROLE_KEY) != NULL && ui_find(ui, "ö", UI_ROLE_KEY) == NULL);
    tap_key(ui, "Ö", &t);
    tap_key(ui, "l", &t);
    CHECK_STR("Öl", kb_field.text);
    /* the marks Swedish text needs, a key away */
    tap_key(ui, "Tecken", &t);
    check_keys(ui, "sv marks");
    const char *marks[] = { ",", ".", "?", "!", "-", ":", ";", "'", "\"", "(", ")", "@", "/" };
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
        CHECK_MSG(ui_find(ui, marks[i], UI_ROLE_KEY) != NULL, "no key for %s", marks[i]);
    tap_key(ui, "!", &t);
    CHECK_STR("Öl!", kb_field.text);
    /* right to left: each language's own alphabet first, Latin a key away, no Shift */
    const char *langs[][3] = { { "ar", "ب", "أبجد" }, { "fa", "پ", "الفبا" } };
    for (size_t l = 0; l < 2; l++) {
        use_language(langs[l][0]);
        memset(&kb_field, 0, sizeof(kb_field));
        kb_field.keyboard = UI_KEYBOARD_TEXT;
        keyboard_frame(ui, 1080, 1920);
        CHECK(check_keys(ui, langs[l][0]) >= 40);
        CHECK_MSG(ui_find(ui, langs[l][1], UI_ROLE_KEY) != NULL, "%s: no %s", langs[l][0],
                  langs[l][1]);
        CHECK_MSG(ui_find(ui, "q", UI_ROLE_KEY) == NULL, "%s starts on Latin", langs[l][0]);
        tap_key(ui, langs[l][1], &t);
        tap_key(ui, "ABC", &t);
        CHECK(ui_find(ui, "q", UI_ROLE_KEY) != NULL && ui_find(ui, langs[l][2], UI_ROLE_KEY));
        tap_key(ui, "q", &t);
        char want[16];
        snprintf(want, sizeof(want), "%sq", langs[l][1]);
        CHECK_STR(want, kb_field.text);
    }
    use_language("sv");
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
    RUN(taps_drags_and_double_taps);
    RUN(keyboard_focus_and_enter);
    RUN(the_reading_cursor_reads_text_and_controls_from_the_content);
    RUN(the_reading_cursor_stays_on_a_button_relabelled_in_place);
    RUN(rtl_mirrors_columns);
    RUN(unchanged_frames_are_not_drawn);
    RUN(scripts_share_a_baseline);
    RUN(bidi_order_is_fribidis);
    RUN(layout_check_finds_clipped_and_overlapping_text);
    RUN(reach_band_of_the_default_display);
    RUN(layout_check_fails_on_a_broken_frame);
    RUN(content_that_does_not_fit_scrolls);
    RUN(punctuation_the_script_font_lacks_is_not_a_box);
    RUN(spoken_says_name_role_value_and_state);
    RUN(spoken_keeps_personal_data_off_the_loudspeaker);
    RUN(spoken_passes_right_to_left_text_through);
    RUN(the_speech_check_finds_unnamed_and_invisible_controls);
    RUN(the_keyboard_types_capitals_marks_and_each_alphabet_with_large_keys);
    SDL_DestroyRenderer(renderer);
    SDL_FreeSurface(surface);
    return test_done();
}
