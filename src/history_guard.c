/*
 * history_guard.c: a finished orchestration session is immutable, whoever
 * writes (the lifecycle functions, psql, ORMs, COPY, any role).
 *
 *   orchestration_session_finished_guard()  BEFORE UPDATE OR DELETE ON orchestration_session:
 *       a finished row cannot be updated (orch_finished_at can be neither
 *       moved nor cleared) nor deleted, except by orchestration_session_purge
 *   orchestration_session_history_guard()   AFTER INSERT OR UPDATE OR DELETE ON each child table:
 *       no row is added to, changed in, moved into or deleted from a
 *       finished session (purge excepted)
 *
 * The child guard runs AFTER the row is written, so it checks the row as
 * stored, whatever other BEFORE triggers did to it.  It share-locks the
 * session row first, as the lifecycle functions do: a child written while a
 * finish is in progress waits for it and then fails with 55000; a finish
 * waits for a transaction that wrote a child.  The session is found through
 * the row: session_id, or the exec of a log line, or the issue of an issue
 * relation.  Where row-level security on orchestration_session applies to
 * the writer, a session it cannot see cannot be written to (42501); the lock
 * itself is then taken as the table's owner, as foreign-key checks do, so a
 * writer needs no UPDATE privilege on the session table for it.
 *
 * The lifecycle functions lock and check the session themselves and mark
 * their statement as trusted (family.h), so their rows are not checked twice.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

#include "args.h"
#include "family.h"
#include "session_lock.h"
#include "spi_plans.h"

PG_FUNCTION_INFO_V1(orchestration_session_finished_guard);
PG_FUNCTION_INFO_V1(orchestration_session_history_guard);

static void
ReportMisuse(const char *function, const char *how)
{
	ereport(ERROR,
			(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
			 errmsg("%s() must be %s", function, how),
			 errhint("The extension attaches it itself; do not attach it to other tables.")));
}

static bool
TextEq(text *a, text *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

Datum
orchestration_session_finished_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const Family *family;
	Relation	rel;
	TupleDesc	tupdesc;
	Datum		finished_at;
	bool		isnull;
	bool		deleting;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) || TRIGGER_FIRED_BY_DELETE(trigdata->tg_event)))
		ReportMisuse("orchestration_session_finished_guard",
					 "a BEFORE UPDATE OR DELETE ... FOR EACH ROW trigger on orchestration_session");
	family = FamilyEnter(fcinfo, 0);
	rel = trigdata->tg_relation;
	if (RelationGetRelid(rel) != family->relids[FAMILY_SESSION])
		ReportMisuse("orchestration_session_finished_guard",
					 "a trigger on the extension's orchestration_session table");

	deleting = TRIGGER_FIRED_BY_DELETE(trigdata->tg_event);
	tupdesc = RelationGetDescr(rel);
	finished_at = heap_getattr(trigdata->tg_trigtuple, family->session_finished_att, tupdesc, &isnull);
	if (!isnull && !(deleting && trusted_write.purge))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("orchestration session \"%s\" is finished and cannot be %s",
						MessageText(DatumGetTextPP(heap_getattr(trigdata->tg_trigtuple, family->session_id_att,
																tupdesc, &isnull))),
						deleting ? "deleted" : "updated"),
				 errdetail("It finished at %s; a finished session is immutable and its orch_finished_at cannot be moved.",
						   timestamptz_to_str(DatumGetTimestampTz(finished_at))),
				 deleting ?
				 errhint("Finished sessions are removed with orchestration_session_purge(), with all their history.") :
				 errhint("Record further work in a new session (orchestration_session_start())."),
				 errtable(rel)));

	return PointerGetDatum(deleting ? trigdata->tg_trigtuple : trigdata->tg_newtuple);
}

/* The column of each child table that leads to its session. */
static const char *
LinkColumn(FamilyTable table)
{
	switch (table)
	{
		case FAMILY_ENTRY:
		case FAMILY_STATE:
		case FAMILY_EXEC:
		case FAMILY_ISSUE:
			return "session_id";
		case FAMILY_ISSUE_RELATION:
			return "issue_id_prime";
		case FAMILY_LOG:
			return "parent_exec_id";
		default:
			return NULL;
	}
}

/* The session of a log line's exec or an issue relation's issue; NULL if none is visible. */
static text *
SessionOfParent(FunctionCallInfo fcinfo, FamilyTable table, text *link)
{
	Datum		values[1] = {PointerGetDatum(link)};
	text	   *session_id = NULL;
	bool		isnull;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (RunPlan(fcinfo, table == FAMILY_LOG ? PLAN_EXEC_SESSION : PLAN_ISSUE_SESSION,
				values, NULL, true) > 0)
	{
		Datum		value = ResultDatum(1, &isnull);

		if (!isnull)
			session_id = DatumGetTextPP(value);
	}
	FinishSpi();
	return session_id;
}

/* Under row-level security, whether the writer can see the session at all. */
static bool
SessionVisible(FunctionCallInfo fcinfo, text *session_id)
{
	Datum		values[1] = {PointerGetDatum(session_id)};
	bool		visible;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	visible = RunPlan(fcinfo, PLAN_SESSION_VISIBLE, values, NULL, false) > 0;
	FinishSpi();
	return visible;
}

/* Locks the session as the session table's owner (the lock every history write takes); its state. */
static SessionState
LockAsOwner(FunctionCallInfo fcinfo, const Family *family, text *session_id,
			TimestampTz *finished_at)
{
	Oid			saved_user;
	int			saved_sec;
	SessionState state;

	GetUserIdAndSecContext(&saved_user, &saved_sec);
	SetUserIdAndSecContext(FamilyTableOwner(family, FAMILY_SESSION),
						   saved_sec | SECURITY_LOCAL_USERID_CHANGE);
	state = LockSession(fcinfo, session_id, true, finished_at);
	SetUserIdAndSecContext(saved_user, saved_sec);
	return state;
}

/* Checks one version (the new or the old) of a child row. */
static void
CheckChildRow(FunctionCallInfo fcinfo, const Family *family, FamilyTable table,
			  Relation rel, HeapTuple tuple, const char *action, bool deleting)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	AttrNumber	att = get_attnum(RelationGetRelid(rel), LinkColumn(table));
	bool		isnull;
	Datum		value = heap_getattr(tuple, att, tupdesc, &isnull);
	text	   *link;
	text	   *session_id;
	TimestampTz finished_at = 0;

	if (isnull)
		return;					/* a log line of no exec: of no session */
	link = DatumGetTextPP(value);
	if (trusted_write.relid == RelationGetRelid(rel) && trusted_write.key != NULL &&
		TextEq(link, trusted_write.key))
		return;					/* written by a lifecycle function that checked it */

	session_id = (table == FAMILY_LOG || table == FAMILY_ISSUE_RELATION) ?
		SessionOfParent(fcinfo, table, link) : link;
	if (session_id == NULL)
		return;					/* no such exec or issue: the foreign key decides */

	if (check_enable_rls(family->relids[FAMILY_SESSION], InvalidOid, false) == RLS_ENABLED &&
		!SessionVisible(fcinfo, session_id))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s table \"%s\" for orchestration session \"%s\"",
						action, RelationGetRelationName(rel), MessageText(session_id)),
				 errdetail("Row-level security on orchestration_session does not let role \"%s\" see that session.",
						   GetUserNameFromId(GetUserId(), false)),
				 errhint("Write only the history of sessions your role may see."),
				 errtable(rel)));

	if (LockAsOwner(fcinfo, family, session_id, &finished_at) == SESSION_FINISHED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot %s table \"%s\" for orchestration session \"%s\": it is already finished",
						action, RelationGetRelationName(rel), MessageText(session_id)),
				 errdetail("The session finished at %s; the history of a finished session is immutable.",
						   timestamptz_to_str(finished_at)),
				 deleting ?
				 errhint("Finished sessions are removed with orchestration_session_purge(), with all their history.") :
				 errhint("Record further work in a new session (orchestration_session_start()); "
						 "a restore of a dump runs with orchestration_session.restoring = on."),
				 errtable(rel)));
}

Datum
orchestration_session_history_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const Family *family;
	Relation	rel;
	int			table;
	TriggerEvent event;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ReportMisuse("orchestration_session_history_guard",
					 "an AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger");
	family = FamilyEnter(fcinfo, 0);
	rel = trigdata->tg_relation;
	table = FamilyTableOf(family, RelationGetRelid(rel));
	if (table < 0 || LinkColumn((FamilyTable) table) == NULL)
		ReportMisuse("orchestration_session_history_guard",
					 "a trigger on a child table of the extension's orchestration_session");

	event = trigdata->tg_event;
	if (TRIGGER_FIRED_BY_DELETE(event))
	{
		if (!trusted_write.purge)
			CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_trigtuple,
						  "delete from", true);
	}
	else if (TRIGGER_FIRED_BY_INSERT(event))
	{
		if (!orchestration_restoring)
			CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_trigtuple,
					  "add a row to", false);
	}
	else
	{
		/* Neither out of a finished session nor into one (one check if it stays). */
		AttrNumber	att = get_attnum(RelationGetRelid(rel), LinkColumn((FamilyTable) table));
		bool		oldnull;
		bool		newnull;
		Datum		oldlink = heap_getattr(trigdata->tg_trigtuple, att, RelationGetDescr(rel), &oldnull);
		Datum		newlink = heap_getattr(trigdata->tg_newtuple, att, RelationGetDescr(rel), &newnull);

		CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_trigtuple,
					  "change a row of", false);
		if (oldnull != newnull ||
			(!newnull && !TextEq(DatumGetTextPP(oldlink), DatumGetTextPP(newlink))))
			CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_newtuple,
						  "move a row of", false);
	}
	return PointerGetDatum(NULL);
}
