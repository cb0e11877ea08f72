#!/usr/bin/env bash
# bench/direct_sql/run.sh: what the history guard costs direct SQL and the
# functions, 1.1 against 1.2 on the same (installed) library: two databases,
# CREATE EXTENSION ... VERSION '1.1' (AFTER guards only: every direct row
# checked in full) and VERSION '1.2' (BEFORE lock triggers plus the AFTER
# guards, links verified once per transaction).  Each client writes its own
# open session (BD-<client>, exec BDX-<client>), so clients do not queue.
#   direct.sql     1 entry + 10 log lines + 5 transitions by plain INSERT, one transaction
#   functions.sql  the same rows through the lifecycle functions
#   bulk.sql       1000 log lines in one INSERT ... SELECT (as a COPY would)
# Phases (PHASES, default "inserver pgbench"), ROUNDS rounds each (default
# 6), the databases alternating (in the order of VERSIONS, default
# "1.1 1.2", in odd rounds, the other way in even ones):
#   inserver  CALL bench_<script>_loop(N) (inserver.sql; N = INSERVER_N,
#             default 5000 transactions, BULK_N = 50 for bulk):
#             microseconds per transaction, of the wall clock and of the
#             backend's CPU time (/proc, user + system: what other jobs on
#             the machine disturb least)
#   pgbench   pgbench -n -M prepared -c CLIENTS (default 1) -T DURATION
#             (default 15): transactions per second
# synchronous_commit = off in the databases, so that the commit's WAL flush
# does not hide the CPU cost.  Prints each run, then per phase and script
# the median of each version and, for two, the median and range of the
# per-round ratios, second over first (of tps; of microseconds for
# inserver).  VERSIONS=1.2 alone serves comparisons of two builds, each in
# its own cluster.  Run it in a throwaway cluster (TMPDIR=/dev/shm: its data
# on tmpfs, away from the disk's stalls):
#   TMPDIR=/dev/shm LANG=C.UTF-8 pg_virtualenv -t -v 15 bench/direct_sql/run.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-1}
SCRIPTS=${SCRIPTS:-"direct functions bulk"}
PHASES=${PHASES:-"inserver pgbench"}
INSERVER_N=${INSERVER_N:-5000}
BULK_N=${BULK_N:-50}            # inserver transactions of the bulk script
VERSIONS=${VERSIONS:-"1.1 1.2"}  # one database each (one alone: its medians only)
TAGS=$(for v in $VERSIONS; do echo -n "${v/./} "; done)
REVERSED=$(echo $TAGS | tr ' ' '\n' | tac | tr '\n' ' ')
PGBENCH=$("${PG_CONFIG:-pg_config}" --bindir)/pgbench
RESULTS=$(mktemp)
TICKS=$(mktemp)
trap 'rm -f "$RESULTS" "$TICKS" "$TICKS".*' EXIT

for v in $VERSIONS; do
    db=bench_direct_${v/./}
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    psql -X -q -v ON_ERROR_STOP=1 -d $db <<SQL >/dev/null
SET client_min_messages = warning;
CREATE EXTENSION orchestration_session VERSION '$v';
ALTER DATABASE $db SET synchronous_commit = off;
SELECT orchestration_device_ensure('bench-direct', device_id => 'DEV-BD');
SELECT orchestration_session_start('DEV-BD', 'surveilr-transform-csv', '1', session_id => 'BD-' || c),
       orchestration_session_record_exec('BD-' || c, 'SQL', 'x', 0, exec_id => 'BDX-' || c)
FROM generate_series(0, $CLIENTS - 1) c;
SQL
    psql -X -q -v ON_ERROR_STOP=1 -d $db -f "$HERE/inserver.sql"
done
echo "# $(psql -X -At -d postgres -c 'SELECT version()'); databases: $VERSIONS"
echo "# phases: $PHASES; rounds=$ROUNDS; inserver: $INSERVER_N transactions per call; pgbench: ${DURATION}s, $CLIENTS client(s); synchronous_commit=off"

run_inserver() { # db script: wall-clock and backend CPU microseconds per transaction of one CALL
    local n=$INSERVER_N
    [ "$2" = bulk ] && n=$BULK_N
    psql -X -At -d "$1" <<SQL | tail -n 1
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
\! awk '{print \$14 + \$15}' /proc/\$BPID/stat > $TICKS.0
CALL bench_$2_loop($n);
SELECT round(((extract(epoch FROM clock_timestamp()) - :t0) * 1e6 / $n)::numeric, 1) AS wall \gset
\! awk '{print \$14 + \$15}' /proc/\$BPID/stat > $TICKS.1
\echo :wall
SQL
    echo " $(( ($(cat $TICKS.1) - $(cat $TICKS.0)) * 1000000 / $(getconf CLK_TCK) / n ))"
}
run_pgbench() { # db script
    "$PGBENCH" -n -M prepared -c "$CLIENTS" -T "$DURATION" -f "$HERE/$2.sql" -d "$1" 2>&1 |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

for s in $SCRIPTS; do   # warm-up: plans, caches
    for v in $TAGS; do
        "$PGBENCH" -n -M prepared -c "$CLIENTS" -T 3 -f "$HERE/$s.sql" -d bench_direct_$v >/dev/null 2>&1
        psql -X -q -d bench_direct_$v -c "CALL bench_${s}_loop(10)"
    done
done
for phase in $PHASES; do
    for r in $(seq 1 "$ROUNDS"); do
        if [ $((r % 2)) = 1 ]; then order=$TAGS; else order=$REVERSED; fi
        for s in $SCRIPTS; do
            for v in $order; do
                if [ "$phase" = inserver ]; then
                    read -r wall cpu <<<"$(run_inserver bench_direct_$v $s | tr '\n' ' ')"
                    echo "inserver_wall round $r $s $v $wall" | tee -a "$RESULTS"
                    echo "inserver_cpu round $r $s $v $cpu" | tee -a "$RESULTS"
                else
                    echo "$phase round $r $s $v $(run_$phase bench_direct_$v $s)" | tee -a "$RESULTS"
                fi
            done
        done
    done
done

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for phase in ${PHASES/inserver/inserver_wall inserver_cpu}; do
    unit=tps; [ "$phase" != pgbench ] && unit="us/transaction"
    for s in $SCRIPTS; do
        line=$(printf '%-13s %-9s %s median:' "$phase" "$s" "$unit")
        for v in $TAGS; do
            line+=$(printf ' %s %.1f' "$v" "$(awk -v p=$phase -v s=$s -v v=$v '$1 == p && $4 == s && $5 == v {print $6}' "$RESULTS" | median)")
        done
        set -- $TAGS
        if [ $# = 2 ]; then
            ratios=$(awk -v p=$phase -v s=$s -v a=$1 -v b=$2 '$1 == p && $4 == s {t[$3, $5] = $6}
                END {for (k in t) {split(k, q, SUBSEP); if (q[2] == b) print t[q[1], b] / t[q[1], a]}}' "$RESULTS")
            line+=$(printf '; %s/%s per round: median %.3f (%.3f-%.3f)' "$2" "$1" "$(echo "$ratios" | median)" \
                "$(echo "$ratios" | sort -g | head -n 1)" "$(echo "$ratios" | sort -g | tail -n 1)")
        fi
        echo "$line"
    done
done
for v in $TAGS; do psql -X -q -d postgres -c "DROP DATABASE bench_direct_$v"; done
