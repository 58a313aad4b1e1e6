/*
 * vector.h
 *	  On-disk layout of the vector type, identical to pgvector's so that data,
 *	  dumps and binary COPY move between the two unchanged.
 */
#ifndef VECTOR_H
#define VECTOR_H

#include "postgres.h"
#include "fmgr.h"

#include "utils/array.h"
#include "utils/varbit.h"

#include "type_checks.h"
#include "varlena_arg.h"
#include "vector_core.h"

#define VECTOR_MAX_DIM VC_VECTOR_MAX_DIM

typedef struct Vector
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		dim;			/* number of elements */
	int16		unused;			/* reserved, always zero */
	float		x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(dim)		(offsetof(Vector, x) + sizeof(float) * (dim))
#define DatumGetVector(d)		((Vector *) PG_DETOAST_DATUM(d))
#define PG_GETARG_VECTOR_P(n)	DatumGetVector(PG_GETARG_DATUM(n))
#define PG_RETURN_VECTOR_P(v)	PG_RETURN_POINTER(v)

/*
 * Argument n read where it lies, without the palloc'd copy PG_GETARG_VECTOR_P
 * makes of small values (see varlena_arg.h).  For functions that run once per
 * row and do not return the argument; buffer must outlive the result.
 */
static inline Vector *
vector_arg(FunctionCallInfo fcinfo, int n, VarlenaArgBuffer *buffer)
{
	return (Vector *) varlena_arg_aligned(PG_GETARG_DATUM(n), buffer);
}

extern Vector *InitVector(int dim);

/* Errors unless 1 <= dim <= VECTOR_MAX_DIM. */
static inline void
vector_check_dim(int dim)
{
	type_check_dimensions("vector", dim, VECTOR_MAX_DIM);
}

/* Errors unless typmod is -1 (any) or dim. */
extern void vector_check_typmod(int32 typmod, int dim);

/* Errors if a value is NaN or infinite; the message names the element. */
extern void vector_check_finite(const float *values, int dim);

extern void vector_report_dim_mismatch(int dim_a, int dim_b) pg_attribute_noreturn();

/* bit(dim) with bit i set where values[i] is positive: binary_quantize(). */
extern VarBit *bits_of_positive_values(const float *values, int dim);

/*
 * A new avg() state, float8[] {count, sums[0], ..., sums[dim - 1]} (sums
 * NULL: zeros): the layout avg(vector) and avg(halfvec) share.
 */
extern ArrayType *make_avg_state(float8 count, const float8 *sums, int dim);

/* Errors unless both operands have the same dimensions (inline: per-row path). */
static inline void
vector_check_same_dim(const Vector *a, const Vector *b)
{
	if (unlikely(a->dim != b->dim))
		vector_report_dim_mismatch(a->dim, b->dim);
}

#endif							/* VECTOR_H */
