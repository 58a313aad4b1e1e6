/*
 * utils.c
 *	  What an hnsw index holds and how its values are prepared: the element
 *	  kind and metric its opclass stands for, limits, normalization for
 *	  cosine, the level of a new element.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/reloptions.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varbit.h"

#include "hnsw.h"
#include "index_common.h"
#include "sparsevec.h"

/*
 * The opclass says what the index holds through its distance function;
 * cosine opclasses add a norm function (support 2) and are searched as
 * negative inner product over normalized values, like pgvector, so a zero
 * query still finds rows.
 */
void
hnsw_get_type_info(Relation index, HnswTypeInfo *info)
{
	index_opclass_kind(index, HNSW_DISTANCE_PROC, HNSW_TYPE_SUPPORT_PROC, "hnsw",
					   &info->kind, &info->metric);
	info->cosine = OidIsValid(index_getprocid(index, 1, HNSW_NORM_PROC));
	info->m = hnsw_get_m(index);
	info->ef_construction = hnsw_get_ef_construction(index);
}

int
hnsw_get_m(Relation index)
{
	HnswOptions *options = (HnswOptions *) index->rd_options;

	return options != NULL ? options->m : HNSW_DEFAULT_M;
}

int
hnsw_get_ef_construction(Relation index)
{
	HnswOptions *options = (HnswOptions *) index->rd_options;

	return options != NULL ? options->ef_construction : HNSW_DEFAULT_EF_CONSTRUCTION;
}

uint32
hnsw_index_dimensions(Relation index, const HnswTypeInfo *info)
{
	return index_column_dimensions(index, info->kind, "hnsw");
}

/*
 * The value as the index stores and searches it (index_prepare_value), a
 * sparsevec checked against the index's limit of non-zero elements first.
 */
struct varlena *
hnsw_prepare_value(const HnswTypeInfo *info, Datum value, bool for_query)
{
	struct varlena *detoasted = PG_DETOAST_DATUM(value);

	if (info->kind == VC_ELEMENT_SPARSE && !for_query)
	{
		SparseVector *sparse = (SparseVector *) detoasted;

		if (sparse->nnz > HNSW_MAX_SPARSEVEC_NNZ)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index",
							HNSW_MAX_SPARSEVEC_NNZ),
					 errdetail("The value has %d non-zero elements.", sparse->nnz)));
	}
	return index_prepare_value(info->kind, info->cosine, PointerGetDatum(detoasted), for_query);
}

double
hnsw_value_norm(const HnswTypeInfo *info, const struct varlena *value)
{
	return index_value_norm(info->kind, value);
}

const void *
hnsw_value_vector(const HnswTypeInfo *info, const struct varlena *value)
{
	return index_value_vector(info->kind, value);
}

size_t
hnsw_value_vector_bytes(const HnswTypeInfo *info, const struct varlena *value)
{
	return index_value_vector_bytes(info->kind, value);
}

uint32
hnsw_value_dimensions(const HnswTypeInfo *info, const struct varlena *value)
{
	return index_value_dimensions(info->kind, value);
}

/*
 * The level of a new element: floor(-ln(u) * mL) with mL = 1 / ln(m), as
 * HNSW draws it, with u taken from a hash of the row's heap TID rather than
 * from a generator seeded differently in every backend: the same rows
 * inserted the same way give the same graph, so a test that passes passes
 * every time, and the levels are as uniform as the hash.
 */
int
hnsw_random_level(int m, ItemPointer heap_tid)
{
	double		ml = 1.0 / log(m);
	uint64		hash = hash_bytes_extended((const unsigned char *) heap_tid,
										   sizeof(ItemPointerData), UINT64CONST(0x4e53571e));
	/* 53 random bits, in (0, 1]: no log(0) */
	double		u = ((double) (hash >> 11) + 1.0) / 9007199254740992.0;
	int			level = (int) floor(-log(u) * ml);

	return Min(level, VC_HNSW_MAX_LEVEL);
}

/* Error out on a failed core call */
void
hnsw_check_core(vc_status status, const char *what)
{
	index_check_core(status, "hnsw", what);
}

/*
 * Distance between two vectors as the search computes it (what the kernels
 * read of a prepared value, see hnsw_value_vector), "smaller is nearer".
 */
float
hnsw_distance(const HnswTypeInfo *info, uint32 dimensions, const void *a, const void *b)
{
	float		distance = 0;

	hnsw_check_core(vc_element_distance(info->kind, info->metric, dimensions, a, b, &distance),
					"computing a distance");
	return distance;
}

/* order[0..count) sorted by distances[order[i]], ties by ids[order[i]] */
void
hnsw_sort_by_distance(uint32 *order, const float *distances, const uint64 *ids, size_t count)
{
	/* insertion sort: at most 2 * m + 1 entries */
	for (size_t i = 1; i < count; i++)
	{
		uint32		current = order[i];
		size_t		j = i;

		while (j > 0 &&
			   (distances[order[j - 1]] > distances[current] ||
				(distances[order[j - 1]] == distances[current] && ids[order[j - 1]] > ids[current])))
		{
			order[j] = order[j - 1];
			j--;
		}
		order[j] = current;
	}
}
