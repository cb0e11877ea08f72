-- A full session lifecycle through the C functions, checking what lands in the tables.

-- Parents: ensure is idempotent and returns the same id.
SELECT orchestration_device_ensure('build-host-1', device_id => 'DEV-1') AS dev1;
SELECT orchestration_device_ensure('build-host-1') AS dev1_again;
SELECT orchestration_device_ensure('build-host-1', boundary => '10.0.0.0/8', device_id => 'DEV-2') AS dev2;
SELECT device_id, name, state, boundary, created_by FROM device ORDER BY device_id;
SELECT orchestration_device_ensure('gen-host') ~ '^[0-7][0-9A-Z]{25}$' AS generated_ulid;

SELECT orchestration_nature_ensure('V&V', 'Verification and validation', '{"doc":"checks"}');
SELECT orchestration_nature_ensure('V&V', 'Verification and validation');
SELECT orchestration_nature_id, nature, elaboration FROM orchestration_nature WHERE orchestration_nature_id = 'V&V';

-- Start: wall-clock start time, arguments stored as given.
BEGIN;
SELECT orchestration_session_start('DEV-1', 'V&V', '1.2.3', '{"files":["a.csv","b.csv"]}',
                                   session_id => 'S-1') AS session;
SELECT pg_sleep(0.05);
SELECT orchestration_session_add_entry('S-1', 'a.csv', 'uniform_resource_a', '{"rows":10}', entry_id => 'E-1');
SELECT orchestration_session_add_entry('S-1', 'b.csv', entry_id => 'E-2');
SELECT orchestration_session_transition('S-1', 'surveilr_orchestration_init', state_id => 'T-1');
SELECT orchestration_session_transition('S-1', 'surveilr_orch_progress', 'ingesting',
                                        '{"done":1}', 'E-1', state_id => 'T-2');
SELECT orchestration_session_transition('S-1', 'surveilr_orch_progress', session_entry_id => 'E-2', state_id => 'T-3');
SELECT orchestration_session_record_exec('S-1', 'SQL', 'SELECT count(*) FROM uniform_resource_a', 0,
                                         session_entry_id => 'E-1', output_text => '10',
                                         output_nature => '{"format":"text"}', exec_id => 'X-1');
SELECT orchestration_session_record_exec('S-1', 'shell', 'validate b.csv', 2, 'E-2', 'X-1',
                                         namespace => 'checks', exec_identity => 'validate',
                                         input_text => 'b.csv', exec_error_text => 'missing column',
                                         narrative_md => '# failed', elaboration => '{}', exec_id => 'X-2');
SELECT orchestration_session_append_log('X-2', 'reading b.csv', log_id => 'L-1');
SELECT orchestration_session_append_log('X-2', 'column "id" missing', 'error', log_id => 'L-2');
SELECT orchestration_session_append_log('X-2', 'explicit order', sibling_order => 10, log_id => 'L-3');
SELECT orchestration_session_append_log('X-2', 'after explicit', log_id => 'L-4');
SELECT orchestration_session_raise_issue('S-1', 'Schema Validation: Missing Columns', 'column id is missing',
                                         'E-2', 1, 'id', NULL, 'add the id column', '{"severity":"error"}',
                                         issue_id => 'I-1');
SELECT orchestration_session_transition('S-1', 'surveilr_orch_failed', 'validation failed', state_id => 'T-4');
SELECT orchestration_session_finish('S-1', '{"status":"failed","issues":1}', '# Failed' || chr(10) || '1 issue')
       > orch_started_at AS finished_after_start
FROM orchestration_session WHERE orchestration_session_id = 'S-1';
COMMIT;

SELECT orchestration_session_id, device_id, orchestration_nature_id, version, args_json,
       diagnostics_json, diagnostics_md,
       orch_finished_at - orch_started_at >= interval '50 milliseconds' AS real_duration
FROM orchestration_session WHERE orchestration_session_id = 'S-1';
SELECT orchestration_session_entry_id, session_id, ingest_src, ingest_table_name, elaboration
FROM orchestration_session_entry WHERE session_id = 'S-1' ORDER BY 1;
-- The chain: each from_state is the previous to_state, in time order.
SELECT orchestration_session_state_id, session_entry_id, from_state, to_state, transition_reason,
       transition_result,
       transitioned_at > lag(transitioned_at) OVER (ORDER BY transitioned_at) AS after_previous
FROM orchestration_session_state WHERE session_id = 'S-1' ORDER BY transitioned_at;
SELECT orchestration_session_exec_id, exec_nature, session_entry_id, parent_exec_id, namespace, exec_identity,
       exec_code, exec_status, input_text, exec_error_text, output_text, output_nature, narrative_md, elaboration
FROM orchestration_session_exec WHERE session_id = 'S-1' ORDER BY 1;
SELECT orchestration_session_log_id, parent_exec_id, category, content, sibling_order
FROM orchestration_session_log WHERE parent_exec_id = 'X-2' ORDER BY sibling_order;
SELECT orchestration_session_issue_id, session_entry_id, issue_type, issue_message, issue_row, issue_column,
       invalid_value, remediation, elaboration
FROM orchestration_session_issue WHERE session_id = 'S-1';

-- Generated ids are ULIDs, in the order they were made.
SELECT orchestration_session_start('DEV-1', 'V&V', '1') AS a \gset
SELECT orchestration_session_start('DEV-1', 'V&V', '1') AS b \gset
SELECT :'a' ~ '^[0-7][0-9A-Z]{25}$' AS ulid, :'a' COLLATE "C" < :'b' COLLATE "C" AS ordered;
SELECT orchestration_session_finish(:'a') IS NOT NULL AS finished;

-- Optional arguments passed as NULL mean "absent".
SELECT orchestration_session_start('DEV-1', 'V&V', '1', NULL, NULL, 'S-NULLS');
SELECT args_json IS NULL AND elaboration IS NULL AS nulls_kept FROM orchestration_session WHERE orchestration_session_id = 'S-NULLS';
SELECT orchestration_session_finish('S-NULLS', NULL, NULL) IS NOT NULL;
SELECT diagnostics_json, diagnostics_md FROM orchestration_session WHERE orchestration_session_id = 'S-NULLS';

-- An ORM may finish a session with a plain UPDATE of an open row.
INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version)
VALUES ('S-ORM', 'DEV-1', 'V&V', '1');
UPDATE orchestration_session SET diagnostics_md = 'progress' WHERE orchestration_session_id = 'S-ORM';
UPDATE orchestration_session SET orch_finished_at = orch_started_at + interval '1 second' WHERE orchestration_session_id = 'S-ORM';
SELECT orch_finished_at - orch_started_at AS duration FROM orchestration_session WHERE orchestration_session_id = 'S-ORM';
