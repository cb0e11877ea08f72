-- Upstream surveilr's web UI creates these views over the family (its
-- orchestration notebook; here in PostgreSQL spelling: EXTRACT(EPOCH ...)
-- for SQLite's JULIANDAY).  The extension takes none of their names, so the
-- script runs unchanged after CREATE EXTENSION, and the views answer.
DROP VIEW IF EXISTS orchestration_session_by_device;
CREATE VIEW orchestration_session_by_device AS
SELECT d.device_id, d.name AS device_name, COUNT(*) AS session_count
FROM orchestration_session os JOIN device d ON os.device_id = d.device_id
GROUP BY d.device_id, d.name;

DROP VIEW IF EXISTS orchestration_session_duration;
CREATE VIEW orchestration_session_duration AS
SELECT os.orchestration_session_id, onature.nature AS orchestration_nature, os.orch_started_at, os.orch_finished_at,
       EXTRACT(EPOCH FROM (os.orch_finished_at - os.orch_started_at)) AS duration_seconds
FROM orchestration_session os
JOIN orchestration_nature onature ON os.orchestration_nature_id = onature.orchestration_nature_id
WHERE os.orch_finished_at IS NOT NULL;

DROP VIEW IF EXISTS orchestration_success_rate;
CREATE VIEW orchestration_success_rate AS
SELECT onature.nature AS orchestration_nature, COUNT(*) AS total_sessions,
       SUM(CASE WHEN oss.to_state = 'surveilr_orch_completed' THEN 1 ELSE 0 END) AS successful_sessions,
       (CAST(SUM(CASE WHEN oss.to_state = 'surveilr_orch_completed' THEN 1 ELSE 0 END) AS FLOAT) / COUNT(*)) * 100 AS success_rate
FROM orchestration_session os
JOIN orchestration_nature onature ON os.orchestration_nature_id = onature.orchestration_nature_id
JOIN orchestration_session_state oss ON os.orchestration_session_id = oss.session_id
WHERE oss.to_state IN ('surveilr_orch_completed', 'surveilr_orch_failed')
GROUP BY onature.nature;

DROP VIEW IF EXISTS orchestration_session_script;
CREATE VIEW orchestration_session_script AS
SELECT os.orchestration_session_id, onature.nature AS orchestration_nature, COUNT(*) AS script_count
FROM orchestration_session os
JOIN orchestration_nature onature ON os.orchestration_nature_id = onature.orchestration_nature_id
JOIN orchestration_session_entry ose ON os.orchestration_session_id = ose.session_id
GROUP BY os.orchestration_session_id, onature.nature;

DROP VIEW IF EXISTS orchestration_executions_by_type;
CREATE VIEW orchestration_executions_by_type AS
SELECT exec_nature, COUNT(*) AS execution_count FROM orchestration_session_exec GROUP BY exec_nature;

DROP VIEW IF EXISTS orchestration_execution_success_rate_by_type;
CREATE VIEW orchestration_execution_success_rate_by_type AS
SELECT exec_nature, COUNT(*) AS total_executions,
       SUM(CASE WHEN exec_status = 0 THEN 1 ELSE 0 END) AS successful_executions,
       (CAST(SUM(CASE WHEN exec_status = 0 THEN 1 ELSE 0 END) AS FLOAT) / COUNT(*)) * 100 AS success_rate
FROM orchestration_session_exec GROUP BY exec_nature;

DROP VIEW IF EXISTS orchestration_session_summary;
CREATE VIEW orchestration_session_summary AS
SELECT issue_type, COUNT(*) AS issue_count FROM orchestration_session_issue GROUP BY issue_type;

DROP VIEW IF EXISTS orchestration_issue_remediation;
CREATE VIEW orchestration_issue_remediation AS
SELECT orchestration_session_issue_id, issue_type, issue_message, remediation
FROM orchestration_session_issue WHERE remediation IS NOT NULL;

DROP VIEW IF EXISTS orchestration_logs_by_session;
CREATE VIEW orchestration_logs_by_session AS
SELECT os.orchestration_session_id, onature.nature AS orchestration_nature, osl.category, COUNT(*) AS log_count
FROM orchestration_session os
JOIN orchestration_nature onature ON os.orchestration_nature_id = onature.orchestration_nature_id
JOIN orchestration_session_exec ose ON os.orchestration_session_id = ose.session_id
JOIN orchestration_session_log osl ON ose.orchestration_session_exec_id = osl.parent_exec_id
GROUP BY os.orchestration_session_id, onature.nature, osl.category;

-- None of the nine belongs to the extension: they are the user's.
SELECT c.relname, EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e') AS extension_member
FROM pg_catalog.pg_class c
WHERE c.relname IN ('orchestration_session_by_device', 'orchestration_session_duration', 'orchestration_success_rate',
                    'orchestration_session_script', 'orchestration_executions_by_type',
                    'orchestration_execution_success_rate_by_type', 'orchestration_session_summary',
                    'orchestration_issue_remediation', 'orchestration_logs_by_session')
ORDER BY 1;

-- A session as upstream records it, seen through the upstream views.
SELECT orchestration_device_ensure('upstream-host', device_id => 'DEV-UP');
SELECT orchestration_session_start('DEV-UP', 'surveilr-transform-csv', '1', session_id => 'S-UP');
SELECT orchestration_session_add_entry('S-UP', 'a.sql', entry_id => 'E-UP');
SELECT orchestration_session_record_exec('S-UP', 'upstream-SQL', 'SELECT 1', 0, exec_id => 'X-UP1');
SELECT orchestration_session_record_exec('S-UP', 'upstream-SQL', 'SELECT x', 1, exec_id => 'X-UP2');
SELECT orchestration_session_append_log('X-UP1', 'ok', 'stdout', log_id => 'L-UP');
SELECT orchestration_session_raise_issue('S-UP', 'Upstream check', 'bad', remediation => 'fix it', issue_id => 'I-UP');
SELECT orchestration_session_transition('S-UP', 'surveilr_orch_completed', state_id => 'T-UP');
SELECT orchestration_session_finish('S-UP') IS NOT NULL AS finished;
SELECT device_name, session_count FROM orchestration_session_by_device WHERE device_id = 'DEV-UP';
SELECT orchestration_nature, duration_seconds >= 0 AS has_duration FROM orchestration_session_duration WHERE orchestration_session_id = 'S-UP';
SELECT orchestration_nature, script_count FROM orchestration_session_script WHERE orchestration_session_id = 'S-UP';
SELECT * FROM orchestration_execution_success_rate_by_type WHERE exec_nature = 'upstream-SQL';
SELECT * FROM orchestration_session_summary WHERE issue_type = 'Upstream check';
SELECT issue_type, remediation FROM orchestration_issue_remediation WHERE orchestration_session_issue_id = 'I-UP';
SELECT category, log_count FROM orchestration_logs_by_session WHERE orchestration_session_id = 'S-UP';
SELECT total_sessions >= 1 AS counted FROM orchestration_success_rate WHERE orchestration_nature = 'Transform CSV';

-- The extension's own views still answer beside them.
SELECT status, entries, execs, failed_execs, issues FROM orchestration_session_overview WHERE orchestration_session_id = 'S-UP';

DROP VIEW orchestration_session_by_device, orchestration_session_duration, orchestration_success_rate,
          orchestration_session_script, orchestration_executions_by_type, orchestration_execution_success_rate_by_type,
          orchestration_session_summary, orchestration_issue_remediation, orchestration_logs_by_session;
SELECT orchestration_session_purge(interval '0') >= 1 AS purged;
