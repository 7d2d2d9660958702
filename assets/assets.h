/* Files the build embeds into the binary (assets/meson.build): the fonts, from Debian's
 * fonts-noto-core, and the compiled gettext catalogues. Each is followed by a NUL byte. */
#ifndef MINASIDOR_ASSETS_H
#define MINASIDOR_ASSETS_H

#include <stddef.h>

extern const unsigned char font_sans_regular[], font_sans_bold[];
extern const unsigned char font_arabic_regular[], font_arabic_bold[];
extern const unsigned char font_ethiopic_regular[], font_ethiopic_bold[];
extern const size_t font_sans_regular_len, font_sans_bold_len;
extern const size_t font_arabic_regular_len, font_arabic_bold_len;
extern const size_t font_ethiopic_regular_len, font_ethiopic_bold_len;
extern const unsigned char font_icons[]; /* assets/icons: the status icons */
extern const size_t font_icons_len;

/* The fonts in the order of the toolkit's faces (enum ui_face), for struct ui_config's fonts and
 * font_lens. */
#define ASSETS_UI_FONTS                                                           \
    {                                                                             \
        font_sans_regular, font_sans_bold, font_arabic_regular, font_arabic_bold, \
            font_ethiopic_regular, font_ethiopic_bold, font_icons                 \
    }
#define ASSETS_UI_FONT_LENS                                                                       \
    {                                                                                             \
        font_sans_regular_len, font_sans_bold_len, font_arabic_regular_len, font_arabic_bold_len, \
            font_ethiopic_regular_len, font_ethiopic_bold_len, font_icons_len                     \
    }

/* Every catalogue the build compiled, one per language of i18n/languages.tsv that has a .po
 * file (complete or not: i18n_table says which are offered). */
struct asset_catalogue {
    const char *code;
    const unsigned char *data;
    const size_t *len;
};
extern const struct asset_catalogue asset_catalogues[];
extern const size_t asset_catalogues_n;

#endif
