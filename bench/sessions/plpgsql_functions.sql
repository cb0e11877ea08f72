-- bench/sessions/plpgsql_functions.sql: the lifecycle functions written by
-- hand in PL/pgSQL, as a careful user would, with the same checks as the C
-- functions of the extension, in schema plbench, on the extension's tables
-- (installed in schema public).  Benchmark baseline only.
--
-- Same rules as the C code: NULL required argument 22004; empty/blank id or
-- name 22023; malformed JSON argument 22P02 (json_valid of the extension);
-- unknown device/nature 23503; unknown session P0002; finished session 55000;
-- children share-lock the session row (FOR SHARE), transitions and finish
-- lock it exclusively (FOR UPDATE); the latest link of the chain is read under
-- the lock (ORDER BY transitioned_at DESC ... LIMIT 1) and the new transition
-- gets a transitioned_at strictly after it; an entry / parent exec passed
-- must belong to the session (23503); times are clock_timestamp(); the
-- starting backend is recorded in orchestration_session_backend.
-- Ids: gen_random_uuid()::text unless given.  Checks are written inline
-- (no helper functions), which is the fastest way to write them in PL/pgSQL.
-- Every table is schema-qualified; no SET search_path (it would cost more).

CREATE SCHEMA IF NOT EXISTS plbench;

CREATE OR REPLACE FUNCTION plbench.orchestration_session_start(
    device_id text, nature_id text, version text,
    args_json text DEFAULT NULL, elaboration text DEFAULT NULL, session_id text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    sid text := COALESCE(session_id, gen_random_uuid()::text);
BEGIN
    IF device_id IS NULL THEN RAISE EXCEPTION 'argument "device_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF nature_id IS NULL THEN RAISE EXCEPTION 'argument "nature_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF version IS NULL THEN RAISE EXCEPTION 'argument "version" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF btrim(device_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "device_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF btrim(nature_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "nature_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF session_id IS NOT NULL AND btrim(session_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF args_json IS NOT NULL AND NOT public.json_valid(args_json) THEN
        RAISE EXCEPTION 'invalid JSON in argument "args_json"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(args_json); END IF;
    IF elaboration IS NOT NULL AND NOT public.json_valid(elaboration) THEN
        RAISE EXCEPTION 'invalid JSON in argument "elaboration"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(elaboration); END IF;
    PERFORM 1 FROM public.device d WHERE d.device_id = orchestration_session_start.device_id;
    IF NOT FOUND THEN RAISE EXCEPTION 'device "%" does not exist', device_id USING ERRCODE = '23503'; END IF;
    PERFORM 1 FROM public.orchestration_nature n WHERE n.orchestration_nature_id = nature_id;
    IF NOT FOUND THEN RAISE EXCEPTION 'orchestration nature "%" does not exist', nature_id USING ERRCODE = '23503'; END IF;
    INSERT INTO public.orchestration_session (orchestration_session_id, device_id, orchestration_nature_id,
        version, orch_started_at, elaboration, args_json)
    VALUES (sid, device_id, nature_id, version, clock_timestamp(), elaboration, args_json);
    INSERT INTO public.orchestration_session_backend (session_id, pid, backend_start)
    SELECT sid, a.pid, a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a;
    RETURN sid;
END $$;

CREATE OR REPLACE FUNCTION plbench.orchestration_session_add_entry(
    session_id text, ingest_src text, ingest_table_name text DEFAULT NULL,
    elaboration text DEFAULT NULL, entry_id text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    eid text := COALESCE(entry_id, gen_random_uuid()::text);
    fin timestamptz;
BEGIN
    IF session_id IS NULL THEN RAISE EXCEPTION 'argument "session_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF ingest_src IS NULL THEN RAISE EXCEPTION 'argument "ingest_src" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF btrim(session_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF btrim(ingest_src, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "ingest_src" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF entry_id IS NOT NULL AND btrim(entry_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "entry_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF elaboration IS NOT NULL AND NOT public.json_valid(elaboration) THEN
        RAISE EXCEPTION 'invalid JSON in argument "elaboration"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(elaboration); END IF;
    SELECT s.orch_finished_at INTO fin FROM public.orchestration_session s
     WHERE s.orchestration_session_id = session_id FOR SHARE;
    IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session "%" does not exist', session_id USING ERRCODE = 'P0002'; END IF;
    IF fin IS NOT NULL THEN RAISE EXCEPTION 'cannot add an entry to orchestration session "%": it is already finished', session_id USING ERRCODE = '55000'; END IF;
    INSERT INTO public.orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src, ingest_table_name, elaboration)
    VALUES (eid, session_id, ingest_src, ingest_table_name, elaboration);
    RETURN eid;
END $$;

CREATE OR REPLACE FUNCTION plbench.orchestration_session_transition(
    session_id text, to_state text, reason text DEFAULT NULL, result_json text DEFAULT NULL,
    session_entry_id text DEFAULT NULL, elaboration text DEFAULT NULL, state_id text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    stid text := COALESCE(state_id, gen_random_uuid()::text);
    fin timestamptz;
    owner text;
    prev_state text;
    prev_at timestamptz;
    at timestamptz := clock_timestamp();
BEGIN
    IF session_id IS NULL THEN RAISE EXCEPTION 'argument "session_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF to_state IS NULL THEN RAISE EXCEPTION 'argument "to_state" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF btrim(session_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF btrim(to_state, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "to_state" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF session_entry_id IS NOT NULL AND btrim(session_entry_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_entry_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF state_id IS NOT NULL AND btrim(state_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "state_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF result_json IS NOT NULL AND NOT public.json_valid(result_json) THEN
        RAISE EXCEPTION 'invalid JSON in argument "result_json"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(result_json); END IF;
    IF elaboration IS NOT NULL AND NOT public.json_valid(elaboration) THEN
        RAISE EXCEPTION 'invalid JSON in argument "elaboration"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(elaboration); END IF;
    SELECT s.orch_finished_at INTO fin FROM public.orchestration_session s
     WHERE s.orchestration_session_id = session_id FOR UPDATE;
    IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session "%" does not exist', session_id USING ERRCODE = 'P0002'; END IF;
    IF fin IS NOT NULL THEN RAISE EXCEPTION 'cannot record a transition of orchestration session "%": it is already finished', session_id USING ERRCODE = '55000'; END IF;
    IF session_entry_id IS NOT NULL THEN
        SELECT e.session_id INTO owner FROM public.orchestration_session_entry e
         WHERE e.orchestration_session_entry_id = session_entry_id;
        IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session entry "%" does not exist', session_entry_id USING ERRCODE = '23503'; END IF;
        IF owner <> session_id THEN RAISE EXCEPTION 'orchestration session entry "%" belongs to another session', session_entry_id USING ERRCODE = '23503'; END IF;
    END IF;
    SELECT st.to_state, st.transitioned_at INTO prev_state, prev_at FROM public.orchestration_session_state st
     WHERE st.session_id = orchestration_session_transition.session_id
     ORDER BY st.transitioned_at DESC, st.orchestration_session_state_id DESC LIMIT 1;
    IF NOT FOUND THEN
        prev_state := 'INITIAL';
    ELSIF prev_at >= at THEN
        at := prev_at + interval '1 microsecond';
    END IF;
    INSERT INTO public.orchestration_session_state (orchestration_session_state_id, session_id, session_entry_id,
        from_state, to_state, transition_result, transition_reason, transitioned_at, elaboration)
    VALUES (stid, session_id, session_entry_id, prev_state, to_state, result_json, reason, at, elaboration);
    RETURN stid;
END $$;

CREATE OR REPLACE FUNCTION plbench.orchestration_session_record_exec(
    session_id text, exec_nature text, exec_code text, exec_status integer,
    session_entry_id text DEFAULT NULL, parent_exec_id text DEFAULT NULL, namespace text DEFAULT NULL,
    exec_identity text DEFAULT NULL, input_text text DEFAULT NULL, exec_error_text text DEFAULT NULL,
    output_text text DEFAULT NULL, output_nature text DEFAULT NULL, narrative_md text DEFAULT NULL,
    elaboration text DEFAULT NULL, exec_id text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    xid text := COALESCE(exec_id, gen_random_uuid()::text);
    fin timestamptz;
    owner text;
BEGIN
    IF session_id IS NULL THEN RAISE EXCEPTION 'argument "session_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF exec_nature IS NULL THEN RAISE EXCEPTION 'argument "exec_nature" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF exec_code IS NULL THEN RAISE EXCEPTION 'argument "exec_code" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF exec_status IS NULL THEN RAISE EXCEPTION 'argument "exec_status" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF btrim(session_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF btrim(exec_nature, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "exec_nature" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF session_entry_id IS NOT NULL AND btrim(session_entry_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_entry_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF parent_exec_id IS NOT NULL AND btrim(parent_exec_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "parent_exec_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF exec_id IS NOT NULL AND btrim(exec_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "exec_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF output_nature IS NOT NULL AND NOT public.json_valid(output_nature) THEN
        RAISE EXCEPTION 'invalid JSON in argument "output_nature"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(output_nature); END IF;
    IF elaboration IS NOT NULL AND NOT public.json_valid(elaboration) THEN
        RAISE EXCEPTION 'invalid JSON in argument "elaboration"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(elaboration); END IF;
    SELECT s.orch_finished_at INTO fin FROM public.orchestration_session s
     WHERE s.orchestration_session_id = session_id FOR SHARE;
    IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session "%" does not exist', session_id USING ERRCODE = 'P0002'; END IF;
    IF fin IS NOT NULL THEN RAISE EXCEPTION 'cannot record an execution in orchestration session "%": it is already finished', session_id USING ERRCODE = '55000'; END IF;
    IF session_entry_id IS NOT NULL THEN
        SELECT e.session_id INTO owner FROM public.orchestration_session_entry e
         WHERE e.orchestration_session_entry_id = session_entry_id;
        IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session entry "%" does not exist', session_entry_id USING ERRCODE = '23503'; END IF;
        IF owner <> session_id THEN RAISE EXCEPTION 'orchestration session entry "%" belongs to another session', session_entry_id USING ERRCODE = '23503'; END IF;
    END IF;
    IF parent_exec_id IS NOT NULL THEN
        SELECT x.session_id INTO owner FROM public.orchestration_session_exec x
         WHERE x.orchestration_session_exec_id = orchestration_session_record_exec.parent_exec_id;
        IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session exec "%" does not exist', parent_exec_id USING ERRCODE = '23503'; END IF;
        IF owner <> session_id THEN RAISE EXCEPTION 'orchestration session exec "%" belongs to another session', parent_exec_id USING ERRCODE = '23503'; END IF;
    END IF;
    INSERT INTO public.orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id,
        session_entry_id, parent_exec_id, namespace, exec_identity, exec_code, exec_status, input_text,
        exec_error_text, output_text, output_nature, narrative_md, elaboration)
    VALUES (xid, exec_nature, session_id, session_entry_id, parent_exec_id, namespace, exec_identity,
        exec_code, exec_status, input_text, exec_error_text, output_text, output_nature, narrative_md, elaboration);
    RETURN xid;
END $$;

CREATE OR REPLACE FUNCTION plbench.orchestration_session_raise_issue(
    session_id text, issue_type text, issue_message text, session_entry_id text DEFAULT NULL,
    issue_row integer DEFAULT NULL, issue_column text DEFAULT NULL, invalid_value text DEFAULT NULL,
    remediation text DEFAULT NULL, elaboration text DEFAULT NULL, issue_id text DEFAULT NULL)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    iid text := COALESCE(issue_id, gen_random_uuid()::text);
    fin timestamptz;
    owner text;
BEGIN
    IF session_id IS NULL THEN RAISE EXCEPTION 'argument "session_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF issue_type IS NULL THEN RAISE EXCEPTION 'argument "issue_type" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF issue_message IS NULL THEN RAISE EXCEPTION 'argument "issue_message" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF btrim(session_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF btrim(issue_type, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "issue_type" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF session_entry_id IS NOT NULL AND btrim(session_entry_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_entry_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF issue_id IS NOT NULL AND btrim(issue_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "issue_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF elaboration IS NOT NULL AND NOT public.json_valid(elaboration) THEN
        RAISE EXCEPTION 'invalid JSON in argument "elaboration"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(elaboration); END IF;
    SELECT s.orch_finished_at INTO fin FROM public.orchestration_session s
     WHERE s.orchestration_session_id = session_id FOR SHARE;
    IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session "%" does not exist', session_id USING ERRCODE = 'P0002'; END IF;
    IF fin IS NOT NULL THEN RAISE EXCEPTION 'cannot raise an issue in orchestration session "%": it is already finished', session_id USING ERRCODE = '55000'; END IF;
    IF session_entry_id IS NOT NULL THEN
        SELECT e.session_id INTO owner FROM public.orchestration_session_entry e
         WHERE e.orchestration_session_entry_id = session_entry_id;
        IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session entry "%" does not exist', session_entry_id USING ERRCODE = '23503'; END IF;
        IF owner <> session_id THEN RAISE EXCEPTION 'orchestration session entry "%" belongs to another session', session_entry_id USING ERRCODE = '23503'; END IF;
    END IF;
    INSERT INTO public.orchestration_session_issue (orchestration_session_issue_id, session_id, session_entry_id,
        issue_type, issue_message, issue_row, issue_column, invalid_value, remediation, elaboration)
    VALUES (iid, session_id, session_entry_id, issue_type, issue_message, issue_row, issue_column,
        invalid_value, remediation, elaboration);
    RETURN iid;
END $$;

CREATE OR REPLACE FUNCTION plbench.orchestration_session_finish(
    session_id text, diagnostics_json text DEFAULT NULL, diagnostics_md text DEFAULT NULL)
RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    fin timestamptz;
    started timestamptz;
    at timestamptz;
BEGIN
    IF session_id IS NULL THEN RAISE EXCEPTION 'argument "session_id" must not be NULL' USING ERRCODE = '22004'; END IF;
    IF btrim(session_id, E' \t\n\r\f\v') = '' THEN RAISE EXCEPTION 'argument "session_id" must not be empty or blank' USING ERRCODE = '22023'; END IF;
    IF diagnostics_json IS NOT NULL AND NOT public.json_valid(diagnostics_json) THEN
        RAISE EXCEPTION 'invalid JSON in argument "diagnostics_json"' USING ERRCODE = '22P02', DETAIL = public.json_error_message(diagnostics_json); END IF;
    SELECT s.orch_finished_at, s.orch_started_at INTO fin, started FROM public.orchestration_session s
     WHERE s.orchestration_session_id = session_id FOR UPDATE;
    IF NOT FOUND THEN RAISE EXCEPTION 'orchestration session "%" does not exist', session_id USING ERRCODE = 'P0002'; END IF;
    IF fin IS NOT NULL THEN RAISE EXCEPTION 'cannot finish orchestration session "%": it is already finished', session_id USING ERRCODE = '55000'; END IF;
    at := greatest(clock_timestamp(), started);
    UPDATE public.orchestration_session s
       SET orch_finished_at = at,
           diagnostics_json = COALESCE(orchestration_session_finish.diagnostics_json, s.diagnostics_json),
           diagnostics_md = COALESCE(orchestration_session_finish.diagnostics_md, s.diagnostics_md)
     WHERE s.orchestration_session_id = session_id;
    RETURN at;
END $$;
