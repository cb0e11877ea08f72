/*
 * pg_compat.h: every difference between the PostgreSQL majors this extension
 * supports (13, 15, 17, 18; 14 and 16 build but are untested), in one place.
 * Include it after postgres.h (it includes fmgr.h); the other files use only
 * the names below and carry no PG_VERSION_NUM checks of their own.
 */
#ifndef ORCHESTRATION_PG_COMPAT_H
#define ORCHESTRATION_PG_COMPAT_H

#include "postgres.h"

#include "access/genam.h"
#include "utils/relcache.h"

/* 16 moved the varlena macros (VARDATA, VARSIZE_ANY_EXHDR, ...) out of postgres.h. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * 18 added deferrable_ok to RelationGetPrimaryKeyIndex(): false keeps the
 * behaviour of older majors (a deferrable primary key is not used).
 */
#if PG_VERSION_NUM >= 180000
#define compat_RelationGetPrimaryKeyIndex(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define compat_RelationGetPrimaryKeyIndex(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* 18 added an instrumentation argument to index_beginscan() (NULL: none). */
#if PG_VERSION_NUM >= 180000
#define compat_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), (norderbys))
#else
#define compat_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), (norderbys))
#endif

/*
 * Only the fmgr entry points and the module magic are exported from the
 * shared library (the Makefile builds with -fvisibility=hidden).  16 and
 * later mark them PGDLLEXPORT = visibility("default") themselves; before 16
 * PGDLLEXPORT is empty on ELF platforms and PG_FUNCTION_INFO_V1 does not mark
 * the function itself, so both are given 16's definitions here.  Include this
 * header after fmgr.h in every file with PG_FUNCTION_INFO_V1 or the magic.
 */
#include "fmgr.h"
#if PG_VERSION_NUM < 160000 && defined(__GNUC__)
#undef PGDLLEXPORT
#define PGDLLEXPORT __attribute__((visibility("default")))
#undef PG_FUNCTION_INFO_V1
#define PG_FUNCTION_INFO_V1(funcname) \
extern PGDLLEXPORT Datum funcname(PG_FUNCTION_ARGS); \
extern PGDLLEXPORT const Pg_finfo_record * CppConcat(pg_finfo_,funcname)(void); \
const Pg_finfo_record * \
CppConcat(pg_finfo_,funcname) (void) \
{ \
	static const Pg_finfo_record my_finfo = { 1 }; \
	return &my_finfo; \
} \
extern int no_such_variable
#endif

/* 15 renamed EmitWarningsOnPlaceholders() to MarkGUCPrefixReserved(). */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* 18 lets the module magic carry the library's name and version. */
#if PG_VERSION_NUM >= 180000
#define ORCHESTRATION_MODULE_MAGIC \
	PG_MODULE_MAGIC_EXT(.name = "orchestration_session", .version = ORCHESTRATION_LIBRARY_VERSION)
#else
#define ORCHESTRATION_MODULE_MAGIC PG_MODULE_MAGIC
#endif

#endif							/* ORCHESTRATION_PG_COMPAT_H */
