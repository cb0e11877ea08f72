/*
 * fanin.c: the central of an edge-to-central fan-in over PostgreSQL's
 * logical replication (README: Fan-in).
 *
 *   orchestration_fanin_merge()   BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW
 *       on every replicated table; created disabled, enabled for the apply
 *       and table-sync workers only (ENABLE REPLICA) by
 *       orchestration_fanin_prepare_central()
 *
 * Each edge is one subscription; the subscription's name is the edge's name.
 * The apply workers run with session_replication_role = replica, so none of
 * the ordinary triggers (guards, JSON explanations) nor the foreign-key
 * checks run there; this trigger is the one rule they apply:
 *
 * - natures are a shared vocabulary keyed by their id: the first row of an id
 *   is kept, the same id from another edge is the same nature (dropped as a
 *   duplicate); updates apply whoever sends them; a nature still used by a
 *   session is not deleted;
 * - devices are identified upstream by (name, state, boundary): a device from
 *   an edge whose id is new but whose (name, state, boundary) is already on
 *   the central is the same device; its id becomes an alias of the central's
 *   row (orchestration_fanin_device_alias) and the edge's sessions are
 *   rewritten to it, also those that arrived before it (the initial copy
 *   loads the tables in parallel: a session whose device is neither here
 *   nor an alias takes a SHARE lock on the alias table, so a new alias
 *   waits for that session's commit and then rewrites it, or the session
 *   waits for the alias and uses it); a device still used by a session is
 *   not deleted;
 * - every session belongs to the edge that sent it first
 *   (orchestration_fanin_session_edge); a change from another edge to a
 *   session, or to a row of its history, is skipped and recorded in
 *   orchestration_fanin_conflict with a WARNING in the server log: two edges
 *   that use the same caller-supplied id are shown, and the stream goes on.
 *   The same row sent again by its own edge (a subscription re-created with
 *   copy_data) replaces the row here (which may be older).  A child that arrives before its
 *   session (initial copy) is accepted; it is checked against the session's
 *   edge once that is known.
 *
 * A local writer with session_replication_role = replica (not an apply
 * worker) is let through unchanged.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "replication/worker_internal.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "args.h"
#include "family.h"
#include "fanin.h"
#include "spi_plans.h"

PG_FUNCTION_INFO_V1(orchestration_fanin_merge);

/* Who owns the session a row belongs to. */
typedef enum Owner
{
	OWNER_UNKNOWN,				/* not here (yet): the initial copy loads tables in any order */
	OWNER_CENTRAL,				/* a session of the central's own */
	OWNER_EDGE,					/* a session replicated from edge *edge */
	OWNER_SKIPPED				/* its exec or issue was skipped as a conflict */
} Owner;

typedef struct MergeRow
{
	FunctionCallInfo fcinfo;
	const Family *family;
	FamilyTable table;
	Relation	rel;
	const char *edge;			/* the applying subscription */
	const char *operation;		/* INSERT, UPDATE, DELETE */
} MergeRow;

/* The plan that reads the link column (family.h) of a child row by its key. */
static PlanId
LinkPlan(FamilyTable table)
{
	switch (table)
	{
		case FAMILY_ENTRY:
			return PLAN_FANIN_ENTRY_LINK;
		case FAMILY_STATE:
			return PLAN_FANIN_STATE_LINK;
		case FAMILY_EXEC:
			return PLAN_FANIN_EXEC_LINK;
		case FAMILY_ISSUE:
			return PLAN_FANIN_ISSUE_LINK;
		case FAMILY_ISSUE_RELATION:
			return PLAN_FANIN_ISSUE_RELATION_LINK;
		default:
			return PLAN_FANIN_LOG_LINK;
	}
}

static text *
Column(const MergeRow *m, HeapTuple tuple, const char *column)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, get_attnum(RelationGetRelid(m->rel), column),
									 RelationGetDescr(m->rel), &isnull);

	return isnull ? NULL : DatumGetTextPP(value);
}

static char *
ColumnString(const MergeRow *m, HeapTuple tuple, const char *column)
{
	text	   *value = Column(m, tuple, column);

	return value == NULL ? NULL : text_to_cstring(value);
}

/* Runs a bookkeeping plan with one or more text arguments (NULL allowed) as the tables' owner. */
static uint64
RunTextPlan(const MergeRow *m, PlanId id, int nargs, const char **args)
{
	Datum		values[6];
	char		nulls[6];

	Assert(nargs <= 6);
	for (int i = 0; i < nargs; i++)
	{
		values[i] = args[i] ? CStringGetTextDatum(args[i]) : (Datum) 0;
		nulls[i] = args[i] ? ' ' : 'n';
	}
	return RunPlanAsOwner(m->fcinfo, id, values, nulls, FAMILY_SESSION);
}

/* Text column col of the first result row, or NULL. */
static char *
ResultString(int col)
{
	bool		isnull;
	Datum		value = ResultDatum(col, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/* The owner of the session a row belongs to, through its link (a session, exec or issue id). */
static Owner
OwnerOf(const MergeRow *m, FamilyTable table, const char *link, char **owner_edge)
{
	PlanId		plan = PLAN_FANIN_SESSION_EDGE;
	bool		isnull;

	*owner_edge = NULL;
	if (link == NULL)
		return OWNER_UNKNOWN;	/* a log line of no exec */
	if (table == FAMILY_LOG)
		plan = PLAN_FANIN_VIA_EXEC;
	else if (table == FAMILY_ISSUE_RELATION)
		plan = PLAN_FANIN_VIA_ISSUE;
	if (RunTextPlan(m, plan, 1, &link) == 0)
	{
		/* Its exec or issue is not here: not yet, or skipped as a conflict. */
		const char *args[3] = {m->edge, FamilyTableName(table == FAMILY_LOG ? FAMILY_EXEC : FAMILY_ISSUE),
		link};

		if (plan != PLAN_FANIN_SESSION_EDGE && RunTextPlan(m, PLAN_FANIN_SKIPPED, 3, args) > 0)
			return OWNER_SKIPPED;
		return OWNER_UNKNOWN;
	}
	*owner_edge = ResultString(1);
	if (*owner_edge != NULL)
		return OWNER_EDGE;
	return DatumGetBool(ResultDatum(2, &isnull)) ? OWNER_CENTRAL : OWNER_UNKNOWN;
}

/* Whether the edge applying this change may change a row of that owner. */
static bool
OwnedByEdge(const MergeRow *m, Owner owner, const char *owner_edge)
{
	return owner == OWNER_UNKNOWN ||
		(owner == OWNER_EDGE && strcmp(owner_edge, m->edge) == 0);
}

/* Records a skipped change (orchestration_fanin_conflict) and says so in the server log. */
static void
Conflict(const MergeRow *m, const char *row_id, const char *owner_edge, const char *detail)
{
	const char *args[6] = {m->edge, FamilyTableName(m->table), row_id, m->operation,
	owner_edge, detail};

	RunTextPlan(m, PLAN_FANIN_CONFLICT, 6, args);
	ereport(WARNING,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("fan-in: %s of %s row \"%s\" from edge \"%s\" skipped",
					m->operation, FamilyTableName(m->table), MessageText(cstring_to_text(row_id)),
					m->edge),
			 errdetail("%s", detail),
			 errhint("See orchestration_fanin_conflict; ids must be unique across edges (let the extension generate them).")));
}

static const char *
OwnerText(Owner owner, const char *owner_edge)
{
	return owner == OWNER_EDGE ? psprintf("edge \"%s\"", owner_edge) : "the central itself";
}

static PlanId
ReplacePlan(FamilyTable table)
{
	switch (table)
	{
		case FAMILY_SESSION:
			return PLAN_FANIN_SESSION_REPLACE;
		case FAMILY_ENTRY:
			return PLAN_FANIN_ENTRY_REPLACE;
		case FAMILY_STATE:
			return PLAN_FANIN_STATE_REPLACE;
		case FAMILY_EXEC:
			return PLAN_FANIN_EXEC_REPLACE;
		case FAMILY_ISSUE:
			return PLAN_FANIN_ISSUE_REPLACE;
		case FAMILY_ISSUE_RELATION:
			return PLAN_FANIN_ISSUE_RELATION_REPLACE;
		default:
			return PLAN_FANIN_LOG_REPLACE;
	}
}

/* A change to a session or to its history: only from the session's own edge. */
static bool
MergeSessionRow(const MergeRow *m, HeapTuple oldtup, HeapTuple *newtup, bool *modified)
{
	const char *pk = FamilyKeyColumn(m->table);
	const char *link_col = m->table == FAMILY_SESSION ? pk : FamilyLinkColumn(m->table);
	HeapTuple	row = oldtup ? oldtup : *newtup;
	char	   *id = ColumnString(m, row, pk);
	char	   *owner_edge;
	Owner		owner;

	if (oldtup == NULL)
	{
		/* INSERT: a row of that id may already be here. */
		const char *existing_link = NULL;
		bool		exists;

		if (m->table == FAMILY_SESSION)
		{
			owner = OwnerOf(m, FAMILY_SESSION, id, &owner_edge);
			exists = owner != OWNER_UNKNOWN;
		}
		else
		{
			exists = RunTextPlan(m, LinkPlan(m->table), 1, (const char **) &id) > 0;
			if (exists)
				existing_link = ResultString(1);
			owner = exists ? OwnerOf(m, m->table, existing_link, &owner_edge) : OWNER_UNKNOWN;
		}
		if (exists)
		{
			if (owner != OWNER_UNKNOWN && !OwnedByEdge(m, owner, owner_edge))
			{
				Conflict(m, id, owner_edge,
						 psprintf("A row of that id is already here, of a session of %s.",
								  OwnerText(owner, owner_edge)));
				return false;
			}
			/*
			 * Its own edge sends it again (a subscription re-created with
			 * copy_data): the new version replaces the old one, which may
			 * be older (a session finished since).
			 */
			RunTextPlan(m, ReplacePlan(m->table), 1, (const char **) &id);
		}
	}
	else
	{
		/* UPDATE or DELETE: of a row of this edge only. */
		owner = OwnerOf(m, m->table, ColumnString(m, oldtup, link_col), &owner_edge);
		if (!OwnedByEdge(m, owner, owner_edge))
		{
			Conflict(m, id, owner_edge,
					 psprintf("The row here belongs to a session of %s.", OwnerText(owner, owner_edge)));
			return false;
		}
	}

	if (*newtup != NULL && m->table != FAMILY_SESSION)
	{
		/* The session the new version belongs to must be this edge's too. */
		owner = OwnerOf(m, m->table, ColumnString(m, *newtup, link_col), &owner_edge);
		if (!OwnedByEdge(m, owner, owner_edge))
		{
			Conflict(m, id, owner_edge,
					 owner == OWNER_SKIPPED ?
					 "Its exec or issue from this edge was skipped as a conflict." :
					 psprintf("Its session here belongs to %s.", OwnerText(owner, owner_edge)));
			return false;
		}
	}

	if (m->table == FAMILY_SESSION && *newtup != NULL)
	{
		/*
		 * The edge's device may be an alias of a central device.  A device
		 * that is neither here nor an alias may be arriving in parallel (the
		 * initial copy): a SHARE lock on the alias table waits for an alias
		 * being made, or makes its rewrite wait for this session's commit.
		 */
		const char *args[2] = {m->edge, ColumnString(m, *newtup, "device_id")};
		bool		aliased = false;

		if (args[1] != NULL)
		{
			aliased = RunTextPlan(m, PLAN_FANIN_ALIAS_FIND, 2, args) > 0;
			if (!aliased && RunTextPlan(m, PLAN_FANIN_DEVICE_BY_ID, 1, &args[1]) == 0)
			{
				LockRelationOid(get_relname_relid("orchestration_fanin_device_alias",
												  m->family->namespace), ShareLock);
				aliased = RunTextPlan(m, PLAN_FANIN_ALIAS_FIND, 2, args) > 0;
			}
		}
		if (aliased)
		{
			int			att = get_attnum(RelationGetRelid(m->rel), "device_id");
			Datum		value = CStringGetTextDatum(ResultString(1));
			bool		isnull = false;

			*newtup = heap_modify_tuple_by_cols(*newtup, RelationGetDescr(m->rel), 1, &att,
												&value, &isnull);
			*modified = true;
		}
		if (oldtup == NULL)
		{
			const char *edge_args[2] = {id, m->edge};

			RunTextPlan(m, PLAN_FANIN_EDGE_ADD, 2, edge_args);
		}
	}
	else if (m->table == FAMILY_SESSION)
		RunTextPlan(m, PLAN_FANIN_EDGE_DELETE, 1, (const char **) &id);
	return true;
}

/* Whether a session uses the device or nature (then it is not deleted). */
static bool
InUse(const MergeRow *m, const char *id)
{
	return RunTextPlan(m, m->table == FAMILY_DEVICE ? PLAN_FANIN_DEVICE_USED : PLAN_FANIN_NATURE_USED,
					   1, &id) > 0;
}

static bool
SameText(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* A change to a shared parent: a device or a nature. */
static bool
MergeParentRow(const MergeRow *m, HeapTuple oldtup, HeapTuple newtup)
{
	const char *pk = FamilyKeyColumn(m->table);
	char	   *id = ColumnString(m, oldtup ? oldtup : newtup, pk);

	if (newtup == NULL)
		return !InUse(m, id);	/* DELETE: kept while a session uses it */

	if (m->table == FAMILY_NATURE)
	{
		/* The same nature id from any edge is the same nature. */
		return oldtup != NULL || RunTextPlan(m, PLAN_NATURE_FIND, 1, (const char **) &id) == 0;
	}
	else
	{
		const char *key[3] = {ColumnString(m, newtup, "name"), ColumnString(m, newtup, "state"),
		ColumnString(m, newtup, "boundary")};

		if (oldtup == NULL && RunTextPlan(m, PLAN_FANIN_DEVICE_BY_ID, 1, (const char **) &id) > 0)
		{
			if (!(SameText(ResultString(1), key[0]) && SameText(ResultString(2), key[1]) &&
				  SameText(ResultString(3), key[2])))
				Conflict(m, id, NULL,
						 psprintf("Device id \"%s\" is already here, as another device (name \"%s\").",
								  MessageText(cstring_to_text(id)),
								  MessageText(cstring_to_text(ResultString(1)))));
			return false;		/* the same device, already here */
		}
		if (RunTextPlan(m, PLAN_DEVICE_FIND, 3, key) > 0)
		{
			char	   *central_id = ResultString(1);
			const char *alias[3] = {m->edge, id, central_id};

			if (SameText(central_id, id))
				return true;	/* an update that keeps its key */
			if (oldtup != NULL)
			{
				Conflict(m, id, NULL,
						 psprintf("Another device (\"%s\") has that name, state and boundary here.",
								  MessageText(cstring_to_text(central_id))));
				return false;
			}
			/* Upstream's identity of a device: the same device; its id is an alias. */
			RunTextPlan(m, PLAN_FANIN_ALIAS_ADD, 3, alias);
			RunTextPlan(m, PLAN_FANIN_ALIAS_REWRITE, 3, alias);
			return false;
		}
		return true;
	}
}

Datum
orchestration_fanin_merge(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	MergeRow	m;
	int			table;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	bool		keep;
	bool		modified = false;

	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
				 errmsg("orchestration_fanin_merge() must be a BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW trigger"),
				 errhint("The extension attaches it itself; do not attach it to other tables.")));
	m.fcinfo = fcinfo;
	m.family = FamilyEnter(fcinfo, 0);
	m.rel = trigdata->tg_relation;
	table = FamilyTableOf(m.family, RelationGetRelid(m.rel));
	if (table < 0 || FamilyKeyColumn((FamilyTable) table) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_TRIGGERED_ACTION_EXCEPTION),
				 errmsg("orchestration_fanin_merge() must be a trigger on a replicated table of the extension"),
				 errhint("The extension attaches it itself; do not attach it to other tables.")));
	m.table = (FamilyTable) table;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		newtup = trigdata->tg_trigtuple;
		m.operation = "INSERT";
	}
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
		m.operation = "UPDATE";
	}
	else
	{
		oldtup = trigdata->tg_trigtuple;
		m.operation = "DELETE";
	}

	m.edge = FaninCurrentEdge();
	if (m.edge == NULL)
		return PointerGetDatum(newtup ? newtup : oldtup);	/* not an apply worker */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (m.table == FAMILY_DEVICE || m.table == FAMILY_NATURE)
		keep = MergeParentRow(&m, oldtup, newtup);
	else
		keep = MergeSessionRow(&m, oldtup, &newtup, &modified);
	if (keep && modified)
		newtup = SPI_copytuple(newtup);	/* out of SPI's memory, which SPI_finish frees */
	FinishSpi();
	if (!keep)
		return PointerGetDatum(NULL);
	return PointerGetDatum(newtup ? newtup : oldtup);
}

const char *
FaninCurrentEdge(void)
{
	if (MyLogicalRepWorker == NULL || MySubscription == NULL)
		return NULL;
	return MySubscription->name;
}

/*
 * On a central, a session replicated from an edge is the edge's: refuses a
 * local write to it (55000).  Nothing to do on an edge or before 1.2.
 */
void
FaninRefuseEdgeSession(FunctionCallInfo fcinfo, const Family *family, text *session_id,
					   const char *action)
{
	char	   *edge;
	Datum		values[1] = {PointerGetDatum(session_id)};

	if (!family->is_central || FaninCurrentEdge() != NULL)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	RunPlan(fcinfo, PLAN_FANIN_SESSION_EDGE, values, NULL, false);
	edge = ResultString(1);
	FinishSpi();
	if (edge != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot %s orchestration session \"%s\": it belongs to edge \"%s\"",
						action, MessageText(session_id), edge),
				 errdetail("On a fan-in central, an edge's sessions are written only by the edge's subscription."),
				 errhint("Write it on the edge; its changes replicate here.")));
}
