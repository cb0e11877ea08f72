/*
 * family.h: the one way in for every SQL-callable C function.
 *
 * FamilyEnter() is the common prologue: it refuses a read-only transaction
 * for functions that write, and returns the extension's tables, resolved
 * through the extension's own membership (not a schema name), checked to be
 * what the install script created (plain tables, every column of the
 * expected type, the session table's primary key), and kept for the life of
 * the backend until a relcache or namespace invalidation says otherwise.
 *
 * The trusted-write state lets the lifecycle functions, which lock a
 * session and check it themselves, skip the history guard triggers'
 * second check of the same rows (history_guard.c).
 */
#ifndef ORCHESTRATION_FAMILY_H
#define ORCHESTRATION_FAMILY_H

#include "postgres.h"
#include "fmgr.h"

typedef enum FamilyTable
{
	FAMILY_DEVICE,
	FAMILY_NATURE,
	FAMILY_SESSION,
	FAMILY_ENTRY,
	FAMILY_STATE,
	FAMILY_EXEC,
	FAMILY_ISSUE,
	FAMILY_ISSUE_RELATION,
	FAMILY_LOG,
	FAMILY_BACKEND,
	NUM_FAMILY_TABLES
} FamilyTable;

typedef struct Family
{
	Oid			extension;		/* pg_extension row of the calling function */
	Oid			namespace;		/* the extension's schema */
	char	   *namespace_name; /* its current name (TopMemoryContext) */
	Oid			relids[NUM_FAMILY_TABLES];
	Oid			session_pkey;	/* btree on orchestration_session_id (text_ops) */
	AttrNumber	session_id_att;
	AttrNumber	session_started_att;
	AttrNumber	session_finished_att;
	uint32		generation;		/* changes whenever the above change */
	/*
	 * Fan-in (fanin.c): the table of which edge each replicated session came
	 * from (InvalidOid in a database still on an extension version before
	 * 1.2), and whether this database is a central, i.e. its merge triggers
	 * are enabled (orchestration_fanin_prepare_central()).
	 */
	Oid			fanin_session_edge;
	bool		is_central;
} Family;

/* Flags of FamilyEnter(). */
#define FAMILY_WRITES	0x01	/* refuse a read-only transaction (25006) */

extern const Family *FamilyEnter(FunctionCallInfo fcinfo, int flags);

/* The family table rel is, or -1 when it is none of them. */
extern int	FamilyTableOf(const Family *family, Oid relid);
extern const char *FamilyTableName(FamilyTable table);

/* The primary-key column of a table (NULL for the backend table). */
extern const char *FamilyKeyColumn(FamilyTable table);

/*
 * The column of a child table that leads to its session: session_id, or
 * the exec of a log line (parent_exec_id), or the issue of an issue
 * relation (issue_id_prime); NULL for the session and its parents.
 */
extern const char *FamilyLinkColumn(FamilyTable table);

/*
 * The owner of a family table.  Code that acts as the owner (as foreign-key
 * checks do) switches with SetUserIdAndSecContext(owner, ... |
 * SECURITY_LOCAL_USERID_CHANGE) and back; an error in between is undone by
 * the (sub)transaction abort, which restores the user.
 */
extern Oid	FamilyTableOwner(const Family *family, FamilyTable table);

/*
 * Trusted writes: while a lifecycle function runs one of its statements on
 * a session it has locked and found open, rows of table relid whose link
 * column equals key are not checked again by the guard triggers; in purge
 * mode, deleting history is allowed.  Set and restored around one
 * statement (RunTrustedPlan, spi_plans.c), also on error.
 */
typedef struct TrustedWrite
{
	Oid			relid;
	text	   *key;
	bool		purge;
} TrustedWrite;

extern TrustedWrite trusted_write;

/* orchestration_session.restoring (orchestration_session.c): a restore may add history. */
extern bool orchestration_restoring;

#endif
