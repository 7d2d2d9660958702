/* The identification thread. */
#include "id_runner.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

#define LOG_MODULE "identity"
#include "log.h"

struct idr {
    pthread_t thread;
    pthread_mutex_t lock;
    struct idp_client *client;
    struct flow flow;
    bool stop, cancel, unreachable;
    bool want_demo;
    char district[64];
    int demo_scan; /* -1 none */
    size_t n_demo;
    struct idp_demo_identity demo[IDR_MAX_DEMO];
};

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
run(void *arg)
{
    struct idr *r = arg;
    if (r->want_demo) {
        /* On this thread, not the caller's: the screen must never wait for the network. */
        struct idp_demo_identity demo[IDR_MAX_DEMO];
        size_t n = 0;
        struct errbuf err;
        if (idp_demo_identities(r->client, r->district[0] ? r->district : NULL, demo, IDR_MAX_DEMO,
                                &n, &err) != IDP_OK)
            LOG_WARN("demo identities: %s", err.msg);
        pthread_mutex_lock(&r->lock);
        memcpy(r->demo, demo, sizeof(demo));
        r->n_demo = n;
        pthread_mutex_unlock(&r->lock);
        secure_zero(demo, sizeof(demo)); /* names and personnummer: no copy left on the stack */
    }
    for (;;) {
        pthread_mutex_lock(&r->lock);
        if (r->cancel || r->stop) {
            r->cancel = false;
            flow_cancel(&r->flow);
        }
        bool done = r->flow.state == FLOW_COMPLETE || r->flow.state == FLOW_FAILED;
        bool stop = r->stop;
        int scan = r->demo_scan;
        r->demo_scan = -1;
        enum flow_action act = done ? FLOW_DO_NOTHING : flow_next(&r->flow, now_ms());
        char ref[64], qr[160] = "";
        snprintf(ref, sizeof(ref), "%s", r->flow.order.order_ref);
        if (scan >= 0 && !flow_qr(&r->flow, now_ms(), qr, sizeof(qr)))
            scan = -1;
        pthread_mutex_unlock(&r->lock);
        if (done && stop)
            break;
        struct errbuf err = { "" };
        char code[32] = "";
        enum idp_error e = IDP_OK;
        if (scan >= 0) {
            if (idp_demo_scan(r->client, qr, r->demo[scan].personal_number, &err) != IDP_OK) {
                LOG_WARN("demo scan: %s", err.msg);
            } else {
                pthread_mutex_lock(&r->lock);
                flow_collect_now(&r->flow, now_ms());
                pthread_mutex_unlock(&r->lock);
            }
        }
        switch (act) {
        case FLOW_DO_AUTH: {
            struct bankid_auth_response a;
            e = idp_auth(r->client, &a, code, &err);
            pthread_mutex_lock(&r->lock);
            if (e == IDP_OK)
                flow_on_auth(&r->flow, &a, now_ms());
            pthread_mutex_unlock(&r->lock);
            secure_zero(&a, sizeof(a));
            break;
        }
        case FLOW_DO_COLLECT: {
            struct bankid_collect col;
            e = idp_collect(r->client, ref, &col, code, &err);
            pthread_mutex_lock(&r->lock);
            if (e == IDP_OK)
                flow_on_collect(&r->flow, &col, now_ms());
            pthread_mutex_unlock(&r->lock);
            secure_zero(&col, sizeof(col));
            break;
        }
        case FLOW_DO_CANCEL:
            if (idp_cancel(r->client, ref, code, &err) != IDP_OK)
                LOG_INFO("cancel: %s", err.msg);
            pthread_mutex_lock(&r->lock);
            flow_on_cancelled(&r->flow);
            pthread_mutex_unlock(&r->lock);
            e = IDP_OK;
            break;
        case FLOW_DO_NOTHING:
            break;
        }
        if (e != IDP_OK) {
            LOG_WARN("identification: %s", err.msg);
            pthread_mutex_lock(&r->lock);
            r->unreachable = e == IDP_ERR_NETWORK;
            flow_on_error(&r->flow, e == IDP_ERR_ANSWER ? code : NULL);
            pthread_mutex_unlock(&r->lock);
        }
        struct timespec tick = { 0, 50 * 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    return NULL;
}

struct idr *
idr_start(const struct idr_config *cfg)
{
    struct idr *r = xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    r->client = idp_client_create(cfg->url, cfg->pin, cfg->end_user_ip, cfg->visible_text);
    r->demo_scan = -1;
    flow_init(&r->flow);
    r->want_demo = cfg->demo;
    snprintf(r->district, sizeof(r->district), "%s", cfg->district ? cfg->district : "");
    if (cfg->ca != NULL)
        idp_client_set_ca(r->client, cfg->ca);
    struct errbuf err;
    bool tls_ok = cfg->rp_cert == NULL || cfg->rp_key == NULL ||
                  idp_client_load_rp_cert(r->client, cfg->rp_cert, cfg->rp_key, &err);
    if (!tls_ok)
        LOG_ERR("identification: %s", err.msg);
    if (!tls_ok || pthread_create(&r->thread, NULL, run, r) != 0) {
        if (tls_ok)
            LOG_ERR("cannot start the identification thread");
        flow_on_error(&r->flow, NULL);
        r->stop = true;
        r->thread = pthread_self();
    }
    return r;
}

void
idr_snapshot(struct idr *r, struct idr_snapshot *out)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&r->lock);
    out->state = r->flow.state;
    out->message = r->flow.message;
    out->unreachable = r->unreachable;
    if (!flow_qr(&r->flow, now_ms(), out->qr, sizeof(out->qr)))
        out->qr[0] = '\0';
    if (r->flow.state == FLOW_COMPLETE)
        out->user = r->flow.user;
    out->n_demo = r->n_demo;
    memcpy(out->demo, r->demo, sizeof(out->demo));
    pthread_mutex_unlock(&r->lock);
}

void
idr_cancel(struct idr *r)
{
    pthread_mutex_lock(&r->lock);
    r->cancel = true;
    pthread_mutex_unlock(&r->lock);
}

void
idr_demo_scan(struct idr *r, size_t i)
{
    pthread_mutex_lock(&r->lock);
    if (i < r->n_demo)
        r->demo_scan = (int)i;
    pthread_mutex_unlock(&r->lock);
}

void
idr_stop(struct idr *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    bool started = !pthread_equal(r->thread, pthread_self());
    pthread_mutex_unlock(&r->lock);
    if (started)
        pthread_join(r->thread, NULL);
    flow_finish(&r->flow);
    idp_client_destroy(r->client);
    pthread_mutex_destroy(&r->lock);
    secure_zero(r, sizeof(*r));
    free(r);
}
