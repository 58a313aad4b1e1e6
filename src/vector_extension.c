/*
 * vector_extension.c
 *	  Module load: GUCs, and what the user can ask about the build.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "vector_core.h"
#include "hnsw/hnsw.h"
#include "ivfflat/ivfflat.h"

PG_MODULE_MAGIC;

/* "auto" means: the best target this CPU supports (or VECTOR_SIMD_TARGET). */
static char *simd_target_setting = NULL;

void		_PG_init(void);

static bool
check_simd_target(char **newval, void **extra, GucSource source)
{
	const char *names[8];
	size_t		count;

	if (*newval == NULL || strcmp(*newval, "auto") == 0)
		return true;

	count = vc_simd_supported_targets(names, lengthof(names));
	for (size_t i = 0; i < count && i < lengthof(names); i++)
	{
		if (strcmp(*newval, names[i]) == 0)
			return true;
	}

	GUC_check_errdetail("This CPU supports the SIMD targets listed by vector_simd_targets(); \"%s\" is not one of them.",
						*newval);
	return false;
}

static void
assign_simd_target(const char *newval, void *extra)
{
	bool		use_default = (newval == NULL || strcmp(newval, "auto") == 0);

	/* check_simd_target() already made sure the CPU supports it */
	(void) vc_simd_set_target(use_default ? NULL : newval);
}

void
_PG_init(void)
{
	DefineCustomStringVariable("vector.simd_target",
							   "Instruction set used by the distance kernels.",
							   "\"auto\" picks the best one the CPU supports; a lower one can be forced for testing.",
							   &simd_target_setting,
							   "auto",
							   PGC_USERSET,
							   0,
							   check_simd_target,
							   assign_simd_target,
							   NULL);

	MarkGUCPrefixReserved("vector");

	hnsw_init();
	ivfflat_init();
}

PG_FUNCTION_INFO_V1(vector_simd_target);
Datum
vector_simd_target(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(vc_simd_target()));
}

PG_FUNCTION_INFO_V1(vector_simd_targets);
Datum
vector_simd_targets(PG_FUNCTION_ARGS)
{
	const char *names[8];
	Datum		elements[8];
	size_t		count = vc_simd_supported_targets(names, lengthof(names));

	count = Min(count, lengthof(names));
	for (size_t i = 0; i < count; i++)
		elements[i] = CStringGetTextDatum(names[i]);

	PG_RETURN_ARRAYTYPE_P(construct_array(elements, (int) count, TEXTOID, -1, false, TYPALIGN_INT));
}
