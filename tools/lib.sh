# tools/lib.sh: shared by tools/demo.sh and tools/test-all.sh (sourced).
# Installs what is missing from Debian's archive, builds and installs the
# extension into the PostgreSQL 15 server.  Only packages are installed on
# the machine; every cluster the tools start is a throwaway one.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

say() { printf '\n==> %s\n' "$*"; }

# install_packages pkg...: apt-get install only the ones that are missing.
install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

# What building and running the extension needs.
BUILD_PACKAGES=(make gcc libc6-dev "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR"
                "postgresql-client-$PG_MAJOR" postgresql-common libpq-dev)
# What the test suites add: sanitizers and libFuzzer (clang), SQLite as the fuzzing oracle,
# IPC::Run for the TAP tests (PostgreSQL::Test::Cluster), pg_cron for test/t/002_pg_cron.pl.
TEST_PACKAGES=(clang libclang-rt-14-dev libsqlite3-dev libipc-run-perl "postgresql-$PG_MAJOR-cron")

build_and_install() {
    say "building and installing the extension (PG_CONFIG=$PG_CONFIG)"
    make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG"
    $SUDO make -C "$REPO_ROOT" -s install PG_CONFIG="$PG_CONFIG"
}

# in_throwaway_cluster cmd...: runs cmd with PGHOST/PGPORT/PGUSER of a new,
# temporary PostgreSQL cluster that is removed afterwards (UTF-8, C locale).
in_throwaway_cluster() {
    LANG=C.UTF-8 LC_ALL=C.UTF-8 pg_virtualenv -t -v "$PG_MAJOR" -i "--encoding=UTF8 --locale=C.UTF-8" "$@"
}
