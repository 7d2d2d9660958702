/* Usage statistics and fleet health (fleet.h). */
#include "fleet.h"

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "json.h"
#include "usage_names.h"

static bool
only_members(const json_t *o, const char *const *names, size_t n, const char *what,
             struct errbuf *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)o, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(key, names[i]) == 0;
        if (!known) {
            err_set(err, "%s: a member that is not allowed", what);
            return false;
        }
    }
    return true;
}

static bool
check_entry(const json_t *e, size_t i, int64_t today, struct errbuf *err)
{
    static const char *const members[] = { "day", "counter", "count" };
    const char *day = NULL, *counter = NULL;
    long long count = 0;
    struct date d;
    if (!json_is_object(e)) {
        err_set(err, "usage[%zu]: expected an object", i);
        return false;
    }
    if (!only_members(e, members, ARRAY_LEN(members), "usage", err) ||
        !json_get_str(e, "day", true, 10, &day, err) ||
        !json_get_str(e, "counter", true, USAGE_NAME_MAX, &counter, err) ||
        !json_get_int(e, "count", true, 1, CS_USAGE_MAX_COUNT, &count, err)) {
        err_prefix(err, "usage[%zu]", i);
        return false;
    }
    if (strlen(day) != 10 || !date_parse_iso(day, &d)) {
        err_set(err, "usage[%zu].day: not a date (YYYY-MM-DD)", i);
        return false;
    }
    int64_t days = date_to_days(d);
    if (days > today + 1 || days < today - CS_USAGE_MAX_AGE_D) {
        err_set(err, "usage[%zu].day: outside the last %d days", i, CS_USAGE_MAX_AGE_D);
        return false;
    }
    if (!usage_counter_known(counter)) {
        err_set(err, "usage[%zu].counter: not a counter of the vocabulary", i);
        return false;
    }
    return true;
}

static bool
check_health(const json_t *h, int64_t now, struct cs_health *out, struct errbuf *err)
{
    static const char *const members[] = { "version", "last_sync", "outbox_age", "failing" };
    const char *version = "";
    long long last_sync = 0, outbox_age = 0;
    if (!json_is_object(h)) {
        err_set(err, "health: expected an object");
        return false;
    }
    if (!only_members(h, members, ARRAY_LEN(members), "health", err) ||
        !json_get_str(h, "version", true, sizeof(out->version) - 1, &version, err) ||
        !json_get_int(h, "last_sync", true, 0, now + 86400, &last_sync, err) ||
        !json_get_int(h, "outbox_age", true, 0, 10LL * 366 * 86400, &outbox_age, err)) {
        err_prefix(err, "health");
        return false;
    }
    if (!usage_version_valid(version)) {
        err_set(err, "health.version: not a version such as 0.1.0");
        return false;
    }
    const json_t *failing = json_object_get(h, "failing");
    if (!json_is_array(failing) || json_array_size(failing) > 16) {
        err_set(err, "health.failing: expected an array of at most 16 check names");
        return false;
    }
    memset(out, 0, sizeof(*out));
    snprintf(out->version, sizeof(out->version), "%s", version);
    out->last_sync = last_sync;
    out->outbox_age = outbox_age;
    size_t i;
    json_t *v;
    json_array_foreach(failing, i, v)
    {
        const char *name = json_string_value(v);
        if (!usage_check_known(name)) {
            err_set(err, "health.failing[%zu]: not a check of minasidor doctor", i);
            return false;
        }
        size_t l = strlen(out->failing);
        snprintf(out->failing + l, sizeof(out->failing) - l, "%s%s", l ? "," : "", name);
    }
    return true;
}

bool
cs_status_check(const json_t *req, int64_t now, int64_t *batch, const json_t **usage,
                struct cs_health *health, struct errbuf *err)
{
    static const char *const members[] = { "batch", "usage", "health" };
    long long b = 0;
    if (!json_is_object(req) || !only_members(req, members, ARRAY_LEN(members), "status", err) ||
        !json_get_int(req, "batch", true, 0, 1LL << 53, &b, err))
        return false;
    const json_t *u = json_object_get(req, "usage");
    if (!json_is_array(u) || json_array_size(u) > CS_USAGE_MAX_ENTRIES) {
        err_set(err, "usage: expected an array of at most %d entries", CS_USAGE_MAX_ENTRIES);
        return false;
    }
    if (b == 0 && json_array_size(u) > 0) {
        err_set(err, "batch: counts need a batch number of 1 or more");
        return false;
    }
    int64_t today = now >= 0 ? now / 86400 : (now - 86399) / 86400;
    size_t i;
    json_t *e;
    json_array_foreach(u, i, e)
    {
        if (!check_entry(e, i, today, err))
            return false;
        for (size_t k = 0; k < i; k++) { /* one entry per day and counter */
            const json_t *o = json_array_get(u, k);
            if (strcmp(json_string_value(json_object_get(o, "day")),
                       json_string_value(json_object_get(e, "day"))) == 0 &&
                strcmp(json_string_value(json_object_get(o, "counter")),
                       json_string_value(json_object_get(e, "counter"))) == 0) {
                err_set(err, "usage[%zu]: the same day and counter as usage[%zu]", i, k);
                return false;
            }
        }
    }
    if (!check_health(json_object_get(req, "health"), now, health, err))
        return false;
    *batch = b;
    *usage = u;
    return true;
}

/* One CSV field (RFC 4180: quoted when it holds a comma, a quote or a line break). */
static void
csv_field(FILE *out, const char *s, char end)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fprintf(out, "%s%c", s, end);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fprintf(out, "\"%c", end);
}

static bool
valid_day(const char *s)
{
    struct date d;
    return s == NULL || (strlen(s) == 10 && date_parse_iso(s, &d));
}

int
cs_report_usage(struct cs_storage *st, const char *from, const char *to, const char *site,
                enum cs_format format, FILE *out)
{
    if (!valid_day(from) || !valid_day(to)) {
        fprintf(stderr, "casestore: --from and --to take a date: YYYY-MM-DD\n");
        return 2;
    }
    json_t *rows = NULL;
    if (cs_usage_query(st, from, to, site, &rows) != CS_OK) {
        json_decref(rows);
        fprintf(stderr, "casestore: cannot read the usage counts\n");
        return 1;
    }
    size_t i;
    json_t *r;
    if (format == CS_FORMAT_JSON) {
        json_t *list = json_array();
        json_array_foreach(rows, i, r)
        {
            json_int_t n = json_integer_value(json_object_get(r, "count"));
            bool hidden = n < CS_USAGE_SUPPRESS;
            json_array_append_new(
                list,
                json_pack("{s:O, s:O, s:O, s:o, s:b}", "day", json_object_get(r, "day"), "site",
                          json_object_get(r, "site"), "counter", json_object_get(r, "counter"),
                          "count", hidden ? json_null() : json_integer(n), "suppressed", hidden));
        }
        json_t *o = json_pack("{s:s?, s:s?, s:s?, s:i, s:o}", "from", from, "to", to, "site", site,
                              "suppressed_below", CS_USAGE_SUPPRESS, "rows", list);
        char *text = json_dumps(o, JSON_INDENT(2));
        fprintf(out, "%s\n", text);
        free(text);
        json_decref(o);
    } else {
        if (format == CS_FORMAT_CSV)
            fprintf(out, "day,site,counter,count\n");
        else
            fprintf(out, "%-10s  %-24s  %-28s  %s\n", "day", "site", "counter", "count");
        json_array_foreach(rows, i, r)
        {
            json_int_t n = json_integer_value(json_object_get(r, "count"));
            char count[24];
            if (n < CS_USAGE_SUPPRESS)
                snprintf(count, sizeof(count), "<%d", CS_USAGE_SUPPRESS);
            else
                snprintf(count, sizeof(count), "%lld", (long long)n);
            const char *day = json_string_value(json_object_get(r, "day"));
            const char *s = json_string_value(json_object_get(r, "site"));
            const char *c = json_string_value(json_object_get(r, "counter"));
            if (format == CS_FORMAT_CSV) {
                csv_field(out, day, ',');
                csv_field(out, s, ',');
                csv_field(out, c, ',');
                csv_field(out, count, '\n');
            } else
                fprintf(out, "%-10s  %-24s  %-28s  %s\n", day, s, c, count);
        }
        if (format == CS_FORMAT_TABLE)
            fprintf(out,
                    "(%zu rows; counts below %d are shown as <%d; no totals, so that none "
                    "can be worked out)\n",
                    json_array_size(rows), CS_USAGE_SUPPRESS, CS_USAGE_SUPPRESS);
    }
    json_decref(rows);
    return 0;
}

bool
cs_duration_parse(const char *s, int64_t *seconds)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0 || v > 100LL * 366 * 86400)
        return false;
    int64_t unit = *end == '\0' || strcmp(end, "s") == 0 ? 1
                   : strcmp(end, "m") == 0               ? 60
                   : strcmp(end, "h") == 0               ? 3600
                   : strcmp(end, "d") == 0               ? 86400
                                                         : 0;
    *seconds = v * unit;
    return unit != 0;
}

/* "2026-12-02T08:00:00Z" for a time, "never" for 0. */
static void
when(int64_t t, char out[static 21])
{
    if (t <= 0) {
        snprintf(out, 21, "never");
        return;
    }
    time_format_utc(t, out);
}

static void
age(int64_t s, char out[static 24])
{
    if (s <= 0)
        snprintf(out, 24, "-");
    else if (s < 3600)
        snprintf(out, 24, "%lldm", (long long)(s / 60));
    else if (s < 2 * 86400)
        snprintf(out, 24, "%lldh", (long long)(s / 3600));
    else
        snprintf(out, 24, "%lldd", (long long)(s / 86400));
}

int
cs_fleet(struct cs_storage *st, int64_t now, int64_t silent_after_s, bool as_json, FILE *out)
{
    json_t *devices = NULL;
    if (cs_fleet_query(st, &devices) != CS_OK) {
        json_decref(devices);
        fprintf(stderr, "casestore: cannot read the fleet\n");
        return 1;
    }
    size_t i, bad = 0;
    json_t *d;
    if (!as_json)
        fprintf(out, "%-16s  %-20s  %-10s  %-20s  %-20s  %-6s  %s\n", "device", "site", "version",
                "last seen", "last sync", "outbox", "state");
    json_array_foreach(devices, i, d)
    {
        const json_t *seen_v = json_object_get(d, "seen_at");
        int64_t seen = json_is_integer(seen_v) ? json_integer_value(seen_v) : 0;
        int64_t enrolled = json_integer_value(json_object_get(d, "enrolled_at"));
        const char *failing = json_string_value(json_object_get(d, "failing"));
        const char *state = "ok";
        if (json_is_true(json_object_get(d, "revoked")))
            state = "revoked";
        else if (seen == 0)
            state = now - enrolled > silent_after_s ? "silent" : "new";
        else if (now - seen > silent_after_s)
            state = "silent";
        else if (failing[0] != '\0')
            state = "failing";
        bad += strcmp(state, "silent") == 0 || strcmp(state, "failing") == 0;
        if (as_json) {
            json_object_set_new(d, "state", json_string(state));
            json_t *names = json_array();
            char copy[256];
            snprintf(copy, sizeof(copy), "%s", failing);
            for (char *save = NULL, *n = strtok_r(copy, ",", &save); n;
                 n = strtok_r(NULL, ",", &save))
                json_array_append_new(names, json_string(n));
            json_object_set_new(d, "failing", names);
            continue;
        }
        char seen_s[21], sync_s[21], outbox_s[24];
        when(seen, seen_s);
        when(json_integer_value(json_object_get(d, "last_sync")), sync_s);
        age(json_integer_value(json_object_get(d, "outbox_age")), outbox_s);
        const char *version = json_string_value(json_object_get(d, "version"));
        fprintf(out, "%-16s  %-20s  %-10s  %-20s  %-20s  %-6s  %s%s%s\n",
                json_string_value(json_object_get(d, "device")),
                json_string_value(json_object_get(d, "site")), version[0] ? version : "-", seen_s,
                sync_s, outbox_s, state, strcmp(state, "failing") == 0 ? ": " : "",
                strcmp(state, "failing") == 0 ? failing : "");
    }
    if (as_json) {
        json_t *o = json_pack("{s:I, s:I, s:O, s:b}", "now", (json_int_t)now, "silent_after_s",
                              (json_int_t)silent_after_s, "devices", devices, "ok", bad == 0);
        char *text = json_dumps(o, JSON_INDENT(2));
        fprintf(out, "%s\n", text);
        free(text);
        json_decref(o);
    } else {
        fprintf(out, "(%zu devices, %zu failing or silent; silent after %llds without a sync)\n",
                json_array_size(devices), bad, (long long)silent_after_s);
    }
    json_decref(devices);
    return bad > 0 ? 1 : 0;
}
