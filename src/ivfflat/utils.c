/*
 * utils.c
 *	  What an ivfflat index holds: the element kind and metrics its opclass
 *	  stands for, how values are prepared, its lists (centres and where each
 *	  list is, read from the index or kept in rd_amcache), and the nearest
 *	  list of a vector.
 */
#include "postgres.h"

#include "access/genam.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "index_common.h"
#include "ivfflat.h"

/*
 * Centres are kept in rd_amcache up to this many bytes; an index with more
 * (thousands of lists of long vectors) reads them for each scan and insert,
 * as pgvector always does, rather than holding that much in every backend.
 */
#define LISTS_CACHE_MAX_BYTES	(8 * 1024 * 1024)

/*
 * The opclass: its distance function (support 1) gives the kind and the
 * metric of entries; cosine has a norm function (support 2): values are
 * normalized before they are stored and queries before they are scored;
 * ip and cosine have a k-means norm function (support 4): their centres
 * are unit vectors (spherical k-means), ranked by inner product.
 */
void
ivfflat_get_type_info(Relation index, IvfflatTypeInfo *info)
{
	index_opclass_kind(index, IVFFLAT_DISTANCE_PROC, IVFFLAT_TYPE_SUPPORT_PROC, "ivfflat",
					   &info->kind, &info->metric);
	if (info->kind == VC_ELEMENT_SPARSE ||
		(info->metric != VC_METRIC_L2_SQUARED && info->metric != VC_METRIC_NEGATIVE_INNER_PRODUCT &&
		 info->metric != VC_METRIC_HAMMING))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("operator class of index \"%s\" is not one ivfflat supports",
						RelationGetRelationName(index))));
	info->normalize = OidIsValid(index_getprocid(index, 1, IVFFLAT_NORM_PROC));
	info->spherical = OidIsValid(index_getprocid(index, 1, IVFFLAT_KMEANS_NORM_PROC));
	info->center_metric = info->spherical ? VC_METRIC_NEGATIVE_INNER_PRODUCT : info->metric;
	info->lists = ivfflat_get_lists(index);
}

int
ivfflat_get_lists(Relation index)
{
	IvfflatOptions *options = (IvfflatOptions *) index->rd_options;

	return options != NULL ? options->lists : IVFFLAT_DEFAULT_LISTS;
}

/* Bytes of a vector of the kind: a centre, an entry's vector */
uint32
ivfflat_vector_bytes(vc_element_kind kind, uint32 dimensions)
{
	switch (kind)
	{
		case VC_ELEMENT_F32:
			return dimensions * sizeof(float);
		case VC_ELEMENT_F16:
			return dimensions * sizeof(uint16);
		default:
			return (dimensions + 7) / 8;
	}
}

/* The value as stored and scored (NULL: a zero vector under cosine) */
struct varlena *
ivfflat_prepare_value(const IvfflatTypeInfo *info, Datum value, bool for_query)
{
	return index_prepare_value(info->kind, info->normalize, value, for_query);
}

void
ivfflat_check_core(vc_status status, const char *what)
{
	index_check_core(status, "ivfflat", what);
}

static void
copy_list(void *arg, uint32 list, ItemPointer tid, IvfflatListTuple tuple)
{
	IvfflatLists *lists = arg;

	lists->list_tids[list] = *tid;
}

/* Read the centres and the directory into lists, allocated in context */
static IvfflatLists *
read_lists(Relation index, MemoryContext context)
{
	IvfflatMetaPageData meta;
	IvfflatLists *lists;
	uint32		list;
	Size		centers_bytes;
	Size		total;
	char	   *chunk;

	/* one chunk (so that relcache's pfree of rd_amcache frees it all) */
	ivfflat_read_meta(index, &meta);
	centers_bytes = MAXALIGN((Size) meta.lists * meta.vector_bytes);
	total = MAXALIGN(sizeof(IvfflatLists)) + centers_bytes +
		sizeof(ItemPointerData) * meta.lists;
	chunk = MemoryContextAllocExtended(context, total, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	lists = (IvfflatLists *) chunk;
	chunk += MAXALIGN(sizeof(IvfflatLists));
	lists->centers = chunk;
	chunk += centers_bytes;
	lists->list_tids = (ItemPointerData *) chunk;
	lists->relfilenode = index->rd_node.relNode;
	lists->dimensions = meta.dimensions;
	lists->count = meta.lists;
	lists->vector_bytes = meta.vector_bytes;

	ivfflat_read_centers(index, &meta, lists->centers);
	list = ivfflat_walk_directory(index, NULL, meta.lists, copy_list, lists);
	if (list != meta.lists)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("ivfflat index \"%s\" has %u lists in its directory, its metapage says %u",
						RelationGetRelationName(index), list, meta.lists)));
	return lists;
}

/*
 * The lists of an index: from rd_amcache when they are there (and of the
 * index's current storage), else read, and kept there when small enough.
 * *cached tells whether the caller must leave them alone or free them
 * (ivfflat_free_lists).
 */
const IvfflatLists *
ivfflat_get_lists_of(Relation index, bool *cached)
{
	IvfflatLists *lists = (IvfflatLists *) index->rd_amcache;
	IvfflatMetaPageData meta;

	if (lists != NULL && lists->relfilenode == index->rd_node.relNode)
	{
		*cached = true;
		return lists;
	}

	ivfflat_read_meta(index, &meta);
	if ((Size) meta.lists * meta.vector_bytes <= LISTS_CACHE_MAX_BYTES)
	{
		lists = read_lists(index, index->rd_indexcxt);
		if (index->rd_amcache != NULL)
			pfree(index->rd_amcache);
		index->rd_amcache = lists;
		*cached = true;
		return lists;
	}
	*cached = false;
	return read_lists(index, CurrentMemoryContext);
}

void
ivfflat_free_lists(const IvfflatLists *lists, bool cached)
{
	if (!cached && lists != NULL)
		pfree((void *) lists);
}

/* The list a vector (prepared, of the index's kind) belongs to */
uint32
ivfflat_nearest_list(const IvfflatTypeInfo *info, const IvfflatLists *lists, const void *vector)
{
	uint32		nearest = 0;

	ivfflat_check_core(vc_nearest_centers(info->kind, info->center_metric, lists->dimensions,
										  lists->centers, lists->count, vector, 1, &nearest, NULL),
					   "finding the nearest list");
	return nearest;
}
