-- Every SQL-callable C function validates what it is given: trigger
-- functions refuse tables, events and columns they were not made for
-- (09000), and are not executable by PUBLIC; the lifecycle functions refuse
-- family tables that are not what the extension created (42809/42P01),
-- whatever replaced them.  Nothing here may crash the server.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all

-- Which functions PUBLIC may execute: none of the trigger functions.
SELECT p.proname, pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'orchestration_session'
WHERE p.prorettype = 'trigger'::regtype ORDER BY 1;

-- An unprivileged role cannot attach them to a table of its own.
CREATE ROLE regress_attacker;
GRANT USAGE ON SCHEMA regress TO regress_attacker;
SET ROLE regress_attacker;
CREATE TEMP TABLE tt (id int8, n name, t text);
SELECT regress.errm($$CREATE TRIGGER t BEFORE INSERT ON tt FOR EACH ROW EXECUTE FUNCTION orchestration_json_columns_check('id')$$);
SELECT regress.errm($$CREATE TRIGGER t BEFORE UPDATE ON tt FOR EACH ROW EXECUTE FUNCTION orchestration_session_finished_guard()$$);
SELECT regress.errm($$CREATE TRIGGER t AFTER INSERT ON tt FOR EACH ROW EXECUTE FUNCTION orchestration_session_history_guard()$$);
SELECT regress.errm($$CREATE TRIGGER t BEFORE INSERT ON tt FOR EACH ROW EXECUTE FUNCTION orchestration_nature_seed_insert()$$);
RESET ROLE;
DROP TABLE pg_temp.tt;
DROP OWNED BY regress_attacker;
DROP ROLE regress_attacker;

-- Attached by an administrator to the wrong columns or tables: refused, not misread.
CREATE TABLE regress.jt (id int8, n name, t text, v varchar, orch_finished_at text, orchestration_session_id text);
CREATE TRIGGER jt_int BEFORE INSERT ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_json_columns_check('id');
SELECT regress.err($$INSERT INTO regress.jt (id) VALUES (1)$$);
DROP TRIGGER jt_int ON regress.jt;
CREATE TRIGGER jt_name BEFORE INSERT ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_json_columns_check('n');
SELECT regress.errm($$INSERT INTO regress.jt (n) VALUES ('x')$$);
DROP TRIGGER jt_name ON regress.jt;
-- Text and varchar columns are what it is for (usable on a user's own tables).
CREATE TRIGGER jt_text BEFORE INSERT ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_json_columns_check('t', 'v');
SELECT regress.errm($$INSERT INTO regress.jt (t, v) VALUES ('{"ok": true}', '[1, 2]')$$);
SELECT regress.errm($$INSERT INTO regress.jt (t, v) VALUES ('{"ok": true}', '[1, 2')$$);
SELECT regress.errm($$INSERT INTO regress.jt (t) VALUES ('x') RETURNING t$$);
DROP TRIGGER jt_text ON regress.jt;
CREATE TRIGGER jt_del BEFORE DELETE ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_json_columns_check('t');
SELECT regress.errm($$DELETE FROM regress.jt$$);
DROP TRIGGER jt_del ON regress.jt;
-- The guards belong to the extension's tables only.
CREATE TRIGGER jt_fin BEFORE UPDATE ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_session_finished_guard();
SELECT regress.err($$UPDATE regress.jt SET t = 'y'$$);
DROP TRIGGER jt_fin ON regress.jt;
CREATE TRIGGER jt_fin_after AFTER UPDATE ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_session_finished_guard();
SELECT regress.errm($$UPDATE regress.jt SET t = 'y'$$);
DROP TRIGGER jt_fin_after ON regress.jt;
CREATE TRIGGER jt_hist AFTER INSERT ON regress.jt FOR EACH ROW EXECUTE FUNCTION orchestration_session_history_guard();
SELECT regress.errm($$INSERT INTO regress.jt (t) VALUES ('{}')$$);
DROP TRIGGER jt_hist ON regress.jt;
-- BEFORE and AFTER row triggers are what it is (from 1.2 both are attached);
-- statement-level and TRUNCATE triggers are not.
CREATE TRIGGER jt_hist_stmt BEFORE INSERT ON orchestration_session_entry FOR EACH STATEMENT EXECUTE FUNCTION orchestration_session_history_guard();
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('x', 'y')$$);
DROP TRIGGER jt_hist_stmt ON orchestration_session_entry;
CREATE TRIGGER jt_hist_stmt_after AFTER DELETE ON orchestration_session_log FOR EACH STATEMENT EXECUTE FUNCTION orchestration_session_history_guard();
SELECT regress.errm($$DELETE FROM orchestration_session_log WHERE false$$);
DROP TRIGGER jt_hist_stmt_after ON orchestration_session_log;
CREATE TRIGGER jt_hist_truncate BEFORE TRUNCATE ON orchestration_session_log FOR EACH STATEMENT EXECUTE FUNCTION orchestration_session_history_guard();
SELECT regress.errm($$TRUNCATE orchestration_session_log$$);
DROP TRIGGER jt_hist_truncate ON orchestration_session_log;
DROP TABLE regress.jt;

-- A family table that is not the extension's: each case in a transaction
-- that is rolled back; every lifecycle function refuses, none crashes.
SELECT orchestration_device_ensure('attack-host', device_id => 'DEV-ATK');
SELECT orchestration_session_start('DEV-ATK', 'surveilr-transform-csv', '1', session_id => 'S-ATK');
SELECT orchestration_session_record_exec('S-ATK', 'SQL', 'x', 0, exec_id => 'X-ATK');

-- orchestration_session swapped for a partitioned table (partitioning for
-- retention), made a member of the extension.
BEGIN;
ALTER EXTENSION orchestration_session DROP TABLE orchestration_session;
ALTER TABLE orchestration_session RENAME TO orchestration_session_old;
CREATE TABLE orchestration_session (LIKE orchestration_session_old) PARTITION BY RANGE (orch_started_at);
CREATE TABLE orchestration_session_2026 PARTITION OF orchestration_session FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER EXTENSION orchestration_session ADD TABLE orchestration_session;
SELECT regress.err($$SELECT orchestration_session_add_entry('S-ATK', 'a.csv')$$);
SELECT regress.errm($$SELECT orchestration_session_transition('S-ATK', 'x')$$);
SELECT regress.errm($$SELECT orchestration_session_record_exec('S-ATK', 'SQL', 'x', 0)$$);
SELECT regress.errm($$SELECT orchestration_session_raise_issue('S-ATK', 't', 'm')$$);
SELECT regress.errm($$SELECT orchestration_session_append_log('X-ATK', 'line')$$);
SELECT regress.errm($$SELECT orchestration_session_finish('S-ATK')$$);
SELECT regress.errm($$SELECT orchestration_session_start('DEV-ATK', 'surveilr-transform-csv', '1')$$);
SELECT regress.errm($$SELECT orchestration_session_abandon(interval '0')$$);
SELECT regress.errm($$SELECT orchestration_session_purge(interval '0')$$);
ROLLBACK;

-- Renamed away and replaced by a look-alike that is not a member.
BEGIN;
ALTER TABLE orchestration_session_log RENAME TO orchestration_session_log_old;
CREATE TABLE orchestration_session_log (LIKE orchestration_session_log_old INCLUDING ALL);
SELECT regress.err($$SELECT orchestration_session_append_log('X-ATK', 'line')$$);
ROLLBACK;

-- A view, a foreign table, a missing table, a column of another type.
BEGIN;
ALTER EXTENSION orchestration_session DROP TABLE orchestration_session_issue_relation;
ALTER TABLE orchestration_session_issue_relation RENAME TO orchestration_session_issue_relation_old;
CREATE VIEW orchestration_session_issue_relation AS SELECT * FROM orchestration_session_issue_relation_old;
ALTER EXTENSION orchestration_session ADD VIEW orchestration_session_issue_relation;
SELECT regress.errm($$SELECT orchestration_session_raise_issue('S-ATK', 't', 'm')$$);
ROLLBACK;
BEGIN;
CREATE FOREIGN DATA WRAPPER regress_no_handler;
CREATE SERVER regress_nowhere FOREIGN DATA WRAPPER regress_no_handler;
ALTER EXTENSION orchestration_session DROP TABLE orchestration_session_backend;
ALTER TABLE orchestration_session_backend RENAME TO orchestration_session_backend_old;
CREATE FOREIGN TABLE orchestration_session_backend (session_id varchar, pid integer, backend_start timestamptz) SERVER regress_nowhere;
ALTER EXTENSION orchestration_session ADD FOREIGN TABLE orchestration_session_backend;
SELECT regress.errm($$SELECT orchestration_session_start('DEV-ATK', 'surveilr-transform-csv', '1')$$);
ROLLBACK;
BEGIN;
ALTER EXTENSION orchestration_session DROP TABLE orchestration_session_state;
ALTER TABLE orchestration_session_state RENAME TO orchestration_session_state_old;
SELECT regress.err($$SELECT orchestration_session_transition('S-ATK', 'x')$$);
ROLLBACK;
BEGIN;
ALTER TABLE orchestration_session_log ALTER COLUMN sibling_order TYPE bigint;
SELECT regress.errm($$SELECT orchestration_session_append_log('X-ATK', 'line')$$);
ROLLBACK;
BEGIN;
ALTER TABLE orchestration_session DROP CONSTRAINT orchestration_session_pkey CASCADE;
SELECT regress.errm($$SELECT orchestration_session_add_entry('S-ATK', 'a.csv')$$);
ROLLBACK;

-- After each rollback the real tables are used again.
SELECT orchestration_session_add_entry('S-ATK', 'after.csv', entry_id => 'E-ATK');
SELECT orchestration_session_append_log('X-ATK', 'after', log_id => 'L-ATK');
SELECT orchestration_session_finish('S-ATK') IS NOT NULL AS finished;
SELECT orchestration_session_purge(interval '0') >= 1 AS purged;
