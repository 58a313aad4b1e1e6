/*
 * comparison_functions.h
 *	  The SQL functions of a type's btree opclass, all defined from one
 *	  three-way comparison.
 *
 * DEFINE_COMPARISON_FUNCTIONS(halfvec, HalfVector, halfvec_compare) defines
 * halfvec_cmp (the btree support function) and the operator functions
 * halfvec_lt, halfvec_le, halfvec_eq, halfvec_ne, halfvec_ge and halfvec_gt,
 * given int halfvec_compare(const HalfVector *a, const HalfVector *b): < 0,
 * 0 or > 0 as a sorts before, with or after b.  Arguments are read in place.
 */
#ifndef COMPARISON_FUNCTIONS_H
#define COMPARISON_FUNCTIONS_H

#include "postgres.h"
#include "fmgr.h"

#include "varlena_arg.h"

/*
 * The last step of every vector type's order, once the elements both have
 * are equal: the one with fewer dimensions first, as PostgreSQL orders arrays.
 */
static inline int
compare_dimensions(int dim_a, int dim_b)
{
	return (dim_a > dim_b) - (dim_a < dim_b);
}

#define DEFINE_COMPARISON_FUNCTION(name, result) \
	PG_FUNCTION_INFO_V1(name); \
	Datum \
	name(PG_FUNCTION_ARGS) \
	{ \
		return (result); \
	}

#define DEFINE_COMPARISON_FUNCTIONS(type, Type, compare) \
	static int \
	type##_compare_args(FunctionCallInfo fcinfo) \
	{ \
		VARLENA_TWO_ARGS_IN_PLACE(const Type, a, b); \
	\
		return compare(a, b); \
	} \
	DEFINE_COMPARISON_FUNCTION(type##_cmp, Int32GetDatum(type##_compare_args(fcinfo))) \
	DEFINE_COMPARISON_FUNCTION(type##_lt, BoolGetDatum(type##_compare_args(fcinfo) < 0)) \
	DEFINE_COMPARISON_FUNCTION(type##_le, BoolGetDatum(type##_compare_args(fcinfo) <= 0)) \
	DEFINE_COMPARISON_FUNCTION(type##_eq, BoolGetDatum(type##_compare_args(fcinfo) == 0)) \
	DEFINE_COMPARISON_FUNCTION(type##_ne, BoolGetDatum(type##_compare_args(fcinfo) != 0)) \
	DEFINE_COMPARISON_FUNCTION(type##_ge, BoolGetDatum(type##_compare_args(fcinfo) >= 0)) \
	DEFINE_COMPARISON_FUNCTION(type##_gt, BoolGetDatum(type##_compare_args(fcinfo) > 0))

#endif							/* COMPARISON_FUNCTIONS_H */
