-- Grouped calls in one transaction: children, then a transition or the finish.
\set n random(1, 20)
\set fin random(1, 4)
BEGIN;
SELECT stress_call(format('SELECT orchestration_session_add_entry(%L, %L)', 'ST-' || :n, 'g.csv'));
SELECT stress_call(format('SELECT orchestration_session_append_log(%L, %L)', 'STX-' || :n, 'g'));
SELECT stress_call(format('SELECT orchestration_session_raise_issue(%L, %L, %L)', 'ST-' || :n, 't', 'g'));
SELECT stress_call(format('SELECT orchestration_session_transition(%L, %L)', 'ST-' || :n, 'GROUPED'));
SELECT stress_finish('ST-' || :n) WHERE :fin = 1;
COMMIT;
