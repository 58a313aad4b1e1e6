/*
 * vector.h
 *	  On-disk layout of the vector type, identical to pgvector's so that data,
 *	  dumps and binary COPY move between the two unchanged.
 */
#ifndef VECTOR_H
#define VECTOR_H

#include "postgres.h"
#include "fmgr.h"

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

extern Vector *InitVector(int dim);

#endif							/* VECTOR_H */
