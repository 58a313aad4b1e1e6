/*
 * sparsevec_functions.c
 *	  Functions and operators over sparsevec: distances, norms and the
 *	  comparisons of the btree opclass sparsevec_ops.
 *
 * Distances read their arguments in place (varlena_arg.h) and hand the index
 * and value lists to the core's merge-join kernels.
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "utils/float.h"

#include "comparison_functions.h"
#include "sparsevec.h"
#include "varlena_arg.h"

#define SPARSEVEC_ARG_IN_PLACE(n, buffer) \
	((const SparseVector *) varlena_arg_aligned(PG_GETARG_DATUM(n), (buffer)))

/* Both vectors as the argument list of a vc_sparse_* kernel. */
#define SPARSE_KERNEL_ARGS(a, b) \
	(a)->indices, SPARSEVEC_VALUES(a), (size_t) (a)->nnz, \
	(b)->indices, SPARSEVEC_VALUES(b), (size_t) (b)->nnz

static inline void
check_same_dims(const SparseVector *a, const SparseVector *b)
{
	if (unlikely(a->dim != b->dim))
		type_report_dimension_mismatch("sparsevec", a->dim, b->dim);
}

/* Declares a and b, the two arguments read in place, of equal dimensions. */
#define SPARSEVEC_TWO_ARGS() \
	VARLENA_TWO_ARGS_IN_PLACE(const SparseVector, a, b); \
	check_same_dims(a, b)

PG_FUNCTION_INFO_V1(sparsevec_l2_distance);
Datum
sparsevec_l2_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_TWO_ARGS();

	PG_RETURN_FLOAT8(sqrt((double) vc_sparse_l2_squared(SPARSE_KERNEL_ARGS(a, b))));
}

/* For index opclasses: orders like l2_distance without the square root. */
PG_FUNCTION_INFO_V1(sparsevec_l2_squared_distance);
Datum
sparsevec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_TWO_ARGS();

	PG_RETURN_FLOAT8((double) vc_sparse_l2_squared(SPARSE_KERNEL_ARGS(a, b)));
}

PG_FUNCTION_INFO_V1(sparsevec_inner_product);
Datum
sparsevec_inner_product(PG_FUNCTION_ARGS)
{
	SPARSEVEC_TWO_ARGS();

	PG_RETURN_FLOAT8((double) vc_sparse_inner_product(SPARSE_KERNEL_ARGS(a, b)));
}

/* The <#> operator: smaller is nearer, as index scans need. */
PG_FUNCTION_INFO_V1(sparsevec_negative_inner_product);
Datum
sparsevec_negative_inner_product(PG_FUNCTION_ARGS)
{
	SPARSEVEC_TWO_ARGS();

	PG_RETURN_FLOAT8(-(double) vc_sparse_inner_product(SPARSE_KERNEL_ARGS(a, b)));
}

PG_FUNCTION_INFO_V1(sparsevec_cosine_distance);
Datum
sparsevec_cosine_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_TWO_ARGS();

	PG_RETURN_FLOAT8(vc_sparse_cosine_distance(SPARSE_KERNEL_ARGS(a, b)));
}

PG_FUNCTION_INFO_V1(sparsevec_l1_distance);
Datum
sparsevec_l1_distance(PG_FUNCTION_ARGS)
{
	SPARSEVEC_TWO_ARGS();

	PG_RETURN_FLOAT8((double) vc_sparse_l1(SPARSE_KERNEL_ARGS(a, b)));
}

PG_FUNCTION_INFO_V1(sparsevec_l2_norm);
Datum
sparsevec_l2_norm(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	const SparseVector *a = SPARSEVEC_ARG_IN_PLACE(0, &buffer);

	PG_RETURN_FLOAT8(vc_f32_l2_norm(SPARSEVEC_VALUES(a), a->nnz));
}

/*
 * Unit vector in the same direction; the zero vector stays zero.  Elements
 * so small next to the norm that they round to zero are dropped, since a
 * sparsevec stores no zeros.
 */
PG_FUNCTION_INFO_V1(sparsevec_l2_normalize);
Datum
sparsevec_l2_normalize(PG_FUNCTION_ARGS)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	const float *values = SPARSEVEC_VALUES(a);
	double		norm = vc_f32_l2_norm(values, a->nnz);
	SparseVector *result;
	float	   *result_values;
	int			nnz = 0;

	if (norm == 0)
		PG_RETURN_SPARSEVEC_P(InitSparseVector(a->dim, 0));

	for (int i = 0; i < a->nnz; i++)
		nnz += ((float) (values[i] / norm) != 0);

	result = InitSparseVector(a->dim, nnz);
	result_values = SPARSEVEC_VALUES(result);
	nnz = 0;
	for (int i = 0; i < a->nnz; i++)
	{
		float		value = (float) (values[i] / norm);

		if (isinf(value))
			float_overflow_error();
		if (value != 0)
		{
			result->indices[nnz] = a->indices[i];
			result_values[nnz] = value;
			nnz++;
		}
	}
	PG_RETURN_SPARSEVEC_P(result);
}

/* ------------------------------------------------------------------------
 * Comparisons: as the dense vectors would compare, element by element over
 * the dimensions both have, then the one with fewer dimensions first.
 * ------------------------------------------------------------------------ */

static int
sparsevec_compare(const SparseVector *a, const SparseVector *b)
{
	const float *a_values = SPARSEVEC_VALUES(a);
	const float *b_values = SPARSEVEC_VALUES(b);
	int32		common = Min(a->dim, b->dim);
	int			i = 0;
	int			j = 0;

	/* walk the non-zeros in index order; absent elements are zero */
	for (;;)
	{
		int32		a_index = (i < a->nnz) ? a->indices[i] : PG_INT32_MAX;
		int32		b_index = (j < b->nnz) ? b->indices[j] : PG_INT32_MAX;
		int32		index = Min(a_index, b_index);
		float		x;
		float		y;

		if (index >= common)
			break;
		x = (a_index == index) ? a_values[i++] : 0.0f;
		y = (b_index == index) ? b_values[j++] : 0.0f;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return compare_dimensions(a->dim, b->dim);
}

/* Defines sparsevec_cmp, sparsevec_lt, sparsevec_le, sparsevec_eq, sparsevec_ne, sparsevec_ge and sparsevec_gt. */
DEFINE_COMPARISON_FUNCTIONS(sparsevec, SparseVector, sparsevec_compare)
