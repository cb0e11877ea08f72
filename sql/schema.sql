-- Schema contract: the nine tables, column for column, their constraints,
-- indexes, comments and the functions' declared properties.

-- Columns in order, with type, nullability and default.
SELECT c.relname AS table_name, a.attnum, a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_value
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname, a.attnum;

-- Every constraint (primary keys, uniques, foreign keys with NO ACTION, CHECKs).
-- NOT NULL is shown with the columns above: 18 also lists it here (contype 'n').
SELECT conrelid::regclass AS table_name, conname, contype,
       pg_catalog.pg_get_constraintdef(oid) AS definition
FROM pg_catalog.pg_constraint
WHERE connamespace = 'public'::regnamespace AND contype <> 'n'
ORDER BY conrelid::regclass::text, conname;

-- Every foreign key column is the leading column of an index.
SELECT con.conrelid::regclass AS table_name, a.attname AS fk_column,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
               WHERE i.indrelid = con.conrelid AND i.indkey[0] = con.conkey[1]) AS indexed
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
ORDER BY 1, 2;

-- Indexes.
SELECT tablename, indexname, indexdef FROM pg_catalog.pg_indexes
WHERE schemaname = 'public' ORDER BY tablename, indexname;

-- Comments: every table and every column has one.
SELECT c.relname, pg_catalog.obj_description(c.oid, 'pg_class') IS NOT NULL AS table_commented,
       count(*) FILTER (WHERE pg_catalog.col_description(c.oid, a.attnum) IS NULL) AS columns_without_comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
GROUP BY c.oid, c.relname ORDER BY c.relname;

SELECT pg_catalog.col_description('orchestration_session'::regclass, 8) AS args_json_comment;

-- Functions: names, arguments, properties, comments; none is SECURITY DEFINER.
-- (14 and later print a procedure's arguments with IN, 13 without: IN is dropped.)
SELECT p.proname,
       pg_catalog.regexp_replace(pg_catalog.pg_get_function_arguments(p.oid), '(^|, )IN ', '\1', 'g') AS arguments,
       pg_catalog.pg_get_function_result(p.oid) AS result,
       p.provolatile, p.proisstrict, p.proparallel, p.prosecdef,
       pg_catalog.obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'orchestration_session'
ORDER BY p.proname, arguments;

-- Triggers.
SELECT tgrelid::regclass AS table_name, tgname, pg_catalog.pg_get_triggerdef(oid) AS definition
FROM pg_catalog.pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2;

-- The extension's control properties.
SELECT extname, extversion, extrelocatable, extnamespace::regnamespace
FROM pg_catalog.pg_extension WHERE extname = 'orchestration_session';
