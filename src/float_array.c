/*
 * float_array.c
 *	  SQL arrays of numbers as float4 buffers (see float_array.h).
 */
#include "postgres.h"

#include "pg_compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include "float_array.h"

/*
 * A double as float4, refusing finite values that float4 cannot hold (tiny
 * ones round to zero, as a C cast does).
 */
static float
double_to_float4(double value, const char *type_name)
{
	float		result = (float) value;

	if (isinf(result) && !isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("array element %g is out of range for type %s", value, type_name)));
	return result;
}

float *
float_array_values(ArrayType *array, const char *type_name, int *count)
{
	Oid			element_type = ARR_ELEMTYPE(array);
	int16		element_length;
	bool		element_by_value;
	char		element_align;
	Datum	   *elements;
	int			n;
	float	   *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("only a one-dimensional array can be cast to %s", type_name)));
	if (array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("an array with NULL elements cannot be cast to %s", type_name)));
	if (element_type != INT4OID && element_type != FLOAT4OID &&
		element_type != FLOAT8OID && element_type != NUMERICOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("cannot cast an array of %s to %s", format_type_be(element_type), type_name)));

	get_typlenbyvalalign(element_type, &element_length, &element_by_value, &element_align);
	deconstruct_array(array, element_type, element_length, element_by_value, element_align,
					  &elements, NULL, &n);

	result = palloc(sizeof(float) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		switch (element_type)
		{
			case INT4OID:
				result[i] = (float) DatumGetInt32(elements[i]);
				break;
			case FLOAT4OID:
				result[i] = DatumGetFloat4(elements[i]);
				break;
			case FLOAT8OID:
				result[i] = double_to_float4(DatumGetFloat8(elements[i]), type_name);
				break;
			case NUMERICOID:
				/* rounds once, and raises its own error beyond float4 */
				result[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elements[i]));
				break;
		}
	}
	pfree(elements);

	*count = n;
	return result;
}

ArrayType *
float4_array(const float *values, int count)
{
	Datum	   *elements = palloc(sizeof(Datum) * Max(count, 1));
	ArrayType  *result;

	for (int i = 0; i < count; i++)
		elements[i] = Float4GetDatum(values[i]);
	result = construct_array(elements, count, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
	pfree(elements);
	return result;
}
