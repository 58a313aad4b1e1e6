/*
 * halfvec.h
 *	  On-disk layout of the halfvec type (pgvector's): IEEE binary16 elements.
 */
#ifndef HALFVEC_H
#define HALFVEC_H

#include "postgres.h"
#include "fmgr.h"

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
extern void halfvec_check_dim(int dim);

/* Errors unless typmod is -1 (any) or dim. */
extern void halfvec_check_typmod(int32 typmod, int dim);

/*
 * A new halfvec of values rounded to half; NaN, infinity and finite values
 * beyond the half range (|x| >= 65520) are errors.
 */
extern HalfVector *halfvec_from_floats(const float *values, int dim);

#endif							/* HALFVEC_H */
