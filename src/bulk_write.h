/*
 * bulk_write.h
 *	  Writing a new index's pages straight to its file, past shared buffers,
 *	  as PostgreSQL's sorted btree build does (nbtsort.c): for builds that
 *	  produce every page in order in backend memory.
 */
#ifndef BULK_WRITE_H
#define BULK_WRITE_H

#include "storage/bufpage.h"
#include "utils/rel.h"

typedef struct BulkWriter BulkWriter;

/* For fork of index, which must be empty and have no page in shared buffers */
extern BulkWriter *bulk_write_begin(Relation index, ForkNumber fork);

/* A page of backend memory to PageInit, fill and give to bulk_write_page */
extern Page bulk_write_new_page(BulkWriter *writer);

/*
 * Write page (from bulk_write_new_page; the writer takes it) as block.
 * Blocks may come in any order; a block skipped for now is zero-filled
 * until it is written.
 */
extern void bulk_write_page(BulkWriter *writer, BlockNumber block, Page page);

/* Write what is pending, WAL-logged if the index needs it, and sync */
extern void bulk_write_finish(BulkWriter *writer);

#endif							/* BULK_WRITE_H */
