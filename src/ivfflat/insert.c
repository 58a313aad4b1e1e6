/*
 * insert.c
 *	  INSERT into an ivfflat index: the row goes to the list of its nearest
 *	  centre, on that list's insert page (or a later one of the list with
 *	  room), or on a new page linked at the end of the list's chain when its
 *	  last page is full.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "index_common.h"
#include "ivfflat.h"

static IvfflatListTupleData
read_list_tuple(Relation index, ItemPointer list_tid)
{
	Buffer		buffer = ReadBuffer(index, ItemPointerGetBlockNumber(list_tid));
	IvfflatListTupleData tuple;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	tuple = *ivfflat_list_tuple(BufferGetPage(buffer), list_tid);
	UnlockReleaseBuffer(buffer);
	return tuple;
}

/*
 * Point the list's insert page at block, and its chain too when
 * start_chain, within state's WAL record when state is not NULL (the
 * caller finishes it), else in a record of its own.  Returns the directory
 * buffer, pinned and locked, for the caller to release.
 */
static Buffer
set_list_blocks(Relation index, GenericXLogState *state, ItemPointer list_tid, BlockNumber block,
				bool start_chain)
{
	Buffer		buffer = ReadBuffer(index, ItemPointerGetBlockNumber(list_tid));
	GenericXLogState *own = state == NULL ? GenericXLogStart(index) : NULL;
	Page		page;
	IvfflatListTuple tuple;

	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	page = GenericXLogRegisterBuffer(state != NULL ? state : own, buffer, 0);
	tuple = ivfflat_list_tuple(page, list_tid);
	tuple->insert_block = block;
	if (start_chain)
		tuple->chain_block = block;
	if (own != NULL)
		GenericXLogFinish(own);
	return buffer;
}

/*
 * Start the chain of a list without a run: unless an insert started it
 * meanwhile (the directory page's lock decides), a new page with entry
 * becomes the list's chain and insert page.  Returns whether it did.
 */
static bool
start_chain_alone(Relation index, ItemPointer list_tid, const IvfflatEntryTupleData *entry, Size size)
{
	Buffer		directory = ReadBuffer(index, ItemPointerGetBlockNumber(list_tid));
	GenericXLogState *state;
	IvfflatListTuple tuple;
	Buffer		new_buffer;
	Page		new_page;
	Page		page;

	LockBuffer(directory, BUFFER_LOCK_EXCLUSIVE);
	if (BlockNumberIsValid(ivfflat_list_tuple(BufferGetPage(directory), list_tid)->chain_block))
	{
		UnlockReleaseBuffer(directory);
		return false;
	}
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, directory, 0);
	new_buffer = ivfflat_new_entry_page(index, state, &new_page);
	ivfflat_page_add(new_page, entry, size);
	tuple = ivfflat_list_tuple(page, list_tid);
	tuple->chain_block = BufferGetBlockNumber(new_buffer);
	tuple->insert_block = BufferGetBlockNumber(new_buffer);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(new_buffer);
	UnlockReleaseBuffer(directory);
	return true;
}

/*
 * Add entry to the list whose directory tuple is at list_tid: on its
 * insert page, or the first page after it with room (its run's pages in
 * order, then its chain's), or on a new page at the end of its chain.
 */
static void
add_to_list(Relation index, ItemPointer list_tid, const IvfflatEntryTupleData *entry, Size size)
{
	IvfflatListTupleData list = read_list_tuple(index, list_tid);
	BlockNumber block = BlockNumberIsValid(list.insert_block) ? list.insert_block
		: ivfflat_list_first_block(&list);

	for (;;)
	{
		Buffer		buffer;
		GenericXLogState *state;
		Page		page;
		BlockNumber next;
		bool		in_run;
		Buffer		new_buffer;
		Page		new_page;
		Buffer		directory;

		if (!BlockNumberIsValid(block))
		{
			/* neither run nor chain */
			if (start_chain_alone(index, list_tid, entry, size))
				return;
			list = read_list_tuple(index, list_tid);
			block = list.chain_block;
			continue;
		}

		buffer = ReadBuffer(index, block);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buffer, 0);

		if (ivfflat_page_add(page, entry, size))
		{
			GenericXLogFinish(state);
			UnlockReleaseBuffer(buffer);
			/* the directory was behind: inserts after this one start here */
			if (block != list.insert_block)
				UnlockReleaseBuffer(set_list_blocks(index, NULL, list_tid, block, false));
			return;
		}

		/*
		 * full: the list's next page, or a new one at the end of its chain.
		 * After its run's last page, the chain as it is now: whoever starts
		 * it holds this page.
		 */
		in_run = ivfflat_in_run(&list, block);
		if (block == list.last_block)
			list = read_list_tuple(index, list_tid);
		next = ivfflat_list_next_block(&list, block, page);
		if (BlockNumberIsValid(next))
		{
			GenericXLogAbort(state);
			UnlockReleaseBuffer(buffer);
			block = next;
			continue;
		}

		new_buffer = ivfflat_new_entry_page(index, state, &new_page);
		ivfflat_page_add(new_page, entry, size);
		if (!in_run)
			IvfflatPageGetOpaque(page)->next_block = BufferGetBlockNumber(new_buffer);
		directory = set_list_blocks(index, state, list_tid, BufferGetBlockNumber(new_buffer), in_run);
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
		entry->list = (uint16) list;
		memcpy(entry->vector, vector, lists->vector_bytes);
		ivfflat_free_lists(lists, cached);

		add_to_list(index, &list_tid, entry, size);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return false;
}
