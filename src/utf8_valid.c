/*
 * utf8_valid.c - strict UTF-8 validation; see utf8_valid.h for the rules.
 *
 * Two paths with identical results:
 *
 * - Portable scalar: a table-driven DFA for table 3-7 (one load, shift and
 *   mask per byte, no per-byte branches) that skips ASCII 8 bytes at a time.
 *
 * - AVX2 (x86 with GCC/clang, chosen at run time): the "lookup" method.
 *   Every ill-formed pair (previous byte, current byte) is detectable from
 *   three nibbles: the high and low nibble of the previous byte and the
 *   high nibble of the current byte.  Each nibble indexes a 16-entry pshufb
 *   table whose entries are bit sets of the error kinds that nibble can take
 *   part in; a kind survives the AND of the three lookups only when all three
 *   nibbles agree, i.e. the pair really is that error.  Pairs cannot see that
 *   a 3-/4-byte lead requires a 2nd/3rd continuation byte, so a second check
 *   compares "continuation after continuation" (bit 7 of the lookup) with
 *   "2 or 3 bytes after an E0-FF / F0-FF lead" - they must coincide.  The
 *   previous 1-3 bytes come from the block before, so the last input block
 *   is carried across iterations.  All-ASCII 64-byte blocks only have to
 *   check that the block before did not end inside a sequence.
 *
 * The runtime check keeps the file buildable without -mavx2: only the
 * functions marked UTF8_AVX2 are compiled for AVX2.
 */
#include "utf8_valid.h"

#include <stdint.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__)) && !defined(JSON_VALID_NO_SIMD)
#define UTF8_VALID_X86 1
#endif

/* ---------------------------------------------------------------------- */
/* Portable path                                                          */
/* ---------------------------------------------------------------------- */

/*
 * A DFA for table 3-7 in "shift" form: each state is a bit offset (a
 * multiple of 6) and utf8_dfa[byte] holds, at bit offset s, the next state
 * for state s.  One step is (utf8_dfa[byte] >> state) & 63: no branch per
 * byte, so mixed text does not pay for mispredicted length decisions.
 * ERROR is offset 0 and absorbing (bits 0-5 of every row are 0), so any
 * transition not listed below leads to it.
 */
#define S_ERR   0               /* ill-formed (absorbing) */
#define S_ACC   6               /* between characters */
#define S_C1    12              /* 1 more continuation byte 80-BF */
#define S_C2    18              /* 2 more */
#define S_C3    24              /* 3 more */
#define S_E0    30              /* after E0: A0-BF, then 1 more */
#define S_ED    36              /* after ED: 80-9F, then 1 more */
#define S_F0    42              /* after F0: 90-BF, then 2 more */
#define S_F4    48              /* after F4: 80-8F, then 2 more */

#define TR(from, to) ((uint64_t) (to) << (from))

/* rows per byte class */
#define D_ASCII  TR(S_ACC, S_ACC)
#define D_80_8F  (TR(S_C1, S_ACC) | TR(S_C2, S_C1) | TR(S_C3, S_C2) | TR(S_ED, S_C1) | TR(S_F4, S_C2))
#define D_90_9F  (TR(S_C1, S_ACC) | TR(S_C2, S_C1) | TR(S_C3, S_C2) | TR(S_ED, S_C1) | TR(S_F0, S_C2))
#define D_A0_BF  (TR(S_C1, S_ACC) | TR(S_C2, S_C1) | TR(S_C3, S_C2) | TR(S_E0, S_C1) | TR(S_F0, S_C2))
#define D_BAD    0              /* C0, C1, F5-FF */
#define D_C2_DF  TR(S_ACC, S_C1)
#define D_E0     TR(S_ACC, S_E0)
#define D_E1_EF  TR(S_ACC, S_C2)    /* E1-EC, EE-EF */
#define D_ED     TR(S_ACC, S_ED)
#define D_F0     TR(S_ACC, S_F0)
#define D_F1_F3  TR(S_ACC, S_C3)
#define D_F4     TR(S_ACC, S_F4)

#define X2(x) x, x
#define X4(x) X2(x), X2(x)
#define X8(x) X4(x), X4(x)
#define X16(x) X8(x), X8(x)

static const uint64_t utf8_dfa[] = {
    X16(D_ASCII), X16(D_ASCII), X16(D_ASCII), X16(D_ASCII),     /* 00-3F */
    X16(D_ASCII), X16(D_ASCII), X16(D_ASCII), X16(D_ASCII),     /* 40-7F */
    X16(D_80_8F),                                               /* 80-8F */
    X16(D_90_9F),                                               /* 90-9F */
    X16(D_A0_BF), X16(D_A0_BF),                                 /* A0-BF */
    X2(D_BAD),                                                  /* C0-C1 */
    X16(D_C2_DF), X8(D_C2_DF), X4(D_C2_DF), X2(D_C2_DF),        /* C2-DF */
    D_E0,                                                       /* E0 */
    X8(D_E1_EF), X4(D_E1_EF),                                   /* E1-EC */
    D_ED,                                                       /* ED */
    X2(D_E1_EF),                                                /* EE-EF */
    D_F0,                                                       /* F0 */
    X2(D_F1_F3), D_F1_F3,                                       /* F1-F3 */
    D_F4,                                                       /* F4 */
    X8(D_BAD), X2(D_BAD), D_BAD                                 /* F5-FF */
};

/* compile-time check that the rows above cover exactly 256 bytes */
typedef char utf8_dfa_has_256_rows[sizeof(utf8_dfa) / sizeof(utf8_dfa[0]) == 256 ? 1 : -1];

#define DFA_STEP(state, byte) ((state) = (utf8_dfa[(byte)] >> (state)) & 63)

/*
 * Polling: both paths run their block loop over stretches of at most `step`
 * bytes and call the poll between stretches, so the loops themselves are
 * unchanged (only their bound is the end of the stretch).  Without a poll
 * the stretch is the whole input.
 */
#define UTF8_POLL_BYTES ((size_t) 256 * 1024)

static size_t
utf8_poll_step(void (*poll) (void *, size_t), size_t every)
{
    if (poll == NULL)
        return ~(size_t) 63;
    if (every == 0)
        every = UTF8_POLL_BYTES;
    if (every > ~(size_t) 63)
        return ~(size_t) 63;
    return (every + 63) & ~(size_t) 63;
}

int
utf8_valid_scalar_polled(const unsigned char *buf, size_t len,
                         void (*poll) (void *arg, size_t pos), void *arg, size_t every)
{
    uint64_t state = S_ACC;
    size_t i = 0;
    const size_t step = utf8_poll_step(poll, every);

    for (;;)
    {
        size_t words = (len - i) & ~(size_t) 7;     /* bytes in whole words left */
        size_t stop = i + (words < step ? words : step);

        for (; i < stop; i += 8)
        {
            uint64_t w;

            memcpy(&w, buf + i, 8);         /* no unaligned pointer casts */
            /* between characters, an all-ASCII word needs no DFA steps */
            if (state != S_ACC || (w & UINT64_C(0x8080808080808080)) != 0)
            {
                DFA_STEP(state, buf[i]);
                DFA_STEP(state, buf[i + 1]);
                DFA_STEP(state, buf[i + 2]);
                DFA_STEP(state, buf[i + 3]);
                DFA_STEP(state, buf[i + 4]);
                DFA_STEP(state, buf[i + 5]);
                DFA_STEP(state, buf[i + 6]);
                DFA_STEP(state, buf[i + 7]);
                if (state == S_ERR)
                    return 0;
            }
        }
        if (len - i < 8)
            break;
        poll(arg, i);
    }
    for (; i < len; i++)
        DFA_STEP(state, buf[i]);
    /* ending anywhere but between characters means a cut sequence */
    return state == S_ACC;
}

int
utf8_valid_scalar(const unsigned char *buf, size_t len)
{
    return utf8_valid_scalar_polled(buf, len, NULL, NULL, 0);
}

/* ---------------------------------------------------------------------- */
/* AVX2 path                                                              */
/* ---------------------------------------------------------------------- */

#ifdef UTF8_VALID_X86
#include <immintrin.h>

#define UTF8_AVX2 __attribute__((target("avx2")))

/*
 * Error kinds for a (previous byte, current byte) pair; one bit each, except
 * that OVERLONG_4 and TOO_LARGE_1000 share bit 6: their previous-byte low
 * nibbles (0 vs 5-F) never meet, so one bit can tell them apart.
 */
#define TOO_SHORT       0x01    /* 11xxxxxx then 0xxxxxxx or 11xxxxxx: lead without continuation */
#define TOO_LONG        0x02    /* 0xxxxxxx then 10xxxxxx: continuation without lead */
#define OVERLONG_3      0x04    /* E0 then 80-9F */
#define TOO_LARGE       0x08    /* F4 then 90-BF, or F5-FF then 90-BF */
#define SURROGATE       0x10    /* ED then A0-BF */
#define OVERLONG_2      0x20    /* C0/C1 then 80-BF */
#define TOO_LARGE_1000  0x40    /* F5-FF then 80-8F */
#define OVERLONG_4      0x40    /* F0 then 80-8F */
#define TWO_CONTS       0x80    /* 10xxxxxx then 10xxxxxx: fine only inside a 3-/4-byte sequence */

/* kinds that depend only on the high nibbles: every low nibble allows them */
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

#define B(x) ((char) (x))

/* pshufb looks up within each 128-bit lane, so each table appears twice */
#define TABLE16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, aA, aB, aC, aD, aE, aF) \
    _mm256_setr_epi8(B(a0), B(a1), B(a2), B(a3), B(a4), B(a5), B(a6), B(a7), \
                     B(a8), B(a9), B(aA), B(aB), B(aC), B(aD), B(aE), B(aF), \
                     B(a0), B(a1), B(a2), B(a3), B(a4), B(a5), B(a6), B(a7), \
                     B(a8), B(a9), B(aA), B(aB), B(aC), B(aD), B(aE), B(aF))

/*
 * The vector of the bytes n = 1..3 positions earlier: the last n bytes of
 * prev followed by the first 32 - n bytes of cur.  alignr works per 128-bit
 * lane, so first build [prev.high | cur.low] to feed the low lane.
 */
#define PREV_N(cur, prev, n) \
    _mm256_alignr_epi8((cur), _mm256_permute2x128_si256((prev), (cur), 0x21), 16 - (n))

/* Nonzero bytes where cur (with the 32 bytes before it in prev) is ill-formed. */
static inline UTF8_AVX2 __m256i
utf8_block_errors(__m256i cur, __m256i prev)
{
    const __m256i nib = _mm256_set1_epi8(0x0F);

    /* indexed by the high nibble of the previous byte */
    const __m256i t_prev_hi = TABLE16(
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,             /* 0-7: ASCII */
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
        TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,         /* 8-B: continuation */
        TOO_SHORT | OVERLONG_2,                             /* C */
        TOO_SHORT,                                          /* D */
        TOO_SHORT | OVERLONG_3 | SURROGATE,                 /* E */
        TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4 /* F */
    );
    /* indexed by the low nibble of the previous byte */
    const __m256i t_prev_lo = TABLE16(
        CARRY | OVERLONG_2 | OVERLONG_3 | OVERLONG_4,       /* C0 E0 F0 */
        CARRY | OVERLONG_2,                                 /* C1 */
        CARRY,
        CARRY,
        CARRY | TOO_LARGE,                                  /* F4 */
        CARRY | TOO_LARGE | TOO_LARGE_1000,                 /* F5-FF ... */
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,     /* ED, FD */
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000
    );
    /* indexed by the high nibble of the current byte */
    const __m256i t_cur_hi = TABLE16(
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,         /* 0-7: ASCII */
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
        TOO_LONG | TWO_CONTS | OVERLONG_2 | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4, /* 80-8F */
        TOO_LONG | TWO_CONTS | OVERLONG_2 | OVERLONG_3 | TOO_LARGE,                   /* 90-9F */
        TOO_LONG | TWO_CONTS | OVERLONG_2 | SURROGATE | TOO_LARGE,                    /* A0-AF */
        TOO_LONG | TWO_CONTS | OVERLONG_2 | SURROGATE | TOO_LARGE,                    /* B0-BF */
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT          /* C-F: lead */
    );

    __m256i prev1 = PREV_N(cur, prev, 1);
    __m256i prev2 = PREV_N(cur, prev, 2);
    __m256i prev3 = PREV_N(cur, prev, 3);
    __m256i pairs, third, fourth, must_cont;

    /* epi16 shifts drag bits in from the neighbour byte: mask to a nibble */
    pairs = _mm256_and_si256(
        _mm256_and_si256(
            _mm256_shuffle_epi8(t_prev_hi, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nib)),
            _mm256_shuffle_epi8(t_prev_lo, _mm256_and_si256(prev1, nib))),
        _mm256_shuffle_epi8(t_cur_hi, _mm256_and_si256(_mm256_srli_epi16(cur, 4), nib)));

    /*
     * Bit 7 where a continuation byte is required as the 3rd byte of an
     * E0-FF lead or the 4th of an F0-FF lead (saturating subtract: the top
     * bit survives only for prev2 >= E0 / prev3 >= F0).  Exactly these
     * positions must have TWO_CONTS; anything else left after the XOR is an
     * error (other kinds use bits 0-6, so they are never cancelled).
     */
    third = _mm256_subs_epu8(prev2, _mm256_set1_epi8(B(0xE0 - 0x80)));
    fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8(B(0xF0 - 0x80)));
    must_cont = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(B(0x80)));

    return _mm256_xor_si256(pairs, must_cont);
}

/*
 * Nonzero iff the block ends inside a sequence: last byte >= C0, or the
 * second last >= E0, or the third last >= F0.  Only needed where no later
 * block will look back at these bytes (an ASCII block, or the end).
 */
static inline UTF8_AVX2 __m256i
utf8_block_incomplete(__m256i cur)
{
    const __m256i max_ok = _mm256_setr_epi8(
        B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF),
        B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF),
        B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF),
        B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xFF), B(0xEF), B(0xDF), B(0xBF));

    return _mm256_subs_epu8(cur, max_ok);
}

/*
 * Two instances (utf8_valid_avx2_plain / _polled): without a poll the
 * stretch is the whole input and the code is the loop as it was before
 * polling.
 */
static inline __attribute__((always_inline)) UTF8_AVX2 int
utf8_valid_avx2(const unsigned char *buf, size_t len,
                void (*poll) (void *arg, size_t pos), void *arg, size_t step)
{
    __m256i error = _mm256_setzero_si256();
    __m256i prev = _mm256_setzero_si256();     /* "before the start" is ASCII */
    __m256i prev_incomplete = _mm256_setzero_si256();
    size_t i = 0;

    for (;;)
    {
        size_t blocks = (len - i) & ~(size_t) 63;   /* bytes in whole blocks left */
        size_t stop = i + (blocks < step ? blocks : step);

        for (; i < stop; i += 64)
        {
            __m256i a = _mm256_loadu_si256((const __m256i *) (buf + i));
            __m256i b = _mm256_loadu_si256((const __m256i *) (buf + i + 32));

            if (_mm256_movemask_epi8(_mm256_or_si256(a, b)) == 0)
            {
                /* ASCII block: only the previous block's last sequence can be cut */
                error = _mm256_or_si256(error, prev_incomplete);
                prev_incomplete = _mm256_setzero_si256();
            }
            else
            {
                error = _mm256_or_si256(error, utf8_block_errors(a, prev));
                error = _mm256_or_si256(error, utf8_block_errors(b, a));
                prev_incomplete = utf8_block_incomplete(b);
                /* invalid input is rare; one test per non-ASCII block is cheap */
                if (!_mm256_testz_si256(error, error))
                    return 0;
            }
            prev = b;
        }
        if (len - i < 64)
            break;
        poll(arg, i);
    }

    if (i < len)
    {
        /*
         * Tail: copy into a zero-padded block so nothing past buf + len is
         * read.  Padding is ASCII, so a sequence cut by the end of the data
         * is caught as TOO_SHORT by the pair check, and prev_incomplete (the
         * previous block) is covered by utf8_block_errors() looking back.
         */
        unsigned char tail[64];
        __m256i a, b;

        memset(tail, 0, sizeof(tail));
        memcpy(tail, buf + i, len - i);
        a = _mm256_loadu_si256((const __m256i *) tail);
        b = _mm256_loadu_si256((const __m256i *) (tail + 32));
        error = _mm256_or_si256(error, utf8_block_errors(a, prev));
        error = _mm256_or_si256(error, utf8_block_errors(b, a));
    }
    else
        error = _mm256_or_si256(error, prev_incomplete);

    return _mm256_testz_si256(error, error);
}

static UTF8_AVX2 int
utf8_valid_avx2_plain(const unsigned char *buf, size_t len)
{
    return utf8_valid_avx2(buf, len, NULL, NULL, ~(size_t) 63);
}

static UTF8_AVX2 int
utf8_valid_avx2_polled(const unsigned char *buf, size_t len,
                       void (*poll) (void *arg, size_t pos), void *arg, size_t step)
{
    return utf8_valid_avx2(buf, len, poll, arg, step);
}

/* -1: not checked yet.  Racing writers store the same value. */
static int utf8_have_avx2 = -1;

static int
utf8_check_avx2(void)
{
    if (utf8_have_avx2 < 0)
    {
        __builtin_cpu_init();
        utf8_have_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return utf8_have_avx2;
}
#endif /* UTF8_VALID_X86 */

int
utf8_valid_uses_simd(void)
{
#ifdef UTF8_VALID_X86
    return utf8_check_avx2();
#else
    return 0;
#endif
}

int
utf8_valid_polled(const unsigned char *buf, size_t len,
                  void (*poll) (void *arg, size_t pos), void *arg, size_t every)
{
#ifdef UTF8_VALID_X86
    if (utf8_check_avx2())
        return poll != NULL ? utf8_valid_avx2_polled(buf, len, poll, arg, utf8_poll_step(poll, every))
            : utf8_valid_avx2_plain(buf, len);
#endif
    return utf8_valid_scalar_polled(buf, len, poll, arg, every);
}

int
utf8_valid(const unsigned char *buf, size_t len)
{
#ifdef UTF8_VALID_X86
    if (utf8_check_avx2())
        return utf8_valid_avx2_plain(buf, len);
#endif
    return utf8_valid_scalar_polled(buf, len, NULL, NULL, 0);
}
