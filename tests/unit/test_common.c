/* common/: capped buffers, log scrubbing, configuration, JSON helpers, UTF-8. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "json.h"
#include "utf8.h"
#include "xalloc.h"
#define LOG_MODULE "test"
#include "log.h"
#include "test.h"

TEST(buf_refuses_to_grow_past_its_cap_and_keeps_its_contents)
{
    struct buf b;
    buf_init(&b, 10);
    CHECK_STR("", buf_str(&b));
    CHECK(buf_append_str(&b, "12345"));
    CHECK(buf_append_str(&b, "67890"));
    CHECK(!buf_append_char(&b, 'x'));
    CHECK(!buf_printf(&b, "%d", 1));
    CHECK_STR("1234567890", buf_str(&b));
    CHECK_INT(10, (long long)b.len);
    buf_reset(&b);
    CHECK_STR("", buf_str(&b));
    CHECK(buf_printf(&b, "%s-%d", "ab", 42));
    CHECK_STR("ab-42", buf_str(&b));
    char *s = buf_steal(&b);
    CHECK_STR("ab-42", s);
    CHECK(b.data == NULL && b.len == 0);
    free(s);
    buf_finish(&b);

    struct buf big;
    buf_init(&big, 1 << 20);
    for (int i = 0; i < 100000; i++)
        CHECK(buf_append_char(&big, (char)('a' + i % 26)));
    CHECK_INT(100000, (long long)big.len);
    CHECK_INT('a' + 99999 % 26, big.data[99999]);
    buf_finish_wipe(&big);
}

static void
check_scrub(const char *in, const char *want)
{
    char s[256];
    snprintf(s, sizeof(s), "%s", in);
    log_scrub(s, sizeof(s));
    CHECK_MSG(strcmp(s, want) == 0, "scrub \"%s\": expected \"%s\", got \"%s\"", in, want, s);
}

/* Only real personnummer are scrubbed (a date, the day + 60 for a samordningsnummer, and the
 * Luhn check digit); every other run of digits stays, so device ids and case numbers can be read
 * in the log. */
TEST(log_scrub_removes_personnummer_and_nothing_else)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        /* Personnummer in every written form. */
        { "citizen 19121212-1212 logged in", "citizen [pnr] logged in" },
        { "191212121212", "[pnr]" },
        { "1212121212", "[pnr]" },
        { "a 121212-1212 b 121212+1212 c", "a [pnr] b [pnr] c" },
        { "19121212+1212", "[pnr]" },
        { "x1212121212y", "x[pnr]y" },
        { "pnr=850101-1236;", "pnr=[pnr];" },
        { "20000101-1238 och 198501011236", "[pnr] och [pnr]" },
        /* Samordningsnummer: the day + 60. */
        { "samordning 701063-2391", "samordning [pnr]" },
        { "197010632391", "[pnr]" },
        /* Interim numbers: a letter first in the serial; it counts as 1 for the check digit. */
        { "interim 20000101-T220!", "interim [pnr]!" },
        { "interim 20000101T220", "interim [pnr]" },
        { "interim 000101-t220", "interim [pnr]" },
        /* 29 February: only in a leap year (without a century: a year divisible by four). */
        { "000229-1235", "[pnr]" },
        { "20000229-1235", "[pnr]" },
        { "19000229-1235", "19000229-1235" },
        { "990229-1237", "990229-1237" },
        /* The right shape but no valid check digit. */
        { "19121212-1213", "19121212-1213" },
        { "1212121219", "1212121219" },
        { "interim 20000101-T221", "interim 20000101-T221" },
        /* The right shape but no date. */
        { "121312-1210", "121312-1210" },     /* month 13 */
        { "121200-1218", "121200-1218" },     /* day 0 */
        { "121232-1215", "121232-1215" },     /* day 32 */
        { "121292-1213", "121292-1213" },     /* day 92 */
        { "210431-1213", "210431-1213" },     /* 31 April */
        { "21121212-1212", "21121212-1212" }, /* century 21 */
        { "17121212-1212", "17121212-1212" }, /* century 17 */
        /* Device ids, case numbers, OCR numbers, times, sizes. */
        { "push from dev-ef1234567890: 3 items", "push from dev-ef1234567890: 3 items" },
        { "device dev-001212121213 revoked", "device dev-001212121213 revoked" },
        { "device dev-ab1212121213", "device dev-ab1212121213" },
        { "case KS-2026-0012345 received", "case KS-2026-0012345 received" },
        { "case 123456789 on 2026-11-22 at 12:00", "case 123456789 on 2026-11-22 at 12:00" },
        { "ocr 18108401345678778", "ocr 18108401345678778" },
        { "ocr 1234567897", "ocr 1234567897" },
        { "server_time 1795353600", "server_time 1795353600" },
        { "8388608 of 1048576000 bytes", "8388608 of 1048576000 bytes" },
        { "seq 4294967296", "seq 4294967296" },
        /* Inside a longer run of digits: not a personnummer. */
        { "1234567890123", "1234567890123" },
        { "19121212-12123", "19121212-12123" },
        { "9191212121212", "9191212121212" },
        { "", "" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        check_scrub(cases[i].in, cases[i].want);
}

struct captured {
    char line[1300];
    int count;
};

static void
capture(enum log_level level, const char *module, const char *line, void *data)
{
    struct captured *c = data;
    snprintf(c->line, sizeof(c->line), "%s", line);
    c->count++;
}

TEST(log_lines_name_module_and_place_and_are_scrubbed)
{
    struct captured c = { .count = 0 };
    log_init(LOG_LEVEL_ERR, 0, "test");
    log_set_sink(capture, &c);
    LOG_INFO("looked up %s", "19121212-1212");
    CHECK_INT(1, c.count);
    CHECK(strstr(c.line, "test: ") == c.line);
    CHECK(strstr(c.line, "test_common.c:") != NULL);
    CHECK(strstr(c.line, "1212") == NULL);
    CHECK(strstr(c.line, "looked up [pnr]") != NULL);
    errno = ENOENT;
    LOG_ERRNO("open");
    CHECK(strstr(c.line, "open: No such file or directory") != NULL);
    log_set_sink(NULL, NULL);
    enum log_level l;
    CHECK(log_level_parse("debug", &l) && l == LOG_LEVEL_DBG);
    CHECK(!log_level_parse("verbose", &l));
}

static const struct config_key schema[] = {
    { "store.path", CONFIG_STRING, "/var/lib/minasidor/store.db", 0, 0, "" },
    { "sync.interval_s", CONFIG_INT, "30", 5, 3600, "" },
    { "ui.large_text", CONFIG_BOOL, "false", 0, 0, "" },
    { "server.url", CONFIG_STRING, NULL, 0, 0, "" },
};

static struct config *
cfg_new(void)
{
    return config_create(schema, sizeof(schema) / sizeof(schema[0]));
}

TEST(config_reads_sections_comments_and_quotes)
{
    struct config *cfg = cfg_new();
    struct errbuf err;
    const char text[] = "# kiosk\n"
                        "[store]\n"
                        "path = /tmp/x.db  \n"
                        "\n"
                        "; comment\n"
                        "[sync]\n"
                        "interval_s=60\r\n"
                        "[ui]\n"
                        "large_text = yes\n"
                        "[server]\n"
                        "url = \"https://example.invalid/#frag\"\n";
    CHECK(config_load_buffer(cfg, "k.conf", text, sizeof(text) - 1, &err));
    CHECK_STR("/tmp/x.db", config_get_string(cfg, "store.path"));
    CHECK_INT(60, config_get_int(cfg, "sync.interval_s"));
    CHECK(config_get_bool(cfg, "ui.large_text"));
    CHECK_STR("https://example.invalid/#frag", config_get_string(cfg, "server.url"));
    CHECK_STR("k.conf:7", config_origin(cfg, "sync.interval_s"));
    config_destroy(cfg);
}

static void
check_bad(const char *text, const char *want)
{
    struct config *cfg = cfg_new();
    struct errbuf err = { "" };
    bool ok = config_load_buffer(cfg, "k.conf", text, strlen(text), &err);
    CHECK_MSG(!ok, "accepted: %s", text);
    CHECK_MSG(strcmp(err.msg, want) == 0, "expected \"%s\", got \"%s\"", want, err.msg);
    /* Nothing from a bad file is applied. */
    CHECK_INT(30, config_get_int(cfg, "sync.interval_s"));
    config_destroy(cfg);
}

TEST(config_errors_say_path_line_key_and_what)
{
    check_bad("[sync]\ninterval_s = 10\n[store]\nnope = 1\n", "k.conf:4: store.nope: unknown key");
    check_bad("[sync]\ninterval_s = ten\n",
              "k.conf:2: sync.interval_s: not a whole number: \"ten\"");
    check_bad("[sync]\ninterval_s = 1\n", "k.conf:2: sync.interval_s: 1 is outside 5..3600");
    check_bad("[sync]\ninterval_s = 10\ninterval_s = 20\n",
              "k.conf:3: sync.interval_s: set twice (first on line 2)");
    check_bad("interval_s = 10\n", "k.conf:1: interval_s: key outside any [section]");
    check_bad("[sync\n", "k.conf:1: malformed section header (expected [name])");
    check_bad("[Sync]\n", "k.conf:1: invalid section name \"Sync\"");
    check_bad("[ui]\nlarge_text = maybe\n",
              "k.conf:2: ui.large_text: expected true or false, got \"maybe\"");
    check_bad("[sync]\njust words\n", "k.conf:2: expected key = value");
    struct config *cfg = cfg_new();
    struct errbuf err;
    CHECK(!config_load_buffer(cfg, "k.conf", "[a]\0", 4, &err));
    CHECK_STR("k.conf: file contains a NUL byte (not a text file?)", err.msg);
    char *huge = xmalloc(CONFIG_MAX_FILE_BYTES + 1);
    memset(huge, '#', CONFIG_MAX_FILE_BYTES + 1);
    CHECK(!config_load_buffer(cfg, "k.conf", huge, CONFIG_MAX_FILE_BYTES + 1, &err));
    free(huge);
    CHECK(!config_load_file(cfg, "/nonexistent/minasidor.conf", &err));
    CHECK_STR("/nonexistent/minasidor.conf: cannot open: No such file or directory", err.msg);
    config_destroy(cfg);
}

TEST(config_file_then_environment_then_command_line)
{
    char path[] = "/tmp/minasidor-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char text[] = "[sync]\ninterval_s = 60\n[store]\npath = /from/file\n";
    CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1));
    close(fd);

    struct config *cfg = cfg_new();
    struct errbuf err;
    CHECK(config_load_file(cfg, path, &err));
    setenv("MSTEST_SYNC_INTERVAL_S", "120", 1);
    CHECK(config_load_env(cfg, "MSTEST", &err));
    CHECK_INT(120, config_get_int(cfg, "sync.interval_s"));
    CHECK_STR("env MSTEST_SYNC_INTERVAL_S", config_origin(cfg, "sync.interval_s"));
    CHECK_STR("/from/file", config_get_string(cfg, "store.path"));
    CHECK(config_set(cfg, "sync.interval_s=240", "--set", &err));
    CHECK_INT(240, config_get_int(cfg, "sync.interval_s"));
    CHECK_STR("--set", config_origin(cfg, "sync.interval_s"));
    CHECK(!config_set(cfg, "sync.interval_s", "--set", &err));
    CHECK_STR("--set: expected section.key=value, got \"sync.interval_s\"", err.msg);
    CHECK(!config_set(cfg, "sync.nope=1", "--set", &err));
    CHECK_STR("--set: sync.nope: unknown key", err.msg);
    setenv("MSTEST_UI_LARGE_TEXT", "perhaps", 1);
    CHECK(!config_load_env(cfg, "MSTEST", &err));
    CHECK_STR("environment MSTEST_UI_LARGE_TEXT: ui.large_text: expected true or false, got "
              "\"perhaps\"",
              err.msg);
    unsetenv("MSTEST_UI_LARGE_TEXT");
    unsetenv("MSTEST_SYNC_INTERVAL_S");
    CHECK(config_get_string(cfg, "server.url") == NULL);
    CHECK_STR("default", config_origin(cfg, "ui.large_text"));
    config_destroy(cfg);
    unlink(path);
}

/* The settings hold trust anchors: a file others may write, or owned by another user, is
 * refused with the fix in the message (test_cli.py has a FIFO in its place). */
TEST(config_file_others_can_change_is_refused)
{
    static const struct {
        mode_t mode;
        bool accepted;
    } modes[] = {
        { 0600, true },  { 0400, true },  { 0640, true },  { 0644, true },  { 0444, true },
        { 0620, false }, { 0660, false }, { 0602, false }, { 0606, false }, { 0666, false },
        { 0622, false }, { 0664, false }, { 0777, false },
    };
    char path[] = "/tmp/minasidor-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char text[] = "[store]\npath = /from/file\n";
    CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1));
    close(fd);
    for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
        CHECK(chmod(path, modes[i].mode) == 0);
        struct config *cfg = cfg_new();
        struct errbuf err = { "" };
        bool ok = config_load_file(cfg, path, &err);
        CHECK_MSG(ok == modes[i].accepted, "mode %04o: expected %s, got %s (%s)",
                  (unsigned)modes[i].mode, modes[i].accepted ? "accepted" : "refused",
                  ok ? "accepted" : "refused", err.msg);
        if (!modes[i].accepted) {
            char want[200];
            snprintf(want, sizeof(want), "%s: mode %04o lets other users change", path,
                     (unsigned)modes[i].mode);
            CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "expected \"%s…\", got \"%s\"",
                      want, err.msg);
            snprintf(want, sizeof(want), "(chmod go-w %s)", path);
            CHECK_MSG(strstr(err.msg, want) != NULL, "expected the fix \"%s\" in \"%s\"", want,
                      err.msg);
            CHECK_STR("default", config_origin(cfg, "store.path"));
        } else {
            CHECK_STR("/from/file", config_get_string(cfg, "store.path"));
        }
        config_destroy(cfg);
    }

    CHECK(chmod(path, 0644) == 0);
    if (geteuid() == 0) {
        /* Only root can give a file away: owned by another user, it is refused. */
        CHECK(chown(path, 65534, (gid_t)-1) == 0);
        struct config *cfg = cfg_new();
        struct errbuf err = { "" };
        CHECK(!config_load_file(cfg, path, &err));
        char want[300];
        snprintf(want, sizeof(want),
                 "%s: owned by uid 65534, neither root nor this process's user (uid 0), who "
                 "could change the kiosk's trust anchors (chown root %s)",
                 path, path);
        CHECK_STR(want, err.msg);
        config_destroy(cfg);
    } else {
        /* Owned by us (not root): accepted. */
        struct config *cfg = cfg_new();
        struct errbuf err = { "" };
        CHECK_MSG(config_load_file(cfg, path, &err), "own file refused: %s", err.msg);
        config_destroy(cfg);
    }
    unlink(path);
}

TEST(json_parse_is_capped_and_strict)
{
    struct errbuf err;
    json_t *v = json_parse_capped("{\"a\":1}", 7, 6, &err);
    CHECK(v == NULL);
    CHECK_STR("JSON document is 7 bytes, more than the limit of 6", err.msg);
    v = json_parse_capped("{\"a\":1,\"a\":2}", 13, 100, &err);
    CHECK(v == NULL);
    v = json_parse_capped("{\"a\":\n tru}", 11, 100, &err);
    CHECK(v == NULL);
    CHECK_STR("malformed JSON: invalid syntax at line 2, column 4 (byte 9)", err.msg);
    v = json_parse_capped("{\"a\":1} x", 9, 100, &err);
    CHECK(v == NULL);
    v = json_parse_capped("{\"a\":\"\\u0000\"}", 14, 100, &err);
    CHECK(v == NULL);
}

/* A parse error says what and where, never what was there: jansson's own text ends in
 * "near '<input>'", which would put a citizen's name from a cut-off page into the log. */
TEST(json_parse_errors_give_positions_never_content)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        /* A pull page cut inside a surname. */
        { "{\"cursor\":\"c1.5\",\"changes\":[{\"kind\":\"citizen\",\"fields\":{\"surname\":"
          "\"Drottninghol",
          "malformed JSON: premature end of input at line 1, column 79 (byte 78)" },
        { "{\"a\": Andersson}", "malformed JSON: invalid syntax at line 1, column 15 (byte 14)" },
        { "{\"Andersson\":1,\"Andersson\":2}",
          "malformed JSON: duplicate object key at line 1, column 26 (byte 25)" },
        { "{\"a\":1} Andersson",
          "malformed JSON: end of input expected at line 1, column 17 (byte 16)" },
        { "{\"a\":\"Andersson\\u0000\"}",
          "malformed JSON: \\u0000 in a string at line 1, column 22 (byte 21)" },
        { "{\"Andersson\\u0000\":1}",
          "malformed JSON: \\u0000 in an object key at line 1, column 18 (byte 17)" },
        { "{\"a\":\"\\uD800Andersson\"}",
          "malformed JSON: invalid syntax at line 1, column 22 (byte 21)" },
        { "{\"a\":\"\xc3(Andersson\"}",
          "malformed JSON: invalid UTF-8 at line 1, column 6 (byte 5)" },
        { "{\"a\":19121212121212e99999}",
          "malformed JSON: number out of range at line 1, column 25 (byte 24)" },
        { "\n\n  [\"Åsa\", Öberg]",
          "malformed JSON: invalid syntax at line 3, column 11 (byte 13)" },
        { "", "malformed JSON: premature end of input at line 1, column 0 (byte 0)" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct errbuf err = { "" };
        json_t *v = json_parse_capped(cases[i].text, strlen(cases[i].text), 1000, &err);
        CHECK_MSG(v == NULL, "accepted: %s", cases[i].text);
        json_decref(v);
        CHECK_MSG(strcmp(err.msg, cases[i].want) == 0, "case %zu: expected \"%s\", got \"%s\"", i,
                  cases[i].want, err.msg);
        static const char *const personal[] = { "Drottning", "Andersson",  "Åsa",
                                                "Öberg",     "1912121212", "near" };
        for (size_t j = 0; j < ARRAY_LEN(personal); j++)
            CHECK_MSG(strstr(err.msg, personal[j]) == NULL, "case %zu: \"%s\" in \"%s\"", i,
                      personal[j], err.msg);
    }
    /* Nested past jansson's depth limit (2048). */
    char deep[2100];
    memset(deep, '[', sizeof(deep));
    struct errbuf err = { "" };
    CHECK(json_parse_capped(deep, sizeof(deep), sizeof(deep), &err) == NULL);
    CHECK_STR("malformed JSON: maximum nesting depth reached at line 1, column 2049 (byte 2048)",
              err.msg);
}

TEST(json_getters_name_the_field_that_is_wrong)
{
    struct errbuf err;
    const char text[] = "{\"s\":\"hej\",\"n\":5,\"b\":true,\"x\":null,\"long\":\"abcdef\"}";
    json_t *v = json_parse_capped(text, sizeof(text) - 1, 1000, &err);
    CHECK(v != NULL);
    if (v == NULL)
        return;
    const char *s = NULL;
    long long n = 0;
    bool b = false;
    CHECK(json_get_str(v, "s", true, 10, &s, &err) && strcmp(s, "hej") == 0);
    CHECK(json_get_int(v, "n", true, 0, 10, &n, &err) && n == 5);
    CHECK(json_get_bool(v, "b", true, &b, &err) && b);
    s = "unchanged";
    CHECK(json_get_str(v, "x", false, 10, &s, &err) && strcmp(s, "unchanged") == 0);
    CHECK(json_get_str(v, "missing", false, 10, &s, &err));
    CHECK(!json_get_str(v, "missing", true, 10, &s, &err));
    CHECK_STR("missing: missing", err.msg);
    CHECK(!json_get_str(v, "n", true, 10, &s, &err));
    CHECK_STR("n: expected a string", err.msg);
    CHECK(!json_get_str(v, "long", true, 5, &s, &err));
    CHECK_STR("long: longer than 5 bytes", err.msg);
    CHECK(!json_get_int(v, "n", true, 6, 10, &n, &err));
    CHECK_STR("n: outside 6..10", err.msg);
    CHECK(!json_get_int(v, "s", true, 0, 10, &n, &err));
    CHECK(!json_get_bool(v, "n", true, &b, &err));
    CHECK(!json_get_str(json_object_get(v, "n"), "a", true, 10, &s, &err));
    CHECK_STR("expected a JSON object", err.msg);
    json_decref(v);
}

TEST(json_string_escaping)
{
    struct buf b;
    buf_init(&b, 256);
    CHECK(json_append_string(&b, "a\"b\\c\n\t\x01 å", false));
    CHECK_STR("\"a\\\"b\\\\c\\n\\t\\u0001 å\"", buf_str(&b));
    buf_reset(&b);
    CHECK(json_append_string(&b, "å\xf0\x9f\x98\x80", true));
    CHECK_STR("\"\\u00e5\\ud83d\\ude00\"", buf_str(&b));
    buf_reset(&b);
    CHECK(!json_append_string(&b, "bad \xc3", true));
    buf_finish(&b);
}

TEST(utf8_validation_is_strict)
{
    CHECK(utf8_valid("Åsa Öberg", strlen("Åsa Öberg")));
    CHECK(utf8_valid("\xf4\x8f\xbf\xbf", 4));
    CHECK(!utf8_valid("\xc0\xaf", 2));         /* overlong */
    CHECK(!utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    CHECK(!utf8_valid("\x80", 1));
    CHECK(!utf8_valid("\xe2\x82", 2)); /* truncated */
    CHECK_INT(9, utf8_length("Åsa Öberg", strlen("Åsa Öberg")));
}

int
main(void)
{
    RUN(buf_refuses_to_grow_past_its_cap_and_keeps_its_contents);
    RUN(log_scrub_removes_personnummer_and_nothing_else);
    RUN(log_lines_name_module_and_place_and_are_scrubbed);
    RUN(config_reads_sections_comments_and_quotes);
    RUN(config_errors_say_path_line_key_and_what);
    RUN(config_file_then_environment_then_command_line);
    RUN(config_file_others_can_change_is_refused);
    RUN(json_parse_is_capped_and_strict);
    RUN(json_parse_errors_give_positions_never_content);
    RUN(json_getters_name_the_field_that_is_wrong);
    RUN(json_string_escaping);
    RUN(utf8_validation_is_strict);
    return test_done();
}
