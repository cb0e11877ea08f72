/* orchestration_session--1.0--1.1.sql: ALTER EXTENSION orchestration_session UPDATE TO '1.1'.
 *
 * 1.1 makes every promise hold for every role and every writer:
 * - finished sessions are immutable for direct SQL too: no UPDATE or DELETE
 *   of a finished session row, no INSERT, UPDATE, DELETE or COPY of its
 *   history (orchestration_session_purge excepted);
 * - every primary key defaults to a ULID (ORM inserts without an id);
 * - the views are re-created with every operator and function qualified,
 *   security_invoker from PostgreSQL 15, and orchestration_session_summary
 *   is renamed orchestration_session_overview (upstream surveilr's web UI
 *   creates a view of that name);
 * - seed natures survive dump/restore as they are (edited or deleted);
 * - orchestration_diagnostics_status is C and answers for any document;
 * - the backend row goes with its session (ON DELETE CASCADE);
 * - the trigger functions are no longer executable by PUBLIC.
 * The result is exactly a fresh 1.1 install (test/upgrade_check.sh compares
 * the catalogs).  Like the install script, it qualifies everything it calls.
 * Upgrading from 1.0 needs the 1.1 shared library installed first (make
 * install); the 1.1 library also serves databases still on 1.0.
 */

\echo Use "ALTER EXTENSION orchestration_session UPDATE TO '1.1'" to load this file. \quit

------------------------------------------------------------------------------
-- Every primary key defaults to a ULID.
------------------------------------------------------------------------------

ALTER TABLE device ALTER COLUMN device_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_nature ALTER COLUMN orchestration_nature_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session ALTER COLUMN orchestration_session_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session_entry ALTER COLUMN orchestration_session_entry_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session_state ALTER COLUMN orchestration_session_state_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session_exec ALTER COLUMN orchestration_session_exec_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session_issue ALTER COLUMN orchestration_session_issue_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session_issue_relation ALTER COLUMN orchestration_session_issue_relation_id SET DEFAULT @extschema@.orchestration_ulid();
ALTER TABLE orchestration_session_log ALTER COLUMN orchestration_session_log_id SET DEFAULT @extschema@.orchestration_ulid();

------------------------------------------------------------------------------
-- The backend row goes with its session (purge deletes sessions and their
-- history in one statement; the bookkeeping follows by cascade).
------------------------------------------------------------------------------

ALTER TABLE orchestration_session_backend
    DROP CONSTRAINT orchestration_session_backend_session_id_fkey,
    ADD CONSTRAINT orchestration_session_backend_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES orchestration_session (orchestration_session_id)
        ON DELETE CASCADE;

------------------------------------------------------------------------------
-- Abandon and purge walk these in (time, id) order, batch after batch: the
-- id as second key lets a batch start exactly where the last one ended, also
-- among sessions with the same start or finish time.
------------------------------------------------------------------------------

DROP INDEX orchestration_session_open_idx;
CREATE INDEX orchestration_session_open_idx
    ON orchestration_session (orch_started_at, orchestration_session_id) WHERE orch_finished_at IS NULL;
DROP INDEX orchestration_session_finished_idx;
CREATE INDEX orchestration_session_finished_idx
    ON orchestration_session (orch_finished_at, orchestration_session_id) WHERE orch_finished_at IS NOT NULL;

------------------------------------------------------------------------------
-- Finished sessions are immutable for every writer.
------------------------------------------------------------------------------

COMMENT ON FUNCTION orchestration_session_finished_guard() IS
    'trigger: rejects (55000) any UPDATE or DELETE of an orchestration_session row whose orch_finished_at is already set (orchestration_session_purge excepted)';
DROP TRIGGER orchestration_session_finished_guard ON orchestration_session;
CREATE TRIGGER orchestration_session_finished_guard BEFORE UPDATE OR DELETE ON orchestration_session
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_finished_guard();

CREATE FUNCTION orchestration_session_history_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'orchestration_session_history_guard'
    LANGUAGE C;
COMMENT ON FUNCTION orchestration_session_history_guard() IS
    'trigger: rejects (55000) adding, changing, moving or deleting a child row of a finished session (orchestration_session_purge excepted), and (42501) writing a child of a session that row-level security hides from the writer';

CREATE TRIGGER orchestration_session_entry_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_entry
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_state_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_state
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_exec_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_exec
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_issue
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_relation_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_issue_relation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_log_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();

------------------------------------------------------------------------------
-- Seed natures.  The install script seeds upstream's natures; pg_dump keeps
-- every nature row (config dump, below), and a restore re-runs this script
-- before it loads them.  So that a restore gives back the natures as they
-- were, edited or deleted seeds included:
-- - a nature inserted with a seed's id replaces the seed if that is still
--   exactly as seeded (a placeholder), unless it is itself that seed again,
--   freshly inserted (upstream's INSERT ... ON CONFLICT DO NOTHING: a no-op);
-- - deleting a seed records its id in orchestration_nature_seed_removed
--   (also dumped), and loading that row deletes the seed placeholder again.
------------------------------------------------------------------------------

CREATE FUNCTION orchestration_nature_seeds(OUT orchestration_nature_id text, OUT nature text)
RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('surveilr-transform-csv',  'Transform CSV'),
           ('surveilr-transform-xml',  'Transform XML'),
           ('surveilr-transform-html', 'Transform HTML')
$$;
COMMENT ON FUNCTION orchestration_nature_seeds() IS
    'the natures the extension seeds (upstream surveilr''s): id and label';

CREATE TABLE orchestration_nature_seed_removed (
    orchestration_nature_id text PRIMARY KEY NOT NULL,
    removed_at      timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMENT ON TABLE orchestration_nature_seed_removed IS 'Seed natures deleted from orchestration_nature: kept so that a dump/restore does not bring them back';
COMMENT ON COLUMN orchestration_nature_seed_removed.orchestration_nature_id IS 'id of the deleted seed nature';
COMMENT ON COLUMN orchestration_nature_seed_removed.removed_at IS 'when it was deleted';

-- Whether a nature row is a seed exactly as the install script made it.
CREATE FUNCTION orchestration_nature_is_pristine_seed(n @extschema@.orchestration_nature)
RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT EXISTS (SELECT 1 FROM @extschema@.orchestration_nature_seeds() s
                   WHERE s.orchestration_nature_id OPERATOR(pg_catalog.=) n.orchestration_nature_id
                   AND s.nature OPERATOR(pg_catalog.=) n.nature)
       AND n.elaboration IS NULL AND n.created_by OPERATOR(pg_catalog.=) 'UNKNOWN'
       AND n.updated_at IS NULL AND n.updated_by IS NULL AND n.deleted_at IS NULL
       AND n.deleted_by IS NULL AND n.activity_log IS NULL
$$;
COMMENT ON FUNCTION orchestration_nature_is_pristine_seed(orchestration_nature) IS
    'true when the nature row is one of orchestration_nature_seeds() exactly as seeded (created_at aside)';

CREATE FUNCTION orchestration_nature_seed_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    existing @extschema@.orchestration_nature;
BEGIN
    SELECT * INTO existing FROM @extschema@.orchestration_nature n
    WHERE n.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id;
    IF FOUND AND @extschema@.orchestration_nature_is_pristine_seed(existing) THEN
        IF @extschema@.orchestration_nature_is_pristine_seed(NEW)
           AND NEW.created_at OPERATOR(pg_catalog.=) CURRENT_TIMESTAMP THEN
            RETURN NULL;        -- the seed, seeded again: it is already there
        END IF;
        DELETE FROM @extschema@.orchestration_nature n
        WHERE n.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id;
    END IF;
    -- A seed inserted again is no longer removed.
    DELETE FROM @extschema@.orchestration_nature_seed_removed r
    WHERE r.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id;
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION orchestration_nature_seed_insert() IS
    'trigger: a nature inserted with the id of a seed still as seeded replaces it (how a restore gives edited seeds back)';

CREATE FUNCTION orchestration_nature_seed_delete() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM @extschema@.orchestration_nature_seeds() s
               WHERE s.orchestration_nature_id OPERATOR(pg_catalog.=) OLD.orchestration_nature_id) THEN
        INSERT INTO @extschema@.orchestration_nature_seed_removed (orchestration_nature_id)
        VALUES (OLD.orchestration_nature_id) ON CONFLICT (orchestration_nature_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION orchestration_nature_seed_delete() IS
    'trigger: records a deleted seed nature in orchestration_nature_seed_removed';

CREATE FUNCTION orchestration_nature_seed_removed_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    DELETE FROM @extschema@.orchestration_nature n
    WHERE n.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id
    AND @extschema@.orchestration_nature_is_pristine_seed(n);
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION orchestration_nature_seed_removed_insert() IS
    'trigger: a removed seed recorded (e.g. by a restore) deletes the seed placeholder the install script made';

CREATE TRIGGER orchestration_nature_seed_insert BEFORE INSERT ON orchestration_nature
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_nature_seed_insert();
CREATE TRIGGER orchestration_nature_seed_delete AFTER DELETE ON orchestration_nature
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_nature_seed_delete();
CREATE TRIGGER orchestration_nature_seed_removed_insert AFTER INSERT ON orchestration_nature_seed_removed
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_nature_seed_removed_insert();

------------------------------------------------------------------------------
-- The diagnostics status in C: any document json_valid accepts is answered
-- (1.0's PL/pgSQL cast to json hit the stack depth limit on deep ones).
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION orchestration_diagnostics_status(doc text) RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_diagnostics_status'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION orchestration_diagnostics_status(text) IS
    'the top-level "status" string of a diagnostics JSON document; NULL when absent, not a string, not an object, not JSON, or not representable as text (a lone surrogate escape, \u0000); any depth';

------------------------------------------------------------------------------
-- Views: qualified, security_invoker (15+), no upstream name taken.
------------------------------------------------------------------------------

ALTER VIEW orchestration_session_summary RENAME TO orchestration_session_overview;

CREATE OR REPLACE VIEW orchestration_session_overview AS
SELECT s.orchestration_session_id,
       s.device_id,
       d.name AS device_name,
       s.orchestration_nature_id,
       n.nature,
       s.version,
       s.orch_started_at,
       s.orch_finished_at,
       s.orch_finished_at OPERATOR(pg_catalog.-) s.orch_started_at AS duration,
       l.latest_state,
       CASE
           WHEN s.orch_finished_at IS NULL THEN 'running'
           WHEN j.diagnostics_status OPERATOR(pg_catalog.=) 'abandoned'
                OR l.latest_state OPERATOR(pg_catalog.=) 'abandoned' THEN 'abandoned'
           WHEN j.diagnostics_status OPERATOR(pg_catalog.=) 'failed'
                OR l.latest_state OPERATOR(pg_catalog.~~*) '%fail%' THEN 'failed'
           ELSE 'completed'
       END AS status,
       ce.entries,
       cx.execs,
       cx.failed_execs,
       ci.issues
FROM @extschema@.orchestration_session s
JOIN @extschema@.device d ON d.device_id OPERATOR(pg_catalog.=) s.device_id
JOIN @extschema@.orchestration_nature n
  ON n.orchestration_nature_id OPERATOR(pg_catalog.=) s.orchestration_nature_id
CROSS JOIN LATERAL (
    SELECT @extschema@.orchestration_diagnostics_status(s.diagnostics_json) AS diagnostics_status) j
LEFT JOIN LATERAL (
    SELECT st.to_state AS latest_state
    FROM @extschema@.orchestration_session_state st
    WHERE st.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id
    ORDER BY st.transitioned_at DESC, st.orchestration_session_state_id DESC
    LIMIT 1) l ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS entries FROM @extschema@.orchestration_session_entry e
    WHERE e.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id) ce
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS execs,
           pg_catalog.count(*) FILTER (WHERE x.exec_status OPERATOR(pg_catalog.<>) 0) AS failed_execs
    FROM @extschema@.orchestration_session_exec x
    WHERE x.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id) cx
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS issues FROM @extschema@.orchestration_session_issue i
    WHERE i.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id) ci;

COMMENT ON VIEW orchestration_session_overview IS
    'one row per session: device, nature, duration, latest state, status and counts of entries, execs, failed execs and issues';
COMMENT ON COLUMN orchestration_session_overview.duration IS 'orch_finished_at - orch_started_at; NULL while the session is open';
COMMENT ON COLUMN orchestration_session_overview.latest_state IS 'to_state of the latest transition (by transitioned_at, then id); NULL when none';
COMMENT ON COLUMN orchestration_session_overview.status IS 'running (open); abandoned (diagnostics_json status "abandoned" or latest state "abandoned"); failed (diagnostics_json status "failed" or latest state ILIKE ''%fail%''); else completed.  Failed execs alone do not make a session failed';
COMMENT ON COLUMN orchestration_session_overview.failed_execs IS 'execs with exec_status <> 0';

CREATE OR REPLACE VIEW orchestration_session_stats_daily AS
SELECT pg_catalog.timezone('UTC'::text, orch_started_at)::date AS day,
       orchestration_nature_id,
       device_id,
       pg_catalog.count(*) AS sessions,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'completed') AS completed,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'failed') AS failed,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'abandoned') AS abandoned,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'running') AS running,
       pg_catalog.round(
           pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'completed')::numeric
           OPERATOR(pg_catalog./)
           CASE WHEN pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.<>) 'running')
                     OPERATOR(pg_catalog.=) 0 THEN NULL
                ELSE pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.<>) 'running')
           END::numeric, 4) AS success_rate,
       pg_catalog.avg(duration) AS avg_duration,
       pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY duration) AS p50_duration,
       pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY duration) AS p95_duration
FROM @extschema@.orchestration_session_overview
GROUP BY 1, 2, 3;

COMMENT ON VIEW orchestration_session_stats_daily IS
    'sessions per day of orch_started_at (UTC), nature and device: counts by status, success rate and durations of the finished ones';
COMMENT ON COLUMN orchestration_session_stats_daily.day IS 'the UTC date of orch_started_at';
COMMENT ON COLUMN orchestration_session_stats_daily.success_rate IS 'completed / finished (completed + failed + abandoned), 4 decimals; NULL when none finished';
COMMENT ON COLUMN orchestration_session_stats_daily.avg_duration IS 'mean duration of the finished sessions (open ones are ignored)';
COMMENT ON COLUMN orchestration_session_stats_daily.p50_duration IS 'median duration of the finished sessions (interpolated)';
COMMENT ON COLUMN orchestration_session_stats_daily.p95_duration IS '95th percentile duration of the finished sessions (interpolated)';

CREATE OR REPLACE VIEW orchestration_session_issue_summary AS
SELECT i.issue_type,
       pg_catalog.count(*) AS issues,
       pg_catalog.count(DISTINCT i.session_id) AS sessions_affected,
       pg_catalog.min(s.orch_started_at) AS first_seen,
       pg_catalog.max(s.orch_started_at) AS last_seen
FROM @extschema@.orchestration_session_issue i
JOIN @extschema@.orchestration_session s
  ON s.orchestration_session_id OPERATOR(pg_catalog.=) i.session_id
GROUP BY i.issue_type;

COMMENT ON VIEW orchestration_session_issue_summary IS
    'issues by type: how many, in how many sessions, first and last seen';
COMMENT ON COLUMN orchestration_session_issue_summary.first_seen IS 'issues carry no time of their own: orch_started_at of the earliest session that raised one of this type';
COMMENT ON COLUMN orchestration_session_issue_summary.last_seen IS 'orch_started_at of the latest session that raised one of this type';

-- security_invoker exists from 15 on.
DO $invoker$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer OPERATOR(pg_catalog.>=) 150000 THEN
        ALTER VIEW @extschema@.orchestration_session_overview SET (security_invoker = true);
        ALTER VIEW @extschema@.orchestration_session_stats_daily SET (security_invoker = true);
        ALTER VIEW @extschema@.orchestration_session_issue_summary SET (security_invoker = true);
    END IF;
END
$invoker$;

------------------------------------------------------------------------------
-- Dump every nature row (edited seeds included) and the removed seeds.
------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('orchestration_nature', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_nature_seed_removed', '');

------------------------------------------------------------------------------
-- Entry points no caller needs.
------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION orchestration_json_columns_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_session_finished_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_session_history_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_nature_seed_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_nature_seed_delete() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_nature_seed_removed_insert() FROM PUBLIC;
