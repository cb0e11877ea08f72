-- Operations: backend tracking, abandoning stuck sessions, purging old ones,
-- reporting views.  Sessions here are backdated, so the age filters pick
-- them and leave the other suites' sessions alone.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all

SELECT orchestration_device_ensure('maint-host', device_id => 'DEV-M');
SELECT orchestration_nature_ensure('maint', 'Maintenance');

-- Backend tracking: start records the backend that runs the session.
SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-LIVE');
SELECT b.session_id, b.pid = pg_backend_pid() AS this_pid,
       b.backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS this_backend
FROM orchestration_session_backend b WHERE b.session_id = 'M-LIVE';

SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-DEAD');
SELECT orchestration_session_transition('M-DEAD', 'running', state_id => 'MT-1');
SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-REUSED');
SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-NOROW');
SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-YOUNG');
SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-DIAG');
-- Backdate them (open rows may be updated); M-YOUNG is 10 days old, the others 30.
UPDATE orchestration_session SET orch_started_at = now() - interval '30 days'
WHERE orchestration_session_id IN ('M-LIVE', 'M-DEAD', 'M-REUSED', 'M-NOROW', 'M-DIAG');
UPDATE orchestration_session SET orch_started_at = now() - interval '10 days'
WHERE orchestration_session_id = 'M-YOUNG';
-- M-DEAD's backend is gone; M-REUSED's pid is alive but belongs to a later
-- backend (this one); M-NOROW has no backend row.
UPDATE orchestration_session_backend SET pid = -1 WHERE session_id = 'M-DEAD';
UPDATE orchestration_session_backend SET backend_start = backend_start - interval '1 day' WHERE session_id = 'M-REUSED';
DELETE FROM orchestration_session_backend WHERE session_id = 'M-NOROW';
UPDATE orchestration_session SET diagnostics_json = '{"status":"partial"}', diagnostics_md = '# Partial'
WHERE orchestration_session_id = 'M-DIAG';

-- Crash recovery: only sessions of dead backends; M-LIVE (this backend) stays open.
SELECT orchestration_session_abandon(interval '29 days', 'backend died', only_dead_backends => true) AS closed;
SELECT orchestration_session_id, orch_finished_at IS NOT NULL AS finished
FROM orchestration_session WHERE device_id = 'DEV-M' ORDER BY 1;

-- What an abandonment writes: diagnostics, a final transition from the latest state.
SELECT orchestration_session_id,
       diagnostics_json::jsonb - 'abandoned_at' AS diagnostics,
       (diagnostics_json::jsonb ->> 'abandoned_at')::timestamptz = orch_finished_at AS at_finish,
       diagnostics_json::jsonb ->> 'abandoned_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$' AS iso_utc,
       diagnostics_md
FROM orchestration_session WHERE orchestration_session_id IN ('M-DEAD', 'M-REUSED', 'M-NOROW') ORDER BY 1;
SELECT session_id, from_state, to_state, transition_reason,
       transitioned_at > lag(transitioned_at) OVER (PARTITION BY session_id ORDER BY transitioned_at) AS after_previous,
       transitioned_at = (SELECT orch_finished_at FROM orchestration_session WHERE orchestration_session_id = session_id) AS at_finish
FROM orchestration_session_state WHERE session_id IN ('M-DEAD', 'M-REUSED', 'M-NOROW')
ORDER BY session_id, transitioned_at;

-- By age only: the 30-day-old ones, not M-YOUNG.  An existing diagnostics_json
-- is kept and the abandonment is appended to diagnostics_md; the reason is
-- JSON-escaped.
SELECT orchestration_session_abandon(interval '29 days', E'stuck "worker"\n\\') AS closed;
SELECT orchestration_session_id, orch_finished_at IS NOT NULL AS finished
FROM orchestration_session WHERE device_id = 'DEV-M' ORDER BY 1;
SELECT orchestration_session_id, diagnostics_json::jsonb - 'abandoned_at' AS diagnostics,
       regexp_replace(diagnostics_md, '\d{4}-\d\d-\d\dT[0-9:.]+Z', '<time>') AS diagnostics_md
FROM orchestration_session WHERE orchestration_session_id IN ('M-LIVE', 'M-DIAG') ORDER BY 1;
SELECT json_valid(diagnostics_json), (diagnostics_json::json ->> 'reason') = E'stuck "worker"\n\\' AS reason_round_trips
FROM orchestration_session WHERE orchestration_session_id = 'M-LIVE';
-- Nothing left to do: 0.
SELECT orchestration_session_abandon(interval '29 days') AS closed;

-- Errors.
SELECT regress.err($$SELECT orchestration_session_abandon(NULL)$$);
SELECT regress.err($$SELECT orchestration_session_abandon(interval '-1 hour')$$);
SELECT regress.err($$SELECT orchestration_session_abandon(interval '1 hour', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_abandon(interval '1 hour', only_dead_backends => NULL)$$);
SELECT regress.err($$SELECT orchestration_session_purge(NULL)$$);
SELECT regress.err($$SELECT orchestration_session_purge(interval '-1 day')$$);
-- Checked by what they mean: negative only on the calendar is still the future;
-- absurd ones are a parameter error, not a datetime overflow.
SELECT regress.errm($$SELECT orchestration_session_abandon(interval '-1 year 360 days')$$);
SELECT regress.errm($$SELECT orchestration_session_purge(interval '1 mon -31 days')$$);
SELECT regress.errm($$SELECT orchestration_session_abandon(interval '178000000 years')$$);
SELECT regress.errm($$SELECT orchestration_session_purge(interval '-178000000 years')$$);
SELECT orchestration_session_abandon(interval '1 year -360 days') AS closed_none_yet;
SELECT regress.err($$SELECT orchestration_session_purge(interval '1 day', 0)$$);
SELECT regress.err($$SELECT orchestration_session_purge(interval '1 day', NULL)$$);

-- Reporting views (times as booleans).
SELECT orchestration_session_start('DEV-M', 'maint', '2', session_id => 'M-OK');
SELECT orchestration_session_add_entry('M-OK', 'a.csv', entry_id => 'ME-1');
SELECT orchestration_session_record_exec('M-OK', 'shell', 'true', 0, exec_id => 'MX-1');
SELECT orchestration_session_record_exec('M-OK', 'shell', 'false', 1, parent_exec_id => 'MX-1', exec_id => 'MX-2');
SELECT orchestration_session_raise_issue('M-OK', 'warning: slow', 'slow', issue_id => 'MI-1');
SELECT orchestration_session_transition('M-OK', 'done', state_id => 'MT-2');
SELECT orchestration_session_finish('M-OK', '{"status":"ok"}') IS NOT NULL AS finished;
SELECT orchestration_session_start('DEV-M', 'maint', '2', session_id => 'M-FAIL');
SELECT orchestration_session_raise_issue('M-FAIL', 'warning: slow', 'slower', issue_id => 'MI-2');
SELECT orchestration_session_raise_issue('M-FAIL', 'error: bad row', 'bad', issue_id => 'MI-3');
SELECT orchestration_session_transition('M-FAIL', 'surveilr_orch_failed', state_id => 'MT-3');
SELECT orchestration_session_finish('M-FAIL') IS NOT NULL AS finished;
SELECT orchestration_session_start('DEV-M', 'maint', '2', session_id => 'M-FAIL2');
SELECT orchestration_session_finish('M-FAIL2', '{"status":"failed"}') IS NOT NULL AS finished;
-- Failed execs alone do not make a session failed.
SELECT orchestration_session_id, device_name, orchestration_nature_id, nature, version,
       duration IS NOT NULL AS has_duration, duration >= interval '0' AS duration_ok,
       latest_state, status, entries, execs, failed_execs, issues
FROM orchestration_session_overview WHERE device_id = 'DEV-M' ORDER BY 1;
-- Sessions of one day only, so the output is the same whatever the date:
-- the backdated ones are on other days.
SELECT day = (now() AT TIME ZONE 'UTC')::date AS today, orchestration_nature_id, device_id,
       sessions, completed, failed, abandoned, running, success_rate,
       avg_duration IS NOT NULL AND p50_duration IS NOT NULL AND p95_duration >= p50_duration AS durations
FROM orchestration_session_stats_daily
WHERE device_id = 'DEV-M' AND day >= (now() AT TIME ZONE 'UTC')::date - 1 ORDER BY 1, 2;
SELECT issue_type, issues, sessions_affected, first_seen <= last_seen AS ordered
FROM orchestration_session_issue_summary WHERE issue_type IN ('warning: slow', 'error: bad row') ORDER BY 1;

-- Purge.  M-OLD1 has every kind of child (entry, transition, parent and
-- child execs, their log lines, issues, an issue relation, its backend row);
-- it and M-OLD2/3 are then finished 40 days ago with a plain UPDATE of the
-- open rows (allowed, as an ORM finish).  M-OLD-OPEN is as old but open.
SELECT orchestration_session_start('DEV-M', 'maint', '3', session_id => 'M-OLD1');
SELECT orchestration_session_add_entry('M-OLD1', 'old.csv', entry_id => 'ME-OLD1');
SELECT orchestration_session_transition('M-OLD1', 'done', session_entry_id => 'ME-OLD1', state_id => 'MT-OLD1');
SELECT orchestration_session_record_exec('M-OLD1', 'shell', 'run', 0, 'ME-OLD1', exec_id => 'MX-OLD1');
SELECT orchestration_session_record_exec('M-OLD1', 'shell', 'sub', 0, parent_exec_id => 'MX-OLD1', exec_id => 'MX-OLD2');
SELECT orchestration_session_append_log('MX-OLD1', 'parent line', log_id => 'ML-OLD1');
SELECT orchestration_session_append_log('MX-OLD2', 'child line', log_id => 'ML-OLD2');
SELECT orchestration_session_raise_issue('M-OLD1', 'old issue', 'x', 'ME-OLD1', issue_id => 'MI-OLD1');
SELECT orchestration_session_raise_issue('M-OLD1', 'old issue', 'y', issue_id => 'MI-OLD2');
INSERT INTO orchestration_session_issue_relation VALUES ('MR-OLD1', 'MI-OLD1', 'MI-OLD2', 'causes');
SELECT orchestration_session_start('DEV-M', 'maint', '3', session_id => 'M-OLD2');
SELECT orchestration_session_start('DEV-M', 'maint', '3', session_id => 'M-OLD3');
SELECT orchestration_session_start('DEV-M', 'maint', '3', session_id => 'M-OLD-OPEN');
UPDATE orchestration_session SET orch_started_at = now() - interval '41 days',
       orch_finished_at = now() - interval '40 days'
WHERE orchestration_session_id IN ('M-OLD1', 'M-OLD2', 'M-OLD3');
UPDATE orchestration_session SET orch_started_at = now() - interval '41 days'
WHERE orchestration_session_id = 'M-OLD-OPEN';

CREATE TEMP VIEW maint_rows AS
SELECT 'session' AS kind, orchestration_session_id AS id FROM orchestration_session WHERE device_id = 'DEV-M'
UNION ALL SELECT 'backend', session_id FROM orchestration_session_backend WHERE session_id LIKE 'M-%'
UNION ALL SELECT 'entry', orchestration_session_entry_id FROM orchestration_session_entry WHERE session_id LIKE 'M-%'
UNION ALL SELECT 'state', orchestration_session_state_id FROM orchestration_session_state WHERE session_id LIKE 'M-OLD%'
UNION ALL SELECT 'exec', orchestration_session_exec_id FROM orchestration_session_exec WHERE session_id LIKE 'M-%'
UNION ALL SELECT 'log', orchestration_session_log_id FROM orchestration_session_log WHERE orchestration_session_log_id LIKE 'ML-%'
UNION ALL SELECT 'issue', orchestration_session_issue_id FROM orchestration_session_issue WHERE session_id LIKE 'M-%'
UNION ALL SELECT 'relation', orchestration_session_issue_relation_id FROM orchestration_session_issue_relation WHERE orchestration_session_issue_relation_id LIKE 'MR-%';
SELECT kind, count(*) FROM maint_rows GROUP BY kind ORDER BY kind;

-- Nothing finished before 50 days ago.
SELECT orchestration_session_purge(interval '50 days') AS purged;
-- One session per batch: the three old finished ones; the open one stays.
SELECT orchestration_session_purge(interval '30 days', batch_size => 1) AS purged;
SELECT * FROM maint_rows WHERE id LIKE 'M%OLD%' ORDER BY kind, id;
SELECT kind, count(*) FROM maint_rows GROUP BY kind ORDER BY kind;
SELECT orchestration_session_purge(interval '30 days') AS purged_again;
SELECT regress.err($$SELECT orchestration_session_purge(interval '1 day', 1, 0)$$);

-- max_batches, and the procedure that commits after each batch.
SELECT orchestration_session_start('DEV-M', 'maint', '4', session_id => 'M-B' || i) FROM generate_series(1, 5) i;
SELECT orchestration_session_transition('M-B1', 'done', state_id => 'MT-B1');
SELECT orchestration_session_record_exec('M-B1', 'shell', 'run', 0, exec_id => 'MX-B1');
SELECT orchestration_session_append_log('MX-B1', 'line', log_id => 'ML-B1');
UPDATE orchestration_session SET orch_started_at = now() - interval '41 days',
       orch_finished_at = now() - interval '40 days'
WHERE orchestration_session_id LIKE 'M-B%';
SELECT orchestration_session_purge(interval '30 days', 2, max_batches => 1) AS one_batch;
SELECT count(*) AS left FROM orchestration_session WHERE orchestration_session_id LIKE 'M-B%';
CALL orchestration_session_purge_batches(interval '30 days', 1);
SELECT count(*) AS left FROM orchestration_session WHERE orchestration_session_id LIKE 'M-B%';
SELECT (SELECT count(*) FROM maint_rows WHERE id LIKE 'M%B%')
     + (SELECT count(*) FROM orchestration_session_state WHERE session_id LIKE 'M-B%') AS children_left;
-- Inside a transaction block it cannot commit.
BEGIN;
CALL orchestration_session_purge_batches(interval '30 days', 1);
ROLLBACK;

-- Nothing on the search_path changes what abandon and purge do: a shadowing
-- table, an always-true "=", and a now() in the far future that would make
-- every session look old.
CREATE SCHEMA evil_m;
CREATE TABLE evil_m.orchestration_session (LIKE public.orchestration_session);
CREATE FUNCTION evil_m.always_true(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil_m.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil_m.always_true);
CREATE FUNCTION evil_m.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT timestamptz 'infinity'$$;
SET search_path = evil_m, pg_catalog, public;
SELECT now() = 'infinity' AS shadowed_now_is_active;
-- Only M-OLD-OPEN (41 days); M-YOUNG (10 days) and the other suites' sessions stay open.
SELECT public.orchestration_session_abandon(interval '20 days', 'path test') AS closed;
SELECT public.orchestration_session_purge(interval '20 days') AS purged;
RESET search_path;
SELECT orchestration_session_id, orch_finished_at IS NOT NULL AS finished, latest_state
FROM orchestration_session_overview WHERE orchestration_session_id IN ('M-OLD-OPEN', 'M-YOUNG') ORDER BY 1;
DROP SCHEMA evil_m CASCADE;

-- Purge never deletes history of a session it does not delete: a "legal
-- hold" trigger or a narrower row-level security DELETE policy keeps the
-- session, and every row of its history stays; purge says so, and a batch
-- that deletes nothing ends the call (no spinning).  A DO INSTEAD rule on
-- the session table is refused by PostgreSQL (0A000): nothing is deleted.
SELECT orchestration_session_start('DEV-M', 'maint', '1', session_id => 'M-HOLD');
SELECT orchestration_session_add_entry('M-HOLD', 'held.csv') IS NOT NULL AS entry,
       orchestration_session_transition('M-HOLD', 'DONE') IS NOT NULL AS transition,
       orchestration_session_append_log(orchestration_session_record_exec('M-HOLD', 'SQL', 'x', 0), 'held line') IS NOT NULL AS log,
       orchestration_session_raise_issue('M-HOLD', 'held', 'm') IS NOT NULL AS issue;
SELECT orchestration_session_finish('M-HOLD') IS NOT NULL AS finished;
CREATE VIEW maint_hold AS
SELECT (SELECT count(*) FROM orchestration_session WHERE orchestration_session_id = 'M-HOLD') AS session,
       (SELECT count(*) FROM orchestration_session_entry WHERE session_id = 'M-HOLD') AS entries,
       (SELECT count(*) FROM orchestration_session_state WHERE session_id = 'M-HOLD') AS states,
       (SELECT count(*) FROM orchestration_session_exec WHERE session_id = 'M-HOLD') AS execs,
       (SELECT count(*) FROM orchestration_session_log l JOIN orchestration_session_exec x
          ON x.orchestration_session_exec_id = l.parent_exec_id WHERE x.session_id = 'M-HOLD') AS logs,
       (SELECT count(*) FROM orchestration_session_issue WHERE session_id = 'M-HOLD') AS issues,
       (SELECT count(*) FROM orchestration_session_backend WHERE session_id = 'M-HOLD') AS backend;
CREATE FUNCTION regress.legal_hold() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN IF OLD.orchestration_session_id = 'M-HOLD' THEN RETURN NULL; END IF; RETURN OLD; END$$;
CREATE TRIGGER legal_hold BEFORE DELETE ON orchestration_session FOR EACH ROW EXECUTE FUNCTION regress.legal_hold();
SELECT orchestration_session_purge(interval '0', 1) >= 0 AS purge_returned;
SELECT * FROM maint_hold;
DROP TRIGGER legal_hold ON orchestration_session;
CREATE RULE legal_hold AS ON DELETE TO orchestration_session WHERE OLD.orchestration_session_id = 'M-HOLD' DO INSTEAD NOTHING;
SELECT regress.errm($$SELECT orchestration_session_purge(interval '0', 1)$$);
SELECT * FROM maint_hold;
DROP RULE legal_hold ON orchestration_session;
CREATE ROLE regress_purger;
GRANT USAGE ON SCHEMA public TO regress_purger;
GRANT SELECT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO regress_purger;
ALTER TABLE orchestration_session ENABLE ROW LEVEL SECURITY;
CREATE POLICY purger_sees ON orchestration_session FOR SELECT TO regress_purger USING (true);
CREATE POLICY purger_updates ON orchestration_session FOR UPDATE TO regress_purger USING (true);
CREATE POLICY purger_deletes ON orchestration_session FOR DELETE TO regress_purger
    USING (orchestration_session_id <> 'M-HOLD');
SET ROLE regress_purger;
SELECT orchestration_session_purge(interval '0', 1) AS purged_by_narrow_policy;
RESET ROLE;
SELECT * FROM maint_hold;
DROP POLICY purger_sees ON orchestration_session;
DROP POLICY purger_updates ON orchestration_session;
DROP POLICY purger_deletes ON orchestration_session;
ALTER TABLE orchestration_session DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM regress_purger;
REVOKE USAGE ON SCHEMA public FROM regress_purger;
DROP ROLE regress_purger;
-- Without the hold it goes, with all of its history and its backend row.
SELECT orchestration_session_purge(interval '0') >= 1 AS purged;
SELECT * FROM maint_hold;
DROP VIEW maint_hold;
DROP FUNCTION regress.legal_hold();

-- Clean up this suite's rows.  Finished history is removed by purge only
-- (direct DELETEs are refused, 55000); rows of the open session go directly.
SELECT orchestration_session_purge(interval '0') >= 0 AS purged;
DELETE FROM orchestration_session_log WHERE orchestration_session_log_id LIKE 'ML-%';
DELETE FROM orchestration_session_issue WHERE session_id LIKE 'M-%';
DELETE FROM orchestration_session_exec WHERE session_id LIKE 'M-%';
DELETE FROM orchestration_session_state WHERE session_id LIKE 'M-%';
DELETE FROM orchestration_session_entry WHERE session_id LIKE 'M-%';
DELETE FROM orchestration_session_backend WHERE session_id LIKE 'M-%';
DELETE FROM orchestration_session WHERE device_id = 'DEV-M';
SELECT count(*) AS left_over FROM maint_rows;
DROP VIEW maint_rows;

-- The diagnostics status reader never fails a view: a lone surrogate escape
-- (valid for json_valid, not readable by the json type) gives NULL.
SELECT d, orchestration_diagnostics_status(d) AS status
FROM (VALUES ('{"status":"failed"}'), ('{"status":"ok","note":"C:\\users"}'), ('{"status":"caf\u00e9"}'),
             ('{"status":"completed","bad":"\ud800"}'), ('[1]'), ('"status"'), ('{bad'), (NULL)) AS t(d);
