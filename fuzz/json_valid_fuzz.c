/*
 * json_valid_fuzz.c
 *      libFuzzer harness for src/json_valid.c, differential against SQLite's
 *      json_valid() (SQLite 3.40, linked with -lsqlite3).
 *
 * For every input:
 *   - the same input padded with whitespace (check_padded: the long-document
 *     code path against the short one);
 *   - json_validate() with check_utf8 = 0 and 1: offsets within [0, len],
 *     return value consistent with the code; on valid UTF-8 input both modes
 *     give the identical result; on invalid UTF-8 check_utf8 = 1 rejects;
 *     json_valid_format_error() produces a NUL-terminated string.
 *   - SQLite json_valid(?1) on the input bound as TEXT must agree with
 *     json_validate(), allowing only for these documented, intended
 *     differences (docs/json-differences.md):
 *       * an embedded NUL byte: SQLite's parser stops at the NUL and judges
 *         only the prefix; we judge all len bytes.  So SQLite is compared
 *         with our verdict on the prefix before the first NUL;
 *       * invalid UTF-8: SQLite 3.40 treats bytes >= 0x80 in strings as
 *         opaque, so valid UTF-8 is compared with check_utf8 = 1 and invalid
 *         UTF-8 with check_utf8 = 0 (check_utf8 = 1 must reject it, checked
 *         above);
 *       * nesting deeper than 1000: SQLite rejects beyond JSON_MAX_DEPTH
 *         (2000); we have no depth limit.  Such inputs are skipped.
 *     Any other disagreement aborts with __builtin_trap().
 *
 * LLVMFuzzerInitialize() first asserts that the linked SQLite really behaves
 * as documented for these edge cases, so a different SQLite version is
 * noticed instead of silently producing false alarms.
 *
 * Also, for orchestration_diagnostics_status's core: on every input that
 * json_validate() accepts, json_top_member() + json_unescape_string() must
 * give what the recursive reference in test/json/json_status_ref.h gives
 * (for the names "status" and "a"); on every input, json_top_member() and
 * json_valid_format_error_enc() with each way of counting characters must
 * stay inside the buffer (ASan).
 */
#include "json_valid.h"
#include "json_fast.h"
#include "fast_alignments.h"
#include "json_status_ref.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKIP_DEPTH 1000

static sqlite3 *db;
static sqlite3_stmt *stmt;
static unsigned long n_inputs, n_compared, n_valid;

static unsigned long n_key_quirk;
static unsigned long n_member_checked;  /* valid inputs the member scan was compared on */
static unsigned long n_fast_checked;   /* inputs the fast path was compared on, see check_fast() */   /* SQLite's container-as-key quirk, see key_quirk() */

static void
print_stats(void)
{
    fprintf(stderr, "json_valid_fuzz: %lu inputs, %lu compared with SQLite (%lu valid), %lu skipped"
            " (%lu of them SQLite's container-as-key quirk); two-stage fast path compared with the exact"
            " validator on %lu%s; top-level member scan compared with the reference on %lu\n",
            n_inputs, n_compared, n_valid, n_inputs - n_compared, n_key_quirk, n_fast_checked,
            json_fast_available() ? "" : " (SKIPPED: no AVX2/PCLMUL/BMI2 on this CPU)", n_member_checked);
}

/* SQLite's json_valid() on buf[0..len) bound as TEXT. */
static int
sqlite_json_valid(const unsigned char *buf, size_t len)
{
    int v;

    if (sqlite3_bind_text(stmt, 1, (const char *) buf, (int) len, SQLITE_STATIC) != SQLITE_OK
        || sqlite3_step(stmt) != SQLITE_ROW)
    {
        fprintf(stderr, "sqlite error: %s\n", sqlite3_errmsg(db));
        __builtin_trap();
    }
    v = sqlite3_column_int(stmt, 0);
    sqlite3_reset(stmt);
    return v;
}

/* Independent, deliberately simple strict UTF-8 check (not the one under test). */
static int
valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n)
    {
        uint32_t c = s[i], cp;
        size_t k, need;

        if (c < 0x80)
        {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            need = 1, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            need = 2, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
            need = 3, cp = c & 0x07;
        else
            return 0;
        if (i + need >= n)
            return 0;
        for (k = 1; k <= need; k++)
        {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000)
            || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Maximum bracket nesting outside strings (an upper bound of what SQLite's parser reaches). */
static size_t
max_depth(const unsigned char *s, size_t n)
{
    size_t i, d = 0, m = 0;
    int in_str = 0;

    for (i = 0; i < n; i++)
    {
        unsigned char c = s[i];

        if (in_str)
        {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        }
        else if (c == '"')
            in_str = 1;
        else if (c == '[' || c == '{')
        {
            if (++d > m)
                m = d;
        }
        else if ((c == ']' || c == '}') && d > 0)
            d--;
    }
    return m;
}

static void
expect_sqlite(const char *what, const unsigned char *s, size_t n, int want)
{
    if (sqlite_json_valid(s, n) != want)
    {
        fprintf(stderr, "SQLite does not behave as documented: %s (expected %d)\n", what, want);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * SQLite 3.40 accepts an array or object as an object key when the last
 * node it parsed inside it is a string ({["a"]:1}, {{"a":"b"}:1}): its key
 * check looks only at that node.  RFC 8259 requires a string key; we reject.
 * True when our verdict failed exactly there: JV_EXPECTED_KEY on '[' or '{'.
 */
static int
key_quirk(const uint8_t *data, size_t n, int check_utf8)
{
    JsonValidResult r;

    if (json_validate(data, n, check_utf8, &r))
        return 0;
    return r.code == JV_EXPECTED_KEY && r.offset < n
        && (data[r.offset] == '[' || data[r.offset] == '{');
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static unsigned char deep[2 * 2001];

    if (sqlite3_open(":memory:", &db) != SQLITE_OK
        || sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &stmt, NULL) != SQLITE_OK)
    {
        fprintf(stderr, "cannot prepare SQLite statement\n");
        abort();
    }
    /* The edge cases the skips below rely on (see docs/json-differences.md). */
    expect_sqlite("raw control char in string rejected", (const unsigned char *) "\"a\x01\"", 4, 0);
    expect_sqlite("raw DEL in string accepted", (const unsigned char *) "\"a\x7f\"", 4, 1);
    expect_sqlite("invalid UTF-8 in string accepted", (const unsigned char *) "\"\xC0\xAF\xFF\"", 5, 1);
    expect_sqlite("encoded surrogate accepted", (const unsigned char *) "\"\xED\xA0\x80\"", 5, 1);
    expect_sqlite("NUL ends the text", (const unsigned char *) "1\0x", 3, 1);
    expect_sqlite("form feed is not whitespace", (const unsigned char *) "\f1", 2, 0);
    expect_sqlite("vertical tab is not whitespace", (const unsigned char *) "1\v", 2, 0);
    expect_sqlite("JSON5 comment rejected", (const unsigned char *) "[1/**/]", 7, 0);
    expect_sqlite("JSON5 trailing comma rejected", (const unsigned char *) "[1,]", 4, 0);
    expect_sqlite("JSON5 hex rejected", (const unsigned char *) "0x1", 3, 0);
    expect_sqlite("JSON5 unquoted key rejected", (const unsigned char *) "{a:1}", 5, 0);
    expect_sqlite("BOM rejected", (const unsigned char *) "\xEF\xBB\xBF" "1", 4, 0);
    expect_sqlite("lone surrogate escape accepted", (const unsigned char *) "\"\\uD800\"", 8, 1);
    expect_sqlite("empty rejected", (const unsigned char *) "", 0, 0);
    /* SQLite 3.40 only checks that the last node parsed for a key is a string. */
    expect_sqlite("container ending in a string accepted as key", (const unsigned char *) "{[1,\"a\"]:1}", 11, 1);
    expect_sqlite("container ending in a non-string rejected as key", (const unsigned char *) "{[\"a\",1]:1}", 11, 0);
    memset(deep, '[', 2000);
    memset(deep + 2000, ']', 2000);
    expect_sqlite("depth 2000 accepted", deep, 4000, 1);
    memset(deep, '[', 2001);
    memset(deep + 2001, ']', 2001);
    expect_sqlite("depth 2001 rejected", deep, 4002, 0);
    atexit(print_stats);
    return 0;
}

/*
 * Documents of 512 bytes and more are scanned with a different (SSE2 window)
 * code path than short ones, and the last ~200 bytes of any document with the
 * short one.  So every input is also validated with PAD spaces on both sides,
 * which puts all of it under the window path, and compared with the verdict
 * on the bare input (the short path): whitespace around a JSON text never
 * changes validity, and an error found more than 4 bytes before the end
 * (so not caused by the end of input, not inside a truncated UTF-8 sequence)
 * must be the same error PAD bytes further on.
 */
#define PAD 600

static void
check_padded(const uint8_t *data, size_t size, int check_utf8, int v, const JsonValidResult *r)
{
    static uint8_t *buf;
    static size_t cap;
    JsonValidResult rp;
    int vp;

    if (cap < size + 2 * PAD)
    {
        free(buf);
        cap = size + 2 * PAD;
        buf = malloc(cap);
        if (buf == NULL)
            abort();
    }
    memset(buf, ' ', PAD);
    memcpy(buf + PAD, data, size);
    memset(buf + PAD + size, ' ', PAD);
    vp = json_validate(buf, size + 2 * PAD, check_utf8, &rp);
    if (vp != v)
    {
        fprintf(stderr, "PADDED DISAGREEMENT: bare %d, padded %d (check_utf8=%d)\n", v, vp, check_utf8);
        __builtin_trap();
    }
    if (!v && r->offset + 4 < size && (rp.code != r->code || rp.offset != r->offset + PAD))
    {
        fprintf(stderr, "PADDED ERROR MISMATCH: bare code %d at %zu, padded code %d at %zu (check_utf8=%d)\n",
                (int) r->code, r->offset, (int) rp.code, rp.offset - PAD, check_utf8);
        __builtin_trap();
    }
}

static int
mblen_euc(const unsigned char *s)
{
    return s[0] == 0x8F ? 3 : 2;
}

/* The member scan against the reference (valid input), and the new readers' bounds (any input). */
static void
check_members(const uint8_t *data, size_t size, int valid)
{
    static const JsonValidEncoding encs[3] = { { JV_CHARS_UTF8, NULL }, { JV_CHARS_BYTES, NULL },
                                               { JV_CHARS_MBLEN, mblen_euc } };
    static const char *const keys[2] = { "status", "a" };
    JsonValidResult r;
    char msg[JSON_VALID_ERROR_MAX];
    size_t vs, vl;
    int i;

    (void) json_top_member(data, size, "status", 6, &vs, &vl);
    if (!json_validate(data, size, 0, &r))
        for (i = 0; i < 3; i++)
            if (json_valid_format_error_enc(data, size, &r, &encs[i], msg, sizeof(msg)) >= sizeof(msg))
                __builtin_trap();
    if (!valid)
        return;
    for (i = 0; i < 2; i++)
    {
        unsigned char *v1, *v2;
        size_t n1, n2;
        int k1 = core_top_member(data, size, keys[i], &v1, &n1);
        int k2 = ref_top_member(data, size, keys[i], &v2, &n2);

        if (k1 != k2 || n1 != n2 || (n1 && memcmp(v1, v2, n1) != 0))
        {
            fprintf(stderr, "MEMBER DISAGREEMENT for \"%s\": core %d (%zu bytes), reference %d (%zu bytes)\n",
                    keys[i], k1, n1, k2, n2);
            __builtin_trap();
        }
        free(v1);
        free(v2);
    }
    n_member_checked++;
}

/* The two-stage fast path against the exact validator, at every block alignment (fast_alignments.h). */
static void
check_fast(const uint8_t *data, size_t size)
{
    int fast, exact;
    long at = fast_alignments_disagree(data, size, 0, &fast, &exact);

    if (at >= 0)
    {
        fprintf(stderr, "FAST PATH DISAGREEMENT: fast %d, exact %d (%zu bytes behind %ld spaces)\n",
                fast, exact, size, at);
        __builtin_trap();
    }
    n_fast_checked++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JsonValidResult r0, r1;
    int v0, v1, utf8ok, sq;
    char msg[128];

    n_inputs++;
    v0 = json_validate(data, size, 0, &r0);
    v1 = json_validate(data, size, 1, &r1);
    if (r0.offset > size || r1.offset > size)
        __builtin_trap();
    if (v0 != (r0.code == JV_OK) || v1 != (r1.code == JV_OK))
        __builtin_trap();
    if (json_validate(data, size, 1, NULL) != v1)
        __builtin_trap();
    if (v1 && !v0)
        __builtin_trap();       /* the UTF-8 check can only reject more */
    if (!v1)
    {
        size_t n = json_valid_format_error(data, size, &r1, msg, sizeof(msg));

        if (strlen(msg) != (n < sizeof(msg) ? n : sizeof(msg) - 1))
            __builtin_trap();
    }

    if (json_fast_available())
        check_fast(data, size);
    check_members(data, size, v0);
    check_padded(data, size, 0, v0, &r0);
    check_padded(data, size, 1, v1, &r1);

    utf8ok = valid_utf8(data, size);
    if (utf8ok)
    {
        if (v0 != v1 || r0.code != r1.code || r0.offset != r1.offset)
            __builtin_trap();
    }
    else if (v1)
        __builtin_trap();       /* invalid UTF-8 must be rejected with check_utf8 = 1 */

    /*
     * Differential against SQLite.  SQLite reads the bound text only up to a
     * NUL, so it is compared with our verdict on that same prefix; it treats
     * bytes >= 0x80 as opaque, so invalid UTF-8 is compared with
     * check_utf8 = 0 and valid UTF-8 with check_utf8 = 1; deep nesting is
     * skipped (SQLite's depth limit).
     */
    {
        const uint8_t *nul = memchr(data, 0, size);
        size_t n = nul ? (size_t) (nul - data) : size;
        int prefix_utf8 = nul ? valid_utf8(data, n) : utf8ok;
        int ours;

        if (max_depth(data, n) > SKIP_DEPTH)
            return 0;
        ours = nul ? json_validate(data, n, prefix_utf8, NULL) : (utf8ok ? v1 : v0);
        sq = sqlite_json_valid(data, size);
        if (sq && !ours && key_quirk(data, n, prefix_utf8))
        {
            n_key_quirk++;
            return 0;
        }
        n_compared++;
        n_valid += (unsigned long) sq;
        if (sq != ours)
        {
            fprintf(stderr, "DISAGREEMENT: sqlite %d, json_validate %d (check_utf8=%d, %zu of %zu bytes)\n",
                    sq, ours, prefix_utf8, n, size);
            __builtin_trap();
        }
    }
    return 0;
}
