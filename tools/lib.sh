# tools/lib.sh: shared by the tools/ scripts (sourced).
# Installs what is missing from Debian's archive, builds and installs the
# extension into the PostgreSQL server of this machine's Debian release.
# Only packages are installed on the machine; every cluster the tools start
# is a throwaway one.
#
# PG_MAJOR: the PostgreSQL major to build and test against.  Default: the one
# this Debian release ships (what its "postgresql" package depends on), so
# the same scripts serve bullseye (13), bookworm (15), trixie (17) and sid
# (18), on a host or in the chroots of tools/pg-matrix.sh.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

say() { printf '\n==> %s\n' "$*"; }

apt_get() {
    # sid's Release file may be past its Valid-Until when the archive is a snapshot
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false "$@"
}

APT_UPDATED=""
apt_update_once() {
    [ -n "$APT_UPDATED" ] && return 0
    apt_get update -qq || { echo "lib.sh: apt-get update failed: Debian's archive cannot be reached" >&2; return 1; }
    APT_UPDATED=1
}

# The PostgreSQL major this Debian release ships.
distribution_major() {
    local deps
    deps=$(apt-cache depends postgresql 2>/dev/null | grep -oE 'postgresql-[0-9]+$' | head -n1) || true
    if [ -z "$deps" ]; then
        apt_update_once
        deps=$(apt-cache depends postgresql | grep -oE 'postgresql-[0-9]+$' | head -n1)
    fi
    echo "${deps#postgresql-}"
}

if [ -z "${PG_MAJOR:-}" ]; then
    PG_MAJOR=$(distribution_major)
fi
export PG_MAJOR
export PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config

# install_packages pkg...: apt-get install only the ones that are missing.
install_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        apt_update_once
        apt_get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

# What building and running the extension needs.
BUILD_PACKAGES=(make gcc libc6-dev "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR"
                "postgresql-client-$PG_MAJOR" postgresql-common libpq-dev)
# What the database suites add: IPC::Run for the TAP tests
# (PostgreSQL::Test::Cluster), pg_cron for test/t/002_pg_cron.pl.
DB_TEST_PACKAGES=(libipc-run-perl "postgresql-$PG_MAJOR-cron")
# What the validator core's tests add: sanitizers and libFuzzer (clang and its
# runtime, see clang_runtime_package), SQLite as the fuzzing oracle.
CORE_TEST_PACKAGES=(clang libsqlite3-dev)

# The package with clang's sanitizer and libFuzzer runtime for the installed
# clang: libclang-rt-N-dev from clang 14 on, part of libclang-common-N-dev
# before (bullseye's clang 11).
clang_runtime_package() {
    local major
    major=$(clang -dumpversion | cut -d. -f1)
    if apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
        echo "libclang-rt-$major-dev"
    else
        echo "libclang-common-$major-dev"
    fi
}

# Builds and installs.  STRICT_BUILD=1 (the test scripts) makes warnings
# errors (WERROR=1), which holds the code to a clean build on every major; a
# user's plain `make`, and the demo, only warn.
build_and_install() {
    local strict=()
    [ -n "${STRICT_BUILD:-}" ] && strict=(WERROR=1)
    say "building and installing the extension (PG_CONFIG=$PG_CONFIG${STRICT_BUILD:+, warnings are errors})"
    make -C "$REPO_ROOT" -s clean PG_CONFIG="$PG_CONFIG"
    make -C "$REPO_ROOT" -s "${strict[@]}" PG_CONFIG="$PG_CONFIG"
    $SUDO make -C "$REPO_ROOT" -s install PG_CONFIG="$PG_CONFIG"
}

# in_throwaway_cluster cmd...: runs cmd with PGHOST/PGPORT/PGUSER of a new,
# temporary PostgreSQL cluster of PG_MAJOR that is removed afterwards (UTF-8,
# C locale).  CLUSTER_PORT picks its port (the matrix's chroots share the
# host's network, so each major gets its own).
in_throwaway_cluster() {
    local create_opts=()
    [ -n "${CLUSTER_PORT:-}" ] && create_opts=(-c "-p $CLUSTER_PORT")
    LANG=C.UTF-8 LC_ALL=C.UTF-8 pg_virtualenv -t -v "$PG_MAJOR" "${create_opts[@]}" \
        -i "--encoding=UTF8 --locale=C.UTF-8" "$@"
}

# The isolation tester of PG_CONFIG's major, if its packages ship one
# (Debian's 13 does not).
isolation_tester() {
    local t
    t="$(dirname "$($PG_CONFIG --pgxs)")/../test/isolation/pg_isolation_regress"
    [ -x "$t" ] && echo "$t"
    return 0
}
