-- test/stress/check.sql: the invariants after the run, one row each, "ok" or what broke.
SELECT 'no unexpected error (40P01, XX000, 23503, ...)' AS invariant,
       coalesce((SELECT string_agg(DISTINCT sqlstate || ' ' || left(message, 80) || ' in: ' || left(stmt, 100), '; ') FROM stress_errors), 'ok') AS result
UNION ALL
SELECT 'nothing purged or deleted while open',
       coalesce((SELECT string_agg(session_id, ', ') FROM stress_purged_open), 'ok')
UNION ALL
SELECT 'no history added after a finish',
       coalesce((SELECT string_agg(f.session_id, ', ') FROM stress_finished f
                 WHERE EXISTS (SELECT 1 FROM orchestration_session s WHERE s.orchestration_session_id = f.session_id)
                 AND (f.entries, f.execs, f.logs, f.issues, f.states) IS DISTINCT FROM
                     ((SELECT count(*) FROM orchestration_session_entry WHERE session_id = f.session_id),
                      (SELECT count(*) FROM orchestration_session_exec WHERE session_id = f.session_id),
                      (SELECT count(*) FROM orchestration_session_log l JOIN orchestration_session_exec x
                         ON x.orchestration_session_exec_id = l.parent_exec_id WHERE x.session_id = f.session_id),
                      (SELECT count(*) FROM orchestration_session_issue WHERE session_id = f.session_id),
                      (SELECT count(*) FROM orchestration_session_state WHERE session_id = f.session_id))), 'ok')
UNION ALL
SELECT 'every chain unbroken (INITIAL first, each from_state the previous to_state, strictly increasing)',
       coalesce((SELECT string_agg(DISTINCT session_id, ', ') FROM (
           SELECT session_id, from_state, transitioned_at,
                  lag(to_state) OVER w AS prev_to, lag(transitioned_at) OVER w AS prev_at
           FROM orchestration_session_state WINDOW w AS (PARTITION BY session_id ORDER BY transitioned_at, orchestration_session_state_id)) c
           WHERE (prev_to IS NULL AND from_state <> 'INITIAL') OR prev_to <> from_state OR prev_at >= transitioned_at), 'ok')
UNION ALL
SELECT 'every finish after its start and its latest transition',
       coalesce((SELECT string_agg(s.orchestration_session_id, ', ') FROM orchestration_session s
                 WHERE s.orch_finished_at < s.orch_started_at
                    OR s.orch_finished_at < (SELECT max(transitioned_at) FROM orchestration_session_state
                                             WHERE session_id = s.orchestration_session_id)), 'ok')
UNION ALL
SELECT 'log numbering unique per exec (lines numbered by append_log)',
       coalesce((SELECT string_agg(DISTINCT parent_exec_id, ', ') FROM (
           SELECT parent_exec_id FROM orchestration_session_log WHERE parent_exec_id IS NOT NULL AND sibling_order IS NOT NULL
           GROUP BY parent_exec_id, sibling_order HAVING count(*) > 1) d), 'ok');
