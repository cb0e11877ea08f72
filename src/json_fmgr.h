/*
 * json_fmgr.h: PostgreSQL-side helpers around the standalone validator core.
 */
#ifndef ORCHESTRATION_JSON_FMGR_H
#define ORCHESTRATION_JSON_FMGR_H

#include "postgres.h"

#include "json_valid.h"

/*
 * Points the core's hooks at CHECK_FOR_INTERRUPTS() and palloc (once per
 * backend; cheap to call again).  Every caller of the core calls it first;
 * the functions below do so themselves.  See json_fmgr.c on why a cancel
 * may longjmp out of the core.
 */
extern void JsonInstallCoreHooks(void);

/* Validates a text value in the database encoding (no UTF-8 re-check: the server guarantees it). */
extern bool JsonTextValid(text *value, JsonValidResult *res);

/*
 * "line L, column C: <what was expected>, found <what>", palloc'd; columns
 * in characters of the database encoding.
 */
extern char *JsonErrorDescription(text *value, const JsonValidResult *res);

#endif
