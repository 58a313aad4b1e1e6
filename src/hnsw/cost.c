/*
 * cost.c
 *	  What an hnsw scan costs the planner.
 *
 * An hnsw scan is only for ORDER BY distance: without an ORDER BY it costs
 * infinity, so the planner never picks it.  With one, it reads a fraction
 * of the index that grows with log(rows) and hnsw.ef_search (the greedy
 * descent plus the layer-0 search), all before the first row.  A very
 * selective WHERE clause then makes a btree or a sequential scan with a
 * sort cheaper, as it is.
 */
#include "postgres.h"

#include <math.h>

#include "optimizer/cost.h"
#include "utils/float.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"

#include "hnsw.h"

void
hnsw_cost_estimate(PlannerInfo *root, IndexPath *path, double loop_count,
				   Cost *startup_cost, Cost *total_cost,
				   Selectivity *selectivity, double *correlation,
				   double *index_pages)
{
	GenericCosts costs;
	double		tuples = path->indexinfo->tuples;
	double		fraction = 1;
	Relation	index;
	int			m;

	if (path->indexorderbys == NIL)
	{
		*startup_cost = get_float8_infinity();
		*total_cost = get_float8_infinity();
		*selectivity = 0;
		*correlation = 0;
		*index_pages = 0;
		return;
	}

	MemSet(&costs, 0, sizeof(costs));
	genericcostestimate(root, path, loop_count, &costs);

	index = index_open(path->indexinfo->indexoid, NoLock);
	m = hnsw_get_m(index);
	index_close(index, NoLock);

	if (tuples > 1)
	{
		/*
		 * Elements scored: m per layer on the way down, and on layer 0 the
		 * 2m neighbours of the elements expanded, which grow with ef_search
		 * and (slowly) with the graph's size.
		 */
		double		levels = log(tuples) / log(m);
		double		layer0 = 2.0 * m * hnsw_ef_search * 0.55 * log(tuples) /
			(log(m) * (1 + log(hnsw_ef_search)));

		fraction = Min(1.0, (levels * m + layer0) / tuples);
	}

	/*
	 * Every result of the search is known before the first is returned:
	 * that is the startup cost.  The total stays the cost of reading the
	 * whole index, so that a query without LIMIT (which would want every
	 * row) prefers a sequential scan and a sort.
	 */
	costs.indexStartupCost = costs.indexTotalCost * fraction;

	*startup_cost = costs.indexStartupCost;
	*total_cost = costs.indexTotalCost;
	*selectivity = costs.indexSelectivity;
	*correlation = costs.indexCorrelation;
	*index_pages = costs.numIndexPages * fraction;
}
