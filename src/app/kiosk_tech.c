/* Technician mode: entered by a long press in the corner and an identification that the site's
 * role list says is a technician's. It shows the device's health (diag.c), syncs on request,
 * tests the touch screen, exports diagnostics without personal data and erases the kiosk.
 * Nothing here reads a citizen's data. */
#include "kiosk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "i18n.h"
#include "json.h"
#include "version.h"

#define LOG_MODULE "tech"
#include "log.h"

static void line(struct model_tech *t, const char *label, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
line(struct model_tech *t, const char *label, int level, const char *fmt, ...)
{
    if (t->n == MODEL_TECH_LINES)
        return;
    struct model_tech_line *l = &t->lines[t->n++];
    l->label = label;
    l->level = level;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->value, sizeof(l->value), fmt, ap);
    va_end(ap);
}

static const char *
or_dash(const char *s)
{
    return s != NULL ? s : "–";
}

/* "2026-12-02 10:15 UTC (5 min ago)" */
static void
when(int64_t at, int64_t now, char *out, size_t size)
{
    if (at <= 0) {
        snprintf(out, size, "%s", _("never"));
        return;
    }
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(out, size, "%s (%" PRId64 " s)", stamp, now - at);
}

/* What the technician's screen shows: the device's facts, then every check. */
static void
fill(struct kiosk *k, const struct diag_report *r)
{
    struct model_tech *t = &k->m.tech;
    t->n = 0;
    const struct config *c = k->cfg;
    int64_t now = kiosk_now_utc(k);
    char buf[96];
    line(t, N_("Version"), -1, "minasidor %s", MINASIDOR_VERSION);
    line(t, N_("Device"), -1, "%s", or_dash(config_get_string(c, "device.id")));
    line(t, N_("Site and districts"), -1, "%s: %s", or_dash(config_get_string(c, "device.site")),
         or_dash(config_get_string(c, "device.districts")));
    line(t, N_("Case store"), r->casestore_reachable ? 0 : 2, "%s — %s",
         or_dash(config_get_string(c, "server.url")),
         r->casestore_reachable ? _("reachable") : _("not reachable"));
    const char *pin = or_dash(config_get_string(c, "server.pin"));
    line(t, N_("Case store pin"), -1, "%.30s%s", pin, strlen(pin) > 30 ? "…" : "");
    line(t, N_("Identity provider"), r->idp_reachable ? 0 : 2, "%s — %s",
         or_dash(config_get_string(c, "identity.url")),
         r->idp_reachable ? _("reachable") : _("not reachable"));
    when(r->last_sync_at, now, buf, sizeof(buf));
    line(t, N_("Last sync"), -1, "%s", buf);
    line(t, N_("Cursor"), -1, "%s", r->cursor[0] ? r->cursor : "–");
    when(r->outbox_oldest_at, now, buf, sizeof(buf));
    line(t, N_("Outbox"), -1, _("%lld waiting; oldest %s"), (long long)r->outbox_pending,
         r->outbox_pending > 0 ? buf : "–");
    if (r->have_clock_offset)
        line(t, N_("Clock offset"), -1, "%+" PRId64 " s", r->clock_offset_s);
    else
        line(t, N_("Clock offset"), -1, "%s", _("unknown"));
    line(t, N_("Free disk"), -1, "%.0f MB", (double)r->free_disk_bytes / 1e6);
    line(t, N_("Database"), r->integrity_ok ? 0 : 2, "%.1f MB, %s %s", (double)r->db_bytes / 1e6,
         _("integrity check"), r->integrity_ok ? "ok" : _("failed"));
    int w, h;
    ui_display(k->ui, &w, &h);
    double ppmm = ui_px_per_mm(k->ui);
    line(t, N_("Display"), -1, "%d×%d px, %.0f dpi, %.1f\"", w, h, ppmm * 25.4,
         (double)config_get_int(c, "display.diagonal_tenths_in") / 10.0);
    if (k->m.tech.touch_max_mm < 0)
        line(t, N_("Touch"), -1, "%s", _("not tested since start; the system maps touch 1:1"));
    else
        line(t, N_("Touch"), k->m.tech.touch_max_mm <= 3.0 ? 0 : 1,
             _("last test: largest error %.1f mm"), k->m.tech.touch_max_mm);
    for (size_t i = 0; i < r->n; i++)
        line(t, r->checks[i].name, (int)r->checks[i].level, "%s", r->checks[i].detail);
}

void
kiosk_tech_refresh(void *app)
{
    struct kiosk *k = app;
    if (k->m.role != MODEL_ROLE_TECHNICIAN)
        return;
    if (k->m.tech.erased) {
        k->m.tech.n = 0;
        ui_invalidate(k->ui);
        return;
    }
    struct diag_report r;
    diag_run(k->cfg, k->ks.store, kiosk_now_utc(k), &r);
    fill(k, &r);
    ui_invalidate(k->ui);
}

void
kiosk_tech_begin(struct kiosk *k, const struct bankid_user *u, const char *staff_id)
{
    (void)u; /* a technician's name is not shown: the screen is about the device */
    kiosk_logout(k);
    k->m.signed_in = true;
    k->m.role = MODEL_ROLE_TECHNICIAN;
    snprintf(k->m.staff.staff_id, sizeof(k->m.staff.staff_id), "%s", staff_id);
    k->last_input_ms = kiosk_now_ms(k);
    const struct store_actor actor = { STORE_SESSION_TECHNICIAN, k->m.staff.staff_id, NULL };
    if (k->ks.store != NULL &&
        store_audit_append(k->ks.store, &actor, 0, "technician", "service mode opened") != STORE_OK)
        LOG_WARN("audit entry not written");
    LOG_INFO("service mode opened");
    kiosk_go(k, SCREEN_TECHNICIAN);
}

void
kiosk_tech_entry(void *app)
{
    struct kiosk *k = app;
    k->m.notice = NULL;
    kiosk_identify(k, MODEL_ID_FOR_TECHNICIAN);
}

void
kiosk_tech_sync_now(void *app)
{
    struct kiosk *k = app;
    if (k->sync == NULL) {
        snprintf(k->m.tech.sync_result, sizeof(k->m.tech.sync_result), "%s",
                 _("This kiosk does not sync: it is not provisioned."));
        ui_invalidate(k->ui);
        return;
    }
    struct sync_status st;
    sync_runner_status(k->sync, &st);
    k->tech_sync_runs = st.runs;
    k->tech_sync_wait = true;
    k->m.tech.syncing = true;
    k->m.tech.sync_result[0] = '\0';
    sync_runner_request(k->sync);
    ui_invalidate(k->ui);
}

/* Called on every status poll: while "sync now" runs, the screen shows it running; when the run
 * it asked for has ended, what it did. */
void
kiosk_tech_poll(struct kiosk *k, const struct sync_status *st)
{
    if (!k->tech_sync_wait)
        return;
    /* The run we asked for ends at the second completed run if one was under way, else the first. */
    if (st->runs <= k->tech_sync_runs || (st->running && st->runs == k->tech_sync_runs + 1))
        return;
    k->tech_sync_wait = false;
    k->m.tech.syncing = false;
    if (st->last_error == SYNC_OK)
        snprintf(k->m.tech.sync_result, sizeof(k->m.tech.sync_result),
                 _("Done: %zu changes in %zu pages; %zu delivered, %zu rejected."),
                 st->last.records, st->last.pages, st->last.accepted + st->last.duplicates,
                 st->last.rejected);
    else
        snprintf(k->m.tech.sync_result, sizeof(k->m.tech.sync_result), "%s: %.180s", _("Failed"),
                 st->message);
    kiosk_tech_refresh(k);
}

/* The state directory: where the store lives. */
static void
state_dir(const struct kiosk *k, char *out, size_t size)
{
    const char *path = config_get_string(k->cfg, "store.path");
    snprintf(out, size, "%s", path != NULL ? path : "./x");
    char *slash = strrchr(out, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        snprintf(out, size, ".");
}

void
kiosk_tech_export(void *app)
{
    struct kiosk *k = app;
    struct diag_report r;
    diag_run(k->cfg, k->ks.store, kiosk_now_utc(k), &r);
    fill(k, &r);
    json_t *facts = json_object();
    for (size_t i = 0; i < k->m.tech.n; i++)
        json_object_set_new(facts, k->m.tech.lines[i].label, json_string(k->m.tech.lines[i].value));
    json_t *checks = json_array();
    for (size_t i = 0; i < r.n; i++)
        json_array_append_new(checks,
                              json_pack("{s:s, s:s, s:s, s:s?}", "name", r.checks[i].name, "status",
                                        diag_level_code(r.checks[i].level), "detail",
                                        r.checks[i].detail, "hint", r.checks[i].hint));
    json_t *o = json_pack("{s:s, s:I, s:s, s:o, s:o}", "device",
                          or_dash(config_get_string(k->cfg, "device.id")), "exported_at",
                          (json_int_t)kiosk_now_utc(k), "status", diag_level_code(r.worst), "facts",
                          facts, "checks", checks);
    char dir[4096], stamp[32];
    state_dir(k, dir, sizeof(dir));
    time_t t = (time_t)kiosk_now_utc(k);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    char path[4200];
    snprintf(path, sizeof(path), "%s/diagnostics-%s.json", dir, stamp);
    char *text = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
    bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    free(text);
    if (ok) {
        snprintf(k->m.tech.export_path, sizeof(k->m.tech.export_path), "%.255s", path);
    } else {
        LOG_WARN("diagnostics not written: %s", strerror(errno));
        snprintf(k->m.tech.export_path, sizeof(k->m.tech.export_path), "%s",
                 _("could not be written"));
    }
    ui_invalidate(k->ui);
}

/* Overwrites a file with zeros, flushes it and removes it. */
static bool
shred(const char *path)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT;
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    static const char zeros[4096];
    for (off_t done = 0; ok && done < st.st_size; done += (off_t)sizeof(zeros))
        ok = write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros);
    ok = ok && fsync(fd) == 0;
    close(fd);
    return unlink(path) == 0 && ok;
}

/* Factory reset: un-enrol with the case store (while the device key still exists), then erase
 * the root key (the cache, the device key and every citizen key are derived from or wrapped
 * under it: crypto-erasure) and the cache's files. */
void
kiosk_tech_factory_reset(void *app)
{
    struct kiosk *k = app;
    if (k->m.role != MODEL_ROLE_TECHNICIAN || k->m.tech.erased)
        return;
    const struct store_actor actor = { STORE_SESSION_TECHNICIAN, k->m.staff.staff_id, NULL };
    if (k->ks.store != NULL &&
        store_audit_append(k->ks.store, &actor, 0, "technician", "factory reset") != STORE_OK)
        LOG_WARN("audit entry not written");
    sync_runner_stop(k->sync);
    k->sync = NULL;
    k->m.tech.erase_note = NULL;
    struct errbuf err = { "" };
    bool unenrolled = false;
    if (k->ks.key != NULL && config_get_string(k->cfg, "server.url") != NULL) {
        unsigned char pk[32];
        unsigned char *sk = sync_device_keypair(k->ks.key, pk);
        struct sync_client *c =
            sync_client_create(k->ks.store, config_get_string(k->cfg, "server.url"),
                               config_get_string(k->cfg, "server.pin"),
                               config_get_string(k->cfg, "device.id"), sk, &err);
        unenrolled = c != NULL && sync_unenroll(c, &err) == SYNC_OK;
        sync_client_destroy(c);
        sodium_free(sk);
    }
    if (!unenrolled) {
        LOG_WARN("un-enrolment failed: %s", err.msg);
        k->m.tech.erase_note = N_("The case store could not be told: revoke this device there.");
    }
    const char *provider = config_get_string(k->cfg, "store.key");
    const char *db = config_get_string(k->cfg, "store.path");
    kiosk_state_close(&k->ks);
    bool ok = true;
    if (provider != NULL && strncmp(provider, "keyfile:", 8) == 0)
        ok = shred(provider + 8);
    else if (provider != NULL && k->m.tech.erase_note == NULL)
        k->m.tech.erase_note = N_("The key is a system credential: remove it with systemd-creds.");
    if (db != NULL) {
        static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
        for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
            char p[4200];
            snprintf(p, sizeof(p), "%s%s", db, suffix[i]);
            ok = shred(p) && ok;
        }
    }
    if (!ok)
        k->m.tech.erase_note = N_("Some files could not be removed: check the state directory.");
    k->m.tech.erased = true;
    LOG_INFO("factory reset done%s", unenrolled ? ", device un-enrolled" : "");
    kiosk_tech_refresh(k);
}
