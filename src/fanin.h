/*
 * fanin.h: edge-to-central fan-in over logical replication (fanin.c).
 */
#ifndef ORCHESTRATION_FANIN_H
#define ORCHESTRATION_FANIN_H

#include "postgres.h"
#include "fmgr.h"

#include "family.h"

/* The name of the subscription this backend applies (an edge), or NULL. */
extern const char *FaninCurrentEdge(void);

/*
 * On a central (family->is_central), refuses (55000) a local write to a
 * session replicated from an edge; action says what was tried ("finish").
 */
extern void FaninRefuseEdgeSession(FunctionCallInfo fcinfo, const Family *family,
								   text *session_id, const char *action);

#endif
