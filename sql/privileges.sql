-- The lifecycle functions run with the caller's rights (SECURITY INVOKER):
-- the session row lock taken in C checks the same privileges as the
-- SELECT ... FOR SHARE it replaces, and where row-level security applies to
-- the caller the lock is taken by that query, so the policies decide.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all
SELECT orchestration_device_ensure('priv-host', device_id => 'DEV-PRIV');
SELECT orchestration_session_start('DEV-PRIV', 'surveilr-transform-csv', '1', session_id => 'S-PRIV1');
SELECT orchestration_session_start('DEV-PRIV', 'surveilr-transform-csv', '1', session_id => 'S-PRIV2');

CREATE ROLE regress_orch_writer;
CREATE ROLE regress_orch_reader;
GRANT USAGE ON SCHEMA public, regress TO regress_orch_writer, regress_orch_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO regress_orch_reader;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO regress_orch_writer;

-- No UPDATE privilege on the session table: no row lock, 42501 as for FOR SHARE.
SET ROLE regress_orch_reader;
SELECT regress.err($$SELECT orchestration_session_add_entry('S-PRIV1', 'reader.csv')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-PRIV1', 'reading')$$);
RESET ROLE;

-- Column-level UPDATE privilege is enough for the lock; INSERT on the child table is still needed.
GRANT UPDATE (diagnostics_md) ON orchestration_session TO regress_orch_reader;
SET ROLE regress_orch_reader;
SELECT regress.err($$SELECT orchestration_session_add_entry('S-PRIV1', 'reader.csv')$$);
RESET ROLE;

-- The writer may record; nothing was written by the refused calls above.
SET ROLE regress_orch_writer;
SELECT orchestration_session_add_entry('S-PRIV1', 'writer.csv', entry_id => 'E-PRIV1');
SELECT orchestration_session_transition('S-PRIV1', 'writing', session_entry_id => 'E-PRIV1', state_id => 'ST-PRIV1');
RESET ROLE;
SELECT session_id, ingest_src FROM orchestration_session_entry WHERE session_id = 'S-PRIV1' ORDER BY 1, 2;

-- Row-level security: the writer sees only session S-PRIV2.  A session hidden
-- by the policy is, for the writer, a session that does not exist.
ALTER TABLE orchestration_session ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_only_priv2 ON orchestration_session TO regress_orch_writer
    USING (orchestration_session_id = 'S-PRIV2');
SET ROLE regress_orch_writer;
SELECT regress.err($$SELECT orchestration_session_add_entry('S-PRIV1', 'hidden.csv')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-PRIV1', 'hidden')$$);
SELECT orchestration_session_add_entry('S-PRIV2', 'visible.csv', entry_id => 'E-PRIV2');
SELECT orchestration_session_record_exec('S-PRIV2', 'SQL', 'SELECT 1', 0, session_entry_id => 'E-PRIV2', exec_id => 'X-PRIV2');
SELECT orchestration_session_transition('S-PRIV2', 'visible', state_id => 'ST-PRIV2');
RESET ROLE;
-- The owner is not subject to the policy: the C path is used again.
SELECT orchestration_session_add_entry('S-PRIV1', 'owner.csv', entry_id => 'E-PRIV1-OWNER');
SELECT session_id, ingest_src FROM orchestration_session_entry WHERE session_id IN ('S-PRIV1', 'S-PRIV2') ORDER BY 1, 2;
SELECT session_id, from_state, to_state FROM orchestration_session_state WHERE session_id IN ('S-PRIV1', 'S-PRIV2') ORDER BY 1, transitioned_at;

DROP POLICY regress_only_priv2 ON orchestration_session;
ALTER TABLE orchestration_session DISABLE ROW LEVEL SECURITY;
SELECT orchestration_session_finish('S-PRIV1') IS NOT NULL AS finished_1,
       orchestration_session_finish('S-PRIV2') IS NOT NULL AS finished_2;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM regress_orch_writer, regress_orch_reader;
REVOKE USAGE ON SCHEMA public, regress FROM regress_orch_writer, regress_orch_reader;
DROP ROLE regress_orch_writer;
DROP ROLE regress_orch_reader;

-- A read-only transaction (or a hot standby) refuses every writing function
-- up front, by name (25006), before any row lock is written.
SELECT orchestration_session_start('DEV-PRIV', 'surveilr-transform-csv', '1', session_id => 'S-PRIV-RO');
BEGIN READ ONLY;
SELECT regress.err($$SELECT orchestration_session_add_entry('S-PRIV-RO', 'ro.csv')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-PRIV-RO', 'ro')$$);
SELECT regress.err($$SELECT orchestration_session_finish('S-PRIV-RO')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-PRIV', 'surveilr-transform-csv', '1')$$);
SELECT regress.err($$SELECT orchestration_session_abandon(interval '0')$$);
ROLLBACK;
SELECT orchestration_session_finish('S-PRIV-RO') IS NOT NULL AS finished_after_read_only;
