/*
 * json_core_test.c
 *      Standalone tests of what the validator core offers its embedder
 *      (src/json_valid.h): interrupt polling on every path, longjmp safety,
 *      line/column/position counting per encoding, and the top-level member
 *      scanner and string unescaper behind orchestration_diagnostics_status.
 *
 *   - Polling: a counting poll records every position it is called at; for
 *     each path (fast path, exact validator, UTF-8 pass, locate, member scan,
 *     unescape) on documents of several MB (valid, invalid at the end, 1M
 *     levels deep, one long string, escapes only, digits, whitespace,
 *     non-ASCII runs) the gap between two calls, from the start to the first
 *     and from the last to the end must not exceed the interval + SLACK.
 *     Also with the default interval (256 KB) on a 64 MB document, and no
 *     call at all with no poll installed.
 *   - longjmp: a poll that longjmps out after k calls, with allocator hooks
 *     that track every block (as a memory context would); after the jump the
 *     blocks are freed by the test, and ASan (make asan) reports any other
 *     leak; the next call gives the right answer.
 *   - Encodings: json_valid_locate_enc() against a byte-by-byte reference
 *     for UTF-8, single-byte and an EUC-like multibyte encoding, on random
 *     buffers at every offset region; the found part of messages.
 *   - Members: hand-written cases, random documents against the reference in
 *     json_status_ref.h, JSONTestSuite's valid files, 20,000- and
 *     1,000,000-level documents, and linear time on large ones.
 *
 * Usage: json_core_test [path/to/JSONTestSuite/test_parsing]
 */
#include "json_valid.h"
#include "json_fast.h"
#include "utf8_valid.h"
#include "json_status_ref.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long n_pass, n_fail;

#define CHECK(cond, ...) \
    do { \
        if (cond) \
            n_pass++; \
        else \
        { \
            n_fail++; \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__); \
            printf("\n"); \
        } \
    } while (0)

static unsigned char *
xmalloc(size_t n)
{
    unsigned char *p = malloc(n ? n : 1);

    if (!p)
    {
        fprintf(stderr, "out of memory allocating %zu bytes\n", n);
        exit(2);
    }
    return p;
}

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the counting poll ---------------------------------------------------- */

/*
 * Slack over the interval: a poll point is checked once per token of the
 * grammar, per 4 KB chunk of the fast path's stage 1, per 4 KB boundary in
 * whitespace runs and per 64-byte block elsewhere.
 */
#define SLACK 8192

typedef struct PollLog {
    long calls;
    long passes;            /* a call at a position below the previous one starts a new pass */
    size_t last;
    size_t max_gap;
} PollLog;

static PollLog plog;

static void
counting_poll(void *arg, size_t pos)
{
    size_t gap;

    (void) arg;
    if (plog.calls == 0 || pos < plog.last)
    {
        plog.passes++;
        gap = pos;
    }
    else
        gap = pos - plog.last;
    if (gap > plog.max_gap)
        plog.max_gap = gap;
    plog.last = pos;
    plog.calls++;
}

static void
poll_install(size_t every)
{
    JsonValidHooks h;

    memset(&h, 0, sizeof(h));
    h.poll = counting_poll;
    h.poll_bytes = every;
    json_valid_set_hooks(&h);
}

static void
poll_reset(void)
{
    memset(&plog, 0, sizeof(plog));
}

/*
 * After one call that read `len` bytes in one pass (or several, each over
 * the whole buffer): every gap, including the last call to the end, is at
 * most every + SLACK, and there were at least as many calls as that needs.
 */
static void
poll_expect(const char *what, size_t len, size_t every)
{
    size_t tail = len >= plog.last ? len - plog.last : 0;
    long need = (long) (len / (every + SLACK));

    CHECK(plog.max_gap <= every + SLACK, "%s: a gap of %zu bytes between polls (interval %zu)", what, plog.max_gap,
          every);
    CHECK(plog.calls > 0 ? tail <= every + SLACK : len <= every + SLACK,
          "%s: %zu bytes after the last poll (interval %zu, %ld calls)", what, tail, every, plog.calls);
    CHECK(plog.calls >= need, "%s: %ld polls for %zu bytes (interval %zu)", what, plog.calls, len, every);
}

/* Documents for the polling tests. */
static unsigned char *
doc_numbers(size_t n, size_t *len)       /* [1,22,333,...] */
{
    unsigned char *b = xmalloc(n);
    size_t i = 1;

    b[0] = '[';
    while (i + 8 < n)
    {
        memcpy(b + i, "1,22,333", 8);
        i += 8;
        b[i++] = ',';
    }
    b[i++] = '0';
    b[i++] = ']';
    *len = i;
    return b;
}

static unsigned char *
doc_objects(size_t n, size_t *len)       /* [{"k":"v\n","n":[true,null]},...] */
{
    static const char unit[] = "{\"k\":\"v\\n\xC3\xA9\",\"n\":[true,null,-1.5e3]},";
    size_t u = sizeof(unit) - 1;
    unsigned char *b = xmalloc(n);
    size_t i = 1;

    b[0] = '[';
    while (i + u + 2 < n)
    {
        memcpy(b + i, unit, u);
        i += u;
    }
    b[i - 1] = ']';
    *len = i;
    return b;
}

static void
poll_path(const char *what, const unsigned char *b, size_t len, int which, size_t every)
{
    JsonValidResult r;
    size_t line, col, pos, vs, vl, ol;
    unsigned char *out;

    poll_install(every);
    poll_reset();
    switch (which)
    {
        case 0:
            (void) json_validate_exact(b, len, 0, &r);
            break;
        case 1:
            (void) json_validate_exact(b, len, 1, &r);
            break;
        case 2:
            if (!json_fast_available())
            {
                json_valid_set_hooks(NULL);
                return;         /* this build or CPU has no fast path: it defers at once */
            }
            (void) json_fast_validate_polled(b, len, counting_poll, NULL, every);
            break;
        case 3:
            (void) utf8_valid_polled(b, len, counting_poll, NULL, every);
            break;
        case 4:
            (void) utf8_valid_scalar_polled(b, len, counting_poll, NULL, every);
            break;
        case 5:
            json_valid_locate(b, len, len, &line, &col, &pos);
            break;
        case 6:
            {
                JsonValidEncoding enc = { JV_CHARS_BYTES, NULL };

                json_valid_locate_enc(b, len, len, &enc, &line, &col, &pos);
            }
            break;
        case 7:
            (void) json_top_member(b, len, "status", 6, &vs, &vl);
            break;
        case 8:
            out = xmalloc(len);
            (void) json_unescape_string(b, len, out, &ol, NULL, NULL);
            free(out);
            break;
    }
    json_valid_set_hooks(NULL);
    {
        static const char *const names[] = {
            "exact", "exact utf8", "fast path", "utf8_valid", "utf8_valid scalar", "locate utf8",
            "locate bytes", "top member", "unescape"
        };
        char label[160];

        snprintf(label, sizeof(label), "%s: %s", what, names[which]);
        poll_expect(label, len, every);
    }
}

static int
mblen_euc(const unsigned char *s)
{
    return s[0] == 0x8F ? 3 : 2;
}

static void
run_poll(void)
{
    const size_t N = 12u * 1024 * 1024;
    const size_t every = 64 * 1024;
    unsigned char *b;
    size_t len, i;
    JsonValidResult r;

    /* valid documents: the fast path, and the exact validator alone */
    b = doc_numbers(N, &len);
    poll_path("numbers", b, len, 2, every);
    poll_path("numbers", b, len, 0, every);
    poll_path("numbers", b, len, 1, every);
    /* invalid at the end: json_validate runs both (two passes), then the message locates */
    b[len - 1] = 'x';
    poll_install(every);
    poll_reset();
    CHECK(!json_validate(b, len, 0, &r) && r.offset == len - 1, "numbers invalid at end");
    json_valid_set_hooks(NULL);
    CHECK(plog.passes == (json_fast_available() ? 2 : 1), "json_validate invalid at the end: %ld passes (fast path and exact)",
          plog.passes);
    poll_expect("json_validate, invalid at end", len, every);
    poll_install(every);
    poll_reset();
    {
        char msg[JSON_VALID_ERROR_MAX];

        json_valid_format_error(b, len, &r, msg, sizeof(msg));
    }
    json_valid_set_hooks(NULL);
    poll_expect("format_error at the end", len, every);
    poll_path("numbers", b, len, 5, every);
    poll_path("numbers", b, len, 6, every);
    {
        JsonValidEncoding enc = { JV_CHARS_MBLEN, mblen_euc };
        size_t line, col, pos;

        poll_install(every);
        poll_reset();
        json_valid_locate_enc(b, len, len, &enc, &line, &col, &pos);
        json_valid_set_hooks(NULL);
        poll_expect("locate mblen", len, every);
    }
    free(b);

    b = doc_objects(N, &len);
    poll_path("objects", b, len, 2, every);
    poll_path("objects", b, len, 0, every);
    poll_path("objects", b, len, 1, every);
    poll_path("objects", b, len, 3, every);
    poll_path("objects", b, len, 4, every);
    /* as a member value: {"a":[...],"status":"x"} */
    {
        unsigned char *o = xmalloc(len + 32);
        size_t n = 0;

        memcpy(o, "{\"a\":", 5);
        n = 5;
        memcpy(o + n, b, len);
        n += len;
        memcpy(o + n, ",\"status\":\"x\"}", 14);
        n += 14;
        poll_path("object member", o, n, 7, every);
        free(o);
    }
    free(b);

    /* 1,000,000 levels (exact validator with the heap stack; the fast path defers at 32768) */
    len = 6000000;
    b = xmalloc(len);
    memset(b, '[', len / 2);
    memset(b + len / 2, ']', len / 2);
    poll_path("6M brackets", b, len, 0, every);
    poll_path("6M brackets", b, len, 1, every);
    b[0] = '{';
    memcpy(b + 1, "\"status\":", 9);
    b[len - 1] = '}';
    poll_path("deep member", b, len, 7, every);
    free(b);

    /* one long string: plain, with escapes only, non-ASCII only, unterminated */
    len = N;
    b = xmalloc(len);
    memset(b, 'x', len);
    b[0] = '"';
    b[len - 1] = '"';
    poll_path("long string", b, len, 0, every);
    poll_path("long string", b, len, 1, every);
    poll_path("long string", b, len, 2, every);
    poll_path("long string body", b + 1, len - 2, 8, every);
    for (i = 1; i + 2 < len; i += 2)
        memcpy(b + i, "\\n", 2);
    poll_path("escapes", b, len, 0, every);
    poll_path("escapes", b, len, 2, every);
    poll_path("escapes body", b + 1, (len - 2) & ~(size_t) 1, 8, every);
    for (i = 1; i + 2 < len; i += 2)
        memcpy(b + i, "\xC3\xA9", 2);
    poll_path("2-byte characters", b, len, 1, every);
    poll_path("2-byte characters", b, len, 3, every);
    poll_path("2-byte characters", b, len, 4, every);
    poll_path("2-byte characters", b, len, 5, every);
    b[len - 1] = 'x';
    poll_path("unterminated", b, len, 0, every);
    free(b);

    /* token shapes that reach the poll only through brackets, literals or the window's moves */
    {
        static const char *const units[] = { "true,", "null,", "[],", "{},", "0,", "-0,", "\"\",", "[[]],",
                                             "{\"a\":0},", "{\"a\":[]},", " 1 ,", "[\"\xC3\xA9\"]," };
        size_t u;

        for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
        {
            size_t ul = strlen(units[u]), n = 1;
            char what[64];

            b = xmalloc(N + 16);
            b[0] = '[';
            while (n + ul + 8 < N)
            {
                memcpy(b + n, units[u], ul);
                n += ul;
            }
            memcpy(b + n, "1]", 2);
            n += 2;
            snprintf(what, sizeof(what), "[%s...]", units[u]);
            poll_path(what, b, n, 0, every);
            poll_path(what, b, n, 1, every);
            poll_path(what, b, n, 2, every);
            free(b);
        }
        /* runs of openers then closers: [[[...]]] is above; {"a":{"a":...}} */
        len = 6 * 1000000;
        b = xmalloc(len + 8);
        for (i = 0; i < 1000000; i++)
            memcpy(b + 5 * i, "{\"a\":", 5);
        b[5000000] = '1';
        memset(b + 5000001, '}', 1000000);
        poll_path("1M nested objects", b, 6000001, 0, every);
        poll_path("1M nested objects", b, 6000001, 1, every);
        poll_path("1M nested objects", b, 6000001, 7, every);
        free(b);
    }

    /* a 12 MB number, 12 MB of whitespace */
    b = xmalloc(len);
    memset(b, '7', len);
    poll_path("digits", b, len, 0, every);
    poll_path("digits", b, len, 2, every);
    memset(b, ' ', len);
    b[len - 1] = '1';
    poll_path("whitespace", b, len, 0, every);
    poll_path("whitespace", b, len, 1, every);
    poll_path("whitespace", b, len, 2, every);
    poll_path("whitespace", b, len, 7, every);
    free(b);

    /* the default interval on 64 MB, with json_validate (fast path, then UTF-8) */
    b = doc_objects(64u * 1024 * 1024, &len);
    poll_install(0);
    poll_reset();
    CHECK(json_validate(b, len, 1, &r), "64 MB valid");
    json_valid_set_hooks(NULL);
    poll_expect("json_validate 64 MB, default interval", len, JSON_VALID_POLL_BYTES);
    CHECK(plog.passes == (json_fast_available() ? 2 : 1), "64 MB: %ld passes", plog.passes);
    /* no poll installed: nothing is called */
    poll_reset();
    CHECK(json_validate(b, len, 1, &r) && plog.calls == 0, "no poll installed: %ld calls", plog.calls);
    free(b);
}

/* ---- longjmp out of the core ---------------------------------------------- */

#define MAX_BLOCKS 64
static void *blocks[MAX_BLOCKS];
static int n_blocks, n_allocs;
static jmp_buf jump_env;
static long jump_after;

static void *
track_alloc(size_t n)
{
    void *p = malloc(n);
    int i;

    if (p)
        for (i = 0; i < MAX_BLOCKS; i++)
            if (blocks[i] == NULL)
            {
                blocks[i] = p;
                n_blocks++;
                n_allocs++;
                break;
            }
    return p;
}

static void *
track_resize(void *old, size_t n)
{
    void *p = realloc(old, n);
    int i;

    if (p)
        for (i = 0; i < MAX_BLOCKS; i++)
            if (blocks[i] == old)
                blocks[i] = p;
    return p;
}

static void
track_release(void *p)
{
    int i;

    for (i = 0; i < MAX_BLOCKS; i++)
        if (blocks[i] == p)
        {
            blocks[i] = NULL;
            n_blocks--;
        }
    free(p);
}

/* What a memory context reset does after an error. */
static int
track_free_all(void)
{
    int i, n = 0;

    for (i = 0; i < MAX_BLOCKS; i++)
        if (blocks[i])
        {
            free(blocks[i]);
            blocks[i] = NULL;
            n++;
        }
    n_blocks = 0;
    return n;
}

static void
jumping_poll(void *arg, size_t pos)
{
    (void) arg;
    (void) pos;
    if (--jump_after <= 0)
        longjmp(jump_env, 1);
}

/* Runs which on b with a poll that longjmps at its k-th call; returns 1 if it jumped. */
static int
jump_once(const unsigned char *b, size_t len, int which, long k, int *freed)
{
    JsonValidHooks h;
    volatile int jumped = 0;

    memset(&h, 0, sizeof(h));
    h.poll = jumping_poll;
    h.poll_bytes = 16 * 1024;
    h.alloc = track_alloc;
    h.resize = track_resize;
    h.release = track_release;
    json_valid_set_hooks(&h);
    jump_after = k;
    n_allocs = 0;
    if (setjmp(jump_env) == 0)
    {
        JsonValidResult r;
        size_t vs, vl;

        switch (which)
        {
            case 0:
                (void) json_validate(b, len, 0, &r);
                break;
            case 1:
                (void) json_validate(b, len, 1, &r);
                break;
            case 2:
                json_valid_locate(b, len, len, NULL, NULL, NULL);
                break;
            case 3:
                (void) json_top_member(b, len, "status", 6, &vs, &vl);
                break;
        }
    }
    else
        jumped = 1;
    json_valid_set_hooks(NULL);
    *freed = track_free_all();
    return jumped;
}

static void
run_longjmp(void)
{
    const size_t N = 2000000;              /* 1,000,000 levels: the nesting stack is on the heap */
    unsigned char *b = xmalloc(N);
    int freed, k;
    JsonValidResult r;

    memset(b, '[', N / 2);
    memset(b + N / 2, ']', N / 2);
    for (k = 1; k <= 40; k += 13)
    {
        int jumped = jump_once(b, N, 0, k, &freed);

        CHECK(jumped, "deep document: the poll jumped out at call %d", k);
        /* the heap stack was taken from the hooks: the "context reset" frees it, nothing else leaks (ASan) */
        CHECK(freed <= 1, "deep document: %d blocks left after the jump", freed);
        if (k == 40)
            CHECK(freed == 1, "deep document: the jump at call 40 left the heap stack (%d blocks) to the context", freed);
    }
    /* the core is usable afterwards, with the default hooks */
    CHECK(json_validate(b, N, 0, &r) && r.code == JV_OK, "deep document valid after the jumps");
    CHECK(json_validate(b, N - 1, 0, &r) == 0 && r.code == JV_UNEXPECTED_END, "deep document invalid after the jumps");
    {
        /* without a jump, the hooks' block is allocated and released by the core */
        JsonValidHooks h;

        memset(&h, 0, sizeof(h));
        h.alloc = track_alloc;
        h.resize = track_resize;
        h.release = track_release;
        json_valid_set_hooks(&h);
        n_allocs = 0;
        CHECK(json_validate(b, N, 0, &r), "deep document with allocator hooks");
        json_valid_set_hooks(NULL);
        CHECK(n_allocs == 1 && n_blocks == 0, "allocator hooks: %d allocations, %d left", n_allocs, n_blocks);
    }
    CHECK(jump_once(b, N, 1, 5, &freed), "deep document, check_utf8: jumped");
    CHECK(jump_once(b, N, 2, 5, &freed), "locate: jumped");
    b[0] = '{';
    memcpy(b + 1, "\"status\":", 9);
    b[N - 1] = '}';
    CHECK(jump_once(b, N, 3, 3, &freed), "member scan: jumped");
    free(b);
}

/* ---- locate per encoding --------------------------------------------------- */

static void
ref_locate(const unsigned char *b, size_t len, size_t off, int kind, size_t *line, size_t *col, size_t *pos)
{
    size_t l = 1, c = 1, ch = 1, i = 0;

    while (i < off)
    {
        unsigned char x = b[i];
        size_t n = 1;

        if (kind == JV_CHARS_UTF8)
        {
            if ((x & 0xC0) != 0x80)
                ch++, c++;
        }
        else
        {
            ch++, c++;
            if (kind == JV_CHARS_MBLEN && x >= 0x80)
                n = (size_t) mblen_euc(b + i);
            if (n > len - i)
                n = len - i;
        }
        if (x == '\n')
            l++, c = 1;
        i += n;
    }
    *line = l;
    *col = c;
    *pos = ch;
}

static void
run_locate(void)
{
    uint64_t x = UINT64_C(0x2545F4914F6CDD1D);
    int round;

#define NEXT_RANDOM() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (round = 0; round < 3000; round++)
    {
        size_t len = 1 + (size_t) (NEXT_RANDOM() % 700);
        unsigned char *b = xmalloc(len);
        unsigned density = (unsigned) (NEXT_RANDOM() % 4);
        size_t i, k;

        for (i = 0; i < len; i++)
        {
            unsigned r = (unsigned) (NEXT_RANDOM() % 100);

            b[i] = r < 3 * density ? '\n' : r < 40 ? (unsigned char) (0x80 + NEXT_RANDOM() % 128) : (unsigned char) ('a' + r % 26);
        }
        for (k = 0; k < 3; k++)
        {
            JsonValidEncoding encs[3] = { { JV_CHARS_UTF8, NULL }, { JV_CHARS_BYTES, NULL }, { JV_CHARS_MBLEN, mblen_euc } };
            size_t off = k == 0 ? len : (size_t) (NEXT_RANDOM() % (len + 1));
            int e;

            for (e = 0; e < 3; e++)
            {
                size_t l1, c1, p1, l2, c2, p2;

                /* an EUC-like text: offsets are at character boundaries */
                if (e == 2)
                {
                    size_t j = 0;

                    while (j < off)
                        j += b[j] >= 0x80 ? (size_t) mblen_euc(b + j) : 1;
                    if (j > len)
                        j = len;
                    off = j;
                }
                json_valid_locate_enc(b, len, off, &encs[e], &l1, &c1, &p1);
                ref_locate(b, len, off, (int) encs[e].kind, &l2, &c2, &p2);
                CHECK(l1 == l2 && c1 == c2 && p1 == p2, "locate kind %d len %zu off %zu: %zu/%zu/%zu, want %zu/%zu/%zu",
                      e, len, off, l1, c1, p1, l2, c2, p2);
                json_valid_locate_enc(b, len, off, &encs[e], NULL, NULL, &p1);
                CHECK(p1 == p2, "position only, kind %d: %zu, want %zu", e, p1, p2);
            }
        }
        free(b);
    }
#undef NEXT_RANDOM

    /* the found part: a whole character only in UTF-8 */
    {
        const unsigned char doc[] = "[\"\xC3\xA9\", \xC3\xA9]";
        const unsigned char euc_doc[] = "[\"\xA4\xA2\", \xA4\xA2]";
        JsonValidResult r;
        char msg[JSON_VALID_ERROR_MAX];
        JsonValidEncoding bytes = { JV_CHARS_BYTES, NULL };
        JsonValidEncoding euc = { JV_CHARS_MBLEN, mblen_euc };

        json_validate(doc, sizeof(doc) - 1, 0, &r);
        json_valid_format_error_enc(doc, sizeof(doc) - 1, &r, NULL, msg, sizeof(msg));
        CHECK(strcmp(msg, "line 1, column 7: expected a JSON value, found '\xC3\xA9'") == 0, "utf8 message: %s", msg);
        json_valid_format_error_enc(doc, sizeof(doc) - 1, &r, &bytes, msg, sizeof(msg));
        CHECK(strcmp(msg, "line 1, column 8: expected a JSON value, found byte 0xC3") == 0, "bytes message: %s", msg);
        json_validate(euc_doc, sizeof(euc_doc) - 1, 0, &r);
        json_valid_format_error_enc(euc_doc, sizeof(euc_doc) - 1, &r, &euc, msg, sizeof(msg));
        CHECK(strcmp(msg, "line 1, column 7: expected a JSON value, found byte 0xA4") == 0, "euc message: %s", msg);
    }
}

/* ---- top-level members ----------------------------------------------------- */

typedef struct MemberCase {
    const char *doc;
    int kind;               /* REF_* */
    const char *value;      /* for REF_STRING: the unescaped value (UTF-8) */
} MemberCase;

static const MemberCase member_cases[] = {
    { "{\"status\":\"completed\"}", REF_STRING, "completed" },
    { " \t\n{ \"status\" : \"failed\" } \n", REF_STRING, "failed" },
    { "{\"st\\u0061tus\":\"a\"}", REF_STRING, "a" },
    { "{\"\\u0073\\u0074\\u0061\\u0074\\u0075\\u0073\":\"b\"}", REF_STRING, "b" },
    { "{\"\\u0053tatus\":\"b\"}", REF_NONE, NULL },
    { "{\"Status\":\"b\"}", REF_NONE, NULL },
    { "{\"status \":\"b\"}", REF_NONE, NULL },
    { "{\"statu\":\"b\"}", REF_NONE, NULL },
    { "{\"statuss\":\"b\"}", REF_NONE, NULL },
    { "{\"s\\/tatus\":\"b\"}", REF_NONE, NULL },
    { "{\"status\\u0000\":\"b\"}", REF_NONE, NULL },
    { "{\"\\ud800status\":\"b\"}", REF_NONE, NULL },
    { "{\"a\":{\"status\":\"deep\"}}", REF_NONE, NULL },
    { "{\"a\":[{\"status\":\"deep\"}],\"b\":\"status\"}", REF_NONE, NULL },
    { "[{\"status\":\"x\"}]", REF_NONE, NULL },
    { "\"status\"", REF_NONE, NULL },
    { "{}", REF_NONE, NULL },
    { "{\"status\":1}", REF_OTHER, NULL },
    { "{\"status\":null}", REF_OTHER, NULL },
    { "{\"status\":true}", REF_OTHER, NULL },
    { "{\"status\":{\"status\":\"x\"}}", REF_OTHER, NULL },
    { "{\"status\":[\"x\"]}", REF_OTHER, NULL },
    { "{\"status\":\"a\",\"status\":\"b\"}", REF_STRING, "b" },
    { "{\"status\":\"a\",\"x\":{\"status\":\"c\"},\"status\":\"b\",\"y\":[\"status\"]}", REF_STRING, "b" },
    { "{\"status\":\"a\",\"status\":2}", REF_OTHER, NULL },
    { "{\"status\":2,\"status\":\"a\"}", REF_STRING, "a" },
    { "{\"status\":\"\\ud800\",\"status\":\"ok\"}", REF_STRING, "ok" },
    { "{\"status\":\"ok\",\"status\":\"\\ud800\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"\\u0000\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"a\\u0000\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"\\udc00\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"\\ud800x\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"\\ud800\\u0041\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"\\ud800\\ud800\\udc00\"}", REF_BAD_STRING, NULL },
    { "{\"status\":\"\\ud83d\\ude00\"}", REF_STRING, "\xF0\x9F\x98\x80" },
    { "{\"status\":\"\\u00e9\\u20AC\\uFFFF\\u0080\\u07ff\\u0800\"}", REF_STRING,
      "\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF\xC2\x80\xDF\xBF\xE0\xA0\x80" },
    { "{\"status\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"}", REF_STRING, "\"\\/\b\f\n\r\tA" },
    { "{\"status\":\"caf\xC3\xA9 \xE6\x97\xA5\"}", REF_STRING, "caf\xC3\xA9 \xE6\x97\xA5" },
    { "{\"status\":\"\"}", REF_STRING, "" },
    { "{\"a\":\"x\\\"}\\\\\",\"status\":\"q\"}", REF_STRING, "q" },
    { "{\"a\":[1,[2,{\"b\":\"]}\"}],-0.5e+3,true,false,null],\"status\":\"q\"}", REF_STRING, "q" },
    { "{\"n\":12345,\"status\":\"q\",\"t\":true}", REF_STRING, "q" },
};

static void
run_member_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof(member_cases) / sizeof(member_cases[0]); i++)
    {
        const MemberCase *c = &member_cases[i];
        const unsigned char *d = (const unsigned char *) c->doc;
        size_t len = strlen(c->doc), n1, n2;
        unsigned char *v1, *v2;
        int k1, k2;

        CHECK(json_validate(d, len, 1, NULL), "member case %zu is valid JSON", i);
        k1 = core_top_member(d, len, "status", &v1, &n1);
        k2 = ref_top_member(d, len, "status", &v2, &n2);
        CHECK(k1 == c->kind, "member case %zu %s: kind %d, want %d", i, c->doc, k1, c->kind);
        CHECK(k2 == c->kind, "member case %zu %s: reference kind %d, want %d", i, c->doc, k2, c->kind);
        if (c->kind == REF_STRING && k1 == REF_STRING)
            CHECK(n1 == strlen(c->value) && memcmp(v1, c->value, n1) == 0, "member case %zu %s: value \"%.*s\"", i,
                  c->doc, (int) n1, v1);
        free(v1);
        free(v2);
    }
}

/* A code point conversion for a made-up single-byte encoding: U+00A0..U+00FF only. */
static int
to_latin1(unsigned int cp, unsigned char *dst, void *arg)
{
    (*(int *) arg)++;
    if (cp > 0xFF)
        return -1;
    dst[0] = (unsigned char) cp;
    return 1;
}

static void
run_unescape_encodings(void)
{
    const char *body = "caf\\u00e9 \xE9 \\u0041";
    unsigned char out[64];
    size_t n;
    int calls = 0;

    CHECK(json_unescape_string((const unsigned char *) body, strlen(body), out, &n, to_latin1, &calls) == JU_OK &&
          n == 8 && memcmp(out, "caf\xE9 \xE9 A", 8) == 0 && calls == 1, "latin1 unescape (%d calls)", calls);
    body = "\\u20ac";
    CHECK(json_unescape_string((const unsigned char *) body, strlen(body), out, &n, to_latin1, &calls) ==
          JU_UNREPRESENTABLE, "latin1: euro sign unrepresentable");
    body = "\\ud83d\\ude00";
    CHECK(json_unescape_string((const unsigned char *) body, strlen(body), out, &n, to_latin1, &calls) ==
          JU_UNREPRESENTABLE, "latin1: emoji unrepresentable");
    CHECK(json_unescape_string((const unsigned char *) "", 0, out, &n, NULL, NULL) == JU_OK && n == 0, "empty body");
}

/* Random documents: top-level objects with look-alike names, values of every kind, nested status members. */
static uint64_t rnd_state = UINT64_C(0x9E3779B97F4A7C15);

static unsigned
rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned) (rnd_state % n);
}

typedef struct Buf {
    unsigned char *p;
    size_t len, cap;
} Buf;

static void
put(Buf *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + n > b->cap)
    {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void
put_ws(Buf *b)
{
    static const char *const ws[] = { "", "", "", " ", "\n", "\t", "\r\n  " };

    put(b, ws[rnd(7)]);
}

static void
put_string(Buf *b)
{
    static const char *const atoms[] = {
        "a", "status", "x y", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9",
        "\\u20ac", "\\u0000", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\uD834\\uDD1E", "\xC3\xA9", "\xE2\x82\xAC",
        "\xF0\x9F\x98\x80", "}", "]", "{", "[", ",", ":", "\\u007d", "\\u0022"
    };
    unsigned n = rnd(6), i;

    put(b, "\"");
    for (i = 0; i < n; i++)
        put(b, atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))]);
    put(b, "\"");
}

static void
put_name(Buf *b)
{
    static const char *const names[] = {
        "\"status\"", "\"status\"", "\"status\"", "\"st\\u0061tus\"", "\"\\u0073tatus\"", "\"statu\\u0073\"",
        "\"Status\"", "\"status \"", "\"stat\"", "\"\\u0073\\u0074\\u0061\\u0074\\u0075\\u0073\"", "\"a\"", "\"b\"",
        "\"\"", "\"s\\/tatus\"", "\"stat\\u0000us\"", "\"st\\u00e1tus\"", "\"\\ud800\""
    };

    put(b, names[rnd(sizeof(names) / sizeof(names[0]))]);
}

static void put_value(Buf *b, int depth);

static void
put_object(Buf *b, int depth)
{
    unsigned n = rnd(5), i;

    put(b, "{");
    put_ws(b);
    for (i = 0; i < n; i++)
    {
        if (i)
        {
            put(b, ",");
            put_ws(b);
        }
        put_name(b);
        put_ws(b);
        put(b, ":");
        put_ws(b);
        put_value(b, depth + 1);
        put_ws(b);
    }
    put(b, "}");
}

static void
put_value(Buf *b, int depth)
{
    static const char *const scalars[] = { "0", "-1", "1.5e+3", "12345678901234567890", "true", "false", "null", "-0.0E-1" };
    unsigned k = rnd(depth > 4 ? 3 : 6);

    if (k == 0)
        put(b, scalars[rnd(8)]);
    else if (k <= 2)
        put_string(b);
    else if (k == 3 || k == 4)
        put_object(b, depth);
    else
    {
        unsigned n = rnd(4), i;

        put(b, "[");
        for (i = 0; i < n; i++)
        {
            if (i)
                put(b, ",");
            put_ws(b);
            put_value(b, depth + 1);
        }
        put(b, "]");
    }
}

static void
run_member_random(void)
{
    Buf b = { NULL, 0, 0 };
    long i, n_string = 0, n_other = 0, n_none = 0, n_bad = 0;

    for (i = 0; i < 200000; i++)
    {
        unsigned char *v1, *v2;
        size_t n1, n2;
        int k1, k2;

        b.len = 0;
        put_ws(&b);
        if (rnd(10) == 0)
            put_value(&b, 3);
        else
            put_object(&b, 0);
        put_ws(&b);
        if (!json_validate(b.p, b.len, 1, NULL))
        {
            CHECK(0, "generated document is valid: %.*s", (int) b.len, b.p);
            continue;
        }
        k1 = core_top_member(b.p, b.len, "status", &v1, &n1);
        k2 = ref_top_member(b.p, b.len, "status", &v2, &n2);
        if (k1 != k2 || n1 != n2 || (n1 && memcmp(v1, v2, n1) != 0))
            CHECK(0, "random member document: core %d \"%.*s\", reference %d \"%.*s\" for %.*s", k1, (int) n1,
                  v1 ? (const char *) v1 : "", k2, (int) n2, v2 ? (const char *) v2 : "", (int) b.len, b.p);
        else
            n_pass++;
        n_string += k1 == REF_STRING;
        n_other += k1 == REF_OTHER;
        n_none += k1 == REF_NONE;
        n_bad += k1 == REF_BAD_STRING;
        free(v1);
        free(v2);
    }
    free(b.p);
    printf("  random member documents: %ld string, %ld unreadable string, %ld other value, %ld none\n",
           n_string, n_bad, n_other, n_none);
    CHECK(n_string > 1000 && n_bad > 1000 && n_other > 1000 && n_none > 1000, "random documents cover every answer");
}

static void
run_member_deep(void)
{
    const size_t levels[] = { 20000, 1000000 };
    size_t i;

    for (i = 0; i < 2; i++)
    {
        size_t n = levels[i];
        Buf b = { NULL, 0, 0 };
        size_t k, n1, n2;
        unsigned char *v1, *v2;
        int k1;

        /* {"a":[[...{"status":"deep"}...]],"status":"top"} */
        put(&b, "{\"a\":");
        for (k = 0; k < n; k++)
            put(&b, k % 2 ? "{\"status\":" : "[");
        put(&b, "\"deep\"");
        for (k = n; k-- > 0;)
            put(&b, k % 2 ? "}" : "]");
        put(&b, ",\"status\":\"top\"}");
        CHECK(json_validate(b.p, b.len, 0, NULL), "%zu levels valid", n);
        k1 = core_top_member(b.p, b.len, "status", &v1, &n1);
        CHECK(k1 == REF_STRING && n1 == 3 && memcmp(v1, "top", 3) == 0, "%zu levels: the top-level member", n);
        free(v1);
        if (n <= 20000)
        {
            int k2 = ref_top_member(b.p, b.len, "status", &v2, &n2);

            CHECK(k2 == k1, "%zu levels: reference agrees", n);
            free(v2);
        }
        /* the same without the top-level member: the deep ones never match */
        memcpy(b.p + b.len - 16, "}               ", 16);
        CHECK(json_validate(b.p, b.len, 0, NULL), "%zu levels without the top-level member valid", n);
        k1 = core_top_member(b.p, b.len, "status", &v1, &n1);
        CHECK(k1 == REF_NONE, "%zu levels: nested members do not match (%d)", n, k1);
        free(b.p);
    }
}

static void
run_member_linear(void)
{
    /* 8 MB and 64 MB of nested objects with the member at the end: time must scale linearly */
    double t[2];
    size_t sizes[2] = { 8u * 1024 * 1024, 64u * 1024 * 1024 };
    int i;

    for (i = 0; i < 2; i++)
    {
        size_t len, vs, vl;
        unsigned char *o;
        unsigned char *b = doc_objects(sizes[i], &len);
        double t0;

        o = xmalloc(len + 32);
        memcpy(o, "{\"a\":", 5);
        memcpy(o + 5, b, len);
        memcpy(o + 5 + len, ",\"status\":\"x\"}", 14);
        free(b);
        t0 = now_sec();
        CHECK(json_top_member(o, len + 19, "status", 6, &vs, &vl) == JM_STRING && vl == 1, "large member document");
        t[i] = now_sec() - t0;
        free(o);
    }
    printf("  member scan: %.0f MB/s on 8 MB, %.0f MB/s on 64 MB\n", sizes[0] / 1e6 / t[0], sizes[1] / 1e6 / t[1]);
    CHECK(t[1] < 8 * t[0] * 3 + 0.05, "member scan is linear: %.3f s for 8 MB, %.3f s for 64 MB", t[0], t[1]);
}

static void
run_member_suite(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    long compared = 0;

    if (!d)
    {
        printf("SKIPPED: JSONTestSuite member comparison (not found at %s)\n", dir);
        return;
    }
    while ((e = readdir(d)) != NULL)
    {
        char path[4096];
        FILE *f;
        unsigned char *b;
        long n;
        unsigned char *v1, *v2;
        size_t n1, n2;
        int k1, k2;

        if (strlen(e->d_name) < 3 || e->d_name[1] != '_' || !strstr(e->d_name, ".json"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        b = xmalloc((size_t) n + 1);
        if (fread(b, 1, (size_t) n, f) != (size_t) n)
            n = 0;
        fclose(f);
        /* valid documents, not too deep for the recursive reference */
        if (json_validate(b, (size_t) n, 0, NULL) && n < 100000)
        {
            const char *keys[] = { "status", "a", "", "\xC3\xA9" };
            int k;

            for (k = 0; k < 4; k++)
            {
                k1 = core_top_member(b, (size_t) n, keys[k], &v1, &n1);
                k2 = ref_top_member(b, (size_t) n, keys[k], &v2, &n2);
                CHECK(k1 == k2 && n1 == n2 && (n1 == 0 || memcmp(v1, v2, n1) == 0), "%s key \"%s\": core %d, reference %d",
                      e->d_name, keys[k], k1, k2);
                free(v1);
                free(v2);
            }
            compared++;
        }
        /* never reads outside the buffer, whatever the input (ASan) */
        {
            size_t vs, vl;

            (void) json_top_member(b, (size_t) n, "status", 6, &vs, &vl);
        }
        free(b);
    }
    closedir(d);
    printf("  JSONTestSuite: member scan compared with the reference on %ld valid files\n", compared);
}

int
main(int argc, char **argv)
{
    run_poll();
    run_longjmp();
    run_locate();
    run_member_cases();
    run_unescape_encodings();
    run_member_random();
    run_member_deep();
    run_member_linear();
    if (argc > 1)
        run_member_suite(argv[1]);
    else
        printf("SKIPPED: JSONTestSuite (no path given)\n");
    printf("%s: %ld checks passed, %ld failed\n", n_fail ? "FAILED" : "OK", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
