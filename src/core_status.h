/*
 * core_status.h
 *	  Turning the core's vc_status codes into PostgreSQL errors.
 */
#ifndef CORE_STATUS_H
#define CORE_STATUS_H

#include "postgres.h"

#include "vector_core.h"

/* The SQLSTATE (an ERRCODE_* value) that fits a failed core call. */
extern int	core_status_sqlstate(vc_status status);

#endif							/* CORE_STATUS_H */
