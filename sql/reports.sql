-- The reporting views answer for any document json_valid accepts: one bad
-- row never breaks a report.  orchestration_diagnostics_status() reads the
-- top-level "status" of diagnostics_json at any depth (iterative), and is
-- NULL where no text can hold the value (a lone surrogate, \u0000).
SELECT orchestration_device_ensure('reports-host', device_id => 'DEV-REP');

-- A 20,000-level (and a 1,000,000-level) diagnostics document is accepted by
-- finish, and the views still answer for everyone.
SELECT orchestration_session_start('DEV-REP', 'surveilr-transform-csv', '1', session_id => 'S-DEEP');
SELECT orchestration_session_finish('S-DEEP', '{"status":"failed","x":' || repeat('[', 20000) || repeat(']', 20000) || '}') IS NOT NULL AS finished;
SELECT orchestration_session_start('DEV-REP', 'surveilr-transform-csv', '1', session_id => 'S-DEEPER');
SELECT orchestration_session_finish('S-DEEPER', '{"x":' || repeat('{"a":', 1000000) || '1' || repeat('}', 1000000) || ',"status":"abandoned"}') IS NOT NULL AS finished;
SELECT orchestration_session_id, status FROM orchestration_session_overview
WHERE orchestration_session_id IN ('S-DEEP', 'S-DEEPER') ORDER BY 1;
SELECT sessions, failed, abandoned FROM orchestration_session_stats_daily WHERE device_id = 'DEV-REP';

-- What the status reader returns, case by case (unaligned: psql's width of
-- emoji differs between majors).
\pset format unaligned
SELECT doc, orchestration_diagnostics_status(doc) AS status
FROM (VALUES ('{"status":"completed"}'), ('{"status":"failed","status":"completed"}'),
             ('{"st\u0061tus":"escaped key"}'), ('{"status":"caf\u00e9 \"q\" \n"}'),
             ('{"inner":{"status":"nested"}}'), ('[{"status":"in an array"}]'),
             ('{"status":1}'), ('{"status":null}'), ('{"status":["failed"]}'),
             ('"status"'), ('{"status":"x"'), ('not json'), (''),
             ('{"status":"\ud800"}'), ('{"status":"a\u0000b"}'), ('{"status":"\ud83d\ude00"}'),
             ('  {  "other" : [1, {"status": "no"}] , "status" : "yes" }  ')) AS t(doc);
\pset format aligned
SELECT orchestration_diagnostics_status(NULL) IS NULL AS null_in_null_out;

SELECT orchestration_session_purge(interval '0') >= 2 AS purged;
