-- The reporting views under row-level security.  From PostgreSQL 15 they
-- are security_invoker views: a reader sees in them exactly the sessions the
-- policies let it see.  On 13 and 14 (no security_invoker) a view reads the
-- tables with its owner's rights and shows every session: that is the
-- alternative expected output rls_views_1.out, and why the README says to
-- grant the views only to roles that may see everything on those majors.
SELECT orchestration_device_ensure('rlsv-a', device_id => 'DEV-VA'), orchestration_device_ensure('rlsv-b', device_id => 'DEV-VB');
SELECT orchestration_session_start('DEV-VA', 'surveilr-transform-csv', '1', session_id => 'S-VA'),
       orchestration_session_start('DEV-VB', 'surveilr-transform-csv', '1', session_id => 'S-VB');
SELECT orchestration_session_raise_issue('S-VA', 'type-a', 'm', issue_id => 'I-VA'), orchestration_session_raise_issue('S-VB', 'type-b', 'm', issue_id => 'I-VB');
CREATE ROLE regress_view_reader;
GRANT USAGE ON SCHEMA public TO regress_view_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO regress_view_reader;
ALTER TABLE orchestration_session ENABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_issue ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_a ON orchestration_session TO regress_view_reader USING (device_id = 'DEV-VA');
CREATE POLICY only_a ON orchestration_session_issue TO regress_view_reader
    USING (EXISTS (SELECT 1 FROM orchestration_session s WHERE s.orchestration_session_id = session_id));

SET ROLE regress_view_reader;
SELECT orchestration_session_id FROM orchestration_session WHERE orchestration_session_id LIKE 'S-V%' ORDER BY 1;
SELECT orchestration_session_id, status FROM orchestration_session_overview WHERE orchestration_session_id LIKE 'S-V%' ORDER BY 1;
SELECT device_id, sessions FROM orchestration_session_stats_daily WHERE device_id LIKE 'DEV-V%' ORDER BY 1;
SELECT issue_type, issues FROM orchestration_session_issue_summary WHERE issue_type LIKE 'type-%' ORDER BY 1;
RESET ROLE;

DROP POLICY only_a ON orchestration_session;
DROP POLICY only_a ON orchestration_session_issue;
ALTER TABLE orchestration_session DISABLE ROW LEVEL SECURITY;
ALTER TABLE orchestration_session_issue DISABLE ROW LEVEL SECURITY;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM regress_view_reader;
REVOKE USAGE ON SCHEMA public FROM regress_view_reader;
DROP ROLE regress_view_reader;
SELECT orchestration_session_finish('S-VA') IS NOT NULL, orchestration_session_finish('S-VB') IS NOT NULL;
SELECT orchestration_session_purge(interval '0') >= 2 AS purged;
