-- tools/demo.sql: a realistic orchestration session, as an ingest tool would
-- record it, then a readable summary of what the database holds.
\set QUIET on
\pset footer off
CREATE EXTENSION orchestration_session;

-- The tool identifies its machine and the nature of the work.
SELECT orchestration_device_ensure('ingest-worker-01', boundary => '10.20.0.0/16',
           state_sysinfo => '{"os":"debian-12","cpus":2}') AS device \gset
SELECT orchestration_nature_ensure('ingest-files', 'Ingest a batch of files') AS nature \gset

-- Start the session with its arguments.
SELECT orchestration_session_start(:'device', :'nature', '2.4.1',
           args_json => '{"root":"/data/inbox","pattern":"*.csv","dry_run":false}') AS session \gset
SELECT orchestration_session_transition(:'session', 'surveilr_orchestration_init', 'session started') \gset

-- Two files: one ingests cleanly, one has a schema problem.
SELECT orchestration_session_add_entry(:'session', '/data/inbox/patients.csv', 'uniform_resource_patients') AS e1 \gset
SELECT orchestration_session_add_entry(:'session', '/data/inbox/visits.csv', 'uniform_resource_visits') AS e2 \gset
SELECT orchestration_session_transition(:'session', 'surveilr_orch_progress', 'ingesting patients.csv',
           session_entry_id => :'e1') \gset
SELECT orchestration_session_record_exec(:'session', 'SQL', 'COPY uniform_resource_patients FROM ''/data/inbox/patients.csv'' CSV HEADER', 0,
           session_entry_id => :'e1', output_text => 'COPY 1204', output_nature => '{"rows":1204}') AS x1 \gset
SELECT orchestration_session_append_log(:'x1', 'header matched 12 columns', 'info') \gset
SELECT orchestration_session_transition(:'session', 'surveilr_orch_progress', 'ingesting visits.csv',
           session_entry_id => :'e2') \gset
SELECT orchestration_session_record_exec(:'session', 'shell', 'csvlint /data/inbox/visits.csv', 1,
           session_entry_id => :'e2', exec_error_text => 'column "visit_id" missing') AS x2 \gset
SELECT orchestration_session_append_log(:'x2', 'expected 9 columns, found 8', 'error') \gset
SELECT orchestration_session_raise_issue(:'session', 'Schema Validation: Missing Columns',
           'visits.csv has no visit_id column', session_entry_id => :'e2', issue_column => 'visit_id',
           remediation => 'Add a visit_id column to the export') \gset
SELECT orchestration_session_transition(:'session', 'surveilr_orch_completed', 'batch done, 1 issue') \gset
SELECT orchestration_session_finish(:'session',
           '{"status":"completed","files":2,"issues":1}',
           E'# Ingest\n- patients.csv: 1204 rows\n- visits.csv: **missing visit_id**') \gset

\echo
\echo '== The session'
SELECT s.orchestration_session_id AS session, d.name AS device, n.nature, s.version,
       s.orch_finished_at - s.orch_started_at AS duration, s.diagnostics_json
FROM orchestration_session s JOIN device d USING (device_id)
JOIN orchestration_nature n USING (orchestration_nature_id);

\echo '== Its state transitions (one chain)'
SELECT from_state, to_state, transition_reason, e.ingest_src AS entry
FROM orchestration_session_state t LEFT JOIN orchestration_session_entry e
  ON e.orchestration_session_entry_id = t.session_entry_id
ORDER BY transitioned_at;

\echo '== Executions and their logs'
SELECT x.exec_nature, x.exec_code, x.exec_status, l.sibling_order, l.category, l.content
FROM orchestration_session_exec x LEFT JOIN orchestration_session_log l
  ON l.parent_exec_id = x.orchestration_session_exec_id
ORDER BY x.orchestration_session_exec_id, l.sibling_order;

\echo '== Issues'
SELECT issue_type, issue_message, issue_column, remediation FROM orchestration_session_issue;

\echo '== The reporting view'
SELECT status, latest_state, entries, execs, failed_execs, issues FROM orchestration_session_overview;

\echo '== The integrity rules at work'
\set ON_ERROR_STOP off
\set VERBOSITY default
\echo '-- finishing again:'
SELECT orchestration_session_finish(:'session');
\echo '-- writing to the finished session:'
SELECT orchestration_session_add_entry(:'session', '/data/inbox/late.csv');
\echo '-- editing the finished row directly:'
UPDATE orchestration_session SET diagnostics_md = 'rewritten' WHERE orchestration_session_id = :'session';
\echo '-- rewriting its history with plain SQL (an ORM, a re-run upstream script):'
INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES (:'session', '/data/inbox/rerun.csv');
DELETE FROM orchestration_session_state WHERE session_id = :'session';
\echo '-- malformed JSON:'
SELECT orchestration_session_start(:'device', :'nature', '2.4.1', args_json => E'{\n  "root": "/data",\n  "dry_run": tru\n}');
