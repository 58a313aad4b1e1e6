/*
 * vacuum.c
 *	  VACUUM of an hnsw index, in three passes over the element pages.
 *
 * 1. Take the dead rows' heap TIDs out of the elements that hold them, so
 *	  that no scan can return a row whose TID the heap hands to a new row.
 *	  An element left without heap TIDs becomes deleted: searches still pass
 *	  through it, but never return it and inserts never link to it.
 * 2. Repair: every live element whose list names a deleted element gets a
 *	  new list, chosen by the core (vc_hnsw_repair_neighbours) from the
 *	  list's survivors and the deleted members' own neighbours (the detours
 *	  around them) and what a search for the element finds; the new
 *	  members link back, as to a new element.
 *	  Before this pass the entry point moves off a deleted element.
 * 3. Free: the deleted elements' lists are emptied and they become free;
 *	  their pages go to the free space map, where inserts find them.
 *
 * Between 1 and 2, vacuum waits for the inserts in progress (a moment's
 * exclusive HNSW_UPDATE_LOCK): they may have chosen a neighbour before it
 * was deleted; the ones that start later cannot.  So after pass 2 no list
 * names a deleted element, and freeing them in pass 3 leaves no dangling
 * link.  Pass 2 holds the lock in share mode one element at a time, so
 * scans and inserts go on meanwhile; a list an insert changed between
 * vacuum's read and write keeps the insert's new links.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "common/hashfn.h"
#include "lib/qunique.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "index_common.h"

/* The deleted elements, by id (a set of uint64) */
typedef struct DeletedEntry
{
	uint64		id;
	char		status;
} DeletedEntry;

#define SH_PREFIX		deleted_set
#define SH_ELEMENT_TYPE DeletedEntry
#define SH_KEY_TYPE		uint64
#define SH_KEY			id
#define SH_HASH_KEY(tb, key) hash_bytes((const unsigned char *) &(key), sizeof(uint64))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE		static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

typedef struct HnswVacuum
{
	Relation	index;
	BufferAccessStrategy strategy;
	HnswTypeInfo info;
	uint32		dimensions;
	deleted_set_hash *deleted;
	/* the live element of highest level seen in pass 1: the next entry point */
	ItemPointerData highest;
	int			highest_level;
	MemoryContext work_context; /* reset after each element's repair */
} HnswVacuum;

static bool
is_deleted(HnswVacuum *vacuum, uint64 id)
{
	return deleted_set_lookup(vacuum->deleted, id) != NULL;
}

/*
 * Visit every element of every element page under an exclusive lock, with
 * change() deciding what happens to each; a page change() changed is
 * WAL-logged (and, with record_free, given to the free space map).
 */
typedef bool (*ElementChange) (HnswVacuum *vacuum, Page page, ItemPointer tid,
							   HnswElementTuple element, void *arg);

static void
change_elements(HnswVacuum *vacuum, ElementChange change, void *arg, bool record_free)
{
	Relation	index = vacuum->index;
	BlockNumber blocks = RelationGetNumberOfBlocks(index);

	for (BlockNumber block = HNSW_METAPAGE_BLKNO + 1; block < blocks; block++)
	{
		Buffer		buffer;
		Page		page;
		GenericXLogState *state;
		bool		changed = false;
		OffsetNumber max_offset;

		vacuum_delay_point();
		buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, vacuum->strategy);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buffer, 0);
		max_offset = PageGetMaxOffsetNumber(page);

		for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
		{
			HnswElementTuple element = hnsw_page_element(page, offset);
			ItemPointerData tid;

			if (element == NULL || element->deleted == HNSW_ELEMENT_FREE)
				continue;
			ItemPointerSet(&tid, block, offset);
			if (change(vacuum, page, &tid, element, arg))
				changed = true;
		}

		if (changed)
			GenericXLogFinish(state);
		else
			GenericXLogAbort(state);
		UnlockReleaseBuffer(buffer);
		if (changed && record_free)
			RecordFreeIndexPage(index, block);
	}
}

typedef struct HeapTidRemoval
{
	IndexBulkDeleteResult *stats;
	IndexBulkDeleteCallback callback;
	void	   *callback_state;
} HeapTidRemoval;

/* Pass 1: heap TIDs out, emptied elements deleted; remember the deleted */
static bool
remove_heap_tids(HnswVacuum *vacuum, Page page, ItemPointer tid, HnswElementTuple element,
				 void *arg)
{
	HeapTidRemoval *removal = (HeapTidRemoval *) arg;
	bool		changed = false;
	bool		found;

	if (element->deleted == HNSW_ELEMENT_LIVE)
	{
		int			kept = 0;

		for (int i = 0; i < element->heaptid_count; i++)
		{
			if (removal->callback(&element->heaptids[i], removal->callback_state))
			{
				removal->stats->tuples_removed++;
				changed = true;
			}
			else
				element->heaptids[kept++] = element->heaptids[i];
		}
		for (int i = kept; i < element->heaptid_count; i++)
			ItemPointerSetInvalid(&element->heaptids[i]);
		element->heaptid_count = (uint8) kept;
		if (kept == 0)
			element->deleted = HNSW_ELEMENT_DELETED;
		removal->stats->num_index_tuples += kept;
	}

	/* deleted now, or by a vacuum that did not get to the end */
	if (element->deleted == HNSW_ELEMENT_DELETED)
		deleted_set_insert(vacuum->deleted, hnsw_tid_to_id(tid), &found);
	else if (element->level > vacuum->highest_level)
	{
		vacuum->highest = *tid;
		vacuum->highest_level = element->level;
	}
	return changed;
}

/*
 * Let the inserts that started before pass 1 finish: they may link to an
 * element that was deleted after they chose it.
 */
static void
wait_for_inserts(Relation index)
{
	LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
	UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
}

/*
 * Move the entry point off a deleted element, to the live element of
 * highest level pass 1 saw (or nowhere, if none is left).  Under the
 * exclusive lock, and only if the entry point is still a deleted one: an
 * insert may have raised a new one since pass 1 read the metapage.
 */
static void
replace_entry_point(HnswVacuum *vacuum)
{
	Relation	index = vacuum->index;
	HnswMetaPageData meta;
	ItemPointerData none;

	hnsw_read_meta(index, &meta);
	if (!ItemPointerIsValid(&meta.entry_point) ||
		!is_deleted(vacuum, hnsw_tid_to_id(&meta.entry_point)))
		return;

	LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
	hnsw_read_meta(index, &meta);
	if (ItemPointerIsValid(&meta.entry_point) &&
		is_deleted(vacuum, hnsw_tid_to_id(&meta.entry_point)))
	{
		if (vacuum->highest_level >= 0)
			hnsw_update_meta(index, &vacuum->highest, vacuum->highest_level,
							 InvalidBlockNumber, false);
		else
		{
			ItemPointerSetInvalid(&none);
			hnsw_update_meta(index, &none, -1, InvalidBlockNumber, false);
		}
	}
	UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
}

/*
 * Write list (count ids) into layer of the neighbour tuple at neighbor_tid,
 * if that layer still holds what was read (read_ids, read_count); if an
 * insert changed it meanwhile, keep the insert's additions after ours while
 * there is room.  Returns false if the tuple is gone.
 */
static bool
write_repaired_list(HnswVacuum *vacuum, ItemPointer neighbor_tid, int layer,
					const uint64 *read_ids, size_t read_count, const uint64 *list, size_t count)
{
	int			m = vacuum->info.m;
	int			capacity = hnsw_layer_capacity(m, layer);
	int			first = hnsw_layer_first_slot(m, layer);
	Buffer		buffer = ReadBufferExtended(vacuum->index, MAIN_FORKNUM,
											ItemPointerGetBlockNumber(neighbor_tid), RBM_NORMAL,
											vacuum->strategy);
	GenericXLogState *state;
	HnswNeighborTuple neighbors;
	ItemPointerData slots[2 * HNSW_MAX_M];
	int			used = 0;

	for (size_t i = 0; i < count && used < capacity; i++)
		hnsw_id_to_tid(list[i], &slots[used++]);

	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(vacuum->index);
	neighbors = hnsw_page_neighbors(GenericXLogRegisterBuffer(state, buffer, 0),
									ItemPointerGetOffsetNumber(neighbor_tid));
	if (neighbors == NULL || first + capacity > neighbors->count)
	{
		GenericXLogAbort(state);
		UnlockReleaseBuffer(buffer);
		return false;
	}

	/* links added since the read (by an insert's link back) stay */
	for (int i = 0; i < capacity && ItemPointerIsValid(&neighbors->neighbors[first + i]); i++)
	{
		uint64		id = hnsw_tid_to_id(&neighbors->neighbors[first + i]);
		bool		known = is_deleted(vacuum, id);

		for (size_t j = 0; !known && j < read_count; j++)
			known = read_ids[j] == id;
		for (int j = 0; !known && j < used; j++)
			known = hnsw_tid_to_id(&slots[j]) == id;
		if (!known && used < capacity)
			slots[used++] = neighbors->neighbors[first + i];
	}

	for (int i = 0; i < capacity; i++)
	{
		if (i < used)
			neighbors->neighbors[first + i] = slots[i];
		else
			ItemPointerSetInvalid(&neighbors->neighbors[first + i]);
	}
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buffer);
	return true;
}

static int
compare_ids(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * Repair the lists of element id (live, of level level, its vector copied
 * in vector) that name deleted elements.
 */
static void
repair_element(HnswVacuum *vacuum, HnswSearchContext *context, uint64 id, int level,
			   ItemPointer neighbor_tid, const void *vector)
{
	int			m = vacuum->info.m;
	uint64		read_ids[2 * HNSW_MAX_M];
	uint64		second[2 * HNSW_MAX_M];
	uint64		selected[2 * HNSW_MAX_M];
	size_t		ef = (size_t) vacuum->info.ef_construction;
	float	   *found_distances = palloc(sizeof(float) * ef);
	HnswMetaPageData meta;
	bool		have_meta = false;

	for (int layer = 0; layer <= level; layer++)
	{
		size_t		read_count = hnsw_read_neighbors(context->reader, id, layer, m, read_ids);
		size_t		capacity = (size_t) hnsw_layer_capacity(m, layer);
		uint64	   *candidates;
		const void **vectors;
		size_t		count = 0;
		size_t		selected_count;
		bool		lost = false;

		for (size_t i = 0; i < read_count && !lost; i++)
			lost = is_deleted(vacuum, read_ids[i]);
		if (!lost)
			continue;

		/* the survivors, and the neighbours of the deleted ones */
		candidates = palloc(sizeof(uint64) * (read_count * (1 + capacity) + ef));
		for (size_t i = 0; i < read_count; i++)
		{
			if (!is_deleted(vacuum, read_ids[i]))
			{
				candidates[count++] = read_ids[i];
				continue;
			}
			{
				size_t		n = hnsw_read_neighbors(context->reader, read_ids[i], layer, m, second);

				for (size_t j = 0; j < n; j++)
				{
					if (!is_deleted(vacuum, second[j]))
						candidates[count++] = second[j];
				}
			}
		}

		/*
		 * And what a search for the element finds, as for an insert: the
		 * local detours alone left recall@10 at ef_search 10 three points
		 * below a fresh build's on the bench's 100,000 rows (within one
		 * point with the search), at a third of the VACUUM time.
		 */
		if (!have_meta)
		{
			hnsw_read_meta(vacuum->index, &meta);
			have_meta = true;
		}
		count += hnsw_find_nearest(context, vector, &meta, layer, 1, ef, candidates + count,
								   found_distances, NULL);

		/* the three sources overlap: read each element's page once */
		qsort(candidates, count, sizeof(uint64), compare_ids);
		count = qunique(candidates, count, sizeof(uint64), compare_ids);

		vectors = palloc(sizeof(void *) * Max(count, 1));
		hnsw_load_vector_copies(context, candidates, count, vectors);
		hnsw_check_core(vc_hnsw_repair_neighbours(vacuum->info.kind, vacuum->info.metric,
												  vacuum->dimensions, vector, id, candidates,
												  vectors, count, capacity, selected,
												  &selected_count),
						"repairing neighbours");

		/*
		 * The surviving members stay: the heuristic would drop some in
		 * favour of the new candidates, and a survivor may have no other
		 * way in.  The slots the deleted members leave go to the core's
		 * choices, nearest first.
		 */
		{
			uint64		merged[2 * HNSW_MAX_M];
			size_t		merged_count = 0;

			for (size_t i = 0; i < read_count; i++)
			{
				if (!is_deleted(vacuum, read_ids[i]))
					merged[merged_count++] = read_ids[i];
			}
			for (size_t i = 0; i < selected_count && merged_count < capacity; i++)
			{
				bool		survivor = false;

				for (size_t j = 0; !survivor && j < read_count; j++)
					survivor = read_ids[j] == selected[i];
				if (!survivor)
					merged[merged_count++] = selected[i];
			}
			memcpy(selected, merged, sizeof(uint64) * merged_count);
			selected_count = merged_count;
		}
		if (!write_repaired_list(vacuum, neighbor_tid, layer, read_ids, read_count, selected,
								 selected_count))
			return;

		/* the new members link back, as they would to a new element */
		for (size_t i = 0; i < selected_count; i++)
		{
			bool		was_there = false;

			for (size_t j = 0; !was_there && j < read_count; j++)
				was_there = read_ids[j] == selected[i];
			if (!was_there)
				hnsw_link_back(vacuum->index, context, selected[i], layer, id, vector, false);
		}
	}
}

/* Pass 2: a new list for every live element that names a deleted one */
static void
repair_graph(HnswVacuum *vacuum)
{
	Relation	index = vacuum->index;
	HnswSearchContext *context = hnsw_search_context_create(index, &vacuum->info,
															vacuum->dimensions, false);
	BlockNumber blocks = RelationGetNumberOfBlocks(index);
	MemoryContext old = CurrentMemoryContext;

	for (BlockNumber block = HNSW_METAPAGE_BLKNO + 1; block < blocks; block++)
	{
		Buffer		buffer;
		Page		page;
		OffsetNumber max_offset;

		vacuum_delay_point();
		buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, vacuum->strategy);
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buffer);
		max_offset = PageGetMaxOffsetNumber(page);
		UnlockReleaseBuffer(buffer);

		for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
		{
			HnswElementTuple element;
			ItemPointerData tid;
			ItemPointerData neighbor_tid;
			int			level = 0;
			void	   *vector = NULL;

			MemoryContextSwitchTo(vacuum->work_context);
			buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, vacuum->strategy);
			LockBuffer(buffer, BUFFER_LOCK_SHARE);
			element = hnsw_page_element(BufferGetPage(buffer), offset);
			if (element != NULL && element->deleted == HNSW_ELEMENT_LIVE)
			{
				const struct varlena *value = (const struct varlena *) element->value;
				size_t		bytes = hnsw_value_vector_bytes(&vacuum->info, value);

				vector = palloc(bytes);
				memcpy(vector, hnsw_value_vector(&vacuum->info, value), bytes);
				level = element->level;
				neighbor_tid = element->neighbor_tid;
			}
			UnlockReleaseBuffer(buffer);

			if (vector != NULL)
			{
				ItemPointerSet(&tid, block, offset);
				LockPage(index, HNSW_UPDATE_LOCK, ShareLock);
				repair_element(vacuum, context, hnsw_tid_to_id(&tid), level, &neighbor_tid, vector);
				UnlockPage(index, HNSW_UPDATE_LOCK, ShareLock);
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(vacuum->work_context);
		}
	}
	hnsw_search_context_free(context);
}

/* Pass 3: deleted elements become free space */
static bool
free_deleted(HnswVacuum *vacuum, Page page, ItemPointer tid, HnswElementTuple element,
			 void *arg)
{
	HnswNeighborTuple neighbors;

	if (element->deleted != HNSW_ELEMENT_DELETED || !is_deleted(vacuum, hnsw_tid_to_id(tid)))
		return false;
	element->deleted = HNSW_ELEMENT_FREE;

	/* its own links go too: a scan holding its TID finds a dead end */
	if (ItemPointerGetBlockNumber(&element->neighbor_tid) == ItemPointerGetBlockNumber(tid))
	{
		neighbors = hnsw_page_neighbors(page, ItemPointerGetOffsetNumber(&element->neighbor_tid));
		if (neighbors != NULL)
		{
			for (int i = 0; i < neighbors->count; i++)
				ItemPointerSetInvalid(&neighbors->neighbors[i]);
		}
	}
	return true;
}

IndexBulkDeleteResult *
hnsw_bulk_delete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
				 IndexBulkDeleteCallback callback, void *callback_state)
{
	HnswVacuum	vacuum;
	HeapTidRemoval removal;
	HnswMetaPageData meta;
	MemoryContext vacuum_context = AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum",
														 ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(vacuum_context);

	if (stats == NULL)
		stats = MemoryContextAllocZero(old, sizeof(IndexBulkDeleteResult));

	vacuum.index = info->index;
	vacuum.strategy = info->strategy;
	hnsw_get_type_info(info->index, &vacuum.info);
	hnsw_read_meta(info->index, &meta);
	vacuum.dimensions = meta.dimensions;
	vacuum.deleted = deleted_set_create(vacuum_context, 256, NULL);
	ItemPointerSetInvalid(&vacuum.highest);
	vacuum.highest_level = -1;
	vacuum.work_context = AllocSetContextCreate(vacuum_context, "hnsw vacuum element",
												ALLOCSET_DEFAULT_SIZES);

	removal.stats = stats;
	removal.callback = callback;
	removal.callback_state = callback_state;
	change_elements(&vacuum, remove_heap_tids, &removal, false);
	if (vacuum.deleted->members > 0)
	{
		wait_for_inserts(info->index);
		replace_entry_point(&vacuum);
		repair_graph(&vacuum);
		change_elements(&vacuum, free_deleted, NULL, true);
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(vacuum_context);
	return stats;
}

/* Heap TIDs of the live elements of a page */
static double
count_page_heaptids(Page page)
{
	OffsetNumber max_offset = PageGetMaxOffsetNumber(page);
	double		tuples = 0;

	for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
	{
		HnswElementTuple element = hnsw_page_element(page, offset);

		if (element != NULL && element->deleted == HNSW_ELEMENT_LIVE)
			tuples += element->heaptid_count;
	}
	return tuples;
}

IndexBulkDeleteResult *
hnsw_vacuum_cleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;

	/* VACUUM without dead rows: count what is there */
	if (stats == NULL)
	{
		stats = palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = index_count_tuples(info, HNSW_METAPAGE_BLKNO + 1,
													 count_page_heaptids);
	}
	IndexFreeSpaceMapVacuum(info->index);
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
