/* The two themes, as data. High contrast keeps every text colour at 7:1 or more against its
 * background (EN 301 549 / WCAG AAA); the standard theme at 4.5:1 or more. tests/unit/test_ui
 * checks both. */
#include <math.h>

#include "ui.h"

#define RGB(r, g, b) \
    {                \
        r, g, b, 255 \
    }

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
