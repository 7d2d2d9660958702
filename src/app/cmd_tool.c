/* `minasidor tool`: quick answers for support staff and technicians, without the UI. Each tool
 * takes one input, or "-" to read one input per line from stdin (100 000 numbers in one process),
 * and prints one line per input: short and human by default, one JSON object with --json. */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "app.h"
#include "buf.h"
#include "date.h"
#include "holidays.h"
#include "json.h"
#include "ocr.h"
#include "payqr.h"
#include "phone.h"
#include "pnr.h"
#include "utf8.h"

#define MAX_INPUT_BYTES 4096

enum tool_opt {
    OPT_TODAY = 1 << 0,
    OPT_INTERIM = 1 << 1,
    OPT_LEVEL = 1 << 2,
    OPT_LENGTH_DIGIT = 1 << 3,
};

struct tool_opts {
    bool json;
    struct date today;
    unsigned pnr_flags;
    struct ocr_rules rules;
    bool length_digit;
};

/* Writes the result for one input to out (one or more lines, no final newline) and says
 * whether the input was valid. */
typedef bool (*tool_fn)(const char *input, const struct tool_opts *o, struct buf *out);

struct tool {
    const char *name;
    const char *args;
    const char *summary;
    unsigned opts;
    tool_fn run;
};

/* The separator before the next member of the object being written. */
static const char *
sep(const struct buf *out)
{
    return out->len > 0 && out->data[out->len - 1] != '{' ? "," : "";
}

/* Appends "key":"value" (value escaped; invalid UTF-8 shown as '?'). */
static bool
jstr(struct buf *out, const char *key, const char *value)
{
    if (!buf_printf(out, "%s\"%s\":", sep(out), key))
        return false;
    if (json_append_string(out, value, false))
        return true;
    char safe[MAX_INPUT_BYTES + 1];
    size_t n = 0;
    for (size_t i = 0; value[i] && n < MAX_INPUT_BYTES; i++)
        safe[n++] = ((unsigned char)value[i] < 0x80) ? value[i] : '?';
    safe[n] = '\0';
    return json_append_string(out, safe, false);
}

static bool
jbool(struct buf *out, const char *key, bool value)
{
    return buf_printf(out, "%s\"%s\":%s", sep(out), key, value ? "true" : "false");
}

static bool
json_invalid(struct buf *out, const char *input, const char *reason, const char *message)
{
    bool ok = buf_append_char(out, '{') && (input == NULL || jstr(out, "input", input)) &&
              jbool(out, "valid", false) && jstr(out, "reason", reason) &&
              jstr(out, "message", message) && buf_append_char(out, '}');
    (void)ok; /* the line cap (64 KiB) is far above any of these lines */
    return false;
}

static bool
human_invalid(struct buf *out, const char *input, const char *reason, const char *message)
{
    (void)!buf_printf(out, "%s: invalid (%s): %s", input, reason, message);
    return false;
}

static bool
invalid(const struct tool_opts *o, struct buf *out, const char *input, const char *reason,
        const char *message)
{
    return o->json ? json_invalid(out, input, reason, message)
                   : human_invalid(out, input, reason, message);
}

static bool
tool_pnr(const char *input, const struct tool_opts *o, struct buf *out)
{
    struct pnr p;
    enum pnr_error e = pnr_parse(input, o->today, o->pnr_flags, &p);
    if (e != PNR_OK)
        return invalid(o, out, input, pnr_error_code(e), pnr_error_message(e));
    char display[14], birth[11], sex[2] = { p.sex, '\0' };
    pnr_format(&p, PNR_STYLE_LONG, o->today, display);
    date_format_iso(p.birth, birth);
    if (o->json) {
        (void)!(buf_append_char(out, '{') && jstr(out, "input", input) &&
                jbool(out, "valid", true) && jstr(out, "canonical", p.canonical) &&
                jstr(out, "display", display) && jstr(out, "kind", pnr_kind_code(p.kind)) &&
                jstr(out, "sex", sex) && jstr(out, "birth_date", birth) &&
                buf_append_char(out, '}'));
    } else {
        (void)!buf_printf(out, "%s: valid %s, born %s, legal sex %s", display,
                          pnr_kind_code(p.kind), birth, sex);
    }
    return true;
}

static const char *
level_code(enum ocr_level l)
{
    switch (l) {
    case OCR_LEVEL_SOFT:
        return "soft";
    case OCR_LEVEL_HARD:
        return "hard";
    case OCR_LEVEL_VARIABLE:
        return "variable";
    case OCR_LEVEL_FIXED:
        return "fixed";
    }
    return "?";
}

static bool
tool_ocr(const char *input, const struct tool_opts *o, struct buf *out)
{
    char ref[OCR_MAX_LEN + 1];
    enum ocr_error e = ocr_normalize(input, ref);
    struct ocr_result r = { 0 };
    if (e == OCR_OK)
        e = ocr_check(ref, &o->rules, &r);
    if (e != OCR_OK)
        return invalid(o, out, input, ocr_error_code(e), ocr_error_message(e));
    char grouped[32];
    ocr_group(ref, grouped, sizeof(grouped));
    if (o->json) {
        (void)!(buf_append_char(out, '{') && jstr(out, "input", input) &&
                jbool(out, "valid", true) && jstr(out, "reference", ref) &&
                jstr(out, "level", level_code(o->rules.level)) &&
                jbool(out, "checksum_ok", r.checksum_ok) &&
                jbool(out, "length_digit_ok", r.length_digit_ok) && jstr(out, "grouped", grouped) &&
                (r.checksum_ok || jstr(out, "warning", "checksum")) && buf_append_char(out, '}'));
    } else {
        (void)!buf_printf(out, "%s: valid at level %s%s%s", grouped, level_code(o->rules.level),
                          r.length_digit_ok ? ", length digit ok" : "",
                          r.checksum_ok ? "" : " (warning: check digit does not match)");
    }
    return true;
}

static bool
tool_ocr_make(const char *input, const struct tool_opts *o, struct buf *out)
{
    char ref[OCR_MAX_LEN + 1];
    enum ocr_error e = ocr_make(input, o->length_digit, ref);
    if (e != OCR_OK)
        return invalid(o, out, input, ocr_error_code(e), ocr_error_message(e));
    if (o->json) {
        char grouped[32];
        ocr_group(ref, grouped, sizeof(grouped));
        (void)!(buf_append_char(out, '{') && jstr(out, "base", input) &&
                jbool(out, "valid", true) && jbool(out, "length_digit", o->length_digit) &&
                jstr(out, "reference", ref) && jstr(out, "grouped", grouped) &&
                buf_append_char(out, '}'));
    } else {
        (void)!buf_append_str(out, ref);
    }
    return true;
}

static const char *const weekday_codes[] = { "", "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static bool
tool_holidays(const char *input, const struct tool_opts *o, struct buf *out)
{
    char *end = NULL;
    long year = strtol(input, &end, 10);
    struct holiday hs[HOLIDAY_COUNT];
    size_t n = 0;
    if (*input != '\0' && end != NULL && *end == '\0' && year >= HOLIDAY_MIN_YEAR &&
        year <= HOLIDAY_MAX_YEAR)
        n = holidays_for_year((int)year, hs);
    if (n == 0)
        return invalid(o, out, input, "year", "Give a year from 1900 to 2200");
    for (size_t i = 0; i < n; i++) {
        char iso[11];
        date_format_iso(hs[i].date, iso);
        const char *wd = weekday_codes[date_weekday(hs[i].date)];
        if (i > 0)
            (void)!buf_append_char(out, '\n');
        if (o->json) {
            (void)!(buf_append_char(out, '{') && jstr(out, "date", iso) &&
                    jstr(out, "weekday", wd) && jstr(out, "code", holiday_code(hs[i].id)) &&
                    jstr(out, "name_sv", holiday_name_sv(hs[i].id)) &&
                    jstr(out, "name_en", holiday_label(hs[i].id)) &&
                    jbool(out, "public_holiday", hs[i].public_holiday) &&
                    buf_append_char(out, '}'));
        } else {
            /* Pad by characters, not bytes, so that å, ä and ö keep the columns straight. */
            const char *name = holiday_name_sv(hs[i].id);
            int pad = 24 - (int)utf8_length(name, strlen(name));
            (void)!buf_printf(out, "%s %s  %s%*s %s", iso, wd, name, pad > 0 ? pad : 0, "",
                              hs[i].public_holiday ? "public holiday"
                                                   : "not a public holiday, not a working day");
        }
    }
    return true;
}

static bool
tool_next_workday(const char *input, const struct tool_opts *o, struct buf *out)
{
    struct date d;
    if (!date_parse_iso(input, &d) || d.year < HOLIDAY_MIN_YEAR || d.year >= HOLIDAY_MAX_YEAR)
        return invalid(o, out, input, "date", "Give a date as YYYY-MM-DD (years 1900 to 2199)");
    struct date next = cal_next_workday(d);
    char iso[11];
    date_format_iso(next, iso);
    if (o->json) {
        (void)!(
            buf_append_char(out, '{') && jstr(out, "input", input) && jbool(out, "valid", true) &&
            jbool(out, "is_workday", cal_is_workday(d)) && jstr(out, "next_workday", iso) &&
            jstr(out, "weekday", weekday_codes[date_weekday(next)]) && buf_append_char(out, '}'));
    } else {
        (void)!buf_printf(out, "%s (%s)", iso, weekday_codes[date_weekday(next)]);
    }
    return true;
}

static bool
tool_callback_due(const char *input, const struct tool_opts *o, struct buf *out)
{
    int64_t t = 0;
    struct local_time lt = { .date = { 0, 0, 0 } };
    if (time_parse_iso8601(input, &t))
        tz_to_local(t, &lt);
    if (lt.date.year < HOLIDAY_MIN_YEAR || lt.date.year >= HOLIDAY_MAX_YEAR)
        return invalid(o, out, input, "moment",
                       "Give a moment as YYYY-MM-DDTHH:MM[:SS] with Z or an offset such as "
                       "+01:00 (Stockholm time if none)");
    int64_t due = callback_due(t);
    char local[26], utc[21], req[26];
    time_format_local(due, local);
    time_format_utc(due, utc);
    time_format_local(t, req);
    struct local_time dl;
    tz_to_local(due, &dl);
    if (o->json) {
        (void)!(buf_append_char(out, '{') && jstr(out, "input", input) &&
                jbool(out, "valid", true) && jstr(out, "request_local", req) &&
                jstr(out, "due", local) && jstr(out, "due_utc", utc) &&
                jstr(out, "weekday", weekday_codes[date_weekday(dl.date)]) &&
                buf_append_char(out, '}'));
    } else {
        (void)!buf_printf(out, "%s (%s)", local, weekday_codes[date_weekday(dl.date)]);
    }
    return true;
}

static bool
tool_phone(const char *input, const struct tool_opts *o, struct buf *out)
{
    struct phone p;
    enum phone_error e = phone_parse(input, &p);
    if (e != PHONE_OK)
        return invalid(o, out, input, phone_error_code(e), phone_error_message(e));
    char national[24];
    phone_format_national(&p, national, sizeof(national));
    if (o->json) {
        (void)!(buf_append_char(out, '{') && jstr(out, "input", input) &&
                jbool(out, "valid", true) && jstr(out, "e164", p.e164) &&
                jstr(out, "national", national) && jstr(out, "kind", phone_kind_code(p.kind)) &&
                buf_append_char(out, '}'));
    } else {
        (void)!buf_printf(out, "%s: valid %s number, %s", p.e164, phone_kind_code(p.kind),
                          national);
    }
    return true;
}

static bool
get_date(const json_t *obj, const char *key, bool required, struct date *out, bool *present,
         struct errbuf *err)
{
    const char *s = NULL;
    if (!json_get_str(obj, key, required, 10, &s, err))
        return false;
    *present = s != NULL;
    if (s != NULL && !date_parse_iso(s, out)) {
        err_set(err, "%s: expected a date YYYY-MM-DD", key);
        return false;
    }
    return true;
}

static bool
tool_payqr(const char *input, const struct tool_opts *o, struct buf *out)
{
    struct errbuf err;
    json_t *root = json_parse_capped(input, strlen(input), MAX_INPUT_BYTES, &err);
    if (root == NULL)
        return invalid(o, out, NULL, "json", err.msg);

    struct payqr_invoice inv = { .account_type = PAYQR_BANKGIRO };
    const char *bg = NULL, *pg = NULL;
    long long amount = 0;
    bool has_due = false;
    bool ok = json_is_object(root);
    if (!ok)
        err_set(&err, "expected a JSON object");
    ok = ok && json_get_str(root, "payee", true, 200, &inv.payee_name, &err) &&
         json_get_str(root, "orgnr", true, 20, &inv.payee_orgnr, &err) &&
         json_get_str(root, "ocr", true, 40, &inv.reference, &err) &&
         get_date(root, "invoice_date", false, &inv.invoice_date, &inv.has_invoice_date, &err) &&
         get_date(root, "due_date", true, &inv.due_date, &has_due, &err) &&
         json_get_int(root, "amount_ore", true, 1, INT64_C(100000000000), &amount, &err) &&
         json_get_str(root, "bankgiro", false, 20, &bg, &err) &&
         json_get_str(root, "plusgiro", false, 20, &pg, &err);
    if (ok && (bg == NULL) == (pg == NULL)) {
        err_set(&err, "give exactly one of bankgiro and plusgiro");
        ok = false;
    }
    if (!ok) {
        json_decref(root);
        return invalid(o, out, NULL, "field", err.msg);
    }
    inv.amount_ore = amount;
    inv.account = bg ? bg : pg;
    inv.account_type = bg ? PAYQR_BANKGIRO : PAYQR_PLUSGIRO;

    struct buf payload;
    buf_init(&payload, 2048);
    enum payqr_error e = payqr_build(&inv, &payload);
    json_decref(root);
    if (e != PAYQR_OK) {
        buf_finish(&payload);
        return invalid(o, out, NULL, payqr_error_code(e), "This field of the invoice is not valid");
    }
    if (o->json)
        (void)!(buf_append_char(out, '{') && jbool(out, "valid", true) &&
                jstr(out, "payload", buf_str(&payload)) && buf_append_char(out, '}'));
    else
        (void)!buf_append_str(out, buf_str(&payload));
    buf_finish(&payload);
    return true;
}

static const struct tool tools[] = {
    { "pnr", "<personnummer>", "check a personnummer or samordningsnummer", OPT_TODAY | OPT_INTERIM,
      tool_pnr },
    { "ocr", "<reference>", "check an OCR payment reference", OPT_LEVEL, tool_ocr },
    { "ocr-make", "<base>", "make an OCR reference from a base number", OPT_LENGTH_DIGIT,
      tool_ocr_make },
    { "holidays", "<year>", "public holidays and non-working eves of a year", 0, tool_holidays },
    { "next-workday", "<YYYY-MM-DD>", "the first working day after a date", 0, tool_next_workday },
    { "callback-due", "<ISO-8601 moment>", "when a callback requested then must have happened", 0,
      tool_callback_due },
    { "phone", "<number>", "check and normalise a Swedish phone number", 0, tool_phone },
    { "payqr", "<json-invoice>", "the payment QR payload for an invoice", 0, tool_payqr },
};

void
cmd_tool_usage(FILE *out)
{
    fprintf(out, "Usage: minasidor tool TOOL [OPTIONS] INPUT|-\n\nTools:\n");
    for (size_t i = 0; i < ARRAY_LEN(tools); i++)
        fprintf(out, "  %-13s %-19s %s\n", tools[i].name, tools[i].args, tools[i].summary);
    fprintf(out,
            "\nOptions:\n"
            "  --json                 one JSON object per line, with stable keys\n"
            "  --today YYYY-MM-DD     (pnr) reference date for the century and the '+' rule\n"
            "  --allow-interim        (pnr) accept interim numbers\n"
            "  --level L              (ocr) soft, hard (default), variable, fixed:N or "
            "fixed:N,M\n"
            "  --length-digit         (ocr-make) include the length digit\n"
            "\nINPUT '-' reads one input per line from stdin.\n"
            "payqr reads {\"payee\",\"orgnr\",\"ocr\",\"due_date\",\"amount_ore\",\"bankgiro\"|"
            "\"plusgiro\"[,\"invoice_date\"]}.\n"
            "Exit codes: 0 every input valid, 1 some input invalid, 2 usage error.\n");
}

static bool
run_one(const struct tool *t, const char *input, const struct tool_opts *o, struct buf *line)
{
    buf_reset(line);
    bool valid;
    if (strlen(input) > MAX_INPUT_BYTES)
        valid = invalid(o, line, NULL, "too_long", "The input line is too long");
    else
        valid = t->run(input, o, line);
    fwrite(buf_str(line), 1, line->len, stdout);
    fputc('\n', stdout);
    return valid;
}

int
cmd_tool(int argc, char **argv)
{
    if (argc < 2)
        return app_usage_error(cmd_tool_usage, "tool: which tool?");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cmd_tool_usage(stdout);
        return APP_EXIT_OK;
    }
    const struct tool *t = NULL;
    for (size_t i = 0; i < ARRAY_LEN(tools); i++) {
        if (strcmp(argv[1], tools[i].name) == 0)
            t = &tools[i];
    }
    if (t == NULL)
        return app_usage_error(cmd_tool_usage, "tool: unknown tool '%s'", argv[1]);

    struct tool_opts o = { .today = date_today_stockholm(), .rules = { .level = OCR_LEVEL_HARD } };
    const char *input = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cmd_tool_usage(stdout);
            return APP_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            o.json = true;
        } else if (strcmp(a, "--allow-interim") == 0 && (t->opts & OPT_INTERIM)) {
            o.pnr_flags |= PNR_ALLOW_INTERIM;
        } else if (strcmp(a, "--length-digit") == 0 && (t->opts & OPT_LENGTH_DIGIT)) {
            o.length_digit = true;
        } else if (strcmp(a, "--today") == 0 && (t->opts & OPT_TODAY)) {
            if (i + 1 >= argc || !date_parse_iso(argv[i + 1], &o.today))
                return app_usage_error(cmd_tool_usage, "tool %s: --today needs a date YYYY-MM-DD",
                                       t->name);
            i++;
        } else if (strcmp(a, "--level") == 0 && (t->opts & OPT_LEVEL)) {
            if (i + 1 >= argc || !ocr_rules_parse(argv[i + 1], &o.rules))
                return app_usage_error(cmd_tool_usage,
                                       "tool %s: --level takes soft, hard, variable, fixed:N or "
                                       "fixed:N,M (N, M from 2 to 25)",
                                       t->name);
            i++;
        } else if (a[0] == '-' && a[1] != '\0' && strcmp(a, "--") != 0) {
            return app_usage_error(cmd_tool_usage, "tool %s: unknown option '%s'", t->name, a);
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && input == NULL) {
            input = argv[++i];
        } else if (input == NULL) {
            input = a;
        } else {
            return app_usage_error(cmd_tool_usage, "tool %s: one input only (or '-' for stdin)",
                                   t->name);
        }
    }
    if (input == NULL)
        return app_usage_error(cmd_tool_usage, "tool %s: missing %s", t->name, t->args);

    struct buf line;
    buf_init(&line, 64 * 1024);
    bool all_valid = true;
    if (strcmp(input, "-") != 0) {
        all_valid = run_one(t, input, &o, &line);
    } else {
        char *text = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&text, &cap, stdin)) >= 0) {
            while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
                text[--n] = '\0';
            if (!run_one(t, text, &o, &line))
                all_valid = false;
        }
        free(text);
    }
    buf_finish(&line);
    if (fflush(stdout) != 0)
        return APP_EXIT_INVALID;
    return all_valid ? APP_EXIT_OK : APP_EXIT_INVALID;
}
