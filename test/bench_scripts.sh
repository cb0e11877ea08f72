#!/bin/bash
# test/bench_scripts.sh: the session benchmark's SQL still does what
# BENCHMARKS.md says it does.
#
# A benchmark that silently breaks (an error in one pgbench script, a
# PL/pgSQL baseline that drifts away from the C functions' checks) would
# publish wrong ratios, so its pieces are tested here, small:
#   - every pgbench script of bench/sessions runs without error in both
#     protocols the benchmark uses (prepared, extended) and leaves complete
#     sessions (12 rows each, finished, an unbroken transition chain for the
#     functions that promise one);
#   - the server-side loop (inserver.sql) runs each variant;
#   - the bulk fill (fill.sql) makes the rows it says, with either id kind;
#   - the hand-written PL/pgSQL baseline refuses bad calls with the same
#     SQLSTATEs as the extension's C functions ("the same checks").
# Uses only the libpq environment (PGHOST, PGPORT, PGUSER, ...).  Prints
# ok/not ok lines; exits 1 on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$HERE/../bench/sessions
PGBENCH=$("${PG_CONFIG:-pg_config}" --bindir)/pgbench
DB=bench_scripts
MAINT=${PGDATABASE:-postgres}
failed=0

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
q()      { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }
expect() {  # description expected actual
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2], got [$3]"; fi
}
cleanup() { q "$MAINT" -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS ${DB}_fill" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

q "$MAINT" -c "CREATE DATABASE $DB"
q $DB -f "$BENCH/setup.sql" >/dev/null
q $DB -f "$BENCH/fill_ids.sql" >/dev/null 2>&1
q $DB -f "$BENCH/inserver.sql" >/dev/null

# --- the pgbench scripts, 3 sessions each per protocol -----------------------
for mode in prepared extended; do
    for v in c c_uuid plpgsql plain floor; do
        if out=$("$PGBENCH" -n -M $mode -f "$BENCH/$v.sql" -t 3 -c 1 $DB 2>&1) &&
           grep -q 'number of transactions actually processed: 3/3' <<<"$out"; then
            ok "pgbench $v.sql, -M $mode: 3 of 3 transactions"
        else
            not_ok "pgbench $v.sql, -M $mode"; echo "$out" | sed 's/^/#   /'
        fi
    done
done

# Id shapes tell the variants apart: the C functions make 26-character ULIDs,
# c_uuid.sql, the PL/pgSQL baseline and plain SQL 36-character UUIDs.
expect "sessions: 6 with ULIDs (c.sql), 18 with UUIDs (c_uuid, plpgsql, plain)" "26 6
36 18" "$(q $DB -c "SELECT length(orchestration_session_id), count(*) FROM orchestration_session GROUP BY 1 ORDER BY 1" -F' ')"
expect "every session is finished and has 2 entries, 4 transitions, 3 execs (1 failed), 1 issue" "0" \
    "$(q $DB -c "SELECT count(*) FROM orchestration_session s WHERE s.orch_finished_at IS NULL
        OR (SELECT count(*) FROM orchestration_session_entry e WHERE e.session_id = s.orchestration_session_id) <> 2
        OR (SELECT count(*) FROM orchestration_session_state t WHERE t.session_id = s.orchestration_session_id) <> 4
        OR (SELECT count(*) FROM orchestration_session_exec x WHERE x.session_id = s.orchestration_session_id) <> 3
        OR (SELECT count(*) FROM orchestration_session_exec x WHERE x.session_id = s.orchestration_session_id AND x.exec_status <> 0) <> 1
        OR (SELECT count(*) FROM orchestration_session_issue i WHERE i.session_id = s.orchestration_session_id) <> 1")"
# The C and PL/pgSQL functions order the chain (a link strictly after the
# previous one); plain SQL in autocommit gets distinct times from separate
# transactions too.  Every first link starts at INITIAL.
expect "transition chains: every link starts where the previous one ended" "0" \
    "$(q $DB -c "SELECT count(*) FROM (SELECT from_state, lag(to_state, 1, 'INITIAL') OVER w AS prev
        FROM orchestration_session_state WINDOW w AS (PARTITION BY session_id ORDER BY transitioned_at)) l
        WHERE from_state <> prev")"
expect "the sessions of the C functions and of the PL/pgSQL baseline have a backend row" "18" \
    "$(q $DB -c "SELECT count(*) FROM orchestration_session_backend")"
expect "floor.sql: 12 rows per session" "72" "$(q $DB -c "SELECT count(*) FROM benchgen.floor_log")"

# --- the server-side loop ------------------------------------------------------
for v in c plpgsql plain; do
    us=$(q $DB -c "SELECT benchgen.lifecycles('$v', 3) > 0")
    expect "inserver.sql: benchgen.lifecycles('$v', 3) runs" "t" "$us"
done
expect "inserver.sql made 9 more sessions" "33" "$(q $DB -c "SELECT count(*) FROM orchestration_session")"

# --- the bulk fill, both id kinds ----------------------------------------------
for kind in ulid uuid; do
    q "$MAINT" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ${DB}_fill" -c "CREATE DATABASE ${DB}_fill"
    q ${DB}_fill -f "$BENCH/setup.sql" >/dev/null
    q ${DB}_fill -f "$BENCH/fill_ids.sql" >/dev/null 2>&1
    q ${DB}_fill -v n=40 -v kind=$kind -f "$BENCH/fill.sql" >/dev/null
    expect "fill.sql ($kind, n=40): sessions, backends, entries, transitions, execs, issues; id length" \
        "40 40 80 160 120 40 $([ $kind = ulid ] && echo 26 || echo 36)" \
        "$(q ${DB}_fill -c "SELECT (SELECT count(*) FROM orchestration_session) || ' ' ||
            (SELECT count(*) FROM orchestration_session_backend) || ' ' ||
            (SELECT count(*) FROM orchestration_session_entry) || ' ' ||
            (SELECT count(*) FROM orchestration_session_state) || ' ' ||
            (SELECT count(*) FROM orchestration_session_exec) || ' ' ||
            (SELECT count(*) FROM orchestration_session_issue) || ' ' ||
            (SELECT max(length(orchestration_session_id)) FROM orchestration_session)")"
done

# --- the PL/pgSQL baseline has the C functions' checks -------------------------
# Each call is made through public (C) and plbench (PL/pgSQL); both must fail
# with the same SQLSTATE.  'F' is a finished session, 'O' an open one.
q $DB >/dev/null <<'SQL'
CREATE FUNCTION benchgen.sqlstate_of(call text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'SELECT ' || call;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT orchestration_session_start('bench-dev-1', 'surveilr-transform-csv', '1', session_id => 'F');
SELECT orchestration_session_finish('F');
SELECT orchestration_session_start('bench-dev-1', 'surveilr-transform-csv', '1', session_id => 'O');
SELECT orchestration_session_add_entry('O', '/e', entry_id => 'E');
SELECT orchestration_session_start('bench-dev-1', 'surveilr-transform-csv', '1', session_id => 'O2');
SQL
while IFS='|' read -r want call; do
    [ -z "$call" ] && continue
    c=$(q $DB -c "SELECT benchgen.sqlstate_of(\$q\$public.$call\$q\$)")
    p=$(q $DB -c "SELECT benchgen.sqlstate_of(\$q\$plbench.$call\$q\$)")
    if [ "$c" = "$want" ] && [ "$p" = "$want" ]; then ok "C and PL/pgSQL: $call -> $want"
    else not_ok "$call: expected $want from both, C gave $c, PL/pgSQL gave $p"; fi
done <<'CALLS'
22004|orchestration_session_start(NULL, 'surveilr-transform-csv', '1')
22023|orchestration_session_start(' ', 'surveilr-transform-csv', '1')
22P02|orchestration_session_start('bench-dev-1', 'surveilr-transform-csv', '1', args_json => '{"a":')
23503|orchestration_session_start('no-such-device', 'surveilr-transform-csv', '1')
23503|orchestration_session_start('bench-dev-1', 'no-such-nature', '1')
P0002|orchestration_session_add_entry('no-such-session', '/x')
55000|orchestration_session_add_entry('F', '/x')
22023|orchestration_session_add_entry('O', '')
55000|orchestration_session_transition('F', 'next')
23503|orchestration_session_transition('O2', 'next', session_entry_id => 'E')
55000|orchestration_session_record_exec('F', 'SQL', 'SELECT 1', 0)
23503|orchestration_session_record_exec('O2', 'SQL', 'SELECT 1', 0, session_entry_id => 'E')
55000|orchestration_session_raise_issue('F', 'type', 'message')
P0002|orchestration_session_finish('no-such-session')
55000|orchestration_session_finish('F')
22P02|orchestration_session_finish('O', '[1,]')
CALLS

exit $failed
