/*
 * ids.c: time-ordered unique ids (ULID, as upstream surveilr uses).
 *
 * Uniqueness across backends comes from 80 bits of pg_strong_random() per
 * millisecond; order within one backend is made strict the way the ULID spec
 * describes: an id made in the same millisecond as the previous one (or
 * after the clock stepped back) is the previous one plus one.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "args.h"
#include "ids.h"

PG_FUNCTION_INFO_V1(orchestration_ulid);
PG_FUNCTION_INFO_V1(orchestration_ulid_time);

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The last id made by this backend: 6 bytes of time then 10 random bytes. */
static uint64 last_ms = 0;
static uint8 last_random[10];

/* Milliseconds since the Unix epoch, from the wall clock. */
static uint64
NowUnixMillis(void)
{
	TimestampTz now = GetCurrentTimestamp();

	return (uint64) ((now / 1000) +
					 (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000);
}

/* Adds one to the 80-bit random part; false when it wraps around. */
static bool
IncrementRandom(uint8 *random)
{
	for (int i = 9; i >= 0; i--)
	{
		if (++random[i] != 0)
			return true;
	}
	return false;
}

static void
NextUlidBytes(uint8 bytes[16])
{
	uint64		ms = NowUnixMillis();

	if (ms > last_ms)
	{
		if (!pg_strong_random(last_random, sizeof(last_random)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate random bytes for an id")));
		last_ms = ms;
	}
	else if (!IncrementRandom(last_random))
	{
		/* 2^80 ids in one millisecond cannot happen; stay ordered anyway. */
		last_ms++;
	}

	for (int i = 0; i < 6; i++)
		bytes[i] = (uint8) (last_ms >> (8 * (5 - i)));
	memcpy(bytes + 6, last_random, 10);
}

/* 128 bits as 26 base32 characters, most significant first (2 pad bits on top). */
static void
EncodeUlid(const uint8 bytes[16], char *out)
{
	int			bit = -2;		/* the first character carries only 3 bits */

	for (int c = 0; c < ULID_LEN; c++)
	{
		int			value = 0;

		for (int b = 0; b < 5; b++, bit++)
		{
			value <<= 1;
			if (bit >= 0 && (bytes[bit / 8] & (0x80 >> (bit % 8))))
				value |= 1;
		}
		out[c] = crockford[value];
	}
}

text *
NewUlidText(void)
{
	uint8		bytes[16];
	text	   *result = (text *) palloc(VARHDRSZ + ULID_LEN);

	NextUlidBytes(bytes);
	EncodeUlid(bytes, VARDATA(result));
	SET_VARSIZE(result, VARHDRSZ + ULID_LEN);
	return result;
}

Datum
orchestration_ulid(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(NewUlidText());
}

/* Value of a Crockford base32 digit (case-insensitive, I/L read as 1, O as 0), or -1. */
static int
CrockfordValue(char c)
{
	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	if (c == 'I' || c == 'L')
		return 1;
	if (c == 'O')
		return 0;
	for (int i = 0; i < 32; i++)
		if (crockford[i] == c)
			return i;
	return -1;
}

Datum
orchestration_ulid_time(PG_FUNCTION_ARGS)
{
	text	   *id = PG_GETARG_TEXT_PP(0);
	const char *p = VARDATA_ANY(id);
	uint64		ms = 0;

	int			bytes = VARSIZE_ANY_EXHDR(id);

	/* Lengths are told in characters: a 26-character id with a non-ASCII one is a bad digit. */
	if (bytes != ULID_LEN)
	{
		int			chars = pg_mbstrlen_with_len(p, bytes);

		if (chars != ULID_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("\"%s\" is not a ULID", MessageText(id)),
					 errdetail("It is %d characters long; a ULID is 26 Crockford base32 characters.", chars),
					 errhint("Pass an id made by orchestration_ulid() or the lifecycle functions.")));
		for (int i = 0, off = 0; off < bytes; i++, off += pg_mblen(p + off))
			if (CrockfordValue(p[off]) < 0 || pg_mblen(p + off) > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("\"%s\" is not a ULID", MessageText(id)),
						 errdetail("Character %d is not a Crockford base32 digit.", i + 1),
						 errhint("Pass an id made by orchestration_ulid() or the lifecycle functions.")));
	}
	if (CrockfordValue(p[0]) > 7)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("\"%s\" is not a ULID", MessageText(id)),
				 errdetail("A ULID starts with 0-7: its first character carries the top 3 bits of a 48-bit time."),
				 errhint("Pass an id made by orchestration_ulid() or the lifecycle functions.")));
	/* The first 10 characters carry the 48-bit millisecond timestamp. */
	for (int i = 0; i < ULID_LEN; i++)
	{
		int			v = CrockfordValue(p[i]);

		if (v < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("\"%s\" is not a ULID", MessageText(id)),
					 errdetail("Character %d is not a Crockford base32 digit.", i + 1),
					 errhint("Pass an id made by orchestration_ulid() or the lifecycle functions.")));
		if (i < 10)
			ms = (ms << 5) | (uint64) v;
	}
	PG_RETURN_TIMESTAMPTZ((TimestampTz) (ms * 1000) -
						  (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC);
}
