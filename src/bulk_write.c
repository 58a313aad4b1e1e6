/*
 * bulk_write.c
 *	  See bulk_write.h.
 *
 * Pages are WAL-logged as full images, a batch per record
 * (log_newpages), then written with smgrextend.  After each batch the WAL
 * writer is asked to write and flush the WAL so far, as for an
 * asynchronous commit: it does on another core what this backend would
 * otherwise do itself whenever the WAL buffers filled, and at commit (an
 * index of tens or hundreds of megabytes fills them many times over).
 *
 * Since the pages bypass shared buffers, a checkpoint cannot write them:
 * what makes them durable is a sync of the file.  Each write asks the
 * checkpointer to sync its segment at the next checkpoint, which covers
 * every checkpoint that begins after the build.  One that began during the
 * build may have synced the file before a page was written while its redo
 * pointer lies past that page's WAL (a crash would then lose the page), so
 * a build that saw the redo pointer move syncs the file itself before it
 * ends, as PostgreSQL 17's bulk writes do.  Not syncing 50 MB in the
 * common case saves a build a disk flush that shared-buffer builds do not
 * pay either.
 *
 * Without WAL (unlogged indexes; wal_level = minimal on a relation created
 * in the same transaction, which commit syncs) there is nothing to log and
 * nothing to sync.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "access/xlog.h"
#include "access/xloginsert.h"
#include "storage/smgr.h"
#include "utils/memutils.h"

#include "bulk_write.h"

/* Pages WAL-logged together (XLR_MAX_BLOCK_ID allows 32 per record) */
#define BULK_BATCH				32

struct BulkWriter
{
	Relation	index;
	ForkNumber	fork;
	bool		use_wal;
	XLogRecPtr	start_redo;		/* the redo pointer before the first write */
	BlockNumber written;		/* blocks of the file so far */
	int			pending;
	BlockNumber blocks[BULK_BATCH];
	Page		pages[BULK_BATCH];
	Page		zero_page;
};

BulkWriter *
bulk_write_begin(Relation index, ForkNumber fork)
{
	BulkWriter *writer = palloc0(sizeof(BulkWriter));

	writer->index = index;
	writer->fork = fork;
	writer->use_wal = RelationNeedsWAL(index) || fork == INIT_FORKNUM;
	writer->start_redo = GetRedoRecPtr();
	writer->written = smgrnblocks(RelationGetSmgr(index), fork);
	if (writer->written != 0)
		elog(ERROR, "bulk write into \"%s\", which is not empty", RelationGetRelationName(index));
	return writer;
}

Page
bulk_write_new_page(BulkWriter *writer)
{
	/* not zeroed: PageInit, which every caller starts with, zeroes it */
	return (Page) palloc(BLCKSZ);
}

static void
flush(BulkWriter *writer)
{
	SMgrRelation smgr;
	/* with WAL, each write asks the checkpointer to sync its segment */
	bool		skip_fsync = !writer->use_wal;

	if (writer->pending == 0)
		return;
	if (writer->use_wal)
	{
		log_newpages(RelationGetFileLocator(writer->index), writer->fork, writer->pending,
					 writer->blocks, writer->pages, true);
		/* the WAL writer writes and flushes it meanwhile */
		XLogSetAsyncXactLSN(XactLastRecEnd);
	}

	smgr = RelationGetSmgr(writer->index);
	for (int i = 0; i < writer->pending; i++)
	{
		BlockNumber block = writer->blocks[i];
		Page		page = writer->pages[i];

		/* a block ahead of the file: zero-fill up to it (written later) */
		while (block > writer->written)
		{
			if (writer->zero_page == NULL)
				writer->zero_page = (Page) palloc0(BLCKSZ);
			smgrextend(smgr, writer->fork, writer->written++, (char *) writer->zero_page, skip_fsync);
		}
		PageSetChecksumInplace(page, block);
		if (block == writer->written)
		{
			smgrextend(smgr, writer->fork, block, (char *) page, skip_fsync);
			writer->written++;
		}
		else
			smgrwrite(smgr, writer->fork, block, (char *) page, skip_fsync);
		pfree(page);
	}
	writer->pending = 0;
}

void
bulk_write_page(BulkWriter *writer, BlockNumber block, Page page)
{
	if (writer->pending == BULK_BATCH)
		flush(writer);
	writer->blocks[writer->pending] = block;
	writer->pages[writer->pending] = page;
	writer->pending++;
}

void
bulk_write_finish(BulkWriter *writer)
{
	flush(writer);
	/* every sync request is queued: only a checkpoint since may miss them */
	if (writer->use_wal && GetRedoRecPtr() != writer->start_redo)
	{
		elog(DEBUG1, "index \"%s\": a checkpoint began during the build, syncing its file",
			 RelationGetRelationName(writer->index));
		smgrimmedsync(RelationGetSmgr(writer->index), writer->fork);
	}
	if (writer->zero_page != NULL)
		pfree(writer->zero_page);
	pfree(writer);
}
