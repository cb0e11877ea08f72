/*
 * utf8_valid_bench.c - throughput of utf8_valid() (AVX2 where available),
 * utf8_valid_scalar() and, as a memory-bandwidth yardstick, memchr() for a
 * byte that does not occur.  Two 64 MB inputs: printable ASCII, and mixed
 * text with about 55% ASCII, 30% 2-byte, 10% 3-byte and 5% 4-byte
 * characters (by character count).  Median of 5 passes, in MB/s (10^6 B/s).
 *
 *   usage: utf8_valid_bench [megabytes]      (default 64)
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L     /* clock_gettime() under -std=c99 */
#endif

#include "utf8_valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PASSES 5

static uint64_t rng_state = 42;

static uint32_t
rnd(uint32_t n)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t) (((rng_state * UINT64_C(0x2545F4914F6CDD1D)) >> 32) % n);
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

static size_t
put_char(unsigned char *p, int kind)
{
    uint32_t cp;

    switch (kind)
    {
        case 1:
            p[0] = (unsigned char) (0x20 + rnd(0x5F));  /* printable ASCII */
            return 1;
        case 2:
            cp = 0x80 + rnd(0x800 - 0x80);
            p[0] = (unsigned char) (0xC0 | (cp >> 6));
            p[1] = (unsigned char) (0x80 | (cp & 0x3F));
            return 2;
        case 3:
            do
                cp = 0x800 + rnd(0x10000 - 0x800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
            p[0] = (unsigned char) (0xE0 | (cp >> 12));
            p[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
            p[2] = (unsigned char) (0x80 | (cp & 0x3F));
            return 3;
        default:
            cp = 0x10000 + rnd(0x110000 - 0x10000);
            p[0] = (unsigned char) (0xF0 | (cp >> 18));
            p[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
            p[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
            p[3] = (unsigned char) (0x80 | (cp & 0x3F));
            return 4;
    }
}

/* Valid text of exactly len bytes; ASCII-only when mixed is 0. */
static void
make_text(unsigned char *buf, size_t len, int mixed)
{
    size_t i = 0;

    while (i + 4 <= len)
    {
        int kind = 1;

        if (mixed)
        {
            uint32_t r = rnd(100);

            kind = r < 55 ? 1 : r < 85 ? 2 : r < 95 ? 3 : 4;
        }
        i += put_char(buf + i, kind);
    }
    for (; i < len; i++)
        buf[i] = 'x';
}

typedef int (*fn_t) (const unsigned char *, size_t);

static int
memchr_absent(const unsigned char *buf, size_t len)
{
    return memchr(buf, 0xFF, len) == NULL;
}

static double
bench(fn_t fn, const unsigned char *buf, size_t len)
{
    double mbs[PASSES];
    int p;

    for (p = 0; p < PASSES; p++)
    {
        double t0 = now();
        int r = fn(buf, len);
        double t = now() - t0;

        if (r != 1)
        {
            fprintf(stderr, "unexpected result %d\n", r);
            exit(1);
        }
        mbs[p] = (double) len / t / 1e6;
    }
    qsort(mbs, PASSES, sizeof(mbs[0]), cmp_double);
    return mbs[PASSES / 2];
}

int
main(int argc, char **argv)
{
    size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
    size_t len = mb << 20;
    unsigned char *buf = malloc(len);
    int mixed;

    if (!buf)
    {
        perror("malloc");
        return 2;
    }
    printf("utf8_valid_bench: %zu MB, median of %d passes, MB/s; utf8_valid path: %s\n",
           mb, PASSES, utf8_valid_uses_simd() ? "AVX2" : "scalar");
    printf("%-8s %12s %12s %12s\n", "input", "utf8_valid", "scalar", "memchr");
    for (mixed = 0; mixed <= 1; mixed++)
    {
        make_text(buf, len, mixed);
        printf("%-8s %12.0f %12.0f %12.0f\n", mixed ? "mixed" : "ascii",
               bench(utf8_valid, buf, len),
               bench(utf8_valid_scalar, buf, len),
               bench(memchr_absent, buf, len));
    }
    free(buf);
    return 0;
}
