/* Translated text: gettext catalogues (.mo, compiled by the build from the .po files in i18n/
 * and embedded in the binary) read directly, so the language can change at runtime without a
 * restart and without the host having the locale installed. Source strings are English
 * (DESIGN.md §9). A message missing from the current language's catalogue comes from Swedish,
 * the kiosk's default, and then from the msgid itself (English: the source language is never
 * sent to Swedish). Plural forms follow each catalogue's Plural-Forms formula.
 *
 * Data (names, addresses, texts from the case store) never goes through these functions; a
 * coded value (a status, a category) is shown through a catalogue entry found by its code. */
#ifndef MINASIDOR_I18N_H
#define MINASIDOR_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* The script font a language is written in (ui/text.c chooses the font per run of text by the
 * run's script; this one is for text with no script of its own, such as digits). */
enum i18n_font {
    I18N_FONT_LATIN,    /* Noto Sans: Latin and Cyrillic */
    I18N_FONT_ARABIC,   /* Noto Sans Arabic: Arabic and Persian */
    I18N_FONT_ETHIOPIC, /* Noto Sans Ethiopic: Tigrinya */
};

/* One row of i18n/languages.tsv, the one table of languages (generated into the binary by
 * i18n/check_po.py). */
struct i18n_language {
    const char *code;   /* "sv" */
    const char *native; /* the language's own name, in its own script: "Svenska" */
    bool rtl;
    enum i18n_font font;
    const char *voice; /* espeak-ng voice, or NULL: the kiosk does not speak this language */
    bool complete;     /* the build's catalogue check passed: offered to citizens */
    unsigned translated, total; /* messages, for `doctor` and the build message */
};

extern const struct i18n_language i18n_table[];
extern const size_t i18n_table_len;

/* The languages the kiosk offers (complete ones, or every one with a catalogue in preview
 * mode), in the order of the chooser; the first is the default. Fills at most max. */
size_t i18n_offered(const struct i18n_language **out, size_t max);
/* The table's row for code, offered or not; NULL if the table has no such language. */
const struct i18n_language *i18n_find(const char *code);

/* Preview mode also offers languages whose catalogue is not complete: for translators checking
 * their work on the kiosk and for the UI tests of right-to-left layout. Never on in service. */
void i18n_set_preview(bool on);

/* Adds the catalogue of one language from a .mo image (kept, not copied: it must outlive the
 * process's use of it). False with err set when the image is not a valid .mo file or its
 * Plural-Forms is not a formula the evaluator accepts. */
bool i18n_add_catalogue(const char *code, const void *mo, size_t len, struct errbuf *err);

/* Switches the language; false (and no change) for a language that is not offered. */
bool i18n_set_language(const char *code);
const struct i18n_language *i18n_current(void);

/* The translation of msgid in the current language (see the fallback chain above). */
const char *i18n_gettext(const char *msgid) __attribute__((format_arg(1)));
/* The same for msgid in a context: one English word with two meanings, or a coded value
 * ("case-status", "closed"). */
const char *i18n_pgettext(const char *ctx, const char *msgid) __attribute__((format_arg(2)));
/* The form of msgid / plural for the number n, by the catalogue's Plural-Forms. */
const char *i18n_ngettext(const char *msgid, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
const char *i18n_npgettext(const char *ctx, const char *msgid, const char *plural, unsigned long n)
    __attribute__((format_arg(2))) __attribute__((format_arg(3)));

/* Evaluates a Plural-Forms formula (C syntax: n, integers, ( ), ?:, ||, &&, ==, !=, <, >, <=,
 * >=, +, -, *, /, %, !) for n. False when expr is not such a formula or divides by zero. */
bool i18n_plural_eval(const char *expr, unsigned long n, unsigned long *out);

/* Counts of messages in a catalogue (for `doctor`). */
size_t i18n_catalogue_size(const char *code);

#define _(s)       i18n_gettext(s)
#define C_(ctx, s) i18n_pgettext(ctx, s)
/* N_ and NC_, the marks for xgettext only, are in macros.h. */

#endif
