/*
 * build.c
 *	  CREATE INDEX ... USING ivfflat.
 *
 * 1. performing k-means: one scan of the table samples it (reservoir
 *    sampling, as ANALYZE does, at most max(50 * lists, 10000) rows)
 *    straight into the core's k-means slots, and, while every row fits in
 *    maintenance_work_mem, keeps every row too (build_rows.c).  The core
 *    clusters the sample in chunks, between which the build can be
 *    cancelled.  halfvec rows are clustered in float32.
 * 2. assigning tuples: with every row kept, k-means over all of them,
 *    started from the sample's centres, refines the lists and assigns
 *    every row (build_rows.c).  Otherwise every row goes to the list of
 *    its nearest centre, into a tuplesort ordered by list; with parallel
 *    workers (as many as PostgreSQL plans for the table under
 *    max_parallel_maintenance_workers) each participant scans a share of
 *    the table into a tuplesort of its own, and the leader merges them.
 * 3. loading tuples: the rows are written list after list, a page ending
 *    one list's run and starting the next one's, and the metapage, the
 *    directory (where each list's run is) and the centres.
 * Through the sort, the pages go through shared buffers without WAL and
 * the whole index is WAL-logged at the end, one record per page; from
 * memory, they are written past shared buffers, WAL-logged as they go
 * (bulk_write.c).
 */
#include "postgres.h"

#include "access/parallel.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "common/pg_prng.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/smgr.h"
#include "storage/spin.h"
#include "utils/backend_progress.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/sampling.h"
#include "utils/snapmgr.h"
#include "utils/tuplesort.h"
#include "utils/wait_event.h"

#include "build.h"
#include "index_common.h"

/* Rows sampled per list, and at least this many in all (pgvector's) */
#define SAMPLES_PER_LIST		50
#define MIN_SAMPLES				10000
/* Lloyd iterations at most; k-means stops earlier once it converged */
#define KMEANS_MAX_ITERATIONS	500
/* ... or this many when every row is kept: k-means over them all goes on */
#define SAMPLE_ITERATIONS_BEFORE_REFINING 5
/* Distance computations per core call, times dimensions: well under a second */
#define KMEANS_CHUNK_WORK		((size_t) 1 << 28)
/* Same table, same sample, same centres */
#define BUILD_SEED				0x1F5F1A71

typedef struct ParallelAssign ParallelAssign;

static void init_state(IvfflatBuildState *state, Relation heap, Relation index);

/* ------------------------------------------------------------------------
 * k-means over a sample
 * ------------------------------------------------------------------------ */

/*
 * k-means for the index: spherical for ip and cosine, Hamming for bit, in
 * state->threads threads
 */
void
ivfflat_kmeans_params(const IvfflatBuildState *state, size_t capacity, int max_iterations,
					  uint64 seed, vc_kmeans_params *params)
{
	bool		bits = state->info.kind == VC_ELEMENT_BITS;

	params->kind = bits ? VC_ELEMENT_BITS : VC_ELEMENT_F32;
	params->metric = bits ? VC_METRIC_HAMMING :
		state->info.spherical ? VC_METRIC_NEGATIVE_INNER_PRODUCT : VC_METRIC_L2_SQUARED;
	params->dimensions = state->dimensions;
	params->centers = state->lists;
	params->sample_capacity = capacity;
	params->max_iterations = max_iterations;
	params->threads = state->threads;
	params->seed = seed;
}

/* The core's k-means is not palloc'd: free it however the build ends */
static void
free_kmeans(void *arg)
{
	IvfflatBuildState *state = arg;

	vc_kmeans_free(state->kmeans);
	state->kmeans = NULL;
}

/*
 * The vector k-means takes for a row the index stores as stored: its
 * direction for ip and cosine, float32 for halfvec.  *sample: whether the
 * row may be sampled (an ip zero vector has no direction: indexed, and
 * clustered as it is, but no sample).
 */
static const void *
kmeans_vector(IvfflatBuildState *state, struct varlena *stored, bool *sample)
{
	struct varlena *direction = stored;
	const void *vector;

	*sample = true;
	/* cosine values are stored normalized already */
	if (state->info.spherical && !state->info.normalize)
	{
		direction = index_prepare_value(state->info.kind, true, PointerGetDatum(stored), false);
		if (direction == NULL)
		{
			*sample = false;
			direction = stored;
		}
	}
	vector = index_value_vector(state->info.kind, direction);
	if (state->info.kind == VC_ELEMENT_F16)
	{
		vc_f16_array_to_f32(vector, state->widened, state->dimensions);
		return state->widened;
	}
	return vector;
}

/*
 * One row the index will hold: into the sample by reservoir sampling, as
 * ANALYZE's (Vitter's algorithm Z), and into the row store while there is
 * one.
 */
static void
take_row(IvfflatBuildState *state, ItemPointer tid, struct varlena *stored)
{
	bool		sample;
	const void *vector = kmeans_vector(state, stored, &sample);
	int			slot = -1;

	if (sample)
	{
		if (state->sample_count < state->sample_target)
			slot = state->sample_count++;
		else
		{
			if (state->rows_to_skip < 0)
				state->rows_to_skip = reservoir_get_next_S(&state->reservoir, state->rows_seen,
														   state->sample_target);
			if (state->rows_to_skip <= 0)
				slot = (int) (state->sample_target *
							  sampler_random_fract(&state->reservoir.randstate));
			state->rows_to_skip -= 1;
		}
		state->rows_seen += 1;
		if (slot >= 0)
			ivfflat_check_core(vc_kmeans_set_sample(state->kmeans, (size_t) slot, vector),
							   "adding a sample");
	}
	if (state->rows != NULL)
		ivfflat_rows_add(state, tid, vector, index_value_vector(state->info.kind, stored));
}

static void
sample_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
				bool tuple_is_alive, void *arg)
{
	IvfflatBuildState *state = arg;
	MemoryContext old;
	struct varlena *stored;

	state->rows_scanned++;
	if (isnull[0])
		return;

	old = MemoryContextSwitchTo(state->row_context);
	stored = ivfflat_prepare_value(&state->info, values[0], false);
	if (stored != NULL)			/* NULL: a cosine zero vector, not indexed */
		take_row(state, tid, stored);
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->row_context);
}

/* Counts the rows a sample could take */
static void
count_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tuple_is_alive, void *arg)
{
	if (!isnull[0])
		*(double *) arg += 1;
}

/* Centres where there is no sample: pseudo-random, the same every time */
static void
random_centers(IvfflatBuildState *state, float *f32_centers, uint8 *bit_centers)
{
	pg_prng_state prng;

	pg_prng_seed(&prng, BUILD_SEED);
	for (uint32 list = 0; list < state->lists; list++)
	{
		if (bit_centers != NULL)
		{
			uint8	   *center = bit_centers + (Size) list * state->vector_bytes;

			for (uint32 i = 0; i < state->vector_bytes; i++)
				center[i] = (uint8) pg_prng_uint32(&prng);
			/* the bits past the length stay zero, as in any bit value */
			if (state->dimensions % 8 != 0)
				center[state->vector_bytes - 1] &= (uint8) (0xFF << (8 - state->dimensions % 8));
		}
		else
		{
			float	   *center = f32_centers + (Size) list * state->dimensions;
			double		norm;

			for (uint32 i = 0; i < state->dimensions; i++)
				center[i] = (float) (pg_prng_double(&prng) * 2 - 1);
			norm = vc_f32_l2_norm(center, state->dimensions);
			if (state->info.spherical && norm > 0)
			{
				for (uint32 i = 0; i < state->dimensions; i++)
					center[i] = (float) (center[i] / norm);
			}
		}
	}
}

/* The centres k-means (or random_centers) made, in the index's kind */
static void
set_centers(IvfflatBuildState *state, char *work_centers)
{
	size_t		bad_index;

	if (state->info.kind != VC_ELEMENT_F16)
	{
		state->centers = work_centers;
		return;
	}
	state->centers = palloc_extended((Size) state->lists * state->vector_bytes, MCXT_ALLOC_HUGE);
	ivfflat_check_core(vc_f32_array_to_f16((const float *) work_centers, (uint16 *) state->centers,
										   (size_t) state->lists * state->dimensions, &bad_index),
					   "converting the centres to halfvec");
	pfree(work_centers);
}

/* Bytes of the centres as k-means makes them: float32, or bits */
static Size
work_centers_bytes(IvfflatBuildState *state)
{
	if (state->info.kind == VC_ELEMENT_BITS)
		return (Size) state->lists * state->vector_bytes;
	return (Size) state->lists * state->dimensions * sizeof(float);
}

/*
 * Sample the table into k-means and cluster; the centres into work_centers
 * (float32, or bits).  false when no row could be sampled.
 */
static bool
cluster_sample(IvfflatBuildState *state, IndexInfo *index_info, char *work_centers,
			   Size work_bytes, double max_rows)
{
	vc_kmeans_params params;
	MemoryContextCallback *callback;
	size_t		kmeans_bytes;
	size_t		chunk = Max(KMEANS_CHUNK_WORK / Max(state->dimensions, 1), 1);
	bool		done = false;

	/*
	 * 50 rows per list, at least 10,000, no more than the table holds: a
	 * table that may hold fewer (its pages could not hold more) has its
	 * rows counted first, so that k-means is sized for them and not for
	 * what its pages could hold at most.
	 */
	state->sample_target = (int) Max((double) state->lists * SAMPLES_PER_LIST, MIN_SAMPLES);
	if (max_rows < state->sample_target)
	{
		double		rows = 0;

		table_index_build_scan(state->heap, state->index, index_info, true, false,
							   count_callback, &rows, NULL);
		state->sample_target = (int) Max(Min(rows, max_rows), 1);
	}

	ivfflat_kmeans_params(state, (size_t) state->sample_target, KMEANS_MAX_ITERATIONS, BUILD_SEED,
						  &params);

	/* the sample and k-means' own state must fit */
	kmeans_bytes = vc_kmeans_memory_bytes(&params);
	if (kmeans_bytes == 0)
		elog(ERROR, "ivfflat build: k-means parameters out of range");
	if (kmeans_bytes > (Size) maintenance_work_mem * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ivfflat k-means needs %zu MB of memory, maintenance_work_mem is %d MB",
						kmeans_bytes / (1024 * 1024) + 1, maintenance_work_mem / 1024),
				 errdetail("The sample of up to %d rows and %u centres of %u dimensions must fit in memory.",
						   state->sample_target, state->lists, state->dimensions),
				 errhint("Increase maintenance_work_mem, or build the index with fewer lists.")));

	ivfflat_check_core(vc_kmeans_create(&params, &state->kmeans), "creating k-means");
	state->rows = ivfflat_rows_begin(state, (Size) maintenance_work_mem * 1024 - kmeans_bytes);
	callback = palloc(sizeof(MemoryContextCallback));
	callback->func = free_kmeans;
	callback->arg = state;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, callback);

	reservoir_init_selection_state(&state->reservoir, state->sample_target);
	sampler_random_init_state(BUILD_SEED, &state->reservoir.randstate);
	state->rows_to_skip = -1;
	table_index_build_scan(state->heap, state->index, index_info, true, true,
						   sample_callback, state, NULL);
	if (state->sample_count == 0)
	{
		free_kmeans(state);
		return false;
	}
	/*
	 * k-means over every row goes on from where the sample's leaves off;
	 * a sample that holds every row (a small table) converges here
	 */
	if (state->rows != NULL && state->rows_seen > state->sample_count)
		ivfflat_check_core(vc_kmeans_set_max_iterations(state->kmeans, SAMPLE_ITERATIONS_BEFORE_REFINING),
						   "limiting the sample's iterations");

	while (!done)
	{
		CHECK_FOR_INTERRUPTS();
		ivfflat_check_core(vc_kmeans_run(state->kmeans, chunk, &done), "running k-means");
	}
	ivfflat_check_core(vc_kmeans_centers(state->kmeans, work_centers, work_bytes),
					   "reading the centres");
	free_kmeans(state);
	return true;
}

/* The lists' centres: k-means over a sample, or pseudo-random without rows */
static void
compute_centers(IvfflatBuildState *state, IndexInfo *index_info)
{
	bool		bits = state->info.kind == VC_ELEMENT_BITS;
	Size		work_bytes = work_centers_bytes(state);
	char	   *work_centers = palloc_extended(work_bytes, MCXT_ALLOC_HUGE);
	BlockNumber heap_blocks = RelationGetNumberOfBlocks(state->heap);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_KMEANS);

	if (heap_blocks == 0 ||
		!cluster_sample(state, index_info, work_centers, work_bytes,
						(double) heap_blocks * MaxHeapTuplesPerPage))
		random_centers(state, bits ? NULL : (float *) work_centers, bits ? (uint8 *) work_centers : NULL);

	/* with every row in memory, the lists are refined on all of them */
	if (state->rows != NULL)
	{
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_ASSIGN);
		ivfflat_rows_cluster(state, work_centers, work_bytes);
	}

	if (state->sample_count < (int) state->lists)
		ereport(NOTICE,
				(errmsg("ivfflat index built from fewer rows (%d) than lists (%u)",
						state->sample_count, state->lists),
				 errdetail("With fewer rows than lists, scans find fewer of the nearest rows (low recall)."),
				 errhint("Create the index once the table holds its data, or use fewer lists.")));

	set_centers(state, work_centers);
	state->lists_view.dimensions = state->dimensions;
	state->lists_view.count = state->lists;
	state->lists_view.vector_bytes = state->vector_bytes;
	state->lists_view.centers = state->centers;
}

/* ------------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------------ */

/* A fresh page at the end of fork, pinned and locked (the build is alone) */
static Buffer
append_page(Relation index, ForkNumber fork, uint16 flags)
{
	Buffer		buffer = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);

	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	ivfflat_init_page(BufferGetPage(buffer), flags);
	return buffer;
}

static void
finish_page(Buffer buffer)
{
	MarkBufferDirty(buffer);
	UnlockReleaseBuffer(buffer);
}

/* The metapage, the directory (every list without pages yet), the centres */
static void
write_meta_and_directory(IvfflatBuildState *state, ForkNumber fork)
{
	IvfflatListTupleData tuple;
	Size		centers_bytes = (Size) state->lists * state->vector_bytes;
	uint32		center_pages = ivfflat_center_page_count(state->lists, state->vector_bytes);
	Buffer		meta;
	Buffer		buffer;
	BlockNumber center_block;

	ivfflat_set_list_run(&tuple, InvalidBlockNumber, InvalidBlockNumber);

	/* filled last, when it knows where the centres start */
	meta = append_page(state->index, fork, IVFFLAT_PAGE_META);
	Assert(BufferGetBlockNumber(meta) == IVFFLAT_METAPAGE_BLKNO);

	buffer = append_page(state->index, fork, IVFFLAT_PAGE_DIRECTORY);
	for (uint32 list = 0; list < state->lists; list++)
	{
		if (!ivfflat_page_add(BufferGetPage(buffer), &tuple, sizeof(tuple)))
		{
			Buffer		next = append_page(state->index, fork, IVFFLAT_PAGE_DIRECTORY);

			IvfflatPageGetOpaque(BufferGetPage(buffer))->next_block = BufferGetBlockNumber(next);
			finish_page(buffer);
			buffer = next;
			ivfflat_page_add(BufferGetPage(buffer), &tuple, sizeof(tuple));
		}
	}
	finish_page(buffer);

	center_block = InvalidBlockNumber;
	for (uint32 number = 0; number < center_pages; number++)
	{
		buffer = append_page(state->index, fork, IVFFLAT_PAGE_CENTERS);
		if (number == 0)
			center_block = BufferGetBlockNumber(buffer);
		ivfflat_fill_center_page(BufferGetPage(buffer), state->centers, centers_bytes, number);
		finish_page(buffer);
	}

	ivfflat_fill_meta(BufferGetPage(meta), state->dimensions, state->lists, state->vector_bytes,
					  center_block);
	finish_page(meta);
}

/* Where each list's run of pages is, into the directory */
static void
write_list_blocks(IvfflatBuildState *state, ForkNumber fork, const BlockNumber *first_blocks,
				  const BlockNumber *last_blocks)
{
	BlockNumber block = IVFFLAT_FIRST_DIRECTORY_BLKNO;
	uint32		list = 0;

	while (BlockNumberIsValid(block))
	{
		Buffer		buffer = ReadBufferExtended(state->index, fork, block, RBM_NORMAL, NULL);
		Page		page;
		OffsetNumber max_offset;

		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		page = BufferGetPage(buffer);
		max_offset = PageGetMaxOffsetNumber(page);
		for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
		{
			IvfflatListTuple tuple = (IvfflatListTuple) PageGetItem(page, PageGetItemId(page, offset));

			ivfflat_set_list_run(tuple, first_blocks[list], last_blocks[list]);
			list++;
		}
		block = IvfflatPageGetOpaque(page)->next_block;
		finish_page(buffer);
	}
	Assert(list == state->lists);
}

/*
 * Writes the lists' entries one after the other, list after list, on
 * pages appended as they fill: a page may end one list's run and start the
 * next one's.  Lists are started in order, every one of them, before
 * writer_finish.
 */
typedef struct ListWriter
{
	Relation	index;
	ForkNumber	fork;
	Buffer		buffer;			/* the page being filled, or invalid */
	BlockNumber *first_blocks;
	BlockNumber *last_blocks;
	uint32		list;			/* being written */
} ListWriter;

static void
writer_start_list(ListWriter *writer, uint32 list)
{
	writer->list = list;
	writer->first_blocks[list] = InvalidBlockNumber;
	writer->last_blocks[list] = InvalidBlockNumber;
}

static void
writer_add(ListWriter *writer, const IvfflatEntryTupleData *entry, Size size)
{
	BlockNumber block;

	Assert(entry->list == writer->list);
	if (!BufferIsValid(writer->buffer) ||
		!ivfflat_page_add(BufferGetPage(writer->buffer), entry, size))
	{
		if (BufferIsValid(writer->buffer))
			finish_page(writer->buffer);
		writer->buffer = append_page(writer->index, writer->fork, IVFFLAT_PAGE_ENTRIES);
		ivfflat_page_add(BufferGetPage(writer->buffer), entry, size);
	}
	block = BufferGetBlockNumber(writer->buffer);
	if (!BlockNumberIsValid(writer->first_blocks[writer->list]))
		writer->first_blocks[writer->list] = block;
	writer->last_blocks[writer->list] = block;
}

static void
writer_init(ListWriter *writer, IvfflatBuildState *state, ForkNumber fork)
{
	writer->index = state->index;
	writer->fork = fork;
	writer->buffer = InvalidBuffer;
	writer->first_blocks = palloc(sizeof(BlockNumber) * state->lists);
	writer->last_blocks = palloc(sizeof(BlockNumber) * state->lists);
}

static void
writer_finish(ListWriter *writer, IvfflatBuildState *state)
{
	if (BufferIsValid(writer->buffer))
		finish_page(writer->buffer);
	writer->buffer = InvalidBuffer;
	write_list_blocks(state, writer->fork, writer->first_blocks, writer->last_blocks);
}

/* ------------------------------------------------------------------------
 * Assigning rows to lists, loading them
 * ------------------------------------------------------------------------ */

static void
assign_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
				bool tuple_is_alive, void *arg)
{
	IvfflatBuildState *state = arg;
	MemoryContext old;
	struct varlena *value;

	state->heap_tuples++;
	if (isnull[0])
		return;

	old = MemoryContextSwitchTo(state->row_context);
	value = ivfflat_prepare_value(&state->info, values[0], false);
	if (value != NULL)
	{
		const void *vector = index_value_vector(state->info.kind, value);
		uint32		list = ivfflat_nearest_list(&state->info, &state->lists_view, vector);
		bytea	   *raw = palloc(VARHDRSZ + state->vector_bytes);

		SET_VARSIZE(raw, VARHDRSZ + state->vector_bytes);
		memcpy(VARDATA(raw), vector, state->vector_bytes);

		ExecClearTuple(state->slot);
		state->slot->tts_values[0] = Int32GetDatum((int32) list);
		state->slot->tts_isnull[0] = false;
		state->slot->tts_values[1] = PointerGetDatum(tid);
		state->slot->tts_isnull[1] = false;
		state->slot->tts_values[2] = PointerGetDatum(raw);
		state->slot->tts_isnull[2] = false;
		ExecStoreVirtualTuple(state->slot);
		tuplesort_puttupleslot(state->sort, state->slot);

		state->index_tuples++;
		if (state->tuples_assigned != NULL)
		{
			uint64		assigned = pg_atomic_add_fetch_u64(state->tuples_assigned, 1);

			if (state->report_progress)
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) assigned);
		}
		else if (state->report_progress)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) state->index_tuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(state->row_context);
}

/*
 * The tuplesort rows go through: (list int4, heap tid, vector bytea), the
 * vector as the kernels read it (the bytea may get a short header in the
 * sort's tuples: read it with VARDATA_ANY)
 */
static void
begin_sort(IvfflatBuildState *state, SortCoordinate coordinate, int sort_memory)
{
	AttrNumber	columns[] = {1};
	Oid			operators[] = {Int4LessOperator};
	Oid			collations[] = {InvalidOid};
	bool		nulls_first[] = {false};

	state->sort_desc = CreateTemplateTupleDesc(3);
	TupleDescInitEntry(state->sort_desc, 1, "list", INT4OID, -1, 0);
	TupleDescInitEntry(state->sort_desc, 2, "tid", TIDOID, -1, 0);
	TupleDescInitEntry(state->sort_desc, 3, "vector", BYTEAOID, -1, 0);
	state->sort = tuplesort_begin_heap(state->sort_desc, 1, columns, operators, collations,
									   nulls_first, sort_memory, coordinate, TUPLESORT_NONE);
	state->slot = MakeSingleTupleTableSlot(state->sort_desc, &TTSOpsVirtual);
}

/* Write the sorted rows, list after list */
static void
load_lists(IvfflatBuildState *state)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(state->sort_desc, &TTSOpsMinimalTuple);
	Size		entry_size = IVFFLAT_ENTRY_TUPLE_SIZE(state->vector_bytes);
	IvfflatEntryTuple entry = palloc0(entry_size);
	ListWriter	writer;
	uint32		list = 0;
	int64		loaded = 0;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64) state->index_tuples);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, 0);

	tuplesort_performsort(state->sort);

	writer_init(&writer, state, MAIN_FORKNUM);
	writer_start_list(&writer, 0);
	while (tuplesort_gettupleslot(state->sort, true, false, slot, NULL))
	{
		bool		isnull;
		uint32		row_list = (uint32) DatumGetInt32(slot_getattr(slot, 1, &isnull));
		ItemPointer tid = (ItemPointer) DatumGetPointer(slot_getattr(slot, 2, &isnull));
		struct varlena *vector = (struct varlena *) DatumGetPointer(slot_getattr(slot, 3, &isnull));

		while (list < row_list)
			writer_start_list(&writer, ++list);
		entry->heap_tid = *tid;
		entry->list = (uint16) row_list;
		memcpy(entry->vector, VARDATA_ANY(vector), state->vector_bytes);
		writer_add(&writer, entry, entry_size);

		loaded++;
		if ((loaded & 1023) == 0)
		{
			CHECK_FOR_INTERRUPTS();
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, loaded);
		}
	}
	while (list + 1 < state->lists)
		writer_start_list(&writer, ++list);
	writer_finish(&writer, state);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, loaded);

	tuplesort_end(state->sort);
	ExecDropSingleTupleTableSlot(slot);
	if (state->slot != NULL)
		ExecDropSingleTupleTableSlot(state->slot);
	pfree(entry);
}

/* ------------------------------------------------------------------------
 * Assigning rows in parallel
 *
 * PostgreSQL parallel workers and the leader each scan a share of the
 * table (table_beginscan_parallel) and assign their rows to lists into a
 * tuplesort of their own, coordinated by PostgreSQL's parallel sort; the
 * leader then merges the sorted runs and writes the lists as a serial
 * build does.  The centres are in the dynamic shared memory segment.
 * ------------------------------------------------------------------------ */

#define PARALLEL_KEY_SHARED			UINT64CONST(0xA1F5F1A700000001)
#define PARALLEL_KEY_TUPLESORT		UINT64CONST(0xA1F5F1A700000002)
#define PARALLEL_KEY_CENTERS		UINT64CONST(0xA1F5F1A700000003)

typedef struct ParallelAssignShared
{
	Oid			heap_relid;
	Oid			index_relid;
	bool		is_concurrent;
	int			sort_participants;	/* sort memory is divided among these */
	Size		centers_bytes;

	ConditionVariable participants_done_cv;
	slock_t		mutex;
	/* under mutex */
	int			participants_done;
	double		heap_tuples;
	double		index_tuples;

	pg_atomic_uint64 tuples_assigned;	/* for the leader's progress report */

	/* a ParallelTableScanDescData follows */
} ParallelAssignShared;

#define SHARED_SCAN(shared) \
	((ParallelTableScanDesc) ((char *) (shared) + BUFFERALIGN(sizeof(ParallelAssignShared))))

struct ParallelAssign
{
	ParallelContext *context;
	ParallelAssignShared *shared;
	Sharedsort *sharedsort;
	Snapshot	snapshot;
};

/*
 * One participant's share: scan, assign, sort.  Its tuplesort's runs stay
 * in the shared file set for the leader to merge.
 */
static void
assign_share(Relation heap, Relation index, IndexInfo *index_info, ParallelAssignShared *shared,
			 Sharedsort *sharedsort, char *centers, bool leader)
{
	IvfflatBuildState *state = palloc0(sizeof(IvfflatBuildState));
	SortCoordinate coordinate = palloc0(sizeof(SortCoordinateData));
	TableScanDesc scan;

	init_state(state, heap, index);
	state->report_progress = leader;
	state->tuples_assigned = &shared->tuples_assigned;
	state->centers = centers;
	state->lists_view.dimensions = state->dimensions;
	state->lists_view.count = state->lists;
	state->lists_view.vector_bytes = state->vector_bytes;
	state->lists_view.centers = centers;

	coordinate->isWorker = true;
	coordinate->nParticipants = -1;
	coordinate->sharedsort = sharedsort;
	begin_sort(state, coordinate, Max(maintenance_work_mem / shared->sort_participants, 64));

	scan = table_beginscan_parallel(heap, SHARED_SCAN(shared));
	table_index_build_scan(heap, index, index_info, true, leader, assign_callback, state, scan);
	tuplesort_performsort(state->sort);

	SpinLockAcquire(&shared->mutex);
	shared->participants_done++;
	shared->heap_tuples += state->heap_tuples;
	shared->index_tuples += state->index_tuples;
	SpinLockRelease(&shared->mutex);
	ConditionVariableSignal(&shared->participants_done_cv);

	tuplesort_end(state->sort);
	ExecDropSingleTupleTableSlot(state->slot);
	MemoryContextDelete(state->row_context);
}

/* Entry point of the parallel workers */
PGDLLEXPORT void ivfflat_parallel_build_main(dsm_segment *segment, shm_toc *toc);

void
ivfflat_parallel_build_main(dsm_segment *segment, shm_toc *toc)
{
	ParallelAssignShared *shared = shm_toc_lookup(toc, PARALLEL_KEY_SHARED, false);
	Sharedsort *sharedsort = shm_toc_lookup(toc, PARALLEL_KEY_TUPLESORT, false);
	char	   *centers = shm_toc_lookup(toc, PARALLEL_KEY_CENTERS, false);
	LOCKMODE	heap_lockmode = shared->is_concurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE	index_lockmode = shared->is_concurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation	heap;
	Relation	index;
	IndexInfo  *index_info;

	heap = table_open(shared->heap_relid, heap_lockmode);
	index = index_open(shared->index_relid, index_lockmode);
	index_info = BuildIndexInfo(index);
	index_info->ii_Concurrent = shared->is_concurrent;
	tuplesort_attach_shared(sharedsort, segment);

	assign_share(heap, index, index_info, shared, sharedsort, centers, false);

	index_close(index, index_lockmode);
	table_close(heap, heap_lockmode);
}

/*
 * Launch the workers, take the leader's share, wait for all, and leave
 * state->sort ready to merge their runs.  NULL when no parallel context
 * could be set up (the caller then assigns serially).
 */
static ParallelAssign *
begin_parallel_assign(IvfflatBuildState *state, IndexInfo *index_info, int workers)
{
	ParallelAssign *parallel;
	ParallelContext *context;
	ParallelAssignShared *shared;
	Sharedsort *sharedsort;
	char	   *centers;
	Snapshot	snapshot;
	Size		shared_bytes;
	Size		sort_bytes;
	Size		centers_bytes = (Size) state->lists * state->vector_bytes;
	int			participants;
	SortCoordinate coordinate;

	EnterParallelMode();
	context = CreateParallelContext("vector", "ivfflat_parallel_build_main", workers);

	/* like CREATE INDEX's own heap scan: any tuple, or an MVCC snapshot if concurrent */
	snapshot = index_info->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;

	shared_bytes = add_size(BUFFERALIGN(sizeof(ParallelAssignShared)),
							table_parallelscan_estimate(state->heap, snapshot));
	sort_bytes = tuplesort_estimate_shared(workers + 1);
	shm_toc_estimate_chunk(&context->estimator, shared_bytes);
	shm_toc_estimate_chunk(&context->estimator, sort_bytes);
	shm_toc_estimate_chunk(&context->estimator, centers_bytes);
	shm_toc_estimate_keys(&context->estimator, 3);

	InitializeParallelDSM(context);
	if (context->seg == NULL)
	{
		if (IsMVCCSnapshot(snapshot))
			UnregisterSnapshot(snapshot);
		DestroyParallelContext(context);
		ExitParallelMode();
		return NULL;
	}

	shared = shm_toc_allocate(context->toc, shared_bytes);
	shared->heap_relid = RelationGetRelid(state->heap);
	shared->index_relid = RelationGetRelid(state->index);
	shared->is_concurrent = index_info->ii_Concurrent;
	shared->sort_participants = workers + 1;
	shared->centers_bytes = centers_bytes;
	ConditionVariableInit(&shared->participants_done_cv);
	SpinLockInit(&shared->mutex);
	shared->participants_done = 0;
	shared->heap_tuples = 0;
	shared->index_tuples = 0;
	pg_atomic_init_u64(&shared->tuples_assigned, 0);
	table_parallelscan_initialize(state->heap, SHARED_SCAN(shared), snapshot);

	sharedsort = shm_toc_allocate(context->toc, sort_bytes);
	tuplesort_initialize_shared(sharedsort, workers + 1, context->seg);

	centers = shm_toc_allocate(context->toc, centers_bytes);
	memcpy(centers, state->centers, centers_bytes);

	shm_toc_insert(context->toc, PARALLEL_KEY_SHARED, shared);
	shm_toc_insert(context->toc, PARALLEL_KEY_TUPLESORT, sharedsort);
	shm_toc_insert(context->toc, PARALLEL_KEY_CENTERS, centers);

	LaunchParallelWorkers(context);
	participants = context->nworkers_launched + 1;

	/* the leader's own share */
	assign_share(state->heap, state->index, index_info, shared, sharedsort, centers, true);
	/* a worker that failed to start would be waited for forever otherwise */
	WaitForParallelWorkersToAttach(context);

	for (;;)
	{
		int			done;

		SpinLockAcquire(&shared->mutex);
		done = shared->participants_done;
		SpinLockRelease(&shared->mutex);
		if (done >= participants)
			break;
		ConditionVariableSleep(&shared->participants_done_cv, WAIT_EVENT_PARALLEL_CREATE_INDEX_SCAN);
	}
	ConditionVariableCancelSleep();

	state->heap_tuples = shared->heap_tuples;
	state->index_tuples = shared->index_tuples;
	elog(DEBUG2, "ivfflat build: %d parallel workers assigned rows with the leader", participants - 1);

	/* the leader's tuplesort merges everyone's runs */
	coordinate = palloc0(sizeof(SortCoordinateData));
	coordinate->isWorker = false;
	coordinate->nParticipants = participants;
	coordinate->sharedsort = sharedsort;
	begin_sort(state, coordinate, maintenance_work_mem);
	ExecDropSingleTupleTableSlot(state->slot);
	state->slot = NULL;

	parallel = palloc(sizeof(ParallelAssign));
	parallel->context = context;
	parallel->shared = shared;
	parallel->sharedsort = sharedsort;
	parallel->snapshot = snapshot;
	return parallel;
}

static void
end_parallel_assign(ParallelAssign *parallel)
{
	WaitForParallelWorkersToFinish(parallel->context);
	if (IsMVCCSnapshot(parallel->snapshot))
		UnregisterSnapshot(parallel->snapshot);
	DestroyParallelContext(parallel->context);
	ExitParallelMode();
}

static void
init_state(IvfflatBuildState *state, Relation heap, Relation index)
{
	state->heap = heap;
	state->index = index;
	ivfflat_get_type_info(index, &state->info);
	state->dimensions = index_column_dimensions(index, state->info.kind, "ivfflat");
	if (state->info.spherical && state->dimensions < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ivfflat needs at least 2 dimensions for this operator class"),
				 errdetail("Its lists are built by spherical k-means, which cannot divide 1-dimensional vectors.")));
	state->vector_bytes = ivfflat_vector_bytes(state->info.kind, state->dimensions);
	state->lists = (uint32) state->info.lists;
	if (state->info.kind == VC_ELEMENT_F16)
		state->widened = palloc(sizeof(float) * state->dimensions);
	state->row_context = AllocSetContextCreate(CurrentMemoryContext, "ivfflat build row",
											   ALLOCSET_DEFAULT_SIZES);
	state->report_progress = true;
}

IndexBuildResult *
ivfflat_build(Relation heap, Relation index, IndexInfo *index_info)
{
	/* palloc'd: the callback that frees k-means may run after we return */
	IvfflatBuildState *state = palloc0(sizeof(IvfflatBuildState));
	IndexBuildResult *result;
	ParallelAssign *parallel = NULL;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	init_state(state, heap, index);
	state->threads = index_build_threads(heap, index, index_info);
	compute_centers(state, index_info);

	if (state->rows != NULL)
	{
		/* written past shared buffers, and WAL-logged, as it goes */
		ivfflat_rows_write(state);
	}
	else
	{
		write_meta_and_directory(state, MAIN_FORKNUM);
		elog(DEBUG1, "ivfflat build: the rows do not fit in maintenance_work_mem, they go to their lists through a sort");
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_ASSIGN);
		/* the sampling scan counted the rows (reltuples is -1 before any ANALYZE) */
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
									 (int64) Max(state->rows_scanned, heap->rd_rel->reltuples));
		if (state->threads > 1)
			parallel = begin_parallel_assign(state, index_info, state->threads - 1);
		if (parallel == NULL)
		{
			begin_sort(state, NULL, maintenance_work_mem);
			table_index_build_scan(heap, index, index_info, true, true, assign_callback, state, NULL);
		}
		load_lists(state);
		if (parallel != NULL)
			end_parallel_assign(parallel);

		/* one WAL record per page, instead of one per change */
		if (RelationNeedsWAL(index))
			log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);
	}

	MemoryContextDelete(state->row_context);
	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = state->heap_tuples;
	result->index_tuples = state->index_tuples;
	return result;
}

/*
 * The init fork of an unlogged index: what a build over an empty table
 * writes (pseudo-random centres, no entries), WAL-logged so
 * that recovery can reset the index to it.
 */
void
ivfflat_build_empty(Relation index)
{
	IvfflatBuildState *state = palloc0(sizeof(IvfflatBuildState));
	bool		bits;
	char	   *work_centers;
	ListWriter	writer;

	init_state(state, NULL, index);
	bits = state->info.kind == VC_ELEMENT_BITS;
	work_centers = palloc_extended(work_centers_bytes(state), MCXT_ALLOC_HUGE);
	random_centers(state, bits ? NULL : (float *) work_centers, bits ? (uint8 *) work_centers : NULL);
	set_centers(state, work_centers);

	write_meta_and_directory(state, INIT_FORKNUM);
	writer_init(&writer, state, INIT_FORKNUM);
	for (uint32 list = 0; list < state->lists; list++)
		writer_start_list(&writer, list);
	writer_finish(&writer, state);

	log_newpage_range(index, INIT_FORKNUM, 0, smgrnblocks(RelationGetSmgr(index), INIT_FORKNUM), true);
	MemoryContextDelete(state->row_context);
}
