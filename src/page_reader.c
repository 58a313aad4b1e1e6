/*
 * page_reader.c
 *	  Pinning index pages without the shared buffer-mapping lookup.
 *
 * Scans of hnsw and ivfflat indexes pin many pages per query, and finding a
 * page's buffer in the shared buffer-mapping table (a hash lookup under a
 * partition lock) is a good part of that (shared/PERF-NOTES.md).  A
 * backend-local block -> buffer table remembers where each page of an index
 * was, kept across queries, and ReadRecentBuffer pins it there again after
 * checking that the buffer still holds the block (falling back to
 * ReadBuffer when the page has moved).
 */
#include "postgres.h"

#include "pg_compat.h"

#include "storage/buf_internals.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "page_reader.h"

/* ------------------------------------------------------------------------
 * Where each page was last seen, per index, kept across queries
 * ------------------------------------------------------------------------ */

typedef struct RecentBufferTable
{
	RelFileNode node;			/* the index's storage; zero when unused */
	Buffer	   *buffers;		/* by block number; InvalidBuffer unknown */
	BlockNumber capacity;
} RecentBufferTable;

/* A handful of indexes per backend is the common case; older ones give way */
#define RECENT_BUFFER_TABLES 8
static RecentBufferTable recent_tables[RECENT_BUFFER_TABLES];
static int	recent_tables_next_victim = 0;

struct IndexPageReader
{
	Relation	index;
	RecentBufferTable *table;
	bool		local;			/* a temporary index: local buffers */
};

static RecentBufferTable *
recent_table_for(Relation index)
{
	RecentBufferTable *table;

	for (int i = 0; i < RECENT_BUFFER_TABLES; i++)
	{
		if (RelFileNodeEquals(recent_tables[i].node, *RelationGetFileLocator(index)))
			return &recent_tables[i];
	}
	table = &recent_tables[recent_tables_next_victim];
	recent_tables_next_victim = (recent_tables_next_victim + 1) % RECENT_BUFFER_TABLES;
	if (table->buffers != NULL)
		pfree(table->buffers);
	table->node = *RelationGetFileLocator(index);
	table->buffers = NULL;
	table->capacity = 0;
	return table;
}

IndexPageReader *
index_page_reader_create(Relation index)
{
	IndexPageReader *reader = palloc(sizeof(IndexPageReader));

	reader->index = index;
	reader->table = recent_table_for(index);
	reader->local = RelationUsesLocalBuffers(index);
	return reader;
}

void
index_page_reader_free(IndexPageReader *reader)
{
	pfree(reader);
}

static void
remember_buffer(IndexPageReader *reader, BlockNumber block, Buffer buffer)
{
	RecentBufferTable *table = reader->table;

	if (block >= table->capacity)
	{
		BlockNumber capacity = Max(Max(table->capacity * 2, 1024), block + 1);

		/* One Buffer per block: 4 bytes per 8 kB page */
		if (capacity > MaxAllocSize / sizeof(Buffer))
			return;
		if (table->buffers == NULL)
			table->buffers = MemoryContextAlloc(TopMemoryContext, capacity * sizeof(Buffer));
		else
			table->buffers = repalloc(table->buffers, capacity * sizeof(Buffer));
		for (BlockNumber b = table->capacity; b < capacity; b++)
			table->buffers[b] = InvalidBuffer;
		table->capacity = capacity;
	}
	table->buffers[block] = buffer;
}

/*
 * Prefetch what pinning block and reading its item at offset will touch,
 * from where the block was last seen: the buffer header (pinning takes its
 * spinlock, one cache miss per page otherwise) and the page's line pointer.
 * Only addresses are computed, nothing is read: a stale guess costs a few
 * wasted prefetches.
 */
void
index_prefetch_page(IndexPageReader *reader, BlockNumber block, OffsetNumber offset)
{
	RecentBufferTable *table = reader->table;
	Buffer		buffer;

	if (reader->local || block >= table->capacity)
		return;
	buffer = table->buffers[block];
	if (!BufferIsValid(buffer) || BufferIsLocal(buffer))
		return;
	__builtin_prefetch(GetBufferDescriptor(buffer - 1));
	__builtin_prefetch(PageGetItemId((Page) BufferGetBlock(buffer), offset));
}

/* Pin block (not locked) */
Buffer
index_read_page(IndexPageReader *reader, BlockNumber block)
{
	RecentBufferTable *table = reader->table;
	Buffer		buffer;

	if (!reader->local && block < table->capacity)
	{
		buffer = table->buffers[block];
		if (BufferIsValid(buffer) &&
			ReadRecentBuffer(*RelationGetFileLocator(reader->index), MAIN_FORKNUM, block, buffer))
			return buffer;
	}
	buffer = ReadBuffer(reader->index, block);
	if (!reader->local)
		remember_buffer(reader, block, buffer);
	return buffer;
}
