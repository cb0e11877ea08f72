-- test/stress/setup.sql: what test/stress.sh's clients call, and what checks them.
CREATE EXTENSION orchestration_session;
SELECT orchestration_device_ensure('stress-host', device_id => 'DEV-ST');
SELECT orchestration_nature_ensure('stress', 'Stress');
-- Expected refusals in a random mix: finished (55000), unknown (P0002),
-- taken ids (23505), serialization (40001).  Anything else is recorded.
CREATE TABLE stress_errors (sqlstate text, message text, stmt text, at timestamptz DEFAULT clock_timestamp());
CREATE TABLE stress_expected (sqlstate text);
CREATE FUNCTION stress_call(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE state text; msg text;
BEGIN
    EXECUTE stmt;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    IF state IN ('55000', 'P0002', '23505', '40001') THEN
        INSERT INTO stress_expected VALUES (state);
    ELSE
        INSERT INTO stress_errors (sqlstate, message, stmt) VALUES (state, msg, stmt);
    END IF;
END $$;
-- Direct SQL also meets the foreign keys (a session or exec not started yet,
-- or purged): 23503.  Its deadlocks are errors like any other: it locks the
-- session before the row it inserts (README, Limits).
CREATE FUNCTION stress_direct(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE state text; msg text;
BEGIN
    EXECUTE stmt;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    IF state IN ('55000', '23503') THEN
        INSERT INTO stress_expected VALUES (state);
    ELSE
        INSERT INTO stress_errors (sqlstate, message, stmt) VALUES (state, msg, stmt);
    END IF;
END $$;
-- What a finish left: the history counts at the moment of the finish, to
-- compare with what is there at the end (no child after the finish).
CREATE TABLE stress_finished (session_id text PRIMARY KEY, entries bigint, execs bigint, logs bigint, issues bigint, states bigint);
CREATE FUNCTION stress_finish(sid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE state text; msg text;
BEGIN
    PERFORM orchestration_session_finish(sid, '{"status":"completed"}');
    INSERT INTO stress_finished SELECT sid,
        (SELECT count(*) FROM orchestration_session_entry WHERE session_id = sid),
        (SELECT count(*) FROM orchestration_session_exec WHERE session_id = sid),
        (SELECT count(*) FROM orchestration_session_log l JOIN orchestration_session_exec x
           ON x.orchestration_session_exec_id = l.parent_exec_id WHERE x.session_id = sid),
        (SELECT count(*) FROM orchestration_session_issue WHERE session_id = sid),
        (SELECT count(*) FROM orchestration_session_state WHERE session_id = sid)
    ON CONFLICT (session_id) DO UPDATE SET entries = EXCLUDED.entries, execs = EXCLUDED.execs,
        logs = EXCLUDED.logs, issues = EXCLUDED.issues, states = EXCLUDED.states;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    IF state IN ('55000', 'P0002', '40001') THEN
        INSERT INTO stress_expected VALUES (state);
    ELSE
        INSERT INTO stress_errors (sqlstate, message, stmt) VALUES (state, msg, 'finish ' || sid);
    END IF;
END $$;
-- Purge may delete only finished sessions.
CREATE TABLE stress_purged_open (session_id text);
CREATE FUNCTION stress_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.orch_finished_at IS NULL THEN
        INSERT INTO stress_purged_open VALUES (OLD.orchestration_session_id);
    END IF;
    DELETE FROM stress_finished WHERE session_id = OLD.orchestration_session_id;
    RETURN OLD;
END $$;
CREATE TRIGGER stress_on_delete AFTER DELETE ON orchestration_session FOR EACH ROW EXECUTE FUNCTION stress_on_delete();
-- A whole session in one transaction, with generated ids.
CREATE FUNCTION stress_lifecycle() RETURNS void LANGUAGE plpgsql AS $$
DECLARE sid text; xid text;
BEGIN
    sid := orchestration_session_start('DEV-ST', 'stress', '1');
    PERFORM stress_call(format('SELECT orchestration_session_add_entry(%L, %L)', sid, 'a.csv'));
    PERFORM stress_call(format('SELECT orchestration_session_transition(%L, %L)', sid, 'LOADING'));
    xid := orchestration_session_record_exec(sid, 'SQL', 'SELECT 1', 0);
    PERFORM stress_call(format('SELECT orchestration_session_append_log(%L, %L)', xid, 'line 1'));
    PERFORM stress_call(format('SELECT orchestration_session_append_log(%L, %L)', xid, 'line 2'));
    PERFORM stress_call(format('SELECT orchestration_session_raise_issue(%L, %L, %L)', sid, 'stress', 'm'));
    PERFORM stress_call(format('SELECT orchestration_session_transition(%L, %L)', sid, 'DONE'));
    PERFORM stress_finish(sid);
END $$;
