/*
 * insert.c
 *	  INSERT into an ivfflat index: the row goes to the list of its nearest
 *	  centre, on that list's insert page, or on a new page linked at the
 *	  end of the list's chain when the last page is full.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "index_common.h"
#include "ivfflat.h"

/* The list tuple at tid of the directory, on a locked page */
static IvfflatListTuple
list_tuple(Page page, ItemPointer tid)
{
	return (IvfflatListTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(tid)));
}

static BlockNumber
read_insert_block(Relation index, ItemPointer list_tid)
{
	Buffer		buffer = ReadBuffer(index, ItemPointerGetBlockNumber(list_tid));
	BlockNumber block;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	block = list_tuple(BufferGetPage(buffer), list_tid)->insert_block;
	UnlockReleaseBuffer(buffer);
	return block;
}

/*
 * Point the list's insert page at block, within state's WAL record when
 * state is not NULL (the caller finishes it), else in a record of its own.
 * Returns the directory buffer, pinned and locked, for the caller to release.
 */
static Buffer
set_insert_block(Relation index, GenericXLogState *state, ItemPointer list_tid, BlockNumber block)
{
	Buffer		buffer = ReadBuffer(index, ItemPointerGetBlockNumber(list_tid));
	GenericXLogState *own = state == NULL ? GenericXLogStart(index) : NULL;
	Page		page;

	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	page = GenericXLogRegisterBuffer(state != NULL ? state : own, buffer, 0);
	list_tuple(page, list_tid)->insert_block = block;
	if (own != NULL)
		GenericXLogFinish(own);
	return buffer;
}

/* Add entry to the list whose directory tuple is at list_tid */
static void
add_to_list(Relation index, ItemPointer list_tid, const IvfflatEntryTupleData *entry, Size size)
{
	BlockNumber insert_block = read_insert_block(index, list_tid);
	BlockNumber block = insert_block;

	for (;;)
	{
		Buffer		buffer = ReadBuffer(index, block);
		GenericXLogState *state;
		Page		page;
		BlockNumber next;
		Buffer		new_buffer;
		Page		new_page;
		Buffer		directory;

		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buffer, 0);

		if (ivfflat_page_add(page, entry, size))
		{
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buffer);
			/* the directory was behind: inserts after this one start here */
			if (block != insert_block)
				UnlockReleaseBuffer(set_insert_block(index, NULL, list_tid, block));
			return;
		}

		/* full: go on along the chain, or extend it */
		next = IvfflatPageGetOpaque(page)->next_block;
		if (BlockNumberIsValid(next))
		{
			GenericXLogAbort(state);
			UnlockReleaseBuffer(buffer);
			block = next;
			continue;
		}

		new_buffer = ivfflat_new_entry_page(index, state, &new_page);
		ivfflat_page_add(new_page, entry, size);
		IvfflatPageGetOpaque(page)->next_block = BufferGetBlockNumber(new_buffer);
		directory = set_insert_block(index, state, list_tid, BufferGetBlockNumber(new_buffer));
		GenericXLogFinish(state);
		UnlockReleaseBuffer(directory);
		UnlockReleaseBuffer(new_buffer);
		UnlockReleaseBuffer(buffer);
		return;
	}
}

bool
ivfflat_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
			   Relation heap, IndexUniqueCheck check_unique,
			   bool index_unchanged, IndexInfo *index_info)
{
	MemoryContext context;
	MemoryContext old;
	IvfflatTypeInfo info;
	struct varlena *value;

	if (isnull[0])
		return false;

	context = AllocSetContextCreate(CurrentMemoryContext, "ivfflat insert", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(context);

	ivfflat_get_type_info(index, &info);
	value = ivfflat_prepare_value(&info, values[0], false);
	if (value != NULL)
	{
		bool		cached;
		const IvfflatLists *lists = ivfflat_get_lists_of(index, &cached);
		const void *vector = index_value_vector(info.kind, value);
		uint32		list;
		Size		size = IVFFLAT_ENTRY_TUPLE_SIZE(lists->vector_bytes);
		IvfflatEntryTuple entry = palloc0(size);
		ItemPointerData list_tid;

		index_check_query_dimensions(info.kind, lists->dimensions, value);
		list = ivfflat_nearest_list(&info, lists, vector);
		list_tid = lists->list_tids[list];
		entry->heap_tid = *heap_tid;
		memcpy(entry->vector, vector, lists->vector_bytes);
		ivfflat_free_lists(lists, cached);

		add_to_list(index, &list_tid, entry, size);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return false;
}
