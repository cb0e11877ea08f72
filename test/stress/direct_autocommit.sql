-- Direct SQL in autocommit, one statement each, on the history of one of the
-- 20 shared sessions: the row is locked first (UPDATE, DELETE) or the
-- session first (INSERT), beside every call, abandon and purge.  It writes
-- only rows nothing else updates or references (its own issues and log
-- lines, entries and transitions by non-key columns).
\set n random(1, 20)
\set op random(0, 7)
-- (0: the session is started again if it is not there, so that most writes meet an open session)
SELECT stress_call(format('SELECT orchestration_session_start(%L, %L, %L, session_id => %L)', 'DEV-ST', 'stress', '1', 'ST-' || :n)) WHERE :op = 0;
SELECT stress_direct(format('INSERT INTO orchestration_session_issue (session_id, issue_type, issue_message) VALUES (%L, %L, %L)', 'ST-' || :n, 'direct', 'auto')) WHERE :op = 1;
SELECT stress_direct(format('INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES (%L, %L)', 'STX-' || :n, 'auto')) WHERE :op = 2;
SELECT stress_direct(format('UPDATE orchestration_session_entry SET ingest_src = ingest_src WHERE session_id = %L', 'ST-' || :n)) WHERE :op = 3;
SELECT stress_direct(format('UPDATE orchestration_session_state SET transition_reason = %L WHERE session_id = %L', 'touched', 'ST-' || :n)) WHERE :op = 4;
SELECT stress_direct(format('UPDATE orchestration_session_log SET category = %L WHERE parent_exec_id = %L AND content = %L', 'auto', 'STX-' || :n, 'auto')) WHERE :op = 5;
SELECT stress_direct(format('DELETE FROM orchestration_session_log WHERE parent_exec_id = %L AND content = %L', 'STX-' || :n, 'auto')) WHERE :op = 6;
SELECT stress_direct(format('DELETE FROM orchestration_session_issue WHERE session_id = %L AND issue_type = %L', 'ST-' || :n, 'direct')) WHERE :op = 7;
