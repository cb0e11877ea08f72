/*
 * family.c: the extension's tables, found through the extension itself and
 * checked before any C code reads them (see family.h).
 *
 * Resolution: the calling function's extension (pg_depend) and schema (the
 * function's namespace: the extension is not relocatable); each table by
 * name in that schema, accepted only if it is a member of that extension, a
 * plain table (not partitioned, foreign or a view) and has every column the
 * install script gave it with the same type.  A table swapped for another
 * (renamed, replaced, partitioned, ALTER EXTENSION ... DROP) is an error
 * with a hint, never a crash.  The result is kept until an invalidation of
 * one of the tables, or of any schema (ALTER SCHEMA ... RENAME), arrives; then
 * the next call resolves again, and the prepared plans are rebuilt only if
 * something they name changed (the generation number).
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "family.h"

typedef struct FamilyColumn
{
	const char *name;
	Oid			type;
} FamilyColumn;

typedef struct FamilyTableDef
{
	const char *name;
	FamilyColumn	columns[20];	/* ends with {NULL} */
} FamilyTableDef;

#define V VARCHAROID
#define T TEXTOID
#define I INT4OID
#define TS TIMESTAMPTZOID

/* Every column of every table, as orchestration_session--1.1.sql creates them. */
static const FamilyTableDef table_defs[NUM_FAMILY_TABLES] = {
	[FAMILY_DEVICE] = {"device", {
			{"device_id", V}, {"name", T}, {"state", T}, {"boundary", T}, {"segmentation", T},
			{"state_sysinfo", T}, {"elaboration", T}, {"created_at", TS}, {"created_by", T},
			{"updated_at", TS}, {"updated_by", T}, {"deleted_at", TS}, {"deleted_by", T},
	{"activity_log", T}, {NULL}}},
	[FAMILY_NATURE] = {"orchestration_nature", {
			{"orchestration_nature_id", T}, {"nature", T}, {"elaboration", T},
			{"created_at", TS}, {"created_by", T}, {"updated_at", TS}, {"updated_by", T},
	{"deleted_at", TS}, {"deleted_by", T}, {"activity_log", T}, {NULL}}},
	[FAMILY_SESSION] = {"orchestration_session", {
			{"orchestration_session_id", V}, {"device_id", V}, {"orchestration_nature_id", T},
			{"version", T}, {"orch_started_at", TS}, {"orch_finished_at", TS},
			{"elaboration", T}, {"args_json", T}, {"diagnostics_json", T},
	{"diagnostics_md", T}, {NULL}}},
	[FAMILY_ENTRY] = {"orchestration_session_entry", {
			{"orchestration_session_entry_id", V}, {"session_id", V}, {"ingest_src", T},
	{"ingest_table_name", T}, {"elaboration", T}, {NULL}}},
	[FAMILY_STATE] = {"orchestration_session_state", {
			{"orchestration_session_state_id", V}, {"session_id", V}, {"session_entry_id", V},
			{"from_state", T}, {"to_state", T}, {"transition_result", T},
			{"transition_reason", T}, {"transitioned_at", TS}, {"elaboration", T},
	{NULL}}},
	[FAMILY_EXEC] = {"orchestration_session_exec", {
			{"orchestration_session_exec_id", V}, {"exec_nature", T}, {"session_id", V},
			{"session_entry_id", V}, {"parent_exec_id", V}, {"namespace", T},
			{"exec_identity", T}, {"exec_code", T}, {"exec_status", I}, {"input_text", T},
			{"exec_error_text", T}, {"output_text", T}, {"output_nature", T},
	{"narrative_md", T}, {"elaboration", T}, {NULL}}},
	[FAMILY_ISSUE] = {"orchestration_session_issue", {
			{"orchestration_session_issue_id", T}, {"session_id", V}, {"session_entry_id", V},
			{"issue_type", T}, {"issue_message", T}, {"issue_row", I}, {"issue_column", T},
	{"invalid_value", T}, {"remediation", T}, {"elaboration", T}, {NULL}}},
	[FAMILY_ISSUE_RELATION] = {"orchestration_session_issue_relation", {
			{"orchestration_session_issue_relation_id", T}, {"issue_id_prime", T},
	{"issue_id_rel", T}, {"relationship_nature", T}, {"elaboration", T}, {NULL}}},
	[FAMILY_LOG] = {"orchestration_session_log", {
			{"orchestration_session_log_id", T}, {"category", T}, {"parent_exec_id", T},
	{"content", T}, {"sibling_order", I}, {"elaboration", T}, {NULL}}},
	[FAMILY_BACKEND] = {"orchestration_session_backend", {
	{"session_id", V}, {"pid", I}, {"backend_start", TS}, {NULL}}},
};

#undef V
#undef T
#undef I
#undef TS

TrustedWrite trusted_write = {InvalidOid, NULL, false};

static Family family;
static bool family_valid = false;
static bool callbacks_registered = false;

static void
FamilyRelcacheCallback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid))
	{
		family_valid = false;
		return;
	}
	for (int i = 0; i < NUM_FAMILY_TABLES; i++)
		if (family.relids[i] == relid)
			family_valid = false;
	if (family.fanin_session_edge == relid)
		family_valid = false;
}

static void
FamilySyscacheCallback(Datum arg, int cacheid, uint32 hashvalue)
{
	family_valid = false;
}

const char *
FamilyKeyColumn(FamilyTable table)
{
	/* The first column of every table but the backend's is its primary key. */
	return table == FAMILY_BACKEND ? NULL : table_defs[table].columns[0].name;
}

const char *
FamilyLinkColumn(FamilyTable table)
{
	switch (table)
	{
		case FAMILY_ENTRY:
		case FAMILY_STATE:
		case FAMILY_EXEC:
		case FAMILY_ISSUE:
			return "session_id";
		case FAMILY_ISSUE_RELATION:
			return "issue_id_prime";
		case FAMILY_LOG:
			return "parent_exec_id";
		default:
			return NULL;
	}
}

Oid
FamilyTableOwner(const Family *f, FamilyTable table)
{
	HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(f->relids[table]));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", f->relids[table]);
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

const char *
FamilyTableName(FamilyTable table)
{
	return table_defs[table].name;
}

int
FamilyTableOf(const Family *f, Oid relid)
{
	for (int i = 0; i < NUM_FAMILY_TABLES; i++)
		if (f->relids[i] == relid)
			return i;
	return -1;
}

static void
ReportBrokenTable(const char *schema, const char *table, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("table \"%s.%s\" is not the one extension orchestration_session created: %s",
					schema, table, problem),
			 errhint("Restore the table the extension created (or reinstall the extension); "
					 "partition, replace or retype its tables only through a supported upgrade.")));
}

/* The family table named def->name in namespace, checked; returns its OID. */
static Oid
ResolveTable(const FamilyTableDef *def, Oid namespace, const char *schema, Oid extension)
{
	Oid			relid = get_relname_relid(def->name, namespace);
	char		relkind;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s.%s\" of extension orchestration_session does not exist",
						schema, def->name),
				 errhint("Restore the table the extension created, or reinstall the extension.")));
	if (getExtensionOfObject(RelationRelationId, relid) != extension)
		ReportBrokenTable(schema, def->name, "it is not a member of the extension");
	relkind = get_rel_relkind(relid);
	if (relkind != RELKIND_RELATION)
		ReportBrokenTable(schema, def->name,
						  relkind == RELKIND_PARTITIONED_TABLE ? "it is partitioned" :
						  relkind == RELKIND_FOREIGN_TABLE ? "it is a foreign table" :
						  relkind == RELKIND_VIEW ? "it is a view" : "it is not a plain table");
	for (const FamilyColumn *col = def->columns; col->name != NULL; col++)
	{
		AttrNumber	att = get_attnum(relid, col->name);

		if (att == InvalidAttrNumber)
			ReportBrokenTable(schema, def->name,
							  psprintf("column \"%s\" is missing", col->name));
		if (get_atttype(relid, att) != col->type)
			ReportBrokenTable(schema, def->name,
							  psprintf("column \"%s\" is of type %s, not %s", col->name,
									   format_type_be(get_atttype(relid, att)),
									   format_type_be(col->type)));
	}
	return relid;
}

/* The session table's primary key must be the btree the C row lock probes. */
static Oid
ResolveSessionKey(Oid relid, AttrNumber id_att, const char *schema)
{
	Relation	rel = table_open(relid, AccessShareLock);
	Oid			pk = compat_RelationGetPrimaryKeyIndex(rel);
	bool		ok = false;

	if (OidIsValid(pk))
	{
		Relation	index = index_open(pk, AccessShareLock);

		ok = index->rd_rel->relam == BTREE_AM_OID &&
			index->rd_index->indnkeyatts == 1 &&
			index->rd_index->indkey.values[0] == id_att &&
			index->rd_opcintype[0] == TEXTOID;
		index_close(index, AccessShareLock);
	}
	table_close(rel, AccessShareLock);
	if (!ok)
		ReportBrokenTable(schema, table_defs[FAMILY_SESSION].name,
						  "its primary key is not a btree on orchestration_session_id");
	return pk;
}

/*
 * The fan-in bookkeeping table (from 1.2; InvalidOid before), and whether
 * the merge trigger on the session table is enabled (a central).  Enabling
 * it (ALTER TABLE ... ENABLE REPLICA TRIGGER) invalidates the session
 * table's relcache entry, so this is read again.
 */
static void
ResolveFanin(Oid namespace, const char *schema, Oid extension, Oid session_relid)
{
	Oid			relid = get_relname_relid("orchestration_fanin_session_edge", namespace);
	Relation	rel;
	bool		central = false;

	if (OidIsValid(relid) && getExtensionOfObject(RelationRelationId, relid) != extension)
		ReportBrokenTable(schema, "orchestration_fanin_session_edge", "it is not a member of the extension");
	family.fanin_session_edge = relid;

	rel = table_open(session_relid, AccessShareLock);
	if (OidIsValid(relid) && rel->trigdesc != NULL)
	{
		for (int i = 0; i < rel->trigdesc->numtriggers; i++)
		{
			const Trigger *trig = &rel->trigdesc->triggers[i];

			if (strcmp(trig->tgname, "orchestration_fanin_merge") == 0)
				central = trig->tgenabled != TRIGGER_DISABLED;
		}
	}
	table_close(rel, AccessShareLock);
	family.is_central = central;
}

static void
ResolveFamily(FunctionCallInfo fcinfo)
{
	Oid			fn = fcinfo->flinfo->fn_oid;
	Oid			extension = getExtensionOfObject(ProcedureRelationId, fn);
	Oid			namespace = get_func_namespace(fn);
	char	   *schema = get_namespace_name(namespace);
	Oid			relids[NUM_FAMILY_TABLES];
	Oid			pk;
	bool		changed;

	if (!OidIsValid(extension) || schema == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("function %s is not a member of extension orchestration_session",
						get_func_name(fn)),
				 errhint("Call the functions that CREATE EXTENSION orchestration_session created.")));
	for (int i = 0; i < NUM_FAMILY_TABLES; i++)
		relids[i] = ResolveTable(&table_defs[i], namespace, schema, extension);
	pk = ResolveSessionKey(relids[FAMILY_SESSION],
						   get_attnum(relids[FAMILY_SESSION], "orchestration_session_id"), schema);

	changed = family.extension != extension || family.namespace != namespace ||
		family.namespace_name == NULL || strcmp(family.namespace_name, schema) != 0 ||
		memcmp(family.relids, relids, sizeof(relids)) != 0 || family.session_pkey != pk;
	if (changed)
	{
		if (family.namespace_name)
			pfree(family.namespace_name);
		family.namespace_name = MemoryContextStrdup(TopMemoryContext, schema);
		family.extension = extension;
		family.namespace = namespace;
		memcpy(family.relids, relids, sizeof(relids));
		family.session_pkey = pk;
		family.generation++;
	}
	family.session_id_att = get_attnum(relids[FAMILY_SESSION], "orchestration_session_id");
	family.session_started_att = get_attnum(relids[FAMILY_SESSION], "orch_started_at");
	family.session_finished_att = get_attnum(relids[FAMILY_SESSION], "orch_finished_at");
	ResolveFanin(namespace, schema, extension, relids[FAMILY_SESSION]);
}

const Family *
FamilyEnter(FunctionCallInfo fcinfo, int flags)
{
	/*
	 * Writers refuse a read-only transaction (or a hot standby) up front, by
	 * name, rather than half-way through (a row lock is written before any
	 * INSERT would be refused).
	 */
	if ((flags & FAMILY_WRITES) && XactReadOnly)
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot execute %s() in a read-only transaction",
						get_func_name(fcinfo->flinfo->fn_oid)),
				 errhint("Call it in a read-write transaction on the primary server.")));

	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(FamilyRelcacheCallback, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, FamilySyscacheCallback, (Datum) 0);
		callbacks_registered = true;
	}
	/*
	 * Valid only once fully resolved: an error leaves it invalid, and an
	 * invalidation that arrives while resolving (locks are taken) makes the
	 * loop resolve again.
	 */
	while (!family_valid)
	{
		family_valid = true;
		PG_TRY();
		{
			ResolveFamily(fcinfo);
		}
		PG_CATCH();
		{
			family_valid = false;
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return &family;
}
