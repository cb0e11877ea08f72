/*
 * gen_corpus.c
 *      Deterministic JSON benchmark corpus for bench/json/engine_bench.c.
 *
 * Usage: gen_corpus [outdir]   (default bench/json/corpus)
 *
 * Writes one file per class, one document per line (documents never contain
 * a raw newline; the "large" class is a single line):
 *   small.jsonl    ~300 B tool-call argument objects, many
 *   medium.jsonl   ~10 KB diagnostics objects with issue lists
 *   strings.jsonl  long strings with escapes and multi-byte UTF-8
 *   numbers.jsonl  arrays of floats and integers
 *   nested.jsonl   objects in arrays, depth 10-50
 *   large.jsonl    one document >= 100 MB mixing all of the above
 * Existing files of the expected size are kept (same seed, same bytes).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct Buf {
    char  *p;
    size_t len, cap;
} Buf;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned
rn(unsigned n)
{
    return (unsigned) (rnd() % n);
}

static void
reserve(Buf *b, size_t n)
{
    if (b->len + n + 1 > b->cap)
    {
        size_t c = b->cap ? b->cap : 4096;

        while (c < b->len + n + 1)
            c *= 2;
        b->p = realloc(b->p, c);
        if (!b->p)
        {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        b->cap = c;
    }
}

static void
put(Buf *b, const char *s)
{
    size_t n = strlen(s);

    reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void
putf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    reserve(b, 256);
    va_start(ap, fmt);
    n = vsnprintf(b->p + b->len, 256, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
}

static const char *words[] = {
    "session", "agent", "request", "token", "file", "path", "value", "error", "warning", "note",
    "function", "parameter", "unused", "variable", "expected", "declaration", "missing", "return",
    "type", "pointer", "integer", "conversion", "implicit", "loses", "precision", "build", "cache",
    "orchestration", "worker", "queue", "retry", "timeout", "context", "window", "state", "plan",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* UTF-8 words and JSON escapes used by the "strings" class */
static const char *mb_words[] = {
    "caf\xC3\xA9", "na\xC3\xAFve", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82",
    "\xE4\xB8\x96\xE7\x95\x8C", "\xF0\x9F\x98\x80", "\xE2\x82\xAC" "42",
    "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC",
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "stra\xC3\x9F" "e",
};
static const char *escapes[] = {
    "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\u00e9", "\\uD83D\\uDE00", "\\r\\n", "\\u0000",
};

static void
text(Buf *b, unsigned nwords)
{
    unsigned i;

    for (i = 0; i < nwords; i++)
    {
        if (i)
            put(b, " ");
        put(b, words[rn(NWORDS)]);
    }
}

static void
ident(Buf *b)
{
    putf(b, "%08llx%08llx", (unsigned long long) (rnd() & 0xFFFFFFFF), (unsigned long long) (rnd() & 0xFFFFFFFF));
}

static void
gen_small(Buf *b)
{
    put(b, "{\"id\":\"call_");
    ident(b);
    putf(b, "\",\"tool\":\"%s_%s\",\"args\":{\"path\":\"/src/%s/%s_%u.c\",",
         words[rn(NWORDS)], words[rn(NWORDS)], words[rn(NWORDS)], words[rn(NWORDS)], rn(1000));
    put(b, "\"query\":\"");
    text(b, 4 + rn(8));
    putf(b, "\",\"line\":%u,\"limit\":%u,\"recursive\":%s,\"timeout_ms\":%u.%u},",
         rn(5000), 10 + rn(200), rn(2) ? "true" : "false", rn(60000), rn(1000));
    putf(b, "\"ts\":%u.%03u,\"retry\":null}", 1700000000u + rn(10000000), rn(1000));
}

static void
gen_diag(Buf *b)
{
    static const char *sev[] = { "error", "warning", "note", "hint" };

    putf(b, "{\"severity\":\"%s\",\"code\":\"W%04u\",\"message\":\"", sev[rn(4)], rn(10000));
    text(b, 5 + rn(15));
    putf(b, " '%s'\",\"range\":{\"start\":{\"line\":%u,\"character\":%u},\"end\":{\"line\":%u,\"character\":%u}},",
         words[rn(NWORDS)], rn(3000), rn(120), rn(3000), rn(120));
    putf(b, "\"source\":\"%s\",\"tags\":[%u,%u],\"fixable\":%s,\"related\":[]}",
         rn(2) ? "clang" : "gcc", rn(3), rn(3), rn(2) ? "true" : "false");
}

static void
gen_medium(Buf *b)
{
    unsigned i, n = 30 + rn(20);

    putf(b, "{\"file\":\"/src/%s/%s.c\",\"version\":%u,\"diagnostics\":[", words[rn(NWORDS)], words[rn(NWORDS)], rn(100));
    for (i = 0; i < n; i++)
    {
        if (i)
            put(b, ",");
        gen_diag(b);
    }
    putf(b, "],\"summary\":{\"errors\":%u,\"warnings\":%u,\"elapsed_ms\":%u.%u}}", rn(10), rn(50), rn(9000), rn(100));
}

static void
gen_strings(Buf *b)
{
    size_t target = 2000 + rn(60000), start = b->len;

    put(b, "{\"lang\":\"mixed\",\"text\":\"");
    while (b->len - start < target)
    {
        unsigned k = rn(10);

        if (k < 6)
            put(b, words[rn(NWORDS)]);
        else if (k < 9)
            put(b, mb_words[rn(sizeof(mb_words) / sizeof(mb_words[0]))]);
        else
            put(b, escapes[rn(sizeof(escapes) / sizeof(escapes[0]))]);
        put(b, rn(8) ? " " : ", ");
    }
    put(b, "\",\"notes\":[\"");
    text(b, 10);
    put(b, "\\n\",\"\xE2\x9C\x93 ok\"]}");
}

static void
gen_numbers(Buf *b)
{
    unsigned i, n = 200 + rn(2000);

    put(b, "[");
    for (i = 0; i < n; i++)
    {
        unsigned k = rn(6);

        if (i)
            put(b, ",");
        if (k == 0)
            putf(b, "%u", rn(100));
        else if (k == 1)
            putf(b, "-%llu", (unsigned long long) (rnd() >> 20));
        else if (k == 2)
            putf(b, "%.17g", (double) rnd() / 1e10);
        else if (k == 3)
            putf(b, "%.6e", ((double) rn(2000000) - 1e6) * 1e-9);
        else if (k == 4)
            putf(b, "%u.%u", rn(100000), rn(1000));
        else
            putf(b, "-0.%06u", rn(1000000));
    }
    put(b, "]");
}

static void
gen_nested(Buf *b)
{
    unsigned depth = 10 + rn(41), d, i;

    for (d = 0; d < depth; d++)
    {
        putf(b, "{\"id\":%u,\"name\":\"%s\",\"meta\":{\"a\":%u,\"b\":[%u,%u]},\"children\":[", d, words[rn(NWORDS)], rn(10), rn(10), rn(10));
        for (i = rn(3); i > 0; i--)
            putf(b, "{\"leaf\":\"%s\",\"v\":%u},", words[rn(NWORDS)], rn(1000));
    }
    put(b, "null");
    for (d = 0; d < depth; d++)
        put(b, rn(2) ? "],\"ok\":true}" : "]}");
}

typedef void (*GenFn) (Buf *);

/* Writes ndocs documents (or until target bytes) one per line. */
static void
write_class(const char *dir, const char *name, GenFn fn, size_t target)
{
    char path[4096];
    Buf b = { 0 };
    FILE *f;
    struct stat st;
    size_t docs = 0;

    snprintf(path, sizeof(path), "%s/%s.jsonl", dir, name);
    while (b.len < target)
    {
        fn(&b);
        put(&b, "\n");
        docs++;
    }
    if (stat(path, &st) == 0 && (size_t) st.st_size == b.len)
    {
        printf("%-8s %zu docs, %zu bytes (kept %s)\n", name, docs, b.len, path);
        free(b.p);
        return;
    }
    f = fopen(path, "wb");
    if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0)
    {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    printf("%-8s %zu docs, %zu bytes -> %s\n", name, docs, b.len, path);
    free(b.p);
}

/* The large class: one array of mixed records, >= 100 MB, on one line. */
static void
gen_large(Buf *b)
{
    size_t i = 0;

    put(b, "{\"kind\":\"export\",\"records\":[");
    while (b->len < 100u * 1024 * 1024)
    {
        if (i++)
            put(b, ",");
        switch (rn(5))
        {
            case 0: gen_small(b); break;
            case 1: gen_medium(b); break;
            case 2: gen_strings(b); break;
            case 3: gen_numbers(b); break;
            default: gen_nested(b); break;
        }
    }
    put(b, "]}");
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "bench/json/corpus";
    const size_t class_bytes = 32u * 1024 * 1024;

    mkdir(dir, 0777);
    rng_state = 1;
    rnd();
    write_class(dir, "small", gen_small, class_bytes);
    write_class(dir, "medium", gen_medium, class_bytes);
    write_class(dir, "strings", gen_strings, class_bytes);
    write_class(dir, "numbers", gen_numbers, class_bytes);
    write_class(dir, "nested", gen_nested, class_bytes);
    write_class(dir, "large", gen_large, 1);
    return 0;
}
