/*
 * args.h: argument checking shared by the lifecycle functions.
 *
 * The lifecycle functions are not STRICT, so each argument is checked here
 * with a specific SQLSTATE: 22004 for a NULL that is required, 22023 for a
 * blank id or name, 22P02 for malformed JSON (with line and column).
 */
#ifndef ORCHESTRATION_ARGS_H
#define ORCHESTRATION_ARGS_H

#include "postgres.h"
#include "fmgr.h"

/* Name of argument n of the called function, from its pg_proc entry. */
extern const char *ArgName(FunctionCallInfo fcinfo, int argno);

/* Any required argument: 22004 when NULL. */
extern void RequireArg(FunctionCallInfo fcinfo, int argno);

/* A required integer argument: 22004 when NULL. */
extern int32 RequiredInt32(FunctionCallInfo fcinfo, int argno);

/* A required text argument: 22004 when NULL. */
extern text *RequiredText(FunctionCallInfo fcinfo, int argno);

/* A required id or name: 22004 when NULL, 22023 when empty or blank. */
extern text *RequiredId(FunctionCallInfo fcinfo, int argno);

/* An optional id: NULL when absent, 22023 when given but blank. */
extern text *OptionalId(FunctionCallInfo fcinfo, int argno);

/* An optional text argument: NULL when absent. */
extern text *OptionalText(FunctionCallInfo fcinfo, int argno);

/* An optional JSON argument: NULL when absent, 22P02 when malformed. */
extern text *OptionalJson(FunctionCallInfo fcinfo, int argno);

/* A required JSON argument: 22004 when NULL, 22P02 when malformed. */
extern text *RequiredJson(FunctionCallInfo fcinfo, int argno);

/* Raises 22P02 if the text is not valid JSON; what names it in the message. */
/* A user-given value for an error message, cut to 64 characters with "...". */
extern const char *MessageText(text *value);

extern void CheckJsonText(text *value, const char *what_kind, const char *what_name);

#endif
