/*
 * index_common.h
 *	  What the hnsw and ivfflat access methods share: which element kind and
 *	  metric an opclass stands for, the indexable dimension limits and their
 *	  errors, how a value is prepared for the index (detoasted, normalized
 *	  for cosine) and what the core's kernels read of it, errors of failed
 *	  core calls, and new index pages.
 *
 * am_name arguments are the access method's SQL name ("hnsw", "ivfflat"),
 * used in messages.
 */
#ifndef INDEX_COMMON_H
#define INDEX_COMMON_H

#include "postgres.h"

#include "pg_compat.h"

#include "access/amapi.h"
#include "access/relscan.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"

#include "vector_core.h"

/* Largest indexable values of the fixed-size types (pgvector's limits) */
#define INDEX_MAX_VECTOR_DIM		2000
#define INDEX_MAX_HALFVEC_DIM		4000
#define INDEX_MAX_BIT_DIM			64000

/*
 * The element kind and metric of an index's opclass, from its distance
 * support function (number distance_proc); the type support function
 * (number type_support_proc), where the opclass has one, must agree.
 */
extern void index_opclass_kind(Relation index, uint16 distance_proc, uint16 type_support_proc,
							   const char *am_name, vc_element_kind *kind, vc_metric *metric);

/* What a type support function returns for kind (a pointer to a constant) */
extern const vc_element_kind *index_kind_pointer(vc_element_kind kind);

/* The SQL name of the type of a kind, for messages */
extern const char *index_kind_type_name(vc_element_kind kind);

/*
 * The dimensions of the index's fixed-size column (its typmod), checked
 * against the indexable limit: errors name the limit and the type that
 * would fit.  0 for sparsevec, whose values are checked one by one.
 */
extern uint32 index_column_dimensions(Relation index, vc_element_kind kind, const char *am_name);

/*
 * The value as an index stores and searches it: detoasted (a 4-byte-header
 * varlena) and, with normalize, scaled to unit length.  NULL for a value
 * that cannot be normalized (a zero vector) unless for_query: a zero query
 * stays as it is.
 */
extern struct varlena *index_prepare_value(vc_element_kind kind, bool normalize, Datum value,
										   bool for_query);

/* Euclidean norm of a prepared vector, halfvec or sparsevec (1 for bits) */
extern double index_value_norm(vc_element_kind kind, const struct varlena *value);

/*
 * What the core's kernels read of a prepared value: the elements of a
 * vector or halfvec, the bytes of a bit string, a sparsevec without its
 * varlena header; and how many bytes that is.
 */
extern const void *index_value_vector(vc_element_kind kind, const struct varlena *value);
extern size_t index_value_vector_bytes(vc_element_kind kind, const struct varlena *value);

/* Dimensions of a prepared value (bits for bit strings, dim for sparsevec) */
extern uint32 index_value_dimensions(vc_element_kind kind, const struct varlena *value);

/*
 * Errors unless a prepared query has the index's dimensions (nothing to
 * check for sparsevec, or while the index does not know them: 0).
 */
extern void index_check_query_dimensions(vc_element_kind kind, uint32 index_dimensions,
										 const struct varlena *query);

/* Error out on a failed core call; what says what the call was doing */
extern void index_check_core(vc_status status, const char *am_name, const char *what);

/* A new page at the end of fork, pinned and exclusively locked */
extern Buffer index_new_buffer(Relation index, ForkNumber fork);

/* Index tuples on one page (for a VACUUM that had no dead rows to remove) */
typedef double (*IndexPageTupleCount) (Page page);
extern double index_count_tuples(IndexVacuumInfo *info, BlockNumber first_block,
								 IndexPageTupleCount count_page);

/* amrescan's common part: take the new scan keys and ORDER BY keys */
extern void index_rescan_keys(IndexScanDesc scan, ScanKey keys, ScanKey orderbys);

/* Errors unless the scan has an ORDER BY distance (the only scan we do) */
extern void index_require_order_by(IndexScanDesc scan, const char *am_name);

/*
 * A new IndexAmRoutine with what hnsw and ivfflat share: ORDER BY distance
 * through amgettuple only, one column, no unique, bitmap, index-only or
 * parallel scans, parallel bulk delete; the caller sets the callbacks.
 */
extern IndexAmRoutine *index_ordered_am_routine(uint16 support_count);

/*
 * Threads a build may run its core work with: 1 + the parallel workers
 * PostgreSQL would plan for this table (max_parallel_maintenance_workers).
 */
extern int	index_build_threads(Relation heap, Relation index, IndexInfo *index_info);

#endif							/* INDEX_COMMON_H */
