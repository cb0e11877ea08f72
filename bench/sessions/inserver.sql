-- bench/sessions/inserver.sql: the same 12-call lifecycle run N times inside
-- one PL/pgSQL loop in the server, in one transaction: the cost of the work
-- itself (functions, triggers, constraints, index and heap inserts) without
-- the client round trip, parse/bind and commit/fsync of each statement,
-- which are the same for the three variants in the pgbench numbers.
-- Explanatory only; the pgbench numbers are the benchmark.
-- benchgen.lifecycles(variant, n) returns microseconds per session.
CREATE OR REPLACE FUNCTION benchgen.lifecycles(variant text, n int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
    s text; e1 text; e2 text; a text; dg text; r bigint; dev text;
BEGIN
    FOR k IN 1..n LOOP
        r := (random() * 1e12)::bigint;
        dev := 'bench-dev-' || (k % 4);
        SELECT '{"seq":' || r || ',"client":0,' || substr(p.args, 2), '{"seq":' || r || ',"client":0,' || substr(p.diag, 2)
          INTO a, dg FROM benchgen.payload p WHERE p.p = 1 + k % 64;
        IF variant = 'c' THEN
            s := orchestration_session_start(dev, 'surveilr-transform-csv', '1.4.2', args_json => a);
            e1 := orchestration_session_add_entry(s, '/inbox/batch-' || r || '/a.csv', 'uniform_resource_a');
            e2 := orchestration_session_add_entry(s, '/inbox/batch-' || r || '/b.csv', 'uniform_resource_b');
            PERFORM orchestration_session_transition(s, 'surveilr_orchestration_init', reason => 'started');
            PERFORM orchestration_session_transition(s, 'surveilr_orch_progress', reason => 'file a', session_entry_id => e1);
            PERFORM orchestration_session_record_exec(s, 'SQL', 'COPY uniform_resource_a FROM ''/inbox/a.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => e1, output_text => 'COPY 1200');
            PERFORM orchestration_session_record_exec(s, 'SQL', 'COPY uniform_resource_b FROM ''/inbox/b.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => e2, output_text => 'COPY 980');
            PERFORM orchestration_session_record_exec(s, 'shell', 'sqlite3 stage.db < validate.sql', 1, exec_error_text => 'row 17: missing column id', output_nature => '{"format":"text"}');
            PERFORM orchestration_session_raise_issue(s, 'Schema Validation: Missing Columns', 'column id is missing', session_entry_id => e2, issue_row => 17, issue_column => 'id', remediation => 'add the id column');
            PERFORM orchestration_session_transition(s, 'surveilr_orch_progress', reason => 'file b', session_entry_id => e2);
            PERFORM orchestration_session_transition(s, 'surveilr_orch_completed', result_json => '{"ok": true}');
            PERFORM orchestration_session_finish(s, dg);
        ELSIF variant = 'plpgsql' THEN
            s := plbench.orchestration_session_start(dev, 'surveilr-transform-csv', '1.4.2', args_json => a);
            e1 := plbench.orchestration_session_add_entry(s, '/inbox/batch-' || r || '/a.csv', 'uniform_resource_a');
            e2 := plbench.orchestration_session_add_entry(s, '/inbox/batch-' || r || '/b.csv', 'uniform_resource_b');
            PERFORM plbench.orchestration_session_transition(s, 'surveilr_orchestration_init', reason => 'started');
            PERFORM plbench.orchestration_session_transition(s, 'surveilr_orch_progress', reason => 'file a', session_entry_id => e1);
            PERFORM plbench.orchestration_session_record_exec(s, 'SQL', 'COPY uniform_resource_a FROM ''/inbox/a.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => e1, output_text => 'COPY 1200');
            PERFORM plbench.orchestration_session_record_exec(s, 'SQL', 'COPY uniform_resource_b FROM ''/inbox/b.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => e2, output_text => 'COPY 980');
            PERFORM plbench.orchestration_session_record_exec(s, 'shell', 'sqlite3 stage.db < validate.sql', 1, exec_error_text => 'row 17: missing column id', output_nature => '{"format":"text"}');
            PERFORM plbench.orchestration_session_raise_issue(s, 'Schema Validation: Missing Columns', 'column id is missing', session_entry_id => e2, issue_row => 17, issue_column => 'id', remediation => 'add the id column');
            PERFORM plbench.orchestration_session_transition(s, 'surveilr_orch_progress', reason => 'file b', session_entry_id => e2);
            PERFORM plbench.orchestration_session_transition(s, 'surveilr_orch_completed', result_json => '{"ok": true}');
            PERFORM plbench.orchestration_session_finish(s, dg);
        ELSE
            INSERT INTO public.orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, args_json)
            VALUES (gen_random_uuid()::text, dev, 'surveilr-transform-csv', '1.4.2', a) RETURNING orchestration_session_id INTO s;
            INSERT INTO public.orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src, ingest_table_name)
            VALUES (gen_random_uuid()::text, s, '/inbox/batch-' || r || '/a.csv', 'uniform_resource_a') RETURNING orchestration_session_entry_id INTO e1;
            INSERT INTO public.orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src, ingest_table_name)
            VALUES (gen_random_uuid()::text, s, '/inbox/batch-' || r || '/b.csv', 'uniform_resource_b') RETURNING orchestration_session_entry_id INTO e2;
            INSERT INTO public.orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state, transition_reason)
            VALUES (gen_random_uuid()::text, s, COALESCE((SELECT to_state FROM public.orchestration_session_state WHERE session_id = s ORDER BY transitioned_at DESC LIMIT 1), 'INITIAL'), 'surveilr_orchestration_init', 'started');
            INSERT INTO public.orchestration_session_state (orchestration_session_state_id, session_id, session_entry_id, from_state, to_state, transition_reason, transitioned_at)
            VALUES (gen_random_uuid()::text, s, e1, COALESCE((SELECT to_state FROM public.orchestration_session_state WHERE session_id = s ORDER BY transitioned_at DESC LIMIT 1), 'INITIAL'), 'surveilr_orch_progress', 'file a', clock_timestamp());
            INSERT INTO public.orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, session_entry_id, exec_code, exec_status, output_text)
            VALUES (gen_random_uuid()::text, 'SQL', s, e1, 'COPY uniform_resource_a FROM ''/inbox/a.csv'' WITH (FORMAT csv, HEADER)', 0, 'COPY 1200');
            INSERT INTO public.orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, session_entry_id, exec_code, exec_status, output_text)
            VALUES (gen_random_uuid()::text, 'SQL', s, e2, 'COPY uniform_resource_b FROM ''/inbox/b.csv'' WITH (FORMAT csv, HEADER)', 0, 'COPY 980');
            INSERT INTO public.orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, exec_error_text, output_nature)
            VALUES (gen_random_uuid()::text, 'shell', s, 'sqlite3 stage.db < validate.sql', 1, 'row 17: missing column id', '{"format":"text"}');
            INSERT INTO public.orchestration_session_issue (orchestration_session_issue_id, session_id, session_entry_id, issue_type, issue_message, issue_row, issue_column, remediation)
            VALUES (gen_random_uuid()::text, s, e2, 'Schema Validation: Missing Columns', 'column id is missing', 17, 'id', 'add the id column');
            INSERT INTO public.orchestration_session_state (orchestration_session_state_id, session_id, session_entry_id, from_state, to_state, transition_reason, transitioned_at)
            VALUES (gen_random_uuid()::text, s, e2, COALESCE((SELECT to_state FROM public.orchestration_session_state WHERE session_id = s ORDER BY transitioned_at DESC LIMIT 1), 'INITIAL'), 'surveilr_orch_progress', 'file b', clock_timestamp());
            INSERT INTO public.orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state, transition_result, transitioned_at)
            VALUES (gen_random_uuid()::text, s, COALESCE((SELECT to_state FROM public.orchestration_session_state WHERE session_id = s ORDER BY transitioned_at DESC LIMIT 1), 'INITIAL'), 'surveilr_orch_completed', '{"ok": true}', clock_timestamp());
            UPDATE public.orchestration_session SET orch_finished_at = clock_timestamp(), diagnostics_json = dg WHERE orchestration_session_id = s;
        END IF;
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END $$;
