/*
 * build_rows.c
 *	  The in-memory ivfflat build: every row kept, the lists refined on all
 *	  of them.
 *
 * While the rows fit in maintenance_work_mem, the sampling scan keeps each
 * of them: the vector as k-means takes it goes straight into a core k-means
 * over every row, its heap TID (and, where the k-means' form is not the
 * form the index stores, that too) into chunks here.  After the k-means
 * over the sample, the core runs k-means again over every row, started from
 * the sample's centres (a few Lloyd iterations with Yinyang bounds, in
 * threads): the lists fit the whole table rather than a sample of 50 rows
 * per list, which gives markedly better recall at the same probes, and the
 * final iteration's assignment is the lists' membership, so there is no
 * second heap scan, no per-row tuplesort and no temporary files.  The rows
 * are then counting-sorted by list and written list after list.
 *
 * A table whose rows do not fit is built through the tuplesort (build.c):
 * the store gives up as soon as the next row would pass its budget.
 */
#include "postgres.h"

#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"

#include "build.h"
#include "bulk_write.h"
#include "index_common.h"

/* Rows are kept in chunks of about this many bytes each */
#define CHUNK_BYTES				((Size) 4 * 1024 * 1024)
/*
 * Lloyd iterations over every row after the sample's k-means.  The first
 * (every row against every centre) costs the most; the bounds rule out most
 * centres after it.  On 100,000 clustered 128-d rows, recall@10 at probes
 * 1-16 rose 2-3 points from 5 iterations to 10 and 1-3 more at 20, each
 * iteration adding about 5% to the build.
 */
#define REFINE_MAX_ITERATIONS	10
/* Distance computations per core call, times dimensions: well under a second */
#define REFINE_CHUNK_WORK		((size_t) 1 << 28)
#define REFINE_SEED				0x2F5F1A71

typedef struct RowChunk
{
	char	   *stored_rows;	/* NULL when they are the k-means rows */
	ItemPointerData *tids;
} RowChunk;

struct IvfflatRowStore
{
	MemoryContext context;		/* everything below but the core's k-means */
	vc_kmeans_params params;	/* of the k-means over every row */
	vc_kmeans  *kmeans;			/* holds each row as k-means takes it */
	uint32		stored_bytes;	/* as the index stores it, if not that (else 0) */
	int64		capacity;		/* rows that fit in the budget */
	int64		count;
	int			rows_per_chunk;
	int			chunk_count;
	int			chunk_capacity;
	RowChunk   *chunks;			/* TIDs and stored forms */
	uint32	   *assignment;		/* each row's list, once clustered */
};

static void
free_kmeans(void *arg)
{
	IvfflatRowStore *store = arg;

	vc_kmeans_free(store->kmeans);
	store->kmeans = NULL;
}

/* k-means' bytes for capacity rows */
static Size
kmeans_bytes_for(IvfflatRowStore *store, size_t capacity)
{
	vc_kmeans_params params = store->params;

	params.sample_capacity = capacity;
	return vc_kmeans_memory_bytes(&params);
}

/*
 * A store for the rows of the sampling scan, allowed budget bytes (what
 * maintenance_work_mem leaves beside the sample's k-means); NULL when not
 * even a small table would fit.
 */
IvfflatRowStore *
ivfflat_rows_begin(IvfflatBuildState *state, Size budget)
{
	MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "ivfflat build rows",
												  ALLOCSET_DEFAULT_SIZES);
	IvfflatRowStore *store = MemoryContextAllocZero(context, sizeof(IvfflatRowStore));
	bool		ip = state->info.spherical && !state->info.normalize;
	MemoryContextCallback *callback;
	Size		large = (Size) 1 << 20;
	Size		small = (Size) 1 << 10;
	Size		fixed_bytes;
	Size		row_bytes;

	store->context = context;
	/* halfvec clusters in float32, ip clusters directions: keep the stored form too */
	store->stored_bytes = state->info.kind == VC_ELEMENT_F16 || ip ? state->vector_bytes : 0;

	ivfflat_kmeans_params(state, 0, REFINE_MAX_ITERATIONS, REFINE_SEED, &store->params);

	/*
	 * Each row's share of the peak: its part of the k-means (the row, its
	 * bounds and assignment), its stored form, its TID, and its place in
	 * the counting sort.
	 */
	fixed_bytes = kmeans_bytes_for(store, small);
	row_bytes = (kmeans_bytes_for(store, large) - fixed_bytes) / (large - small) + 1 +
		store->stored_bytes + sizeof(ItemPointerData) + sizeof(uint32);
	if (fixed_bytes == 0 || fixed_bytes + row_bytes * small > budget)
	{
		MemoryContextDelete(context);
		return NULL;
	}
	store->capacity = (int64) Min((budget - fixed_bytes) / row_bytes, (Size) (UINT32_MAX - 1));
	store->params.sample_capacity = (size_t) store->capacity;
	store->rows_per_chunk = (int) Max(CHUNK_BYTES / (store->stored_bytes + sizeof(ItemPointerData)), 64);

	callback = MemoryContextAlloc(context, sizeof(MemoryContextCallback));
	callback->func = free_kmeans;
	callback->arg = store;
	MemoryContextRegisterResetCallback(context, callback);
	/* the core allocates rows as they come, not the capacity */
	ivfflat_check_core(vc_kmeans_create(&store->params, &store->kmeans), "creating k-means over every row");
	return store;
}

/* Frees the rows: they did not fit (the build goes on through the sort), or are written */
void
ivfflat_rows_end(IvfflatBuildState *state)
{
	if (state->rows == NULL)
		return;
	MemoryContextDelete(state->rows->context);
	state->rows = NULL;
}

/*
 * Keep one row: kmeans_row in k-means' form, stored in the index's (used
 * only when the two differ).  Gives up on the store when the row would
 * pass its budget.
 */
void
ivfflat_rows_add(IvfflatBuildState *state, ItemPointer tid, const void *kmeans_row, const void *stored)
{
	IvfflatRowStore *store = state->rows;
	int			chunk;
	int			slot;

	if (store == NULL)
		return;
	if (store->count == store->capacity)
	{
		ivfflat_rows_end(state);
		return;
	}

	chunk = (int) (store->count / store->rows_per_chunk);
	slot = (int) (store->count % store->rows_per_chunk);
	if (chunk == store->chunk_count)
	{
		RowChunk   *added;

		if (chunk == store->chunk_capacity)
		{
			store->chunk_capacity = Max(store->chunk_capacity * 2, 16);
			store->chunks = store->chunks == NULL ?
				MemoryContextAlloc(store->context, sizeof(RowChunk) * store->chunk_capacity) :
				repalloc(store->chunks, sizeof(RowChunk) * store->chunk_capacity);
		}
		added = &store->chunks[chunk];
		added->stored_rows = store->stored_bytes == 0 ? NULL :
			MemoryContextAllocHuge(store->context, (Size) store->rows_per_chunk * store->stored_bytes);
		added->tids = MemoryContextAllocHuge(store->context, sizeof(ItemPointerData) * store->rows_per_chunk);
		store->chunk_count++;
	}
	ivfflat_check_core(vc_kmeans_set_sample(store->kmeans, (size_t) store->count, kmeans_row), "keeping a row");
	if (store->stored_bytes != 0)
		memcpy(store->chunks[chunk].stored_rows + (Size) slot * store->stored_bytes, stored,
			   store->stored_bytes);
	store->chunks[chunk].tids[slot] = *tid;
	store->count++;
}

/*
 * k-means over every row kept, from the sample's centres in work_centers
 * (float32 or bits), which get the refined centres; each row's list is
 * remembered for ivfflat_rows_write.  false when there is no store (the
 * rows did not fit).
 */
bool
ivfflat_rows_cluster(IvfflatBuildState *state, char *work_centers, Size work_bytes)
{
	IvfflatRowStore *store = state->rows;
	bool		done = false;
	vc_kmeans_progress progress;
	size_t		chunk_work = Max(REFINE_CHUNK_WORK / Max(state->dimensions, 1), 1);

	if (store == NULL)
		return false;
	state->heap_tuples = state->rows_scanned;
	state->index_tuples = (double) store->count;
	if (store->count == 0)
		return true;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, store->count);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);

	ivfflat_check_core(vc_kmeans_set_centers(store->kmeans, work_centers), "starting from the sample's centres");
	while (!done)
	{
		CHECK_FOR_INTERRUPTS();
		ivfflat_check_core(vc_kmeans_run(store->kmeans, chunk_work, &done), "refining the lists");
	}
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, store->count);
	vc_kmeans_get_progress(store->kmeans, &progress);
	ivfflat_check_core(vc_kmeans_centers(store->kmeans, work_centers, work_bytes), "reading the centres");
	elog(DEBUG1, "ivfflat build: k-means over all %lld rows in memory, %d iterations",
		 (long long) store->count, progress.iterations);

	store->assignment = MemoryContextAllocHuge(store->context, sizeof(uint32) * (Size) store->count);
	ivfflat_check_core(vc_kmeans_assignment(store->kmeans, store->assignment, (size_t) store->count),
					   "reading the lists");
	return true;
}

/* Row row as the index stores it */
static const void *
stored_row(IvfflatRowStore *store, int64 row)
{
	RowChunk   *chunk = &store->chunks[row / store->rows_per_chunk];
	int			slot = (int) (row % store->rows_per_chunk);

	if (store->stored_bytes != 0)
		return chunk->stored_rows + (Size) slot * store->stored_bytes;
	return vc_kmeans_sample(store->kmeans, (size_t) row);
}

/*
 * The directory in backend memory, a tuple for every list; where the lists
 * start and end is filled in once they are written.
 */
static Page *
directory_pages(IvfflatBuildState *state, BulkWriter *bulk, int *count)
{
	IvfflatListTupleData tuple;
	int			capacity = 4;
	Page	   *pages = palloc(sizeof(Page) * capacity);
	Page		page = bulk_write_new_page(bulk);

	ivfflat_set_list_run(&tuple, InvalidBlockNumber, InvalidBlockNumber);

	*count = 1;
	ivfflat_init_page(page, IVFFLAT_PAGE_DIRECTORY);
	pages[0] = page;
	for (uint32 list = 0; list < state->lists; list++)
	{
		if (!ivfflat_page_add(page, &tuple, sizeof(tuple)))
		{
			if (*count == capacity)
			{
				capacity *= 2;
				pages = repalloc(pages, sizeof(Page) * capacity);
			}
			IvfflatPageGetOpaque(page)->next_block = IVFFLAT_FIRST_DIRECTORY_BLKNO + *count;
			page = bulk_write_new_page(bulk);
			ivfflat_init_page(page, IVFFLAT_PAGE_DIRECTORY);
			pages[(*count)++] = page;
			ivfflat_page_add(page, &tuple, sizeof(tuple));
		}
	}
	return pages;
}

/* The centres' pages from block on; returns the block after them */
static BlockNumber
write_centers(IvfflatBuildState *state, BulkWriter *bulk, BlockNumber block)
{
	Size		centers_bytes = (Size) state->lists * state->vector_bytes;
	uint32		pages = ivfflat_center_page_count(state->lists, state->vector_bytes);

	for (uint32 number = 0; number < pages; number++)
	{
		Page		page = bulk_write_new_page(bulk);

		ivfflat_fill_center_page(page, state->centers, centers_bytes, number);
		bulk_write_page(bulk, block++, page);
	}
	return block;
}

/*
 * Write the whole index from the rows, each list's rows in the order the
 * scan met them: the centres, after the directory's blocks, the lists,
 * then the metapage and the directory, which now know where each list is.
 */
void
ivfflat_rows_write(IvfflatBuildState *state)
{
	IvfflatRowStore *store = state->rows;
	Size		entry_size = IVFFLAT_ENTRY_TUPLE_SIZE(state->vector_bytes);
	IvfflatEntryTuple entry = palloc0(entry_size);
	uint32	   *next = palloc0(sizeof(uint32) * ((Size) state->lists + 1));
	BlockNumber *first_blocks = palloc(sizeof(BlockNumber) * state->lists);
	BlockNumber *last_blocks = palloc(sizeof(BlockNumber) * state->lists);
	uint32	   *order = NULL;
	BulkWriter *bulk = bulk_write_begin(state->index, MAIN_FORKNUM);
	int			directory_count;
	Page	   *directory = directory_pages(state, bulk, &directory_count);
	BlockNumber center_block = IVFFLAT_FIRST_DIRECTORY_BLKNO + directory_count;
	BlockNumber block = write_centers(state, bulk, center_block);
	Page		page;
	Page		meta;
	uint32		list_number = 0;
	int64		loaded = 0;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, store->count);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);

	/* counting sort: next[list] is where the list's next row goes */
	if (store->count > 0)
	{
		order = MemoryContextAllocHuge(store->context, sizeof(uint32) * (Size) store->count);
		for (int64 row = 0; row < store->count; row++)
			next[store->assignment[row] + 1]++;
		for (uint32 list = 0; list < state->lists; list++)
			next[list + 1] += next[list];
		for (int64 row = 0; row < store->count; row++)
			order[next[store->assignment[row]]++] = (uint32) row;
	}

	/*
	 * next[list] is now where the list ends.  The entries go on pages list
	 * after list, a page taking the next list's first entries when it has
	 * room after one list's last.
	 */
	page = NULL;
	for (uint32 list = 0; list < state->lists; list++)
	{
		first_blocks[list] = InvalidBlockNumber;
		last_blocks[list] = InvalidBlockNumber;
		for (; loaded < (int64) next[list]; loaded++)
		{
			uint32		row = order[loaded];
			RowChunk   *chunk = &store->chunks[row / store->rows_per_chunk];

			entry->heap_tid = chunk->tids[row % store->rows_per_chunk];
			entry->list = (uint16) list;
			memcpy(entry->vector, stored_row(store, row), state->vector_bytes);
			if (page == NULL || !ivfflat_page_add(page, entry, entry_size))
			{
				if (page != NULL)
					bulk_write_page(bulk, block++, page);
				page = bulk_write_new_page(bulk);
				ivfflat_init_page(page, IVFFLAT_PAGE_ENTRIES);
				ivfflat_page_add(page, entry, entry_size);
			}
			if (!BlockNumberIsValid(first_blocks[list]))
				first_blocks[list] = block;
			last_blocks[list] = block;
			if ((loaded & 1023) == 1023)
			{
				CHECK_FOR_INTERRUPTS();
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, loaded + 1);
			}
		}
	}
	if (page != NULL)
		bulk_write_page(bulk, block++, page);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, loaded);

	/* the directory, now that the lists have their blocks, and the metapage */
	for (int d = 0; d < directory_count; d++)
	{
		Page		listed = directory[d];
		OffsetNumber max_offset = PageGetMaxOffsetNumber(listed);

		for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
		{
			IvfflatListTuple tuple = (IvfflatListTuple) PageGetItem(listed, PageGetItemId(listed, offset));

			ivfflat_set_list_run(tuple, first_blocks[list_number], last_blocks[list_number]);
			list_number++;
		}
		bulk_write_page(bulk, IVFFLAT_FIRST_DIRECTORY_BLKNO + d, listed);
	}
	Assert(list_number == state->lists);
	meta = bulk_write_new_page(bulk);
	ivfflat_fill_meta(meta, state->dimensions, state->lists, state->vector_bytes, center_block);
	bulk_write_page(bulk, IVFFLAT_METAPAGE_BLKNO, meta);
	bulk_write_finish(bulk);

	pfree(entry);
	pfree(next);
	pfree(first_blocks);
	pfree(last_blocks);
	pfree(directory);
	ivfflat_rows_end(state);
}
