#!/usr/bin/env bash
# bench/sessions/run.sh: session-lifecycle throughput of the extension's C
# functions vs hand-written PL/pgSQL vs plain client SQL (pgbench), the same
# at scale (a table family filled with SCALE_N sessions, time-ordered ULID vs
# random UUID ids, index sizes), and plans/timings of the reporting queries
# and of orchestration_session_purge on the filled tables.
#
# A benchmark, not a test: it prints numbers, it asserts nothing.
# It creates its own throwaway cluster (initdb in $BENCH_DIR, port $PGPORT,
# shared_buffers=1GB, max_wal_size=8GB, checkpoint_timeout=30min,
# synchronous_commit=on, fsync on), and stops and removes it at the end.
# As root the server runs as user postgres (runuser); otherwise as the caller.
# The extension must be installed (make && make install).
#
# Usage: bench/sessions/run.sh                       # everything, ~70 min on 2 cores
#   DURATION=30 RUNS=3 SCALE_DURATION=20 SCALE_N=2000000 PHASES="throughput scale plans" bench/sessions/run.sh
# Phases: throughput (12 autocommit statements per session), throughput_tx
# (the same in one transaction per session), inserver (the 12 calls in a
# server-side loop: the work without round trips and commits), scale
# (ULID and UUID fills), scale_ulid (ULID only), plans (EXPLAIN + purge on
# the filled ULID tables).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
BENCH_DIR=${BENCH_DIR:-/var/tmp/benchpg}
export PGPORT=${PGPORT:-5498} PGHOST=$BENCH_DIR PGUSER=postgres
DURATION=${DURATION:-30}            # seconds per pgbench run, phase 1
SCALE_DURATION=${SCALE_DURATION:-20} # seconds per pgbench run, phase 2
RUNS=${RUNS:-3}                     # interleaved runs per configuration
SCALE_N=${SCALE_N:-2000000}         # sessions in the filled tables
PHASES=${PHASES:-"throughput throughput_tx inserver scale plans"}
# pgbench protocol: prepared (named server-side statements, as drivers that
# prepare do: JDBC after a few executions, pgx, Rails) or extended (unnamed
# statements, parsed and planned on every execution with bound parameters,
# as node-postgres does by default; psycopg2's text interpolation over the
# simple protocol pays the same parse and plan each time).  The C and PL/pgSQL
# functions' own statements stay prepared inside the server either way.
# (simple would paste the ids into the SQL text unquoted: not usable here.)
MODE=${MODE:-prepared}
RAW=$BENCH_DIR/raw.txt

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psqlx() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
has_phase() { case " $PHASES " in *" $1 "*) return 0;; esac; return 1; }

if [ -e "$BENCH_DIR" ]; then echo "$BENCH_DIR exists: remove it or set BENCH_DIR" >&2; exit 1; fi
mkdir -p "$BENCH_DIR"
[ "$(id -u)" = 0 ] && chown postgres: "$BENCH_DIR"
cleanup() {
    as_pg "$BIN/pg_ctl" -D "$BENCH_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$BENCH_DIR"
}
trap cleanup EXIT
as_pg "$BIN/initdb" -D "$BENCH_DIR/data" -A trust -U postgres -E UTF8 --locale=C >/dev/null
as_pg "$BIN/pg_ctl" -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w -o \
    "-p $PGPORT -k $BENCH_DIR -c listen_addresses='' -c shared_buffers=1GB -c max_wal_size=8GB \
     -c checkpoint_timeout=30min -c synchronous_commit=on -c fsync=on" start >/dev/null
: > "$RAW"; [ "$(id -u)" = 0 ] && chown postgres: "$RAW"

echo "== machine"
echo "nproc: $(nproc)"
echo "cpu: $(lscpu | grep 'Model name' | sed 's/.*: *//')"
echo "server: $(psqlx -d postgres -Atc 'SELECT version()')"
echo "settings: $(psqlx -d postgres -Atc "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers','max_wal_size','checkpoint_timeout','synchronous_commit','fsync','wal_sync_method')")"
echo "date: $(date -u +%FT%TZ)   load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# new_db NAME: a database with the extension, plbench and the payload pool.
new_db() {
    psqlx -d postgres -c "CREATE DATABASE $1"
    psqlx -d "$1" -f "$HERE/setup.sql" >/dev/null
    psqlx -d "$1" -f "$HERE/fill_ids.sql" >/dev/null 2>&1
}

# bench LABEL DB SCRIPT CLIENTS SECONDS RUN: one pgbench run, appended to $RAW.
bench() {
    local label=$1 db=$2 script=$3 c=$4 t=$5 run=$6 out tps lsn0 lsn1 n wal
    psqlx -d "$db" -c CHECKPOINT
    lsn0=$(psqlx -d "$db" -Atc 'SELECT pg_current_wal_lsn()')
    case $script in /*) ;; *) script=$HERE/$script;; esac
    out=$("$BIN/pgbench" -n -M "$MODE" -f "$script" -c "$c" -j "$c" -T "$t" "$db" 2>&1) || true
    lsn1=$(psqlx -d "$db" -Atc 'SELECT pg_current_wal_lsn()')
    if grep -q -E 'aborted|error' <<<"$out"; then echo "$out" >&2; echo "pgbench failed: $label" >&2; exit 1; fi
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' <<<"$out")
    n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
    wal=$(psqlx -d "$db" -Atc "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / 1024.0 / $n, 1)")
    printf '%s %s %s %s %s\n' "$label" "$c" "$run" "$tps" "$wal" >> "$RAW"
    printf '   %-11s c=%s run %s: %7.1f sessions/s  %6.1f KB WAL/session  (%s)\n' "$label" "$c" "$run" "$tps" "$wal" "$(grep 'latency average' <<<"$out")"
}

# median_of [spread]: the median of the numbers on stdin ("nan" if none);
# with "spread", "median (min..max)" to two decimals.
median_of() {
    sort -g | awk -v spread="${1:-}" '{ v[n++] = $1 } END { if (!n) { print "nan"; exit }
        m = (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        if (spread) printf "%.2f (%.2f..%.2f)", m, v[0], v[n - 1]; else print m }'
}
median() {  # label clients [column] -> median of column (4: sessions/s, 5: WAL KB/session) from $RAW
    awk -v l="$1" -v c="$2" -v k="${3:-4}" '$1 == l && $2 == c { print $k }' "$RAW" | median_of
}
spread() {  # label clients -> "min..max"
    awk -v l="$1" -v c="$2" '$1 == l && $2 == c { if (!n++ || $4 < lo) lo = $4; if ($4 > hi) hi = $4 }
        END { printf "%.0f..%.0f", lo, hi }' "$RAW"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# round_ratio A B clients -> "median (min..max)" of A/B over the runs, each run's
# A divided by the same run's B: the two ran back to back, so a slow spell of
# the shared host moves both and cancels (a ratio of medians does not).
round_ratio() {
    awk -v a="$1" -v b="$2" -v c="$3" '$2 == c && ($1 == a || $1 == b) { v[$1, $3] = $4; r[$3] = 1 }
        END { for (k in r) if (((a, k) in v) && ((b, k) in v)) print v[a, k] / v[b, k] }' "$RAW" | median_of spread
}

###########################################################################
# throughput DB SUFFIX DIR: the scripts DIR/{c,plpgsql,plain,floor}.sql, interleaved, at 1 and 2
# clients; labels c$SUFFIX, plpgsql$SUFFIX, plain$SUFFIX, floor$SUFFIX; then the tables.
VARIANTS=(c plpgsql plain floor)
throughput() {
    local db=$1 sfx=$2 dir=$3 c run v i mc mp ms
    new_db "$db"
    for c in 1 2; do
        # warm-up (not counted): plans, caches
        for v in "${VARIANTS[@]}"; do "$BIN/pgbench" -n -M "$MODE" -f "$dir/$v.sql" -c "$c" -j "$c" -T 3 "$db" >/dev/null 2>&1; done
        for run in $(seq 1 "$RUNS"); do
            # the order rotates from run to run, so no variant always follows the same one
            for i in "${!VARIANTS[@]}"; do
                v=${VARIANTS[$(( (i + run - 1) % ${#VARIANTS[@]} ))]}
                bench "$v$sfx" "$db" "$dir/$v.sql" "$c" "$DURATION" "$run"
            done
        done
    done
    echo
    echo "clients | C sessions/s (min..max) | PL/pgSQL sessions/s | plain SQL sessions/s | C/PLpgSQL | C/plain"
    echo "--------|-------------------------|---------------------|----------------------|-----------|--------"
    for c in 1 2; do
        mc=$(median "c$sfx" "$c"); mp=$(median "plpgsql$sfx" "$c"); ms=$(median "plain$sfx" "$c")
        printf '%7s | %8.1f (%s) | %8.1f (%s) | %8.1f (%s) | %9s | %7s\n' "$c" \
            "$mc" "$(spread "c$sfx" "$c")" "$mp" "$(spread "plpgsql$sfx" "$c")" "$ms" "$(spread "plain$sfx" "$c")" \
            "$(ratio "$mc" "$mp")" "$(ratio "$mc" "$ms")"
    done
    echo "(medians of $RUNS runs; statements/s = 12 x sessions/s; targets: C/PLpgSQL >= 1.30, C/plain >= 1.00)"
    echo
    echo "The same ratios taken run by run (each run's C over the same run's other variant), median (min..max):"
    echo "clients | C/PLpgSQL per run        | C/plain per run"
    for c in 1 2; do
        printf '%7s | %-24s | %s\n' "$c" "$(round_ratio "c$sfx" "plpgsql$sfx" "$c")" "$(round_ratio "c$sfx" "plain$sfx" "$c")"
    done
    echo
    echo "The floor (floor.sql: 12 one-row INSERTs into a bare table, in the same transaction shape; none"
    echo "of the work) and each variant's time above it (client-seconds per session: clients / tps):"
    echo "clients | floor sessions/s (min..max) | floor/PLpgSQL = best C/PLpgSQL possible | us/session above floor: C | PL/pgSQL | plain | PL/C | plain/C"
    echo "--------|-----------------------------|-----------------------------------------|---------------------------|----------|-------|------|--------"
    for c in 1 2; do
        mf=$(median "floor$sfx" "$c"); mc=$(median "c$sfx" "$c"); mp=$(median "plpgsql$sfx" "$c"); ms=$(median "plain$sfx" "$c")
        awk -v f="$mf" -v c="$mc" -v p="$mp" -v s="$ms" -v n="$c" -v sp="$(spread "floor$sfx" "$c")" 'BEGIN {
            # per-session time above the floor, in client-seconds: clients / tps
            ac = n * 1e6 * (1 / c - 1 / f); ap = n * 1e6 * (1 / p - 1 / f); as = n * 1e6 * (1 / s - 1 / f)
            printf "%7s | %8.1f (%s) | %39.2f | %25.0f | %8.0f | %5.0f | %4.2f | %.2f\n", n, f, sp, f / p, ac, ap, as, ap / ac, as / ac }'
    done
    echo "WAL KB/session (median, c=1 / c=2): C $(median "c$sfx" 1 5) / $(median "c$sfx" 2 5), PL/pgSQL $(median "plpgsql$sfx" 1 5) / $(median "plpgsql$sfx" 2 5), plain $(median "plain$sfx" 1 5) / $(median "plain$sfx" 2 5)"
    psqlx -d "$db" -P pager=off -c "SELECT count(*) AS sessions, count(*) FILTER (WHERE orch_finished_at IS NULL) AS open,
        (SELECT count(*) FROM orchestration_session_state) AS transitions,
        (SELECT count(*) FROM orchestration_session_state s WHERE s.from_state <> 'INITIAL' AND s.from_state IS DISTINCT FROM
           (SELECT p.to_state FROM orchestration_session_state p WHERE p.session_id = s.session_id AND p.transitioned_at < s.transitioned_at
             ORDER BY p.transitioned_at DESC LIMIT 1)) AS broken_links,
        round(avg(length(args_json))) AS avg_args_bytes, round(avg(length(diagnostics_json))) AS avg_diag_bytes
        FROM orchestration_session"
}

if has_phase throughput; then
    echo
    echo "== phase 1: one session lifecycle per pgbench transaction (start, 2 entries, 4 transitions,"
    echo "   3 execs, 1 issue, finish = 12 statements, each its own autocommit transaction;"
    echo "   ~1 KB args_json, ~8 KB diagnostics_json); pgbench tps = sessions/s;"
    echo "   -M $MODE, ${DURATION}s per run, $RUNS runs interleaved c, plpgsql, plain, floor (order rotated each run)"
    throughput tput "" "$HERE"
fi

# The same 12 statements in one transaction per session (BEGIN ... COMMIT):
# one commit instead of 12, so the work inside the server weighs more.
if has_phase throughput_tx; then
    echo
    echo "== phase 1b: the same lifecycle, one transaction per session (BEGIN; 12 statements; COMMIT)"
    echo "   -M $MODE, ${DURATION}s per run, $RUNS runs interleaved c, plpgsql, plain, floor (order rotated each run)"
    mkdir -p "$BENCH_DIR/tx"
    for v in "${VARIANTS[@]}"; do
        awk '/^\\set|^--/ { print; next } !begun { print "BEGIN;"; begun = 1 } { print } END { print "COMMIT;" }' \
            "$HERE/$v.sql" > "$BENCH_DIR/tx/$v.sql"
    done
    throughput tput_tx _tx "$BENCH_DIR/tx"
fi

# The work inside the server alone: the 12 calls in one server-side loop
# (bench/sessions/inserver.sql), no round trips, no commits.
if has_phase inserver; then
    echo
    echo "== phase 1c: inside the server, microseconds per session (benchgen.lifecycles, 400 sessions"
    echo "   per call in one transaction, $RUNS interleaved calls per variant, medians)"
    new_db inserver
    psqlx -d inserver -f "$HERE/inserver.sql" >/dev/null
    for v in c plpgsql plain; do psqlx -d inserver -Atc "SELECT benchgen.lifecycles('$v', 100)" >/dev/null; done
    for run in $(seq 1 "$RUNS"); do
        for v in c plpgsql plain; do
            us=$(psqlx -d inserver -Atc "SELECT round(benchgen.lifecycles('$v', 400)::numeric, 1)")
            printf '%s 0 %s %s 0\n' "in_$v" "$run" "$us" >> "$RAW"
            printf '   %-8s run %s: %7.1f us/session\n' "$v" "$run" "$us"
        done
        psqlx -d inserver -c VACUUM
    done
    ic=$(median in_c 0); ip=$(median in_plpgsql 0); is=$(median in_plain 0)
    echo
    echo "C $ic us, PL/pgSQL $ip us, plain $is us per session; PL/pgSQL / C $(ratio "$ip" "$ic"), plain / C $(ratio "$is" "$ic")"
fi

###########################################################################
if has_phase scale; then
    echo
    echo "== phase 2: the C lifecycle on empty tables vs tables holding $SCALE_N sessions"
    new_db empty_ulid
    new_db empty_uuid
    for kind in ulid uuid; do
        new_db "scale_$kind"
        echo "-- fill scale_$kind: $SCALE_N sessions, ids $kind"
        t0=$(date +%s)
        psqlx -d "scale_$kind" -v n="$SCALE_N" -v kind="$kind" -f "$HERE/fill.sql" >/dev/null
        echo "   fill + VACUUM ANALYZE + CHECKPOINT: $(( $(date +%s) - t0 )) s"
    done
    echo
    echo "-- primary-key and session_id index sizes after the fill (MB)"
    for kind in ulid uuid; do
        psqlx -d "scale_$kind" -At -F' ' -c "SELECT '$kind', c.relname, round(pg_relation_size(c.oid) / 1048576.0, 1)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'i' AND (c.relname LIKE '%pkey' OR c.relname LIKE '%session_idx')
              AND c.relname LIKE 'orchestration_session%' ORDER BY 2" >> "$BENCH_DIR/sizes.txt"
    done
    join -j 1 <(awk '$1=="ulid"{print $2, $3}' "$BENCH_DIR/sizes.txt" | sort) \
              <(awk '$1=="uuid"{print $2, $3}' "$BENCH_DIR/sizes.txt" | sort) |
        awk 'BEGIN { printf "%-45s | %9s | %9s | %s\n", "index", "ULID MB", "UUID MB", "UUID/ULID"; print "----------------------------------------------|-----------|-----------|----------" }
             { printf "%-45s | %9.1f | %9.1f | %.2f\n", $1, $2, $3, $3 / $2; tu += $2; tv += $3 }
             END { printf "%-45s | %9.1f | %9.1f | %.2f\n", "total", tu, tv, tv / tu }'
    echo
    echo "-- C lifecycle, ${SCALE_DURATION}s per run, $RUNS runs interleaved over 4 configurations"
    for c in 1 2; do
        for db in empty_ulid:c.sql scale_ulid:c.sql empty_uuid:c_uuid.sql scale_uuid:c_uuid.sql; do
            "$BIN/pgbench" -n -M "$MODE" -f "$HERE/${db#*:}" -c "$c" -j "$c" -T 3 "${db%%:*}" >/dev/null 2>&1
        done
        for run in $(seq 1 "$RUNS"); do
            for db in empty_ulid:c.sql scale_ulid:c.sql empty_uuid:c_uuid.sql scale_uuid:c_uuid.sql; do
                bench "${db%%:*}" "${db%%:*}" "${db#*:}" "$c" "$SCALE_DURATION" "$run"
            done
        done
    done
    echo
    echo "clients | ULID empty | ULID $SCALE_N | filled/empty | UUID empty | UUID $SCALE_N | filled/empty | ULID/UUID filled"
    echo "--------|------------|--------------|--------------|------------|--------------|--------------|-----------------"
    for c in 1 2; do
        a=$(median empty_ulid "$c"); b=$(median scale_ulid "$c"); d=$(median empty_uuid "$c"); e=$(median scale_uuid "$c")
        printf '%7s | %10.1f | %12.1f | %12s | %10.1f | %12.1f | %12s | %s\n' "$c" "$a" "$b" "$(ratio "$b" "$a")" \
            "$d" "$e" "$(ratio "$e" "$d")" "$(ratio "$b" "$e")"
    done
    echo "(sessions/s, medians of $RUNS runs; target: filled/empty >= 0.85 for the C functions' own ULIDs)"
    echo
    echo "clients | WAL KB/session: ULID empty | ULID $SCALE_N | UUID empty | UUID $SCALE_N   (medians; each run starts right after a CHECKPOINT)"
    for c in 1 2; do
        printf '%7s | %26s | %12s | %10s | %s\n' "$c" "$(median empty_ulid "$c" 5)" "$(median scale_ulid "$c" 5)" "$(median empty_uuid "$c" 5)" "$(median scale_uuid "$c" 5)"
    done
    echo
    echo "-- primary-key and session_id index sizes after the runs (MB)"
    for kind in ulid uuid; do
        psqlx -d "scale_$kind" -At -F' ' -c "SELECT '$kind', sum(pg_relation_size(c.oid)) / 1048576 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'i' AND (c.relname LIKE '%pkey' OR c.relname LIKE '%session_idx')
              AND c.relname LIKE 'orchestration_session%'"
    done
fi

###########################################################################
# ULID only (when the disk cannot hold both id kinds at the target size):
# PHASES="scale_ulid plans" SCALE_N=10000000 bench/sessions/run.sh
if has_phase scale_ulid; then
    echo
    echo "== phase 2 (ULID only): the C lifecycle on empty tables vs tables holding $SCALE_N sessions"
    new_db empty_ulid
    new_db scale_ulid
    echo "-- fill scale_ulid: $SCALE_N sessions, ids ulid"
    t0=$(date +%s)
    psqlx -d scale_ulid -v n="$SCALE_N" -v kind=ulid -f "$HERE/fill.sql" >/dev/null
    echo "   fill + VACUUM ANALYZE + CHECKPOINT: $(( $(date +%s) - t0 )) s"
    psqlx -d scale_ulid -At -c "SELECT 'rows: ' || (SELECT count(*) FROM orchestration_session) || ' sessions, '
        || pg_size_pretty(pg_database_size(current_database())) || ' database'"
    echo "-- C lifecycle, ${SCALE_DURATION}s per run, $RUNS runs interleaved"
    for c in 1 2; do
        for db in empty_ulid scale_ulid; do
            "$BIN/pgbench" -n -M "$MODE" -f "$HERE/c.sql" -c "$c" -j "$c" -T 3 "$db" >/dev/null 2>&1
        done
        for run in $(seq 1 "$RUNS"); do
            for db in empty_ulid scale_ulid; do
                bench "$db" "$db" c.sql "$c" "$SCALE_DURATION" "$run"
            done
        done
    done
    echo
    echo "clients | ULID empty | ULID $SCALE_N | filled/empty"
    echo "--------|------------|--------------|-------------"
    for c in 1 2; do
        a=$(median empty_ulid "$c"); b=$(median scale_ulid "$c")
        printf '%7s | %10.1f | %12.1f | %s\n' "$c" "$a" "$b" "$(ratio "$b" "$a")"
    done
    echo "(sessions/s, medians of $RUNS runs; target: filled/empty >= 0.85)"
fi

###########################################################################
if has_phase plans; then
    db=scale_ulid
    echo
    echo "== phase 3: plans on $db ($(psqlx -d $db -Atc 'SELECT count(*) FROM orchestration_session') sessions)"
    x=$(psqlx -d $db -Atc "SELECT orchestration_session_id FROM orchestration_session WHERE orch_finished_at IS NOT NULL ORDER BY orch_started_at OFFSET (SELECT count(*) / 2 FROM orchestration_session) LIMIT 1")
    for q in \
        "SELECT * FROM orchestration_session_summary WHERE orchestration_session_id = '$x'" \
        "SELECT orchestration_session_id, orch_started_at, orchestration_nature_id FROM orchestration_session WHERE device_id = 'bench-dev-1' AND orch_finished_at IS NULL"; do
        echo
        echo "-- $q"
        # one connection: warm-up, the plan, then 5 more timings (a new backend would also time
        # its own catalog-cache loading and the first compilation of orchestration_diagnostics_status)
        printf '%s\n' "$q \\g /dev/null" "EXPLAIN (ANALYZE, BUFFERS) $q;" \
            "SELECT 'execution times of 5 more runs (ms, same connection):';" \
            "EXPLAIN (ANALYZE, FORMAT JSON) $q;" "EXPLAIN (ANALYZE, FORMAT JSON) $q;" "EXPLAIN (ANALYZE, FORMAT JSON) $q;" \
            "EXPLAIN (ANALYZE, FORMAT JSON) $q;" "EXPLAIN (ANALYZE, FORMAT JSON) $q;" |
            psqlx -d $db -P pager=off -P footer=off -P tuples_only=on | grep -v '^ *\[\|^ *\]\|^ *[{}]' |
            sed 's/^ *"Execution Time": \([0-9.]*\).*/   \1/' | grep -v '^ *"' | grep -v '^ *$'
    done
    echo
    echo "-- orchestration_session_purge: ~1% of the sessions (the oldest finished ones), batch 10000"
    ago=$(psqlx -d $db -Atc "SELECT extract(epoch FROM now() - percentile_disc(0.01) WITHIN GROUP (ORDER BY orch_finished_at))::bigint FROM orchestration_session")
    psqlx -d $db -Atc "SELECT 'sessions to purge: ' || count(*) FROM orchestration_session WHERE orch_finished_at < now() - make_interval(secs => $ago)"
    purge_timed() {  # older_than seconds -> "sessions seconds"
        psqlx -d $db -At <<SQL | tail -1
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT orchestration_session_purge(make_interval(secs => $1), 10000) AS n \gset
SELECT :n || ' ' || round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 2);
SQL
    }
    for p in "first ~1%:$ago" "next ~1% (7 more days):$((ago - 86400 * 7))"; do
        t=$(purge_timed "${p#*:}"); n=${t% *}; s=${t#* }
        echo "   purge ${p%%:*}: $n sessions in $s s = $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.0f", n/s}') sessions/s = $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.0f", 12*n/s}') rows/s (each session has 11 child/backend rows)"
    done
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)   date: $(date -u +%FT%TZ)"
