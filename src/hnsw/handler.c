/*
 * handler.c
 *	  The hnsw access method's entry points: its handler (which tells
 *	  PostgreSQL what it can do), options (m, ef_construction), GUCs
 *	  (hnsw.*), build phase names, and the opclasses' type support
 *	  functions.  Names, defaults and ranges are pgvector's.
 */
#include "postgres.h"

#include <float.h>
#include <limits.h>

#include "access/amapi.h"
#include "access/reloptions.h"
#include "commands/progress.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "hnsw.h"
#include "index_common.h"

int			hnsw_ef_search = HNSW_DEFAULT_EF_SEARCH;
int			hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_OFF;
int			hnsw_max_scan_tuples = 20000;
double		hnsw_scan_mem_multiplier = 1;

static relopt_kind hnsw_relopt_kind;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", HNSW_ITERATIVE_SCAN_OFF, false},
	{"relaxed_order", HNSW_ITERATIVE_SCAN_RELAXED, false},
	{"strict_order", HNSW_ITERATIVE_SCAN_STRICT, false},
	{NULL, 0, false}
};

/* Called from _PG_init */
void
hnsw_init(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m",
					  "Maximum number of links per element on each layer (twice that on layer 0)",
					  HNSW_DEFAULT_M, HNSW_MIN_M, HNSW_MAX_M, AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction",
					  "Number of candidates kept while choosing a new element's links",
					  HNSW_DEFAULT_EF_CONSTRUCTION, HNSW_MIN_EF_CONSTRUCTION,
					  HNSW_MAX_EF_CONSTRUCTION, AccessExclusiveLock);

	DefineCustomIntVariable("hnsw.ef_search",
							"Sets the number of candidates an hnsw scan keeps (and rows it can return without an iterative scan).",
							"Valid range is 1..1000.",
							&hnsw_ef_search, HNSW_DEFAULT_EF_SEARCH,
							HNSW_MIN_EF_SEARCH, HNSW_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("hnsw.iterative_scan",
							 "Sets whether an hnsw scan goes on searching when its first results run out.",
							 "relaxed_order may return rows slightly out of distance order; strict_order never does.",
							 &hnsw_iterative_scan, HNSW_ITERATIVE_SCAN_OFF, iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("hnsw.max_scan_tuples",
							"Sets the number of elements an iterative hnsw scan may visit before it stops.",
							NULL,
							&hnsw_max_scan_tuples, 20000, 1, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("hnsw.scan_mem_multiplier",
							 "Sets the multiple of work_mem an iterative hnsw scan may use.",
							 NULL,
							 &hnsw_scan_mem_multiplier, 1, 1, 1000,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("hnsw");
}

static bytea *
hnsw_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt options[] = {
		{"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
	};

	return (bytea *) build_reloptions(reloptions, validate, hnsw_relopt_kind,
									  sizeof(HnswOptions), options, lengthof(options));
}

static char *
hnsw_build_phase_name(int64 phase)
{
	switch (phase)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case HNSW_PHASE_LOAD:
			return "loading tuples";
		case HNSW_PHASE_WRITE:
			return "writing index pages";
		default:
			return NULL;
	}
}

/* The opclasses are made by our own install script: nothing to check */
static bool
hnsw_validate(Oid opclass)
{
	return true;
}

PG_FUNCTION_INFO_V1(hnswhandler);
Datum
hnswhandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *routine = index_ordered_am_routine(3);

	routine->ambuild = hnsw_build;
	routine->ambuildempty = hnsw_build_empty;
	routine->aminsert = hnsw_insert;
	routine->ambulkdelete = hnsw_bulk_delete;
	routine->amvacuumcleanup = hnsw_vacuum_cleanup;
	routine->amcostestimate = hnsw_cost_estimate;
	routine->amoptions = hnsw_options;
	routine->ambuildphasename = hnsw_build_phase_name;
	routine->amvalidate = hnsw_validate;
	routine->ambeginscan = hnsw_begin_scan;
	routine->amrescan = hnsw_rescan;
	routine->amgettuple = hnsw_get_tuple;
	routine->amendscan = hnsw_end_scan;

	PG_RETURN_POINTER(routine);
}

/*
 * Type support functions (opclass support 3), as pgvector declares them:
 * each returns the element kind its type is searched as.
 */
PG_FUNCTION_INFO_V1(hnsw_halfvec_support);
Datum
hnsw_halfvec_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(index_kind_pointer(VC_ELEMENT_F16));
}

PG_FUNCTION_INFO_V1(hnsw_bit_support);
Datum
hnsw_bit_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(index_kind_pointer(VC_ELEMENT_BITS));
}

PG_FUNCTION_INFO_V1(hnsw_sparsevec_support);
Datum
hnsw_sparsevec_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(index_kind_pointer(VC_ELEMENT_SPARSE));
}
