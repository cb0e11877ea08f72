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
 */
#include "postgres.h"

#include "pg_compat.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#include "args.h"
#include "ids.h"
#include "session.h"
#include "spi_plans.h"

PG_FUNCTION_INFO_V1(orchestration_session_abandon);
PG_FUNCTION_INFO_V1(orchestration_session_purge);

typedef struct Candidate
{
	text	   *session_id;
	TimestampTz started_at;
} Candidate;

/* A required, non-negative interval: 22004 when NULL, 22023 when negative. */
static Interval *
RequiredAge(FunctionCallInfo fcinfo, int argno)
{
	Interval   *age;
	Interval   *zero;

	RequireArg(fcinfo, argno);
	age = PG_GETARG_INTERVAL_P(argno);
	zero = (Interval *) palloc0(sizeof(Interval));
	if (DatumGetBool(DirectFunctionCall2(interval_lt, IntervalPGetDatum(age),
										 IntervalPGetDatum(zero))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument \"%s\" must not be negative", ArgName(fcinfo, argno)),
				 errdetail("The interval given was %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(age)))),
				 errhint("Pass how long ago, e.g. interval '6 hours', or interval '0' for \"now\".")));
	return age;
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

Datum
orchestration_session_abandon(PG_FUNCTION_ARGS)
{
	Interval   *older_than = RequiredAge(fcinfo, 0);
	text	   *reason;
	bool		only_dead;
	Datum		sel[2];
	uint64		ncandidates;
	Candidate  *candidates;
	int64		closed = 0;

	RequireArg(fcinfo, 1);
	reason = PG_GETARG_TEXT_PP(1);
	RequireArg(fcinfo, 2);
	only_dead = PG_GETARG_BOOL(2);
	sel[0] = IntervalPGetDatum(older_than);
	sel[1] = BoolGetDatum(only_dead);

	ConnectSpi(fcinfo);

	ncandidates = RunPlan(fcinfo, PLAN_ABANDON_CANDIDATES, sel, NULL, false);
	candidates = (Candidate *) palloc(sizeof(Candidate) * (ncandidates + 1));
	for (uint64 i = 0; i < ncandidates; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		id = SPI_getbinval(tup, desc, 1, &isnull);
		bool		finished_null;
		Datum		started;

		(void) SPI_getbinval(tup, desc, 2, &finished_null);
		if (!finished_null)
		{
			/* Finished by someone else since the scan began: not ours. */
			candidates[i].session_id = NULL;
			continue;
		}
		/* In the SPI procedure context: lives until SPI_finish. */
		candidates[i].session_id = DatumGetTextPCopy(id);
		started = SPI_getbinval(tup, desc, 3, &isnull);
		candidates[i].started_at = isnull ? 0 : DatumGetTimestampTz(started);
	}

	for (uint64 i = 0; i < ncandidates; i++)
	{
		text	   *session_id = candidates[i].session_id;
		TimestampTz at;
		TimestampTz finished_at;
		StringInfoData json;
		char	   *iso;
		char	   *md;

		if (session_id == NULL)
			continue;
		/* The final link of the chain, strictly after the latest one. */
		at = AppendTransition(fcinfo, session_id, NewUlidText(), NULL,
							  cstring_to_text("abandoned"), NULL, reason, NULL);

		/* Wall clock, never before the start (CHECK) nor the final transition. */
		finished_at = at;
		if (finished_at < candidates[i].started_at)
			finished_at = candidates[i].started_at;
		iso = IsoUtc(finished_at);
		initStringInfo(&json);
		appendStringInfoString(&json, "{\"status\":\"abandoned\",\"reason\":");
		escape_json(&json, text_to_cstring(reason));
		appendStringInfo(&json, ",\"abandoned_at\":\"%s\"}", iso);
		md = psprintf("Abandoned at %s: %s", iso, text_to_cstring(reason));
		{
			Datum		upd[4] = {PointerGetDatum(session_id), TimestampTzGetDatum(finished_at),
				PointerGetDatum(cstring_to_text(json.data)),
			PointerGetDatum(cstring_to_text(md))};

			RunPlan(fcinfo, PLAN_ABANDON_FINISH, upd, NULL, false);
		}
		closed++;
	}

	FinishSpi();
	PG_RETURN_INT64(closed);
}

static const PlanId purge_steps[] = {
	PLAN_PURGE_LOGS,
	PLAN_PURGE_ISSUE_RELATIONS,
	PLAN_PURGE_ISSUES,
	PLAN_PURGE_EXECS,
	PLAN_PURGE_STATES,
	PLAN_PURGE_ENTRIES,
	PLAN_PURGE_BACKENDS,
	PLAN_PURGE_SESSIONS,
};

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
	Interval   *older_than = RequiredAge(fcinfo, 0);
	int32		batch_size;
	int64		total = 0;

	int32		max_batches = -1;	/* no limit */
	int32		batches = 0;

	batch_size = PositiveInt32(fcinfo, 1, "Pass how many sessions to delete per batch, e.g. 1000.");
	if (!PG_ARGISNULL(2))
		max_batches = PositiveInt32(fcinfo, 2,
									 "Pass NULL to purge until nothing is left, or how many batches to do at most.");

	ConnectSpi(fcinfo);
	while (max_batches < 0 || batches < max_batches)
	{
		Datum		sel[2] = {IntervalPGetDatum(older_than), Int32GetDatum(batch_size)};
		Datum		batch;
		bool		isnull;
		uint64		deleted = 0;

		CHECK_FOR_INTERRUPTS();
		RunPlan(fcinfo, PLAN_PURGE_BATCH, sel, NULL, false);
		batch = ResultDatum(1, &isnull);
		if (isnull)
			break;				/* no (unlocked) session left to purge */
		for (int i = 0; i < (int) lengthof(purge_steps); i++)
		{
			/* Backend rows as their owner (writers may not delete them); history in purge mode. */
			if (purge_steps[i] == PLAN_PURGE_BACKENDS)
				deleted = RunPlanAsOwner(fcinfo, purge_steps[i], &batch, NULL, FAMILY_BACKEND);
			else
				deleted = RunTrustedPlan(fcinfo, purge_steps[i], &batch, NULL, false,
										 FAMILY_SESSION, NULL, true);
		}
		total += (int64) deleted;
		batches++;
	}
	FinishSpi();
	PG_RETURN_INT64(total);
}
