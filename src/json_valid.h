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

/*
 * Interrupt polling and memory, for embedding (PostgreSQL: src/json_fmgr.c)
 * ---------------------------------------------------------------------------
 *
 * Every function of this header that reads a document (json_validate and
 * json_validate_exact with the fast path and the UTF-8 pass they run,
 * json_valid_locate*, json_valid_format_error*, json_top_member,
 * json_unescape_string) calls hooks.poll(poll_arg, pos) at least once every
 * poll_bytes bytes of input it reads (pos: the offset it has reached in that
 * buffer, for tests), so that a caller can stop a long run.  With no poll
 * installed (the default) nothing is called.
 *
 * poll may return, or may not return at all (longjmp: PostgreSQL's
 * CHECK_FOR_INTERRUPTS() raising a cancel).  That is safe because at every
 * poll point the core holds no resource of its own: the only memory it ever
 * allocates (the nesting stack of documents deeper than 32768 levels) comes
 * from hooks.alloc / hooks.resize, so a caller whose allocator frees on
 * error (PostgreSQL: palloc in the current memory context) loses nothing;
 * the core keeps no global state that a call changes; and *res and output
 * buffers are only written by the call that owns them (a half-written
 * output is simply not returned).  The same holds for allocation failures:
 * alloc/resize may return NULL (JV_OUT_OF_MEMORY) or not return.
 *
 * The hooks are process-wide; set them once, before any call, from one
 * thread (PostgreSQL backends are single-threaded).
 */
#define JSON_VALID_POLL_BYTES ((size_t) 256 * 1024)

typedef struct JsonValidHooks {
    void      (*poll) (void *poll_arg, size_t pos);  /* NULL: no polling */
    void       *poll_arg;
    size_t      poll_bytes;                         /* 0: JSON_VALID_POLL_BYTES */
    void     *(*alloc) (size_t size);               /* NULL (all three): malloc, realloc, free */
    void     *(*resize) (void *ptr, size_t size);
    void      (*release) (void *ptr);
} JsonValidHooks;

/* Installs hooks (copied); NULL restores the defaults (no poll, malloc). */
void json_valid_set_hooks(const JsonValidHooks *hooks);

/* Short English reason for a code, e.g. "expected ',' or '}' after object member". */
const char *json_valid_reason(JsonValidCode code);

/*
 * How characters are counted in line/column/position reports: the encoding
 * of the text (PostgreSQL: the database encoding).
 *
 *   JV_CHARS_UTF8    UTF-8: a character is a byte that is not a 10xxxxxx
 *                    continuation byte (code points, for valid UTF-8);
 *   JV_CHARS_BYTES   a single-byte encoding (LATIN1, WIN1252, SQL_ASCII...):
 *                    every byte is a character;
 *   JV_CHARS_MBLEN   another multibyte encoding in which every byte < 0x80 is
 *                    an ASCII character and every byte >= 0x80 is part of a
 *                    multibyte character (all of PostgreSQL's server
 *                    encodings): mblen(s) gives the length of the character
 *                    whose first byte is s[0] >= 0x80 (clamped to 1..the
 *                    bytes left).
 *
 * '\n' is the byte 0x0A in all of them.
 */
typedef enum JsonValidCharset {
    JV_CHARS_UTF8 = 0,
    JV_CHARS_BYTES,
    JV_CHARS_MBLEN
} JsonValidCharset;

typedef struct JsonValidEncoding {
    JsonValidCharset kind;
    int       (*mblen) (const unsigned char *s);    /* JV_CHARS_MBLEN only */
} JsonValidEncoding;

/*
 * Locates a byte offset: 1-based line (lines counted by '\n'), 1-based
 * column in characters, and 1-based character position in the whole input
 * (the character at offset, or chars+1 at end of input), counting characters
 * as enc says (NULL: UTF-8).  Any output pointer may be NULL (with line and
 * column NULL and single-byte characters, nothing is read).  An offset
 * beyond len is treated as len.  Polls (see JsonValidHooks).
 */
void json_valid_locate_enc(const unsigned char *buf, size_t len, size_t offset, const JsonValidEncoding *enc,
                           size_t *line, size_t *column, size_t *char_pos);

/* json_valid_locate_enc() counting UTF-8 characters. */
void json_valid_locate(const unsigned char *buf, size_t len, size_t offset,
                       size_t *line, size_t *column, size_t *char_pos);

/*
 * Writes e.g. "line 3, column 17: expected ',' or '}' after object member,
 * found 'x'" into out (always NUL terminated when outsz > 0, truncated to
 * outsz), line and column as json_valid_locate_enc() counts them with enc
 * (NULL: UTF-8).  The found part shows a control character as U+000A style,
 * another ASCII character as 'x', "end of input", and for a byte >= 0x80:
 * with UTF-8 the whole character when the bytes there are a well-formed
 * UTF-8 character, else byte 0xFF style; with any other encoding its first
 * byte in byte 0xE9 style (so outside UTF-8 the message is plain ASCII,
 * valid in any encoding).  Returns the length it wanted to
 * write, excluding the NUL (snprintf-like); JSON_VALID_ERROR_MAX bytes are
 * always enough.
 */
#define JSON_VALID_ERROR_MAX 256
size_t json_valid_format_error_enc(const unsigned char *buf, size_t len, const JsonValidResult *res,
                                   const JsonValidEncoding *enc, char *out, size_t outsz);

/* json_valid_format_error_enc() counting UTF-8 characters. */
size_t json_valid_format_error(const unsigned char *buf, size_t len, const JsonValidResult *res,
                               char *out, size_t outsz);

/*
 * Top-level members of a valid document (orchestration_diagnostics_status)
 * ---------------------------------------------------------------------------
 *
 * json_top_member() reads a document that json_validate() accepted (with
 * either check_utf8) and finds the LAST member of the top-level object whose
 * name, after unescaping (\" \\ \/ \b \f \n \r \t and \uXXXX, surrogate
 * pairs combined, as UTF-8), is exactly the key bytes key[0..keylen) (give
 * an ASCII key to be independent of the encoding: raw bytes >= 0x80 of the
 * name are compared as they are).  Members of nested objects never match.
 * Iterative and O(len) at any depth, allocates nothing, polls.
 *
 *   JM_NONE    the top-level value is not an object, or has no such member;
 *   JM_STRING  the last such member's value is a string: *vstart, *vlen are
 *              the offset and length of its body (between the quotes, still
 *              escaped);
 *   JM_OTHER   the last such member's value is not a string.
 *
 * On input json_validate() rejects the answer is unspecified, but nothing
 * outside buf[0..len) is read.
 */
typedef enum JsonMemberKind {
    JM_NONE = 0,
    JM_STRING,
    JM_OTHER
} JsonMemberKind;

JsonMemberKind json_top_member(const unsigned char *buf, size_t len, const char *key, size_t keylen,
                               size_t *vstart, size_t *vlen);

/*
 * Unescapes the body of a JSON string (between the quotes, from a document
 * json_validate() accepted) into out, which must have room for body_len
 * bytes (the result is never longer).  Bytes other than escapes are copied
 * as they are (they are in the text's encoding); \uXXXX escapes (surrogate
 * pairs combined) below 0x80 become that byte, and the others UTF-8 when
 * to_enc is NULL, else whatever to_enc(code_point, dst, arg) writes to dst
 * (at most 4 bytes: one character of the target encoding), which returns the
 * number of bytes or -1 when the encoding cannot represent the character.
 *
 *   JU_OK              *out_len bytes written to out;
 *   JU_NUL             a \u0000 escape (a PostgreSQL text cannot hold NUL);
 *   JU_LONE_SURROGATE  a \uD800-\uDFFF escape that is not half of a pair;
 *   JU_UNREPRESENTABLE to_enc returned -1 (or more than 4).
 *
 * The first problem found is returned and out is then unspecified.  Polls.
 */
typedef enum JsonUnescapeCode {
    JU_OK = 0,
    JU_NUL,
    JU_LONE_SURROGATE,
    JU_UNREPRESENTABLE
} JsonUnescapeCode;

JsonUnescapeCode json_unescape_string(const unsigned char *body, size_t body_len, unsigned char *out,
                                      size_t *out_len,
                                      int (*to_enc) (unsigned int code_point, unsigned char *dst, void *arg),
                                      void *arg);

#ifdef __cplusplus
}
#endif

#endif /* JSON_VALID_H */
