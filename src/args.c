/*
 * args.c: argument checking for the lifecycle functions (see args.h).
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "args.h"
#include "json_fmgr.h"

/*
 * Argument names come from pg_proc.proargnames, so messages use the names a
 * caller passes with named notation, and a rename in SQL needs no C change.
 */
const char *
ArgName(FunctionCallInfo fcinfo, int argno)
{
	HeapTuple	proctup;
	Datum		names;
	bool		isnull;
	Datum	   *elems;
	int			nelems;
	const char *result = NULL;

	proctup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(proctup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	names = SysCacheGetAttr(PROCOID, proctup, Anum_pg_proc_proargnames, &isnull);
	if (!isnull)
	{
		deconstruct_array(DatumGetArrayTypeP(names), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, NULL, &nelems);
		if (argno < nelems)
			result = TextDatumGetCString(elems[argno]);
	}
	ReleaseSysCache(proctup);
	return result ? result : psprintf("$%d", argno + 1);
}

void
RequireArg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be NULL", ArgName(fcinfo, argno)),
				 errhint("Pass a non-NULL value for \"%s\".",
						 ArgName(fcinfo, argno))));
}

int32
RequiredInt32(FunctionCallInfo fcinfo, int argno)
{
	RequireArg(fcinfo, argno);
	return PG_GETARG_INT32(argno);
}

text *
RequiredText(FunctionCallInfo fcinfo, int argno)
{
	RequireArg(fcinfo, argno);
	return PG_GETARG_TEXT_PP(argno);
}

/*
 * A code point that shows as nothing: Unicode White_Space (U+0085, U+00A0,
 * U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000) and the
 * invisible format characters people paste (U+180E, U+200B..U+200D, U+2060,
 * U+FEFF).  ASCII whitespace is handled by the caller.
 */
static bool
IsInvisibleCodePoint(pg_wchar c)
{
	return c == 0x85 || c == 0xA0 || c == 0x1680 || c == 0x180E ||
		(c >= 0x2000 && c <= 0x200D) || c == 0x2028 || c == 0x2029 ||
		c == 0x202F || c == 0x205F || c == 0x2060 || c == 0x3000 || c == 0xFEFF;
}

/*
 * Blank: nothing but whitespace or invisible characters.  In a UTF-8
 * database the Unicode ones count; in LATIN1-like encodings so does 0xA0
 * (no-break space); elsewhere only ASCII whitespace.
 */
static bool
IsBlank(text *value)
{
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(value);
	const unsigned char *end = p + VARSIZE_ANY_EXHDR(value);
	int			encoding = GetDatabaseEncoding();

	while (p < end)
	{
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
		{
			p++;
			continue;
		}
		if (*p < 0x80)
			return false;
		if (encoding == PG_UTF8)
		{
			int			len = pg_utf_mblen(p);

			if (p + len > end || !IsInvisibleCodePoint(utf8_to_unicode(p)))
				return false;
			p += len;
			continue;
		}
		if (pg_encoding_max_length(encoding) == 1 && *p == 0xA0)
		{
			p++;
			continue;
		}
		return false;
	}
	return true;
}

/*
 * A user-given value for an error message, cut to 64 characters (at a
 * character boundary) with "..." after: a 50 MB id must not make a 50 MB
 * message and log line.
 */
#define MESSAGE_VALUE_CHARS 64

const char *
MessageText(text *value)
{
	const char *p = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	int			cut;

	if (len <= MESSAGE_VALUE_CHARS)
		return text_to_cstring(value);
	cut = pg_mbcharcliplen(p, len, MESSAGE_VALUE_CHARS);
	if (cut >= len)
		return text_to_cstring(value);
	return psprintf("%.*s...", cut, p);
}

static void
CheckNotBlank(FunctionCallInfo fcinfo, int argno, text *value)
{
	if (IsBlank(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must not be empty or blank", ArgName(fcinfo, argno)),
				 errhint("Pass a non-blank id or name, or omit an optional id to have one generated.")));
}

text *
RequiredId(FunctionCallInfo fcinfo, int argno)
{
	text	   *value = RequiredText(fcinfo, argno);

	CheckNotBlank(fcinfo, argno, value);
	return value;
}

text *
OptionalId(FunctionCallInfo fcinfo, int argno)
{
	text	   *value = OptionalText(fcinfo, argno);

	if (value != NULL)
		CheckNotBlank(fcinfo, argno, value);
	return value;
}

text *
OptionalText(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	return PG_GETARG_TEXT_PP(argno);
}

void
CheckJsonText(text *value, const char *what_kind, const char *what_name)
{
	JsonValidResult res;

	if (JsonTextValid(value, &res))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid JSON in %s \"%s\"", what_kind, what_name),
			 errdetail("At %s.", JsonErrorDescription(value, &res)),
			 errhint("Pass well-formed JSON text (RFC 8259), or NULL.")));
}

text *
OptionalJson(FunctionCallInfo fcinfo, int argno)
{
	text	   *value = OptionalText(fcinfo, argno);

	if (value != NULL)
		CheckJsonText(value, "argument", ArgName(fcinfo, argno));
	return value;
}

text *
RequiredJson(FunctionCallInfo fcinfo, int argno)
{
	text	   *value = RequiredText(fcinfo, argno);

	CheckJsonText(value, "argument", ArgName(fcinfo, argno));
	return value;
}
