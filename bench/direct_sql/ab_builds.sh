#!/usr/bin/env bash
# bench/direct_sql/ab_builds.sh OLD_TREE NEW_TREE: the in-server phase of
# run.sh (VERSIONS=1.2: each tree's own 1.2) for two builds of the
# extension, alternating (old first in odd rounds), each build in its own
# copy of PostgreSQL 15 and a throwaway cluster with its data on tmpfs.
# PostgreSQL finds its share and lib directories relative to its binaries,
# so a copy of /usr/lib/postgresql/15 and /usr/share/postgresql/15 under
# another root works as a second installation; each tree is installed
# there with make install DESTDIR=ROOT.  As root (initdb runs as postgres).
#   git worktree add /tmp/os-before HEAD && make -C /tmp/os-before
#   ROUNDS=6 bench/direct_sql/ab_builds.sh /tmp/os-before .
# Prints each run (old|new, round, then run.sh's line), then per measure and
# script the medians and the per-round new/old ratios.
set -euo pipefail
OLD_TREE=$(cd "$1" && pwd); NEW_TREE=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-6}
PORT=${PORT:-56550}
WORK=$(mktemp -d /dev/shm/ab_builds.XXXX)
RESULTS=$WORK/results
trap 'rm -rf "$WORK"' EXIT
for t in old new; do
    mkdir -p $WORK/$t/usr/lib/postgresql $WORK/$t/usr/share/postgresql
    cp -a /usr/lib/postgresql/15 $WORK/$t/usr/lib/postgresql/
    cp -a /usr/share/postgresql/15 $WORK/$t/usr/share/postgresql/
    tree=$OLD_TREE; [ $t = new ] && tree=$NEW_TREE
    make -s -C "$tree" install DESTDIR=$WORK/$t >/dev/null
done
chmod a+rx "$WORK"
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
    for t in $order; do
        bin=$WORK/$t/usr/lib/postgresql/15/bin
        data=$WORK/data-$t; mkdir "$data"; chown postgres "$data"
        runuser -u postgres -- $bin/initdb -D "$data/db" -A trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        runuser -u postgres -- $bin/pg_ctl -D "$data/db" -o "-p $PORT -k $data -c listen_addresses=''" -l "$data/log" -w start >/dev/null
        PGHOST=$data PGPORT=$PORT PGUSER=postgres VERSIONS=1.2 ROUNDS=1 PHASES=inserver "$HERE/run.sh" 2>/dev/null |
            grep ' round ' | sed "s/^/$t $r /" | tee -a "$RESULTS"
        runuser -u postgres -- $bin/pg_ctl -D "$data/db" -m fast -w stop >/dev/null
        rm -rf "$data"
    done
done
median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for m in inserver_wall inserver_cpu; do
    for s in $(awk -v m=$m '$3 == m {print $6}' "$RESULTS" | sort -u); do
        old=$(awk -v m=$m -v s=$s '$1 == "old" && $3 == m && $6 == s {print $8}' "$RESULTS" | median)
        new=$(awk -v m=$m -v s=$s '$1 == "new" && $3 == m && $6 == s {print $8}' "$RESULTS" | median)
        ratios=$(awk -v m=$m -v s=$s '$3 == m && $6 == s {t[$2, $1] = $8} END {for (k in t) {split(k, q, SUBSEP); if (q[2] == "new") print t[q[1], "new"] / t[q[1], "old"]}}' "$RESULTS")
        printf '%-13s %-9s us/transaction median: old %.1f new %.1f; new/old per round: median %.3f (%.3f-%.3f)\n' "$m" "$s" "$old" "$new" \
            "$(echo "$ratios" | median)" "$(echo "$ratios" | sort -g | head -n 1)" "$(echo "$ratios" | sort -g | tail -n 1)"
    done
done
