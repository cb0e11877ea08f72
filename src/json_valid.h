/*
 * json_valid.h
 *      Standalone RFC 8259 JSON validator (no PostgreSQL headers).
 *
 * Accepts exactly what SQLite's json_valid() accepts for well-formed JSON
 * text: any value at top level, only space/\t/\n/\r as whitespace, no JSON5,
 * no BOM, no comments.  Iterative with a 1-bit-per-level container stack, so
 * any nesting depth works in constant stack space.  See
 * docs/json-differences.md for where results differ from PostgreSQL's json
 * type and from SQLite.
 */
#ifndef JSON_VALID_H
#define JSON_VALID_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum JsonValidCode {
    JV_OK = 0,
    JV_EMPTY,                 /* no value at all: empty input or whitespace only */
    JV_EXPECTED_VALUE,        /* expected a JSON value */
    JV_EXPECTED_ARRAY_NEXT,   /* expected ',' or ']' after array element */
    JV_EXPECTED_OBJECT_NEXT,  /* expected ',' or '}' after object member */
    JV_EXPECTED_KEY,          /* expected string key (or '}' right after '{') */
    JV_EXPECTED_COLON,        /* expected ':' after object key */
    JV_BAD_LITERAL,           /* invalid literal (true/false/null misspelt) */
    JV_BAD_NUMBER,            /* malformed number (leading zero, missing digits after '-', '.', 'e') */
    JV_BAD_ESCAPE,            /* invalid escape sequence in string */
    JV_BAD_UNICODE_ESCAPE,    /* \u not followed by 4 hex digits */
    JV_CONTROL_CHAR,          /* unescaped control character (U+0000..U+001F) in string */
    JV_UNTERMINATED_STRING,   /* end of input inside a string */
    JV_BAD_UTF8,              /* invalid UTF-8 (only when check_utf8 is set) */
    JV_TRAILING_CONTENT,      /* garbage after a complete value */
    JV_UNEXPECTED_END,        /* input ended inside an array/object/literal/number */
    JV_OUT_OF_MEMORY          /* nesting stack could not grow */
} JsonValidCode;

typedef struct JsonValidResult {
    JsonValidCode code;
    size_t        offset;   /* byte offset of the first offending byte; == len when the input ended too early */
} JsonValidResult;

/*
 * Returns 1 when buf[0..len) is one well-formed RFC 8259 JSON text, 0
 * otherwise (and fills *res if res != NULL; on success res->code = JV_OK and
 * res->offset = len).
 *
 * check_utf8: also require the whole input to be valid UTF-8 (strict: no
 * overlong forms, no surrogates D800-DFFF encoded in UTF-8, nothing above
 * U+10FFFF).  When 0, bytes >= 0x80 inside strings are accepted as opaque
 * (the caller guarantees the encoding, as PostgreSQL does for text).
 */
int json_validate(const unsigned char *buf, size_t len, int check_utf8, JsonValidResult *res);

/*
 * The same answer from the byte-exact validator alone, without the two-stage
 * fast path that json_validate() tries first (json_fast.h): for the fuzzer's
 * differential and the benchmarks.
 */
int json_validate_exact(const unsigned char *buf, size_t len, int check_utf8, JsonValidResult *res);

/* Short English reason for a code, e.g. "expected ',' or '}' after object member". */
const char *json_valid_reason(JsonValidCode code);

/*
 * Locates a byte offset, counting UTF-8 characters (bytes that are not
 * 10xxxxxx continuation bytes): 1-based line (lines counted by '\n'), 1-based
 * column in characters, and 1-based character position in the whole input
 * (the character at offset, or chars+1 at end of input).  Any output pointer
 * may be NULL.  An offset beyond len is treated as len.
 */
void json_valid_locate(const unsigned char *buf, size_t len, size_t offset,
                       size_t *line, size_t *column, size_t *char_pos);

/*
 * Writes e.g. "line 3, column 17: expected ',' or '}' after object member,
 * found 'x'" into out (always NUL terminated when outsz > 0, truncated to
 * outsz).  The found part shows the whole UTF-8 character at the offset, a
 * control character as U+000A style, a byte that does not start a valid UTF-8
 * character as byte 0xFF style, or "end of input".  Returns the length it
 * wanted to write, excluding the NUL (snprintf-like).
 */
size_t json_valid_format_error(const unsigned char *buf, size_t len, const JsonValidResult *res,
                               char *out, size_t outsz);

#ifdef __cplusplus
}
#endif

#endif /* JSON_VALID_H */
