-- Nothing on the caller's search_path changes what the extension's functions do:
-- shadowing tables, an always-true "=" operator and look-alike functions in a
-- schema searched before pg_catalog and public.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all
CREATE SCHEMA evil;
CREATE TABLE evil.orchestration_session (LIKE public.orchestration_session);
CREATE TABLE evil.orchestration_session_state (LIKE public.orchestration_session_state);
CREATE TABLE evil.orchestration_session_log (LIKE public.orchestration_session_log);
CREATE TABLE evil.device (LIKE public.device);
CREATE FUNCTION evil.always_true(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.always_true);
CREATE FUNCTION evil.max(integer) RETURNS integer LANGUAGE sql AS 'SELECT 1000';
CREATE FUNCTION evil.json_valid(text) RETURNS boolean LANGUAGE sql AS 'SELECT true';

SELECT public.orchestration_device_ensure('path-host', device_id => 'DEV-P');
SELECT public.orchestration_session_start('DEV-P', 'surveilr-transform-csv', '1', session_id => 'S-P1');
SELECT public.orchestration_session_start('DEV-P', 'surveilr-transform-csv', '1', session_id => 'S-P2');

SET search_path = evil, pg_catalog, public;
SELECT 'a'::text = 'b'::text AS shadowed_equality_is_active;

-- ensure still finds the right device, and does not match every row.
SELECT public.orchestration_device_ensure('path-host');
SELECT public.orchestration_device_ensure('other-path-host', device_id => 'DEV-P2');
-- Transitions of S-P2 start their own chain; S-P1's are not seen through "=".
SELECT public.orchestration_session_transition('S-P1', 'one', state_id => 'TP-1');
SELECT public.orchestration_session_transition('S-P2', 'two', state_id => 'TP-2');
SELECT public.orchestration_session_record_exec('S-P1', 'SQL', 'x', 0, exec_id => 'XP-1');
SELECT public.orchestration_session_append_log('XP-1', 'first', log_id => 'LP-1');
SELECT public.orchestration_session_append_log('XP-1', 'second', log_id => 'LP-2');
-- An unknown session is still unknown.
SELECT regress.err($$SELECT public.orchestration_session_finish('S-NOT-THERE')$$);
-- Finishing S-P1 does not finish S-P2.
SELECT public.orchestration_session_finish('S-P1') IS NOT NULL AS finished;
-- The JSON checks still use the extension's validator.
SELECT regress.err($$SELECT public.orchestration_session_add_entry('S-P2', 'x', elaboration => '{bad')$$);

RESET search_path;
SELECT orchestration_session_state_id, session_id, from_state, to_state
FROM orchestration_session_state WHERE session_id IN ('S-P1', 'S-P2') ORDER BY 1;
SELECT orchestration_session_log_id, sibling_order FROM orchestration_session_log WHERE parent_exec_id = 'XP-1' ORDER BY 1;
SELECT orchestration_session_id, orch_finished_at IS NOT NULL AS finished
FROM orchestration_session WHERE orchestration_session_id IN ('S-P1', 'S-P2') ORDER BY 1;
SELECT device_id, name FROM device WHERE device_id IN ('DEV-P', 'DEV-P2') ORDER BY 1;
SELECT (SELECT count(*) FROM evil.orchestration_session) + (SELECT count(*) FROM evil.orchestration_session_state)
     + (SELECT count(*) FROM evil.orchestration_session_log) + (SELECT count(*) FROM evil.device) AS rows_in_evil;
-- One function of the extension is SECURITY DEFINER (the fan-in status's
-- applied position, which only superusers may read otherwise); it pins its
-- search_path and is an SQL function whose every name is qualified.
SELECT p.proname AS security_definer_function, p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql') AS is_sql,
       p.proconfig
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'orchestration_session'
WHERE p.prosecdef;
DROP SCHEMA evil CASCADE;
