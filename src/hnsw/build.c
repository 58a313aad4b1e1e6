/*
 * build.c
 *	  CREATE INDEX ... USING hnsw.
 *
 * The heap scan hands every row's value to the core's in-memory graph,
 * which links them in chunks (with max_parallel_maintenance_workers + 1
 * threads when PostgreSQL would plan that many workers for the table), so
 * that between chunks the build can be cancelled and report progress.  At
 * the end the graph is written out page by page, elements in the core's
 * locality order (graph neighbours on nearby pages), and the whole index is
 * WAL-logged at once.
 *
 * When the graph would outgrow maintenance_work_mem, what was built so far
 * is written out and the remaining rows are inserted one by one on disk,
 * with a NOTICE saying how much memory would have kept the build in memory.
 */
#include "postgres.h"

#include <math.h>

#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/backend_progress.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "index_common.h"

/* Elements linked per core call: short enough to cancel within a second */
#define LINK_CHUNK_PER_THREAD 256

typedef struct HnswBuildState
{
	Relation	heap;
	Relation	index;
	HnswTypeInfo info;
	uint32		dimensions;

	vc_hnsw_graph *graph;		/* NULL once written out */
	Size		memory_limit;	/* maintenance_work_mem, in bytes */
	int			threads;
	bool		on_disk;		/* graph written: insert row by row */

	double		heap_tuples;
	double		index_tuples;
	double		tuples_in_memory;	/* when the graph was written early */
	MemoryContext row_context;	/* reset after every row */
} HnswBuildState;

/* The core's graph is not palloc'd: free it however the build ends */
static void
free_graph(void *arg)
{
	HnswBuildState *state = arg;

	vc_hnsw_graph_free(state->graph);
	state->graph = NULL;
}

static void
link_pending(HnswBuildState *state, bool all)
{
	size_t		chunk = (size_t) LINK_CHUNK_PER_THREAD * state->threads;

	while (vc_hnsw_graph_pending_count(state->graph) >= (all ? 1 : chunk))
	{
		CHECK_FOR_INTERRUPTS();
		hnsw_check_core(vc_hnsw_graph_link_pending(state->graph, chunk, state->threads, NULL),
						"linking the graph");
	}
}

/* ------------------------------------------------------------------------
 * Writing the graph out
 * ------------------------------------------------------------------------ */

/*
 * Where each element goes: its neighbour tuple then its element tuple,
 * together on one page when they fit on an empty one, pages filled in
 * order.  Mirrors what PageAddItem will do on fresh pages.
 */
typedef struct PagePlanner
{
	BlockNumber block;
	OffsetNumber next_offset;
	Size		free;
} PagePlanner;

static void
planner_new_page(PagePlanner *planner)
{
	planner->block++;
	planner->next_offset = FirstOffsetNumber;
	planner->free = hnsw_empty_page_space();
}

static void
planner_place(PagePlanner *planner, Size size, ItemPointer tid)
{
	if (hnsw_item_space(size) > planner->free)
		planner_new_page(planner);
	ItemPointerSet(tid, planner->block, planner->next_offset++);
	planner->free -= hnsw_item_space(size);
}

static void
planner_place_pair(PagePlanner *planner, Size first, Size second,
				   ItemPointer first_tid, ItemPointer second_tid)
{
	Size		both = hnsw_item_space(first) + hnsw_item_space(second);

	if (both <= hnsw_empty_page_space() && both > planner->free)
		planner_new_page(planner);
	planner_place(planner, first, first_tid);
	planner_place(planner, second, second_tid);
}

/* Bytes of a stored value before what the core's kernels read */
static Size
value_header_size(const HnswTypeInfo *info)
{
	switch (info->kind)
	{
		case VC_ELEMENT_F32:
		case VC_ELEMENT_F16:
			return VARHDRSZ + 2 * sizeof(int16);	/* dim, unused */
		case VC_ELEMENT_BITS:
			return VARHDRSZ + sizeof(int32);	/* bit length */
		default:
			return VARHDRSZ;	/* the sparse body holds dim, nnz, unused */
	}
}

/* The varlena the index stores for a vector of the core's graph */
static struct varlena *
value_of_vector(const HnswTypeInfo *info, uint32 dimensions, const void *vector, size_t bytes)
{
	Size		header = value_header_size(info);
	struct varlena *value;

	value = palloc0(header + bytes);
	SET_VARSIZE(value, header + bytes);
	if (info->kind == VC_ELEMENT_F32 || info->kind == VC_ELEMENT_F16)
		*(int16 *) VARDATA(value) = (int16) dimensions;
	else if (info->kind == VC_ELEMENT_BITS)
		*(int32 *) VARDATA(value) = (int32) dimensions;
	memcpy((char *) value + header, vector, bytes);
	return value;
}

/* Fill the pages up to block with fresh ones, returning the last pinned and locked */
static Buffer
extend_to(Relation index, BlockNumber block)
{
	Buffer		buffer;

	for (;;)
	{
		buffer = ReadBufferExtended(index, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
		if (BufferGetBlockNumber(buffer) >= block)
			break;
		ReleaseBuffer(buffer);
	}
	Assert(BufferGetBlockNumber(buffer) == block);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	hnsw_init_page(BufferGetPage(buffer), HNSW_PAGE_ELEMENTS);
	return buffer;
}

static void
write_graph(HnswBuildState *state)
{
	vc_hnsw_graph *graph = state->graph;
	const HnswTypeInfo *info = &state->info;
	int			m = info->m;
	size_t		count = vc_hnsw_graph_element_count(graph);
	uint32	   *order;
	ItemPointerData *element_tids;
	ItemPointerData *neighbor_tids;
	PagePlanner planner = {HNSW_METAPAGE_BLKNO, FirstOffsetNumber, 0};
	Buffer		buffer = InvalidBuffer;
	uint32		entry;
	int			entry_level;
	uint32	   *links = palloc(sizeof(uint32) * 2 * m);
	MemoryContext element_context;
	MemoryContext old;

	if (count == 0)
		return;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_WRITE);

	order = palloc_extended(sizeof(uint32) * count, MCXT_ALLOC_HUGE);
	element_tids = palloc_extended(sizeof(ItemPointerData) * count, MCXT_ALLOC_HUGE);
	neighbor_tids = palloc_extended(sizeof(ItemPointerData) * count, MCXT_ALLOC_HUGE);
	hnsw_check_core(vc_hnsw_graph_layout_order(graph, order, count), "ordering the graph");

	/* where everything goes */
	planner.free = 0;
	for (size_t i = 0; i < count; i++)
	{
		vc_hnsw_element_view view;

		hnsw_check_core(vc_hnsw_graph_element(graph, order[i], &view), "reading the graph");
		planner_place_pair(&planner, HNSW_NEIGHBOR_TUPLE_SIZE(view.level, m),
						   HNSW_ELEMENT_TUPLE_SIZE(value_header_size(info) + view.vector_bytes),
						   &neighbor_tids[order[i]], &element_tids[order[i]]);
	}

	/* write it there */
	element_context = AllocSetContextCreate(CurrentMemoryContext, "hnsw build element",
											ALLOCSET_DEFAULT_SIZES);
	for (size_t i = 0; i < count; i++)
	{
		uint32		element_number = order[i];
		vc_hnsw_element_view view;
		ItemPointerData heaptids[VC_HNSW_MAX_PAYLOADS];
		struct varlena *value;
		HnswElementTuple element;
		HnswNeighborTuple neighbors;
		Size		element_size;
		Size		neighbors_size;
		ItemPointer tid = &element_tids[element_number];
		ItemPointer ntid = &neighbor_tids[element_number];
		Page		page;

		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(element_context);

		hnsw_check_core(vc_hnsw_graph_element(graph, element_number, &view), "reading the graph");
		value = value_of_vector(info, state->dimensions, view.vector, view.vector_bytes);
		for (size_t p = 0; p < view.payload_count; p++)
			hnsw_id_to_tid(view.payloads[p], &heaptids[p]);

		neighbors_size = HNSW_NEIGHBOR_TUPLE_SIZE(view.level, m);
		neighbors = palloc(neighbors_size);
		hnsw_fill_empty_neighbor_tuple(neighbors, view.level, m);
		for (int layer = 0; layer <= view.level; layer++)
		{
			size_t		n = vc_hnsw_graph_neighbours(graph, element_number, layer, links, 2 * m);
			int			first = hnsw_layer_first_slot(m, layer);

			n = Min(n, (size_t) hnsw_layer_capacity(m, layer));
			for (size_t k = 0; k < n; k++)
				neighbors->neighbors[first + k] = element_tids[links[k]];
		}
		element_size = hnsw_element_tuple_size(value);
		element = palloc(element_size);
		hnsw_fill_element_tuple(element, view.level, heaptids, (int) view.payload_count, ntid, value);

		/* the neighbour tuple, then the element, where the plan put them */
		for (int item = 0; item < 2; item++)
		{
			ItemPointer where = item == 0 ? ntid : tid;
			const void *tuple = item == 0 ? (const void *) neighbors : (const void *) element;
			Size		size = item == 0 ? neighbors_size : element_size;

			if (!BufferIsValid(buffer) || BufferGetBlockNumber(buffer) != ItemPointerGetBlockNumber(where))
			{
				if (BufferIsValid(buffer))
				{
					MarkBufferDirty(buffer);
					UnlockReleaseBuffer(buffer);
				}
				buffer = extend_to(state->index, ItemPointerGetBlockNumber(where));
			}
			page = BufferGetPage(buffer);
			if (PageAddItem(page, (Item) tuple, size, InvalidOffsetNumber, false, false) !=
				ItemPointerGetOffsetNumber(where))
				elog(ERROR, "hnsw build: item placed at an unplanned offset");
		}

		MemoryContextSwitchTo(old);
		MemoryContextReset(element_context);
	}
	if (BufferIsValid(buffer))
	{
		MarkBufferDirty(buffer);
		UnlockReleaseBuffer(buffer);
	}
	MemoryContextDelete(element_context);

	if (vc_hnsw_graph_entry_point(graph, &entry, &entry_level))
		hnsw_update_meta(state->index, &element_tids[entry], entry_level, planner.block, false);

	pfree(order);
	pfree(element_tids);
	pfree(neighbor_tids);
	pfree(links);
}

/* Write the graph built so far and go on row by row */
static void
switch_to_disk(HnswBuildState *state)
{
	double		per_tuple;
	double		needed_mb;

	link_pending(state, true);
	write_graph(state);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);

	per_tuple = (double) vc_hnsw_graph_memory_bytes(state->graph) / Max(state->index_tuples, 1);
	needed_mb = per_tuple * Max(state->heap->rd_rel->reltuples, state->index_tuples) / (1024.0 * 1024.0);
	ereport(NOTICE,
			(errmsg("hnsw graph no longer fits into maintenance_work_mem after %.0f tuples",
					state->index_tuples),
			 errdetail("Building will take significantly more time: the remaining rows are inserted one by one on disk."),
			 errhint("Increase maintenance_work_mem to about %.0f MB to build this index in memory.",
					 ceil(needed_mb * 1.1 + 1))));

	free_graph(state);
	state->on_disk = true;
	state->tuples_in_memory = state->index_tuples;
}

static void
build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tuple_is_alive, void *arg)
{
	HnswBuildState *state = arg;
	MemoryContext old;
	struct varlena *value;

	state->heap_tuples++;
	if (isnull[0])
		return;

	old = MemoryContextSwitchTo(state->row_context);
	value = hnsw_prepare_value(&state->info, values[0], false);
	if (value != NULL)
	{
		if (!state->on_disk)
		{
			size_t		bytes = hnsw_value_vector_bytes(&state->info, value);

			if (vc_hnsw_graph_memory_bytes(state->graph) +
				vc_hnsw_graph_append_cost(state->graph, bytes) > state->memory_limit)
				switch_to_disk(state);
		}

		if (state->on_disk)
			hnsw_insert_value(index, &state->info, value, tid);
		else
		{
			hnsw_check_core(vc_hnsw_graph_append(state->graph, hnsw_value_vector(&state->info, value),
												 hnsw_value_vector_bytes(&state->info, value),
												 hnsw_heaptid_to_payload(tid), NULL),
							"adding a row to the graph");
			link_pending(state, false);
		}
		state->index_tuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) state->index_tuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->row_context);
}

IndexBuildResult *
hnsw_build(Relation heap, Relation index, IndexInfo *index_info)
{
	IndexBuildResult *result;
	/* palloc'd: the callback that frees the graph may run after we return */
	HnswBuildState *state_holder = palloc0(sizeof(HnswBuildState));
	MemoryContextCallback *callback = palloc(sizeof(MemoryContextCallback));
	vc_hnsw_params params;
#define state (*state_holder)

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	state.heap = heap;
	state.index = index;
	hnsw_get_type_info(index, &state.info);
	if (state.info.ef_construction < 2 * state.info.m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ef_construction must be greater than or equal to 2 * m")));
	state.dimensions = hnsw_index_dimensions(index, &state.info);
	state.memory_limit = (Size) maintenance_work_mem * 1024;
	state.threads = index_build_threads(heap, index, index_info);
	state.row_context = AllocSetContextCreate(CurrentMemoryContext, "hnsw build row",
											  ALLOCSET_DEFAULT_SIZES);

	params.kind = state.info.kind;
	params.metric = state.info.metric;
	params.dimensions = state.dimensions;
	params.m = state.info.m;
	params.ef_construction = state.info.ef_construction;
	params.seed = 0x5EED0F4A5;
	hnsw_check_core(vc_hnsw_graph_create(&params, &state.graph), "creating the graph");
	callback->func = free_graph;
	callback->arg = state_holder;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, callback);

	hnsw_write_empty_meta(index, MAIN_FORKNUM, state.info.m, state.info.ef_construction,
						  state.dimensions);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
								 (int64) Max(heap->rd_rel->reltuples, 0));
	table_index_build_scan(heap, index, index_info, true, true, build_callback, &state, NULL);

	if (!state.on_disk)
	{
		link_pending(&state, true);
		elog(DEBUG1, "hnsw graph: %zu elements in %zu bytes, linked by %d threads",
			 vc_hnsw_graph_element_count(state.graph), vc_hnsw_graph_memory_bytes(state.graph),
			 state.threads);
		write_graph(&state);
		free_graph(&state);
	}

	/* one WAL record per page, instead of one per change */
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	MemoryContextDelete(state.row_context);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = state.heap_tuples;
	result->index_tuples = state.index_tuples;
	return result;
#undef state
}

/* The init fork of an unlogged index: an empty metapage */
void
hnsw_build_empty(Relation index)
{
	HnswTypeInfo info;

	hnsw_get_type_info(index, &info);
	hnsw_write_empty_meta(index, INIT_FORKNUM, info.m, info.ef_construction,
						  hnsw_index_dimensions(index, &info));
}
