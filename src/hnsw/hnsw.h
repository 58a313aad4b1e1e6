/*
 * hnsw.h
 *	  The hnsw index access method: page layout, options, and the functions
 *	  its files share.
 *
 * On disk (the main fork; every change WAL-logged with GenericXLog):
 *
 *	block 0			the metapage: dimensions, m, ef_construction, the entry
 *					point, the page inserts try first
 *	blocks 1..		element pages.  Each graph element is two items, usually
 *					side by side on one page:
 *					- an element tuple: level, up to VC_HNSW_MAX_PAYLOADS heap
 *					  TIDs (identical vectors share one element, as in
 *					  pgvector), the TID of its neighbour tuple, and the
 *					  indexed value (an uncompressed varlena);
 *					- a neighbour tuple: (level + 2) * m neighbour TIDs, 2 * m
 *					  for layer 0 then m for each layer above, nearest first,
 *					  unused slots invalid.
 *
 * An element is known everywhere by its element tuple's TID; the search
 * state keys its visited set on that TID packed into a uint64.
 *
 * Locks: scans and inserts take HNSW_UPDATE_LOCK (a page lock on a block
 * number no page has) in share mode; an insert that raises the entry point
 * takes it exclusively, and so does vacuum while it repairs the entry point.
 * Page contents are read under buffer share locks and changed under
 * exclusive ones.  A scan share-locks the pages of one batch of neighbours
 * together, in block order; an insert that extends the index locks the new
 * page and then the metapage (one WAL record for both); nothing else holds
 * two buffer locks, and nobody waits for a data page while holding the
 * metapage, so these cannot deadlock.
 */
#ifndef HNSW_H
#define HNSW_H

#include "postgres.h"

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/itup.h"
#include "nodes/execnodes.h"
#include "nodes/pathnodes.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"

#include "pg_compat.h"
#include "page_reader.h"
#include "vector_core.h"

/* Options and their ranges (pgvector's) */
#define HNSW_DEFAULT_M				16
#define HNSW_MIN_M					2
#define HNSW_MAX_M					100
/* the beam of a scan's descent through the upper layers (scan.c) */
#define HNSW_SCAN_BEAM				8
#define HNSW_DEFAULT_EF_CONSTRUCTION	64
#define HNSW_MIN_EF_CONSTRUCTION	4
#define HNSW_MAX_EF_CONSTRUCTION	1000
#define HNSW_DEFAULT_EF_SEARCH		40
#define HNSW_MIN_EF_SEARCH			1
#define HNSW_MAX_EF_SEARCH			1000

/* Most non-zero elements of an indexed sparsevec (pgvector's limit; the
 * dimension limits of the other types are in index_common.h) */
#define HNSW_MAX_SPARSEVEC_NNZ		1000

/* Support function numbers of the opclasses */
#define HNSW_DISTANCE_PROC			1
#define HNSW_NORM_PROC				2	/* present for cosine only */
#define HNSW_TYPE_SUPPORT_PROC		3	/* absent for vector */

/* pg_stat_progress_create_index phases (after PostgreSQL's "initializing") */
#define HNSW_PHASE_LOAD				2	/* as pgvector: "loading tuples" */
#define HNSW_PHASE_WRITE			3	/* the in-memory graph to pages */

typedef enum HnswIterativeScan
{
	HNSW_ITERATIVE_SCAN_OFF,
	HNSW_ITERATIVE_SCAN_RELAXED,
	HNSW_ITERATIVE_SCAN_STRICT
} HnswIterativeScan;

/* GUCs */
extern int	hnsw_ef_search;
extern int	hnsw_iterative_scan;
extern int	hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;

/* reloptions */
typedef struct HnswOptions
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int			m;
	int			ef_construction;
} HnswOptions;

/* ------------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------------ */

#define HNSW_METAPAGE_BLKNO			0
#define HNSW_MAGIC_NUMBER			0x48A5317E
#define HNSW_LAYOUT_VERSION			1
/* A block number no relation reaches: the page lock used as the graph lock */
#define HNSW_UPDATE_LOCK			((BlockNumber) 0xFFFFFFFE)

/* pd_special of every page: which kind it is, the next page in the chain */
typedef struct HnswPageOpaqueData
{
	BlockNumber next_block;		/* unused yet (InvalidBlockNumber) */
	uint16		flags;
	uint16		page_id;		/* HNSW_PAGE_ID: tells our pages apart in tools */
} HnswPageOpaqueData;

typedef HnswPageOpaqueData *HnswPageOpaque;

#define HNSW_PAGE_META				(1 << 0)
#define HNSW_PAGE_ELEMENTS			(1 << 1)
#define HNSW_PAGE_ID				0xFF91

#define HnswPageGetOpaque(page)	((HnswPageOpaque) PageGetSpecialPointer(page))

typedef struct HnswMetaPageData
{
	uint32		magic;
	uint32		version;
	uint32		dimensions;		/* of the indexed values (0 until known) */
	uint16		m;
	uint16		ef_construction;
	ItemPointerData entry_point;	/* invalid while the index is empty */
	int16		entry_level;	/* -1 while the index is empty */
	BlockNumber insert_block;	/* where inserts look for free space first */
} HnswMetaPageData;

typedef HnswMetaPageData *HnswMetaPage;

#define HnswPageGetMeta(page)	((HnswMetaPage) PageGetContents(page))

/* Tuple kinds (first byte of every item on an element page) */
#define HNSW_ELEMENT_TUPLE			1
#define HNSW_NEIGHBOR_TUPLE			2

typedef struct HnswElementTupleData
{
	uint8		type;			/* HNSW_ELEMENT_TUPLE */
	uint8		level;
	uint8		deleted;		/* HNSW_ELEMENT_LIVE, _DELETED or _FREE */
	uint8		heaptid_count;	/* heaptids[0..heaptid_count) are in use */
	ItemPointerData neighbor_tid;
	ItemPointerData heaptids[VC_HNSW_MAX_PAYLOADS];
	/* the value: a 4-byte-header varlena, int-aligned */
	char		value[FLEXIBLE_ARRAY_MEMBER] pg_attribute_aligned(4);
} HnswElementTupleData;

typedef HnswElementTupleData *HnswElementTuple;

/*
 * An element's life: live (it has heap TIDs); deleted (VACUUM took its last
 * heap TID: searches still pass through it, never return it, and inserts
 * never link to it); free (VACUUM repaired every list that named it and
 * emptied its own: its two items wait for an insert to overwrite them).
 */
#define HNSW_ELEMENT_LIVE			0
#define HNSW_ELEMENT_DELETED		1
#define HNSW_ELEMENT_FREE			2

#define HNSW_ELEMENT_TUPLE_SIZE(value_bytes) \
	MAXALIGN(offsetof(HnswElementTupleData, value) + (value_bytes))

typedef struct HnswNeighborTupleData
{
	uint8		type;			/* HNSW_NEIGHBOR_TUPLE */
	uint8		unused;
	uint16		count;			/* slots: (level + 2) * m */
	ItemPointerData neighbors[FLEXIBLE_ARRAY_MEMBER];
} HnswNeighborTupleData;

typedef HnswNeighborTupleData *HnswNeighborTuple;

#define HNSW_NEIGHBOR_TUPLE_SIZE(level, m) \
	MAXALIGN(offsetof(HnswNeighborTupleData, neighbors) + \
			 sizeof(ItemPointerData) * ((level) + 2) * (m))

/* Room an item of size bytes takes on a page, its line pointer included */
static inline Size
hnsw_item_space(Size size)
{
	return MAXALIGN(size) + sizeof(ItemIdData);
}

/* Room for items on a freshly initialized element page */
static inline Size
hnsw_empty_page_space(void)
{
	return BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData));
}

/* Slots of layer 'layer' in a neighbour tuple: 2m for layer 0, then m each */
static inline int
hnsw_layer_capacity(int m, int layer)
{
	return layer == 0 ? 2 * m : m;
}

static inline int
hnsw_layer_first_slot(int m, int layer)
{
	return layer == 0 ? 0 : 2 * m + (layer - 1) * m;
}

/* An element's TID as the search state's id, and back */
static inline uint64
hnsw_tid_to_id(ItemPointer tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) |
		ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline void
hnsw_id_to_tid(uint64 id, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (id >> 16), (OffsetNumber) (id & 0xFFFF));
}

/* A heap TID as the core graph's payload, and back */
static inline uint64
hnsw_heaptid_to_payload(ItemPointer tid)
{
	return hnsw_tid_to_id(tid);
}

/* ------------------------------------------------------------------------
 * What an index holds: the value type and metric, from its opclass
 * ------------------------------------------------------------------------ */

typedef struct HnswTypeInfo
{
	vc_element_kind kind;		/* F32, F16, BITS or SPARSE */
	vc_metric	metric;			/* the search's: negative inner product for cosine */
	bool		cosine;			/* values are normalized; zero vectors left out */
	int			m;
	int			ef_construction;
} HnswTypeInfo;

/* One search's state over one index (search.c) */

typedef struct HnswSearchContext
{
	const HnswTypeInfo *info;
	int			m;
	uint32		dimensions;
	bool		null_query;		/* every element scores 0 */
	IndexPageReader *reader;
	vc_search  *search;
	vc_element_kind search_kind;	/* CALLER_SCORED for a NULL query */
	uint64	   *id_buffer;		/* neighbour lists, entry sets */
	size_t		id_buffer_capacity;
} HnswSearchContext;

/* handler.c */
extern void hnsw_init(void);

/* utils.c */
extern void hnsw_get_type_info(Relation index, HnswTypeInfo *info);
extern int	hnsw_get_m(Relation index);
extern int	hnsw_get_ef_construction(Relation index);
extern uint32 hnsw_index_dimensions(Relation index, const HnswTypeInfo *info);
extern struct varlena *hnsw_prepare_value(const HnswTypeInfo *info, Datum value, bool for_query);
extern double hnsw_value_norm(const HnswTypeInfo *info, const struct varlena *value);
extern const void *hnsw_value_vector(const HnswTypeInfo *info, const struct varlena *value);
extern size_t hnsw_value_vector_bytes(const HnswTypeInfo *info, const struct varlena *value);
extern uint32 hnsw_value_dimensions(const HnswTypeInfo *info, const struct varlena *value);
extern float hnsw_distance(const HnswTypeInfo *info, uint32 dimensions, const void *a, const void *b);
extern void hnsw_sort_by_distance(uint32 *order, const float *distances, const uint64 *ids,
								  size_t count);
extern int	hnsw_random_level(int m, ItemPointer heap_tid);
extern void hnsw_check_core(vc_status status, const char *what);

/* pages.c */
extern void hnsw_init_page(Page page, uint16 flags);
extern void hnsw_read_meta(Relation index, HnswMetaPageData *meta);
extern void hnsw_update_meta(Relation index, const ItemPointerData *entry_point, int entry_level,
							 BlockNumber insert_block, bool only_if_higher);
extern void hnsw_write_empty_meta(Relation index, ForkNumber fork, int m, int ef_construction,
								  uint32 dimensions);
extern Size hnsw_element_tuple_size(const struct varlena *value);
extern void hnsw_fill_element_tuple(HnswElementTuple tuple, int level,
									const ItemPointerData *heaptids, int heaptid_count,
									const ItemPointerData *neighbor_tid,
									const struct varlena *value);
extern void hnsw_fill_empty_neighbor_tuple(HnswNeighborTuple tuple, int level, int m);
extern HnswElementTuple hnsw_page_element(Page page, OffsetNumber offset);
extern HnswNeighborTuple hnsw_page_neighbors(Page page, OffsetNumber offset);

/* build.c */
extern IndexBuildResult *hnsw_build(Relation heap, Relation index, IndexInfo *index_info);
extern void hnsw_build_empty(Relation index);

/* insert.c */
extern bool hnsw_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
						Relation heap, IndexUniqueCheck check_unique,
						bool index_unchanged, IndexInfo *index_info);
extern void hnsw_insert_value(Relation index, const HnswTypeInfo *info,
							  const struct varlena *value, ItemPointer heap_tid);
extern bool hnsw_link_back(Relation index, HnswSearchContext *context, uint64 neighbor_id,
						   int layer, uint64 new_id, const void *new_vector, bool force);

/* search.c */
extern HnswSearchContext *hnsw_search_context_create(Relation index, const HnswTypeInfo *info,
													 uint32 dimensions, bool null_query);
extern void hnsw_search_context_free(HnswSearchContext *context);
extern size_t hnsw_read_neighbors(IndexPageReader *reader, uint64 id, int layer, int m,
								  uint64 *out);
extern void hnsw_load_vector_copies(HnswSearchContext *context, const uint64 *ids, size_t count,
									const void **vectors);
extern size_t hnsw_search_layer(HnswSearchContext *context, const void *query,
								const uint64 *entry_ids, size_t entry_count, int layer,
								size_t ef, uint64 *result_ids, float *result_distances,
								size_t *scored);
extern size_t hnsw_descend(HnswSearchContext *context, const void *query,
						   const HnswMetaPageData *meta, int down_to_layer, size_t beam,
						   uint64 *entries);
extern size_t hnsw_find_nearest(HnswSearchContext *context, const void *query,
								const HnswMetaPageData *meta, int down_to_layer, size_t beam,
								size_t ef,
								uint64 *result_ids, float *result_distances, size_t *scored);

/* scan.c */
extern IndexScanDesc hnsw_begin_scan(Relation index, int nkeys, int norderbys);
extern void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys,
						int norderbys);
extern bool hnsw_get_tuple(IndexScanDesc scan, ScanDirection dir);
extern void hnsw_end_scan(IndexScanDesc scan);

/* vacuum.c */
extern IndexBulkDeleteResult *hnsw_bulk_delete(IndexVacuumInfo *info,
											   IndexBulkDeleteResult *stats,
											   IndexBulkDeleteCallback callback,
											   void *callback_state);
extern IndexBulkDeleteResult *hnsw_vacuum_cleanup(IndexVacuumInfo *info,
												  IndexBulkDeleteResult *stats);

/* cost.c */
extern void hnsw_cost_estimate(PlannerInfo *root, IndexPath *path, double loop_count,
							   Cost *startup_cost, Cost *total_cost,
							   Selectivity *selectivity, double *correlation,
							   double *index_pages);

#endif							/* HNSW_H */
