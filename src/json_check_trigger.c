/*
 * json_check_trigger.c: a BEFORE INSERT OR UPDATE row trigger that explains
 * malformed JSON.
 *
 * The CHECK (json_valid(col) ...) constraints remain the declarative
 * contract, but all they can say is "violates check constraint".  This
 * trigger runs first and raises 22P02 naming the table, the column and the
 * line and column of the problem, with the error fields (schema, table,
 * column) set for clients that read them.  On UPDATE a column whose value is
 * the same stored TOAST pointer as before is not read again, so updating
 * other columns of a row with a large diagnostics document costs nothing.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/detoast.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "json_fmgr.h"

PG_FUNCTION_INFO_V1(orchestration_json_columns_check);

/* True when both datums are the same out-of-line TOAST value, i.e. unchanged. */
static bool
SameToastedValue(Datum a, Datum b)
{
	struct varlena *va = (struct varlena *) DatumGetPointer(a);
	struct varlena *vb = (struct varlena *) DatumGetPointer(b);
	struct varatt_external ea,
				eb;

	if (!VARATT_IS_EXTERNAL_ONDISK(va) || !VARATT_IS_EXTERNAL_ONDISK(vb))
		return false;
	VARATT_EXTERNAL_GET_POINTER(ea, va);
	VARATT_EXTERNAL_GET_POINTER(eb, vb);
	return ea.va_valueid == eb.va_valueid && ea.va_toastrelid == eb.va_toastrelid;
}

Datum
orchestration_json_columns_check(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	tupdesc;
	HeapTuple	newtuple;
	HeapTuple	oldtuple = NULL;
	Trigger    *trigger;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("orchestration_json_columns_check() must be a BEFORE INSERT OR UPDATE ... FOR EACH ROW trigger")));

	rel = trigdata->tg_relation;
	tupdesc = RelationGetDescr(rel);
	trigger = trigdata->tg_trigger;
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		newtuple = trigdata->tg_newtuple;
		oldtuple = trigdata->tg_trigtuple;
	}
	else
		newtuple = trigdata->tg_trigtuple;

	for (int i = 0; i < trigger->tgnargs; i++)
	{
		const char *column = trigger->tgargs[i];
		int			attnum = SPI_fnumber(tupdesc, column);
		Datum		value;
		bool		isnull;
		text	   *doc;
		JsonValidResult res;

		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" named by trigger \"%s\" does not exist in table \"%s\"",
							column, trigger->tgname, RelationGetRelationName(rel)),
					 errhint("Pass existing text column names as the trigger's arguments.")));
		/* Read only what is text underneath: any other type would be misread. */
		{
			Oid			type = getBaseType(TupleDescAttr(tupdesc, attnum - 1)->atttypid);

			if (type != TEXTOID && type != VARCHAROID)
				ereport(ERROR,
						(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
						 errmsg("column \"%s\" named by trigger \"%s\" of table \"%s\" is of type %s, not text",
								column, trigger->tgname, RelationGetRelationName(rel),
								format_type_be(TupleDescAttr(tupdesc, attnum - 1)->atttypid)),
						 errhint("Name only text or varchar columns as the trigger's arguments."),
						 errtablecol(rel, attnum)));
		}

		value = heap_getattr(newtuple, attnum, tupdesc, &isnull);
		if (isnull)
			continue;
		if (oldtuple != NULL)
		{
			bool		oldnull;
			Datum		oldvalue = heap_getattr(oldtuple, attnum, tupdesc, &oldnull);

			if (!oldnull && SameToastedValue(value, oldvalue))
				continue;
		}

		doc = DatumGetTextPP(value);
		if (!JsonTextValid(doc, &res))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid JSON in column \"%s\" of table \"%s\"",
							column, RelationGetRelationName(rel)),
					 errdetail("At %s.", JsonErrorDescription(doc, &res)),
					 errhint("Store well-formed JSON text (RFC 8259) or NULL; json_error_message() explains any value."),
					 errtablecol(rel, attnum)));
		if ((Pointer) doc != DatumGetPointer(value))
			pfree(doc);
	}

	return PointerGetDatum(newtuple);
}
