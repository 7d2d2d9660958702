/* Global option parsing and subcommand dispatch. */
#include "app.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "settings.h"
#include "version.h"

#define LOG_MODULE "app"
#include "log.h"

static const struct app_cmd commands[] = {
    { "tool", "support answers without the UI: personnummer, OCR, holidays, phone, payment QR",
      cmd_tool, cmd_tool_usage },
    { "provision", "enrol this kiosk with the case store and fill its encrypted cache",
      cmd_provision, cmd_provision_usage },
    { "sync", "deliver queued submissions and fetch changes (--once or --daemon)", cmd_sync,
      cmd_sync_usage },
    { "identify", "one BankID identification against the configured provider", cmd_identify,
      cmd_identify_usage },
    { "doctor", "check this kiosk's health: ok, warn or fail per check (--json for machines)",
      cmd_doctor, cmd_doctor_usage },
    { "kiosk", "run the kiosk (a window, or --headless with a --script)", cmd_kiosk,
      cmd_kiosk_usage },
};

static void
usage(FILE *out)
{
    fprintf(out, "Usage: minasidor [--config FILE] [--set KEY=VALUE]... COMMAND [ARGS]\n"
                 "       minasidor --help | --version\n"
                 "       minasidor COMMAND --help\n"
                 "\n"
                 "The Mina sidor self-service kiosk for Stockholm's medborgarkontor.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  --config FILE      read settings from FILE (default " SETTINGS_DEFAULT_PATH
                 " if it exists)\n"
                 "  --set KEY=VALUE    override one setting (e.g. --set log.level=debug)\n"
                 "  --help             show this help\n"
                 "  --version          show the version\n"
                 "\n"
                 "Settings are read from the file, then MINASIDOR_* environment variables, then\n"
                 "--set. Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error.\n");
}

int
app_usage_error(void (*usage_fn)(FILE *out), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("minasidor: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (usage_fn != NULL)
        usage_fn(stderr);
    return APP_EXIT_USAGE;
}

int
app_main(int argc, char **argv)
{
    const char *config_path = NULL;
    const char *sets[32];
    size_t n_sets = 0;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return APP_EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            printf("minasidor %s\n", MINASIDOR_VERSION);
            return APP_EXIT_OK;
        }
        if (strcmp(a, "--config") == 0 || strcmp(a, "--set") == 0) {
            if (i + 1 >= argc)
                return app_usage_error(usage, "%s needs a value", a);
            if (a[2] == 'c') {
                config_path = argv[++i];
            } else {
                if (n_sets == ARRAY_LEN(sets))
                    return app_usage_error(usage, "too many --set options");
                sets[n_sets++] = argv[++i];
            }
            continue;
        }
        if (a[0] == '-')
            return app_usage_error(usage, "unknown option '%s'", a);
        break;
    }
    if (i >= argc)
        return app_usage_error(usage, "no command given");

    const struct app_cmd *cmd = NULL;
    for (size_t c = 0; c < ARRAY_LEN(commands); c++) {
        if (strcmp(argv[i], commands[c].name) == 0)
            cmd = &commands[c];
    }
    if (cmd == NULL)
        return app_usage_error(usage, "unknown command '%s'", argv[i]);

    struct errbuf err;
    struct config *cfg = settings_load(config_path, sets, n_sets, &err);
    if (cfg == NULL) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        return APP_EXIT_USAGE;
    }
    enum log_level level = LOG_LEVEL_WARN;
    log_level_parse(config_get_string(cfg, "log.level"), &level);
    log_init(level,
             LOG_TARGET_STDERR | (config_get_bool(cfg, "log.syslog") ? LOG_TARGET_SYSLOG : 0),
             "minasidor");
    settings_set_current(cfg);

    int rc = cmd->run(argc - i, argv + i);

    settings_set_current(NULL);
    config_destroy(cfg);
    log_finish();
    return rc;
}
