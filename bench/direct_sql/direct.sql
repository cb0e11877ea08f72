-- One transaction of direct SQL on an open session (the client's own,
-- BD-<client>): 1 entry, 10 log lines of its exec, 5 transitions, by plain
-- INSERT as an ORM writes them (ids from the column defaults).
BEGIN;
INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('BD-' || :client_id, '/inbox/a.csv');
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 1);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 2);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 3);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 4);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 5);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 6);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 7);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 8);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 9);
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order) VALUES ('BDX-' || :client_id, 'line', 10);
INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('BD-' || :client_id, 'a', 'b');
INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('BD-' || :client_id, 'b', 'c');
INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('BD-' || :client_id, 'c', 'd');
INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('BD-' || :client_id, 'd', 'e');
INSERT INTO orchestration_session_state (session_id, from_state, to_state) VALUES ('BD-' || :client_id, 'e', 'a');
COMMIT;
