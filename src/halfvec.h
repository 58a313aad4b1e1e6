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

#endif							/* HALFVEC_H */
