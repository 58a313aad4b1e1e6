/*
 * type_checks.h
 *	  Validity checks that vector, halfvec and sparsevec share: dimension
 *	  counts against a type's limit and type modifier, the type modifier
 *	  itself, and the header fields of the binary forms.
 *
 * type_name is the SQL name of the type, used in the messages.
 */
#ifndef TYPE_CHECKS_H
#define TYPE_CHECKS_H

#include "postgres.h"

#include "pg_compat.h"

#include "lib/stringinfo.h"
#include "utils/array.h"

/* Errors unless 1 <= dim <= max_dim. */
extern void type_check_dimensions(const char *type_name, int64 dim, int32 max_dim);

/* Errors unless typmod is -1 (any) or dim, for type_name(typmod). */
extern void type_check_typmod(const char *type_name, int32 typmod, int dim);

/*
 * The typmod_in of a type whose one modifier is its number of dimensions,
 * 1 .. max_dim.
 */
extern int32 type_modifier_dimensions(ArrayType *modifiers, const char *type_name, int32 max_dim);

/*
 * Errors unless the binary message still holds needed bytes.  PostgreSQL's
 * pq_getmsg* would report a short message as a protocol violation (08P01);
 * a truncated value is bad data, so say so, before allocating for it.
 */
extern void type_check_binary_remaining(const char *type_name, StringInfo message, Size needed);

/* Errors unless the reserved header field of a binary value is zero. */
extern void type_check_reserved_field(const char *type_name, int32 value);

/* Errors for operands of different dimensions; never returns. */
extern void type_report_dimension_mismatch(const char *type_name, int dim_a, int dim_b) pg_attribute_noreturn();

#endif							/* TYPE_CHECKS_H */
