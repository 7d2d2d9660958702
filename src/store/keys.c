/* The root key provider: a key file (development, and kiosks without a TPM) or a systemd
 * credential (production, TPM2-sealed). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

#define LOG_MODULE "store"
#include "log.h"

static bool
sodium_ready(struct errbuf *err)
{
    if (sodium_init() < 0) {
        err_set(err, "libsodium could not start");
        return false;
    }
    /* Keys and decrypted data must never end up in a core dump. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    return true;
}

static struct store_key *
key_new(void)
{
    struct store_key *k = calloc(1, sizeof(*k));
    if (k == NULL)
        abort();
    k->bytes = sodium_malloc(KEY_BYTES);
    if (k->bytes == NULL)
        abort();
    return k;
}

void
store_key_derive(const struct store_key *key, uint64_t id, unsigned char out[static 32])
{
    xassert(id >= 16);
    crypto_kdf_derive_from_key(out, 32, id, "minasido", key->bytes);
}

void
store_key_destroy(struct store_key *key)
{
    if (key == NULL)
        return;
    sodium_free(key->bytes);
    free(key);
}

static bool
hex_value(char c, unsigned *v)
{
    if (c >= '0' && c <= '9')
        *v = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
        *v = (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
        *v = (unsigned)(c - 'A' + 10);
    else
        return false;
    return true;
}

/* Reads a key from an open file: 32 raw bytes, or 64 hex digits and an optional newline. */
static enum store_error
read_key(int fd, const char *what, struct store_key *k, struct errbuf *err)
{
    unsigned char *buf = sodium_malloc(130);
    if (buf == NULL)
        return STORE_ERR_IO;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, 130 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == 130)
            break;
    }
    enum store_error e = STORE_OK;
    if (n == KEY_BYTES) {
        memcpy(k->bytes, buf, KEY_BYTES);
    } else if (n == 64 || (n == 65 && buf[64] == '\n')) {
        for (size_t i = 0; i < KEY_BYTES && e == STORE_OK; i++) {
            unsigned hi, lo;
            if (!hex_value((char)buf[2 * i], &hi) || !hex_value((char)buf[2 * i + 1], &lo))
                e = STORE_ERR_KEY;
            else
                k->bytes[i] = (unsigned char)(hi << 4 | lo);
        }
    } else {
        e = STORE_ERR_KEY;
    }
    sodium_free(buf);
    if (e != STORE_OK)
        err_set(err, "%s: not a root key (expected 32 bytes or 64 hex digits)", what);
    return e;
}

static const char *
file_type_name(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a directory";
    return "not a plain file";
}

/* Opens a key for reading without ever blocking: O_NONBLOCK makes opening a FIFO (or a device)
 * return at once instead of waiting for a writer, and only a regular file is accepted. `what`
 * names it in errors ("key file /path"). -1 with err set on failure. */
static int
open_regular(const char *path, const char *what, struct stat *st, struct errbuf *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ELOOP)
            err_set(err, "%s: is a symbolic link; name the key file itself", what);
        else
            err_set(err, "%s: cannot open: %s", what, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        err_set(err, "%s: cannot stat: %s", what, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        err_set(err, "%s: is %s, not a regular file; the root key must be a regular file", what,
                file_type_name(st->st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

static enum store_error
load_keyfile(const char *path, struct store_key *k, struct errbuf *err)
{
    char what[4200];
    snprintf(what, sizeof(what), "key file %s", path);
    struct stat st;
    int fd = open_regular(path, what, &st, err);
    if (fd < 0)
        return STORE_ERR_KEY;
    mode_t perm = st.st_mode & 07777;
    if (perm != 0600 && perm != 0400) {
        err_set(err,
                "key file %s: mode %04o lets others read it; it must be 0600 or 0400 "
                "(chmod 600 %s)",
                path, (unsigned)perm, path);
        close(fd);
        return STORE_ERR_KEY;
    }
    if (st.st_uid != geteuid()) {
        err_set(err, "key file %s: owned by uid %u, not by us (uid %u)", path, (unsigned)st.st_uid,
                (unsigned)geteuid());
        close(fd);
        return STORE_ERR_KEY;
    }
    enum store_error e = read_key(fd, path, k, err);
    close(fd);
    return e;
}

static enum store_error
load_credential(const char *name, struct store_key *k, struct errbuf *err)
{
    const char *dir = getenv("CREDENTIALS_DIRECTORY");
    if (dir == NULL || *dir == '\0') {
        err_set(err,
                "credential %s: $CREDENTIALS_DIRECTORY is not set (run under systemd with "
                "LoadCredentialEncrypted=)",
                name);
        return STORE_ERR_KEY;
    }
    if (strchr(name, '/') != NULL || *name == '\0' || strcmp(name, "..") == 0) {
        err_set(err, "credential name \"%s\" is not a plain name", name);
        return STORE_ERR_KEY;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char what[300];
    snprintf(what, sizeof(what), "credential %s", name);
    struct stat st;
    int fd = open_regular(path, what, &st, err);
    if (fd < 0)
        return STORE_ERR_KEY;
    enum store_error e = read_key(fd, path, k, err);
    close(fd);
    return e;
}

enum store_error
store_key_load(const char *provider, struct store_key **out, struct errbuf *err)
{
    if (!sodium_ready(err))
        return STORE_ERR_KEY;
    struct store_key *k = key_new();
    enum store_error e;
    if (strncmp(provider, "keyfile:", 8) == 0) {
        e = load_keyfile(provider + 8, k, err);
    } else if (strncmp(provider, "credential:", 11) == 0) {
        e = load_credential(provider + 11, k, err);
    } else {
        err_set(err, "key provider \"%.60s\": expected keyfile:PATH or credential:NAME", provider);
        e = STORE_ERR_KEY;
    }
    if (e != STORE_OK) {
        LOG_WARN("root key not loaded: %s", err ? err->msg : store_error_code(e));
        store_key_destroy(k);
        return e;
    }
    *out = k;
    return STORE_OK;
}

enum store_error
store_key_create(const char *provider, struct store_key **out, struct errbuf *err)
{
    if (!sodium_ready(err))
        return STORE_ERR_KEY;
    if (strncmp(provider, "keyfile:", 8) != 0) {
        err_set(err, "only a keyfile: root key can be created here; seal a credential with "
                     "systemd-creds");
        return STORE_ERR_KEY;
    }
    const char *path = provider + 8;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, "key file %s: cannot create: %s", path, strerror(errno));
        return STORE_ERR_KEY;
    }
    struct store_key *k = key_new();
    randombytes_buf(k->bytes, KEY_BYTES);
    bool ok =
        fchmod(fd, 0600) == 0 && write(fd, k->bytes, KEY_BYTES) == KEY_BYTES && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok) {
        err_set(err, "key file %s: cannot write: %s", path, strerror(saved));
        unlink(path);
        store_key_destroy(k);
        return STORE_ERR_IO;
    }
    *out = k;
    return STORE_OK;
}

#ifdef MINASIDOR_UNIT_TEST
const unsigned char *
store_key_bytes_for_test(const struct store_key *key)
{
    return key->bytes;
}
#endif
