/*
 * index_common.c
 *	  What the hnsw and ivfflat access methods share (see index_common.h).
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/genam.h"
#include "commands/vacuum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "optimizer/optimizer.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/varbit.h"

#include "core_status.h"
#include "halfvec.h"
#include "index_common.h"
#include "sparsevec.h"
#include "type_checks.h"
#include "vector.h"

/* The opclasses' distance functions (support function 1 of both methods) */
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

void
index_opclass_kind(Relation index, uint16 distance_proc, uint16 type_support_proc,
				   const char *am_name, vc_element_kind *kind, vc_metric *metric)
{
	FmgrInfo   *distance = index_getprocinfo(index, 1, distance_proc);
	bool		found = false;

	for (size_t i = 0; i < lengthof(distance_functions); i++)
	{
		if (distance->fn_addr == distance_functions[i].function)
		{
			*kind = distance_functions[i].kind;
			*metric = distance_functions[i].metric;
			found = true;
			break;
		}
	}
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("operator class of index \"%s\" has a distance function %s does not know",
						RelationGetRelationName(index), am_name)));

	if (OidIsValid(index_getprocid(index, 1, type_support_proc)))
	{
		FmgrInfo   *support = index_getprocinfo(index, 1, type_support_proc);
		const vc_element_kind *support_kind;

		support_kind = (const vc_element_kind *) DatumGetPointer(FunctionCall1(support, PointerGetDatum(NULL)));
		if (*support_kind != *kind)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("operator class of index \"%s\" mixes types", RelationGetRelationName(index))));
	}
}

static const vc_element_kind kind_constants[] = {
	[VC_ELEMENT_F32] = VC_ELEMENT_F32,
	[VC_ELEMENT_F16] = VC_ELEMENT_F16,
	[VC_ELEMENT_BITS] = VC_ELEMENT_BITS,
	[VC_ELEMENT_CALLER_SCORED] = VC_ELEMENT_CALLER_SCORED,
	[VC_ELEMENT_SPARSE] = VC_ELEMENT_SPARSE,
};

const vc_element_kind *
index_kind_pointer(vc_element_kind kind)
{
	Assert((size_t) kind < lengthof(kind_constants));
	return &kind_constants[kind];
}

const char *
index_kind_type_name(vc_element_kind kind)
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

uint32
index_column_dimensions(Relation index, vc_element_kind kind, const char *am_name)
{
	Form_pg_attribute attribute = TupleDescAttr(RelationGetDescr(index), 0);
	int32		typmod = attribute->atttypmod;
	int			limit;

	if (kind == VC_ELEMENT_SPARSE)
		return 0;

	/* bit varying would let rows of one index differ in length */
	if (kind == VC_ELEMENT_BITS && attribute->atttypid != BITOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type not supported for %s index", am_name),
				 errhint("Index a cast to a fixed length instead, e.g. ((column::bit(64)) bit_hamming_ops).")));

	if (typmod < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("column does not have dimensions"),
				 errhint("An %s index needs a column of fixed dimensions, such as %s(3).",
						 am_name, index_kind_type_name(kind))));

	limit = kind == VC_ELEMENT_F32 ? INDEX_MAX_VECTOR_DIM :
		kind == VC_ELEMENT_F16 ? INDEX_MAX_HALFVEC_DIM : INDEX_MAX_BIT_DIM;
	if (typmod > limit)
	{
		if (kind == VC_ELEMENT_F32)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("column cannot have more than %d dimensions for %s index", limit, am_name),
					 errhint("Index the column as halfvec (up to %d dimensions), e.g. ((%s::halfvec(%d)) halfvec_l2_ops), or binary_quantize() it to bit.",
							 INDEX_MAX_HALFVEC_DIM, "embedding", typmod)));
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column cannot have more than %d dimensions for %s index", limit, am_name),
				 kind == VC_ELEMENT_F16 ?
				 errhint("binary_quantize() the column to bit to index it, or reduce its dimensions with subvector().") : 0));
	}
	return (uint32) typmod;
}

struct varlena *
index_prepare_value(vc_element_kind kind, bool normalize, Datum value, bool for_query)
{
	struct varlena *detoasted = PG_DETOAST_DATUM(value);

	if (!normalize)
		return detoasted;

	if (!for_query && index_value_norm(kind, detoasted) == 0)
		return NULL;

	switch (kind)
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

double
index_value_norm(vc_element_kind kind, const struct varlena *value)
{
	switch (kind)
	{
		case VC_ELEMENT_F32:
			{
				const Vector *v = (const Vector *) value;

				return vc_f32_l2_norm(v->x, v->dim);
			}
		case VC_ELEMENT_F16:
			{
				const HalfVector *v = (const HalfVector *) value;

				return vc_f16_l2_norm((const uint16 *) v->x, v->dim);
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

const void *
index_value_vector(vc_element_kind kind, const struct varlena *value)
{
	switch (kind)
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
index_value_vector_bytes(vc_element_kind kind, const struct varlena *value)
{
	const char *start = index_value_vector(kind, value);

	return VARSIZE(value) - (start - (const char *) value);
}

uint32
index_value_dimensions(vc_element_kind kind, const struct varlena *value)
{
	switch (kind)
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

void
index_check_query_dimensions(vc_element_kind kind, uint32 index_dimensions,
							 const struct varlena *query)
{
	uint32		dimensions;

	if (kind == VC_ELEMENT_SPARSE || index_dimensions == 0)
		return;
	dimensions = index_value_dimensions(kind, query);
	if (dimensions == index_dimensions)
		return;
	if (kind == VC_ELEMENT_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_LENGTH_MISMATCH),
				 errmsg("cannot compare bit strings of different lengths %u and %u",
						index_dimensions, dimensions)));
	type_report_dimension_mismatch(index_kind_type_name(kind), (int) index_dimensions,
								   (int) dimensions);
}

void
index_check_core(vc_status status, const char *am_name, const char *what)
{
	if (status == VC_OK)
		return;
	if (status == VC_ERROR_NO_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("The %s core could not allocate memory for %s.", am_name, what)));
	ereport(ERROR,
			(errcode(core_status_sqlstate(status)),
			 errmsg("%s %s failed (core status %d)", am_name, what, (int) status)));
}

Buffer
index_new_buffer(Relation index, ForkNumber fork)
{
	Buffer		buffer;

	/* two backends extending at once would otherwise get the same block */
	LockRelationForExtension(index, ExclusiveLock);
	buffer = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);
	LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
	UnlockRelationForExtension(index, ExclusiveLock);
	return buffer;
}

/*
 * The tuples of every page from first_block on, counted by count_page under
 * a share lock, through the vacuum's buffer strategy.
 */
double
index_count_tuples(IndexVacuumInfo *info, BlockNumber first_block,
				   IndexPageTupleCount count_page)
{
	BlockNumber blocks = RelationGetNumberOfBlocks(info->index);
	double		tuples = 0;

	for (BlockNumber block = first_block; block < blocks; block++)
	{
		Buffer		buffer = ReadBufferExtended(info->index, MAIN_FORKNUM, block, RBM_NORMAL,
												info->strategy);

		vacuum_delay_point();
		LockBuffer(buffer, BUFFER_LOCK_SHARE);
		tuples += count_page(BufferGetPage(buffer));
		UnlockReleaseBuffer(buffer);
	}
	return tuples;
}

IndexAmRoutine *
index_ordered_am_routine(uint16 support_count)
{
	IndexAmRoutine *routine = makeNode(IndexAmRoutine);

	routine->amstrategies = 0;
	routine->amsupport = support_count;
	routine->amoptsprocnum = 0;
	routine->amcanorder = false;
	routine->amcanorderbyop = true;
	routine->amcanbackward = false;
	routine->amcanunique = false;
	routine->amcanmulticol = false;
	routine->amoptionalkey = true;
	routine->amsearcharray = false;
	routine->amsearchnulls = false;
	routine->amstorage = false;
	routine->amclusterable = false;
	routine->ampredlocks = false;
	routine->amcanparallel = false;
#if PG_VERSION_NUM >= 170000
	routine->amcanbuildparallel = true;
#endif
	routine->amcaninclude = false;
	routine->amusemaintenanceworkmem = false;
#if PG_VERSION_NUM >= 160000
	routine->amsummarizing = false;
#endif
	routine->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
	routine->amkeytype = InvalidOid;

	/* nothing these methods do not do */
	routine->amcanreturn = NULL;
	routine->amproperty = NULL;
	routine->amadjustmembers = NULL;
	routine->amgetbitmap = NULL;
	routine->ammarkpos = NULL;
	routine->amrestrpos = NULL;
	routine->amestimateparallelscan = NULL;
	routine->aminitparallelscan = NULL;
	routine->amparallelrescan = NULL;
	return routine;
}

int
index_build_threads(Relation heap, Relation index, IndexInfo *index_info)
{
	int			workers = index_info->ii_ParallelWorkers;

	if (workers == 0 && IsNormalProcessingMode() && !RelationUsesLocalBuffers(heap))
		workers = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
	return 1 + Max(workers, 0);
}

void
index_rescan_keys(IndexScanDesc scan, ScanKey keys, ScanKey orderbys)
{
	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
}

void
index_require_order_by(IndexScanDesc scan, const char *am_name)
{
	if (scan->numberOfOrderBys == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("an %s index can only be scanned in distance order", am_name),
				 errhint("Use ORDER BY column <-> value LIMIT n with the opclass's operator.")));
}
