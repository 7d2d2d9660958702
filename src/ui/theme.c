/* The two themes, as data: a palette for what screens draw themselves, and a style for every
 * widget part in every state. High contrast keeps every text colour at 7:1 or more against its
 * background (EN 301 549 / WCAG AAA), the standard theme at 4.5:1 or more; focus rings, frames
 * and a checked control's fill are 3:1 or more against what they sit on, and checked is 3:1 or
 * more from unchecked (WCAG 1.4.11). tests/unit/test_ui_toolkit checks every pair. */
#include <math.h>

#include "ui.h"

#define RGB(r, g, b) \
    {                \
        r, g, b, 255 \
    }
/* One style: fill, label, frame, focus ring, the frame's width in tenths of a millimetre (0: one
 * pixel). */
#define STYLE(bg, fg, border, ring, w) \
    {                                  \
        bg, fg, border, ring, w        \
    }
#define NONE RGB(0, 0, 0) /* no focus ring outside UI_LOOK_FOCUSED */

/* The standard theme's colours. */
#define S_WHITE      RGB(0xff, 0xff, 0xff)
#define S_INK        RGB(0x1a, 0x1a, 0x1a)
#define S_MUTED      RGB(0x4a, 0x4a, 0x4a)
#define S_BLUE       RGB(0x00, 0x4b, 0x87) /* the city's blue: header, primary, checked */
#define S_DEEP_BLUE  RGB(0x00, 0x33, 0x5c) /* a primary button pressed */
#define S_PALE_BLUE  RGB(0xe6, 0xed, 0xf5)
#define S_PRESS_BLUE RGB(0xb8, 0xc9, 0xdc)
#define S_TILE       RGB(0xf0, 0xf4, 0xf8)
#define S_GREY       RGB(0x6b, 0x77, 0x85)
#define S_DIM_BLUE   RGB(0xd0, 0xdb, 0xe7) /* a disabled header control's label */
#define S_ORANGE     RGB(0xc2, 0x4e, 0x00) /* focus on light backgrounds */
#define S_AMBER      RGB(0xff, 0xd4, 0x3b) /* focus on the blue header (orange is 1.86:1 there) */

/* High contrast's colours. */
#define H_BLACK  RGB(0x00, 0x00, 0x00)
#define H_WHITE  RGB(0xff, 0xff, 0xff)
#define H_YELLOW RGB(0xff, 0xff, 0x00)
#define H_OLIVE  RGB(0xcc, 0xcc, 0x00) /* a primary button pressed */
#define H_DARK   RGB(0x33, 0x33, 0x33) /* pressed */
#define H_LIGHT  RGB(0xe0, 0xe0, 0xe0) /* a disabled label */
#define H_GREY   RGB(0x80, 0x80, 0x80) /* a disabled frame */
#define H_CYAN   RGB(0x00, 0xff, 0xff) /* focus */

static const struct ui_theme standard = {
    .code = "standard",
    .bg = RGB(0xff, 0xff, 0xff),
    .fg = RGB(0x1a, 0x1a, 0x1a),
    .muted = RGB(0x4a, 0x4a, 0x4a),
    .header_bg = RGB(0x00, 0x4b, 0x87),
    .header_fg = RGB(0xff, 0xff, 0xff),
    .button_bg = RGB(0xe6, 0xed, 0xf5),
    .button_fg = RGB(0x1a, 0x1a, 0x1a),
    .button_pressed = RGB(0xb8, 0xc9, 0xdc),
    .primary_bg = RGB(0x00, 0x4b, 0x87),
    .primary_fg = RGB(0xff, 0xff, 0xff),
    .tile_bg = RGB(0xf0, 0xf4, 0xf8),
    .tile_fg = RGB(0x1a, 0x1a, 0x1a),
    .border = RGB(0x6b, 0x77, 0x85),
    .focus = RGB(0xc2, 0x4e, 0x00),
    .field_bg = RGB(0xff, 0xff, 0xff),
    .field_fg = RGB(0x1a, 0x1a, 0x1a),
    .invalid = RGB(0xb0, 0x00, 0x20),
    .banner_info_bg = RGB(0xe3, 0xee, 0xfa),
    .banner_info_fg = RGB(0x00, 0x33, 0x66),
    .banner_warn_bg = RGB(0xff, 0xf1, 0xc2),
    .banner_warn_fg = RGB(0x4d, 0x38, 0x00),
    .ok = RGB(0x1b, 0x5e, 0x20),
    .overdue = RGB(0xb0, 0x00, 0x20),
    .dialog_bg = RGB(0xff, 0xff, 0xff),
    .scrim = { 0x00, 0x00, 0x00, 0xa0 },
    .staff_bg = RGB(0x6a, 0x1b, 0x9a),
    .staff_fg = RGB(0xff, 0xff, 0xff),
    .style = {
        [UI_PART_BUTTON] = {
            [UI_LOOK_NORMAL] = STYLE(S_PALE_BLUE, S_INK, S_GREY, NONE, 5),
            [UI_LOOK_PRESSED] = STYLE(S_PRESS_BLUE, S_INK, S_GREY, NONE, 5),
            [UI_LOOK_FOCUSED] = STYLE(S_PALE_BLUE, S_INK, S_GREY, S_ORANGE, 5),
            [UI_LOOK_CHECKED] = STYLE(S_BLUE, S_WHITE, S_BLUE, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(S_WHITE, S_MUTED, S_GREY, NONE, 5),
        },
        [UI_PART_PRIMARY] = {
            [UI_LOOK_NORMAL] = STYLE(S_BLUE, S_WHITE, S_BLUE, NONE, 5),
            [UI_LOOK_PRESSED] = STYLE(S_DEEP_BLUE, S_WHITE, S_DEEP_BLUE, NONE, 5),
            [UI_LOOK_FOCUSED] = STYLE(S_BLUE, S_WHITE, S_BLUE, S_ORANGE, 5),
            [UI_LOOK_CHECKED] = STYLE(S_PALE_BLUE, S_BLUE, S_BLUE, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(S_WHITE, S_MUTED, S_GREY, NONE, 5),
        },
        [UI_PART_HEADER] = {
            [UI_LOOK_NORMAL] = STYLE(S_BLUE, S_WHITE, S_WHITE, NONE, 5),
            [UI_LOOK_PRESSED] = STYLE(S_PRESS_BLUE, S_INK, S_WHITE, NONE, 5),
            [UI_LOOK_FOCUSED] = STYLE(S_BLUE, S_WHITE, S_WHITE, S_AMBER, 5),
            [UI_LOOK_CHECKED] = STYLE(S_WHITE, S_BLUE, S_WHITE, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(S_BLUE, S_DIM_BLUE, S_DIM_BLUE, NONE, 5),
        },
        [UI_PART_TILE] = {
            [UI_LOOK_NORMAL] = STYLE(S_TILE, S_INK, S_GREY, NONE, 6),
            [UI_LOOK_PRESSED] = STYLE(S_PRESS_BLUE, S_INK, S_GREY, NONE, 6),
            [UI_LOOK_FOCUSED] = STYLE(S_TILE, S_INK, S_GREY, S_ORANGE, 6),
            [UI_LOOK_CHECKED] = STYLE(S_BLUE, S_WHITE, S_BLUE, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(S_WHITE, S_MUTED, S_GREY, NONE, 6),
        },
        [UI_PART_KEY] = {
            [UI_LOOK_NORMAL] = STYLE(S_PALE_BLUE, S_INK, S_GREY, NONE, 0),
            [UI_LOOK_PRESSED] = STYLE(S_PRESS_BLUE, S_INK, S_GREY, NONE, 0),
            [UI_LOOK_FOCUSED] = STYLE(S_PALE_BLUE, S_INK, S_GREY, S_ORANGE, 0),
            [UI_LOOK_CHECKED] = STYLE(S_BLUE, S_WHITE, S_BLUE, NONE, 0),
            [UI_LOOK_DISABLED] = STYLE(S_WHITE, S_MUTED, S_GREY, NONE, 0),
        },
        [UI_PART_FIELD] = {
            [UI_LOOK_NORMAL] = STYLE(S_WHITE, S_INK, S_GREY, NONE, 6),
            [UI_LOOK_PRESSED] = STYLE(S_WHITE, S_INK, S_GREY, NONE, 6),
            [UI_LOOK_FOCUSED] = STYLE(S_WHITE, S_INK, S_GREY, S_ORANGE, 6),
            [UI_LOOK_CHECKED] = STYLE(S_BLUE, S_WHITE, S_BLUE, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(S_TILE, S_MUTED, S_GREY, NONE, 6),
        },
        [UI_PART_STEP] = {
            [UI_LOOK_NORMAL] = STYLE(S_TILE, S_INK, S_GREY, NONE, 0),
            [UI_LOOK_PRESSED] = STYLE(S_TILE, S_INK, S_GREY, NONE, 0),
            [UI_LOOK_FOCUSED] = STYLE(S_TILE, S_INK, S_GREY, S_ORANGE, 0),
            [UI_LOOK_CHECKED] = STYLE(S_BLUE, S_WHITE, S_BLUE, NONE, 0),
            [UI_LOOK_DISABLED] = STYLE(S_WHITE, S_MUTED, S_GREY, NONE, 0),
        },
    },
    .surround = {
        [UI_PART_BUTTON] = S_WHITE, [UI_PART_PRIMARY] = S_WHITE, [UI_PART_HEADER] = S_BLUE,
        [UI_PART_TILE] = S_WHITE,   [UI_PART_KEY] = S_WHITE,     [UI_PART_FIELD] = S_WHITE,
        [UI_PART_STEP] = S_WHITE,
    },
};

static const struct ui_theme high_contrast = {
    .code = "high-contrast",
    .bg = RGB(0x00, 0x00, 0x00),
    .fg = RGB(0xff, 0xff, 0xff),
    .muted = RGB(0xe0, 0xe0, 0xe0),
    .header_bg = RGB(0x00, 0x00, 0x00),
    .header_fg = RGB(0xff, 0xff, 0x00),
    .button_bg = RGB(0x00, 0x00, 0x00),
    .button_fg = RGB(0xff, 0xff, 0x00),
    .button_pressed = RGB(0x33, 0x33, 0x33),
    .primary_bg = RGB(0xff, 0xff, 0x00),
    .primary_fg = RGB(0x00, 0x00, 0x00),
    .tile_bg = RGB(0x00, 0x00, 0x00),
    .tile_fg = RGB(0xff, 0xff, 0xff),
    .border = RGB(0xff, 0xff, 0xff),
    .focus = RGB(0x00, 0xff, 0xff),
    .field_bg = RGB(0x00, 0x00, 0x00),
    .field_fg = RGB(0xff, 0xff, 0xff),
    .invalid = RGB(0xff, 0x99, 0x99),
    .banner_info_bg = RGB(0x00, 0x00, 0x00),
    .banner_info_fg = RGB(0x00, 0xff, 0xff),
    .banner_warn_bg = RGB(0xff, 0xff, 0x00),
    .banner_warn_fg = RGB(0x00, 0x00, 0x00),
    .ok = RGB(0x99, 0xff, 0x99),
    .overdue = RGB(0xff, 0x99, 0x99),
    .dialog_bg = RGB(0x00, 0x00, 0x00),
    .scrim = { 0x00, 0x00, 0x00, 0xd0 },
    .staff_bg = RGB(0xff, 0x99, 0xff),
    .staff_fg = RGB(0x00, 0x00, 0x00),
    .style = {
        [UI_PART_BUTTON] = {
            [UI_LOOK_NORMAL] = STYLE(H_BLACK, H_YELLOW, H_WHITE, NONE, 5),
            [UI_LOOK_PRESSED] = STYLE(H_DARK, H_YELLOW, H_WHITE, NONE, 5),
            [UI_LOOK_FOCUSED] = STYLE(H_BLACK, H_YELLOW, H_WHITE, H_CYAN, 5),
            [UI_LOOK_CHECKED] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 5),
        },
        [UI_PART_PRIMARY] = {
            [UI_LOOK_NORMAL] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, NONE, 5),
            [UI_LOOK_PRESSED] = STYLE(H_OLIVE, H_BLACK, H_OLIVE, NONE, 5),
            [UI_LOOK_FOCUSED] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, H_CYAN, 5),
            [UI_LOOK_CHECKED] = STYLE(H_BLACK, H_YELLOW, H_YELLOW, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 5),
        },
        [UI_PART_HEADER] = {
            [UI_LOOK_NORMAL] = STYLE(H_BLACK, H_YELLOW, H_YELLOW, NONE, 5),
            [UI_LOOK_PRESSED] = STYLE(H_DARK, H_YELLOW, H_YELLOW, NONE, 5),
            [UI_LOOK_FOCUSED] = STYLE(H_BLACK, H_YELLOW, H_YELLOW, H_CYAN, 5),
            [UI_LOOK_CHECKED] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 5),
        },
        [UI_PART_TILE] = {
            [UI_LOOK_NORMAL] = STYLE(H_BLACK, H_WHITE, H_WHITE, NONE, 6),
            [UI_LOOK_PRESSED] = STYLE(H_DARK, H_WHITE, H_WHITE, NONE, 6),
            [UI_LOOK_FOCUSED] = STYLE(H_BLACK, H_WHITE, H_WHITE, H_CYAN, 6),
            [UI_LOOK_CHECKED] = STYLE(H_WHITE, H_BLACK, H_WHITE, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 6),
        },
        [UI_PART_KEY] = {
            [UI_LOOK_NORMAL] = STYLE(H_BLACK, H_YELLOW, H_WHITE, NONE, 0),
            [UI_LOOK_PRESSED] = STYLE(H_DARK, H_YELLOW, H_WHITE, NONE, 0),
            [UI_LOOK_FOCUSED] = STYLE(H_BLACK, H_YELLOW, H_WHITE, H_CYAN, 0),
            [UI_LOOK_CHECKED] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, NONE, 0),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 0),
        },
        [UI_PART_FIELD] = {
            [UI_LOOK_NORMAL] = STYLE(H_BLACK, H_WHITE, H_WHITE, NONE, 6),
            [UI_LOOK_PRESSED] = STYLE(H_BLACK, H_WHITE, H_WHITE, NONE, 6),
            [UI_LOOK_FOCUSED] = STYLE(H_BLACK, H_WHITE, H_WHITE, H_CYAN, 6),
            [UI_LOOK_CHECKED] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, NONE, 10),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 6),
        },
        [UI_PART_STEP] = {
            [UI_LOOK_NORMAL] = STYLE(H_BLACK, H_WHITE, H_WHITE, NONE, 0),
            [UI_LOOK_PRESSED] = STYLE(H_BLACK, H_WHITE, H_WHITE, NONE, 0),
            [UI_LOOK_FOCUSED] = STYLE(H_BLACK, H_WHITE, H_WHITE, H_CYAN, 0),
            [UI_LOOK_CHECKED] = STYLE(H_YELLOW, H_BLACK, H_YELLOW, NONE, 0),
            [UI_LOOK_DISABLED] = STYLE(H_BLACK, H_LIGHT, H_GREY, NONE, 0),
        },
    },
    .surround = {
        [UI_PART_BUTTON] = H_BLACK, [UI_PART_PRIMARY] = H_BLACK, [UI_PART_HEADER] = H_BLACK,
        [UI_PART_TILE] = H_BLACK,   [UI_PART_KEY] = H_BLACK,     [UI_PART_FIELD] = H_BLACK,
        [UI_PART_STEP] = H_BLACK,
    },
};

const struct ui_theme *
ui_theme_standard(void)
{
    return &standard;
}

const struct ui_theme *
ui_theme_high_contrast(void)
{
    return &high_contrast;
}

const struct ui_style *
ui_style_for(const struct ui_theme *t, enum ui_part part, unsigned state)
{
    enum ui_look look = (state & UI_STATE_DISABLED)  ? UI_LOOK_DISABLED
                        : (state & UI_STATE_PRESSED) ? UI_LOOK_PRESSED
                        : (state & UI_STATE_CHECKED) ? UI_LOOK_CHECKED
                                                     : UI_LOOK_NORMAL;
    return &t->style[part < UI_PART_COUNT ? part : UI_PART_BUTTON][look];
}

static double
channel(unsigned char v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double
luminance(struct ui_color c)
{
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double
ui_contrast_ratio(struct ui_color a, struct ui_color b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}
