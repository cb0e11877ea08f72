#!/usr/bin/env bash
# tools/test-major.sh: the database test surface on this machine's PostgreSQL
# major (PG_MAJOR, default: the one its Debian release ships), as
# tools/test-all.sh runs it on the host and tools/pg-matrix.sh in each
# chroot:
#   - build with warnings as errors, install
#   - tools/db-suites.sh in a throwaway cluster (pg_regress, isolation,
#     libpq client, dump/restore, JSONTestSuite through json_valid(), ...)
#   - the TAP tests (tools/run-tap.sh) where the major's packages provide
#     PostgreSQL::Test::Cluster (15 on; 13's packages ship a shim over its
#     PostgresNode, which the tests are written to work with)
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

install_packages "${BUILD_PACKAGES[@]}" "${DB_TEST_PACKAGES[@]}"
STRICT_BUILD=1 build_and_install

status=0
say "database suites in a throwaway PostgreSQL $PG_MAJOR cluster"
in_throwaway_cluster tools/db-suites.sh || status=1

cluster_pm="$(dirname "$($PG_CONFIG --pgxs)")/../test/perl/PostgreSQL/Test/Cluster.pm"
if [ -f "$cluster_pm" ]; then
    # 13's packages ship PostgreSQL::Test::Cluster as a shim over PostgresNode
    grep -q PostgresNode "$cluster_pm" &&
        say "TAP tests on PostgreSQL $PG_MAJOR through its PostgreSQL::Test::Cluster compatibility shim (PostgresNode)"
    if tools/run-tap.sh; then tap=ok; else tap=FAILED; status=1; fi
else
    tap="SKIPPED: PostgreSQL $PG_MAJOR's packages ship no PostgreSQL::Test::Cluster"
fi
printf '    [suite] %-52s %s\n' "TAP tests" "$tap"
exit $status
