/*
 * search.c
 *	  One HNSW search layer over the index pages: the core's search state
 *	  decides which element to expand, this file fetches its neighbours and
 *	  their vectors from the buffer pages and hands them over.
 *
 * Where the time goes (shared/PERF-NOTES.md): finding the page of each
 * neighbour and waiting for its bytes, not the arithmetic.  So:
 *	- the neighbours of a candidate are grouped by block, and each block is
 *	  pinned and locked once per group, their vectors scored in one batch;
 *	- pages are pinned through page_reader.c, which remembers where each
 *	  page was and pins it again without the shared buffer-mapping lookup;
 *	- the vectors of a group are prefetched before the first is scored;
 *	- the visited set and the heaps are the core's (no palloc per element,
 *	  no fmgr call per distance).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/* ------------------------------------------------------------------------
 * One layer
 * ------------------------------------------------------------------------ */

/* Elements scored per batch: their pages are pinned and locked together */
#define SCORE_BATCH 64

/* How much of each element tuple to prefetch: the header and the vector */
#define PREFETCH_MAX_BYTES 4096

/* ids[0..count) in increasing order (count is at most 2 * m) */
static void
sort_ids(uint64 *ids, size_t count)
{
	for (size_t i = 1; i < count; i++)
	{
		uint64		id = ids[i];
		size_t		j = i;

		while (j > 0 && ids[j - 1] > id)
		{
			ids[j] = ids[j - 1];
			j--;
		}
		ids[j] = id;
	}
}

/*
 * Score ids[0..count) (count <= SCORE_BATCH, sorted, already marked
 * visited) and offer them to the search.
 *
 * Each element is one or more cache misses away (its page's line pointer,
 * then the tuple), and taken one at a time those misses are the scan's
 * cost.  So this first pins every page and prefetches the line pointers,
 * then follows them without a lock just to prefetch the tuples (a racy read
 * can only prefetch the wrong bytes, never fault), and only then locks the
 * pages in block order and reads the tuples for real, by which time their
 * bytes are arriving together.  Ids whose item is no element any more (a
 * stale link) are skipped; deleted elements (VACUUM took their rows) are
 * offered as waypoints only.  With no query (a NULL ORDER BY argument)
 * every live element scores 0.
 */
static size_t
score_batch(HnswSearchContext *context, const uint64 *ids, size_t count)
{
	Buffer		buffers[SCORE_BATCH];
	const void *vectors[SCORE_BATCH];
	uint64		offered_ids[SCORE_BATCH];
	const void *waypoint_vectors[SCORE_BATCH];
	uint64		waypoint_ids[SCORE_BATCH];
	float		zeros[SCORE_BATCH];
	size_t		offered = 0;
	size_t		waypoints = 0;
	vc_status	status = VC_OK;

	/* where the pages probably are: their buffer headers and line pointers */
	for (size_t i = 0; i < count; i++)
		index_prefetch_page(context->reader, (BlockNumber) (ids[i] >> 16),
						   (OffsetNumber) (ids[i] & 0xFFFF));

	for (size_t i = 0; i < count; i++)
	{
		BlockNumber block = (BlockNumber) (ids[i] >> 16);

		if (i > 0 && block == (BlockNumber) (ids[i - 1] >> 16))
			buffers[i] = buffers[i - 1];
		else
		{
			buffers[i] = index_read_page(context->reader, block);
			__builtin_prefetch(PageGetItemId(BufferGetPage(buffers[i]), (OffsetNumber) (ids[i] & 0xFFFF)));
		}
	}

	for (size_t i = 0; i < count; i++)
	{
		Page		page = BufferGetPage(buffers[i]);
		OffsetNumber offset = (OffsetNumber) (ids[i] & 0xFFFF);
		ItemId		item = PageGetItemId(page, offset);
		Size		item_offset = ItemIdGetOffset(item);
		Size		length = Min(ItemIdGetLength(item), PREFETCH_MAX_BYTES);

		if (item_offset + length > BLCKSZ)
			continue;
		for (Size line = 0; line < length; line += 64)
			__builtin_prefetch((const char *) page + item_offset + line);
	}

	for (size_t i = 0; i < count; i++)
	{
		HnswElementTuple element;

		if (i == 0 || buffers[i] != buffers[i - 1])
			LockBuffer(buffers[i], BUFFER_LOCK_SHARE);
		element = hnsw_page_element(BufferGetPage(buffers[i]), (OffsetNumber) (ids[i] & 0xFFFF));
		if (element == NULL || element->deleted == HNSW_ELEMENT_FREE)
			continue;
		if (element->deleted == HNSW_ELEMENT_DELETED)
		{
			/* its rows are gone: it may lead somewhere, but is no result */
			waypoint_vectors[waypoints] = hnsw_value_vector(context->info, (const struct varlena *) element->value);
			waypoint_ids[waypoints++] = ids[i];
			continue;
		}
		vectors[offered] = hnsw_value_vector(context->info, (const struct varlena *) element->value);
		offered_ids[offered++] = ids[i];
	}

	if (offered > 0)
	{
		if (context->null_query)
		{
			memset(zeros, 0, sizeof(float) * offered);
			status = vc_search_offer_distances(context->search, offered_ids, zeros, offered);
		}
		else
			status = vc_search_offer_vectors(context->search, offered_ids, vectors, offered);
	}
	if (waypoints > 0 && status == VC_OK && !context->null_query)
		status = vc_search_offer_waypoints(context->search, waypoint_ids, waypoint_vectors, waypoints);

	for (size_t i = 0; i < count; i++)
	{
		if (i == 0 || buffers[i] != buffers[i - 1])
			UnlockReleaseBuffer(buffers[i]);
	}
	hnsw_check_core(status, "scoring elements");
	return offered + waypoints;
}

/* Score ids[0..count) in batches; ids is sorted in place */
static size_t
score_elements(HnswSearchContext *context, uint64 *ids, size_t count)
{
	size_t		scored = 0;

	sort_ids(ids, count);
	for (size_t start = 0; start < count; start += SCORE_BATCH)
		scored += score_batch(context, ids + start, Min(SCORE_BATCH, count - start));
	return scored;
}

/*
 * The neighbour ids of element id on layer into out (room for 2 * m);
 * returns how many.  0 if the element is gone or has no such layer.
 */
size_t
hnsw_read_neighbors(IndexPageReader *reader, uint64 id, int layer, int m, uint64 *out)
{
	BlockNumber block = (BlockNumber) (id >> 16);
	Buffer		buffer = index_read_page(reader, block);
	HnswElementTuple element;
	HnswNeighborTuple neighbors;
	ItemPointerData neighbor_tid;
	Page		page;
	size_t		count = 0;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buffer);
	element = hnsw_page_element(page, (OffsetNumber) (id & 0xFFFF));
	if (element == NULL || element->level < layer)
	{
		UnlockReleaseBuffer(buffer);
		return 0;
	}
	neighbor_tid = element->neighbor_tid;

	/* usually on the same page: no second pin */
	if (ItemPointerGetBlockNumber(&neighbor_tid) != block)
	{
		UnlockReleaseBuffer(buffer);
		buffer = index_read_page(reader, ItemPointerGetBlockNumber(&neighbor_tid));
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buffer);
	}

	neighbors = hnsw_page_neighbors(page, ItemPointerGetOffsetNumber(&neighbor_tid));
	if (neighbors != NULL)
	{
		int			first = hnsw_layer_first_slot(m, layer);
		int			capacity = hnsw_layer_capacity(m, layer);

		for (int i = 0; i < capacity && first + i < neighbors->count; i++)
		{
			ItemPointer tid = &neighbors->neighbors[first + i];

			if (!ItemPointerIsValid(tid))
				break;			/* slots fill from the front */
			out[count++] = hnsw_tid_to_id(tid);
		}
	}
	UnlockReleaseBuffer(buffer);
	return count;
}

/*
 * Search one layer from the entry elements, keeping the ef nearest.
 * Writes up to ef results (nearest first) to result_ids/result_distances
 * and returns their number; *scored (may be NULL) gets the number of
 * elements scored, for iterative scans' budget.
 */
size_t
hnsw_search_layer(HnswSearchContext *context, const void *query,
				  const uint64 *entry_ids, size_t entry_count, int layer, size_t ef,
				  uint64 *result_ids, float *result_distances, size_t *scored)
{
	vc_search  *search = context->search;
	uint64	   *fresh = context->id_buffer;
	size_t		fresh_count;
	size_t		total_scored;
	uint64		candidate;
	float		candidate_distance;

	Assert(entry_count <= context->id_buffer_capacity);
	hnsw_check_core(vc_search_begin(search, query, ef), "starting a search");

	hnsw_check_core(vc_search_filter_unvisited(search, entry_ids, entry_count, fresh, &fresh_count),
					"marking visited elements");
	total_scored = score_elements(context, fresh, fresh_count);

	while (vc_search_next_candidate(search, &candidate, &candidate_distance))
	{
		size_t		count;

		CHECK_FOR_INTERRUPTS();
		count = hnsw_read_neighbors(context->reader, candidate, layer, context->m, fresh);
		hnsw_check_core(vc_search_filter_unvisited(search, fresh, count, fresh, &fresh_count),
						"marking visited elements");
		if (fresh_count > 0)
			total_scored += score_elements(context, fresh, fresh_count);
	}

	if (scored != NULL)
		*scored = total_scored;
	return vc_search_take_results(search, result_ids, result_distances, ef);
}

/*
 * The entry elements of a search on layer down_to_layer: a descent from the
 * entry point through the layers above it, each searched with a beam of
 * beam elements (1: the HNSW paper's greedy descent), all of which enter
 * the next layer down.  Writes up to beam ids to entries and returns their
 * number; 0 when the index is empty or the entry point is gone.
 */
size_t
hnsw_descend(HnswSearchContext *context, const void *query, const HnswMetaPageData *meta,
			 int down_to_layer, size_t beam, uint64 *entries)
{
	float		distances[HNSW_SCAN_BEAM];
	size_t		count = 1;

	Assert(beam >= 1 && beam <= HNSW_SCAN_BEAM);
	if (!ItemPointerIsValid(&meta->entry_point))
		return 0;

	entries[0] = hnsw_tid_to_id((ItemPointer) &meta->entry_point);
	for (int layer = meta->entry_level; layer > down_to_layer; layer--)
	{
		count = hnsw_search_layer(context, query, entries, count, layer, beam, entries, distances, NULL);
		if (count == 0)
			return 0;
	}
	return count;
}

/*
 * The ef elements nearest to query on layer down_to_layer: the descent
 * above, then a search with ef on that layer.  0 when the index is empty.
 */
size_t
hnsw_find_nearest(HnswSearchContext *context, const void *query,
				  const HnswMetaPageData *meta, int down_to_layer, size_t beam, size_t ef,
				  uint64 *result_ids, float *result_distances, size_t *scored)
{
	uint64		entries[HNSW_SCAN_BEAM];
	size_t		count = hnsw_descend(context, query, meta, down_to_layer, beam, entries);

	if (count == 0)
		return 0;
	return hnsw_search_layer(context, query, entries, count, Min(down_to_layer, meta->entry_level),
							 ef, result_ids, result_distances, scored);
}

/*
 * Search states are kept for the next query: every execution of a prepared
 * ORDER BY ... LIMIT opens a new scan, and a fresh state would grow its
 * visited set and heaps from scratch each time.  A few per backend, matched
 * by what they search.
 */
typedef struct PooledSearch
{
	vc_search  *search;
	vc_element_kind kind;
	vc_metric	metric;
	uint32		dimensions;
} PooledSearch;

#define SEARCH_POOL_SIZE 4
static PooledSearch search_pool[SEARCH_POOL_SIZE];

static vc_search *
take_pooled_search(vc_element_kind kind, vc_metric metric, uint32 dimensions)
{
	for (int i = 0; i < SEARCH_POOL_SIZE; i++)
	{
		PooledSearch *pooled = &search_pool[i];

		if (pooled->search != NULL && pooled->kind == kind && pooled->metric == metric &&
			pooled->dimensions == dimensions)
		{
			vc_search  *search = pooled->search;

			pooled->search = NULL;
			return search;
		}
	}
	return NULL;
}

/* Keep search for later, or free it if the pool is full */
static void
return_search(vc_search *search, vc_element_kind kind, vc_metric metric, uint32 dimensions)
{
	for (int i = 0; i < SEARCH_POOL_SIZE; i++)
	{
		if (search_pool[i].search == NULL)
		{
			search_pool[i].search = search;
			search_pool[i].kind = kind;
			search_pool[i].metric = metric;
			search_pool[i].dimensions = dimensions;
			return;
		}
	}
	vc_search_free(search);
}

/*
 * The core's search state lives outside PostgreSQL's memory contexts: give
 * it back when the context the search context lives in goes, error or not.
 */
static void
free_core_search(void *arg)
{
	HnswSearchContext *context = arg;

	if (context->search != NULL)
		return_search(context->search, context->search_kind, context->info->metric,
					  context->dimensions);
	context->search = NULL;
}

/*
 * A search context over index, in CurrentMemoryContext; its core state is
 * freed with that memory context (or earlier by hnsw_search_context_free).
 */
HnswSearchContext *
hnsw_search_context_create(Relation index, const HnswTypeInfo *info, uint32 dimensions,
						   bool null_query)
{
	HnswSearchContext *context = palloc0(sizeof(HnswSearchContext));
	MemoryContextCallback *callback = palloc(sizeof(MemoryContextCallback));

	context->info = info;
	context->m = info->m;
	context->dimensions = dimensions;
	context->null_query = null_query;
	context->reader = index_page_reader_create(index);
	/* neighbour lists (2 * m) and entry sets (up to ef_construction) */
	context->id_buffer_capacity = Max(2 * HNSW_MAX_M, HNSW_MAX_EF_CONSTRUCTION);
	context->id_buffer = palloc(sizeof(uint64) * context->id_buffer_capacity);

	callback->func = free_core_search;
	callback->arg = context;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, callback);

	context->search_kind = null_query ? VC_ELEMENT_CALLER_SCORED : info->kind;
	if (null_query)
		context->dimensions = 0;
	context->search = take_pooled_search(context->search_kind, info->metric, context->dimensions);
	if (context->search == NULL)
		hnsw_check_core(vc_search_create(context->search_kind, info->metric, context->dimensions,
										 &context->search),
						"creating a search");
	return context;
}

void
hnsw_search_context_free(HnswSearchContext *context)
{
	/* the struct stays: the reset callback still points at it */
	if (context != NULL)
		free_core_search(context);
}

/*
 * Copies of the vectors of elements ids[0..count), in CurrentMemoryContext;
 * NULL for an element that is not live (gone, deleted or free): nothing may
 * link to those.
 */
void
hnsw_load_vector_copies(HnswSearchContext *context, const uint64 *ids, size_t count,
						const void **vectors)
{
	for (size_t i = 0; i < count; i++)
	{
		Buffer		buffer = index_read_page(context->reader, (BlockNumber) (ids[i] >> 16));
		HnswElementTuple element;

		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		element = hnsw_page_element(BufferGetPage(buffer), (OffsetNumber) (ids[i] & 0xFFFF));
		vectors[i] = NULL;
		if (element != NULL && element->deleted == HNSW_ELEMENT_LIVE)
		{
			const struct varlena *value = (const struct varlena *) element->value;
			size_t		bytes = hnsw_value_vector_bytes(context->info, value);
			void	   *copy = palloc(bytes);

			memcpy(copy, hnsw_value_vector(context->info, value), bytes);
			vectors[i] = copy;
		}
		UnlockReleaseBuffer(buffer);
	}
}
