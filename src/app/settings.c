/* Settings schema. Keys are added here as the features that read them arrive. */
#include "settings.h"

#include <unistd.h>

#include "macros.h"

#define LOG_MODULE "settings"
#include "log.h"

static const struct config_key schema[] = {
    { "log.level", CONFIG_STRING, "warn", 0, 0, "err, warn, info or debug" },
    { "log.syslog", CONFIG_BOOL, "false", 0, 0, "also log to syslog (the journal)" },
    { "kiosk.site_name", CONFIG_STRING, NULL, 0, 0, "the medborgarkontor this kiosk stands in" },
    { "store.path", CONFIG_STRING, NULL, 0, 0, "the encrypted cache (SQLite file)" },
    { "store.key", CONFIG_STRING, NULL, 0, 0,
      "root key provider: keyfile:PATH or credential:NAME" },
    { "server.url", CONFIG_STRING, NULL, 0, 0, "the case store, https://host:port" },
    { "server.pin", CONFIG_STRING, NULL, 0, 0, "the case store's key pin, sha256//BASE64" },
    { "device.id", CONFIG_STRING, NULL, 0, 0, "this kiosk's id at the case store" },
    { "device.site", CONFIG_STRING, NULL, 0, 0, "the site the case store enrolled us for" },
    { "device.districts", CONFIG_STRING, NULL, 0, 0, "the districts in this kiosk's scope" },
    { "device.roles_key", CONFIG_STRING, NULL, 0, 0,
      "the key that signs this site's role list (base64 Ed25519, from enrolment)" },
    { "identity.url", CONFIG_STRING, NULL, 0, 0, "BankID RP v6 base URL, https://…/rp/v6.0" },
    { "identity.pin", CONFIG_STRING, NULL, 0, 0, "the identity provider's key pin, if pinned" },
    { "identity.rp_cert", CONFIG_STRING, NULL, 0, 0,
      "the relying-party certificate (PEM file) for mutual TLS with the provider" },
    { "identity.rp_key", CONFIG_STRING, NULL, 0, 0,
      "its private key (PEM file, mode 600); read into memory, never copied to disk" },
    { "identity.ca", CONFIG_STRING, NULL, 0, 0,
      "the provider's CA (PEM file) when not pinned, e.g. BankID's SSL root CA" },
    { "identity.end_user_ip", CONFIG_STRING, "127.0.0.1", 0, 0,
      "the kiosk's address as the provider sees it (endUserIp)" },
    { "sync.interval_s", CONFIG_INT, "60", 5, 86400, "seconds between syncs in --daemon mode" },
    { "identity.demo", CONFIG_BOOL, "false", 0, 0,
      "offer the provider's demo identities on the QR screen (refused unless the provider is on"
      " this machine)" },
    { "display.width_px", CONFIG_INT, "1080", 320, 8192, "the display's width in pixels" },
    { "display.height_px", CONFIG_INT, "1920", 320, 8192, "the display's height in pixels" },
    { "display.diagonal_tenths_in", CONFIG_INT, "215", 70, 1000,
      "the display's diagonal in tenths of an inch (for millimetre layout)" },
    { "display.bottom_edge_mm", CONFIG_INT, "850", 0, 2500,
      "height of the screen's bottom edge above the floor, in mm (850: a floor stand; 700: a low"
      " wall mount); doctor says how much of the screen is within reach (380-1220 mm)" },
    { "display.cursor", CONFIG_BOOL, "true", 0, 0,
      "show the mouse pointer; a kiosk with only a touch screen hides it (the packaged unit sets"
      " MINASIDOR_DISPLAY_CURSOR=false)" },
    { "speech.enabled", CONFIG_BOOL, "true", 0, 0,
      "say the idle warning aloud (espeak-ng), for people who cannot see the screen" },
    { "input.drag_mm", CONFIG_INT, "6", 1, 50, "movement that turns a press into a drag" },
    { "input.long_press_ms", CONFIG_INT, "5000", 500, 20000, "a long press (technician mode)" },
    { "input.double_tap_ms", CONFIG_INT, "300", 0, 2000,
      "a second tap on the same control within this is ignored" },
};

static const struct config *current;

struct config *
settings_load(const char *path, const char *const *sets, size_t n_sets, struct errbuf *err)
{
    struct config *cfg = config_create(schema, ARRAY_LEN(schema));
    if (path == NULL && access(SETTINGS_DEFAULT_PATH, F_OK) == 0)
        path = SETTINGS_DEFAULT_PATH;
    bool ok = path == NULL || config_load_file(cfg, path, err);
    ok = ok && config_load_env(cfg, "MINASIDOR", err);
    for (size_t i = 0; ok && i < n_sets; i++)
        ok = config_set(cfg, sets[i], "--set", err);
    enum log_level level;
    if (ok && !log_level_parse(config_get_string(cfg, "log.level"), &level)) {
        err_set(err, "%s: log.level: expected err, warn, info or debug",
                config_origin(cfg, "log.level"));
        ok = false;
    }
    if (!ok) {
        config_destroy(cfg);
        return NULL;
    }
    return cfg;
}

const struct config *
settings_current(void)
{
    return current;
}

void
settings_set_current(const struct config *cfg)
{
    current = cfg;
}
