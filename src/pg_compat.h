/*
 * pg_compat.h: every difference between the PostgreSQL majors this extension
 * supports (13, 15, 17, 18; 14 and 16 build but are untested), in one place.
 * Include it after postgres.h; the other files use only the names below and
 * carry no PG_VERSION_NUM checks of their own.
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

#endif							/* ORCHESTRATION_PG_COMPAT_H */
