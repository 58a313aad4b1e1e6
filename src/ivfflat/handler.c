/*
 * handler.c
 *	  The ivfflat access method's entry points: its handler (which tells
 *	  PostgreSQL what it can do), the lists option, GUCs (ivfflat.*), build
 *	  phase names, and the opclasses' type support functions.  Names,
 *	  defaults and ranges are pgvector's.
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/reloptions.h"
#include "commands/progress.h"
#include "fmgr.h"
#include "utils/guc.h"

#include "index_common.h"
#include "ivfflat.h"

int			ivfflat_probes = IVFFLAT_DEFAULT_PROBES;
int			ivfflat_iterative_scan = IVFFLAT_ITERATIVE_SCAN_OFF;
int			ivfflat_max_probes = IVFFLAT_MAX_LISTS;

static relopt_kind ivfflat_relopt_kind;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", IVFFLAT_ITERATIVE_SCAN_OFF, false},
	{"relaxed_order", IVFFLAT_ITERATIVE_SCAN_RELAXED, false},
	{NULL, 0, false}
};

/* Called from _PG_init */
void
ivfflat_init(void)
{
	ivfflat_relopt_kind = add_reloption_kind();
	add_int_reloption(ivfflat_relopt_kind, "lists",
					  "Number of lists (k-means centres) the rows are divided into",
					  IVFFLAT_DEFAULT_LISTS, IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS,
					  AccessExclusiveLock);

	DefineCustomIntVariable("ivfflat.probes",
							"Sets the number of lists an ivfflat scan reads.",
							"From 1 to the number of lists of the index.",
							&ivfflat_probes, IVFFLAT_DEFAULT_PROBES,
							IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("ivfflat.iterative_scan",
							 "Sets whether an ivfflat scan reads further lists when the first ones run out.",
							 NULL,
							 &ivfflat_iterative_scan, IVFFLAT_ITERATIVE_SCAN_OFF,
							 iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	/* below ivfflat.probes, probes wins */
	DefineCustomIntVariable("ivfflat.max_probes",
							"Sets the number of lists an iterative ivfflat scan may read at most.",
							NULL,
							&ivfflat_max_probes, IVFFLAT_MAX_LISTS,
							IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS,
							PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("ivfflat");
}

static bytea *
ivfflat_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt options[] = {
		{"lists", RELOPT_TYPE_INT, offsetof(IvfflatOptions, lists)},
	};

	return (bytea *) build_reloptions(reloptions, validate, ivfflat_relopt_kind,
									  sizeof(IvfflatOptions), options, lengthof(options));
}

static char *
ivfflat_build_phase_name(int64 phase)
{
	switch (phase)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case IVFFLAT_PHASE_KMEANS:
			return "performing k-means";
		case IVFFLAT_PHASE_ASSIGN:
			return "assigning tuples";
		case IVFFLAT_PHASE_LOAD:
			return "loading tuples";
		default:
			return NULL;
	}
}

/* The opclasses are made by our own install script: nothing to check */
static bool
ivfflat_validate(Oid opclass)
{
	return true;
}

PG_FUNCTION_INFO_V1(ivfflathandler);
Datum
ivfflathandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *routine = index_ordered_am_routine(5);

	routine->ambuild = ivfflat_build;
	routine->ambuildempty = ivfflat_build_empty;
	routine->aminsert = ivfflat_insert;
	routine->ambulkdelete = ivfflat_bulk_delete;
	routine->amvacuumcleanup = ivfflat_vacuum_cleanup;
	routine->amcostestimate = ivfflat_cost_estimate;
	routine->amoptions = ivfflat_options;
	routine->ambuildphasename = ivfflat_build_phase_name;
	routine->amvalidate = ivfflat_validate;
	routine->ambeginscan = ivfflat_begin_scan;
	routine->amrescan = ivfflat_rescan;
	routine->amgettuple = ivfflat_get_tuple;
	routine->amendscan = ivfflat_end_scan;

	PG_RETURN_POINTER(routine);
}

/*
 * Type support functions (opclass support 5), as pgvector declares them:
 * each returns the element kind its type is searched as.
 */
PG_FUNCTION_INFO_V1(ivfflat_halfvec_support);
Datum
ivfflat_halfvec_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(index_kind_pointer(VC_ELEMENT_F16));
}

PG_FUNCTION_INFO_V1(ivfflat_bit_support);
Datum
ivfflat_bit_support(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(index_kind_pointer(VC_ELEMENT_BITS));
}
