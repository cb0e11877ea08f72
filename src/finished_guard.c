/*
 * finished_guard.c: a finished orchestration session is immutable.
 *
 * A BEFORE UPDATE row trigger on orchestration_session, so the rule holds
 * for psql, ORMs and direct SQL as well as for the lifecycle functions:
 * once orch_finished_at is set, no UPDATE of the row is allowed, which also
 * means orch_finished_at can be neither moved nor cleared.  Finishing an
 * open session (setting orch_finished_at) remains an ordinary UPDATE.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(orchestration_session_finished_guard);

Datum
orchestration_session_finished_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	int			finished_attnum;
	int			id_attnum;
	Datum		finished_at;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("orchestration_session_finished_guard() must be a BEFORE UPDATE ... FOR EACH ROW trigger")));

	tupdesc = RelationGetDescr(trigdata->tg_relation);
	finished_attnum = SPI_fnumber(tupdesc, "orch_finished_at");
	id_attnum = SPI_fnumber(tupdesc, "orchestration_session_id");
	if (finished_attnum <= 0 || id_attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("orchestration_session_finished_guard() needs columns orchestration_session_id and orch_finished_at"),
				 errhint("Attach it only to the orchestration_session table.")));

	finished_at = heap_getattr(trigdata->tg_trigtuple, finished_attnum, tupdesc, &isnull);
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("orchestration session \"%s\" is finished and cannot be updated",
						SPI_getvalue(trigdata->tg_trigtuple, tupdesc, id_attnum)),
				 errdetail("It finished at %s; a finished session is immutable and its orch_finished_at cannot be moved.",
						   timestamptz_to_str(DatumGetTimestampTz(finished_at))),
				 errhint("Record further work in a new session (orchestration_session_start())."),
				 errtable(trigdata->tg_relation)));

	return PointerGetDatum(trigdata->tg_newtuple);
}
