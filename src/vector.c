/*
 * vector.c
 *	  The vector type: text and binary I/O, the type modifier, the typmod
 *	  coercion, and the casts between vector and SQL arrays.
 *
 * Text is parsed and printed by the core (vc_parse_vector_text,
 * vc_format_vector_text); this file turns its status codes into errors.
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "float_array.h"
#include "type_checks.h"
#include "vector.h"

Vector *
InitVector(int dim)
{
	Size		size = VECTOR_SIZE(dim);
	Vector	   *result = (Vector *) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

void
vector_check_typmod(int32 typmod, int dim)
{
	type_check_typmod("vector", typmod, dim);
}

void
vector_report_dim_mismatch(int dim_a, int dim_b)
{
	type_report_dimension_mismatch("vector", dim_a, dim_b);
}

void
vector_check_finite(const float *values, int dim)
{
	for (int i = 0; i < dim; i++)
	{
		if (unlikely(!isfinite(values[i])))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%s is not allowed in a vector (element %d)",
							isnan(values[i]) ? "NaN" : "infinity", i + 1)));
	}
}

/*
 * The element of a literal that starts at text + pos, for messages: up to the
 * next separator.
 */
static char *
literal_element(const char *text, size_t pos)
{
	const char *start = text + pos;
	size_t		length = strcspn(start, ",] \t\n\r\v\f");

	return pnstrdup(start, Max(length, 1));
}

static void report_literal_error(vc_status status, const char *text, size_t pos) pg_attribute_noreturn();

/* ereport() for a literal the core could not parse. */
static void
report_literal_error(vc_status status, const char *text, size_t pos)
{
	switch (status)
	{
		case VC_ERROR_EMPTY:
			vector_check_dim(0);
			break;
		case VC_ERROR_TOO_MANY:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("vector literal has more than %d elements, the limit of the vector type",
							VECTOR_MAX_DIM)));
			break;
		case VC_ERROR_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("\"%s\" is not allowed in a vector: elements must be finite",
							literal_element(text, pos))));
			break;
		case VC_ERROR_OUT_OF_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("\"%s\" is out of range for a vector element", literal_element(text, pos)),
					 errdetail("Vector elements are float4 values, at most 3.4028235e+38 in magnitude.")));
			break;
		default:
			if (text[pos] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("malformed vector literal: \"%s\"", text),
						 errdetail("The literal ends before its closing \"]\".")));
			if (strspn(text, " \t\n\r\v\f") == pos && text[pos] != '[')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("malformed vector literal: \"%s\"", text),
						 errdetail("A vector literal starts with \"[\", as in [1,2,3].")));
			/* quote a whole (possibly multibyte) character, count characters */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("malformed vector literal: \"%s\"", text),
					 errdetail("Unexpected \"%.*s\" at character %d; the form is [1,2,3].",
							   pg_mblen(text + pos), text + pos,
							   pg_mbstrlen_with_len(text, (int) pos) + 1)));
	}
	pg_unreachable();
}

PG_FUNCTION_INFO_V1(vector_in);
Datum
vector_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	size_t		capacity = Min(vc_vector_text_element_bound(text), (size_t) VECTOR_MAX_DIM);
	Vector	   *result = InitVector(capacity);
	size_t		count;
	size_t		error_pos;
	vc_status	status;

	/* parse straight into the result; it shrinks to the real count below */
	status = vc_parse_vector_text(text, result->x, capacity, &count, &error_pos);
	if (status != VC_OK)
		report_literal_error(status, text, error_pos);

	vector_check_typmod(typmod, count);
	result->dim = count;
	SET_VARSIZE(result, VECTOR_SIZE(count));
	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_out);
Datum
vector_out(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	char	   *text = palloc((Size) vec->dim * (VC_FLOAT_TEXT_MAX + 1) + 3);

	vc_format_vector_text(vec->x, vec->dim, text);
	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_CSTRING(text);
}

PG_FUNCTION_INFO_V1(vector_typmod_in);
Datum
vector_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *modifiers = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *values;
	int			count;

	values = ArrayGetIntegerTypmods(modifiers, &count);
	if (count != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("type vector takes one modifier, its number of dimensions")));
	if (values[0] < 1 || values[0] > VECTOR_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vector(%d) is not a valid type: dimensions must be between 1 and %d",
						values[0], VECTOR_MAX_DIM)));
	PG_RETURN_INT32(values[0]);
}

/*
 * Binary form, byte for byte pgvector's: int16 dim, int16 unused (0), then
 * dim float4 values, all in network byte order.
 */
PG_FUNCTION_INFO_V1(vector_recv);
Datum
vector_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int16		dim;
	int16		unused;
	Vector	   *result;

	type_check_binary_remaining("vector", buf, 2 * sizeof(int16));
	dim = (int16) pq_getmsgint(buf, sizeof(int16));
	unused = (int16) pq_getmsgint(buf, sizeof(int16));

	vector_check_dim(dim);
	vector_check_typmod(typmod, dim);
	if (unused != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("binary vector has %d in its reserved field, which must be 0", unused)));
	type_check_binary_remaining("vector", buf, sizeof(float) * dim);

	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
		result->x[i] = pq_getmsgfloat4(buf);
	vector_check_finite(result->x, dim);

	PG_RETURN_VECTOR_P(result);
}

PG_FUNCTION_INFO_V1(vector_send);
Datum
vector_send(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 4 + sizeof(float) * vec->dim);
	pq_sendint16(&buf, vec->dim);
	pq_sendint16(&buf, vec->unused);
	for (int i = 0; i < vec->dim; i++)
		pq_sendfloat4(&buf, vec->x[i]);

	PG_FREE_IF_COPY(vec, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * vector -> vector(n): the cast PostgreSQL applies to enforce a column's
 * dimensions.
 */
PG_FUNCTION_INFO_V1(vector);
Datum
vector(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);
	int32		typmod = PG_GETARG_INT32(1);

	vector_check_typmod(typmod, vec->dim);
	PG_RETURN_VECTOR_P(vec);
}

/* integer[], real[], double precision[] or numeric[] -> vector */
PG_FUNCTION_INFO_V1(array_to_vector);
Datum
array_to_vector(PG_FUNCTION_ARGS)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	int			dim;
	float	   *values = float_array_values(array, "vector", &dim);
	Vector	   *result;

	vector_check_dim(dim);
	vector_check_typmod(typmod, dim);
	vector_check_finite(values, dim);

	result = InitVector(dim);
	memcpy(result->x, values, sizeof(float) * dim);
	pfree(values);
	PG_RETURN_VECTOR_P(result);
}

/* vector -> real[] */
PG_FUNCTION_INFO_V1(vector_to_float4);
Datum
vector_to_float4(PG_FUNCTION_ARGS)
{
	Vector	   *vec = PG_GETARG_VECTOR_P(0);

	PG_RETURN_ARRAYTYPE_P(float4_array(vec->x, vec->dim));
}
