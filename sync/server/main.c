/* casestore: the reference central case store and (later) identity provider for minasidor.
 * A real HTTPS server with real persistence, so that kiosks can be developed, demonstrated and
 * tested end to end on one machine, and so that a city can see what its back end must do. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <pthread.h>
#include <sodium.h>
#include <unistd.h>

#include "bankid_sim.h"
#include "buf.h"
#include "fleet.h"
#include "http.h"
#include "json.h"
#include "reports.h"
#include "site_roles.h"
#include "storage.h"
#include "tls.h"
#include "version.h"
#include "xalloc.h"

#define LOG_MODULE "casestore"
#include "log.h"

static void
usage(FILE *out)
{
    fprintf(out,
            "Usage: casestore COMMAND --data DIR [--storage postgresql://...] [OPTIONS]\n"
            "\n"
            "  DIR holds the server's keys and TLS certificate, and the data in DIR/casestore.db\n"
            "  (SQLite) unless --storage names a PostgreSQL database (a libpq URI), which any\n"
            "  number of casestore processes sharing DIR's keys may serve at once.\n"
            "\n"
            "  init                       create DIR: database, TLS key and certificate; print "
            "the pin\n"
            "  serve [--listen IP:PORT] [--tls-cert F --tls-key F] [--threads N]\n"
            "        [--inject KIND:PATH:COUNT]... [--demo]   serve HTTPS (KIND: 500, 503, 429, "
            "truncate, oversize, lose, garbage)\n"
            "        [--access-log FILE]  one line per request (default DIR/access.log)\n"
            "        [--publish-unchecked]  tests only: pages carry records as stored, unchecked\n"
            "  pin                        print the public-key pin of the certificate\n"
            "  rp-cert --out DIR [--name N]   issue a relying-party certificate (DIR/rp.crt,\n"
            "                             DIR/rp.key) that the BankID simulator accepts\n"
            "  token create --site NAME --districts a,b [--ttl-hours N]\n"
            "  device list | device revoke DEVICE_ID\n"
            "  device reports             records kiosks set aside (POST /v1/report)\n"
            "  seed --citizens N [--seed S]   realistic demo or benchmark data\n"
            "  mutate WHAT ID [ARG]       advance-case ID [STATUS], pay-invoice ID [DATE],\n"
            "                             book-appointment CITIZEN UTC_SECONDS,\n"
            "                             move-appointment ID UTC_SECONDS, move-citizen ID "
            "DISTRICT,\n"
            "                             erase-citizen ID\n"
            "  record remove KIND ID      repair: remove one record (a case with its events and\n"
            "                             documents); kiosks delete it on their next pull\n"
            "  record rewrite KIND ID FIELDS_JSON|-\n"
            "                             repair: replace one record's fields (checked as a\n"
            "                             page is; - reads them from standard input)\n"
            "  stats                      counts of records, submissions and changes\n"
            "  report usage [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--site S] [--json|--csv]\n"
            "                             kiosks' use per day, site and counter, no personal\n"
            "                             data; counts below 5 shown as <5, no totals\n"
            "  fleet [--json] [--silent-after DURATION]\n"
            "                             every kiosk: site, version, last seen, last sync,\n"
            "                             outbox age, state (ok, failing: CHECKS, silent,\n"
            "                             new, revoked); exit 1 when any is failing or\n"
            "                             silent: not seen for DURATION (90s, 30m, 24h, 2d;\n"
            "                             default 24h)\n"
            "  role add --site S --pnr P --role staff|technician --staff-id ID\n"
            "  role remove --site S --pnr P   (the signed role list kiosks fetch)\n"
            "  phone QR_DATA --pnr 12DIGITS [--action approve|cancel|stall]\n"
            "                             play the citizen's BankID app: check the QR the kiosk\n"
            "                             shows (a stale or forged one is refused), then act\n"
            "\n"
            "Exit codes: 0 ok, 1 failed, 2 usage error.\n");
}

static int
usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "casestore: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    usage(stderr);
    return 2;
}

struct args {
    const char *data, *listen, *cert, *key, *site, *districts, *seed, *pnr, *action, *role,
        *staff_id, *out, *name, *access_log, *from, *to, *silent_after, *storage;
    const char *inject[16];
    size_t n_inject;
    long citizens, ttl_hours, threads;
    bool demo;
    bool json, csv; /* report usage, fleet */
    bool unchecked; /* serve --publish-unchecked: for the kiosk's tests only */
    const char *pos[6];
    size_t n_pos;
};

/* Where a string-valued option goes; NULL if o is not one. */
static const char **
string_option(struct args *a, const char *o)
{
    const struct {
        const char *name;
        const char **slot;
    } opts[] = {
        { "--data", &a->data },         { "--listen", &a->listen },
        { "--tls-cert", &a->cert },     { "--tls-key", &a->key },
        { "--site", &a->site },         { "--districts", &a->districts },
        { "--seed", &a->seed },         { "--pnr", &a->pnr },
        { "--action", &a->action },     { "--role", &a->role },
        { "--staff-id", &a->staff_id }, { "--out", &a->out },
        { "--name", &a->name },         { "--access-log", &a->access_log },
        { "--storage", &a->storage },
    };
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        if (strcmp(o, opts[i].name) == 0)
            return opts[i].slot;
    }
    return NULL;
}

static int
parse(int argc, char **argv, struct args *a)
{
    memset(a, 0, sizeof(*a));
    a->listen = "127.0.0.1:8443";
    a->ttl_hours = 24;
    a->threads = 4;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(o, "--", 2) != 0) {
            if (a->n_pos == ARRAY_LEN(a->pos))
                return usage_error("too many arguments", NULL);
            a->pos[a->n_pos++] = o;
            continue;
        }
        if (strcmp(o, "--demo") == 0) {
            a->demo = true;
            continue;
        }
        if (strcmp(o, "--json") == 0 || strcmp(o, "--csv") == 0) {
            *(o[2] == 'j' ? &a->json : &a->csv) = true;
            continue;
        }
        if (strcmp(o, "--publish-unchecked") == 0) {
            a->unchecked = true;
            continue;
        }
        if (v == NULL)
            return usage_error("missing value for", o);
        i++;
        const char **slot = string_option(a, o);
        if (slot != NULL)
            *slot = v;
        else if (strcmp(o, "--from") == 0 || strcmp(o, "--to") == 0)
            *(o[2] == 'f' ? &a->from : &a->to) = v; /* report usage */
        else if (strcmp(o, "--silent-after") == 0)
            a->silent_after = v; /* fleet */
        else if (strcmp(o, "--citizens") == 0)
            a->citizens = atol(v);
        else if (strcmp(o, "--ttl-hours") == 0)
            a->ttl_hours = atol(v);
        else if (strcmp(o, "--threads") == 0)
            a->threads = atol(v);
        else if (strcmp(o, "--inject") == 0 && a->n_inject < ARRAY_LEN(a->inject) - 1)
            a->inject[a->n_inject++] = v;
        else
            return usage_error("unknown option", o);
    }
    if (a->n_pos == 0)
        return usage_error("no command given", NULL);
    if (a->data == NULL)
        return usage_error("--data DIR is required", NULL);
    return 0;
}

/* The data directory holds the database (citizens' data) and private keys: refuse one that any
 * user of this machine can read or write. *missing tells init that it is not there yet. */
static bool
data_dir_private(const char *dir, bool *missing)
{
    struct stat sb;
    *missing = false;
    if (stat(dir, &sb) != 0) {
        *missing = errno == ENOENT;
        if (!*missing)
            fprintf(stderr, "casestore: %s: %s\n", dir, strerror(errno));
        return *missing;
    }
    if (!S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "casestore: %s: not a directory\n", dir);
        return false;
    }
    if ((sb.st_mode & (S_IROTH | S_IWOTH)) != 0) {
        fprintf(stderr,
                "casestore: the data directory %s is %s by every user of this machine (mode"
                " %04o); it holds citizens' data and private keys. Run: chmod 700 %s\n",
                dir,
                (sb.st_mode & S_IWOTH) && (sb.st_mode & S_IROTH) ? "readable and writable"
                : (sb.st_mode & S_IWOTH)                         ? "writable"
                                                                 : "readable",
                (unsigned)(sb.st_mode & 07777), dir);
        return false;
    }
    return true;
}

static int
cmd_serve(struct args *a, struct cs_storage *st)
{
    /* Start-up as a checklist: every handle starts empty, one exit path frees them all. */
    struct errbuf err;
    int rc = 1;
    unsigned char roles_sk[64], roles_pk[32];
    char pin[CS_PIN_MAX] = "";
    char *cert_path = a->cert ? xstrdup(a->cert) : xasprintf("%s/tls.crt", a->data);
    char *key_path = a->key ? xstrdup(a->key) : xasprintf("%s/tls.key", a->data);
    char *cert = cs_read_file(cert_path, 65536, &err);
    char *key = cert ? cs_read_file(key_path, 65536, &err) : NULL;
    char *rp_ca_path = xasprintf("%s/rp-ca.crt", a->data);
    char *log_path = a->access_log ? xstrdup(a->access_log) : xasprintf("%s/access.log", a->data);
    char *rp_ca =
        key != NULL && cs_tls_rp_ca(a->data, &err) ? cs_read_file(rp_ca_path, 65536, &err) : NULL;
    if (rp_ca == NULL || !cs_tls_pin(cert_path, pin, &err) ||
        !site_roles_key(a->data, roles_sk, roles_pk, &err)) {
        fprintf(stderr, "casestore: %s\n", err.msg);
        goto out;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the server's threads inherit the mask */
    if (a->demo && strncmp(a->listen, "127.", 4) != 0 && strncmp(a->listen, "[::1]", 5) != 0) {
        /* Demo identities log anyone in: never where another machine can reach them. */
        fprintf(stderr, "casestore: --demo is refused unless --listen is a loopback address\n");
        goto out;
    }
    if (a->unchecked) {
        if (strncmp(a->listen, "127.", 4) != 0) {
            fprintf(stderr, "casestore: --publish-unchecked is for tests on a loopback address\n");
            goto out;
        }
        LOG_WARN("publishing records unchecked (--publish-unchecked): kiosks may set some aside");
        cs_storage_publish_unchecked(st, true);
    }
    struct cs_server_options o = { a->listen, cert,     key,      rp_ca,   (unsigned)a->threads,
                                   a->inject, roles_sk, roles_pk, a->demo, log_path };
    struct cs_server *srv = cs_server_start(st, &o, &err);
    if (srv == NULL) {
        fprintf(stderr, "casestore: %s\n", err.msg);
        goto out;
    }
    printf("casestore: listening on https://%s (pin %s)\n", a->listen, pin);
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    printf("casestore: stopping\n");
    cs_server_stop(srv);
    rc = 0;
out:
    if (key != NULL)
        sodium_memzero(key, strlen(key));
    sodium_memzero(roles_sk, sizeof(roles_sk));
    free(cert);
    free(key);
    free(rp_ca);
    free(rp_ca_path);
    free(log_path);
    free(cert_path);
    free(key_path);
    return rc;
}

/* `record remove|rewrite`: the repair of one record. Prints what was done, never a value. */
static int
cmd_record(struct args *a, struct cs_storage *st)
{
    struct errbuf err;
    bool remove = strcmp(a->pos[1], "remove") == 0 && a->n_pos == 4;
    bool rewrite = strcmp(a->pos[1], "rewrite") == 0 && a->n_pos == 5;
    if (!remove && !rewrite)
        return usage_error("expected record remove KIND ID or record rewrite KIND ID FIELDS_JSON",
                           NULL);
    const char *kind = a->pos[2], *id = a->pos[3];
    enum cs_result r;
    if (remove) {
        int children = 0;
        r = cs_record_remove(st, kind, id, &children, &err);
        if (r == CS_OK && children == 0)
            printf("removed %s %s; the kiosks of its district delete it on their next pull\n", kind,
                   id);
        else if (r == CS_OK)
            printf("removed %s %s and %d of its events and documents; the kiosks of its district"
                   " delete them on their next pull\n",
                   kind, id, children);
    } else {
        char *text = NULL;
        if (strcmp(a->pos[4], "-") == 0) {
            struct buf in;
            buf_init(&in, 1024 * 1024);
            char chunk[4096];
            size_t n;
            bool ok = true;
            while (ok && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
                ok = buf_append(&in, chunk, n);
            text = ok ? xstrdup(buf_str(&in)) : NULL;
            buf_finish_wipe(&in);
        } else {
            text = xstrdup(a->pos[4]);
        }
        json_t *fields = text ? json_parse_capped(text, strlen(text), 1024 * 1024, &err) : NULL;
        if (text == NULL)
            err_set(&err, "the fields are larger than 1 MiB");
        if (text != NULL)
            sodium_memzero(text, strlen(text));
        free(text);
        r = fields ? cs_record_rewrite(st, kind, id, fields, &err) : CS_INVALID;
        if (r == CS_OK)
            printf("rewrote %s %s (%zu fields); the kiosks of its district get it on their next"
                   " pull\n",
                   kind, id, json_object_size(fields));
        json_decref(fields);
    }
    if (r != CS_OK) {
        fprintf(stderr, "casestore: %s\n", err.msg);
        return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("casestore %s\n", MINASIDOR_VERSION);
        return 0;
    }
    struct args a;
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc;
    const char *level = getenv("CASESTORE_LOG_LEVEL");
    enum log_level lv = LOG_LEVEL_WARN;
    if (level != NULL)
        log_level_parse(level, &lv);
    log_init(lv, LOG_TARGET_STDERR, "casestore");
    struct errbuf err;
    const char *cmd = a.pos[0];
    /* Everything casestore creates (database, write-ahead log, keys) is for its user alone. */
    umask(077);
    bool missing = false;
    if (!data_dir_private(a.data, &missing))
        return 1;
    if (missing && strcmp(cmd, "init") != 0) {
        fprintf(stderr, "casestore: %s does not exist (run casestore init first)\n", a.data);
        return 1;
    }

    if (strcmp(cmd, "init") == 0) {
        if (mkdir(a.data, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "casestore: %s: %s\n", a.data, strerror(errno));
            return 1;
        }
        char *crt = xasprintf("%s/tls.crt", a.data);
        bool have = access(crt, F_OK) == 0;
        struct cs_storage *st = cs_storage_open(a.data, a.storage, &err);
        char pin[CS_PIN_MAX];
        bool ok = st != NULL && (have || cs_tls_generate(a.data, &err)) &&
                  cs_tls_pin(crt, pin, &err) && cs_tls_rp_ca(a.data, &err);
        cs_storage_close(st);
        free(crt);
        if (!ok) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            return 1;
        }
        printf("%s\n", pin);
        return 0;
    }
    if (strcmp(cmd, "pin") == 0) {
        char *crt = xasprintf("%s/tls.crt", a.data);
        char pin[CS_PIN_MAX];
        bool ok = cs_tls_pin(crt, pin, &err);
        free(crt);
        if (!ok) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            return 1;
        }
        printf("%s\n", pin);
        return 0;
    }
    if (strcmp(cmd, "rp-cert") == 0) {
        if (a.out == NULL)
            return usage_error("rp-cert needs --out DIR", NULL);
        if (mkdir(a.out, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "casestore: %s: %s\n", a.out, strerror(errno));
            return 1;
        }
        if (!cs_tls_rp_ca(a.data, &err) ||
            !cs_tls_rp_issue(a.data, a.out, a.name ? a.name : "minasidor kiosk", &err)) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            return 1;
        }
        printf("%s/rp.crt\n%s/rp.key\n", a.out, a.out);
        return 0;
    }

    struct cs_storage *st = cs_storage_open(a.data, a.storage, &err);
    if (st == NULL) {
        fprintf(stderr, "casestore: %s%s\n", err.msg,
                a.storage ? "" : " (run casestore init first)");
        return 1;
    }
    rc = 0;
    if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve(&a, st);
    } else if (strcmp(cmd, "token") == 0 && a.n_pos == 2 && strcmp(a.pos[1], "create") == 0) {
        char token[48];
        if (a.site == NULL || a.districts == NULL) {
            rc = usage_error("token create needs --site and --districts", NULL);
        } else if (cs_token_create(st, a.site, a.districts, a.ttl_hours * 3600, token, &err) !=
                   CS_OK) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            rc = 1;
        } else {
            printf("%s\n", token);
        }
    } else if (strcmp(cmd, "device") == 0 && a.n_pos == 2 && strcmp(a.pos[1], "list") == 0) {
        cs_device_list(st, stdout);
    } else if (strcmp(cmd, "device") == 0 && a.n_pos == 2 && strcmp(a.pos[1], "reports") == 0) {
        cs_report_list(st, stdout);
    } else if (strcmp(cmd, "device") == 0 && a.n_pos == 3 && strcmp(a.pos[1], "revoke") == 0) {
        if (cs_device_revoke(st, a.pos[2]) != CS_OK) {
            fprintf(stderr, "casestore: no device %s\n", a.pos[2]);
            rc = 1;
        }
    } else if (strcmp(cmd, "seed") == 0) {
        if (a.citizens <= 0)
            rc = usage_error("seed needs --citizens N (1 or more)", NULL);
        else if (cs_seed(st, a.citizens, a.seed ? (unsigned)atol(a.seed) : 1, isatty(2), &err) !=
                 CS_OK) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            rc = 1;
        }
    } else if (strcmp(cmd, "mutate") == 0 && a.n_pos >= 3) {
        if (cs_mutate(st, a.pos[1], a.pos[2], a.n_pos > 3 ? a.pos[3] : NULL, &err) != CS_OK) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            rc = 1;
        }
    } else if (strcmp(cmd, "role") == 0 && a.n_pos == 2 && strcmp(a.pos[1], "add") == 0) {
        if (a.site == NULL || a.pnr == NULL || a.role == NULL || a.staff_id == NULL) {
            rc = usage_error("role add needs --site, --pnr, --role and --staff-id", NULL);
        } else if (!site_roles_set(st, a.site, a.pnr, a.role, a.staff_id, &err)) {
            fprintf(stderr, "casestore: %s\n", err.msg);
            rc = 1;
        }
    } else if (strcmp(cmd, "role") == 0 && a.n_pos == 2 && strcmp(a.pos[1], "remove") == 0) {
        if (a.site == NULL || a.pnr == NULL) {
            rc = usage_error("role remove needs --site and --pnr", NULL);
        } else if (!site_roles_remove(st, a.site, a.pnr)) {
            fprintf(stderr, "casestore: no such role\n");
            rc = 1;
        }
    } else if (strcmp(cmd, "phone") == 0 && a.n_pos == 2) {
        const char *act = a.action ? a.action : "approve";
        enum bankid_phone_action pa = strcmp(act, "cancel") == 0  ? BANKID_PHONE_CANCEL
                                      : strcmp(act, "stall") == 0 ? BANKID_PHONE_STALL
                                                                  : BANKID_PHONE_APPROVE;
        if (a.pnr == NULL || (strcmp(act, "approve") != 0 && pa == BANKID_PHONE_APPROVE)) {
            rc = usage_error("phone needs --pnr and --action approve, cancel or stall", NULL);
        } else if (!bankid_sim_phone(st, a.pos[1], a.pnr, pa, (int64_t)time(NULL), &err)) {
            fprintf(stderr, "casestore: phone: %s\n", err.msg);
            rc = 1;
        } else {
            printf("phone: %s\n", act);
        }
    } else if (strcmp(cmd, "record") == 0 && a.n_pos >= 2) {
        rc = cmd_record(&a, st);
    } else if (strcmp(cmd, "report") == 0 && a.n_pos == 2 && strcmp(a.pos[1], "usage") == 0) {
        rc = a.json && a.csv ? usage_error("give --json or --csv, not both", NULL)
                             : cs_report_usage(st, a.from, a.to, a.site,
                                               a.json  ? CS_FORMAT_JSON
                                               : a.csv ? CS_FORMAT_CSV
                                                       : CS_FORMAT_TABLE,
                                               stdout);
    } else if (strcmp(cmd, "fleet") == 0 && a.n_pos == 1) {
        int64_t silent_after = 24 * 3600;
        /* The clock the server runs on: CASESTORE_CLOCK_OFFSET_S shifts it, as for serve. */
        const char *skew = getenv("CASESTORE_CLOCK_OFFSET_S");
        int64_t now = (int64_t)time(NULL) + (skew ? strtoll(skew, NULL, 10) : 0);
        if (a.silent_after != NULL && !cs_duration_parse(a.silent_after, &silent_after))
            rc = usage_error("--silent-after takes a duration such as 90s, 30m, 24h or 2d", NULL);
        else
            rc = cs_fleet(st, now, silent_after, a.json, stdout);
    } else if (strcmp(cmd, "stats") == 0) {
        cs_stats(st, stdout);
    } else {
        rc = usage_error("unknown command", cmd);
    }
    cs_storage_close(st);
    return rc;
}
