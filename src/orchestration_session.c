/*
 * orchestration_session.c: module magic and settings.  The SQL-callable
 * functions live in one file per concern:
 *   json_fmgr.c            json_valid, json_error_position, json_error_message
 *   json_valid.c           the standalone validator core (no PostgreSQL headers)
 *   json_check_trigger.c   explanatory JSON errors on direct INSERT/UPDATE
 *   ids.c                  ULID generation
 *   session.c              the session lifecycle
 *   maintenance.c          abandoning stuck sessions, purging old ones
 *   history_guard.c        immutability of finished sessions, for every writer
 *   family.c               the one way in: the extension's tables, checked
 *   spi_plans.c, args.c    prepared SQL and argument checks
 *   pg_compat.h            every difference between PostgreSQL majors
 */
#include "postgres.h"

#define ORCHESTRATION_LIBRARY_VERSION "1.2"
#include "pg_compat.h"

#include "utils/guc.h"

#include "family.h"

ORCHESTRATION_MODULE_MAGIC;

bool		orchestration_restoring = false;

extern PGDLLEXPORT void _PG_init(void);

void
_PG_init(void)
{
	/*
	 * A restore loads a finished session's row before its history, which the
	 * history guard would refuse; a superuser restoring a dump turns this on
	 * for that connection (PGOPTIONS='-c orchestration_session.restoring=on').
	 * It lets rows be added to finished sessions, nothing else.
	 */
	DefineCustomBoolVariable("orchestration_session.restoring",
							 "Lets a restore add the history of finished sessions.",
							 "Only for loading a dump: rows may then be added to finished sessions (never changed or deleted).",
							 &orchestration_restoring,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("orchestration_session");
}
