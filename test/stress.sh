#!/usr/bin/env bash
# test/stress.sh [SECONDS]: many clients mixing every call for a bounded time
# (default 20 s): whole sessions in one transaction, single autocommit calls
# on 20 shared sessions, grouped calls (children then a transition or the
# finish), and abandon + purge beside them.  Direct SQL as an ORM writes it
# (stress/direct_sql.sql) joins only with STRESS_DIRECT_SQL=1: it can
# deadlock with the functions (README Limits, not fixed yet), seen on 17 and
# 18, so it is left out of the default run that the test command makes.
# Every call goes through stress_call(), which counts the refusals a random
# mix must produce (55000, P0002, 23505, 40001) and records anything else.
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
    -f "$HERE/stress/grouped_calls.sql@3" ${STRESS_DIRECT_SQL:+-f "$HERE/stress/direct_sql.sql@2"} \
    -f "$HERE/stress/maintenance.sql@1" > "$LOG" 2>&1 || {
    echo "not ok - pgbench failed"; tail -n 20 "$LOG"; exit 1; }
grep -E "^number of transactions actually processed|^number of failed" "$LOG" | sed 's/^/# /'
psql -X -At -d $DB -c "SELECT sqlstate, count(*) FROM stress_expected GROUP BY 1 ORDER BY 1" | sed 's/^/# expected refusals: /'
psql -X -At -d $DB -c "SELECT count(*) FROM stress_known" | sed 's/^/# known limitation (README Limits): deadlocks of direct SQL on history: /'
psql -X -At -d $DB -c "SELECT count(*) FILTER (WHERE orch_finished_at IS NULL), count(*) FILTER (WHERE orch_finished_at IS NOT NULL) FROM orchestration_session" |
    sed 's/^\(.*\)|\(.*\)$/# sessions left: \1 open, \2 finished/'
failed=0
while IFS='|' read -r invariant result; do
    if [ "$result" = ok ]; then echo "ok - $invariant"; else echo "not ok - $invariant: $result"; failed=1; fi
done < <(psql -X -At -v ON_ERROR_STOP=1 -d $DB -f "$HERE/stress/check.sql")
exit $failed
