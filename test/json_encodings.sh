#!/usr/bin/env bash
# test/json_encodings.sh: json_error_position() and json_error_message()
# count characters of the database encoding, and
# orchestration_diagnostics_status() returns text in it.
#
# Creates (and drops) four databases with the installed extension:
#   LATIN1     single-byte: every byte 0x80-0xFF is one character (the bug
#              this checks for: they were counted as if the text were UTF-8,
#              so 0x80-0xBF did not count);
#   SQL_ASCII  single-byte as well;
#   EUC_JP     another multibyte encoding: 2- and 3-byte characters
#              (pg_encoding_mblen);
#   UTF8       the control: code points (2- and 4-byte characters count one).
# Documents hold such characters before the error (the error is at the only
# 'x' of the document); the expected line, column and position are computed
# by PostgreSQL itself (strpos, length and regexp_replace count characters
# of the database encoding).  Every byte 0x80-0xFF is also tried alone in
# LATIN1 (and its character U+0080-U+00FF in UTF8).  The "found" part of the
# message: the character in UTF-8, its first byte (byte 0xE9) otherwise.
# orchestration_diagnostics_status: \u escapes become characters of the
# database encoding (as json's ->> makes them), NULL when the encoding has no
# such character; raw characters are returned as they are.  The C function is
# called through a function of this test (test_status) on the library's
# symbol, whatever the install script declares.
#
# Uses the libpq environment (PGHOST, PGPORT, PGUSER; a superuser: the test
# creates a C function); prints ok / not ok lines; exits 1 on any failure.
set -euo pipefail

MAINT=${PGDATABASE:-postgres}
PREFIX=json_enc_test
OUT=$(mktemp)
cleanup() {
    for e in latin1 sql_ascii euc_jp utf8; do
        psql -X -q -d "$MAINT" -c "DROP DATABASE IF EXISTS ${PREFIX}_$e" >/dev/null 2>&1 || true
    done
    rm -f "$OUT"
}
trap cleanup EXIT

make_db() {   # suffix encoding
    psql -X -q -v ON_ERROR_STOP=1 -d "$MAINT" -c "DROP DATABASE IF EXISTS ${PREFIX}_$1" 2>/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -d "$MAINT" \
        -c "CREATE DATABASE ${PREFIX}_$1 ENCODING '$2' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
    psql -X -q -v ON_ERROR_STOP=1 -d "${PREFIX}_$1" >/dev/null <<'SQL'
CREATE EXTENSION orchestration_session;
CREATE FUNCTION test_status(text) RETURNS text
    AS '$libdir/orchestration_session', 'orchestration_diagnostics_status' LANGUAGE C IMMUTABLE STRICT;
-- where the error (the only 'x') is, counted by PostgreSQL in characters of the database encoding
CREATE FUNCTION expected(doc text, OUT line int, OUT col int, OUT pos int) LANGUAGE sql IMMUTABLE AS $$
    SELECT 1 + length(b) - length(replace(b, E'\n', '')),
           length(regexp_replace(b, '^.*\n', '')) + 1,
           strpos(doc, 'x')
    FROM (SELECT left(doc, strpos(doc, 'x') - 1) AS b) s
$$;
-- one result line per check: t|description or f|description (got ...)
CREATE FUNCTION located(what text, doc text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN json_error_position(doc) = e.pos
                 AND json_error_message(doc) LIKE format('line %s, column %s: %%', e.line, e.col)
                THEN 't|' ELSE 'f|' END ||
           format('%s: position %s, message "%s" (want line %s, column %s, position %s)',
                  what, json_error_position(doc), json_error_message(doc), e.line, e.col, e.pos)
    FROM expected(doc) e
$$;
-- json's ->> where it can say (a string status it can de-escape), for comparison
CREATE FUNCTION json_status(doc text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF json_typeof(doc::json -> 'status') IS DISTINCT FROM 'string' THEN
        RETURN NULL;
    END IF;
    RETURN doc::json ->> 'status';
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;
CREATE FUNCTION status_is(what text, doc text, want text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN test_status(doc) IS NOT DISTINCT FROM want THEN 't|' ELSE 'f|' END ||
           regexp_replace(format('%s: status %s (want %s)', what, coalesce(quote_literal(test_status(doc)), 'NULL'),
                                 coalesce(quote_literal(want), 'NULL')),
                          '[[:cntrl:]]', '?', 'g')    -- one line per check
$$;
SQL
}

run_checks() {   # suffix; SQL on stdin producing t|... / f|... lines; psql variable hi = $HI
    local db=${PREFIX}_$1 client=UTF8
    # results are printed in UTF-8; a SQL_ASCII database's bytes cannot be converted, so they go as they are
    [ "$1" = sql_ascii ] && client=SQL_ASCII
    PGCLIENTENCODING=$client psql -X -At -v ON_ERROR_STOP=1 -v hi="${HI:-NULL}" -d "$db" | while IFS='|' read -r ok what; do
        if [ "$ok" = t ]; then echo "ok - $1: $what"; else echo "not ok - $1: $what"; fi
    done | tee -a "$OUT"
}

# The characters before the error, per database: a run of non-ASCII
# characters of that encoding (LATIN1: the 128 bytes 0x80-0xFF; UTF8 and
# SQL_ASCII: the same characters; EUC_JP: 2- and 3-byte characters).
LATIN_HI="convert_from(decode((SELECT string_agg(lpad(to_hex(b), 2, '0'), '') FROM generate_series(128, 255) b), 'hex'), 'LATIN1')"
EUC_HI="convert_from(decode('a4a28fb0a18eb1a1a1b0a1', 'hex'), 'EUC_JP')"

common_checks() {   # suffix (HI set)
    run_checks "$1" <<'SQL'
WITH c(hi) AS (SELECT :hi)
SELECT located('one line', '["' || hi || '", x]') FROM c
UNION ALL SELECT located('three lines', E'{\n  "' || hi || E'": [1,\n   "' || hi || '" x]}') FROM c
UNION ALL SELECT located('CRLF lines', E'["' || hi || E'",\r\n"' || hi || E'",\r\n"' || hi || '" x]') FROM c
UNION ALL SELECT located('in a key', '{"' || hi || '" x}') FROM c
UNION ALL SELECT located('long prefix (the 64-byte block loop)', '[' || repeat('"' || hi || E'",\n', 50) || '1 x]') FROM c
UNION ALL SELECT located('no newline, long prefix', '[' || repeat('"' || hi || '",', 50) || '1 x]') FROM c
UNION ALL SELECT located('error at the last character', '["' || hi || '",x') FROM c
SQL
}

make_db latin1 LATIN1
make_db sql_ascii SQL_ASCII
make_db euc_jp EUC_JP
make_db utf8 UTF8

HI=$LATIN_HI common_checks latin1
HI=$LATIN_HI common_checks sql_ascii
HI=$LATIN_HI common_checks utf8
HI=$EUC_HI common_checks euc_jp
run_checks utf8 <<'SQL'
SELECT located('2-, 3- and 4-byte characters', E'["\u00e9\u20ac\U0001F600",\n "\u00e9\u20ac\U0001F600" x]')
SQL

# Every byte 0x80-0xFF alone before the error (LATIN1: that byte; UTF8: U+0080-U+00FF).
for db in latin1 utf8; do
    run_checks $db <<'SQL'
SELECT CASE WHEN count(*) FILTER (WHERE r NOT LIKE 't|%') = 0 THEN 't|' ELSE 'f|' END ||
       format('each of the 128 characters 0x80-0xFF alone before the error: %s wrong%s',
              count(*) FILTER (WHERE r NOT LIKE 't|%'),
              coalesce(': ' || string_agg(r, '; ') FILTER (WHERE r NOT LIKE 't|%'), ''))
FROM (SELECT located(format('byte %s', b), '["' || ch || ch || E'",\n"' || ch || '" x]') AS r
      FROM generate_series(128, 255) b,
           LATERAL (SELECT convert_from(decode(lpad(to_hex(b), 2, '0'), 'hex'), 'LATIN1') AS ch) c) s
SQL
done

# The found part: the character in UTF-8, its first byte elsewhere.
run_checks latin1 <<'SQL'
SELECT CASE WHEN json_error_message(d) = 'line 1, column 5: expected a JSON value, found byte 0xE9'
             AND json_error_position(d) = 5 THEN 't|' ELSE 'f|' END || 'found: ' || json_error_message(d)
FROM (SELECT '[1, ' || convert_from('\xe9', 'LATIN1') || ']' AS d) s
SQL
run_checks euc_jp <<'SQL'
SELECT CASE WHEN json_error_message(d) = 'line 1, column 7: expected a JSON value, found byte 0xA4'
             AND json_error_position(d) = 7 THEN 't|' ELSE 'f|' END || 'found: ' || json_error_message(d)
FROM (SELECT '["' || convert_from('\xa4a2', 'EUC_JP') || '", ' || convert_from('\xa4a2', 'EUC_JP') || ']' AS d) s
SQL
run_checks utf8 <<'SQL'
SELECT CASE WHEN json_error_message(d) = E'line 1, column 5: expected a JSON value, found \'\u00e9\''
             AND json_error_position(d) = 5 THEN 't|' ELSE 'f|' END || 'found: ' || json_error_message(d)
FROM (SELECT E'[1, \u00e9]' AS d) s
SQL

# orchestration_diagnostics_status in each encoding.
run_checks latin1 <<'SQL'
WITH e(ch) AS (SELECT convert_from('\xe9', 'LATIN1'))
SELECT status_is('\u00e9 becomes the LATIN1 byte', '{"status":"caf\u00e9"}', 'caf' || ch) FROM e
UNION ALL SELECT status_is('\u00ff', '{"status":"\u00ff"}', convert_from('\xff', 'LATIN1'))
UNION ALL SELECT status_is('a raw LATIN1 character is kept', '{"status":"' || ch || '"}', ch) FROM e
UNION ALL SELECT status_is('\u20ac has no LATIN1 character', '{"status":"\u20ac"}', NULL)
UNION ALL SELECT status_is('\u0100 has no LATIN1 character', '{"status":"\u0100"}', NULL)
UNION ALL SELECT status_is('a surrogate pair has none', '{"status":"\ud83d\ude00"}', NULL)
UNION ALL SELECT status_is('ASCII escapes', '{"status":"a\n\u0041\/"}', E'a\nA/')
UNION ALL SELECT status_is('as json ->> says', d, json_status(d))
    FROM (SELECT '{"status":"caf\u00e9 \u00a0\u00bf \t"}' AS d) s
SQL
run_checks sql_ascii <<'SQL'
SELECT status_is('\u00e9: SQL_ASCII cannot hold an escaped non-ASCII character', '{"status":"\u00e9"}', NULL)
UNION ALL SELECT status_is('raw bytes are kept', '{"status":"caf' || convert_from('\xe9', 'LATIN1') || '"}',
                           'caf' || convert_from('\xe9', 'LATIN1'))
UNION ALL SELECT status_is('ASCII escapes', '{"status":"ok\u0021"}', 'ok!')
SQL
run_checks euc_jp <<'SQL'
SELECT status_is('\u3042 becomes the EUC_JP character', '{"status":"\u3042"}', convert_from('\xa4a2', 'EUC_JP'))
UNION ALL SELECT status_is('a raw EUC_JP character is kept', '{"status":"' || convert_from('\x8fb0a1', 'EUC_JP') || '"}',
                           convert_from('\x8fb0a1', 'EUC_JP'))
UNION ALL SELECT status_is('\u0e01 has no EUC_JP character', '{"status":"\u0e01"}', NULL)
UNION ALL SELECT status_is('as json ->> says', d, json_status(d))
    FROM (SELECT '{"status":"\u3042\u30a2 x"}' AS d) s
SQL
run_checks utf8 <<'SQL'
SELECT status_is('\u20ac', '{"status":"\u20ac"}', E'\u20ac')
UNION ALL SELECT status_is('a surrogate pair', '{"status":"\ud83d\ude00"}', E'\U0001F600')
UNION ALL SELECT status_is('a lone surrogate', '{"status":"\ud83d"}', NULL)
UNION ALL SELECT status_is('\u0000', '{"status":"a\u0000"}', NULL)
UNION ALL SELECT status_is('a bad escape elsewhere does not matter', '{"x":"\ud800","status":"ok"}', 'ok')
UNION ALL SELECT status_is('as json ->> says: ' || d, d, json_status(d))
    FROM unnest(ARRAY['{"status":"caf\u00e9 \u20ac \ud834\udd1e \"\\\/\b\f\n\r\t"}',
                      '{"status":"a","status":"last"}',
                      '{"st\u0061tus":"escaped name"}',
                      '{"a":{"status":"nested"},"status":"top"}',
                      E'{"status":"raw \u00e9\u20ac"}']) d
SQL

fails=$(grep -c '^not ok' "$OUT" || true)
total=$(grep -c '^\(not \)\?ok' "$OUT" || true)
if [ "$fails" -gt 0 ] || [ "$total" -eq 0 ]; then
    echo "json_encodings: $fails of $total checks failed"
    exit 1
fi
echo "json_encodings: all $total checks passed"
