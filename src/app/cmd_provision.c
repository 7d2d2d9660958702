/* `minasidor provision`: a technician enrols this kiosk with the case store using a one-time
 * token, creates the root key and the encrypted cache, and runs the first sync. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "kiosk_state.h"
#include "settings.h"
#include "xalloc.h"

#define DEFAULT_STATE_DIR "/var/lib/minasidor"

void
cmd_provision_usage(FILE *out)
{
    fprintf(out, "Usage: minasidor provision --server URL --pin sha256//BASE64\n"
                 "                           (--token-file FILE | --token - | --token TOKEN)\n"
                 "                           [--site-name NAME] [--state-dir DIR] [--force]\n"
                 "\n"
                 "Enrols this kiosk with the case store, creates its root key and encrypted\n"
                 "cache in DIR (default " DEFAULT_STATE_DIR "), writes DIR/minasidor.conf and\n"
                 "runs the first sync. --force erases an earlier provisioning first (its key,\n"
                 "so its data can no longer be read).\n"
                 "\n"
                 "The one-time token is read from the first line of FILE, or of standard input\n"
                 "with --token -. --token TOKEN also works, but other users of this machine can\n"
                 "see it (ps) while provision runs.\n");
}

#define MAX_TOKEN 256

/* Reads the one-time token: the first line of fd (a trailing CR is dropped), one byte at a time
 * so that nothing after that line is consumed. It must be 1..MAX_TOKEN-1 printable ASCII
 * characters without spaces. False with a message on stderr naming `what`. */
static bool
read_token(int fd, const char *what, char out[static MAX_TOKEN])
{
    size_t n = 0;
    bool too_long = false;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "minasidor: provision: cannot read the token from %s: %s\n", what,
                    strerror(errno));
            sodium_memzero(out, MAX_TOKEN);
            return false;
        }
        if (r == 0 || c == '\n')
            break;
        if (n + 1 < MAX_TOKEN)
            out[n++] = c;
        else
            too_long = true;
    }
    if (n > 0 && out[n - 1] == '\r')
        n--;
    out[n] = '\0';
    bool printable = true;
    for (size_t i = 0; i < n; i++)
        printable = printable && out[i] > ' ' && out[i] < 0x7f;
    const char *problem = too_long     ? "is too long"
                          : n == 0     ? "is empty"
                          : !printable ? "has spaces or characters a token never has"
                                       : NULL;
    if (problem != NULL) {
        /* Say what is wrong, never what was read. */
        fprintf(stderr, "minasidor: provision: the token from %s %s\n", what, problem);
        sodium_memzero(out, MAX_TOKEN);
        return false;
    }
    return true;
}

static void
show_progress(const struct sync_stats *s, void *data)
{
    bool tty = *(bool *)data;
    int pct = s->head > 0 ? (int)(s->position * 100 / s->head) : 100;
    if (tty)
        fprintf(stderr, "\rsyncing: %zu records, %d%%   ", s->records, pct);
    else if (s->pages % 50 == 1)
        fprintf(stderr, "syncing: %zu records, %d%%\n", s->records, pct);
}

static void
erase_old(const char *dir)
{
    /* The key first: without it the rest is unreadable even if a delete below fails. */
    static const char *const files[] = { "root.key", "cache.db", "cache.db-wal", "cache.db-shm",
                                         "minasidor.conf" };
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char *p = xasprintf("%s/%s", dir, files[i]);
        if (unlink(p) != 0 && errno != ENOENT)
            fprintf(stderr, "minasidor: cannot remove %s: %s\n", p, strerror(errno));
        free(p);
    }
}

int
cmd_provision(int argc, char **argv)
{
    const char *server = NULL, *pin = NULL, *token_arg = NULL, *token_file = NULL;
    const char *site_name = NULL;
    const char *dir = DEFAULT_STATE_DIR;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            cmd_provision_usage(stdout);
            return APP_EXIT_OK;
        } else if (strcmp(a, "--force") == 0) {
            force = true;
            continue;
        } else if (v == NULL) {
            return app_usage_error(cmd_provision_usage, "provision: %s needs a value", a);
        } else if (strcmp(a, "--server") == 0) {
            server = v;
        } else if (strcmp(a, "--pin") == 0) {
            pin = v;
        } else if (strcmp(a, "--token") == 0) {
            token_arg = v;
        } else if (strcmp(a, "--token-file") == 0) {
            token_file = v;
        } else if (strcmp(a, "--site-name") == 0) {
            site_name = v;
        } else if (strcmp(a, "--state-dir") == 0) {
            dir = v;
        } else {
            return app_usage_error(cmd_provision_usage, "provision: unknown option '%s'", a);
        }
        i++;
    }
    if (server == NULL || pin == NULL || (token_arg == NULL && token_file == NULL))
        return app_usage_error(cmd_provision_usage,
                               "provision: --server, --pin and --token-file or --token are "
                               "required");
    if (token_arg != NULL && token_file != NULL)
        return app_usage_error(cmd_provision_usage,
                               "provision: give the token with --token-file or --token, not both");
    if (strncmp(server, "https://", 8) != 0)
        return app_usage_error(cmd_provision_usage, "provision: --server must be https://…");
    if (strncmp(pin, "sha256//", 8) != 0)
        return app_usage_error(cmd_provision_usage, "provision: --pin must be sha256//BASE64");

    /* The token is a credential until it is used: from a file or standard input it never
     * shows in ps or /proc/PID/cmdline. */
    char token[MAX_TOKEN];
    if (token_file != NULL) {
        int tfd = open(token_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (tfd < 0) {
            fprintf(stderr, "minasidor: provision: --token-file %s: cannot open: %s\n", token_file,
                    strerror(errno));
            return APP_EXIT_USAGE;
        }
        bool ok = read_token(tfd, token_file, token);
        close(tfd);
        if (!ok)
            return APP_EXIT_USAGE;
    } else if (strcmp(token_arg, "-") == 0) {
        /* Typed at a terminal: ask, and do not echo it on the screen either. */
        struct termios saved;
        bool quiet = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
        if (quiet) {
            struct termios noecho = saved;
            noecho.c_lflag &= (tcflag_t)~ECHO;
            /* Echo off before the prompt: what is typed after it is neither shown nor
             * flushed. */
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
            fprintf(stderr, "one-time token: ");
        }
        bool ok = read_token(STDIN_FILENO, "standard input", token);
        if (quiet) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
            fprintf(stderr, "\n");
        }
        if (!ok)
            return APP_EXIT_USAGE;
    } else {
        fprintf(stderr,
                "minasidor: warning: a token given with --token is visible to other users of this "
                "machine while provision runs (ps); use --token-file FILE or --token - (standard "
                "input)\n");
        if (strlen(token_arg) >= sizeof(token))
            return app_usage_error(cmd_provision_usage, "provision: the token is too long");
        snprintf(token, sizeof(token), "%s", token_arg);
    }

    char *conf_path = xasprintf("%s/minasidor.conf", dir);
    if (access(conf_path, F_OK) == 0) {
        if (!force) {
            fprintf(stderr,
                    "minasidor: this kiosk is already provisioned (%s); use --force to erase it "
                    "and enrol again\n",
                    conf_path);
            free(conf_path);
            sodium_memzero(token, sizeof(token));
            return APP_EXIT_INVALID;
        }
        erase_old(dir);
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "minasidor: %s: %s\n", dir, strerror(errno));
        free(conf_path);
        sodium_memzero(token, sizeof(token));
        return APP_EXIT_INVALID;
    }

    struct errbuf err = { "" };
    char *keyspec = xasprintf("keyfile:%s/root.key", dir);
    char *db = xasprintf("%s/cache.db", dir);
    struct store_key *key = NULL;
    int rc = APP_EXIT_INVALID;
    char device_id[40], site[64], districts[256], roles_key[64];
    if (store_key_create(keyspec, &key, &err) != STORE_OK) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        goto out;
    }
    unsigned char pk[32];
    unsigned char *sk = sync_device_keypair(key, pk);
    sodium_free(sk);
    enum sync_error se =
        sync_enroll(server, pin, token, site_name, pk, device_id, site, districts, roles_key, &err);
    sodium_memzero(token, sizeof(token)); /* used up, right or wrong */
    if (se != SYNC_OK) {
        fprintf(stderr, "minasidor: enrolment failed (%s): %s\n", sync_error_code(se), err.msg);
        erase_old(dir);
        goto out;
    }
    FILE *fp = NULL;
    int fd = open(conf_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        fp = fdopen(fd, "w");
    if (fp == NULL) {
        fprintf(stderr, "minasidor: %s: cannot write: %s\n", conf_path, strerror(errno));
        goto out;
    }
    fprintf(fp,
            "# Written by minasidor provision.\n[kiosk]\nsite_name = %s\n\n[store]\npath = "
            "%s\nkey = %s\n\n[server]\nurl = %s\npin = %s\n\n[device]\nid = %s\nsite = %s\n"
            "districts = %s\nroles_key = %s\n",
            site_name ? site_name : site, db, keyspec, server, pin, device_id, site, districts,
            roles_key);
    if (fclose(fp) != 0) {
        fprintf(stderr, "minasidor: %s: cannot write\n", conf_path);
        goto out;
    }
    printf("enrolled as %s for site %s (districts %s)\n", device_id, site, districts);
    fflush(stdout);

    struct config *cfg = settings_load(conf_path, NULL, 0, &err);
    struct kiosk_state ks;
    if (cfg == NULL || !kiosk_state_open(cfg, true, &ks, &err)) {
        fprintf(stderr, "minasidor: %s\n", err.msg);
        config_destroy(cfg);
        goto out;
    }
    bool tty = isatty(2);
    struct sync_stats stats = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    se = sync_pull(ks.sync, show_progress, &tty, &stats, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (tty)
        fprintf(stderr, "\n");
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (se != SYNC_OK) {
        fprintf(stderr,
                "minasidor: first sync failed (%s): %s\nThe kiosk is enrolled; run "
                "'minasidor --config %s sync --once' to try again.\n",
                sync_error_code(se), err.msg, conf_path);
    } else {
        printf("first sync: %zu records in %zu pages, %.1f s (%.0f records/s), %zu bytes "
               "received\n",
               stats.records, stats.pages, secs, secs > 0 ? (double)stats.records / secs : 0.0,
               stats.bytes_received);
        printf("provisioned: settings in %s, encrypted cache in %s\n", conf_path, db);
        rc = APP_EXIT_OK;
    }
    kiosk_state_close(&ks);
    config_destroy(cfg);
out:
    sodium_memzero(token, sizeof(token));
    store_key_destroy(key);
    free(keyspec);
    free(db);
    free(conf_path);
    return rc;
}
