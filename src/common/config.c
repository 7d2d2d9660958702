/* INI-style configuration with a schema. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

struct config_value {
    char *value;
    char *origin;
};

struct config {
    const struct config_key *schema;
    size_t n_keys;
    struct config_value *values;
};

static ptrdiff_t
find_key(const struct config *cfg, const char *name, size_t name_len)
{
    for (size_t i = 0; i < cfg->n_keys; i++) {
        if (strlen(cfg->schema[i].name) == name_len &&
            strncmp(cfg->schema[i].name, name, name_len) == 0)
            return (ptrdiff_t)i;
    }
    return -1;
}

static bool
parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool
parse_long(const char *s, long *out)
{
    if (*s == '\0')
        return false;
    errno = 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Checks a value against its key's type; the message says what was expected. */
static bool
validate(const struct config_key *key, const char *value, struct errbuf *err)
{
    switch (key->type) {
    case CONFIG_STRING:
        return true;
    case CONFIG_INT: {
        long v;
        if (!parse_long(value, &v)) {
            err_set(err, "%s: not a whole number: \"%.40s\"", key->name, value);
            return false;
        }
        if (v < key->min || v > key->max) {
            err_set(err, "%s: %ld is outside %ld..%ld", key->name, v, key->min, key->max);
            return false;
        }
        return true;
    }
    case CONFIG_BOOL: {
        bool b;
        if (!parse_bool(value, &b)) {
            err_set(err, "%s: expected true or false, got \"%.40s\"", key->name, value);
            return false;
        }
        return true;
    }
    }
    return false;
}

static void
store_value(struct config *cfg, size_t idx, const char *value, const char *origin)
{
    free(cfg->values[idx].value);
    free(cfg->values[idx].origin);
    cfg->values[idx].value = xstrdup(value);
    cfg->values[idx].origin = xstrdup(origin);
}

struct config *
config_create(const struct config_key *schema, size_t n_keys)
{
    struct config *cfg = xcalloc(1, sizeof(*cfg));
    cfg->schema = schema;
    cfg->n_keys = n_keys;
    cfg->values = xcalloc(n_keys, sizeof(*cfg->values));
    for (size_t i = 0; i < n_keys; i++) {
        if (schema[i].default_value == NULL)
            continue;
        struct errbuf err;
        xassert(validate(&schema[i], schema[i].default_value, &err));
        store_value(cfg, i, schema[i].default_value, "default");
    }
    return cfg;
}

void
config_destroy(struct config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->n_keys; i++) {
        free(cfg->values[i].value);
        free(cfg->values[i].origin);
    }
    free(cfg->values);
    free(cfg);
}

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool
valid_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

struct pending {
    size_t idx;
    char *value;
    int line;
};

bool
config_load_buffer(struct config *cfg, const char *name, const char *data, size_t len,
                   struct errbuf *err)
{
    if (len > CONFIG_MAX_FILE_BYTES) {
        err_set(err, "%s: file is larger than %d bytes", name, CONFIG_MAX_FILE_BYTES);
        return false;
    }
    if (memchr(data, '\0', len) != NULL) {
        err_set(err, "%s: file contains a NUL byte (not a text file?)", name);
        return false;
    }

    /* Parse everything first and apply only if the whole file is valid. */
    struct pending *pend = xcalloc(cfg->n_keys, sizeof(*pend));
    char section[64] = "";
    bool ok = true;
    int lineno = 0;
    size_t pos = 0;
    while (pos < len && ok) {
        lineno++;
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (data + pos)) : len - pos;
        if (line_len > 4096) {
            err_set(err, "%s:%d: line is longer than 4096 characters", name, lineno);
            ok = false;
            break;
        }
        char *line = xstrndup(data + pos, line_len);
        pos += line_len + (nl ? 1 : 0);
        char *s = trim(line);

        if (*s == '\0' || *s == '#' || *s == ';') {
            free(line);
            continue;
        }
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (close == NULL || *trim(close + 1) != '\0') {
                err_set(err, "%s:%d: malformed section header (expected [name])", name, lineno);
                ok = false;
            } else {
                *close = '\0';
                char *sec = trim(s + 1);
                size_t sl = strlen(sec);
                bool good = sl > 0 && sl < sizeof(section);
                for (size_t i = 0; good && i < sl; i++)
                    good = valid_name_char(sec[i]);
                if (!good) {
                    err_set(err, "%s:%d: invalid section name \"%.40s\"", name, lineno, sec);
                    ok = false;
                } else {
                    memcpy(section, sec, sl + 1);
                }
            }
            free(line);
            continue;
        }

        char *eq = strchr(s, '=');
        if (eq == NULL) {
            err_set(err, "%s:%d: expected key = value", name, lineno);
            ok = false;
            free(line);
            break;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        char full[160];
        int fl = snprintf(full, sizeof(full), "%s%s%s", section, *section ? "." : "", key);
        ptrdiff_t idx = -1;
        if (*key != '\0' && fl > 0 && (size_t)fl < sizeof(full))
            idx = find_key(cfg, full, strlen(full));
        if (*section == '\0' && idx < 0) {
            err_set(err, "%s:%d: %.60s: key outside any [section]", name, lineno, key);
            ok = false;
        } else if (idx < 0) {
            err_set(err, "%s:%d: %.100s: unknown key", name, lineno, full);
            ok = false;
        } else if (pend[idx].value != NULL) {
            err_set(err, "%s:%d: %s: set twice (first on line %d)", name, lineno, full,
                    pend[idx].line);
            ok = false;
        } else {
            struct errbuf verr;
            if (!validate(&cfg->schema[idx], value, &verr)) {
                err_set(err, "%s:%d: %s", name, lineno, verr.msg);
                ok = false;
            } else {
                pend[idx].value = xstrdup(value);
                pend[idx].line = lineno;
            }
        }
        free(line);
    }

    for (size_t i = 0; i < cfg->n_keys; i++) {
        if (ok && pend[i].value != NULL) {
            char origin[300];
            snprintf(origin, sizeof(origin), "%s:%d", name, pend[i].line);
            store_value(cfg, i, pend[i].value, origin);
        }
        free(pend[i].value);
    }
    free(pend);
    return ok;
}

/* The settings hold trust anchors (the case store's pin, the identity provider's URL and pin,
 * the role-list key): whoever can change them can redirect the kiosk. So, as for the key file,
 * the opened file itself must be a regular file that only root or this user can write. */
static bool
file_is_trusted(int fd, const char *path, struct errbuf *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        err_set(err, "%s: cannot stat: %s", path, strerror(errno));
        return false;
    }
    /* /dev/null, the usual "no settings file", holds nothing to trust. */
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
        return true;
    if (!S_ISREG(st.st_mode)) {
        err_set(err, "%s: not a regular file", path);
        return false;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        err_set(err,
                "%s: mode %04o lets other users change the kiosk's trust anchors; it must not be "
                "writable by group or others (chmod go-w %s)",
                path, (unsigned)(st.st_mode & 07777), path);
        return false;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        err_set(err,
                "%s: owned by uid %u, neither root nor this process's user (uid %u), who could "
                "change the kiosk's trust anchors (chown root %s)",
                path, (unsigned)st.st_uid, (unsigned)geteuid(), path);
        return false;
    }
    return true;
}

bool
config_load_file(struct config *cfg, const char *path, struct errbuf *err)
{
    /* O_NONBLOCK: a FIFO in its place is refused below instead of waiting for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    if (!file_is_trusted(fd, path, err)) {
        close(fd);
        return false;
    }
    struct buf b;
    buf_init(&b, CONFIG_MAX_FILE_BYTES);
    bool ok = true;
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err_set(err, "%s: cannot read: %s", path, strerror(errno));
            ok = false;
            break;
        }
        if (n == 0)
            break;
        if (!buf_append(&b, chunk, (size_t)n)) {
            err_set(err, "%s: file is larger than %d bytes", path, CONFIG_MAX_FILE_BYTES);
            ok = false;
            break;
        }
    }
    close(fd);
    if (ok)
        ok = config_load_buffer(cfg, path, buf_str(&b), b.len, err);
    buf_finish(&b);
    return ok;
}

bool
config_load_env(struct config *cfg, const char *prefix, struct errbuf *err)
{
    for (size_t i = 0; i < cfg->n_keys; i++) {
        char var[160];
        int n = snprintf(var, sizeof(var), "%s_%s", prefix, cfg->schema[i].name);
        if (n < 0 || (size_t)n >= sizeof(var))
            continue;
        for (char *p = var; *p; p++)
            *p = (*p == '.' || *p == '-') ? '_' : (char)toupper((unsigned char)*p);
        const char *value = getenv(var);
        if (value == NULL)
            continue;
        struct errbuf verr;
        if (!validate(&cfg->schema[i], value, &verr)) {
            err_set(err, "environment %s: %s", var, verr.msg);
            return false;
        }
        char origin[180];
        snprintf(origin, sizeof(origin), "env %s", var);
        store_value(cfg, i, value, origin);
    }
    return true;
}

bool
config_set(struct config *cfg, const char *assignment, const char *origin, struct errbuf *err)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL) {
        err_set(err, "%s: expected section.key=value, got \"%.60s\"", origin, assignment);
        return false;
    }
    ptrdiff_t idx = find_key(cfg, assignment, (size_t)(eq - assignment));
    if (idx < 0) {
        err_set(err, "%s: %.*s: unknown key", origin,
                (int)(eq - assignment > 80 ? 80 : eq - assignment), assignment);
        return false;
    }
    struct errbuf verr;
    if (!validate(&cfg->schema[idx], eq + 1, &verr)) {
        err_set(err, "%s: %s", origin, verr.msg);
        return false;
    }
    store_value(cfg, (size_t)idx, eq + 1, origin);
    return true;
}

static size_t
must_find(const struct config *cfg, const char *name, enum config_type type)
{
    ptrdiff_t idx = find_key(cfg, name, strlen(name));
    xassert(idx >= 0);
    xassert(cfg->schema[idx].type == type);
    return (size_t)idx;
}

const char *
config_get_string(const struct config *cfg, const char *name)
{
    return cfg->values[must_find(cfg, name, CONFIG_STRING)].value;
}

long
config_get_int(const struct config *cfg, const char *name)
{
    const char *v = cfg->values[must_find(cfg, name, CONFIG_INT)].value;
    long out = 0;
    if (v != NULL)
        parse_long(v, &out);
    return out;
}

bool
config_get_bool(const struct config *cfg, const char *name)
{
    const char *v = cfg->values[must_find(cfg, name, CONFIG_BOOL)].value;
    bool out = false;
    if (v != NULL)
        parse_bool(v, &out);
    return out;
}

const char *
config_origin(const struct config *cfg, const char *name)
{
    ptrdiff_t idx = find_key(cfg, name, strlen(name));
    xassert(idx >= 0);
    return cfg->values[idx].origin ? cfg->values[idx].origin : "unset";
}

const struct config_key *
config_schema(const struct config *cfg, size_t *n_keys)
{
    *n_keys = cfg->n_keys;
    return cfg->schema;
}
