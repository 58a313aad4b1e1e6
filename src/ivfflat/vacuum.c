/*
 * vacuum.c
 *	  VACUUM of an ivfflat index.
 *
 * ambulkdelete walks every list's pages (its run, then its chain) and
 * removes the entries of dead rows, so that no scan can return a row whose
 * TID the heap hands to a new row; a page shared by the runs of two lists
 * is visited for each, which each time takes only its list's entries.
 * Pages are never freed (the chains keep their length), but a list's
 * insert page is moved back to the first of its pages that has room again,
 * so that inserts reuse the space.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "ivfflat.h"
#include "index_common.h"

typedef struct ListRef
{
	ItemPointerData tid;		/* of the list tuple in the directory */
	IvfflatListTupleData place;
} ListRef;

static void
copy_list_ref(void *arg, uint32 list, ItemPointer tid, IvfflatListTuple tuple)
{
	ListRef    *refs = arg;

	refs[list].tid = *tid;
	refs[list].place = *tuple;
}

/* Remove the dead entries of list from one page */
static void
vacuum_page(Relation index, Buffer buffer, uint32 list, IndexBulkDeleteCallback callback,
			void *callback_state, IndexBulkDeleteResult *stats)
{
	GenericXLogState *state = GenericXLogStart(index);
	Page		page = GenericXLogRegisterBuffer(state, buffer, 0);
	OffsetNumber max_offset = PageGetMaxOffsetNumber(page);
	OffsetNumber dead[MaxOffsetNumber];
	int			dead_count = 0;

	for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
	{
		IvfflatEntryTuple entry = ivfflat_page_entry(page, offset);

		if (entry == NULL || entry->list != list)
			continue;
		if (callback(&entry->heap_tid, callback_state))
			dead[dead_count++] = offset;
		else
			stats->num_index_tuples++;
	}

	if (dead_count > 0)
	{
		PageIndexMultiDelete(page, dead, dead_count);
		stats->tuples_removed += dead_count;
		GenericXLogFinish(state);
	}
	else
		GenericXLogAbort(state);
}

/* Point a list's insert page back at block (which has room again) */
static void
move_insert_block(Relation index, const ListRef *ref, BlockNumber block)
{
	Buffer		buffer = ReadBuffer(index, ItemPointerGetBlockNumber(&ref->tid));
	GenericXLogState *state;
	Page		page;
	IvfflatListTuple tuple;

	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buffer, 0);
	tuple = ivfflat_list_tuple(page, &ref->tid);
	tuple->insert_block = block;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buffer);
}

IndexBulkDeleteResult *
ivfflat_bulk_delete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
					IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	uint32		list_count;
	ListRef    *refs;
	IvfflatMetaPageData meta;
	Size		entry_space;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));

	ivfflat_read_meta(index, &meta);
	entry_space = MAXALIGN(IVFFLAT_ENTRY_TUPLE_SIZE(meta.vector_bytes));
	refs = palloc(sizeof(ListRef) * meta.lists);
	list_count = ivfflat_walk_directory(index, info->strategy, meta.lists, copy_list_ref, refs);
	for (uint32 list = 0; list < list_count; list++)
	{
		const IvfflatListTupleData *place = &refs[list].place;
		BlockNumber block = ivfflat_list_first_block(place);
		BlockNumber first_with_room = InvalidBlockNumber;
		bool		insert_block_seen = false;

		while (BlockNumberIsValid(block))
		{
			Buffer		buffer;
			Page		page;

			vacuum_delay_point();
			buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, info->strategy);
			LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
			vacuum_page(index, buffer, list, callback, callback_state, stats);
			page = BufferGetPage(buffer);
			if (!insert_block_seen && !BlockNumberIsValid(first_with_room) &&
				PageGetFreeSpace(page) >= entry_space)
				first_with_room = block;
			if (block == place->insert_block)
				insert_block_seen = true;
			block = ivfflat_list_next_block(place, block, page);
			UnlockReleaseBuffer(buffer);
		}

		/* a page before the insert page has room now: inserts start there */
		if (BlockNumberIsValid(first_with_room) && first_with_room != place->insert_block)
			move_insert_block(index, &refs[list], first_with_room);
	}
	pfree(refs);
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}

/* Entries of a page of list entries */
static double
count_page_entries(Page page)
{
	OffsetNumber max_offset;
	double		tuples = 0;

	if (PageIsNew(page) || !(IvfflatPageGetOpaque(page)->flags & IVFFLAT_PAGE_ENTRIES))
		return 0;
	max_offset = PageGetMaxOffsetNumber(page);
	for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
	{
		if (ivfflat_page_entry(page, offset) != NULL)
			tuples++;
	}
	return tuples;
}

IndexBulkDeleteResult *
ivfflat_vacuum_cleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;

	/* VACUUM without dead rows: count what is there */
	if (stats == NULL)
	{
		stats = palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = index_count_tuples(info, IVFFLAT_FIRST_DIRECTORY_BLKNO,
													 count_page_entries);
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
