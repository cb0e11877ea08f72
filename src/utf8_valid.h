/*
 * utf8_valid.h - strict UTF-8 validation (standalone C99, no PostgreSQL headers)
 *
 * utf8_valid(buf, len) returns 1 iff buf[0..len) is entirely well-formed
 * UTF-8 per Unicode table 3-7, else 0.  Same rules as jv_utf8_seq() in
 * json_valid.c:
 *   00-7F                          (ASCII, NUL included)
 *   C2-DF 80-BF
 *   E0 A0-BF 80-BF | E1-EC 80-BF 80-BF | ED 80-9F 80-BF | EE-EF 80-BF 80-BF
 *   F0 90-BF 80-BF 80-BF | F1-F3 80-BF 80-BF 80-BF | F4 80-8F 80-BF 80-BF
 * Anything else is invalid: C0, C1, F5-FF, stray continuation bytes,
 * overlongs, surrogates (U+D800-DFFF), code points above U+10FFFF, and a
 * sequence cut short by the end of the buffer.  len == 0 is valid.  Never
 * reads outside buf[0..len); buf may be NULL when len is 0.
 *
 * On x86 / x86-64 with GCC or clang, an AVX2 path is chosen at run time when
 * the CPU has AVX2; otherwise (or with -DJSON_VALID_NO_SIMD) a portable
 * scalar path is used.  Both give identical results.
 */
#ifndef UTF8_VALID_H
#define UTF8_VALID_H

#include <stddef.h>

int utf8_valid(const unsigned char *buf, size_t len);

/*
 * utf8_valid(), calling poll(arg, pos) at least once every `every` bytes
 * (pos: the offset reached; every is rounded up to a multiple of 64).  poll
 * may longjmp: the validator allocates nothing and changes no global state
 * once it has chosen its path.  poll NULL: utf8_valid().
 */
int utf8_valid_polled(const unsigned char *buf, size_t len,
                      void (*poll) (void *arg, size_t pos), void *arg, size_t every);

/* For tests: utf8_valid_polled() on the portable path, whatever the CPU. */
int utf8_valid_scalar_polled(const unsigned char *buf, size_t len,
                             void (*poll) (void *arg, size_t pos), void *arg, size_t every);

/* For tests and benchmarks: the portable path, whatever the CPU. */
int utf8_valid_scalar(const unsigned char *buf, size_t len);

/* For tests and benchmarks: 1 if utf8_valid() uses the AVX2 path here. */
int utf8_valid_uses_simd(void);

#endif /* UTF8_VALID_H */
