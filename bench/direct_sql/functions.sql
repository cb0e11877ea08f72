-- The same rows through the lifecycle functions (trusted writes: the guard
-- triggers return after a compare): 1 entry, 10 log lines, 5 transitions.
BEGIN;
SELECT orchestration_session_add_entry('BD-' || :client_id, '/inbox/a.csv');
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 1);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 2);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 3);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 4);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 5);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 6);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 7);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 8);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 9);
SELECT orchestration_session_append_log('BDX-' || :client_id, 'line', sibling_order => 10);
SELECT orchestration_session_transition('BD-' || :client_id, 'b');
SELECT orchestration_session_transition('BD-' || :client_id, 'c');
SELECT orchestration_session_transition('BD-' || :client_id, 'd');
SELECT orchestration_session_transition('BD-' || :client_id, 'e');
SELECT orchestration_session_transition('BD-' || :client_id, 'a');
COMMIT;
