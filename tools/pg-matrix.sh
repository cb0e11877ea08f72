#!/usr/bin/env bash
# tools/pg-matrix.sh: the database test surface (tools/test-major.sh) on other
# PostgreSQL majors, each in a chroot of the Debian release that ships it:
#
#   major  Debian release
#   13     bullseye
#   15     bookworm
#   17     trixie
#   18     sid
#
#   sudo tools/pg-matrix.sh                  13, 17 and 18 (the host runs 15)
#   sudo PG_MAJORS="17 18" tools/pg-matrix.sh
#
# Root is needed (debootstrap, chroot, mounts).  Each chroot is made with
# `debootstrap --variant=minbase` from the Debian mirror apt already uses,
# with the major's packages installed, and cached as a tarball under
# MATRIX_CACHE (default /var/cache/orchestration_session/chroots), keyed by
# release and package list, so a re-run costs minutes; MATRIX_REFRESH=1
# rebuilds the tarballs.  Each run unpacks a fresh copy under MATRIX_WORK
# (default /var/tmp/orchestration_session-matrix), copies this checkout in
# (tracked and untracked files, not ignored ones), binds ../shared/jsontestsuite
# read-only when it exists, and runs tools/test-major.sh there.
#
# Where a major's packages ship no isolation tester (Debian's 13), the specs
# are run from the host with the host's pg_isolation_regress against a
# server started in the chroot (a newer tester drives an older server).
#
# The chroots share the host's network: each major's servers listen on
# MATRIX_PORT_BASE + major (default 56000 + major).
#
# A major whose chroot cannot be made (the archive unreachable) fails the
# run: nothing passes by being skipped.  Logs: MATRIX_WORK/pg<N>.log.
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

PG_MAJORS=${PG_MAJORS:-"13 17 18"}
MATRIX_CACHE=${MATRIX_CACHE:-/var/cache/orchestration_session/chroots}
MATRIX_WORK=${MATRIX_WORK:-/var/tmp/orchestration_session-matrix}

if [ "$(id -u)" != 0 ]; then
    echo "pg-matrix.sh: needs root (debootstrap, chroot, mounts): sudo $0" >&2
    exit 2
fi

release_of_major() {
    case $1 in
        13) echo bullseye ;;
        15) echo bookworm ;;
        17) echo trixie ;;
        18) echo sid ;;
        *) echo "pg-matrix.sh: PostgreSQL $1 is not in the matrix (13 15 17 18)" >&2; return 1 ;;
    esac
}

# The Debian mirror apt uses here (deb822 or one-line sources).
debian_mirror() {
    local uri
    uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
          tr ' ' '\n' | grep -m1 -E '/debian/?$' || true)
    [ -z "$uri" ] && uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
                           /etc/apt/sources.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

# The packages a major's chroot needs: lib.sh's lists for that major.
chroot_packages() {
    (PG_MAJOR=$1; source "$REPO_ROOT/tools/lib.sh"; echo "${BUILD_PACKAGES[@]}" "${DB_TEST_PACKAGES[@]}")
}

mount_chroot() {
    local root=$1
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"; mount --make-rslave "$root/sys"
    mount --rbind /dev "$root/dev"; mount --make-rslave "$root/dev"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
}

umount_chroot() {
    local root=$1 m
    # deepest first; never follow a mount point out of the chroot
    for m in $(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}

in_chroot() {
    local root=$1; shift
    chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# Makes (or reuses) the cached tarball of a major's chroot; prints its path.
chroot_tarball() {
    local major=$1 release packages key tarball tmp mirror
    release=$(release_of_major "$major")
    packages=$(chroot_packages "$major")
    key=$(printf '%s %s\n' "$release" "$packages" | sha256sum | cut -c1-12)
    tarball="$MATRIX_CACHE/$release-pg$major-$key.tar.zst"
    if [ -f "$tarball" ] && [ -z "${MATRIX_REFRESH:-}" ]; then
        echo "$tarball"; return 0
    fi
    mirror=$(debian_mirror)
    tmp="$MATRIX_WORK/prepare-$release"
    umount_chroot "$tmp"; rm -rf "$tmp"; mkdir -p "$tmp" "$MATRIX_CACHE"
    say "PostgreSQL $major: debootstrap $release from $mirror (cached afterwards in $MATRIX_CACHE)" >&2
    if ! debootstrap --variant=minbase "$release" "$tmp" "$mirror" > "$MATRIX_WORK/debootstrap-$release.log" 2>&1; then
        tail -n 20 "$MATRIX_WORK/debootstrap-$release.log" >&2
        echo "pg-matrix.sh: FAILED to make a $release chroot for PostgreSQL $major from $mirror" >&2
        return 1
    fi
    # package scripts must not start servers in the chroot
    printf '#!/bin/sh\nexit 101\n' > "$tmp/usr/sbin/policy-rc.d"; chmod +x "$tmp/usr/sbin/policy-rc.d"
    mount_chroot "$tmp"
    # shellcheck disable=SC2086 # one word per package
    if ! in_chroot "$tmp" sh -c "apt-get -o Acquire::Check-Valid-Until=false update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages &&
            apt-get clean" > "$MATRIX_WORK/apt-$release.log" 2>&1; then
        tail -n 20 "$MATRIX_WORK/apt-$release.log" >&2
        umount_chroot "$tmp"
        echo "pg-matrix.sh: FAILED to install PostgreSQL $major's packages in the $release chroot" >&2
        return 1
    fi
    umount_chroot "$tmp"
    rm -f "$MATRIX_CACHE/$release-pg$major-"*.tar.zst
    tar -C "$tmp" -I 'zstd -T0 -3 -q' -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$tmp"
    echo "$tarball"
}

# Starts a server of the chroot's major on port and runs the host's
# isolation tester against it (for majors whose packages ship none).
isolation_from_host() {
    local root=$1 major=$2 port=$3 bin="/usr/lib/postgresql/$2/bin" status=0
    say "PostgreSQL $major: isolation specs with the host's PostgreSQL $PG_MAJOR tester against a $major server"
    in_chroot "$root" runuser -u postgres -- "$bin/initdb" -D /tmp/iso-data -A trust -U postgres \
        -E UTF8 --locale=C.UTF-8 >/dev/null
    in_chroot "$root" runuser -u postgres -- "$bin/pg_ctl" -D /tmp/iso-data -l /tmp/iso-server.log -w \
        -o "-p $port -k /tmp -c listen_addresses=''" start >/dev/null
    rm -f test/isolation/regression.diffs
    PGHOST="$root/tmp" PGPORT=$port PGUSER=postgres make -s installcheck REGRESS= PG_CONFIG="$PG_CONFIG" ||
        { cat test/isolation/regression.diffs 2>/dev/null || true; status=1; }
    printf '    [suite] %-52s %s\n' "isolation specs (host's PostgreSQL $PG_MAJOR tester)" \
        "$([ $status = 0 ] && echo ok || echo FAILED)"
    in_chroot "$root" runuser -u postgres -- "$bin/pg_ctl" -D /tmp/iso-data -m fast -w stop >/dev/null || true
    return $status
}

run_major() {
    local major=$1 tarball root port=$((${MATRIX_PORT_BASE:-56000} + $1)) status=0
    tarball=$(chroot_tarball "$major") || return 1
    root="$MATRIX_WORK/pg$major"
    umount_chroot "$root"; rm -rf "$root"; mkdir -p "$root"
    say "PostgreSQL $major: fresh chroot from $tarball"
    tar -C "$root" -I zstd -xf "$tarball"
    mkdir -p "$root/build/orchestration_session"
    if git -C "$REPO_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$REPO_ROOT" ls-files -z -co --exclude-standard |
            tar -C "$REPO_ROOT" --null -T - -cf - | tar -C "$root/build/orchestration_session" -xf -
    else
        tar -C "$REPO_ROOT" --exclude=./results --exclude='*.o' --exclude='*.so' \
            --exclude=./test/libpq_client --exclude=./test/json/build --exclude=./.git -cf - . |
            tar -C "$root/build/orchestration_session" -xf -
    fi
    mount_chroot "$root"
    if [ -d "$REPO_ROOT/../shared/jsontestsuite" ]; then
        mkdir -p "$root/build/shared/jsontestsuite"
        mount --bind -o ro "$REPO_ROOT/../shared/jsontestsuite" "$root/build/shared/jsontestsuite"
    fi
    in_chroot "$root" env PG_MAJOR="$major" CLUSTER_PORT="$port" \
        /build/orchestration_session/tools/test-major.sh || status=1
    if [ ! -x "$root/usr/lib/postgresql/$major/lib/pgxs/src/test/isolation/pg_isolation_regress" ]; then
        isolation_from_host "$root" "$major" "$port" || status=1
    fi
    umount_chroot "$root"
    [ $status = 0 ] && rm -rf "$root"
    return $status
}

install_packages debootstrap zstd "${BUILD_PACKAGES[@]}"
mkdir -p "$MATRIX_WORK"
trap 'for m in $PG_MAJORS; do umount_chroot "$MATRIX_WORK/pg$m"; done' EXIT

summary=()
overall=0
for major in $PG_MAJORS; do
    release_of_major "$major" >/dev/null || exit 2
    start=$SECONDS
    if run_major "$major" 2>&1 | tee "$MATRIX_WORK/pg$major.log"; [ "${PIPESTATUS[0]}" = 0 ]; then
        result=ok
    else
        result="FAILED (log: $MATRIX_WORK/pg$major.log)"; overall=1
    fi
    summary+=("$(printf 'PostgreSQL %-3s %-9s %4d s  %s' "$major" "$(release_of_major "$major")" $((SECONDS - start)) "$result")")
done

say "PostgreSQL matrix"
printf '    %s\n' "${summary[@]}"
for major in $PG_MAJORS; do
    printf '\n    PostgreSQL %s:\n' "$major"
    grep -h '^    \[suite\] ' "$MATRIX_WORK/pg$major.log" 2>/dev/null | sed 's/^    \[suite\] /      /' || true
done
exit $overall
