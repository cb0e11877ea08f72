/*
 * json_fmgr.c: SQL-callable JSON functions, thin wrappers over the
 * standalone validator core in json_valid.c.
 *
 *   json_valid(text), json_valid(bytea)   SQLite's json_valid
 *   json_error_position(text)             SQLite's json_error_position
 *   json_error_message(text)              where and why a document is broken
 *
 * PG_GETARG_*_PP detoasts without copying short values; the core then reads
 * the bytes in place, so validation allocates nothing beyond the detoasted
 * value, whatever the size (only nesting deeper than 32768 levels takes
 * depth/8 bytes, from palloc).
 *
 * Cancelling.  Every function that reads a document (these, the explaining
 * trigger through JsonTextValid/JsonErrorDescription, and
 * orchestration_diagnostics_status) installs JsonInstallCoreHooks() first:
 * the core then calls CHECK_FOR_INTERRUPTS() at least every
 * JSON_VALID_POLL_BYTES (256 KB) of input on every path (fast path, UTF-8
 * pass, exact validator, line/column counting, member scan, unescaping), so
 * a cancel or statement_timeout takes effect within a few milliseconds
 * whatever the size (every path reads well over 100 MB/s; test/json_cancel.sh
 * measures it).  CHECK_FOR_INTERRUPTS() may longjmp out of
 * the core.  That is safe, and was chosen over "the poll says stop, the core
 * returns a status and the wrapper cancels" (which would have to restart
 * the work after an interrupt that does not cancel, e.g. a
 * client_connection_check_interval check, and so could restart for ever):
 * the core keeps nothing but stack variables at every poll point, except the
 * heap part of a very deep nesting stack, which it takes from the allocator
 * hooks, set here to palloc in CurrentMemoryContext, which error recovery
 * resets.  (So an out-of-memory there is PostgreSQL's ERROR, not a false
 * "invalid".)  Output buffers are palloc'd by the callers and are simply
 * not returned.  What the core cannot cover is detoasting the argument: a
 * large compressed or out-of-line value is read by PostgreSQL before the
 * function starts.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "json_fmgr.h"

PG_FUNCTION_INFO_V1(json_valid_text);
PG_FUNCTION_INFO_V1(json_valid_bytea);
PG_FUNCTION_INFO_V1(json_error_position);
PG_FUNCTION_INFO_V1(json_error_message);

static void
core_poll(void *arg, size_t pos)
{
	CHECK_FOR_INTERRUPTS();
}

static void *
core_alloc(size_t size)
{
	return MemoryContextAllocHuge(CurrentMemoryContext, size);
}

static void *
core_resize(void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

static void
core_release(void *ptr)
{
	pfree(ptr);
}

void
JsonInstallCoreHooks(void)
{
	static bool installed = false;

	if (!installed)
	{
		JsonValidHooks hooks;

		hooks.poll = core_poll;
		hooks.poll_arg = NULL;
		hooks.poll_bytes = JSON_VALID_POLL_BYTES;
		hooks.alloc = core_alloc;
		hooks.resize = core_resize;
		hooks.release = core_release;
		json_valid_set_hooks(&hooks);
		installed = true;
	}
}

static int
database_mblen(const unsigned char *s)
{
	return pg_encoding_mblen(GetDatabaseEncoding(), (const char *) s);
}

/*
 * How the database encoding counts characters: UTF-8 code points, one per
 * byte in single-byte encodings, pg_encoding_mblen() in the others.
 */
static JsonValidEncoding
DatabaseCharset(void)
{
	JsonValidEncoding enc;

	enc.mblen = NULL;
	if (GetDatabaseEncoding() == PG_UTF8)
		enc.kind = JV_CHARS_UTF8;
	else if (pg_database_encoding_max_length() == 1)
		enc.kind = JV_CHARS_BYTES;
	else
	{
		enc.kind = JV_CHARS_MBLEN;
		enc.mblen = database_mblen;
	}
	return enc;
}

bool
JsonTextValid(text *value, JsonValidResult *res)
{
	JsonInstallCoreHooks();
	return json_validate((const unsigned char *) VARDATA_ANY(value),
						 VARSIZE_ANY_EXHDR(value), 0, res) != 0;
}

char *
JsonErrorDescription(text *value, const JsonValidResult *res)
{
	const unsigned char *buf = (const unsigned char *) VARDATA_ANY(value);
	size_t		len = VARSIZE_ANY_EXHDR(value);
	JsonValidEncoding enc = DatabaseCharset();
	char		out[JSON_VALID_ERROR_MAX];
	size_t		need;

	JsonInstallCoreHooks();
	/* one pass over the prefix (the message always fits; the fallback is for safety) */
	need = json_valid_format_error_enc(buf, len, res, &enc, out, sizeof(out));
	if (need < sizeof(out))
		return pstrdup(out);
	else
	{
		char	   *big = palloc(need + 1);

		json_valid_format_error_enc(buf, len, res, &enc, big, need + 1);
		return big;
	}
}

Datum
json_valid_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(JsonTextValid(PG_GETARG_TEXT_PP(0), NULL));
}

Datum
json_valid_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *value = PG_GETARG_BYTEA_PP(0);

	JsonInstallCoreHooks();
	PG_RETURN_BOOL(json_validate((const unsigned char *) VARDATA_ANY(value),
								 VARSIZE_ANY_EXHDR(value), 1, NULL) != 0);
}

Datum
json_error_position(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	JsonValidEncoding enc = DatabaseCharset();
	JsonValidResult res;
	size_t		position;

	if (JsonTextValid(value, &res))
		PG_RETURN_INT32(0);

	/* characters of the database encoding (single-byte: offset + 1, nothing read) */
	json_valid_locate_enc((const unsigned char *) VARDATA_ANY(value),
						  VARSIZE_ANY_EXHDR(value), res.offset, &enc,
						  NULL, NULL, &position);

	if (position > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("JSON error position %zu does not fit in an integer", position),
				 errhint("Use json_error_message(), which reports the line and column.")));
	PG_RETURN_INT32((int32) position);
}

Datum
json_error_message(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	JsonValidResult res;

	if (JsonTextValid(value, &res))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(JsonErrorDescription(value, &res)));
}
