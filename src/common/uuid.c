/* UUID v4 formatting and generation. */
#include "uuid.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "xalloc.h"

void
uuid_v4_format(unsigned char b[static 16], char out[static 37])
{
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

void
uuid_v4_random(char out[static 37])
{
    unsigned char b[16];
    size_t have = 0;
    while (have < sizeof(b)) {
        ssize_t n = getrandom(b + have, sizeof(b) - have, 0);
        if (n < 0 && errno != EINTR)
            abort(); /* no randomness: an identifier must never repeat */
        if (n > 0)
            have += (size_t)n;
    }
    uuid_v4_format(b, out);
    secure_zero(b, sizeof(b));
}
