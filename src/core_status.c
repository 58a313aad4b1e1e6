/*
 * core_status.c
 *	  Map the core's failure codes to SQLSTATEs.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "core_status.h"

int
core_status_sqlstate(vc_status status)
{
	switch (status)
	{
		case VC_OK:
			break;
		case VC_ERROR_SYNTAX:
		case VC_ERROR_EMPTY:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case VC_ERROR_OUT_OF_RANGE:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case VC_ERROR_NOT_FINITE:
			return ERRCODE_DATA_EXCEPTION;
		case VC_ERROR_TOO_MANY:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case VC_ERROR_INDEX_ORDER:
		case VC_ERROR_INDEX_RANGE:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case VC_ERROR_INVALID_ARGUMENT:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case VC_ERROR_NO_MEMORY:
			return ERRCODE_OUT_OF_MEMORY;
	}
	return ERRCODE_INTERNAL_ERROR;
}
