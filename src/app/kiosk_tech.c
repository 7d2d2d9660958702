/* Technician mode: entered by a long press in the corner and an identification that the site's
 * role list says is a technician's. It shows the device's health (diag.c), syncs on request,
 * tests the touch screen, exports diagnostics without personal data and erases the kiosk.
 * Nothing here reads a citizen's data. This is the technician's mode of a session (session.h);
 * the network checks belong to the device (they outlive the session, which only takes their
 * answer while it lasts). */
#include "kiosk.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
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
#include "xalloc.h"

#define LOG_MODULE "tech"
#include "log.h"

/* The technician mode's own state, allocated with the session. */
struct tech_state {
    size_t sync_until;        /* "sync now": the run count that ends it; 0 when not asked */
    struct diag_report local; /* the last checks on this machine */
    struct diag_report net;   /* the last network checks (valid when have_net) */
    bool have_net;
};

/* The technician's state, or NULL when no technician is signed in. */
static struct tech_state *
tech(const struct kiosk *k)
{
    return k->session != NULL && k->session->mode == &session_technician ? k->session->mode_state
                                                                         : NULL;
}

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

/* "2026-12-02 10:15 UTC (300 s)": when, and how long ago */
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

/* "https://… — nås": a service's address and what the last network check found. */
static void
reach_line(struct model_tech *t, const char *label, const char *url, bool checked, bool reachable)
{
    line(t, label,
         !checked    ? -1
         : reachable ? 0
                     : 2,
         "%s — %s", or_dash(url),
         !checked    ? _("checking…")
         : reachable ? _("reachable")
                     : _("not reachable"));
}

/* What the technician's screen shows: the device's facts, then every check. The network's
 * facts and checks are the last ones the probe brought; until the first, "checking". */
static void
fill(struct kiosk *k, const struct tech_state *ts)
{
    const struct diag_report *r = &ts->local, *net = &ts->net;
    bool have = ts->have_net;
    struct model_tech *t = &k->m->tech;
    t->n = 0;
    const struct config *c = k->cfg;
    int64_t now = kiosk_now_utc(k);
    char buf[96];
    line(t, N_("Version"), -1, "minasidor %s", MINASIDOR_VERSION);
    line(t, N_("Device"), -1, "%s", or_dash(config_get_string(c, "device.id")));
    line(t, N_("Site and districts"), -1, "%s: %s", or_dash(config_get_string(c, "device.site")),
         or_dash(config_get_string(c, "device.districts")));
    reach_line(t, N_("Case store"), config_get_string(c, "server.url"), have,
               net->casestore_reachable);
    const char *pin = or_dash(config_get_string(c, "server.pin"));
    line(t, N_("Case store pin"), -1, "%.30s%s", pin, strlen(pin) > 30 ? "…" : "");
    reach_line(t, N_("Identity provider"), config_get_string(c, "identity.url"), have,
               net->idp_reachable);
    when(r->last_sync_at, now, buf, sizeof(buf));
    line(t, N_("Last sync"), -1, "%s", buf);
    line(t, N_("Cursor"), -1, "%s", r->cursor[0] ? r->cursor : "–");
    when(r->outbox_oldest_at, now, buf, sizeof(buf));
    line(t, N_("Outbox"), -1, _("%lld waiting; oldest %s"), (long long)r->outbox_pending,
         r->outbox_pending > 0 ? buf : "–");
    if (have && net->have_clock_offset)
        line(t, N_("Clock offset"), -1, "%+" PRId64 " s", net->clock_offset_s);
    else
        line(t, N_("Clock offset"), -1, "%s", have ? _("unknown") : _("checking…"));
    line(t, N_("Free disk"), -1, "%.0f MB", (double)r->free_disk_bytes / 1e6);
    line(t, N_("Database"), r->integrity_ok ? 0 : 2, "%.1f MB, %s %s", (double)r->db_bytes / 1e6,
         _("integrity check"), r->integrity_ok ? "ok" : _("failed"));
    int w, h;
    ui_display(k->ui, &w, &h);
    double ppmm = ui_px_per_mm(k->ui);
    line(t, N_("Display"), -1, "%d×%d px, %.0f dpi, %.1f\"", w, h, ppmm * 25.4,
         (double)config_get_int(c, "display.diagonal_tenths_in") / 10.0);
    if (k->facts.touch_max_mm < 0)
        line(t, N_("Touch"), -1, "%s", _("not tested since start; the system maps touch 1:1"));
    else
        line(t, N_("Touch"), k->facts.touch_max_mm <= 3.0 ? 0 : 1,
             _("last test: largest error %.1f mm"), k->facts.touch_max_mm);
    for (size_t i = 0; i < r->n; i++)
        line(t, r->checks[i].name, (int)r->checks[i].level, "%s", r->checks[i].detail);
    for (size_t i = 0; have && i < net->n; i++)
        line(t, net->checks[i].name, (int)net->checks[i].level, "%s", net->checks[i].detail);
}

/* --- The network checks, off the UI thread ------------------------------------------------- */

struct tech_probe {
    pthread_t thread;
    const struct config *cfg; /* outlives the probe: kiosk_tech_finish waits for it */
    int64_t now;
    struct diag_report out;
    atomic_bool done;
};

static void *
probe_main(void *arg)
{
    struct tech_probe *p = arg;
    diag_run_network(p->cfg, p->now, &p->out);
    atomic_store(&p->done, true);
    return NULL;
}

/* Starts the network checks unless they are under way; kiosk_tech_tick takes the answer. */
static void
probe_start(struct kiosk *k)
{
    if (k->probe != NULL)
        return;
    struct tech_probe *p = xcalloc(1, sizeof(*p));
    p->cfg = k->cfg;
    p->now = kiosk_now_utc(k);
    if (pthread_create(&p->thread, NULL, probe_main, p) != 0) {
        LOG_WARN("network checks not started");
        free(p);
        return;
    }
    k->probe = p;
}

static void
probe_take(struct kiosk *k)
{
    struct tech_probe *p = k->probe;
    pthread_join(p->thread, NULL);
    k->probe = NULL;
    struct tech_state *ts = tech(k);
    if (ts != NULL) { /* else the technician has left: drop it */
        ts->net = p->out;
        ts->have_net = true;
        fill(k, ts);
        ui_invalidate(k->ui);
    }
    free(p);
}

void
kiosk_tech_tick(struct kiosk *k)
{
    if (k->probe != NULL && atomic_load(&k->probe->done))
        probe_take(k);
}

void
kiosk_tech_finish(struct kiosk *k)
{
    if (k->probe != NULL)
        probe_take(k);
}

void
kiosk_tech_refresh(void *app)
{
    struct kiosk *k = app;
    struct tech_state *ts = tech(k);
    if (ts == NULL)
        return;
    if (k->facts.erased) {
        k->m->tech.n = 0;
        ui_invalidate(k->ui);
        return;
    }
    diag_run_local(k->cfg, k->ks.store, kiosk_now_utc(k), &ts->local);
    fill(k, ts);
    probe_start(k);
    ui_invalidate(k->ui);
}

/* A technician's name is not shown: the screen is about the device. */
static void
tech_begin(struct kiosk *k, struct session *s, const struct bankid_user *u)
{
    snprintf(k->m->staff.staff_id, sizeof(k->m->staff.staff_id), "%s", s->staff_id);
    if (k->ks.store != NULL && store_audit_append(k->ks.store, kiosk_actor(k), 0, "technician",
                                                  "service mode opened") != STORE_OK)
        LOG_WARN("audit entry not written");
    kiosk_go(k, SCREEN_TECHNICIAN);
}

static struct store_actor
tech_actor(const struct kiosk *k, const struct session *s)
{
    return (struct store_actor){ STORE_SESSION_TECHNICIAN, s->staff_id, NULL };
}

static bool
tech_may_read(const struct kiosk *k, const struct session *s, enum store_kind kind)
{
    return false; /* the device, never a person */
}

static bool
tech_may_submit(const struct kiosk *k, const struct session *s, const char **err)
{
    *err = N_("Please identify yourself first.");
    return false;
}

const struct session_mode session_technician = {
    .name = "technician",
    .role = MODEL_ROLE_TECHNICIAN,
    .home = SCREEN_TECHNICIAN,
    .state_size = sizeof(struct tech_state),
    .begin = tech_begin,
    .actor = tech_actor,
    .may_read = tech_may_read,
    .may_submit = tech_may_submit,
};

void
kiosk_tech_touch_result(void *app, double max_mm)
{
    struct kiosk *k = app;
    if (tech(k) != NULL)
        k->facts.touch_max_mm = max_mm;
}

void
kiosk_tech_entry(void *app)
{
    struct kiosk *k = app;
    k->facts.notice = NULL;
    kiosk_identify(k, MODEL_ID_FOR_TECHNICIAN);
}

void
kiosk_tech_sync_now(void *app)
{
    struct kiosk *k = app;
    struct tech_state *ts = tech(k);
    if (ts == NULL)
        return;
    if (k->sync == NULL) {
        snprintf(k->m->tech.sync_result, sizeof(k->m->tech.sync_result), "%s",
                 _("This kiosk does not sync: it is not provisioned."));
        ui_invalidate(k->ui);
        return;
    }
    struct sync_status st;
    sync_runner_status(k->sync, &st);
    /* A run under way may have started before the request: ours is the one after it. */
    ts->sync_until = st.runs + (st.running ? 2 : 1);
    k->m->tech.syncing = true;
    k->m->tech.sync_result[0] = '\0';
    sync_runner_request(k->sync);
    ui_invalidate(k->ui);
}

/* Called on every status poll: while "sync now" runs, the screen shows it running; when the run
 * it asked for has ended, what it did. */
void
kiosk_tech_poll(struct kiosk *k, const struct sync_status *st)
{
    struct tech_state *ts = tech(k);
    if (ts == NULL || ts->sync_until == 0 || st->runs < ts->sync_until)
        return;
    ts->sync_until = 0;
    k->m->tech.syncing = false;
    if (st->last_error == SYNC_OK)
        snprintf(k->m->tech.sync_result, sizeof(k->m->tech.sync_result),
                 _("Done: %zu changes in %zu pages; %zu delivered, %zu rejected."),
                 st->last.records, st->last.pages, st->last.accepted + st->last.duplicates,
                 st->last.rejected);
    else
        snprintf(k->m->tech.sync_result, sizeof(k->m->tech.sync_result), "%s: %.180s", _("Failed"),
                 st->message);
    kiosk_tech_refresh(k);
}

void
kiosk_tech_export(void *app)
{
    struct kiosk *k = app;
    struct tech_state *ts = tech(k);
    if (ts == NULL)
        return;
    /* What the screen shows, the checks on this machine made afresh: no second network probe. */
    diag_run_local(k->cfg, k->ks.store, kiosk_now_utc(k), &ts->local);
    fill(k, ts);
    json_t *facts = json_object();
    for (size_t i = 0; i < k->m->tech.n; i++)
        json_object_set_new(facts, k->m->tech.lines[i].label,
                            json_string(k->m->tech.lines[i].value));
    json_t *checks = json_array();
    diag_checks_json(&ts->local, checks);
    enum diag_level worst = ts->local.worst;
    if (ts->have_net) {
        diag_checks_json(&ts->net, checks);
        worst = ts->net.worst > worst ? ts->net.worst : worst;
    }
    json_t *o = json_pack("{s:s, s:I, s:s, s:o, s:o}", "device",
                          or_dash(config_get_string(k->cfg, "device.id")), "exported_at",
                          (json_int_t)kiosk_now_utc(k), "status", diag_level_code(worst), "facts",
                          facts, "checks", checks);
    char dir[4096], stamp[32];
    diag_state_dir(k->cfg, dir, sizeof(dir));
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
        snprintf(k->m->tech.export_path, sizeof(k->m->tech.export_path), "%.255s", path);
    } else {
        LOG_WARN("diagnostics not written: %s", strerror(errno));
        snprintf(k->m->tech.export_path, sizeof(k->m->tech.export_path), "%s",
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
    if (tech(k) == NULL || k->facts.erased)
        return;
    if (k->ks.store != NULL && store_audit_append(k->ks.store, kiosk_actor(k), 0, "technician",
                                                  "factory reset") != STORE_OK)
        LOG_WARN("audit entry not written");
    sync_runner_stop(k->sync);
    k->sync = NULL;
    k->facts.erase_note = NULL;
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
        k->facts.erase_note = N_("The case store could not be told: revoke this device there.");
    }
    const char *provider = config_get_string(k->cfg, "store.key");
    const char *db = config_get_string(k->cfg, "store.path");
    kiosk_state_close(&k->ks);
    bool ok = true;
    if (provider != NULL && strncmp(provider, "keyfile:", 8) == 0)
        ok = shred(provider + 8);
    else if (provider != NULL && k->facts.erase_note == NULL)
        k->facts.erase_note = N_("The key is a system credential: remove it with systemd-creds.");
    if (db != NULL) {
        static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
        for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
            char p[4200];
            snprintf(p, sizeof(p), "%s%s", db, suffix[i]);
            ok = shred(p) && ok;
        }
    }
    if (!ok)
        k->facts.erase_note = N_("Some files could not be removed: check the state directory.");
    k->facts.erased = true;
    LOG_INFO("factory reset done%s", unenrolled ? ", device un-enrolled" : "");
    kiosk_tech_refresh(k);
}
