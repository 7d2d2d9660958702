/* The kiosk's health checks (diag.h). Each check fills one line: what was found and, when it is
 * not ok, what a technician can do about it. */
#include "diag.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "assets.h"
#include "client.h"
#include "i18n.h"
#include "macros.h"
#include "sync.h"
#include "ui.h"
#include "usage_names.h"
#include "version.h"

/* Thresholds. The clock matters for BankID and for the data's age; the rest are what a site
 * notices within a working day. */
#define CLOCK_WARN_S  30
#define CLOCK_FAIL_S  300
#define SYNC_FAIL_S   (24 * 3600)
#define OUTBOX_WARN_S (10 * 60)
#define OUTBOX_FAIL_S (24 * 3600)
#define DISK_WARN_B   (256LL << 20)
#define DISK_FAIL_B   (64LL << 20)
#define MO_MAGIC      0x950412deu

const char *
diag_level_code(enum diag_level l)
{
    return l == DIAG_OK ? "ok" : l == DIAG_WARN ? "warn" : "fail";
}

__attribute__((format(printf, 5, 6))) static void
add(struct diag_report *r, const char *name, enum diag_level level, const char *hint,
    const char *fmt, ...)
{
    if (r->n == DIAG_MAX_CHECKS)
        return;
    struct diag_check *c = &r->checks[r->n++];
    c->name = name;
    c->level = level;
    c->hint = level == DIAG_OK ? NULL : hint;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
    for (char *p = c->detail; *p != '\0'; p++) /* one line per check */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (level > r->worst)
        r->worst = level;
}

static bool
check_config(const struct config *cfg, struct diag_report *r)
{
    static const char *const needed[] = { "store.path",      "store.key", "server.url",
                                          "server.pin",      "device.id", "device.site",
                                          "device.districts" };
    char missing[160] = "";
    for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
        if (config_get_string(cfg, needed[i]) == NULL) {
            size_t l = strlen(missing);
            snprintf(missing + l, sizeof(missing) - l, "%s%s", l ? ", " : "", needed[i]);
        }
    }
    if (missing[0] != '\0') {
        add(r, "config", DIAG_FAIL, "run minasidor provision (it writes these settings)",
            "not provisioned: %s not set", missing);
        return false;
    }
    add(r, "config", DIAG_OK, NULL, "provisioned as %s for %s (%s)",
        config_get_string(cfg, "device.id"), config_get_string(cfg, "device.site"),
        config_get_string(cfg, "device.districts"));
    return true;
}

/* The key provider, and the key file's owner and mode before the store reads it. */
static struct store_key *
check_key(const struct config *cfg, struct diag_report *r)
{
    const char *provider = config_get_string(cfg, "store.key");
    if (strncmp(provider, "keyfile:", 8) == 0) {
        const char *path = provider + 8;
        struct stat st;
        if (lstat(path, &st) != 0) {
            add(r, "key", DIAG_FAIL, "restore the key file or factory-reset and provision again",
                "key file %s: %s", path, strerror(errno));
            return NULL;
        }
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
            add(r, "key", DIAG_FAIL, "chmod 600 the key file and chown it to the kiosk's user",
                "key file %s: mode %04o, owner uid %u (needs 0600 or 0400, owned by uid %u)", path,
                (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)geteuid());
            return NULL;
        }
    } else if (strncmp(provider, "credential:", 11) == 0 &&
               getenv("CREDENTIALS_DIRECTORY") == NULL) {
        add(r, "key", DIAG_FAIL, "run under systemd with LoadCredentialEncrypted= for the key",
            "key provider %s: $CREDENTIALS_DIRECTORY is not set", provider);
        return NULL;
    }
    struct store_key *key = NULL;
    struct errbuf err = { "" };
    if (store_key_load(provider, &key, &err) != STORE_OK) {
        add(r, "key", DIAG_FAIL, "check store.key; the key must be 32 bytes", "%s", err.msg);
        return NULL;
    }
    add(r, "key", DIAG_OK, NULL, "root key from %.*s, readable only by its owner",
        (int)strcspn(provider, ":"), provider);
    return key;
}

static long long
file_size(const char *path, const char *suffix)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s%s", path, suffix);
    struct stat st;
    return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

static void
check_store(struct store *s, const char *path, struct diag_report *r)
{
    r->db_bytes = file_size(path, "") + file_size(path, "-wal");
    struct errbuf err = { "" };
    r->integrity_ok = store_integrity_check(s, &err) == STORE_OK;
    if (!r->integrity_ok) {
        add(r, "store", DIAG_FAIL,
            "the cache is damaged: factory-reset and provision again (the case store has the data)",
            "%s", err.msg);
        return;
    }
    int64_t entries = 0;
    if (store_audit_verify(s, &entries, &err) != STORE_OK) {
        add(r, "store", DIAG_FAIL, "keep the device for investigation; do not reset it",
            "integrity ok, but the audit log is broken: %s", err.msg);
        return;
    }
    add(r, "store", DIAG_OK, NULL,
        "schema %d, integrity ok, %.1f MB, audit log of %" PRId64 " entries intact",
        store_schema_version(), (double)r->db_bytes / 1e6, entries);
}

/* A gettext .mo image starts with its magic number; a TrueType/OpenType font with its version. */
static void
check_assets(struct diag_report *r)
{
    enum { N_FONTS = 6 };
    struct {
        const char *name;
        const unsigned char *data;
        const size_t *len;
        bool font;
    } a[N_FONTS + 16] = {
        { "Noto Sans", font_sans_regular, &font_sans_regular_len, true },
        { "Noto Sans Bold", font_sans_bold, &font_sans_bold_len, true },
        { "Noto Sans Arabic", font_arabic_regular, &font_arabic_regular_len, true },
        { "Noto Sans Arabic Bold", font_arabic_bold, &font_arabic_bold_len, true },
        { "Noto Sans Ethiopic", font_ethiopic_regular, &font_ethiopic_regular_len, true },
        { "Noto Sans Ethiopic Bold", font_ethiopic_bold, &font_ethiopic_bold_len, true },
    };
    size_t n = N_FONTS;
    for (size_t i = 0; i < asset_catalogues_n && n < ARRAY_LEN(a); i++, n++) {
        a[n].name = asset_catalogues[i].code;
        a[n].data = asset_catalogues[i].data;
        a[n].len = asset_catalogues[i].len;
    }
    for (size_t i = 0; i < n; i++) {
        const unsigned char *d = a[i].data;
        bool ok = *a[i].len >= 28;
        if (ok && a[i].font)
            ok = memcmp(d, "\0\1\0\0", 4) == 0 || memcmp(d, "OTTO", 4) == 0;
        else if (ok)
            ok = ((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
                  (uint32_t)d[3] << 24) == MO_MAGIC;
        if (!ok) {
            add(r, "assets", DIAG_FAIL, "rebuild the binary (fonts and catalogues are embedded)",
                "%s%s is missing or damaged", a[i].name, a[i].font ? "" : " catalogue");
            return;
        }
    }
    /* The languages offered, and those left out by the build's catalogue check. */
    char offered[128] = "", left_out[256] = "";
    for (size_t i = 0; i < i18n_table_len; i++) {
        const struct i18n_language *l = &i18n_table[i];
        char *buf = l->complete ? offered : left_out;
        size_t size = l->complete ? sizeof(offered) : sizeof(left_out), at = strlen(buf);
        if (l->complete)
            snprintf(buf + at, size - at, "%s%s", at ? " " : "", l->code);
        else
            snprintf(buf + at, size - at, "%s%s %u %%", at ? ", " : "", l->code,
                     l->total ? l->translated * 100 / l->total : 0);
    }
    add(r, "assets", DIAG_OK, NULL,
        "%d fonts and %zu catalogues embedded; languages offered: %s%s%s%s", N_FONTS,
        asset_catalogues_n, offered, left_out[0] ? " (not complete, not offered: " : "", left_out,
        left_out[0] ? ")" : "");
}

static void
check_casestore(const struct config *cfg, int64_t now, struct diag_report *r)
{
    const char *url = config_get_string(cfg, "server.url");
    int64_t server_time = 0;
    struct errbuf err = { "" };
    enum sync_error e =
        sync_server_time(url, config_get_string(cfg, "server.pin"), &server_time, &err);
    if (e == SYNC_ERR_PIN) {
        add(r, "casestore", DIAG_FAIL,
            "server.pin must be the case store's key pin (casestore pin); provision again if the "
            "server's key changed",
            "%s answers with a key that does not match server.pin", url);
    } else if (e != SYNC_OK) {
        add(r, "casestore", DIAG_FAIL, "check the network and that the case store is running",
            "%s: %s", url, err.msg);
    } else {
        r->casestore_reachable = true;
        r->have_clock_offset = true;
        r->clock_offset_s = server_time - now;
        add(r, "casestore", DIAG_OK, NULL, "%s reachable, key matches the pin", url);
    }
    if (!r->have_clock_offset) {
        add(r, "clock", DIAG_WARN, "fix the case store check first", "offset unknown");
        return;
    }
    int64_t off = r->clock_offset_s < 0 ? -r->clock_offset_s : r->clock_offset_s;
    add(r, "clock",
        off > CLOCK_FAIL_S   ? DIAG_FAIL
        : off > CLOCK_WARN_S ? DIAG_WARN
                             : DIAG_OK,
        "check time synchronisation (timedatectl status)",
        "%+" PRId64 " s from the case store's clock", r->clock_offset_s);
}

static void
check_identity(const struct config *cfg, struct diag_report *r)
{
    const char *url = config_get_string(cfg, "identity.url");
    if (url == NULL) {
        add(r, "identity", DIAG_WARN, "set identity.url (and its pin or CA and RP certificate)",
            "no identity provider configured: citizens cannot identify here");
        return;
    }
    struct idp_client *c =
        idp_client_create(url, config_get_string(cfg, "identity.pin"),
                          config_get_string(cfg, "identity.end_user_ip"), "doctor");
    struct errbuf err = { "" };
    const char *cert = config_get_string(cfg, "identity.rp_cert");
    const char *key = config_get_string(cfg, "identity.rp_key");
    if (config_get_string(cfg, "identity.ca") != NULL)
        idp_client_set_ca(c, config_get_string(cfg, "identity.ca"));
    if ((cert != NULL || key != NULL) &&
        (cert == NULL || key == NULL || !idp_client_load_rp_cert(c, cert, key, &err))) {
        add(r, "identity", DIAG_FAIL,
            "identity.rp_cert and identity.rp_key: PEM files, key mode 600",
            "the RP certificate cannot be used: %s",
            cert && key ? err.msg : "one of the two is set");
        idp_client_destroy(c);
        return;
    }
    /* Cancelling an order that does not exist proves reachability, the pin and (with mutual
     * TLS) our certificate, without starting anything. */
    char code[32] = "";
    enum idp_error e = idp_cancel(c, "00000000-0000-4000-8000-000000000000", code, &err);
    idp_client_destroy(c);
    if (e == IDP_ERR_PIN) {
        add(r, "identity", DIAG_FAIL, "identity.pin must be the provider's key pin",
            "%s answers with a key that does not match identity.pin", url);
    } else if (e == IDP_ERR_ANSWER && strcmp(code, "unauthorized") == 0) {
        add(r, "identity", DIAG_FAIL, "ask for a new RP certificate (casestore rp-cert)",
            "%s refuses this kiosk's RP certificate", url);
    } else if (e == IDP_OK || e == IDP_ERR_ANSWER) {
        r->idp_reachable = true;
        add(r, "identity", DIAG_OK, NULL, "%s reachable%s", url,
            config_get_string(cfg, "identity.pin") ? ", key matches the pin" : "");
    } else {
        add(r, "identity", DIAG_FAIL, "check the network and the provider's address", "%s: %s", url,
            err.msg);
    }
}

static void
check_sync_and_outbox(const struct config *cfg, struct store *s, int64_t now, struct diag_report *r)
{
    struct store_sync_state ss;
    if (store_sync_state_get(s, &ss) == STORE_OK) {
        r->last_sync_at = ss.last_success_at;
        snprintf(r->cursor, sizeof(r->cursor), "%.24s%s", ss.cursor,
                 strlen(ss.cursor) > 24 ? "…" : "");
        int64_t warn_s = 3 * config_get_int(cfg, "sync.interval_s");
        if (warn_s < 15 * 60)
            warn_s = 15 * 60;
        int64_t age = now - ss.last_success_at;
        if (ss.last_success_at == 0)
            add(r, "sync", DIAG_FAIL, "run minasidor sync --once and read its error",
                "never synced");
        else
            add(r, "sync",
                age > SYNC_FAIL_S ? DIAG_FAIL
                : age > warn_s    ? DIAG_WARN
                                  : DIAG_OK,
                "run minasidor sync --once and read its error", "last sync %" PRId64 " s ago", age);
    }
    int64_t pending = 0, oldest = 0;
    if (store_outbox_stats(s, &pending, &oldest) == STORE_OK) {
        r->outbox_pending = pending;
        r->outbox_oldest_at = pending > 0 ? oldest : 0;
        int64_t age = pending > 0 ? now - oldest : 0;
        if (pending == 0)
            add(r, "outbox", DIAG_OK, NULL, "empty: everything was delivered");
        else
            add(r, "outbox",
                age > OUTBOX_FAIL_S   ? DIAG_FAIL
                : age > OUTBOX_WARN_S ? DIAG_WARN
                                      : DIAG_OK,
                "submissions wait for the case store: check the casestore and sync lines",
                "%" PRId64 " waiting, the oldest for %" PRId64 " s", pending, age);
    }
}

/* Records sync could not use: the case store has been told; its administrator repairs them. */
static void
check_set_aside(struct store *s, struct diag_report *r)
{
    int64_t total = 0, unreported = 0;
    char kinds[160];
    if (store_set_aside_summary(s, &total, &unreported, kinds) != STORE_OK)
        return;
    r->set_aside = total;
    if (total == 0) {
        add(r, "set_aside", DIAG_OK, NULL, "every record from the case store was usable");
        return;
    }
    add(r, "set_aside", DIAG_WARN,
        "ask the city's administrator to repair the records (casestore record rewrite or "
        "casestore record remove); they heal with the next sync",
        "%" PRId64 " records set aside (%s), %" PRId64 " not yet reported to the case store", total,
        kinds, unreported);
}

void
diag_state_dir(const struct config *cfg, char *out, size_t size)
{
    const char *path = config_get_string(cfg, "store.path");
    snprintf(out, size, "%s", path != NULL ? path : "");
    char *slash = strrchr(out, '/');
    if (slash == NULL)
        snprintf(out, size, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

static void
check_disk(const struct config *cfg, struct diag_report *r)
{
    char dir[4096];
    diag_state_dir(cfg, dir, sizeof(dir));
    struct statvfs v;
    if (statvfs(dir, &v) != 0) {
        add(r, "disk", DIAG_FAIL, "check the state directory", "%s: %s", dir, strerror(errno));
        return;
    }
    r->free_disk_bytes = (long long)v.f_bavail * (long long)v.f_frsize;
    add(r, "disk",
        r->free_disk_bytes < DISK_FAIL_B   ? DIAG_FAIL
        : r->free_disk_bytes < DISK_WARN_B ? DIAG_WARN
                                           : DIAG_OK,
        "free space on the state directory's file system", "%.0f MB free under %s",
        (double)r->free_disk_bytes / 1e6, dir);
}

/* How the screen is mounted against the unobstructed forward reach of EN 301 549 8.3.3.1 (380 to
 * 1220 mm above the floor, standing or seated): ui_reach_of, the computation the kiosk's layout
 * uses too. Less than half the screen within reach is a warning (a seated person cannot operate
 * it), none of it a failure. */
static void
check_display(const struct config *cfg, struct diag_report *r)
{
    int w = (int)config_get_int(cfg, "display.width_px");
    int h = (int)config_get_int(cfg, "display.height_px");
    struct ui_reach reach;
    ui_reach_of((double)config_get_int(cfg, "display.diagonal_tenths_in") / 10.0, w, h,
                (int)config_get_int(cfg, "display.bottom_edge_mm"), &reach);
    double within = reach.within_mm;
    enum diag_level level = within <= 0                    ? DIAG_FAIL
                            : within < reach.height_mm / 2 ? DIAG_WARN
                                                           : DIAG_OK;
    add(r, "display", level,
        "mount the screen lower or higher, or set display.bottom_edge_mm to how it is mounted",
        "%dx%d px, %.0f mm high, from %.0f to %.0f mm above the floor: %.0f mm (%.0f %%) "
        "within "
        "reach (%d-%d mm)",
        w, h, reach.height_mm, reach.bottom_mm, reach.top_mm, within,
        100.0 * within / reach.height_mm, UI_REACH_LOW_MM, UI_REACH_HIGH_MM);
}

/* The key and the store: opened here from the settings, or the kiosk's own. The store to use
 * goes to *use; *own is what this opened (the caller closes it). */
static void
open_store(const struct config *cfg, struct store *store, struct diag_report *r, struct store **use,
           struct store **own)
{
    *own = NULL;
    *use = store;
    if (store != NULL) {
        add(r, "key", DIAG_OK, NULL, "root key loaded (the kiosk is running)");
        return;
    }
    const char *path = config_get_string(cfg, "store.path");
    struct store_key *key = check_key(cfg, r);
    struct errbuf err = { "" };
    if (key == NULL)
        add(r, "store", DIAG_FAIL, "fix the key line first", "not checked without the key");
    else if (access(path, F_OK) != 0)
        add(r, "store", DIAG_FAIL, "provision again (minasidor provision)", "%s: %s", path,
            strerror(errno));
    else if (store_open(path, key, own, &err) != STORE_OK)
        add(r, "store", DIAG_FAIL, "the cache cannot be opened: factory-reset and provision again",
            "%s", err.msg);
    store_key_destroy(key);
    *use = *own;
}

/* What both runs start with: the assets, the settings, the key and the store (checked). False
 * when the kiosk is not provisioned and nothing more can be checked. */
static bool
begin(const struct config *cfg, struct store *store, struct diag_report *r, struct store **use,
      struct store **own)
{
    memset(r, 0, sizeof(*r));
    r->last_sync_at = -1;
    *use = *own = NULL;
    check_assets(r);
    check_display(cfg, r);
    if (!check_config(cfg, r))
        return false;
    open_store(cfg, store, r, use, own);
    if (*use != NULL)
        check_store(*use, config_get_string(cfg, "store.path"), r);
    return true;
}

void
diag_run(const struct config *cfg, struct store *store, int64_t now, struct diag_report *r)
{
    struct store *own, *use;
    if (!begin(cfg, store, r, &use, &own))
        return;
    check_casestore(cfg, now, r);
    check_identity(cfg, r);
    if (use != NULL) {
        check_sync_and_outbox(cfg, use, now, r);
        check_set_aside(use, r);
    }
    check_disk(cfg, r);
    store_close(own);
}

void
diag_run_local(const struct config *cfg, struct store *store, int64_t now, struct diag_report *r)
{
    struct store *own, *use;
    if (!begin(cfg, store, r, &use, &own))
        return;
    if (use != NULL) {
        check_sync_and_outbox(cfg, use, now, r);
        check_set_aside(use, r);
    }
    check_disk(cfg, r);
    store_close(own);
}

void
diag_run_network(const struct config *cfg, int64_t now, struct diag_report *r)
{
    memset(r, 0, sizeof(*r));
    r->last_sync_at = -1;
    if (config_get_string(cfg, "server.url") != NULL)
        check_casestore(cfg, now, r);
    check_identity(cfg, r);
}

void
diag_checks_json(const struct diag_report *r, json_t *array)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct diag_check *c = &r->checks[i];
        json_array_append_new(array, json_pack("{s:s, s:s, s:s, s:s?}", "name", c->name, "status",
                                               diag_level_code(c->level), "detail", c->detail,
                                               "hint", c->hint));
    }
}

void
diag_health(void *cfg, struct store *store, int64_t now, struct sync_health *out)
{
    struct diag_report r;
    diag_run_local(cfg, store, now, &r);
    memset(out, 0, sizeof(*out));
    if (usage_version_valid(MINASIDOR_VERSION)) /* else none: the case store would refuse it */
        snprintf(out->version, sizeof(out->version), "%s", MINASIDOR_VERSION);
    out->last_sync_at = r.last_sync_at > 0 ? r.last_sync_at : 0;
    out->outbox_age_s =
        r.outbox_pending > 0 && r.outbox_oldest_at > 0 ? now - r.outbox_oldest_at : 0;
    for (size_t i = 0; i < r.n && out->n_failing < SYNC_HEALTH_MAX_FAILING; i++) {
        if (r.checks[i].level == DIAG_FAIL && usage_check_known(r.checks[i].name))
            out->failing[out->n_failing++] = r.checks[i].name; /* a literal of this file */
    }
}
