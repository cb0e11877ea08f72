/*
 * orchestration_session.c: module magic.  The SQL-callable functions live in
 * one file per concern:
 *   json_fmgr.c            json_valid, json_error_position, json_error_message
 *   json_valid.c           the standalone validator core (no PostgreSQL headers)
 *   json_check_trigger.c   explanatory JSON errors on direct INSERT/UPDATE
 *   ids.c                  ULID generation
 *   session.c              the session lifecycle
 *   finished_guard.c       immutability of finished sessions
 *   spi_plans.c, args.c    prepared SQL and argument checks used by session.c
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
