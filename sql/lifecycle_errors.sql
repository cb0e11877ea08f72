-- Every error of the lifecycle functions: SQLSTATE, message, detail and hint.
-- regress.err() (sql/setup.sql) shows what a client sees of an error.
\set ECHO none
\i sql/regress_helpers.psql
\set ECHO all

SELECT orchestration_device_ensure('err-host', device_id => 'DEV-E');
SELECT orchestration_nature_ensure('err-nature', 'Error tests');
SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => 'S-E');
SELECT orchestration_session_add_entry('S-E', 'e.csv', entry_id => 'E-E');
SELECT orchestration_session_record_exec('S-E', 'SQL', 'select', 0, exec_id => 'X-E');
SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => 'S-OTHER');
SELECT orchestration_session_add_entry('S-OTHER', 'o.csv', entry_id => 'E-OTHER');
SELECT orchestration_session_record_exec('S-OTHER', 'SQL', 'select', 0, exec_id => 'X-OTHER');

-- 22P02: malformed JSON in any argument; the message names the argument, the detail says where and what.
SELECT regress.err($$SELECT orchestration_device_ensure('h', '"SINGLETON')$$);
SELECT regress.err($$SELECT orchestration_device_ensure('h', state_sysinfo => '{"cpu": 4,}')$$);
SELECT regress.err($$SELECT orchestration_device_ensure('h', elaboration => 'nope')$$);
SELECT regress.err($$SELECT orchestration_nature_ensure('n', 'N', '{')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', E'{\n  "a": [1, 2\n}')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', elaboration => '')$$);
SELECT regress.err($$SELECT orchestration_session_add_entry('S-E', 'x', elaboration => '[1 2]')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', 'x', result_json => '{"a":tru}')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', 'x', elaboration => '01')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', 'x', 0, output_nature => '"é漢 x')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', 'x', 0, elaboration => '{"a" 1}')$$);
SELECT regress.err($$SELECT orchestration_session_raise_issue('S-E', 't', 'm', elaboration => '[,]')$$);
SELECT regress.err($$SELECT orchestration_session_append_log('X-E', 'c', elaboration => '1 2')$$);
SELECT regress.err($$SELECT orchestration_session_finish('S-E', '{"status": completed}')$$);

-- P0002: unknown session (or exec, for log lines).
SELECT regress.err($$SELECT orchestration_session_add_entry('S-NOPE', 'x')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-NOPE', 'x')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-NOPE', 'SQL', 'x', 0)$$);
SELECT regress.err($$SELECT orchestration_session_raise_issue('S-NOPE', 't', 'm')$$);
SELECT regress.err($$SELECT orchestration_session_append_log('X-NOPE', 'c')$$);
SELECT regress.err($$SELECT orchestration_session_finish('S-NOPE')$$);

-- 23503: unknown device or nature on start (the hint names the ensure function),
-- and entries or parent execs that do not belong to the session.
SELECT regress.err($$SELECT orchestration_session_start('DEV-NOPE', 'err-nature', '1')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', 'nature-nope', '1')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', 'x', session_entry_id => 'E-NOPE')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', 'x', session_entry_id => 'E-OTHER')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', 'x', 0, session_entry_id => 'E-OTHER')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', 'x', 0, parent_exec_id => 'X-OTHER')$$);
SELECT regress.err($$SELECT orchestration_session_raise_issue('S-E', 't', 'm', session_entry_id => 'E-OTHER')$$);

-- 22004: a required argument is NULL (the functions are not STRICT and never return NULL for it).
SELECT regress.err($$SELECT orchestration_device_ensure(NULL)$$);
SELECT regress.err($$SELECT orchestration_device_ensure('h', NULL)$$);
SELECT regress.err($$SELECT orchestration_device_ensure('h', boundary => NULL)$$);
SELECT regress.err($$SELECT orchestration_nature_ensure(NULL, 'N')$$);
SELECT regress.err($$SELECT orchestration_nature_ensure('n', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_start(NULL, 'err-nature', '1')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', NULL, '1')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', 'err-nature', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_add_entry(NULL, 'x')$$);
SELECT regress.err($$SELECT orchestration_session_add_entry('S-E', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', NULL, 0)$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', 'x', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_raise_issue('S-E', 't', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_append_log('X-E', NULL)$$);
SELECT regress.err($$SELECT orchestration_session_finish(NULL)$$);

-- 22023: empty or blank ids and names.
SELECT regress.err($$SELECT orchestration_device_ensure('   ')$$);
SELECT regress.err($$SELECT orchestration_device_ensure('h', device_id => '')$$);
SELECT regress.err($$SELECT orchestration_nature_ensure('', 'N')$$);
SELECT regress.err($$SELECT orchestration_nature_ensure('n', E' \t')$$);
SELECT regress.err($$SELECT orchestration_session_start('', 'err-nature', '1')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => ' ')$$);
SELECT regress.err($$SELECT orchestration_session_add_entry('', 'x')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', '  ')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', '', 'x', 0)$$);
SELECT regress.err($$SELECT orchestration_session_raise_issue('S-E', '', 'm')$$);
SELECT regress.err($$SELECT orchestration_session_append_log('', 'c')$$);
SELECT regress.err($$SELECT orchestration_session_finish(E'\n')$$);
-- Unicode spaces and invisible characters are blank too (no-break space,
-- ideographic space, zero-width space, BOM, ...); visible ones are not.
SELECT regress.errm($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => E'\u00A0')$$);
SELECT regress.errm($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => E'\u3000')$$);
SELECT regress.errm($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => E'\u200B')$$);
SELECT regress.errm($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => E' \u2003\uFEFF\u2060\u202F ')$$);
SELECT regress.errm($$SELECT orchestration_nature_ensure(E'\u3000n', 'N')$$) AS not_blank;
-- Messages do not echo unbounded input: a 50 MB id is cut to 64 characters.
SELECT regress.errm($$SELECT orchestration_session_add_entry(repeat('é', 25000000), 'x')$$);

-- 23505: a nature id that exists with another label; a caller-supplied id that is taken.
SELECT regress.err($$SELECT orchestration_nature_ensure('err-nature', 'Other label')$$);
SELECT regress.err($$SELECT orchestration_session_start('DEV-E', 'err-nature', '1', session_id => 'S-E')$$);

-- None of the failed calls above wrote anything.
SELECT (SELECT count(*) FROM orchestration_session_entry WHERE session_id = 'S-E') AS entries,
       (SELECT count(*) FROM orchestration_session_state WHERE session_id = 'S-E') AS transitions,
       (SELECT count(*) FROM orchestration_session_exec WHERE session_id = 'S-E') AS execs,
       (SELECT count(*) FROM orchestration_session_issue WHERE session_id = 'S-E') AS issues,
       (SELECT count(*) FROM orchestration_session_log WHERE parent_exec_id = 'X-E') AS logs,
       (SELECT count(*) FROM device WHERE name = 'h') AS devices;

-- 55000: nothing may be written to a finished session.
SELECT orchestration_session_finish('S-E') IS NOT NULL AS finished;
SELECT regress.err($$SELECT orchestration_session_finish('S-E')$$);
SELECT regress.err($$SELECT orchestration_session_transition('S-E', 'again')$$);
SELECT regress.err($$SELECT orchestration_session_add_entry('S-E', 'late.csv')$$);
SELECT regress.err($$SELECT orchestration_session_record_exec('S-E', 'SQL', 'late', 0)$$);
SELECT regress.err($$SELECT orchestration_session_raise_issue('S-E', 't', 'late')$$);
SELECT regress.err($$SELECT orchestration_session_append_log('X-E', 'late')$$);
