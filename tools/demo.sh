#!/usr/bin/env bash
# tools/demo.sh: build, install into a throwaway cluster, and run a
# realistic orchestration session from start to finish, then print what the
# database recorded.  Only Debian packages are installed on the machine.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

install_packages "${BUILD_PACKAGES[@]}"
build_and_install

say "running a session lifecycle in a throwaway cluster"
in_throwaway_cluster psql -X -q -v ON_ERROR_STOP=1 -d postgres -f "$REPO_ROOT/tools/demo.sql"
