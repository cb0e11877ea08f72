#!/usr/bin/env bash
# tools/run-tap.sh: the TAP tests (test/t/*.pl) only, each in clusters it
# creates itself with initdb (PostgreSQL::Test::Cluster).  The extension must
# be installed first (make && sudo make install; tools/test-all.sh does it),
# as must Perl's IPC::Run (Debian libipc-run-perl; pg_cron, Debian
# postgresql-15-cron, for test/t/002_pg_cron.pl, which is skipped without it).
#   - as a normal user: make prove_installcheck TAP=1 in the repository
#   - as root (initdb refuses to run as root): a copy of the repository in a
#     temporary directory owned by postgres, run with runuser -u postgres
# PROVE_FLAGS (e.g. --verbose) is passed on.  Exits non-zero if a test fails;
# the logs of the tests (tmp_check/log) are printed then.
source "$(dirname "$0")/lib.sh"

if ! perl -MIPC::Run -e 1 2>/dev/null; then
    echo "run-tap.sh: Perl's IPC::Run is missing (apt-get install libipc-run-perl)" >&2
    exit 1
fi
if [ ! -f "$($PG_CONFIG --pkglibdir)/orchestration_session.so" ]; then
    echo "run-tap.sh: the extension is not installed in $($PG_CONFIG --pkglibdir): run make && sudo make install first" >&2
    exit 1
fi

make_args=(-s prove_installcheck TAP=1 PG_CONFIG="$PG_CONFIG")
[ -n "${PROVE_FLAGS:-}" ] && make_args+=(PROVE_FLAGS="--timer $PROVE_FLAGS")

keep=""
if [ "$(id -u)" = 0 ]; then
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/orchestration_session-tap.XXXXXX")
    trap '[ -n "$keep" ] || rm -rf "$workdir"' EXIT
    # the tests need only the Makefile and test/t (the extension is installed)
    mkdir -p "$workdir/test"
    cp -p "$REPO_ROOT/Makefile" "$workdir/"
    cp -pR "$REPO_ROOT/test/t" "$workdir/test/"
    chown -R postgres: "$workdir"
    run() { (cd "$workdir" && runuser -u postgres -- env HOME="$workdir" make "${make_args[@]}"); }
else
    workdir=$REPO_ROOT
    run() { make -C "$workdir" "${make_args[@]}"; }
fi

say "TAP tests (test/t/*.pl) in $workdir"
if run; then
    exit 0
fi
# the logs of the failed test scripts (all of them if none can be told apart)
logs=$(grep -l -E '(^|\) )not ok |Bail out!|Looks like your test (failed|exited)' "$workdir"/tmp_check/log/regress_log_* 2>/dev/null ||
       ls "$workdir"/tmp_check/log/regress_log_* 2>/dev/null || true)
for log in $logs; do
    printf '\n---- %s ----\n' "$log"
    cat "$log"
done
keep=1
echo "run-tap.sh: TAP tests failed; logs in $workdir/tmp_check/log" >&2
exit 1
