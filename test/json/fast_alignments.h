/*
 * fast_alignments.h
 *      Shared by test/json/json_valid_test.c and fuzz/json_valid_fuzz.c: the
 *      two-stage fast path (src/json_fast.c) against the exact validator.
 *
 * The fast path must never accept what the exact validator (check_utf8 = 0:
 * bytes >= 0x80 are opaque to both) rejects, nor reject what it accepts.  Its
 * 64-byte blocks make every alignment a different case, so the input is also
 * checked behind 1..63 spaces, and so that it ends exactly on a block
 * boundary (where the carries into a next block must be checked at the end).
 * Each classifier this CPU has (AVX-512BW, AVX2) is checked.
 */
#ifndef FAST_ALIGNMENTS_H
#define FAST_ALIGNMENTS_H

#include "json_fast.h"
#include "json_valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAST_ALIGNMENTS 9

/*
 * Returns -1 when the fast path agrees (or defers) at every alignment, else
 * the number of spaces in front of the first disagreement (*fast, *exact
 * then hold the two answers).  every_shift: all 64 alignments (for short
 * hand-written cases) instead of FAST_ALIGNMENTS of them (for the fuzzer).
 */
static long
fast_alignments_disagree(const unsigned char *data, size_t size, int every_shift, int *fast, int *exact)
{
    static unsigned char *buf;
    static size_t cap;
    const size_t shifts[FAST_ALIGNMENTS] = { 0, 1, 2, 31, 32, 33, 63, (64 - size % 64) % 64, (65 - size % 64) % 64 };
    size_t k;
    size_t n = every_shift ? 64 : FAST_ALIGNMENTS;

    *exact = json_validate_exact(data, size, 0, NULL);
    if (cap < size + 64)
    {
        free(buf);
        cap = size + 64;
        buf = malloc(cap);
        if (buf == NULL)
            abort();
    }
    for (k = 0; k < n; k++)
    {
        static const int isas[] = { 512, 2 };
        size_t shift = every_shift ? k : shifts[k];
        size_t i;

        memset(buf, ' ', shift);
        memcpy(buf + shift, data, size);
        for (i = 0; i < sizeof(isas) / sizeof(isas[0]); i++)
        {
            json_fast_set_max_isa(isas[i]);
            if (i > 0 && json_fast_isa() != isas[i])
                continue;       /* this CPU has only the lower classifier: checked already */
            *fast = (int) json_fast_validate(buf, shift + size);
            if (*fast != JF_DEFER && (*fast == JF_VALID) != *exact)
            {
                json_fast_set_max_isa(512);
                return (long) shift;
            }
        }
        json_fast_set_max_isa(512);
    }
    return -1;
}

#endif /* FAST_ALIGNMENTS_H */
