/*
 * session_lock.c: locks an orchestration session's row without running a query.
 *
 * Every child write and every transition starts by locking the session row
 * (shared for children, exclusive for transitions) and checking that the
 * session is open.  As a "SELECT ... FOR SHARE" through SPI that costs an
 * executor start-up and shutdown per call; here it is one primary-key index
 * probe and table_tuple_lock(), the same steps the executor's LockRows node
 * takes, with the same outcomes:
 *
 * - READ COMMITTED: wait for a concurrent writer, then lock and read the
 *   latest version of the row (TUPLE_LOCK_FLAG_FIND_LAST_VERSION), so a
 *   session finished meanwhile is seen as finished.
 * - REPEATABLE READ / SERIALIZABLE: a row changed after the transaction's
 *   snapshot is a serialization failure (40001), as for FOR SHARE.
 * - A session whose version found by the probe (latest snapshot, or the
 *   transaction's) is finished is reported finished at once, without the
 *   row lock: finished is for ever.  So nobody waits for a purge in order
 *   to learn that a session is finished (under REPEATABLE READ, a session
 *   purged after the snapshot is 55000, as one still there, not 40001).
 * - Privileges are those of the query it replaces (SELECT on the columns
 *   read, UPDATE on some column for a row lock); where row-level security
 *   applies to the caller, the query itself runs, so its policies decide.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

#include "executor/spi.h"

#include "args.h"
#include "family.h"
#include "session_lock.h"
#include "spi_plans.h"

static void
CheckLockPrivileges(Relation rel, AttrNumber id_att, AttrNumber finished_att)
{
	Oid			relid = RelationGetRelid(rel);
	Oid			user = GetUserId();

	if (pg_class_aclcheck(relid, user, ACL_SELECT) != ACLCHECK_OK &&
		(pg_attribute_aclcheck(relid, id_att, user, ACL_SELECT) != ACLCHECK_OK ||
		 pg_attribute_aclcheck(relid, finished_att, user, ACL_SELECT) != ACLCHECK_OK))
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
	if (pg_class_aclcheck(relid, user, ACL_UPDATE) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(relid, user, ACL_UPDATE, ACLMASK_ANY) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
}

/*
 * The same lock taken by the query (the row-level security path).  Its own
 * SPI connection: the guard triggers call this without one.
 */
static SessionState
LockSessionByQuery(FunctionCallInfo fcinfo, text *session_id, bool exclusive,
				   TimestampTz *finished_at)
{
	Datum		values[1] = {PointerGetDatum(session_id)};
	bool		isnull;
	Datum		value;
	SessionState state;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		/* Locks only an open row: a finished one is not waited for (SlotFinished). */
		if (RunPlan(fcinfo, exclusive ? PLAN_SESSION_LOCK_UPDATE : PLAN_SESSION_LOCK_SHARE,
					values, NULL, false) > 0)
		{
			state = SESSION_OPEN;
			break;
		}
		/* Nothing locked: finished, or not there (for this caller). */
		if (RunPlan(fcinfo, PLAN_SESSION_VISIBLE, values, NULL, false) == 0)
		{
			state = SESSION_MISSING;
			break;
		}
		value = ResultDatum(1, &isnull);
		if (!isnull)
		{
			state = SESSION_FINISHED;
			*finished_at = DatumGetTimestampTz(value);
			break;
		}
		/* Open after all: committed after the first query's snapshot. */
	}
	FinishSpi();
	return state;
}

/* Finds the session's row visible to snapshot through the primary key; false if none. */
static bool
FindSessionRow(Relation rel, Oid pk_oid, text *session_id, Snapshot snapshot,
			   TupleTableSlot *slot)
{
	Relation	pk;
	IndexScanDesc scan;
	ScanKeyData key;
	Oid			eq_op;
	bool		found;

	/* family.c checked that pk_oid is a one-column btree with text_ops. */
	pk = index_open(pk_oid, AccessShareLock);
	eq_op = get_opfamily_member(pk->rd_opfamily[0], pk->rd_opcintype[0],
								pk->rd_opcintype[0], BTEqualStrategyNumber);
	if (!OidIsValid(eq_op))
		elog(ERROR, "no equality operator for the primary key of \"%s\"",
			 RelationGetRelationName(rel));
	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, pk->rd_opcintype[0],
						   pk->rd_indcollation[0], get_opcode(eq_op),
						   PointerGetDatum(session_id));
	scan = compat_index_beginscan(rel, pk, snapshot, 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	index_close(pk, NoLock);
	return found;
}

/*
 * Whether the version found is finished: then that is the answer, without
 * waiting for the row lock.  Finished is for ever (a finished row cannot be
 * updated, only purge deletes it), so waiting would only learn the same, or
 * that a purge deleted it; and a direct writer of finished history that
 * already holds a history row must not wait behind a purge that holds the
 * session and waits for that row.
 */
static bool
SlotFinished(TupleTableSlot *slot, AttrNumber finished_att, TimestampTz *finished_at,
			 SessionState *state)
{
	bool		isnull;
	Datum		value = slot_getattr(slot, finished_att, &isnull);

	if (isnull)
		return false;
	*finished_at = DatumGetTimestampTz(value);
	*state = SESSION_FINISHED;
	return true;
}

SessionState
LockSession(FunctionCallInfo fcinfo, text *session_id, bool exclusive,
			TimestampTz *finished_at)
{
	const Family *family = FamilyEnter(fcinfo, 0);
	Oid			relid = family->relids[FAMILY_SESSION];
	Relation	rel;
	AttrNumber	id_att = family->session_id_att;
	AttrNumber	finished_att = family->session_finished_att;
	TupleTableSlot *slot;
	Snapshot	snapshot;
	TM_Result	result;
	TM_FailureData tmfd;
	SessionState state = SESSION_MISSING;
	bool		xact_snapshot = IsolationUsesXactSnapshot();

	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		return LockSessionByQuery(fcinfo, session_id, exclusive, finished_at);

	/* The lock a SELECT ... FOR SHARE / FOR UPDATE takes on the table. */
	rel = table_open(relid, RowShareLock);
	CheckLockPrivileges(rel, id_att, finished_att);

	/* What a new statement would see: the transaction's snapshot or a fresh one. */
	snapshot = RegisterSnapshot(xact_snapshot ? GetTransactionSnapshot() : GetLatestSnapshot());
	slot = table_slot_create(rel, NULL);
	if (FindSessionRow(rel, family->session_pkey, session_id, snapshot, slot) &&
		!SlotFinished(slot, finished_att, finished_at, &state))
	{
		ItemPointerData tid = slot->tts_tid;

		result = table_tuple_lock(rel, &tid, snapshot, slot, GetCurrentCommandId(true),
								  exclusive ? LockTupleExclusive : LockTupleShare,
								  LockWaitBlock,
								  xact_snapshot ? 0 : TUPLE_LOCK_FLAG_FIND_LAST_VERSION,
								  &tmfd);
		switch (result)
		{
			case TM_Ok:
				{
					bool		isnull;
					Datum		value = slot_getattr(slot, finished_att, &isnull);

					state = isnull ? SESSION_OPEN : SESSION_FINISHED;
					if (!isnull)
						*finished_at = DatumGetTimestampTz(value);
					break;
				}
			case TM_Deleted:
				if (xact_snapshot)
					ereport(ERROR,
							(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
							 errmsg("could not serialize access due to concurrent delete"),
							 errhint("Retry the transaction.")));
				/* Purged meanwhile: it no longer exists. */
				break;
			case TM_Updated:
				/* Only without FIND_LAST_VERSION, i.e. under a transaction snapshot. */
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent update"),
						 errdetail("Orchestration session \"%s\" was changed by another transaction after this transaction's snapshot.",
								   MessageText(session_id)),
						 errhint("Retry the transaction.")));
				break;
			case TM_SelfModified:
				/* Changed by the statement that is calling us (a trigger, an expression). */
				ereport(ERROR,
						(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
						 errmsg("orchestration session \"%s\" was already modified by the current command",
								MessageText(session_id)),
						 errhint("Call the lifecycle function in its own statement, not from a trigger or expression of a statement that changes the session.")));
				break;
			default:
				elog(ERROR, "unexpected result %d locking orchestration session \"%s\"",
					 (int) result, MessageText(session_id));
		}
	}
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snapshot);
	/* Keep the table lock until the end of the transaction, as a query does. */
	table_close(rel, NoLock);
	return state;
}
