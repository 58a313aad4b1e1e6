/*
 * scan.c
 *	  Ordered index scans: ORDER BY column <op> query LIMIT k.
 *
 * The first call searches the graph for the hnsw.ef_search nearest elements
 * and returns their heap TIDs nearest first.  With hnsw.iterative_scan on,
 * a scan that runs out (a WHERE clause filtered most rows away) searches
 * again with twice the ef, and returns what it had not returned yet:
 * relaxed_order returns those in their order; strict_order drops the ones
 * nearer than the last row returned, so that the rows' distances never go
 * down.  Both stop at hnsw.max_scan_tuples elements scored by one search,
 * or when the search's memory would pass work_mem * hnsw.scan_mem_multiplier.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "index_common.h"

typedef struct HnswScanOpaqueData
{
	MemoryContext context;		/* the scan's allocations */
	MemoryContext query_context;	/* one query's allocations, reset by rescan */
	HnswTypeInfo info;
	HnswMetaPageData meta;
	HnswSearchContext *search;	/* for non-NULL queries, made once */
	HnswSearchContext *null_search; /* for a NULL query, made when needed */

	/* the query of this rescan */
	bool		null_query;
	const void *query_vector;

	/* results of the last search, nearest first */
	bool		searched;
	size_t		ef;
	uint64	   *result_ids;
	float	   *result_distances;
	size_t		result_count;
	size_t		result_next;
	size_t		scored;			/* elements the last search scored */

	/* heap TIDs of the element being returned */
	ItemPointerData heaptids[VC_HNSW_MAX_PAYLOADS];
	int			heaptid_count;
	int			heaptid_next;

	/* iterative scans: elements returned so far, distance of the last one */
	HTAB	   *returned;
	float		last_distance;
	bool		exhausted;
} HnswScanOpaqueData;

typedef HnswScanOpaqueData *HnswScanOpaque;

IndexScanDesc
hnsw_begin_scan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanOpaque so = palloc0(sizeof(HnswScanOpaqueData));

	so->context = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan",
										ALLOCSET_DEFAULT_SIZES);
	so->query_context = AllocSetContextCreate(so->context, "hnsw scan query",
											  ALLOCSET_DEFAULT_SIZES);
	hnsw_get_type_info(index, &so->info);
	scan->opaque = so;
	return scan;
}

void
hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	index_rescan_keys(scan, keys, orderbys);

	MemoryContextReset(so->query_context);
	so->searched = false;
	so->exhausted = false;
	so->result_count = 0;
	so->result_next = 0;
	so->heaptid_count = 0;
	so->heaptid_next = 0;
	so->returned = NULL;
	so->scored = 0;
}

/* The query as the search wants it; checks its dimensions against the index */
static void
prepare_query(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	ScanKey		orderby = &scan->orderByData[0];
	struct varlena *query;
	MemoryContext old;

	index_require_order_by(scan, "hnsw");

	so->null_query = (orderby->sk_flags & SK_ISNULL) != 0;
	if (so->null_query)
	{
		so->query_vector = NULL;
		return;
	}

	old = MemoryContextSwitchTo(so->query_context);
	query = hnsw_prepare_value(&so->info, orderby->sk_argument, true);
	MemoryContextSwitchTo(old);

	index_check_query_dimensions(so->info.kind, so->meta.dimensions, query);
	so->query_vector = hnsw_value_vector(&so->info, query);
}

/* Bytes a search with ef holds, roughly: heaps and visited set */
static double
search_memory(size_t ef, size_t scored)
{
	return (double) ef * 48 + (double) scored * 32;
}

/* Search (again) with so->ef; the results replace the previous ones */
static void
run_search(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	HnswSearchContext *context;
	MemoryContext old;

	if (so->null_query)
	{
		if (so->null_search == NULL)
		{
			old = MemoryContextSwitchTo(so->context);
			so->null_search = hnsw_search_context_create(scan->indexRelation, &so->info,
														 so->meta.dimensions, true);
			MemoryContextSwitchTo(old);
		}
		context = so->null_search;
	}
	else
	{
		if (so->search == NULL)
		{
			old = MemoryContextSwitchTo(so->context);
			so->search = hnsw_search_context_create(scan->indexRelation, &so->info,
													so->meta.dimensions, false);
			MemoryContextSwitchTo(old);
		}
		context = so->search;
	}

	old = MemoryContextSwitchTo(so->query_context);
	if (so->result_ids != NULL && so->searched)
	{
		pfree(so->result_ids);
		pfree(so->result_distances);
	}
	so->result_ids = palloc(sizeof(uint64) * so->ef);
	so->result_distances = palloc(sizeof(float) * so->ef);
	MemoryContextSwitchTo(old);

	/*
	 * Through the upper layers with a beam of HNSW_SCAN_BEAM, not greedily:
	 * a greedy step through the sparse upper layers of clustered data can
	 * settle in the cluster next to the query's, and the bottom layer then
	 * starts there.  On the bench's 768-d cosine set recall@10 at ef_search
	 * 10 went from 0.683 to 0.787 (40: 0.952 to 0.963), for a few dozen
	 * distances a scan.  Inserts and VACUUM's repairs keep the greedy
	 * descent: with the beam there too, rows churned in by concurrent
	 * inserts, deletes and VACUUMs left the bottom layer in islands (a
	 * third to nine tenths of it out of reach of the entry point, against
	 * none to a twentieth).
	 */
	LockPage(scan->indexRelation, HNSW_UPDATE_LOCK, ShareLock);
	so->result_count = hnsw_find_nearest(context, so->query_vector, &so->meta, 0, HNSW_SCAN_BEAM,
										 so->ef, so->result_ids, so->result_distances, &so->scored);
	UnlockPage(scan->indexRelation, HNSW_UPDATE_LOCK, ShareLock);
	so->result_next = 0;
	so->searched = true;
}

/* Load the heap TIDs of element id; false if it has none (deleted) */
static bool
load_heaptids(IndexScanDesc scan, uint64 id)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	HnswSearchContext *context = so->null_query ? so->null_search : so->search;
	Buffer		buffer = index_read_page(context->reader, (BlockNumber) (id >> 16));
	HnswElementTuple element;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	element = hnsw_page_element(BufferGetPage(buffer), (OffsetNumber) (id & 0xFFFF));
	so->heaptid_count = 0;
	so->heaptid_next = 0;
	if (element != NULL && element->deleted == HNSW_ELEMENT_LIVE)
	{
		for (int i = 0; i < element->heaptid_count; i++)
			so->heaptids[so->heaptid_count++] = element->heaptids[i];
	}
	UnlockReleaseBuffer(buffer);
	return so->heaptid_count > 0;
}

/* Remember id as returned; false if it already was */
static bool
mark_returned(HnswScanOpaque so, uint64 id)
{
	bool		found;

	if (so->returned == NULL)
	{
		HASHCTL		control;

		control.keysize = sizeof(uint64);
		control.entrysize = sizeof(uint64);
		control.hcxt = so->query_context;
		so->returned = hash_create("hnsw returned elements", 1024, &control,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	hash_search(so->returned, &id, HASH_ENTER, &found);
	return !found;
}

/* Search with a larger ef for an iterative scan; false when it is over */
static bool
search_further(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	double		memory_limit = (double) work_mem * 1024.0 * hnsw_scan_mem_multiplier;
	size_t		next_ef;

	if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_OFF || so->exhausted)
		return false;
	/* the last search found every element it could reach */
	if (so->result_count < so->ef)
		return false;
	if (so->scored >= (size_t) hnsw_max_scan_tuples)
		return false;

	next_ef = so->ef * 2;
	if (search_memory(next_ef, so->scored * 2) > memory_limit)
	{
		/* one last search within the memory allowed, if it is larger */
		while (next_ef > so->ef && search_memory(next_ef, so->scored * 2) > memory_limit)
			next_ef = next_ef * 3 / 4;
		if (next_ef <= so->ef)
			return false;
		so->exhausted = true;
	}
	so->ef = next_ef;
	run_search(scan);
	return true;
}

bool
hnsw_get_tuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	bool		iterative = hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF;

	if (!so->searched)
	{
		hnsw_read_meta(scan->indexRelation, &so->meta);
		prepare_query(scan);
		so->ef = hnsw_ef_search;
		so->last_distance = -get_float4_infinity();
		run_search(scan);
#if PG_VERSION_NUM >= 150000
		pgstat_count_index_scan(scan->indexRelation);
#endif
	}

	for (;;)
	{
		uint64		id;
		float		distance;

		if (so->heaptid_next < so->heaptid_count)
		{
			scan->xs_heaptid = so->heaptids[so->heaptid_next++];
			scan->xs_recheck = false;
			scan->xs_recheckorderby = false;
			return true;
		}

		if (so->result_next >= so->result_count)
		{
			if (!search_further(scan))
				return false;
			continue;
		}

		id = so->result_ids[so->result_next];
		distance = so->result_distances[so->result_next];
		so->result_next++;

		if (iterative)
		{
			if (!mark_returned(so, id))
				continue;
			if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT && distance < so->last_distance)
				continue;
		}
		if (!load_heaptids(scan, id))
			continue;
		so->last_distance = distance;
	}
}

void
hnsw_end_scan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	hnsw_search_context_free(so->search);
	hnsw_search_context_free(so->null_search);
	MemoryContextDelete(so->context);
	pfree(so);
	scan->opaque = NULL;
}
