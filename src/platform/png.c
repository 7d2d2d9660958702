/* A minimal PNG writer (RFC 2083): one IDAT of zlib-compressed rows, filter 0, RGB 8-bit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "platform.h"
#include "xalloc.h"

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static bool
chunk(FILE *f, const char *type, const unsigned char *data, size_t len)
{
    unsigned char head[8];
    put32(head, (uint32_t)len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    if (len > 0)
        crc = crc32(crc, data, (uInt)len);
    unsigned char tail[4];
    put32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4;
}

bool
png_write_rgba(const char *path, const unsigned char *rgba, int w, int h, int stride,
               struct errbuf *err)
{
    size_t row = (size_t)w * 3 + 1, raw_len = row * (size_t)h;
    unsigned char *raw = xmalloc(raw_len);
    for (int y = 0; y < h; y++) {
        unsigned char *d = raw + row * (size_t)y;
        const unsigned char *s = rgba + (size_t)stride * (size_t)y;
        *d++ = 0;
        for (int x = 0; x < w; x++) {
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
            d += 3;
            s += 4;
        }
    }
    uLongf z_len = compressBound((uLong)raw_len);
    unsigned char *z = xmalloc(z_len);
    int zr = compress2(z, &z_len, raw, (uLong)raw_len, 6);
    free(raw);
    if (zr != Z_OK) {
        free(z);
        err_set(err, "%s: compression failed", path);
        return false;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (f == NULL) {
        if (fd >= 0)
            close(fd);
        free(z);
        err_set(err, "%s: cannot write: %s", path, strerror(errno));
        return false;
    }
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    bool ok = fwrite(sig, 1, 8, f) == 8 && chunk(f, "IHDR", ihdr, sizeof(ihdr)) &&
              chunk(f, "IDAT", z, z_len) && chunk(f, "IEND", NULL, 0);
    ok = (fclose(f) == 0) && ok;
    free(z);
    if (!ok)
        err_set(err, "%s: write failed", path);
    return ok;
}
