/*
 * json_valid.c
 *      Standalone RFC 8259 JSON validator (C99, no PostgreSQL headers).
 *
 * Design
 * ------
 * One pass over the bytes, no tokens, no values built.  The grammar is a small
 * state machine written as labelled blocks joined by goto (value, key,
 * after_value); there is no recursion, so any nesting depth is fine.
 *
 * The only thing a JSON grammar needs to remember about open containers is
 * whether each one is an array or an object, and that is only needed at ',',
 * ']' and '}'.  So the open containers live in a bit stack (1 = object, one
 * bit per level): a fixed local array covers the first JV_LOCAL_LEVELS levels
 * and only deeper documents move it to the heap (depth/8 bytes).
 *
 * Time goes into strings, so the string scanner skips plain bytes 16 at a time
 * with SSE2 (8 at a time with SWAR when SSE2 is missing) and stops only at
 * '"', '\\', a control character, or (when UTF-8 is checked) a byte >= 0x80,
 * which is then validated by a scalar decoder that handles runs of
 * non-ASCII characters before returning to the block loop.  Numbers follow
 * the grammar byte by byte, with digit runs skipped 16 at a time; literals are
 * a fixed-size memcmp, whitespace a table lookup loop.  (Branch-free SIMD
 * number and UTF-8 checks were tried and were slower: they turn predicted
 * branches into a load->compare->movemask->ctz dependency chain on p; see
 * bench/json/RESULTS.md.)
 *
 * Short tokens are latency-bound on that same chain, so with SSE2 the common
 * accepting cases of strings and numbers (in documents of 512 bytes or more)
 * first try a "window": bit masks of the next 128 bytes computed ahead, 64
 * bytes at a time, in which a token's end is a shift + ctz (see JvWin).
 * Whatever the window does not accept is handed to the byte-exact code above
 * at the same position, so results, error codes and offsets do not depend on
 * it.
 *
 * The validator is instantiated twice (check_utf8 = 0 / 1) from one
 * always-inlined body so the per-byte tests contain no runtime flag.
 *
 * Error offsets point at the first byte at which no valid document is
 * possible any more (offset == len when the input simply ended), except for
 * JV_BAD_UTF8 where the offset is the first byte of the ill-formed sequence.
 *
 * json_validate() first asks the two-stage fast path (json_fast.c, plus
 * utf8_valid.c for check_utf8), which can only say "valid"; this validator
 * decides everything else and is the only one that reports errors.  The
 * tests and the fuzzer hold the two to the same answers.
 *
 * Interrupt polling (json_valid.h, JsonValidHooks): every loop that reads
 * the document compares the read position with the next poll address
 * (poll_at, UINTPTR_MAX when no poll is installed or none is due before the
 * end) at a point it passes anyway, never per byte of the hot loops: for
 * strings and numbers where the window moves on (once per 64 bytes of
 * them), at brackets and literals, and in the loops that can run through a
 * huge token (strings, digit runs, runs of non-ASCII characters) as the
 * bound of the block loop, so the block loop itself is unchanged; long
 * whitespace leaves the grammar at a 4 KB boundary for a polling helper.
 * Without the window (no SSE2) the check is made after every value
 * instead.  (A check after every value, or inline in the whitespace loop,
 * cost 2-5 % on token-dense documents through its effect on the code around
 * it; see the benchmark notes in the commit.)  The poll itself is out of
 * line.  It may longjmp: at every poll point the only resource held is the
 * heap part of the nesting stack, which comes from the allocator hooks
 * (PostgreSQL: palloc, freed with the memory context on error).
 */
#include "json_valid.h"
#include "json_fast.h"
#include "utf8_valid.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(JSON_VALID_NO_SIMD)
#include <emmintrin.h>
#define JV_USE_SSE2 1
#endif

#if defined(__GNUC__) || defined(__clang__)
#define JV_INLINE static inline __attribute__((always_inline))
#define JV_LIKELY(x) __builtin_expect(!!(x), 1)
#define JV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define JV_INLINE static inline
#define JV_LIKELY(x) (x)
#define JV_UNLIKELY(x) (x)
#endif

/* Levels held in the local (stack-allocated) part of the container bit stack. */
#define JV_LOCAL_WORDS 512
#define JV_LOCAL_LEVELS (JV_LOCAL_WORDS * 64)

#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v

/* JSON whitespace: space, \t, \n, \r only. */
static const unsigned char jv_ws[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1
};

/* Bytes a string may contain as they are, when bytes >= 0x80 are opaque. */
static const unsigned char jv_plain_opaque[256] = {
    R16(0), R16(0),                                      /* 0x00-0x1F control */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,      /* 0x20-0x2F, '"' */
    R16(1), R16(1),                                      /* 0x30-0x4F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,      /* 0x50-0x5F, '\\' */
    R16(1), R16(1),                                      /* 0x60-0x7F */
    R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1)  /* 0x80-0xFF */
};

/* Same, but bytes >= 0x80 need the UTF-8 decoder. */
static const unsigned char jv_plain_ascii[256] = {
    R16(0), R16(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    R16(1), R16(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    R16(1), R16(1),
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0)
};

/* Characters allowed after a backslash (except 'u', handled apart). */
static const unsigned char jv_simple_escape[256] = {
    ['"'] = 1, ['\\'] = 1, ['/'] = 1, ['b'] = 1, ['f'] = 1, ['n'] = 1, ['r'] = 1, ['t'] = 1
};

static const unsigned char jv_hex[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1
};

#define JV_DIGIT(c) ((unsigned) ((c) - '0') < 10u)

#if defined(__GNUC__) || defined(__clang__)
#define JV_COLD static __attribute__((noinline, cold))
#else
#define JV_COLD static
#endif

/* ---- Hooks: interrupt polling and memory (json_valid.h) ------------------ */

static JsonValidHooks jv_hooks = { NULL, NULL, JSON_VALID_POLL_BYTES, malloc, realloc, free };

void
json_valid_set_hooks(const JsonValidHooks *hooks)
{
    static const JsonValidHooks defaults = { NULL, NULL, JSON_VALID_POLL_BYTES, malloc, realloc, free };

    jv_hooks = hooks ? *hooks : defaults;
    if (jv_hooks.poll_bytes == 0)
        jv_hooks.poll_bytes = JSON_VALID_POLL_BYTES;
    if (jv_hooks.alloc == NULL || jv_hooks.resize == NULL || jv_hooks.release == NULL)
    {
        jv_hooks.alloc = malloc;
        jv_hooks.resize = realloc;
        jv_hooks.release = free;
    }
}

/*
 * Polling works on addresses: a loop polls when its position p reaches
 * poll_at (an address inside the buffer, or UINTPTR_MAX: never).
 */
JV_INLINE uintptr_t
jv_poll_start(const unsigned char *buf, size_t len)
{
    return jv_hooks.poll != NULL && len > jv_hooks.poll_bytes ? (uintptr_t) buf + jv_hooks.poll_bytes : UINTPTR_MAX;
}

/* Polls at p (buf: the start of the buffer, for the position) and returns the next poll_at. */
JV_COLD uintptr_t
jv_poll_now(const unsigned char *p, const unsigned char *buf, const unsigned char *end)
{
    jv_hooks.poll(jv_hooks.poll_arg, (size_t) (p - buf));
    return (size_t) (end - p) > jv_hooks.poll_bytes ? (uintptr_t) p + jv_hooks.poll_bytes : UINTPTR_MAX;
}

/* The end of the stretch a block loop may run without polling: min(end, poll_at). */
JV_INLINE const unsigned char *
jv_poll_limit(const unsigned char *end, uintptr_t poll_at)
{
    return (uintptr_t) end > poll_at ? (const unsigned char *) poll_at : end;
}

/*
 * The rest of a run of whitespace (4 KB of it so far), polling at its start
 * and every poll_bytes, on its own schedule: the caller's next poll stays
 * due where it was, so no gap grows beyond poll_bytes + 4 KB.
 */
JV_COLD const unsigned char *
jv_skip_ws_long(const unsigned char *p, const unsigned char *buf, const unsigned char *end)
{
    uintptr_t poll_at = jv_hooks.poll != NULL ? (uintptr_t) p : UINTPTR_MAX;

    for (;;)
    {
        const unsigned char *lim;

        if ((uintptr_t) p >= poll_at)
            poll_at = jv_poll_now(p, buf, end);
        lim = jv_poll_limit(end, poll_at);
        while (p < lim && jv_ws[*p])
            p++;
        if (p < lim || lim == end)
            return p;
    }
}

/*
 * Length of the well-formed UTF-8 sequence at p (2..4), 0 when it is
 * ill-formed, -1 when the input ends before it is complete.  Strict per
 * Unicode table 3-7: no overlongs, no encoded surrogates, max U+10FFFF.
 */
JV_INLINE int
jv_utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    unsigned lo = 0x80, hi = 0xBF;
    int n, i;

    if (c < 0xC2)
        return 0;               /* ASCII is not handled here; 80-C1 never start */
    if (c < 0xE0)
        n = 2;
    else if (c < 0xF0)
    {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* surrogates */
    }
    else if (c < 0xF5)
    {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    }
    else
        return 0;
    if (end - p < 2)
        return -1;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < n; i++)
    {
        if (end - p <= i)
            return -1;
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    }
    return n;
}

/*
 * Scans a string body starting just after the opening quote.  Returns the
 * position after the closing quote, or NULL with *code / *errp set.
 *
 * Polling: the plain-byte loops run up to lim = min(end, *poll_at) and poll
 * there; escapes and non-ASCII runs check *poll_at as they go.
 */
JV_INLINE const unsigned char *
jv_scan_string(const unsigned char *p, const unsigned char *end, const int check_utf8,
               JsonValidCode *code, const unsigned char **errp,
               const int polled, const unsigned char *buf, uintptr_t *poll_at)
{
    const unsigned char *plain = check_utf8 ? jv_plain_ascii : jv_plain_opaque;

    for (;;)
    {
        const unsigned char *lim;

        if (polled && JV_UNLIKELY((uintptr_t) p >= *poll_at))
            *poll_at = jv_poll_now(p, buf, end);
        lim = polled ? jv_poll_limit(end, *poll_at) : end;
#ifdef JV_USE_SSE2
        {
            const __m128i quote = _mm_set1_epi8('"');
            const __m128i bslash = _mm_set1_epi8('\\');
            const __m128i c1f = _mm_set1_epi8(0x1F);
            const __m128i c20 = _mm_set1_epi8(0x20);

            while (lim - p >= 16)
            {
                __m128i v = _mm_loadu_si128((const __m128i *) p);
                __m128i s = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
                int m;

                if (check_utf8)
                    s = _mm_or_si128(s, _mm_cmplt_epi8(v, c20));   /* signed: < 0x20 or >= 0x80 */
                else
                    s = _mm_or_si128(s, _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f));  /* <= 0x1F */
                m = _mm_movemask_epi8(s);
                if (m)
                {
                    p += __builtin_ctz((unsigned) m);
                    goto special;
                }
                p += 16;
            }
        }
#else
        {
            const uint64_t ones = UINT64_C(0x0101010101010101);
            const uint64_t highs = UINT64_C(0x8080808080808080);

            /* SWAR: a flagged word always holds a real special byte (no false positive below it). */
            while (lim - p >= 8)
            {
                uint64_t w, q, b, t;

                memcpy(&w, p, 8);
                q = w ^ (ones * '"');
                b = w ^ (ones * '\\');
                t = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
                if (check_utf8)
                    t |= w;
                if (t & highs)
                    break;
                p += 8;
            }
        }
#endif
        while (p < lim && plain[*p])
            p++;
        if (JV_UNLIKELY(p == lim))
        {
            if (lim != end)
                continue;       /* at the poll point: poll, go on */
            *code = JV_UNTERMINATED_STRING;
            *errp = end;
            return NULL;
        }
#ifdef JV_USE_SSE2
special:
#endif
        {
            unsigned c = *p;

            if (c == '"')
                return p + 1;
            if (c == '\\')
            {
                if (end - p < 2)
                    goto unterminated;
                if (p[1] == 'u')
                {
                    int i;

                    for (i = 2; i < 6; i++)
                    {
                        if (end - p <= i)
                            goto unterminated;
                        if (!jv_hex[p[i]])
                        {
                            *code = JV_BAD_UNICODE_ESCAPE;
                            *errp = p + i;
                            return NULL;
                        }
                    }
                    p += 6;
                }
                else if (JV_LIKELY(jv_simple_escape[p[1]]))
                    p += 2;
                else
                {
                    *code = JV_BAD_ESCAPE;
                    *errp = p + 1;
                    return NULL;
                }
                continue;
            }
            if (c < 0x20)
            {
                *code = JV_CONTROL_CHAR;
                *errp = p;
                return NULL;
            }
            /* only reached with check_utf8: a run of non-ASCII characters */
            do
            {
                int n = jv_utf8_seq(p, end);

                if (n <= 0)
                {
                    if (n < 0)
                        goto unterminated;
                    *code = JV_BAD_UTF8;
                    *errp = p;
                    return NULL;
                }
                p += n;
                if (p >= end)
                    break;
                c = *p;
            } while (c >= 0x80 && (!polled || (uintptr_t) p < *poll_at));
        }
    }

unterminated:
    *code = JV_UNTERMINATED_STRING;
    *errp = end;
    return NULL;
}

/*
 * Skips a run of ASCII digits; a block compare avoids a mispredicted exit per
 * number.  The block loop runs up to min(end, *poll_at), then polls.
 */
JV_INLINE const unsigned char *
jv_skip_digits(const unsigned char *p, const unsigned char *end,
               const int polled, const unsigned char *buf, uintptr_t *poll_at)
{
    for (;;)
    {
        const unsigned char *lim = polled ? jv_poll_limit(end, *poll_at) : end;

#ifdef JV_USE_SSE2
        while (lim - p >= 16)
        {
            __m128i v = _mm_loadu_si128((const __m128i *) p);
            /* '0'..'9' become -128..-119 (signed); anything else compares greater */
            __m128i x = _mm_add_epi8(v, _mm_set1_epi8((char) (0x80 - '0')));
            int m = _mm_movemask_epi8(_mm_cmpgt_epi8(x, _mm_set1_epi8((char) (0x80 + 9))));

            if (m)
                return p + __builtin_ctz((unsigned) m);
            p += 16;
        }
#endif
        while (p < lim && JV_DIGIT(*p))
            p++;
        if (JV_LIKELY(p < lim || lim == end))
            return p;
        *poll_at = jv_poll_now(p, buf, end);
    }
}

#ifdef JV_USE_SSE2
/*
 * Block-mask window.  Short strings and digit runs dominate most documents,
 * and finding their end with a vector load -> movemask -> ctz right at p puts
 * ~15-20 cycles of latency on the chain p -> next p for every token.  So bit
 * masks of 128 bytes at wb (two 64-byte blocks) are computed ahead, 64 bytes
 * at a time, when a string or number needs them; the end of a token is then
 * a shift and a ctz of masks that do not depend on p.  Only the accepting
 * cases use the window: anything unusual (escapes, long tokens, errors, the
 * last bytes of the buffer) goes to the byte-exact scanners, so errors and
 * offsets are unchanged.
 */
#ifndef JV_WIN_MIN
#define JV_WIN_MIN 512          /* a fresh window costs more than it saves on small documents */
#endif
#define JV_WIN_NEED 136         /* bytes the window must have from wb: 128 + reads a few bytes past */
/* A fresh window at x needs JV_WIN_NEED bytes from x; sliding keeps 64 + JV_WIN_NEED from the base. */
typedef char jv_win_min_covers_need[(JV_WIN_MIN >= JV_WIN_NEED) ? 1 : -1];

typedef struct JvWin {
    uint64_t sp[2];             /* string specials: '"', '\\', < 0x20 (and >= 0x80 when checking UTF-8) */
    uint64_t qt[2];             /* '"' */
    uint64_t nd[2];             /* not an ASCII digit */
} JvWin;

/* Masks of block k (0 or 1) from the 64 bytes at q (all inside the buffer). */
JV_INLINE void
jv_win_block(JvWin *w, int k, const unsigned char *q, const int check_utf8)
{
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i c1f = _mm_set1_epi8(0x1F);
    const __m128i c20 = _mm_set1_epi8(0x20);
    const __m128i bias = _mm_set1_epi8((char) (0x80 - '0'));
    const __m128i nine = _mm_set1_epi8((char) (0x80 + 9));
    uint64_t sp = 0, qt = 0, nd = 0;
    int i;

    for (i = 0; i < 4; i++)
    {
        __m128i v = _mm_loadu_si128((const __m128i *) (q + 16 * i));
        __m128i vq = _mm_cmpeq_epi8(v, quote);
        __m128i vs = _mm_or_si128(vq, _mm_cmpeq_epi8(v, bslash));

        if (check_utf8)
            vs = _mm_or_si128(vs, _mm_cmplt_epi8(v, c20));   /* signed: < 0x20 or >= 0x80 */
        else
            vs = _mm_or_si128(vs, _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f));
        sp |= (uint64_t) (uint32_t) _mm_movemask_epi8(vs) << (16 * i);
        qt |= (uint64_t) (uint32_t) _mm_movemask_epi8(vq) << (16 * i);
        nd |= (uint64_t) (uint32_t) _mm_movemask_epi8(_mm_cmpgt_epi8(_mm_add_epi8(v, bias), nine)) << (16 * i);
    }
    w->sp[k] = sp;
    w->qt[k] = qt;
    w->nd[k] = nd;
}

/* 64 bits of a two-word mask from bit o (0 <= o < 64), without a branch on o == 0. */
JV_INLINE uint64_t
jv_win_bits(const uint64_t *x, size_t o)
{
    return (x[0] >> o) | ((x[1] << 1) << (63 - o));
}

/*
 * Makes the window cover x: returns x - window base (< 64), or 64 when there
 * is no room for a window before end (the caller then uses the byte
 * scanners).  *wbo is the window base as an offset from buf; len + 1 (beyond
 * any x) means no window yet.
 */
JV_INLINE size_t
jv_win_at(JvWin *w, size_t *wbo, const unsigned char *buf, size_t len,
          const unsigned char *x, const int check_utf8, const int polled, uintptr_t *poll_at)
{
    size_t xo = (size_t) (x - buf);
    size_t o = xo - *wbo;               /* wraps to huge when there is no window */

    if (JV_LIKELY(o < 64))
        return o;
    /* the window moves on at least every 64 bytes of strings and numbers: the poll point of both */
    if (polled && JV_UNLIKELY((uintptr_t) x >= *poll_at))
        *poll_at = jv_poll_now(x, buf, buf + len);
    if (o < 128 && len - *wbo >= 64 + JV_WIN_NEED)
    {
        /* slide by one block */
        w->sp[0] = w->sp[1];
        w->qt[0] = w->qt[1];
        w->nd[0] = w->nd[1];
        jv_win_block(w, 1, buf + *wbo + 128, check_utf8);
        *wbo += 64;
        return o - 64;
    }
    if (len - xo >= JV_WIN_MIN)
    {
        jv_win_block(w, 0, x, check_utf8);
        jv_win_block(w, 1, x + 64, check_utf8);
        *wbo = xo;
        return 0;
    }
    return 64;
}
#endif

/*
 * Returns a stack of twice cap_levels levels holding the old contents,
 * moving it to the heap the first time; NULL when out of memory.  Memory
 * comes from the allocator hooks only (see jv_hooks).
 */
static uint64_t *
jv_grow(uint64_t *stack, size_t cap_levels, const uint64_t *local)
{
    size_t old_words = cap_levels / 64;
    uint64_t *n;

    if (old_words > SIZE_MAX / 2 / sizeof(uint64_t))
        return NULL;
    if (stack == local)
    {
        n = (uint64_t *) jv_hooks.alloc(old_words * 2 * sizeof(uint64_t));
        if (n)
            memcpy(n, local, old_words * sizeof(uint64_t));
        return n;
    }
    return (uint64_t *) jv_hooks.resize(stack, old_words * 2 * sizeof(uint64_t));
}

/* closer value at top level: no byte equals it */
#define JV_TOP 0x100u

JV_INLINE int
jv_validate_impl(const unsigned char *buf, size_t len, const int check_utf8, const int polled,
                 JsonValidResult *res)
{
    const unsigned char *p = buf;
    const unsigned char *const end = buf + len;
    uint64_t local_stack[JV_LOCAL_WORDS];
    uint64_t *stack = local_stack;
    size_t cap = JV_LOCAL_LEVELS;
    size_t depth = 0;           /* open containers; bit depth-1 is the innermost */
    unsigned closer = JV_TOP;   /* ']' or '}' closing the innermost container, JV_TOP at depth 0 */
    JsonValidCode code;
    const unsigned char *errp;
    const char *lit;
    size_t litlen, i;
    uintptr_t poll_at = polled ? jv_poll_start(buf, len) : UINTPTR_MAX;
#ifdef JV_USE_SSE2
    JvWin w;
    size_t wbo = len + 1;           /* window base offset; len + 1 = no window yet */

    memset(&w, 0, sizeof(w));       /* never read before a fill; silences -Wmaybe-uninitialized */
#endif

    /*
     * A poll is due.  Every path through the grammar passes a check once per
     * token: strings and numbers where the window moves on (jv_win_at, per
     * 64 bytes) or in the byte-exact scanners, containers at '[', '{' and
     * their closers, literals, long whitespace in jv_skip_ws_long; without
     * the window, after every value (POLL_VALUE).
     */
#define POLL_CHECK() \
    do { \
        if (polled && JV_UNLIKELY((uintptr_t) p >= poll_at)) \
            poll_at = jv_poll_now(p, buf, end); \
    } while (0)
#if defined(JV_USE_SSE2) && !defined(JV_NO_WIN_STR) && !defined(JV_NO_WIN_NUM)
#define POLL_VALUE() ((void) 0)
#else
#define POLL_VALUE() POLL_CHECK()
#endif
    /*
     * A run of whitespace may be the whole document: at a 4 KB boundary the
     * rest of the run goes to jv_skip_ws_long, which polls.
     */
#define SKIP_WS() \
    do { \
        while (p < end && jv_ws[*p]) \
        { \
            p++; \
            if (polled && JV_UNLIKELY(((uintptr_t) p & 4095) == 0)) \
            { \
                p = jv_skip_ws_long(p, buf, end); \
                break; \
            } \
        } \
    } while (0)
    /* whitespace where the input must go on (inside a container) */
#define SKIP_WS_MORE() do { SKIP_WS(); if (p == end) FAIL(JV_UNEXPECTED_END, end); } while (0)
#if defined(JV_USE_SSE2) && !defined(JV_NO_WIN_STR)
    /* p at the opening quote; leaves p after the closing quote or fails */
#define SCAN_STRING() \
    do { \
        const unsigned char *x_ = p + 1; \
        size_t o_ = jv_win_at(&w, &wbo, buf, len, x_, check_utf8, polled, &poll_at); \
        if (JV_LIKELY(o_ < 64)) \
        { \
            uint64_t sp_ = jv_win_bits(w.sp, o_); \
            uint64_t first_ = sp_ & (0 - sp_); \
            if (JV_LIKELY(first_ & jv_win_bits(w.qt, o_))) \
            { \
                p = x_ + __builtin_ctzll(first_) + 1; \
                break; \
            } \
            /* an escape, a control or non-ASCII byte, or no special byte in 64 */ \
            x_ += sp_ ? (size_t) __builtin_ctzll(sp_) : 64; \
        } \
        p = jv_scan_string(x_, end, check_utf8, &code, &errp, polled, buf, &poll_at); \
        if (JV_UNLIKELY(p == NULL)) \
            goto fail; \
    } while (0)
#else
#define SCAN_STRING() \
    do { \
        p = jv_scan_string(p + 1, end, check_utf8, &code, &errp, polled, buf, &poll_at); \
        if (JV_UNLIKELY(p == NULL)) \
            goto fail; \
    } while (0)
#endif
#define FAIL(c, at) do { code = (c); errp = (at); goto fail; } while (0)
#define PUSH(bit) \
    do { \
        POLL_CHECK(); \
        if (JV_UNLIKELY(depth == cap)) \
        { \
            uint64_t *grown = jv_grow(stack, cap, local_stack); \
            if (grown == NULL) \
                FAIL(JV_OUT_OF_MEMORY, p); \
            stack = grown; \
            cap *= 2; \
        } \
        if (bit) \
            stack[depth >> 6] |= UINT64_C(1) << (depth & 63); \
        else \
            stack[depth >> 6] &= ~(UINT64_C(1) << (depth & 63)); \
        depth++; \
        closer = (bit) ? '}' : ']'; \
    } while (0)
    /* ']' + 0x20 == '}': the closer of the new innermost container from its stack bit */
#define POP() \
    do { \
        POLL_CHECK(); \
        depth--; \
        if (JV_LIKELY(depth != 0)) \
            closer = ']' + (unsigned) (((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) << 5); \
        else \
            closer = JV_TOP; \
    } while (0)

    SKIP_WS();
    if (p == end)
        FAIL(JV_EMPTY, end);
    goto value_here;

value:
    /* a value must start at p, maybe after whitespace */
    if (JV_UNLIKELY(p == end))
        FAIL(JV_UNEXPECTED_END, end);
value_here:
    switch (*p)
    {
        case ' ': case '\t': case '\n': case '\r':
            p++;
            SKIP_WS();
            goto value;
        case '"':
            SCAN_STRING();
            goto after_value;
        case '{':
            PUSH(1);
            p++;
            if (JV_LIKELY(p < end && *p == '"'))
                goto key;
            SKIP_WS_MORE();
            if (*p == '"')
                goto key;
            if (*p != '}')
                FAIL(JV_EXPECTED_KEY, p);
            p++;
            POP();
            goto after_value;
        case '[':
            PUSH(0);
            p++;
            SKIP_WS_MORE();
            if (*p != ']')
                goto value_here;
            p++;
            POP();
            goto after_value;
        case '-':
        case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
#if defined(JV_USE_SSE2) && !defined(JV_NO_WIN_NUM)
            {
                /*
                 * Digit runs from the window's non-digit mask (bit 63 forced
                 * so every ctz is defined); the sign and the leading-zero rule
                 * without branches.  Anything else falls to the grammar below.
                 */
                size_t o = jv_win_at(&w, &wbo, buf, len, p, check_utf8, polled, &poll_at);

                if (JV_LIKELY(o < 64))
                {
                    uint64_t nd = jv_win_bits(w.nd, o) | (UINT64_C(1) << 63);
                    unsigned r = (unsigned) (*p == '-');
                    unsigned first = p[r];
                    unsigned t = (unsigned) __builtin_ctzll(nd >> r);
                    unsigned bad = (t == 0) | ((first == '0') & (t > 1));

                    r += t;
                    if (p[r] == '.')
                    {
                        r++;
                        t = (unsigned) __builtin_ctzll(nd >> (r & 63));
                        bad |= t == 0;
                        r += t;
                    }
                    if ((p[r] | 0x20) == 'e')
                    {
                        r++;
                        r += (unsigned) ((p[r] == '+') | (p[r] == '-'));
                        t = (unsigned) __builtin_ctzll(nd >> (r & 63));
                        bad |= t == 0;
                        r += t;
                    }
                    if (JV_LIKELY(!bad && r < 63))
                    {
                        p += r;
                        goto after_value;
                    }
                }
            }
#endif
            if (*p == '-')
            {
                p++;
                if (p == end)
                    FAIL(JV_UNEXPECTED_END, end);
            }
            if (*p == '0')
            {
                p++;
                if (p < end && JV_DIGIT(*p))
                    FAIL(JV_BAD_NUMBER, p);     /* leading zero */
            }
            else if (JV_DIGIT(*p))
            {
                p = jv_skip_digits(p + 1, end, polled, buf, &poll_at);
            }
            else
                FAIL(JV_BAD_NUMBER, p);
            if (p < end && *p == '.')
            {
                p++;
                if (p == end)
                    FAIL(JV_UNEXPECTED_END, end);
                if (!JV_DIGIT(*p))
                    FAIL(JV_BAD_NUMBER, p);
                p = jv_skip_digits(p + 1, end, polled, buf, &poll_at);
            }
            if (p < end && (*p | 0x20) == 'e')
            {
                p++;
                if (p < end && (*p == '+' || *p == '-'))
                    p++;
                if (p == end)
                    FAIL(JV_UNEXPECTED_END, end);
                if (!JV_DIGIT(*p))
                    FAIL(JV_BAD_NUMBER, p);
                p = jv_skip_digits(p + 1, end, polled, buf, &poll_at);
            }
            goto after_value;
        case 't':
            POLL_CHECK();
            if (end - p >= 4 && memcmp(p, "true", 4) == 0)
            {
                p += 4;
                goto after_value;
            }
            lit = "true";
            litlen = 4;
            goto bad_literal;
        case 'f':
            POLL_CHECK();
            if (end - p >= 5 && memcmp(p, "false", 5) == 0)
            {
                p += 5;
                goto after_value;
            }
            lit = "false";
            litlen = 5;
            goto bad_literal;
        case 'n':
            POLL_CHECK();
            if (end - p >= 4 && memcmp(p, "null", 4) == 0)
            {
                p += 4;
                goto after_value;
            }
            lit = "null";
            litlen = 4;
            goto bad_literal;
        default:
            FAIL(JV_EXPECTED_VALUE, p);
    }

key_ws:
    /* an object key must start at p, maybe after whitespace */
    if (JV_UNLIKELY(p == end || *p != '"'))
    {
        SKIP_WS_MORE();
        if (*p != '"')
            FAIL(JV_EXPECTED_KEY, p);
    }
key:
    /* *p == '"' of an object key */
    SCAN_STRING();
    if (JV_UNLIKELY(p == end || *p != ':'))
    {
        SKIP_WS_MORE();
        if (*p != ':')
            FAIL(JV_EXPECTED_COLON, p);
    }
    p++;
    goto value;

after_value:
    /*
     * The common bytes first: ',' and the closer of the innermost container
     * (kept in a register, so the bit stack is read only when a container
     * closes); whitespace is retried, anything else is an error.
     */
    POLL_VALUE();
    if (JV_LIKELY(p < end))
    {
        unsigned c = *p;

        if (c == ',')
        {
            p++;
            if (closer == '}')
                goto key_ws;
            if (JV_LIKELY(closer == ']'))
                goto value;
            FAIL(JV_TRAILING_CONTENT, p - 1);
        }
        if (c == closer)
        {
            p++;
            POP();
            goto after_value;
        }
        if (jv_ws[c])
        {
            p++;
            SKIP_WS();
            goto after_value;
        }
        if (closer == JV_TOP)
            FAIL(JV_TRAILING_CONTENT, p);
        FAIL(closer == '}' ? JV_EXPECTED_OBJECT_NEXT : JV_EXPECTED_ARRAY_NEXT, p);
    }
    if (JV_LIKELY(depth == 0))
        goto ok;
    FAIL(JV_UNEXPECTED_END, end);

bad_literal:
    /* find the first byte that departs from the literal */
    for (i = 1; i < litlen; i++)
    {
        if (p + i == end)
            FAIL(JV_UNEXPECTED_END, end);
        if (p[i] != (unsigned char) lit[i])
            FAIL(JV_BAD_LITERAL, p + i);
    }
    FAIL(JV_BAD_LITERAL, p);    /* not reached */

ok:
    if (stack != local_stack)
        jv_hooks.release(stack);
    if (res)
    {
        res->code = JV_OK;
        res->offset = len;
    }
    return 1;

fail:
    if (stack != local_stack)
        jv_hooks.release(stack);
    if (res)
    {
        res->code = code;
        res->offset = (size_t) (errp - buf);
    }
    return 0;

#undef POLL_CHECK
#undef POLL_VALUE
#undef SKIP_WS
#undef SKIP_WS_MORE
#undef SCAN_STRING
#undef FAIL
#undef PUSH
#undef POP
}

/*
 * Four instances: check_utf8 = 0 / 1, and without / with the poll checks.
 * A document no longer than poll_bytes never reaches a poll point, so it
 * (and every document when no poll is installed) runs the instance without
 * them: the same code as before polling existed.
 */
static int
jv_validate_opaque(const unsigned char *buf, size_t len, JsonValidResult *res)
{
    return jv_validate_impl(buf, len, 0, 0, res);
}

static int
jv_validate_utf8(const unsigned char *buf, size_t len, JsonValidResult *res)
{
    return jv_validate_impl(buf, len, 1, 0, res);
}

static int
jv_validate_opaque_polled(const unsigned char *buf, size_t len, JsonValidResult *res)
{
    return jv_validate_impl(buf, len, 0, 1, res);
}

static int
jv_validate_utf8_polled(const unsigned char *buf, size_t len, JsonValidResult *res)
{
    return jv_validate_impl(buf, len, 1, 1, res);
}

/*
 * Documents shorter than this go straight to the exact validator: the fast
 * path's fixed cost (~25 ns) is more than it saves below ~40 bytes with the
 * AVX-512 classifier, ~60 with AVX2 (bench/json/RESULTS.md, session 3).
 */
#ifndef JV_FAST_MIN
#define JV_FAST_MIN 48
#endif

int
json_validate(const unsigned char *buf, size_t len, int check_utf8, JsonValidResult *res)
{
    if (buf == NULL)
        len = 0, buf = (const unsigned char *) "";
    /*
     * The two-stage fast path (bytes >= 0x80 opaque) and, for check_utf8, a
     * separate UTF-8 pass say "valid" or hand over; every error is found and
     * reported by the exact validator below.
     */
    if (len >= JV_FAST_MIN && JV_UNLIKELY(jv_hooks.poll != NULL && len > jv_hooks.poll_bytes))
    {
        /* long enough to reach a poll point: the polling instances */
        if (json_fast_validate_polled(buf, len, jv_hooks.poll, jv_hooks.poll_arg, jv_hooks.poll_bytes) == JF_VALID &&
            (!check_utf8 || utf8_valid_polled(buf, len, jv_hooks.poll, jv_hooks.poll_arg, jv_hooks.poll_bytes)))
        {
            if (res)
                res->code = JV_OK, res->offset = len;
            return 1;
        }
    }
    else if (len >= JV_FAST_MIN && json_fast_validate(buf, len) == JF_VALID && (!check_utf8 || utf8_valid(buf, len)))
    {
        if (res)
            res->code = JV_OK, res->offset = len;
        return 1;
    }
    return json_validate_exact(buf, len, check_utf8, res);
}

int
json_validate_exact(const unsigned char *buf, size_t len, int check_utf8, JsonValidResult *res)
{
    if (buf == NULL)
        len = 0, buf = (const unsigned char *) "";
    if (jv_hooks.poll != NULL && len > jv_hooks.poll_bytes)
        return check_utf8 ? jv_validate_utf8_polled(buf, len, res) : jv_validate_opaque_polled(buf, len, res);
    return check_utf8 ? jv_validate_utf8(buf, len, res) : jv_validate_opaque(buf, len, res);
}

const char *
json_valid_reason(JsonValidCode code)
{
    switch (code)
    {
        case JV_OK:
            return "valid JSON";
        case JV_EMPTY:
            return "no JSON value (empty or whitespace-only input)";
        case JV_EXPECTED_VALUE:
            return "expected a JSON value";
        case JV_EXPECTED_ARRAY_NEXT:
            return "expected ',' or ']' after array element";
        case JV_EXPECTED_OBJECT_NEXT:
            return "expected ',' or '}' after object member";
        case JV_EXPECTED_KEY:
            return "expected string as object key";
        case JV_EXPECTED_COLON:
            return "expected ':' after object key";
        case JV_BAD_LITERAL:
            return "invalid literal (expected true, false or null)";
        case JV_BAD_NUMBER:
            return "malformed number";
        case JV_BAD_ESCAPE:
            return "invalid escape sequence in string";
        case JV_BAD_UNICODE_ESCAPE:
            return "\\u must be followed by 4 hex digits";
        case JV_CONTROL_CHAR:
            return "unescaped control character in string";
        case JV_UNTERMINATED_STRING:
            return "unterminated string";
        case JV_BAD_UTF8:
            return "invalid UTF-8";
        case JV_TRAILING_CONTENT:
            return "unexpected content after JSON value";
        case JV_UNEXPECTED_END:
            return "unexpected end of input";
        case JV_OUT_OF_MEMORY:
            return "out of memory for nesting stack";
    }
    return "unknown error";
}

/* ---- Locating an offset: lines, columns, characters ---------------------- */

JV_INLINE unsigned
jv_popcount64(uint64_t x)
{
#if defined(__POPCNT__) && (defined(__GNUC__) || defined(__clang__))
    return (unsigned) __builtin_popcountll(x);
#else
    /* without the instruction, __builtin_popcountll is a libgcc call */
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
    return (unsigned) ((x * UINT64_C(0x0101010101010101)) >> 56);
#endif
}

/*
 * Bit masks of the 64 bytes at q: '\n', bytes that start a UTF-8 character
 * (not 10xxxxxx) and bytes >= 0x80.
 */
JV_INLINE void
jv_block_masks(const unsigned char *q, uint64_t *nl, uint64_t *lead, uint64_t *high)
{
#ifdef JV_USE_SSE2
    uint64_t n = 0, l = 0, h = 0;
    int k;

    for (k = 0; k < 4; k++)
    {
        __m128i v = _mm_loadu_si128((const __m128i *) (q + 16 * k));

        n |= (uint64_t) (uint32_t) _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))) << (16 * k);
        /* signed: 0x80-0xBF are -128..-65, every other byte is greater */
        l |= (uint64_t) (uint32_t) _mm_movemask_epi8(_mm_cmpgt_epi8(v, _mm_set1_epi8((char) 0xBF))) << (16 * k);
        h |= (uint64_t) (uint32_t) _mm_movemask_epi8(v) << (16 * k);
    }
    *nl = n;
    *lead = l;
    *high = h;
#else
    uint64_t n = 0, l = 0, h = 0;
    int k;

    for (k = 0; k < 64; k++)
    {
        n |= (uint64_t) (q[k] == '\n') << k;
        l |= (uint64_t) ((q[k] & 0xC0) != 0x80) << k;
        h |= (uint64_t) (q[k] >> 7) << k;
    }
    *nl = n;
    *lead = l;
    *high = h;
#endif
}

/* The counts so far: line, column (both 1-based) and characters seen. */
typedef struct JvPos {
    size_t line, col, chars;
} JvPos;

/* Adds a 64-byte block whose characters start at the bits of lead. */
JV_INLINE void
jv_pos_block(JvPos *pos, uint64_t nl, uint64_t lead)
{
    unsigned c = jv_popcount64(lead);

    pos->chars += c;
    if (nl == 0)
        pos->col += c;
    else
    {
        unsigned last = 63 - (unsigned) __builtin_clzll(nl);

        pos->line += jv_popcount64(nl);
        pos->col = 1 + jv_popcount64((lead >> last) >> 1);     /* characters after the last '\n' */
    }
}

/*
 * UTF-8 (utf8 = 1) or one character per byte (0) over buf[0..off): 64 bytes
 * at a time, polling between stretches of poll_bytes.
 */
JV_INLINE void
jv_locate_blocks(const unsigned char *buf, size_t off, const int utf8, JvPos *pos)
{
    const size_t step = jv_hooks.poll != NULL ? (jv_hooks.poll_bytes + 63) & ~(size_t) 63 : ~(size_t) 63;
    size_t i = 0;

    for (;;)
    {
        size_t blocks = (off - i) & ~(size_t) 63;
        size_t stop = i + (blocks < step ? blocks : step);

        for (; i < stop; i += 64)
        {
            uint64_t nl, lead, high;

            jv_block_masks(buf + i, &nl, &lead, &high);
            jv_pos_block(pos, nl, utf8 ? lead : ~UINT64_C(0));
        }
        if (off - i < 64)
            break;
        jv_hooks.poll(jv_hooks.poll_arg, i);
    }
    for (; i < off; i++)
    {
        unsigned char b = buf[i];

        if (!utf8 || (b & 0xC0) != 0x80)
        {
            pos->chars++;
            pos->col++;
        }
        if (b == '\n')
        {
            pos->line++;
            pos->col = 1;
        }
    }
}

/* Another multibyte encoding: ASCII blocks 64 bytes at a time, the rest character by character. */
static void
jv_locate_mblen(const unsigned char *buf, size_t len, size_t off, int (*mblen) (const unsigned char *s),
                JvPos *pos)
{
    uintptr_t poll_at = jv_poll_start(buf, len);
    size_t i = 0;

    while (i < off)
    {
        unsigned char b;

        if (JV_UNLIKELY((uintptr_t) (buf + i) >= poll_at))
            poll_at = jv_poll_now(buf + i, buf, buf + len);
        if (off - i >= 64)
        {
            uint64_t nl, lead, high;

            jv_block_masks(buf + i, &nl, &lead, &high);
            if (high == 0)
            {
                jv_pos_block(pos, nl, ~UINT64_C(0));
                i += 64;
                continue;
            }
        }
        b = buf[i];
        pos->chars++;
        pos->col++;
        if (b < 0x80)
        {
            if (b == '\n')
            {
                pos->line++;
                pos->col = 1;
            }
            i++;
        }
        else
        {
            int n = mblen(buf + i);

            if (n < 1)
                n = 1;
            if ((size_t) n > len - i)
                n = (int) (len - i);
            i += (size_t) n;
        }
    }
}

void
json_valid_locate_enc(const unsigned char *buf, size_t len, size_t offset, const JsonValidEncoding *enc,
                      size_t *line, size_t *column, size_t *char_pos)
{
    JvPos pos = { 1, 1, 1 };
    JsonValidCharset kind = enc ? enc->kind : JV_CHARS_UTF8;

    if (buf == NULL)
        len = 0, buf = (const unsigned char *) "";
    if (offset > len)
        offset = len;
    if (kind == JV_CHARS_BYTES && line == NULL && column == NULL)
        pos.chars = offset + 1;                 /* nothing to count */
    else if (kind == JV_CHARS_MBLEN && enc->mblen != NULL)
        jv_locate_mblen(buf, len, offset, enc->mblen, &pos);
    else
        jv_locate_blocks(buf, offset, kind != JV_CHARS_BYTES, &pos);
    if (line)
        *line = pos.line;
    if (column)
        *column = pos.col;
    if (char_pos)
        *char_pos = pos.chars;
}

void
json_valid_locate(const unsigned char *buf, size_t len, size_t offset,
                  size_t *line, size_t *column, size_t *char_pos)
{
    json_valid_locate_enc(buf, len, offset, NULL, line, column, char_pos);
}

size_t
json_valid_format_error_enc(const unsigned char *buf, size_t len, const JsonValidResult *res,
                            const JsonValidEncoding *enc, char *out, size_t outsz)
{
    char found[32];
    size_t line, column, off;
    int n;
    char dummy[1];
    int utf8 = enc == NULL || enc->kind == JV_CHARS_UTF8;

    if (out == NULL || outsz == 0)
    {
        out = dummy;
        outsz = sizeof(dummy);
    }
    if (buf == NULL)
        len = 0;
    if (res == NULL || res->code == JV_OK)
    {
        n = snprintf(out, outsz, "%s", json_valid_reason(JV_OK));
        return n < 0 ? 0 : (size_t) n;
    }
    off = res->offset > len ? len : res->offset;
    json_valid_locate_enc(buf, len, off, enc, &line, &column, NULL);

    if (off >= len)
        snprintf(found, sizeof(found), "end of input");
    else
    {
        unsigned char b = buf[off];

        if (b < 0x20 || b == 0x7F)
            snprintf(found, sizeof(found), "U+%04X", (unsigned) b);
        else if (b < 0x80)
            snprintf(found, sizeof(found), "'%c'", (char) b);
        else
        {
            int k = utf8 ? jv_utf8_seq(buf + off, buf + len) : 0;

            if (k > 0)
            {
                found[0] = '\'';
                memcpy(found + 1, buf + off, (size_t) k);
                found[k + 1] = '\'';
                found[k + 2] = '\0';
            }
            else
                snprintf(found, sizeof(found), "byte 0x%02X", (unsigned) b);
        }
    }
    n = snprintf(out, outsz, "line %zu, column %zu: %s, found %s",
                 line, column, json_valid_reason(res->code), found);
    return n < 0 ? 0 : (size_t) n;
}

size_t
json_valid_format_error(const unsigned char *buf, size_t len, const JsonValidResult *res,
                        char *out, size_t outsz)
{
    return json_valid_format_error_enc(buf, len, res, NULL, out, outsz);
}

/*
 * ---- Top-level members of a valid document (json_top_member) -------------
 *
 * The document is known to be valid, so nothing is checked: containers are
 * skipped by counting brackets outside strings (a size_t, not a stack: any
 * depth, no memory), strings by their first unescaped quote.  Every loop
 * polls like the validator (block loops bounded by the poll point), and
 * every read is bounded by end, so input that is not valid after all gives
 * a wrong answer, never a read outside the buffer.
 */

typedef struct JvReader {
    const unsigned char *buf, *end;
    uintptr_t poll_at;
} JvReader;

JV_INLINE void
jv_reader_poll(JvReader *r, const unsigned char *p)
{
    if (JV_UNLIKELY((uintptr_t) p >= r->poll_at))
        r->poll_at = jv_poll_now(p, r->buf, r->end);
}

/* Bytes that stop the container skip: '"' and the four brackets. */
static const unsigned char jv_bracket_or_quote[256] = {
    ['"'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1
};

/* Bytes that end a number or literal. */
static const unsigned char jv_scalar_end[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, [']'] = 1, ['}'] = 1, [':'] = 1
};

/* The first byte at or after p that table does not mark (skip = 1) or marks (skip = 0), or end. */
JV_INLINE const unsigned char *
jv_read_bytes(JvReader *r, const unsigned char *p, const unsigned char *table, const int skip)
{
    for (;;)
    {
        const unsigned char *lim;

        jv_reader_poll(r, p);
        lim = jv_poll_limit(r->end, r->poll_at);
        while (p < lim && (table[*p] != 0) == skip)
            p++;
        if (p < lim || lim == r->end)
            return p;
    }
}

/* p just after an opening quote: the position of the closing quote, or end. */
static const unsigned char *
jv_read_string(JvReader *r, const unsigned char *p)
{
    for (;;)
    {
        const unsigned char *lim;

        jv_reader_poll(r, p);
        lim = jv_poll_limit(r->end, r->poll_at);
#ifdef JV_USE_SSE2
        while (lim - p >= 16)
        {
            __m128i v = _mm_loadu_si128((const __m128i *) p);
            int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

            if (m)
            {
                p += __builtin_ctz((unsigned) m);
                goto special;
            }
            p += 16;
        }
#endif
        while (p < lim && *p != '"' && *p != '\\')
            p++;
        if (p == lim)
        {
            if (lim == r->end)
                return r->end;
            continue;
        }
#ifdef JV_USE_SSE2
special:
#endif
        if (*p == '"')
            return p;
        if (r->end - p <= 2)
            return r->end;
        p += 2;             /* a backslash and the byte it escapes (the hex digits of \u are plain) */
    }
}

/*
 * p at '[' or '{': the position after its closing bracket, or end.  (A table
 * loop: between brackets and quotes there are only a few bytes of numbers,
 * literals and punctuation, too few for a block compare to pay; long runs
 * are strings, which jv_read_string skips 16 bytes at a time.)
 */
static const unsigned char *
jv_read_container(JvReader *r, const unsigned char *p)
{
    size_t depth = 0;

    for (;;)
    {
        const unsigned char *lim;
        unsigned c;

        jv_reader_poll(r, p);
        lim = jv_poll_limit(r->end, r->poll_at);
        while (p < lim && !jv_bracket_or_quote[*p])
            p++;
        if (p == lim)
        {
            if (lim == r->end)
                return r->end;
            continue;
        }
        c = *p;
        if (c == '"')
        {
            p = jv_read_string(r, p + 1);
            if (p == r->end)
                return r->end;
        }
        else if (c == '[' || c == '{')
            depth++;
        else if (--depth == 0)
            return p + 1;
        p++;
    }
}

JV_INLINE unsigned
jv_hex4(const unsigned char *p)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++)
    {
        unsigned c = p[i];

        v = (v << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/*
 * The code point of the \u escape at p (p[0] == '\\', p[1] == 'u', at least
 * 6 bytes before end), combined with a following \u low surrogate; *used:
 * the bytes consumed (6 or 12).  Returns 0x110000 + the lone surrogate for
 * a surrogate that is not half of a pair.
 */
JV_INLINE unsigned
jv_u_escape(const unsigned char *p, const unsigned char *end, size_t *used)
{
    unsigned cp = jv_hex4(p + 2);

    *used = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 12 && p[6] == '\\' && p[7] == 'u')
    {
        unsigned lo = jv_hex4(p + 8);

        if (lo >= 0xDC00 && lo <= 0xDFFF)
        {
            *used = 12;
            return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0x110000 + cp;
    return cp;
}

JV_INLINE int
jv_utf8_encode(unsigned cp, unsigned char *o)
{
    if (cp < 0x80)
    {
        o[0] = (unsigned char) cp;
        return 1;
    }
    if (cp < 0x800)
    {
        o[0] = (unsigned char) (0xC0 | (cp >> 6));
        o[1] = (unsigned char) (0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000)
    {
        o[0] = (unsigned char) (0xE0 | (cp >> 12));
        o[1] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char) (0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char) (0xF0 | (cp >> 18));
    o[1] = (unsigned char) (0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char) (0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char) (0x80 | (cp & 0x3F));
    return 4;
}

/* The byte a simple escape \c stands for (c is one of " \ / b f n r t). */
JV_INLINE unsigned char
jv_simple_unescape(unsigned c)
{
    switch (c)
    {
        case 'b':
            return '\b';
        case 'f':
            return '\f';
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        default:
            return (unsigned char) c;       /* " \ / */
    }
}

/*
 * Is the member name p[0..e) (escaped) exactly key[0..keylen) once
 * unescaped?  Stops at the first difference, so it reads O(keylen) bytes.
 */
static int
jv_name_equals(const unsigned char *p, const unsigned char *e, const unsigned char *key, size_t keylen)
{
    size_t i = 0;

    while (p < e)
    {
        unsigned char u[4];
        int n, k;

        if (*p != '\\')
        {
            if (i == keylen || key[i] != *p)
                return 0;
            i++;
            p++;
            continue;
        }
        if (e - p < 2)
            return 0;
        if (p[1] != 'u')
        {
            if (i == keylen || key[i] != jv_simple_unescape(p[1]))
                return 0;
            i++;
            p += 2;
            continue;
        }
        {
            size_t used;
            unsigned cp;

            if (e - p < 6)
                return 0;
            cp = jv_u_escape(p, e, &used);
            if (cp >= 0x110000)
                return 0;               /* a lone surrogate has no UTF-8 form: equals no key */
            p += used;
            n = jv_utf8_encode(cp, u);
        }
        for (k = 0; k < n; k++, i++)
            if (i == keylen || key[i] != u[k])
                return 0;
    }
    return i == keylen;
}

JsonMemberKind
json_top_member(const unsigned char *buf, size_t len, const char *key, size_t keylen,
                size_t *vstart, size_t *vlen)
{
    JvReader r;
    const unsigned char *p;
    JsonMemberKind kind = JM_NONE;

    if (buf == NULL)
        len = 0, buf = (const unsigned char *) "";
    r.buf = buf;
    r.end = buf + len;
    r.poll_at = jv_poll_start(buf, len);

    p = jv_read_bytes(&r, buf, jv_ws, 1);
    if (p == r.end || *p != '{')
        return JM_NONE;
    p = jv_read_bytes(&r, p + 1, jv_ws, 1);
    if (p == r.end || *p != '"')
        return JM_NONE;                 /* {} */
    for (;;)
    {
        const unsigned char *name = p + 1;
        const unsigned char *name_end = jv_read_string(&r, name);
        int match;

        if (name_end == r.end)
            return kind;
        match = jv_name_equals(name, name_end, (const unsigned char *) key, keylen);
        p = jv_read_bytes(&r, name_end + 1, jv_ws, 1);
        if (p == r.end || *p != ':')
            return kind;
        p = jv_read_bytes(&r, p + 1, jv_ws, 1);
        if (p == r.end)
            return kind;
        if (*p == '"')
        {
            const unsigned char *value_end = jv_read_string(&r, p + 1);

            if (value_end == r.end)
                return kind;
            if (match)
            {
                kind = JM_STRING;
                *vstart = (size_t) (p + 1 - buf);
                *vlen = (size_t) (value_end - (p + 1));
            }
            p = value_end + 1;
        }
        else
        {
            if (*p == '{' || *p == '[')
                p = jv_read_container(&r, p);
            else
                p = jv_read_bytes(&r, p, jv_scalar_end, 0);
            if (match)
                kind = JM_OTHER;
        }
        p = jv_read_bytes(&r, p, jv_ws, 1);
        if (p == r.end || *p != ',')
            return kind;                /* the closing '}' */
        p = jv_read_bytes(&r, p + 1, jv_ws, 1);
        if (p == r.end || *p != '"')
            return kind;
    }
}

JsonUnescapeCode
json_unescape_string(const unsigned char *body, size_t body_len, unsigned char *out, size_t *out_len,
                     int (*to_enc) (unsigned int code_point, unsigned char *dst, void *arg), void *arg)
{
    const unsigned char *p = body;
    const unsigned char *end = body + body_len;
    unsigned char *o = out;
    uintptr_t poll_at;

    if (body == NULL)
        body_len = 0, p = end = body = (const unsigned char *) "";
    poll_at = jv_poll_start(body, body_len);
    for (;;)
    {
        const unsigned char *lim, *bs;
        size_t used;
        unsigned cp;

        if (JV_UNLIKELY((uintptr_t) p >= poll_at))
            poll_at = jv_poll_now(p, body, end);
        lim = jv_poll_limit(end, poll_at);
        bs = memchr(p, '\\', (size_t) (lim - p));
        if (bs == NULL)
        {
            memcpy(o, p, (size_t) (lim - p));
            o += lim - p;
            p = lim;
            if (p == end)
                break;
            continue;
        }
        memcpy(o, p, (size_t) (bs - p));
        o += bs - p;
        p = bs;
        if (end - p < 2)
            break;                      /* not a valid string body */
        if (p[1] != 'u')
        {
            *o++ = jv_simple_unescape(p[1]);
            p += 2;
            continue;
        }
        if (end - p < 6)
            break;
        cp = jv_u_escape(p, end, &used);
        p += used;
        if (cp >= 0x110000)
            return JU_LONE_SURROGATE;
        if (cp == 0)
            return JU_NUL;
        if (cp < 0x80)
            *o++ = (unsigned char) cp;
        else if (to_enc == NULL)
            o += jv_utf8_encode(cp, o);
        else
        {
            unsigned char tmp[16];
            int n = to_enc(cp, tmp, arg);

            if (n < 0 || n > 4)
                return JU_UNREPRESENTABLE;
            memcpy(o, tmp, (size_t) n);
            o += n;
        }
    }
    *out_len = (size_t) (o - out);
    return JU_OK;
}
