-- bench/sessions/setup.sql: the extension, the PL/pgSQL baseline (plbench),
-- devices and natures, and a pool of 64 payload templates (~1 KB args JSON,
-- ~8 KB diagnostics JSON, all different) that the pgbench scripts splice a
-- per-session random number and the client id into, so that no two
-- sessions carry identical documents and every document stays valid JSON.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS orchestration_session;
\ir plpgsql_functions.sql
CREATE SCHEMA IF NOT EXISTS benchgen;
-- floor.sql's table: no index, no constraint, no trigger.
CREATE TABLE benchgen.floor_log (session bigint, step int);
CREATE TABLE benchgen.payload (p int PRIMARY KEY, args text NOT NULL, diag text NOT NULL);
INSERT INTO benchgen.payload
SELECT p,
  '{"tool":"surveilr","pattern":"/inbox/batch-' || p || '/*.csv","options":{"delimiter":",","header":true,'
  || '"encoding":"utf-8","max_errors":' || p || ',"dry_run":false},"files":['
  || (SELECT string_agg(format('{"path":"/inbox/batch-%s/%s.csv","bytes":%s}', p, md5(p || '-' || g),
                               (p * 7919 + g * 104729) % 10000000), ',')
        FROM generate_series(1, 11) g) || ']}',
  '{"status":"completed","summary":{"files":40,"rows_read":' || p * 1000 || ',"rows_rejected":' || p || '},"files":['
  || (SELECT string_agg(format('{"path":"/inbox/batch-%s/%s.csv","rows":%s,"rejected":%s,"sha256":"%s%s",'
                               '"notes":"header matched; %s columns; encoding utf-8"}',
                               p, md5(p || ':' || g), (p * 31 + g * 17) % 100000, g % 7,
                               md5(g || '/' || p), md5(p || '/' || g), 5 + g % 20), ',')
        FROM generate_series(1, 40) g) || ']}'
FROM generate_series(1, 64) p;
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM benchgen.payload WHERE NOT json_valid(args) OR NOT json_valid(diag)) THEN
    RAISE EXCEPTION 'invalid payload template'; END IF; END $$;
SELECT orchestration_device_ensure('bench-worker-' || d, device_id => 'bench-dev-' || d) FROM generate_series(0, 999) d \g /dev/null
SELECT orchestration_nature_ensure('bench-ingest', 'Bench ingest') \g /dev/null
SELECT orchestration_nature_ensure('bench-validate', 'Bench validate') \g /dev/null
VACUUM ANALYZE;
