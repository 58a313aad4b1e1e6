/*
 * pg_compat.h
 *	  The few PostgreSQL API differences between versions 13 and 18 that the
 *	  glue meets, bridged in one place.  Include it right after postgres.h.
 */
#ifndef PG_COMPAT_H
#define PG_COMPAT_H

#include "postgres.h"

/* 16 moved the varlena macros (VARSIZE, SET_VARSIZE, ...) out of postgres.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* 18 replaced the pg_attribute_noreturn() suffix with a pg_noreturn prefix */
#ifndef pg_attribute_noreturn
#define pg_attribute_noreturn() __attribute__((noreturn))
#endif

/* 15 renamed EmitWarningsOnPlaceholders() */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* 16 renamed a relation's RelFileNode rd_node to the RelFileLocator rd_locator */
#if PG_VERSION_NUM >= 160000
#define RelationGetFileLocator(relation) (&(relation)->rd_locator)
#else
#define RelationGetFileLocator(relation) (&(relation)->rd_node)
#endif

/* 14 added log_newpages(), several full-page images in one record */
#if PG_VERSION_NUM < 140000
#define log_newpages(locator, fork, count, blocks, pages, page_std) \
	do { \
		for (int log_newpages_i = 0; log_newpages_i < (count); log_newpages_i++) \
			log_newpage((locator), (fork), (blocks)[log_newpages_i], (pages)[log_newpages_i], (page_std)); \
	} while (0)
#endif

#endif							/* PG_COMPAT_H */
