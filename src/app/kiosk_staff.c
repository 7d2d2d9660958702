/* Staff mode (ombudsregistrering). A staff member identifies like anyone else and the site's
 * signed role list makes them staff. They establish the citizen's identity (the citizen's own
 * BankID on this kiosk, or a checked identity document), state why they need the citizen's data
 * (audit-logged), and register on the citizen's behalf; each submission says who registered it,
 * how the citizen was identified and where. What a reason opens: applications, choices and
 * callbacks read nothing of the citizen's data; a question about a case reads their cases and
 * nothing else (no invoices, queues, payouts). This is the staff mode of a session (session.h):
 * its own state is below; what the screens show of it is the model's staff part. */
#include "kiosk.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "forms.h"
#include "i18n.h"
#include "json.h"
#include "pnr.h"
#include "xalloc.h"

#define LOG_MODULE "staff"
#include "log.h"

/* The code of a known reason or document, or NULL. */
static const char *
known(const struct form_option *list, size_t n, const char *code)
{
    const struct form_option *o = form_option_find(list, n, code);
    return o != NULL ? o->code : NULL;
}

/* The staff mode's own state, allocated with the session and wiped with it. */
struct staff_state {
    char cit_pnr12[13];  /* the citizen being served */
    char correcting[37]; /* the uuid of a rejected registration being corrected, or "" */
    char *prefill_buf;   /* sodium memory: the strings prefill points into */
    struct model_submission prefill;
};

/* The staff session, or NULL when the session is not staff's. */
static struct session *
staff_session(const struct kiosk *k)
{
    return k->session != NULL && k->session->mode == &session_staff ? k->session : NULL;
}

static struct staff_state *
state_of(const struct session *s)
{
    return s->mode_state;
}

char *
kiosk_registered_by(const struct kiosk *k)
{
    json_t *o;
    const struct session *ss = staff_session(k);
    if (ss != NULL) {
        const struct model_staff *s = &k->m->staff;
        o = json_pack("{s:s, s:s, s:s, s:s?}", "by", "ombud", "staff_id", s->staff_id,
                      "identity_established_by", s->by_document ? "document" : "bankid", "site",
                      config_get_string(k->cfg, "device.site"));
        if (s->by_document) {
            json_object_set_new(o, "document_type", json_string(s->document_type));
            json_object_set_new(o, "document_last4", json_string(s->document_last4));
        }
        if (state_of(ss)->correcting[0] != '\0')
            json_object_set_new(o, "corrects", json_string(state_of(ss)->correcting));
    } else {
        o = json_pack("{s:s, s:s}", "by", "citizen", "identified_with",
                      k->session != NULL ? "bankid" : "none");
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

void
kiosk_staff_drop_correction(struct kiosk *k)
{
    k->m->prefill = NULL;
    struct session *s = staff_session(k);
    if (s == NULL)
        return;
    struct staff_state *st = state_of(s);
    if (st->prefill_buf != NULL)
        sodium_free(st->prefill_buf);
    st->prefill_buf = NULL;
    sodium_memzero(&st->prefill, sizeof(st->prefill));
    sodium_memzero(st->correcting, sizeof(st->correcting));
}

/* The next citizen: what was read and shown of the last one goes. */
static void
forget_citizen(struct kiosk *k, struct session *s)
{
    kiosk_staff_drop_correction(k);
    sodium_memzero(state_of(s)->cit_pnr12, sizeof(state_of(s)->cit_pnr12));
    session_forget_citizen(k, s);
    sodium_memzero(&k->m->staff, sizeof(k->m->staff));
    snprintf(k->m->staff.staff_id, sizeof(k->m->staff.staff_id), "%s", s->staff_id);
}

static void
staff_begin(struct kiosk *k, struct session *s, const struct bankid_user *u)
{
    k->m->given_name = s->given_name;
    k->m->surname = s->surname;
    snprintf(k->m->staff.staff_id, sizeof(k->m->staff.staff_id), "%s", s->staff_id);
    if (k->ks.store != NULL &&
        store_audit_append(k->ks.store, kiosk_actor(k), 0, "staff", "staff session") != STORE_OK)
        LOG_WARN("audit entry not written");
    kiosk_go(k, SCREEN_STAFF);
}

static void
staff_end(struct kiosk *k, struct session *s)
{
    kiosk_staff_drop_correction(k);
}

static struct store_actor
staff_actor(const struct kiosk *k, const struct session *s)
{
    return (struct store_actor){ STORE_SESSION_STAFF, s->staff_id, k->m->staff.reason };
}

/* A question about a case reads the citizen's cases and nothing else; the other reasons read
 * nothing of the citizen's data. */
static bool
staff_may_read(const struct kiosk *k, const struct session *s, enum store_kind kind)
{
    const char *reason = k->m->staff.reason;
    return reason != NULL && strcmp(reason, "case_status") == 0 &&
           (kind == STORE_KIND_CASE || kind == STORE_KIND_CASE_EVENT ||
            kind == STORE_KIND_CASE_DOCUMENT);
}

static bool
staff_may_submit(const struct kiosk *k, const struct session *s, const char **err)
{
    if (k->m->staff.reason == NULL) {
        *err = N_("State the reason first.");
        return false;
    }
    if (!k->m->staff.have_citizen || s->citizen_id == 0) {
        *err = N_("This citizen is not in this kiosk's districts: register at their own "
                  "district, or book a callback.");
        return false;
    }
    return true;
}

const struct session_mode session_staff = {
    .name = "staff",
    .role = MODEL_ROLE_STAFF,
    .home = SCREEN_STAFF,
    .state_size = sizeof(struct staff_state),
    .begin = staff_begin,
    .end = staff_end,
    .actor = staff_actor,
    .may_read = staff_may_read,
    .may_submit = staff_may_submit,
};

/* The citizen is established: look them up (through the blind index: nothing is decrypted) and
 * ask for the reason. */
static void
set_citizen(struct kiosk *k, struct session *ss, const struct pnr *p)
{
    forget_citizen(k, ss);
    struct staff_state *st = state_of(ss);
    snprintf(st->cit_pnr12, sizeof(st->cit_pnr12), "%s", p->canonical);
    struct model_staff *s = &k->m->staff;
    pnr_format(p, PNR_STYLE_MASKED, date_today_stockholm(), s->pnr_masked);
    s->have_citizen = true;
    if (k->ks.store == NULL ||
        store_citizen_find(k->ks.store, st->cit_pnr12, &ss->citizen_id) != STORE_OK)
        ss->citizen_id = 0; /* not in this kiosk's districts: submit says so */
    kiosk_go(k, SCREEN_STAFF_REASON);
}

void
kiosk_staff_by_phone(void *app)
{
    struct kiosk *k = app;
    k->facts.notice = NULL;
    kiosk_identify(k, MODEL_ID_FOR_CITIZEN);
}

void
kiosk_staff_citizen_identified(struct kiosk *k, const struct bankid_user *u)
{
    struct session *ss = staff_session(k);
    if (ss == NULL)
        return;
    if (strcmp(u->personal_number, ss->pnr12) == 0) {
        k->facts.notice = N_("That was you: the citizen must identify with their own phone.");
        kiosk_go(k, SCREEN_STAFF_CITIZEN);
        return;
    }
    struct pnr p;
    if (pnr_parse(u->personal_number, date_today_stockholm(), 0, &p) != PNR_OK) {
        k->facts.notice =
            N_("The identity provider gave a personal identity number that is not valid.");
        kiosk_go(k, SCREEN_STAFF_CITIZEN);
        return;
    }
    k->facts.notice = NULL;
    set_citizen(k, ss, &p);
    k->m->staff.by_document = false;
    sodium_memzero(&p, sizeof(p));
}

bool
kiosk_staff_by_document(void *app, const char *pnr_text, const char *doc_type, const char *last4,
                        const char **err)
{
    struct kiosk *k = app;
    struct session *ss = staff_session(k);
    if (ss == NULL)
        return false;
    struct pnr p;
    enum pnr_error e = pnr_parse(pnr_text, date_today_stockholm(), 0, &p);
    if (e != PNR_OK) {
        *err = pnr_error_message(e);
        return false;
    }
    if (strcmp(p.canonical, ss->pnr12) == 0) {
        *err = N_("You cannot register on your own behalf in staff mode.");
        return false;
    }
    const char *doc = known(identity_documents, n_identity_documents, doc_type);
    size_t n = 0;
    char l4[8] = "";
    for (const char *c = last4; *c != '\0' && n < 5; c++) {
        if (*c == ' ' || *c == '-')
            continue;
        l4[n++] = isalnum((unsigned char)*c) ? (char)toupper((unsigned char)*c) : '?';
    }
    if (doc == NULL) {
        *err = N_("Choose the kind of document.");
        return false;
    }
    if (n != 4 || strchr(l4, '?') != NULL) {
        *err = N_("Write the last four letters or digits of the document number.");
        return false;
    }
    k->facts.notice = NULL;
    set_citizen(k, ss, &p);
    struct model_staff *s = &k->m->staff;
    s->by_document = true;
    s->document_type = doc;
    memcpy(s->document_last4, l4, 5);
    sodium_memzero(&p, sizeof(p));
    return true;
}

/* The reason is stated: write it to the audit log and open what it needs, nothing more. */
void
kiosk_staff_reason(void *app, const char *code)
{
    struct kiosk *k = app;
    struct model_staff *s = &k->m->staff;
    struct session *ss = staff_session(k);
    const char *reason = known(staff_reasons, n_staff_reasons, code);
    if (ss == NULL || !s->have_citizen || reason == NULL)
        return;
    if (s->reason != reason) {
        s->reason = reason;
        if (k->ks.store != NULL &&
            store_audit_append(k->ks.store, kiosk_actor(k), ss->citizen_id, "staff_access",
                               s->by_document ? "identity: document" : "identity: bankid") !=
                STORE_OK)
            LOG_WARN("audit entry not written");
    }
    if (strcmp(reason, "case_status") == 0) {
        (void)session_load(k, ss, STORE_KIND_CASE);
        kiosk_records_from(&k->m->cases, ss->rows[STORE_KIND_CASE]);
        k->m->cases.failed = ss->read_failed[STORE_KIND_CASE];
        kiosk_go(k, SCREEN_CASES);
    } else if (strcmp(reason, "callback") == 0) {
        kiosk_go(k, SCREEN_CALLBACK);
    } else {
        kiosk_go(k, SCREEN_APPLY);
    }
}

void
kiosk_staff_end_citizen(void *app)
{
    struct kiosk *k = app;
    struct session *ss = staff_session(k);
    if (ss == NULL)
        return;
    forget_citizen(k, ss);
    kiosk_go(k, SCREEN_STAFF);
}

/* A string member of a JSON object, "" when absent. */
static const char *
jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL ? v : "";
}

/* My registrations: the outbox items this staff member registered, newest first. Each item's
 * registered_by is read once: whose it is, and which rejected item it corrects. */
void
kiosk_staff_registrations(void *app)
{
    struct kiosk *k = app;
    k->m->n_registrations = 0;
    struct store_outbox *ob = NULL;
    if (staff_session(k) == NULL || k->ks.store == NULL ||
        store_outbox_list(k->ks.store, false, 0, &ob) != STORE_OK)
        return;
    struct {
        bool mine;
        char corrects[37];
    } *by = xcalloc(ob->n + 1, sizeof(*by));
    for (size_t i = 0; i < ob->n; i++) {
        json_t *o =
            json_loads(ob->items[i].registered_by ? ob->items[i].registered_by : "", 0, NULL);
        by[i].mine = strcmp(jstr(o, "by"), "ombud") == 0 &&
                     strcmp(jstr(o, "staff_id"), k->m->staff.staff_id) == 0;
        snprintf(by[i].corrects, sizeof(by[i].corrects), "%s", jstr(o, "corrects"));
        json_decref(o);
    }
    for (size_t i = ob->n; i-- > 0 && k->m->n_registrations < MODEL_MAX_REGISTRATIONS;) {
        const struct store_outbox_item *it = &ob->items[i];
        if (!by[i].mine)
            continue;
        struct model_registration *r = &k->m->registrations[k->m->n_registrations++];
        memset(r, 0, sizeof(*r));
        snprintf(r->reference, sizeof(r->reference), "%.8s", it->uuid);
        snprintf(r->type, sizeof(r->type), "%s", it->type ? it->type : "");
        size_t f = form_find(it->kind, it->type);
        r->what = f < n_forms ? forms[f].title : NULL;
        r->state = (int)it->state;
        snprintf(r->case_number, sizeof(r->case_number), "%s",
                 it->case_number ? it->case_number : "");
        snprintf(r->reason, sizeof(r->reason), "%s", it->reason ? it->reason : "");
        for (size_t j = i + 1; j < ob->n && !r->corrected; j++)
            r->corrected = strcmp(by[j].corrects, it->uuid) == 0;
    }
    free(by);
    store_outbox_free(ob);
    ui_invalidate(k->ui);
}

/* Opens a rejected registration in its form with its answers, for the same citizen. The
 * correction is a new submission that names the rejected one (registered_by.corrects). */
void
kiosk_staff_correct(void *app, size_t i)
{
    struct kiosk *k = app;
    struct session *ss = staff_session(k);
    if (ss == NULL || i >= k->m->n_registrations ||
        k->m->registrations[i].state != STORE_OUTBOX_REJECTED)
        return;
    struct store_outbox *ob = NULL;
    if (store_outbox_list(k->ks.store, false, 0, &ob) != STORE_OK)
        return;
    const struct store_outbox_item *it = NULL;
    for (size_t j = 0; j < ob->n; j++) {
        if (strncmp(ob->items[j].uuid, k->m->registrations[i].reference, 8) == 0)
            it = &ob->items[j];
    }
    size_t form = it != NULL ? form_find(it->kind, it->type) : n_forms;
    json_t *payload = it != NULL ? json_loads(it->payload, 0, NULL) : NULL;
    json_t *by = it != NULL ? json_loads(it->registered_by, 0, NULL) : NULL;
    if (form == n_forms || !json_is_object(payload) || !json_is_object(by)) {
        LOG_WARN("a rejected registration cannot be opened for correction");
        goto out;
    }
    /* The same citizen, established the same way as before. */
    forget_citizen(k, ss);
    struct staff_state *st = state_of(ss);
    struct model_staff *s = &k->m->staff;
    s->have_citizen = true;
    ss->citizen_id = it->citizen_id;
    s->by_document = strcmp(jstr(by, "identity_established_by"), "document") == 0;
    s->document_type = known(identity_documents, n_identity_documents,
                             json_string_value(json_object_get(by, "document_type")));
    snprintf(s->document_last4, sizeof(s->document_last4), "%s", jstr(by, "document_last4"));
    s->reason =
        known(staff_reasons, n_staff_reasons, forms[form].staff_only ? "choice" : "application");
    snprintf(s->pnr_masked, sizeof(s->pnr_masked), "%s", "****");
    snprintf(st->correcting, sizeof(st->correcting), "%s", it->uuid);
    /* The answers, copied into guarded memory the model points into. */
    size_t need = strlen(it->payload) + 1;
    st->prefill_buf = sodium_malloc(need);
    xassert(st->prefill_buf != NULL);
    char *w = st->prefill_buf, *end = st->prefill_buf + need;
    struct model_submission *p = &st->prefill;
    const char *key;
    json_t *v;
    json_object_foreach(payload, key, v)
    {
        if (p->n == MODEL_MAX_ANSWERS)
            break;
        struct model_answer *a = &p->answers[p->n++];
#define COPY(dst, src)               \
    do {                             \
        size_t l_ = strlen(src) + 1; \
        if (w + l_ > end)            \
            goto full;               \
        memcpy(w, src, l_);          \
        (dst) = w;                   \
        w += l_;                     \
    } while (0)
        COPY(a->key, key);
        if (json_is_string(v)) {
            COPY(a->value, json_string_value(v));
        } else if (json_is_array(v)) {
            size_t idx;
            json_t *e;
            json_array_foreach(v, idx, e)
            {
                if (json_is_string(e) && a->n_list < MODEL_MAX_LIST)
                    COPY(a->list[a->n_list++], json_string_value(e));
            }
        }
#undef COPY
    }
full:
    k->m->prefill = p;
    k->m->form = form;
    if (store_audit_append(k->ks.store, kiosk_actor(k), ss->citizen_id, "staff_access",
                           "correction of a rejected registration") != STORE_OK)
        LOG_WARN("audit entry not written");
    kiosk_go(k, SCREEN_WIZARD);
out:
    json_decref(payload);
    json_decref(by);
    store_outbox_free(ob);
}
