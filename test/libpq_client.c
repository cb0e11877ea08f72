/*
 * test/libpq_client.c: plays an application of orchestration_session over
 * libpq, with parameterised queries only (text parameters).
 *
 *   make test/libpq_client && test/libpq_client [maintenance-db]
 *
 * Connection settings come from the libpq environment (PGHOST, PGPORT,
 * PGUSER, ...).  The program connects to the maintenance database (argv[1],
 * else $PGDATABASE, else "postgres"), creates its own database
 * libpq_client_test with the extension, runs a full session lifecycle and
 * bad input against it, and drops the database at the end.  Prints one line
 * per check ("ok - ..." / "not ok - ..."), a summary, and exits 1 on any
 * failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libpq-fe.h"

#define TEST_DB "libpq_client_test"
#define NPARAMS(...) ((int) (sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)))
/* Runs sql with the given text parameters (NULL pointer = SQL NULL). */
#define Q(sql, ...) run((sql), NPARAMS(__VA_ARGS__), (const char *[]){__VA_ARGS__})

static PGconn *conn;
static int	n_checks, n_failed;
static char baseline[64];		/* fingerprint of all tables after the last success */

static int
check(int cond, const char *fmt, ...)
{
	va_list		ap;

	n_checks++;
	if (!cond)
		n_failed++;
	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

static PGresult *
run(const char *sql, int n, const char *const *params)
{
	return PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
}

static int
res_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

static const char *
field(const PGresult *res, int code)
{
	const char *v = PQresultErrorField(res, code);

	return v ? v : "";
}

/* The first value of a successful single-value result, copied; "" on error. */
static char *
value_of(PGresult *res)
{
	char	   *v = strdup(res_ok(res) && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)
						   ? PQgetvalue(res, 0, 0) : "");

	PQclear(res);
	return v;
}

/* A fingerprint of the contents of the nine tables. */
static void
fingerprint(char *out)
{
	static const char *const tables[] = {
		"device", "orchestration_nature", "orchestration_session",
		"orchestration_session_entry", "orchestration_session_state",
		"orchestration_session_exec", "orchestration_session_issue",
		"orchestration_session_issue_relation", "orchestration_session_log"};
	char		sql[2048] = "SELECT md5(concat_ws('|'";
	char	   *v;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
				 ", (SELECT count(*) || ':' || md5(string_agg(md5(t::text), ',' ORDER BY md5(t::text))) FROM %s t)",
				 tables[i]);
	strcat(sql, "))");
	v = value_of(PQexec(conn, sql));
	snprintf(out, 64, "%s", v);
	free(v);
}

/*
 * Expects res to succeed; returns its first value (copied, caller frees) and
 * records the new table fingerprint.  NULL on failure.
 */
static char *
expect_ok(const char *what, PGresult *res)
{
	char	   *v;

	if (!check(res_ok(res), "%s", what))
	{
		printf("#   %s: %s", field(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	v = strdup(PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0)
			   ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	fingerprint(baseline);
	return v;
}

/* Expects res to succeed with exactly this first value. */
static void
expect_value(const char *what, const char *expected, PGresult *res)
{
	int			ok = res_ok(res) && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
		&& strcmp(PQgetvalue(res, 0, 0), expected) == 0;

	if (!check(ok, "%s", what))
		printf("#   expected '%s', got '%s' %s\n", expected,
			   res_ok(res) && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "(no row)",
			   PQresultErrorMessage(res));
	PQclear(res);
}

/*
 * Expects res to fail with SQLSTATE state and a primary message containing
 * msg_part; then checks that the connection is still usable and that the
 * failed statement left nothing behind (all tables unchanged).
 */
static void
expect_sqlstate(const char *what, const char *state, const char *msg_part, PGresult *res)
{
	const char *got = field(res, PG_DIAG_SQLSTATE);
	const char *msg = field(res, PG_DIAG_MESSAGE_PRIMARY);
	char		now[64];
	char	   *one;

	if (!check(PQresultStatus(res) == PGRES_FATAL_ERROR && strcmp(got, state) == 0
			   && strstr(msg, msg_part) != NULL,
			   "%s: %s, message names %s", what, state, msg_part))
		printf("#   got %s: %s\n", res_ok(res) ? "success" : got, msg);
	PQclear(res);

	one = value_of(PQexec(conn, "SELECT 1"));
	fingerprint(now);
	check(strcmp(one, "1") == 0 && strcmp(now, baseline) == 0,
		  "%s: connection usable, nothing written", what);
	free(one);
}

static void
quiet(void *arg, const char *message)
{
	(void) arg;
	(void) message;
}

static PGconn *
connect_to(const char *dbname)
{
	const char *const keys[] = {"dbname", "client_encoding", NULL};
	const char *const vals[] = {dbname, "UTF8", NULL};
	PGconn	   *c = PQconnectdbParams(keys, vals, 0);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "connection to \"%s\" failed: %s", dbname, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

static int
admin(PGconn *c, const char *sql)
{
	PGresult   *res = PQexec(c, sql);
	int			ok = res_ok(res);

	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

/* A well-formed JSON text of about size bytes, with multi-byte characters. */
static char *
big_json(size_t size)
{
	static const char item[] = "\"caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97 line\\n \\u00e9\",";
	size_t		len = 0;
	char	   *s = malloc(size + 64);

	len += sprintf(s, "{\"status\": \"ok\", \"lines\": [");
	while (len + sizeof(item) < size)
	{
		memcpy(s + len, item, sizeof(item) - 1);
		len += sizeof(item) - 1;
	}
	strcpy(s + len, "\"end\"]}");
	return s;
}

/* The full lifecycle of one session; returns the (finished) session id. */
static char *
lifecycle(const char *device, const char *nature)
{
	char	   *session, *entry1, *entry2, *exec1, *exec2, *exec3, *issue, *v;
	char	   *args = big_json(1024);
	static const char *const states[] = {"LOADING", "VALIDATING", "TRANSFORMING", "DONE"};
	const char *prev = "INITIAL";
	PGresult   *res;

	session = expect_ok("start with ~1 KB args_json (named notation)",
						Q("SELECT orchestration_session_start($1, $2, $3, args_json => $4)",
						  device, nature, "1.2.3", args));
	if (!session)
	{
		free(args);
		return NULL;
	}
	expect_value("args_json stored byte for byte", "t",
				 Q("SELECT args_json = $2 AND octet_length(args_json) >= 1000 FROM orchestration_session "
				   "WHERE orchestration_session_id = $1", session, args));
	free(args);

	entry1 = expect_ok("add entry 1",
					   Q("SELECT orchestration_session_add_entry($1, $2, ingest_table_name => $3)",
						 session, "input/data.csv", "uniform_resource"));
	entry2 = expect_ok("add entry 2 with a multi-byte UTF-8 ingest_src",
					   Q("SELECT orchestration_session_add_entry($1, $2, elaboration => $3)",
						 session, "donn\xc3\xa9" "es/\xe6\xbc\xa2\xe5\xad\x97/\xf0\x9f\x98\x80.csv",
						 "{\"note\": \"\xc3\xa9t\xc3\xa9\"}"));
	expect_value("multi-byte ingest_src read back identical", "t",
				 Q("SELECT ingest_src = $2 AND octet_length(ingest_src) = 24 AND length(ingest_src) = 16 "
				   "FROM orchestration_session_entry WHERE orchestration_session_entry_id = $1",
				   entry2, "donn\xc3\xa9" "es/\xe6\xbc\xa2\xe5\xad\x97/\xf0\x9f\x98\x80.csv"));

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
	{
		char		what[128];

		snprintf(what, sizeof(what), "transition %s -> %s", prev, states[i]);
		free(expect_ok(what, Q("SELECT orchestration_session_transition($1, $2, reason => $3, "
							   "result_json => $4, session_entry_id => $5)",
							   session, states[i], "step", "{\"step\": true}",
							   i == 1 ? entry1 : NULL)));
		prev = states[i];
	}
	expect_value("from_state chain INITIAL>LOADING>VALIDATING>TRANSFORMING>DONE",
				 "INITIAL>LOADING LOADING>VALIDATING VALIDATING>TRANSFORMING TRANSFORMING>DONE",
				 Q("SELECT string_agg(from_state || '>' || to_state, ' ' "
				   "ORDER BY transitioned_at, orchestration_session_state_id) "
				   "FROM orchestration_session_state WHERE session_id = $1", session));

	exec1 = expect_ok("record exec (status 0)",
					  Q("SELECT orchestration_session_record_exec($1, $2, $3, $4::int, session_entry_id => $5, "
						"output_nature => $6)", session, "shell", "ingest data.csv", "0", entry1,
						"{\"type\": \"text\"}"));
	exec2 = expect_ok("record nested exec (parent_exec_id)",
					  Q("SELECT orchestration_session_record_exec($1, $2, $3, $4::int, parent_exec_id => $5)",
						session, "SQL", "SELECT 1", "0", exec1));
	exec3 = expect_ok("record exec with non-zero status",
					  Q("SELECT orchestration_session_record_exec($1, $2, $3, $4::int, exec_error_text => $5)",
						session, "shell", "false", "3", "exit status 3"));
	expect_value("execs read back (nesting and status)", "t",
				 Q("SELECT count(*) = 3 AND count(*) FILTER (WHERE parent_exec_id = $2) = 1 "
				   "AND bool_or(orchestration_session_exec_id = $3 AND exec_status = 3) "
				   "AND count(*) FILTER (WHERE exec_status = 0) = 2 "
				   "FROM orchestration_session_exec WHERE session_id = $1", session, exec1, exec3));

	res = PQprepare(conn, "append_log", "SELECT orchestration_session_append_log($1, $2, category => $3)", 3, NULL);
	check(res_ok(res), "prepare append_log");
	PQclear(res);
	for (int i = 1; i <= 3; i++)
	{
		char		line[64], what[64];

		snprintf(line, sizeof(line), "log line %d", i);
		snprintf(what, sizeof(what), "append log line %d (prepared)", i);
		free(expect_ok(what, PQexecPrepared(conn, "append_log", 3,
											(const char *[]){exec2, line, "stdout"}, NULL, NULL, 0)));
	}
	expect_value("log lines numbered 1,2,3 in order", "1:log line 1,2:log line 2,3:log line 3",
				 Q("SELECT string_agg(sibling_order || ':' || content, ',' ORDER BY sibling_order) "
				   "FROM orchestration_session_log WHERE parent_exec_id = $1", exec2));

	issue = expect_ok("raise issue",
					  Q("SELECT orchestration_session_raise_issue($1, $2, $3, session_entry_id => $4, "
						"issue_row => $5::int, issue_column => $6, invalid_value => $7)",
						session, "Schema Validation: Missing Columns", "column x missing", entry1,
						"42", "x", "\xe2\x80\x94"));

	v = expect_ok("finish with diagnostics_json",
				  Q("SELECT orchestration_session_finish($1, diagnostics_json => $2, diagnostics_md => $3)",
					session, "{\"status\": \"completed\", \"issues\": 1}", "# Done"));
	expect_value("finish time returned, stored, and >= start", "t",
				 Q("SELECT orch_finished_at = $2::timestamptz AND orch_finished_at >= orch_started_at "
				   "AND diagnostics_json = $3 FROM orchestration_session WHERE orchestration_session_id = $1",
				   session, v ? v : "", "{\"status\": \"completed\", \"issues\": 1}"));
	expect_value("row counts read back (entries, transitions, execs, logs, issues)", "2 4 3 3 1",
				 Q("SELECT concat_ws(' ', "
				   "(SELECT count(*) FROM orchestration_session_entry WHERE session_id = $1), "
				   "(SELECT count(*) FROM orchestration_session_state WHERE session_id = $1), "
				   "(SELECT count(*) FROM orchestration_session_exec WHERE session_id = $1), "
				   "(SELECT count(*) FROM orchestration_session_log l JOIN orchestration_session_exec x "
				   "   ON x.orchestration_session_exec_id = l.parent_exec_id WHERE x.session_id = $1), "
				   "(SELECT count(*) FROM orchestration_session_issue WHERE session_id = $1 "
				   "   AND orchestration_session_issue_id = $2 AND issue_row = 42))", session, issue));

	free(v);
	free(entry1);
	free(entry2);
	free(exec1);
	free(exec2);
	free(exec3);
	free(issue);
	return session;
}

/* Bad input through parameters, against the finished session s. */
static void
bad_input(const char *device, const char *nature, const char *s)
{
	char	   *open_s = expect_ok("start a second session",
								   Q("SELECT orchestration_session_start($1, $2, $3)", device, nature, "1"));
	char	   *exec = value_of(Q("SELECT orchestration_session_exec_id FROM orchestration_session_exec "
								  "WHERE session_id = $1 LIMIT 1", s));
	PGresult   *res;
	char	   *big;

	if (!open_s)
		return;

	/* 22P02: malformed JSON; message names the argument, detail says where */
	res = Q("SELECT orchestration_session_start($1, $2, $3, args_json => $4)",
			device, nature, "1", "{\n  \"a\": [1, 2\n}");
	check(strstr(field(res, PG_DIAG_MESSAGE_DETAIL), "line 3") != NULL
		  && strstr(field(res, PG_DIAG_MESSAGE_DETAIL), "column 1") != NULL,
		  "malformed args_json: detail gives line and column (%s)", field(res, PG_DIAG_MESSAGE_DETAIL));
	expect_sqlstate("malformed args_json", "22P02", "\"args_json\"", res);
	expect_sqlstate("malformed result_json", "22P02", "\"result_json\"",
					Q("SELECT orchestration_session_transition($1, $2, result_json => $3)",
					  open_s, "X", "{\"a\":tru}"));
	expect_sqlstate("malformed device state", "22P02", "\"state\"",
					Q("SELECT orchestration_device_ensure($1, $2)", "h", "\"SINGLETON"));

	expect_sqlstate("unknown session on add_entry", "P0002", "\"S-NOPE\"",
					Q("SELECT orchestration_session_add_entry($1, $2)", "S-NOPE", "x"));
	expect_sqlstate("unknown session on finish", "P0002", "\"S-NOPE\"",
					Q("SELECT orchestration_session_finish($1)", "S-NOPE"));
	expect_sqlstate("unknown exec on append_log", "P0002", "\"X-NOPE\"",
					Q("SELECT orchestration_session_append_log($1, $2)", "X-NOPE", "c"));

	res = Q("SELECT orchestration_session_start($1, $2, $3)", "DEV-NOPE", nature, "1");
	check(strstr(field(res, PG_DIAG_MESSAGE_HINT), "orchestration_device_ensure") != NULL,
		  "unknown device: hint mentions orchestration_device_ensure");
	expect_sqlstate("unknown device", "23503", "\"DEV-NOPE\"", res);
	expect_sqlstate("unknown nature", "23503", "\"nature-nope\"",
					Q("SELECT orchestration_session_start($1, $2, $3)", device, "nature-nope", "1"));

	expect_sqlstate("NULL session_id parameter", "22004", "\"session_id\"",
					Q("SELECT orchestration_session_add_entry($1, $2)", NULL, "x"));
	expect_sqlstate("NULL version parameter", "22004", "\"version\"",
					Q("SELECT orchestration_session_start($1, $2, $3)", device, nature, NULL));
	expect_sqlstate("NULL exec_status parameter", "22004", "\"exec_status\"",
					Q("SELECT orchestration_session_record_exec($1, $2, $3, $4::int)", open_s, "SQL", "x", NULL));

	expect_sqlstate("blank to_state", "22023", "\"to_state\"",
					Q("SELECT orchestration_session_transition($1, $2)", open_s, "  "));
	expect_sqlstate("blank session_id", "22023", "\"session_id\"",
					Q("SELECT orchestration_session_finish($1)", "\n"));

	expect_sqlstate("second finish", "55000", s, Q("SELECT orchestration_session_finish($1)", s));
	expect_sqlstate("add_entry on finished session", "55000", s,
					Q("SELECT orchestration_session_add_entry($1, $2)", s, "late.csv"));
	expect_sqlstate("transition on finished session", "55000", s,
					Q("SELECT orchestration_session_transition($1, $2)", s, "AGAIN"));
	expect_sqlstate("record_exec on finished session", "55000", s,
					Q("SELECT orchestration_session_record_exec($1, $2, $3, $4::int)", s, "SQL", "late", "0"));
	expect_sqlstate("raise_issue on finished session", "55000", s,
					Q("SELECT orchestration_session_raise_issue($1, $2, $3)", s, "t", "late"));
	expect_sqlstate("append_log on finished session", "55000", s,
					Q("SELECT orchestration_session_append_log($1, $2)", exec, "late"));
	expect_sqlstate("direct UPDATE of the finished row", "55000", s,
					Q("UPDATE orchestration_session SET diagnostics_md = $2 WHERE orchestration_session_id = $1",
					  s, "rewritten"));

	res = Q("INSERT INTO orchestration_session_entry (orchestration_session_entry_id, session_id, "
			"ingest_src, elaboration) VALUES ($1, $2, $3, $4)", "E-DIRECT", open_s, "x", "{\"a\": }");
	check(strcmp(field(res, PG_DIAG_TABLE_NAME), "orchestration_session_entry") == 0
		  && strcmp(field(res, PG_DIAG_COLUMN_NAME), "elaboration") == 0,
		  "direct INSERT of malformed JSON: table and column fields set (%s.%s)",
		  field(res, PG_DIAG_TABLE_NAME), field(res, PG_DIAG_COLUMN_NAME));
	expect_sqlstate("direct INSERT of malformed JSON", "22P02", "elaboration", res);

	big = big_json(8 * 1024 * 1024);
	free(expect_ok("finish another session with 8 MB diagnostics_json",
				   Q("SELECT orchestration_session_finish($1, $2)", open_s, big)));
	expect_value("8 MB diagnostics_json stored intact", "t",
				 Q("SELECT diagnostics_json = $2 AND octet_length(diagnostics_json) > 8000000 "
				   "FROM orchestration_session WHERE orchestration_session_id = $1", open_s, big));
	free(big);
	free(open_s);
	free(exec);
}

int
main(int argc, char **argv)
{
	const char *maint = argc > 1 ? argv[1] : getenv("PGDATABASE") ? getenv("PGDATABASE") : "postgres";
	PGconn	   *admin_conn = connect_to(maint);
	char	   *device, *nature, *session;

	if (!admin_conn)
		return 1;
	PQsetNoticeProcessor(admin_conn, quiet, NULL);
	if (!admin(admin_conn, "DROP DATABASE IF EXISTS " TEST_DB)
		|| !admin(admin_conn, "CREATE DATABASE " TEST_DB " TEMPLATE template0 ENCODING 'UTF8' "
				  "LC_COLLATE 'C' LC_CTYPE 'C'")
		|| !(conn = connect_to(TEST_DB)))
	{
		PQfinish(admin_conn);
		return 1;
	}
	PQsetNoticeProcessor(conn, quiet, NULL);
	check(admin(conn, "CREATE EXTENSION orchestration_session"), "CREATE EXTENSION");
	fingerprint(baseline);

	device = expect_ok("ensure device",
					   Q("SELECT orchestration_device_ensure($1, boundary => $2, state_sysinfo => $3)",
						 "host-1", "10.0.0.0/8", "{\"cpus\": 8}"));
	expect_value("ensure device again returns the same id", device ? device : "",
				 Q("SELECT orchestration_device_ensure($1, boundary => $2)", "host-1", "10.0.0.0/8"));
	nature = expect_ok("ensure nature", Q("SELECT orchestration_nature_ensure($1, $2)", "app-test", "App test"));
	if (device && nature)
	{
		session = lifecycle(device, nature);
		if (session)
			bad_input(device, nature, session);
		free(session);
	}
	free(device);
	free(nature);

	PQfinish(conn);
	check(admin(admin_conn, "DROP DATABASE " TEST_DB), "DROP DATABASE " TEST_DB);
	PQfinish(admin_conn);

	printf("# %d checks, %d failed\n", n_checks, n_failed);
	return n_failed ? 1 : 0;
}
