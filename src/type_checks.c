/*
 * type_checks.c
 *	  Validity checks shared by the vector types (see type_checks.h).
 */
#include "postgres.h"

#include "pg_compat.h"

#include "type_checks.h"

void
type_check_dimensions(const char *type_name, int64 dim, int32 max_dim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("a %s needs at least 1 dimension", type_name)));
	if (dim > max_dim)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has %lld dimensions, more than the limit of %d",
						type_name, (long long) dim, max_dim)));
}

void
type_check_typmod(const char *type_name, int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg_plural("%s(%d) cannot hold %d dimension",
							   "%s(%d) cannot hold %d dimensions",
							   dim, type_name, typmod, dim)));
}

int32
type_modifier_dimensions(ArrayType *modifiers, const char *type_name, int32 max_dim)
{
	int			count;
	int32	   *values = ArrayGetIntegerTypmods(modifiers, &count);

	if (count != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s takes one type modifier, the number of dimensions", type_name)));
	if (values[0] < 1 || values[0] > max_dim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("dimensions of type %s must be between 1 and %d, not %d",
						type_name, max_dim, values[0])));
	return values[0];
}

void
type_check_binary_remaining(const char *type_name, StringInfo message, Size needed)
{
	Size		remaining = (Size) (message->len - message->cursor);

	if (remaining < needed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary %s: the message ends %zu bytes early", type_name, needed - remaining)));
}

void
type_check_reserved_field(const char *type_name, int32 value)
{
	if (value != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary %s: reserved field is %d, must be 0", type_name, value)));
}

void
type_report_dimension_mismatch(const char *type_name, int dim_a, int dim_b)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("%s dimensions differ: %d and %d", type_name, dim_a, dim_b)));
}
