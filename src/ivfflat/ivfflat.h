/*
 * ivfflat.h
 *	  The ivfflat index access method: page layout, options, and the
 *	  functions its files share.
 *
 * An ivfflat index splits the rows into lists, one per k-means centre
 * (computed at build time from a sample of the table); a row goes to the
 * list of its nearest centre, and a scan reads the ivfflat.probes lists
 * whose centres are nearest to the query.
 *
 * On disk (the main fork; every change after the build WAL-logged with
 * GenericXLog):
 *
 *	block 0			the metapage: dimensions, number of lists, bytes of a
 *					vector, the first centre page
 *	blocks 1..		the directory: one list tuple per list, in list order,
 *					on pages chained by their next_block (consecutive
 *					blocks after a build).  A list tuple says where the
 *					list's entries are (below) and where inserts go.
 *	then			the centres, in list order, as one array of vectors cut
 *					into consecutive pages (a centre may straddle two):
 *					packed, they take about three quarters of the pages
 *					that one tuple per centre would (768-d: two centres
 *					fit a page as tuples, 2.66 as bytes).
 *	then			entry pages.  A list's entries are on a run of
 *					consecutive pages the build wrote (first_block ..
 *					last_block; none for a list without rows), then on the
 *					chain of pages its inserts added when the run was full
 *					(from chain_block on, linked by next_block).  The build
 *					writes all the lists' entries as one stream, list
 *					after list, so a page may end one list's run and start
 *					the next one's: no list leaves a page half empty.  An
 *					entry tuple is a heap TID, the number of its list (which
 *					tells the lists of a shared page apart) and the indexed
 *					vector (prepared: normalized for cosine), in the form the
 *					kernels read it.
 *
 * Centres never change after the build, so a backend may keep them (and
 * the directory positions of the lists) in rd_amcache; where a list's
 * pages are (a chain may start at any time) and its insert page are always
 * read from the directory page.
 *
 * Locks: scans and vacuum read or change one entry page at a time (buffer
 * share / exclusive lock); an insert locks the insert page, and when that
 * is full and last of the list, a new page and then the directory page
 * that names the list's chain and insert page (one WAL record for them
 * all).  A list's chain is started by an insert that holds the last page
 * of its run (or, for a list without a run, the directory page), so two
 * inserts cannot both start it.  Nobody waits for an entry page while
 * holding a directory page (but for a new page, which nobody else can see
 * yet), so these cannot deadlock.
 */
#ifndef IVFFLAT_H
#define IVFFLAT_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/itup.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"

#include "pg_compat.h"
#include "vector_core.h"

/* Options and GUC ranges (pgvector's) */
#define IVFFLAT_DEFAULT_LISTS		100
#define IVFFLAT_MIN_LISTS			1
#define IVFFLAT_MAX_LISTS			32768
#define IVFFLAT_DEFAULT_PROBES		1

/* Support function numbers of the opclasses (pgvector's) */
#define IVFFLAT_DISTANCE_PROC		1	/* scores entries */
#define IVFFLAT_NORM_PROC			2	/* cosine: stored values are normalized */
#define IVFFLAT_KMEANS_DISTANCE_PROC 3	/* ranks centres */
#define IVFFLAT_KMEANS_NORM_PROC	4	/* ip, cosine: spherical k-means */
#define IVFFLAT_TYPE_SUPPORT_PROC	5	/* absent for vector */

/* pg_stat_progress_create_index phases (after PostgreSQL's "initializing") */
#define IVFFLAT_PHASE_KMEANS		2
#define IVFFLAT_PHASE_ASSIGN		3
#define IVFFLAT_PHASE_LOAD			4

typedef enum IvfflatIterativeScan
{
	IVFFLAT_ITERATIVE_SCAN_OFF,
	IVFFLAT_ITERATIVE_SCAN_RELAXED
} IvfflatIterativeScan;

/* GUCs */
extern int	ivfflat_probes;
extern int	ivfflat_iterative_scan;
extern int	ivfflat_max_probes;

/* reloptions */
typedef struct IvfflatOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int			lists;
} IvfflatOptions;

/* ------------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------------ */

#define IVFFLAT_METAPAGE_BLKNO		0
#define IVFFLAT_FIRST_DIRECTORY_BLKNO 1
#define IVFFLAT_MAGIC_NUMBER		0x1F5F1A71
#define IVFFLAT_LAYOUT_VERSION		2

typedef struct IvfflatPageOpaqueData
{
	BlockNumber next_block;		/* next page of the chain, or invalid */
	uint16		flags;
	uint16		page_id;		/* IVFFLAT_PAGE_ID: tells our pages apart in tools */
} IvfflatPageOpaqueData;

typedef IvfflatPageOpaqueData *IvfflatPageOpaque;

#define IVFFLAT_PAGE_META			(1 << 0)
#define IVFFLAT_PAGE_DIRECTORY		(1 << 1)
#define IVFFLAT_PAGE_ENTRIES		(1 << 2)
#define IVFFLAT_PAGE_CENTERS		(1 << 3)
#define IVFFLAT_PAGE_ID				0xFF93

#define IvfflatPageGetOpaque(page)	((IvfflatPageOpaque) PageGetSpecialPointer(page))

typedef struct IvfflatMetaPageData
{
	uint32		magic;
	uint32		version;
	uint32		dimensions;
	uint32		lists;
	uint32		vector_bytes;	/* of a centre, and of an entry's vector */
	BlockNumber center_block;	/* the first centre page */
} IvfflatMetaPageData;

typedef IvfflatMetaPageData *IvfflatMetaPage;

#define IvfflatPageGetMeta(page)	((IvfflatMetaPage) PageGetContents(page))

/* A list in the directory */
typedef struct IvfflatListTupleData
{
	BlockNumber first_block;	/* the run of pages the build wrote, or */
	BlockNumber last_block;		/* invalid (both) for a list without rows */
	BlockNumber chain_block;	/* the first page inserts added after the run, or invalid */
	BlockNumber insert_block;	/* where inserts look for room first, or invalid */
} IvfflatListTupleData;

typedef IvfflatListTupleData *IvfflatListTuple;

#define IVFFLAT_LIST_TUPLE_SIZE		MAXALIGN(sizeof(IvfflatListTupleData))

/* The list tuple at tid of the directory, on a locked page */
static inline IvfflatListTuple
ivfflat_list_tuple(Page page, const ItemPointerData *tid)
{
	return (IvfflatListTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(tid)));
}

/* A list as a build leaves it: its run, no chain, inserts from its last page */
static inline void
ivfflat_set_list_run(IvfflatListTuple tuple, BlockNumber first_block, BlockNumber last_block)
{
	tuple->first_block = first_block;
	tuple->last_block = last_block;
	tuple->chain_block = InvalidBlockNumber;
	tuple->insert_block = last_block;
}

/* The first page of the list: of its run, else of its chain (or invalid) */
static inline BlockNumber
ivfflat_list_first_block(const IvfflatListTupleData *list)
{
	return BlockNumberIsValid(list->first_block) ? list->first_block : list->chain_block;
}

/* Is block one of the list's run of pages? */
static inline bool
ivfflat_in_run(const IvfflatListTupleData *list, BlockNumber block)
{
	return BlockNumberIsValid(list->first_block) && block >= list->first_block &&
		block <= list->last_block;
}

/*
 * The page of the list after block (whose page is page): the run's pages in
 * order, then the chain's, linked by next_block; invalid after the last.
 */
static inline BlockNumber
ivfflat_list_next_block(const IvfflatListTupleData *list, BlockNumber block, Page page)
{
	if (!ivfflat_in_run(list, block))
		return IvfflatPageGetOpaque(page)->next_block;
	return block < list->last_block ? block + 1 : list->chain_block;
}

/* A row in a list */
typedef struct IvfflatEntryTupleData
{
	ItemPointerData heap_tid;
	uint16		list;			/* lists < 2^16 (IVFFLAT_MAX_LISTS) */
	char		vector[FLEXIBLE_ARRAY_MEMBER] pg_attribute_aligned(4);
} IvfflatEntryTupleData;

StaticAssertDecl(IVFFLAT_MAX_LISTS <= PG_UINT16_MAX + 1, "an entry's list number takes 16 bits");

typedef IvfflatEntryTupleData *IvfflatEntryTuple;

#define IVFFLAT_ENTRY_TUPLE_SIZE(vector_bytes) \
	MAXALIGN(offsetof(IvfflatEntryTupleData, vector) + (vector_bytes))

/* Room for items on a freshly initialized page */
static inline Size
ivfflat_empty_page_space(void)
{
	return BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(IvfflatPageOpaqueData));
}

/* Room an item of size bytes takes on a page, its line pointer included */
static inline Size
ivfflat_item_space(Size size)
{
	return MAXALIGN(size) + sizeof(ItemIdData);
}

/* A heap TID as a scored id, and back */
static inline uint64
ivfflat_tid_to_id(ItemPointer tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline void
ivfflat_id_to_tid(uint64 id, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (id >> 16), (OffsetNumber) (id & 0xFFFF));
}

/* ------------------------------------------------------------------------
 * What an index holds: the value type and metrics, from its opclass
 * ------------------------------------------------------------------------ */

typedef struct IvfflatTypeInfo
{
	vc_element_kind kind;		/* F32, F16 or BITS */
	vc_metric	metric;			/* of entries: L2_SQUARED, NEGATIVE_INNER_PRODUCT, HAMMING */
	vc_metric	center_metric;	/* ranking centres: the same, but NEGATIVE_INNER_PRODUCT
								 * against unit centres for ip and cosine */
	bool		normalize;		/* cosine: values are stored normalized */
	bool		spherical;		/* ip, cosine: centres are unit vectors */
	int			lists;
} IvfflatTypeInfo;

/* The lists of an index: centres (contiguous) and where each list is */
typedef struct IvfflatLists
{
	Oid			relfilenode;	/* of the index they were read from */
	uint32		dimensions;
	uint32		count;
	uint32		vector_bytes;
	char	   *centers;		/* count * vector_bytes */
	ItemPointerData *list_tids;	/* each list tuple's place in the directory */
} IvfflatLists;

/* handler.c */
extern void ivfflat_init(void);

/* utils.c */
extern void ivfflat_get_type_info(Relation index, IvfflatTypeInfo *info);
extern int	ivfflat_get_lists(Relation index);
extern uint32 ivfflat_vector_bytes(vc_element_kind kind, uint32 dimensions);
extern struct varlena *ivfflat_prepare_value(const IvfflatTypeInfo *info, Datum value,
											 bool for_query);
extern const IvfflatLists *ivfflat_get_lists_of(Relation index, bool *cached);
extern void ivfflat_free_lists(const IvfflatLists *lists, bool cached);
extern uint32 ivfflat_nearest_list(const IvfflatTypeInfo *info, const IvfflatLists *lists,
								   const void *vector);
extern void ivfflat_check_core(vc_status status, const char *what);

/* pages.c */
extern void ivfflat_init_page(Page page, uint16 flags);
extern bool ivfflat_page_add(Page page, const void *item, Size size);
extern void ivfflat_fill_meta(Page page, uint32 dimensions, uint32 lists, uint32 vector_bytes,
							  BlockNumber center_block);
extern void ivfflat_read_meta(Relation index, IvfflatMetaPageData *meta);
extern uint32 ivfflat_center_page_count(uint32 lists, uint32 vector_bytes);
extern void ivfflat_fill_center_page(Page page, const char *centers, Size centers_bytes,
									 uint32 number);
extern void ivfflat_read_centers(Relation index, const IvfflatMetaPageData *meta, char *centers);
extern IvfflatEntryTuple ivfflat_page_entry(Page page, OffsetNumber offset);
extern Buffer ivfflat_new_entry_page(Relation index, GenericXLogState *state, Page *page);

typedef void (*IvfflatDirectoryVisitor) (void *arg, uint32 list, ItemPointer tid,
										 IvfflatListTuple tuple);
extern uint32 ivfflat_walk_directory(Relation index, BufferAccessStrategy strategy,
									 uint32 max_lists, IvfflatDirectoryVisitor visit, void *arg);

/* build.c */
extern IndexBuildResult *ivfflat_build(Relation heap, Relation index, IndexInfo *index_info);
extern void ivfflat_build_empty(Relation index);

/* insert.c */
extern bool ivfflat_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
						   Relation heap, IndexUniqueCheck check_unique,
						   bool index_unchanged, IndexInfo *index_info);

/* scan.c */
extern IndexScanDesc ivfflat_begin_scan(Relation index, int nkeys, int norderbys);
extern void ivfflat_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys,
						   int norderbys);
extern bool ivfflat_get_tuple(IndexScanDesc scan, ScanDirection dir);
extern void ivfflat_end_scan(IndexScanDesc scan);

/* vacuum.c */
extern IndexBulkDeleteResult *ivfflat_bulk_delete(IndexVacuumInfo *info,
												  IndexBulkDeleteResult *stats,
												  IndexBulkDeleteCallback callback,
												  void *callback_state);
extern IndexBulkDeleteResult *ivfflat_vacuum_cleanup(IndexVacuumInfo *info,
													 IndexBulkDeleteResult *stats);

/* cost.c */
extern void ivfflat_cost_estimate(PlannerInfo *root, IndexPath *path, double loop_count,
								  Cost *startup_cost, Cost *total_cost,
								  Selectivity *selectivity, double *correlation,
								  double *index_pages);

#endif							/* IVFFLAT_H */
