/*
 * engine_bench.c
 *      Throughput of src/json_valid.c against PostgreSQL's pg_parse_json()
 *      (frontend libpgcommon, nullSemAction), SQLite's json_valid() and a
 *      byte-reading floor (memchr for an absent byte), on the same in-memory
 *      documents.
 *
 * Usage: engine_bench [corpusdir] [runs]   (corpus from gen_corpus; one document per line)
 *
 * Every engine must call every document valid (abort otherwise).  Each cell
 * is the median of `runs` passes over all documents of the class.
 */
#include "postgres_fe.h"
#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

#include <sqlite3.h>
#include <time.h>

#include "json_valid.h"
#include "json_fast.h"

typedef struct Doc {
    char  *p;
    size_t len;
} Doc;

typedef struct Corpus {
    char  *data;
    Doc   *docs;
    size_t ndocs, bytes;
} Corpus;

static sqlite3 *db;
static sqlite3_stmt *stmt;
static volatile size_t sink;

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
load(const char *path, Corpus *c)
{
    FILE *f = fopen(path, "rb");
    long n;
    size_t i, start, cap = 1024;

    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    c->data = malloc((size_t) n + 1);
    if (!c->data || fread(c->data, 1, (size_t) n, f) != (size_t) n)
    {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    c->docs = malloc(cap * sizeof(Doc));
    c->ndocs = 0;
    c->bytes = 0;
    for (i = 0, start = 0; i < (size_t) n; i++)
    {
        if (c->data[i] != '\n')
            continue;
        c->data[i] = '\0';      /* documents become C strings; the NUL is not counted */
        if (c->ndocs == cap)
            c->docs = realloc(c->docs, (cap *= 2) * sizeof(Doc));
        c->docs[c->ndocs].p = c->data + start;
        c->docs[c->ndocs].len = i - start;
        c->bytes += i - start;
        c->ndocs++;
        start = i + 1;
    }
    return 1;
}

typedef size_t (*EngineFn) (const Doc *d);

static size_t
eng_ours0(const Doc *d)
{
    return (size_t) json_validate((const unsigned char *) d->p, d->len, 0, NULL);
}

static size_t
eng_ours1(const Doc *d)
{
    return (size_t) json_validate((const unsigned char *) d->p, d->len, 1, NULL);
}

/* json_validate() with the fast path held to its AVX2 classifier (on a CPU that has AVX-512). */
static size_t
eng_ours0_avx2(const Doc *d)
{
    size_t v;

    json_fast_set_max_isa(2);
    v = (size_t) json_validate((const unsigned char *) d->p, d->len, 0, NULL);
    json_fast_set_max_isa(512);
    return v;
}

/* The byte-exact validator alone (what json_validate() was before the two-stage fast path). */
static size_t
eng_exact0(const Doc *d)
{
    return (size_t) json_validate_exact((const unsigned char *) d->p, d->len, 0, NULL);
}

static size_t
eng_pg(const Doc *d)
{
#if PG_VERSION_NUM >= 170000
    /* 17 takes the context first (NULL: allocated) and frees it itself */
    JsonLexContext *lex = makeJsonLexContextCstringLen(NULL, d->p, d->len, PG_UTF8, false);
    JsonParseErrorType r = pg_parse_json(lex, &nullSemAction);

    freeJsonLexContext(lex);
#else
    JsonLexContext *lex = makeJsonLexContextCstringLen(d->p, (int) d->len, PG_UTF8, false);
    JsonParseErrorType r = pg_parse_json(lex, &nullSemAction);

    pfree(lex);
#endif
    return r == JSON_SUCCESS;
}

static size_t
sqlite_valid(const char *p, size_t len)
{
    size_t v;

    if (sqlite3_bind_text(stmt, 1, p, (int) len, SQLITE_STATIC) != SQLITE_OK
        || sqlite3_step(stmt) != SQLITE_ROW)
    {
        fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    v = (size_t) sqlite3_column_int(stmt, 0);
    sqlite3_reset(stmt);
    return v;
}

static size_t
eng_sqlite(const Doc *d)
{
    return sqlite_valid(d->p, d->len);
}

/* Per-call overhead of the prepared statement: json_valid('') instead of the document. */
static size_t
eng_sqlite_empty(const Doc *d)
{
    return 1 - sqlite_valid("", 0);
}

/* Floor: read every byte once (memchr for a byte that never occurs). */
static size_t
eng_floor(const Doc *d)
{
    return memchr(d->p, 0x01, d->len) == NULL;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

/* Median seconds for one pass of fn over the corpus; aborts if any document is judged invalid. */
static double
measure(const char *name, EngineFn fn, const Corpus *c, int runs)
{
    double t[64];
    int r;

    if (runs > 64)
        runs = 64;
    for (r = 0; r < runs; r++)
    {
        size_t i, ok = 0;
        double t0 = now_sec();

        for (i = 0; i < c->ndocs; i++)
            ok += fn(&c->docs[i]);
        t[r] = now_sec() - t0;
        if (ok != c->ndocs)
        {
            fprintf(stderr, "engine %s rejected %zu of %zu documents\n", name, c->ndocs - ok, c->ndocs);
            abort();
        }
        sink += ok;
    }
    qsort(t, (size_t) runs, sizeof(double), cmp_double);
    return t[runs / 2];
}

int
main(int argc, char **argv)
{
    static const char *classes[] = { "small", "medium", "strings", "numbers", "nested", "large" };
    const char *dir = argc > 1 ? argv[1] : "bench/json/corpus";
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    size_t k;

    if (runs < 1)
        runs = 1;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK
        || sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &stmt, NULL) != SQLITE_OK)
    {
        fprintf(stderr, "cannot prepare SQLite statement\n");
        return 1;
    }
    printf("MB/s = 1e6 bytes/s, median of %d runs; SQLite %s; ratios use ours(check_utf8=0)\n", runs, sqlite3_libversion());
    printf("fast path classifier: %s\n", json_fast_isa() == 512 ? "AVX-512BW (ours0-a2: the same held to AVX2)"
           : json_fast_isa() == 2 ? "AVX2" : "none (this CPU or build: the exact validator runs alone)");
    printf("%-8s %6s %10s | %8s %8s %8s %8s %8s %8s %8s %8s %8s | %6s %6s %6s %6s %6s %6s\n",
           "class", "docs", "bytes", "ours0", "ours0-a2", "ours1", "exact0", "pg", "sqlite", "sq-net", "sq-us/c", "floor",
           "o/pg", "a2/pg", "o/sq", "o/sqn", "fl/o", "o/ex");
    for (k = 0; k < sizeof(classes) / sizeof(classes[0]); k++)
    {
        char path[4096];
        Corpus c;
        double t_o0, t_a2, t_o1, t_ex, t_pg, t_sq, t_sqe, t_fl, mb;

        snprintf(path, sizeof(path), "%s/%s.jsonl", dir, classes[k]);
        if (!load(path, &c))
        {
            printf("%-8s missing %s\n", classes[k], path);
            continue;
        }
        mb = c.bytes / 1e6;
        t_o0 = measure("ours0", eng_ours0, &c, runs);
        t_a2 = json_fast_isa() == 512 ? measure("ours0-avx2", eng_ours0_avx2, &c, runs) : t_o0;
        t_o1 = measure("ours1", eng_ours1, &c, runs);
        t_ex = measure("exact0", eng_exact0, &c, runs);
        t_pg = measure("pg_parse_json", eng_pg, &c, runs);
        t_sq = measure("sqlite", eng_sqlite, &c, runs);
        t_sqe = measure("sqlite-empty", eng_sqlite_empty, &c, runs);
        t_fl = measure("floor", eng_floor, &c, runs);
        printf("%-8s %6zu %10zu | %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8.3f %8.0f | %6.1f %6.1f %6.1f %6.1f %6.2f %6.2f\n",
               classes[k], c.ndocs, c.bytes,
               mb / t_o0, mb / t_a2, mb / t_o1, mb / t_ex, mb / t_pg, mb / t_sq,
               t_sq > t_sqe ? mb / (t_sq - t_sqe) : 0.0, t_sqe / c.ndocs * 1e6, mb / t_fl,
               t_pg / t_o0, t_pg / t_a2, t_sq / t_o0, (t_sq - t_sqe) / t_o0, t_o0 / t_fl, t_ex / t_o0);
        fflush(stdout);
        free(c.data);
        free(c.docs);
    }
    printf("columns: ours0/ours1 = json_validate check_utf8=0/1 (two-stage fast path, then the exact validator for anything "
           "not valid); ours0-a2 = ours0 with the AVX2 classifier, a2/pg its ratio; exact0 = the byte-exact validator alone "
           "(json_validate_exact, check_utf8=0), o/ex = ours0 / exact0; sq-net = SQLite minus the per-call cost "
           "of json_valid(''); sq-us/c = that cost in microseconds per call; o/pg, o/sq, o/sqn = "
           "speedup of ours0; fl/o = how many times slower ours0 is than the floor\n");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return (int) (sink & 0);
}
