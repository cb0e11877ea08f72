-- A COPY-like statement: 1000 log lines of the client's exec in one INSERT.
INSERT INTO orchestration_session_log (parent_exec_id, content, sibling_order)
SELECT 'BDX-' || :client_id, 'line', i FROM generate_series(1, 1000) i;
