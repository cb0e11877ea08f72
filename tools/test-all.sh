#!/usr/bin/env bash
# tools/test-all.sh: every test of the project, on a fresh Debian 12 machine.
#   - installs missing Debian packages, builds and installs the extension
#   - standalone validator tests (+ JSONTestSuite when ../shared has it),
#     the same under AddressSanitizer/UBSan, and a bounded libFuzzer run
#   - in a throwaway cluster: pg_regress + isolation suites, the libpq
#     application client, the pg_dump/restore round trip, JSONTestSuite
#     through json_valid() in the database, the extension in another schema,
#     the session benchmark's pgbench scripts and its PL/pgSQL baseline
#   - TAP tests (tools/run-tap.sh): crash recovery, abandon scheduled by pg_cron
# FUZZ_SECONDS (default 60) bounds the fuzzing run.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build_and_install

say "validator core: unit tests and JSONTestSuite"
make -s -C test/json test
say "validator core under AddressSanitizer + UndefinedBehaviorSanitizer"
make -s -C test/json asan
say "differential fuzzing against SQLite for ${FUZZ_SECONDS:-60} s"
make -s -C test/json fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}"

make -s test/libpq_client PG_CONFIG="$PG_CONFIG"

say "database suites in a throwaway cluster"
in_throwaway_cluster bash -c '
    set -euo pipefail
    status=0
    make -s installcheck PG_CONFIG="$PG_CONFIG" || {
        status=1
        cat regression.diffs test/isolation/regression.diffs 2>/dev/null || true
    }
    echo; echo "== libpq application client"; test/libpq_client || status=1
    echo; echo "== pg_dump / pg_restore round trip"; test/dump_roundtrip.sh || status=1
    echo; echo "== JSONTestSuite through json_valid() in the database"; test/jsontestsuite_db.sh || status=1
    echo; echo "== the extension in a schema off the search_path"; test/extension_schema.sh || status=1
    echo; echo "== the session benchmark'"'"'s scripts and its PL/pgSQL baseline"; test/bench_scripts.sh || status=1
    exit $status
'
# TAP tests (crash recovery, pg_cron scheduling): each in clusters of its own,
# as postgres when run as root (initdb refuses root).
tools/run-tap.sh
say "all tests passed"
