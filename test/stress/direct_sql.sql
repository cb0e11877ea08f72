-- Direct SQL, as an ORM writes: children inserted and updated without the
-- functions, then a transition, in one transaction.  The INSERT locks the
-- session first; the UPDATE changes only the row this transaction inserted
-- (rows that other writers update too are locked first by their UPDATE,
-- README Limits: such a transaction would lock the session with SELECT ...
-- FOR UPDATE before anything else, and so would those writers).
\set n random(1, 20)
\set r random(1, 1000000000)
BEGIN;
SELECT stress_direct(format('INSERT INTO orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src) VALUES (%L, %L, %L)', 'ORM-' || :client_id || '-' || :r, 'ST-' || :n, 'orm.csv'));
SELECT stress_direct(format('INSERT INTO orchestration_session_log (parent_exec_id, content) VALUES (%L, %L)', 'STX-' || :n, 'orm'));
SELECT stress_direct(format('UPDATE orchestration_session_entry SET ingest_src = %L WHERE orchestration_session_entry_id = %L', 'orm-2.csv', 'ORM-' || :client_id || '-' || :r));
SELECT stress_call(format('SELECT orchestration_session_transition(%L, %L)', 'ST-' || :n, 'ORM'));
COMMIT;
