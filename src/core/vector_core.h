/*
 * vector_core.h
 *	  The only interface between the PostgreSQL glue (the C files in src/)
 *	  and the C++ core (the C++ files in src/core/).
 *
 * Rules (shared/DESIGN.md, "The C/C++ boundary"):
 *	- plain C types only: pointers, sizes, POD structs, enums;
 *	- every function is noexcept when seen from C++ and never throws;
 *	- failures come back as a vc_status code, and the glue turns that code into
 *	  an ereport() with the right SQLSTATE;
 *	- the core never allocates memory the caller must free with pfree, and never
 *	  keeps a pointer it was given after the call returns.
 */
#ifndef VECTOR_CORE_H
#define VECTOR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define VC_NOEXCEPT noexcept
extern "C"
{
#else
#define VC_NOEXCEPT
#endif

/* Limits shared by the glue and the core (they are pgvector's). */
#define VC_VECTOR_MAX_DIM 16000
#define VC_SPARSEVEC_MAX_DIM 1000000000
#define VC_SPARSEVEC_MAX_NNZ 16000

/*
 * Result of a core call that can fail.  The glue maps each code to a SQLSTATE:
 * syntax -> 22P02, out of range -> 22003, not finite -> 22023 ... (see
 * src/core_status.c).
 */
typedef enum vc_status
{
	VC_OK = 0,
	VC_ERROR_SYNTAX,			/* malformed text */
	VC_ERROR_OUT_OF_RANGE,		/* a value does not fit the element type */
	VC_ERROR_NOT_FINITE,		/* NaN or infinity where it is not allowed */
	VC_ERROR_EMPTY,				/* no elements where at least one is needed */
	VC_ERROR_TOO_MANY,			/* more elements than the caller's capacity */
	VC_ERROR_INDEX_ORDER,		/* sparse indices duplicated (or unsorted) */
	VC_ERROR_INDEX_RANGE,		/* sparse index outside 1..dim */
	VC_ERROR_INVALID_ARGUMENT,	/* anything else the caller got wrong */
	VC_ERROR_NO_MEMORY
} vc_status;

/* Metric of a batched distance.  All are "smaller is nearer". */
typedef enum vc_metric
{
	VC_METRIC_L2_SQUARED = 0,
	VC_METRIC_NEGATIVE_INNER_PRODUCT,
	VC_METRIC_COSINE,			/* 1 - cosine similarity */
	VC_METRIC_L1,
	/* Bit strings only (the index search state's VC_ELEMENT_BITS). */
	VC_METRIC_HAMMING,			/* number of differing bits */
	VC_METRIC_JACCARD			/* 1 - |a & b| / |a | b| */
} vc_metric;

/* ------------------------------------------------------------------------
 * Runtime CPU dispatch
 *
 * The kernels are compiled once per instruction set; the best one the CPU
 * supports is chosen the first time any kernel is used.  The environment
 * variable VECTOR_SIMD_TARGET, read at that moment, or vc_simd_set_target()
 * later, can force a lower one (tests use this to exercise every target).
 * Target names: "scalar", "sse4_2", "avx2", "avx512", "neon".
 * ------------------------------------------------------------------------ */

/* Name of the target in use. */
const char *vc_simd_target(void) VC_NOEXCEPT;

/* Name of the best target this CPU supports. */
const char *vc_simd_best_target(void) VC_NOEXCEPT;

/*
 * Switch to the named target, or with NULL back to the default (the one
 * VECTOR_SIMD_TARGET names, else the best).  VC_ERROR_INVALID_ARGUMENT if the
 * name is unknown, not compiled in, or not supported by this CPU.
 */
vc_status	vc_simd_set_target(const char *name) VC_NOEXCEPT;

/*
 * Fill names[0..capacity) with the targets this CPU supports, best first;
 * returns how many there are (which may exceed capacity).
 */
size_t		vc_simd_supported_targets(const char **names, size_t capacity) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * float32 kernels.  Accumulate in float32 like pgvector (norms in float64).
 * ------------------------------------------------------------------------ */
float		vc_f32_l2_squared(const float *a, const float *b, size_t n) VC_NOEXCEPT;
float		vc_f32_inner_product(const float *a, const float *b, size_t n) VC_NOEXCEPT;
/* 1 - a.b / (|a| |b|), clamped to [0, 2]; NaN when either vector is zero. */
double		vc_f32_cosine_distance(const float *a, const float *b, size_t n) VC_NOEXCEPT;
float		vc_f32_l1(const float *a, const float *b, size_t n) VC_NOEXCEPT;
/* sqrt(sum a[i]^2), accumulated in float64. */
double		vc_f32_l2_norm(const float *a, size_t n) VC_NOEXCEPT;

/*
 * One query against many vectors of the same length, for index scans and
 * k-means: distances[i] = metric(query, vectors[i]).  The core reads the
 * vectors only during the call.
 */
void		vc_f32_distance_batch(vc_metric metric, const float *query,
								  const float *const *vectors, size_t count,
								  size_t n, float *distances) VC_NOEXCEPT;

/*
 * Element-wise arithmetic: out may alias a or b.  VC_ERROR_OUT_OF_RANGE if a
 * result overflows to infinity (or underflows to zero from non-zero inputs,
 * for multiplication), as pgvector reports.
 */
vc_status	vc_f32_add(const float *a, const float *b, float *out, size_t n) VC_NOEXCEPT;
vc_status	vc_f32_subtract(const float *a, const float *b, float *out, size_t n) VC_NOEXCEPT;
vc_status	vc_f32_multiply(const float *a, const float *b, float *out, size_t n) VC_NOEXCEPT;

/* sums[i] += a[i] in float64, for the avg and sum aggregates. */
void		vc_f64_accumulate_f32(double *sums, const float *a, size_t n) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * float16 (IEEE binary16, stored as uint16_t bits)
 * ------------------------------------------------------------------------ */
float		vc_f16_to_f32(uint16_t half) VC_NOEXCEPT;
/* Round to nearest even; values beyond the half range become infinity. */
uint16_t	vc_f32_to_f16(float value) VC_NOEXCEPT;
void		vc_f16_array_to_f32(const uint16_t *in, float *out, size_t n) VC_NOEXCEPT;
/*
 * VC_ERROR_OUT_OF_RANGE (and *bad_index set) if a finite input does not fit
 * in a half; out is then partly written.
 */
vc_status	vc_f32_array_to_f16(const float *in, uint16_t *out, size_t n,
								size_t *bad_index) VC_NOEXCEPT;

float		vc_f16_l2_squared(const uint16_t *a, const uint16_t *b, size_t n) VC_NOEXCEPT;
float		vc_f16_inner_product(const uint16_t *a, const uint16_t *b, size_t n) VC_NOEXCEPT;
double		vc_f16_cosine_distance(const uint16_t *a, const uint16_t *b, size_t n) VC_NOEXCEPT;
float		vc_f16_l1(const uint16_t *a, const uint16_t *b, size_t n) VC_NOEXCEPT;
double		vc_f16_l2_norm(const uint16_t *a, size_t n) VC_NOEXCEPT;
void		vc_f16_distance_batch(vc_metric metric, const uint16_t *query,
								  const uint16_t *const *vectors, size_t count,
								  size_t n, float *distances) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * Sparse vectors: strictly increasing 0-based indices with their values.
 * ------------------------------------------------------------------------ */
float		vc_sparse_l2_squared(const int32_t *a_index, const float *a_value, size_t a_nnz,
								 const int32_t *b_index, const float *b_value, size_t b_nnz) VC_NOEXCEPT;
float		vc_sparse_inner_product(const int32_t *a_index, const float *a_value, size_t a_nnz,
									const int32_t *b_index, const float *b_value, size_t b_nnz) VC_NOEXCEPT;
double		vc_sparse_cosine_distance(const int32_t *a_index, const float *a_value, size_t a_nnz,
									  const int32_t *b_index, const float *b_value, size_t b_nnz) VC_NOEXCEPT;
float		vc_sparse_l1(const int32_t *a_index, const float *a_value, size_t a_nnz,
						 const int32_t *b_index, const float *b_value, size_t b_nnz) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * Bit strings (PostgreSQL bit/varbit data, nbytes bytes; padding bits zero)
 * ------------------------------------------------------------------------ */
uint64_t	vc_bits_hamming(const uint8_t *a, const uint8_t *b, size_t nbytes) VC_NOEXCEPT;
/* 1 - |a & b| / |a | b|, with pgvector's value when both are all zero. */
double		vc_bits_jaccard(const uint8_t *a, const uint8_t *b, size_t nbytes) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * Text forms
 * ------------------------------------------------------------------------ */

/*
 * Parse a vector literal "[1, 2.5, -3e2]" into values[0..capacity).
 * Whitespace is allowed around elements and brackets.  On failure *error_pos
 * is the byte offset in text where the problem was found.
 * Errors: VC_ERROR_SYNTAX, VC_ERROR_OUT_OF_RANGE (beyond float4),
 * VC_ERROR_NOT_FINITE (nan, inf), VC_ERROR_EMPTY ("[]"), VC_ERROR_TOO_MANY.
 */
vc_status	vc_parse_vector_text(const char *text, float *values, size_t capacity,
								 size_t *count, size_t *error_pos) VC_NOEXCEPT;

/*
 * Upper bound of the elements a vector literal can hold (commas + 1), so the
 * glue can size the buffer before parsing.
 */
size_t		vc_vector_text_element_bound(const char *text) VC_NOEXCEPT;

/*
 * Shortest text that reads back to the same float4, formatted as
 * PostgreSQL's float4out does (extra_float_digits > 0).  Writes at most
 * VC_FLOAT_TEXT_MAX bytes plus a NUL; returns the length without the NUL.
 */
#define VC_FLOAT_TEXT_MAX 16
size_t		vc_format_float(float value, char *buffer) VC_NOEXCEPT;

/*
 * "[v1,v2,...]" into buffer, which must hold n * (VC_FLOAT_TEXT_MAX + 1) + 3
 * bytes.  Returns the length without the NUL.
 */
size_t		vc_format_vector_text(const float *values, size_t n, char *buffer) VC_NOEXCEPT;

/*
 * Parse a sparse vector literal "{1:1.5, 3:2}/5" (1-based indices).
 * Elements come back sorted by index, with 0-based indices, and without the
 * zero values; *dim is the number after '/', saturated to the int64 range
 * (the glue checks it against its limits).  Whitespace is allowed around
 * every token.  On failure *error_pos is the byte offset of the problem.
 * Errors: VC_ERROR_SYNTAX; VC_ERROR_OUT_OF_RANGE (a value beyond float4,
 * or one that underflows to zero); VC_ERROR_NOT_FINITE (nan, inf);
 * VC_ERROR_TOO_MANY (more non-zero elements than capacity).  An index given
 * twice is reported last, as VC_ERROR_INDEX_ORDER, with every output
 * filled in, so the glue can check the dimensions first.  Indices are not
 * range-checked here (pgvector ignores the index of a zero value, and checks
 * the others against the dimensions only): they are saturated to
 * INT32_MIN + 1 .. INT32_MAX before the 0-based shift, so a stored index may
 * be negative; the glue checks 0 <= index < *dim.
 */
vc_status	vc_parse_sparsevec_text(const char *text, int32_t *indices, float *values,
									size_t capacity, size_t *nnz, int64_t *dim,
									size_t *error_pos) VC_NOEXCEPT;

/* Upper bound of the elements a sparse vector literal can hold (commas + 1). */
size_t		vc_sparsevec_text_element_bound(const char *text) VC_NOEXCEPT;

/*
 * Bytes vc_format_sparsevec_text needs for nnz elements: per element an
 * index (10 digits), ':', a float and ','; then "{}/", the dimensions and NUL.
 */
#define VC_SPARSEVEC_TEXT_SIZE(nnz) \
	((size_t) (nnz) * (10 + 1 + VC_FLOAT_TEXT_MAX + 1) + 3 + 11 + 1)

/*
 * "{i1:v1,i2:v2}/dim" from 0-based indices (written 1-based) into buffer of
 * VC_SPARSEVEC_TEXT_SIZE(nnz) bytes.  Returns the length without the NUL.
 */
size_t		vc_format_sparsevec_text(const int32_t *indices, const float *values,
									 size_t nnz, int32_t dim, char *buffer) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * Index search state ("the core decides, the glue fetches")
 *
 * One greedy best-first search over a graph layer (HNSW's search-layer):
 * a min-heap of candidates still to expand, a max-heap of the ef nearest
 * results, and the set of elements already seen.  The glue drives it:
 *
 *	vc_search_begin(s, query, ef);
 *	mark the entry point(s) with vc_search_filter_unvisited, score them
 *	with vc_search_offer_vectors (or offer_distances);
 *	while (vc_search_next_candidate(s, &id, &distance))
 *	{
 *		read id's neighbour ids from its page;
 *		vc_search_filter_unvisited(s, neighbours, n, fresh, &n_fresh);
 *		read the vectors of fresh[0..n_fresh), and while the page lock is
 *		still held: vc_search_offer_vectors(s, fresh, vectors, n_fresh);
 *	}
 *	vc_search_take_results(s, ids, distances, capacity);
 *
 * Element ids are chosen by the glue (e.g. a packed ItemPointer); the core
 * only compares them, to break distance ties deterministically (smaller id
 * first).  Distances are float and "smaller is nearer", exactly the values
 * vc_f32_distance_batch / vc_f16_distance_batch / vc_bits_hamming /
 * vc_bits_jaccard give.  An element whose distance is NaN (cosine against a
 * zero vector) is never admitted: it cannot be ordered.  The core keeps no
 * pointer it is given.  Memory is reused from search to search: once the
 * heaps and the visited set have grown to a search's size, later searches
 * of that size allocate nothing.  The state is not thread-safe.
 * ------------------------------------------------------------------------ */

typedef struct vc_search vc_search;

/* What the vectors handed to vc_search_offer_vectors (and the query) are. */
typedef enum vc_element_kind
{
	VC_ELEMENT_F32 = 0,			/* dimensions floats */
	VC_ELEMENT_F16,				/* dimensions uint16_t halves */
	VC_ELEMENT_BITS,			/* dimensions bits in (dimensions + 7) / 8 bytes */
	VC_ELEMENT_CALLER_SCORED,	/* no vectors: the glue computes every distance
								 * and uses vc_search_offer_distances (sparsevec) */
	VC_ELEMENT_SPARSE			/* sparsevec bodies: a sparsevec without its
								 * varlena header (see vc_hnsw_graph below),
								 * 4-byte aligned */
} vc_element_kind;

/* Largest bit-string length an index searches over (pgvector's index limit). */
#define VC_SEARCH_BITS_MAX_DIM 64000

/*
 * A new, empty search state.  metric must suit kind: L2_SQUARED,
 * NEGATIVE_INNER_PRODUCT, COSINE or L1 for F32, F16 and SPARSE; HAMMING or
 * JACCARD for BITS; anything for CALLER_SCORED.  dimensions:
 * 1..VC_VECTOR_MAX_DIM for F32 and F16, 1..VC_SEARCH_BITS_MAX_DIM for BITS,
 * ignored for SPARSE and CALLER_SCORED.  SPARSE vectors are scored with the
 * vc_sparse_* kernels (negated inner product, cosine as a float).
 * VC_ERROR_INVALID_ARGUMENT otherwise (*out is then NULL), VC_ERROR_NO_MEMORY.
 */
vc_status	vc_search_create(vc_element_kind kind, vc_metric metric, size_t dimensions,
							 vc_search **out) VC_NOEXCEPT;

/* Frees the state; NULL is a no-op. */
void		vc_search_free(vc_search *search) VC_NOEXCEPT;

/*
 * Start a new search for query (copied: the caller may free it afterwards;
 * ignored, and may be NULL, for CALLER_SCORED; for SPARSE its size is read
 * from its nnz field) keeping the ef nearest results.  Empties the heaps and
 * the visited set (in O(1)).  VC_ERROR_INVALID_ARGUMENT if ef is 0, query is
 * NULL where it is needed, or a SPARSE query's nnz is outside
 * 0..VC_SPARSEVEC_MAX_NNZ; VC_ERROR_NO_MEMORY.
 */
vc_status	vc_search_begin(vc_search *search, const void *query, size_t ef) VC_NOEXCEPT;

/*
 * Mark ids[0..count) visited and write to out_ids those not seen before in
 * this search (in their order, each once even if repeated in ids), their
 * number to *out_count.  out_ids needs room for count ids; it may be ids
 * itself.  On VC_ERROR_NO_MEMORY some ids may already be marked.
 */
vc_status	vc_search_filter_unvisited(vc_search *search, const uint64_t *ids, size_t count,
									   uint64_t *out_ids, size_t *out_count) VC_NOEXCEPT;

/*
 * Score vectors[0..count) (of the state's kind and dimensions) against the
 * query, and admit each by the search-layer rule: it becomes a candidate and
 * a result if there are fewer than ef results or it is nearer than the
 * furthest result (which is then dropped).  The vectors are read only during
 * the call.  Does not touch the visited set: filter first.
 * VC_ERROR_INVALID_ARGUMENT for a CALLER_SCORED state; VC_ERROR_NO_MEMORY.
 */
vc_status	vc_search_offer_vectors(vc_search *search, const uint64_t *ids,
									const void *const *vectors, size_t count) VC_NOEXCEPT;

/*
 * Score vectors[0..count) like vc_search_offer_vectors, but admit them only
 * as candidates to expand, never as results: elements whose rows are gone
 * (deleted, not yet removed from the graph) still lead to their neighbours
 * without taking a result's place.
 */
vc_status	vc_search_offer_waypoints(vc_search *search, const uint64_t *ids,
									  const void *const *vectors, size_t count) VC_NOEXCEPT;

/* The same with distances the glue computed itself (any kind). */
vc_status	vc_search_offer_distances(vc_search *search, const uint64_t *ids,
									  const float *distances, size_t count) VC_NOEXCEPT;

/*
 * Pop the nearest candidate not yet expanded into *id and *distance.  false
 * when the search is over: no candidates left, or the nearest is further
 * than the furthest of ef results (nothing it leads to could be admitted).
 */
bool		vc_search_next_candidate(vc_search *search, uint64_t *id, float *distance) VC_NOEXCEPT;

/* How many results the search holds (at most ef). */
size_t		vc_search_result_count(const vc_search *search) VC_NOEXCEPT;

/*
 * Write the nearest min(capacity, result count) results into ids and
 * distances in increasing distance (ties by increasing id), return how many
 * were written, and empty the results.  The next search starts with
 * vc_search_begin.
 */
size_t		vc_search_take_results(vc_search *search, uint64_t *ids, float *distances,
								   size_t capacity) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * HNSW graph construction (the in-memory build) and neighbour selection
 *
 * The glue appends every heap tuple's vector with its heap TID (the payload)
 * during the heap scan, asks the core to link what was appended in chunks
 * (so it can CHECK_FOR_INTERRUPTS and report progress between chunks), and
 * finally walks the linked graph to write it to pages.
 *
 * Elements are numbered 0, 1, 2 ... in the order they were created.  An
 * appended vector byte-identical to an earlier one that holds fewer than
 * VC_HNSW_MAX_PAYLOADS payloads does not become an element: its payload is
 * added to that element (pgvector keeps duplicates together the same way,
 * so that thousands of identical vectors do not break the graph).
 *
 * Vectors are of the graph's kind: F32 and F16 (dimensions elements), BITS
 * (dimensions bits in (dimensions + 7) / 8 bytes) or SPARSE (a sparsevec
 * without its varlena header: int32 dim, int32 nnz, int32 unused, int32
 * indices[nnz] (0-based, increasing), float values[nnz]; vector_bytes says
 * how long it is).  Distances are the metric's, "smaller is nearer", as the
 * search state computes them.  An element the metric cannot order (its
 * distance to itself is NaN: a zero vector for COSINE, NaN or infinite
 * components) is never linked, nor made the entry point.
 *
 * Linking is HNSW's insert with the selection heuristic of
 * vc_hnsw_select_neighbours: a new element's own list is filled up with
 * pruned candidates to its capacity (m, 2m on layer 0), and a full list
 * that gets a reverse link is re-selected and filled up, as pgvector does
 * (see hnsw_graph.cpp for why not fewer).
 *
 * A graph is not thread-safe: one call at a time (link_pending's own
 * threads are the core's business).
 * ------------------------------------------------------------------------ */

#define VC_HNSW_MAX_PAYLOADS 10		/* heap TIDs one element holds */
#define VC_HNSW_MAX_LEVEL 15		/* levels are 0..VC_HNSW_MAX_LEVEL */

typedef struct vc_hnsw_graph vc_hnsw_graph;

typedef struct vc_hnsw_params
{
	vc_element_kind kind;		/* F32, F16, BITS or VC_ELEMENT_SPARSE */
	vc_metric	metric;
	size_t		dimensions;		/* as for vc_search_create; ignored for SPARSE */
	int			m;				/* 2..100: links per layer (2 * m on layer 0) */
	int			ef_construction;	/* 4..1000, at least 2 * m */
	uint64_t	seed;			/* of the level generator: same seed, same levels */
} vc_hnsw_params;

/* VC_ERROR_INVALID_ARGUMENT for parameters out of range; VC_ERROR_NO_MEMORY. */
vc_status	vc_hnsw_graph_create(const vc_hnsw_params *params, vc_hnsw_graph **out) VC_NOEXCEPT;
void		vc_hnsw_graph_free(vc_hnsw_graph *graph) VC_NOEXCEPT;

/*
 * Bytes the graph holds now: vectors, links, payloads, bookkeeping, and the
 * scratch of the threads vc_hnsw_graph_link_pending used (kept for the next
 * call: about 2 bytes per element per thread, plus ef_construction-sized
 * buffers).  Vectors and links grow in chunks of at most about 128 kB (one
 * vector if larger), never by copying; only the duplicate hash table (4
 * bytes per element) doubles.
 */
size_t		vc_hnsw_graph_memory_bytes(const vc_hnsw_graph *graph) VC_NOEXCEPT;

/*
 * Upper bound of what appending one vector of vector_bytes (for SPARSE; the
 * fixed size otherwise) adds to that, including the growth of the linking
 * threads' scratch that the new element will cause.
 */
size_t		vc_hnsw_graph_append_cost(const vc_hnsw_graph *graph, size_t vector_bytes) VC_NOEXCEPT;

/*
 * Copy vector in with its payload.  It is not linked (not reachable) until
 * vc_hnsw_graph_link_pending has run.  *merged (may be NULL) tells whether it
 * joined an identical element instead of becoming a new one.  Vectors the
 * metric cannot order (a zero vector for COSINE) must not be appended: the
 * glue skips them.  VC_ERROR_INVALID_ARGUMENT for a NULL vector or one of the
 * wrong size (SPARSE: vector_bytes must be 12 + 8 * nnz, nnz within
 * 0..VC_SPARSEVEC_MAX_NNZ, indices strictly increasing); VC_ERROR_TOO_MANY
 * for a new element beyond UINT32_MAX of them; VC_ERROR_NO_MEMORY (the graph
 * unchanged).
 */
vc_status	vc_hnsw_graph_append(vc_hnsw_graph *graph, const void *vector, size_t vector_bytes,
								 uint64_t payload, bool *merged) VC_NOEXCEPT;

/* Elements appended but not linked yet. */
size_t		vc_hnsw_graph_pending_count(const vc_hnsw_graph *graph) VC_NOEXCEPT;

/*
 * Link up to max_elements pending elements (in creation order) into the
 * graph, with up to threads threads (1 = in the calling thread; at most 64
 * are used; the calling thread is one of them).  The threads block every
 * signal and are joined before the call returns.  *linked (may be NULL)
 * gets how many were linked.  With threads = 1 the graph is a function of
 * the appends and the seed (however the work is split into calls); with
 * more, the order in which elements see each other varies, and so do the
 * links, not their quality.  VC_ERROR_INVALID_ARGUMENT for threads < 1;
 * VC_ERROR_NO_MEMORY: if any element was being linked, the graph is then
 * only good for freeing, and later calls fail the same way.
 */
vc_status	vc_hnsw_graph_link_pending(vc_hnsw_graph *graph, size_t max_elements, int threads,
									   size_t *linked) VC_NOEXCEPT;

/* Elements created so far (linked or pending). */
size_t		vc_hnsw_graph_element_count(const vc_hnsw_graph *graph) VC_NOEXCEPT;

/* The entry point (highest-level element) of the linked graph; false if empty. */
bool		vc_hnsw_graph_entry_point(const vc_hnsw_graph *graph, uint32_t *element,
									  int *level) VC_NOEXCEPT;

typedef struct vc_hnsw_element_view
{
	const void *vector;			/* valid until the graph changes or is freed */
	size_t		vector_bytes;
	int			level;
	size_t		payload_count;	/* 1..VC_HNSW_MAX_PAYLOADS */
	const uint64_t *payloads;
} vc_hnsw_element_view;

/* VC_ERROR_INVALID_ARGUMENT if element is not a created element. */
vc_status	vc_hnsw_graph_element(const vc_hnsw_graph *graph, uint32_t element,
								  vc_hnsw_element_view *out) VC_NOEXCEPT;

/*
 * The neighbours of element on layer (0..its level), nearest first (ties by
 * element number), into out[0..capacity); returns how many were written:
 * all of them (at most 2 * m on layer 0, m above) if capacity allows.  0 for
 * an element not linked yet, a layer above its level, or a bad argument.
 * Computes the distances to sort them: call it once per list.
 */
size_t		vc_hnsw_graph_neighbours(const vc_hnsw_graph *graph, uint32_t element, int layer,
									 uint32_t *out, size_t capacity) VC_NOEXCEPT;

/*
 * A permutation of the elements for writing them to pages: elements close in
 * the graph come close in the order (breadth-first from the entry point over
 * layer 0, then anything unreached in creation order), so that a search
 * touches fewer pages.  order needs vc_hnsw_graph_element_count entries
 * (VC_ERROR_INVALID_ARGUMENT if capacity is smaller); VC_ERROR_NO_MEMORY.
 */
vc_status	vc_hnsw_graph_layout_order(const vc_hnsw_graph *graph, uint32_t *order,
									   size_t capacity) VC_NOEXCEPT;

/*
 * The distance between two vectors of kind (F32, F16, BITS or SPARSE, laid
 * out as for a graph) under metric, exactly as the search state and the
 * graph compute it.  VC_ERROR_INVALID_ARGUMENT for a kind/metric/dimensions
 * vc_search_create would refuse (CALLER_SCORED included).
 */
vc_status	vc_element_distance(vc_element_kind kind, vc_metric metric, size_t dimensions,
								const void *a, const void *b, float *distance) VC_NOEXCEPT;

/*
 * HNSW's neighbour-selection heuristic, for inserts into an index on disk
 * and for repairs after vacuum: from count candidates sorted nearest first
 * by distances[i] (their distance to the element being linked), keep a
 * candidate only if it is nearer to that element than to every candidate
 * kept before it; then, while fewer than m are kept, fill up with the
 * nearest of those discarded.  Writes the kept candidates' positions
 * (indices into vectors, nearest first) to selected and their number to
 * *selected_count (min(m, count)); selected needs room for that many.
 * vectors are of kind/dimensions as for a graph (SPARSE allowed).
 * VC_ERROR_INVALID_ARGUMENT for a bad kind/metric/dimensions, a NULL
 * pointer, distances not in non-decreasing order or NaN, a SPARSE nnz out
 * of range; VC_ERROR_NO_MEMORY.
 */
vc_status	vc_hnsw_select_neighbours(vc_element_kind kind, vc_metric metric, size_t dimensions,
									  const void *const *vectors, const float *distances,
									  size_t count, size_t m, uint32_t *selected,
									  size_t *selected_count) VC_NOEXCEPT;

/*
 * A new neighbour list for an element whose list lost members to VACUUM:
 * from count candidates (ids and vectors, in any order, repeats allowed;
 * typically the list's surviving members and the neighbours of its removed
 * ones), leaving out element_id itself, NULL vectors and candidates whose
 * distance is NaN, choose at most m with the selection heuristic as
 * vc_hnsw_select_neighbours does, nearest first (ties by smaller id).
 * Writes them to selected (room for m) and their number to *selected_count.
 * VC_ERROR_INVALID_ARGUMENT for a bad kind/metric/dimensions or NULL
 * pointers; VC_ERROR_NO_MEMORY.
 */
vc_status	vc_hnsw_repair_neighbours(vc_element_kind kind, vc_metric metric, size_t dimensions,
									  const void *element_vector, uint64_t element_id,
									  const uint64_t *candidate_ids,
									  const void *const *candidate_vectors, size_t count,
									  size_t m, uint64_t *selected,
									  size_t *selected_count) VC_NOEXCEPT;

/* ------------------------------------------------------------------------
 * IVFFlat: k-means over a sample of the table (the lists' centres), the
 * nearest centres of a vector (insert, build assignment, scan ranking), and
 * ordering the scored tuples a scan has read.
 *
 * The glue samples the heap (reservoir, like ANALYZE) straight into the
 * state's own slots with vc_kmeans_set_sample, runs it in chunks with
 * vc_kmeans_run (CHECK_FOR_INTERRUPTS and progress between calls), then
 * copies the centres out.  halfvec indexes cluster in float32: the glue
 * widens samples with vc_f16_array_to_f32 and narrows centres with
 * vc_f32_array_to_f16.
 * ------------------------------------------------------------------------ */

#define VC_KMEANS_MAX_CENTERS 32768

typedef struct vc_kmeans vc_kmeans;

typedef struct vc_kmeans_params
{
	vc_element_kind kind;		/* F32 or BITS */
	/*
	 * F32: L2_SQUARED (Euclidean k-means), NEGATIVE_INNER_PRODUCT or COSINE
	 * (spherical k-means: centres normalised to unit length, points assigned
	 * to the centre of largest inner product; COSINE samples are normalised
	 * by the core, zero samples never become centres); BITS: HAMMING (a
	 * centre is the per-bit majority of its points).  Since the centres are
	 * of unit length, the nearest centres for NEGATIVE_INNER_PRODUCT and
	 * COSINE indexes can be ranked with NEGATIVE_INNER_PRODUCT (cheaper).
	 */
	vc_metric	metric;
	size_t		dimensions;		/* 1..VC_VECTOR_MAX_DIM (F32), ..VC_SEARCH_BITS_MAX_DIM (BITS) */
	size_t		centers;		/* 1..VC_KMEANS_MAX_CENTERS */
	size_t		sample_capacity;	/* slots for samples, at least 1 */
	int			max_iterations;	/* Lloyd iterations at most (after seeding), >= 1 */
	int			threads;		/* 1..64, the calling thread included; started
								 * and joined within each vc_kmeans_run */
	uint64_t	seed;			/* same seed and samples, same centres (whatever
								 * the threads and the chunking) */
} vc_kmeans_params;

/*
 * Bytes vc_kmeans_create and vc_kmeans_run would allocate for params, at
 * most, malloc's overhead included (0 if they are invalid); not counted:
 * the stacks of threads - 1 threads during a run.
 */
size_t		vc_kmeans_memory_bytes(const vc_kmeans_params *params) VC_NOEXCEPT;

/* VC_ERROR_INVALID_ARGUMENT for parameters out of range; VC_ERROR_NO_MEMORY. */
vc_status	vc_kmeans_create(const vc_kmeans_params *params, vc_kmeans **out) VC_NOEXCEPT;
void		vc_kmeans_free(vc_kmeans *kmeans) VC_NOEXCEPT;

/*
 * Copy vector (the kind's layout: dimensions floats, or (dimensions + 7) / 8
 * bytes) into sample slot index (0..sample_capacity); the samples are slots
 * 0..highest index set.  Overwriting a slot is allowed (reservoir sampling)
 * until vc_kmeans_run is first called.  VC_ERROR_NOT_FINITE for NaN or
 * infinite components; VC_ERROR_INVALID_ARGUMENT otherwise.
 */
vc_status	vc_kmeans_set_sample(vc_kmeans *kmeans, size_t index, const void *vector) VC_NOEXCEPT;

/*
 * Start from these centres (centers rows of the kind's layout; for
 * NEGATIVE_INNER_PRODUCT and COSINE of unit length) instead of k-means++
 * seeding: the first iteration assigns every sample to its nearest given
 * centre.  This refines the centres of a k-means over a sample on more
 * rows (the whole table), whose assignment vc_kmeans_assignment then
 * gives.  Before the first vc_kmeans_run; VC_ERROR_NOT_FINITE for NaN or
 * infinite components.
 */
vc_status	vc_kmeans_set_centers(vc_kmeans *kmeans, const void *centers) VC_NOEXCEPT;

/*
 * Lower (or raise) max_iterations before the run is over: a build that
 * refines a sample's centres on every row stops the sample's own k-means
 * early.  VC_ERROR_INVALID_ARGUMENT for max_iterations < 1.
 */
vc_status	vc_kmeans_set_max_iterations(vc_kmeans *kmeans, int max_iterations) VC_NOEXCEPT;

/*
 * Advance the clustering by about max_distances distance computations
 * (seeding first, k-means++, then accelerated Lloyd iterations), at least
 * one unit of work.  *done becomes true when the centres are final: the
 * assignment stopped changing or max_iterations ran.  With fewer distinct
 * samples than centres, the extra centres are copies of samples (every
 * centre is valid, some lists stay empty).  VC_ERROR_EMPTY without samples.
 */
vc_status	vc_kmeans_run(vc_kmeans *kmeans, size_t max_distances, bool *done) VC_NOEXCEPT;

typedef struct vc_kmeans_progress
{
	bool		seeding;		/* still choosing initial centres */
	int			iterations;		/* Lloyd iterations completed */
	size_t		centers_seeded;
	double		inertia;		/* sum over samples of the distance to their centre
								 * (L2: squared), after the last iteration */
	size_t		reassigned;		/* samples that changed centre in the last iteration */
} vc_kmeans_progress;

void		vc_kmeans_get_progress(const vc_kmeans *kmeans, vc_kmeans_progress *out) VC_NOEXCEPT;

/*
 * The centres, centers * (dimensions floats | (dimensions + 7) / 8 bytes),
 * contiguous, into out (capacity_bytes).  VC_ERROR_INVALID_ARGUMENT before
 * *done or if out is too small.
 */
vc_status	vc_kmeans_centers(const vc_kmeans *kmeans, void *out, size_t capacity_bytes) VC_NOEXCEPT;

/*
 * Each sample's centre once *done: out[i] (0..centers - 1, an index into
 * what vc_kmeans_centers gives) for the count samples (exactly the number
 * of sample slots set).  Each sample is at its nearest centre (ties to the
 * centre it had), whether the iterations converged or stopped at max_iterations.
 */
vc_status	vc_kmeans_assignment(const vc_kmeans *kmeans, uint32_t *out, size_t count) VC_NOEXCEPT;

/*
 * Sample slot index as the k-means holds it (float32 or bits; a COSINE
 * sample normalised), or NULL past the samples.  Valid until
 * vc_kmeans_free: a build that gave the whole table as samples writes the
 * rows from here instead of keeping a copy of its own.
 */
const void *vc_kmeans_sample(const vc_kmeans *kmeans, size_t index) VC_NOEXCEPT;

/*
 * The k nearest of count centres (contiguous, of kind F32, F16 or BITS) to
 * query under metric (as vc_search_create accepts them), nearest first,
 * ties by smaller index; NaN distances last.  Writes min(k, count) indices
 * (and distances, if not NULL).  VC_ERROR_INVALID_ARGUMENT for a bad
 * kind/metric/dimensions or NULL pointers.
 */
vc_status	vc_nearest_centers(vc_element_kind kind, vc_metric metric, size_t dimensions,
							   const void *centers, size_t count, const void *query,
							   size_t k, uint32_t *nearest, float *distances) VC_NOEXCEPT;

/* A tuple a scan has scored. */
typedef struct vc_scored_id
{
	uint64_t	id;
	float		distance;
} vc_scored_id;

/*
 * Reorder items so that items[0..min(take, count)) are the nearest, sorted
 * (ties by smaller id, NaN last); the rest follow in unspecified order.
 * Linear in count plus take log take: a scan that returns ten rows out of
 * thousands read never sorts them all.
 */
void		vc_select_nearest(vc_scored_id *items, size_t count, size_t take) VC_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif							/* VECTOR_CORE_H */
