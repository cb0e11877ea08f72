/*
 * json_fast.c
 *      Two-stage JSON validator (AVX2 / AVX-512BW): the fast path of
 *      json_validate().
 *
 * Why two stages
 * --------------
 * The byte-exact validator in json_valid.c walks one token at a time, and
 * where a token ends decides where the next one starts: a chain of dependent
 * loads and branches that bounds it at ~1 GB/s on documents made of short
 * tokens (numbers, keys).  Here, as in simdjson, the work is split:
 *
 *   stage 1 classifies 64 bytes at a time (quotes, backslashes, structural
 *     characters, whitespace, control characters, number bytes), finds which
 *     bytes are inside strings with a carry-less multiply (prefix XOR of the
 *     unescaped quotes), checks with bit masks everything that does not need
 *     the grammar (control characters, backslashes outside strings, every
 *     escape, and the whole number grammar: jf_numbers), and writes the
 *     offset of every token start (a structural character, an opening quote,
 *     the first byte of a number or literal) into a small index;
 *
 *   stage 2 walks that index with the JSON grammar.  The next token's offset
 *     is a load from the index, not the end of the current token, so nothing
 *     waits for the end of a string or number.
 *
 * Stage 1 has two classifiers with the same results, chosen at run time:
 * AVX2 (two 32-byte vectors and movemask per class) and AVX-512BW (one
 * 64-byte vector, compares straight into 64-bit masks, about half the
 * instructions).  Everything after the classification is the same scalar
 * bit-mask code.
 *
 * Stage 1 runs a chunk (JF_CHUNK bytes) ahead of stage 2, so memory is a
 * fixed 20 KB of stack whatever the document size.  The container stack is
 * one bit per level in a fixed array; deeper documents defer to json_valid.c,
 * as do documents of 4 GB or more (offsets are 32-bit) and CPUs without
 * AVX2/PCLMUL/BMI2.  The answer is only valid / invalid: json_validate()
 * re-runs the exact validator for anything not VALID, so every error code
 * and offset still comes from one place.
 *
 * Strings need no stage-2 work: their content was checked in stage 1
 * (no raw control characters; every backslash escape is one of \" \\ \/ \b
 * \f \n \r \t or \u with four hex digits), and an unterminated string leaves
 * the in-string carry set at the end.  Bytes >= 0x80 are opaque, as in
 * json_validate(..., check_utf8 = 0).
 */
#include "json_fast.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(JSON_VALID_NO_SIMD) && !defined(JSON_VALID_NO_FAST)
#define JF_X86 1
#endif

#ifdef JF_X86
#include <immintrin.h>

#define JF_TARGET __attribute__((target("avx2,pclmul,bmi,bmi2,popcnt")))
#define JF_TARGET512 __attribute__((target("avx512f,avx512bw,avx512vbmi2,avx2,pclmul,bmi,bmi2,popcnt")))
#define JF_INLINE static inline __attribute__((always_inline)) JF_TARGET
#define JF_INLINE512 static inline __attribute__((always_inline)) JF_TARGET512
#define JF_UNLIKELY(x) __builtin_expect(!!(x), 0)
/*
 * The hot functions start on a cache line: where they land otherwise
 * depends on the size of all the code before them, which moved their
 * throughput by up to 10 % from one unrelated edit to the next.
 */
#define JF_HOT __attribute__((aligned(64)))

#define JF_CHUNK 4096                   /* bytes indexed by stage 1 per refill */
#define JF_SLACK 16                     /* jf_flatten*() write up to 15 entries past the end */
/*
 * (A chunk is 64 blocks of at most 64 tokens, and each block's entries are
 * written from where the previous block's ended, so the writes stay below
 * JF_CHUNK + 15 entries.)
 */
#define JF_POLL_BYTES ((size_t) 256 * 1024)     /* default poll interval (json_valid.h) */
#define JF_STACK_WORDS 512              /* 32768 levels of nesting */
#define JF_MAX_DEPTH (JF_STACK_WORDS * 64)

/* Innermost open container; the value is its closing byte (0: top level, i.e. end of input). */
#define JF_TOP 0
#define JF_ARRAY ']'
#define JF_OBJECT '}'

/* Bytes that end a number or literal: whitespace, structural characters, '"'. */
static const unsigned char jf_delim[256] = {
    [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, [':'] = 1,
    ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, ['"'] = 1
};

/*
 * What the first byte of a value starts.  Strings and numbers need nothing
 * more in stage 2 (stage 1 checked them), so they are one case.
 */
#define JF_V_DONE 1                     /* (0: not the start of a value) */
#define JF_V_OBJECT 2
#define JF_V_ARRAY 3
#define JF_V_LITERAL 4                  /* t, f or n: jf_literal() checks the word */
static const unsigned char jf_value_kind[256] = {
    ['"'] = JF_V_DONE, ['-'] = JF_V_DONE, ['0'] = JF_V_DONE, ['1'] = JF_V_DONE, ['2'] = JF_V_DONE,
    ['3'] = JF_V_DONE, ['4'] = JF_V_DONE, ['5'] = JF_V_DONE, ['6'] = JF_V_DONE, ['7'] = JF_V_DONE,
    ['8'] = JF_V_DONE, ['9'] = JF_V_DONE, ['{'] = JF_V_OBJECT, ['['] = JF_V_ARRAY,
    ['t'] = JF_V_LITERAL, ['f'] = JF_V_LITERAL, ['n'] = JF_V_LITERAL
};

/*
 * pshufb tables (16 bytes, broadcast to every 128-bit lane).  Whitespace and
 * structural characters: indexed by the low nibble, a byte is in the class
 * iff the table gives it back; the structural lookup uses byte | 0x20, which
 * folds '[' onto '{' and ']' onto '}'.
 */
static const unsigned char jf_ws_table[16] = { ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0 };
static const unsigned char jf_st_table[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0 };

/*
 * The other classes are two lookups: a byte is in the class iff
 * low[byte & 15] & high[byte >> 4] is not 0.
 */
/* after a backslash: " \ / b f n r t u (high nibbles 2, 5, 6, 7 are bits 1, 2, 4, 8) */
static const unsigned char jf_esc_low[16] = { 0, 0, 1 | 4 | 8, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1 };
static const unsigned char jf_esc_high[16] = { 0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0 };
/* hex digits 0-9 (high nibble 3: bit 1), A-F, a-f (4, 6: bit 2) */
static const unsigned char jf_hex_low[16] = { 1, 3, 3, 3, 3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
static const unsigned char jf_hex_high[16] = { 0, 0, 0, 1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

/* number bytes: one flag per bit, so a shift puts any class in the sign bit for movemask */
#define JF_N_DIGIT 0x80
#define JF_N_MINUS 0x40
#define JF_N_PLUS  0x20
#define JF_N_DOT   0x10
#define JF_N_EXP   0x08
#define JF_N_ZERO  0x04
#define JF_N_D JF_N_DIGIT
static const unsigned char jf_num_low[16] = {
    JF_N_D | JF_N_ZERO, JF_N_D, JF_N_D, JF_N_D, JF_N_D, JF_N_D | JF_N_EXP, JF_N_D, JF_N_D,
    JF_N_D, JF_N_D, 0, JF_N_PLUS, 0, JF_N_MINUS, JF_N_DOT, 0
};
static const unsigned char jf_num_high[16] = {
    0, 0, JF_N_MINUS | JF_N_PLUS | JF_N_DOT, JF_N_D | JF_N_ZERO, JF_N_EXP, 0, JF_N_EXP, 0,
    0, 0, 0, 0, 0, 0, 0, 0
};

/* Stage 1 state carried from one 64-byte block to the next. */
typedef struct JfScan
{
    const unsigned char *buf;
    size_t      len;
    size_t      pos;            /* offset of the next block to index */
    uint64_t    in_string;      /* all ones when the previous block ended inside a string */
    uint64_t    escape_next;    /* 1 when the first byte of the next block is escaped */
    uint64_t    hex_need;       /* the next block's first bytes that must be hex digits of a \u */
    uint64_t    scalar_prev;    /* 1 when the previous block ended with a number/literal byte */
    uint64_t    bad;            /* nonzero once anything invalid was seen */
    /* number grammar (jf_numbers): the previous block's last byte, 1 bit each */
    uint64_t    num_run;        /* it was in a number */
    uint64_t    num_digit;      /* ... a digit of a number */
    uint64_t    num_need_digit; /* ... a leading '-', a '.' or an exponent sign: a digit must follow */
    uint64_t    num_lead;       /* ... a leading '-' */
    uint64_t    num_exp;        /* ... an e or E of a number */
    uint64_t    num_zero;       /* ... a 0 that began the number's digits */
    uint64_t    num_dot_seen;   /* the number going on had a '.' already */
    uint64_t    num_exp_seen;   /* ... had an e already */
    /*
     * Interrupt polling (json_fast_validate_polled): stage 1 indexes up to
     * limit (len, or the next poll position) and stage 2 polls when a refill
     * finds nothing before it (jf_refill), so the indexer's loops are
     * unchanged.
     */
    size_t      limit;
} JfScan;

static const JfScan jf_scan_zero;

/* A block's byte classes, one bit per byte. */
typedef struct JfClass
{
    uint64_t    ws,             /* space, \t, \n, \r */
                st,             /* , : [ ] { } (and 0x0C, 0x1A: control characters, rejected anyway) */
                ctl,            /* 0x00-0x1F */
                qt,             /* " */
                bs;             /* backslash */
} JfClass;

typedef struct JfNumClass
{
    uint64_t    digit,
                minus,
                plus,
                dot,
                exp,            /* e or E */
                zero;
} JfNumClass;

/* For blocks with backslashes: the escape letters, 'u', and hex digits. */
typedef struct JfEscClass
{
    uint64_t    ok,             /* " \ / b f n r t u */
                u,
                hex;
} JfEscClass;

/* Fills idx with the token offsets of the next chunk (see jf_index_chunk_avx2). */
typedef size_t (*JfIndexer) (JfScan *s, uint32_t *idx);

/*
 * Calls the poll and sets the next poll position.  Out of line and cold: it
 * runs once per poll_every bytes.  The poll may longjmp: stage 1 and 2 keep
 * everything on the stack, so nothing is lost.
 */
/* The poll of json_fast_validate_polled (one pointer, so stage 2 keeps one more value live, not three). */
typedef struct JfPoll
{
    void      (*poll) (void *arg, size_t pos);
    void       *arg;
    size_t      every;
} JfPoll;

static __attribute__((noinline, cold)) void
jf_poll(JfScan *s, const JfPoll *pp)
{
    pp->poll(pp->arg, s->pos);
    s->limit = s->len - s->pos > pp->every ? s->pos + pp->every : s->len;
}

/*
 * Stage 1 up to the next tokens, polling: the indexer stops at s->limit;
 * when it found nothing before it and the input goes on, poll and go on.
 */
static __attribute__((noinline)) size_t
jf_refill(JfScan *s, uint32_t *idx, JfIndexer index_chunk, const JfPoll *pp)
{
    size_t      n = index_chunk(s, idx);

    while (JF_UNLIKELY(n == 0 && s->pos < s->len && !s->bad))
    {
        jf_poll(s, pp);
        n = index_chunk(s, idx);
    }
    return n;
}

/* ---- AVX2 classifiers ---------------------------------------------------- */

JF_INLINE __m256i
jf_table256(const unsigned char *t16)
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *) t16));
}

JF_INLINE uint64_t
jf_movemask(__m256i lo, __m256i hi)
{
    return (uint64_t) (uint32_t) _mm256_movemask_epi8(lo) |
        ((uint64_t) (uint32_t) _mm256_movemask_epi8(hi) << 32);
}

JF_INLINE __m256i
jf_nibbles256(__m256i v, const unsigned char *low, const unsigned char *high)
{
    const __m256i nib = _mm256_set1_epi8(0x0F);

    return _mm256_and_si256(_mm256_shuffle_epi8(jf_table256(low), _mm256_and_si256(v, nib)),
                            _mm256_shuffle_epi8(jf_table256(high), _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
}

JF_INLINE void
jf_classify_avx2(const unsigned char *p, JfClass *c)
{
    const __m256i v0 = _mm256_loadu_si256((const __m256i *) p);
    const __m256i v1 = _mm256_loadu_si256((const __m256i *) (p + 32));
    const __m256i ws_table = jf_table256(jf_ws_table);
    const __m256i st_table = jf_table256(jf_st_table);
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i bslash = _mm256_set1_epi8('\\');
    const __m256i c1f = _mm256_set1_epi8(0x1F);
    const __m256i c20 = _mm256_set1_epi8(0x20);
    const __m256i u0 = _mm256_or_si256(v0, c20);
    const __m256i u1 = _mm256_or_si256(v1, c20);

    c->ws = jf_movemask(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_table, v0), v0),
                        _mm256_cmpeq_epi8(_mm256_shuffle_epi8(ws_table, v1), v1));
    c->st = jf_movemask(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(st_table, u0), u0),
                        _mm256_cmpeq_epi8(_mm256_shuffle_epi8(st_table, u1), u1));
    c->ctl = jf_movemask(_mm256_cmpeq_epi8(_mm256_max_epu8(v0, c1f), c1f),
                         _mm256_cmpeq_epi8(_mm256_max_epu8(v1, c1f), c1f));
    c->qt = jf_movemask(_mm256_cmpeq_epi8(v0, quote), _mm256_cmpeq_epi8(v1, quote));
    c->bs = jf_movemask(_mm256_cmpeq_epi8(v0, bslash), _mm256_cmpeq_epi8(v1, bslash));
}

/* The flag k bits below the top one, as a 64-bit mask. */
#define JF_FLAG_MASK(f0, f1, k) jf_movemask(_mm256_slli_epi16((f0), (k)), _mm256_slli_epi16((f1), (k)))

JF_INLINE void
jf_num_class_avx2(const unsigned char *p, JfNumClass *c)
{
    const __m256i f0 = jf_nibbles256(_mm256_loadu_si256((const __m256i *) p), jf_num_low, jf_num_high);
    const __m256i f1 = jf_nibbles256(_mm256_loadu_si256((const __m256i *) (p + 32)), jf_num_low, jf_num_high);

    c->digit = jf_movemask(f0, f1);
    c->minus = JF_FLAG_MASK(f0, f1, 1);
    c->plus = JF_FLAG_MASK(f0, f1, 2);
    c->dot = JF_FLAG_MASK(f0, f1, 3);
    c->exp = JF_FLAG_MASK(f0, f1, 4);
    c->zero = JF_FLAG_MASK(f0, f1, 5);
}

/* The bytes of the class given by two nibble tables (escape and hex checks, which are rare). */
JF_INLINE uint64_t
jf_nibble_class(const unsigned char *p, const unsigned char *low, const unsigned char *high)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i     c0 = jf_nibbles256(_mm256_loadu_si256((const __m256i *) p), low, high);
    __m256i     c1 = jf_nibbles256(_mm256_loadu_si256((const __m256i *) (p + 32)), low, high);

    return ~jf_movemask(_mm256_cmpeq_epi8(c0, zero), _mm256_cmpeq_epi8(c1, zero));
}

JF_INLINE void
jf_esc_class_avx2(const unsigned char *p, JfEscClass *e)
{
    e->ok = jf_nibble_class(p, jf_esc_low, jf_esc_high);
    e->u = jf_movemask(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *) p), _mm256_set1_epi8('u')),
                       _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *) (p + 32)), _mm256_set1_epi8('u')));
    e->hex = jf_nibble_class(p, jf_hex_low, jf_hex_high);
}

/*
 * Quotes, backslashes and control characters only: inside a string, a block
 * without quotes or control characters stays inside it and holds no token,
 * so long strings skip the rest of the classification (jf_string_block).
 */
JF_INLINE void
jf_string_class_avx2(const unsigned char *p, uint64_t *qt, uint64_t *bs, uint64_t *ctl)
{
    const __m256i v0 = _mm256_loadu_si256((const __m256i *) p);
    const __m256i v1 = _mm256_loadu_si256((const __m256i *) (p + 32));
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i bslash = _mm256_set1_epi8('\\');
    const __m256i c1f = _mm256_set1_epi8(0x1F);

    *qt = jf_movemask(_mm256_cmpeq_epi8(v0, quote), _mm256_cmpeq_epi8(v1, quote));
    *bs = jf_movemask(_mm256_cmpeq_epi8(v0, bslash), _mm256_cmpeq_epi8(v1, bslash));
    *ctl = jf_movemask(_mm256_cmpeq_epi8(_mm256_max_epu8(v0, c1f), c1f),
                       _mm256_cmpeq_epi8(_mm256_max_epu8(v1, c1f), c1f));
}

/* ---- AVX-512BW classifiers: the same classes, straight into 64-bit masks -- */

JF_INLINE512 __m512i
jf_table512(const unsigned char *t16)
{
    return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *) t16));
}

JF_INLINE512 void
jf_classify_avx512(const unsigned char *p, JfClass *c)
{
    const __m512i v = _mm512_loadu_si512((const void *) p);
    const __m512i u = _mm512_or_si512(v, _mm512_set1_epi8(0x20));

    c->ws = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(jf_table512(jf_ws_table), v), v);
    c->st = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(jf_table512(jf_st_table), u), u);
    c->ctl = _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1F));
    c->qt = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    c->bs = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
}

JF_INLINE512 void
jf_num_class_avx512(const unsigned char *p, JfNumClass *c)
{
    const __m512i v = _mm512_loadu_si512((const void *) p);
    const __m512i nib = _mm512_set1_epi8(0x0F);
    const __m512i f = _mm512_and_si512(_mm512_shuffle_epi8(jf_table512(jf_num_low), _mm512_and_si512(v, nib)),
                                       _mm512_shuffle_epi8(jf_table512(jf_num_high),
                                                           _mm512_and_si512(_mm512_srli_epi16(v, 4), nib)));

    c->digit = _mm512_test_epi8_mask(f, _mm512_set1_epi8((char) JF_N_DIGIT));
    c->minus = _mm512_test_epi8_mask(f, _mm512_set1_epi8(JF_N_MINUS));
    c->plus = _mm512_test_epi8_mask(f, _mm512_set1_epi8(JF_N_PLUS));
    c->dot = _mm512_test_epi8_mask(f, _mm512_set1_epi8(JF_N_DOT));
    c->exp = _mm512_test_epi8_mask(f, _mm512_set1_epi8(JF_N_EXP));
    c->zero = _mm512_test_epi8_mask(f, _mm512_set1_epi8(JF_N_ZERO));
}

JF_INLINE512 void
jf_string_class_avx512(const unsigned char *p, uint64_t *qt, uint64_t *bs, uint64_t *ctl)
{
    const __m512i v = _mm512_loadu_si512((const void *) p);

    *qt = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    *bs = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
    *ctl = _mm512_cmple_epu8_mask(v, _mm512_set1_epi8(0x1F));
}

JF_INLINE512 void
jf_esc_class_avx512(const unsigned char *p, JfEscClass *e)
{
    const __m512i v = _mm512_loadu_si512((const void *) p);
    const __m512i nib = _mm512_set1_epi8(0x0F);
    const __m512i lo = _mm512_and_si512(v, nib);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), nib);

    e->ok = _mm512_test_epi8_mask(_mm512_shuffle_epi8(jf_table512(jf_esc_low), lo),
                                  _mm512_shuffle_epi8(jf_table512(jf_esc_high), hi));
    e->u = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('u'));
    e->hex = _mm512_test_epi8_mask(_mm512_shuffle_epi8(jf_table512(jf_hex_low), lo),
                                   _mm512_shuffle_epi8(jf_table512(jf_hex_high), hi));
}

/* ---- the bit-mask logic shared by both ------------------------------------ */

/* Each bit becomes the XOR of itself and all bits below it (1 from an opening quote to its closing one). */
JF_INLINE uint64_t
jf_prefix_xor(uint64_t bits)
{
    __m128i     x = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long) bits), _mm_set1_epi8((char) 0xFF), 0);

    return (uint64_t) _mm_cvtsi128_si64(x);
}

/*
 * The escaped bytes of a block with backslashes, and the check of each
 * escape, without a loop per backslash.  In a run of backslashes that starts
 * at position s, the ones at s+1, s+3, ... are escaped, and so is the byte
 * after the run when its length is odd.  Adding the run's start bit to the
 * backslash mask clears the run and sets the bit after it, so (sum ^ mask)
 * is the run plus the byte after; keeping its bits of the other parity than
 * s gives exactly the escaped bytes.  Runs starting at even and odd
 * positions are added separately.  A run that reaches the end of the block
 * carries out of the addition; for an odd start that means the next block's
 * first byte is escaped.
 */
JF_INLINE uint64_t
jf_escapes(JfScan *s, uint64_t backslash, const JfEscClass *e)
{
    const uint64_t even = UINT64_C(0x5555555555555555);
    uint64_t    b = backslash & ~s->escape_next;    /* an escaped backslash escapes nothing */
    uint64_t    start = b & ~(b << 1);
    unsigned long long sum_even,
                sum_odd;
    uint64_t    escaped,
                u;
    unsigned char carry;

    (void) _addcarry_u64(0, b, start & even, &sum_even);
    carry = _addcarry_u64(0, b, start & ~even, &sum_odd);
    escaped = ((sum_even ^ b) & ~even) | ((sum_odd ^ b) & even) | s->escape_next;
    s->escape_next = carry;

    /* \u: four hex digits follow, possibly into the next block */
    u = escaped & e->u;
    s->bad |= (escaped & ~e->ok) | (((u << 1) | (u << 2) | (u << 3) | (u << 4) | s->hex_need) & ~e->hex);
    s->hex_need = (u >> 63) | (u >> 62) | (u >> 61) | (u >> 60);
    return escaped;
}

/*
 * Strings and tokens of a classified block: escapes, the in-string mask,
 * the per-byte errors; returns the token starts and sets *scalar (number and
 * literal bytes) and *scalar_start.
 */
JF_INLINE uint64_t
jf_strings(JfScan *s, const JfClass *c, const JfEscClass *e, uint64_t *scalar, uint64_t *scalar_start)
{
    uint64_t    qt = c->qt;
    uint64_t    in_str;
    uint64_t    sc;

    if (c->bs | s->escape_next | s->hex_need)
        qt &= ~jf_escapes(s, c->bs, e);
    in_str = jf_prefix_xor(qt) ^ s->in_string;     /* includes the opening quote, not the closing one */
    s->in_string = (uint64_t) ((int64_t) in_str >> 63);

    /*
     * Control characters other than whitespace anywhere (0x0C and 0x1A also
     * look structural; this rejects them), any control character inside a
     * string, a backslash outside one.
     */
    s->bad |= (c->ctl & (~c->ws | in_str)) | (c->bs & ~in_str);

    sc = ~(c->ws | c->st | qt | in_str);
    *scalar = sc;
    *scalar_start = sc & ~((sc << 1) | s->scalar_prev);
    s->scalar_prev = sc >> 63;
    return (c->st & ~in_str) | (qt & in_str) | *scalar_start;
}

/*
 * The number grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? for
 * every number of a block at once, as bit-mask rules that look back one byte
 * (the previous block's last byte is carried in 1-bit fields), so stage 2
 * has nothing left to check for a number.  A number is a run of scalar bytes
 * (not whitespace, structural, quote or string) that starts with '-' or a
 * digit; runs that start otherwise are literals or errors, which stage 2
 * sees at their first byte.
 *
 * "At most one '.' and one e, the '.' first" is not local: an addition
 * carries from the first '.' (e) of a number to its end, marking the bytes
 * after it, and a second '.' (e), or a '.' after the e, inside that mark is
 * an error.  (With two marks in one number the carry stops at the second,
 * whose own bit is then missing from the mark but whose left neighbour is in
 * it, so the test looks at the mark shifted by one.)
 */
JF_INLINE void
jf_numbers(JfScan *s, const JfNumClass *c, uint64_t scalar, uint64_t scalar_start)
{
    uint64_t    digit = c->digit,
                minus = c->minus,
                plus = c->plus,
                dot = c->dot,
                exp = c->exp,
                zero = c->zero;
    uint64_t    run_in = s->num_run & scalar;  /* a number goes on from the previous block */
    unsigned long long sum;
    uint64_t    num;
    uint64_t    lead,
                sign,
                first_zero,
                need_digit,
                after_dot,
                after_exp,
                bad;
    unsigned char carry;

    /* the bytes of numbers: a start bit added to its run carries through it */
    carry = _addcarry_u64(0, scalar, (scalar_start & (digit | minus)) | run_in, &sum);
    num = (sum ^ scalar) & scalar;
    s->num_run = carry;
    digit &= num, minus &= num, plus &= num, dot &= num, exp &= num, zero &= num;

    lead = minus & scalar_start;
    sign = (minus | plus) & ((exp << 1) | s->num_exp);
    first_zero = zero & (scalar_start | (lead << 1) | s->num_lead);
    need_digit = lead | dot | sign;

    bad = (num & ~(digit | minus | plus | dot | exp)) |          /* a byte that is no part of a number */
        (minus & ~(lead | sign)) | (plus & ~sign) |              /* a sign elsewhere */
        ((dot | exp) & ~((digit << 1) | s->num_digit)) |         /* '.' and e follow a digit */
        (((need_digit << 1) | s->num_need_digit) & ~digit) |     /* '-', '.', sign: a digit follows */
        (((exp << 1) | s->num_exp) & ~(digit | sign)) |          /* e: a digit or sign follows */
        (((first_zero << 1) | s->num_zero) & digit);             /* no digit after a leading 0 */

    /*
     * One '.' and one e per number, the '.' first.  A mark carried in from the
     * previous block is added at bit 0; a second '.' (e) right there adds at
     * the same bit, so it is tested apart.
     */
    carry = _addcarry_u64(0, num, dot | (s->num_dot_seen & num & 1), &sum);
    after_dot = (sum ^ num) & num;
    bad |= (dot & ((after_dot << 1) | (s->num_dot_seen & 1)));
    s->num_dot_seen = carry;
    carry = _addcarry_u64(0, num, exp | (s->num_exp_seen & num & 1), &sum);
    after_exp = (sum ^ num) & num;
    bad |= (exp & ((after_exp << 1) | (s->num_exp_seen & 1))) | (dot & after_exp);
    s->num_exp_seen = carry;

    s->num_digit = digit >> 63;
    s->num_need_digit = need_digit >> 63;
    s->num_lead = lead >> 63;
    s->num_exp = exp >> 63;
    s->num_zero = first_zero >> 63;
    s->bad |= bad;
}

/* Appends base + the position of every set bit to out; writes up to 7 entries past the new end. */
JF_INLINE uint32_t *
jf_flatten(uint32_t *out, uint32_t base, uint64_t bits)
{
    uint32_t   *end;

    if (bits == 0)
        return out;
    end = out + _mm_popcnt_u64(bits);
    do
    {
        out[0] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[1] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[2] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[3] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[4] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[5] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[6] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out[7] = base + (uint32_t) _tzcnt_u64(bits); bits = _blsr_u64(bits);
        out += 8;
    } while (out < end);
    return end;
}


/*
 * Stage 1 over the next chunk: fills idx with token offsets and returns
 * their number (0 at the end of the input; a chunk of only whitespace or
 * string is skipped).  s->bad tells whether anything invalid was found.
 * One copy per classifier; the tail of the input is classified from a copy
 * padded with whitespace, so nothing past buf + len is read.
 */
#define JF_DEFINE_INDEXER(isa, TARGET, INLINE) \
INLINE uint64_t \
jf_block_##isa(JfScan *s, const unsigned char *p) \
{ \
    JfClass     c; \
    JfEscClass  e; \
    uint64_t    scalar, \
                scalar_start, \
                tokens; \
\
    jf_classify_##isa(p, &c); \
    if (c.bs | s->escape_next | s->hex_need) \
        jf_esc_class_##isa(p, &e); \
    tokens = jf_strings(s, &c, &e, &scalar, &scalar_start); \
    if (scalar | s->num_run | s->num_need_digit | s->num_exp) \
    { \
        JfNumClass  n; \
\
        jf_num_class_##isa(p, &n); \
        jf_numbers(s, &n, scalar, scalar_start); \
    } \
    return tokens; \
} \
\
static size_t TARGET JF_HOT \
jf_index_chunk_##isa(JfScan *s, uint32_t *idx) \
{ \
    uint32_t   *out = idx; \
\
    while (s->pos < s->limit && out == idx && !s->bad) \
    { \
        size_t      stop = s->pos + JF_CHUNK < s->len ? s->pos + JF_CHUNK : s->len; \
\
        for (; s->pos + 64 <= stop; s->pos += 64) \
        { \
            if (s->in_string) \
            { \
                uint64_t    qt, \
                            bs, \
                            ctl; \
\
                jf_string_class_##isa(s->buf + s->pos, &qt, &bs, &ctl); \
                if ((qt | ctl) == 0) \
                { \
                    /* all string: only its escapes to check */ \
                    if (bs | s->escape_next | s->hex_need) \
                    { \
                        JfEscClass  e; \
\
                        jf_esc_class_##isa(s->buf + s->pos, &e); \
                        (void) jf_escapes(s, bs, &e); \
                    } \
                    continue; \
                } \
            } \
            out = jf_flatten_##isa(out, (uint32_t) s->pos, jf_block_##isa(s, s->buf + s->pos)); \
        } \
        if (s->pos < stop) \
        { \
            unsigned char tail[64]; \
\
            jf_tail_##isa(tail, s->buf + s->pos, stop - s->pos); \
            out = jf_flatten_##isa(out, (uint32_t) s->pos, jf_block_##isa(s, tail)); \
            s->pos = stop; \
        } \
        if (s->pos == s->len) \
            s->bad |= s->in_string | s->hex_need |  /* unterminated string */ \
                s->num_need_digit | s->num_exp;     /* a number ending in '-', '.', e or a sign */ \
    } \
    return (size_t) (out - idx); \
}

/* The positions of the set bits of each byte value, for jf_flatten_avx2 (see jf_fill_bit_positions). */
static unsigned char jf_bit_positions[256][8];

/*
 * AVX2 has no compress: a block with up to 16 tokens takes jf_flatten (two
 * rounds at most); a denser one writes 8 positions per mask byte from a
 * table (8 rounds, as cheap as two of jf_flatten's).
 */
JF_INLINE uint32_t *
jf_flatten_avx2(uint32_t *out, uint32_t base, uint64_t bits)
{
    int         k;

    if (_mm_popcnt_u64(bits) <= 16)
        return jf_flatten(out, base, bits);
    for (k = 0; k < 64; k += 8)
    {
        unsigned    m = (unsigned) (bits >> k) & 0xFF;
        __m256i     pos = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) jf_bit_positions[m]));

        _mm256_storeu_si256((__m256i *) out, _mm256_add_epi32(pos, _mm256_set1_epi32((int) (base + k))));
        out += _mm_popcnt_u32(m);
    }
    return out;
}

/* The last n (< 64) bytes of the input, padded with whitespace to a block. */
JF_INLINE void
jf_tail_avx2(unsigned char *tail, const unsigned char *p, size_t n)
{
    memset(tail, ' ', 64);
    memcpy(tail, p, n);
}

/* The same with a masked load, which reads nothing past p + n. */
JF_INLINE512 void
jf_tail_avx512(unsigned char *tail, const unsigned char *p, size_t n)
{
    _mm512_storeu_si512((void *) tail, _mm512_mask_loadu_epi8(_mm512_set1_epi8(' '), _bzhi_u64(~UINT64_C(0), n),
                                                              (const void *) p));
}

/*
 * AVX-512 VBMI2: the offsets of the set bits in one compress of the bytes
 * 0..63, widened to 32 bits 16 at a time (writes up to 15 entries past the
 * new end).
 */
JF_INLINE512 uint32_t *
jf_flatten_avx512(uint32_t *out, uint32_t base, uint64_t bits)
{
    const __m512i offsets = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48,
                                            47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
                                            31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
                                            15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i vbase = _mm512_set1_epi32((int) base);
    __m512i     packed;
    uint32_t   *end;

    if (bits == 0)
        return out;
    end = out + _mm_popcnt_u64(bits);
    packed = _mm512_maskz_compress_epi8(bits, offsets);
    _mm512_storeu_si512((void *) out, _mm512_add_epi32(vbase, _mm512_cvtepu8_epi32(_mm512_castsi512_si128(packed))));
    if (end - out > 16)
    {
        _mm512_storeu_si512((void *) (out + 16),
                            _mm512_add_epi32(vbase, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 1))));
        if (end - out > 32)
        {
            _mm512_storeu_si512((void *) (out + 32),
                                _mm512_add_epi32(vbase, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 2))));
            if (end - out > 48)
                _mm512_storeu_si512((void *) (out + 48),
                                    _mm512_add_epi32(vbase, _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(packed, 3))));
        }
    }
    return end;
}

JF_DEFINE_INDEXER(avx2, JF_TARGET, JF_INLINE)
JF_DEFINE_INDEXER(avx512, JF_TARGET512, JF_INLINE512)

/* "true", "false" or "null" (by its first byte) at buf[i], ending there. */
JF_INLINE int
jf_literal(const unsigned char *buf, size_t len, size_t i)
{
    const char *word = buf[i] == 't' ? "true" : buf[i] == 'f' ? "false" : "null";
    size_t      n = buf[i] == 'f' ? 5 : 4;

    return len - i >= n && memcmp(buf + i, word, n) == 0 && (len - i == n || jf_delim[buf[i + n]]);
}

/*
 * Two instances: polled = 0 (no poll installed, or a document no longer
 * than the interval, which never reaches a poll point: the code as it was
 * before polling) and 1 (pp: the poll).
 */
JF_INLINE JsonFastVerdict
jf_validate(const unsigned char *buf, size_t len, JfIndexer index_chunk, const int polled, const JfPoll *pp)
{
    uint32_t    idx[JF_CHUNK + JF_SLACK];
    uint64_t    stack[JF_STACK_WORDS];  /* bit per open container: 1 = object */
    const uint32_t *ip = idx;
    const uint32_t *iend = idx;
    size_t      depth = 0;
    unsigned    cur = JF_TOP;           /* innermost container, as its closing byte */
    JfScan      s;
    size_t      i;
    unsigned    c;

    /* a copy of a zeroed struct, not memset: gcc makes that a "rep stos", ~30 cycles to start */
    s = jf_scan_zero;
    s.buf = buf;
    s.len = len;
    s.limit = polled ? pp->every : len;

/* The next token: its offset i and first byte c (c = 0 at the end: NUL is never a token). */
#define NEXT() \
    do { \
        if (JF_UNLIKELY(ip == iend)) \
        { \
            size_t n_ = s.pos >= len ? 0 : polled ? jf_refill(&s, idx, index_chunk, pp) : index_chunk(&s, idx); \
            if (s.bad) \
                return JF_INVALID; \
            ip = idx; \
            iend = idx + n_; \
            if (n_ == 0) \
            { \
                i = len; \
                c = 0; \
                break; \
            } \
        } \
        i = *ip++; \
        c = buf[i]; \
    } while (0)
#define PUSH(kind) \
    do { \
        if (JF_UNLIKELY(depth == JF_MAX_DEPTH)) \
            return JF_DEFER; \
        if ((kind) == JF_OBJECT) \
            stack[depth >> 6] |= UINT64_C(1) << (depth & 63); \
        else \
            stack[depth >> 6] &= ~(UINT64_C(1) << (depth & 63)); \
        depth++; \
        cur = (kind); \
    } while (0)

    NEXT();
value:                              /* c is the first byte of a value */
    if (jf_value_kind[c] == JF_V_DONE)
        goto after_value;
    switch (jf_value_kind[c])
    {
        case JF_V_OBJECT:
            PUSH(JF_OBJECT);
            NEXT();
            if (c == '"')
                goto key;
            if (c == '}')
                goto close;
            return JF_INVALID;
        case JF_V_ARRAY:
            PUSH(JF_ARRAY);
            NEXT();
            if (c == ']')
                goto close;
            goto value;
        case JF_V_LITERAL:
            if (!jf_literal(buf, len, i))
                return JF_INVALID;
            goto after_value;
        default:
            return JF_INVALID;
    }

key:                                /* c is the opening quote of a member name */
    NEXT();
    if (c != ':')
        return JF_INVALID;
    NEXT();
    goto value;

after_value:
    NEXT();
    if (c == ',')
    {
        NEXT();
        if (cur == JF_ARRAY)
            goto value;
        if (cur == JF_OBJECT && c == '"')
            goto key;
        return JF_INVALID;
    }
    if (c != cur)
        return JF_INVALID;
    if (cur == JF_TOP)
        return JF_VALID;            /* c == 0: the end of the input after one value */

close:                              /* c closes the innermost container */
    depth--;
    cur = depth == 0 ? JF_TOP :
        ((stack[(depth - 1) >> 6] >> ((depth - 1) & 63)) & 1) ? JF_OBJECT : JF_ARRAY;
    goto after_value;

#undef NEXT
#undef PUSH
}

static JsonFastVerdict JF_TARGET JF_HOT
jf_validate_plain(const unsigned char *buf, size_t len, JfIndexer index_chunk)
{
    return jf_validate(buf, len, index_chunk, 0, NULL);
}

static JsonFastVerdict JF_TARGET JF_HOT
jf_validate_polled(const unsigned char *buf, size_t len, JfIndexer index_chunk, const JfPoll *pp)
{
    return jf_validate(buf, len, index_chunk, 1, pp);
}

/* jf_bit_positions[m]: the positions of the set bits of m, in order. */
static void
jf_fill_bit_positions(void)
{
    int         m,
                b,
                n;

    for (m = 0; m < 256; m++)
        for (b = 0, n = 0; b < 8; b++)
            if (m & (1 << b))
                jf_bit_positions[m][n++] = (unsigned char) b;
}

/*
 * 512: AVX-512BW with VBMI2, 2: AVX2, 0: neither (the fast path defers).
 * Decided once per process, which also fills the AVX2 index table.
 */
static int
jf_cpu_level(void)
{
    static int  level = -1;

    if (level < 0)
    {
        jf_fill_bit_positions();
        __builtin_cpu_init();
        level = 0;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
            __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
            __builtin_cpu_supports("popcnt"))
            level = (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                     __builtin_cpu_supports("avx512vbmi2")) ? 512 : 2;
    }
    return level;
}

static int  jf_max_isa = 512;

int
json_fast_available(void)
{
    return json_fast_isa() != 0;
}

int
json_fast_isa(void)
{
    int         level = jf_cpu_level();

    return level < jf_max_isa ? level : jf_max_isa;
}

void
json_fast_set_max_isa(int isa)
{
    jf_max_isa = isa;
}

JsonFastVerdict
json_fast_validate_polled(const unsigned char *buf, size_t len,
                          void (*poll) (void *arg, size_t pos), void *arg, size_t every)
{
    int         isa = json_fast_isa();

    if (len >= UINT32_MAX || isa == 0)
        return JF_DEFER;
    if (every == 0)
        every = JF_POLL_BYTES;
    if (poll != NULL && len > every)
    {
        JfPoll      pp;

        pp.poll = poll;
        pp.arg = arg;
        pp.every = every;
        return jf_validate_polled(buf, len, isa == 512 ? jf_index_chunk_avx512 : jf_index_chunk_avx2, &pp);
    }
    return jf_validate_plain(buf, len, isa == 512 ? jf_index_chunk_avx512 : jf_index_chunk_avx2);
}

JsonFastVerdict
json_fast_validate(const unsigned char *buf, size_t len)
{
    int         isa = json_fast_isa();

    if (len >= UINT32_MAX || isa == 0)
        return JF_DEFER;
    return jf_validate_plain(buf, len, isa == 512 ? jf_index_chunk_avx512 : jf_index_chunk_avx2);
}

#else                           /* no x86-64 build: the exact validator decides everything */

int
json_fast_available(void)
{
    return 0;
}

int
json_fast_isa(void)
{
    return 0;
}

void
json_fast_set_max_isa(int isa)
{
    (void) isa;
}

JsonFastVerdict
json_fast_validate(const unsigned char *buf, size_t len)
{
    (void) buf;
    (void) len;
    return JF_DEFER;
}

JsonFastVerdict
json_fast_validate_polled(const unsigned char *buf, size_t len,
                          void (*poll) (void *arg, size_t pos), void *arg, size_t every)
{
    (void) poll;
    (void) arg;
    (void) every;
    return json_fast_validate(buf, len);
}

#endif
