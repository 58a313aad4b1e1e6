/*
 * sparsevec.h
 *	  On-disk layout of the sparsevec type (pgvector's): a 16-byte header, nnz
 *	  0-based int32 indices in increasing order, then nnz float4 values.
 */
#ifndef SPARSEVEC_H
#define SPARSEVEC_H

#include "postgres.h"
#include "fmgr.h"

#include "type_checks.h"
#include "varlena_arg.h"
#include "vector_core.h"

#define SPARSEVEC_MAX_DIM VC_SPARSEVEC_MAX_DIM
#define SPARSEVEC_MAX_NNZ VC_SPARSEVEC_MAX_NNZ

typedef struct SparseVector
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		dim;			/* number of dimensions */
	int32		nnz;			/* number of non-zero elements */
	int32		unused;			/* reserved, always zero */
	int32		indices[FLEXIBLE_ARRAY_MEMBER];
	/* float values[nnz] follow the indices */
} SparseVector;

#define SPARSEVEC_SIZE(nnz)			(offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * (nnz))
#define SPARSEVEC_VALUES(v)			((float *) ((v)->indices + (v)->nnz))
#define DatumGetSparseVector(d)		((SparseVector *) PG_DETOAST_DATUM(d))
#define PG_GETARG_SPARSEVEC_P(n)	DatumGetSparseVector(PG_GETARG_DATUM(n))
#define PG_RETURN_SPARSEVEC_P(v)	PG_RETURN_POINTER(v)

extern SparseVector *InitSparseVector(int dim, int nnz);

/* Errors unless 1 <= dim <= SPARSEVEC_MAX_DIM. */
static inline void
sparsevec_check_dim(int64 dim)
{
	type_check_dimensions("sparsevec", dim, SPARSEVEC_MAX_DIM);
}

/* Errors unless typmod is -1 (any) or dim. */
static inline void
sparsevec_check_typmod(int32 typmod, int dim)
{
	type_check_typmod("sparsevec", typmod, dim);
}

#endif							/* SPARSEVEC_H */
