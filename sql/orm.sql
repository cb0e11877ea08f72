-- What ORMs and upstream SQL do: INSERT without ids (every primary key
-- defaults to a ULID), and user triggers or rules that skip or change the
-- rows the lifecycle functions write (27000, never XX000, never a retry
-- that cannot succeed).
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all

-- Every table takes an INSERT without its id; the ids are ULIDs.
WITH d AS (INSERT INTO device (name, state, boundary) VALUES ('orm-host', '"SINGLETON"', '') RETURNING device_id),
     n AS (INSERT INTO orchestration_nature (nature) VALUES ('ORM nature') RETURNING orchestration_nature_id),
     s AS (INSERT INTO orchestration_session (device_id, orchestration_nature_id, version)
           SELECT d.device_id, n.orchestration_nature_id, '1' FROM d, n RETURNING orchestration_session_id)
SELECT length(d.device_id) AS device_id_len, length(n.orchestration_nature_id) AS nature_id_len,
       length(s.orchestration_session_id) AS session_id_len,
       orchestration_ulid_time(s.orchestration_session_id) <= clock_timestamp() AS ulid_time_ok
FROM d, n, s;
SELECT orchestration_session_id AS orm_session FROM orchestration_session s
JOIN device d USING (device_id) WHERE d.name = 'orm-host' \gset
INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES (:'orm_session', 'orm.csv');
INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES (:'orm_session', 'INITIAL', 'RUNNING');
INSERT INTO orchestration_session_exec (session_id, exec_nature, exec_code, exec_status) VALUES (:'orm_session', 'SQL', 'x', 0);
INSERT INTO orchestration_session_issue (session_id, issue_type, issue_message) VALUES (:'orm_session', 't', 'm');
INSERT INTO orchestration_session_issue_relation (issue_id_prime, issue_id_rel, relationship_nature)
SELECT orchestration_session_issue_id, orchestration_session_issue_id, 'self' FROM orchestration_session_issue WHERE session_id = :'orm_session';
INSERT INTO orchestration_session_log (parent_exec_id, content)
SELECT orchestration_session_exec_id, 'orm line' FROM orchestration_session_exec WHERE session_id = :'orm_session';
SELECT (SELECT count(*) FROM orchestration_session_entry WHERE session_id = :'orm_session'
          AND length(orchestration_session_entry_id) = 26) AS entries,
       (SELECT count(*) FROM orchestration_session_state WHERE session_id = :'orm_session'
          AND length(orchestration_session_state_id) = 26) AS states,
       (SELECT count(*) FROM orchestration_session_log l JOIN orchestration_session_exec x
          ON x.orchestration_session_exec_id = l.parent_exec_id WHERE x.session_id = :'orm_session'
          AND length(l.orchestration_session_log_id) = 26) AS logs;
-- Upstream SQL that passes its own ids is unaffected.
INSERT INTO orchestration_session_entry VALUES ('E-UPSTREAM', :'orm_session', 'upstream.csv', NULL, NULL);
SELECT orchestration_session_entry_id FROM orchestration_session_entry WHERE ingest_src = 'upstream.csv';

-- A user trigger that skips the row (BEFORE ... RETURN NULL, as old-style
-- partition routing does) on each table a lifecycle function writes.
CREATE FUNCTION regress.skip_row() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE FUNCTION regress.change_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW := pg_catalog.jsonb_populate_record(NEW, pg_catalog.jsonb_build_object(TG_ARGV[0], 'CHANGED-ID'));
    RETURN NEW;
END$$;
SELECT orchestration_session_start(orchestration_device_ensure('orm-host'), 'surveilr-transform-csv', '1', session_id => 'S-ORMX');
SELECT orchestration_session_record_exec('S-ORMX', 'SQL', 'x', 0, exec_id => 'X-ORMX');

CREATE TRIGGER regress_skip BEFORE INSERT ON device FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.err($$SELECT orchestration_device_ensure('skipped-host')$$);
DROP TRIGGER regress_skip ON device;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_nature FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_nature_ensure('skipped-nature', 'Skipped')$$);
DROP TRIGGER regress_skip ON orchestration_nature;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_session FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_session_start(orchestration_device_ensure('orm-host'), 'surveilr-transform-csv', '1')$$);
DROP TRIGGER regress_skip ON orchestration_session;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_session_entry FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_session_add_entry('S-ORMX', 'a.csv')$$);
DROP TRIGGER regress_skip ON orchestration_session_entry;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_session_state FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_session_transition('S-ORMX', 'x')$$);
SELECT regress.errm($$SELECT orchestration_session_abandon(interval '0')$$);
DROP TRIGGER regress_skip ON orchestration_session_state;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_session_exec FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_session_record_exec('S-ORMX', 'SQL', 'x', 0)$$);
DROP TRIGGER regress_skip ON orchestration_session_exec;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_session_issue FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_session_raise_issue('S-ORMX', 't', 'm')$$);
DROP TRIGGER regress_skip ON orchestration_session_issue;
CREATE TRIGGER regress_skip BEFORE INSERT ON orchestration_session_log FOR EACH ROW EXECUTE FUNCTION regress.skip_row();
SELECT regress.errm($$SELECT orchestration_session_append_log('X-ORMX', 'line')$$);
DROP TRIGGER regress_skip ON orchestration_session_log;
-- Rules on the extension's tables are not supported: PostgreSQL refuses the
-- INSERT ... RETURNING the functions run (0A000), before anything is written.
CREATE RULE regress_nothing AS ON INSERT TO orchestration_session_entry DO INSTEAD NOTHING;
SELECT regress.errm($$SELECT orchestration_session_add_entry('S-ORMX', 'a.csv')$$);
DROP RULE regress_nothing ON orchestration_session_entry;

-- A user trigger that changes the id the function wrote.
CREATE TRIGGER regress_change BEFORE INSERT ON orchestration_session_entry FOR EACH ROW
    EXECUTE FUNCTION regress.change_id('orchestration_session_entry_id');
SELECT regress.err($$SELECT orchestration_session_add_entry('S-ORMX', 'a.csv', entry_id => 'E-MINE')$$);
DROP TRIGGER regress_change ON orchestration_session_entry;
CREATE TRIGGER regress_change BEFORE INSERT ON device FOR EACH ROW EXECUTE FUNCTION regress.change_id('device_id');
SELECT regress.errm($$SELECT orchestration_device_ensure('changed-host', device_id => 'DEV-MINE')$$);
DROP TRIGGER regress_change ON device;

-- Nothing was written by the refused calls; the functions work again.
SELECT count(*) AS rows_of_refused_calls FROM orchestration_session_entry WHERE session_id = 'S-ORMX';
SELECT orchestration_session_add_entry('S-ORMX', 'after.csv', entry_id => 'E-ORMX');

-- A caller device_id for an existing device is not silently swapped (23505).
SELECT orchestration_device_ensure('orm-host-2', device_id => 'DEV-ORM2');
SELECT orchestration_device_ensure('orm-host-2', device_id => 'DEV-ORM2') AS same_id_ok;
SELECT regress.err($$SELECT orchestration_device_ensure('orm-host-2', device_id => 'ANOTHER-ID')$$);

SELECT orchestration_session_finish('S-ORMX') IS NOT NULL AS finished;
SELECT orchestration_session_finish(:'orm_session') IS NOT NULL AS finished;
SELECT orchestration_session_purge(interval '0') >= 2 AS purged;
DROP FUNCTION regress.skip_row(), regress.change_id();
