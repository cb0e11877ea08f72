/*
 * json_status.c: orchestration_diagnostics_status(doc text) RETURNS text,
 * the top-level "status" string of a diagnostics document, for the
 * reporting views.
 *
 * NULL when the text is not valid JSON (json_valid's semantics), is not an
 * object at top level, has no top-level member named "status" (compared
 * after unescaping, so "st\u0061tus" is one; members of nested objects never
 * are), when the value of the last such member (the last one wins, as with
 * the json type's ->>) is not a string, or when that string cannot be a
 * text of the database: it holds \u0000, a \u escape of a lone surrogate, or
 * a \u escape of a character the database encoding cannot represent.
 * Otherwise the unescaped string, in the database encoding: raw characters
 * are copied as they are (the document is in that encoding already), \u
 * escapes are converted as the json type converts them (UTF-8 in a UTF8
 * database, pg_unicode_to_server() in any other).  Only the status string
 * is unescaped: a bad escape elsewhere in the document does not matter.
 *
 * The scan (json_top_member, json_unescape_string in json_valid.c) is
 * iterative and O(n) at any depth, allocates nothing, and polls for
 * interrupts like the validator (json_fmgr.c).
 */
#include "postgres.h"

#include "pg_compat.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "json_fmgr.h"

PG_FUNCTION_INFO_V1(orchestration_diagnostics_status);

/*
 * A \u escape's code point (>= 0x80) in a database that is not UTF8, as
 * json's ->> converts it (pg_unicode_to_server), or -1 when the database
 * encoding cannot represent it.
 *
 * pg_unicode_to_server() reports an unconvertible character by raising an
 * error (13 to 18 share no error-free variant), so the call is wrapped in
 * PG_TRY and exactly those errors are turned into -1: 22P05 (no equivalent
 * in the database encoding) and 0A000 (no conversion from UTF-8 at all).
 * Catching without a subtransaction is safe here because the code between
 * PG_TRY and the error is only the conversion: a call of the cached UTF-8
 * to server conversion function on a 5-byte local buffer, which takes no
 * lock, buffer, catalog access or other resource; the catch restores the
 * memory context and the interrupt holdoff counts that errfinish() resets,
 * and drops the error.  Any other error is re-thrown.  SQL_ASCII has no
 * conversion: there every non-ASCII escape is unrepresentable.
 */
static int
server_from_code_point(unsigned int code_point, unsigned char *dst, void *arg)
{
	unsigned char buf[MAX_UNICODE_EQUIVALENT_STRING + 1];
	MemoryContext cxt = CurrentMemoryContext;
	volatile uint32 holdoff = InterruptHoldoffCount;
	volatile uint32 cancel_holdoff = QueryCancelHoldoffCount;
	volatile bool converted = false;
	size_t		n;

	if (GetDatabaseEncoding() == PG_SQL_ASCII)
		return -1;
	PG_TRY();
	{
		pg_unicode_to_server((pg_wchar) code_point, buf);
		converted = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_UNTRANSLATABLE_CHARACTER &&
			edata->sqlerrcode != ERRCODE_FEATURE_NOT_SUPPORTED)
			PG_RE_THROW();
		FlushErrorState();
		FreeErrorData(edata);
		InterruptHoldoffCount = holdoff;
		QueryCancelHoldoffCount = cancel_holdoff;
	}
	PG_END_TRY();
	if (!converted)
		return -1;
	n = strlen((const char *) buf);
	if (n == 0 || n > 4)
		return -1;				/* not one character (never happens) */
	memcpy(dst, buf, n);
	return (int) n;
}

Datum
orchestration_diagnostics_status(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	const unsigned char *buf = (const unsigned char *) VARDATA_ANY(doc);
	size_t		len = VARSIZE_ANY_EXHDR(doc);
	size_t		vstart,
				vlen,
				outlen;
	text	   *result;

	/* JsonTextValid installs the core's interrupt and memory hooks */
	if (!JsonTextValid(doc, NULL))
		PG_RETURN_NULL();
	if (json_top_member(buf, len, "status", 6, &vstart, &vlen) != JM_STRING)
		PG_RETURN_NULL();

	/* unescaping never makes a string longer */
	result = (text *) palloc(VARHDRSZ + vlen);
	if (json_unescape_string(buf + vstart, vlen, (unsigned char *) VARDATA(result), &outlen,
							 GetDatabaseEncoding() == PG_UTF8 ? NULL : server_from_code_point,
							 NULL) != JU_OK)
	{
		pfree(result);
		PG_RETURN_NULL();
	}
	SET_VARSIZE(result, VARHDRSZ + outlen);
	PG_RETURN_TEXT_P(result);
}
