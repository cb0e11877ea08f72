/*
 * session.h: what the session lifecycle (session.c) shares with the
 * maintenance functions (maintenance.c).
 */
#ifndef ORCHESTRATION_SESSION_H
#define ORCHESTRATION_SESSION_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/timestamp.h"

/* Appends a link to a session's transition chain; the caller holds the session's row lock. */
#include "spi_plans.h"

extern TimestampTz AppendTransition(FunctionCallInfo fcinfo, PlanId plan, text *session_id, text *state_id,
									text *entry_id, text *to_state, text *result_json,
									text *reason, text *elaboration);

#endif
