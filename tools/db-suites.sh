#!/usr/bin/env bash
# tools/db-suites.sh: every database suite against the running server that
# the libpq environment (PGHOST, PGPORT, PGUSER) names, with the extension
# installed into it (PG_CONFIG's major):
#   - pg_regress: all suites together, then each suite alone in a database
#     of its own (no suite may depend on another's leftovers)
#   - isolation specs, with this major's tester; where its packages ship none
#     (Debian's 13) they are SKIPPED here and tools/pg-matrix.sh runs them
#     with the host's newer tester
#   - the libpq application client, the pg_dump/pg_restore round trip,
#     JSONTestSuite through json_valid() (SKIPPED when ../shared lacks it),
#     cancel/statement_timeout on 300 MB documents on every JSON path, error
#     columns in single- and multi-byte database encodings,
#     the extension in a schema off the search_path, the upgrade from 1.0
#     (catalogs compared with a fresh install), planted look-alikes against
#     CREATE EXTENSION and ALTER EXTENSION UPDATE, the library's exported
#     symbols, the session benchmark's scripts and its PL/pgSQL baseline, and
#     a bounded stress run (STRESS_SECONDS, default 20) whose invariants are
#     checked afterwards (no deadlock, no XX000, no history after a finish)
# Prints one line per suite ("ok", "FAILED", "SKIPPED: why") and a summary;
# exits non-zero if any suite failed.  tools/test-major.sh runs it in a
# throwaway cluster.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

results=()
failed=0
# "[suite] name  result" lines: tools/pg-matrix.sh collects them into its summary
record() { results+=("$(printf '[suite] %-52s %s' "$1" "$2")"); }

run_suite() {
    local name=$1; shift
    say "$name"
    if "$@"; then record "$name" ok; else record "$name" FAILED; failed=1; fi
}

show_diffs() { cat regression.diffs test/isolation/regression.diffs 2>/dev/null || true; }

regress_all() {
    rm -f regression.diffs
    make -s installcheck ISOLATION= PG_CONFIG="$PG_CONFIG" || { show_diffs; return 1; }
}

# Each suite alone, in a fresh database with only CREATE EXTENSION done.
regress_each_alone() {
    local suites s status=0
    suites=$(make -s --no-print-directory print-REGRESS PG_CONFIG="$PG_CONFIG")
    for s in $suites; do
        rm -f regression.diffs
        if make -s installcheck ISOLATION= REGRESS="$s" PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1; then
            echo "alone: $s ok"
        else
            echo "alone: $s FAILED"; show_diffs; status=1
        fi
    done
    return $status
}

isolation() {
    rm -f test/isolation/regression.diffs
    make -s installcheck REGRESS= PG_CONFIG="$PG_CONFIG" || { show_diffs; return 1; }
}

run_suite "pg_regress suites" regress_all
run_suite "pg_regress, each suite alone" regress_each_alone
if [ -n "$(isolation_tester)" ]; then
    run_suite "isolation specs" isolation
else
    record "isolation specs" "SKIPPED: PostgreSQL $PG_MAJOR's packages ship no pg_isolation_regress (tools/pg-matrix.sh runs them with the host's tester)"
fi
make -s -B test/libpq_client PG_CONFIG="$PG_CONFIG"   # -B: never a binary built elsewhere
run_suite "libpq application client" test/libpq_client
run_suite "pg_dump / pg_restore round trip" test/dump_roundtrip.sh
if [ -d "$REPO_ROOT/../shared/jsontestsuite/test_parsing" ] || [ -n "${JSONTESTSUITE:-}" ]; then
    run_suite "JSONTestSuite through json_valid()" test/jsontestsuite_db.sh
else
    record "JSONTestSuite through json_valid()" "SKIPPED: ../shared/jsontestsuite is not beside this clone"
fi
run_suite "JSON functions stop within bounds on cancel" test/json_cancel.sh
run_suite "JSON error columns in LATIN1, SQL_ASCII, EUC_JP" test/json_encodings.sh
run_suite "the extension in a schema off the search_path" test/extension_schema.sh
current=$(sed -n "s/^default_version = '\(.*\)'/\1/p" orchestration_session.control)
run_suite "upgrade from 1.0 (through 1.1) equals a fresh $current" test/upgrade_check.sh 1.0 "$current"
run_suite "upgrade from 1.1 equals a fresh $current" test/upgrade_check.sh 1.1 "$current"
run_suite "planted look-alikes vs CREATE EXTENSION" test/planted_lookalikes.sh
run_suite "planted look-alikes vs ALTER EXTENSION UPDATE from 1.0" test/planted_lookalikes.sh 1.0 "$current"
run_suite "planted look-alikes vs ALTER EXTENSION UPDATE from 1.1" test/planted_lookalikes.sh 1.1 "$current"
run_suite "only the fmgr entry points are exported" test/exported_symbols.sh
run_suite "session benchmark scripts, PL/pgSQL baseline" test/bench_scripts.sh
run_suite "stress: every call mixed, invariants after" test/stress.sh "${STRESS_SECONDS:-20}"

printf '\n==> database suites on PostgreSQL %s\n' "$("$PG_CONFIG" --version | sed 's/^PostgreSQL //')"
printf '    %s\n' "${results[@]}"
exit $failed
