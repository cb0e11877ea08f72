/*
 * json_fmgr.h: PostgreSQL-side helpers around the standalone validator core.
 */
#ifndef ORCHESTRATION_JSON_FMGR_H
#define ORCHESTRATION_JSON_FMGR_H

#include "postgres.h"

#include "json_valid.h"

/* Validates a text value in the database encoding (no UTF-8 re-check: the server guarantees it). */
extern bool JsonTextValid(text *value, JsonValidResult *res);

/* "line L, column C: <what was expected>, found <what>", palloc'd; columns in characters. */
extern char *JsonErrorDescription(text *value, const JsonValidResult *res);

#endif
