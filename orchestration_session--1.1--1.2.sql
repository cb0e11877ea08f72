/* orchestration_session--1.1--1.2.sql: ALTER EXTENSION orchestration_session UPDATE TO '1.2'.
 *
 * 1.2:
 * - direct SQL writes of history lock the session before the row
 *   (BEFORE ROW lock triggers beside the AFTER history guards), so they wait
 *   in the same order as the lifecycle functions instead of deadlocking;
 *   the AFTER guards then find the row's session verified (per transaction)
 *   and check again only a row whose link a user's trigger changed.  (The
 *   1.2 library also answers "finished" without waiting for the session's
 *   row lock, in databases on 1.1 as well.)
 * - edge-to-central fan-in on PostgreSQL logical replication:
 *   orchestration_fanin_publish() on each edge, orchestration_fanin_prepare_central()
 *   on the central, its bookkeeping tables and orchestration_fanin_status.
 * The result is exactly a fresh 1.2 install (test/upgrade_check.sh 1.1 1.2).
 * Like the install script, it qualifies everything it calls.  The 1.2
 * shared library must be installed first (make install); it also serves
 * databases still on 1.0 or 1.1.
 */

\echo Use "ALTER EXTENSION orchestration_session UPDATE TO '1.2'" to load this file. \quit

------------------------------------------------------------------------------
-- [issue 12] Direct history writes lock the session first.
------------------------------------------------------------------------------

-- The session first.  The same guard, BEFORE each row: it locks the row's
-- session before the row is written and before the foreign-key checks lock
-- the parent session, exec or issue, the order in which the lifecycle
-- functions and maintenance lock (the session, then its rows), so direct
-- INSERTs and COPY queue behind them instead of deadlocking.  The AFTER
-- guards of 1.1 then check the row as stored (a user's BEFORE trigger may
-- change its link), which for a row checked here is a lookup.  The names
-- sort after the JSON checks' (which take no locks), so a malformed row is
-- refused without waiting for its session, as in 1.1.
CREATE TRIGGER orchestration_session_entry_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_entry
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_state_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_state
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_exec_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_exec
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_issue
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_relation_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_issue_relation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_log_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();

COMMENT ON FUNCTION orchestration_session_history_guard() IS
    'trigger: locks the session of a child row (BEFORE ROW: before the row and its foreign keys) and rejects (55000) adding, changing, moving or deleting a child row of a finished session (orchestration_session_purge excepted), and (42501) writing a child of a session that row-level security hides from the writer';

------------------------------------------------------------------------------
-- Edge-to-central fan-in on PostgreSQL's logical replication (README:
-- Fan-in).  On each edge, orchestration_fanin_publish() creates the
-- publication; on the central, orchestration_fanin_prepare_central()
-- enables the merge rules for the apply workers, and each edge is one
-- CREATE SUBSCRIPTION <edge name> ... PUBLICATION orchestration_session_fanin.
-- The bookkeeping tables below are written on the central only, by the
-- merge trigger (fanin.c), as the tables' owner.
------------------------------------------------------------------------------

CREATE TABLE orchestration_fanin_session_edge (
    session_id  varchar PRIMARY KEY NOT NULL,
    edge        text NOT NULL,
    arrived_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX orchestration_fanin_session_edge_edge_idx ON orchestration_fanin_session_edge (edge);
COMMENT ON TABLE orchestration_fanin_session_edge IS
    'fan-in central: the edge (subscription name) each replicated session came from; sessions not listed are the central''s own';
COMMENT ON COLUMN orchestration_fanin_session_edge.edge IS 'name of the subscription that brought the session';
COMMENT ON COLUMN orchestration_fanin_session_edge.arrived_at IS 'when the session first arrived';

CREATE TABLE orchestration_fanin_device_alias (
    edge              text NOT NULL,
    device_id         varchar NOT NULL,
    central_device_id varchar NOT NULL,
    aliased_at        timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (edge, device_id)
);
COMMENT ON TABLE orchestration_fanin_device_alias IS
    'fan-in central: an edge''s device id whose (name, state, boundary) is a device already here; that edge''s sessions use central_device_id';

CREATE TABLE orchestration_fanin_conflict (
    edge          text NOT NULL,
    table_name    text NOT NULL,
    row_id        text NOT NULL,
    operation     text NOT NULL CHECK (operation OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE', 'DELETE'])),
    owner_edge    text,
    detail        text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    occurrences   bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (edge, table_name, row_id, operation)
);
COMMENT ON TABLE orchestration_fanin_conflict IS
    'fan-in central: changes from an edge that were skipped because the row (or its session) belongs to another edge or to the central: ids that really collide';
COMMENT ON COLUMN orchestration_fanin_conflict.owner_edge IS 'the edge the row here belongs to; NULL when it is the central''s own or a device';

CREATE FUNCTION orchestration_fanin_merge() RETURNS trigger
    AS 'MODULE_PATHNAME', 'orchestration_fanin_merge'
    LANGUAGE C;
COMMENT ON FUNCTION orchestration_fanin_merge() IS
    'trigger (fan-in central, apply workers only): merges natures and devices shared by edges, keeps every session with the edge that sent it, records what collides';
REVOKE ALL ON FUNCTION orchestration_fanin_merge() FROM PUBLIC;

-- Disabled until orchestration_fanin_prepare_central() enables them (ENABLE REPLICA).
DO $merge$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['device', 'orchestration_nature', 'orchestration_session',
                             'orchestration_session_entry', 'orchestration_session_state',
                             'orchestration_session_exec', 'orchestration_session_issue',
                             'orchestration_session_issue_relation', 'orchestration_session_log']
    LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER orchestration_fanin_merge BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.%I'
                                  ' FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_fanin_merge()', t);
        EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I DISABLE TRIGGER orchestration_fanin_merge', t);
    END LOOP;
END
$merge$;

-- The tables an edge publishes, parents first (orchestration_session_backend
-- is an edge's own: which backend runs a session there).
CREATE FUNCTION orchestration_fanin_tables() RETURNS SETOF regclass
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT t::pg_catalog.regclass FROM pg_catalog.unnest(ARRAY[
        '@extschema@.device', '@extschema@.orchestration_nature', '@extschema@.orchestration_session',
        '@extschema@.orchestration_session_entry', '@extschema@.orchestration_session_state',
        '@extschema@.orchestration_session_exec', '@extschema@.orchestration_session_issue',
        '@extschema@.orchestration_session_issue_relation', '@extschema@.orchestration_session_log']) t
$$;
COMMENT ON FUNCTION orchestration_fanin_tables() IS
    'the tables an edge publishes to its central, parents first';

CREATE FUNCTION orchestration_fanin_publish() RETURNS name
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tables text;
BEGIN
    SELECT pg_catalog.string_agg(t::pg_catalog.text, ', ') INTO tables
    FROM @extschema@.orchestration_fanin_tables() t;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_publication
               WHERE pubname OPERATOR(pg_catalog.=) 'orchestration_session_fanin') THEN
        EXECUTE 'ALTER PUBLICATION orchestration_session_fanin SET TABLE ' OPERATOR(pg_catalog.||) tables;
        ALTER PUBLICATION orchestration_session_fanin SET (publish = 'insert, update, delete');
    ELSE
        -- No TRUNCATE: a TRUNCATE on one edge must not empty the central.
        EXECUTE 'CREATE PUBLICATION orchestration_session_fanin FOR TABLE ' OPERATOR(pg_catalog.||) tables
             OPERATOR(pg_catalog.||) ' WITH (publish = ''insert, update, delete'')';
    END IF;
    IF pg_catalog.current_setting('wal_level') OPERATOR(pg_catalog.<>) 'logical' THEN
        RAISE WARNING 'wal_level is "%": the central will receive nothing until it is "logical"',
                      pg_catalog.current_setting('wal_level')
            USING HINT = 'ALTER SYSTEM SET wal_level = logical, then restart the server.';
    END IF;
    RETURN 'orchestration_session_fanin';
END
$fn$;
COMMENT ON FUNCTION orchestration_fanin_publish() IS
    'edge: creates, or brings up to date, the publication orchestration_session_fanin of every table the central needs (insert, update, delete; no truncate); safe to call again';
REVOKE ALL ON FUNCTION orchestration_fanin_publish() FROM PUBLIC;

CREATE FUNCTION orchestration_fanin_prepare_central() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t pg_catalog.regclass;
BEGIN
    FOR t IN SELECT * FROM @extschema@.orchestration_fanin_tables() LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER orchestration_fanin_merge', t);
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION orchestration_fanin_prepare_central() IS
    'central: enables the fan-in merge rules for the apply workers (any number of edges, each one CREATE SUBSCRIPTION ... PUBLICATION orchestration_session_fanin); safe to call again';
REVOKE ALL ON FUNCTION orchestration_fanin_prepare_central() FROM PUBLIC;

-- How far a fan-in subscription has applied its edge's WAL (the replication
-- origin's progress).  pg_replication_origin_status is for superusers only;
-- this shows its one column for the fan-in subscriptions, to anyone (as
-- pg_stat_subscription shows the received position).
CREATE FUNCTION orchestration_fanin_applied_lsn(subscription oid) RETURNS pg_lsn
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT o.remote_lsn FROM pg_catalog.pg_subscription s
    JOIN pg_catalog.pg_replication_origin_status o
      ON o.external_id OPERATOR(pg_catalog.=) ('pg_' OPERATOR(pg_catalog.||) s.oid::pg_catalog.text)
    WHERE s.oid OPERATOR(pg_catalog.=) subscription
      AND 'orchestration_session_fanin' OPERATOR(pg_catalog.=) ANY (s.subpublications)
$$;
COMMENT ON FUNCTION orchestration_fanin_applied_lsn(oid) IS
    'fan-in central: the edge WAL position a subscription of orchestration_session_fanin has applied (its replication origin''s remote_lsn)';

-- One row per subscription of the fan-in publication (an edge), on the central.
-- Reading it is granted to pg_monitor.
DO $status$
DECLARE
    v integer := pg_catalog.current_setting('server_version_num')::integer;
    stats text := 'NULL::bigint AS apply_error_count, NULL::bigint AS sync_error_count';
    stats_join text := '';
    leader text := '';
BEGIN
    IF v OPERATOR(pg_catalog.>=) 150000 THEN
        stats := 'st.apply_error_count, st.sync_error_count';
        stats_join := ' LEFT JOIN pg_catalog.pg_stat_subscription_stats st ON st.subid OPERATOR(pg_catalog.=) s.oid';
    END IF;
    IF v OPERATOR(pg_catalog.>=) 160000 THEN
        leader := ' AND w.leader_pid IS NULL';     -- parallel apply workers (16+) also have no relid
    END IF;
    EXECUTE pg_catalog.format($view$
CREATE VIEW @extschema@.orchestration_fanin_status AS
SELECT s.subname AS edge,
       s.subenabled AS enabled,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_subscription_rel r
         WHERE r.srsubid OPERATOR(pg_catalog.=) s.oid AND r.srsubstate OPERATOR(pg_catalog.=) 'r') AS tables_ready,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_subscription_rel r
         WHERE r.srsubid OPERATOR(pg_catalog.=) s.oid) AS tables_total,
       w.pid AS apply_pid,
       w.received_lsn,
       CASE WHEN o.remote_lsn OPERATOR(pg_catalog.<>) '0/0'::pg_catalog.pg_lsn THEN o.remote_lsn END AS applied_lsn,
       w.latest_end_lsn AS edge_wal_end_lsn,
       CASE WHEN w.latest_end_lsn IS NULL OR o.remote_lsn IS NULL
                 OR o.remote_lsn OPERATOR(pg_catalog.=) '0/0'::pg_catalog.pg_lsn THEN NULL
            WHEN w.latest_end_lsn OPERATOR(pg_catalog.>) o.remote_lsn
            THEN w.latest_end_lsn OPERATOR(pg_catalog.-) o.remote_lsn
            ELSE 0 END AS lag_bytes,
       w.last_msg_receipt_time OPERATOR(pg_catalog.-) w.last_msg_send_time AS lag,
       w.last_msg_receipt_time AS last_message_at,
       %s,
       c.conflicts,
       c.last_conflict,
       c.last_conflict_at,
       CASE WHEN NOT s.subenabled THEN 'subscription disabled: ALTER SUBSCRIPTION ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.subname) OPERATOR(pg_catalog.||) ' ENABLE'
            WHEN w.pid IS NULL THEN 'no apply worker running: see the server log of the central for its last error'
            WHEN c.last_conflict IS NOT NULL THEN c.last_conflict
            END AS last_error
FROM pg_catalog.pg_subscription s
LEFT JOIN pg_catalog.pg_stat_subscription w
       ON w.subid OPERATOR(pg_catalog.=) s.oid AND w.relid IS NULL%s
LEFT JOIN LATERAL (SELECT @extschema@.orchestration_fanin_applied_lsn(s.oid) AS remote_lsn) o ON true%s
LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) AS conflicts,
           (pg_catalog.array_agg(k.operation OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) k.table_name
                OPERATOR(pg_catalog.||) ' "' OPERATOR(pg_catalog.||) k.row_id OPERATOR(pg_catalog.||) '": '
                OPERATOR(pg_catalog.||) k.detail ORDER BY k.last_seen_at DESC))[1] AS last_conflict,
           pg_catalog.max(k.last_seen_at) AS last_conflict_at
    FROM @extschema@.orchestration_fanin_conflict k
    WHERE k.edge OPERATOR(pg_catalog.=) s.subname::pg_catalog.text) c ON true
WHERE s.subdbid OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                                        WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
  AND 'orchestration_session_fanin' OPERATOR(pg_catalog.=) ANY (s.subpublications)
$view$, stats, leader, stats_join);
END
$status$;
COMMENT ON VIEW orchestration_fanin_status IS
    'fan-in central: one row per edge subscription: enabled, table-sync progress, received and applied position, lag, error counts, conflicts and the last error to act on';
COMMENT ON COLUMN orchestration_fanin_status.edge IS 'the subscription (its name is the edge''s name)';
COMMENT ON COLUMN orchestration_fanin_status.tables_ready IS 'tables whose initial copy is done (pg_subscription_rel state r), of tables_total';
COMMENT ON COLUMN orchestration_fanin_status.applied_lsn IS 'the edge''s WAL position applied here (the replication origin''s progress)';
COMMENT ON COLUMN orchestration_fanin_status.edge_wal_end_lsn IS 'the edge''s WAL end as it last reported it';
COMMENT ON COLUMN orchestration_fanin_status.lag_bytes IS 'edge_wal_end_lsn - applied_lsn: edge WAL beyond the last edge transaction applied here (an idle edge''s other WAL counts too: read it with lag)';
COMMENT ON COLUMN orchestration_fanin_status.lag IS 'how late the central read the newest message of the edge: its receipt time minus the edge''s send time';
COMMENT ON COLUMN orchestration_fanin_status.last_error IS 'what to act on: a disabled subscription, a missing apply worker, or the latest conflict';
REVOKE ALL ON orchestration_fanin_status FROM PUBLIC;
GRANT SELECT ON orchestration_fanin_status TO pg_monitor;

SELECT pg_catalog.pg_extension_config_dump('orchestration_fanin_session_edge', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_fanin_device_alias', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_fanin_conflict', '');
