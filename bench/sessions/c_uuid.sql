-- c.sql with caller-supplied random UUIDv4 ids (gen_random_uuid()::text) for every row
-- instead of the ULIDs the C functions make: 12 autocommit statements.
\set r random(1, 1000000000000)
\set p random(1, 64)
\set d random(0, 3)
SELECT orchestration_session_start('bench-dev-' || :d::int, 'surveilr-transform-csv', '1.4.2', session_id => gen_random_uuid()::text, args_json => (SELECT '{"seq":' || :r::bigint || ',"client":' || :client_id::int || ',' || substr(args, 2) FROM benchgen.payload WHERE p = :p::int)) AS s \gset
SELECT orchestration_session_add_entry(:s, '/inbox/batch-' || :r::bigint || '/a.csv', 'uniform_resource_a', entry_id => gen_random_uuid()::text) AS e1 \gset
SELECT orchestration_session_add_entry(:s, '/inbox/batch-' || :r::bigint || '/b.csv', 'uniform_resource_b', entry_id => gen_random_uuid()::text) AS e2 \gset
SELECT orchestration_session_transition(:s, 'surveilr_orchestration_init', reason => 'started', state_id => gen_random_uuid()::text);
SELECT orchestration_session_transition(:s, 'surveilr_orch_progress', reason => 'file a', state_id => gen_random_uuid()::text, session_entry_id => :e1);
SELECT orchestration_session_record_exec(:s, 'SQL', 'COPY uniform_resource_a FROM ''/inbox/a.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => :e1, output_text => 'COPY 1200', exec_id => gen_random_uuid()::text);
SELECT orchestration_session_record_exec(:s, 'SQL', 'COPY uniform_resource_b FROM ''/inbox/b.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => :e2, output_text => 'COPY 980', exec_id => gen_random_uuid()::text);
SELECT orchestration_session_record_exec(:s, 'shell', 'sqlite3 stage.db < validate.sql', 1, exec_error_text => 'row 17: missing column id', output_nature => '{"format":"text"}', exec_id => gen_random_uuid()::text);
SELECT orchestration_session_raise_issue(:s, 'Schema Validation: Missing Columns', 'column id is missing', session_entry_id => :e2, issue_row => 17, issue_column => 'id', remediation => 'add the id column', issue_id => gen_random_uuid()::text);
SELECT orchestration_session_transition(:s, 'surveilr_orch_progress', reason => 'file b', state_id => gen_random_uuid()::text, session_entry_id => :e2);
SELECT orchestration_session_transition(:s, 'surveilr_orch_completed', result_json => '{"ok": true}', state_id => gen_random_uuid()::text);
SELECT orchestration_session_finish(:s, (SELECT '{"seq":' || :r::bigint || ',"client":' || :client_id::int || ',' || substr(diag, 2) FROM benchgen.payload WHERE p = :p::int));
