#!/usr/bin/env bash
# bench/maintenance/scale.sh [N ...]: time and peak backend memory of one
# orchestration_session_abandon and one orchestration_session_purge call
# over N sessions (default 10000 40000 100000), each on a fresh install
# (no ANALYZE: the plans meet empty statistics, as after CREATE EXTENSION).
#   abandon: N open sessions started 2 days ago, abandon(interval '1 day')
#   purge:   N finished sessions with an entry, a transition, an exec and a
#            log line each; purge(interval '0', 1, N) (one session per batch,
#            the worst case for per-batch costs) and purge(interval '0')
# Memory: the backend's VmHWM (peak resident set) after the call minus its
# VmRSS before, from /proc; shared_buffers is 16 MB so the shared pages it
# can touch bound the error (<= 16 MB).  Run it in a throwaway cluster:
#   LANG=C.UTF-8 pg_virtualenv -t -v 15 -o shared_buffers=16MB bench/maintenance/scale.sh
# CALLS="abandon purge_one purge_default" picks the calls.
# Prints one line per call: N, call, seconds, seconds per 1000 sessions, the
# peak rise of the resident set and how much of the end's is shared buffers.
set -euo pipefail
SIZES=${*:-10000 40000 100000}
CALLS=${CALLS:-"abandon purge_one purge_default"}   # which calls to measure
want() { case " $CALLS " in *" $1 "*) return 0;; *) return 1;; esac; }
DB=maintenance_scale

measure() { # label sql: runs sql in a new backend, prints seconds and peak MB above the start
    local label=$1 sql=$2 out
    out=$(psql -X -At -d $DB <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv BPID :pid
\! awk '/^VmRSS/ {print \$2}' /proc/\$BPID/status > /tmp/scale_rss_before
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$sql
SELECT round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 2) AS secs \gset
\! awk '/^VmHWM/ {print \$2}' /proc/\$BPID/status > /tmp/scale_hwm_after
\! awk '/^RssShmem/ {print \$2}' /proc/\$BPID/status > /tmp/scale_shmem_after
\echo :secs
SQL
)
    local secs before after shmem
    secs=$(echo "$out" | tail -n 1)
    before=$(cat /tmp/scale_rss_before); after=$(cat /tmp/scale_hwm_after); shmem=$(cat /tmp/scale_shmem_after)
    printf '%8s  %-32s %8.2f s  %6.3f s/1000  peak +%6.1f MB (of which shared buffers touched %5.1f MB)\n' \
        "$N" "$label" "$secs" "$(echo "$secs * 1000 / $N" | bc -l)" \
        "$(echo "($after - $before) / 1024" | bc -l)" "$(echo "$shmem / 1024" | bc -l)"
}

for N in $SIZES; do
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    if want abandon; then
    psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
CREATE EXTENSION orchestration_session;
SELECT orchestration_device_ensure('scale', device_id => 'DEV-S');
INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at)
SELECT 'A-' || g, 'DEV-S', 'surveilr-transform-csv', '1', now() - interval '2 days' FROM generate_series(1, $N) g;
INSERT INTO orchestration_session_backend SELECT 'A-' || g, -1, now() FROM generate_series(1, $N) g;
SQL
    measure "abandon(interval '1 day')" "SELECT orchestration_session_abandon(interval '1 day') AS closed;"
    fi

    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
    for variant in one_per_batch default; do
        if [ $variant = one_per_batch ]; then want purge_one || continue; else want purge_default || continue; fi
        psql -X -q -v ON_ERROR_STOP=1 -d $DB <<SQL >/dev/null
DROP EXTENSION IF EXISTS orchestration_session CASCADE;
CREATE EXTENSION orchestration_session;
SELECT orchestration_device_ensure('scale', device_id => 'DEV-S');
SET orchestration_session.restoring = on;  -- history of sessions loaded as finished
INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at, orch_finished_at)
SELECT 'P-' || g, 'DEV-S', 'surveilr-transform-csv', '1', now() - interval '2 days', now() - interval '1 day' FROM generate_series(1, $N) g;
INSERT INTO orchestration_session_entry SELECT 'PE-' || g, 'P-' || g, 'f.csv' FROM generate_series(1, $N) g;
INSERT INTO orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state, transitioned_at)
SELECT 'PT-' || g, 'P-' || g, 'INITIAL', 'DONE', now() - interval '36 hours' FROM generate_series(1, $N) g;
INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status)
SELECT 'PX-' || g, 'SQL', 'P-' || g, 'x', 0 FROM generate_series(1, $N) g;
INSERT INTO orchestration_session_log (orchestration_session_log_id, parent_exec_id, content, sibling_order)
SELECT 'PL-' || g, 'PX-' || g, 'line', 1 FROM generate_series(1, $N) g;
SQL
        if [ $variant = one_per_batch ]; then
            measure "purge(interval '0', 1, N)" "SELECT orchestration_session_purge(interval '0', 1, $N) AS purged;"
        else
            measure "purge(interval '0')" "SELECT orchestration_session_purge(interval '0') AS purged;"
        fi
    done
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
