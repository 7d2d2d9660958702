/* Files the build embeds into the binary (assets/meson.build): the fonts, from Debian's
 * fonts-noto-core, and the compiled gettext catalogues. Each is followed by a NUL byte. */
#ifndef MINASIDOR_ASSETS_H
#define MINASIDOR_ASSETS_H

#include <stddef.h>

extern const unsigned char font_sans_regular[], font_sans_bold[];
extern const unsigned char font_arabic_regular[], font_arabic_bold[];
extern const size_t font_sans_regular_len, font_sans_bold_len;
extern const size_t font_arabic_regular_len, font_arabic_bold_len;

extern const unsigned char catalogue_sv[], catalogue_en[], catalogue_ar[];
extern const size_t catalogue_sv_len, catalogue_en_len, catalogue_ar_len;

#endif
