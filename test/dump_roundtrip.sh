#!/bin/bash
# test/dump_roundtrip.sh: pg_dump -Fc / pg_restore round trip of an
# orchestration_session database.
#
# Fills all nine tables of database dump_src (finished and open sessions, a
# user nature, a direct issue relation), dumps it, restores it into dump_dst
# with --exit-on-error, then compares every table row by row (seed natures
# included: one edited, one deleted, one as seeded), checks that the seed
# natures are not duplicated and that the restored database still refuses
# writes to a finished session.  A restore loads a finished session before
# its history, so it runs with orchestration_session.restoring = on (README,
# "Backup and restore"); without it the history guard refuses it (55000),
# which is checked too.  Uses only the libpq environment
# (PGHOST, PGPORT, PGUSER, ...).  Prints ok/not ok lines; exits 1 on failure.
set -euo pipefail

SRC=dump_src
DST=dump_dst
MAINT=${PGDATABASE:-postgres}
WORK=$(mktemp -d)
failed=0

cleanup() {
    psql -X -q -d "$MAINT" -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $DST" \
        -c "DROP DATABASE IF EXISTS $PLAIN" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
q()      { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

TABLES="device orchestration_nature orchestration_session orchestration_session_entry
orchestration_session_state orchestration_session_exec orchestration_session_issue
orchestration_session_issue_relation orchestration_session_log orchestration_session_backend
orchestration_nature_seed_removed"
PLAIN=dump_dst_plain

for db in $SRC $DST $PLAIN; do
    q "$MAINT" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null
    q "$MAINT" -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
done
q $SRC -c "CREATE EXTENSION orchestration_session"

q $SRC >/dev/null <<'SQL'
SELECT orchestration_device_ensure('host-a', boundary => '10.0.0.1', state_sysinfo => '{"cpus": 4}',
                                   device_id => 'DEV-A');
SELECT orchestration_device_ensure('host-b', '{"role": "worker"}');
SELECT orchestration_nature_ensure('user-nature', 'User nature', '{"owner": "me"}');
-- A finished session that uses every child table.
SELECT orchestration_session_start('DEV-A', 'user-nature', '1.0', '{"args": [1, 2, 3]}', session_id => 'S-DONE');
SELECT orchestration_session_add_entry('S-DONE', 'données/漢字.csv', 'uniform_resource', entry_id => 'E-1');
SELECT orchestration_session_add_entry('S-DONE', 'b.csv', entry_id => 'E-2');
SELECT orchestration_session_transition('S-DONE', 'LOADING', 'begin', '{"ok": true}');
SELECT orchestration_session_transition('S-DONE', 'LOADED', session_entry_id => 'E-1');
SELECT orchestration_session_transition('S-DONE', 'DONE');
SELECT orchestration_session_record_exec('S-DONE', 'shell', 'load', 0, 'E-1', exec_id => 'X-1',
                                         output_nature => '{"type": "csv"}');
SELECT orchestration_session_record_exec('S-DONE', 'SQL', 'SELECT 1', 2, parent_exec_id => 'X-1', exec_id => 'X-2');
SELECT orchestration_session_append_log('X-1', 'line 1', 'stdout');
SELECT orchestration_session_append_log('X-1', 'line 2', 'stdout');
SELECT orchestration_session_append_log('X-2', 'nested line', 'stderr', elaboration => '{"n": 1}');
SELECT orchestration_session_raise_issue('S-DONE', 'Schema Validation: Missing Columns', 'col missing',
                                         'E-1', 7, 'col', 'bad', 'add it', issue_id => 'I-1');
SELECT orchestration_session_raise_issue('S-DONE', 'warning', 'second', issue_id => 'I-2');
INSERT INTO orchestration_session_issue_relation VALUES ('R-1', 'I-1', 'I-2', 'caused', '{"why": "test"}');
SELECT orchestration_session_finish('S-DONE', '{"status": "completed"}', '# done');
-- An open session on a seed nature, with generated ids.
SELECT orchestration_session_start(orchestration_device_ensure('host-b', '{"role": "worker"}'),
                                   'surveilr-transform-csv', '2.0', session_id => 'S-OPEN');
SELECT orchestration_session_transition('S-OPEN', 'RUNNING');
SELECT orchestration_session_append_log(orchestration_session_record_exec('S-OPEN', 'shell', 'run', 0), 'go');
-- A finished session without children.
SELECT orchestration_session_start('DEV-A', 'surveilr-transform-xml', '3.0', session_id => 'S-EMPTY');
SELECT orchestration_session_finish('S-EMPTY');
-- Seeds as users leave them: one edited, one deleted, one as seeded.
UPDATE orchestration_nature SET nature = 'Transform CSV (edited)', updated_by = 'me'
WHERE orchestration_nature_id = 'surveilr-transform-csv';
DELETE FROM orchestration_nature WHERE orchestration_nature_id = 'surveilr-transform-html';
SQL

for t in $TABLES; do
    n=$(q $SRC -c "SELECT count(*) FROM $t")
    if [ "$n" -gt 0 ]; then ok "dump_src.$t has $n rows"; else not_ok "dump_src.$t is empty"; fi
done

if pg_dump -Fc -d $SRC -f "$WORK/src.dump" 2>"$WORK/dump.err"; then
    ok "pg_dump -Fc"
else
    not_ok "pg_dump -Fc: $(cat "$WORK/dump.err")"
    exit 1
fi
if pg_restore --exit-on-error -d $PLAIN "$WORK/src.dump" 2>"$WORK/plain.err"; then
    not_ok "pg_restore without orchestration_session.restoring succeeded: the history guard let it add rows to a finished session"
elif grep -q "it is already finished" "$WORK/plain.err"; then
    ok "pg_restore without orchestration_session.restoring is refused by the history guard (55000)"
else
    not_ok "pg_restore without orchestration_session.restoring failed otherwise: $(head -n 3 "$WORK/plain.err")"
fi
if PGOPTIONS="-c orchestration_session.restoring=on" \
   pg_restore --exit-on-error -d $DST "$WORK/src.dump" 2>"$WORK/restore.err"; then
    ok "pg_restore --exit-on-error with orchestration_session.restoring=on"
else
    not_ok "pg_restore --exit-on-error with orchestration_session.restoring=on"
    sed 's/^/#   /' "$WORK/restore.err"
    exit 1
fi

# Every row identical, the seed natures included (edited, deleted, as seeded:
# the restore's CREATE EXTENSION seeds them again, and the dumped rows win).
for t in $TABLES; do
    sql="SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM $t t"
    a=$(q $SRC -c "$sql")
    b=$(q $DST -c "$sql")
    if [ "$a" = "$b" ]; then ok "$t identical ($a)"; else not_ok "$t differs: src $a, dst $b"; fi
done

seeds=$(q $DST -c "SELECT string_agg(orchestration_nature_id || '=' || nature, ', ' ORDER BY 1) FROM orchestration_nature
                   WHERE orchestration_nature_id LIKE 'surveilr-transform-%'")
if [ "$seeds" = "surveilr-transform-csv=Transform CSV (edited), surveilr-transform-xml=Transform XML" ]; then
    ok "seed natures as they were: edited kept, deleted stays deleted, none duplicated"
else
    not_ok "seed natures after restore: $seeds"
fi

expect_sqlstate() { # description, sqlstate, sql
    local out
    out=$(q $DST -v VERBOSITY=verbose -c "$3" 2>&1 || true)
    case $out in
        "ERROR:  $2:"*) ok "$1: $2";;
        *) not_ok "$1: expected $2, got: $out";;
    esac
}
expect_sqlstate "finish of a restored finished session" 55000 "SELECT orchestration_session_finish('S-DONE')"
expect_sqlstate "transition of a restored finished session" 55000 "SELECT orchestration_session_transition('S-DONE', 'AGAIN')"
expect_sqlstate "UPDATE of a restored finished session" 55000 "UPDATE orchestration_session SET version = 'x' WHERE orchestration_session_id = 'S-DONE'"
expect_sqlstate "history added to a restored finished session" 55000 "INSERT INTO orchestration_session_entry (session_id, ingest_src) VALUES ('S-DONE', 'late.csv')"
expect_sqlstate "malformed JSON into a restored table" 22P02 "UPDATE orchestration_session SET elaboration = '{' WHERE orchestration_session_id = 'S-OPEN'"

if q $DST -c "SELECT orchestration_session_transition('S-OPEN', 'DONE'); SELECT orchestration_session_finish('S-OPEN')" >/dev/null 2>"$WORK/open.err"
then ok "restored open session can continue and finish"
else not_ok "restored open session: $(cat "$WORK/open.err")"; fi

chain=$(q $DST -c "SELECT string_agg(from_state || '>' || to_state, ' ' ORDER BY transitioned_at, orchestration_session_state_id)
                   FROM orchestration_session_state WHERE session_id = 'S-OPEN'")
if [ "$chain" = "INITIAL>RUNNING RUNNING>DONE" ]; then ok "restored chain continues ($chain)"; else not_ok "restored chain: $chain"; fi

if [ $failed = 0 ]; then echo "# dump round trip: all ok"; else echo "# dump round trip: FAILED"; fi
exit $failed
