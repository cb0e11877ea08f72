#!/bin/bash
# test/jsontestsuite_db.sh [suite-dir]: JSONTestSuite conformance of
# json_valid(bytea) and json_valid(text) inside the database.
#
# Suite directory: the first argument, else $JSONTESTSUITE, else
# <repo root>/../shared/jsontestsuite/test_parsing; skipped (exit 0) when it
# does not exist.  Loads every file's raw bytes into table suite of database
# suite_db (UTF8) and checks that every y_* file is accepted and every n_*
# file rejected, by json_valid(bytea) for all files and by json_valid(text)
# for the files PostgreSQL can hold as text (valid UTF-8 without NUL).
# Reports i_* results, and checks that 100,000 and 1,000,000 opening
# brackets are rejected without error.  Uses only the libpq environment.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUITE=${1:-${JSONTESTSUITE:-$ROOT/../shared/jsontestsuite/test_parsing}}
if [ ! -d "$SUITE" ]; then
    echo "SKIPPED: JSONTestSuite not found at $SUITE (set JSONTESTSUITE=...)"
    exit 0
fi

DB=suite_db
MAINT=${PGDATABASE:-postgres}
WORK=$(mktemp -d)
cleanup() {
    psql -X -q -d "$MAINT" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -v ON_ERROR_STOP=1 -d "$MAINT" -c "DROP DATABASE IF EXISTS $DB" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$MAINT" \
    -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"

# COPY text stream: name <TAB> \\x<hex of the raw bytes>
n_disk=0
for f in "$SUITE"/*.json; do
    name=$(basename "$f")
    printf '%s\t\\\\x%s\n' "${name//\\/\\\\}" "$(od -An -v -tx1 "$f" | tr -d ' \n')"
    n_disk=$((n_disk + 1))
done >"$WORK/suite.copy"

q >/dev/null <<SQL
CREATE EXTENSION orchestration_session;
CREATE TABLE suite (name text PRIMARY KEY, bytes bytea NOT NULL);
\\copy suite FROM '$WORK/suite.copy'

-- The text PostgreSQL can hold for these bytes, or why it cannot.
CREATE FUNCTION as_text(b bytea, OUT t text, OUT why text) LANGUAGE plpgsql AS \$\$
BEGIN
    IF position('\\x00'::bytea IN b) > 0 THEN
        why := 'contains NUL';
        RETURN;
    END IF;
    t := convert_from(b, 'UTF8');
EXCEPTION WHEN OTHERS THEN
    why := CASE WHEN SQLSTATE = '22021' THEN 'invalid UTF-8' ELSE SQLSTATE || ' ' || SQLERRM END;
END \$\$;

-- 'true', 'false', or the error json_valid raised.
CREATE FUNCTION try_valid(b bytea) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN RETURN json_valid(b)::text;
EXCEPTION WHEN OTHERS THEN RETURN 'error ' || SQLSTATE || ': ' || SQLERRM;
END \$\$;
CREATE FUNCTION try_valid(s text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN RETURN json_valid(s)::text;
EXCEPTION WHEN OTHERS THEN RETURN 'error ' || SQLSTATE || ': ' || SQLERRM;
END \$\$;

CREATE TABLE result AS
SELECT name, left(name, 1) AS kind,
       CASE left(name, 1) WHEN 'y' THEN 'true' WHEN 'n' THEN 'false' END AS expected,
       try_valid(bytes) AS via_bytea,
       (as_text(bytes)).why AS not_text_why,
       try_valid((as_text(bytes)).t) AS via_text
FROM suite;
SQL

failed=0
report() { # description, condition-ok (0/1), failing names
    if [ "$2" = 1 ]; then echo "ok - $1"; else echo "not ok - $1"; failed=1; [ -z "$3" ] || echo "$3" | sed 's/^/#   /'; fi
}

n_db=$(q -c "SELECT count(*) FROM suite")
report "files loaded: $n_db of $n_disk" "$([ "$n_db" = "$n_disk" ] && [ "$n_db" -gt 0 ] && echo 1)" ""

for kind in y n; do
    exp=$([ $kind = y ] && echo true || echo false)
    what=$([ $kind = y ] && echo accepted || echo rejected)
    read -r good total < <(q -F ' ' -c "SELECT count(*) FILTER (WHERE via_bytea = '$exp'), count(*) FROM result WHERE kind = '$kind'")
    bad=$(q -c "SELECT name || ': ' || via_bytea FROM result WHERE kind = '$kind' AND via_bytea IS DISTINCT FROM '$exp' ORDER BY name")
    report "json_valid(bytea): $kind $what $good/$total" "$([ "$good" = "$total" ] && echo 1)" "$bad"
    read -r good total < <(q -F ' ' -c "SELECT count(*) FILTER (WHERE via_text = '$exp'), count(*) FROM result WHERE kind = '$kind' AND not_text_why IS NULL")
    bad=$(q -c "SELECT name || ': ' || via_text FROM result WHERE kind = '$kind' AND not_text_why IS NULL AND via_text IS DISTINCT FROM '$exp' ORDER BY name")
    report "json_valid(text): $kind $what $good/$total (files that can be text)" "$([ "$good" = "$total" ] && echo 1)" "$bad"
done

bad=$(q -c "SELECT name || ': bytea ' || via_bytea || ', text ' || via_text FROM result
            WHERE not_text_why IS NULL AND via_bytea IS DISTINCT FROM via_text ORDER BY name")
report "json_valid(text) agrees with json_valid(bytea) on every text-able file" "$([ -z "$bad" ] && echo 1)" "$bad"
bad=$(q -c "SELECT name || ': ' || via_bytea FROM result WHERE via_bytea LIKE 'error%' OR via_text LIKE 'error%' ORDER BY name")
report "no file raises an error" "$([ -z "$bad" ] && echo 1)" "$bad"

echo "# files that cannot be text:"
q -c "SELECT '#   ' || not_text_why || ': ' || count(*) || ' (' || string_agg(kind, '' ORDER BY kind) || ')'
      FROM result WHERE not_text_why IS NOT NULL GROUP BY not_text_why ORDER BY 1"
q -c "SELECT '#   ' || name || ': ' || not_text_why FROM result WHERE not_text_why IS NOT NULL AND kind <> 'i' ORDER BY name"
echo "# i_ files (implementation-defined):"
q -c "SELECT format('#   bytea: %s accepted, %s rejected of %s; text: %s accepted, %s rejected of %s text-able',
                    count(*) FILTER (WHERE via_bytea = 'true'), count(*) FILTER (WHERE via_bytea = 'false'), count(*),
                    count(*) FILTER (WHERE via_text = 'true'), count(*) FILTER (WHERE via_text = 'false'),
                    count(*) FILTER (WHERE not_text_why IS NULL))
      FROM result WHERE kind = 'i'"
q -c "SELECT '#   ' || name || ': ' || via_bytea FROM result WHERE kind = 'i' ORDER BY name"

deep() { # description, expression
    local out
    out=$(q -c "SELECT $2" 2>&1 || true)
    report "$1 returns false without error" "$([ "$out" = f ] && echo 1)" "$out"
}
n100k=$(q -c "SELECT count(*) FROM suite WHERE name = 'n_structure_100000_opening_arrays.json'")
report "n_structure_100000_opening_arrays.json is in the suite" "$([ "$n100k" = 1 ] && echo 1)" ""
deep "json_valid(bytea) of n_structure_100000_opening_arrays.json" \
    "json_valid(bytes) FROM suite WHERE name = 'n_structure_100000_opening_arrays.json'"
deep "json_valid(text) of n_structure_100000_opening_arrays.json" \
    "json_valid(convert_from(bytes, 'UTF8')) FROM suite WHERE name = 'n_structure_100000_opening_arrays.json'"
deep "json_valid(text) of 1,000,000 opening brackets" "json_valid(repeat('[', 1000000))"
deep "json_valid(bytea) of 1,000,000 opening brackets" "json_valid(convert_to(repeat('[', 1000000), 'UTF8'))"
deep "json_valid(text) of 1,000,000 opening brackets then a value" "json_valid(repeat('[', 1000000) || '1')"

if [ $failed = 0 ]; then echo "# JSONTestSuite in the database: all ok"; else echo "# JSONTestSuite in the database: FAILED"; fi
exit $failed
