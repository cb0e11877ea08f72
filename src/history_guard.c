/*
 * history_guard.c: a finished orchestration session is immutable, whoever
 * writes (the lifecycle functions, psql, ORMs, COPY, any role).
 *
 *   orchestration_session_finished_guard()  BEFORE UPDATE OR DELETE ON orchestration_session:
 *       a finished row cannot be updated (orch_finished_at can be neither
 *       moved nor cleared) nor deleted, except by orchestration_session_purge
 *   orchestration_session_history_guard()   on each child table, twice:
 *       BEFORE INSERT OR UPDATE OR DELETE (..._session_lock, from 1.2) and
 *       AFTER INSERT OR UPDATE OR DELETE (..._history_guard): no row is
 *       added to, changed in, moved into or deleted from a finished session
 *       (purge excepted)
 *
 * The session is found through the row: session_id, or the exec of a log
 * line, or the issue of an issue relation.  Where row-level security on
 * orchestration_session applies to the writer, a session it cannot see
 * cannot be written to (42501); the lock itself is taken as the table's
 * owner, as foreign-key checks do, so a writer needs no UPDATE privilege on
 * the session table for it.  The lock is the one every lifecycle function
 * and the finish take (FOR UPDATE): a child written while a finish is in
 * progress waits for it and then fails with 55000; a finish waits for a
 * transaction that wrote a child.
 *
 * Lock order.  The lifecycle functions and maintenance lock the session
 * first, then its rows.  The BEFORE trigger takes the session lock before
 * the row is written and before the foreign-key checks (AFTER triggers)
 * lock the parent session, exec or issue, so a direct INSERT or COPY locks
 * in the same order and queues instead of deadlocking.  An UPDATE or DELETE
 * has its target row locked by the executor before any BEFORE trigger runs;
 * there the session comes second.  With maintenance and the functions that
 * does not deadlock: a purge holds only finished sessions, for which
 * LockSession answers at once without waiting, and the only lock the
 * functions take on existing history rows, the foreign-key KEY SHARE on an
 * entry or exec they reference, conflicts only with a DELETE or a key
 * change of that row (README, Limits).
 *
 * The AFTER trigger checks the row as stored, whatever a later BEFORE
 * trigger (a user's) did to it.  So that it costs almost nothing, and so
 * that a COPY of many rows of one session locks once, links already checked
 * are remembered for the rest of the transaction (below): the AFTER check
 * of a row its BEFORE check passed is a lookup, and so is the BEFORE check
 * of the next row of the same session.  A database still on 1.1 has no
 * BEFORE triggers: there the AFTER trigger checks in full, after the row and
 * its foreign keys as in 1.1, and what it verified serves the next rows.
 *
 * The lifecycle functions lock and check the session themselves and mark
 * their statement as trusted (family.h), so their rows are not checked twice.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

#include "args.h"
#include "family.h"
#include "fanin.h"
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

/*
 * Links verified by this transaction: (kind, link) means "this transaction
 * holds the lock of the session that link leads to, and found it open",
 * for kind FAMILY_SESSION (link: a session id), FAMILY_EXEC (a log line's
 * exec) or FAMILY_ISSUE (an issue relation's issue).  That stays true until
 * the transaction ends, or a subtransaction aborts (its row locks go with
 * it), or this transaction finishes a session or moves a child to another
 * session (then everything is forgotten), and only for the role that was
 * checked (row-level security): each of these empties the list.  A ring of
 * VERIFIED_LINKS entries; links longer than VERIFIED_LINK_MAX bytes are
 * checked every time rather than copied.
 */
#define VERIFIED_LINKS		16
#define VERIFIED_LINK_MAX	256

typedef struct VerifiedLink
{
	FamilyTable kind;
	int			len;
	char	   *data;
} VerifiedLink;

static VerifiedLink verified[VERIFIED_LINKS];
static int	verified_count = 0;
static int	verified_next = 0;
static Oid	verified_user = InvalidOid;
static MemoryContext verified_cxt = NULL;

static void
ForgetVerifiedLinks(void)
{
	if (verified_count == 0)
		return;
	verified_count = 0;
	verified_next = 0;
	MemoryContextReset(verified_cxt);
}

static void
VerifiedXactCallback(XactEvent event, void *arg)
{
	ForgetVerifiedLinks();
}

static void
VerifiedSubXactCallback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		ForgetVerifiedLinks();
}

static bool
LinkVerified(FamilyTable kind, text *link)
{
	int			len = VARSIZE_ANY_EXHDR(link);

	if (verified_count == 0 || verified_user != GetUserId())
		return false;
	for (int i = 0; i < verified_count; i++)
		if (verified[i].kind == kind && verified[i].len == len &&
			memcmp(verified[i].data, VARDATA_ANY(link), len) == 0)
			return true;
	return false;
}

static void
RememberVerifiedLink(FamilyTable kind, text *link)
{
	int			len = VARSIZE_ANY_EXHDR(link);
	VerifiedLink *slot;
	char	   *data;

	if (len > VERIFIED_LINK_MAX || LinkVerified(kind, link))
		return;
	if (verified_cxt == NULL)
	{
		verified_cxt = AllocSetContextCreate(TopMemoryContext,
											 "orchestration_session verified links",
											 ALLOCSET_SMALL_SIZES);
		RegisterXactCallback(VerifiedXactCallback, NULL);
		RegisterSubXactCallback(VerifiedSubXactCallback, NULL);
	}
	if (verified_user != GetUserId())
	{
		ForgetVerifiedLinks();
		verified_user = GetUserId();
	}
	data = MemoryContextAlloc(verified_cxt, Max(len, 1));
	memcpy(data, VARDATA_ANY(link), len);
	slot = &verified[verified_next];
	if (verified_count == VERIFIED_LINKS)
		pfree(slot->data);		/* the oldest goes */
	else
		verified_count++;
	slot->kind = kind;
	slot->len = len;
	slot->data = data;
	verified_next = (verified_next + 1) % VERIFIED_LINKS;
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

	/*
	 * A session finished (or changed) by this transaction is no longer one
	 * whose history it may write: forget what was verified.
	 */
	ForgetVerifiedLinks();

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
	if (!trusted_write.purge)
		FaninRefuseEdgeSession(fcinfo, family,
							   DatumGetTextPP(heap_getattr(trigdata->tg_trigtuple, family->session_id_att,
														   tupdesc, &isnull)),
							   deleting ? "delete" : "update");

	return PointerGetDatum(deleting ? trigdata->tg_trigtuple : trigdata->tg_newtuple);
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

/* The kind of link a child table's link column holds (see VerifiedLink). */
static FamilyTable
LinkKind(FamilyTable table)
{
	return table == FAMILY_LOG ? FAMILY_EXEC :
		table == FAMILY_ISSUE_RELATION ? FAMILY_ISSUE : FAMILY_SESSION;
}

static bool
LinkChanged(Relation rel, FamilyTable table, HeapTuple oldtuple, HeapTuple newtuple)
{
	AttrNumber	att = get_attnum(RelationGetRelid(rel), FamilyLinkColumn(table));
	bool		oldnull;
	bool		newnull;
	Datum		oldlink = heap_getattr(oldtuple, att, RelationGetDescr(rel), &oldnull);
	Datum		newlink = heap_getattr(newtuple, att, RelationGetDescr(rel), &newnull);

	return oldnull != newnull ||
		(!newnull && !TextEq(DatumGetTextPP(oldlink), DatumGetTextPP(newlink)));
}

/*
 * Checks one version (the new or the old) of a child row: locks its
 * session and finds it open, or raises 55000 (42501 where row-level
 * security hides it).
 */
static void
CheckChildRow(FunctionCallInfo fcinfo, const Family *family, FamilyTable table,
			  Relation rel, HeapTuple tuple, const char *action, bool deleting)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	AttrNumber	att = get_attnum(RelationGetRelid(rel), FamilyLinkColumn(table));
	FamilyTable kind = LinkKind(table);
	bool		isnull;
	Datum		value = heap_getattr(tuple, att, tupdesc, &isnull);
	text	   *link;
	text	   *session_id;
	TimestampTz finished_at = 0;
	SessionState state;

	if (isnull)
		return;					/* a log line of no exec: of no session */
	link = DatumGetTextPP(value);
	if (trusted_write.relid == RelationGetRelid(rel) && trusted_write.key != NULL &&
		TextEq(link, trusted_write.key))
		return;					/* written by a lifecycle function that checked it */
	if (LinkVerified(kind, link))
		return;					/* its session is locked by this transaction, and open */

	session_id = kind == FAMILY_SESSION ? link : SessionOfParent(fcinfo, table, link);
	for (;;)
	{
		text	   *now_of;

		if (session_id == NULL)
			return;				/* no such exec or issue: the foreign key decides */

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

		state = LockAsOwner(fcinfo, family, session_id, &finished_at);
		if (state == SESSION_FINISHED)
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
		if (state == SESSION_MISSING)
			return;				/* purged or never there: the foreign key decides */
		if (kind == FAMILY_SESSION)
			break;

		/*
		 * The exec (issue) may have moved to another session before the lock
		 * was granted; once its session is locked it cannot move away (a
		 * mover locks it too).  Look again, and lock the new one if it moved.
		 */
		now_of = SessionOfParent(fcinfo, table, link);
		if (now_of != NULL && TextEq(now_of, session_id))
			break;
		session_id = now_of;
		CHECK_FOR_INTERRUPTS();
	}
	/* On a fan-in central, an edge's sessions are written by its subscription only. */
	FaninRefuseEdgeSession(fcinfo, family, session_id,
						   psprintf("%s table \"%s\" for", action, RelationGetRelationName(rel)));
	RememberVerifiedLink(kind, link);
	if (kind != FAMILY_SESSION)
		RememberVerifiedLink(FAMILY_SESSION, session_id);
}

/*
 * One function for both triggers of each child table.  BEFORE: the check
 * that locks the session before the row is written (and before its
 * foreign-key checks lock the parent); it returns the row unchanged.
 * AFTER: the row as stored, usually a lookup of what BEFORE verified.
 */
Datum
orchestration_session_history_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const Family *family;
	Relation	rel;
	int			table;
	TriggerEvent event;
	HeapTuple	result;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!(TRIGGER_FIRED_BEFORE(trigdata->tg_event) || TRIGGER_FIRED_AFTER(trigdata->tg_event)) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ReportMisuse("orchestration_session_history_guard",
					 "a BEFORE or AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger");
	family = FamilyEnter(fcinfo, 0);
	rel = trigdata->tg_relation;
	table = FamilyTableOf(family, RelationGetRelid(rel));
	if (table < 0 || FamilyLinkColumn((FamilyTable) table) == NULL)
		ReportMisuse("orchestration_session_history_guard",
					 "a trigger on a child table of the extension's orchestration_session");

	event = trigdata->tg_event;
	if (TRIGGER_FIRED_BY_DELETE(event))
	{
		result = trigdata->tg_trigtuple;
		if (!trusted_write.purge)
			CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_trigtuple,
						  "delete from", true);
	}
	else if (TRIGGER_FIRED_BY_INSERT(event))
	{
		result = trigdata->tg_trigtuple;
		if (!orchestration_restoring)
			CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_trigtuple,
						  "add a row to", false);
	}
	else
	{
		/* Neither out of a finished session nor into one (one check if it stays). */
		bool		moved = LinkChanged(rel, (FamilyTable) table, trigdata->tg_trigtuple,
										trigdata->tg_newtuple);

		result = trigdata->tg_newtuple;
		/* An exec or issue that moves takes its log lines or relations along. */
		if (moved)
			ForgetVerifiedLinks();
		CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_trigtuple,
					  "change a row of", false);
		if (moved)
			CheckChildRow(fcinfo, family, (FamilyTable) table, rel, trigdata->tg_newtuple,
						  "move a row of", false);
	}
	return TRIGGER_FIRED_BEFORE(event) ? PointerGetDatum(result) : PointerGetDatum(NULL);
}
