-- Fan-in (edge to central over logical replication) on one server: what the
-- set-up functions create, the merge trigger's refusals of misuse, and the
-- central's rules for an edge's sessions (simulated by listing a session in
-- orchestration_fanin_session_edge, as the merge trigger does).  The real
-- replication runs in test/t/004_fanin.pl.  The database is made an edge and
-- a central here and turned back into neither at the end.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all

-- Edge: the publication, created, then brought up to date (a table removed by hand comes back).
-- (The regression server's wal_level is replica: the function's WARNING says so; hidden here.)
SET client_min_messages = error;
SELECT orchestration_fanin_publish();
ALTER PUBLICATION orchestration_session_fanin DROP TABLE orchestration_session_log;
SELECT orchestration_fanin_publish();
RESET client_min_messages;
SELECT tablename FROM pg_publication_tables WHERE pubname = 'orchestration_session_fanin' ORDER BY tablename;
SELECT pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = 'orchestration_session_fanin';

-- Only the roles they are granted to may call the set-up functions.
CREATE ROLE fanin_nobody;
GRANT USAGE ON SCHEMA regress TO fanin_nobody;
SET ROLE fanin_nobody;
SELECT regress.errm('SELECT orchestration_fanin_publish()');
SELECT regress.errm('SELECT orchestration_fanin_prepare_central()');
SELECT regress.errm('SELECT * FROM orchestration_fanin_status');
RESET ROLE;

-- Central: the merge triggers, disabled until prepare_central, then for the apply workers only.
SELECT c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname = 'orchestration_fanin_merge' ORDER BY c.relname;
SELECT orchestration_fanin_prepare_central();
SELECT orchestration_fanin_prepare_central();
SELECT count(*) FILTER (WHERE t.tgenabled = 'R') AS replica, count(*) AS total
FROM pg_trigger t WHERE t.tgname = 'orchestration_fanin_merge';
SELECT * FROM orchestration_fanin_status;   -- no subscription yet

-- The trigger function refuses to be anything else.
CREATE TABLE regress.not_family (id text PRIMARY KEY);
CREATE TRIGGER t BEFORE INSERT ON regress.not_family FOR EACH ROW EXECUTE FUNCTION orchestration_fanin_merge();
SELECT regress.err($$INSERT INTO regress.not_family VALUES ('x')$$);
DROP TRIGGER t ON regress.not_family;
CREATE TRIGGER t AFTER INSERT ON regress.not_family FOR EACH ROW EXECUTE FUNCTION orchestration_fanin_merge();
SELECT regress.err($$INSERT INTO regress.not_family VALUES ('x')$$);
DROP TRIGGER t ON regress.not_family;
CREATE TRIGGER t BEFORE INSERT ON regress.not_family FOR EACH STATEMENT EXECUTE FUNCTION orchestration_fanin_merge();
SELECT regress.err($$INSERT INTO regress.not_family VALUES ('x')$$);
DROP TABLE regress.not_family;

-- A local writer in replica mode (not an apply worker) is let through as it is.
SELECT orchestration_device_ensure('fanin-host', device_id => 'DEV-FAN');
SET session_replication_role = replica;
INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version)
VALUES ('FAN-LOCAL-REPLICA', 'DEV-FAN', 'surveilr-transform-csv', '1');
RESET session_replication_role;
SELECT count(*) FROM orchestration_fanin_session_edge WHERE session_id = 'FAN-LOCAL-REPLICA';

-- An edge's session on the central: every local write is refused (55000) ...
SELECT orchestration_session_start('DEV-FAN', 'surveilr-transform-csv', '1', session_id => 'FAN-EDGE');
SELECT orchestration_session_record_exec('FAN-EDGE', 'SQL', 'SELECT 1', 0, exec_id => 'FAN-EDGE-X');
SELECT orchestration_session_raise_issue('FAN-EDGE', 'type', 'message', issue_id => 'FAN-EDGE-I');
UPDATE orchestration_session SET orch_started_at = orch_started_at - interval '2 days'
WHERE orchestration_session_id = 'FAN-EDGE';
DELETE FROM orchestration_session_backend WHERE session_id = 'FAN-EDGE';
INSERT INTO orchestration_fanin_session_edge (session_id, edge) VALUES ('FAN-EDGE', 'site_a');
SELECT regress.err($$SELECT orchestration_session_transition('FAN-EDGE', 'running')$$);
SELECT regress.errm($$SELECT orchestration_session_add_entry('FAN-EDGE', 'a.csv')$$);
SELECT regress.errm($$SELECT orchestration_session_record_exec('FAN-EDGE', 'SQL', 'SELECT 2', 0)$$);
SELECT regress.errm($$SELECT orchestration_session_raise_issue('FAN-EDGE', 'type', 'message')$$);
SELECT regress.errm($$SELECT orchestration_session_append_log('FAN-EDGE-X', 'line')$$);
SELECT regress.errm($$SELECT orchestration_session_finish('FAN-EDGE')$$);
SELECT regress.err($$UPDATE orchestration_session SET diagnostics_md = 'x' WHERE orchestration_session_id = 'FAN-EDGE'$$);
SELECT regress.errm($$DELETE FROM orchestration_session WHERE orchestration_session_id = 'FAN-EDGE'$$);
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('FAN-EDGE', 'b.csv')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('FAN-EDGE-X', 'line')$$);
SELECT regress.errm($$UPDATE orchestration_session_exec SET exec_status = 1 WHERE orchestration_session_exec_id = 'FAN-EDGE-X'$$);
SELECT regress.errm($$DELETE FROM orchestration_session_issue WHERE orchestration_session_issue_id = 'FAN-EDGE-I'$$);

-- ... and maintenance leaves it alone (its backend lives on the edge); the central's own sessions are abandoned.
SELECT orchestration_session_start('DEV-FAN', 'surveilr-transform-csv', '1', session_id => 'FAN-OWN');
UPDATE orchestration_session SET orch_started_at = orch_started_at - interval '2 days'
WHERE orchestration_session_id = 'FAN-OWN';
DELETE FROM orchestration_session_backend WHERE session_id = 'FAN-OWN';
SELECT orchestration_session_abandon(interval '1 day', only_dead_backends => true);
SELECT orchestration_session_id, orch_finished_at IS NOT NULL AS finished FROM orchestration_session
WHERE orchestration_session_id IN ('FAN-EDGE', 'FAN-OWN') ORDER BY 1;

-- Back to neither an edge nor a central: the other suites run in this database.
DELETE FROM orchestration_fanin_session_edge;
DO $$
DECLARE t regclass;
BEGIN
    FOR t IN SELECT * FROM orchestration_fanin_tables() LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER orchestration_fanin_merge', t);
    END LOOP;
END $$;
SELECT orchestration_session_finish('FAN-EDGE') IS NOT NULL AS finished_here_again;
DROP PUBLICATION orchestration_session_fanin;
REVOKE USAGE ON SCHEMA regress FROM fanin_nobody;
DROP ROLE fanin_nobody;
