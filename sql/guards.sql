-- Rules that hold for direct SQL and ORMs too: a finished session row is
-- immutable (C trigger, 55000), and malformed JSON in any JSON column is
-- explained (table, column, line, column; 22P02) before the CHECK fires.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all
SELECT orchestration_device_ensure('guard-host', device_id => 'DEV-G');
SELECT orchestration_session_start('DEV-G', 'surveilr-transform-csv', '1', session_id => 'S-G');
SELECT orchestration_session_finish('S-G') IS NOT NULL AS finished;

SELECT regress.err($$UPDATE orchestration_session SET orch_finished_at = orch_finished_at + interval '1 hour' WHERE orchestration_session_id = 'S-G'$$);
SELECT regress.err($$UPDATE orchestration_session SET orch_finished_at = NULL WHERE orchestration_session_id = 'S-G'$$);
SELECT regress.err($$UPDATE orchestration_session SET diagnostics_md = 'rewritten' WHERE orchestration_session_id = 'S-G'$$);
SELECT regress.err($$UPDATE orchestration_session SET version = version WHERE orchestration_session_id = 'S-G'$$);
SELECT version, diagnostics_md FROM orchestration_session WHERE orchestration_session_id = 'S-G';

-- The finish time cannot precede the start.
SELECT regress.err($$INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at, orch_finished_at)
VALUES ('S-BACK', 'DEV-G', 'surveilr-transform-csv', '1', '2026-01-02', '2026-01-01')$$);

-- Explained JSON errors, one per JSON column of the family.
SELECT regress.err($$INSERT INTO device (device_id, name, state, boundary) VALUES ('D-X', 'x', 'SINGLETON', '')$$);
SELECT regress.err($$INSERT INTO device (device_id, name, state, boundary, segmentation) VALUES ('D-X', 'x', '"S"', '', '{"zone":}')$$);
SELECT regress.err($$INSERT INTO device (device_id, name, state, boundary, state_sysinfo) VALUES ('D-X', 'x', '"S"', '', '[')$$);
SELECT regress.err($$INSERT INTO device (device_id, name, state, boundary, elaboration) VALUES ('D-X', 'x', '"S"', '', '{,}')$$);
SELECT regress.err($$INSERT INTO orchestration_nature VALUES ('n-x', 'x', 'tru')$$);
SELECT regress.err($$INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, args_json)
VALUES ('S-X', 'DEV-G', 'surveilr-transform-csv', '1', E'{\n  "files": [\n    "a.csv"\n    "b.csv"\n  ]\n}')$$);
SELECT regress.err($$INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, elaboration)
VALUES ('S-X', 'DEV-G', 'surveilr-transform-csv', '1', '"unterminated')$$);
SELECT regress.err($$INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, diagnostics_json)
VALUES ('S-X', 'DEV-G', 'surveilr-transform-csv', '1', '{"é漢": x}')$$);
SELECT orchestration_session_start('DEV-G', 'surveilr-transform-csv', '1', session_id => 'S-OPEN');
SELECT regress.err($$UPDATE orchestration_session SET diagnostics_json = '{"a":1}}' WHERE orchestration_session_id = 'S-OPEN'$$);
SELECT regress.err($$INSERT INTO orchestration_session_entry VALUES ('E-X', 'S-OPEN', 'x', NULL, '[1,]')$$);
SELECT regress.err($$INSERT INTO orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state, transition_result)
VALUES ('T-X', 'S-OPEN', 'INITIAL', 'x', '{"a":01}')$$);
SELECT regress.err($$INSERT INTO orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state, elaboration)
VALUES ('T-X', 'S-OPEN', 'INITIAL', 'x', '')$$);
SELECT regress.err($$INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, output_nature)
VALUES ('X-X', 'SQL', 'S-OPEN', 'x', 0, '{"a":"\x"}')$$);
SELECT regress.err($$INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, elaboration)
VALUES ('X-X', 'SQL', 'S-OPEN', 'x', 0, 'null null')$$);
SELECT regress.err($$INSERT INTO orchestration_session_issue (orchestration_session_issue_id, session_id, issue_type, issue_message, elaboration)
VALUES ('I-X', 'S-OPEN', 't', 'm', '[1 2]')$$);
SELECT regress.err($$INSERT INTO orchestration_session_issue (orchestration_session_issue_id, session_id, issue_type, issue_message)
VALUES ('I-OK', 'S-OPEN', 't', 'm')$$);
SELECT regress.err($$INSERT INTO orchestration_session_issue_relation VALUES ('R-X', 'I-OK', 'I-2', 'duplicates', '{"a" "b"}')$$);
SELECT regress.err($$INSERT INTO orchestration_session_log (orchestration_session_log_id, content, elaboration) VALUES ('L-X', 'c', '-')$$);

-- The CHECK constraints are still the contract when the trigger is bypassed.
ALTER TABLE orchestration_session_entry DISABLE TRIGGER orchestration_session_entry_json_check;
SELECT regress.err($$INSERT INTO orchestration_session_entry VALUES ('E-Y', 'S-OPEN', 'x', NULL, '[1,]')$$);
ALTER TABLE orchestration_session_entry ENABLE TRIGGER orchestration_session_entry_json_check;

-- Valid rows go through, on INSERT and on UPDATE.
SELECT regress.err($$INSERT INTO orchestration_session_entry VALUES ('E-OK', 'S-OPEN', 'x', NULL, '{"ok":true}')$$);
SELECT regress.err($$UPDATE orchestration_session SET diagnostics_json = '{"big":"' || repeat('x', 100000) || '"}' WHERE orchestration_session_id = 'S-OPEN'$$);
SELECT regress.err($$UPDATE orchestration_session SET diagnostics_md = 'still open' WHERE orchestration_session_id = 'S-OPEN'$$);
SELECT length(diagnostics_json), diagnostics_md FROM orchestration_session WHERE orchestration_session_id = 'S-OPEN';
