/*
 * cost.c
 *	  What an ivfflat scan costs the planner.
 *
 * An ivfflat scan is only for ORDER BY distance: without an ORDER BY it
 * costs infinity, so the planner never picks it.  With one, it reads the
 * probes lists out of lists (about that fraction of the index, mostly in
 * sequential runs of pages: each list's run was written in one piece),
 * plus the centres and the directory, all before the first row.  The total
 * stays the cost of reading the whole index, so that a query without LIMIT
 * (which wants every row) prefers a sequential scan and a sort.
 */
#include "postgres.h"

#include <math.h>

#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/float.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"

#include "ivfflat.h"

void
ivfflat_cost_estimate(PlannerInfo *root, IndexPath *path, double loop_count,
					  Cost *startup_cost, Cost *total_cost,
					  Selectivity *selectivity, double *correlation,
					  double *index_pages)
{
	GenericCosts costs;
	Relation	index;
	IvfflatMetaPageData meta;
	double		fraction;
	double		random_page_cost;
	double		seq_page_cost;
	double		directory_pages;

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
	ivfflat_read_meta(index, &meta);
	index_close(index, NoLock);

	fraction = Min(1.0, (double) ivfflat_probes / Max(meta.lists, 1));
	directory_pages = ivfflat_center_page_count(meta.lists, meta.vector_bytes) +
		ceil((double) meta.lists * ivfflat_item_space(IVFFLAT_LIST_TUPLE_SIZE) /
			 ivfflat_empty_page_space());

	/* half of the pages are read in sequence, not at random */
	get_tablespace_page_costs(path->indexinfo->reltablespace, &random_page_cost, &seq_page_cost);
	costs.indexTotalCost -= 0.5 * costs.numIndexPages * (random_page_cost - seq_page_cost);

	/* every row returned is known before the first: the startup cost */
	costs.indexStartupCost = costs.indexTotalCost * fraction +
		directory_pages * seq_page_cost +
		meta.lists * cpu_operator_cost;

	*startup_cost = costs.indexStartupCost;
	*total_cost = Max(costs.indexTotalCost, costs.indexStartupCost);
	*selectivity = costs.indexSelectivity;
	*correlation = costs.indexCorrelation;
	*index_pages = costs.numIndexPages * fraction;
}
