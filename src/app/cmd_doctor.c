/* `minasidor doctor`: the kiosk's health, one line per check, for technicians and monitoring. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "diag.h"
#include "json.h"
#include "settings.h"

void
cmd_doctor_usage(FILE *out)
{
    fprintf(out, "Usage: minasidor [--config FILE] doctor [--json]\n"
                 "\n"
                 "Checks this kiosk: settings, the key provider and the key file's permissions,\n"
                 "the encrypted store (schema, integrity, audit log), the embedded fonts and\n"
                 "catalogues, the case store and the identity provider (reachable, pins), the\n"
                 "clock, the last sync, the outbox and the free disk. One line per check:\n"
                 "  ok|warn|fail  NAME  what was found  (hint)\n"
                 "--json prints the same as one JSON object. Never prints personal data.\n"
                 "Exit codes: 0 all ok, 1 warnings, 2 failures.\n");
}

int
cmd_doctor(int argc, char **argv)
{
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            cmd_doctor_usage(stdout);
            return APP_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = true;
        } else {
            return app_usage_error(cmd_doctor_usage, "doctor: unknown option '%s'", argv[i]);
        }
    }
    struct diag_report r;
    diag_run(settings_current(), NULL, (int64_t)time(NULL), &r);
    if (as_json) {
        json_t *checks = json_array();
        diag_checks_json(&r, checks);
        json_t *o = json_pack("{s:s, s:o}", "status", diag_level_code(r.worst), "checks", checks);
        char *text = json_dumps(o, JSON_INDENT(2));
        puts(text);
        free(text);
        json_decref(o);
    } else {
        for (size_t i = 0; i < r.n; i++) {
            const struct diag_check *c = &r.checks[i];
            printf("%-4s  %-9s  %s%s%s%s\n", diag_level_code(c->level), c->name, c->detail,
                   c->hint ? "  (" : "", c->hint ? c->hint : "", c->hint ? ")" : "");
        }
    }
    return r.worst == DIAG_OK ? 0 : r.worst == DIAG_WARN ? 1 : 2;
}
