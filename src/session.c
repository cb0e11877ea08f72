/*
 * session.c: the orchestration session lifecycle.
 *
 *   orchestration_device_ensure, orchestration_nature_ensure   parents
 *   orchestration_session_start                                 a new session
 *   orchestration_session_add_entry / _transition /
 *     _record_exec / _raise_issue / _append_log                 children of an open session
 *   orchestration_session_finish                                exactly once
 *
 * Integrity rules and how they hold under concurrency:
 * - A child row is written after share-locking the session row and finding
 *   it open (LockSession, session_lock.c, which reads the latest version
 *   under READ COMMITTED); the finish is one UPDATE ... WHERE it is open.
 *   The two lock modes conflict, so a child is never written to a finished
 *   session: either it commits before the finish can lock the row, or it
 *   waits, finds the session finished and reports 55000.
 * - Two finishes of one session: the second waits for the first and then
 *   updates nothing; the error path reports 55000.
 * - Transitions take an exclusive row lock first, so the transitions of one
 *   session are recorded one at a time; the latest one is read with a fresh
 *   snapshot after the lock is granted and each new transition gets a
 *   transitioned_at strictly after it, so the chain is a total order in which
 *   each from_state is the previous to_state.
 * - Each call runs one statement on the common path (the lock is an index
 *   probe and a tuple lock in C, not a query; the error path looks again to
 *   say why): the checks and the write that a hand-written function runs as
 *   separate statements are one pass through the executor here.
 * - Times come from the wall clock (GetCurrentTimestamp), not the
 *   transaction start, so a session started and finished in one transaction
 *   still records its real duration.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "args.h"
#include "family.h"
#include "fanin.h"
#include "ids.h"
#include "session.h"
#include "session_lock.h"
#include "spi_plans.h"

PG_FUNCTION_INFO_V1(orchestration_device_ensure);
PG_FUNCTION_INFO_V1(orchestration_nature_ensure);
PG_FUNCTION_INFO_V1(orchestration_session_start);
PG_FUNCTION_INFO_V1(orchestration_session_add_entry);
PG_FUNCTION_INFO_V1(orchestration_session_transition);
PG_FUNCTION_INFO_V1(orchestration_session_record_exec);
PG_FUNCTION_INFO_V1(orchestration_session_raise_issue);
PG_FUNCTION_INFO_V1(orchestration_session_append_log);
PG_FUNCTION_INFO_V1(orchestration_session_finish);

#define TEXT_DATUM(t)	((t) ? PointerGetDatum(t) : (Datum) 0)
#define NULL_FLAG(t)	((t) ? ' ' : 'n')

/* User-given values in messages are cut to 64 characters (MessageText). */
static const char *
Str(text *t)
{
	return MessageText(t);
}

static bool
TextEqual(text *a, text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

static void
ReportUnknownSession(text *session_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_NO_DATA_FOUND),
			 errmsg("orchestration session \"%s\" does not exist", Str(session_id)),
			 errhint("Pass an id returned by orchestration_session_start().")));
}

static void
ReportFinished(text *session_id, const char *action, TimestampTz finished_at)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot %s orchestration session \"%s\": it is already finished",
					action, Str(session_id)),
			 errdetail("The session finished at %s.", timestamptz_to_str(finished_at)),
			 errhint("Record further work in a new session (orchestration_session_start()).")));
}

/*
 * What a statement that should have written one row reports when it wrote
 * none, or wrote it under another id: a user's trigger or rule on the table
 * skipped or changed it (27000, never a retry that cannot succeed).
 */
static void
ReportSkippedRow(FamilyTable table)
{
	ereport(ERROR,
			(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
			 errmsg("the row for table \"%s\" was not written: a trigger or rule on the table skipped it",
					FamilyTableName(table)),
			 errdetail("A BEFORE trigger returned NULL, or a DO INSTEAD rule replaced the INSERT."),
			 errhint("Let the triggers and rules on the extension's tables keep the rows the lifecycle functions write.")));
}

/* Row 0, column col of the last result is the id written: 27000 if a trigger changed it. */
static void
CheckWrittenId(FamilyTable table, int col, text *expected)
{
	bool		isnull;
	Datum		value = ResultDatum(col, &isnull);

	if (isnull || !TextEqual(DatumGetTextPP(value), expected))
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
				 errmsg("the row for table \"%s\" was written under another id: a trigger changed \"%s\"",
						FamilyTableName(table), Str(expected)),
				 errdetail("The row was stored with id \"%s\".", isnull ? "NULL" : TextDatumGetCString(value)),
				 errhint("Let the triggers on the extension's tables keep the ids the lifecycle functions write.")));
}

/*
 * Locks the session row (exclusively for transitions and the finish error
 * path, shared otherwise) and raises P0002 when it does not exist, 55000
 * when it is finished.
 */
static void
LockOpenSession(FunctionCallInfo fcinfo, text *session_id, bool exclusive,
				const char *action)
{
	TimestampTz finished_at = 0;

	switch (LockSession(fcinfo, session_id, exclusive, &finished_at))
	{
		case SESSION_MISSING:
			ReportUnknownSession(session_id);
			break;
		case SESSION_FINISHED:
			ReportFinished(session_id, action, finished_at);
			break;
		case SESSION_OPEN:
			break;
	}
	FaninRefuseEdgeSession(fcinfo, FamilyEnter(fcinfo, 0), session_id, action);
}

/* The session a child row (entry or exec) belongs to must be this one: 23503 otherwise. */
static void
CheckChildOfSession(FunctionCallInfo fcinfo, PlanId plan, const char *kind,
					const char *argname, text *child_id, text *session_id)
{
	Datum		values[1] = {PointerGetDatum(child_id)};
	bool		isnull;

	if (RunPlan(fcinfo, plan, values, NULL, true) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("orchestration session %s \"%s\" does not exist", kind, Str(child_id)),
				 errhint("Pass as \"%s\" an id returned for this session, or NULL.", argname)));
	if (!TextEqual(DatumGetTextPP(ResultDatum(1, &isnull)), session_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("orchestration session %s \"%s\" belongs to another session", kind, Str(child_id)),
				 errdetail("It does not belong to session \"%s\".", Str(session_id)),
				 errhint("Pass as \"%s\" an id returned for this session, or NULL.", argname)));
}

/*
 * Under REPEATABLE READ or SERIALIZABLE, an entry or exec that exists but
 * was committed after this transaction's snapshot cannot be referenced (the
 * foreign-key check reads with the snapshot and would say "not present"):
 * a serialization failure, retryable, as for the session row itself.
 */
static void
ReportCommittedAfterSnapshot(const char *kind, text *child_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access: orchestration session %s \"%s\" was committed after this transaction's snapshot",
					kind, Str(child_id)),
			 errhint("Retry the transaction.")));
}

/*
 * Writes a child row into an open session: locks the session row
 * (LockSession, the same lock every history write and the finish take, so
 * writers of one session queue instead of deadlocking on a lock upgrade), so
 * a finish waits for this transaction and this insert for a finish in
 * progress, then runs one INSERT that also checks that the entry and parent
 * exec given (if any) belong to the session.  When it inserts nothing,
 * CheckChildOfSession() says which does not (23503); if both do after all
 * (rows committed after this transaction's snapshot), READ COMMITTED tries
 * once more with a fresh snapshot, and nothing inserted then means a user's
 * trigger or rule skipped the row (27000); REPEATABLE READ gets 40001.  The
 * history guard trigger trusts the row (its session is locked and open).
 */
static void
InsertIntoOpenSession(FunctionCallInfo fcinfo, PlanId plan, Datum *values,
					  const char *nulls, FamilyTable table, text *id, text *session_id,
					  text *entry_id, text *parent_exec_id, const char *action)
{
	LockOpenSession(fcinfo, session_id, true, action);
	if (RunTrustedPlan(fcinfo, plan, values, nulls, false, table, session_id, false) == 0)
	{
		if (entry_id)
			CheckChildOfSession(fcinfo, PLAN_ENTRY_SESSION, "entry", "session_entry_id",
								entry_id, session_id);
		if (parent_exec_id)
			CheckChildOfSession(fcinfo, PLAN_EXEC_SESSION, "exec", "parent_exec_id",
								parent_exec_id, session_id);
		if (IsolationUsesXactSnapshot() && (entry_id || parent_exec_id))
			ReportCommittedAfterSnapshot(entry_id ? "entry" : "exec", entry_id ? entry_id : parent_exec_id);
		if (RunTrustedPlan(fcinfo, plan, values, nulls, true, table, session_id, false) == 0)
			ReportSkippedRow(table);
	}
	CheckWrittenId(table, 1, id);
}

/*
 * Appends a link to the session's transition chain; the caller holds the
 * session's exclusive row lock, so links are appended one at a time.  One
 * statement reads the latest link, with a fresh snapshot (what the previous
 * lock holder committed), and inserts the new one with a transitioned_at
 * strictly after it.  Returns that time.  Also used by
 * orchestration_session_abandon.
 */
TimestampTz
AppendTransition(FunctionCallInfo fcinfo, PlanId plan, text *session_id, text *state_id,
				 text *entry_id, text *to_state, text *result_json,
				 text *reason, text *elaboration)
{
	Datum		ins[8] = {PointerGetDatum(state_id), PointerGetDatum(session_id),
		TEXT_DATUM(entry_id), PointerGetDatum(to_state), TEXT_DATUM(result_json),
		TEXT_DATUM(reason), TimestampTzGetDatum(GetCurrentTimestamp()),
	TEXT_DATUM(elaboration)};
	char		ins_nulls[8] = {' ', ' ', NULL_FLAG(entry_id), ' ', NULL_FLAG(result_json),
	NULL_FLAG(reason), ' ', NULL_FLAG(elaboration)};
	bool		isnull;

	/*
	 * The link is appended with a fresh snapshot (the chain as the previous
	 * lock holder left it), but the foreign-key check reads with the
	 * transaction's: under REPEATABLE READ an entry committed after it is a
	 * serialization failure, told before the insert.
	 */
	if (entry_id && IsolationUsesXactSnapshot())
	{
		Datum		find[1] = {PointerGetDatum(entry_id)};

		if (RunPlan(fcinfo, PLAN_ENTRY_SESSION, find, NULL, false) == 0)
		{
			CheckChildOfSession(fcinfo, PLAN_ENTRY_SESSION, "entry", "session_entry_id",
								entry_id, session_id);
			ReportCommittedAfterSnapshot("entry", entry_id);
		}
	}
	if (RunTrustedPlan(fcinfo, plan, ins, ins_nulls, true,
					   FAMILY_STATE, session_id, false) != 1)
	{
		/* Nothing appended: the entry given is not the session's (23503), or a trigger skipped it. */
		if (entry_id)
		{
			CheckChildOfSession(fcinfo, PLAN_ENTRY_SESSION, "entry", "session_entry_id",
								entry_id, session_id);
			if (IsolationUsesXactSnapshot())
				ReportCommittedAfterSnapshot("entry", entry_id);
		}
		ReportSkippedRow(FAMILY_STATE);
	}
	CheckWrittenId(FAMILY_STATE, 2, state_id);
	return DatumGetTimestampTz(ResultDatum(1, &isnull));
}

/* An id given by the caller (non-blank) or a new ULID. */
static text *
IdOrNew(FunctionCallInfo fcinfo, int argno)
{
	text	   *id = OptionalId(fcinfo, argno);

	return id ? id : NewUlidText();
}

/* ------------------------------------------------------------------------
 * Parents
 * ------------------------------------------------------------------------ */

/*
 * INSERT ... ON CONFLICT DO NOTHING waits for a concurrent inserter of the
 * same (name, state, boundary); if that one commits, our insert does nothing
 * and the row is read back with a fresh snapshot.  Nothing inserted and
 * nothing found, twice: a user's trigger or rule skips the row (27000); once:
 * the device was deleted meanwhile (40001, a retry succeeds).  A device_id
 * given by the caller must be the existing device's (23505 otherwise).
 */
Datum
orchestration_device_ensure(PG_FUNCTION_ARGS)
{
	text	   *name = RequiredId(fcinfo, 0);
	text	   *state = RequiredJson(fcinfo, 1);
	text	   *boundary = RequiredText(fcinfo, 2);
	text	   *sysinfo = OptionalJson(fcinfo, 3);
	text	   *elaboration = OptionalJson(fcinfo, 4);
	text	   *given_id = OptionalId(fcinfo, 5);
	text	   *device_id = given_id ? given_id : NewUlidText();
	Datum		ins[6] = {PointerGetDatum(device_id), PointerGetDatum(name), PointerGetDatum(state),
	PointerGetDatum(boundary), TEXT_DATUM(sysinfo), TEXT_DATUM(elaboration)};
	char		ins_nulls[6] = {' ', ' ', ' ', ' ', NULL_FLAG(sysinfo), NULL_FLAG(elaboration)};
	Datum		find[3] = {PointerGetDatum(name), PointerGetDatum(state), PointerGetDatum(boundary)};
	text	   *result = device_id;
	bool		isnull;

	ConnectSpi(fcinfo);
	for (int attempt = 0;; attempt++)
	{
		if (RunPlan(fcinfo, PLAN_DEVICE_INSERT, ins, ins_nulls, false) > 0)
		{
			CheckWrittenId(FAMILY_DEVICE, 1, device_id);
			break;
		}
		if (RunPlan(fcinfo, PLAN_DEVICE_FIND, find, NULL, true) > 0)
		{
			result = DatumGetTextPP(ResultDatum(1, &isnull));
			if (given_id && !TextEqual(result, given_id))
				ereport(ERROR,
						(errcode(ERRCODE_UNIQUE_VIOLATION),
						 errmsg("device \"%s\" already exists with device_id \"%s\"",
								Str(name), Str(result)),
						 errdetail("The device_id asked for was \"%s\".", Str(given_id)),
						 errhint("Omit device_id to get the existing device's id, or pass that id.")));
			break;
		}
		if (attempt > 0)
			ReportSkippedRow(FAMILY_DEVICE);
		/* Deleted after our insert saw it: once more, then it must be a trigger. */
	}
	FinishSpi();
	PG_RETURN_TEXT_P(result);
}

/* The label of an existing nature must be the one asked for (23505 otherwise). */
static void
CheckNatureLabel(text *nature_id, text *nature)
{
	bool		isnull;
	text	   *existing = DatumGetTextPP(ResultDatum(1, &isnull));

	if (!TextEqual(existing, nature))
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("orchestration nature \"%s\" already exists with label \"%s\"",
						Str(nature_id), Str(existing)),
				 errdetail("The label asked for was \"%s\".", Str(nature)),
				 errhint("Pass the existing label, or choose another nature_id.")));
}

/*
 * An existing nature is looked up first: the INSERT runs only for a new one
 * (a pristine seed nature is never relabelled by an ensure).  Nothing
 * inserted and nothing found, twice: a trigger or rule skips it (27000).
 */
Datum
orchestration_nature_ensure(PG_FUNCTION_ARGS)
{
	text	   *nature_id = RequiredId(fcinfo, 0);
	text	   *nature = RequiredId(fcinfo, 1);
	text	   *elaboration = OptionalJson(fcinfo, 2);
	Datum		ins[3] = {PointerGetDatum(nature_id), PointerGetDatum(nature), TEXT_DATUM(elaboration)};
	char		ins_nulls[3] = {' ', ' ', NULL_FLAG(elaboration)};
	Datum		find[1] = {PointerGetDatum(nature_id)};

	ConnectSpi(fcinfo);
	for (int attempt = 0;; attempt++)
	{
		if (RunPlan(fcinfo, PLAN_NATURE_FIND, find, NULL, true) > 0)
		{
			CheckNatureLabel(nature_id, nature);
			break;
		}
		if (RunPlan(fcinfo, PLAN_NATURE_INSERT, ins, ins_nulls, false) > 0)
		{
			CheckWrittenId(FAMILY_NATURE, 1, nature_id);
			break;
		}
		if (attempt > 0)
			ReportSkippedRow(FAMILY_NATURE);
	}
	FinishSpi();
	PG_RETURN_TEXT_P(nature_id);
}

/* ------------------------------------------------------------------------
 * The session
 * ------------------------------------------------------------------------ */

Datum
orchestration_session_start(PG_FUNCTION_ARGS)
{
	text	   *device_id = RequiredId(fcinfo, 0);
	text	   *nature_id = RequiredId(fcinfo, 1);
	text	   *version = RequiredText(fcinfo, 2);
	text	   *args_json = OptionalJson(fcinfo, 3);
	text	   *elaboration = OptionalJson(fcinfo, 4);
	text	   *session_id = IdOrNew(fcinfo, 5);
	Datum		parents[2] = {PointerGetDatum(device_id), PointerGetDatum(nature_id)};
	Datum		ins[7] = {PointerGetDatum(session_id), PointerGetDatum(device_id),
		PointerGetDatum(nature_id), PointerGetDatum(version),
	TimestampTzGetDatum(GetCurrentTimestamp()), TEXT_DATUM(elaboration), TEXT_DATUM(args_json)};
	char		ins_nulls[7] = {' ', ' ', ' ', ' ', ' ', NULL_FLAG(elaboration), NULL_FLAG(args_json)};
	Datum		backend[3] = {PointerGetDatum(session_id), Int32GetDatum(MyProcPid),
	TimestampTzGetDatum(MyStartTimestamp)};
	bool		isnull;

	ConnectSpi(fcinfo);
	/* Inserts nothing when a parent is missing; then say which. */
	if (RunPlan(fcinfo, PLAN_SESSION_INSERT, ins, ins_nulls, false) == 0)
	{
		RunPlan(fcinfo, PLAN_START_CHECK, parents, NULL, true);
		if (!DatumGetBool(ResultDatum(1, &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("device \"%s\" does not exist", Str(device_id)),
					 errhint("Create or look up the device with orchestration_device_ensure(name), which returns its device_id.")));
		if (!DatumGetBool(ResultDatum(2, &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("orchestration nature \"%s\" does not exist", Str(nature_id)),
					 errhint("Create it with orchestration_nature_ensure(nature_id, nature).")));
		/* Parents committed after this transaction's snapshot: look again with a fresh one. */
		if (RunPlan(fcinfo, PLAN_SESSION_INSERT, ins, ins_nulls, true) == 0)
			ReportSkippedRow(FAMILY_SESSION);
	}
	CheckWrittenId(FAMILY_SESSION, 1, session_id);
	/* The backend row, as the table's owner: no caller can write or forge one. */
	if (RunPlanAsOwner(fcinfo, PLAN_BACKEND_INSERT, backend, NULL, FAMILY_BACKEND) != 1)
		ReportSkippedRow(FAMILY_BACKEND);
	FinishSpi();
	PG_RETURN_TEXT_P(session_id);
}

Datum
orchestration_session_add_entry(PG_FUNCTION_ARGS)
{
	text	   *session_id = RequiredId(fcinfo, 0);
	text	   *ingest_src = RequiredId(fcinfo, 1);
	text	   *table_name = OptionalText(fcinfo, 2);
	text	   *elaboration = OptionalJson(fcinfo, 3);
	text	   *entry_id = IdOrNew(fcinfo, 4);
	Datum		ins[5] = {PointerGetDatum(entry_id), PointerGetDatum(session_id),
	PointerGetDatum(ingest_src), TEXT_DATUM(table_name), TEXT_DATUM(elaboration)};
	char		ins_nulls[5] = {' ', ' ', ' ', NULL_FLAG(table_name), NULL_FLAG(elaboration)};

	ConnectSpi(fcinfo);
	InsertIntoOpenSession(fcinfo, PLAN_ENTRY_INSERT, ins, ins_nulls, FAMILY_ENTRY, entry_id,
						  session_id, NULL, NULL, "add an entry to");
	FinishSpi();
	PG_RETURN_TEXT_P(entry_id);
}

Datum
orchestration_session_transition(PG_FUNCTION_ARGS)
{
	text	   *session_id = RequiredId(fcinfo, 0);
	text	   *to_state = RequiredId(fcinfo, 1);
	text	   *reason = OptionalText(fcinfo, 2);
	text	   *result_json = OptionalJson(fcinfo, 3);
	text	   *entry_id = OptionalId(fcinfo, 4);
	text	   *elaboration = OptionalJson(fcinfo, 5);
	text	   *state_id = IdOrNew(fcinfo, 6);

	ConnectSpi(fcinfo);
	LockOpenSession(fcinfo, session_id, true, "record a transition of");
	AppendTransition(fcinfo, PLAN_STATE_APPEND, session_id, state_id, entry_id, to_state,
					 result_json, reason, elaboration);
	FinishSpi();
	PG_RETURN_TEXT_P(state_id);
}

Datum
orchestration_session_record_exec(PG_FUNCTION_ARGS)
{
	text	   *session_id = RequiredId(fcinfo, 0);
	text	   *exec_nature = RequiredId(fcinfo, 1);
	text	   *exec_code = RequiredText(fcinfo, 2);
	int32		exec_status = RequiredInt32(fcinfo, 3);
	text	   *entry_id = OptionalId(fcinfo, 4);
	text	   *parent_exec_id = OptionalId(fcinfo, 5);
	text	   *namespace = OptionalText(fcinfo, 6);
	text	   *identity = OptionalText(fcinfo, 7);
	text	   *input_text = OptionalText(fcinfo, 8);
	text	   *error_text = OptionalText(fcinfo, 9);
	text	   *output_text = OptionalText(fcinfo, 10);
	text	   *output_nature = OptionalJson(fcinfo, 11);
	text	   *narrative_md = OptionalText(fcinfo, 12);
	text	   *elaboration = OptionalJson(fcinfo, 13);
	text	   *exec_id = IdOrNew(fcinfo, 14);
	Datum		ins[15] = {PointerGetDatum(exec_id), PointerGetDatum(exec_nature),
		PointerGetDatum(session_id), TEXT_DATUM(entry_id), TEXT_DATUM(parent_exec_id),
		TEXT_DATUM(namespace), TEXT_DATUM(identity), PointerGetDatum(exec_code),
		Int32GetDatum(exec_status), TEXT_DATUM(input_text), TEXT_DATUM(error_text),
		TEXT_DATUM(output_text), TEXT_DATUM(output_nature), TEXT_DATUM(narrative_md),
	TEXT_DATUM(elaboration)};
	char		ins_nulls[15] = {' ', ' ', ' ', NULL_FLAG(entry_id), NULL_FLAG(parent_exec_id),
		NULL_FLAG(namespace), NULL_FLAG(identity), ' ', ' ', NULL_FLAG(input_text),
		NULL_FLAG(error_text), NULL_FLAG(output_text), NULL_FLAG(output_nature),
	NULL_FLAG(narrative_md), NULL_FLAG(elaboration)};

	ConnectSpi(fcinfo);
	InsertIntoOpenSession(fcinfo, PLAN_EXEC_INSERT, ins, ins_nulls, FAMILY_EXEC, exec_id,
						  session_id, entry_id, parent_exec_id, "record an execution in");
	FinishSpi();
	PG_RETURN_TEXT_P(exec_id);
}

Datum
orchestration_session_raise_issue(PG_FUNCTION_ARGS)
{
	text	   *session_id = RequiredId(fcinfo, 0);
	text	   *issue_type = RequiredId(fcinfo, 1);
	text	   *issue_message = RequiredText(fcinfo, 2);
	text	   *entry_id = OptionalId(fcinfo, 3);
	bool		has_row = !PG_ARGISNULL(4);
	int32		issue_row = has_row ? PG_GETARG_INT32(4) : 0;
	text	   *issue_column = OptionalText(fcinfo, 5);
	text	   *invalid_value = OptionalText(fcinfo, 6);
	text	   *remediation = OptionalText(fcinfo, 7);
	text	   *elaboration = OptionalJson(fcinfo, 8);
	text	   *issue_id = IdOrNew(fcinfo, 9);
	Datum		ins[10] = {PointerGetDatum(issue_id), PointerGetDatum(session_id),
		TEXT_DATUM(entry_id), PointerGetDatum(issue_type), PointerGetDatum(issue_message),
		Int32GetDatum(issue_row), TEXT_DATUM(issue_column), TEXT_DATUM(invalid_value),
	TEXT_DATUM(remediation), TEXT_DATUM(elaboration)};
	char		ins_nulls[10] = {' ', ' ', NULL_FLAG(entry_id), ' ', ' ', has_row ? ' ' : 'n',
		NULL_FLAG(issue_column), NULL_FLAG(invalid_value), NULL_FLAG(remediation),
	NULL_FLAG(elaboration)};

	ConnectSpi(fcinfo);
	InsertIntoOpenSession(fcinfo, PLAN_ISSUE_INSERT, ins, ins_nulls, FAMILY_ISSUE, issue_id,
						  session_id, entry_id, NULL, "raise an issue in");
	FinishSpi();
	PG_RETURN_TEXT_P(issue_id);
}

/*
 * The log table has no session column: the session is the one of the exec
 * the line belongs to.  The session row is locked first, as in every other
 * call (one lock order: session, then its rows), so appenders to one
 * session queue on it and the default sibling_order (next number) is never
 * handed out twice.  The insert re-checks that the exec still belongs to
 * that session (it could have been moved before the lock was granted).
 */
Datum
orchestration_session_append_log(PG_FUNCTION_ARGS)
{
	text	   *exec_id = RequiredId(fcinfo, 0);
	text	   *content = RequiredText(fcinfo, 1);
	text	   *category = OptionalText(fcinfo, 2);
	bool		has_order = !PG_ARGISNULL(3);
	int32		sibling_order = has_order ? PG_GETARG_INT32(3) : 0;
	text	   *elaboration = OptionalJson(fcinfo, 4);
	text	   *log_id = IdOrNew(fcinfo, 5);
	Datum		find[1] = {PointerGetDatum(exec_id)};
	text	   *session_id;
	bool		isnull;

	ConnectSpi(fcinfo);
	if (RunPlan(fcinfo, PLAN_EXEC_SESSION, find, NULL, true) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("orchestration session exec \"%s\" does not exist", Str(exec_id)),
				 errhint("Pass an id returned by orchestration_session_record_exec().")));
	session_id = DatumGetTextPP(ResultDatum(1, &isnull));
	if (IsolationUsesXactSnapshot() && RunPlan(fcinfo, PLAN_EXEC_SESSION, find, NULL, false) == 0)
		ReportCommittedAfterSnapshot("exec", exec_id);
	LockOpenSession(fcinfo, session_id, true, "append a log line to");
	{
		Datum		ins[7] = {PointerGetDatum(log_id), TEXT_DATUM(category), PointerGetDatum(exec_id),
			PointerGetDatum(content), Int32GetDatum(sibling_order), TEXT_DATUM(elaboration),
		PointerGetDatum(session_id)};
		char		ins_nulls[7] = {' ', NULL_FLAG(category), ' ', ' ', has_order ? ' ' : 'n',
		NULL_FLAG(elaboration), ' '};

		/* Fresh snapshot: the numbering sees lines committed by the previous lock holder. */
		if (RunTrustedPlan(fcinfo, PLAN_LOG_APPEND, ins, ins_nulls, true, FAMILY_LOG, exec_id,
						   false) == 0)
		{
			/* The exec moved to another session before our lock: retryable. */
			if (RunPlan(fcinfo, PLAN_EXEC_SESSION, find, NULL, true) > 0 &&
				!TextEqual(DatumGetTextPP(ResultDatum(1, &isnull)), session_id))
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access: orchestration session exec \"%s\" moved to another session",
								Str(exec_id)),
						 errhint("Retry the transaction.")));
			ReportSkippedRow(FAMILY_LOG);
		}
		CheckWrittenId(FAMILY_LOG, 1, log_id);
	}
	FinishSpi();
	PG_RETURN_TEXT_P(log_id);
}

/*
 * The session is locked first and the clock read after the lock is granted,
 * so the finish is timed after everything it waited for; and never before
 * the start (the CHECK) nor the latest transition (whose time may be ahead
 * of the clock: transitions are strictly increasing).
 */
Datum
orchestration_session_finish(PG_FUNCTION_ARGS)
{
	text	   *session_id = RequiredId(fcinfo, 0);
	text	   *diagnostics_json = OptionalJson(fcinfo, 1);
	text	   *diagnostics_md = OptionalText(fcinfo, 2);
	Datum		upd[4];
	char		upd_nulls[4] = {' ', ' ', NULL_FLAG(diagnostics_json), NULL_FLAG(diagnostics_md)};
	TimestampTz finished_at;
	bool		isnull;

	ConnectSpi(fcinfo);
	/* Unknown or already finished: P0002 or 55000. */
	LockOpenSession(fcinfo, session_id, true, "finish");
	upd[0] = PointerGetDatum(session_id);
	upd[1] = TimestampTzGetDatum(GetCurrentTimestamp());
	upd[2] = TEXT_DATUM(diagnostics_json);
	upd[3] = TEXT_DATUM(diagnostics_md);
	if (RunPlan(fcinfo, PLAN_SESSION_FINISH, upd, upd_nulls, false) == 0)
		ReportSkippedRow(FAMILY_SESSION);
	finished_at = DatumGetTimestampTz(ResultDatum(1, &isnull));
	FinishSpi();
	PG_RETURN_TIMESTAMPTZ(finished_at);
}
