/* Settings schema. Keys are added here as the features that read them arrive. */
#include "settings.h"

#include <string.h>
#include <unistd.h>

#include "macros.h"
#include "speech.h"

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
      "speak (espeak-ng): the idle warning always, everything in speech mode (false: silent)" },
    { "speech.output", CONFIG_STRING, "auto", 0, 0,
      "auto, headset or speaker: where speech is heard. Personal data is spoken only through a"
      " headset; auto: a headset when one is detected, else the loudspeaker" },
    { "speech.rate_wpm", CONFIG_INT, "160", SPEECH_RATE_MIN, SPEECH_RATE_MAX,
      "the speech rate a visit starts with, in words a minute (the keypad changes it)" },
    { "speech.volume", CONFIG_INT, "100", SPEECH_VOLUME_MIN, SPEECH_VOLUME_MAX,
      "the volume a visit starts with (espeak-ng amplitude, 100 normal; the keypad changes it)" },
    { "speech.time_factor", CONFIG_INT, "2", 1, 10,
      "in speech mode the idle warning and its countdown are this many times longer" },
    { "keypad.up", CONFIG_STRING, "Up,Keypad 8", 0, 0, "keys for Up (SDL key names, commas)" },
    { "keypad.down", CONFIG_STRING, "Down,Keypad 2", 0, 0, "keys for Down" },
    { "keypad.left", CONFIG_STRING, "Left,Keypad 4", 0, 0,
      "keys for Left (the letter wheel's previous character)" },
    { "keypad.right", CONFIG_STRING, "Right,Keypad 6", 0, 0,
      "keys for Right (the letter wheel's next character)" },
    { "keypad.enter", CONFIG_STRING, "Return,Keypad Enter,Space,Keypad 5", 0, 0,
      "keys for Enter (select)" },
    { "keypad.back", CONFIG_STRING, "Escape,AC Back", 0, 0, "keys for Back" },
    { "keypad.erase", CONFIG_STRING, "Backspace", 0, 0,
      "keys that delete in a text field and are Back elsewhere" },
    { "keypad.help", CONFIG_STRING, "F1,Help,?", 0, 0,
      "keys for Help (a punctuation character counts as typed, outside text fields)" },
    { "keypad.repeat", CONFIG_STRING, "F2,Keypad *", 0, 0, "keys that say the last thing again" },
    { "keypad.stop", CONFIG_STRING, "F3,Keypad /", 0, 0, "keys that stop speech" },
    { "keypad.volume_up", CONFIG_STRING, "Keypad +,F10,VolumeUp,+", 0, 0, "keys for louder" },
    { "keypad.volume_down", CONFIG_STRING, "Keypad -,F9,VolumeDown,-", 0, 0, "keys for softer" },
    { "keypad.rate_up", CONFIG_STRING, "F6", 0, 0, "keys for faster speech" },
    { "keypad.rate_down", CONFIG_STRING, "F5", 0, 0, "keys for slower speech" },
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
    const char *out = ok ? config_get_string(cfg, "speech.output") : NULL;
    if (ok && strcmp(out, "auto") != 0 && strcmp(out, "headset") != 0 &&
        strcmp(out, "speaker") != 0) {
        err_set(err, "%s: speech.output: expected auto, headset or speaker",
                config_origin(cfg, "speech.output"));
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
