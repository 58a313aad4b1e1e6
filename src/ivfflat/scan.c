/*
 * scan.c
 *	  Ordered index scans: ORDER BY column <op> query LIMIT k.
 *
 * The first call ranks the centres for the query (vc_nearest_centers) and
 * reads the ivfflat.probes nearest lists page by page, scoring the entries
 * of each page together while it is share-locked; the (heap TID, distance)
 * pairs are then returned nearest first, ordered a growing chunk at a time
 * (vc_select_nearest), so a scan with LIMIT 10 never sorts what it read.
 * With ivfflat.iterative_scan = relaxed_order, a scan that runs out (a
 * WHERE clause filtered most rows away) reads the next probes lists, and
 * so on up to ivfflat.max_probes lists; rows of a later batch may be
 * nearer than rows already returned.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "index_common.h"
#include "ivfflat.h"
#include "page_reader.h"

/* Entries scored per kernel call */
#define SCORE_BATCH				256
/* Rows ordered by the first vc_select_nearest of a batch (then twice more each time) */
#define FIRST_ORDERED_CHUNK		32

typedef struct IvfflatScanOpaqueData
{
	MemoryContext context;		/* the scan's allocations */
	MemoryContext query_context;	/* one query's allocations, reset by rescan */
	IvfflatTypeInfo info;
	IndexPageReader *reader;	/* pins pages, remembering where they were */

	/* the query of this rescan */
	bool		started;
	bool		null_query;
	const void *query_vector;
	uint32		dimensions;
	uint32		vector_bytes;

	/* the lists to read, nearest first: their numbers, directory places */
	uint32	   *list_numbers;
	ItemPointerData *list_tids;
	uint32		list_count;		/* ranked: max probes */
	uint32		next_list;
	uint32		probes;

	/* entries read from the last batch of lists */
	vc_scored_id *items;
	size_t		item_count;
	size_t		item_capacity;
	size_t		next_item;
	size_t		ordered_end;	/* items[next_item..ordered_end) are in order */
	size_t		chunk;

	/* scoring scratch */
	const void *vectors[SCORE_BATCH];
	uint64		ids[SCORE_BATCH];
	float		distances[SCORE_BATCH];
} IvfflatScanOpaqueData;

typedef IvfflatScanOpaqueData *IvfflatScanOpaque;

IndexScanDesc
ivfflat_begin_scan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	IvfflatScanOpaque so = palloc0(sizeof(IvfflatScanOpaqueData));

	so->context = AllocSetContextCreate(CurrentMemoryContext, "ivfflat scan",
										ALLOCSET_DEFAULT_SIZES);
	so->query_context = AllocSetContextCreate(so->context, "ivfflat scan query",
											  ALLOCSET_DEFAULT_SIZES);
	ivfflat_get_type_info(index, &so->info);
	/*
	 * No ring-buffer strategy: an index that is queried again and again
	 * should stay in shared buffers (and a build that wrote its pages past
	 * them leaves none there).
	 */
	so->reader = index_page_reader_create(index);
	scan->opaque = so;
	return scan;
}

void
ivfflat_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;

	index_rescan_keys(scan, keys, orderbys);

	MemoryContextReset(so->query_context);
	so->started = false;
	so->items = NULL;
	so->item_count = 0;
	so->item_capacity = 0;
	so->next_item = 0;
	so->ordered_end = 0;
}

/* The query as the lists are scored with, and the lists in its order */
static void
start_query(IndexScanDesc scan)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;
	ScanKey		orderby = &scan->orderByData[0];
	bool		cached;
	const IvfflatLists *lists;
	uint32	   *ranked;
	uint32		max_probes;
	MemoryContext old;

	index_require_order_by(scan, "ivfflat");
	/* TIDs are returned long after their page was unlocked */
	if (!IsMVCCSnapshot(scan->xs_snapshot))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ivfflat index scans need an MVCC snapshot")));

	old = MemoryContextSwitchTo(so->query_context);
	lists = ivfflat_get_lists_of(scan->indexRelation, &cached);
	so->dimensions = lists->dimensions;
	so->vector_bytes = lists->vector_bytes;

	so->null_query = (orderby->sk_flags & SK_ISNULL) != 0;
	if (!so->null_query)
	{
		struct varlena *query = ivfflat_prepare_value(&so->info, orderby->sk_argument, true);

		index_check_query_dimensions(so->info.kind, lists->dimensions, query);
		so->query_vector = index_value_vector(so->info.kind, query);
	}

	so->probes = Min((uint32) ivfflat_probes, lists->count);
	max_probes = ivfflat_iterative_scan == IVFFLAT_ITERATIVE_SCAN_OFF ?
		(uint32) ivfflat_probes : (uint32) Max(ivfflat_max_probes, ivfflat_probes);
	so->list_count = Min(max_probes, lists->count);

	ranked = palloc(sizeof(uint32) * so->list_count);
	if (so->null_query)
	{
		/* every row is as near as any other: lists in their order */
		for (uint32 i = 0; i < so->list_count; i++)
			ranked[i] = i;
	}
	else
		ivfflat_check_core(vc_nearest_centers(so->info.kind, so->info.center_metric,
											  lists->dimensions, lists->centers, lists->count,
											  so->query_vector, so->list_count, ranked, NULL),
						   "ranking the lists");
	so->list_numbers = ranked;
	so->list_tids = palloc(sizeof(ItemPointerData) * so->list_count);
	for (uint32 i = 0; i < so->list_count; i++)
		so->list_tids[i] = lists->list_tids[ranked[i]];
	so->next_list = 0;
	ivfflat_free_lists(lists, cached);
	MemoryContextSwitchTo(old);
}

/* Score the count entries gathered in so->vectors / so->ids, keep them */
static void
score_batch(IvfflatScanOpaque so, size_t count)
{
	if (count == 0)
		return;
	if (so->null_query)
		memset(so->distances, 0, sizeof(float) * count);
	else if (so->info.kind == VC_ELEMENT_F32)
		vc_f32_distance_batch(so->info.metric, so->query_vector, (const float *const *) so->vectors,
							  count, so->dimensions, so->distances);
	else if (so->info.kind == VC_ELEMENT_F16)
		vc_f16_distance_batch(so->info.metric, so->query_vector, (const uint16 *const *) so->vectors,
							  count, so->dimensions, so->distances);
	else
	{
		for (size_t i = 0; i < count; i++)
			so->distances[i] = (float) vc_bits_hamming(so->query_vector, so->vectors[i],
													   so->vector_bytes);
	}

	if (so->item_count + count > so->item_capacity)
	{
		size_t		capacity = Max(so->item_capacity * 2, 1024);
		MemoryContext old = MemoryContextSwitchTo(so->query_context);

		while (capacity < so->item_count + count)
			capacity *= 2;
		if (so->items == NULL)
			so->items = palloc_extended(sizeof(vc_scored_id) * capacity, MCXT_ALLOC_HUGE);
		else
			so->items = repalloc_huge(so->items, sizeof(vc_scored_id) * capacity);
		so->item_capacity = capacity;
		MemoryContextSwitchTo(old);
	}
	for (size_t i = 0; i < count; i++)
	{
		so->items[so->item_count].id = so->ids[i];
		so->items[so->item_count].distance = so->distances[i];
		so->item_count++;
	}
}

/*
 * Gather and score the entries of list on page block (a page at either end
 * of a run holds other lists' entries too); returns the list's next page
 */
static BlockNumber
read_page(IndexScanDesc scan, const IvfflatListTupleData *place, uint32 list, BlockNumber block)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;
	Buffer		buffer = index_read_page(so->reader, block);
	Page		page;
	OffsetNumber max_offset;
	size_t		count = 0;
	BlockNumber next;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buffer);
	max_offset = PageGetMaxOffsetNumber(page);
	for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
	{
		IvfflatEntryTuple entry = ivfflat_page_entry(page, offset);

		if (entry == NULL || entry->list != list)
			continue;
		so->vectors[count] = entry->vector;
		so->ids[count] = ivfflat_tid_to_id(&entry->heap_tid);
		if (++count == SCORE_BATCH)
		{
			score_batch(so, count);
			count = 0;
		}
	}
	score_batch(so, count);
	next = ivfflat_list_next_block(place, block, page);
	UnlockReleaseBuffer(buffer);
	return next;
}

/*
 * Read every entry of the i-th list to read: where its pages are comes
 * from the directory now (a chain may have started since the scan began)
 */
static void
read_list(IndexScanDesc scan, uint32 i)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;
	Buffer		directory = index_read_page(so->reader, ItemPointerGetBlockNumber(&so->list_tids[i]));
	IvfflatListTupleData place;
	BlockNumber block;

	LockBuffer(directory, BUFFER_LOCK_SHARE);
	place = *ivfflat_list_tuple(BufferGetPage(directory), &so->list_tids[i]);
	UnlockReleaseBuffer(directory);
	for (block = ivfflat_list_first_block(&place); BlockNumberIsValid(block);)
		block = read_page(scan, &place, so->list_numbers[i], block);
}

/* Read the next probes lists; false when none are left */
static bool
read_next_lists(IndexScanDesc scan)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;
	uint32		batch_end;

	if (so->next_list >= so->list_count)
		return false;
	so->item_count = 0;
	so->next_item = 0;
	so->ordered_end = 0;
	so->chunk = FIRST_ORDERED_CHUNK;
	batch_end = Min(so->next_list + so->probes, so->list_count);
	for (; so->next_list < batch_end; so->next_list++)
	{
		CHECK_FOR_INTERRUPTS();
		read_list(scan, so->next_list);
	}
	return true;
}

bool
ivfflat_get_tuple(IndexScanDesc scan, ScanDirection dir)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;

	if (!so->started)
	{
		start_query(scan);
		so->started = true;
		pgstat_count_index_scan(scan->indexRelation);
		if (!read_next_lists(scan))
			return false;
	}

	while (so->next_item >= so->item_count)
	{
		if (!read_next_lists(scan))
			return false;
	}

	/* order the next chunk of what is left */
	if (so->next_item >= so->ordered_end)
	{
		size_t		take = Min(so->chunk, so->item_count - so->ordered_end);

		vc_select_nearest(so->items + so->ordered_end, so->item_count - so->ordered_end, take);
		so->ordered_end += take;
		so->chunk *= 2;
	}

	ivfflat_id_to_tid(so->items[so->next_item++].id, &scan->xs_heaptid);
	scan->xs_recheck = false;
	scan->xs_recheckorderby = false;
	return true;
}

void
ivfflat_end_scan(IndexScanDesc scan)
{
	IvfflatScanOpaque so = (IvfflatScanOpaque) scan->opaque;

	index_page_reader_free(so->reader);
	MemoryContextDelete(so->context);
	pfree(so);
	scan->opaque = NULL;
}
