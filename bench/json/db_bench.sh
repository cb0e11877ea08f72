#!/usr/bin/env bash
# bench/json/db_bench.sh: json_valid() in the database, against PostgreSQL's
# own json input (d::json) and two floors: one that detoasts and copies every
# value without validating (octet_length(d || '')), one that only detoasts
# (strpos(d, ''), which returns before reading), on the corpus of
# bench/json/gen_corpus.c; and what the explaining JSON trigger costs on
# valid rows.  The three queries run in rotation.
#
# Needs a server with the extension installed and the libpq environment
# (PGHOST/PGPORT/PGUSER); `make bench-json` runs it in a throwaway cluster.
# Usage: db_bench.sh [corpus_dir] [runs]
set -euo pipefail
CORPUS=${1:-$(dirname "$0")/corpus}
RUNS=${2:-5}
DB=json_bench
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

psql_db <<'SQL'
CREATE EXTENSION orchestration_session;
-- Median wall time in ms of each statement, all run n times in rotation
-- (server side: no client overhead; interleaved, so a busy moment of the
-- machine falls on all of them alike).
CREATE FUNCTION bench_rot_ms(stmts text[], n int) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS bench_times (k int, ms float8);
    TRUNCATE bench_times;
    FOR i IN 1..n LOOP
        FOR k IN 1..array_length(stmts, 1) LOOP
            t0 := clock_timestamp();
            EXECUTE stmts[k];
            INSERT INTO bench_times VALUES (k, extract(epoch FROM clock_timestamp() - t0) * 1000);
        END LOOP;
    END LOOP;
    RETURN ARRAY(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM bench_times GROUP BY k ORDER BY k);
END $$;
CREATE TABLE results (class text, mb float8, rows bigint, ours_ms float8, pg_ms float8, floor_ms float8, detoast_ms float8);
SQL

for class in small medium strings numbers nested large; do
    f="$CORPUS/$class.jsonl"
    [ -f "$f" ] || { echo "missing $f (run: make -C test/json bench, or bench/json gen_corpus)"; exit 1; }
    # One document per line, read raw: CSV with quote and delimiter bytes JSON never contains.
    psql_db -c "CREATE TABLE c_$class (d text)" \
            -c "\\copy c_$class (d) FROM '$f' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')" \
            -c "VACUUM ANALYZE c_$class"
    psql_db <<SQL
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM c_$class WHERE octet_length(d || '') > 0;   -- warm the cache
INSERT INTO results
SELECT '$class', (SELECT sum(octet_length(d)) / 1e6 FROM c_$class), (SELECT count(*) FROM c_$class),
       t[1], t[2], t[3], t[4]
FROM bench_rot_ms(ARRAY['SELECT count(*) FROM c_$class WHERE json_valid(d)',
                        'SELECT count(*) FROM c_$class WHERE d::json IS NOT NULL',
                        'SELECT count(*) FROM c_$class WHERE octet_length(d || '''') > 0',
                        'SELECT count(*) FROM c_$class WHERE strpos(d, '''') = 1'], $RUNS) AS t;
-- Every document is valid for both.
DO \$\$ BEGIN
    IF (SELECT count(*) FROM c_$class WHERE NOT json_valid(d)) > 0 THEN RAISE EXCEPTION 'invalid document in $class'; END IF;
END \$\$;
SQL
done

echo
echo "== json_valid(d) vs d::json IS NOT NULL, median of $RUNS interleaved runs (ms)"
echo "   floor = octet_length(d || '') > 0: detoasts and copies every value;"
echo "   detoast = strpos(d, '') = 1: only detoasts (the argument fetch json_valid also does), reads nothing more"
echo "   validation_ratio = (pg - floor) / (ours - floor), validation_ratio_dt = the same with detoast"
psql_db -P pager=off <<'SQL'
SELECT class, round(mb::numeric, 1) AS mb, rows,
       round(ours_ms::numeric, 1) AS json_valid_ms, round(pg_ms::numeric, 1) AS pg_json_ms,
       round(floor_ms::numeric, 1) AS floor_ms, round(detoast_ms::numeric, 1) AS detoast_ms,
       round((mb / (ours_ms / 1000))::numeric, 0) AS json_valid_mb_s,
       round((pg_ms / ours_ms)::numeric, 2) AS total_ratio,
       round(((pg_ms - floor_ms) / nullif(ours_ms - floor_ms, 0))::numeric, 2) AS validation_ratio,
       round(((pg_ms - detoast_ms) / nullif(ours_ms - detoast_ms, 0))::numeric, 2) AS validation_ratio_dt
FROM results ORDER BY array_position(ARRAY['small','medium','strings','numbers','nested','large'], class);
SQL

echo
echo "== cost of the explaining trigger on valid rows: 100,000 INSERTs of session rows with ~300 B args_json,"
echo "   trigger on / off interleaved, median of $RUNS each"
psql_db -P pager=off <<SQL
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;
SELECT orchestration_device_ensure('bench') IS NOT NULL AS device_ready;
CREATE TABLE args AS SELECT row_number() OVER () AS n, d FROM c_small LIMIT 100000;
CREATE FUNCTION insert_ms(with_trigger boolean) RETURNS float8 LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz;
BEGIN
    TRUNCATE orchestration_session CASCADE;
    -- Start each timed INSERT right after a checkpoint, so that no checkpoint
    -- (max_wal_size reached) falls inside one variant's runs more than the other's.
    BEGIN
        EXECUTE 'CHECKPOINT';
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;
    END;
    IF with_trigger THEN
        ALTER TABLE orchestration_session ENABLE TRIGGER orchestration_session_json_check;
    ELSE
        ALTER TABLE orchestration_session DISABLE TRIGGER orchestration_session_json_check;
    END IF;
    t0 := clock_timestamp();
    INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, args_json)
    SELECT 'S' || n, (SELECT device_id FROM device WHERE name = 'bench'), 'surveilr-transform-csv', '1', d FROM args;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END \$f\$;
CREATE TEMP TABLE t (variant text, ms float8);
DO \$\$ BEGIN
    FOR i IN 1..$RUNS LOOP
        INSERT INTO t VALUES ('CHECK + explaining trigger (as installed)', insert_ms(true));
        INSERT INTO t VALUES ('CHECK only (trigger disabled)', insert_ms(false));
    END LOOP;
END \$\$;
ALTER TABLE orchestration_session ENABLE TRIGGER orchestration_session_json_check;
SELECT variant, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) / 100000 * 1000)::numeric, 2) AS us_per_row
FROM t GROUP BY variant ORDER BY variant;
SQL
