-- bench/sessions/fill.sql: set-based fill of :n sessions with their children
-- (2 entries, 4 transitions, 3 execs, 1 issue, 1 backend row each), small
-- payloads, orch_started_at spread evenly over the last 730 days, 1000
-- devices, 5 natures; open: the sessions started in the last 15 minutes
-- (still running) and one in 10,000 older ones (stuck, as if the abandon job
-- had not run yet); the rest finished 5..604 s after the start.  Ids: benchgen.id(...) -- 'ulid' time-ordered, 'uuid' random.
-- Usage: psql -v n=2000000 -v kind=ulid -f fill.sql
-- Triggers (the JSON explainer, the finished guard and the foreign-key
-- triggers) are off for the bulk load (session_replication_role = replica):
-- the generated rows are consistent by construction and the CHECK
-- constraints (json_valid) still run.
\set ON_ERROR_STOP 1
\timing on
SET session_replication_role = replica;
SET synchronous_commit = off;
SELECT format('CREATE OR REPLACE FUNCTION benchgen.id(tag text, i bigint, k int, ms bigint) RETURNS text'
              ' LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L', 'SELECT benchgen.id_' || :'kind' || '(tag, i, k, ms)') \gexec
CREATE TEMP TABLE g AS
SELECT i, t0 + span * ((i - 0.5) / :n) AS started,
       (extract(epoch FROM t0 + span * ((i - 0.5) / :n)) * 1000)::bigint AS ms,
       CASE WHEN i % 10000 = 0 OR t0 + span * ((i - 0.5) / :n) > now() - interval '15 minutes' THEN NULL
            ELSE t0 + span * ((i - 0.5) / :n) + make_interval(secs => 5 + abs(hashint8(i)) % 600) END AS finished
FROM generate_series(1, :n::bigint) i,
     (SELECT now() - interval '730 days' AS t0, interval '730 days' AS span) c;
INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version,
    orch_started_at, orch_finished_at, args_json, diagnostics_json)
SELECT benchgen.id('s', i, 0, ms), 'bench-dev-' || (abs(hashint8(i)) % 1000),
       (ARRAY['surveilr-transform-csv','surveilr-transform-xml','surveilr-transform-html','bench-ingest','bench-validate'])[1 + abs(hashint8(i + 1)) % 5],
       '1.' || (i % 7) || '.0', started, finished,
       '{"pattern":"/inbox/' || i || '/*.csv","dry_run":false}',
       CASE WHEN finished IS NOT NULL THEN '{"status":"completed","rows":' || (i % 5000) || '}' END
FROM g ORDER BY i;
INSERT INTO orchestration_session_backend (session_id, pid, backend_start)
SELECT benchgen.id('s', i, 0, ms), 1000 + i % 30000, started FROM g ORDER BY i;
INSERT INTO orchestration_session_entry (orchestration_session_entry_id, session_id, ingest_src, ingest_table_name)
SELECT benchgen.id('e', i, k, ms + k), benchgen.id('s', i, 0, ms),
       '/inbox/' || i || '/' || k || '.csv', 'uniform_resource_' || k
FROM g, generate_series(1, 2) k ORDER BY i, k;
INSERT INTO orchestration_session_state (orchestration_session_state_id, session_id, session_entry_id,
    from_state, to_state, transition_reason, transitioned_at)
SELECT benchgen.id('t', i, k, ms + 10 + k), benchgen.id('s', i, 0, ms),
       CASE WHEN k IN (2, 3) THEN benchgen.id('e', i, k - 1, ms + k - 1) END,
       (ARRAY['INITIAL','surveilr_orchestration_init','surveilr_orch_progress','surveilr_orch_progress'])[k],
       (ARRAY['surveilr_orchestration_init','surveilr_orch_progress','surveilr_orch_progress','surveilr_orch_completed'])[k],
       'step ' || k, started + make_interval(secs => k)
FROM g, generate_series(1, 4) k ORDER BY i, k;
INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, session_entry_id,
    exec_code, exec_status, output_text)
SELECT benchgen.id('x', i, k, ms + 20 + k), CASE WHEN k = 3 THEN 'shell' ELSE 'SQL' END,
       benchgen.id('s', i, 0, ms),
       CASE WHEN k < 3 THEN benchgen.id('e', i, k, ms + k) END,
       'COPY uniform_resource_' || k || ' FROM ''/inbox/' || i || '/' || k || '.csv''',
       CASE WHEN k = 3 AND i % 10 = 0 THEN 1 ELSE 0 END, 'COPY ' || (i % 5000)
FROM g, generate_series(1, 3) k ORDER BY i, k;
INSERT INTO orchestration_session_issue (orchestration_session_issue_id, session_id, session_entry_id,
    issue_type, issue_message, issue_row, issue_column)
SELECT benchgen.id('i', i, 1, ms + 30), benchgen.id('s', i, 0, ms),
       benchgen.id('e', i, 2, ms + 2),
       'Schema Validation: Missing Columns', 'column id is missing', (i % 100)::int, 'id'
FROM g ORDER BY i;
RESET session_replication_role;
VACUUM ANALYZE;
CHECKPOINT;
