/*
 * vector_functions.c
 *	  SQL functions and operators over vector: distances, norms, subvector,
 *	  binary quantization, element-wise arithmetic, concatenation and the
 *	  btree comparisons.
 *
 * The distance functions run once per row of a scan, so they read their
 * arguments in place (varlena_arg.h: no palloc unless a value is compressed
 * or stored out of line) and make exactly one kernel call.
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "utils/varbit.h"

#include "comparison_functions.h"
#include "vector.h"

/*
 * Declares Vector *a and *b from the two arguments and checks that their
 * dimensions agree: the prologue of every binary function here.
 */
#define VECTOR_BINARY_ARGS() \
	VARLENA_TWO_ARGS_IN_PLACE(Vector, a, b); \
	vector_check_same_dim(a, b)

/* ------------------------------------------------------------------------
 * Distances
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(l2_distance);
Datum
l2_distance(PG_FUNCTION_ARGS)
{
	VECTOR_BINARY_ARGS();

	PG_RETURN_FLOAT8(sqrt((double) vc_f32_l2_squared(a->x, b->x, a->dim)));
}

/* The squared distance orders like l2_distance and saves the sqrt. */
PG_FUNCTION_INFO_V1(vector_l2_squared_distance);
Datum
vector_l2_squared_distance(PG_FUNCTION_ARGS)
{
	VECTOR_BINARY_ARGS();

	PG_RETURN_FLOAT8((double) vc_f32_l2_squared(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(inner_product);
Datum
inner_product(PG_FUNCTION_ARGS)
{
	VECTOR_BINARY_ARGS();

	PG_RETURN_FLOAT8((double) vc_f32_inner_product(a->x, b->x, a->dim));
}

/* <#>: negated so that smaller is nearer, as index scans need. */
PG_FUNCTION_INFO_V1(vector_negative_inner_product);
Datum
vector_negative_inner_product(PG_FUNCTION_ARGS)
{
	VECTOR_BINARY_ARGS();

	PG_RETURN_FLOAT8(-(double) vc_f32_inner_product(a->x, b->x, a->dim));
}

PG_FUNCTION_INFO_V1(cosine_distance);
Datum
cosine_distance(PG_FUNCTION_ARGS)
{
	VECTOR_BINARY_ARGS();

	PG_RETURN_FLOAT8(vc_f32_cosine_distance(a->x, b->x, a->dim));
}

/*
 * Angle between unit vectors, scaled to [0, 1]: unlike cosine distance it
 * satisfies the triangle inequality, which ivfflat's k-means relies on.
 */
PG_FUNCTION_INFO_V1(vector_spherical_distance);
Datum
vector_spherical_distance(PG_FUNCTION_ARGS)
{
	double		dot;

	VECTOR_BINARY_ARGS();

	dot = (double) vc_f32_inner_product(a->x, b->x, a->dim);
	/*
	 * Rounding can push the product of unit vectors just outside acos'
	 * domain; a NaN (overflowed sums) stays NaN, as in pgvector.
	 */
	if (dot > 1.0)
		dot = 1.0;
	else if (dot < -1.0)
		dot = -1.0;
	PG_RETURN_FLOAT8(acos(dot) / M_PI);
}

PG_FUNCTION_INFO_V1(l1_distance);
Datum
l1_distance(PG_FUNCTION_ARGS)
{
	VECTOR_BINARY_ARGS();

	PG_RETURN_FLOAT8((double) vc_f32_l1(a->x, b->x, a->dim));
}

/* ------------------------------------------------------------------------
 * Properties and derived vectors
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(vector_dims);
Datum
vector_dims(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	Vector	   *a = vector_arg(fcinfo, 0, &buffer);

	PG_RETURN_INT32(a->dim);
}

PG_FUNCTION_INFO_V1(vector_norm);
Datum
vector_norm(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	Vector	   *a = vector_arg(fcinfo, 0, &buffer);

	PG_RETURN_FLOAT8(vc_f32_l2_norm(a->x, a->dim));
}

/* The vector scaled to length 1; the zero vector stays zero. */
PG_FUNCTION_INFO_V1(l2_normalize);
Datum
l2_normalize(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	Vector	   *a = vector_arg(fcinfo, 0, &buffer);
	double		norm = vc_f32_l2_norm(a->x, a->dim);
	Vector	   *result = InitVector(a->dim);

	if (norm > 0)
	{
		for (int i = 0; i < a->dim; i++)
		{
			result->x[i] = (float) (a->x[i] / norm);
			if (unlikely(isinf(result->x[i])))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("normalized vector element %d overflows float4", i + 1)));
		}
	}
	PG_RETURN_VECTOR_P(result);
}

VarBit *
bits_of_positive_values(const float *values, int dim)
{
	Size		size = VARBITTOTALLEN(dim);
	VarBit	   *result = (VarBit *) palloc0(size);
	bits8	   *bytes;

	SET_VARSIZE(result, size);
	VARBITLEN(result) = dim;
	bytes = VARBITS(result);
	for (int i = 0; i < dim; i++)
	{
		if (values[i] > 0)
			bytes[i / BITS_PER_BYTE] |= (bits8) (0x80 >> (i % BITS_PER_BYTE));
	}
	return result;
}

PG_FUNCTION_INFO_V1(binary_quantize);
Datum
binary_quantize(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	Vector	   *a = vector_arg(fcinfo, 0, &buffer);

	PG_RETURN_VARBIT_P(bits_of_positive_values(a->x, a->dim));
}

/*
 * Elements start .. start + count - 1 (1-based), clipped to the vector like
 * substring() clips; an empty result is an error since vectors cannot be
 * empty.
 */
PG_FUNCTION_INFO_V1(subvector);
Datum
subvector(PG_FUNCTION_ARGS)
{
	VarlenaArgBuffer buffer;
	Vector	   *a = vector_arg(fcinfo, 0, &buffer);
	int64		start = PG_GETARG_INT32(1);
	int64		count = PG_GETARG_INT32(2);
	int64		end = Min(start + count, (int64) a->dim + 1);	/* exclusive */
	Vector	   *result;

	start = Max(start, 1);
	if (count < 1 || end <= start)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("subvector(%d, %d) of a vector of %d dimensions would be empty",
						PG_GETARG_INT32(1), PG_GETARG_INT32(2), a->dim)));

	result = InitVector((int) (end - start));
	memcpy(result->x, a->x + (start - 1), sizeof(float) * result->dim);
	PG_RETURN_VECTOR_P(result);
}

/* ------------------------------------------------------------------------
 * Element-wise arithmetic and concatenation
 * ------------------------------------------------------------------------ */

static void report_arithmetic_error(const char *operation) pg_attribute_noreturn();

static void
report_arithmetic_error(const char *operation)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("vector %s is out of range for float4", operation),
			 errdetail("An element of the result overflowed to infinity or underflowed to zero.")));
}

/*
 * vector_add is also sum(vector)'s transition and combine function.  There
 * the first argument is the running total, which the aggregate owns, so we
 * add into it instead of allocating a vector per row; only a total in plain
 * form (4-byte header, inline, uncompressed) qualifies, since the copy of the
 * first row may be in any form.
 */
static bool
is_aggregate_total(FunctionCallInfo fcinfo)
{
	return AggCheckCallContext(fcinfo, NULL) != 0 &&
		VARATT_IS_4B_U(DatumGetPointer(PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(vector_add);
Datum
vector_add(PG_FUNCTION_ARGS)
{
	Vector	   *result;

	VECTOR_BINARY_ARGS();

	result = is_aggregate_total(fcinfo) ? a : InitVector(a->dim);
	if (vc_f32_add(a->x, b->x, result->x, a->dim) != VC_OK)
		report_arithmetic_error("addition");
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_sub);
Datum
vector_sub(PG_FUNCTION_ARGS)
{
	Vector	   *result;

	VECTOR_BINARY_ARGS();

	result = InitVector(a->dim);
	if (vc_f32_subtract(a->x, b->x, result->x, a->dim) != VC_OK)
		report_arithmetic_error("subtraction");
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_mul);
Datum
vector_mul(PG_FUNCTION_ARGS)
{
	Vector	   *result;

	VECTOR_BINARY_ARGS();

	result = InitVector(a->dim);
	if (vc_f32_multiply(a->x, b->x, result->x, a->dim) != VC_OK)
		report_arithmetic_error("multiplication");
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_concat);
Datum
vector_concat(PG_FUNCTION_ARGS)
{
	int			dim;
	Vector	   *result;

	VARLENA_TWO_ARGS_IN_PLACE(Vector, a, b);

	dim = a->dim + b->dim;
	vector_check_dim(dim);
	result = InitVector(dim);
	memcpy(result->x, a->x, sizeof(float) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
	PG_RETURN_VECTOR_P(result);
}

/* ------------------------------------------------------------------------
 * Comparisons (btree opclass vector_ops)
 * ------------------------------------------------------------------------ */

/*
 * Element by element, then the shorter vector first: the order PostgreSQL
 * gives arrays.
 */
static int
vector_compare(const Vector *a, const Vector *b)
{
	int			common = Min(a->dim, b->dim);

	for (int i = 0; i < common; i++)
	{
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	return compare_dimensions(a->dim, b->dim);
}

/* Defines vector_cmp, vector_lt, vector_le, vector_eq, vector_ne, vector_ge and vector_gt. */
DEFINE_COMPARISON_FUNCTIONS(vector, Vector, vector_compare)
