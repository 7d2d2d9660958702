/* Translated text: gettext catalogues (.mo, compiled by the build from the .po files in i18n/ and embedded in
 * the binary) read directly, so the language can change at runtime without a restart and
 * without the host having the locale installed. Source strings are English (DESIGN.md §9);
 * a string missing from a catalogue shows in English. */
#ifndef MINASIDOR_I18N_H
#define MINASIDOR_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct i18n_language {
    const char *code;   /* "sv" */
    const char *native; /* the language's own name: "Svenska" */
    bool rtl;
};

/* The languages the kiosk offers, in the order shown; the first is the default. */
const struct i18n_language *i18n_languages(size_t *n);
const struct i18n_language *i18n_find(const char *code);

/* Adds the catalogue of one language from a .mo image (kept, not copied: it must outlive the
 * process's use of it). False with err set when the image is not a valid .mo file. */
bool i18n_add_catalogue(const char *code, const void *mo, size_t len, struct errbuf *err);

/* Switches the language; false (and no change) for a language that is not offered. */
bool i18n_set_language(const char *code);
const struct i18n_language *i18n_current(void);

/* The translation of msgid in the current language, or msgid itself. */
const char *i18n_gettext(const char *msgid) __attribute__((format_arg(1)));
/* Counts of messages in a catalogue, and of them translated (for `doctor`). */
size_t i18n_catalogue_size(const char *code);

#define _(s) i18n_gettext(s)

#endif
