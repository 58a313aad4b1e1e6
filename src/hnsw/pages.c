/*
 * pages.c
 *	  The hnsw page layout: the metapage, element pages, and the element and
 *	  neighbour tuples on them.  Every change here is WAL-logged through
 *	  GenericXLog, so the index replicates and survives crashes.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/xloginsert.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "index_common.h"

void
hnsw_init_page(Page page, uint16 flags)
{
	HnswPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(HnswPageOpaqueData));
	opaque = HnswPageGetOpaque(page);
	opaque->next_block = InvalidBlockNumber;
	opaque->flags = flags;
	opaque->page_id = HNSW_PAGE_ID;
}

static void
fill_meta(Page page, int m, int ef_construction, uint32 dimensions)
{
	HnswMetaPage meta;

	hnsw_init_page(page, HNSW_PAGE_META);
	meta = HnswPageGetMeta(page);
	memset(meta, 0, sizeof(HnswMetaPageData));
	meta->magic = HNSW_MAGIC_NUMBER;
	meta->version = HNSW_LAYOUT_VERSION;
	meta->dimensions = dimensions;
	meta->m = m;
	meta->ef_construction = ef_construction;
	ItemPointerSetInvalid(&meta->entry_point);
	meta->entry_level = -1;
	meta->insert_block = InvalidBlockNumber;
	/* pd_lower past the metadata, so that a full-page image keeps it */
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(HnswMetaPageData)) - (char *) page;
}

/*
 * The metapage of an empty index, block 0 of fork, logged in full.  The
 * init fork of an unlogged index is logged too (GenericXLog would skip it:
 * the relation itself needs no WAL), so that recovery can reset the index.
 */
void
hnsw_write_empty_meta(Relation index, ForkNumber fork, int m, int ef_construction,
					  uint32 dimensions)
{
	Buffer		buffer = index_new_buffer(index, fork);
	GenericXLogState *state;
	Page		page;

	Assert(BufferGetBlockNumber(buffer) == HNSW_METAPAGE_BLKNO);
	if (fork == INIT_FORKNUM)
	{
		START_CRIT_SECTION();
		fill_meta(BufferGetPage(buffer), m, ef_construction, dimensions);
		MarkBufferDirty(buffer);
		log_newpage_buffer(buffer, true);
		END_CRIT_SECTION();
		UnlockReleaseBuffer(buffer);
		return;
	}
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buffer, GENERIC_XLOG_FULL_IMAGE);
	fill_meta(page, m, ef_construction, dimensions);
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buffer);
}

static void
check_meta(Relation index, HnswMetaPage meta)
{
	if (meta->magic != HNSW_MAGIC_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not an hnsw index", RelationGetRelationName(index))));
	if (meta->version != HNSW_LAYOUT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("hnsw index \"%s\" has layout version %u, this library reads version %d",
						RelationGetRelationName(index), meta->version, HNSW_LAYOUT_VERSION),
				 errhint("REINDEX the index.")));
}

void
hnsw_read_meta(Relation index, HnswMetaPageData *out)
{
	Buffer		buffer = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	HnswMetaPage meta;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	meta = HnswPageGetMeta(BufferGetPage(buffer));
	check_meta(index, meta);
	*out = *meta;
	UnlockReleaseBuffer(buffer);
}

/*
 * Change the metapage: a new entry point (when entry_point is not NULL, and
 * with only_if_higher only if entry_level is above the current one, or the
 * index has none), the block inserts start from (when valid).
 */
void
hnsw_update_meta(Relation index, const ItemPointerData *entry_point, int entry_level,
				 BlockNumber insert_block, bool only_if_higher)
{
	Buffer		buffer = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	GenericXLogState *state;
	HnswMetaPage meta;
	Page		page;

	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	state = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(state, buffer, 0);
	meta = HnswPageGetMeta(page);
	check_meta(index, meta);

	if (entry_point != NULL &&
		(!only_if_higher || entry_level > meta->entry_level ||
		 !ItemPointerIsValid(&meta->entry_point)))
	{
		meta->entry_point = *entry_point;
		meta->entry_level = entry_level;
	}
	if (BlockNumberIsValid(insert_block))
		meta->insert_block = insert_block;

	GenericXLogFinish(state);
	UnlockReleaseBuffer(buffer);
}

Size
hnsw_element_tuple_size(const struct varlena *value)
{
	return HNSW_ELEMENT_TUPLE_SIZE(VARSIZE(value));
}

void
hnsw_fill_element_tuple(HnswElementTuple tuple, int level,
						const ItemPointerData *heaptids, int heaptid_count,
						const ItemPointerData *neighbor_tid,
						const struct varlena *value)
{
	Size		size = hnsw_element_tuple_size(value);

	Assert(heaptid_count >= 1 && heaptid_count <= VC_HNSW_MAX_PAYLOADS);
	memset(tuple, 0, size);
	tuple->type = HNSW_ELEMENT_TUPLE;
	tuple->level = (uint8) level;
	tuple->deleted = HNSW_ELEMENT_LIVE;
	tuple->heaptid_count = (uint8) heaptid_count;
	tuple->neighbor_tid = *neighbor_tid;
	for (int i = 0; i < VC_HNSW_MAX_PAYLOADS; i++)
	{
		if (i < heaptid_count)
			tuple->heaptids[i] = heaptids[i];
		else
			ItemPointerSetInvalid(&tuple->heaptids[i]);
	}
	memcpy(tuple->value, value, VARSIZE(value));
}

/* A neighbour tuple with every slot empty */
void
hnsw_fill_empty_neighbor_tuple(HnswNeighborTuple tuple, int level, int m)
{
	int			slots = (level + 2) * m;

	memset(tuple, 0, HNSW_NEIGHBOR_TUPLE_SIZE(level, m));
	tuple->type = HNSW_NEIGHBOR_TUPLE;
	tuple->count = (uint16) slots;
	for (int i = 0; i < slots; i++)
		ItemPointerSetInvalid(&tuple->neighbors[i]);
}

/*
 * The item at offset of a page if it is of the given tuple type, else NULL
 * (a stale TID after vacuum, or an item of the other kind).
 */
static void *
page_item_of_type(Page page, OffsetNumber offset, uint8 type)
{
	ItemId		item;
	uint8	   *tuple;

	if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page))
		return NULL;
	item = PageGetItemId(page, offset);
	if (!ItemIdIsNormal(item))
		return NULL;
	tuple = (uint8 *) PageGetItem(page, item);
	return *tuple == type ? tuple : NULL;
}

HnswElementTuple
hnsw_page_element(Page page, OffsetNumber offset)
{
	return page_item_of_type(page, offset, HNSW_ELEMENT_TUPLE);
}

HnswNeighborTuple
hnsw_page_neighbors(Page page, OffsetNumber offset)
{
	return page_item_of_type(page, offset, HNSW_NEIGHBOR_TUPLE);
}
