-- A finished session is immutable for every writer: no row of its history
-- (entries, transitions, execs, issues, issue relations, log lines) can be
-- added, changed, moved in or out, or deleted, by direct SQL, COPY or a role
-- with only SELECT and INSERT (55000); the session row can be neither
-- updated nor deleted.  orchestration_session_purge removes finished history,
-- whole sessions at a time.  Open sessions stay writable.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all
SELECT orchestration_device_ensure('history-host', device_id => 'DEV-H');
SELECT orchestration_session_start('DEV-H', 'surveilr-transform-csv', '1', session_id => 'H-DONE');
SELECT orchestration_session_add_entry('H-DONE', 'a.csv', entry_id => 'HE-1');
SELECT orchestration_session_transition('H-DONE', 'LOADING', state_id => 'HT-1');
SELECT orchestration_session_record_exec('H-DONE', 'SQL', 'SELECT 1', 0, exec_id => 'HX-1');
SELECT orchestration_session_append_log('HX-1', 'line', log_id => 'HL-1');
SELECT orchestration_session_raise_issue('H-DONE', 'warning', 'w', issue_id => 'HI-1');
SELECT orchestration_session_raise_issue('H-DONE', 'warning', 'w2', issue_id => 'HI-2');
INSERT INTO orchestration_session_issue_relation VALUES ('HR-1', 'HI-1', 'HI-2', 'caused', NULL);
SELECT orchestration_session_start('DEV-H', 'surveilr-transform-csv', '1', session_id => 'H-OPEN');
SELECT orchestration_session_add_entry('H-OPEN', 'open.csv', entry_id => 'HE-OPEN');
SELECT orchestration_session_record_exec('H-OPEN', 'SQL', 'SELECT 2', 0, exec_id => 'HX-OPEN');
SELECT orchestration_session_raise_issue('H-OPEN', 'warning', 'o', issue_id => 'HI-OPEN');
SELECT orchestration_session_finish('H-DONE') IS NOT NULL AS finished;

-- INSERT into every child table of the finished session.
SELECT regress.err($$INSERT INTO orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src) VALUES ('HE-2', 'H-DONE', 'late.csv')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state) VALUES ('HT-2', 'H-DONE', 'LOADING', 'REOPENED')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status) VALUES ('HX-2', 'SQL', 'H-DONE', 'x', 0)$$);
SELECT regress.errm($$INSERT INTO orchestration_session_issue (orchestration_session_issue_id, session_id, issue_type, issue_message) VALUES ('HI-3', 'H-DONE', 't', 'm')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_issue_relation VALUES ('HR-2', 'HI-1', 'HI-2', 'again', NULL)$$);
SELECT regress.errm($$INSERT INTO orchestration_session_log (orchestration_session_log_id, parent_exec_id, content) VALUES ('HL-2', 'HX-1', 'late line')$$);
-- ... with generated ids (the ORM way), and several rows in one statement.
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-OPEN', 'ok.csv'), ('H-DONE', 'late.csv')$$);

-- UPDATE of every child table of the finished session, and moving children
-- of the open session into it.
SELECT regress.errm($$UPDATE orchestration_session_entry SET ingest_src = 'rewritten' WHERE orchestration_session_entry_id = 'HE-1'$$);
SELECT regress.errm($$UPDATE orchestration_session_state SET to_state = 'rewritten' WHERE orchestration_session_state_id = 'HT-1'$$);
SELECT regress.errm($$UPDATE orchestration_session_exec SET exec_status = 1 WHERE orchestration_session_exec_id = 'HX-1'$$);
SELECT regress.errm($$UPDATE orchestration_session_issue SET remediation = 'later' WHERE orchestration_session_issue_id = 'HI-1'$$);
SELECT regress.errm($$UPDATE orchestration_session_issue_relation SET relationship_nature = 'x' WHERE orchestration_session_issue_relation_id = 'HR-1'$$);
SELECT regress.errm($$UPDATE orchestration_session_log SET content = 'rewritten' WHERE orchestration_session_log_id = 'HL-1'$$);
SELECT regress.errm($$UPDATE orchestration_session_entry SET session_id = 'H-DONE' WHERE orchestration_session_entry_id = 'HE-OPEN'$$);
SELECT regress.errm($$UPDATE orchestration_session_exec SET session_id = 'H-DONE' WHERE orchestration_session_exec_id = 'HX-OPEN'$$);
SELECT regress.errm($$UPDATE orchestration_session_issue SET session_id = 'H-DONE' WHERE orchestration_session_issue_id = 'HI-OPEN'$$);
SELECT regress.errm($$UPDATE orchestration_session_log SET parent_exec_id = 'HX-OPEN' WHERE orchestration_session_log_id = 'HL-1'$$);
-- Moving out of the finished session is changing it too.
SELECT regress.errm($$UPDATE orchestration_session_issue SET session_id = 'H-OPEN' WHERE orchestration_session_issue_id = 'HI-2'$$);

-- DELETE of its history, and of the session row.
SELECT regress.err($$DELETE FROM orchestration_session_log WHERE orchestration_session_log_id = 'HL-1'$$);
SELECT regress.errm($$DELETE FROM orchestration_session_issue_relation WHERE orchestration_session_issue_relation_id = 'HR-1'$$);
SELECT regress.errm($$DELETE FROM orchestration_session_state WHERE session_id = 'H-DONE'$$);
SELECT regress.errm($$DELETE FROM orchestration_session_entry WHERE session_id = 'H-DONE'$$);
SELECT regress.errm($$DELETE FROM orchestration_session_issue WHERE orchestration_session_issue_id = 'HI-2'$$);
SELECT regress.err($$DELETE FROM orchestration_session WHERE orchestration_session_id = 'H-DONE'$$);

-- COPY is a writer like any other.
SELECT regress.errm($$COPY orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src) FROM PROGRAM 'echo HE-COPY,H-DONE,copied.csv' WITH (FORMAT csv)$$);

-- A role with only SELECT and INSERT (no UPDATE on the session table) is
-- refused the same way, and may still write to the open session.
CREATE ROLE regress_history_inserter;
GRANT USAGE ON SCHEMA public, regress TO regress_history_inserter;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO regress_history_inserter;
SET ROLE regress_history_inserter;
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-DONE', 'inserter.csv')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('H-DONE', 'LOADING', 'X')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src) VALUES ('HE-INS', 'H-OPEN', 'inserter.csv')$$);
RESET ROLE;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM regress_history_inserter;
REVOKE USAGE ON SCHEMA public, regress FROM regress_history_inserter;
DROP ROLE regress_history_inserter;

-- Nothing of the finished session changed.
SELECT 'entry' AS t, count(*), string_agg(ingest_src, ',') FROM orchestration_session_entry WHERE session_id = 'H-DONE'
UNION ALL SELECT 'state', count(*), string_agg(to_state, ',') FROM orchestration_session_state WHERE session_id = 'H-DONE'
UNION ALL SELECT 'exec', count(*), string_agg(exec_status::text, ',') FROM orchestration_session_exec WHERE session_id = 'H-DONE'
UNION ALL SELECT 'issue', count(*), string_agg(orchestration_session_issue_id, ',' ORDER BY 1) FROM orchestration_session_issue WHERE session_id = 'H-DONE'
UNION ALL SELECT 'relation', count(*), string_agg(relationship_nature, ',') FROM orchestration_session_issue_relation WHERE issue_id_prime = 'HI-1'
UNION ALL SELECT 'log', count(*), string_agg(content, ',') FROM orchestration_session_log WHERE parent_exec_id = 'HX-1';

-- The open session's history stays writable and deletable.
INSERT INTO orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src) VALUES ('HE-OPEN2', 'H-OPEN', 'direct.csv');
UPDATE orchestration_session_entry SET ingest_src = 'direct-2.csv' WHERE orchestration_session_entry_id = 'HE-OPEN2';
DELETE FROM orchestration_session_entry WHERE orchestration_session_entry_id IN ('HE-OPEN2', 'HE-INS');
INSERT INTO orchestration_session_log (orchestration_session_log_id, content) VALUES ('HL-FREE', 'a line of no exec');
SELECT ingest_src FROM orchestration_session_entry WHERE session_id = 'H-OPEN' ORDER BY 1;

-- From 1.2 each child table has a BEFORE ROW trigger too, which locks the
-- session before the row is written; the AFTER trigger still checks the row
-- as stored.  A user's BEFORE trigger (its name sorts after the lock's) that
-- moves the row into the finished session is refused by the AFTER check.
-- (A row whose column TG_ARGV[0] is 'rewrite-me' gets TG_ARGV[2] in column TG_ARGV[1].)
CREATE FUNCTION regress.into_done() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(NEW) ->> TG_ARGV[0] = 'rewrite-me' THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[1], TG_ARGV[2]));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER zz_into_done BEFORE INSERT OR UPDATE ON orchestration_session_entry
    FOR EACH ROW EXECUTE FUNCTION regress.into_done('ingest_src', 'session_id', 'H-DONE');
CREATE TRIGGER zz_into_done BEFORE INSERT OR UPDATE ON orchestration_session_log
    FOR EACH ROW EXECUTE FUNCTION regress.into_done('content', 'parent_exec_id', 'HX-1');
SELECT regress.err($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-OPEN', 'rewrite-me')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('HX-OPEN', 'rewrite-me')$$);
SELECT regress.errm($$UPDATE orchestration_session_entry SET ingest_src = 'rewrite-me' WHERE orchestration_session_entry_id = 'HE-OPEN'$$);
-- ... also when the same transaction has just written the open session.
BEGIN;
INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-OPEN', 'checked.csv');
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-OPEN', 'rewrite-me')$$);
ROLLBACK;
DROP TRIGGER zz_into_done ON orchestration_session_entry;
DROP TRIGGER zz_into_done ON orchestration_session_log;
DROP FUNCTION regress.into_done();

-- What a transaction has verified is remembered (a COPY of many rows of one
-- session locks once), and forgotten when it stops being true.  A session
-- finished in the transaction (by the function or by a direct UPDATE)
-- takes no more history, also through an exec that was written to before.
SELECT orchestration_session_start('DEV-H', 'surveilr-transform-csv', '1', session_id => 'H-CACHE');
SELECT orchestration_session_record_exec('H-CACHE', 'SQL', 'x', 0, exec_id => 'HX-CACHE');
BEGIN;
INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-CACHE', 'one.csv');
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order)
    SELECT 'HX-CACHE', 'line ' || i, i FROM generate_series(1, 1000) i;
SELECT orchestration_session_finish('H-CACHE') IS NOT NULL AS finished;
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-CACHE', 'two.csv')$$);
SELECT regress.errm($$INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('HX-CACHE', 'late')$$);
ROLLBACK;
BEGIN;
INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('HX-CACHE', 'early');
UPDATE orchestration_session SET orch_finished_at = clock_timestamp() WHERE orchestration_session_id = 'H-CACHE';
SELECT regress.errm($$INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('HX-CACHE', 'late')$$);
SELECT regress.errm($$UPDATE orchestration_session_log SET content = 'changed' WHERE parent_exec_id = 'HX-CACHE'$$);
ROLLBACK;
-- Many rows, one of them of the finished session: the statement is refused.
SELECT regress.errm($$INSERT INTO orchestration_session_log (parent_exec_id, content)
    SELECT CASE WHEN i = 500 THEN 'HX-1' ELSE 'HX-CACHE' END, 'copied' FROM generate_series(1, 1000) i$$);
SELECT count(*) AS log_lines_of_h_cache FROM orchestration_session_log WHERE parent_exec_id = 'HX-CACHE';

-- A savepoint rolled back releases the session lock taken in it: the next
-- write locks it again (the session row's xmax is this transaction's).
BEGIN;
SAVEPOINT before_line;
INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('HX-CACHE', 'in the savepoint');
ROLLBACK TO SAVEPOINT before_line;
RELEASE SAVEPOINT before_line;
INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES ('HX-CACHE', 'after the rollback');
SELECT xmax::text = (txid_current() % 4294967296)::text AS locked_again
FROM orchestration_session WHERE orchestration_session_id = 'H-CACHE';
ROLLBACK;

-- What one role verified is not taken for another's: after SET ROLE, a role
-- that row-level security keeps from H-CACHE is refused (42501).
CREATE ROLE regress_history_other;
GRANT USAGE ON SCHEMA public, regress TO regress_history_other;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO regress_history_other;
GRANT UPDATE (diagnostics_md) ON orchestration_session TO regress_history_other;
BEGIN;
ALTER TABLE orchestration_session ENABLE ROW LEVEL SECURITY;
CREATE POLICY not_h_cache ON orchestration_session TO regress_history_other
    USING (orchestration_session_id <> 'H-CACHE');
INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-CACHE', 'by the owner.csv');
SET LOCAL ROLE regress_history_other;
SELECT regress.errm($$INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('H-CACHE', 'by the other.csv')$$);
-- The functions lock by query under row-level security: finished (55000,
-- without waiting for the row), hidden (P0002), open.
SELECT regress.errm($$SELECT orchestration_session_add_entry('H-DONE', 'late.csv')$$);
SELECT regress.errm($$SELECT orchestration_session_add_entry('H-CACHE', 'hidden.csv')$$);
SELECT orchestration_session_add_entry('H-OPEN', 'seen.csv') IS NOT NULL AS added;
ROLLBACK;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM regress_history_other;
REVOKE UPDATE (diagnostics_md) ON orchestration_session FROM regress_history_other;
REVOKE USAGE ON SCHEMA public, regress FROM regress_history_other;
DROP ROLE regress_history_other;
SELECT orchestration_session_finish('H-CACHE') IS NOT NULL AS finished;

-- Purge removes the finished session with all of its history.
SELECT orchestration_session_purge(interval '0') >= 1 AS purged;
SELECT count(*) AS left_of_finished FROM orchestration_session WHERE orchestration_session_id = 'H-DONE';

-- Clean up (the open session's rows go directly).
DELETE FROM orchestration_session_log WHERE orchestration_session_log_id = 'HL-FREE';
DELETE FROM orchestration_session_issue WHERE session_id = 'H-OPEN';
DELETE FROM orchestration_session_exec WHERE session_id = 'H-OPEN';
DELETE FROM orchestration_session_entry WHERE session_id = 'H-OPEN';
DELETE FROM orchestration_session_backend WHERE session_id = 'H-OPEN';
DELETE FROM orchestration_session WHERE orchestration_session_id = 'H-OPEN';
