/* Envelope encryption of fields, the blind index, and guarded memory for plaintext. */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "xalloc.h"

#define LOG_MODULE "store"
#include "log.h"

#define SEAL_VERSION 1
#define PAD_BLOCK    16 /* hides the length of short coded values such as statuses */
#define NONCE_BYTES  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES    crypto_aead_xchacha20poly1305_ietf_ABYTES

/* Nonces come from a pool refilled with one randombytes call per 4 KiB: a getrandom() system
 * call per sealed field was the largest cost of writing. Nonces are random (192 bits, so
 * collisions are not a concern) and never reused: a forked child would inherit the pool, so a
 * fork invalidates it. */
static _Thread_local struct {
    unsigned char bytes[4096];
    size_t used;
    unsigned generation;
} pool = { .used = sizeof(pool.bytes) };
static unsigned fork_generation = 1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
handle_fork_child(void)
{
    fork_generation++;
}

static void
register_atfork(void)
{
    pthread_atfork(NULL, NULL, handle_fork_child);
}

static void
random_nonce(unsigned char *out, size_t n)
{
    pthread_once(&atfork_once, register_atfork);
    if (pool.generation != fork_generation || sizeof(pool.bytes) - pool.used < n) {
        randombytes_buf(pool.bytes, sizeof(pool.bytes));
        pool.used = 0;
        pool.generation = fork_generation;
    }
    memcpy(out, pool.bytes + pool.used, n);
    sodium_memzero(pool.bytes + pool.used, n);
    pool.used += n;
}

struct chunk {
    struct chunk *next;
    size_t size, used;
};

struct store_arena {
    struct chunk *head;
};

struct store_arena *
arena_create(void)
{
    return xcalloc(1, sizeof(struct store_arena));
}

void *
arena_alloc(struct store_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct chunk *c = a->head;
    if (c == NULL || c->size - c->used < n) {
        size_t size = sizeof(struct chunk) + (n > 60000 ? n : 60000);
        size = (size + 15) & ~(size_t)15;
        c = sodium_malloc(size);
        if (c == NULL) {
            fprintf(stderr, "minasidor: out of guarded memory\n");
            abort();
        }
        c->next = a->head;
        c->size = size;
        c->used = (sizeof(struct chunk) + 15) & ~(size_t)15;
        a->head = c;
    }
    void *p = (unsigned char *)c + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *
arena_strndup(struct store_arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
arena_destroy(struct store_arena *a)
{
    if (a == NULL)
        return;
    struct chunk *c = a->head;
    while (c != NULL) {
        struct chunk *next = c->next;
        sodium_free(c); /* wipes */
        c = next;
    }
    free(a);
}

/* Associated data: version, table, column, row id and citizen, so that a ciphertext opens only
 * in the exact place it was written. */
static size_t
make_ad(unsigned char *ad, size_t cap, const char *table, const char *column, int64_t rowid,
        int64_t citizen)
{
    size_t tl = strlen(table), cl = strlen(column);
    xassert(5 + tl + 1 + cl + 1 + 16 <= cap);
    size_t n = 0;
    memcpy(ad, "msv", 3);
    ad[3] = SEAL_VERSION;
    ad[4] = '|';
    n = 5;
    memcpy(ad + n, table, tl + 1);
    n += tl + 1;
    memcpy(ad + n, column, cl + 1);
    n += cl + 1;
    for (int i = 0; i < 8; i++)
        ad[n++] = (unsigned char)((uint64_t)rowid >> (8 * i));
    for (int i = 0; i < 8; i++)
        ad[n++] = (unsigned char)((uint64_t)citizen >> (8 * i));
    return n;
}

void
seal_field(const unsigned char key[KEY_BYTES], const char *table, const char *column, int64_t rowid,
           int64_t citizen, const void *plain, size_t len, unsigned char **out, size_t *out_len)
{
    unsigned char ad[160];
    size_t ad_len = make_ad(ad, sizeof(ad), table, column, rowid, citizen);
    size_t padded_cap = len + PAD_BLOCK;
    unsigned char stack[512];
    unsigned char *padded = padded_cap <= sizeof(stack) ? stack : xmalloc(padded_cap);
    memcpy(padded, plain, len);
    size_t padded_len = 0;
    if (sodium_pad(&padded_len, padded, len, PAD_BLOCK, padded_cap) != 0)
        xassert(!"sodium_pad cannot fail with room for a block");
    size_t total = 1 + NONCE_BYTES + padded_len + TAG_BYTES;
    unsigned char *blob = xmalloc(total);
    blob[0] = SEAL_VERSION;
    random_nonce(blob + 1, NONCE_BYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(blob + 1 + NONCE_BYTES, &clen, padded, padded_len,
                                               ad, ad_len, NULL, blob + 1, key);
    sodium_memzero(padded, padded_cap);
    if (padded != stack)
        free(padded);
    *out = blob;
    *out_len = 1 + NONCE_BYTES + (size_t)clen;
}

/* Decrypts into buf (at least blob_len bytes); returns the unpadded length or -1. */
static long
open_raw(const unsigned char key[KEY_BYTES], const char *table, const char *column, int64_t rowid,
         int64_t citizen, const unsigned char *blob, size_t blob_len, unsigned char *buf)
{
    if (blob_len < 1 + NONCE_BYTES + TAG_BYTES + PAD_BLOCK || blob[0] != SEAL_VERSION)
        return -1;
    unsigned char ad[160];
    size_t ad_len = make_ad(ad, sizeof(ad), table, column, rowid, citizen);
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &mlen, NULL, blob + 1 + NONCE_BYTES,
                                                   blob_len - 1 - NONCE_BYTES, ad, ad_len, blob + 1,
                                                   key) != 0)
        return -1;
    size_t unpadded = 0;
    if (sodium_unpad(&unpadded, buf, (size_t)mlen, PAD_BLOCK) != 0)
        return -1;
    return (long)unpadded;
}

static void
log_tampered(const char *table, const char *column, int64_t rowid)
{
    LOG_ERR("sealed value %s.%s of row %lld does not open: altered, moved or wrong key", table,
            column, (long long)rowid);
}

enum store_error
open_field(const unsigned char key[KEY_BYTES], const char *table, const char *column, int64_t rowid,
           int64_t citizen, const unsigned char *blob, size_t blob_len, struct store_arena *a,
           char **out, size_t *len)
{
    /* Decrypt straight into guarded memory; the padding bytes stay there, wiped on free. */
    unsigned char *buf = arena_alloc(a, blob_len + 1);
    long n = open_raw(key, table, column, rowid, citizen, blob, blob_len, buf);
    if (n < 0) {
        log_tampered(table, column, rowid);
        return STORE_ERR_TAMPERED;
    }
    buf[n] = '\0';
    *out = (char *)buf;
    if (len != NULL)
        *len = (size_t)n;
    return STORE_OK;
}

enum store_error
open_field_fixed(const unsigned char key[KEY_BYTES], const char *table, const char *column,
                 int64_t rowid, int64_t citizen, const unsigned char *blob, size_t blob_len,
                 unsigned char *out, size_t want)
{
    /* Small (a wrapped key): a stack buffer, wiped before return, avoids a guarded mapping per
     * unwrap, which cost more than the decryption itself. */
    unsigned char buf[256];
    if (blob_len > sizeof(buf)) {
        log_tampered(table, column, rowid);
        return STORE_ERR_TAMPERED;
    }
    long n = open_raw(key, table, column, rowid, citizen, blob, blob_len, buf);
    enum store_error e = STORE_OK;
    if (n != (long)want) {
        log_tampered(table, column, rowid);
        e = STORE_ERR_TAMPERED;
    } else {
        memcpy(out, buf, want);
    }
    sodium_memzero(buf, sizeof(buf));
    return e;
}

void
server_ref(const struct store *s, const char *table, const char *server_id,
           char out[STORE_REF_CHARS + 1])
{
    crypto_generichash_state h;
    unsigned char ref[crypto_generichash_BYTES_MIN];
    crypto_generichash_init(&h, store_subkey(s, SUBKEY_REF), KEY_BYTES, sizeof(ref));
    crypto_generichash_update(&h, (const unsigned char *)table, strlen(table) + 1);
    crypto_generichash_update(&h, (const unsigned char *)server_id, strlen(server_id));
    crypto_generichash_final(&h, ref, sizeof(ref));
    sodium_bin2hex(out, STORE_REF_CHARS + 1, ref, STORE_REF_CHARS / 2);
}

void
blind_index(const struct store *s, const char *pnr12, unsigned char out[BIDX_BYTES])
{
    unsigned char full[crypto_generichash_BYTES_MIN];
    crypto_generichash(full, sizeof(full), (const unsigned char *)pnr12, strlen(pnr12),
                       store_subkey(s, SUBKEY_INDEX), KEY_BYTES);
    memcpy(out, full, BIDX_BYTES);
}

/* --- Sealed records (schema 7) ------------------------------------------------------------- */

#define RECORD_SEAL_VERSION 2

/* Associated data of a sealed record: format version, table, primary key, citizen and the
 * record's version, so that it opens only in its own row, of its own citizen, as last written. */
static size_t
record_ad(unsigned char *ad, size_t cap, const char *table, int64_t rowid, int64_t citizen,
          int64_t version)
{
    size_t tl = strlen(table);
    xassert(5 + tl + 1 + 24 <= cap);
    memcpy(ad, "msr", 3);
    ad[3] = RECORD_SEAL_VERSION;
    ad[4] = '|';
    size_t n = 5;
    memcpy(ad + n, table, tl + 1);
    n += tl + 1;
    const int64_t nums[] = { rowid, citizen, version };
    for (size_t k = 0; k < ARRAY_LEN(nums); k++) {
        for (int i = 0; i < 8; i++)
            ad[n++] = (unsigned char)((uint64_t)nums[k] >> (8 * i));
    }
    return n;
}

static size_t
varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

void
seal_record(const unsigned char key[KEY_BYTES], const char *table, int64_t rowid, int64_t citizen,
            int64_t version, const char *const *values, size_t n, unsigned char **out,
            size_t *out_len)
{
    /* Each field: a varint of its length + 1 (0: unset), its bytes and a NUL (so that opened
     * fields are strings in place). Encoded straight into the blob and encrypted in place. */
    size_t plain = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l = values[i] != NULL ? strlen(values[i]) : 0;
        plain += values[i] != NULL ? varint_len(l + 1) + l + 1 : 1;
    }
    size_t padded_cap = plain + PAD_BLOCK;
    unsigned char *blob = xmalloc(1 + NONCE_BYTES + padded_cap + TAG_BYTES);
    unsigned char *p = blob + 1 + NONCE_BYTES, *w = p;
    for (size_t i = 0; i < n; i++) {
        if (values[i] == NULL) {
            *w++ = 0;
            continue;
        }
        size_t l = strlen(values[i]), v = l + 1;
        while (v >= 0x80) {
            *w++ = (unsigned char)(v | 0x80);
            v >>= 7;
        }
        *w++ = (unsigned char)v;
        memcpy(w, values[i], l + 1);
        w += l + 1;
    }
    size_t padded_len = 0;
    if (sodium_pad(&padded_len, p, plain, PAD_BLOCK, padded_cap) != 0)
        xassert(!"sodium_pad cannot fail with room for a block");
    unsigned char ad[160];
    size_t ad_len = record_ad(ad, sizeof(ad), table, rowid, citizen, version);
    blob[0] = RECORD_SEAL_VERSION;
    random_nonce(blob + 1, NONCE_BYTES);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(p, &clen, p, padded_len, ad, ad_len, NULL, blob + 1,
                                               key);
    *out = blob;
    *out_len = 1 + NONCE_BYTES + (size_t)clen;
}

enum store_error
open_record(const unsigned char key[KEY_BYTES], const char *table, int64_t rowid, int64_t citizen,
            int64_t version, const unsigned char *blob, size_t blob_len, struct store_arena *a,
            const char **values, size_t n)
{
    unsigned char ad[160];
    size_t ad_len = record_ad(ad, sizeof(ad), table, rowid, citizen, version);
    unsigned long long mlen = 0;
    size_t unpadded = 0;
    unsigned char *buf = NULL;
    bool ok = blob_len >= 1 + NONCE_BYTES + TAG_BYTES + PAD_BLOCK && blob[0] == RECORD_SEAL_VERSION;
    if (ok) {
        /* Straight into guarded memory: the fields point into it. */
        buf = arena_alloc(a, blob_len);
        ok = crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &mlen, NULL, blob + 1 + NONCE_BYTES,
                                                        blob_len - 1 - NONCE_BYTES, ad, ad_len,
                                                        blob + 1, key) == 0 &&
             sodium_unpad(&unpadded, buf, (size_t)mlen, PAD_BLOCK) == 0;
    }
    size_t at = 0;
    for (size_t i = 0; ok && i < n; i++) {
        size_t v = 0;
        int shift = 0;
        for (;;) {
            if (at >= unpadded || shift > 28) {
                ok = false;
                break;
            }
            unsigned char b = buf[at++];
            v |= (size_t)(b & 0x7f) << shift;
            shift += 7;
            if (!(b & 0x80))
                break;
        }
        if (!ok)
            break;
        if (v == 0) {
            values[i] = NULL;
            continue;
        }
        if (v > unpadded - at || buf[at + v - 1] != '\0') {
            ok = false;
            break;
        }
        values[i] = (const char *)buf + at;
        at += v;
    }
    if (!ok || at != unpadded) {
        LOG_ERR("sealed record of %s row %lld does not open: altered, moved or wrong key", table,
                (long long)rowid);
        return STORE_ERR_TAMPERED;
    }
    return STORE_OK;
}
