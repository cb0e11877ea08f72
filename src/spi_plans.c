/*
 * spi_plans.c: prepared, schema-qualified SQL of the lifecycle functions.
 *
 * The statements are written with @S@ standing for the extension's schema,
 * whose current name comes from the family (family.c: the tables found
 * through the extension and checked).  Plans are prepared on first use and
 * kept for the life of the backend; when the family changes (the schema is
 * renamed, the extension re-created), every plan is prepared again with the
 * new names, so a plan never follows an old schema name.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "family.h"
#include "spi_plans.h"

#define MAX_PLAN_ARGS 16

typedef struct PlanDef
{
	const char *sql;
	int			nargs;
	Oid			argtypes[MAX_PLAN_ARGS];
	/*
	 * Planned at every execution (CURSOR_OPT_CUSTOM_PLAN): for maintenance
	 * calls that run a statement thousands of times while the tables it
	 * reads grow, so a generic plan made on empty tables (a fresh install)
	 * cannot turn one call quadratic.  Lifecycle plans stay generic.
	 */
	bool		custom;
} PlanDef;

#define T TEXTOID
#define I INT4OID
#define TS TIMESTAMPTZOID
#define B BOOLOID
#define TA TEXTARRAYOID

/*
 * "The session is open", written so that the planner cannot match it to the
 * partial indexes WHERE orch_finished_at IS NULL: with a plain IS NULL the
 * generic plan may pick orchestration_session_open_idx and filter on the id,
 * which visits every open session and every dead entry a finish left behind
 * (until VACUUM) on each call; the primary key finds the one row.  Still a
 * WHERE clause, so READ COMMITTED re-checks it on the latest row version.
 */
#define IS_OPEN(alias) " (" alias ".orch_finished_at IS NULL) IS TRUE"

/*
 * When parameter p is not NULL, the entry (exec) p belongs to the session
 * whose id is parameter s.  The caller has locked that session (LockSession).
 */
#define OWN_ENTRY(p, s) \
	" (" p " IS NULL OR EXISTS (SELECT 1 FROM @S@.orchestration_session_entry e" \
	"   WHERE e.orchestration_session_entry_id OPERATOR(pg_catalog.=) " p \
	"   AND e.session_id OPERATOR(pg_catalog.=) " s "))"
#define OWN_EXEC(p, s) \
	" (" p " IS NULL OR EXISTS (SELECT 1 FROM @S@.orchestration_session_exec x" \
	"   WHERE x.orchestration_session_exec_id OPERATOR(pg_catalog.=) " p \
	"   AND x.session_id OPERATOR(pg_catalog.=) " s "))"

/*
 * The next link of the chain (the caller holds the session's lock), if entry
 * $3 (when given) is the session's: from the latest to_state (INITIAL for
 * the first), at $7 or, if the clock is not past the latest link, one
 * microsecond after it.
 */
#define STATE_APPEND_SQL \
	"INSERT INTO @S@.orchestration_session_state (orchestration_session_state_id, session_id," \
	" session_entry_id, from_state, to_state, transition_result, transition_reason," \
	" transitioned_at, elaboration)" \
	" SELECT $1, $2, $3, COALESCE(l.to_state, 'INITIAL'), $4, $5, $6," \
	" CASE WHEN l.transitioned_at OPERATOR(pg_catalog.>=) $7" \
	"      THEN l.transitioned_at OPERATOR(pg_catalog.+) '1 microsecond'::pg_catalog.interval" \
	"      ELSE $7 END, $8" \
	" FROM (SELECT) AS one LEFT JOIN LATERAL (" \
	"   SELECT to_state, transitioned_at FROM @S@.orchestration_session_state" \
	"   WHERE session_id OPERATOR(pg_catalog.=) $2" \
	"   ORDER BY transitioned_at DESC, orchestration_session_state_id DESC LIMIT 1) l ON true" \
	" WHERE" OWN_ENTRY("$3", "$2") \
	" RETURNING transitioned_at, orchestration_session_state_id::pg_catalog.text"

/*
 * On a fan-in central (fanin.c) an edge's sessions belong to the edge: its
 * own abandon and purge replicate here, and the central has no backend row
 * for them, so its maintenance leaves them alone.
 */
#define NOT_FROM_AN_EDGE(alias) \
	" AND NOT EXISTS (SELECT 1 FROM @S@.orchestration_fanin_session_edge f" \
	"  WHERE f.session_id OPERATOR(pg_catalog.=) " alias ".orchestration_session_id)"

#define ABANDON_CANDIDATES_SQL(extra) \
	"SELECT s.orchestration_session_id::pg_catalog.text, s.orch_finished_at, s.orch_started_at" \
	" FROM @S@.orchestration_session s" \
	" WHERE s.orch_finished_at IS NULL" \
	" AND s.orch_started_at OPERATOR(pg_catalog.<) $1" \
	" AND (s.orch_started_at, s.orchestration_session_id::pg_catalog.text)" \
	"     OPERATOR(pg_catalog.>) ($3, $4)" \
	" AND (NOT $2 OR NOT EXISTS (" \
	"   SELECT 1 FROM @S@.orchestration_session_backend b" \
	"   JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) b.pid" \
	"    AND (a.backend_start OPERATOR(pg_catalog.=) b.backend_start OR a.backend_start IS NULL)" \
	"   WHERE b.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id))" \
	extra \
	" ORDER BY s.orch_started_at, s.orchestration_session_id::pg_catalog.text" \
	" LIMIT $5 FOR UPDATE OF s SKIP LOCKED"

#define PURGE_BATCH_SQL(extra) \
	"SELECT pg_catalog.array_agg(q.id ORDER BY q.f, q.id), pg_catalog.count(*)::pg_catalog.int4," \
	" (pg_catalog.array_agg(q.f ORDER BY q.f DESC, q.id DESC))[1]," \
	" (pg_catalog.array_agg(q.id ORDER BY q.f DESC, q.id DESC))[1]" \
	" FROM (SELECT orchestration_session_id::pg_catalog.text AS id, orch_finished_at AS f" \
	"  FROM @S@.orchestration_session s" \
	"  WHERE orch_finished_at IS NOT NULL" \
	"  AND orch_finished_at OPERATOR(pg_catalog.<) $1" \
	"  AND (orch_finished_at, orchestration_session_id::pg_catalog.text)" \
	"      OPERATOR(pg_catalog.>) ($3, $4)" \
	extra \
	"  ORDER BY orch_finished_at, orchestration_session_id::pg_catalog.text" \
	"  LIMIT $2 FOR UPDATE SKIP LOCKED) q"

/* The link column (to the session, exec or issue) of the row with primary key $1. */
#define LINK_SQL(table, pk, link) \
	"SELECT " link "::pg_catalog.text FROM @S@." table " WHERE " pk " OPERATOR(pg_catalog.=) $1"

/* Removes the row with primary key $1, which its edge sends again (re-copy): the new version replaces it. */
#define REPLACE_SQL(table, pk) \
	"DELETE FROM @S@." table " WHERE " pk " OPERATOR(pg_catalog.=) $1"

/* Which edge the session of exec (issue) $1 came from, and whether that session is here. */
#define VIA_PARENT_SQL(table, pk) \
	"SELECT f.edge, s.orchestration_session_id IS NOT NULL FROM @S@." table " p" \
	" LEFT JOIN @S@.orchestration_fanin_session_edge f ON f.session_id OPERATOR(pg_catalog.=) p.session_id" \
	" LEFT JOIN @S@.orchestration_session s ON s.orchestration_session_id OPERATOR(pg_catalog.=) p.session_id" \
	" WHERE p." pk " OPERATOR(pg_catalog.=) $1"

static const PlanDef plan_defs[NUM_PLANS] = {
	[PLAN_DEVICE_INSERT] = {
		"INSERT INTO @S@.device (device_id, name, state, boundary, state_sysinfo, elaboration)"
		" VALUES ($1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (name, state, boundary) DO NOTHING RETURNING device_id::pg_catalog.text",
		6, {T, T, T, T, T, T}},
	[PLAN_DEVICE_FIND] = {
		"SELECT device_id::pg_catalog.text FROM @S@.device WHERE name OPERATOR(pg_catalog.=) $1"
		" AND state OPERATOR(pg_catalog.=) $2 AND boundary OPERATOR(pg_catalog.=) $3",
		3, {T, T, T}},
	[PLAN_NATURE_INSERT] = {
		"INSERT INTO @S@.orchestration_nature (orchestration_nature_id, nature, elaboration)"
		" VALUES ($1, $2, $3) ON CONFLICT (orchestration_nature_id) DO NOTHING"
		" RETURNING orchestration_nature_id",
		3, {T, T, T}},
	[PLAN_NATURE_FIND] = {
		"SELECT nature FROM @S@.orchestration_nature"
		" WHERE orchestration_nature_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	/* Why a start inserted nothing: which parent is missing. */
	[PLAN_START_CHECK] = {
		"SELECT EXISTS (SELECT 1 FROM @S@.device WHERE device_id OPERATOR(pg_catalog.=) $1),"
		" EXISTS (SELECT 1 FROM @S@.orchestration_nature"
		"         WHERE orchestration_nature_id OPERATOR(pg_catalog.=) $2)",
		2, {T, T}},
	/*
	 * The session, only when both parents exist (nothing inserted otherwise:
	 * PLAN_START_CHECK says which is missing).
	 */
	[PLAN_SESSION_INSERT] = {
		"INSERT INTO @S@.orchestration_session (orchestration_session_id, device_id,"
		" orchestration_nature_id, version, orch_started_at, elaboration, args_json)"
		" SELECT $1, $2, $3, $4, $5, $6, $7"
		" WHERE EXISTS (SELECT 1 FROM @S@.device WHERE device_id OPERATOR(pg_catalog.=) $2)"
		" AND EXISTS (SELECT 1 FROM @S@.orchestration_nature"
		"             WHERE orchestration_nature_id OPERATOR(pg_catalog.=) $3)"
		" RETURNING orchestration_session_id::pg_catalog.text",
		7, {T, T, T, T, TS, T, T}},
	/*
	 * The backend that runs a new session (for orchestration_session_abandon);
	 * run as the table's owner (RunPlanAsOwner): writers may not write it.
	 */
	[PLAN_BACKEND_INSERT] = {
		"INSERT INTO @S@.orchestration_session_backend (session_id, pid, backend_start)"
		" VALUES ($1, $2, $3)",
		3, {T, I, TS}},
	/*
	 * Lock an open session (the row-level security path of LockSession):
	 * shared or exclusive.  A finished row is not locked nor waited for (it
	 * fails the WHERE on the snapshot's version); PLAN_SESSION_VISIBLE then
	 * tells finished from missing.
	 */
	[PLAN_SESSION_LOCK_SHARE] = {
		"SELECT s.orch_finished_at FROM @S@.orchestration_session s"
		" WHERE s.orchestration_session_id OPERATOR(pg_catalog.=) $1 AND" IS_OPEN("s") " FOR SHARE",
		1, {T}},
	[PLAN_SESSION_LOCK_UPDATE] = {
		"SELECT s.orch_finished_at FROM @S@.orchestration_session s"
		" WHERE s.orchestration_session_id OPERATOR(pg_catalog.=) $1 AND" IS_OPEN("s") " FOR UPDATE",
		1, {T}},
	/*
	 * Finishes the session, which the caller has locked and found open: at
	 * the wall clock $2, never before the start nor the latest transition.
	 * Still "WHERE open": READ COMMITTED re-checks it on the latest version.
	 */
	[PLAN_SESSION_FINISH] = {
		"UPDATE @S@.orchestration_session s SET orch_finished_at = GREATEST($2, orch_started_at,"
		"  (SELECT pg_catalog.max(st.transitioned_at) FROM @S@.orchestration_session_state st"
		"   WHERE st.session_id OPERATOR(pg_catalog.=) $1)),"
		" diagnostics_json = COALESCE($3, diagnostics_json),"
		" diagnostics_md = COALESCE($4, diagnostics_md)"
		" WHERE orchestration_session_id OPERATOR(pg_catalog.=) $1 AND" IS_OPEN("s")
		" RETURNING orch_finished_at",
		4, {T, TS, T, T}},
	/* Children of a session the caller has locked and found open (LockSession). */
	[PLAN_ENTRY_INSERT] = {
		"INSERT INTO @S@.orchestration_session_entry (orchestration_session_entry_id, session_id,"
		" ingest_src, ingest_table_name, elaboration)"
		" VALUES ($1, $2, $3, $4, $5)"
		" RETURNING orchestration_session_entry_id::pg_catalog.text",
		5, {T, T, T, T, T}},
	[PLAN_ENTRY_SESSION] = {
		"SELECT session_id::pg_catalog.text FROM @S@.orchestration_session_entry"
		" WHERE orchestration_session_entry_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	/*
	 * The next link of the chain (the caller holds the session's exclusive
	 * lock), if entry $3 (when given) is the session's: from the latest
	 * to_state (INITIAL for the first), at $7 or, if the clock is not past
	 * the latest link, one microsecond after it.
	 */
	[PLAN_STATE_APPEND] = {STATE_APPEND_SQL, 8, {T, T, T, T, T, T, TS, T}},
	[PLAN_EXEC_SESSION] = {
		"SELECT session_id::pg_catalog.text FROM @S@.orchestration_session_exec"
		" WHERE orchestration_session_exec_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	[PLAN_ISSUE_SESSION] = {
		"SELECT session_id::pg_catalog.text FROM @S@.orchestration_session_issue"
		" WHERE orchestration_session_issue_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	/* Whether the caller sees the session, and its finish (run as the caller: row-level security applies). */
	[PLAN_SESSION_VISIBLE] = {
		"SELECT orch_finished_at FROM @S@.orchestration_session"
		" WHERE orchestration_session_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	[PLAN_EXEC_INSERT] = {
		"INSERT INTO @S@.orchestration_session_exec (orchestration_session_exec_id, exec_nature,"
		" session_id, session_entry_id, parent_exec_id, namespace, exec_identity, exec_code,"
		" exec_status, input_text, exec_error_text, output_text, output_nature, narrative_md,"
		" elaboration)"
		" SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15"
		" WHERE" OWN_ENTRY("$4", "$3") " AND" OWN_EXEC("$5", "$3")
		" RETURNING orchestration_session_exec_id::pg_catalog.text",
		15, {T, T, T, T, T, T, T, T, I, T, T, T, T, T, T}},
	[PLAN_ISSUE_INSERT] = {
		"INSERT INTO @S@.orchestration_session_issue (orchestration_session_issue_id, session_id,"
		" session_entry_id, issue_type, issue_message, issue_row, issue_column, invalid_value,"
		" remediation, elaboration)"
		" SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10"
		" WHERE" OWN_ENTRY("$3", "$2")
		" RETURNING orchestration_session_issue_id",
		10, {T, T, T, T, T, I, T, T, T, T}},
	/*
	 * sibling_order $5, or the next number for the exec (the caller holds its
	 * session's lock), if exec $3 is still session $7's.
	 */
	[PLAN_LOG_APPEND] = {
		"INSERT INTO @S@.orchestration_session_log (orchestration_session_log_id, category,"
		" parent_exec_id, content, sibling_order, elaboration)"
		" SELECT $1, $2, $3, $4, COALESCE($5, (SELECT COALESCE(pg_catalog.max(sibling_order), 0)"
		"   OPERATOR(pg_catalog.+) 1 FROM @S@.orchestration_session_log"
		"   WHERE parent_exec_id OPERATOR(pg_catalog.=) $3)), $6"
		" WHERE EXISTS (SELECT 1 FROM @S@.orchestration_session_exec x"
		"   WHERE x.orchestration_session_exec_id OPERATOR(pg_catalog.=) $3"
		"   AND x.session_id OPERATOR(pg_catalog.=) $7)"
		" RETURNING orchestration_session_log_id",
		7, {T, T, T, T, I, T, T}},

	/* The same link, appended by orchestration_session_abandon (custom plans). */
	[PLAN_STATE_APPEND_MAINTENANCE] = {STATE_APPEND_SQL, 8, {T, T, T, T, T, T, TS, T}, true},

	/*
	 * The next $5 open sessions started before the horizon $1, oldest first,
	 * after ($3, $4) (keyset: a batch starts where the last one ended, past
	 * the entries the last one left dead in the index).  With $2, only those
	 * whose backend is gone: no pg_stat_activity row with the same pid and
	 * backend_start.  A row with that pid whose backend_start is hidden
	 * (NULL: caller lacks pg_read_all_stats) counts as alive, so a live
	 * session is never taken for dead.  No backend row: dead.  SKIP LOCKED:
	 * a session a live writer holds is left for the next round.
	 */
	[PLAN_ABANDON_CANDIDATES] = {ABANDON_CANDIDATES_SQL(""), 5, {TS, B, TS, T, I}, true},
	/* Keeps an existing diagnostics_json; then the abandonment goes to diagnostics_md. */
	[PLAN_ABANDON_FINISH] = {
		"UPDATE @S@.orchestration_session SET orch_finished_at = $2,"
		" diagnostics_json = COALESCE(diagnostics_json, $3),"
		" diagnostics_md = CASE WHEN diagnostics_json IS NULL THEN diagnostics_md"
		"  ELSE COALESCE(diagnostics_md OPERATOR(pg_catalog.||) E'\\n', '') OPERATOR(pg_catalog.||) $4 END"
		" WHERE orchestration_session_id OPERATOR(pg_catalog.=) $1",
		4, {T, TS, T, T}, true},
	/*
	 * The next $2 purgeable sessions, finished before the horizon $1, oldest
	 * first, after ($3, $4) (keyset, so sessions a batch could not delete are
	 * not picked again), locked; their ids, and where the batch ended.
	 */
	[PLAN_PURGE_BATCH] = {PURGE_BATCH_SQL(""), 4, {TS, I, TS, T}, true},
	/*
	 * One statement per batch: the sessions of $1 that are really deleted
	 * (a trigger, rule or row-level security policy on orchestration_session
	 * may keep some), and the history of exactly those; the backend rows go
	 * by ON DELETE CASCADE.  Foreign keys are checked at the end of the
	 * statement, when parents and children are gone together.
	 */
	[PLAN_PURGE_DELETE] = {
		"WITH s AS (DELETE FROM @S@.orchestration_session"
		"   WHERE orchestration_session_id OPERATOR(pg_catalog.=) ANY ($1)"
		"   AND orch_finished_at IS NOT NULL"
		"   RETURNING orchestration_session_id),"
		" l AS (DELETE FROM @S@.orchestration_session_log l USING @S@.orchestration_session_exec x"
		"   WHERE l.parent_exec_id OPERATOR(pg_catalog.=) x.orchestration_session_exec_id"
		"   AND x.session_id OPERATOR(pg_catalog.=) ANY (SELECT orchestration_session_id FROM s) RETURNING 1),"
		" r AS (DELETE FROM @S@.orchestration_session_issue_relation r USING @S@.orchestration_session_issue i"
		"   WHERE r.issue_id_prime OPERATOR(pg_catalog.=) i.orchestration_session_issue_id"
		"   AND i.session_id OPERATOR(pg_catalog.=) ANY (SELECT orchestration_session_id FROM s) RETURNING 1),"
		" i AS (DELETE FROM @S@.orchestration_session_issue"
		"   WHERE session_id OPERATOR(pg_catalog.=) ANY (SELECT orchestration_session_id FROM s) RETURNING 1),"
		" x AS (DELETE FROM @S@.orchestration_session_exec"
		"   WHERE session_id OPERATOR(pg_catalog.=) ANY (SELECT orchestration_session_id FROM s) RETURNING 1),"
		" t AS (DELETE FROM @S@.orchestration_session_state"
		"   WHERE session_id OPERATOR(pg_catalog.=) ANY (SELECT orchestration_session_id FROM s) RETURNING 1),"
		" e AS (DELETE FROM @S@.orchestration_session_entry"
		"   WHERE session_id OPERATOR(pg_catalog.=) ANY (SELECT orchestration_session_id FROM s) RETURNING 1)"
		" SELECT pg_catalog.count(*)::pg_catalog.int4 FROM s",
		1, {TA}, true},
	[PLAN_ABANDON_CANDIDATES_CENTRAL] = {ABANDON_CANDIDATES_SQL(NOT_FROM_AN_EDGE("s")),
	5, {TS, B, TS, T, I}, true},
	[PLAN_PURGE_BATCH_CENTRAL] = {PURGE_BATCH_SQL(NOT_FROM_AN_EDGE("s")), 4, {TS, I, TS, T}, true},
	/* Which edge session $1 came from (NULL: none), and whether it is here at all. */
	[PLAN_FANIN_SESSION_EDGE] = {
		"SELECT (SELECT f.edge FROM @S@.orchestration_fanin_session_edge f"
		"        WHERE f.session_id OPERATOR(pg_catalog.=) $1),"
		" EXISTS (SELECT 1 FROM @S@.orchestration_session s"
		"         WHERE s.orchestration_session_id OPERATOR(pg_catalog.=) $1)",
		1, {T}},
	[PLAN_FANIN_VIA_EXEC] = {VIA_PARENT_SQL("orchestration_session_exec", "orchestration_session_exec_id"), 1, {T}},
	[PLAN_FANIN_VIA_ISSUE] = {VIA_PARENT_SQL("orchestration_session_issue", "orchestration_session_issue_id"), 1, {T}},
	[PLAN_FANIN_EDGE_ADD] = {
		"INSERT INTO @S@.orchestration_fanin_session_edge (session_id, edge) VALUES ($1, $2)",
		2, {T, T}},
	[PLAN_FANIN_EDGE_DELETE] = {
		"DELETE FROM @S@.orchestration_fanin_session_edge WHERE session_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	[PLAN_FANIN_ENTRY_LINK] = {LINK_SQL("orchestration_session_entry", "orchestration_session_entry_id", "session_id"), 1, {T}},
	[PLAN_FANIN_STATE_LINK] = {LINK_SQL("orchestration_session_state", "orchestration_session_state_id", "session_id"), 1, {T}},
	[PLAN_FANIN_EXEC_LINK] = {LINK_SQL("orchestration_session_exec", "orchestration_session_exec_id", "session_id"), 1, {T}},
	[PLAN_FANIN_ISSUE_LINK] = {LINK_SQL("orchestration_session_issue", "orchestration_session_issue_id", "session_id"), 1, {T}},
	[PLAN_FANIN_ISSUE_RELATION_LINK] = {LINK_SQL("orchestration_session_issue_relation",
												 "orchestration_session_issue_relation_id", "issue_id_prime"), 1, {T}},
	[PLAN_FANIN_LOG_LINK] = {LINK_SQL("orchestration_session_log", "orchestration_session_log_id", "parent_exec_id"), 1, {T}},
	[PLAN_FANIN_DEVICE_BY_ID] = {
		"SELECT name, state, boundary FROM @S@.device WHERE device_id OPERATOR(pg_catalog.=) $1",
		1, {T}},
	[PLAN_FANIN_DEVICE_USED] = {
		"SELECT 1 FROM @S@.orchestration_session WHERE device_id OPERATOR(pg_catalog.=) $1 LIMIT 1",
		1, {T}},
	[PLAN_FANIN_NATURE_USED] = {
		"SELECT 1 FROM @S@.orchestration_session WHERE orchestration_nature_id OPERATOR(pg_catalog.=) $1 LIMIT 1",
		1, {T}},
	[PLAN_FANIN_ALIAS_FIND] = {
		"SELECT central_device_id::pg_catalog.text FROM @S@.orchestration_fanin_device_alias"
		" WHERE edge OPERATOR(pg_catalog.=) $1 AND device_id OPERATOR(pg_catalog.=) $2",
		2, {T, T}},
	[PLAN_FANIN_ALIAS_ADD] = {
		"INSERT INTO @S@.orchestration_fanin_device_alias (edge, device_id, central_device_id)"
		" VALUES ($1, $2, $3) ON CONFLICT (edge, device_id)"
		" DO UPDATE SET central_device_id = EXCLUDED.central_device_id",
		3, {T, T, T}},
	/* The sessions of edge $1 that arrived before their device $2 was aliased to $3. */
	[PLAN_FANIN_ALIAS_REWRITE] = {
		"UPDATE @S@.orchestration_session s SET device_id = $3"
		" FROM @S@.orchestration_fanin_session_edge f"
		" WHERE f.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id"
		" AND f.edge OPERATOR(pg_catalog.=) $1 AND s.device_id OPERATOR(pg_catalog.=) $2",
		3, {T, T, T}},
	[PLAN_FANIN_CONFLICT] = {
		"INSERT INTO @S@.orchestration_fanin_conflict AS c"
		" (edge, table_name, row_id, operation, owner_edge, detail)"
		" VALUES ($1, $2, $3, $4, $5, $6)"
		" ON CONFLICT (edge, table_name, row_id, operation) DO UPDATE SET"
		" owner_edge = EXCLUDED.owner_edge, detail = EXCLUDED.detail,"
		" last_seen_at = pg_catalog.clock_timestamp(),"
		" occurrences = c.occurrences OPERATOR(pg_catalog.+) 1",
		6, {T, T, T, T, T, T}},
	/* Whether an INSERT of row $3 of table $2 from edge $1 was skipped. */
	[PLAN_FANIN_SKIPPED] = {
		"SELECT 1 FROM @S@.orchestration_fanin_conflict WHERE edge OPERATOR(pg_catalog.=) $1"
		" AND table_name OPERATOR(pg_catalog.=) $2 AND row_id OPERATOR(pg_catalog.=) $3"
		" AND operation OPERATOR(pg_catalog.=) 'INSERT'",
		3, {T, T, T}},
	[PLAN_FANIN_SESSION_REPLACE] = {REPLACE_SQL("orchestration_session", "orchestration_session_id"), 1, {T}},
	[PLAN_FANIN_ENTRY_REPLACE] = {REPLACE_SQL("orchestration_session_entry", "orchestration_session_entry_id"), 1, {T}},
	[PLAN_FANIN_STATE_REPLACE] = {REPLACE_SQL("orchestration_session_state", "orchestration_session_state_id"), 1, {T}},
	[PLAN_FANIN_EXEC_REPLACE] = {REPLACE_SQL("orchestration_session_exec", "orchestration_session_exec_id"), 1, {T}},
	[PLAN_FANIN_ISSUE_REPLACE] = {REPLACE_SQL("orchestration_session_issue", "orchestration_session_issue_id"), 1, {T}},
	[PLAN_FANIN_ISSUE_RELATION_REPLACE] = {REPLACE_SQL("orchestration_session_issue_relation",
													   "orchestration_session_issue_relation_id"), 1, {T}},
	[PLAN_FANIN_LOG_REPLACE] = {REPLACE_SQL("orchestration_session_log", "orchestration_session_log_id"), 1, {T}},
};

#undef T
#undef I
#undef TS
#undef B
#undef TA

static uint32 plans_generation = 0;
static SPIPlanPtr plans[NUM_PLANS];

/* The statement's text with @S@ replaced by the quoted schema name. */
static char *
PlanText(const char *sql, const char *schema)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	while ((p = strstr(sql, "@S@")) != NULL)
	{
		appendBinaryStringInfo(&buf, sql, p - sql);
		appendStringInfoString(&buf, schema);
		sql = p + 3;
	}
	appendStringInfoString(&buf, sql);
	return buf.data;
}

static SPIPlanPtr
GetPlan(FunctionCallInfo fcinfo, PlanId id)
{
	const Family *family = FamilyEnter(fcinfo, 0);

	if (family->generation != plans_generation)
	{
		for (int i = 0; i < NUM_PLANS; i++)
		{
			if (plans[i] != NULL)
				SPI_freeplan(plans[i]);
			plans[i] = NULL;
		}
		plans_generation = family->generation;
	}

	if (plans[id] == NULL)
	{
		const PlanDef *def = &plan_defs[id];
		char	   *sql = PlanText(def->sql, quote_identifier(family->namespace_name));
		SPIPlanPtr	plan;

		plan = SPI_prepare_cursor(sql, def->nargs, (Oid *) def->argtypes,
								  def->custom ? CURSOR_OPT_CUSTOM_PLAN : 0);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plans[id] = plan;
		pfree(sql);
	}
	return plans[id];
}

const Family *
ConnectSpi(FunctionCallInfo fcinfo)
{
	const Family *family = FamilyEnter(fcinfo, FAMILY_WRITES);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return family;
}

void
FinishSpi(void)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

uint64
RunPlan(FunctionCallInfo fcinfo, PlanId id, Datum *values, const char *nulls,
		bool fresh_snapshot)
{
	SPIPlanPtr	plan = GetPlan(fcinfo, id);
	int			rc;

	if (fresh_snapshot && IsolationUsesXactSnapshot())
		rc = SPI_execute_snapshot(plan, values, nulls, GetLatestSnapshot(),
								  InvalidSnapshot, false, true, 0);
	else
		rc = SPI_execute_plan(plan, values, nulls, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

uint64
RunTrustedPlan(FunctionCallInfo fcinfo, PlanId id, Datum *values, const char *nulls,
			   bool fresh_snapshot, FamilyTable table, text *key, bool purge)
{
	TrustedWrite saved = trusted_write;
	uint64		processed;

	trusted_write.relid = FamilyEnter(fcinfo, 0)->relids[table];
	trusted_write.key = key;
	trusted_write.purge = purge;
	PG_TRY();
	{
		processed = RunPlan(fcinfo, id, values, nulls, fresh_snapshot);
	}
	PG_FINALLY();
	{
		trusted_write = saved;
	}
	PG_END_TRY();
	return processed;
}

uint64
RunPlanAsOwner(FunctionCallInfo fcinfo, PlanId id, Datum *values, const char *nulls,
			   FamilyTable table)
{
	Oid			saved_user;
	int			saved_sec;
	uint64		processed;

	GetUserIdAndSecContext(&saved_user, &saved_sec);
	SetUserIdAndSecContext(FamilyTableOwner(FamilyEnter(fcinfo, 0), table),
						   saved_sec | SECURITY_LOCAL_USERID_CHANGE);
	processed = RunPlan(fcinfo, id, values, nulls, false);
	SetUserIdAndSecContext(saved_user, saved_sec);
	return processed;
}

Datum
ResultDatum(int col, bool *isnull)
{
	Datum		value;

	Assert(SPI_tuptable != NULL && SPI_processed > 0);
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, isnull);
	if (*isnull)
		return (Datum) 0;
	return SPI_datumTransfer(value,
							 TupleDescAttr(SPI_tuptable->tupdesc, col - 1)->attbyval,
							 TupleDescAttr(SPI_tuptable->tupdesc, col - 1)->attlen);
}
