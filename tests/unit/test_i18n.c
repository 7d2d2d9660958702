/* Translations: the Plural-Forms evaluator (Arabic has six forms), ngettext/pgettext on real .mo
 * images (the embedded Swedish one and tests/unit/i18n/ar.po compiled by msgfmt), the fallback
 * chain language → Swedish → msgid, which languages are offered, and dates per language.
 * Usage: test_i18n AR.MO */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "i18n.h"
#include "screens.h"
#include "test.h"

static const char *ar_mo_path;
static unsigned char *ar_mo;
static size_t ar_mo_len;

#define ARABIC "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5"

static const struct asset_catalogue *
embedded(const char *code)
{
    for (size_t i = 0; i < asset_catalogues_n; i++) {
        if (strcmp(asset_catalogues[i].code, code) == 0)
            return &asset_catalogues[i];
    }
    return NULL;
}

static void
load_catalogues(void)
{
    struct errbuf err;
    const struct asset_catalogue *sv = embedded("sv");
    CHECK(sv != NULL && i18n_add_catalogue("sv", sv->data, *sv->len, &err));
    CHECK_MSG(i18n_add_catalogue("ar", ar_mo, ar_mo_len, &err), "ar fixture: %s", err.msg);
}

TEST(plural_formulas_evaluate_like_c)
{
    static const struct {
        const char *expr;
        unsigned long n, want;
    } cases[] = {
        /* Arabic: zero, one, two, few (3-10), many (11-99), other (100-102) */
        { ARABIC, 0, 0 },
        { ARABIC, 1, 1 },
        { ARABIC, 2, 2 },
        { ARABIC, 3, 3 },
        { ARABIC, 10, 3 },
        { ARABIC, 11, 4 },
        { ARABIC, 99, 4 },
        { ARABIC, 100, 5 },
        { ARABIC, 102, 5 },
        { ARABIC, 103, 3 },
        { ARABIC, 111, 4 },
        /* Swedish, English, Finnish */
        { "n != 1", 0, 1 },
        { "n != 1", 1, 0 },
        { "(n != 1)", 5, 1 },
        /* Ukrainian: one (1, 21, 101…), few (2-4, 22-24…), many */
        { "n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2", 1,
          0 },
        { "n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2", 11,
          2 },
        { "n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2", 22,
          1 },
        { "n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2", 25,
          2 },
        /* Persian, Tigrinya: n > 1; Somali n != 1 */
        { "n > 1", 1, 0 },
        { "n > 1", 2, 1 },
        { "n>=2", 1, 0 },
        { "n<=1", 1, 1 },
        { "!(n == 1)", 1, 0 },
        { "0", 7, 0 },
        /* short circuit: the right side is not evaluated, so no division by zero */
        { "n != 0 && 10 % n == 0", 0, 0 },
        { "n == 0 || 10 / n > 1", 0, 1 },
        { "n == 0 ? 0 : 10 % n", 0, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned long got = 99;
        CHECK_MSG(i18n_plural_eval(cases[i].expr, cases[i].n, &got) && got == cases[i].want,
                  "%s for n=%lu: expected %lu, got %lu", cases[i].expr, cases[i].n, cases[i].want,
                  got);
    }
    static const char *const bad[] = { "",
                                       "n +",
                                       "(n",
                                       "n)",
                                       "n ? 1",
                                       "x",
                                       "10 % 0",
                                       "n = 1",
                                       "((((((((((((((((((((((((((((((((((((((((((((((((((((((("
                                       "((((((((((((((((n))))))))))))))))))))))))))))))))))))))"
                                       "))))))))))))))))))))))))))))))))" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned long got;
        CHECK_MSG(!i18n_plural_eval(bad[i], 1, &got), "'%s' was accepted", bad[i]);
    }
}

TEST(arabic_catalogue_has_six_forms)
{
    load_catalogues();
    i18n_set_preview(true); /* the fixture stands in for an incomplete catalogue */
    CHECK(i18n_set_language("ar"));
    static const struct {
        unsigned long n;
        const char *want;
    } forms[] = {
        { 0, "0 قضية مفتوحة من 9 (صفر)." }, { 1, "1 قضية واحدة مفتوحة من 9." },
        { 2, "2 قضيتان مفتوحتان من 9." },   { 7, "7 قضايا مفتوحة من 9." },
        { 11, "11 قضية مفتوحة من 9." },     { 100, "100 قضية مفتوحة من 9." },
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        char out[128];
        snprintf(out, sizeof(out),
                 i18n_ngettext("%d case is open, of %d in all.", "%d cases are open, of %d in all.",
                               forms[i].n),
                 (int)forms[i].n, 9);
        CHECK_STR(forms[i].want, out);
    }
    i18n_set_preview(false);
}

TEST(contexts_and_the_fallback_chain)
{
    load_catalogues();
    i18n_set_preview(true);
    CHECK(i18n_set_language("ar"));
    CHECK_STR("مايو", C_("month", "May")); /* the month, in its context */
    CHECK_STR("Logga ut", _("Log out"));   /* not in the Arabic catalogue: Swedish */
    CHECK_STR("not in any catalogue", _("not in any catalogue")); /* then the msgid */
    CHECK_STR("%d things", i18n_ngettext("%d thing", "%d things", 3));
    CHECK_STR("%d thing", i18n_ngettext("%d thing", "%d things", 1));
    /* a plural message missing in Arabic comes from Swedish, with Swedish's own formula */
    CHECK_STR("Uppdaterad för %lld minut sedan.",
              i18n_ngettext("Updated %lld minute ago.", "Updated %lld minutes ago.", 1));
    CHECK_STR("Uppdaterad för %lld minuter sedan.",
              i18n_ngettext("Updated %lld minute ago.", "Updated %lld minutes ago.", 2));
    i18n_set_preview(false);

    CHECK(i18n_set_language("sv"));
    CHECK_STR("Identifiera dig", _("Identify yourself"));
    CHECK_STR("maj", C_("month", "May"));
    CHECK_STR("Åtgärden avbruten.", _("Action cancelled."));
    /* English is the source language: its text is the msgid, never Swedish */
    CHECK(i18n_set_language("en"));
    CHECK_STR("Identify yourself", _("Identify yourself"));
    CHECK_STR("May", C_("month", "May"));
    CHECK_STR("Updated %lld minute ago.",
              i18n_ngettext("Updated %lld minute ago.", "Updated %lld minutes ago.", 1));
    CHECK_STR("Updated %lld minutes ago.",
              i18n_ngettext("Updated %lld minute ago.", "Updated %lld minutes ago.", 0));
    CHECK(i18n_set_language("sv"));
}

TEST(catalogues_refuse_garbage)
{
    struct errbuf err;
    const struct asset_catalogue *sv = embedded("sv");
    CHECK(sv != NULL);
    CHECK(!i18n_add_catalogue("sv", "this is not a catalogue, it is plain text", 41, &err));
    CHECK(strstr(err.msg, "magic") != NULL);
    CHECK(!i18n_add_catalogue("xx", sv->data, *sv->len, &err));
    unsigned char cut[64];
    memcpy(cut, sv->data, sizeof(cut));
    CHECK(!i18n_add_catalogue("sv", cut, sizeof(cut), &err)); /* tables run past the end */
    CHECK(!i18n_set_language("klingon"));
}

TEST(only_complete_languages_are_offered)
{
    load_catalogues();
    const struct i18n_language *l[16];
    size_t n = i18n_offered(l, 16);
    CHECK(n >= 2);
    CHECK_STR("sv", l[0]->code); /* the default first */
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(l[i]->complete, "%s is offered but not complete", l[i]->code);
    /* every language of the issue is in the table, in its own script, with its direction */
    static const struct {
        const char *code, *native;
        bool rtl;
        enum i18n_font font;
        bool voice;
    } want[] = {
        { "sv", "Svenska", false, I18N_FONT_LATIN, true },
        { "en", "English", false, I18N_FONT_LATIN, true },
        { "fi", "Suomi", false, I18N_FONT_LATIN, true },
        { "ar", "العربية", true, I18N_FONT_ARABIC, true },
        { "fa", "فارسی", true, I18N_FONT_ARABIC, true },
        { "so", "Soomaali", false, I18N_FONT_LATIN, false },
        { "ti", "ትግርኛ", false, I18N_FONT_ETHIOPIC, false },
        { "uk", "Українська", false, I18N_FONT_LATIN, true },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct i18n_language *f = i18n_find(want[i].code);
        CHECK_MSG(f != NULL, "%s is not in the table", want[i].code);
        if (f == NULL)
            continue;
        CHECK_STR(want[i].native, f->native);
        CHECK(f->rtl == want[i].rtl);
        CHECK(f->font == want[i].font);
        CHECK((f->voice != NULL) == want[i].voice);
    }
    /* a language that is not complete is refused, and offered only in preview mode */
    const struct i18n_language *ar = i18n_find("ar");
    if (!ar->complete) {
        CHECK(!i18n_set_language("ar"));
        i18n_set_preview(true);
        CHECK(i18n_set_language("ar"));
        i18n_set_preview(false); /* and the kiosk leaves it when preview ends */
        CHECK_STR("sv", i18n_current()->code);
    }
}

TEST(dates_per_language)
{
    load_catalogues();
    /* the other languages' catalogues as the kiosk embeds them */
    static const char *const more[] = { "fi", "uk", "fa", "so", "ti" };
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
        struct errbuf err;
        const struct asset_catalogue *c = embedded(more[i]);
        CHECK_MSG(c != NULL && i18n_add_catalogue(more[i], c->data, *c->len, &err),
                  "%s is not embedded or does not load", more[i]);
    }
    static const struct {
        const char *lang;
        const char *iso;
        const char *short_date, *long_date;
    } cases[] = {
        { "sv", "2026-12-04", "4 december 2026", "fredag 4 december 2026" },
        { "en", "2026-12-04", "4 December 2026", "Friday 4 December 2026" },
        { "ar", "2026-12-04", "4 ديسمبر 2026", "الجمعة، 4 ديسمبر 2026" },
        { "sv", "2027-05-01", "1 maj 2027", "lördag 1 maj 2027" },
        { "en", "2027-05-01", "1 May 2027", "Saturday 1 May 2027" },
        { "ar", "2027-05-01", "1 مايو 2027", NULL },
        /* Finnish and Ukrainian put the weekday last, with positional arguments */
        { "fi", "2026-12-04", "4. joulukuuta 2026", "4. joulukuuta 2026 (perjantai)" },
        { "uk", "2026-12-04", "4 грудня 2026", "4 грудня 2026 (п’ятниця)" },
        { "fa", "2026-12-04", "4 دسامبر 2026", "جمعه، 4 دسامبر 2026" },
        { "so", "2026-12-04", "4 Disembar 2026", "Jimce, 4 Disembar 2026" },
        { "ti", "2026-12-04", "4 ታሕሳስ 2026", "ዓርቢ፡ 4 ታሕሳስ 2026" },
    };
    i18n_set_preview(true);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[128];
        CHECK(i18n_set_language(cases[i].lang));
        fmt_date_short(cases[i].iso, out, sizeof(out));
        CHECK_STR(cases[i].short_date, out);
        if (cases[i].long_date != NULL) {
            fmt_date(cases[i].iso, out, sizeof(out));
            CHECK_STR(cases[i].long_date, out);
        }
    }
    /* 24-hour clock in every language; 2026-12-04 14:05 in Stockholm is 13:05 UTC */
    static const struct {
        const char *lang, *want;
    } times[] = {
        { "sv", "4 december 2026 kl. 14.05" },       { "en", "4 December 2026 at 14:05" },
        { "ar", "4 ديسمبر 2026 الساعة 14:05" },      { "fi", "4. joulukuuta 2026 klo 14.05" },
        { "uk", "4 грудня 2026 о 14:05" },           { "fa", "4 دسامبر 2026 ساعت 14:05" },
        { "so", "4 Disembar 2026, saacadda 14:05" }, { "ti", "4 ታሕሳስ 2026፡ ሰዓት 14:05" },
    };
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        char out[128];
        CHECK(i18n_set_language(times[i].lang));
        fmt_time(1796389500, out, sizeof(out));
        CHECK_STR(times[i].want, out);
    }
    /* Western digits and Swedish amounts in every language but English */
    char out[64];
    CHECK(i18n_set_language("ar"));
    fmt_money(123450, out, sizeof(out));
    CHECK_STR("1\u00a0234,50\u00a0kr", out);
    CHECK(i18n_set_language("en"));
    fmt_money(123450, out, sizeof(out));
    CHECK_STR("SEK 1,234.50", out);
    /* coded values: the label of the code in its dimension's context; an unknown code is
     * shown as it is, never looked up in a catalogue */
    CHECK(i18n_set_language("sv"));
    CHECK_STR("Inkom", fmt_tax(TAX_STATUS, "inkommen"));
    CHECK_STR("Förskola", fmt_tax(TAX_MAIN, "forskola"));
    CHECK_STR("Log out", fmt_tax(TAX_STATUS, "Log out"));
    CHECK(i18n_set_language("en"));
    CHECK_STR("Received", fmt_tax(TAX_STATUS, "inkommen"));
    /* plural of the data's age */
    CHECK(i18n_set_language("sv"));
    fmt_age(1000, 1000 + 60, out, sizeof(out));
    CHECK_STR("Uppdaterad för 1 minut sedan.", out);
    fmt_age(1000, 1000 + 180, out, sizeof(out));
    CHECK_STR("Uppdaterad för 3 minuter sedan.", out);
    i18n_set_preview(false);
}

/* Hjälp: every screen says what it is for, in every language (the embedded catalogues). */
TEST(every_screen_has_help_in_every_language)
{
    static const char *const langs[] = { "sv", "fi", "ar", "fa", "so", "ti", "uk" };
    i18n_set_preview(true);
    for (size_t l = 0; l < sizeof(langs) / sizeof(langs[0]); l++) {
        struct errbuf err;
        const struct asset_catalogue *c = embedded(langs[l]);
        CHECK_MSG(c != NULL && i18n_add_catalogue(langs[l], c->data, *c->len, &err),
                  "%s is not embedded or does not load", langs[l]);
        CHECK(i18n_set_language(langs[l]));
        for (int s = 0; s < SCREEN_COUNT; s++) {
            const struct screen_impl *impl = screen_impl((enum screen_id)s);
            CHECK_MSG(impl->help != NULL && strlen(impl->help) > 40, "%s has no help", impl->name);
            if (impl->help == NULL)
                continue;
            const char *said = _(impl->help);
            CHECK_MSG(said != impl->help && strcmp(said, impl->help) != 0,
                      "%s: the help of %s is not translated", langs[l], impl->name);
        }
    }
    /* no two screens share a help text: each says what its own screen is for */
    for (int a = 0; a < SCREEN_COUNT; a++) {
        for (int b = a + 1; b < SCREEN_COUNT; b++)
            CHECK(strcmp(screen_impl((enum screen_id)a)->help,
                         screen_impl((enum screen_id)b)->help) != 0);
    }
    i18n_set_language("sv");
    i18n_set_preview(false);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_i18n AR.MO\n");
        return 2;
    }
    ar_mo_path = argv[1];
    FILE *f = fopen(ar_mo_path, "rb");
    if (f == NULL) {
        perror(ar_mo_path);
        return 2;
    }
    ar_mo = malloc(1 << 16);
    ar_mo_len = fread(ar_mo, 1, 1 << 16, f);
    fclose(f);
    RUN(plural_formulas_evaluate_like_c);
    RUN(arabic_catalogue_has_six_forms);
    RUN(contexts_and_the_fallback_chain);
    RUN(catalogues_refuse_garbage);
    RUN(only_complete_languages_are_offered);
    RUN(dates_per_language);
    RUN(every_screen_has_help_in_every_language); /* last: it replaces the Arabic fixture */
    int rc = test_done();
    free(ar_mo);
    return rc;
}
