/*
 * build.h
 *	  What the parts of an ivfflat build share (build.c drives it; see there
 *	  for the phases).  Private to the build.
 */
#ifndef IVFFLAT_BUILD_H
#define IVFFLAT_BUILD_H

#include "access/genam.h"
#include "executor/tuptable.h"
#include "port/atomics.h"
#include "utils/rel.h"
#include "utils/sampling.h"
#include "utils/tuplesort.h"

#include "ivfflat.h"

typedef struct IvfflatRowStore IvfflatRowStore;

typedef struct IvfflatBuildState
{
	Relation	heap;
	Relation	index;
	IvfflatTypeInfo info;
	uint32		dimensions;
	uint32		vector_bytes;
	uint32		lists;
	int			threads;		/* the core's, for k-means */

	/* k-means: the sample */
	vc_kmeans  *kmeans;
	int			sample_target;
	int			sample_count;	/* slots filled */
	double		rows_seen;		/* rows offered to the sample */
	double		rows_scanned;	/* by the sampling scan, NULLs included */
	double		rows_to_skip;
	ReservoirStateData reservoir;
	float	   *widened;		/* halfvec row in float32 */

	/* every row, while they fit in memory (NULL once they did not) */
	IvfflatRowStore *rows;

	/* the centres, in the index's kind */
	char	   *centers;
	IvfflatLists lists_view;	/* over centers, for vc_nearest_centers */

	/* assignment through a tuplesort */
	TupleDesc	sort_desc;
	Tuplesortstate *sort;
	TupleTableSlot *slot;
	double		heap_tuples;
	double		index_tuples;
	MemoryContext row_context;	/* reset after every row */
	bool		report_progress;	/* the leader or a serial build */
	pg_atomic_uint64 *tuples_assigned;	/* by every participant (parallel) */
} IvfflatBuildState;

extern void ivfflat_kmeans_params(const IvfflatBuildState *state, size_t capacity, int max_iterations,
								  uint64 seed, vc_kmeans_params *params);

/* build_rows.c: the rows kept in memory, clustered and written from there */
extern IvfflatRowStore *ivfflat_rows_begin(IvfflatBuildState *state, Size budget);
extern void ivfflat_rows_add(IvfflatBuildState *state, ItemPointer tid, const void *kmeans_row,
							 const void *stored);
extern void ivfflat_rows_end(IvfflatBuildState *state);
extern bool ivfflat_rows_cluster(IvfflatBuildState *state, char *work_centers, Size work_bytes);
extern void ivfflat_rows_write(IvfflatBuildState *state);

#endif							/* IVFFLAT_BUILD_H */
