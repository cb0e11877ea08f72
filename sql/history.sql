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
