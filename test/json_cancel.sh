#!/usr/bin/env bash
# test/json_cancel.sh: a cancel or statement_timeout stops every JSON
# function of the extension within a bounded time, on every path, however
# large the document.
#
# For each SQL function and path, a document of 300-400 MB is built by the
# planner: the function is called as f(CASE WHEN random() >= 0 THEN <document
# expression> END) in a PL/pgSQL function, whose cached plan keeps the
# document folded to a constant (repeat(), ||, casts are immutable; the CASE
# on random() keeps f itself from being folded).  The first call plans (and
# runs) it, the second measures the uncancelled run (the "full" time: what a
# cancel would wait for if the path did not poll), and the third runs with
# statement_timeout set: from the first byte of that statement only our code
# runs on a document already in memory.  The PL/pgSQL function catches the
# 57014 and returns clock_timestamp() - statement_timestamp(): the time from
# the statement's start (when the timeout is armed) until the error arrived.
#
# The bound: the timeout (100 ms) + 200 ms, i.e. under 300 ms in all.  The
# core polls every 256 KB, which is well under 5 ms on every path (the
# slowest, counting EUC_JP characters one by one, reads >= 100 MB/s), so
# nearly all of the 200 ms is headroom for the error's unwinding (freeing a
# nesting stack of up to 19 MB, rolling back the subtransaction) and for a
# loaded machine (the test suites run in parallel on 2 cores).  Without the
# polling, the error waits for the end of the "full" run, 0.4-2 s here
# (printed with each case).
#
# Paths whose work comes after a validation pass (line/column counting of
# json_error_position and json_error_message, the member scan of
# orchestration_diagnostics_status) are aimed at: json_valid() on the same
# document is timed first, and the timeout is set half-way between its time
# and the function's full time, so it expires in the later pass; the bound
# is then that timeout + 200 ms.  The last case cancels with
# pg_cancel_backend() from a second connection instead, 50 ms into the run;
# the latency is from the cancel to the error.
#
# The trigger case includes PostgreSQL's copy of the 300 MB value into the
# new row before the trigger runs (tens of ms, not interruptible).
#
# Not covered, because it is PostgreSQL's own code: detoasting.  A large
# compressed or out-of-line argument is decompressed / fetched before the
# function starts, and neither can be interrupted by the extension; that is
# why the documents here are constants of the plan and not table rows.
#
# Uses the libpq environment (PGHOST, PGPORT, PGUSER; a superuser: it creates
# C functions); creates and drops its own databases; prints ok / not ok lines
# and each latency; exits 1 on any failure.  Needs ~2 GB of memory for the
# backend (the planner's copies of a 400 MB document) and ~40 s.
set -euo pipefail

MAINT=${PGDATABASE:-postgres}
DB=json_cancel_test
DB_EUC=json_cancel_test_euc
SLACK_MS=${JSON_CANCEL_SLACK_MS:-200}
OUT=$(mktemp)
WORK=$(mktemp -d)
cleanup() {
    psql -X -q -d "$MAINT" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    psql -X -q -d "$MAINT" -c "DROP DATABASE IF EXISTS $DB_EUC" >/dev/null 2>&1 || true
    rm -rf "$OUT" "$WORK"
}
trap cleanup EXIT

setup_db() {   # name encoding
    psql -X -q -v ON_ERROR_STOP=1 -d "$MAINT" -c "DROP DATABASE IF EXISTS $1" 2>/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -d "$MAINT" \
        -c "CREATE DATABASE $1 ENCODING '$2' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<'SQL'
CREATE EXTENSION orchestration_session;
-- the C function (whatever the install script declares orchestration_diagnostics_status as)
CREATE FUNCTION test_status(text) RETURNS text
    AS '$libdir/orchestration_session', 'orchestration_diagnostics_status' LANGUAGE C IMMUTABLE STRICT;
CREATE TABLE docs (doc text);
ALTER TABLE docs ALTER doc SET STORAGE EXTERNAL;
CREATE TRIGGER docs_json BEFORE INSERT ON docs
    FOR EACH ROW EXECUTE FUNCTION orchestration_json_columns_check('doc');
SQL
}

# make_runner CALL: a PL/pgSQL function jc_run(mode) returning (ms, state, at)
# that evaluates CALL (an expression of d, or INSERT: the trigger) on the
# document DOC, or json_valid(d) when mode = 0 (to time the validation pass
# before the path aimed at).  The document is folded once, into the generic
# plan of the one statement (OFFSET 0 keeps the subquery, so the constant is
# not copied into each use of d).
make_runner() {
    local body
    if [ "$1" = INSERT ]; then
        body="INSERT INTO docs SELECT d FROM (SELECT CASE WHEN random() >= 0 THEN $DOC END AS d OFFSET 0) s"
    else
        body="PERFORM CASE WHEN mode = 0 THEN json_valid(d)::text ELSE ($1)::text END
              FROM (SELECT CASE WHEN random() >= 0 THEN $DOC END AS d OFFSET 0) s"
    fi
    cat <<SQL
SET plan_cache_mode = force_generic_plan;
CREATE OR REPLACE FUNCTION jc_run(mode int, OUT ms float8, OUT state text, OUT at timestamptz)
LANGUAGE plpgsql AS \$f\$
BEGIN
    BEGIN
        $body;
        state := 'finished';
    EXCEPTION WHEN invalid_text_representation THEN    -- the trigger's 22P02 (uncancelled)
        state := SQLSTATE;
    END;
    ms := extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000;
    at := clock_timestamp();
EXCEPTION WHEN query_canceled THEN                      -- also one that arrives after the inner block
    ms := extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000;
    at := clock_timestamp();
    state := SQLSTATE;
END \$f\$;
SQL
}

report() {   # what full_ms timeout_ms ms state
    local what=$1 full=$2 timeout=$3 ms=$4 state=$5
    local bound=$((timeout + SLACK_MS))
    local line
    line=$(printf '%s: cancelled after %.0f ms (statement_timeout %d ms, bound %d ms; uncancelled run %.0f ms)' \
        "$what" "$ms" "$timeout" "$bound" "$full")
    if [ "$state" != 57014 ]; then
        echo "not ok - $what: expected 57014, got $state after $ms ms (uncancelled run $full ms)" | tee -a "$OUT"
    elif awk -v m="$ms" -v b="$bound" 'BEGIN { exit !(m < b) }'; then
        echo "ok - $line" | tee -a "$OUT"
    else
        echo "not ok - $line" | tee -a "$OUT"
    fi
    awk -v f="$full" -v b="$bound" 'BEGIN { exit !(f < b) }' &&
        printf '# note: %s: the uncancelled run (%.0f ms) ends within the bound, so this case cannot tell a missing poll
'             "$what" "$full"
    return 0
}

# timed_case db what CALL [aim]: aim = 1 sets the timeout half-way between
# the json_valid pass and the end of CALL (see the header).
timed_case() {
    local db=$1 what=$2 call=$3 aim=${4:-0}
    {
        echo '\set ON_ERROR_STOP 1'
        echo '\pset tuples_only on'
        echo '\pset format unaligned'
        make_runner "$call"
        echo "SELECT ms FROM jc_run(1);"                # plans (folds the document) and runs once
        if [ "$aim" = 1 ]; then
            echo "SELECT ms AS before_ms FROM jc_run(0) \\gset"
        fi
        echo "SELECT ms AS full_ms FROM jc_run(1) \\gset"
        if [ "$aim" = 1 ]; then
            echo "SELECT greatest(100, round(:before_ms + (:full_ms - :before_ms) / 2))::int AS timeout_ms \\gset"
        else
            echo "\\set timeout_ms 100"
        fi
        echo "SET statement_timeout = :timeout_ms;"
        echo "SELECT 'result', :full_ms, :timeout_ms, ms, state FROM jc_run(1);"
    } >"$WORK/case.sql"
    local row
    row=$(PGCLIENTENCODING=UTF8 psql -X -q -d "$db" -f "$WORK/case.sql" 2>&1 | grep '^result|' | tail -n1) || true
    if [ -z "$row" ]; then
        echo "not ok - $what: the case did not run" | tee -a "$OUT"
        return 0
    fi
    IFS='|' read -r _ full timeout ms state <<<"$row"
    report "$what" "$full" "$timeout" "$ms" "$state"
}

# cancel_case db what CALL: pg_cancel_backend() 50 ms into the run.
cancel_case() {
    local db=$1 what=$2 call=$3
    {
        echo '\set ON_ERROR_STOP 1'
        echo '\pset tuples_only on'
        echo '\pset format unaligned'
        make_runner "$call"
        echo "SELECT ms FROM jc_run(1);"
        echo "SELECT 'full', ms FROM jc_run(1);"
        echo "SELECT 'result', ms, state, at FROM jc_run(1) /* victim */;"
    } >"$WORK/victim.sql"
    PGAPPNAME=json_cancel_victim psql -X -q -d "$db" -f "$WORK/victim.sql" >"$WORK/victim.out" 2>&1 &
    local victim=$!
    local cancel_at
    cancel_at=$(psql -X -q -At -d "$db" <<'SQL'
DO $$
DECLARE
    target int;
BEGIN
    -- wait (at most 60 s) until the victim's measured run has been going for 50 ms
    FOR i IN 1 .. 6000 LOOP
        PERFORM pg_stat_clear_snapshot();
        SELECT pid INTO target FROM pg_stat_activity
        WHERE application_name = 'json_cancel_victim' AND state = 'active'
          AND query LIKE '%/* victim */%' AND clock_timestamp() - query_start >= interval '50 ms';
        EXIT WHEN target IS NOT NULL;
        PERFORM pg_sleep(0.01);
    END LOOP;
    IF target IS NULL THEN
        RAISE EXCEPTION 'the victim never ran';
    END IF;
    PERFORM pg_cancel_backend(target);
    PERFORM set_config('json_cancel.at', clock_timestamp()::text, false);
END $$;
SELECT current_setting('json_cancel.at');
SQL
    ) || true
    wait "$victim" || true
    local full row
    full=$(grep '^full|' "$WORK/victim.out" | cut -d'|' -f2)
    row=$(grep '^result|' "$WORK/victim.out" | tail -n1)
    if [ -z "$row" ] || [ -z "$cancel_at" ]; then
        echo "not ok - $what: the cancel case did not run ($(tr '\n' ' ' <"$WORK/victim.out"))" | tee -a "$OUT"
        return 0
    fi
    local ms state at latency
    IFS='|' read -r _ ms state at <<<"$row"
    latency=$(psql -X -At -d "$db" -c "SELECT extract(epoch FROM '$at'::timestamptz - '$cancel_at'::timestamptz) * 1000")
    local line
    line=$(printf '%s: pg_cancel_backend() to the error %.0f ms (bound %d ms; uncancelled run %.0f ms)' \
        "$what" "$latency" "$SLACK_MS" "$full")
    if [ "$state" = 57014 ] && awk -v l="$latency" -v b="$SLACK_MS" 'BEGIN { exit !(l >= 0 && l < b) }'; then
        echo "ok - $line" | tee -a "$OUT"
    else
        echo "not ok - $line (state $state)" | tee -a "$OUT"
    fi
}

start=$(date +%s)
setup_db "$DB" UTF8
setup_db "$DB_EUC" EUC_JP

# (documents: repeat(repeat(unit, 10^6), k) builds them faster than one repeat of 10^8 units)
# json_valid(text): the fast path (two-stage, AVX2/AVX-512) on 300 MB of small tokens
DOC="'[' || repeat(repeat('1,', 1000000), 150) || '1]'" \
    timed_case $DB "json_valid(text), fast path, 300 MB [1,1,...]" "json_valid(d)"
# json_valid(text): the exact validator (the fast path defers at 32,768 levels): 150,000,000 levels
DOC="repeat(repeat('[', 1000000), 150) || repeat(repeat(']', 1000000), 150)" \
    timed_case $DB "json_valid(text), exact validator, 150M nesting levels (300 MB)" "json_valid(d)"
# json_valid(text): a 300 MB string of escapes, unterminated (fast path, then the exact string scanner)
DOC="'\"' || repeat(repeat('\\n', 1000000), 150)" \
    timed_case $DB "json_valid(text), 300 MB string of escapes, unterminated" "json_valid(d)"
# json_valid(bytea): the UTF-8 pass and the exact UTF-8 validator (ill-formed UTF-8 at the end of a 300 MB string)
DOC="('[\"' || repeat(repeat('é', 1000000), 150))::bytea || '\\xff225d'::bytea" \
    timed_case $DB "json_valid(bytea), UTF-8 check, 300 MB, ill-formed at the end" "json_valid(d)"
# json_error_position: an error at the end of 300 MB of lines (validation, then counting characters)
DOC="'[' || repeat(repeat(E'\"é\",\\n', 1000000), 50) || 'x]'" \
    timed_case $DB "json_error_position, 300 MB of lines, error at the end" "json_error_position(d)"
# json_error_message: counting lines and columns after the validation pass
DOC="'\"' || repeat(repeat('é', 1000000), 150)" \
    timed_case $DB "json_error_message, aimed at the line/column count, 300 MB" "json_error_message(d)" 1
# json_error_message in EUC_JP: characters counted one by one (pg_encoding_mblen)
# (a literal: convert_from() is not immutable, so it would not be folded; the script is UTF-8, see PGCLIENTENCODING)
DOC="'\"' || repeat(repeat('あ', 1000000), 100)" \
    timed_case $DB_EUC "json_error_message (EUC_JP), aimed at the character count, 200 MB" "json_error_message(d)" 1
# the explaining trigger (JsonTextValid, then JsonErrorDescription): 300 MB nested, unclosed
DOC="repeat(repeat('[', 1000000), 150) || repeat(repeat(']', 1000000), 149) || repeat(']', 999999)" \
    timed_case $DB "trigger orchestration_json_columns_check, 300 MB unclosed nesting" INSERT
# orchestration_diagnostics_status: validation, then the member scan and unescaping of a 200 MB status
DOC="'{\"status\":\"' || repeat(repeat('\\n', 1000000), 100) || '\"}'" \
    timed_case $DB "orchestration_diagnostics_status, aimed at the member scan, 200 MB" "test_status(d)" 1
# a cancel from another connection
DOC="repeat(repeat('[', 1000000), 150) || repeat(repeat(']', 1000000), 150)" \
    cancel_case $DB "json_valid(text), exact validator, 150M nesting levels" "json_valid(d)"

fails=$(grep -c '^not ok' "$OUT" || true)
total=$(grep -c '^\(not \)\?ok' "$OUT" || true)
echo "# $(($(date +%s) - start)) s"
if [ "$fails" -gt 0 ] || [ "$total" -eq 0 ]; then
    echo "json_cancel: $fails of $total checks failed"
    exit 1
fi
echo "json_cancel: all $total checks passed"
