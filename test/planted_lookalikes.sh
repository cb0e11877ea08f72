#!/usr/bin/env bash
# test/planted_lookalikes.sh [OLD NEW]: a non-superuser who may create objects
# in the extension's target schema cannot hijack its install script (or, with
# OLD NEW, its update path), and nothing it plants runs as the installer, as
# the caller of the lifecycle functions or as a reader of the views.
#
# CREATE EXTENSION and ALTER EXTENSION UPDATE run the script with search_path
# = target schema, pg_temp (pg_catalog implicitly first); so an object in the
# target schema whose signature matches a call better than pg_catalog's wins:
# format(text,text,text) beats format(text, VARIADIC "any"), =(varchar,varchar)
# beats =(text,text) reached by casts.  Views and CHECKs bind such a choice
# for ever; DO blocks and SQL-language bodies run it at once, as the installer.
#
#   1. As superuser: database planted_lookalikes whose schema public is owned
#      by role regress_planter, and public.planted_calls(who, what), which
#      PUBLIC may INSERT into.  (With OLD NEW: CREATE EXTENSION VERSION OLD
#      here, before anything is planted, as on a server where OLD was
#      installed long ago: what is tested is the update script.  To test
#      OLD's own install script, run "OLD OLD": OLD = NEW means a fresh
#      CREATE EXTENSION ... VERSION NEW after the plants.)
#   2. As regress_planter: look-alikes in public, each a SQL wrapper that
#      records (current_user, its name) in planted_calls and returns what
#      pg_catalog's version returns, so nothing visibly breaks: functions with
#      better-matching signatures (format, concat, json_build_object, lower,
#      current_setting(varchar), ...), operators on varchar and mixed types,
#      aggregates (count(varchar), max/min, percentile_cont(numeric ORDER BY
#      interval), ...) and, to show pg_catalog wins them, exact duplicates of
#      pg_catalog signatures (now(), -(timestamptz,timestamptz), =(int,bigint)).
#      Their inventory is public.planted_plants (label, probe).
#   3. As superuser: CREATE EXTENSION (default version, or VERSION NEW for
#      "NEW NEW"; with OLD NEW: ALTER EXTENSION UPDATE TO NEW).  Then look-alike tables named like every
#      member relation in schema planted, owned by regress_planter, each with
#      one row and a row-security policy that records who reads it.
#   4. Control: regress_reader calls every plant by its qualified name (and
#      reads every planted table) in a transaction that is rolled back: each
#      must have recorded itself, or the test could not see anything.
#   5. As superuser with search_path = public (where the plants are): the
#      whole lifecycle (start, add_entry, transition, record_exec, append_log,
#      raise_issue, finish), abandon, purge, purge_batches and every other
#      function; then as regress_reader (SELECT on the member tables and views
#      only) with search_path = planted, public: every member view and the
#      read-only functions.
#   6. Pass = planted_calls is empty, and the class-level check finds nothing:
#      every pg_depend dependency (deptype n or a) of a member of the extension
#      or of one of its parts (view rules, column defaults, constraints,
#      triggers, indexes, policies, row types) points into pg_catalog, to a
#      member or part of the extension itself, to the extension's schema, or to
#      a language owned by a superuser.  This catches bound look-alikes no
#      plant anticipated (it does not see what C code runs over SPI: the plants
#      and step 5 do).
#
# Uses the libpq environment (PGHOST, PGPORT, PGUSER, ...; a superuser).
# Creates and drops database planted_lookalikes and the cluster-wide roles
# regress_planter and regress_reader.  Works on PostgreSQL 13 to 18.  Prints
# ok/not ok lines, and on failure what fired and what was flagged; exits 1.
set -euo pipefail

EXT=orchestration_session
OLD=${1:-}
NEW=${2:-}
if [ -n "$OLD" ] && [ -z "$NEW" ]; then echo "usage: $0 [OLD NEW]" >&2; exit 2; fi
for v in $OLD $NEW; do   # versions are inlined in SQL below
    [[ $v =~ ^[A-Za-z0-9._]+$ ]] || { echo "bad version '$v'" >&2; exit 2; }
done
# OLD = NEW: a fresh CREATE EXTENSION ... VERSION NEW with the plants present
[ "$OLD" = "$NEW" ] && OLD=

DB=planted_lookalikes
MAINT=${PGDATABASE:-postgres}
WORK=$(mktemp -d)
failed=0
# The test's own statements run with search_path = pg_catalog, so that they
# never call a plant themselves; the steps that exercise the extension set
# their own.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c search_path=pg_catalog"

q() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
drop_all() {
    q "$MAINT" -c "DROP DATABASE IF EXISTS $DB" \
               -c "DROP ROLE IF EXISTS regress_planter" -c "DROP ROLE IF EXISTS regress_reader"
}
cleanup() { drop_all >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
# step DESCRIPTION [psql args]: runs SQL (stdin), not ok and exit when it fails
step() {
    local what=$1; shift
    if q $DB "$@" >"$WORK/out" 2>"$WORK/err"; then
        ok "$what"
    else
        not_ok "$what"; sed 's/^/#   /' "$WORK/err"; exit 1
    fi
}

echo "# $EXT: ${OLD:+update $OLD -> $NEW, }look-alikes planted in the target schema"
drop_all >/dev/null
q "$MAINT" -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" \
           -c "CREATE ROLE regress_planter NOLOGIN" -c "CREATE ROLE regress_reader NOLOGIN"

# --- 1. the database, the planter's schemas, the call log ------------------
step "setup: schema public owned by regress_planter, public.planted_calls writable by PUBLIC" <<SQL
ALTER SCHEMA public OWNER TO regress_planter;
CREATE SCHEMA planted AUTHORIZATION regress_planter;
CREATE TABLE public.planted_calls (who text, what text);
GRANT INSERT ON public.planted_calls TO PUBLIC;
${OLD:+CREATE EXTENSION $EXT SCHEMA public VERSION '$OLD';}
SQL

# --- 2. the plants ---------------------------------------------------------
# Functions and operators, one row each: kind, name, argument types, result,
# what pg_catalog computes from $1, $2, ...  Each becomes a VOLATILE SQL
# function that records its label in planted_calls, then returns that.
step "planted the look-alike functions, operators and aggregates as regress_planter" <<'SQL'
SET ROLE regress_planter;
SET search_path = pg_catalog;   -- the planter's own statements must not meet its plants
CREATE TABLE public.planted_plants (label text PRIMARY KEY, probe text NOT NULL);
GRANT SELECT ON public.planted_plants TO PUBLIC;

DO $plant$
DECLARE
    p record;
    n integer := 0;
    arg text[];
    fn text;
    label text;
    probe text;
BEGIN
    FOR p IN SELECT * FROM (VALUES
        -- beat pg_catalog's VARIADIC "any" or polymorphic versions
        ('function', 'format', 'text, text, text', 'text', 'pg_catalog.format($1, $2, $3)'),
        ('function', 'format', 'text, text', 'text', 'pg_catalog.format($1, $2)'),
        ('function', 'format', 'text, varchar', 'text', 'pg_catalog.format($1, $2)'),
        ('function', 'concat', 'text, text', 'text', 'pg_catalog.concat($1, $2)'),
        ('function', 'concat', 'text, text, text', 'text', 'pg_catalog.concat($1, $2, $3)'),
        ('function', 'concat_ws', 'text, text, text', 'text', 'pg_catalog.concat_ws($1, $2, $3)'),
        ('function', 'json_build_object', 'text, text', 'json', 'pg_catalog.json_build_object($1, $2)'),
        ('function', 'jsonb_build_object', 'text, text', 'jsonb', 'pg_catalog.jsonb_build_object($1, $2)'),
        ('function', 'to_json', 'text', 'json', 'pg_catalog.to_json($1)'),
        ('function', 'quote_literal', 'varchar', 'text', 'pg_catalog.quote_literal($1::pg_catalog.text)'),
        -- beat pg_catalog's text versions for varchar arguments
        ('function', 'current_setting', 'varchar', 'text', 'pg_catalog.current_setting($1::pg_catalog.text)'),
        ('function', 'lower', 'varchar', 'text', 'pg_catalog.lower($1::pg_catalog.text)'),
        ('function', 'upper', 'varchar', 'text', 'pg_catalog.upper($1::pg_catalog.text)'),
        ('function', 'length', 'varchar', 'integer', 'pg_catalog.length($1::pg_catalog.text)'),
        ('function', 'btrim', 'varchar', 'text', 'pg_catalog.btrim($1::pg_catalog.text)'),
        ('function', 'quote_ident', 'varchar', 'text', 'pg_catalog.quote_ident($1::pg_catalog.text)'),
        ('function', 'strpos', 'varchar, text', 'integer', 'pg_catalog.strpos($1::pg_catalog.text, $2)'),
        ('function', 'round', 'numeric, bigint', 'numeric', 'pg_catalog.round($1, $2::pg_catalog.int4)'),
        -- the extension's own functions, for arguments of another type
        ('function', 'json_valid', 'varchar', 'boolean', 'NULL::boolean'),
        ('function', 'orchestration_diagnostics_status', 'varchar', 'text', 'NULL::text'),
        -- exact duplicates of pg_catalog's: pg_catalog is searched first and wins
        ('function', 'now', '', 'timestamptz', 'pg_catalog.now()'),
        ('function', 'current_setting', 'text', 'text', 'pg_catalog.current_setting($1)'),
        -- operators on varchar, which pg_catalog reaches through casts to text
        ('operator', '=', 'varchar, varchar', 'boolean', 'pg_catalog.texteq($1, $2)'),
        ('operator', '<>', 'varchar, varchar', 'boolean', 'pg_catalog.textne($1, $2)'),
        ('operator', '<', 'varchar, varchar', 'boolean', 'pg_catalog.text_lt($1, $2)'),
        ('operator', '<=', 'varchar, varchar', 'boolean', 'pg_catalog.text_le($1, $2)'),
        ('operator', '>', 'varchar, varchar', 'boolean', 'pg_catalog.text_gt($1, $2)'),
        ('operator', '>=', 'varchar, varchar', 'boolean', 'pg_catalog.text_ge($1, $2)'),
        ('operator', '=', 'varchar, text', 'boolean', 'pg_catalog.texteq($1, $2)'),
        ('operator', '=', 'text, varchar', 'boolean', 'pg_catalog.texteq($1, $2)'),
        ('operator', '<>', 'varchar, text', 'boolean', 'pg_catalog.textne($1, $2)'),
        ('operator', '~~', 'varchar, text', 'boolean', 'pg_catalog.textlike($1, $2)'),
        ('operator', '~~*', 'text, varchar', 'boolean', 'pg_catalog.texticlike($1, $2)'),
        ('operator', '~~*', 'varchar, text', 'boolean', 'pg_catalog.texticlike($1, $2)'),
        ('operator', '||', 'text, varchar', 'text', 'pg_catalog.textcat($1, $2)'),
        ('operator', '||', 'varchar, text', 'text', 'pg_catalog.textcat($1, $2)'),
        ('operator', '||', 'varchar, varchar', 'text', 'pg_catalog.textcat($1, $2)'),
        -- arithmetic on mixed types, which pg_catalog reaches through casts
        ('operator', '/', 'numeric, bigint', 'numeric', 'pg_catalog.numeric_div($1, $2::pg_catalog.numeric)'),
        ('operator', '/', 'bigint, numeric', 'numeric', 'pg_catalog.numeric_div($1::pg_catalog.numeric, $2)'),
        ('operator', '*', 'numeric, bigint', 'numeric', 'pg_catalog.numeric_mul($1, $2::pg_catalog.numeric)'),
        ('operator', '=', 'numeric, bigint', 'boolean', 'pg_catalog.numeric_eq($1, $2::pg_catalog.numeric)'),
        -- exact duplicates of pg_catalog's operators: pg_catalog wins
        ('operator', '=', 'text, text', 'boolean', 'pg_catalog.texteq($1, $2)'),
        ('operator', '/', 'bigint, bigint', 'bigint', 'pg_catalog.int8div($1, $2)'),
        ('operator', '/', 'numeric, numeric', 'numeric', 'pg_catalog.numeric_div($1, $2)'),
        ('operator', '=', 'integer, bigint', 'boolean', 'pg_catalog.int48eq($1, $2)'),
        ('operator', '=', 'bigint, integer', 'boolean', 'pg_catalog.int84eq($1, $2)'),
        ('operator', '<>', 'integer, integer', 'boolean', 'pg_catalog.int4ne($1, $2)'),
        ('operator', '-', 'timestamptz, timestamptz', 'interval', 'pg_catalog.timestamptz_mi($1, $2)'),
        ('operator', '>=', 'timestamptz, timestamptz', 'boolean', 'pg_catalog.timestamptz_ge($1, $2)')
        ) AS v(kind, name, args, result, expr)
    LOOP
        n := n OPERATOR(pg_catalog.+) 1;
        label := p.kind OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) p.name
                 OPERATOR(pg_catalog.||) '(' OPERATOR(pg_catalog.||) p.args OPERATOR(pg_catalog.||) ')';
        -- the probe's arguments: 'search_path' (a valid setting name) for strings,
        -- 1 for numbers, a time for timestamptz
        arg := ARRAY(SELECT pg_catalog.format('%L::%s',
                                CASE WHEN t OPERATOR(pg_catalog.=) ANY ('{text,varchar}') THEN 'search_path'
                                     WHEN t OPERATOR(pg_catalog.=) 'timestamptz' THEN '2000-01-01 00:00:00+00'
                                     ELSE '1' END, t)
                     FROM pg_catalog.regexp_split_to_table(p.args, ', ') AS t WHERE t OPERATOR(pg_catalog.<>) '');
        IF p.kind OPERATOR(pg_catalog.=) 'function' THEN
            fn := p.name;
            probe := pg_catalog.format('public.%I(%s)', fn, pg_catalog.array_to_string(arg, ', '));
        ELSE
            fn := 'planted_operator_' OPERATOR(pg_catalog.||) n;
            probe := pg_catalog.format('%s OPERATOR(public.%s) %s', arg[1], p.name, arg[2]);
        END IF;
        EXECUTE pg_catalog.format('CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE sql VOLATILE AS %L',
            fn, p.args, p.result,
            pg_catalog.format('INSERT INTO public.planted_calls VALUES (current_user, %L); SELECT %s', label, p.expr));
        IF p.kind OPERATOR(pg_catalog.=) 'operator' THEN
            EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.%I)',
                pg_catalog.replace(p.name, ' ', ''), pg_catalog.split_part(p.args, ', ', 1),
                pg_catalog.split_part(p.args, ', ', 2), fn);
        END IF;
        INSERT INTO public.planted_plants VALUES (label, probe);
    END LOOP;
END
$plant$;

-- Aggregates: each records itself in its final function.
CREATE FUNCTION public.planted_count_step(n bigint, v anyelement) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT n OPERATOR(pg_catalog.+) 1::pg_catalog.int8 $$;
CREATE FUNCTION public.planted_count_varchar_done(n bigint) RETURNS bigint LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate count(varchar)'); SELECT n $$;
CREATE AGGREGATE public.count(varchar) (SFUNC = public.planted_count_step, STYPE = bigint, INITCOND = '0',
                                        FINALFUNC = public.planted_count_varchar_done);
CREATE FUNCTION public.planted_count_text_done(n bigint) RETURNS bigint LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate count(text)'); SELECT n $$;
CREATE AGGREGATE public.count(text) (SFUNC = public.planted_count_step, STYPE = bigint, INITCOND = '0',
                                     FINALFUNC = public.planted_count_text_done);
CREATE FUNCTION public.planted_max_varchar_done(s text) RETURNS text LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate max(varchar)'); SELECT s $$;
CREATE AGGREGATE public.max(varchar) (SFUNC = pg_catalog.text_larger, STYPE = text,
                                      FINALFUNC = public.planted_max_varchar_done);
CREATE FUNCTION public.planted_min_varchar_done(s text) RETURNS text LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate min(varchar)'); SELECT s $$;
CREATE AGGREGATE public.min(varchar) (SFUNC = pg_catalog.text_smaller, STYPE = text,
                                      FINALFUNC = public.planted_min_varchar_done);
CREATE FUNCTION public.planted_max_text_done(s text) RETURNS text LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate max(text)'); SELECT s $$;
CREATE AGGREGATE public.max(text) (SFUNC = pg_catalog.text_larger, STYPE = text,
                                   FINALFUNC = public.planted_max_text_done);
CREATE FUNCTION public.planted_string_agg_step(s text, v varchar, d text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN v IS NULL THEN s WHEN s IS NULL THEN v::pg_catalog.text
                  ELSE s OPERATOR(pg_catalog.||) d OPERATOR(pg_catalog.||) v::pg_catalog.text END $$;
CREATE FUNCTION public.planted_string_agg_done(s text) RETURNS text LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate string_agg(varchar, text)'); SELECT s $$;
CREATE AGGREGATE public.string_agg(varchar, text) (SFUNC = public.planted_string_agg_step, STYPE = text,
                                                   FINALFUNC = public.planted_string_agg_done);
CREATE FUNCTION public.planted_array_agg_step(s varchar[], v varchar) RETURNS varchar[] LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.array_append(s, v) $$;
CREATE FUNCTION public.planted_array_agg_done(s varchar[]) RETURNS varchar[] LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, 'aggregate array_agg(varchar)'); SELECT s $$;
CREATE AGGREGATE public.array_agg(varchar) (SFUNC = public.planted_array_agg_step, STYPE = varchar[],
                                            FINALFUNC = public.planted_array_agg_done);
-- An ordered-set aggregate: percentile_cont(0.5) has a numeric argument,
-- pg_catalog's takes double precision.
CREATE FUNCTION public.planted_percentile_step(s interval[], v interval) RETURNS interval[] LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN v IS NULL THEN s ELSE pg_catalog.array_append(s, v) END $$;
CREATE FUNCTION public.planted_percentile_done(s interval[], fraction numeric, v interval) RETURNS interval
LANGUAGE sql VOLATILE AS $$
    INSERT INTO public.planted_calls VALUES (current_user, 'aggregate percentile_cont(numeric ORDER BY interval)');
    SELECT pg_catalog.percentile_cont(fraction::pg_catalog.float8) WITHIN GROUP (ORDER BY x) FROM pg_catalog.unnest(s) AS x
$$;
CREATE AGGREGATE public.percentile_cont(numeric ORDER BY interval) (
    SFUNC = public.planted_percentile_step, STYPE = interval[], INITCOND = '{}',
    FINALFUNC = public.planted_percentile_done, FINALFUNC_EXTRA);
INSERT INTO public.planted_plants VALUES
    ('aggregate count(varchar)', '(SELECT public.count(v) FROM (VALUES (''a''::varchar)) AS t(v))'),
    ('aggregate count(text)', '(SELECT public.count(v) FROM (VALUES (''a''::text)) AS t(v))'),
    ('aggregate max(varchar)', '(SELECT public.max(v) FROM (VALUES (''a''::varchar)) AS t(v))'),
    ('aggregate min(varchar)', '(SELECT public.min(v) FROM (VALUES (''a''::varchar)) AS t(v))'),
    ('aggregate max(text)', '(SELECT public.max(v) FROM (VALUES (''a''::text)) AS t(v))'),
    ('aggregate string_agg(varchar, text)', '(SELECT public.string_agg(v, '','') FROM (VALUES (''a''::varchar)) AS t(v))'),
    ('aggregate array_agg(varchar)', '(SELECT public.array_agg(v) FROM (VALUES (''a''::varchar)) AS t(v))'),
    ('aggregate percentile_cont(numeric ORDER BY interval)',
     '(SELECT public.percentile_cont(0.5::numeric) WITHIN GROUP (ORDER BY v) FROM (VALUES (interval ''1 s'')) AS t(v))');

-- What a planted table's row-security policy calls for every row it shows.
CREATE FUNCTION public.planted_table_read(what text) RETURNS boolean LANGUAGE sql VOLATILE
AS $$ INSERT INTO public.planted_calls VALUES (current_user, what); SELECT true $$;
SQL
q $DB -c "SELECT count(*) FROM public.planted_calls" | grep -qx 0 || { not_ok "planting itself fired a plant"; exit 1; }

# --- 3. install (or update), then the planted tables ------------------------
if [ -n "$OLD" ]; then
    step "ALTER EXTENSION $EXT UPDATE TO '$NEW' (from '$OLD', installed before the plants)" \
        -c "ALTER EXTENSION $EXT UPDATE TO '$NEW'"
else
    install="CREATE EXTENSION $EXT SCHEMA public${NEW:+ VERSION '$NEW'}"
    step "$install (look-alikes present)" -c "$install"
fi
version=$(q $DB -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = '$EXT'")
echo "# installed version: $version"

# Look-alike tables (one row each, nullable columns) named like every member
# relation, in schema planted, which is first on the reader's search_path.
step "look-alike tables in schema planted, each recording who reads it" <<SQL
SELECT pg_catalog.format('CREATE TABLE planted.%I (LIKE %s)', c.relname, c.oid::pg_catalog.regclass),
       pg_catalog.format('ALTER TABLE planted.%I OWNER TO regress_planter', c.relname)
FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
JOIN pg_catalog.pg_class c ON c.oid = d.objid
WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('r', 'p', 'v', 'm')
\gexec
SET ROLE regress_planter;
SELECT pg_catalog.format('ALTER TABLE planted.%I ALTER COLUMN %I DROP NOT NULL', c.relname, a.attname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND a.attnotnull
WHERE c.relnamespace = 'planted'::pg_catalog.regnamespace
\gexec
SELECT pg_catalog.format('INSERT INTO planted.%I DEFAULT VALUES', c.relname),
       pg_catalog.format('ALTER TABLE planted.%I ENABLE ROW LEVEL SECURITY', c.relname),
       pg_catalog.format('CREATE POLICY recorded ON planted.%I USING (public.planted_table_read(%L))',
                         c.relname, 'table planted.' || c.relname),
       pg_catalog.format('INSERT INTO public.planted_plants VALUES (%L, %L)', 'table planted.' || c.relname,
                         pg_catalog.format('(SELECT count(*) FROM planted.%I)', c.relname))
FROM pg_catalog.pg_class c WHERE c.relnamespace = 'planted'::pg_catalog.regnamespace AND c.relkind = 'r'
\gexec
GRANT USAGE ON SCHEMA planted TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA planted TO PUBLIC;
SQL
nplants=$(q $DB -c "SELECT count(*) FROM public.planted_plants")
echo "# $nplants plants:"
q $DB -c "SELECT string_agg(label, '; ' ORDER BY label) FROM public.planted_plants" | fold -s -w 100 | sed 's/^/#   /'

# The reader may read the extension's tables and views, nothing more.
step "regress_reader may SELECT the extension's tables and views" <<SQL
SELECT pg_catalog.format('GRANT SELECT ON %s TO regress_reader', c.oid::pg_catalog.regclass)
FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
JOIN pg_catalog.pg_class c ON c.oid = d.objid
WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
  AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind IN ('r', 'p', 'v', 'm')
\gexec
SQL

# --- 4. control: every plant fires when called by its qualified name --------
q $DB >"$WORK/unfired" <<'SQL'
BEGIN;
SET LOCAL ROLE regress_reader;
SET LOCAL search_path = planted, public;
DO $probe$
DECLARE p record;
BEGIN
    FOR p IN SELECT probe FROM public.planted_plants LOOP
        EXECUTE 'SELECT ' OPERATOR(pg_catalog.||) p.probe;
    END LOOP;
END
$probe$;
RESET ROLE;
SELECT label FROM public.planted_plants EXCEPT SELECT what FROM public.planted_calls ORDER BY 1;
ROLLBACK;
SQL
if [ -s "$WORK/unfired" ]; then
    not_ok "control: plants that did not record themselves when called directly:"; sed 's/^/#   /' "$WORK/unfired"
else
    ok "control: all $nplants plants record their calls when called by their qualified names (rolled back)"
fi

# --- 5. exercise everything ----------------------------------------------
step "lifecycle, abandon and purge as superuser with search_path = public" <<'SQL'
SET search_path = public;
SELECT orchestration_device_ensure('planted-host', boundary => '10.0.0.9', state_sysinfo => '{"cpus": 2}',
                                   device_id => 'DEV-1');
SELECT orchestration_device_ensure('planted-host', boundary => '10.0.0.9');   -- finds the existing one
SELECT orchestration_nature_ensure('planted-nature', 'Planted', '{"owner": "test"}');
SELECT orchestration_nature_ensure('planted-nature', 'Planted');
-- S-0: finished first, purged below
SELECT orchestration_session_start('DEV-1', 'planted-nature', '1', session_id => 'S-0');
SELECT orchestration_session_finish('S-0', '{"status": "completed"}');
-- S-1: completed, every child
SELECT orchestration_session_start('DEV-1', 'planted-nature', '1', '{"pattern": "*.csv"}', '{"n": 1}', session_id => 'S-1');
SELECT orchestration_session_add_entry('S-1', '/inbox/a.csv', 'uniform_resource_a', '{"e": 1}', entry_id => 'E-1');
SELECT orchestration_session_transition('S-1', 'surveilr_orchestration_init', state_id => 'T-1');
SELECT orchestration_session_transition('S-1', 'surveilr_orch_progress', 'entry a', '{"rows": 3}', 'E-1', state_id => 'T-2');
SELECT orchestration_session_record_exec('S-1', 'SQL', 'COPY a', 0, 'E-1', output_text => 'COPY 3', exec_id => 'X-1');
SELECT orchestration_session_record_exec('S-1', 'shell', 'check', 2, 'E-1', 'X-1', exec_error_text => 'oops', exec_id => 'X-2');
SELECT orchestration_session_append_log('X-1', 'first', 'stdout', log_id => 'L-1');
SELECT orchestration_session_append_log('X-1', 'second', 'stdout');   -- sibling_order computed
SELECT orchestration_session_append_log('X-2', 'nested', 'stderr', 7, '{"l": 1}', log_id => 'L-3');
SELECT orchestration_session_raise_issue('S-1', 'Schema Validation: Missing Columns', 'no id', 'E-1', 1, 'id',
                                         'x', 'add it', '{"i": 1}', issue_id => 'I-1');
SELECT orchestration_session_raise_issue('S-1', 'warning', 'slow', issue_id => 'I-2');
INSERT INTO orchestration_session_issue_relation VALUES ('R-1', 'I-1', 'I-2', 'caused', NULL);
SELECT orchestration_session_transition('S-1', 'surveilr_orch_completed', state_id => 'T-3');
SELECT orchestration_session_finish('S-1', '{"status": "completed"}', '# done');
-- S-2: failed
SELECT orchestration_session_start('DEV-1', 'surveilr-transform-csv', '1', session_id => 'S-2');
SELECT orchestration_session_transition('S-2', 'surveilr_orch_failed', 'bad input');
SELECT orchestration_session_finish('S-2', '{"status": "failed"}');
-- S-3: left open, then abandoned
SELECT orchestration_session_start('DEV-1', 'surveilr-transform-xml', '1', session_id => 'S-3');
SELECT orchestration_session_transition('S-3', 'running');
SELECT orchestration_session_abandon(interval '0', 'planted test');
SELECT orchestration_session_abandon(interval '0', 'dead backend', only_dead_backends => true);
SELECT orchestration_session_purge(interval '0', 1, 1);          -- deletes S-0, the first finished
CALL orchestration_session_purge_batches(interval '100 years', 1);   -- deletes nothing
-- S-4: open
SELECT orchestration_session_start('DEV-1', 'surveilr-transform-html', '1', session_id => 'S-4');
-- the other functions
SELECT json_valid('{"a": [1, 2]}'), json_valid('\x7b7d'::bytea), json_error_position('{"a" 1}'),
       json_error_message('[1,'), orchestration_ulid_time(orchestration_ulid()) IS NOT NULL,
       orchestration_diagnostics_status('{"status": "x\u0041"}');
SQL

views=$(q $DB <<SQL
SELECT c.oid::regclass FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = '$EXT'
JOIN pg_class c ON c.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
  AND d.classid = 'pg_class'::regclass AND c.relkind IN ('v', 'm')
ORDER BY 1;
SQL
)
step "every member view ($(echo $views)) and the read-only functions as regress_reader with search_path = planted, public" <<SQL
SET ROLE regress_reader;
SET search_path = planted, public;
$(for v in $views; do echo "SELECT * FROM $v;"; done)
SELECT public.json_valid('{}'), public.json_valid('\x5b5d'::bytea), public.json_error_position('{'),
       public.json_error_message('{'), public.orchestration_ulid_time(public.orchestration_ulid()) IS NOT NULL,
       public.orchestration_diagnostics_status('{"status": "failed"}');
SQL

# What the lifecycle left, read from the tables (views may change between versions).
states=$(q $DB <<'SQL'
SELECT string_agg(s.orchestration_session_id || ':'
                  || CASE WHEN s.orch_finished_at IS NULL THEN 'open' ELSE 'finished' END
                  || coalesce(':' || (SELECT st.to_state FROM public.orchestration_session_state st
                                      WHERE st.session_id = s.orchestration_session_id
                                      ORDER BY st.transitioned_at DESC, st.orchestration_session_state_id DESC
                                      LIMIT 1), ''), ' ' ORDER BY s.orchestration_session_id)
FROM public.orchestration_session s;
SQL
)
expected="S-1:finished:surveilr_orch_completed S-2:finished:surveilr_orch_failed S-3:finished:abandoned S-4:open"
if [ "$states" = "$expected" ]; then
    ok "the sessions are what the lifecycle made ($states; S-0 purged)"
else
    not_ok "sessions after the lifecycle: $states (expected $expected)"
fi

# --- 6. the verdict ----------------------------------------------------------
q $DB -F ' | ' >"$WORK/calls" -c "SELECT who, what, count(*) FROM public.planted_calls GROUP BY 1, 2 ORDER BY 1, 2"
if [ -s "$WORK/calls" ]; then
    not_ok "planted objects ran (who | what | calls):"; sed 's/^/#   /' "$WORK/calls"
else
    ok "no planted object ran (planted_calls is empty)"
fi

# Every dependency of the extension's members and of their parts.
q $DB >"$WORK/flagged" <<SQL
SET search_path = pg_catalog;   -- print everything outside pg_catalog qualified
WITH
ext AS (SELECT oid, extnamespace FROM pg_extension WHERE extname = '$EXT'),
member AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rel AS (SELECT objid AS oid FROM member WHERE classid = 'pg_class'::regclass),
-- the members and what belongs to them (a rule, a default, a constraint, ...)
part AS (
    SELECT classid, objid FROM member
    UNION SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM rel)
    UNION SELECT 'pg_attrdef'::regclass, oid FROM pg_attrdef WHERE adrelid IN (SELECT oid FROM rel)
    UNION SELECT 'pg_constraint'::regclass, oid FROM pg_constraint
          WHERE conrelid IN (SELECT oid FROM rel) OR contypid IN (SELECT objid FROM member WHERE classid = 'pg_type'::regclass)
    UNION SELECT 'pg_trigger'::regclass, oid FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM rel)
    UNION SELECT 'pg_class'::regclass, indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM rel)
    UNION SELECT 'pg_policy'::regclass, oid FROM pg_policy WHERE polrelid IN (SELECT oid FROM rel)
    UNION SELECT 'pg_type'::regclass, oid FROM pg_type WHERE typrelid IN (SELECT oid FROM rel)
    UNION SELECT 'pg_class'::regclass, d.objid FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
            AND d.refobjid IN (SELECT oid FROM rel) AND d.deptype IN ('a', 'i')),
dep AS (
    SELECT d.* FROM pg_depend d JOIN part p ON p.classid = d.classid AND p.objid = d.objid
    WHERE d.deptype IN ('n', 'a'))
SELECT pg_describe_object(dep.classid, dep.objid, dep.objsubid) || '  ->  '
       || pg_describe_object(dep.refclassid, dep.refobjid, dep.refobjsubid)
FROM dep, ext
WHERE (dep.refclassid, dep.refobjid) NOT IN (SELECT classid, objid FROM part)
  AND NOT (dep.refclassid = 'pg_namespace'::regclass AND dep.refobjid = ext.extnamespace)
  AND (pg_identify_object(dep.refclassid, dep.refobjid, 0)).schema IS DISTINCT FROM 'pg_catalog'
  AND NOT (dep.refclassid = 'pg_language'::regclass
           AND (SELECT r.rolsuper FROM pg_language l JOIN pg_roles r ON r.oid = l.lanowner WHERE l.oid = dep.refobjid))
ORDER BY 1;
SQL
if [ -s "$WORK/flagged" ]; then
    not_ok "dependencies of the extension on objects outside pg_catalog and itself ($(wc -l <"$WORK/flagged")):"
    sed 's/^/#   /' "$WORK/flagged"
else
    ok "class-level check: every dependency of the extension's members points into pg_catalog or the extension"
fi

if [ $failed = 0 ]; then echo "# planted look-alikes: all ok"; else echo "# planted look-alikes: FAILED"; fi
exit $failed
