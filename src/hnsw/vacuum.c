/*
 * vacuum.c
 *	  VACUUM of an hnsw index.
 *
 * ambulkdelete takes the dead rows' heap TIDs out of the elements that hold
 * them, so that no scan can return a row whose TID the heap hands to a new
 * row.  An element left without heap TIDs is marked deleted: searches still
 * pass through it to its neighbours but never count it among their results
 * (vc_search_offer_waypoints), and its space is not reused yet (removing it
 * and repairing its neighbours' lists is the next step of this access
 * method).
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "hnsw.h"

IndexBulkDeleteResult *
hnsw_bulk_delete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
				 IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	BlockNumber blocks = RelationGetNumberOfBlocks(index);
	BufferAccessStrategy strategy = info->strategy;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));

	for (BlockNumber block = HNSW_METAPAGE_BLKNO + 1; block < blocks; block++)
	{
		Buffer		buffer;
		Page		page;
		GenericXLogState *state;
		bool		changed = false;
		OffsetNumber max_offset;

		vacuum_delay_point();
		buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, strategy);
		LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
		state = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(state, buffer, 0);
		max_offset = PageGetMaxOffsetNumber(page);

		for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
		{
			HnswElementTuple element = hnsw_page_element(page, offset);
			int			kept = 0;

			if (element == NULL || element->deleted)
				continue;
			for (int i = 0; i < element->heaptid_count; i++)
			{
				if (callback(&element->heaptids[i], callback_state))
				{
					stats->tuples_removed++;
					changed = true;
				}
				else
					element->heaptids[kept++] = element->heaptids[i];
			}
			for (int i = kept; i < element->heaptid_count; i++)
				ItemPointerSetInvalid(&element->heaptids[i]);
			if (kept != element->heaptid_count)
			{
				element->heaptid_count = (uint8) kept;
				if (kept == 0)
					element->deleted = 1;
			}
			stats->num_index_tuples += kept;
		}

		if (changed)
			GenericXLogFinish(state);
		else
			GenericXLogAbort(state);
		UnlockReleaseBuffer(buffer);
	}
	stats->num_pages = blocks;
	return stats;
}

IndexBulkDeleteResult *
hnsw_vacuum_cleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;

	if (info->analyze_only)
		return stats;

	/* VACUUM without dead rows: count what is there */
	if (stats == NULL)
	{
		BlockNumber blocks = RelationGetNumberOfBlocks(index);

		stats = palloc0(sizeof(IndexBulkDeleteResult));
		for (BlockNumber block = HNSW_METAPAGE_BLKNO + 1; block < blocks; block++)
		{
			Buffer		buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL,
													info->strategy);
			Page		page;
			OffsetNumber max_offset;

			vacuum_delay_point();
			LockBuffer(buffer, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buffer);
			max_offset = PageGetMaxOffsetNumber(page);
			for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset; offset++)
			{
				HnswElementTuple element = hnsw_page_element(page, offset);

				if (element != NULL && !element->deleted)
					stats->num_index_tuples += element->heaptid_count;
			}
			UnlockReleaseBuffer(buffer);
		}
	}
	stats->num_pages = RelationGetNumberOfBlocks(index);
	return stats;
}
