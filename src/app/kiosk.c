/* The kiosk's device, router and main loop. A session (session.c) begins when identification
 * completes and ends on "Logga ut", after the idle dialog runs out, or when the window closes;
 * ending it is one call that wipes every decrypted value (sodium); the model is wiped whole and
 * the device's facts published into it again, text textures are dropped, and the start screen
 * returns. */
#include "kiosk.h"

#include "app.h"
#include "settings.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "buf.h"
#include "date.h"
#include "diag.h"
#include "holidays.h"
#include "i18n.h"
#include "json.h"
#include "payqr.h"
#include "phone.h"
#include "pnr.h"
#include "screens.h"
#include "usage_names.h"
#include "watchdog.h"
#include "xalloc.h"

#define LOG_MODULE "kiosk"
#include "log.h"

int64_t
kiosk_now_ms(const struct kiosk *k)
{
    return platform_now_ms() + k->advanced_ms;
}

int64_t
kiosk_now_utc(const struct kiosk *k)
{
    return (int64_t)time(NULL) + k->advanced_ms / 1000;
}

void
kiosk_records_from(struct model_records *out, const struct store_rows *rows)
{
    memset(out, 0, sizeof(*out));
    if (rows == NULL)
        return;
    out->kind = (enum record_kind)rows->kind;
    out->n = rows->n;
    out->rows = rows->rows;
}

const struct store_actor *
kiosk_actor(const struct kiosk *k)
{
    static struct store_actor a;
    a = k->session != NULL ? k->session->mode->actor(k, k->session)
                           : (struct store_actor){ STORE_SESSION_CITIZEN, NULL, NULL };
    return &a;
}

/* --- Navigation ---------------------------------------------------------------------------- */

/* The screen left gives up its per-visit state: wiped and freed now, or, when it is the state of
 * the screen whose build is running (a button in it navigated), when that build returns. */
static void
leave_screen(struct kiosk *k)
{
    struct kiosk_router *r = &k->router;
    const struct screen_impl *cur = screen_impl(k->m->screen);
    k->m->help_open = false;
    if (cur->leave != NULL)
        cur->leave(k->m, r->state);
    if (r->state != NULL && r->state == r->building) {
        xassert(r->retired == NULL);
        r->retired = r->state;
    } else if (r->state != NULL) {
        sodium_free(r->state);
    }
    r->state = NULL;
}

static void
enter_screen(struct kiosk *k, enum screen_id s)
{
    struct kiosk_router *r = &k->router;
    k->m->screen = s;
    if (k->ui != NULL)
        ui_scroll_reset(k->ui); /* a new screen starts at the top */
    const struct screen_impl *next = screen_impl(s);
    if (next->state_size > 0) {
        r->state = sodium_malloc(next->state_size);
        xassert(r->state != NULL);
        memset(r->state, 0, next->state_size);
    }
    if (next->enter != NULL)
        next->enter(k->m, r->state);
}

static void go(void *app, enum screen_id s);

void
kiosk_go(struct kiosk *k, enum screen_id s)
{
    go(k, s);
}

static void
go(void *app, enum screen_id s)
{
    struct kiosk *k = app;
    struct kiosk_router *r = &k->router;
    /* A notice on the start screen is for the person it answered: once they go on, it is gone. */
    if (k->m->screen == SCREEN_START && s != SCREEN_START)
        k->facts.notice = NULL;
    leave_screen(k);
    if (s != SCREEN_WIZARD && k->m->prefill != NULL)
        kiosk_staff_drop_correction(k); /* a correction lives in its form only */
    bool home = k->session != NULL && s == k->session->mode->home;
    if (home || s == SCREEN_START || s == SCREEN_OVERVIEW)
        r->depth = 0;
    else if (r->depth < (int)ARRAY_LEN(r->stack))
        r->stack[r->depth++] = k->m->screen;
    if (s == SCREEN_INFO && k->ks.store != NULL) {
        /* Allmän information: the articles (not personal, each with its language) as synced
         * now; the screen picks the citizen's language or Swedish. The device holds them. */
        store_rows_free(k->articles);
        k->articles = NULL;
        if (store_list(k->ks.store, kiosk_actor(k), STORE_KIND_ARTICLE, 0, 0, &k->articles) !=
            STORE_OK)
            LOG_WARN("cannot read the articles");
        kiosk_records_from(&k->m->articles, k->articles);
    }
    enter_screen(k, s);
    /* Counted in memory: the sync runner's thread writes them, never this one. */
    store_usage_add(k->usage, kiosk_now_utc(k), screen_impl(s)->name, i18n_current()->code,
                    "shown");
    ui_invalidate(k->ui);
}

static void
back(void *app)
{
    struct kiosk *k = app;
    struct kiosk_router *r = &k->router;
    enum screen_id to = r->depth > 0         ? r->stack[--r->depth]
                        : k->session != NULL ? k->session->mode->home
                                             : SCREEN_START;
    int depth = r->depth;
    go(k, to);
    r->depth = depth; /* going back does not push */
}

void
kiosk_count(struct kiosk *k, const char *counter)
{
    store_usage_count(k->usage, kiosk_now_utc(k), counter);
}

/* --- Identification and the session ------------------------------------------------------- */

static void
stop_identification(struct kiosk *k)
{
    idr_stop(k->idr);
    k->idr = NULL;
    qr_matrix_free(&k->id_qr);
    memset(&k->id_qr, 0, sizeof(k->id_qr));
    sodium_memzero(&k->id_snap, sizeof(k->id_snap));
    memset(&k->m->id, 0, sizeof(k->m->id));
}

void
kiosk_identify(struct kiosk *k, enum model_id_purpose purpose)
{
    stop_identification(k);
    k->m->id_purpose = purpose;
    const char *url = config_get_string(k->cfg, "identity.url");
    if (url == NULL) {
        k->facts.idp_unreachable = true;
        ui_invalidate(k->ui);
        return;
    }
    const char *site = config_get_string(k->cfg, "kiosk.site_name");
    const char *districts = config_get_string(k->cfg, "device.districts");
    char district[64] = "";
    if (districts != NULL)
        snprintf(district, sizeof(district), "%.*s", (int)strcspn(districts, ","), districts);
    struct idr_config c = {
        .url = url,
        .pin = config_get_string(k->cfg, "identity.pin"),
        .rp_cert = config_get_string(k->cfg, "identity.rp_cert"),
        .rp_key = config_get_string(k->cfg, "identity.rp_key"),
        .ca = config_get_string(k->cfg, "identity.ca"),
        .end_user_ip = config_get_string(k->cfg, "identity.end_user_ip"),
        .visible_text = site != NULL ? site : "Mina sidor",
        .district = district[0] ? district : NULL,
        .demo = k->demo,
    };
    k->idr = idr_start(&c);
    kiosk_count(k, USAGE_IDENTIFY_STARTED);
    go(k, SCREEN_IDENTIFY);
}

/* "Identify yourself" on the start screen, or "Try again" for whatever the identification was
 * for. */
static void
identify(void *app)
{
    struct kiosk *k = app;
    k->facts.notice = NULL;
    kiosk_identify(k, k->m->screen == SCREEN_IDENTIFY ? k->m->id_purpose : MODEL_ID_FOR_SESSION);
}

static void
cancel_identify(void *app)
{
    struct kiosk *k = app;
    if (k->idr != NULL && k->id_snap.state != FLOW_FAILED)
        kiosk_count(k, USAGE_IDENTIFY_CANCELLED);
    stop_identification(k);
    if (k->m->id_purpose == MODEL_ID_FOR_CITIZEN && k->session != NULL &&
        k->session->mode == &session_staff) {
        go(k, SCREEN_STAFF_CITIZEN); /* the staff session goes on */
        return;
    }
    go(k, SCREEN_START);
}

static void
demo_identify(void *app, size_t i)
{
    struct kiosk *k = app;
    if (k->idr != NULL)
        idr_demo_scan(k->idr, i);
}

static const struct model_actions actions;

/* The device's facts and the kiosk's constants into the model: on every frame, and after the
 * model was wiped at logout. Whatever must outlive a session is here, owned by the device. */
static void
publish(struct kiosk *k)
{
    struct model *m = k->m;
    m->act = &actions;
    m->app = k;
    m->site_name = config_get_string(k->cfg, "kiosk.site_name");
    m->districts = config_get_string(k->cfg, "device.districts");
    m->offline = k->facts.offline;
    m->idp_unreachable = k->facts.idp_unreachable;
    m->last_sync_at = k->facts.last_sync_at;
    m->notice = k->facts.notice;
    m->tech.erased = k->facts.erased;
    m->tech.erase_note = k->facts.erase_note;
    m->tech.touch_max_mm = k->facts.touch_max_mm;
    m->speech_voiceless = k->sm.on && i18n_current()->voice == NULL;
    m->speech_in_sv = k->sm.in_sv;
    m->speech_in_en = k->sm.in_en;
    m->signed_in = k->session != NULL;
    m->role = k->session != NULL ? k->session->mode->role : MODEL_ROLE_CITIZEN;
    m->now = kiosk_now_utc(k);
}

void
kiosk_logout(struct kiosk *k)
{
    bool was = k->session != NULL;
    stop_identification(k);
    leave_screen(k);
    session_destroy(k, k->session); /* everything personal, in one call */
    k->facts.notice = NULL;         /* a notice was for the person who is leaving */
    speech_mode_end(k);             /* and what was said of it; the next person starts silent */
    sodium_memzero(k->m, sizeof(*k->m));
    publish(k);
    ui_forget_text(k->ui);
    /* The next person starts in the kiosk's own language and presentation. */
    i18n_set_language(i18n_table[0].code);
    ui_set_rtl(k->ui, false);
    ui_set_theme(k->ui, false);
    ui_set_large_text(k->ui, false);
    k->router.depth = 0;
    enter_screen(k, SCREEN_START);
    k->idle_deadline_ms = 0;
    if (was)
        LOG_INFO("session ended");
    if (k->sync != NULL)
        sync_runner_flush_usage(k->sync);
    ui_invalidate(k->ui);
}

static void
logout(void *app)
{
    kiosk_logout(app);
}

static void
keep_session(void *app)
{
    struct kiosk *k = app;
    k->m->idle_warning = false;
    k->idle_deadline_ms = 0;
    k->last_input_ms = kiosk_now_ms(k);
    speech_stop(k->speech);
    ui_invalidate(k->ui);
}

/* Who identified decides what follows: the role list makes staff and technicians; what the
 * identification was for decides whether a role is needed. */
static void
identified(struct kiosk *k, const struct bankid_user *u)
{
    char staff_id[40] = "";
    struct errbuf why = { "" };
    enum role role =
        kiosk_state_role(k->cfg, k->ks.store, u->personal_number, kiosk_now_utc(k), staff_id, &why);
    switch (k->m->id_purpose) {
    case MODEL_ID_FOR_TECHNICIAN:
        kiosk_logout(k);
        if (role == ROLE_TECHNICIAN) {
            session_create(k, &session_technician, u, staff_id);
        } else {
            LOG_INFO("service mode refused: %s",
                     role == ROLE_CITIZEN ? why.msg : "not a technician");
            k->facts.notice = N_("Service mode is only for this site's technicians.");
        }
        break;
    case MODEL_ID_FOR_CITIZEN:
        kiosk_staff_citizen_identified(k, u);
        break;
    case MODEL_ID_FOR_SESSION:
        /* A citizen keeps the language and presentation they chose before identifying; staff
         * start from the kiosk's own, as technicians do. */
        if (role == ROLE_STAFF || k->session != NULL)
            kiosk_logout(k);
        session_create(k, role == ROLE_STAFF ? &session_staff : &session_citizen, u,
                       role == ROLE_STAFF ? staff_id : "");
        kiosk_count(k, USAGE_VISIT);
        break;
    }
    sodium_memzero(staff_id, sizeof(staff_id));
}

static void
open_case(void *app, size_t row)
{
    struct kiosk *k = app;
    struct session *s = k->session;
    if (s == NULL)
        return;
    /* no such row: read nothing (id 0 has no history) */
    (void)session_load_case(k, s, row < k->m->cases.n ? k->m->cases.rows[row].id : 0);
    kiosk_records_from(&k->m->events, s->events);
    kiosk_records_from(&k->m->documents, s->documents);
    k->m->events.failed = s->read_failed[STORE_KIND_CASE_EVENT];
    k->m->documents.failed = s->read_failed[STORE_KIND_CASE_DOCUMENT];
    k->m->selected = row;
    go(k, SCREEN_CASE);
}

/* The payment QR of the invoice the citizen opened (UsingQR), if it is unpaid and complete. */
static void
prepare_payqr(struct kiosk *k)
{
    struct session *s = k->session;
    k->m->payqr = NULL;
    if (s == NULL)
        return;
    qr_matrix_free(&s->payqr);
    memset(&s->payqr, 0, sizeof(s->payqr));
    const struct model_records *l = &k->m->invoices;
    size_t i = k->m->selected;
    if (i >= l->n || model_num(l, i, REC_INVOICE_PAID) != 0)
        return;
    struct payqr_invoice inv = {
        .payee_name = model_text(l, i, REC_INVOICE_ISSUER) ? model_text(l, i, REC_INVOICE_ISSUER)
                                                           : "Stockholms stad",
        .payee_orgnr = "212000-0142",
        .reference = model_text(l, i, REC_INVOICE_OCR),
        .amount_ore = model_num(l, i, REC_INVOICE_AMOUNT_ORE),
        .account_type = PAYQR_BANKGIRO,
        .account = model_text(l, i, REC_INVOICE_BANKGIRO),
    };
    const char *due = model_text(l, i, REC_INVOICE_DUE_DATE);
    if (inv.reference == NULL || inv.account == NULL || due == NULL ||
        !date_parse_iso(due, &inv.due_date))
        return;
    struct buf b;
    buf_init(&b, 4096);
    if (payqr_build(&inv, &b) == PAYQR_OK && qr_encode(buf_str(&b), &s->payqr)) {
        k->m->payqr = s->payqr.modules;
        k->m->payqr_size = s->payqr.size;
    }
    buf_finish_wipe(&b);
}

static void
go_and_prepare(void *app, enum screen_id s)
{
    struct kiosk *k = app;
    if (s == SCREEN_INVOICE)
        prepare_payqr(k);
    go(k, s);
}

static void
set_language(void *app, const char *code)
{
    struct kiosk *k = app;
    if (i18n_set_language(code)) {
        ui_set_rtl(k->ui, i18n_current()->rtl);
        char counter[USAGE_NAME_MAX];
        snprintf(counter, sizeof(counter), "%s%s", USAGE_LANG_PREFIX, i18n_current()->code);
        kiosk_count(k, counter);
    }
}

static void
toggle_contrast(void *app)
{
    struct kiosk *k = app;
    ui_set_theme(k->ui, !ui_high_contrast(k->ui));
}

static void
toggle_large_text(void *app)
{
    struct kiosk *k = app;
    ui_set_large_text(k->ui, !ui_large_text(k->ui));
}

/* Puts a submission into the outbox (with its audit entry, in one transaction), starts the
 * receipt and asks the sync runner to deliver it now. */
bool
kiosk_queue_submission(struct kiosk *k, const struct store_actor *actor,
                       const struct store_submission *sub, const char **err)
{
    if (k->ks.store == NULL) {
        *err = N_("This kiosk cannot take requests right now. Please ask the staff.");
        return false;
    }
    if (store_outbox_add(k->ks.store, actor, sub, k->receipt_uuid, NULL) != STORE_OK) {
        *err = N_("The request could not be saved. Please ask the staff.");
        return false;
    }
    char counter[USAGE_NAME_MAX];
    snprintf(counter, sizeof(counter), "%s%s", USAGE_SUBMIT_PREFIX, sub->kind);
    kiosk_count(k, counter);
    struct model_receipt *r = &k->m->receipt;
    memset(r, 0, sizeof(*r));
    snprintf(r->reference, sizeof(r->reference), "%.8s", k->receipt_uuid);
    k->m->has_receipt = true;
    if (k->sync != NULL)
        sync_runner_request(k->sync);
    return true;
}

static bool
request_callback(void *app, const struct model_callback_request *req, const char **err)
{
    struct kiosk *k = app;
    struct phone ph;
    enum phone_error pe = phone_parse(req->phone, &ph);
    if (pe != PHONE_OK) {
        *err = phone_error_message(pe);
        return false;
    }
    json_t *payload = json_pack("{s:s, s:s, s:s, s:s}", "phone", ph.e164, "window", req->window,
                                "language", req->language, "channel", req->channel);
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    int64_t now = kiosk_now_utc(k);
    char *by = kiosk_registered_by(k);
    struct store_submission sub = {
        "callback",
        req->topic_main,
        "aterringning",
        "information",
        k->session != NULL ? k->session->citizen_id : 0,
        text,
        by,
        now,
    };
    bool ok = kiosk_queue_submission(k, kiosk_actor(k), &sub, err);
    sodium_memzero(text, strlen(text));
    free(text);
    free(by);
    if (!ok)
        return false;
    struct model_receipt *r = &k->m->receipt;
    char national[24];
    phone_format_national(&ph, national, sizeof(national));
    /* the receipt repeats the number so that a mistyped one is noticed, masked: it is read
     * standing in a lobby; the area code and the last two digits are enough to recognise it */
    size_t digits = 0, len = strlen(national);
    for (size_t i = 0; i < len; i++)
        digits += national[i] >= '0' && national[i] <= '9';
    for (size_t i = 0, seen = 0; i < len; i++) {
        if (national[i] < '0' || national[i] > '9')
            continue;
        seen++;
        if (seen > 3 && seen + 2 <= digits)
            national[i] = '*';
    }
    snprintf(r->phone_masked, sizeof(r->phone_masked), "%s", national);
    sodium_memzero(national, sizeof(national));
    snprintf(r->what, sizeof(r->what), _("Call %s"), r->phone_masked);
    struct local_time due;
    tz_to_local(callback_due(now), &due);
    char iso[11], when[96];
    date_format_iso(due.date, iso);
    fmt_date(iso, when, sizeof(when));
    snprintf(r->promise, sizeof(r->promise), _("We will contact you by %s."), when);
    return true;
}

static bool
submit(void *app, const struct model_submission *s, const char **err)
{
    struct kiosk *k = app;
    if (k->session == NULL) { /* only a callback may be anonymous */
        *err = N_("Please identify yourself first.");
        return false;
    }
    if (!k->session->mode->may_submit(k, k->session, err))
        return false;
    json_t *payload = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const struct model_answer *a = &s->answers[i];
        json_t *v;
        if (a->value != NULL) {
            v = json_string(a->value);
        } else {
            v = json_array();
            for (size_t j = 0; j < a->n_list; j++)
                json_array_append_new(v, json_string(a->list[j]));
        }
        json_object_set_new(payload, a->key, v);
    }
    char *text = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    char *by = kiosk_registered_by(k);
    struct store_submission sub = {
        s->kind, s->main, s->type, s->klass, k->session->citizen_id, text, by, kiosk_now_utc(k),
    };
    bool ok = text != NULL && kiosk_queue_submission(k, kiosk_actor(k), &sub, err);
    if (text != NULL) {
        sodium_memzero(text, strlen(text));
        free(text);
    }
    free(by);
    if (ok)
        snprintf(k->m->receipt.what, sizeof(k->m->receipt.what), "%s", s->what);
    else if (*err == NULL)
        *err = N_("The request could not be saved. Please ask the staff.");
    return ok;
}

static const struct model_actions actions = {
    .go = go_and_prepare,
    .back = back,
    .identify = identify,
    .cancel_identify = cancel_identify,
    .demo_identify = demo_identify,
    .logout = logout,
    .keep_session = keep_session,
    .set_language = set_language,
    .toggle_contrast = toggle_contrast,
    .toggle_large_text = toggle_large_text,
    .open_case = open_case,
    .request_callback = request_callback,
    .submit = submit,
    .technician_entry = kiosk_tech_entry,
    .tech_refresh = kiosk_tech_refresh,
    .tech_sync_now = kiosk_tech_sync_now,
    .tech_export = kiosk_tech_export,
    .tech_factory_reset = kiosk_tech_factory_reset,
    .tech_touch_result = kiosk_tech_touch_result,
    .staff_citizen_by_phone = kiosk_staff_by_phone,
    .staff_citizen_by_document = kiosk_staff_by_document,
    .staff_reason = kiosk_staff_reason,
    .staff_end_citizen = kiosk_staff_end_citizen,
    .staff_registrations = kiosk_staff_registrations,
    .staff_correct = kiosk_staff_correct,
};

/* --- The loop ------------------------------------------------------------------------------ */

/* What the identity runner says now, into the model; starts the session when it completes. */
static void
poll_identification(struct kiosk *k)
{
    if (k->idr == NULL)
        return;
    struct idr_snapshot s;
    idr_snapshot(k->idr, &s);
    struct idr_snapshot *last = &k->id_snap;
    bool qr_changed = strcmp(s.qr, last->qr) != 0;
    if (s.state != last->state && (s.state == FLOW_COMPLETE || s.state == FLOW_FAILED))
        kiosk_count(k, s.state == FLOW_COMPLETE ? USAGE_IDENTIFY_OK : USAGE_IDENTIFY_FAILED);
    if (s.state != last->state || s.message != last->message || s.n_demo != last->n_demo ||
        qr_changed)
        ui_invalidate(k->ui);
    if (qr_changed) {
        qr_matrix_free(&k->id_qr);
        memset(&k->id_qr, 0, sizeof(k->id_qr));
        if (s.qr[0] != '\0' && !qr_encode(s.qr, &k->id_qr))
            LOG_WARN("the QR content does not fit a QR code");
    }
    *last = s;
    sodium_memzero(&s, sizeof(s));

    struct model_identify *id = &k->m->id;
    id->state = (enum model_id_state)last->state;
    id->msgid = last->message != NULL ? last->message->msgid : NULL;
    id->rfa = last->message != NULL ? last->message->rfa : NULL;
    id->qr = k->id_qr.modules;
    id->qr_size = k->id_qr.size;
    id->n_demo = last->n_demo;
    for (size_t i = 0; i < last->n_demo; i++)
        id->demo_names[i] = last->demo[i].name;
    k->facts.idp_unreachable = last->unreachable;
    if (last->state == FLOW_COMPLETE) {
        struct bankid_user u = last->user;
        stop_identification(k);
        k->bench.id_done_us = platform_now_us();
        if (k->m->screen == SCREEN_IDENTIFY)
            identified(k, &u);
        sodium_memzero(&u, sizeof(u));
    }
}

static void
poll_sync(struct kiosk *k)
{
    if (k->sync == NULL)
        return;
    struct sync_status st;
    sync_runner_status(k->sync, &st);
    bool offline = st.runs > 0 && st.last_error != SYNC_OK && sync_error_transient(st.last_error);
    if (offline != k->facts.offline || st.last_success_at / 60 != k->facts.last_sync_at / 60)
        ui_invalidate(k->ui);
    k->facts.offline = offline;
    if (st.last_success_at > 0)
        k->facts.last_sync_at = st.last_success_at;
    /* A receipt's delivery can change only when a sync run has ended: read the outbox then,
     * not on every tick. */
    bool new_run = st.runs != k->sync_runs_seen;
    k->sync_runs_seen = st.runs;
    kiosk_tech_poll(k, &st);
    if (new_run && k->m->has_receipt && !k->m->receipt.delivered && !k->m->receipt.rejected &&
        k->ks.store != NULL) {
        struct store_outbox *ob = NULL;
        if (store_outbox_list(k->ks.store, false, 0, &ob) == STORE_OK) {
            for (size_t i = 0; i < ob->n; i++) {
                const struct store_outbox_item *it = &ob->items[i];
                if (strcmp(it->uuid, k->receipt_uuid) != 0)
                    continue;
                struct model_receipt *r = &k->m->receipt;
                if (it->state == STORE_OUTBOX_ACCEPTED || it->state == STORE_OUTBOX_DUPLICATE) {
                    r->delivered = true;
                    snprintf(r->case_number, sizeof(r->case_number), "%s",
                             it->case_number ? it->case_number : "");
                } else if (it->state == STORE_OUTBOX_REJECTED) {
                    r->rejected = true;
                    snprintf(r->reason, sizeof(r->reason), "%s", it->reason ? it->reason : "");
                }
                if (r->delivered || r->rejected)
                    ui_invalidate(k->ui);
            }
            store_outbox_free(ob);
        }
    }
}

/* Something of an anonymous visit is still there: a screen other than the start (a callback
 * half typed), a language or presentation chosen, a notice, an open Hjälp. */
static bool
visit_left_over(const struct kiosk *k)
{
    return k->m->screen != SCREEN_START || k->facts.notice != NULL || k->m->help_open ||
           i18n_current() != &i18n_table[0] || ui_high_contrast(k->ui) || ui_large_text(k->ui);
}

static void
idle_timers(struct kiosk *k, int64_t now)
{
    int factor = speech_mode_time_factor(k);
    if (k->session == NULL) {
        /* Without a session nothing asks "are you still there": when no one has touched the
         * kiosk for as long as a session would have lasted, the person has gone and the next
         * one finds the start screen as the kiosk presents it (an identification under way has
         * its own timeout). */
        bool identifying = k->idr != NULL && k->id_snap.state != FLOW_FAILED;
        if (!identifying && visit_left_over(k) &&
            now - k->last_input_ms >=
                (int64_t)(KIOSK_IDLE_WARN_S + KIOSK_IDLE_COUNTDOWN_S) * 1000 * factor) {
            kiosk_logout(k);
            k->last_input_ms = now;
        }
        return;
    }
    /* Speech mode gives more time (speech.time_factor): listening through a screen takes
     * longer than looking at it (WCAG 2.2.1). */
    if (!k->m->idle_warning &&
        now - k->last_input_ms >= (int64_t)KIOSK_IDLE_WARN_S * 1000 * factor) {
        k->m->idle_warning = true;
        k->idle_deadline_ms = now + (int64_t)KIOSK_IDLE_COUNTDOWN_S * 1000 * factor;
        ui_invalidate(k->ui);
        /* Said as well as shown: someone who cannot see the screen must not lose their
         * session unawares. */
        char left[160], say[400];
        snprintf(left, sizeof(left),
                 i18n_ngettext("For your privacy you will be logged out in %d second.",
                               "For your privacy you will be logged out in %d seconds.",
                               (unsigned long)(KIOSK_IDLE_COUNTDOWN_S * factor)),
                 KIOSK_IDLE_COUNTDOWN_S * factor);
        snprintf(say, sizeof(say), "%s %s %s", _("Are you still there?"), left,
                 _("Touch Continue to stay."));
        speech_mode_say_now(k, say, false);
    }
    if (k->m->idle_warning) {
        int left = (int)((k->idle_deadline_ms - now + 999) / 1000);
        if (left != k->m->idle_seconds_left)
            ui_invalidate(k->ui);
        k->m->idle_seconds_left = left > 0 ? left : 0;
        if (now >= k->idle_deadline_ms) {
            kiosk_count(k, USAGE_IDLE_LOGOUT);
            kiosk_logout(k);
        }
    }
}

void
kiosk_step(struct kiosk *k, const struct ui_input *in, int n_in)
{
    int64_t now = kiosk_now_ms(k);
    for (int i = 0; i < n_in; i++) {
        /* A person's input keeps the session alive (not a redraw; not behind the idle dialog,
         * whose Fortsätt does that). Speech mode takes its keys first. */
        struct ui_input one = in[i];
        if (k->m->idle_warning && k->sm.on && (one.kind == UI_IN_KEY || one.kind == UI_IN_TEXT)) {
            keep_session(k); /* a listener answers the warning with any key (WCAG 2.2.1) */
            continue;
        }
        /* Back (Escape; Backspace outside a text field) closes Hjälp's dialog, not the screen */
        if (k->m->help_open && one.kind == UI_IN_KEY &&
            (one.key == UI_KEY_ESCAPE || (one.key == UI_KEY_BACKSPACE && !ui_typing(k->ui)))) {
            k->m->help_open = false;
            k->last_input_ms = now;
            ui_invalidate(k->ui);
            continue;
        }
        bool used = speech_mode_input(k, &one) || ui_feed(k->ui, &one);
        if (used && one.kind != UI_IN_EXPOSE && !k->m->idle_warning)
            k->last_input_ms = now;
    }
    char headset_name[sizeof(k->headset_name)];
    bool headset = k->plat != NULL && platform_headset(k->plat, headset_name, sizeof(headset_name));
    if (headset != k->plat_headset) {
        k->plat_headset = headset;
        memcpy(k->headset_name, headset_name, sizeof(headset_name));
        if (k->speech != NULL)
            speech_set_device(k->speech, headset ? k->headset_name : NULL);
        speech_mode_headset(k, headset);
    }
    if (now >= k->next_tick_ms) {
        k->next_tick_ms = now + 250;
        poll_identification(k);
        poll_sync(k);
        kiosk_tech_tick(k);
    }
    idle_timers(k, now);
    publish(k);
    /* A click may navigate; the new screen is built before anything is drawn. A screen left
     * during its own build keeps its state until the build returns. */
    uint64_t drawn0, drawn1, skipped;
    ui_frame_counts(k->ui, &drawn0, &skipped);
    int64_t t0 = platform_now_us();
    struct kiosk_router *r = &k->router;
    for (int pass = 0; pass < 4 && ui_stale(k->ui); pass++) {
        ui_begin(k->ui, now);
        r->building = r->state;
        screen_impl(k->m->screen)->build(k->ui, k->m, r->state);
        r->building = NULL;
        if (r->retired != NULL)
            sodium_free(r->retired);
        r->retired = NULL;
        ui_end(k->ui);
        publish(k);
    }
    speech_mode_frame(k);
    ui_render(k->ui);
    ui_frame_counts(k->ui, &drawn1, &skipped);
    if (drawn1 > drawn0) {
        int64_t t1 = platform_now_us();
        struct kiosk_bench *b = &k->bench;
        enum screen_id s = k->m->screen;
        b->us[s][b->n[s]++ % KIOSK_BENCH_SAMPLES] = (uint32_t)(t1 - t0);
        if (b->id_done_us != 0 && s == SCREEN_OVERVIEW) {
            b->id_to_overview_us = t1 - b->id_done_us;
            b->id_done_us = 0;
        }
    }
}

/* The background sync, when the kiosk has a case store to reach (a warning if it cannot start). */
static void
start_sync(struct kiosk *k)
{
    if (k->sync != NULL || config_get_string(k->cfg, "server.url") == NULL)
        return;
    struct errbuf err = { "" };
    struct sync_runner_config rc_sync = {
        .db_path = config_get_string(k->cfg, "store.path"),
        .key = k->ks.key,
        .url = config_get_string(k->cfg, "server.url"),
        .pin = config_get_string(k->cfg, "server.pin"),
        .device_id = config_get_string(k->cfg, "device.id"),
        .districts = config_get_string(k->cfg, "device.districts"),
        .interval_s = (int)config_get_int(k->cfg, "sync.interval_s"),
        .usage = k->usage,
        .health = diag_health,
        .health_data = (void *)k->cfg,
    };
    k->sync = sync_runner_start(&rc_sync, &err);
    if (k->sync == NULL)
        LOG_WARN("background sync not started: %s", err.msg);
}

void
kiosk_sync_hold(struct kiosk *k, bool hold)
{
    if (!hold) {
        if (k->ks.store != NULL)
            start_sync(k);
        return;
    }
    sync_runner_stop(k->sync);
    k->sync = NULL;
    k->sync_runs_seen = 0; /* a new runner counts its runs from 0 */
}

void
kiosk_set_orientation(struct kiosk *k, bool landscape)
{
    int w, h;
    ui_display(k->ui, &w, &h);
    if ((w > h) != landscape) {
        platform_resize(k->plat, h, w);
        ui_set_display(k->ui, h, w);
    }
}

/* --- The command --------------------------------------------------------------------------- */

void
cmd_kiosk_usage(FILE *out)
{
    fprintf(out,
            "Usage: minasidor [--config FILE] kiosk [--headless] [--script FILE]\n"
            "                 [--screenshots DIR] [--landscape] [--window-scale F]\n"
            "                 [--tree-fd N]\n"
            "\n"
            "Runs the kiosk: in a window when a display exists, or with --headless on SDL's\n"
            "offscreen driver. --script runs a script of taps, typing and expectations\n"
            "(see tests/ui/README.md) and exits 0 when every step passed, 1 at the first that\n"
            "did not; 'screenshot NAME' steps write DIR/NAME.png. Demo identities are offered\n"
            "when identity.demo is true and the identity provider is on this machine.\n");
}

int
cmd_kiosk(int argc, char **argv)
{
    const char *script = NULL, *shots = ".";
    bool headless = false, landscape = false;
    double scale = 0;
    int tree_fd = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            cmd_kiosk_usage(stdout);
            return APP_EXIT_OK;
        } else if (strcmp(a, "--headless") == 0) {
            headless = true;
        } else if (strcmp(a, "--landscape") == 0) {
            landscape = true;
        } else if (strcmp(a, "--script") == 0 && i + 1 < argc) {
            script = argv[++i];
        } else if (strcmp(a, "--screenshots") == 0 && i + 1 < argc) {
            shots = argv[++i];
        } else if (strcmp(a, "--window-scale") == 0 && i + 1 < argc) {
            scale = atof(argv[++i]);
        } else if (strcmp(a, "--tree-fd") == 0 && i + 1 < argc) {
            tree_fd = atoi(argv[++i]);
        } else {
            return app_usage_error(cmd_kiosk_usage, "kiosk: unknown option '%s'", a);
        }
    }
    if (!headless && !platform_display_available()) {
        fprintf(stderr, "minasidor: no display (DISPLAY is not set); use --headless\n");
        return APP_EXIT_INVALID;
    }
    FILE *sf = NULL;
    if (script != NULL && (sf = fopen(script, "r")) == NULL) {
        fprintf(stderr, "minasidor: %s: cannot open the script\n", script);
        return APP_EXIT_USAGE;
    }
    /* Guarded memory (the model, the session, screens' state) needs libsodium from the start,
     * before the store (which would initialise it) is opened, or when there is none. */
    if (sodium_init() < 0) {
        fprintf(stderr, "minasidor: libsodium cannot be initialised\n");
        if (sf != NULL)
            fclose(sf);
        return APP_EXIT_INVALID;
    }
    struct errbuf err = { "" };
    struct kiosk *k = xcalloc(1, sizeof(*k));
    k->m = sodium_malloc(sizeof(*k->m));
    xassert(k->m != NULL);
    memset(k->m, 0, sizeof(*k->m));
    k->usage = store_usage_create();
    k->cfg = settings_current();
    k->facts.touch_max_mm = -1;
    k->headless = headless;
    k->tree_fd = tree_fd;
    speech_mode_init(k);
    const char *url = config_get_string(k->cfg, "identity.url");
    k->demo = config_get_bool(k->cfg, "identity.demo");
    if (k->demo && !idp_url_is_loopback(url)) {
        LOG_WARN("identity.demo is ignored: the identity provider is not on this machine");
        k->demo = false;
    }
    for (size_t i = 0; i < asset_catalogues_n; i++) {
        const struct asset_catalogue *c = &asset_catalogues[i];
        if (!i18n_add_catalogue(c->code, c->data, *c->len, &err))
            LOG_ERR("catalogue: %s", err.msg);
    }
    i18n_set_language(i18n_table[0].code);
    int w = (int)config_get_int(k->cfg, "display.width_px");
    int h = (int)config_get_int(k->cfg, "display.height_px");
    if (landscape != (w > h)) {
        int t = w;
        w = h;
        h = t;
    }
    struct ui_config uc = {
        .width_px = w,
        .height_px = h,
        .diagonal_in = (double)config_get_int(k->cfg, "display.diagonal_tenths_in") / 10.0,
        .bottom_edge_mm = (int)config_get_int(k->cfg, "display.bottom_edge_mm"),
        .drag_mm = (int)config_get_int(k->cfg, "input.drag_mm"),
        .long_press_ms = (int)config_get_int(k->cfg, "input.long_press_ms"),
        .double_tap_ms = (int)config_get_int(k->cfg, "input.double_tap_ms"),
        .fonts = ASSETS_UI_FONTS,
        .font_lens = ASSETS_UI_FONT_LENS,
    };
    /* the keypad table (settings keypad.*) */
    struct platform_key keymap[32];
    size_t n_keymap = 0;
    for (size_t i = 0; i < speech_mode_actions_n && n_keymap < ARRAY_LEN(keymap); i++) {
        const struct speech_mode_action *a = &speech_mode_actions[i];
        keymap[n_keymap++] =
            (struct platform_key){ a->key, a->setting, config_get_string(k->cfg, a->setting) };
    }
    struct platform_config pc = { .width = w,
                                  .height = h,
                                  .headless = headless,
                                  .window_scale = scale,
                                  .hide_cursor = !config_get_bool(k->cfg, "display.cursor"),
                                  .keymap = keymap,
                                  .n_keymap = n_keymap };
    int rc = APP_EXIT_INVALID;
    k->plat = platform_open(&pc, &uc, &k->ui, &err);
    if (k->plat == NULL) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        goto out;
    }
    if (config_get_string(k->cfg, "store.key") != NULL) {
        if (!kiosk_state_open(k->cfg, false, &k->ks, &err)) {
            fprintf(stderr, "minasidor: %s\n", err.msg);
            goto out;
        }
        struct store_sync_state ss;
        if (store_sync_state_get(k->ks.store, &ss) == STORE_OK)
            k->facts.last_sync_at = ss.last_success_at;
        start_sync(k);
    } else {
        LOG_WARN("this kiosk is not provisioned: no data, no submissions");
    }
    k->m->screen = SCREEN_START;
    publish(k);
    if (sf != NULL) {
        rc = kiosk_script_run(k, sf, script, shots);
    } else {
        rc = APP_EXIT_OK;
        while (!k->quit) {
            struct ui_input in[32];
            int64_t now = kiosk_now_ms(k);
            int64_t wait = k->next_tick_ms - now;
            if (k->m->screen == SCREEN_IDENTIFY || k->m->idle_warning || k->m->has_receipt ||
                k->probe != NULL)
                wait = wait < 250 ? wait : 250;
            else if (k->session != NULL)
                wait = k->last_input_ms +
                       (int64_t)KIOSK_IDLE_WARN_S * 1000 * speech_mode_time_factor(k) - now;
            else
                wait = 5000; /* the start screen: only the offline banner may change */
            if (wait < 1)
                wait = 1;
            wait = watchdog_kick(platform_now_ms(), wait); /* systemd: READY=1, WATCHDOG=1 */
            int n = platform_wait(k->plat, (int)wait, in, 32, &k->quit);
            kiosk_step(k, in, n);
            if (k->tree_fd >= 0)
                kiosk_tree_publish(k, k->tree_fd);
        }
    }
    kiosk_logout(k);
out:
    stop_identification(k);
    kiosk_tech_finish(k);
    store_rows_free(k->articles);
    sync_runner_stop(k->sync); /* writes the usage counters */
    if (k->ks.store != NULL && store_usage_flush(k->usage, k->ks.store) != STORE_OK)
        LOG_WARN("usage counters not written");
    store_usage_destroy(k->usage);
    kiosk_state_close(&k->ks);
    speech_close(k->speech);
    speech_mode_finish(k);
    if (k->plat != NULL) {
        ui_destroy(k->ui);
        platform_close(k->plat);
    }
    if (sf != NULL)
        fclose(sf);
    sodium_free(k->m);
    sodium_memzero(k, sizeof(*k));
    free(k);
    return rc;
}
