/*
 * float_array.h
 *	  The elements of an integer[], real[], double precision[] or numeric[]
 *	  argument as float4, for the array-to-vector casts, and float4 values as
 *	  a real[], for the casts back.
 */
#ifndef FLOAT_ARRAY_H
#define FLOAT_ARRAY_H

#include "postgres.h"

#include "utils/array.h"

/*
 * palloc'd float4 copy of a one-dimensional array without NULLs; *count is
 * its length.  type_name names the target type in error messages.  Values
 * beyond float4 are an error; NaN and infinity are passed through for the
 * caller to judge.
 */
extern float *float_array_values(ArrayType *array, const char *type_name, int *count);

/* A new real[] of values[0 .. count). */
extern ArrayType *float4_array(const float *values, int count);

#endif							/* FLOAT_ARRAY_H */
