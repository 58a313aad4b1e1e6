/*
 * halfvec_functions.c
 *	  Functions and operators over halfvec: distances, norms, arithmetic,
 *	  subvector, binary quantization, comparisons and the avg/sum aggregates.
 *
 * Distances run once per row of a scan, so they read their arguments in
 * place (varlena_arg.h) and leave the arithmetic to the core's kernels.
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/varbit.h"

#include "comparison_functions.h"
#include "halfvec.h"
#include "varlena_arg.h"
#include "vector.h"

#define HALFVEC_ARG_IN_PLACE(n, buffer) \
	((const HalfVector *) varlena_arg_aligned(PG_GETARG_DATUM(n), (buffer)))

static inline void
check_same_dims(int dim_a, int dim_b)
{
	if (unlikely(dim_a != dim_b))
		type_report_dimension_mismatch("halfvec", dim_a, dim_b);
}

/* Declares a and b, the two arguments read in place, of equal dimensions. */
#define HALFVEC_BINARY_ARGS() \
	VARLENA_TWO_ARGS_IN_PLACE(const HalfVector, a, b); \
	check_same_dims(a->dim, b->dim)

/* ------------------------------------------------------------------------
 * Distances
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(halfvec_l2_distance);
Datum
halfvec_l2_distance(PG_FUNCTION_ARGS)
{
	HALFVEC_BINARY_ARGS();

	PG_RETURN_FLOAT8(sqrt((double) vc_f16_l2_squared(a->x, b->x, a->dim)));
}

/* For index opclasses: orders like l2_distance without the square root. */
PG_FUNCTION_INFO_V1(halfvec_l2_squared_distance);
Datum
halfvec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	HALFVEC_BINARY_ARGS();

	PG_RETURN_FLOAT8((double) vc_f16_l2_squared(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(halfvec_inner_product);
Datum
halfvec_inner_product(PG_FUNCTION_ARGS)
{
	HALFVEC_BINARY_ARGS();

	PG_RETURN_FLOAT8((double) vc_f16_inner_product(a->x, b->x, a->dim));
}

/* The <#> operator: smaller is nearer, as index scans need. */
PG_FUNCTION_INFO_V1(halfvec_negative_inner_product);
Datum
halfvec_negative_inner_product(PG_FUNCTION_ARGS)
{
	HALFVEC_BINARY_ARGS();

	PG_RETURN_FLOAT8(-(double) vc_f16_inner_product(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(halfvec_cosine_distance);
Datum
halfvec_cosine_distance(PG_FUNCTION_ARGS)
{
	HALFVEC_BINARY_ARGS();

	PG_RETURN_FLOAT8(vc_f16_cosine_distance(a->x, b->x, a->dim));
}

/*
 * For ivfflat's spherical k-means: the angle between unit vectors as a
 * fraction of pi, which (unlike 1 - cosine) obeys the triangle inequality.
 */
PG_FUNCTION_INFO_V1(halfvec_spherical_distance);
Datum
halfvec_spherical_distance(PG_FUNCTION_ARGS)
{
	double		dot;

	HALFVEC_BINARY_ARGS();

	dot = (double) vc_f16_inner_product(a->x, b->x, a->dim);
	/*
	 * Rounding can push a unit-vector dot product just outside acos' domain;
	 * a NaN stays NaN, as in pgvector.
	 */
	if (dot > 1.0)
		dot = 1.0;
	else if (dot < -1.0)
		dot = -1.0;
	PG_RETURN_FLOAT8(acos(dot) / M_PI);
}

PG_FUNCTION_INFO_V1(halfvec_l1_distance);
Datum
halfvec_l1_distance(PG_FUNCTION_ARGS)
{
	HALFVEC_BINARY_ARGS();

	PG_RETURN_FLOAT8((double) vc_f16_l1(a->x, b->x, a->dim));
}

/* ------------------------------------------------------------------------
 * Single-vector functions
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(halfvec_vector_dims);
Datum
halfvec_vector_dims(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;

	PG_RETURN_INT32(HALFVEC_ARG_IN_PLACE(0, &buffer)->dim);
}

PG_FUNCTION_INFO_V1(halfvec_l2_norm);
Datum
halfvec_l2_norm(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	const HalfVector *a = HALFVEC_ARG_IN_PLACE(0, &buffer);

	PG_RETURN_FLOAT8(vc_f16_l2_norm(a->x, a->dim));
}

/* Unit vector in the same direction; the zero vector stays zero. */
PG_FUNCTION_INFO_V1(halfvec_l2_normalize);
Datum
halfvec_l2_normalize(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	double		norm = vc_f16_l2_norm(a->x, a->dim);
	HalfVector *result = InitHalfVector(a->dim);
	float	   *values;
	size_t		bad_index;

	if (norm == 0)
		PG_RETURN_HALFVEC_P(result);

	values = halfvec_float_values(a);
	for (int i = 0; i < a->dim; i++)
		values[i] = (float) (values[i] / norm);
	if (vc_f32_array_to_f16(values, result->x, a->dim, &bad_index) != VC_OK)
		float_overflow_error();
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

/* One bit per element, set where the element is positive. */
PG_FUNCTION_INFO_V1(halfvec_binary_quantize);
Datum
halfvec_binary_quantize(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	float	   *values = halfvec_float_values(a);
	VarBit	   *result = bits_of_positive_values(values, a->dim);

	pfree(values);
	PG_RETURN_VARBIT_P(result);
}

/*
 * Elements start .. start + count - 1 (1-based), clipped to the vector like
 * substring(); an empty result is an error.
 */
PG_FUNCTION_INFO_V1(halfvec_subvector);
Datum
halfvec_subvector(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	int64		start = PG_GETARG_INT32(1);
	int64		count = PG_GETARG_INT32(2);
	int64		end = start + count;	/* exclusive; int64 cannot overflow */
	HalfVector *result;

	if (count < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("subvector count must be at least 1, not %lld", (long long) count)));
	start = Max(start, 1);
	end = Min(end, (int64) a->dim + 1);
	if (start > a->dim || end <= start)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("subvector would be empty: halfvec has %d dimensions", a->dim)));

	result = InitHalfVector((int) (end - start));
	memcpy(result->x, a->x + (start - 1), sizeof(half) * result->dim);
	PG_RETURN_HALFVEC_P(result);
}

/* ------------------------------------------------------------------------
 * Element-wise arithmetic, computed in float4 and rounded back to half
 * ------------------------------------------------------------------------ */

/* One of the core's element-wise float4 operations (vc_f32_add, ...). */
typedef vc_status (*Float32Operation) (const float *a, const float *b, float *out, size_t n);

static HalfVector *
halfvec_elementwise(const HalfVector *a, const HalfVector *b, Float32Operation operation,
					bool is_multiplication)
{
	HalfVector *result;
	float	   *left;
	float	   *right;
	size_t		bad_index;

	check_same_dims(a->dim, b->dim);
	left = halfvec_float_values(a);
	right = halfvec_float_values(b);

	/* halves cannot overflow float4 here: the range check is the rounding below */
	if (operation(left, right, left, a->dim) != VC_OK)
		float_overflow_error();

	result = InitHalfVector(a->dim);
	if (vc_f32_array_to_f16(left, result->x, a->dim, &bad_index) != VC_OK)
		float_overflow_error();

	/* a product of non-zero halves that rounds to zero lost all its digits */
	if (is_multiplication)
	{
		for (int i = 0; i < a->dim; i++)
		{
			if (vc_f16_to_f32(result->x[i]) == 0 && left[i] != 0)
				float_underflow_error();
		}
	}

	pfree(left);
	pfree(right);
	return result;
}

PG_FUNCTION_INFO_V1(halfvec_add);
Datum
halfvec_add(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(halfvec_elementwise(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1),
											vc_f32_add, false));
}

PG_FUNCTION_INFO_V1(halfvec_sub);
Datum
halfvec_sub(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(halfvec_elementwise(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1),
											vc_f32_subtract, false));
}

PG_FUNCTION_INFO_V1(halfvec_mul);
Datum
halfvec_mul(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(halfvec_elementwise(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1),
											vc_f32_multiply, true));
}

PG_FUNCTION_INFO_V1(halfvec_concat);
Datum
halfvec_concat(PG_FUNCTION_ARGS)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	HalfVector *result;

	halfvec_check_dim(a->dim + b->dim);
	result = InitHalfVector(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(half) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(half) * b->dim);
	PG_RETURN_HALFVEC_P(result);
}

/* ------------------------------------------------------------------------
 * Comparisons (btree opclass halfvec_ops): element by element as numbers,
 * then the shorter vector first, like PostgreSQL's arrays
 * ------------------------------------------------------------------------ */

static int
halfvec_compare(const HalfVector *a, const HalfVector *b)
{
	int			common = Min(a->dim, b->dim);

	for (int i = 0; i < common; i++)
	{
		float		x = vc_f16_to_f32(a->x[i]);
		float		y = vc_f16_to_f32(b->x[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return compare_dimensions(a->dim, b->dim);
}

/* Defines halfvec_cmp, halfvec_lt, halfvec_le, halfvec_eq, halfvec_ne, halfvec_ge and halfvec_gt. */
DEFINE_COMPARISON_FUNCTIONS(halfvec, HalfVector, halfvec_compare)

/* ------------------------------------------------------------------------
 * avg(halfvec): the state is float8[] {count, sum_1, ..., sum_dim}, the
 * layout of avg(vector), so both share vector_combine.
 * ------------------------------------------------------------------------ */

static float8 *
state_values(ArrayType *state, int *dim)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 || ARR_HASNULL(state) ||
		ARR_ELEMTYPE(state) != FLOAT8OID)
		elog(ERROR, "halfvec aggregate state is not a float8 array without NULLs");
	*dim = ARR_DIMS(state)[0] - 1;
	return (float8 *) ARR_DATA_PTR(state);
}

PG_FUNCTION_INFO_V1(halfvec_accum);
Datum
halfvec_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	HalfVector *vec = PG_GETARG_HALFVEC_P(1);
	int			dim;
	float8	   *sums = state_values(state, &dim);
	float	   *values = halfvec_float_values(vec);

	if (dim == 0)
	{
		/* first row: the state takes this vector's dimensions */
		state = make_avg_state(sums[0], NULL, vec->dim);
		dim = vec->dim;
	}
	else
	{
		check_same_dims(dim, vec->dim);

		/* called as an aggregate, we own the state and may update it */
		if (!AggCheckCallContext(fcinfo, NULL))
			state = DatumGetArrayTypePCopy(PG_GETARG_DATUM(0));
	}
	sums = (float8 *) ARR_DATA_PTR(state);
	sums[0] += 1;
	vc_f64_accumulate_f32(sums + 1, values, dim);
	for (int i = 0; i < dim; i++)
	{
		if (isinf(sums[i + 1]))
			float_overflow_error();
	}
	pfree(values);
	PG_RETURN_ARRAYTYPE_P(state);
}

PG_FUNCTION_INFO_V1(halfvec_avg);
Datum
halfvec_avg(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	int			dim;
	float8	   *sums = state_values(state, &dim);
	float	   *means;
	HalfVector *result;

	/* the average of no rows is NULL */
	if (sums[0] == 0)
		PG_RETURN_NULL();

	means = palloc(sizeof(float) * Max(dim, 1));
	for (int i = 0; i < dim; i++)
		means[i] = (float) (sums[i + 1] / sums[0]);
	result = halfvec_from_floats(means, dim);
	pfree(means);
	PG_RETURN_HALFVEC_P(result);
}
