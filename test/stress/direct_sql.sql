-- Direct SQL, as an ORM writes: children inserted and updated without the functions.
\set n random(1, 20)
BEGIN;
SELECT stress_direct(format('INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES (%L, %L)', 'ST-' || :n, 'orm.csv'));
SELECT stress_direct(format('INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES (%L, %L)', 'STX-' || :n, 'orm'));
SELECT stress_direct(format('UPDATE orchestration_session_entry SET ingest_src = %L WHERE session_id = %L', 'orm-2.csv', 'ST-' || :n));
SELECT stress_call(format('SELECT orchestration_session_transition(%L, %L)', 'ST-' || :n, 'ORM'));
COMMIT;
