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
 * value, whatever the size or nesting depth.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "json_fmgr.h"

PG_FUNCTION_INFO_V1(json_valid_text);
PG_FUNCTION_INFO_V1(json_valid_bytea);
PG_FUNCTION_INFO_V1(json_error_position);
PG_FUNCTION_INFO_V1(json_error_message);

bool
JsonTextValid(text *value, JsonValidResult *res)
{
	return json_validate((const unsigned char *) VARDATA_ANY(value),
						 VARSIZE_ANY_EXHDR(value), 0, res) != 0;
}

char *
JsonErrorDescription(text *value, const JsonValidResult *res)
{
	const unsigned char *buf = (const unsigned char *) VARDATA_ANY(value);
	size_t		len = VARSIZE_ANY_EXHDR(value);
	size_t		need;
	char	   *out;

	need = json_valid_format_error(buf, len, res, NULL, 0);
	out = palloc(need + 1);
	json_valid_format_error(buf, len, res, out, need + 1);
	return out;
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

	PG_RETURN_BOOL(json_validate((const unsigned char *) VARDATA_ANY(value),
								 VARSIZE_ANY_EXHDR(value), 1, NULL) != 0);
}

Datum
json_error_position(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	JsonValidResult res;
	size_t		line,
				column,
				position;

	if (JsonTextValid(value, &res))
		PG_RETURN_INT32(0);

	if (GetDatabaseEncoding() == PG_UTF8)
		json_valid_locate((const unsigned char *) VARDATA_ANY(value),
						  VARSIZE_ANY_EXHDR(value), res.offset,
						  &line, &column, &position);
	else if (pg_database_encoding_max_length() == 1)
		position = res.offset + 1;
	else
		position = pg_mbstrlen_with_len(VARDATA_ANY(value), (int) res.offset) + 1;

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
