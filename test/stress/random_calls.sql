-- Single autocommit calls on one of 100 shared sessions.
\set n random(1, 20)
\set op random(1, 9)
SELECT stress_call(format('SELECT orchestration_session_start(%L, %L, %L, session_id => %L)', 'DEV-ST', 'stress', '1', 'ST-' || :n)) WHERE :op = 1;
SELECT stress_call(format('SELECT orchestration_session_add_entry(%L, %L)', 'ST-' || :n, 'r.csv')) WHERE :op = 2;
SELECT stress_call(format('SELECT orchestration_session_transition(%L, %L)', 'ST-' || :n, 'STEP')) WHERE :op IN (3, 4);
SELECT stress_call(format('SELECT orchestration_session_record_exec(%L, %L, %L, 0, exec_id => %L)', 'ST-' || :n, 'SQL', 'x', 'STX-' || :n)) WHERE :op = 5;
SELECT stress_call(format('SELECT orchestration_session_append_log(%L, %L)', 'STX-' || :n, 'l')) WHERE :op IN (6, 7);
SELECT stress_call(format('SELECT orchestration_session_raise_issue(%L, %L, %L)', 'ST-' || :n, 't', 'm')) WHERE :op = 8;
SELECT stress_finish('ST-' || :n) WHERE :op = 9;
