/*
 * halfvec.h
 *	  On-disk layout of the halfvec type (pgvector's): IEEE binary16 elements.
 */
#ifndef HALFVEC_H
#define HALFVEC_H

#include "postgres.h"
#include "fmgr.h"

#include "type_checks.h"
#include "varlena_arg.h"
#include "vector_core.h"

#define HALFVEC_MAX_DIM VC_VECTOR_MAX_DIM

typedef uint16 half;

typedef struct HalfVector
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int16		dim;			/* number of elements */
	int16		unused;			/* reserved, always zero */
	half		x[FLEXIBLE_ARRAY_MEMBER];
} HalfVector;

#define HALFVEC_SIZE(dim)		(offsetof(HalfVector, x) + sizeof(half) * (dim))
#define DatumGetHalfVector(d)	((HalfVector *) PG_DETOAST_DATUM(d))
#define PG_GETARG_HALFVEC_P(n)	DatumGetHalfVector(PG_GETARG_DATUM(n))
#define PG_RETURN_HALFVEC_P(v)	PG_RETURN_POINTER(v)

extern HalfVector *InitHalfVector(int dim);

/* Errors unless 1 <= dim <= HALFVEC_MAX_DIM. */
static inline void
halfvec_check_dim(int dim)
{
	type_check_dimensions("halfvec", dim, HALFVEC_MAX_DIM);
}

/* Errors unless typmod is -1 (any) or dim. */
static inline void
halfvec_check_typmod(int32 typmod, int dim)
{
	type_check_typmod("halfvec", typmod, dim);
}

/*
 * A new halfvec of values rounded to half; NaN, infinity and finite values
 * beyond the half range (|x| >= 65520) are errors.
 */
extern HalfVector *halfvec_from_floats(const float *values, int dim);

/* A palloc'd float4 copy of the elements (exact: every half is a float4). */
extern float *halfvec_float_values(const HalfVector *vec);

#endif							/* HALFVEC_H */
