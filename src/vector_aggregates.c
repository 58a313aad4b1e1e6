/*
 * vector_aggregates.c
 *	  avg(vector): transition, combine and final functions.  (sum(vector) is
 *	  vector_add as both transition and combine function, as in pgvector.)
 *
 * The transition state is pgvector's float8[]: {count, sum_1, ..., sum_dim},
 * starting as '{0}'.  Sums are kept in float64 so that averaging many float4
 * vectors does not lose precision.
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "vector.h"

/* Number of vector dimensions a state holds (0 before the first row). */
#define STATE_DIM(state) (ARR_DIMS(state)[0] - 1)

/* The values of a state array, after checking it really is one. */
static float8 *
state_values(ArrayType *state, const char *function)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 ||
		ARR_DIMS(state)[0] > VECTOR_MAX_DIM + 1 ||
		ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s expects an avg(vector) state: a float8[] of a count and up to %d sums",
						function, VECTOR_MAX_DIM)));
	return (float8 *) ARR_DATA_PTR(state);
}

ArrayType *
make_avg_state(float8 count, const float8 *sums, int dim)
{
	int			length = dim + 1;
	Size		size = ARR_OVERHEAD_NONULLS(1) + sizeof(float8) * length;
	ArrayType  *state = (ArrayType *) palloc0(size);
	float8	   *values;

	SET_VARSIZE(state, size);
	state->ndim = 1;
	state->dataoffset = 0;
	state->elemtype = FLOAT8OID;
	ARR_DIMS(state)[0] = length;
	ARR_LBOUND(state)[0] = 1;

	values = (float8 *) ARR_DATA_PTR(state);
	values[0] = count;
	if (sums != NULL)
		memcpy(values + 1, sums, sizeof(float8) * dim);
	return state;
}

static void
check_sums_finite(const float8 *sums, int dim)
{
	for (int i = 0; i < dim; i++)
	{
		if (unlikely(isinf(sums[i])))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sum of vector element %d overflows float8", i + 1)));
	}
}

static void
check_state_dim(int state_dim, int dim)
{
	if (state_dim != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot average vectors of different dimensions: %d and %d",
						state_dim, dim)));
}

PG_FUNCTION_INFO_V1(vector_accum);
Datum
vector_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	VarlenaArgBuffer buffer;
	Vector	   *vec = vector_arg(fcinfo, 1, &buffer);
	float8	   *values = state_values(state, "vector_accum");
	int			dim = STATE_DIM(state);

	/* first row: the state becomes {1, vec} */
	if (dim == 0)
	{
		ArrayType  *result = make_avg_state(1.0, NULL, vec->dim);

		vc_f64_accumulate_f32((float8 *) ARR_DATA_PTR(result) + 1, vec->x, vec->dim);
		PG_RETURN_ARRAYTYPE_P(result);
	}

	check_state_dim(dim, vec->dim);

	/*
	 * Inside an aggregate the state is ours: update it in place rather than
	 * building a new array per row.
	 */
	if (!AggCheckCallContext(fcinfo, NULL))
	{
		state = make_avg_state(values[0], values + 1, dim);
		values = (float8 *) ARR_DATA_PTR(state);
	}
	values[0] += 1.0;
	vc_f64_accumulate_f32(values + 1, vec->x, dim);
	check_sums_finite(values + 1, dim);

	PG_RETURN_ARRAYTYPE_P(state);
}

PG_FUNCTION_INFO_V1(vector_combine);
Datum
vector_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *state2 = PG_GETARG_ARRAYTYPE_P(1);
	float8	   *values1 = state_values(state1, "vector_combine");
	float8	   *values2 = state_values(state2, "vector_combine");
	int			dim = STATE_DIM(state1);
	ArrayType  *result;
	float8	   *sums;

	/* an empty side (count 0) contributes nothing */
	if (values2[0] == 0.0)
		PG_RETURN_ARRAYTYPE_P(make_avg_state(values1[0], values1 + 1, dim));
	if (values1[0] == 0.0)
		PG_RETURN_ARRAYTYPE_P(make_avg_state(values2[0], values2 + 1, STATE_DIM(state2)));

	check_state_dim(dim, STATE_DIM(state2));
	result = make_avg_state(values1[0] + values2[0], values1 + 1, dim);
	sums = (float8 *) ARR_DATA_PTR(result) + 1;
	for (int i = 0; i < dim; i++)
		sums[i] += values2[i + 1];
	check_sums_finite(sums, dim);

	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(vector_avg);
Datum
vector_avg(PG_FUNCTION_ARGS)
{
	ArrayType  *state = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *values = state_values(state, "vector_avg");
	float8		count = values[0];
	int			dim = STATE_DIM(state);
	Vector	   *result;

	/* like SQL's avg, no rows give NULL */
	if (count == 0.0)
		PG_RETURN_NULL();

	vector_check_dim(dim);
	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (float) (values[i + 1] / count);
		if (unlikely(isinf(result->x[i])))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("average of vector element %d is out of range for float4", i + 1)));
	}
	PG_RETURN_VECTOR_P(result);
}
