/*
 * maintenance.c: operating sessions in production.
 *
 *   orchestration_session_abandon   finishes stuck sessions (old, or of dead backends)
 *   orchestration_session_purge     deletes old finished sessions and their children
 *
 * Abandon never waits for a live writer: candidates are locked with
 * FOR UPDATE SKIP LOCKED, so a session whose finish, transition or child
 * write is in progress is skipped this round (and, if that writer finishes
 * it, never abandoned).  The locked row is the latest version (READ
 * COMMITTED re-checks it), and orch_finished_at is checked again anyway.
 *
 * Both work in batches, each in a memory context of its own (with its own
 * SPI connection) that is reset after it: a call over a million sessions
 * uses the memory of one batch.  Each batch starts where the last ended
 * (keyset on the index order), so a batch never walks again over what the
 * previous ones did, and purge never picks again a session it could not
 * delete.  Their plans are custom (spi_plans.c): a fresh install's empty
 * tables cannot leave a call with a plan that turns quadratic.
 *
 * Purge deletes a batch's history only for the sessions it really deleted
 * (one statement: the sessions first, RETURNING, then exactly their
 * children), whatever triggers or policies say about the session rows; a
 * batch that deletes no session ends the call, and what was kept is told in
 * a NOTICE.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "args.h"
#include "ids.h"
#include "session.h"
#include "spi_plans.h"

PG_FUNCTION_INFO_V1(orchestration_session_abandon);
PG_FUNCTION_INFO_V1(orchestration_session_purge);

#define ABANDON_BATCH 1000

/*
 * now() - older_than, checked by what it means: 22004 when NULL, 22023 when
 * it points into the future (a negative interval, or one like
 * '-1 year 360 days' that is negative only on the calendar) or is out of
 * range of timestamps.
 */
static TimestampTz
RequiredHorizon(FunctionCallInfo fcinfo, int argno)
{
	Interval   *age;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	TimestampTz horizon = 0;
	MemoryContext cxt = CurrentMemoryContext;
	bool		out_of_range = false;

	RequireArg(fcinfo, argno);
	age = PG_GETARG_INTERVAL_P(argno);
	PG_TRY();
	{
		horizon = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														  TimestampTzGetDatum(now),
														  IntervalPGetDatum(age)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_DATETIME_VALUE_OUT_OF_RANGE)
			PG_RE_THROW();
		FlushErrorState();
		out_of_range = true;
	}
	PG_END_TRY();
	if (out_of_range)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" is out of range", ArgName(fcinfo, argno)),
				 errdetail("now() - %s is not a valid timestamp.",
						   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(age)))),
				 errhint("Pass how long ago, e.g. interval '6 hours', or interval '0' for \"now\".")));
	if (horizon > now)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must not point into the future", ArgName(fcinfo, argno)),
				 errdetail("now() - %s is %s, after now().",
						   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(age))),
						   timestamptz_to_str(horizon)),
				 errhint("Pass how long ago, e.g. interval '6 hours', or interval '0' for \"now\".")));
	return horizon;
}

/* ISO 8601 in UTC with microseconds: 2026-01-02T03:04:05.000006Z. */
static char *
IsoUtc(TimestampTz t)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
					tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
					(int) fsec);
}

/* Finishes one locked open session as abandoned. */
static void
AbandonSession(FunctionCallInfo fcinfo, text *session_id, TimestampTz started_at,
			   text *reason, const char *reason_str)
{
	TimestampTz at;
	TimestampTz finished_at;
	StringInfoData json;
	char	   *iso;
	Datum		upd[4];

	/* The final link of the chain, strictly after the latest one. */
	at = AppendTransition(fcinfo, PLAN_STATE_APPEND_MAINTENANCE, session_id, NewUlidText(), NULL,
						  cstring_to_text("abandoned"), NULL, reason, NULL);
	/* Wall clock, never before the start (CHECK) nor the final transition. */
	finished_at = Max(at, started_at);
	iso = IsoUtc(finished_at);
	initStringInfo(&json);
	appendStringInfoString(&json, "{\"status\":\"abandoned\",\"reason\":");
	escape_json(&json, reason_str);
	appendStringInfo(&json, ",\"abandoned_at\":\"%s\"}", iso);
	upd[0] = PointerGetDatum(session_id);
	upd[1] = TimestampTzGetDatum(finished_at);
	upd[2] = PointerGetDatum(cstring_to_text(json.data));
	upd[3] = PointerGetDatum(cstring_to_text(psprintf("Abandoned at %s: %s", iso, reason_str)));
	/* The transition's result is no longer needed: free it now, not at the batch's end. */
	SPI_freetuptable(SPI_tuptable);
	RunPlan(fcinfo, PLAN_ABANDON_FINISH, upd, NULL, false);
}

Datum
orchestration_session_abandon(PG_FUNCTION_ARGS)
{
	TimestampTz horizon = RequiredHorizon(fcinfo, 0);
	const Family *family;
	text	   *reason;
	char	   *reason_str;
	bool		only_dead;
	int64		closed = 0;
	TimestampTz after_started = DT_NOBEGIN;
	text	   *after_id = cstring_to_text("");
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext batch_cxt;

	RequireArg(fcinfo, 1);
	reason = PG_GETARG_TEXT_PP(1);
	reason_str = text_to_cstring(reason);
	RequireArg(fcinfo, 2);
	only_dead = PG_GETARG_BOOL(2);
	batch_cxt = AllocSetContextCreate(outer, "orchestration_session_abandon batch",
									  ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		Datum		sel[5];
		uint64		n;
		uint64		processed = 0;

		CHECK_FOR_INTERRUPTS();
		MemoryContextSwitchTo(batch_cxt);
		family = ConnectSpi(fcinfo);
		sel[0] = TimestampTzGetDatum(horizon);
		sel[1] = BoolGetDatum(only_dead);
		sel[2] = TimestampTzGetDatum(after_started);
		sel[3] = PointerGetDatum(after_id);
		sel[4] = Int32GetDatum(ABANDON_BATCH);
		n = RunPlan(fcinfo, family->is_central ? PLAN_ABANDON_CANDIDATES_CENTRAL : PLAN_ABANDON_CANDIDATES,
					sel, NULL, false);
		if (n > 0)
		{
			SPITupleTable *candidates = SPI_tuptable;
			TupleDesc	desc = candidates->tupdesc;

			for (uint64 i = 0; i < n; i++)
			{
				HeapTuple	tup = candidates->vals[i];
				bool		isnull;
				bool		finished_null;
				text	   *session_id = DatumGetTextPP(SPI_getbinval(tup, desc, 1, &isnull));
				TimestampTz started = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));

				CHECK_FOR_INTERRUPTS();
				(void) SPI_getbinval(tup, desc, 2, &finished_null);
				/* Where the next batch starts, in the outer context. */
				if (i == n - 1)
				{
					MemoryContextSwitchTo(outer);
					after_started = started;
					after_id = DatumGetTextPCopy(PointerGetDatum(session_id));
					MemoryContextSwitchTo(batch_cxt);
				}
				/* Finished by someone else since the scan began: not ours. */
				if (!finished_null)
					continue;
				AbandonSession(fcinfo, session_id, started, reason, reason_str);
				processed++;
			}
		}
		FinishSpi();
		MemoryContextSwitchTo(outer);
		MemoryContextReset(batch_cxt);
		closed += (int64) processed;
		if (n < ABANDON_BATCH)
			break;
	}
	MemoryContextDelete(batch_cxt);
	PG_RETURN_INT64(closed);
}

/* A required integer argument that must be at least 1: 22004 / 22023. */
static int32
PositiveInt32(FunctionCallInfo fcinfo, int argno, const char *hint)
{
	int32		value = RequiredInt32(fcinfo, argno);

	if (value < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must be at least 1", ArgName(fcinfo, argno)),
				 errdetail("The value given was %d.", value),
				 errhint("%s", hint)));
	return value;
}

Datum
orchestration_session_purge(PG_FUNCTION_ARGS)
{
	TimestampTz horizon = RequiredHorizon(fcinfo, 0);
	const Family *family;
	int32		batch_size;
	int64		total = 0;
	int64		kept = 0;
	int32		max_batches = -1;	/* no limit */
	int32		batches = 0;
	TimestampTz after_finished = DT_NOBEGIN;
	text	   *after_id = cstring_to_text("");
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext batch_cxt;

	batch_size = PositiveInt32(fcinfo, 1, "Pass how many sessions to delete per batch, e.g. 1000.");
	if (!PG_ARGISNULL(2))
		max_batches = PositiveInt32(fcinfo, 2,
									 "Pass NULL to purge until nothing is left, or how many batches to do at most.");
	batch_cxt = AllocSetContextCreate(outer, "orchestration_session_purge batch",
									  ALLOCSET_DEFAULT_SIZES);

	while (max_batches < 0 || batches < max_batches)
	{
		Datum		sel[4];
		Datum		batch;
		bool		isnull;
		int32		candidates;
		int32		deleted;

		CHECK_FOR_INTERRUPTS();
		MemoryContextSwitchTo(batch_cxt);
		family = ConnectSpi(fcinfo);
		sel[0] = TimestampTzGetDatum(horizon);
		sel[1] = Int32GetDatum(batch_size);
		sel[2] = TimestampTzGetDatum(after_finished);
		sel[3] = PointerGetDatum(after_id);
		RunPlan(fcinfo, family->is_central ? PLAN_PURGE_BATCH_CENTRAL : PLAN_PURGE_BATCH,
				sel, NULL, false);
		batch = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		candidates = isnull ? 0 :
			DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		if (candidates == 0)
		{
			/* no (unlocked) session left to purge */
			FinishSpi();
			MemoryContextSwitchTo(outer);
			break;
		}
		MemoryContextSwitchTo(outer);
		after_finished = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0],
														   SPI_tuptable->tupdesc, 3, &isnull));
		after_id = DatumGetTextPCopy(SPI_getbinval(SPI_tuptable->vals[0],
												   SPI_tuptable->tupdesc, 4, &isnull));
		MemoryContextSwitchTo(batch_cxt);

		/* History in purge mode (the guards let it go, for these sessions only). */
		RunTrustedPlan(fcinfo, PLAN_PURGE_DELETE, &batch, NULL, false, FAMILY_SESSION, NULL, true);
		deleted = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		FinishSpi();
		MemoryContextSwitchTo(outer);
		MemoryContextReset(batch_cxt);

		total += deleted;
		kept += candidates - deleted;
		batches++;
		if (deleted == 0)
			break;				/* nothing of this batch could go: stop, do not spin */
	}
	MemoryContextDelete(batch_cxt);
	if (kept > 0)
		ereport(NOTICE,
				(errmsg("orchestration_session_purge kept " INT64_FORMAT " finished sessions it was asked to delete", kept),
				 errdetail("A trigger, rule or row-level security policy on orchestration_session did not let them be deleted; their history was left as it is."),
				 errhint("Lift the hold (trigger, policy) on the sessions to purge them.")));
	PG_RETURN_INT64(total);
}
