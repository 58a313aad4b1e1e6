/*
 * bitvec.c
 *	  Hamming and Jaccard distances over PostgreSQL's bit type.
 *
 * These run once per row of a scan.  A bit(768) value is 101 bytes, which a
 * heap tuple stores with a 1-byte header, and PG_GETARG_VARBIT_P would copy
 * it to aligned memory on every call.  Bit strings need no alignment, so we
 * read them where they lie: the packed datum, its bit length by memcpy (it
 * may be unaligned), and a pointer to its bytes for the core's kernels.
 */
#include "postgres.h"

#include "pg_compat.h"

#include "utils/varbit.h"

#include "varlena_arg.h"
#include "vector_core.h"

typedef struct BitString
{
	int32		length;			/* in bits */
	const uint8 *bytes;			/* padding bits of the last byte are zero */
} BitString;

static inline BitString
bit_arg(FunctionCallInfo fcinfo, int argno)
{
	/* expands compressed or toasted values only; short ones stay in place */
	struct varlena *packed = varlena_arg_packed(PG_GETARG_DATUM(argno));
	const char *data = VARDATA_ANY(packed);
	BitString	result;

	memcpy(&result.length, data, sizeof(int32));
	result.bytes = (const uint8 *) data + sizeof(int32);
	return result;
}

static inline size_t
bit_string_bytes(BitString bits)
{
	return ((size_t) bits.length + BITS_PER_BYTE - 1) / BITS_PER_BYTE;
}

static inline void
check_same_length(BitString a, BitString b)
{
	if (a.length != b.length)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("bit strings differ in length: %d and %d bits", a.length, b.length)));
}

/* Number of positions at which the bits differ. */
PG_FUNCTION_INFO_V1(hamming_distance);
Datum
hamming_distance(PG_FUNCTION_ARGS)
{
	BitString	a = bit_arg(fcinfo, 0);
	BitString	b = bit_arg(fcinfo, 1);

	check_same_length(a, b);
	PG_RETURN_FLOAT8((double) vc_bits_hamming(a.bytes, b.bytes, bit_string_bytes(a)));
}

/* 1 - |a AND b| / |a OR b|, counting set bits. */
PG_FUNCTION_INFO_V1(jaccard_distance);
Datum
jaccard_distance(PG_FUNCTION_ARGS)
{
	BitString	a = bit_arg(fcinfo, 0);
	BitString	b = bit_arg(fcinfo, 1);

	check_same_length(a, b);
	PG_RETURN_FLOAT8(vc_bits_jaccard(a.bytes, b.bytes, bit_string_bytes(a)));
}
