/* Freed memory is wiped, in every thread and every library of the kiosk (DESIGN §5: nothing
 * personal is left in memory after a session).
 *
 * Personal data passes through buffers that the kiosk does not own: libcurl's request and
 * receive buffers, GnuTLS's decrypted records, jansson's strings, SQLite's pages. Wiping each
 * of our own buffers is not enough (tests/ui/test_memory.py found the identity provider's
 * collect answer twice in the identification thread's arena after our copy had been wiped), and
 * the libraries' hooks do not cover them all: curl_global_init_mem covers libcurl only, and
 * GnuTLS has ignored gnutls_global_set_mem_functions since 3.3. glibc's mallopt(M_PERTURB)
 * fills freed chunks, but not those that go to the per-thread cache (tcache: every chunk up to
 * 1032 bytes, exactly the size of a collect answer or a push), and tcache can only be turned off
 * by an environment variable read at start. So the minasidor executable interposes free and
 * realloc for the whole process (an executable's definitions take precedence over libc's for
 * every shared library): free overwrites the whole usable size of the block before handing it
 * to glibc, and realloc never lets glibc move a block (which would free the old copy unwiped).
 * Only the executable has this; the test programs keep glibc's plain free.
 *
 * Not covered: blocks freed inside glibc itself (its internal calls do not go through this
 * symbol: stdio buffers, getaddrinfo), memory that a live object still holds (so a connection
 * that carried personal data is closed when its work is done: see idp_client_destroy and the
 * sync runner), and stacks (short-lived frames are wiped by the functions that used them).
 * Cost: one memset per free, of what was allocated anyway; large blocks that glibc returns to
 * the kernel with munmap are not touched (the kernel hands out only zeroed pages).
 *
 * Under AddressSanitizer, which owns malloc and free, its own policy does the same:
 * max_free_fill_size fills every freed block. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WIPE_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define WIPE_UNDER_ASAN 1
#endif

#ifdef WIPE_UNDER_ASAN

const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
    return "max_free_fill_size=2147483647";
}

#else

/* glibc's own entry points, exported for exactly this use (interposing malloc's family). */
void *__libc_malloc(size_t size);
void __libc_free(void *p);

/* glibc's chunk header: the size word just before the block; bit 1 marks a block that is its
 * own mmap and goes back to the kernel whole on free. */
#define CHUNK_IS_MMAPPED 0x2

void
free(void *p)
{
    if (p == NULL)
        return;
    if ((((const size_t *)p)[-1] & CHUNK_IS_MMAPPED) == 0)
        explicit_bzero(p, malloc_usable_size(p));
    __libc_free(p);
}

void *
realloc(void *p, size_t size)
{
    if (p == NULL)
        return __libc_malloc(size);
    if (size == 0) { /* glibc's realloc(p, 0) frees and answers NULL */
        free(p);
        return NULL;
    }
    size_t have = malloc_usable_size(p);
    if (size <= have) /* shrinking in place: glibc would free the tail unwiped */
        return p;
    void *q = __libc_malloc(size);
    if (q == NULL)
        return NULL;
    memcpy(q, p, have);
    free(p);
    return q;
}

void *
reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, n * size);
}

#endif
