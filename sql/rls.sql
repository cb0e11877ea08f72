-- Row-level security with the per-device policy set of the README: each
-- writer role sees and writes only its own devices' sessions and their
-- history.  The policies are on orchestration_session; the history guard
-- refuses a child row of a session the writer cannot see (42501), even on a
-- child table without a policy; the backend rows behind only_dead_backends
-- are written by the extension alone, so no writer can forge them.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all
CREATE ROLE regress_writers;
CREATE ROLE regress_dev_a IN ROLE regress_writers;
CREATE ROLE regress_dev_b IN ROLE regress_writers;
SELECT orchestration_device_ensure('rls-a', device_id => 'DEV-RA'), orchestration_device_ensure('rls-b', device_id => 'DEV-RB');

-- The README's policy set.
CREATE TABLE regress.device_writer (device_id varchar NOT NULL, role_name name NOT NULL, PRIMARY KEY (device_id, role_name));
INSERT INTO regress.device_writer VALUES ('DEV-RA', 'regress_dev_a'), ('DEV-RB', 'regress_dev_b');
GRANT USAGE ON SCHEMA public, regress TO regress_writers;
GRANT SELECT ON regress.device_writer TO regress_writers;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO regress_writers;
REVOKE INSERT, UPDATE ON orchestration_session_backend FROM regress_writers;
ALTER TABLE orchestration_session ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_devices ON orchestration_session TO regress_writers
    USING (device_id IN (SELECT w.device_id FROM regress.device_writer w WHERE w.role_name = current_user))
    WITH CHECK (device_id IN (SELECT w.device_id FROM regress.device_writer w WHERE w.role_name = current_user));

SET ROLE regress_dev_a;
SELECT orchestration_session_start('DEV-RA', 'surveilr-transform-csv', '1', session_id => 'S-RA');
SELECT regress.err($$SELECT orchestration_session_start('DEV-RB', 'surveilr-transform-csv', '1', session_id => 'S-RB-BY-A')$$);
RESET ROLE;
SET ROLE regress_dev_b;
SELECT orchestration_session_start('DEV-RB', 'surveilr-transform-csv', '1', session_id => 'S-RB');
SELECT orchestration_session_record_exec('S-RB', 'SQL', 'x', 0, exec_id => 'X-RB');
SELECT orchestration_session_raise_issue('S-RB', 't', 'm', issue_id => 'I-RB');
RESET ROLE;

-- Writer A and B's session: the functions do not see it, and neither
-- direct INSERT nor UPDATE can attach history to it (the history guard,
-- with no policy on the child tables yet).
SET ROLE regress_dev_a;
SELECT regress.err($$SELECT orchestration_session_add_entry('S-RB', 'a.csv')$$);
SELECT regress.errm($$SELECT orchestration_session_transition('S-RB', 'x')$$);
SELECT regress.errm($$SELECT orchestration_session_append_log('X-RB', 'line')$$);
SELECT orchestration_session_add_entry('S-RA', 'mine.csv', entry_id => 'E-RA');
SELECT regress.err($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('S-RB', 'direct.csv')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('S-RB', 'INITIAL', 'x')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('X-RB', 'direct line')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_issue_relation (issue_id_prime, issue_id_rel, relationship_nature) VALUES ('I-RB', 'I-RB', 'x')$$);
SELECT regress.errm($$UPDATE orchestration_session_entry SET session_id = 'S-RB' WHERE orchestration_session_entry_id = 'E-RA'$$);
-- Nor forge the backend rows that orchestration_session_abandon(only_dead_backends) trusts.
SELECT regress.errm($$UPDATE orchestration_session_backend SET pid = 1 WHERE session_id = 'S-RB'$$);
SELECT regress.errm($$INSERT INTO orchestration_session_backend VALUES ('S-RA', 1, now())$$);
SELECT regress.errm($$DELETE FROM orchestration_session_backend WHERE session_id = 'S-RB'$$);
RESET ROLE;
-- Each session still has the backend row of the backend that started it.
SELECT session_id, pid = pg_backend_pid() AS started_here FROM orchestration_session_backend
WHERE session_id IN ('S-RA', 'S-RB') ORDER BY 1;

-- With the child policies too ("a child is visible when its session is"),
-- each writer reads only its own history.
ALTER TABLE orchestration_session_entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_exec ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_issue ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_backend ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_sessions ON orchestration_session_entry TO regress_writers
    USING (EXISTS (SELECT 1 FROM orchestration_session s WHERE s.orchestration_session_id = session_id));
CREATE POLICY own_sessions ON orchestration_session_exec TO regress_writers
    USING (EXISTS (SELECT 1 FROM orchestration_session s WHERE s.orchestration_session_id = session_id));
CREATE POLICY own_sessions ON orchestration_session_issue TO regress_writers
    USING (EXISTS (SELECT 1 FROM orchestration_session s WHERE s.orchestration_session_id = session_id));
CREATE POLICY own_sessions ON orchestration_session_backend TO regress_writers
    USING (EXISTS (SELECT 1 FROM orchestration_session s WHERE s.orchestration_session_id = session_id));
SET ROLE regress_dev_a;
SELECT 'session' AS t, string_agg(orchestration_session_id, ',' ORDER BY 1) FROM orchestration_session
UNION ALL SELECT 'entry', string_agg(session_id, ',' ORDER BY 1) FROM orchestration_session_entry
UNION ALL SELECT 'exec', string_agg(session_id, ',' ORDER BY 1) FROM orchestration_session_exec
UNION ALL SELECT 'backend', string_agg(session_id, ',' ORDER BY 1) FROM orchestration_session_backend;
SELECT orchestration_session_finish('S-RA') IS NOT NULL AS a_finished;
RESET ROLE;
SET ROLE regress_dev_b;
SELECT regress.errm($$SELECT orchestration_session_finish('S-RA')$$);
SELECT orchestration_session_finish('S-RB') IS NOT NULL AS b_finished;
RESET ROLE;

-- Clean up.
SELECT orchestration_session_purge(interval '0') >= 2 AS purged;
DROP POLICY own_sessions ON orchestration_session_entry;
DROP POLICY own_sessions ON orchestration_session_exec;
DROP POLICY own_sessions ON orchestration_session_issue;
DROP POLICY own_sessions ON orchestration_session_backend;
DROP POLICY own_devices ON orchestration_session;
ALTER TABLE orchestration_session_entry DISABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_exec DISABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_issue DISABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_backend DISABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session DISABLE ROW LEVEL SECURITY;
DROP TABLE regress.device_writer;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM regress_writers;
REVOKE USAGE ON SCHEMA public, regress FROM regress_writers;
DROP ROLE regress_dev_a;
DROP ROLE regress_dev_b;
DROP ROLE regress_writers;
