/*
 * session_lock.h: row lock on an orchestration session (session_lock.c).
 */
#ifndef ORCHESTRATION_SESSION_LOCK_H
#define ORCHESTRATION_SESSION_LOCK_H

#include "postgres.h"
#include "fmgr.h"
#include "utils/timestamp.h"

typedef enum SessionState
{
	SESSION_MISSING,			/* no such session (nothing locked) */
	SESSION_OPEN,				/* locked, orch_finished_at IS NULL */
	SESSION_FINISHED			/* locked, finished at *finished_at */
} SessionState;

/*
 * Locks the session's row, shared or exclusive, waiting for conflicting
 * holders, and says whether it is open.  The extension's schema is the one
 * of the calling function; SPI must be connected (row-level security path).
 */
extern SessionState LockSession(FunctionCallInfo fcinfo, text *session_id, bool exclusive,
								TimestampTz *finished_at);

#endif
