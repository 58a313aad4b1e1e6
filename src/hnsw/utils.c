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
#include "common/pg_prng.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varbit.h"

#include "core_status.h"
#include "halfvec.h"
#include "hnsw.h"
#include "sparsevec.h"
#include "vector.h"

/* The opclasses' distance functions (support function 1) */
extern Datum vector_l2_squared_distance(PG_FUNCTION_ARGS);
extern Datum vector_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum l1_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_l2_squared_distance(PG_FUNCTION_ARGS);
extern Datum halfvec_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum halfvec_l1_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_l2_squared_distance(PG_FUNCTION_ARGS);
extern Datum sparsevec_negative_inner_product(PG_FUNCTION_ARGS);
extern Datum sparsevec_l1_distance(PG_FUNCTION_ARGS);
extern Datum hamming_distance(PG_FUNCTION_ARGS);
extern Datum jaccard_distance(PG_FUNCTION_ARGS);

/* The normalizers cosine indexes store and search with */
extern Datum l2_normalize(PG_FUNCTION_ARGS);
extern Datum halfvec_l2_normalize(PG_FUNCTION_ARGS);
extern Datum sparsevec_l2_normalize(PG_FUNCTION_ARGS);

typedef struct DistanceFunction
{
	PGFunction	function;
	vc_element_kind kind;
	vc_metric	metric;
} DistanceFunction;

static const DistanceFunction distance_functions[] = {
	{vector_l2_squared_distance, VC_ELEMENT_F32, VC_METRIC_L2_SQUARED},
	{vector_negative_inner_product, VC_ELEMENT_F32, VC_METRIC_NEGATIVE_INNER_PRODUCT},
	{l1_distance, VC_ELEMENT_F32, VC_METRIC_L1},
	{halfvec_l2_squared_distance, VC_ELEMENT_F16, VC_METRIC_L2_SQUARED},
	{halfvec_negative_inner_product, VC_ELEMENT_F16, VC_METRIC_NEGATIVE_INNER_PRODUCT},
	{halfvec_l1_distance, VC_ELEMENT_F16, VC_METRIC_L1},
	{sparsevec_l2_squared_distance, VC_ELEMENT_SPARSE, VC_METRIC_L2_SQUARED},
	{sparsevec_negative_inner_product, VC_ELEMENT_SPARSE, VC_METRIC_NEGATIVE_INNER_PRODUCT},
	{sparsevec_l1_distance, VC_ELEMENT_SPARSE, VC_METRIC_L1},
	{hamming_distance, VC_ELEMENT_BITS, VC_METRIC_HAMMING},
	{jaccard_distance, VC_ELEMENT_BITS, VC_METRIC_JACCARD},
};

/*
 * The opclass says what the index holds through its distance function;
 * cosine opclasses add a norm function (support 2) and are searched as
 * negative inner product over normalized values, like pgvector, so a zero
 * query still finds rows.
 */
void
hnsw_get_type_info(Relation index, HnswTypeInfo *info)
{
	FmgrInfo   *distance = index_getprocinfo(index, 1, HNSW_DISTANCE_PROC);
	bool		found = false;

	for (size_t i = 0; i < lengthof(distance_functions); i++)
	{
		if (distance->fn_addr == distance_functions[i].function)
		{
			info->kind = distance_functions[i].kind;
			info->metric = distance_functions[i].metric;
			found = true;
			break;
		}
	}
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("operator class of index \"%s\" has a distance function hnsw does not know",
						RelationGetRelationName(index))));

	/* the type support function, where the opclass has one, must agree */
	if (OidIsValid(index_getprocid(index, 1, HNSW_TYPE_SUPPORT_PROC)))
	{
		FmgrInfo   *support = index_getprocinfo(index, 1, HNSW_TYPE_SUPPORT_PROC);
		const vc_element_kind *kind;

		kind = (const vc_element_kind *) DatumGetPointer(FunctionCall1(support, PointerGetDatum(NULL)));
		if (*kind != info->kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator class of index \"%s\" mixes types", RelationGetRelationName(index))));
	}

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

/* Name of the SQL type of a kind, for messages */
static const char *
kind_type_name(vc_element_kind kind)
{
	switch (kind)
	{
		case VC_ELEMENT_F32:
			return "vector";
		case VC_ELEMENT_F16:
			return "halfvec";
		case VC_ELEMENT_BITS:
			return "bit";
		default:
			return "sparsevec";
	}
}

/*
 * The dimensions an index over a fixed-size type is built for (its column's
 * typmod), checked against the indexable limit.  0 for sparsevec, whose
 * values are checked one by one.
 */
uint32
hnsw_index_dimensions(Relation index, const HnswTypeInfo *info)
{
	int32		typmod = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;
	int			limit;

	if (info->kind == VC_ELEMENT_SPARSE)
		return 0;

	/* bit varying would let rows of one index differ in length */
	if (info->kind == VC_ELEMENT_BITS &&
		TupleDescAttr(RelationGetDescr(index), 0)->atttypid != BITOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type not supported for hnsw index"),
				 errhint("Index a cast to a fixed length instead, e.g. ((column::bit(64)) bit_hamming_ops).")));

	if (typmod < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column does not have dimensions"),
				 errhint("An hnsw index needs a column of fixed dimensions, such as %s(3).",
						 kind_type_name(info->kind))));

	limit = info->kind == VC_ELEMENT_F32 ? HNSW_MAX_DIM :
		info->kind == VC_ELEMENT_F16 ? HNSW_MAX_HALFVEC_DIM : HNSW_MAX_BIT_DIM;
	if (typmod > limit)
	{
		if (info->kind == VC_ELEMENT_F32)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("column cannot have more than %d dimensions for hnsw index", limit),
					 errhint("Index the column as halfvec (up to %d dimensions), e.g. ((%s::halfvec(%d)) halfvec_l2_ops), or binary_quantize() it to bit.",
							 HNSW_MAX_HALFVEC_DIM, "embedding", typmod)));
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for hnsw index", limit),
				 info->kind == VC_ELEMENT_F16 ?
				 errhint("binary_quantize() the column to bit to index it, or reduce its dimensions with subvector().") : 0));
	}
	return (uint32) typmod;
}

/*
 * The value as the index stores and searches it: detoasted (a 4-byte-header
 * varlena), checked against the index limits, normalized for cosine.
 * Returns NULL for a value the index does not hold (a zero vector under
 * cosine); queries get the zero vector instead, which ranks every element
 * alike, as pgvector does.
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

	if (!info->cosine)
		return detoasted;

	if (!for_query && hnsw_value_norm(info, detoasted) == 0)
		return NULL;

	switch (info->kind)
	{
		case VC_ELEMENT_F32:
			return (struct varlena *) DatumGetPointer(DirectFunctionCall1(l2_normalize, PointerGetDatum(detoasted)));
		case VC_ELEMENT_F16:
			return (struct varlena *) DatumGetPointer(DirectFunctionCall1(halfvec_l2_normalize, PointerGetDatum(detoasted)));
		case VC_ELEMENT_SPARSE:
			return (struct varlena *) DatumGetPointer(DirectFunctionCall1(sparsevec_l2_normalize, PointerGetDatum(detoasted)));
		default:
			return detoasted;
	}
}

/* Euclidean norm of a prepared value (only for vector, halfvec, sparsevec) */
double
hnsw_value_norm(const HnswTypeInfo *info, const struct varlena *value)
{
	switch (info->kind)
	{
		case VC_ELEMENT_F32:
			{
				const Vector *v = (const Vector *) value;

				return vc_f32_l2_norm(v->x, v->dim);
			}
		case VC_ELEMENT_F16:
			{
				const HalfVector *v = (const HalfVector *) value;

				return vc_f16_l2_norm((const uint16_t *) v->x, v->dim);
			}
		case VC_ELEMENT_SPARSE:
			{
				const SparseVector *v = (const SparseVector *) value;

				return vc_f32_l2_norm(SPARSEVEC_VALUES(v), v->nnz);
			}
		default:
			return 1;
	}
}

/*
 * What the core's kernels read of a prepared value: the elements of a
 * vector or halfvec, the bytes of a bit string, a sparsevec without its
 * varlena header.
 */
const void *
hnsw_value_vector(const HnswTypeInfo *info, const struct varlena *value)
{
	switch (info->kind)
	{
		case VC_ELEMENT_F32:
			return ((const Vector *) value)->x;
		case VC_ELEMENT_F16:
			return ((const HalfVector *) value)->x;
		case VC_ELEMENT_BITS:
			return VARBITS((const VarBit *) value);
		default:
			return VARDATA(value);
	}
}

size_t
hnsw_value_vector_bytes(const HnswTypeInfo *info, const struct varlena *value)
{
	const char *start = hnsw_value_vector(info, value);

	return VARSIZE(value) - (start - (const char *) value);
}

/* Dimensions of a prepared value (bits for bit strings, dim for sparsevec) */
uint32
hnsw_value_dimensions(const HnswTypeInfo *info, const struct varlena *value)
{
	switch (info->kind)
	{
		case VC_ELEMENT_F32:
			return ((const Vector *) value)->dim;
		case VC_ELEMENT_F16:
			return ((const HalfVector *) value)->dim;
		case VC_ELEMENT_BITS:
			return VARBITLEN((const VarBit *) value);
		default:
			return ((const SparseVector *) value)->dim;
	}
}

/*
 * A new element's top layer: floor(-ln(U) * mL) with mL = 1 / ln(m), the
 * distribution HNSW's analysis assumes, capped where the layout stops.
 */
int
hnsw_random_level(int m)
{
	double		ml = 1.0 / log(m);
	double		u = pg_prng_double(&pg_global_prng_state);
	int			level;

	/* pg_prng_double is in [0, 1): avoid log(0) */
	if (u <= 0.0)
		u = DBL_MIN;
	level = (int) floor(-log(u) * ml);
	return Min(level, VC_HNSW_MAX_LEVEL);
}

/* Error out on a failed core call */
void
hnsw_check_core(vc_status status, const char *what)
{
	if (status == VC_OK)
		return;
	if (status == VC_ERROR_NO_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("The hnsw core could not allocate memory for %s.", what)));
	ereport(ERROR,
			(errcode(core_status_sqlstate(status)),
			 errmsg("hnsw %s failed (core status %d)", what, (int) status)));
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
