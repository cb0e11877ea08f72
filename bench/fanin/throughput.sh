#!/usr/bin/env bash
# bench/fanin/throughput.sh: throughput and lag of the edge-to-central fan-in
# (README: Fan-in) on this machine: edges writing full sessions at full speed
# with pgbench, a central applying them over logical replication.
#
# A benchmark, not a test: it prints numbers, it asserts nothing (beyond
# checking at the end of each configuration that the central holds, table by
# table, as many rows as the edges).
#
# Each round makes three fresh clusters in a temp dir (initdb -A trust, unix
# sockets there, shared_buffers=256MB, synchronous_commit default (on), fsync
# on; the edges wal_level=logical; max_wal_senders/max_replication_slots 10,
# max_logical_replication_workers 8, max_worker_processes 16) on ports
# FANIN_BENCH_PORT_BASE (edge_a), +1 (edge_b), +2 (central), CREATE
# EXTENSION orchestration_session in each, and measures three
# configurations, each in fresh databases:
#   merge1  1 edge (edge_a) -> central with orchestration_fanin_prepare_central()
#   merge2  2 edges (edge_a, edge_b) at once -> the same
#   base1   1 edge -> central with the extension but WITHOUT the merge
#           triggers (prepare_central not called); the device and natures are
#           made identically on both sides first and the subscription is
#           created WITH (copy_data = false), since the seeded natures would
#           collide in the initial copy without the merge rules.
# Per configuration:
#   live     every edge runs pgbench (-n -M prepared, FANIN_BENCH_CLIENTS
#            clients, FANIN_BENCH_SECONDS s; one transaction = one full
#            session lifecycle through the C functions, 13 autocommit
#            statements, as bench/sessions/c.sql plus append_log); every
#            second: the central's finished-session count, each edge's
#            pg_stat_replication lag (bytes, replay_lag) and the central's
#            orchestration_fanin_status (lag_bytes, lag); after the load, the
#            time until the central holds every finished session (drain).
#   backlog  (FANIN_BENCH_BACKLOG=1, the default) the subscription(s)
#            disabled, the edge(s) write for FANIN_BENCH_SECONDS s (nothing
#            streams), then enabled: the central's catch-up rate with the
#            edges idle, i.e. the apply capacity (walsender decoding + apply
#            worker), with and without the merge triggers, and with one or
#            two apply workers.  On a machine where the edges cannot write
#            faster than the central applies, the live run cannot show the
#            apply capacity; this does.
# CPU: utime+stime of the apply worker(s) and walsender(s) from /proc, and the
# machine's busy share from /proc/stat, over each measurement.
# Lag columns of merge2 pool the samples of both edges.
# The order of the configurations rotates from round to round; the summary
# gives each round and the medians over the rounds.
#
# Runs as root (servers as user postgres, via runuser) or as postgres.
# Usage: bench/fanin/throughput.sh
#   FANIN_BENCH_SECONDS=30 FANIN_BENCH_ROUNDS=3 FANIN_BENCH_PORT_BASE=5720 bench/fanin/throughput.sh
set -euo pipefail

BIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
[ -x "$BIN/postgres" ] || BIN=/usr/lib/postgresql/15/bin
PORT_BASE=${FANIN_BENCH_PORT_BASE:-5720}
LOAD_S=${FANIN_BENCH_SECONDS:-30}           # seconds of pgbench per measurement
ROUNDS=${FANIN_BENCH_ROUNDS:-1}             # rounds, each with three fresh clusters
CLIENTS=${FANIN_BENCH_CLIENTS:-2}           # pgbench -c and -j per edge
WARMUP_S=${FANIN_BENCH_WARMUP:-3}           # unmeasured pgbench before each live run (plans, caches)
DRAIN_TIMEOUT=${FANIN_BENCH_DRAIN_TIMEOUT:-600}
BACKLOG=${FANIN_BENCH_BACKLOG:-1}
CONFIGS=${FANIN_BENCH_CONFIGS:-"merge1 merge2 base1"}

declare -A PORT=([edge_a]=$PORT_BASE [edge_b]=$((PORT_BASE + 1)) [central]=$((PORT_BASE + 2)))
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fanin-bench.XXXXXX")
RES=$TMP/results.txt                        # round config key value
CLK_TCK=$(getconf CLK_TCK)
BG_PIDS=()

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# q NODE DB SQL: one value (or rows), unaligned, tuples only
q() { "$BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$TMP" -p "${PORT[$1]}" -U postgres -d "$2" -c "$3"; }
qf() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$TMP" -p "${PORT[$1]}" -U postgres -d "$2" "${@:3}"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { $1 }"; }
log() { printf '%s\n' "$*"; }
so_md5() { md5sum "$("$BIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/orchestration_session.so" | cut -c1-12; }

cleanup() {
    local rc=$? p n
    trap - EXIT INT TERM
    touch "$TMP/stop_sampler" 2>/dev/null || true
    for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    for n in central edge_a edge_b; do
        [ -f "$TMP/$n/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$TMP/$n" -m fast -t 60 stop >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] && chown postgres: "$TMP"
: > "$RES"

###########################################################################
# clusters

start_cluster() {  # NAME
    local n=$1 d=$TMP/$1
    as_pg "$BIN/initdb" -D "$d" -A trust -U postgres -E UTF8 --locale=C >/dev/null
    {
        echo "port = ${PORT[$n]}"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$TMP'"
        echo "shared_buffers = 256MB"
        echo "max_wal_senders = 10"
        echo "max_replication_slots = 10"
        echo "max_logical_replication_workers = 8"
        echo "max_worker_processes = 16"
        echo "log_line_prefix = '%m [%p] %b '"
        case $n in edge_*) echo "wal_level = logical";; esac
    } >> "$d/postgresql.conf"
    as_pg "$BIN/pg_ctl" -D "$d" -l "$TMP/$n.log" -w -t 60 start >/dev/null
    q "$n" postgres "CREATE EXTENSION orchestration_session" >/dev/null
}

stop_clusters() {
    local n
    for n in central edge_a edge_b; do
        [ -f "$TMP/$n/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$TMP/$n" -m fast -t 60 stop >/dev/null
        rm -rf "${TMP:?}/$n"
    done
}

# central_log_problems FROM_LINE: WARNING/ERROR/FATAL/PANIC lines of the central's log after line FROM_LINE
central_log_problems() {
    tail -n "+$(( $1 + 1 ))" "$TMP/central.log" | grep -E ' (WARNING|ERROR|FATAL|PANIC): ' || true
}
log_lines() { wc -l < "$TMP/$1.log"; }

###########################################################################
# the workload

# The same payload pool as bench/sessions/setup.sql (64 templates: ~1 KB args
# JSON, ~8 KB diagnostics JSON), in schema benchgen (not published).
edge_setup_sql() {
    cat <<'SQL'
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS orchestration_session;
CREATE SCHEMA benchgen;
CREATE TABLE benchgen.payload (p int PRIMARY KEY, args text NOT NULL, diag text NOT NULL);
INSERT INTO benchgen.payload
SELECT p,
  '{"tool":"surveilr","pattern":"/inbox/batch-' || p || '/*.csv","options":{"delimiter":",","header":true,'
  || '"encoding":"utf-8","max_errors":' || p || ',"dry_run":false},"files":['
  || (SELECT string_agg(format('{"path":"/inbox/batch-%s/%s.csv","bytes":%s}', p, md5(p || '-' || g),
                               (p * 7919 + g * 104729) % 10000000), ',')
        FROM generate_series(1, 11) g) || ']}',
  '{"status":"completed","summary":{"files":40,"rows_read":' || p * 1000 || ',"rows_rejected":' || p || '},"files":['
  || (SELECT string_agg(format('{"path":"/inbox/batch-%s/%s.csv","rows":%s,"rejected":%s,"sha256":"%s%s",'
                               '"notes":"header matched; %s columns; encoding utf-8"}',
                               p, md5(p || ':' || g), (p * 31 + g * 17) % 100000, g % 7,
                               md5(g || '/' || p), md5(p || '/' || g), 5 + g % 20), ',')
        FROM generate_series(1, 40) g) || ']}'
FROM generate_series(1, 64) p;
SELECT orchestration_nature_ensure('bench-ingest', 'Bench ingest') \g /dev/null
SELECT orchestration_fanin_publish() \g /dev/null
VACUUM ANALYZE;
SQL
}

# One session per pgbench transaction: bench/sessions/c.sql's 12 statements
# plus an append_log on the failing exec; the device (:dev, pgbench -D) is
# the edge's own, made once by orchestration_device_ensure in the setup.
cat > "$TMP/session.sql" <<'SQL'
\set r random(1, 1000000000000)
\set p random(1, 64)
SELECT orchestration_session_start(:dev::text, 'surveilr-transform-csv', '1.4.2', args_json => (SELECT '{"seq":' || :r::bigint || ',"client":' || :client_id::int || ',' || substr(args, 2) FROM benchgen.payload WHERE p = :p::int)) AS s \gset
SELECT orchestration_session_add_entry(:s, '/inbox/batch-' || :r::bigint || '/a.csv', 'uniform_resource_a') AS e1 \gset
SELECT orchestration_session_add_entry(:s, '/inbox/batch-' || :r::bigint || '/b.csv', 'uniform_resource_b') AS e2 \gset
SELECT orchestration_session_transition(:s, 'surveilr_orchestration_init', reason => 'started');
SELECT orchestration_session_transition(:s, 'surveilr_orch_progress', reason => 'file a', session_entry_id => :e1);
SELECT orchestration_session_record_exec(:s, 'SQL', 'COPY uniform_resource_a FROM ''/inbox/a.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => :e1, output_text => 'COPY 1200');
SELECT orchestration_session_record_exec(:s, 'SQL', 'COPY uniform_resource_b FROM ''/inbox/b.csv'' WITH (FORMAT csv, HEADER)', 0, session_entry_id => :e2, output_text => 'COPY 980');
SELECT orchestration_session_record_exec(:s, 'shell', 'sqlite3 stage.db < validate.sql', 1, exec_error_text => 'row 17: missing column id', output_nature => '{"format":"text"}') AS x \gset
SELECT orchestration_session_append_log(:x, 'validate.sql: row 17: missing column id', category => 'stderr');
SELECT orchestration_session_raise_issue(:s, 'Schema Validation: Missing Columns', 'column id is missing', session_entry_id => :e2, issue_row => 17, issue_column => 'id', remediation => 'add the id column');
SELECT orchestration_session_transition(:s, 'surveilr_orch_progress', reason => 'file b', session_entry_id => :e2);
SELECT orchestration_session_transition(:s, 'surveilr_orch_completed', result_json => '{"ok": true}');
SELECT orchestration_session_finish(:s, (SELECT '{"seq":' || :r::bigint || ',"client":' || :client_id::int || ',' || substr(diag, 2) FROM benchgen.payload WHERE p = :p::int));
SQL
[ "$(id -u)" = 0 ] && chown postgres: "$TMP/session.sql"

declare -A DEV                              # edge -> its device id in the current database
FINISHED_SQL="SELECT count(*) FROM orchestration_session WHERE orch_finished_at IS NOT NULL"

# setup_config CONFIG DB EDGES...: databases, publication(s), central, subscription(s), initial sync.
setup_config() {
    local cfg=$1 db=$2 e; shift 2
    for e in "$@"; do
        q "$e" postgres "CREATE DATABASE $db" >/dev/null
        edge_setup_sql | qf "$e" "$db" >/dev/null
        DEV[$e]=$(q "$e" "$db" "SELECT orchestration_device_ensure('bench-worker')")
    done
    q central postgres "CREATE DATABASE $db" >/dev/null
    q central "$db" "CREATE EXTENSION orchestration_session" >/dev/null
    if [ "$cfg" = base1 ]; then
        # No merge rules: what the subscription brings must not collide, so no
        # initial copy; the device and nature made here exactly as on the edge.
        q central "$db" "SELECT orchestration_device_ensure('bench-worker', device_id => '${DEV[edge_a]}');
                         SELECT orchestration_nature_ensure('bench-ingest', 'Bench ingest')" >/dev/null
        q central "$db" "CREATE SUBSCRIPTION edge_a CONNECTION 'host=$TMP port=${PORT[edge_a]} dbname=$db user=postgres'
                         PUBLICATION orchestration_session_fanin WITH (copy_data = false)" 2>"$TMP/err" >/dev/null ||
            { cat "$TMP/err" >&2; exit 1; }
    else
        q central "$db" "SELECT orchestration_fanin_prepare_central()" >/dev/null
        for e in "$@"; do
            q central "$db" "CREATE SUBSCRIPTION $e CONNECTION 'host=$TMP port=${PORT[$e]} dbname=$db user=postgres'
                             PUBLICATION orchestration_session_fanin" 2>"$TMP/err" >/dev/null ||
                { cat "$TMP/err" >&2; exit 1; }
        done
    fi
    for e in "$@"; do wait_streaming "$db" "$e"; done
}

# wait_streaming DB EDGE: initial copy done, apply worker running, walsender streaming.
wait_streaming() {
    local db=$1 e=$2 i
    for i in $(seq 1 300); do
        if [ "$(q central "$db" "SELECT tables_ready = tables_total AND apply_pid IS NOT NULL FROM orchestration_fanin_status WHERE edge = '$e'")" = t ] &&
           [ "$(q "$e" "$db" "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$e' AND state = 'streaming'")" = 1 ]; then
            return 0
        fi
        sleep 0.2
    done
    log "!! $e: subscription not streaming after 60 s"; q central "$db" "SELECT * FROM orchestration_fanin_status" >&2
    central_log_problems 0 | tail -20 >&2
    exit 1
}

teardown_config() {  # DB EDGES...
    local db=$1 e; shift
    for e in "$@"; do q central "$db" "DROP SUBSCRIPTION $e" >/dev/null 2>&1; done
    q central postgres "DROP DATABASE $db WITH (FORCE)" >/dev/null
    for e in "$@"; do q "$e" postgres "DROP DATABASE $db WITH (FORCE)" >/dev/null; done
}

###########################################################################
# measurement helpers

cpu_ticks() {  # PID -> utime + stime (clock ticks), or empty
    [ -n "$1" ] && [ -r "/proc/$1/stat" ] && sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }' || true
}
# cluster_ticks NODE: CPU ticks of a whole server so far: the postmaster, its live children, and
# (cutime + cstime) the children that have exited; differences over an interval are exact
cluster_ticks() {
    local pm c sum=0 t
    pm=$(head -1 "$TMP/$1/postmaster.pid")
    sum=$(sed 's/^.*) //' "/proc/$pm/stat" | awk '{ print $12 + $13 + $14 + $15 }')
    for c in $(ps -o pid= --ppid "$pm"); do t=$(cpu_ticks "$c"); sum=$(( sum + ${t:-0} )); done
    echo "$sum"
}
clusters_ticks() { local n; for n in edge_a edge_b central; do printf '%s ' "$(cluster_ticks "$n")"; done; }
# clusters_pct "T0S" "T1S" SECONDS -> "edge_a X, edge_b Y, central Z" (% of one core)
clusters_pct() {
    awk -v a="$1" -v b="$2" -v s="$3" -v hz="$CLK_TCK" 'BEGIN { split(a, x, " "); split(b, y, " ")
        printf "edge_a %.0f, edge_b %.0f, central %.0f", (y[1] - x[1]) * 100 / hz / s, (y[2] - x[2]) * 100 / hz / s, (y[3] - x[3]) * 100 / hz / s }'
}
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit }' /proc/stat; }  # busy idle
apply_pid() { q central "$1" "SELECT pid FROM pg_stat_subscription WHERE subname = '$2' AND relid IS NULL"; }
walsender_pid() { q "$2" "$1" "SELECT pid FROM pg_stat_replication WHERE application_name = '$2'"; }
# cpu_pct T0_TICKS T1_TICKS SECONDS: % of one core
cpu_pct() { if [ -n "$1" ] && [ -n "$2" ]; then calc "printf \"%.0f\", ($2 - $1) * 100 / $CLK_TCK / $3"; else echo NA; fi; }

# sampler OUT DB EDGES...: one line a second until $TMP/stop_sampler exists:
#   t=<epoch> n=<central finished sessions> <edge>.b=<edge lag bytes> <edge>.s=<replay_lag s>
#   st.<edge>.b=<status lag_bytes> st.<edge>.s=<status lag s>      (NA for NULL/missing)
sampler() {
    local out=$1 db=$2 e t line; shift 2
    while [ ! -e "$TMP/stop_sampler" ]; do
        t=$(now)
        for e in "$@"; do
            q "$e" "$db" "SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text, 'NA') || ' ' ||
                                 coalesce(extract(epoch FROM replay_lag)::text, 'NA')
                          FROM pg_stat_replication WHERE application_name = '$e'" > "$TMP/sample.$e" 2>/dev/null &
        done
        q central "$db" "SELECT ($FINISHED_SQL) || ' ' || coalesce(string_agg('st.' || edge || '.b=' || coalesce(lag_bytes::text, 'NA')
                                 || ' st.' || edge || '.s=' || coalesce(extract(epoch FROM lag)::text, 'NA'), ' '), '')
                         FROM orchestration_fanin_status" > "$TMP/sample.central" 2>/dev/null &
        wait
        line="t=$t n=$(cut -d' ' -f1 "$TMP/sample.central")"
        for e in "$@"; do
            read -r b s < "$TMP/sample.$e" || true
            line+=" $e.b=${b:-NA} $e.s=${s:-NA}"; b=; s=
        done
        line+=" $(cut -s -d' ' -f2- "$TMP/sample.central")"
        echo "$line" >> "$out"
        sleep "$(calc "d = $t + 1 - $(now); printf \"%.3f\", (d > 0 ? d : 0)")"
    done
}

# stats FILE KEYREGEX T0 T1: "median max n" of the values of the matching keys in [T0, T1] (NA skipped)
stats() {
    awk -v re="^($2)\$" -v t0="$3" -v t1="$4" '{
            split($1, tt, "="); if (tt[2] < t0 || tt[2] > t1) next
            for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ re && kv[2] != "NA" && kv[2] != "") print kv[2] }
        }' "$1" | sort -g | awk '{ v[n++] = $1 } END { if (!n) { print "NA NA 0"; exit }
            m = (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2; print m, v[n - 1], n }'
}

res() { printf '%s %s %s %s\n' "$ROUND" "$CFG" "$1" "$2" >> "$RES"; }

# run_pgbench EDGE DB SECONDS OUT (background-able)
run_pgbench() {
    "$BIN/pgbench" -n -M prepared -f "$TMP/session.sql" -D dev="${DEV[$1]}" -c "$CLIENTS" -j "$CLIENTS" -T "$3" \
        -h "$TMP" -p "${PORT[$1]}" -U postgres "$2" > "$4" 2>&1
}
pgbench_tps() { sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$1"; }
pgbench_check() {  # OUT LABEL
    if grep -q -E 'aborted|error|FATAL' "$1" || [ -z "$(pgbench_tps "$1")" ]; then
        cat "$1" >&2; log "!! pgbench failed: $2"; exit 1
    fi
}

# wait_caught_up DB TARGET TIMEOUT: seconds until the central holds TARGET finished sessions; "timeout" if never
wait_caught_up() {
    local db=$1 target=$2 limit=$3 t0 n
    t0=$(now)
    while :; do
        n=$(q central "$db" "$FINISHED_SQL")
        [ "$n" -ge "$target" ] && { now; return 0; }
        if calc "exit !($(now) - $t0 > $limit)"; then echo timeout; return 0; fi
        sleep 0.2
    done
}

# wait_catchup DB TARGET C0 TIMEOUT: "T_FIRST N_FIRST T_DONE": when the central first held more than
# C0 finished sessions (N_FIRST of them), and when it held TARGET; "timeout" if never
wait_catchup() {
    local db=$1 target=$2 c0=$3 limit=$4 t0 t n tf="" nf=""
    t0=$(now)
    while :; do
        n=$(q central "$db" "$FINISHED_SQL"); t=$(now)
        [ -z "$tf" ] && [ "$n" -gt "$c0" ] && { tf=$t; nf=$n; }
        [ "$n" -ge "$target" ] && { echo "${tf:-$t} ${nf:-$n} $t"; return 0; }
        if calc "exit !($t - $t0 > $limit)"; then echo timeout; return 0; fi
        sleep 0.1
    done
}

# check_counts DB EDGES...: the central holds as many rows of each session table as the edges together
check_counts() {
    local db=$1 e t sum c i ok; shift
    for i in $(seq 1 150); do
        ok=1
        for t in orchestration_session orchestration_session_entry orchestration_session_state \
                 orchestration_session_exec orchestration_session_issue orchestration_session_log; do
            sum=0
            for e in "$@"; do sum=$(( sum + $(q "$e" "$db" "SELECT count(*) FROM $t") )); done
            c=$(q central "$db" "SELECT count(*) FROM $t")
            [ "$c" = "$sum" ] || { ok=0; break; }
        done
        [ $ok = 1 ] && { log "   check: every session table on the central has the edges' row count (sessions: $c)"; return 0; }
        sleep 0.2
    done
    log "!! check: $t has $c rows on the central, $sum on the edges"
}

###########################################################################
# live DB EDGES...: all edges write for LOAD_S seconds at once; sample; drain.
live() {
    local db=$1 e i t0 t1 t2 c0 c1 etot=0 tps sum_tps=0 tpsl="" lsn1 walkb=0 pids=() \
          m0 m1 apct="" wpct="" drain drain_sps n
    local -A APID WPID AT0 WT0 LSN0 E0
    shift
    # warm-up, then wait until the central has it all
    for e in "$@"; do run_pgbench "$e" "$db" "$WARMUP_S" "$TMP/warmup.$e" & pids+=($!); BG_PIDS+=($!); done
    for i in "${pids[@]}"; do wait "$i" || true; done; pids=(); BG_PIDS=()
    for e in "$@"; do pgbench_check "$TMP/warmup.$e" "warm-up $e"; etot=$(( etot + $(q "$e" "$db" "$FINISHED_SQL") )); done
    [ "$(wait_caught_up "$db" "$etot" "$DRAIN_TIMEOUT")" = timeout ] && { log "!! central did not catch up with the warm-up"; exit 1; }
    for e in "$@" central; do q "$e" "$db" CHECKPOINT >/dev/null; done
    sleep 1
    c0=$(q central "$db" "$FINISHED_SQL"); etot=0
    for e in "$@"; do
        E0[$e]=$(q "$e" "$db" "$FINISHED_SQL"); LSN0[$e]=$(q "$e" "$db" "SELECT pg_current_wal_lsn()")
        APID[$e]=$(apply_pid "$db" "$e"); WPID[$e]=$(walsender_pid "$db" "$e")
        AT0[$e]=$(cpu_ticks "${APID[$e]}"); WT0[$e]=$(cpu_ticks "${WPID[$e]}")
    done
    rm -f "$TMP/stop_sampler" "$TMP/samples"
    read -r m0 mi0 < <(machine_ticks); local k0 k1; k0=$(clusters_ticks)
    t0=$(now)
    sampler "$TMP/samples" "$db" "$@" & BG_PIDS+=($!); local spid=$!
    for e in "$@"; do run_pgbench "$e" "$db" "$LOAD_S" "$TMP/pgbench.$e" & pids+=($!); BG_PIDS+=($!); done
    for i in "${pids[@]}"; do wait "$i" || true; done
    t1=$(now)
    read -r m1 mi1 < <(machine_ticks); k1=$(clusters_ticks)
    c1=$(q central "$db" "$FINISHED_SQL")
    for e in "$@"; do
        pgbench_check "$TMP/pgbench.$e" "$e"
        AT1=$(cpu_ticks "${APID[$e]}"); WT1=$(cpu_ticks "${WPID[$e]}")
        apct+="${apct:+/}$(cpu_pct "${AT0[$e]}" "$AT1" "$(calc "print $t1 - $t0")")"
        wpct+="${wpct:+/}$(cpu_pct "${WT0[$e]}" "$WT1" "$(calc "print $t1 - $t0")")"
        tps=$(pgbench_tps "$TMP/pgbench.$e"); tpsl+="${tpsl:+ + }$(calc "printf \"%.1f\", $tps")"
        sum_tps=$(calc "print $sum_tps + $tps")
        n=$(q "$e" "$db" "$FINISHED_SQL"); etot=$(( etot + n ))
        lsn1=$(q "$e" "$db" "SELECT pg_current_wal_lsn()")
        walkb=$(q "$e" "$db" "SELECT round(pg_wal_lsn_diff('$lsn1', '${LSN0[$e]}') / 1024.0 / $(( n - ${E0[$e]} )), 1)")
    done
    t2=$(wait_caught_up "$db" "$etot" "$DRAIN_TIMEOUT")
    touch "$TMP/stop_sampler"; wait "$spid" || true; BG_PIDS=()
    local etot0=0; for e in "$@"; do etot0=$(( etot0 + ${E0[$e]} )); done
    local sessions=$(( etot - etot0 )) el; el=$(calc "print $t1 - $t0")
    if [ "$t2" = timeout ]; then
        drain=timeout; drain_sps=NA; applied=NA
        log "!! the central did not catch up within ${DRAIN_TIMEOUT}s after the load: $(q central "$db" "$FINISHED_SQL") of $etot finished sessions"
        q central "$db" "SELECT edge, apply_pid, received_lsn, applied_lsn, lag_bytes, lag, apply_error_count, conflicts, last_error FROM orchestration_fanin_status"
    else
        drain=$(calc "printf \"%.1f\", $t2 - $t1")
        applied=$(calc "printf \"%.1f\", $sessions / ($t2 - $t0)")
        drain_sps=$(calc "d = $t2 - $t1; printf (d >= 2 ? \"%.1f\" : \"NA\"), ($etot - $c1) / d")
    fi
    local central_sps; central_sps=$(calc "printf \"%.1f\", ($c1 - $c0) / $el")
    local busy; busy=$(calc "printf \"%.0f\", ($m1 - $m0) * 100 / (($m1 - $m0) + ($mi1 - $mi0))")
    local edge_keys="" sep=""
    for e in "$@"; do edge_keys+="$sep$e"; sep="|"; done
    read -r eb_med eb_max eb_n < <(stats "$TMP/samples" "($edge_keys)[.]b" "$t0" "$t1")
    read -r es_med es_max _ < <(stats "$TMP/samples" "($edge_keys)[.]s" "$t0" "$t1")
    read -r sb_med sb_max sb_n < <(stats "$TMP/samples" "st[.]($edge_keys)[.]b" "$t0" "$t1")
    read -r ss_med ss_max _ < <(stats "$TMP/samples" "st[.]($edge_keys)[.]s" "$t0" "$t1")
    read -r dEB dEBmax _ < <(stats "$TMP/samples" "($edge_keys)[.]b" "$t1" "9e99")
    read -r dES dESmax _ < <(stats "$TMP/samples" "($edge_keys)[.]s" "$t1" "9e99")
    res edge_sps "$(calc "printf \"%.1f\", $sum_tps")"; res central_sps "$central_sps"; res applied_sps "$applied"
    res drain_s "$drain"; res drain_sps "$drain_sps"; res backlog_at_end "$(( etot - c1 ))"
    res edge_lag_b_med "$eb_med"; res edge_lag_b_max "$eb_max"; res edge_lag_s_med "$es_med"; res edge_lag_s_max "$es_max"
    res st_lag_b_med "$sb_med"; res st_lag_b_max "$sb_max"; res st_lag_s_med "$ss_med"; res st_lag_s_max "$ss_max"
    local kp; kp=$(clusters_pct "$k0" "$k1" "$el")
    res apply_cpu "$apct"; res walsender_cpu "$wpct"; res machine_busy "$busy"; res wal_kb "$walkb"
    res servers_cpu "$(tr -d ' ,' <<<"$kp" | sed 's/edge_a/a:/; s/edge_b/,b:/; s/central/,c:/')"
    log "   live: ${el%.*}s of pgbench ($CLIENTS clients per edge), $sessions sessions finished on the edges"
    if calc "exit !($el > $LOAD_S + 5)"; then
        log "   !! pgbench -T $LOAD_S took ${el%.*}s of wall time (connections stalled: the host): this run's central rate and lag cover the stall"
        res stalled 1
    fi
    log "     edge sessions/s: $tpsl = $(calc "printf \"%.1f\", $sum_tps") (latency avg $(grep -h 'latency average' "${@/#/$TMP/pgbench.}" 2>/dev/null | sed 's/latency average = //' | paste -sd/)); WAL ${walkb} KB/session (last edge)"
    log "     central: $central_sps sessions/s during the load ($(( c1 - c0 )) of $sessions), behind by $(( etot - c1 )) at the end;"
    log "       drained in $drain s (at $drain_sps sessions/s); applied $applied sessions/s from start to caught up"
    log "     lag during the load (${eb_n} edge samples, ${sb_n} status samples), median / max:"
    log "       edge pg_stat_replication: $(fmt_b "$eb_med") / $(fmt_b "$eb_max"), replay_lag $(fmt_s "$es_med") / $(fmt_s "$es_max")"
    log "       central fanin_status:     $(fmt_b "$sb_med") / $(fmt_b "$sb_max"), lag        $(fmt_s "$ss_med") / $(fmt_s "$ss_max")"
    log "       (edge view after the load, during the drain: $(fmt_b "$dEB") / $(fmt_b "$dEBmax"), replay_lag $(fmt_s "$dES") / $(fmt_s "$dESmax"))"
    log "     CPU during the load (% of one core): apply worker(s) $apct, walsender(s) $wpct; whole servers: $kp;"
    log "       machine busy ${busy}% of $(nproc) cores (the rest: pgbench, the sampler's psql, anything else on the host)"
    cp "$TMP/samples" "$TMP/samples.$ROUND.$CFG"
}

fmt_b() { [ "$1" = NA ] && { echo NA; return; }; calc "printf \"%.1f kB\", $1 / 1024"; }
fmt_s() { [ "$1" = NA ] && { echo NA; return; }; calc "printf \"%.3f s\", $1"; }

# backlog DB EDGES...: subscriptions off, LOAD_S of writes on every edge at once, subscriptions on:
# the central's catch-up (apply) rate with the edges idle.
backlog() {
    local db=$1 e i c0 n=0 t0 t1 tps sum_tps=0 m0 m1 mi0 mi1 pids=() apct="" wpct="" el
    local -A AP WP A0 W0
    shift
    for e in "$@"; do q central "$db" "ALTER SUBSCRIPTION $e DISABLE" >/dev/null; done
    for e in "$@"; do
        for i in $(seq 1 100); do [ -z "$(apply_pid "$db" "$e")" ] && [ -z "$(walsender_pid "$db" "$e")" ] && break; sleep 0.2; done
    done
    c0=$(q central "$db" "$FINISHED_SQL")
    for e in "$@"; do run_pgbench "$e" "$db" "$LOAD_S" "$TMP/backlog.$e" & pids+=($!); BG_PIDS+=($!); done
    for i in "${pids[@]}"; do wait "$i" || true; done; BG_PIDS=()
    for e in "$@"; do
        pgbench_check "$TMP/backlog.$e" "backlog $e"
        sum_tps=$(calc "print $sum_tps + $(pgbench_tps "$TMP/backlog.$e")")
        n=$(( n + $(q "$e" "$db" "$FINISHED_SQL") ))
    done
    for e in "$@" central; do q "$e" "$db" CHECKPOINT >/dev/null; done
    read -r m0 mi0 < <(machine_ticks); local k0 k1; k0=$(clusters_ticks)
    t0=$(now)
    # one transaction: the launcher starts the workers of subscriptions enabled at once together
    # (a second ENABLE a moment later waits wal_retrieve_retry_interval, 5 s, for its worker)
    local en=""; for e in "$@"; do en+="ALTER SUBSCRIPTION $e ENABLE; "; done
    q central "$db" "BEGIN; $en COMMIT" >/dev/null
    for e in "$@"; do
        for i in $(seq 1 200); do
            AP[$e]=$(apply_pid "$db" "$e"); WP[$e]=$(walsender_pid "$db" "$e")
            [ -n "${AP[$e]}" ] && [ -n "${WP[$e]}" ] && break; sleep 0.05
        done
        A0[$e]=$(cpu_ticks "${AP[$e]}"); W0[$e]=$(cpu_ticks "${WP[$e]}")
    done
    local tf nf; read -r tf nf t1 < <(wait_catchup "$db" "$n" "$c0" "$DRAIN_TIMEOUT")
    [ "$tf" = timeout ] && t1=timeout
    [ "$t1" = timeout ] || el=$(calc "print $t1 - $t0")
    for e in "$@"; do
        [ "$t1" = timeout ] && break
        apct+="${apct:+/}$(cpu_pct "${A0[$e]}" "$(cpu_ticks "${AP[$e]}")" "$el")"
        wpct+="${wpct:+/}$(cpu_pct "${W0[$e]}" "$(cpu_ticks "${WP[$e]}")" "$el")"
    done
    read -r m1 mi1 < <(machine_ticks); k1=$(clusters_ticks)
    res nostream_edge_sps "$(calc "printf \"%.1f\", $sum_tps")"
    if [ "$t1" = timeout ]; then
        res catchup_sps NA
        log "!! backlog: the central did not catch up within ${DRAIN_TIMEOUT}s: $(q central "$db" "$FINISHED_SQL") of $n"
        q central "$db" "SELECT edge, apply_pid, received_lsn, applied_lsn, lag_bytes, lag, apply_error_count, conflicts, last_error FROM orchestration_fanin_status"
        return
    fi
    local sps busy; sps=$(calc "printf \"%.1f\", ($n - $c0) / $el")
    busy=$(calc "printf \"%.0f\", ($m1 - $m0) * 100 / (($m1 - $m0) + ($mi1 - $mi0))")
    # the steady rate: from the first session applied (the worker started, connected, decoding) to the last
    local steady; steady=$(calc "d = $t1 - $tf; printf (d > 0.5 ? \"%.1f\" : \"NA\"), ($n - $nf) / d")
    res catchup_sps "$sps"; res catchup_steady_sps "$steady"; res catchup_s "$(calc "printf \"%.1f\", $el")"
    res catchup_start_s "$(calc "printf \"%.2f\", $tf - $t0")"
    res catchup_apply_cpu "$apct"; res catchup_walsender_cpu "$wpct"; res catchup_machine_busy "$busy"
    log "   backlog: subscription(s) disabled, the edge(s) alone wrote $(calc "printf \"%.1f\", $sum_tps") sessions/s for ${LOAD_S}s ($(( n - c0 )) sessions);"
    log "     enabled: caught up in $(calc "printf \"%.1f\", $el") s = $sps sessions/s applied; first session applied after $(calc "printf \"%.2f\", $tf - $t0") s, then $steady sessions/s"
    local kp; kp=$(clusters_pct "$k0" "$k1" "$el")
    res catchup_servers_cpu "$(tr -d ' ,' <<<"$kp" | sed 's/edge_a/a:/; s/edge_b/,b:/; s/central/,c:/')"
    log "     CPU during the catch-up (% of one core): apply worker(s) $apct, walsender(s) $wpct; whole servers: $kp; machine busy ${busy}%"
}

###########################################################################
log "== fan-in throughput: edges -> central over logical replication"
log "nproc: $(nproc)"
log "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
log "kernel: $(uname -r)   date: $(date -u +%FT%TZ)   load before: $(cut -d' ' -f1-3 /proc/loadavg)"
log "settings: ${LOAD_S}s per measurement, $CLIENTS pgbench clients (-j $CLIENTS) per edge, -M prepared, $ROUNDS round(s), ports ${PORT[edge_a]}/${PORT[edge_b]}/${PORT[central]}"

read -r -a ALL <<< "$CONFIGS"
for ROUND in $(seq 1 "$ROUNDS"); do
    log ""
    log "== round $ROUND: three fresh clusters"
    start_cluster edge_a; start_cluster edge_b; start_cluster central
    log "installed .so: $(so_md5)"
    if [ "$ROUND" = 1 ]; then
        log "server: $(q central postgres 'SELECT version()')"
        log "extension: $(q central postgres "SELECT extversion FROM pg_extension WHERE extname = 'orchestration_session'")"
        log "central: $(q central postgres "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','wal_level','max_logical_replication_workers','max_worker_processes','max_replication_slots','max_wal_senders')")"
        log "edges:   $(q edge_a postgres "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','synchronous_commit','fsync','wal_level','max_replication_slots','max_wal_senders')")"
    fi
    n=${#ALL[@]}
    for i in $(seq 0 $(( n - 1 ))); do
        CFG=${ALL[$(( (i + ROUND - 1) % n ))]}
        case $CFG in merge2) EDGES=(edge_a edge_b);; *) EDGES=(edge_a);; esac
        DB=bench_${CFG}
        log ""
        log "-- round $ROUND, $CFG: ${EDGES[*]} -> central, $( [ "$CFG" = base1 ] && echo 'WITHOUT merge triggers (copy_data = false)' || echo 'merge triggers on (orchestration_fanin_prepare_central)')"
        L0=$(log_lines central); SO0=$(so_md5)
        setup_config "$CFG" "$DB" "${EDGES[@]}"
        live "$DB" "${EDGES[@]}"
        if [ "$BACKLOG" = 1 ]; then backlog "$DB" "${EDGES[@]}"; fi
        check_counts "$DB" "${EDGES[@]}"
        log "   central: $(q central "$DB" "SELECT 'conflicts ' || coalesce(sum(conflicts), 0) || ', apply errors ' || coalesce(sum(apply_error_count), 0) FROM orchestration_fanin_status"), devices $(q central "$DB" 'SELECT count(*) FROM device'), aliases $(q central "$DB" 'SELECT count(*) FROM orchestration_fanin_device_alias'), natures $(q central "$DB" 'SELECT count(*) FROM orchestration_nature')"
        P=$(central_log_problems "$L0")
        if [ -n "$P" ]; then
            log "   central log: $(wc -l <<<"$P") WARNING/ERROR lines, the first 10:"; head -10 <<<"$P" | sed 's/^/     /'
        else
            log "   central log: no WARNING/ERROR/FATAL"
        fi
        [ "$(so_md5)" = "$SO0" ] || { log "   !! the installed .so changed during this configuration ($SO0 -> $(so_md5)): mixed builds"; res so_changed 1; }
        teardown_config "$DB" "${EDGES[@]}"
    done
    stop_clusters
done

###########################################################################
# summary: medians over the rounds
med() {  # CFG KEY -> median over rounds ("NA" if none)
    awk -v c="$1" -v k="$2" '$2 == c && $3 == k && $4 != "NA" && $4 != "timeout" { print $4 }' "$RES" | sort -g |
        awk '{ v[n++] = $1 } END { if (!n) { print "NA"; exit } print (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 }'
}
all_of() { awk -v c="$1" -v k="$2" '$2 == c && $3 == k { printf "%s%s", (n++ ? " " : ""), $4 } END { print "" }' "$RES"; }
kb() { [ "$1" = NA ] && echo NA || calc "printf \"%.1f\", $1 / 1024"; }
s2() { [ "$1" = NA ] && echo NA || calc "printf \"%.3f\", $1"; }

log ""
log "== summary: medians over $ROUNDS round(s) (each round's values in the raw lines above)"
log ""
log "| configuration | edge sessions/s | central sessions/s during load | applied sessions/s (start to caught up) | drain s | edge lag kB median / max | edge replay_lag s median / max | status lag_bytes kB median / max | status lag s median / max | catch-up sessions/s (edges idle) | catch-up, steady |"
log "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for CFG in merge1 merge2 base1; do
    case " $CONFIGS " in *" $CFG "*) ;; *) continue;; esac
    case $CFG in merge1) label="1 edge, merge";; merge2) label="2 edges, merge";; base1) label="1 edge, no merge (baseline)";; esac
    log "| $label | $(med $CFG edge_sps) | $(med $CFG central_sps) | $(med $CFG applied_sps) | $(med $CFG drain_s) | $(kb "$(med $CFG edge_lag_b_med)") / $(kb "$(med $CFG edge_lag_b_max)") | $(s2 "$(med $CFG edge_lag_s_med)") / $(s2 "$(med $CFG edge_lag_s_max)") | $(kb "$(med $CFG st_lag_b_med)") / $(kb "$(med $CFG st_lag_b_max)") | $(s2 "$(med $CFG st_lag_s_med)") / $(s2 "$(med $CFG st_lag_s_max)") | $(med $CFG catchup_sps) | $(med $CFG catchup_steady_sps) |"
done
log ""
log "per round (edge sessions/s; central sessions/s during load; drain s; catch-up sessions/s):"
for CFG in merge1 merge2 base1; do
    case " $CONFIGS " in *" $CFG "*) ;; *) continue;; esac
    log "  $CFG: edge [$(all_of $CFG edge_sps)]  central [$(all_of $CFG central_sps)]  drain [$(all_of $CFG drain_s)]  catch-up [$(all_of $CFG catchup_sps)]  steady [$(all_of $CFG catchup_steady_sps)]  first applied after s [$(all_of $CFG catchup_start_s)]"
    log "         live: apply worker CPU % [$(all_of $CFG apply_cpu)]  walsender CPU % [$(all_of $CFG walsender_cpu)]  servers % [$(all_of $CFG servers_cpu)]  machine busy % [$(all_of $CFG machine_busy)]  WAL KB/session [$(all_of $CFG wal_kb)]"
    log "         backlog: edge(s) alone, not streaming, sessions/s [$(all_of $CFG nostream_edge_sps)]  catch-up s [$(all_of $CFG catchup_s)]  apply worker CPU % [$(all_of $CFG catchup_apply_cpu)]  walsender CPU % [$(all_of $CFG catchup_walsender_cpu)]  servers % [$(all_of $CFG catchup_servers_cpu)]  machine busy % [$(all_of $CFG catchup_machine_busy)]"
done
if case " $CONFIGS " in *" merge1 "*" base1 "*|*" base1 "*" merge1 "*) true;; *) false;; esac; then
    # ratio per round (both configurations ran in the same round, on the same clusters), then the median
    ratio() {  # KEY [A B] -> "median (min..max)" of A/B (default merge1/base1) per round
        awk -v k="$1" -v a="${2:-merge1}" -v b="${3:-base1}" '$3 == k && $4 != "NA" && $4 != "timeout" { v[$2, $1] = $4; r[$1] = 1 }
            END { for (x in r) if (((a, x) in v) && ((b, x) in v) && v[b, x] > 0) print v[a, x] / v[b, x] }' "$RES" |
            sort -g | awk '{ v[n++] = $1 } END { if (!n) { print "NA"; exit }
                printf "%.2f (%.2f..%.2f)", (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1] }'
    }
    log ""
    log "merge / baseline, 1 edge, per round then median (min..max):"
    log "  central's applied rate during the load:   $(ratio central_sps)"
    log "  applied, start to caught up:              $(ratio applied_sps)"
    log "  catch-up rate with the edge idle:         $(ratio catchup_sps)   <- the apply capacity"
    log "  catch-up, steady (from the first applied): $(ratio catchup_steady_sps)"
    log "  edge's own rate:                          $(ratio edge_sps)"
fi
if case " $CONFIGS " in *" merge1 "*" merge2 "*|*" merge2 "*" merge1 "*) true;; *) false;; esac; then
    log ""
    log "2 edges / 1 edge, with merge, per round then median (min..max):"
    log "  edges' rate together:                     $(ratio edge_sps merge2 merge1)"
    log "  central's applied rate during the load:   $(ratio central_sps merge2 merge1)"
    log "  catch-up rate (two apply workers / one):  $(ratio catchup_sps merge2 merge1)"
    log "  catch-up, steady:                         $(ratio catchup_steady_sps merge2 merge1)"
fi
log ""
log "done: $(date -u +%FT%TZ)   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
