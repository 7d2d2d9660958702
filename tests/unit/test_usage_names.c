/* The usage vocabulary (src/core/usage_names.h) against what the kiosk counts: every screen and
 * every language has its counter, and nothing shaped like a person's data is a name. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screens.h"
#include "test.h"
#include "usage_names.h"

TEST(every_screen_and_language_has_its_counter)
{
    for (int id = 0; id < SCREEN_COUNT; id++) {
        char name[USAGE_NAME_MAX];
        snprintf(name, sizeof(name), "%s%s", USAGE_SCREEN_PREFIX, screen_impl(id)->name);
        CHECK_MSG(usage_counter_known(name), "%s is not in the vocabulary", name);
    }
    for (size_t i = 0; i < i18n_table_len; i++) {
        char name[USAGE_NAME_MAX];
        snprintf(name, sizeof(name), "%s%s", USAGE_LANG_PREFIX, i18n_table[i].code);
        CHECK_MSG(usage_counter_known(name), "%s is not in the vocabulary", name);
    }
    static const char *const kinds[] = { "application", "complaint", "choice", "callback" };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        char name[USAGE_NAME_MAX];
        snprintf(name, sizeof(name), "%s%s", USAGE_SUBMIT_PREFIX, kinds[i]);
        CHECK_MSG(usage_counter_known(name), "%s is not in the vocabulary", name);
    }
    CHECK(usage_counter_known(USAGE_KEYPAD_USE));
    CHECK(usage_counter_known(USAGE_SPEECH_MODE));
    CHECK(usage_counter_known(USAGE_IDLE_LOGOUT));
}

TEST(names_of_the_vocabulary_only)
{
    static const char *const refused[] = {
        "",
        "visits",
        "Visit",
        "visit ",
        "screen.",
        "screen.tolvan",
        "lang.de",
        "lang.191212121212",
        "191212121212",
        "121212-1212",
        "KCS-2026-000017",
        "0b7a6c1e-4f59-4d8a-9c63-2f1e0d9b7a55",
        "submit.forskoleplats",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        CHECK_MSG(!usage_counter_known(refused[i]), "\"%s\" taken", refused[i]);
    CHECK(!usage_counter_known(NULL));
    size_t n = 0;
    const char *const *names = usage_counter_names(&n);
    CHECK(n > 30);
    for (size_t i = 0; i < n; i++) {
        CHECK(strlen(names[i]) < USAGE_NAME_MAX);
        for (const char *p = names[i]; *p; p++) /* no digits: no number can hide in a name */
            CHECK_MSG((*p >= 'a' && *p <= 'z') || *p == '.' || *p == '_', "%s", names[i]);
    }
    CHECK(usage_check_known("display"));
    CHECK(!usage_check_known("tolvan"));
}

TEST(a_version_is_plain_numbers)
{
    CHECK(usage_version_valid(""));
    CHECK(usage_version_valid("0.1.0"));
    CHECK(usage_version_valid("12"));
    CHECK(usage_version_valid("999.999.999"));
    CHECK(!usage_version_valid("1.2.3.4"));
    CHECK(!usage_version_valid("1000.0.0"));
    CHECK(!usage_version_valid("191.212.121212"));
    CHECK(!usage_version_valid("0.1.0-tolvan"));
    CHECK(!usage_version_valid("1..2"));
    CHECK(!usage_version_valid("1."));
    CHECK(!usage_version_valid(".1"));
    CHECK(!usage_version_valid(NULL));
}

int
main(void)
{
    RUN(every_screen_and_language_has_its_counter);
    RUN(names_of_the_vocabulary_only);
    RUN(a_version_is_plain_numbers);
    return test_done();
}
