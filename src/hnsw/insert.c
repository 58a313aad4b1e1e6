/*
 * insert.c
 *	  Adding one row to an hnsw index on disk (aminsert, and builds that
 *	  outgrow maintenance_work_mem).
 *
 * The new element's neighbours are found by searching the graph as it is
 * (ef_construction on each of its layers), chosen with the core's
 * neighbour-selection heuristic, written with the element, and then every
 * neighbour gets a link back, re-selecting its list when it is full.
 * Concurrent inserts hold HNSW_UPDATE_LOCK in share mode; the one that
 * raises the entry point holds it exclusively.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "index_common.h"

/*
 * One change to the page that receives new tuples, as one WAL record: the
 * insert page if it has room, else a new page, which the metapage then
 * names as the insert page in the same record (logged apart, a recovery
 * that stopped between the two would leave the metapage pointing past the
 * end of the index).
 */
typedef struct PageChange
{
	GenericXLogState *state;
	Buffer		buffer;
	Buffer		meta_buffer;	/* InvalidBuffer unless the page is new */
	Page		page;
} PageChange;

static void
start_page_change(Relation index, Size needed, PageChange *change)
{
	HnswMetaPageData meta;

	change->meta_buffer = InvalidBuffer;
	hnsw_read_meta(index, &meta);
	if (BlockNumberIsValid(meta.insert_block))
	{
		change->buffer = ReadBuffer(index, meta.insert_block);
		LockBuffer(change->buffer, BUFFER_LOCK_EXCLUSIVE);
		/* PageGetFreeSpace already leaves room for one line pointer */
		if (PageGetFreeSpace(BufferGetPage(change->buffer)) + sizeof(ItemIdData) >= needed)
		{
			change->state = GenericXLogStart(index);
			change->page = GenericXLogRegisterBuffer(change->state, change->buffer, 0);
			return;
		}
		UnlockReleaseBuffer(change->buffer);
	}

	/* lock order: the new page, then the metapage (nobody waits the other way) */
	change->buffer = index_new_buffer(index, MAIN_FORKNUM);
	change->meta_buffer = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(change->meta_buffer, BUFFER_LOCK_EXCLUSIVE);
	change->state = GenericXLogStart(index);
	change->page = GenericXLogRegisterBuffer(change->state, change->buffer, GENERIC_XLOG_FULL_IMAGE);
	hnsw_init_page(change->page, HNSW_PAGE_ELEMENTS);
	HnswPageGetMeta(GenericXLogRegisterBuffer(change->state, change->meta_buffer, 0))->insert_block =
		BufferGetBlockNumber(change->buffer);
}

static void
finish_page_change(PageChange *change)
{
	GenericXLogFinish(change->state);
	if (BufferIsValid(change->meta_buffer))
		UnlockReleaseBuffer(change->meta_buffer);
	UnlockReleaseBuffer(change->buffer);
}

static OffsetNumber
add_item(Relation index, Page page, const void *tuple, Size size)
{
	OffsetNumber offset = PageAddItem(page, (Item) tuple, size, InvalidOffsetNumber, false, false);

	if (offset == InvalidOffsetNumber)
		elog(ERROR, "failed to add an item to hnsw index \"%s\"", RelationGetRelationName(index));
	return offset;
}

/*
 * Put the element into the space of one VACUUM freed, if the free space map
 * names a page with a free element whose two items (on that page) can be
 * overwritten by the new ones; true if it did, with *element_tid set.  One
 * page is tried per insert, so a page whose slots are too small for this
 * value (sparsevec sizes vary) costs one read, not a walk of the index.
 */
static bool
reuse_free_slot(Relation index, HnswElementTuple element, Size element_size,
				HnswNeighborTuple neighbors, Size neighbors_size, ItemPointer element_tid)
{
	BlockNumber block = GetFreeIndexPage(index);
	Buffer		buffer;
	Page		page;
	OffsetNumber max_offset;
	OffsetNumber element_offset = InvalidOffsetNumber;
	OffsetNumber neighbors_offset = InvalidOffsetNumber;
	int			free_slots = 0;

	if (block == InvalidBlockNumber || block == HNSW_METAPAGE_BLKNO ||
		block >= RelationGetNumberOfBlocks(index))
		return false;

	buffer = ReadBuffer(index, block);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buffer);
	max_offset = PageIsNew(page) ? InvalidOffsetNumber : PageGetMaxOffsetNumber(page);

	for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
	{
		HnswElementTuple candidate = hnsw_page_element(page, offset);
		Size		old_element_size;
		Size		old_neighbors_size;
		Size		growth;

		if (candidate == NULL || candidate->deleted != HNSW_ELEMENT_FREE)
			continue;
		free_slots++;
		if (element_offset != InvalidOffsetNumber ||
			ItemPointerGetBlockNumber(&candidate->neighbor_tid) != block ||
			hnsw_page_neighbors(page, ItemPointerGetOffsetNumber(&candidate->neighbor_tid)) == NULL)
			continue;

		old_element_size = ItemIdGetLength(PageGetItemId(page, offset));
		old_neighbors_size = ItemIdGetLength(PageGetItemId(page, ItemPointerGetOffsetNumber(&candidate->neighbor_tid)));
		growth = Max(MAXALIGN(element_size), MAXALIGN(old_element_size)) - MAXALIGN(old_element_size) +
			Max(MAXALIGN(neighbors_size), MAXALIGN(old_neighbors_size)) - MAXALIGN(old_neighbors_size);
		if (growth > PageGetExactFreeSpace(page))
			continue;
		element_offset = offset;
		neighbors_offset = ItemPointerGetOffsetNumber(&candidate->neighbor_tid);
	}

	if (element_offset != InvalidOffsetNumber)
	{
		GenericXLogState *state = GenericXLogStart(index);
		Page		image = GenericXLogRegisterBuffer(state, buffer, 0);

		ItemPointerSet(&element->neighbor_tid, block, neighbors_offset);
		if (!PageIndexTupleOverwrite(image, neighbors_offset, (Item) neighbors, neighbors_size) ||
			!PageIndexTupleOverwrite(image, element_offset, (Item) element, element_size))
			elog(ERROR, "failed to reuse space in hnsw index \"%s\"", RelationGetRelationName(index));
		GenericXLogFinish(state);
		ItemPointerSet(element_tid, block, element_offset);
		free_slots--;
	}
	UnlockReleaseBuffer(buffer);

	/* the page stays in the map while it has free elements left */
	if (free_slots > 0)
		RecordFreeIndexPage(index, block);
	return element_offset != InvalidOffsetNumber;
}

/*
 * Write an element and its neighbour tuple, on one page when they fit on
 * one (they nearly always do), and return the element's TID.
 */
static void
write_element(Relation index, HnswElementTuple element, Size element_size,
			  HnswNeighborTuple neighbors, Size neighbors_size, ItemPointer element_tid)
{
	Size		element_space = hnsw_item_space(element_size);
	Size		neighbors_space = hnsw_item_space(neighbors_size);
	bool		together = element_space + neighbors_space <= hnsw_empty_page_space();
	PageChange	change;
	OffsetNumber offset;

	if (together &&
		reuse_free_slot(index, element, element_size, neighbors, neighbors_size, element_tid))
		return;

	start_page_change(index, together ? element_space + neighbors_space : neighbors_space,
					  &change);
	offset = add_item(index, change.page, neighbors, neighbors_size);
	ItemPointerSet(&element->neighbor_tid, BufferGetBlockNumber(change.buffer), offset);

	if (!together)
	{
		finish_page_change(&change);
		start_page_change(index, element_space, &change);
	}
	offset = add_item(index, change.page, element, element_size);
	ItemPointerSet(element_tid, BufferGetBlockNumber(change.buffer), offset);
	finish_page_change(&change);
}

/*
 * Add heap_tid to an element identical to the new value, if the nearest
 * elements found (distance 0) include one with room.  pgvector keeps
 * duplicates together like this: a thousand identical vectors as separate
 * elements would all be each other's only neighbours.
 */
static bool
add_to_duplicate(Relation index, HnswSearchContext *context, const struct varlena *value,
				 const uint64 *ids, const float *distances, size_t count, ItemPointer heap_tid)
{
	for (size_t i = 0; i < count && distances[i] == 0; i++)
	{
		Buffer		buffer = index_read_page(context->reader, (BlockNumber) (ids[i] >> 16));
		HnswElementTuple element;
		GenericXLogState *state;
		Page		page;

		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buffer, 0);
		element = hnsw_page_element(page, (OffsetNumber) (ids[i] & 0xFFFF));
		if (element != NULL && element->deleted == HNSW_ELEMENT_LIVE &&
			element->heaptid_count < VC_HNSW_MAX_PAYLOADS &&
			VARSIZE(element->value) == VARSIZE(value) &&
			memcmp(element->value, value, VARSIZE(value)) == 0)
		{
			element->heaptids[element->heaptid_count++] = *heap_tid;
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buffer);
			return true;
		}
		GenericXLogAbort(state);
		UnlockReleaseBuffer(buffer);
	}
	return false;
}

/*
 * Give neighbour neighbor_id a link to the new element on layer: into a free
 * slot, or, when its list is full, by re-selecting the list with the new
 * element among the candidates (it may not make it; with force, it then
 * takes the place of the farthest one kept).  A list changed by someone
 * else between reading and writing it is left as they made it.  Returns
 * whether the list links to the new element now.
 */
bool
hnsw_link_back(Relation index, HnswSearchContext *context, uint64 neighbor_id, int layer,
			   uint64 new_id, const void *new_vector, bool force)
{
	const HnswTypeInfo *info = context->info;
	int			m = info->m;
	int			capacity = hnsw_layer_capacity(m, layer);
	int			first = hnsw_layer_first_slot(m, layer);
	uint64		current[2 * HNSW_MAX_M];
	size_t		count;
	ItemPointerData replacement[2 * HNSW_MAX_M];
	int			replacement_count = -1; /* -1: append into a free slot */
	ItemPointerData neighbor_tid;
	ItemPointerData new_tid;
	Buffer		buffer;
	GenericXLogState *state;
	Page		page;
	HnswElementTuple element;
	HnswNeighborTuple neighbors;

	count = hnsw_read_neighbors(context->reader, neighbor_id, layer, m, current);
	for (size_t i = 0; i < count; i++)
	{
		if (current[i] == new_id)
			return true;
	}

	if ((int) count >= capacity)
	{
		/* full: the heuristic decides over the old list and the new element */
		uint64		candidates[2 * HNSW_MAX_M + 1];
		const void *vectors[2 * HNSW_MAX_M + 1];
		const void *neighbor_vector;
		float		distances[2 * HNSW_MAX_M + 1];
		uint32		order[2 * HNSW_MAX_M + 1];
		const void *sorted_vectors[2 * HNSW_MAX_M + 1];
		float		sorted_distances[2 * HNSW_MAX_M + 1];
		uint32		selected[2 * HNSW_MAX_M + 1];
		size_t		selected_count;
		size_t		usable = 0;
		bool		keeps_new = false;

		memcpy(candidates, current, sizeof(uint64) * count);
		candidates[count] = new_id;
		hnsw_load_vector_copies(context, &neighbor_id, 1, &neighbor_vector);
		if (neighbor_vector == NULL)
			return false;
		hnsw_load_vector_copies(context, candidates, count, vectors);
		vectors[count] = new_vector;

		for (size_t i = 0; i <= count; i++)
		{
			if (vectors[i] == NULL)
				continue;
			distances[usable] = hnsw_distance(info, context->dimensions, neighbor_vector, vectors[i]);
			candidates[usable] = candidates[i];
			vectors[usable] = vectors[i];
			order[usable] = usable;
			usable++;
		}
		hnsw_sort_by_distance(order, distances, candidates, usable);
		for (size_t i = 0; i < usable; i++)
		{
			sorted_vectors[i] = vectors[order[i]];
			sorted_distances[i] = distances[order[i]];
		}
		hnsw_check_core(vc_hnsw_select_neighbours(info->kind, info->metric, context->dimensions,
												  sorted_vectors, sorted_distances, usable,
												  capacity, selected, &selected_count),
						"selecting neighbours");
		for (size_t i = 0; i < selected_count; i++)
		{
			uint64		id = candidates[order[selected[i]]];

			hnsw_id_to_tid(id, &replacement[i]);
			if (id == new_id)
				keeps_new = true;
		}
		if (!keeps_new)
		{
			if (!force || selected_count == 0)
				return false;
			hnsw_id_to_tid(new_id, &replacement[Min(selected_count, (size_t) capacity) - 1]);
		}
		replacement_count = (int) selected_count;
	}

	/* now write, if the list is still what was read */
	buffer = index_read_page(context->reader, (BlockNumber) (neighbor_id >> 16));
	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	element = hnsw_page_element(BufferGetPage(buffer), (OffsetNumber) (neighbor_id & 0xFFFF));
	if (element == NULL || element->level < layer || element->deleted != HNSW_ELEMENT_LIVE)
	{
		UnlockReleaseBuffer(buffer);
		return false;
	}
	neighbor_tid = element->neighbor_tid;
	UnlockReleaseBuffer(buffer);

	hnsw_id_to_tid(new_id, &new_tid);
	buffer = index_read_page(context->reader, ItemPointerGetBlockNumber(&neighbor_tid));
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buffer, 0);
	neighbors = hnsw_page_neighbors(page, ItemPointerGetOffsetNumber(&neighbor_tid));
	if (neighbors != NULL && first + capacity <= neighbors->count)
	{
		ItemPointer slots = &neighbors->neighbors[first];
		int			used = 0;
		bool		unchanged;

		while (used < capacity && ItemPointerIsValid(&slots[used]))
			used++;
		unchanged = used == (int) count;
		for (int i = 0; unchanged && i < used; i++)
			unchanged = hnsw_tid_to_id(&slots[i]) == current[i];

		if (replacement_count < 0 || !unchanged)
		{
			/* append, if there is (still or now) room */
			if (used < capacity)
			{
				slots[used] = new_tid;
				GenericXLogFinish(state);
				UnlockReleaseBuffer(buffer);
				return true;
			}
		}
		else
		{
			for (int i = 0; i < capacity; i++)
			{
				if (i < replacement_count)
					slots[i] = replacement[i];
				else
					ItemPointerSetInvalid(&slots[i]);
			}
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buffer);
			return true;
		}
	}
	GenericXLogAbort(state);
	UnlockReleaseBuffer(buffer);
	return false;
}

/*
 * Insert a prepared value (see hnsw_prepare_value) with its heap TID.  The
 * caller holds no hnsw lock; allocations go to CurrentMemoryContext.
 */
void
hnsw_insert_value(Relation index, const HnswTypeInfo *info, const struct varlena *value,
				  ItemPointer heap_tid)
{
	LOCKMODE	lockmode = ShareLock;
	HnswMetaPageData meta;
	HnswSearchContext *context;
	const void *vector = hnsw_value_vector(info, value);
	int			m = info->m;
	int			level = hnsw_random_level(m, heap_tid);
	uint64	   *layer_ids[VC_HNSW_MAX_LEVEL + 1];
	size_t		layer_counts[VC_HNSW_MAX_LEVEL + 1] = {0};
	uint64	   *found_ids = palloc(sizeof(uint64) * info->ef_construction);
	float	   *found_distances = palloc(sizeof(float) * info->ef_construction);
	const void **found_vectors = palloc(sizeof(void *) * info->ef_construction);
	uint32	   *selected = palloc(sizeof(uint32) * info->ef_construction);
	HnswElementTuple element;
	HnswNeighborTuple neighbors;
	Size		element_size;
	Size		neighbors_size;
	ItemPointerData element_tid;
	uint64		new_id;

	LockPage(index, HNSW_UPDATE_LOCK, lockmode);
	hnsw_read_meta(index, &meta);
	if (!ItemPointerIsValid(&meta.entry_point) || level > meta.entry_level)
	{
		/* this element may become the entry point: nobody else may search */
		UnlockPage(index, HNSW_UPDATE_LOCK, lockmode);
		lockmode = ExclusiveLock;
		LockPage(index, HNSW_UPDATE_LOCK, lockmode);
		hnsw_read_meta(index, &meta);
	}

	if (info->kind != VC_ELEMENT_SPARSE && meta.dimensions != 0 &&
		hnsw_value_dimensions(info, value) != meta.dimensions)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %u dimensions, not %u", meta.dimensions,
						hnsw_value_dimensions(info, value))));

	context = hnsw_search_context_create(index, info, meta.dimensions, false);

	if (ItemPointerIsValid(&meta.entry_point))
	{
		uint64		descent[1];
		uint64	   *entries = descent;
		size_t		entry_count = hnsw_descend(context, vector, &meta, level, 1, descent);

		if (entry_count == 0)
		{
			descent[0] = hnsw_tid_to_id(&meta.entry_point);
			entry_count = 1;
		}

		for (int layer = Min(level, meta.entry_level); layer >= 0; layer--)
		{
			size_t		found;
			size_t		selected_count;
			size_t		usable = 0;

			found = hnsw_search_layer(context, vector, entries, entry_count, layer,
									  info->ef_construction, found_ids, found_distances, NULL);
			if (layer == 0 &&
				add_to_duplicate(index, context, value, found_ids, found_distances, found, heap_tid))
			{
				UnlockPage(index, HNSW_UPDATE_LOCK, lockmode);
				hnsw_search_context_free(context);
				return;
			}

			hnsw_load_vector_copies(context, found_ids, found, found_vectors);
			for (size_t i = 0; i < found; i++)
			{
				if (found_vectors[i] == NULL)
					continue;
				found_ids[usable] = found_ids[i];
				found_distances[usable] = found_distances[i];
				found_vectors[usable] = found_vectors[i];
				usable++;
			}
			hnsw_check_core(vc_hnsw_select_neighbours(info->kind, info->metric, meta.dimensions,
													  found_vectors, found_distances, usable,
													  hnsw_layer_capacity(m, layer),
													  selected, &selected_count),
							"selecting neighbours");
			layer_ids[layer] = palloc(sizeof(uint64) * selected_count);
			for (size_t i = 0; i < selected_count; i++)
				layer_ids[layer][i] = found_ids[selected[i]];
			layer_counts[layer] = selected_count;

			/* the next layer down starts from everything found here */
			entries = palloc(sizeof(uint64) * usable);
			memcpy(entries, found_ids, sizeof(uint64) * usable);
			entry_count = usable;
			if (entry_count == 0)
				break;
		}
	}

	/* the element and its links */
	element_size = hnsw_element_tuple_size(value);
	element = palloc(element_size);
	hnsw_fill_element_tuple(element, level, heap_tid, 1, &element_tid, value);
	neighbors_size = HNSW_NEIGHBOR_TUPLE_SIZE(level, m);
	neighbors = palloc(neighbors_size);
	hnsw_fill_empty_neighbor_tuple(neighbors, level, m);
	for (int layer = 0; layer <= level; layer++)
	{
		int			first = hnsw_layer_first_slot(m, layer);

		for (size_t i = 0; i < layer_counts[layer]; i++)
			hnsw_id_to_tid(layer_ids[layer][i], &neighbors->neighbors[first + i]);
	}
	write_element(index, element, element_size, neighbors, neighbors_size, &element_tid);
	new_id = hnsw_tid_to_id(&element_tid);

	/*
	 * Links back.  Where every neighbour's full list keeps its own nearer
	 * members (a new element in a region VACUUM emptied, an outlier), the
	 * element would be unreachable: the nearest neighbour then takes it in
	 * place of its farthest link.
	 */
	for (int layer = 0; layer <= level; layer++)
	{
		bool		linked = false;

		for (size_t i = 0; i < layer_counts[layer]; i++)
			linked |= hnsw_link_back(index, context, layer_ids[layer][i], layer, new_id, vector,
									 false);
		if (!linked && layer_counts[layer] > 0)
			hnsw_link_back(index, context, layer_ids[layer][0], layer, new_id, vector, true);
	}

	if (!ItemPointerIsValid(&meta.entry_point) || level > meta.entry_level)
		hnsw_update_meta(index, &element_tid, level, InvalidBlockNumber, true);

	UnlockPage(index, HNSW_UPDATE_LOCK, lockmode);
	hnsw_search_context_free(context);
}

bool
hnsw_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
			Relation heap, IndexUniqueCheck check_unique,
			bool index_unchanged, IndexInfo *index_info)
{
	MemoryContext insert_context;
	MemoryContext old;
	HnswTypeInfo info;
	struct varlena *value;

	/* NULLs are not indexed */
	if (isnull[0])
		return false;

	insert_context = AllocSetContextCreate(CurrentMemoryContext, "hnsw insert",
										   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(insert_context);

	hnsw_get_type_info(index, &info);
	value = hnsw_prepare_value(&info, values[0], false);
	/* a zero vector has no direction: cosine indexes leave it out */
	if (value != NULL)
		hnsw_insert_value(index, &info, value, heap_tid);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(insert_context);
	return false;
}
