-- Helpers shared by the regression suites (schema "regress", outside the extension's).
CREATE SCHEMA regress;

-- Runs a statement and shows what a client sees of its error: SQLSTATE,
-- message, detail, hint and the table/column fields.  Timestamps are masked.
CREATE FUNCTION regress.err(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text; msg text; detail text; hint text; tbl text; col text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT,
                            tbl = TABLE_NAME, col = COLUMN_NAME;
    RETURN regexp_replace(state || ': ' || msg
                          || coalesce(E'\n  DETAIL: ' || nullif(detail, ''), '')
                          || coalesce(E'\n  HINT: ' || nullif(hint, ''), '')
                          || coalesce(E'\n  FIELDS: ' || nullif(tbl, '') || coalesce('.' || nullif(col, ''), ''), ''),
                          '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d', '<time>', 'g');
END $$;
