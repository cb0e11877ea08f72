/*
 * utf8_valid_test.c - differential test of src/utf8_valid.c
 *
 * Both utf8_valid() (the AVX2 path where the CPU has it) and
 * utf8_valid_scalar() are compared with ref_valid(), a decoder written
 * straight from the definition (shortest-form encoding of a Unicode scalar
 * value), on:
 *   - every 1-, 2- and 3-byte string, in buffers of exactly that size;
 *   - every lead byte x every second byte x a set of third/fourth bytes;
 *   - a sample of those embedded at offsets 0..70 in longer buffers (ASCII
 *     or multi-byte filler; ending at the case or running on past one or two
 *     64-byte blocks), so they straddle the 32-/64-byte block boundaries and
 *     the tail copy;
 *   - random buffers of valid characters of every length, lengths 0..300,
 *     some with single-byte corruptions, plus a few longer ones.
 * Every buffer is malloc'ed at its exact size, so ASan catches any read past
 * the end.
 *
 *   usage: utf8_valid_test [random_buffers [seed]]     (default 3000000 1)
 * Exit status 0 iff there was no mismatch.
 */
#include "utf8_valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reference ---------------------------------------------------------- */

/*
 * Well-formed UTF-8 = each character is the shortest encoding of a code
 * point in 0..10FFFF outside D800..DFFF.  Deliberately different in form from
 * the code under test: decode, then check the value.
 */
static int
ref_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n)
    {
        unsigned c = s[i];
        size_t need, k;
        uint32_t cp, min;

        if (c < 0x80)
        {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
        {
            need = 1;
            cp = c & 0x1F;
            min = 0x80;
        }
        else if ((c & 0xF0) == 0xE0)
        {
            need = 2;
            cp = c & 0x0F;
            min = 0x800;
        }
        else if ((c & 0xF8) == 0xF0)
        {
            need = 3;
            cp = c & 0x07;
            min = 0x10000;
        }
        else
            return 0;           /* continuation byte or F8-FF as a lead */
        if (n - i - 1 < need)
            return 0;           /* cut short by the end */
        for (k = 1; k <= need; k++)
        {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        i += need + 1;
    }
    return 1;
}

/* ---- harness ------------------------------------------------------------ */

static unsigned long long n_cases, n_fail, n_valid;

static void
report(const char *what, const unsigned char *s, size_t n, int ref, int simd, int scalar)
{
    size_t i;

    n_fail++;
    if (n_fail > 20)
        return;
    fprintf(stderr, "MISMATCH (%s) len=%zu ref=%d utf8_valid=%d scalar=%d:", what, n, ref, simd, scalar);
    for (i = 0; i < n; i++)
        if (s[i] >= 0x80 || i + 8 >= n)     /* the interesting bytes, and the end */
            fprintf(stderr, " [%zu]%02X", i, s[i]);
    fputc('\n', stderr);
}

/* Returns the reference result so callers can count valid strings. */
static int
check(const char *what, const unsigned char *s, size_t n)
{
    int ref = ref_valid(s, n);
    int simd = utf8_valid(s, n);
    int scalar = utf8_valid_scalar(s, n);

    n_cases++;
    n_valid += (unsigned) ref;
    if (simd != ref || scalar != ref)
        report(what, s, n, ref, simd, scalar);
    return ref;
}

static unsigned char *
xmalloc(size_t n)
{
    unsigned char *p = malloc(n ? n : 1);

    if (!p)
    {
        perror("malloc");
        exit(2);
    }
    return p;
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static unsigned
rnd(unsigned n)
{
    return (unsigned) (rng() % n);
}

/* ---- known answers (checks the reference itself) ------------------------ */

static void
known_answers(void)
{
    static const struct
    {
        const char *s;
        size_t n;
        int ok;
    } kat[] = {
        {"", 0, 1}, {"\0", 1, 1}, {"\x7F", 1, 1}, {"\x80", 1, 0}, {"\xC2", 1, 0},
        {"\xC0\x80", 2, 0}, {"\xC1\xBF", 2, 0}, {"\xC2\x80", 2, 1}, {"\xDF\xBF", 2, 1},
        {"\xE0\x9F\xBF", 3, 0}, {"\xE0\xA0\x80", 3, 1}, {"\xED\x9F\xBF", 3, 1},
        {"\xED\xA0\x80", 3, 0}, {"\xED\xBF\xBF", 3, 0}, {"\xEE\x80\x80", 3, 1},
        {"\xEF\xBF\xBF", 3, 1}, {"\xEF\xBF", 2, 0},
        {"\xF0\x8F\xBF\xBF", 4, 0}, {"\xF0\x90\x80\x80", 4, 1}, {"\xF3\xBF\xBF\xBF", 4, 1},
        {"\xF4\x8F\xBF\xBF", 4, 1}, {"\xF4\x90\x80\x80", 4, 0}, {"\xF5\x80\x80\x80", 4, 0},
        {"\xF0\x90\x80", 3, 0}, {"\xF0\x90\x80\x80\x80", 5, 0}, {"\xFF", 1, 0},
        {"a\xC3\xA9z\xE2\x82\xAC\xF0\x9F\x98\x80", 12, 1},
    };
    size_t i;

    for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++)
    {
        unsigned char *p = xmalloc(kat[i].n);

        memcpy(p, kat[i].s, kat[i].n);
        if (check("known", p, kat[i].n) != kat[i].ok)
        {
            fprintf(stderr, "reference disagrees with known answer #%zu\n", i);
            n_fail++;
        }
        free(p);
    }
    /* NULL with length 0 is allowed */
    if (utf8_valid(NULL, 0) != 1 || utf8_valid_scalar(NULL, 0) != 1)
    {
        fprintf(stderr, "NULL, 0 not valid\n");
        n_fail++;
    }
}

/* ---- exhaustive short strings ------------------------------------------ */

static void
exhaustive(void)
{
    unsigned char *p1 = xmalloc(1), *p2 = xmalloc(2), *p3 = xmalloc(3);
    unsigned long long v1 = 0, v2 = 0, v3 = 0;
    unsigned a, b, c;

    for (a = 0; a < 256; a++)
    {
        p1[0] = (unsigned char) a;
        v1 += (unsigned) check("1-byte", p1, 1);
        for (b = 0; b < 256; b++)
        {
            p2[0] = (unsigned char) a;
            p2[1] = (unsigned char) b;
            v2 += (unsigned) check("2-byte", p2, 2);
            for (c = 0; c < 256; c++)
            {
                p3[0] = (unsigned char) a;
                p3[1] = (unsigned char) b;
                p3[2] = (unsigned char) c;
                v3 += (unsigned) check("3-byte", p3, 3);
            }
        }
    }
    /*
     * Counted by hand: 128; 128^2 + 30*64 (C2-DF x cont);
     * 128^3 + 2*128*1920 (ASCII around a 2-byte char) + 61440 3-byte chars
     * (E0: 32*64, E1-EC: 12*64*64, ED: 32*64, EE-EF: 2*64*64).
     */
    if (v1 != 128 || v2 != 18304 || v3 != 2650112)
    {
        fprintf(stderr, "reference counts wrong: %llu %llu %llu\n", v1, v2, v3);
        n_fail++;
    }
    free(p1);
    free(p2);
    free(p3);
}

/* third/fourth bytes for the 4-byte enumeration: every class boundary */
static const unsigned char tail_set[] = {
    0x00, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
    0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF
};
#define N_TAIL (sizeof(tail_set) / sizeof(tail_set[0]))

static void
four_byte(void)
{
    unsigned char *p = xmalloc(4);
    unsigned a, b;
    size_t c, d;
    unsigned long long v = 0;

    for (a = 0; a < 256; a++)
        for (b = 0; b < 256; b++)
            for (c = 0; c < N_TAIL; c++)
                for (d = 0; d < N_TAIL; d++)
                {
                    p[0] = (unsigned char) a;
                    p[1] = (unsigned char) b;
                    p[2] = tail_set[c];
                    p[3] = tail_set[d];
                    v += (unsigned) check("4-byte", p, 4);
                }
    (void) v;
    free(p);
}

/* ---- embedded at every offset ------------------------------------------- */

/* bytes at and around every class boundary, for the embedded sample */
static const unsigned char edge_set[] = {
    0x00, 0x01, 0x20, 0x41, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xA1,
    0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
    0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFE, 0xFF
};
#define N_EDGE (sizeof(edge_set) / sizeof(edge_set[0]))

static const unsigned char small_set[] = {0x00, 0x41, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
#define N_SMALL (sizeof(small_set) / sizeof(small_set[0]))

#define MAX_OFF 70

/*
 * Filler variants: 0 = ASCII before, nothing after (the case ends the
 * buffer: truncation at every length mod 64); 1 = ASCII before and after up
 * to 128 bytes (two full blocks, no tail); 2 = 2-/3-byte characters before
 * and after up to 101 bytes, so the neighbouring blocks are not ASCII.
 */
static size_t
embed_len(int variant, size_t off, size_t n)
{
    return variant == 0 ? off + n : variant == 1 ? 128 : 101;
}

static void
fill(unsigned char *buf, size_t len, int variant, size_t off, size_t n)
{
    size_t i;

    if (variant < 2)
    {
        memset(buf, 'a', len);
        return;
    }
    for (i = 0; i + 1 < off; i += 2)
    {
        buf[i] = 0xC3;          /* U+00E9 */
        buf[i + 1] = 0xA9;
    }
    if (i < off)
        buf[i] = 'a';
    for (i = off + n; i + 2 < len; i += 3)
    {
        buf[i] = 0xE2;          /* U+20AC */
        buf[i + 1] = 0x82;
        buf[i + 2] = 0xAC;
    }
    for (; i < len; i++)
        buf[i] = 'b';
}

static void
embedded(void)
{
    int variant;
    size_t off, n;

    for (variant = 0; variant < 3; variant++)
        for (off = 0; off <= MAX_OFF; off++)
            for (n = 1; n <= 4; n++)
            {
                size_t len = embed_len(variant, off, n);
                unsigned char *buf = xmalloc(len);
                unsigned char *p = buf + off;
                size_t a, b, c, d;

                fill(buf, len, variant, off, n);
                if (n == 1)
                    for (a = 0; a < 256; a++)
                    {
                        p[0] = (unsigned char) a;
                        check("embedded 1", buf, len);
                    }
                else if (n == 2)
                    for (a = 0; a < 65536; a++)
                    {
                        p[0] = (unsigned char) (a >> 8);
                        p[1] = (unsigned char) a;
                        check("embedded 2", buf, len);
                    }
                else if (n == 3)
                    for (a = 0; a < N_EDGE; a++)
                        for (b = 0; b < N_EDGE; b++)
                            for (c = 0; c < N_EDGE; c++)
                            {
                                p[0] = edge_set[a];
                                p[1] = edge_set[b];
                                p[2] = edge_set[c];
                                check("embedded 3", buf, len);
                            }
                else
                    for (a = 0; a < N_EDGE; a++)
                        for (b = 0; b < N_EDGE; b++)
                            for (c = 0; c < N_SMALL; c++)
                                for (d = 0; d < N_SMALL; d++)
                                {
                                    p[0] = edge_set[a];
                                    p[1] = edge_set[b];
                                    p[2] = small_set[c];
                                    p[3] = small_set[d];
                                    check("embedded 4", buf, len);
                                }
                free(buf);
            }
}

/* ---- random buffers ----------------------------------------------------- */

static size_t
encode(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80)
    {
        out[0] = (unsigned char) cp;
        return 1;
    }
    if (cp < 0x800)
    {
        out[0] = (unsigned char) (0xC0 | (cp >> 6));
        out[1] = (unsigned char) (0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000)
    {
        out[0] = (unsigned char) (0xE0 | (cp >> 12));
        out[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char) (0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char) (0xF0 | (cp >> 18));
    out[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char) (0x80 | (cp & 0x3F));
    return 4;
}

/* A random scalar value; ascii_pct percent ASCII, boundaries favoured. */
static uint32_t
random_char(unsigned ascii_pct)
{
    static const uint32_t edges[] = {
        0x00, 0x7F, 0x80, 0x7FF, 0x800, 0xFFF, 0x1000, 0xD7FF, 0xE000,
        0xFFFD, 0xFFFF, 0x10000, 0x3FFFF, 0x40000, 0xFFFFF, 0x100000, 0x10FFFF
    };
    unsigned r = rnd(100);
    uint32_t cp;

    if (r < ascii_pct)
        return rnd(128);
    if (rnd(10) == 0)
        return edges[rnd(sizeof(edges) / sizeof(edges[0]))];
    switch (rnd(3))
    {
        case 0:
            return 0x80 + rnd(0x800 - 0x80);
        case 1:
            do
                cp = 0x800 + rnd(0x10000 - 0x800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
            return cp;
        default:
            return 0x10000 + rnd(0x110000 - 0x10000);
    }
}

/* Fills buf[0..len) with valid characters; the last one may be cut short. */
static void
random_text(unsigned char *buf, size_t len, unsigned ascii_pct)
{
    size_t i = 0;
    unsigned char ch[4];

    while (i < len)
    {
        size_t k = encode(random_char(ascii_pct), ch);

        if (k > len - i)
            k = len - i;
        memcpy(buf + i, ch, k);
        i += k;
    }
}

static void
corrupt(unsigned char *buf, size_t len)
{
    static const unsigned char bad[] = {
        0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED,
        0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x00, 0x41
    };
    size_t pos;

    if (len == 0)
        return;
    pos = rnd((unsigned) len);
    if (rnd(2))
        buf[pos] = bad[rnd(sizeof(bad) / sizeof(bad[0]))];
    else
        buf[pos] = (unsigned char) rnd(256);
}

static void
random_buffers(unsigned long count)
{
    static const unsigned ascii_pcts[] = {0, 20, 55, 90, 99, 100};
    unsigned long k;

    for (k = 0; k < count; k++)
    {
        size_t len = rnd(301);
        unsigned char *buf = xmalloc(len);
        unsigned pct = ascii_pcts[rnd(sizeof(ascii_pcts) / sizeof(ascii_pcts[0]))];

        random_text(buf, len, pct);
        switch (rnd(4))
        {
            case 0:
                break;          /* as generated (only a cut last char can be bad) */
            case 1:
            case 2:
                corrupt(buf, len);
                break;
            default:
                corrupt(buf, len);
                corrupt(buf, len);
                break;
        }
        check("random", buf, len);
        free(buf);
    }

    /* longer buffers: many blocks, errors far from the start */
    for (k = 0; k < 2000; k++)
    {
        size_t len = 1000 + rnd(64 * 1024);
        unsigned char *buf = xmalloc(len);

        random_text(buf, len, ascii_pcts[rnd(sizeof(ascii_pcts) / sizeof(ascii_pcts[0]))]);
        if (rnd(2))
            corrupt(buf, len);
        check("long random", buf, len);
        free(buf);
    }
}

int
main(int argc, char **argv)
{
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000000UL;

    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;

    known_answers();
    exhaustive();
    four_byte();
    embedded();
    random_buffers(count);

    printf("utf8_valid_test: %llu cases (%llu valid), %llu failures; utf8_valid path: %s, scalar path checked too\n",
           n_cases, n_valid, n_fail, utf8_valid_uses_simd() ? "AVX2" : "scalar");
    return n_fail ? 1 : 0;
}
