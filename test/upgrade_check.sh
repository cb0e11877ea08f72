#!/usr/bin/env bash
# test/upgrade_check.sh [OLD NEW]: ALTER EXTENSION orchestration_session
# UPDATE TO NEW, from OLD, gives exactly the objects of a fresh
# CREATE EXTENSION ... VERSION NEW, and leaves the data alone.
#
# OLD defaults to 1.0, NEW to default_version in orchestration_session.control.
# Both versions' scripts must be installed in the server (make install).
#
#   database upgrade_check_a: CREATE EXTENSION ... VERSION OLD; two sessions
#     written through the extension's functions (S-1 finished, S-2 left open,
#     each with entries, transitions, execs, log lines and issues; explicit
#     ids, so the data is deterministic) and an issue relation inserted with
#     plain SQL; every member table's rows are snapshotted (primary-key order,
#     as text, timestamps included); ALTER EXTENSION ... UPDATE TO NEW; the
#     same snapshot again must be identical.  (Only the columns the table had
#     in OLD are compared: a column NEW adds is checked by the catalog diff.)
#     When OLD = NEW the ALTER is skipped (a fresh OLD vs itself: tests this
#     machinery before an update script exists).
#   database upgrade_check_b: CREATE EXTENSION ... VERSION NEW.
#   Then one catalog description of the extension, run in both databases and
#   diffed (unified diff on failure): its members (pg_describe_object), the
#   member relations' kind, options, ACL, row security, columns (type, NOT
#   NULL, default, collation, compression where the major has it, ...),
#   constraints, indexes, triggers, rules, policies, view definitions,
#   sequences; the member functions' pg_get_functiondef, ACL and owner;
#   member types, operators, casts; every comment and initial privilege of a
#   member or of a part of one; the extension's config tables with their
#   conditions and its extversion.  Only names are printed, never OIDs, and
#   search_path is pg_catalog, so the extension's objects print qualified.
#   The seed natures of A (after the update) and B are compared without
#   created_at, and the updated A must still work: S-2 can transition and
#   finish, and S-1 (finished) still refuses an UPDATE (55000).
#
# Self-test (shows the checks can fail; the script must then exit non-zero):
#   UPGRADE_CHECK_SELFTEST=catalog (or 1)  after the update, database A gets a
#       column comment and a function's volatility changed: the catalog diff
#       must show both
#   UPGRADE_CHECK_SELFTEST=data     a log line of A (of the open session) is
#       changed between the two snapshots (as an update script touching rows
#       would): the data check fails
#   UPGRADE_CHECK_SELFTEST=seeds    a seed nature's label is changed in A after
#       the update: the seed comparison fails
#   UPGRADE_CHECK_SELFTEST=all      all three
# UPGRADE_CHECK_KEEP=DIR keeps the snapshots and descriptions in DIR.
#
# Uses the libpq environment (PGHOST, PGPORT, PGUSER, ...; a superuser);
# creates and drops its own databases; works on PostgreSQL 13 to 18.  Prints
# ok/not ok lines; exits 1 on failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
EXT=orchestration_session
OLD=${1:-1.0}
NEW=${2:-$(sed -n "s/^[[:space:]]*default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$HERE/$EXT.control")}
SELFTEST=${UPGRADE_CHECK_SELFTEST:-}
[ "$SELFTEST" = 1 ] && SELFTEST=catalog
case "$SELFTEST" in ''|catalog|data|seeds|all) ;; *) echo "UPGRADE_CHECK_SELFTEST must be catalog, data, seeds or all" >&2; exit 2;; esac
for v in "$OLD" "$NEW"; do   # versions are inlined in SQL below
    [[ $v =~ ^[A-Za-z0-9._]+$ ]] || { echo "bad version '$v'" >&2; exit 2; }
done
selftest() { [ "$SELFTEST" = all ] || [ "$SELFTEST" = "$1" ]; }

A=upgrade_check_a
B=upgrade_check_b
MAINT=${PGDATABASE:-postgres}
WORK=$(mktemp -d)
failed=0
# Timestamps in the snapshots print the same whatever the server's defaults.
export PGTZ=UTC PGDATESTYLE=ISO PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

cleanup() {
    if [ -n "${UPGRADE_CHECK_KEEP:-}" ]; then mkdir -p "$UPGRADE_CHECK_KEEP" && cp "$WORK"/* "$UPGRADE_CHECK_KEEP"/; fi
    psql -X -q -d "$MAINT" -c "DROP DATABASE IF EXISTS $A" -c "DROP DATABASE IF EXISTS $B" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
q()      { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# compare WHAT FILE1 FILE2: ok when identical, else not ok and the unified diff
compare() {
    if diff -u --label "$2" --label "$3" "$WORK/$2" "$WORK/$3" >"$WORK/diff"; then
        ok "$1"
    else
        not_ok "$1"; sed 's/^/#   /' "$WORK/diff"
    fi
}

echo "# $EXT: update $OLD -> $NEW${SELFTEST:+ (self-test: $SELFTEST; this run must fail)}"
[ -n "$NEW" ] || { not_ok "no default_version in $EXT.control"; exit 1; }

for db in $A $B; do
    q "$MAINT" -c "DROP DATABASE IF EXISTS $db"
    q "$MAINT" -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
done

# Both versions installed, and (when they differ) an update path between them.
for v in "$OLD" "$NEW"; do
    n=$(q $A -c "SELECT count(*) FROM pg_catalog.pg_available_extension_versions WHERE name = '$EXT' AND version = '$v'")
    [ "$n" = 1 ] || { not_ok "version $v of $EXT is not installed in this server"; exit 1; }
done
if [ "$OLD" != "$NEW" ]; then
    path=$(q $A -c "SELECT path FROM pg_catalog.pg_extension_update_paths('$EXT') WHERE source = '$OLD' AND target = '$NEW'")
    if [ -n "$path" ]; then ok "update path $path"; else not_ok "no update path from $OLD to $NEW"; exit 1; fi
fi

# ---------------------------------------------------------------------------
# Database A: OLD, data, snapshot, update, snapshot.
# ---------------------------------------------------------------------------
q $A -c "CREATE EXTENSION $EXT VERSION '$OLD'"
q $A >/dev/null <<'SQL'
SELECT orchestration_device_ensure('host-upgrade', boundary => '10.0.0.7', state_sysinfo => '{"cpus": 8}',
                                   elaboration => '{"rack": "r1"}', device_id => 'DEV-1');
SELECT orchestration_nature_ensure('upgrade-nature', 'Upgrade check', '{"owner": "upgrade_check"}');
-- S-1: finished, every child table used.
SELECT orchestration_session_start('DEV-1', 'upgrade-nature', '1.0.0', '{"pattern": "*.csv"}',
                                   '{"ticket": 42}', session_id => 'S-1');
SELECT orchestration_session_add_entry('S-1', '/inbox/données.csv', 'uniform_resource_a', entry_id => 'E-1');
SELECT orchestration_session_add_entry('S-1', '/inbox/b.csv', entry_id => 'E-2');
SELECT orchestration_session_transition('S-1', 'surveilr_orchestration_init', state_id => 'T-1');
SELECT orchestration_session_transition('S-1', 'surveilr_orch_progress', 'entry a', '{"rows": 12}', 'E-1',
                                        state_id => 'T-2');
SELECT orchestration_session_record_exec('S-1', 'SQL', 'COPY a FROM stdin', 0, 'E-1', output_text => 'COPY 12',
                                         output_nature => '{"type": "text"}', exec_id => 'X-1');
SELECT orchestration_session_record_exec('S-1', 'shell', 'validate b.csv', 3, 'E-2', parent_exec_id => 'X-1',
                                         exec_error_text => 'bad header', exec_id => 'X-2');
SELECT orchestration_session_append_log('X-1', 'header matched', 'stdout', log_id => 'L-1');
SELECT orchestration_session_append_log('X-1', '12 rows', 'stdout', log_id => 'L-2');
SELECT orchestration_session_append_log('X-2', 'line 1: bad header', 'stderr', elaboration => '{"n": 1}', log_id => 'L-3');
SELECT orchestration_session_raise_issue('S-1', 'Schema Validation: Missing Columns', 'no id column', 'E-2',
                                         1, 'id', NULL, 'add an id column', issue_id => 'I-1');
SELECT orchestration_session_raise_issue('S-1', 'Data Integrity', 'duplicate row', issue_id => 'I-2');
INSERT INTO orchestration_session_issue_relation
    VALUES ('R-1', 'I-1', 'I-2', 'caused', '{"why": "upgrade_check"}');
SELECT orchestration_session_transition('S-1', 'surveilr_orch_completed', state_id => 'T-3');
SELECT orchestration_session_finish('S-1', '{"status": "completed"}', '# done');
-- S-2: left open, on a seed nature.
SELECT orchestration_session_start('DEV-1', 'surveilr-transform-csv', '1.1.0', session_id => 'S-2');
SELECT orchestration_session_add_entry('S-2', '/inbox/c.csv', entry_id => 'E-3');
SELECT orchestration_session_transition('S-2', 'surveilr_orchestration_init', state_id => 'T-4');
SELECT orchestration_session_record_exec('S-2', 'SQL', 'SELECT 1', 0, exec_id => 'X-3');
SELECT orchestration_session_append_log('X-3', 'running', log_id => 'L-4');
SELECT orchestration_session_raise_issue('S-2', 'warning', 'slow input', 'E-3', issue_id => 'I-3');
SQL

# The member tables as they are in OLD, each as "table|primary key|columns".
q $A -F '|' >"$WORK/tables" <<SQL
SELECT c.oid::pg_catalog.regclass::text,
       coalesce((SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.n)
                 FROM pg_catalog.pg_index i,
                      unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, n),
                      pg_catalog.pg_attribute a
                 WHERE i.indrelid = c.oid AND i.indisprimary AND a.attrelid = c.oid AND a.attnum = k.attnum), '1'),
       (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
JOIN pg_catalog.pg_class c ON c.oid = d.objid
WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('r', 'p')
ORDER BY 1;
SQL
ntables=$(wc -l <"$WORK/tables")
[ "$ntables" -gt 0 ] || { not_ok "no member tables found in $A"; exit 1; }

# snapshot DB FILE: every row of those tables (OLD's columns), in primary-key order
snapshot() {
    local rel pk cols
    : >"$WORK/$2"
    while IFS='|' read -r rel pk cols; do
        q "$1" -c "SELECT '$rel ' || ROW($cols)::text FROM $rel ORDER BY $pk" >>"$WORK/$2"
    done <"$WORK/tables"
}
snapshot $A data.before
nrows=$(wc -l <"$WORK/data.before")

if [ "$OLD" = "$NEW" ]; then
    echo "# OLD = NEW: ALTER EXTENSION skipped (a fresh $OLD is compared with itself)"
else
    if q $A -c "ALTER EXTENSION $EXT UPDATE TO '$NEW'" 2>"$WORK/alter.err"; then
        ok "ALTER EXTENSION $EXT UPDATE TO '$NEW' (from '$OLD', with $nrows rows in $ntables tables)"
    else
        not_ok "ALTER EXTENSION $EXT UPDATE TO '$NEW'"; sed 's/^/#   /' "$WORK/alter.err"; exit 1
    fi
fi

if selftest data; then
    echo "# self-test: changing log line L-4 (of open session S-2) in $A between the snapshots"
    q $A -c "UPDATE orchestration_session_log SET content = content || ' (changed)' WHERE orchestration_session_log_id = 'L-4'"
fi
if snapshot $A data.after 2>"$WORK/snap.err"; then
    compare "data untouched by the update: $nrows rows of $ntables tables identical, timestamps included" data.before data.after
else
    not_ok "snapshot after the update failed (a table or column of $OLD is gone?)"; sed 's/^/#   /' "$WORK/snap.err"
fi

if selftest catalog; then
    echo "# self-test: a column comment and a function's volatility changed in $A"
    q $A -c "COMMENT ON COLUMN orchestration_session.version IS 'changed by UPGRADE_CHECK_SELFTEST'" \
         -c "ALTER FUNCTION orchestration_ulid_time(text) STABLE"
fi
if selftest seeds; then
    echo "# self-test: a seed nature's label changed in $A"
    q $A -c "UPDATE orchestration_nature SET nature = nature || ' (changed)' WHERE orchestration_nature_id = 'surveilr-transform-csv'"
fi

# ---------------------------------------------------------------------------
# Database B: a fresh NEW.
# ---------------------------------------------------------------------------
q $B -c "CREATE EXTENSION $EXT VERSION '$NEW'"

# ---------------------------------------------------------------------------
# The catalog description, one line per fact (multi-line texts: one line per
# line, each prefixed with its object), sorted within each section.
# ---------------------------------------------------------------------------
cat >"$WORK/describe.sql" <<SQL
SET search_path = pg_catalog;
-- attcompression exists from PostgreSQL 14 on
SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'pg_attribute'::regclass
                         AND attname = 'attcompression')
            THEN 'a.attcompression::text' ELSE '''(n/a)''::text' END AS compression_expr \gset

-- the members, and the relations among them (with composite types' relations)
CREATE TEMP VIEW m AS
SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = '$EXT';
CREATE TEMP VIEW rels AS
SELECT c.oid, c.oid::regclass::text AS name FROM pg_class c
WHERE c.oid IN (SELECT objid FROM m WHERE classid = 'pg_class'::regclass)
   OR c.oid IN (SELECT t.typrelid FROM pg_type t JOIN m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid);
-- the members and their parts (constraints, indexes, triggers, rules, policies)
CREATE TEMP VIEW parts AS
SELECT classid, objid FROM m
UNION SELECT 'pg_class'::regclass, oid FROM rels
UNION SELECT 'pg_constraint'::regclass, oid FROM pg_constraint
      WHERE conrelid IN (SELECT oid FROM rels) OR contypid IN (SELECT objid FROM m WHERE classid = 'pg_type'::regclass)
UNION SELECT 'pg_class'::regclass, indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)
UNION SELECT 'pg_trigger'::regclass, oid FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM rels)
UNION SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM rels)
UNION SELECT 'pg_policy'::regclass, oid FROM pg_policy WHERE polrelid IN (SELECT oid FROM rels);
-- a multi-line text as lines prefixed with "label | "
CREATE FUNCTION pg_temp.lines(label text, body text) RETURNS text LANGUAGE sql IMMUTABLE
AS \$\$ SELECT label || ' | ' || replace(rtrim(coalesce(body, '(null)'), E'\n'), E'\n', E'\n' || label || ' | ') \$\$;

SELECT 'extension ' || extname || ': version ' || extversion || ', schema ' || extnamespace::regnamespace
       || ', owner ' || extowner::regrole || ', relocatable ' || extrelocatable
FROM pg_extension WHERE extname = '$EXT';

SELECT 'config table ' || u.rel::regclass || ' condition ' || coalesce(quote_literal(u.cond), 'NULL')
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(rel, cond)
WHERE e.extname = '$EXT' ORDER BY 1;

SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = '$EXT' ORDER BY 1;

SELECT 'relation ' || r.name || ': relkind ' || c.relkind::text || ', persistence ' || c.relpersistence::text
       || ', replica identity ' || c.relreplident::text || ', row security ' || c.relrowsecurity
       || ', forced ' || c.relforcerowsecurity || ', reloptions ' || coalesce(c.reloptions::text, '-')
       || ', owner ' || c.relowner::regrole || ', acl ' || coalesce(c.relacl::text, '-')
FROM rels r JOIN pg_class c ON c.oid = r.oid ORDER BY 1;

-- attoptions leave out pg_attver=N: an internal column version that recent
-- back-branch releases keep there, which differs from one database to another
SELECT 'column ' || r.name || '.' || quote_ident(a.attname)
       || ' #' || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum)
       || ': ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || coalesce(' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid), '')
       || coalesce(' COLLATE ' || nullif(a.attcollation, 0)::regcollation, '')
       || ', compression ' || coalesce(nullif(:compression_expr, ''), '-')
       || ', storage ' || a.attstorage::text || ', identity ' || coalesce(nullif(a.attidentity::text, ''), '-')
       || ', generated ' || coalesce(nullif(a.attgenerated::text, ''), '-')
       || ', statistics ' || coalesce(a.attstattarget::text, '-')
       || ', options ' || coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM unnest(a.attoptions) AS o
                                    WHERE o NOT LIKE 'pg\_attver=%'), '-')
       || ', acl ' || coalesce(a.attacl::text, '-')
FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum ORDER BY 1;

SELECT 'constraint ' || coalesce(r.name, co.contypid::regtype::text) || '.' || quote_ident(co.conname)
       || ': ' || co.contype::text || ' ' || pg_get_constraintdef(co.oid)
FROM pg_constraint co LEFT JOIN rels r ON r.oid = co.conrelid
WHERE co.conrelid IN (SELECT oid FROM rels)
   OR co.contypid IN (SELECT objid FROM m WHERE classid = 'pg_type'::regclass) ORDER BY 1;

SELECT 'index ' || r.name || '.' || quote_ident(ic.relname) || ': ' || pg_get_indexdef(i.indexrelid)
       || CASE WHEN i.indisclustered THEN ' (clustered)' ELSE '' END
       || CASE WHEN i.indisreplident THEN ' (replica identity)' ELSE '' END
       || CASE WHEN NOT i.indisvalid THEN ' (INVALID)' ELSE '' END
FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid ORDER BY 1;

SELECT 'trigger ' || r.name || '.' || quote_ident(t.tgname) || ': ' || pg_get_triggerdef(t.oid)
       || ' (enabled ' || t.tgenabled::text || ')'
FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid WHERE NOT t.tgisinternal ORDER BY 1;

SELECT pg_temp.lines('rule ' || r.name || '.' || quote_ident(w.rulename) || ' (enabled ' || w.ev_enabled::text || ')',
                     pg_get_ruledef(w.oid))
FROM rels r JOIN pg_rewrite w ON w.ev_class = r.oid WHERE w.rulename <> '_RETURN' ORDER BY 1;

SELECT 'policy ' || r.name || '.' || quote_ident(p.polname) || ': ' || p.polcmd::text
       || CASE WHEN p.polpermissive THEN ' permissive' ELSE ' restrictive' END
       || ' to ' || (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END, ','
                            ORDER BY CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END)
                     FROM unnest(p.polroles) AS x)
       || coalesce(' using ' || pg_get_expr(p.polqual, p.polrelid), '')
       || coalesce(' check ' || pg_get_expr(p.polwithcheck, p.polrelid), '')
FROM rels r JOIN pg_policy p ON p.polrelid = r.oid ORDER BY 1;

SELECT pg_temp.lines('view ' || r.name, pg_get_viewdef(r.oid))
FROM rels r JOIN pg_class c ON c.oid = r.oid WHERE c.relkind IN ('v', 'm') ORDER BY r.name;

SELECT 'sequence ' || r.name || ': ' || s.seqtypid::regtype || ' start ' || s.seqstart || ' increment ' || s.seqincrement
       || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || ' cycle ' || s.seqcycle
FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid ORDER BY 1;

SELECT 'function ' || p.oid::regprocedure || ': kind ' || p.prokind::text || ', owner ' || p.proowner::regrole
       || ', acl ' || coalesce(p.proacl::text, '-')
FROM pg_proc p WHERE p.oid IN (SELECT objid FROM m WHERE classid = 'pg_proc'::regclass) ORDER BY 1;
SELECT pg_temp.lines('function ' || p.oid::regprocedure,
                     CASE WHEN p.prokind = 'a' THEN
                         (SELECT 'aggregate kind ' || a.aggkind::text || ' transfn ' || a.aggtransfn || ' finalfn ' || a.aggfinalfn
                                 || ' combinefn ' || a.aggcombinefn || ' stype ' || a.aggtranstype::regtype
                                 || ' initval ' || coalesce(a.agginitval, 'NULL') || ' sortop ' || a.aggsortop::regoperator
                          FROM pg_aggregate a WHERE a.aggfnoid = p.oid)
                     ELSE pg_get_functiondef(p.oid) END)
FROM pg_proc p WHERE p.oid IN (SELECT objid FROM m WHERE classid = 'pg_proc'::regclass) ORDER BY p.oid::regprocedure::text;

SELECT 'type ' || t.oid::regtype || ': typtype ' || t.typtype::text || ', owner ' || t.typowner::regrole
       || ', acl ' || coalesce(t.typacl::text, '-')
       || CASE WHEN t.typtype = 'd' THEN ', over ' || format_type(t.typbasetype, t.typtypmod)
               || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
               || coalesce(' DEFAULT ' || t.typdefault, '') ELSE '' END
       || CASE WHEN t.typtype = 'e' THEN ', labels '
               || (SELECT string_agg(quote_literal(enumlabel), ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid)
          ELSE '' END
FROM pg_type t WHERE t.oid IN (SELECT objid FROM m WHERE classid = 'pg_type'::regclass) ORDER BY 1;

SELECT 'operator ' || o.oid::regoperator || ': function ' || o.oprcode::oid::regprocedure
       || ', commutator ' || o.oprcom::regoperator || ', negator ' || o.oprnegate::regoperator
       || ', restrict ' || o.oprrest || ', join ' || o.oprjoin || ', hashes ' || o.oprcanhash || ', merges ' || o.oprcanmerge
FROM pg_operator o WHERE o.oid IN (SELECT objid FROM m WHERE classid = 'pg_operator'::regclass) ORDER BY 1;

SELECT 'cast (' || c.castsource::regtype || ' AS ' || c.casttarget::regtype || '): function '
       || c.castfunc::regprocedure || ', context ' || c.castcontext::text || ', method ' || c.castmethod::text
FROM pg_cast c WHERE c.oid IN (SELECT objid FROM m WHERE classid = 'pg_cast'::regclass) ORDER BY 1;

SELECT pg_temp.lines('comment on ' || pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
FROM pg_description d JOIN parts p ON p.classid = d.classoid AND p.objid = d.objoid ORDER BY 1;

SELECT 'initial privileges of ' || pg_describe_object(i.classoid, i.objoid, i.objsubid) || ': '
       || i.privtype::text || ' ' || i.initprivs::text
FROM pg_init_privs i JOIN parts p ON p.classid = i.classoid AND p.objid = i.objoid ORDER BY 1;
SQL

describe() { q "$1" -f "$WORK/describe.sql" >"$WORK/$2"; }
describe $A catalog.updated
describe $B catalog.fresh
compare "the updated extension has exactly the objects of a fresh $NEW ($(grep -c '^member ' "$WORK/catalog.fresh") members, $(wc -l <"$WORK/catalog.fresh") lines of description)" catalog.fresh catalog.updated

# Seed natures: B's rows (all seeds) and A's rows except this test's own
# nature, every column but created_at (the time each script ran).
seedcols=$(q $B -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_catalog.pg_attribute
                    WHERE attrelid = 'orchestration_nature'::regclass AND attnum > 0 AND NOT attisdropped
                      AND attname <> 'created_at'")
seeds="SELECT ROW($seedcols)::text FROM orchestration_nature WHERE orchestration_nature_id <> 'upgrade-nature' ORDER BY orchestration_nature_id"
q $B -c "$seeds" >"$WORK/seeds.fresh"
q $A -c "$seeds" >"$WORK/seeds.updated"
compare "seed natures identical without created_at ($(wc -l <"$WORK/seeds.fresh") rows)" seeds.fresh seeds.updated

# The updated extension works on the old data.
if q $A -c "SELECT orchestration_session_transition('S-2', 'surveilr_orch_completed', state_id => 'T-5')" \
        -c "SELECT orchestration_session_finish('S-2', '{\"status\": \"completed\"}')" >/dev/null 2>"$WORK/smoke.err"
then ok "after the update, open session S-2 transitions and finishes"
else not_ok "after the update, S-2 cannot continue"; sed 's/^/#   /' "$WORK/smoke.err"; fi
out=$(q $A -v VERBOSITY=verbose -c "UPDATE orchestration_session SET version = 'x' WHERE orchestration_session_id = 'S-1'" 2>&1 || true)
case $out in
    "ERROR:  55000:"*) ok "after the update, finished session S-1 still refuses an UPDATE (55000)";;
    *) not_ok "after the update, UPDATE of finished S-1: $out";;
esac

if [ $failed = 0 ]; then echo "# upgrade check $OLD -> $NEW: all ok"; else echo "# upgrade check $OLD -> $NEW: FAILED"; fi
exit $failed
