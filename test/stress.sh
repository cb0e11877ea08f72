#!/usr/bin/env bash
# test/stress.sh [SECONDS]: many clients mixing every call for a bounded time
# (default 20 s): whole sessions in one transaction, single autocommit calls
# on 20 shared sessions, grouped calls (children then a transition or the
# finish), direct SQL as an ORM writes it (stress/direct_sql.sql: children
# and a transition in one transaction; stress/direct_autocommit.sql: single
# INSERT, UPDATE and DELETE statements on the shared sessions' history), and
# abandon + purge beside them.  Every call goes through stress_call() or
# stress_direct(), which count the refusals a random mix must produce
# (55000, P0002, 23505, 40001; 23503 for direct SQL) and record anything else.
# Then test/stress/check.sql checks the invariants: no unexpected error (no
# 40P01, no XX000), nothing deleted while open, no history added after a
# finish, every chain unbroken, every finish after its latest transition,
# log numbering unique.  Uses the libpq environment and pgbench of
# PG_CONFIG's major; creates and drops database stress_test.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SECONDS_TO_RUN=${1:-20}
DB=stress_test
LOG=$(mktemp)
PGBENCH=$("${PG_CONFIG:-pg_config}" --bindir)/pgbench
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'rm -f "$LOG"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d $DB -f "$HERE/stress/setup.sql" >/dev/null

"$PGBENCH" -n -c 6 -j 2 -T "$SECONDS_TO_RUN" -d $DB \
    -f "$HERE/stress/lifecycle.sql@2" -f "$HERE/stress/random_calls.sql@6" \
    -f "$HERE/stress/grouped_calls.sql@3" -f "$HERE/stress/direct_sql.sql@2" \
    -f "$HERE/stress/direct_autocommit.sql@3" -f "$HERE/stress/maintenance.sql@1" > "$LOG" 2>&1 || {
    echo "not ok - pgbench failed"; tail -n 20 "$LOG"; exit 1; }
grep -E "^number of transactions actually processed|^number of failed" "$LOG" | sed 's/^/# /'
psql -X -At -d $DB -c "SELECT sqlstate, count(*) FROM stress_expected GROUP BY 1 ORDER BY 1" | sed 's/^/# expected refusals: /'
psql -X -At -d $DB -c "SELECT count(*) FROM stress_errors WHERE sqlstate = '40P01'" | sed 's/^/# deadlocks (40P01): /'
psql -X -At -d $DB -c "SELECT count(*) FILTER (WHERE orch_finished_at IS NULL), count(*) FILTER (WHERE orch_finished_at IS NOT NULL) FROM orchestration_session" |
    sed 's/^\(.*\)|\(.*\)$/# sessions left: \1 open, \2 finished/'
failed=0
while IFS='|' read -r invariant result; do
    if [ "$result" = ok ]; then echo "ok - $invariant"; else echo "not ok - $invariant: $result"; failed=1; fi
done < <(psql -X -At -v ON_ERROR_STOP=1 -d $DB -f "$HERE/stress/check.sql")
exit $failed
