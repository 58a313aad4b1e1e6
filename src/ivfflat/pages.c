/*
 * pages.c
 *	  The ivfflat page layout: pages, the metapage, entry tuples.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

#include "index_common.h"
#include "ivfflat.h"

void
ivfflat_init_page(Page page, uint16 flags)
{
	IvfflatPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(IvfflatPageOpaqueData));
	opaque = IvfflatPageGetOpaque(page);
	opaque->next_block = InvalidBlockNumber;
	opaque->flags = flags;
	opaque->page_id = IVFFLAT_PAGE_ID;
}

/*
 * Add item to page if it has room: false when it has not (the page holds
 * items already; the caller goes on to a new page).  An item too large
 * for an empty page is an error.
 */
bool
ivfflat_page_add(Page page, const void *item, Size size)
{
	if (PageGetFreeSpace(page) < MAXALIGN(size) && PageGetMaxOffsetNumber(page) > 0)
		return false;
	if (PageAddItem(page, (Item) item, size, InvalidOffsetNumber, false, false) == InvalidOffsetNumber)
		elog(ERROR, "ivfflat: an item of %zu bytes does not fit a page", size);
	return true;
}

void
ivfflat_fill_meta(Page page, uint32 dimensions, uint32 lists, uint32 vector_bytes,
				  BlockNumber center_block)
{
	IvfflatMetaPage meta;

	ivfflat_init_page(page, IVFFLAT_PAGE_META);
	meta = IvfflatPageGetMeta(page);
	memset(meta, 0, sizeof(IvfflatMetaPageData));
	meta->magic = IVFFLAT_MAGIC_NUMBER;
	meta->version = IVFFLAT_LAYOUT_VERSION;
	meta->dimensions = dimensions;
	meta->lists = lists;
	meta->vector_bytes = vector_bytes;
	meta->center_block = center_block;
	/* pd_lower past the metadata, so that a full-page image keeps it */
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(IvfflatMetaPageData)) - (char *) page;
}

void
ivfflat_read_meta(Relation index, IvfflatMetaPageData *out)
{
	Buffer		buffer = ReadBuffer(index, IVFFLAT_METAPAGE_BLKNO);
	IvfflatMetaPage meta;

	LockBuffer(buffer, BUFFER_LOCK_SHARE);
	meta = IvfflatPageGetMeta(BufferGetPage(buffer));
	if (meta->magic != IVFFLAT_MAGIC_NUMBER)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not an ivfflat index", RelationGetRelationName(index))));
	if (meta->version != IVFFLAT_LAYOUT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("ivfflat index \"%s\" has layout version %u, this library reads version %d",
						RelationGetRelationName(index), meta->version, IVFFLAT_LAYOUT_VERSION),
				 errhint("REINDEX the index.")));
	*out = *meta;
	UnlockReleaseBuffer(buffer);
}

/*
 * The centres are one array of lists * vector_bytes bytes, cut into pages
 * of ivfflat_empty_page_space() bytes each (the last one holds the rest).
 */
uint32
ivfflat_center_page_count(uint32 lists, uint32 vector_bytes)
{
	Size		bytes = (Size) lists * vector_bytes;

	return (uint32) ((bytes + ivfflat_empty_page_space() - 1) / ivfflat_empty_page_space());
}

/* Where the number-th centre page's bytes start in the array, and how many */
static Size
center_page_slice(Size centers_bytes, uint32 number, Size *bytes)
{
	Size		start = (Size) number * ivfflat_empty_page_space();

	Assert(start < centers_bytes);
	*bytes = Min(ivfflat_empty_page_space(), centers_bytes - start);
	return start;
}

/* Make page the number-th page of the centres (all centres_bytes of them) */
void
ivfflat_fill_center_page(Page page, const char *centers, Size centers_bytes, uint32 number)
{
	Size		bytes;
	Size		start = center_page_slice(centers_bytes, number, &bytes);

	ivfflat_init_page(page, IVFFLAT_PAGE_CENTERS);
	memcpy(PageGetContents(page), centers + start, bytes);
	/* pd_lower past the bytes: a full-page image keeps them, drops the rest */
	((PageHeader) page)->pd_lower = (PageGetContents(page) + bytes) - (char *) page;
}

/* Read the centres of the index whose metapage is meta into centers */
void
ivfflat_read_centers(Relation index, const IvfflatMetaPageData *meta, char *centers)
{
	Size		centers_bytes = (Size) meta->lists * meta->vector_bytes;
	uint32		pages = ivfflat_center_page_count(meta->lists, meta->vector_bytes);

	for (uint32 number = 0; number < pages; number++)
	{
		Buffer		buffer = ReadBuffer(index, meta->center_block + number);
		Page		page;
		Size		bytes;
		Size		start = center_page_slice(centers_bytes, number, &bytes);

		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buffer);
		if (PageIsNew(page) || IvfflatPageGetOpaque(page)->page_id != IVFFLAT_PAGE_ID ||
			!(IvfflatPageGetOpaque(page)->flags & IVFFLAT_PAGE_CENTERS) ||
			((PageHeader) page)->pd_lower != (PageGetContents(page) + bytes) - (char *) page)
			ereport(ERROR,
					(errcode(ERRCODE_INDEX_CORRUPTED),
					 errmsg("ivfflat index \"%s\" has no centres where its metapage says (block %u)",
							RelationGetRelationName(index), meta->center_block + number)));
		memcpy(centers + start, PageGetContents(page), bytes);
		UnlockReleaseBuffer(buffer);
	}
}

/* The entry at offset of an entry page, or NULL where there is none */
IvfflatEntryTuple
ivfflat_page_entry(Page page, OffsetNumber offset)
{
	ItemId		item;

	if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page))
		return NULL;
	item = PageGetItemId(page, offset);
	if (!ItemIdIsNormal(item))
		return NULL;
	return (IvfflatEntryTuple) PageGetItem(page, item);
}

/*
 * A new, empty entry page at the end of the index, registered in the
 * GenericXLog record being built (as a full image); pinned and locked.
 */
Buffer
ivfflat_new_entry_page(Relation index, GenericXLogState *state, Page *page)
{
	Buffer		buffer = index_new_buffer(index, MAIN_FORKNUM);

	*page = GenericXLogRegisterBuffer(state, buffer, GENERIC_XLOG_FULL_IMAGE);
	ivfflat_init_page(*page, IVFFLAT_PAGE_ENTRIES);
	return buffer;
}

/*
 * Call visit for every list of the directory, in list order, with the list
 * tuple (on its share-locked page) and its place; returns how many lists
 * there were.  At most max_lists are visited.
 */
uint32
ivfflat_walk_directory(Relation index, BufferAccessStrategy strategy, uint32 max_lists,
					   IvfflatDirectoryVisitor visit, void *arg)
{
	BlockNumber block = IVFFLAT_FIRST_DIRECTORY_BLKNO;
	uint32		list = 0;

	while (BlockNumberIsValid(block) && list < max_lists)
	{
		Buffer		buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, strategy);
		Page		page;
		OffsetNumber max_offset;

		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buffer);
		max_offset = PageGetMaxOffsetNumber(page);
		for (OffsetNumber offset = FirstOffsetNumber; offset <= max_offset && list < max_lists; offset++)
		{
			ItemPointerData tid;

			ItemPointerSet(&tid, block, offset);
			visit(arg, list++, &tid, (IvfflatListTuple) PageGetItem(page, PageGetItemId(page, offset)));
		}
		block = IvfflatPageGetOpaque(page)->next_block;
		UnlockReleaseBuffer(buffer);
	}
	return list;
}
