/*
 * varlena_arg.h
 *	  Reading a varlena argument in place, without the palloc'd copy that
 *	  PG_DETOAST_DATUM makes of every short-header value.
 *
 * Heap tuples store a varlena of at most 126 data bytes with a 1-byte header,
 * which leaves its contents unaligned.  The distance functions run once per
 * row, so for those small values we copy the bytes into a stack buffer of the
 * caller (aligned, no allocation); values with a 4-byte header are used where
 * they lie, and only compressed or out-of-line ones are expanded by
 * PostgreSQL.
 */
#ifndef VARLENA_ARG_H
#define VARLENA_ARG_H

#include "postgres.h"
#include "fmgr.h"

#include "pg_compat.h"

typedef union VarlenaArgBuffer
{
	double		align;			/* keeps the copy aligned for any element */
	char		bytes[VARHDRSZ + VARATT_SHORT_MAX];
} VarlenaArgBuffer;

/* How many rows ahead to prefetch; 2 measured best on 128-d to 768-d rows. */
#define VARLENA_PREFETCH_ROWS 2

/*
 * Sequential scans hand a function the rows of a heap page in line-pointer
 * order, and heap pages are filled from their end, so the next row's value
 * usually lies just below this one in memory (bench/seqscan.py: 128-d
 * scans run almost twice as fast with it).  The hardware prefetcher does
 * not follow that backward, row-sized stride; asking for it here hides most
 * of the memory latency of the next call.  A wrong guess costs a few
 * cache-line loads and never a fault (prefetches do not fault).
 *
 * Returns value: GCC treats a function that only prefetches as pure, and
 * drops calls to it whose result is unused.
 */
static inline struct varlena *
varlena_prefetch_next_row(struct varlena *value)
{
	/* a row bigger than this cannot share the page with its successor */
	const Size	max_bytes = BLCKSZ / 2;
	/* + 64: the next row's tuple header and other columns, roughly */
	Size		bytes = Min(VARLENA_PREFETCH_ROWS * (VARSIZE_ANY(value) + 64), max_bytes);
	const char *start = (const char *) value - bytes;

	for (Size offset = 0; offset < bytes; offset += 64)
		__builtin_prefetch(start + offset);
	return value;
}

/*
 * The datum as a 4-byte-header varlena whose contents are suitably aligned;
 * buffer must live as long as the result is used.
 */
static inline struct varlena *
varlena_arg_aligned(Datum datum, VarlenaArgBuffer *buffer)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(datum);

	/* a TOAST pointer has a 1-byte header too: test for it first */
	if (VARATT_IS_EXTERNAL(raw))
		return pg_detoast_datum(raw);
	if (VARATT_IS_SHORT(raw))
	{
		Size		data_size = VARSIZE_SHORT(raw) - VARHDRSZ_SHORT;

		raw = varlena_prefetch_next_row(raw);
		memcpy(buffer->bytes + VARHDRSZ, VARDATA_SHORT(raw), data_size);
		SET_VARSIZE(buffer->bytes, VARHDRSZ + data_size);
		return (struct varlena *) buffer->bytes;
	}
	if (VARATT_IS_EXTENDED(raw))
		return pg_detoast_datum(raw);
	return varlena_prefetch_next_row(raw);
}

/*
 * The datum in place, short header and unaligned contents included, for
 * types that need no alignment (bit strings): PG_DETOAST_DATUM_PACKED
 * without its function call, expanding only compressed or out-of-line values.
 */
static inline struct varlena *
varlena_arg_packed(Datum datum)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(datum);

	if (VARATT_IS_EXTERNAL(raw) || VARATT_IS_COMPRESSED(raw))
		return pg_detoast_datum_packed(raw);
	return varlena_prefetch_next_row(raw);
}

/*
 * Declares Type *a and *b, arguments 0 and 1 read in place with their
 * buffers on the caller's stack: the prologue of per-row binary functions.
 */
#define VARLENA_TWO_ARGS_IN_PLACE(Type, a, b) \
	VarlenaArgBuffer a##_buffer; \
	VarlenaArgBuffer b##_buffer; \
	Type	   *a = (Type *) varlena_arg_aligned(PG_GETARG_DATUM(0), &a##_buffer); \
	Type	   *b = (Type *) varlena_arg_aligned(PG_GETARG_DATUM(1), &b##_buffer)

#endif							/* VARLENA_ARG_H */
