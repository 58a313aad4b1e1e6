/*
 * halfvec.c
 *	  The halfvec type: text and binary I/O, type modifier, and the casts
 *	  from and to arrays and vector.
 *
 * Text is parsed as float4 by the core, then rounded to IEEE half; a value
 * that rounds beyond the half range is an error rather than infinity.
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
#include "vector.h"

HalfVector *
InitHalfVector(int dim)
{
	Size		size = HALFVEC_SIZE(dim);
	HalfVector *result = (HalfVector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

HalfVector *
halfvec_from_floats(const float *values, int dim)
{
	HalfVector *result;
	size_t		bad_index;

	halfvec_check_dim(dim);
	for (int i = 0; i < dim; i++)
	{
		if (isnan(values[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("NaN is not allowed in halfvec (element %d)", i + 1)));
		if (isinf(values[i]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("infinity is not allowed in halfvec (element %d)", i + 1)));
	}

	result = InitHalfVector(dim);
	if (vc_f32_array_to_f16(values, result->x, dim, &bad_index) != VC_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value %g is out of range for type halfvec", values[bad_index]),
				 errdetail("A halfvec element must lie between -65504 and 65504.")));
	return result;
}

float *
halfvec_float_values(const HalfVector *vec)
{
	float	   *values = palloc(sizeof(float) * Max(vec->dim, 1));

	vc_f16_array_to_f32(vec->x, values, vec->dim);
	return values;
}

static void report_text_error(vc_status status, const char *text, size_t error_pos) pg_attribute_noreturn();

/* ereport() for a failed parse of the text form. */
static void
report_text_error(vc_status status, const char *text, size_t error_pos)
{
	switch (status)
	{
		case VC_ERROR_EMPTY:
			halfvec_check_dim(0);
			break;
		case VC_ERROR_TOO_MANY:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("halfvec cannot have more than %d dimensions", HALFVEC_MAX_DIM)));
			break;
		case VC_ERROR_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("NaN and infinity are not allowed in halfvec: \"%s\"", text)));
			break;
		case VC_ERROR_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range for type halfvec: \"%s\"", text),
					 errdetail("The number at character %zu is beyond the range of real.",
							   error_pos + 1)));
			break;
		default:
			ereport(ERROR,
					(errcode(core_status_sqlstate(status)),
					 errmsg("invalid input syntax for type halfvec: \"%s\"", text),
					 errdetail("Unexpected input at character %zu; expected the form [1,2,3].",
							   error_pos + 1)));
	}
	pg_unreachable();
}

PG_FUNCTION_INFO_V1(halfvec_in);
Datum
halfvec_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	size_t		capacity = Min(vc_vector_text_element_bound(text), (size_t) HALFVEC_MAX_DIM);
	float	   *values = palloc(sizeof(float) * capacity);
	size_t		count;
	size_t		error_pos;
	vc_status	status;
	HalfVector *result;

	status = vc_parse_vector_text(text, values, capacity, &count, &error_pos);
	if (status != VC_OK)
		report_text_error(status, text, error_pos);

	halfvec_check_dim(count);
	halfvec_check_typmod(typmod, count);
	result = halfvec_from_floats(values, count);
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_out);
Datum
halfvec_out(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	float	   *values = halfvec_float_values(vec);
	char	   *text = palloc((Size) vec->dim * (VC_FLOAT_TEXT_MAX + 1) + 3);

	/* the shortest text of the float4 reads back to the same half */
	vc_format_vector_text(values, vec->dim, text);
	pfree(values);
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(text);
}

PG_FUNCTION_INFO_V1(halfvec_typmod_in);
Datum
halfvec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(type_modifier_dimensions(PG_GETARG_ARRAYTYPE_P(0), "halfvec", HALFVEC_MAX_DIM));
}

/*
 * Binary form, as pgvector sends it: int16 dim, int16 unused (0), then the
 * IEEE half bits of each element, all in network byte order.
 */
PG_FUNCTION_INFO_V1(halfvec_recv);
Datum
halfvec_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buffer = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int16		dim;
	int16		unused;
	HalfVector *result;

	type_check_binary_remaining("halfvec", buffer, 2 * sizeof(int16));
	dim = (int16) pq_getmsgint(buffer, sizeof(int16));
	unused = (int16) pq_getmsgint(buffer, sizeof(int16));
	halfvec_check_dim(dim);
	halfvec_check_typmod(typmod, dim);
	type_check_reserved_field("halfvec", unused);
	type_check_binary_remaining("halfvec", buffer, sizeof(half) * dim);

	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
	{
		half		bits = (half) pq_getmsgint(buffer, sizeof(half));
		float		value = vc_f16_to_f32(bits);

		if (isnan(value) || isinf(value))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("NaN and infinity are not allowed in halfvec (element %d)", i + 1)));
		result->x[i] = bits;
	}
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_send);
Datum
halfvec_send(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendint16(&buffer, vec->dim);
	pq_sendint16(&buffer, vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendint16(&buffer, vec->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

/* The typmod coercion: halfvec(n) accepts only n dimensions. */
PG_FUNCTION_INFO_V1(halfvec);
Datum
halfvec(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);

	halfvec_check_typmod(PG_GETARG_INT32(1), vec->dim);
	PG_RETURN_HALFVEC_P(vec);
}

PG_FUNCTION_INFO_V1(array_to_halfvec);
Datum
array_to_halfvec(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			count;
	float	   *values = float_array_values(array, "halfvec", &count);
	HalfVector *result;

	halfvec_check_dim(count);
	halfvec_check_typmod(typmod, count);
	result = halfvec_from_floats(values, count);
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

PG_FUNCTION_INFO_V1(halfvec_to_float4);
Datum
halfvec_to_float4(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	float	   *values = halfvec_float_values(vec);
	ArrayType  *result = float4_array(values, vec->dim);

	pfree(values);
	PG_RETURN_ARRAYTYPE_P(result);
}

PG_FUNCTION_INFO_V1(vector_to_halfvec);
Datum
vector_to_halfvec(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);

	halfvec_check_dim(vec->dim);
	halfvec_check_typmod(PG_GETARG_INT32(1), vec->dim);
	PG_RETURN_HALFVEC_P(halfvec_from_floats(vec->x, vec->dim));
}

PG_FUNCTION_INFO_V1(halfvec_to_vector);
Datum
halfvec_to_vector(PG_FUNCTION_ARGS)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Vector	   *result;

	type_check_typmod("vector", typmod, vec->dim);

	/* every half is exactly representable in float4 */
	result = InitVector(vec->dim);
	vc_f16_array_to_f32(vec->x, result->x, vec->dim);
	PG_RETURN_VECTOR_P(result);
}
