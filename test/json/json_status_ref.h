/*
 * json_status_ref.h
 *      Shared by test/json/json_core_test.c and fuzz/json_valid_fuzz.c: a
 *      reference for json_top_member() + json_unescape_string() (the core of
 *      orchestration_diagnostics_status), written differently on purpose: a
 *      recursive-descent reader that decodes every member name completely
 *      and compares whole strings.  For documents json_validate() accepts;
 *      recursion depth = nesting depth (callers keep it small).
 */
#ifndef JSON_STATUS_REF_H
#define JSON_STATUS_REF_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define REF_NONE 0              /* not an object, or no such member */
#define REF_STRING 1            /* the last such member is a string that unescapes fine: out[0..out_len) */
#define REF_BAD_STRING 2        /* ... a string with \u0000 or a lone surrogate escape */
#define REF_OTHER 3             /* ... not a string */

typedef struct RefReader {
    const unsigned char *p, *end;
} RefReader;

static void
ref_ws(RefReader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static unsigned
ref_hex(const unsigned char *p)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++)
    {
        int c = p[i];

        v *= 16;
        if (c >= '0' && c <= '9')
            v += (unsigned) (c - '0');
        else if (c >= 'a' && c <= 'f')
            v += (unsigned) (c - 'a' + 10);
        else
            v += (unsigned) (c - 'A' + 10);
    }
    return v;
}

static size_t
ref_put_utf8(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80)
        return o[0] = (unsigned char) cp, 1;
    if (cp < 0x800)
        return o[0] = (unsigned char) (0xC0 + cp / 64), o[1] = (unsigned char) (0x80 + cp % 64), 2;
    if (cp < 0x10000)
        return o[0] = (unsigned char) (0xE0 + cp / 4096), o[1] = (unsigned char) (0x80 + cp / 64 % 64),
            o[2] = (unsigned char) (0x80 + cp % 64), 3;
    return o[0] = (unsigned char) (0xF0 + cp / 262144), o[1] = (unsigned char) (0x80 + cp / 4096 % 64),
        o[2] = (unsigned char) (0x80 + cp / 64 % 64), o[3] = (unsigned char) (0x80 + cp % 64), 4;
}

/*
 * r->p at an opening quote: decodes the string into out (room for its
 * length), moves past the closing quote; *bad = 1 for \u0000 or a lone
 * surrogate (then out is incomplete).  Returns the decoded length.
 */
static size_t
ref_string(RefReader *r, unsigned char *out, int *bad)
{
    size_t n = 0;
    unsigned long pending_high = 0;     /* a high surrogate waiting for its low half */

    *bad = 0;
    r->p++;
    for (;;)
    {
        unsigned c = *r->p;

        if (c == '\\' && r->p[1] == 'u')
        {
            unsigned long cp = ref_hex(r->p + 2);

            r->p += 6;
            if (pending_high)
            {
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                {
                    n += ref_put_utf8(out + n, 0x10000 + (pending_high - 0xD800) * 1024 + (cp - 0xDC00));
                    pending_high = 0;
                    continue;
                }
                *bad = 1;
                pending_high = 0;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF)
                pending_high = cp;
            else if (cp >= 0xDC00 && cp <= 0xDFFF)
                *bad = 1;
            else if (cp == 0)
                *bad = 1;
            else
                n += ref_put_utf8(out + n, cp);
            continue;
        }
        if (pending_high)
        {
            *bad = 1;
            pending_high = 0;
        }
        if (c == '"')
        {
            r->p++;
            return n;
        }
        if (c == '\\')
        {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *k = strchr(from, r->p[1]);

            out[n++] = (unsigned char) to[k - from];
            r->p += 2;
            continue;
        }
        out[n++] = (unsigned char) c;
        r->p++;
    }
}

static void
ref_skip_value(RefReader *r)
{
    unsigned char *scratch;
    int bad;

    ref_ws(r);
    switch (*r->p)
    {
        case '"':
            scratch = malloc((size_t) (r->end - r->p) + 1);
            ref_string(r, scratch, &bad);
            free(scratch);
            break;
        case '[':
            r->p++;
            ref_ws(r);
            if (*r->p == ']')
            {
                r->p++;
                break;
            }
            for (;;)
            {
                ref_skip_value(r);
                ref_ws(r);
                if (*r->p++ == ']')
                    break;
            }
            break;
        case '{':
            r->p++;
            ref_ws(r);
            if (*r->p == '}')
            {
                r->p++;
                break;
            }
            for (;;)
            {
                ref_ws(r);
                ref_skip_value(r);      /* the name */
                ref_ws(r);
                r->p++;                 /* ':' */
                ref_skip_value(r);
                ref_ws(r);
                if (*r->p++ == '}')
                    break;
            }
            break;
        default:                        /* number or literal */
            while (r->p < r->end && strchr(" \t\n\r,]}", *r->p) == NULL)
                r->p++;
    }
}

/*
 * The answer for doc[0..len) (valid JSON) and key: REF_*; for REF_STRING the
 * unescaped value (UTF-8 for \u escapes) in a malloc'd *out, *out_len.
 */
static int
ref_top_member(const unsigned char *doc, size_t len, const char *key, unsigned char **out, size_t *out_len)
{
    RefReader r;
    int kind = REF_NONE;
    unsigned char *name = malloc(len + 1);
    unsigned char *value = malloc(len + 1);
    size_t keylen = strlen(key);

    *out = NULL;
    *out_len = 0;
    r.p = doc;
    r.end = doc + len;
    ref_ws(&r);
    if (*r.p == '{')
    {
        r.p++;
        ref_ws(&r);
        if (*r.p != '}')
            for (;;)
            {
                int bad, match;
                size_t n;

                ref_ws(&r);
                n = ref_string(&r, name, &bad);
                match = !bad && n == keylen && memcmp(name, key, keylen) == 0;
                ref_ws(&r);
                r.p++;                  /* ':' */
                ref_ws(&r);
                if (*r.p == '"')
                {
                    n = ref_string(&r, value, &bad);
                    if (match)
                    {
                        kind = bad ? REF_BAD_STRING : REF_STRING;
                        free(*out);
                        *out = malloc(n + 1);
                        memcpy(*out, value, n);
                        *out_len = n;
                    }
                }
                else
                {
                    ref_skip_value(&r);
                    if (match)
                        kind = REF_OTHER;
                }
                ref_ws(&r);
                if (*r.p++ == '}')
                    break;
            }
    }
    free(name);
    free(value);
    if (kind != REF_STRING)
    {
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return kind;
}

/*
 * The core's answer in the same terms: json_top_member + json_unescape_string
 * (UTF-8 for \u escapes).
 */
static int
core_top_member(const unsigned char *doc, size_t len, const char *key, unsigned char **out, size_t *out_len)
{
    size_t vs = 0, vl = 0;
    JsonMemberKind k = json_top_member(doc, len, key, strlen(key), &vs, &vl);
    JsonUnescapeCode u;

    *out = NULL;
    *out_len = 0;
    if (k == JM_NONE)
        return REF_NONE;
    if (k == JM_OTHER)
        return REF_OTHER;
    *out = malloc(vl + 1);
    u = json_unescape_string(doc + vs, vl, *out, out_len, NULL, NULL);
    if (u != JU_OK)
    {
        free(*out);
        *out = NULL;
        *out_len = 0;
        return REF_BAD_STRING;
    }
    return REF_STRING;
}

#endif /* JSON_STATUS_REF_H */
