-- json_valid(text), json_valid(bytea), json_error_position(text),
-- json_error_message(text): SQLite semantics, RFC 8259 grammar.

-- Valid documents, any value at top level.  Unaligned: psql's width of
-- U+FEFF and emoji differs between majors.
\pset format unaligned
SELECT doc, json_valid(doc) AS valid, json_error_position(doc) AS pos
FROM (VALUES ('{}'), ('[]'), ('1'), ('-0'), ('1E400'), ('-1.5e-300'), ('"x"'), ('null'),
             ('true'), ('false'), (' [1, 2.5, "a", {"b": null}] '), (E'\t\n\r {"a":[]}\n'),
             ('"\u0000"'), ('"\ud800"'), ('"\udc00"'), ('"\ud83d\ude00"'),
             ('"\" \\ \/ \b \f \n \r \t \u00e9"'), ('"é漢😀"')) AS t(doc);

-- Invalid documents: where and why.
SELECT doc, json_valid(doc) AS valid, json_error_position(doc) AS pos, json_error_message(doc) AS message
FROM (VALUES (''), ('   '), (E'\uFEFF{}'), ('-'), ('01'), ('1.'), ('.1'), ('1e'), ('1e+'), ('+1'),
             ('[1,]'), ('{"a":1,}'), ('[1 2]'), ('{"a" 1}'), ('{1:2}'), ('1 2'), ('{} x'), ('[]]'),
             ('tru'), ('nul'), ('NaN'), ('"abc'), ('"\x"'), ('"\u12"'), (E'"a\tb"'), (E'"a\nb"'),
             ('[1,'), ('{"a"'), ('/* c */ 1'), ($$'single'$$), ('{"é": [1, 2 ÿ]}'),
             (E'{\n  "a": 1,\n  "b": [1, 2]\n  "c": 3\n}')) AS t(doc);
\pset format aligned

-- Every control character raw inside a string is rejected, escaped it is accepted.
SELECT count(*) FILTER (WHERE json_valid('"' || chr(c) || '"')) AS raw_accepted,
       count(*) FILTER (WHERE json_valid('"\u' || lpad(to_hex(c), 4, '0') || '"')) AS escaped_accepted
FROM generate_series(1, 31) AS c;

-- NULL in, NULL out.
SELECT json_valid(NULL::text), json_valid(NULL::bytea), json_error_position(NULL), json_error_message(NULL);

-- bytea: the same grammar, and the bytes must be valid UTF-8.
SELECT b, json_valid(b) AS valid
FROM (VALUES ('\x5b315d'::bytea),                 -- [1]
             ('\x22c3a922'::bytea),               -- "é"
             ('\x22f09f988022'::bytea),           -- "😀"
             ('\x22c0af22'::bytea),               -- overlong '/'
             ('\x22e080af22'::bytea),             -- overlong, 3 bytes
             ('\x22eda08022'::bytea),             -- encoded surrogate U+D800
             ('\x22f4908080'::bytea),             -- above U+10FFFF
             ('\x22ff22'::bytea),                 -- invalid byte
             ('\x22c322'::bytea),                 -- truncated sequence
             ('\xefbbbf7b7d'::bytea),             -- BOM then {}
             ('\x5b00'::bytea),                   -- NUL byte
             ('\x'::bytea)) AS t(b);

-- Deep nesting is handled iteratively: 1,000,000 levels, closed and unclosed.
SELECT json_valid(repeat('[', 1000000) || repeat(']', 1000000)) AS closed,
       json_valid(repeat('[', 1000000)) AS unclosed,
       json_error_position(repeat('[', 100000)) AS unclosed_pos,
       json_valid(repeat('{"a":[', 200000) || '1' || repeat(']}', 200000)) AS alternating;

-- A long string (20 MB) with escapes and multi-byte characters, and with a bad escape at the end.
SELECT json_valid('"' || repeat('ab\n\u00e9é漢', 2000000) || '"') AS long_valid,
       json_error_position('"' || repeat('é', 1000000) || '\q"') AS bad_escape_pos;

-- Positions count characters, not bytes; lines count \n.
SELECT json_error_position('["é漢😀", x]') AS pos, json_error_message('["é漢😀", x]') AS message;
SELECT json_error_message(E'[\n"é",\n  "漢" x]') AS message;

-- The functions are usable in indexes and constraints (IMMUTABLE).
CREATE TEMP TABLE docs (d text CHECK (json_valid(d)));
INSERT INTO docs VALUES ('{"ok":true}');
INSERT INTO docs VALUES ('{"ok":}');
