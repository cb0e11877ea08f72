/*
 * json_fast.h
 *      Two-stage (structural index) JSON validator, AVX2 or AVX-512BW: the
 *      fast path of json_validate().  Standalone C99, no PostgreSQL headers.
 *
 * It answers only "valid" or "not valid"; it never computes an error
 * position.  json_validate() calls it first and, unless it says VALID, runs
 * the byte-exact validator in json_valid.c, which decides and reports.  So a
 * document the fast path cannot handle (no AVX2 on this CPU, nesting deeper
 * than its fixed stack) costs one extra partial pass, never a wrong answer.
 *
 * Bytes >= 0x80 are opaque here (json_validate(..., check_utf8 = 0, ...)
 * semantics); the caller checks UTF-8 separately when it must.
 */
#ifndef JSON_FAST_H
#define JSON_FAST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum JsonFastVerdict {
    JF_INVALID = 0,     /* certainly not one well-formed JSON text */
    JF_VALID = 1,       /* certainly one well-formed JSON text */
    JF_DEFER = 2        /* not decided here (no AVX2, nesting too deep) */
} JsonFastVerdict;

JsonFastVerdict json_fast_validate(const unsigned char *buf, size_t len);

/*
 * The same, calling poll(arg, pos) at least once every `every` bytes of
 * input (pos: how far stage 1 has indexed; every is rounded up to the
 * 4 KB chunk stage 1 indexes at a time).  poll may longjmp: the fast path
 * allocates nothing and changes no global state (json_valid.h,
 * JsonValidHooks).  poll NULL: json_fast_validate().
 */
JsonFastVerdict json_fast_validate_polled(const unsigned char *buf, size_t len,
                                          void (*poll) (void *arg, size_t pos), void *arg, size_t every);

/* 1 when this build and this CPU run the fast path (else it always defers). */
int json_fast_available(void);

/* The classifier in use: 512 (AVX-512BW), 2 (AVX2) or 0 (none: the fast path defers). */
int json_fast_isa(void);

/*
 * For tests and benchmarks: use at most this classifier (512, 2, or 0 to
 * switch the fast path off), so both can be checked on one machine.  Not
 * thread-safe; PostgreSQL never calls it.
 */
void json_fast_set_max_isa(int isa);

#ifdef __cplusplus
}
#endif

#endif /* JSON_FAST_H */
