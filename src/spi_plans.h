/*
 * spi_plans.h: the SQL that the lifecycle functions run, prepared once per
 * backend and kept.
 *
 * Every statement names its tables with the extension's own schema and its
 * operators as OPERATOR(pg_catalog.x), so nothing on the caller's
 * search_path changes what runs.
 */
#ifndef ORCHESTRATION_SPI_PLANS_H
#define ORCHESTRATION_SPI_PLANS_H

#include "postgres.h"
#include "fmgr.h"

#include "family.h"

typedef enum PlanId
{
	PLAN_DEVICE_INSERT,
	PLAN_DEVICE_FIND,
	PLAN_NATURE_INSERT,
	PLAN_NATURE_FIND,
	PLAN_START_CHECK,
	PLAN_SESSION_INSERT,
	PLAN_BACKEND_INSERT,
	PLAN_SESSION_LOCK_SHARE,
	PLAN_SESSION_LOCK_UPDATE,
	PLAN_SESSION_FINISH,
	PLAN_ENTRY_INSERT,
	PLAN_ENTRY_SESSION,
	PLAN_STATE_APPEND,
	PLAN_EXEC_SESSION,
	PLAN_ISSUE_SESSION,
	PLAN_SESSION_VISIBLE,
	PLAN_EXEC_INSERT,
	PLAN_ISSUE_INSERT,
	PLAN_LOG_APPEND,
	PLAN_STATE_APPEND_MAINTENANCE,
	PLAN_ABANDON_CANDIDATES,
	PLAN_ABANDON_FINISH,
	PLAN_PURGE_BATCH,
	PLAN_PURGE_DELETE,
	/* The same, on a fan-in central: an edge's sessions are the edge's to abandon and purge. */
	PLAN_ABANDON_CANDIDATES_CENTRAL,
	PLAN_PURGE_BATCH_CENTRAL,
	/* Fan-in (fanin.c): which edge a session came from, device aliases, conflicts. */
	PLAN_FANIN_SESSION_EDGE,
	PLAN_FANIN_VIA_EXEC,
	PLAN_FANIN_VIA_ISSUE,
	PLAN_FANIN_EDGE_ADD,
	PLAN_FANIN_EDGE_DELETE,
	PLAN_FANIN_ENTRY_LINK,
	PLAN_FANIN_STATE_LINK,
	PLAN_FANIN_EXEC_LINK,
	PLAN_FANIN_ISSUE_LINK,
	PLAN_FANIN_ISSUE_RELATION_LINK,
	PLAN_FANIN_LOG_LINK,
	PLAN_FANIN_DEVICE_BY_ID,
	PLAN_FANIN_DEVICE_USED,
	PLAN_FANIN_NATURE_USED,
	PLAN_FANIN_ALIAS_FIND,
	PLAN_FANIN_ALIAS_ADD,
	PLAN_FANIN_ALIAS_REWRITE,
	PLAN_FANIN_CONFLICT,
	PLAN_FANIN_SKIPPED,
	PLAN_FANIN_SESSION_REPLACE,
	PLAN_FANIN_ENTRY_REPLACE,
	PLAN_FANIN_STATE_REPLACE,
	PLAN_FANIN_EXEC_REPLACE,
	PLAN_FANIN_ISSUE_REPLACE,
	PLAN_FANIN_ISSUE_RELATION_REPLACE,
	PLAN_FANIN_LOG_REPLACE,
	NUM_PLANS
} PlanId;

/*
 * The prologue of every writing function (FamilyEnter with FAMILY_WRITES:
 * refuses a read-only transaction, 25006; resolves and checks the tables),
 * then SPI_connect.  FinishSpi: SPI_finish.  Both raise on failure.
 */
extern const Family *ConnectSpi(FunctionCallInfo fcinfo);
extern void FinishSpi(void);

/*
 * Runs a plan (SPI must be connected) and returns SPI_processed.
 * fresh_snapshot: read with a snapshot taken now rather than the
 * transaction's, so that under REPEATABLE READ a reader that has just waited
 * for a row lock sees what the lock holder committed (the same technique as
 * PostgreSQL's foreign-key checks).  Under READ COMMITTED it changes nothing.
 */
extern uint64 RunPlan(FunctionCallInfo fcinfo, PlanId id, Datum *values,
					  const char *nulls, bool fresh_snapshot);

/* RunPlan with trusted_write set for its duration (family.h). */
extern uint64 RunTrustedPlan(FunctionCallInfo fcinfo, PlanId id, Datum *values,
							 const char *nulls, bool fresh_snapshot, FamilyTable table,
							 text *key, bool purge);

/*
 * RunPlan as the owner of the family table (SECURITY_LOCAL_USERID_CHANGE,
 * as foreign-key checks do): for bookkeeping rows no caller may forge.
 */
extern uint64 RunPlanAsOwner(FunctionCallInfo fcinfo, PlanId id, Datum *values,
							 const char *nulls, FamilyTable table);

/* Column col (1-based) of row 0 of the last result, copied out of SPI memory. */
extern Datum ResultDatum(int col, bool *isnull);

#endif
