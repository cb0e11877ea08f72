/*
 * json_valid_test.c
 *      Standalone tests for src/json_valid.c: a table of hand-written cases
 *      (result, code and offset), deep nesting, huge strings, error
 *      formatting, and JSONTestSuite when it is available.
 *
 * Usage: json_valid_test [path/to/JSONTestSuite/test_parsing]
 */
#include "json_valid.h"
#include "json_fast.h"
#include "fast_alignments.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long n_pass, n_fail;
static long n_fast;             /* inputs the two-stage fast path was checked on */

/* The two-stage fast path against the exact validator, at every block alignment (fast_alignments.h). */
static void
check_fast(const char *what, const unsigned char *s, size_t len)
{
    int fast, exact;
    long at;

    if (!json_fast_available())
        return;
    at = fast_alignments_disagree(s, len, len <= 256, &fast, &exact);
    if (at >= 0)
    {
        n_fail++;
        printf("FAIL fast path %s (len %zu, behind %ld spaces): fast %d, exact %d\n", what, len, at, fast, exact);
        return;
    }
    n_fast++;
}

#define M_BOTH 0    /* same expectation with check_utf8 = 0 and 1 */
#define M_U8   1    /* only with check_utf8 = 1 */
#define M_OPQ  2    /* only with check_utf8 = 0 */

#define LEN_END ((long) -1)

typedef struct Case {
    const char *s;
    size_t      len;
    int         mode;
    JsonValidCode code;
    long        offset;     /* LEN_END: == len */
} Case;

/* sizeof - 1 keeps embedded NUL bytes */
#define T(str, mode, code, off) { str, sizeof(str) - 1, mode, code, off }
#define OK(str) T(str, M_BOTH, JV_OK, LEN_END)

static const Case cases[] = {
    /* empty, whitespace, BOM, non-JSON whitespace */
    T("", M_BOTH, JV_EMPTY, 0),
    T(" \t\r\n", M_BOTH, JV_EMPTY, 4),
    T("\xEF\xBB\xBF{}", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("\xEF\xBB\xBF", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("\f1", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("\v1", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("1\f", M_BOTH, JV_TRAILING_CONTENT, 1),
    T("\xC2\xA0" "1", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("\x00", M_BOTH, JV_EXPECTED_VALUE, 0),
    OK(" \t\r\n1 \t\r\n"),

    /* scalars at top level */
    OK("1"), OK("\"x\""), OK("null"), OK("true"), OK("false"), OK("\"\""),
    OK("[]"), OK("{}"), OK("[[]]"), OK("{\"\":\"\"}"),
    OK(" [ 1 , { \"a\" : [ ] , \"b\" : { } } ] "),
    OK("{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":[],\"e\":true,\"f\":false,\"g\":-1.5e3}"),
    OK("[\n\t1,\r\n\t{\"a\" :\t\"b\"}\n]"),

    /* escapes */
    OK("\"\\\"\""), OK("\"\\\\\""), OK("\"\\/\""), OK("\"\\b\""), OK("\"\\f\""),
    OK("\"\\n\""), OK("\"\\r\""), OK("\"\\t\""), OK("\"\\u0041\""), OK("\"\\uABCD\""),
    OK("\"\\uabcd\""), OK("\"\\u0000\""), OK("\"a\\u0000b\""),
    OK("\"\\uD800\""), OK("\"\\uDC00\""), OK("\"\\uD83D\\uDE00\""), OK("\"\\uDE00\\uD83D\""),
    OK("\"\\uD800\\u0041\""), OK("[\"\\uDFAA\"]"),
    OK("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u12aF x\""),
    T("\"\\x\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"a\\x\"", M_BOTH, JV_BAD_ESCAPE, 3),
    T("\"\\'\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\a\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\0\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\v\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\U0041\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\\x01\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\\xC3\xA9\"", M_BOTH, JV_BAD_ESCAPE, 2),
    T("\"\\u12G4\"", M_BOTH, JV_BAD_UNICODE_ESCAPE, 5),
    T("\"\\u\"", M_BOTH, JV_BAD_UNICODE_ESCAPE, 3),
    T("\"\\u12\"", M_BOTH, JV_BAD_UNICODE_ESCAPE, 5),
    T("\"\\u-123\"", M_BOTH, JV_BAD_UNICODE_ESCAPE, 3),
    T("\"\\", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("\"\\u12", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("\"\\u1234", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("\"abc", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("\"", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("[\"abcdefghijklmnopqrstuvwxyz", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    OK("\"a\x7f" "b\""),

    /* UTF-8 */
    OK("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""),
    OK("\"\xEF\xBF\xBF\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80\xC2\x80\""),
    OK("{\"n\xC3\xA9v\":\"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xE4\xB8\x96\xE7\x95\x8C abcdefghijklmnopqrstuvwxyz\"}"),
    T("\"\xC0\xAF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xC1\xBF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xE0\x80\xAF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xE0\x9F\xBF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xF0\x80\x80\xAF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xF0\x8F\xBF\xBF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xED\xA0\x80\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xED\xBF\xBF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xED\xA0\xBD\xED\xB8\x80\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xF4\x90\x80\x80\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xF5\x80\x80\x80\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xF8\x88\x80\x80\x80\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xFF\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xFE\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\x80\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xC3\x28\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xE2\x82\"", M_U8, JV_BAD_UTF8, 1),
    T("\"\xC3\xA9\xA9\"", M_U8, JV_BAD_UTF8, 3),
    T("\"aaaaaaaaaaaaaaaaaaaaaaaa\xC0\xAF" "aaaaaaaaaaaaaaaaaa\"", M_U8, JV_BAD_UTF8, 25),
    T("\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\"", M_U8, JV_BAD_UTF8, 21),
    OK("\"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\""),
    T("\"\xC0\xAF\"", M_OPQ, JV_OK, LEN_END),
    T("\"\xE0\x80\xAF\"", M_OPQ, JV_OK, LEN_END),
    T("\"\xF0\x80\x80\xAF\"", M_OPQ, JV_OK, LEN_END),
    T("\"\xED\xA0\x80\"", M_OPQ, JV_OK, LEN_END),
    T("\"\xF4\x90\x80\x80\"", M_OPQ, JV_OK, LEN_END),
    T("\"\xFF\"", M_OPQ, JV_OK, LEN_END),
    T("\"\x80\"", M_OPQ, JV_OK, LEN_END),
    T("\"\xE2\x82\"", M_OPQ, JV_OK, LEN_END),
    T("\"abc\xC3", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("\"abc\xF0\x9F\x98", M_BOTH, JV_UNTERMINATED_STRING, LEN_END),
    T("\xC3\xA9", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("[1,\xFF]", M_BOTH, JV_EXPECTED_VALUE, 3),

    /* numbers */
    T("-", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("01", M_BOTH, JV_BAD_NUMBER, 1),
    T("1.", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T(".1", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("1e", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("1e+", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("1E-", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    OK("-0"), OK("1E400"), OK("1E+400"), OK("-1.5e-300"), OK("0"), OK("0.0"), OK("2e-0"),
    OK("123456789012345678901234567890"), OK("-0.0e-0"), OK("[0,-0,0.5e+1,1E2,-9]"), OK(" 7 "),
    T("+1", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("[1.]", M_BOTH, JV_BAD_NUMBER, 3),
    T("[-]", M_BOTH, JV_BAD_NUMBER, 2),
    T("-01", M_BOTH, JV_BAD_NUMBER, 2),
    T("00", M_BOTH, JV_BAD_NUMBER, 1),
    T("1.e5", M_BOTH, JV_BAD_NUMBER, 2),
    T("[1e]", M_BOTH, JV_BAD_NUMBER, 3),
    T("1e+x", M_BOTH, JV_BAD_NUMBER, 3),
    T("-a", M_BOTH, JV_BAD_NUMBER, 1),
    T("- 1", M_BOTH, JV_BAD_NUMBER, 1),
    T("-.5", M_BOTH, JV_BAD_NUMBER, 1),
    T("1.5.3", M_BOTH, JV_TRAILING_CONTENT, 3),
    T("1e5.0", M_BOTH, JV_TRAILING_CONTENT, 3),
    T("0x10", M_BOTH, JV_TRAILING_CONTENT, 1),
    T("NaN", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("Infinity", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("-Infinity", M_BOTH, JV_BAD_NUMBER, 1),
    T("[01]", M_BOTH, JV_BAD_NUMBER, 2),

    /* literals */
    T("tru", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("t", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("trux", M_BOTH, JV_BAD_LITERAL, 3),
    T("truex", M_BOTH, JV_TRAILING_CONTENT, 4),
    T("nul", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("[nul]", M_BOTH, JV_BAD_LITERAL, 4),
    T("True", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("fals", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("falsy", M_BOTH, JV_BAD_LITERAL, 4),
    T("nulL", M_BOTH, JV_BAD_LITERAL, 3),
    T("[true,fa]", M_BOTH, JV_BAD_LITERAL, 8),
    T("undefined", M_BOTH, JV_EXPECTED_VALUE, 0),

    /* trailing commas */
    T("[1,]", M_BOTH, JV_EXPECTED_VALUE, 3),
    T("[1, ]", M_BOTH, JV_EXPECTED_VALUE, 4),
    T("{\"a\":1,}", M_BOTH, JV_EXPECTED_KEY, 7),
    T("[,]", M_BOTH, JV_EXPECTED_VALUE, 1),
    T("[1,,2]", M_BOTH, JV_EXPECTED_VALUE, 3),
    T("{,}", M_BOTH, JV_EXPECTED_KEY, 1),

    /* garbage after a value */
    T("1 2", M_BOTH, JV_TRAILING_CONTENT, 2),
    T("{} x", M_BOTH, JV_TRAILING_CONTENT, 3),
    T("[]]", M_BOTH, JV_TRAILING_CONTENT, 2),
    T("\"a\"\"b\"", M_BOTH, JV_TRAILING_CONTENT, 3),
    T("1/*c*/", M_BOTH, JV_TRAILING_CONTENT, 1),
    T("1 // c", M_BOTH, JV_TRAILING_CONTENT, 2),
    T("[1]\x00", M_BOTH, JV_TRAILING_CONTENT, 3),
    T("1\x00", M_BOTH, JV_TRAILING_CONTENT, 1),
    T("{}{}", M_BOTH, JV_TRAILING_CONTENT, 2),
    T("[] \xEF\xBB\xBF", M_BOTH, JV_TRAILING_CONTENT, 3),

    /* structure */
    T("[", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("{", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("[1", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("[1 ", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("[1,", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("{\"a\"", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("{\"a\":", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("{\"a\":1", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("{\"a\":1,", M_BOTH, JV_UNEXPECTED_END, LEN_END),
    T("[1 2]", M_BOTH, JV_EXPECTED_ARRAY_NEXT, 3),
    T("[1:2]", M_BOTH, JV_EXPECTED_ARRAY_NEXT, 2),
    T("{\"a\":1 \"b\":2}", M_BOTH, JV_EXPECTED_OBJECT_NEXT, 7),
    T("{1:2}", M_BOTH, JV_EXPECTED_KEY, 1),
    T("{\"a\" 1}", M_BOTH, JV_EXPECTED_COLON, 5),
    T("{\"a\",1}", M_BOTH, JV_EXPECTED_COLON, 4),
    T("{\"a\":}", M_BOTH, JV_EXPECTED_VALUE, 5),
    T("[}", M_BOTH, JV_EXPECTED_VALUE, 1),
    T("{]", M_BOTH, JV_EXPECTED_KEY, 1),
    T("[1}", M_BOTH, JV_EXPECTED_ARRAY_NEXT, 2),
    T("{\"a\":1]", M_BOTH, JV_EXPECTED_OBJECT_NEXT, 6),
    T("{'a':1}", M_BOTH, JV_EXPECTED_KEY, 1),
    T("{a:1}", M_BOTH, JV_EXPECTED_KEY, 1),
    T("]", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("}", M_BOTH, JV_EXPECTED_VALUE, 0),
    T(":", M_BOTH, JV_EXPECTED_VALUE, 0),
    T(",", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("'a'", M_BOTH, JV_EXPECTED_VALUE, 0),
    T("[\"a\",\x01]", M_BOTH, JV_EXPECTED_VALUE, 5),
};

static void
check(const char *what, const unsigned char *s, size_t len, int utf8, JsonValidCode code, size_t offset)
{
    JsonValidResult r;
    int v;

    r.code = (JsonValidCode) 999;
    r.offset = (size_t) -1;
    check_fast(what, s, len);
    v = json_validate(s, len, utf8, &r);
    if (v != (code == JV_OK) || r.code != code || r.offset != offset
        || json_validate(s, len, utf8, NULL) != v)
    {
        n_fail++;
        printf("FAIL %s (len %zu, check_utf8=%d): got %d %s @%zu, want %s @%zu\n",
               what, len, utf8, v, json_valid_reason(r.code), r.offset,
               json_valid_reason(code), offset);
    }
    else
        n_pass++;
}

static void
run_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        const Case *c = &cases[i];
        size_t off = c->offset == LEN_END ? c->len : (size_t) c->offset;
        char what[80];

        snprintf(what, sizeof(what), "case #%zu \"%.40s\"", i, c->s);
        if (c->mode != M_OPQ)
            check(what, (const unsigned char *) c->s, c->len, 1, c->code, off);
        if (c->mode != M_U8)
            check(what, (const unsigned char *) c->s, c->len, 0, c->code, off);
    }
}

/* Every raw control character is rejected in a string, every escaped one accepted. */
static void
run_control_chars(void)
{
    int c;

    for (c = 0; c < 0x20; c++)
    {
        unsigned char raw[4] = { '"', 'a', (unsigned char) c, '"' };
        char esc[16];
        char what[40];

        snprintf(what, sizeof(what), "raw control 0x%02X", c);
        check(what, raw, 4, 0, JV_CONTROL_CHAR, 2);
        check(what, raw, 4, 1, JV_CONTROL_CHAR, 2);
        snprintf(esc, sizeof(esc), "\"\\u%04X\"", c);
        snprintf(what, sizeof(what), "escaped control 0x%02X", c);
        check(what, (const unsigned char *) esc, strlen(esc), 0, JV_OK, strlen(esc));
        check(what, (const unsigned char *) esc, strlen(esc), 1, JV_OK, strlen(esc));
        snprintf(esc, sizeof(esc), "\"\\u%04x\"", c);
        check(what, (const unsigned char *) esc, strlen(esc), 1, JV_OK, strlen(esc));
    }
}

/* Special bytes at every position of strings of every length around the 8/16-byte block sizes. */
static void
run_block_edges(void)
{
    unsigned char buf[80];
    size_t n, pos;

    for (n = 0; n < 70; n++)
    {
        memset(buf, 'a', sizeof(buf));
        buf[0] = '"';
        buf[n + 1] = '"';
        check("plain string", buf, n + 2, 0, JV_OK, n + 2);
        check("plain string", buf, n + 2, 1, JV_OK, n + 2);
        check("unterminated plain string", buf, n + 1, 1, JV_UNTERMINATED_STRING, n + 1);
        check("unterminated plain string", buf, n + 1, 0, JV_UNTERMINATED_STRING, n + 1);
        for (pos = 1; pos + 2 <= n + 1; pos++)
        {
            memset(buf + 1, 'a', n);
            buf[pos] = 0x1F;
            check("control at pos", buf, n + 2, 0, JV_CONTROL_CHAR, pos);
            check("control at pos", buf, n + 2, 1, JV_CONTROL_CHAR, pos);
            buf[pos] = 0xFF;
            check("0xFF at pos", buf, n + 2, 1, JV_BAD_UTF8, pos);
            check("0xFF at pos", buf, n + 2, 0, JV_OK, n + 2);
            buf[pos] = '\\';
            buf[pos + 1] = 'q';
            check("bad escape at pos", buf, n + 2, 0, JV_BAD_ESCAPE, pos + 1);
            check("bad escape at pos", buf, n + 2, 1, JV_BAD_ESCAPE, pos + 1);
            buf[pos + 1] = '/';
            check("escape at pos", buf, n + 2, 1, JV_OK, n + 2);
            buf[pos] = 0xC3;
            buf[pos + 1] = 0xA9;
            check("2-byte char at pos", buf, n + 2, 1, JV_OK, n + 2);
            buf[pos] = '"';
            buf[pos + 1] = 'a';
            check("early quote at pos", buf, n + 2, 1, JV_TRAILING_CONTENT, pos + 1);
        }
    }
}

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

static void
run_deep(void)
{
    const size_t N = 1000000;
    unsigned char *b = xmalloc(2 * N + 16);
    size_t i, unit, len;

    /* 1,000,000 arrays closed, unclosed, one short, one extra */
    memset(b, '[', N);
    memset(b + N, ']', N);
    check("1M nested arrays", b, 2 * N, 0, JV_OK, 2 * N);
    check("1M nested arrays", b, 2 * N, 1, JV_OK, 2 * N);
    check("1M unclosed arrays", b, N, 0, JV_UNEXPECTED_END, N);
    check("1M unclosed arrays", b, N, 1, JV_UNEXPECTED_END, N);
    check("1M arrays, one closer short", b, 2 * N - 1, 1, JV_UNEXPECTED_END, 2 * N - 1);
    b[2 * N] = ']';
    check("1M arrays, one closer extra", b, 2 * N + 1, 1, JV_TRAILING_CONTENT, 2 * N);
    free(b);

    /* alternating [{"a":[{"a": ... 1 ... }]}] */
    unit = 6;                   /* [{"a": */
    len = N / 2 * unit + 1 + N / 2 * 2;
    b = xmalloc(len);
    for (i = 0; i < N / 2; i++)
        memcpy(b + i * unit, "[{\"a\":", unit);
    b[N / 2 * unit] = '1';
    for (i = 0; i < N / 2; i++)
        memcpy(b + N / 2 * unit + 1 + 2 * i, "}]", 2);
    check("alternating 1M levels", b, len, 0, JV_OK, len);
    check("alternating 1M levels", b, len, 1, JV_OK, len);
    check("alternating 1M levels unclosed", b, N / 2 * unit + 1, 1, JV_UNEXPECTED_END, N / 2 * unit + 1);
    {
        size_t at = N / 2 * unit + 1;       /* first closer must be '}' */

        b[at] = ']';
        check("alternating, wrong innermost closer", b, len, 1, JV_EXPECTED_OBJECT_NEXT, at);
        b[at] = '}';
        at = N / 2 * unit + 1 + 2 * (N / 2 - 10000) + 1;    /* a ']' about 20000 levels deep (bit set before the stack moved to the heap) */
        b[at] = '}';
        check("alternating, wrong closer at depth 20000", b, len, 1, JV_EXPECTED_ARRAY_NEXT, at);
        b[at] = ']';
        at = N / 2 * unit + 1 + 2 * 100000;     /* a '}' 800000 levels deep (heap part) */
        b[at] = ']';
        check("alternating, wrong closer in heap stack", b, len, 1, JV_EXPECTED_OBJECT_NEXT, at);
        b[at] = '}';
        b[3] = 'b';
        check("alternating, still valid", b, len, 1, JV_OK, len);
        b[5] = ',';
        check("alternating, comma for colon", b, len, 1, JV_EXPECTED_COLON, 5);
    }
    free(b);
}

static void
run_big_string(void)
{
    const size_t N = 200u * 1024 * 1024;
    unsigned char *b = xmalloc(N);
    size_t i;
    double t0, t1, t2;

    /* mostly ASCII, with an escape and a 2- and 3-byte character now and then */
    memset(b, 'x', N);
    for (i = 1000; i + 720 < N; i += 997)
    {
        memcpy(b + i, "\\n", 2);
        memcpy(b + i + 400, "\xC3\xA9", 2);
        memcpy(b + i + 700, "\xE2\x82\xAC", 3);
    }
    b[0] = '"';
    b[N - 1] = '"';
    check("200 MB string", b, N, 0, JV_OK, N);
    check("200 MB string", b, N, 1, JV_OK, N);
    /* timed alone: check() also runs the fast path at several alignments */
    t0 = now_sec();
    if (!json_validate(b, N, 0, NULL))
        n_fail++;
    t1 = now_sec();
    if (!json_validate(b, N, 1, NULL))
        n_fail++;
    t2 = now_sec();
    {
        double t3, t4;
        volatile const void *hit;

        t3 = now_sec();
        hit = memchr(b, 0x01, N);       /* floor: read every byte once */
        t4 = now_sec();
        printf("  200 MB string: %.0f MB/s (check_utf8=0), %.0f MB/s (check_utf8=1), memchr floor %.0f MB/s%s\n",
               N / 1e6 / (t1 - t0), N / 1e6 / (t2 - t1), N / 1e6 / (t4 - t3), hit ? "?" : "");
    }
    memcpy(b + N - 3, "\\x\"", 3);
    check("200 MB string, bad escape at end", b, N, 0, JV_BAD_ESCAPE, N - 2);
    check("200 MB string, bad escape at end", b, N, 1, JV_BAD_ESCAPE, N - 2);
    memset(b + N - 3, 'x', 3);
    check("200 MB string, unterminated", b, N, 1, JV_UNTERMINATED_STRING, N);
    free(b);
}

static void
check_str(const char *what, const char *got, const char *want)
{
    if (strcmp(got, want) != 0)
    {
        n_fail++;
        printf("FAIL %s:\n   got  \"%s\"\n   want \"%s\"\n", what, got, want);
    }
    else
        n_pass++;
}

static void
fmt_case(const char *in, int utf8, const char *want)
{
    JsonValidResult r;
    char out[256];
    size_t n;

    json_validate((const unsigned char *) in, strlen(in), utf8, &r);
    n = json_valid_format_error((const unsigned char *) in, strlen(in), &r, out, sizeof(out));
    check_str(in, out, want);
    if (n != strlen(want))
    {
        n_fail++;
        printf("FAIL format length for \"%s\": %zu != %zu\n", in, n, strlen(want));
    }
}

static void
run_format(void)
{
    const char *a = "{\n  \"n\xC3\xA9v\": [1,\n   2 x]\n}";
    size_t line, col, pos, n;
    JsonValidResult r;
    char out[256];

    fmt_case(a, 1, "line 3, column 6: expected ',' or ']' after array element, found 'x'");
    fmt_case("[\"\xC3\xA4\", \xC3\xBC]", 1, "line 1, column 7: expected a JSON value, found '\xC3\xBC'");
    fmt_case("{\"k\": \xF0\x9F\x98\x80}", 1, "line 1, column 7: expected a JSON value, found '\xF0\x9F\x98\x80'");
    fmt_case("{\"a\":\n\"x\ty\"}", 0, "line 2, column 3: unescaped control character in string, found U+0009");
    fmt_case("[1,\n2", 1, "line 2, column 2: unexpected end of input, found end of input");
    fmt_case("\"ab\xFF\"", 1, "line 1, column 4: invalid UTF-8, found byte 0xFF");
    fmt_case("", 1, "line 1, column 1: no JSON value (empty or whitespace-only input), found end of input");
    fmt_case(" \n ", 1, "line 2, column 2: no JSON value (empty or whitespace-only input), found end of input");
    fmt_case("{\"a\":1,}", 1, "line 1, column 8: expected string as object key, found '}'");
    fmt_case("[\"\xC3\xA9\xC3\xA9\",\n\"\xC3\xA9\xC3\xA9\" x]", 1, "line 2, column 6: expected ',' or ']' after array element, found 'x'");
    fmt_case("{\"a\"\r\n\t1}", 1, "line 2, column 2: expected ':' after object key, found '1'");
    fmt_case("[1]", 1, "valid JSON");

    json_valid_locate((const unsigned char *) a, strlen(a), 21, &line, &col, &pos);
    if (line != 3 || col != 6 || pos != 21)
    {
        n_fail++;
        printf("FAIL locate: %zu %zu %zu\n", line, col, pos);
    }
    else
        n_pass++;
    json_valid_locate((const unsigned char *) a, strlen(a), strlen(a), &line, &col, &pos);
    if (line != 4 || col != 2 || pos != strlen(a) - 1 + 1)
    {
        n_fail++;
        printf("FAIL locate at end: %zu %zu %zu\n", line, col, pos);
    }
    else
        n_pass++;
    json_valid_locate((const unsigned char *) a, strlen(a), 1000, &line, &col, &pos);
    if (line != 4 || col != 2 || pos != strlen(a))
    {
        n_fail++;
        printf("FAIL locate beyond end: %zu %zu %zu\n", line, col, pos);
    }
    else
        n_pass++;

    /* truncation is snprintf-like */
    json_validate((const unsigned char *) a, strlen(a), 1, &r);
    n = json_valid_format_error((const unsigned char *) a, strlen(a), &r, out, 10);
    check_str("truncated format", out, "line 3, c");
    if (n != strlen("line 3, column 6: expected ',' or ']' after array element, found 'x'"))
    {
        n_fail++;
        printf("FAIL truncated format length %zu\n", n);
    }
    n = json_valid_format_error((const unsigned char *) a, strlen(a), &r, NULL, 0);
    if (n != strlen("line 3, column 6: expected ',' or ']' after array element, found 'x'"))
    {
        n_fail++;
        printf("FAIL NULL format length %zu\n", n);
    }
}

static unsigned char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = xmalloc((size_t) n);
    if (n > 0 && fread(b, 1, (size_t) n, f) != (size_t) n)
    {
        fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    *len = (size_t) n;
    return b;
}

static void
run_suite(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    long y_ok = 0, n_ok = 0, i_acc = 0, i_rej = 0, n_acc_opaque = 0;

    if (!d)
    {
        printf("SKIPPED: JSONTestSuite not found at %s\n", dir);
        return;
    }
    while ((e = readdir(d)) != NULL)
    {
        char path[4096];
        unsigned char *b;
        size_t len = 0;
        JsonValidResult r, r0;
        int v, v0;

        if (strlen(e->d_name) < 3 || e->d_name[1] != '_' || !strstr(e->d_name, ".json"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        b = read_file(path, &len);
        if (!b)
        {
            n_fail++;
            printf("FAIL cannot read %s\n", path);
            continue;
        }
        check_fast(e->d_name, b, len);
        v = json_validate(b, len, 1, &r);
        v0 = json_validate(b, len, 0, &r0);
        if (r.offset > len || r0.offset > len)
        {
            n_fail++;
            printf("FAIL %s: offset beyond len\n", e->d_name);
        }
        if (e->d_name[0] == 'y')
        {
            if (v && v0)
                y_ok++, n_pass++;
            else
            {
                n_fail++;
                printf("FAIL %s rejected: %s @%zu\n", e->d_name, json_valid_reason(r.code), r.offset);
            }
        }
        else if (e->d_name[0] == 'n')
        {
            if (!v)
                n_ok++, n_pass++;
            else
            {
                n_fail++;
                printf("FAIL %s accepted\n", e->d_name);
            }
            if (v0)
            {
                n_acc_opaque++;
                printf("  note: %s accepted with check_utf8=0 (invalid UTF-8 only)\n", e->d_name);
            }
        }
        else if (e->d_name[0] == 'i')
        {
            printf("  %s: %s%s%s\n", e->d_name, v ? "accepted" : "rejected (",
                   v ? "" : json_valid_reason(r.code), v ? "" : ")");
            if (v)
                i_acc++;
            else
                i_rej++;
        }
        free(b);
    }
    closedir(d);
    printf("JSONTestSuite: y_ accepted %ld, n_ rejected %ld, i_ accepted %ld / rejected %ld "
           "(check_utf8=1); n_ accepted with check_utf8=0: %ld\n",
           y_ok, n_ok, i_acc, i_rej, n_acc_opaque);
}

/*
 * Snippets aimed at the fast path's carries between 64-byte blocks (numbers,
 * escapes, strings, literals), alone and inside an array and an object, each
 * at all 64 alignments (check_fast); the exact validator is the reference.
 */
static void
run_fast_edges(void)
{
    static const char *const snippets[] = {
        "0", "-0", "-01", "01", "00", "10", "1.5", "1.", ".5", "-.5", "-", "--1", "+1", "1e5", "1E+5", "1e-05",
        "1e", "1e+", "1e+-5", "1.5e3", "1.2.3", "1e5e5", "1e5.3", "1.5e3.2", "1.5.e3", "0e5", "0.0e-0", "-0.0E+0",
        "1-2", "1+2", "12345678901234567890.12345678901234567890e+12345678901234567890", "1x", "1true", "truex",
        "true", "false", "null", "tru", "nul", "nulll", "fals", "\"\"", "\"\\\"\"", "\"\\\\\"", "\"\\\\\\\"",
        "\"\\u12aF\"", "\"\\u12a\"", "\"\\u12aG\"", "\"\\uD800\\uDC00\"", "\"\\x\"", "\"\\ \"", "\"a\tb\"",
        "\"\\\\\\u0041\"", "\"\\\\u0041\"", "[1,2]", "{\"a\":1}", "[]", "{}", "[,]", "[1,]", "{\"a\"}", "\"\\/\"",
    };
    static const char *const wraps[][2] = { { "", "" }, { "[", "]" }, { "{\"k\":", "}" }, { "[1,", ",2]" } };
    size_t i, w;

    for (i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++)
        for (w = 0; w < sizeof(wraps) / sizeof(wraps[0]); w++)
        {
            char doc[256];
            int n = snprintf(doc, sizeof(doc), "%s%s%s", wraps[w][0], snippets[i], wraps[w][1]);

            check_fast(doc, (const unsigned char *) doc, (size_t) n);
        }
}

/*
 * Random documents glued from pieces that stress the fast path's carries
 * (numbers, escapes, literals, structure, control and non-ASCII bytes), most
 * of them invalid somewhere, each checked against the exact validator at
 * every alignment (check_fast).  A fixed seed: the same documents each run.
 */
static void
run_fast_random(void)
{
    static const char *const atoms[] = {
        "0", "1", "-", "+", ".", "e", "E", "9", "00", "-0", "1.5", "2e3", "true", "false", "null", "tru", "nul",
        "\"a\"", "\"\\\"\"", "\"\\u12ab\"", "\"\\u12g\"", "\"\\\\\"", "\\", "\"\\x\"", ",", ":", "[", "]", "{", "}",
        " ", "\n", "\t", "\"", "\x01", "\x0c", "\x1a", "\x80", "\xe9", "x", "a", "f", "t", "n", "u",
        "12345678901234567890", "-12.5e+7", "1e-5", "3.", ".3", "0.0", "-0.0e-0", "{\"k\":", "[1,", "\"\\uD83D\\uDE00\""
    };
    uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
    char doc[512];
    int i;

#define NEXT_RANDOM() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (i = 0; i < 40000; i++)
    {
        size_t len = 0;
        int k, n = 1 + (int) (NEXT_RANDOM() % 16);

        if (NEXT_RANDOM() % 2)
            doc[len++] = (NEXT_RANDOM() % 2) ? '[' : '{';
        for (k = 0; k < n; k++)
        {
            const char *a = atoms[NEXT_RANDOM() % (sizeof(atoms) / sizeof(atoms[0]))];
            size_t m = strlen(a);

            memcpy(doc + len, a, m);
            len += m;
        }
        if (NEXT_RANDOM() % 2)
            doc[len++] = (NEXT_RANDOM() % 2) ? ']' : '}';
        check_fast("random document", (const unsigned char *) doc, len);
    }
#undef NEXT_RANDOM
}

int
main(int argc, char **argv)
{
    run_table();
    run_fast_edges();
    run_fast_random();
    run_control_chars();
    run_block_edges();
    run_format();
    run_deep();
    run_big_string();
    if (argc > 1)
        run_suite(argv[1]);
    else
        printf("SKIPPED: JSONTestSuite (no path given)\n");
    if (json_fast_available())
        printf("two-stage fast path: agreed with the exact validator on %ld inputs (at all 64 block alignments up to 256 bytes, else %d)\n", n_fast, FAST_ALIGNMENTS);
    else
        printf("SKIPPED: two-stage fast path checks (not in this build or no AVX2/PCLMUL/BMI2 on this CPU)\n");
    printf("%s: %ld checks passed, %ld failed\n", n_fail ? "FAILED" : "OK", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
