-- Seeds and dump configuration: the three upstream natures exist once, and
-- every table is registered with pg_extension_config_dump (the seeded natures
-- filtered out, so a restore does not duplicate them).
SELECT orchestration_nature_id, nature FROM orchestration_nature
WHERE orchestration_nature_id LIKE 'surveilr-transform-%' ORDER BY 1;

SELECT c.relname, cond
FROM pg_catalog.pg_extension e,
     LATERAL unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
JOIN pg_catalog.pg_class c ON c.oid = u.cfg
WHERE e.extname = 'orchestration_session'
ORDER BY c.relname;

-- Every table of the extension is registered.
SELECT count(*) AS tables_not_dumped
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'orchestration_session'
WHERE c.relkind = 'r' AND NOT c.oid = ANY (e.extconfig);

-- Re-running the seed statement the way a restore would meet it is harmless:
-- the seeded rows are excluded from the dump, so nothing inserts them twice.
SELECT count(*) FROM orchestration_nature WHERE orchestration_nature_id = 'surveilr-transform-csv';
