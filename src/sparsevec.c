/*
 * sparsevec.c
 *	  The sparsevec type: text and binary I/O, type modifier, and the casts
 *	  from and to vector, halfvec and arrays.
 *
 * A sparsevec keeps only its non-zero elements, with 0-based indices in
 * strictly increasing order; every way in (text, binary, casts) ends in that
 * form, so the distance functions can merge index lists without checks.
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "core_status.h"
#include "float_array.h"
#include "halfvec.h"
#include "sparsevec.h"
#include "vector.h"

SparseVector *
InitSparseVector(int dim, int nnz)
{
	Size		size = SPARSEVEC_SIZE(nnz);
	SparseVector *result = (SparseVector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	result->nnz = nnz;
	return result;
}

static void
check_nnz_limit(int64 nnz)
{
	if (nnz > SPARSEVEC_MAX_NNZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec has %lld non-zero elements, more than the limit of %d",
						(long long) nnz, SPARSEVEC_MAX_NNZ)));
}

static void
check_finite(float value, int64 index)
{
	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("NaN and infinity are not allowed in sparsevec (index %lld)",
						(long long) index + 1)));
}

/* A sparsevec of the non-zero elements of dense values[0..dim). */
static SparseVector *
sparsevec_from_dense(const float *values, int dim)
{
	int			nnz = 0;
	SparseVector *result;
	float	   *result_values;

	for (int i = 0; i < dim; i++)
	{
		check_finite(values[i], i);
		nnz += (values[i] != 0);
	}
	check_nnz_limit(nnz);

	result = InitSparseVector(dim, nnz);
	result_values = SPARSEVEC_VALUES(result);
	nnz = 0;
	for (int i = 0; i < dim; i++)
	{
		if (values[i] != 0)
		{
			result->indices[nnz] = i;
			result_values[nnz] = values[i];
			nnz++;
		}
	}
	return result;
}

/* ------------------------------------------------------------------------
 * Text form: {1:1.5,3:2}/5
 * ------------------------------------------------------------------------ */

static void report_text_error(vc_status status, const char *text, size_t error_pos) pg_attribute_noreturn();

static void
report_text_error(vc_status status, const char *text, size_t error_pos)
{
	switch (status)
	{
		case VC_ERROR_TOO_MANY:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("sparsevec cannot have more than %d non-zero elements", SPARSEVEC_MAX_NNZ)));
			break;
		case VC_ERROR_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("NaN and infinity are not allowed in sparsevec: \"%s\"", text)));
			break;
		case VC_ERROR_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range in sparsevec: \"%s\"", text),
					 errdetail("The value at character %zu does not fit in real: too large, or so small it would be zero.",
							   error_pos + 1)));
			break;
		case VC_ERROR_INDEX_ORDER:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("sparsevec index given more than once: \"%s\"", text)));
			break;
		case VC_ERROR_NO_MEMORY:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while sorting the elements of a sparsevec")));
			break;
		default:
			ereport(ERROR,
					(errcode(core_status_sqlstate(status)),
					 errmsg("invalid input syntax for type sparsevec: \"%s\"", text),
					 errdetail("Unexpected input at character %zu; expected the form {1:1.5,3:2}/5.",
							   error_pos + 1)));
	}
	pg_unreachable();
}

PG_FUNCTION_INFO_V1(sparsevec_in);
Datum
sparsevec_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	size_t		capacity = Min(vc_sparsevec_text_element_bound(text), (size_t) SPARSEVEC_MAX_NNZ);
	int32	   *indices = palloc(sizeof(int32) * capacity);
	float	   *values = palloc(sizeof(float) * capacity);
	size_t		nnz;
	int64		dim;
	size_t		error_pos;
	vc_status	status;
	SparseVector *result;

	status = vc_parse_sparsevec_text(text, indices, values, capacity, &nnz, &dim, &error_pos);

	/* a duplicate index is reported after the dimensions, as pgvector does */
	if (status != VC_OK && status != VC_ERROR_INDEX_ORDER)
		report_text_error(status, text, error_pos);
	sparsevec_check_dim(dim);
	sparsevec_check_typmod(typmod, (int) dim);
	if (status != VC_OK)
		report_text_error(status, text, error_pos);

	/*
	 * Indices are sorted, so only the first can be below 1 and only the last
	 * beyond the dimensions (the parser saturates, it does not check them).
	 */
	if (nnz > 0 && indices[0] < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec index %lld is out of bounds: indices start at 1",
						(long long) indices[0] + 1)));
	if (nnz > 0 && indices[nnz - 1] >= dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("sparsevec index %d is beyond its %d dimensions", indices[nnz - 1] + 1, (int) dim)));

	result = InitSparseVector((int) dim, (int) nnz);
	memcpy(result->indices, indices, sizeof(int32) * nnz);
	memcpy(SPARSEVEC_VALUES(result), values, sizeof(float) * nnz);
	pfree(indices);
	pfree(values);
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_out);
Datum
sparsevec_out(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	char	   *text = palloc(VC_SPARSEVEC_TEXT_SIZE(vec->nnz));

	vc_format_sparsevec_text(vec->indices, SPARSEVEC_VALUES(vec), vec->nnz, vec->dim, text);
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(text);
}

PG_FUNCTION_INFO_V1(sparsevec_typmod_in);
Datum
sparsevec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(type_modifier_dimensions(PG_GETARG_ARRAYTYPE_P(0), "sparsevec", SPARSEVEC_MAX_DIM));
}

/* ------------------------------------------------------------------------
 * Binary form, as pgvector sends it (network byte order): int32 dim, int32
 * nnz, int32 unused (0), nnz int32 0-based indices, nnz float4 values.
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(sparsevec_recv);
Datum
sparsevec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buffer = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int32		dim;
	int32		nnz;
	int32		unused;
	SparseVector *result;
	float	   *values;

	type_check_binary_remaining("sparsevec", buffer, 3 * sizeof(int32));
	dim = (int32) pq_getmsgint(buffer, sizeof(int32));
	nnz = (int32) pq_getmsgint(buffer, sizeof(int32));
	unused = (int32) pq_getmsgint(buffer, sizeof(int32));
	sparsevec_check_dim(dim);
	/*
	 * pgvector's order and classes: the element limit first; more elements
	 * than dimensions is a limit too (54000); a negative count is bad data.
	 */
	check_nnz_limit(nnz);
	if (nnz < 0 || nnz > dim)
		ereport(ERROR,
				(errcode(nnz < 0 ? ERRCODE_INVALID_BINARY_REPRESENTATION : ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("invalid binary sparsevec: element count %d is outside 0..%d, its dimensions",
						nnz, dim)));
	sparsevec_check_typmod(typmod, dim);
	type_check_reserved_field("sparsevec", unused);

	type_check_binary_remaining("sparsevec", buffer, (Size) nnz * (sizeof(int32) + sizeof(float)));

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < nnz; i++)
	{
		int32		index = (int32) pq_getmsgint(buffer, sizeof(int32));

		if (index < 0 || index >= dim)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary sparsevec: index %d is outside 0..%d", index, dim - 1)));
		if (i > 0 && index <= result->indices[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary sparsevec: indices must be strictly increasing, %d follows %d",
							index, result->indices[i - 1])));
		result->indices[i] = index;
	}
	for (int i = 0; i < nnz; i++)
	{
		values[i] = pq_getmsgfloat4(buffer);
		check_finite(values[i], result->indices[i]);
		if (values[i] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary sparsevec: stored element %d is zero", i + 1)));
	}
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_send);
Datum
sparsevec_send(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	float	   *values = SPARSEVEC_VALUES(vec);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendint32(&buffer, vec->dim);
	pq_sendint32(&buffer, vec->nnz);
	pq_sendint32(&buffer, vec->unused);
	for (int i = 0; i < vec->nnz; i++)
		pq_sendint32(&buffer, vec->indices[i]);
	for (int i = 0; i < vec->nnz; i++)
		pq_sendfloat4(&buffer, values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

/* ------------------------------------------------------------------------
 * Casts
 * ------------------------------------------------------------------------ */

/* The typmod coercion: sparsevec(n) accepts only n dimensions. */
PG_FUNCTION_INFO_V1(sparsevec);
Datum
sparsevec(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);

	sparsevec_check_typmod(PG_GETARG_INT32(1), vec->dim);
	PG_RETURN_SPARSEVEC_P(vec);
}

PG_FUNCTION_INFO_V1(vector_to_sparsevec);
Datum
vector_to_sparsevec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);

	sparsevec_check_dim(vec->dim);
	sparsevec_check_typmod(PG_GETARG_INT32(1), vec->dim);
	PG_RETURN_SPARSEVEC_P(sparsevec_from_dense(vec->x, vec->dim));
}

PG_FUNCTION_INFO_V1(halfvec_to_sparsevec);
Datum
halfvec_to_sparsevec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	float	   *values;
	SparseVector *result;

	sparsevec_check_dim(vec->dim);
	sparsevec_check_typmod(PG_GETARG_INT32(1), vec->dim);
	values = halfvec_float_values(vec);
	result = sparsevec_from_dense(values, vec->dim);
	pfree(values);
	PG_RETURN_SPARSEVEC_P(result);
}

PG_FUNCTION_INFO_V1(array_to_sparsevec);
Datum
array_to_sparsevec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			count;
	float	   *values = float_array_values(array, "sparsevec", &count);
	SparseVector *result;

	sparsevec_check_dim(count);
	sparsevec_check_typmod(typmod, count);
	result = sparsevec_from_dense(values, count);
	pfree(values);
	PG_RETURN_SPARSEVEC_P(result);
}

/* The dense values of a sparsevec, checked against a dense type's limit. */
static float *
sparsevec_to_dense(const SparseVector *vec, int32 typmod, const char *type_name, int max_dim)
{
	const float *values = SPARSEVEC_VALUES(vec);
	float	   *dense;

	if (vec->dim > max_dim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sparsevec has %d dimensions, more than the %d a %s can have",
						vec->dim, max_dim, type_name)));
	type_check_typmod(type_name, typmod, vec->dim);

	dense = palloc0(sizeof(float) * vec->dim);
	for (int i = 0; i < vec->nnz; i++)
		dense[vec->indices[i]] = values[i];
	return dense;
}

PG_FUNCTION_INFO_V1(sparsevec_to_vector);
Datum
sparsevec_to_vector(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	float	   *dense = sparsevec_to_dense(vec, PG_GETARG_INT32(1), "vector", VECTOR_MAX_DIM);
	Vector	   *result = InitVector(vec->dim);

	memcpy(result->x, dense, sizeof(float) * vec->dim);
	pfree(dense);
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(sparsevec_to_halfvec);
Datum
sparsevec_to_halfvec(PG_FUNCTION_ARGS)
{
	SparseVector *vec = PG_GETARG_SPARSEVEC_P(0);
	float	   *dense = sparsevec_to_dense(vec, PG_GETARG_INT32(1), "halfvec", HALFVEC_MAX_DIM);
	HalfVector *result = halfvec_from_floats(dense, vec->dim);

	pfree(dense);
	PG_RETURN_HALFVEC_P(result);
}
