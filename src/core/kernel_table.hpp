// kernel_table.hpp: the set of kernels one instruction-set target provides.
//
// Each target (scalar, sse4_2, avx2, avx512, neon) fills one KernelTable with
// functions compiled for its instruction set; cpu_dispatch.cpp picks the
// table once and kernel_api.cpp calls through it. Only what differs per
// instruction set is in the table: sparse merge-joins (kernels_sparse.cpp)
// and the final scalar steps (cosine from its three sums, Jaccard from its
// counts, below) are the same for every target.
#pragma once

#include "cpp_only.hpp"

#include <cstring>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "vector_core.h"

namespace vector_core
{

// The three float32 sums a cosine distance is made of.
struct CosineSums
{
	float dot;
	float norm_a;	// sum of a[i]^2
	float norm_b;	// sum of b[i]^2
};

// Population counts a Jaccard distance is made of.
struct BitCounts
{
	uint64_t both;	// |a & b|
	uint64_t a;		// |a|
	uint64_t b;		// |b|
};

// Centres laid out for f32_dot_panels: panels of panel_width centres, a
// panel's element j of every centre side by side (n * panel_width floats
// a panel), so that one row's element times one load gives a product term
// for each centre of the panel, and no sum runs across lanes.
inline constexpr size_t panel_width = 16;

// Entries lower_bounds_select may write past the last one it selects
inline constexpr size_t select_slack = 16;

// A float's upper 16 bits (bfloat16), cut toward zero: never above the
// float's magnitude, so a non-negative lower bound stays one (a negative
// one stays at most 0, below any distance).  k-means keeps its bounds so:
// half the memory the passes stream through, for bounds looser by up to
// 0.4%.
inline uint16_t
upper_half(float value) noexcept
{
	uint32_t	bits;

	std::memcpy(&bits, &value, sizeof(bits));
	return static_cast<uint16_t>(bits >> 16);
}

inline float
from_upper_half(uint16_t half) noexcept
{
	uint32_t	bits = static_cast<uint32_t>(half) << 16;
	float		value;

	std::memcpy(&value, &bits, sizeof(value));
	return value;
}

// The portable lower_bounds_select: the lowering vectorises, the selection
// is a branch-free compaction.
inline size_t
lower_bounds_select_portable(uint16_t *bounds, const float *moved, size_t count, float upper,
							 uint32_t *selected) noexcept
{
	size_t		n = 0;

	for (size_t g = 0; g < count; g++)
		bounds[g] = upper_half(from_upper_half(bounds[g]) - moved[g]);
	for (size_t g = 0; g < count; g++)
	{
		selected[n] = static_cast<uint32_t>(g);
		n += from_upper_half(bounds[g]) < upper;
	}
	return n;
}

struct KernelTable
{
	const char *name;

	// float32 distances, accumulated in float32 (norms in float64)
	float (*f32_l2_squared)(const float *a, const float *b, size_t n) noexcept;
	float (*f32_inner_product)(const float *a, const float *b, size_t n) noexcept;
	CosineSums (*f32_cosine_sums)(const float *a, const float *b, size_t n) noexcept;
	float (*f32_l1)(const float *a, const float *b, size_t n) noexcept;
	double (*f32_sum_of_squares)(const float *a, size_t n) noexcept;
	// Must give bit for bit the results of the single-pair kernels above.
	void (*f32_distance_batch)(vc_metric metric, const float *query,
							   const float *const *vectors, size_t count,
							   size_t n, float *distances) noexcept;
	// Dot products of rows[0..row_count) with the centres of panel_count
	// panels (see panel_width): out[r * panel_count * panel_width + c] is
	// rows[r] . centre c.  Each product is summed in float32, element by
	// element (not bit for bit the single-pair kernels'): k-means' first
	// pass, which bounds the error.
	void (*f32_dot_panels)(const float *const *rows, size_t row_count, const float *panels,
						   size_t panel_count, size_t n, float *out) noexcept;
	// k-means' lower bounds, each kept as a float's upper 16 bits: bounds[g]
	// less moved[g], cut to 16 bits toward zero again, for g < count; returns
	// how many are then below upper, their g in selected[] in increasing
	// order (selected has room for count + select_slack entries).
	size_t (*lower_bounds_select)(uint16_t *bounds, const float *moved, size_t count,
								  float upper, uint32_t *selected) noexcept;

	// Element-wise arithmetic with pgvector's overflow/underflow checks.
	vc_status (*f32_add)(const float *a, const float *b, float *out, size_t n) noexcept;
	vc_status (*f32_subtract)(const float *a, const float *b, float *out, size_t n) noexcept;
	vc_status (*f32_multiply)(const float *a, const float *b, float *out, size_t n) noexcept;
	void (*f64_accumulate_f32)(double *sums, const float *a, size_t n) noexcept;

	// float16 <-> float32 arrays. The narrowing one returns the index of the
	// first finite input that overflowed to infinity, or n if there is none.
	void (*f16_to_f32_array)(const uint16_t *in, float *out, size_t n) noexcept;
	size_t (*f32_to_f16_array)(const float *in, uint16_t *out, size_t n) noexcept;

	// float16 distances, converted to float32 and accumulated in float32
	float (*f16_l2_squared)(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
	float (*f16_inner_product)(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
	CosineSums (*f16_cosine_sums)(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
	float (*f16_l1)(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
	double (*f16_sum_of_squares)(const uint16_t *a, size_t n) noexcept;
	void (*f16_distance_batch)(vc_metric metric, const uint16_t *query,
							   const uint16_t *const *vectors, size_t count,
							   size_t n, float *distances) noexcept;

	// bit strings
	uint64_t (*bits_hamming)(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept;
	BitCounts (*bits_jaccard_counts)(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept;
};

// The helpers below are used by the per-target TUs too, which are compiled
// with wider instruction sets: internal linkage gives every TU its own copy,
// so the linker can never hand an AVX-512 build of them to scalar code.
namespace
{

// pgvector's cosine distance from the three float32 sums: the similarity is
// computed in float64 as dot / sqrt(|a|^2 |b|^2), kept within [-1, 1] against
// rounding, and is NaN when a vector is all zeros (0 / 0).
inline double
cosine_distance_from_sums(const CosineSums &sums) noexcept
{
	double		similarity = static_cast<double>(sums.dot) /
		std::sqrt(static_cast<double>(sums.norm_a) * static_cast<double>(sums.norm_b));

	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	return 1.0 - similarity;
}

// pgvector's Jaccard distance from the counts: 1 when nothing is shared,
// including when both strings are all zeros.
inline double
jaccard_distance_from_counts(const BitCounts &counts) noexcept
{
	if (counts.both == 0)
		return 1.0;
	return 1.0 - static_cast<double>(counts.both) /
		static_cast<double>(counts.a + counts.b - counts.both);
}

}							// namespace

}							// namespace vector_core
