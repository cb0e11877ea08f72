#!/usr/bin/env bash
# tools/test-all.sh: every test of the project, on a fresh Debian machine
# (the README's test command; .ci/run runs it).
#   1. the validator core on its own: unit tests and JSONTestSuite (when
#      ../shared has it), the same under AddressSanitizer/UBSan, and a bounded
#      libFuzzer run against SQLite
#   2. tools/test-major.sh on this machine's PostgreSQL (15 on bookworm):
#      build with warnings as errors, then in a throwaway cluster every
#      pg_regress suite (together and each alone), the isolation specs, the
#      libpq application client, the pg_dump/restore round trip, JSONTestSuite
#      through json_valid(), the extension in another schema, the session
#      benchmark's scripts; then the TAP tests (crash recovery, pg_cron,
#      standby failover)
#   3. tools/pg-matrix.sh: step 2 on the other supported majors (13, 17, 18),
#      each in a debootstrap chroot of the Debian release that ships it
#      (needs root; cached under /var/cache/orchestration_session/chroots)
# FUZZ_SECONDS (default 60) bounds the fuzzing run.  PG_MAJORS picks the
# matrix's majors (default "13 17 18"; PG_MAJORS="" skips the matrix, and the
# run then says so).
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

started=$SECONDS
timing=()
lap() { timing+=("$(printf '%-44s %5d s' "$1" $((SECONDS - lap_start)))"); lap_start=$SECONDS; }
lap_start=$SECONDS

install_packages "${BUILD_PACKAGES[@]}" "${CORE_TEST_PACKAGES[@]}"
install_packages "$(clang_runtime_package)"

say "validator core: unit tests and JSONTestSuite"
make -s -C test/json test
say "validator core under AddressSanitizer + UndefinedBehaviorSanitizer"
make -s -C test/json asan
say "differential fuzzing against SQLite for ${FUZZ_SECONDS:-60} s"
make -s -C test/json fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
lap "validator core (unit, sanitizers, fuzzing)"

tools/test-major.sh
lap "PostgreSQL $PG_MAJOR on this machine"

matrix_majors=${PG_MAJORS-"13 17 18"}
if [ -n "$matrix_majors" ]; then
    if [ "$(id -u)" = 0 ]; then
        PG_MAJORS=$matrix_majors tools/pg-matrix.sh
    else
        PG_MAJORS=$matrix_majors sudo -E tools/pg-matrix.sh
    fi
    lap "PostgreSQL $matrix_majors in chroots"
else
    say "the PostgreSQL matrix was SKIPPED (PG_MAJORS is empty)"
fi

say "all tests passed in $((SECONDS - started)) s"
printf '    %s\n' "${timing[@]}"
