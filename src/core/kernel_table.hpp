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

#include <bit>
#include <cstring>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

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

// k-means keeps each lower bound in one byte: a whole number of its row's
// bound unit, a power of two, cut toward zero (so never above the bound,
// still a lower bound), at most 254 units; 255 is infinity.  A quarter of
// float bounds' memory, which every pass streams through and a build first
// touches.  Lowering a bound by how far its centre moved takes whole
// units too (the move rounded up), so it stays a lower bound and costs a
// byte subtraction.  A unit is 1/203 to 1/102 of the larger of the row's
// distances to its nearest and next centres (bound_exponent_for), about
// bfloat16's steps there: refining 316 centres on 100,000 128-d rows
// compares 4.5% more distances than with bfloat16 bounds, and takes 9%
// less time.
inline constexpr uint8_t infinite_bound = 255;
inline constexpr uint8_t most_bound_units = 254;
inline constexpr int least_bound_exponent = -100;
inline constexpr int most_bound_exponent = 100;

// The exponent of a row's bound unit: 1.25 * reach in at most 254 units,
// reach being its distance to its centre, or to the next one if larger
// (further bounds are cut to that: they seldom come down to the distance
// to the centre within the few iterations of a build).
// Kept within 2^-100 .. 2^100: a zero or infinite reach still gets a unit,
// whose bounds are merely loose.
inline int
bound_exponent_for(float reach) noexcept
{
	float		target = reach * (1.25f / most_bound_units);
	int			exponent;

	if (!(target >= 0x1p-100f))
		return least_bound_exponent;
	if (!(target <= 0x1p100f))
		return most_bound_exponent;
	// target = fraction * 2^exponent, fraction in [0.5, 1): 2^exponent is
	// at least target (2^(exponent - 1) too when fraction is 0.5)
	return std::frexp(target, &exponent) == 0.5f ? exponent - 1 : exponent;
}

// 2^-exponent: a distance times it is in units of 2^exponent (exactly,
// for the exponents above)
inline float
units_per_distance(int exponent) noexcept
{
	return std::bit_cast<float>(static_cast<uint32_t>(127 - exponent) << 23);
}

// value in whole units (per_unit: units_per_distance), cut toward zero,
// at most 254; infinity is 255.  Branch-free, so that loops of it
// vectorise.
inline uint8_t
encode_bound(float value, float per_unit) noexcept
{
	float		units = value * per_unit;

	units = units > 0.0f ? units : 0.0f;
	units = units < static_cast<float>(most_bound_units) ? units : static_cast<float>(most_bound_units);
	return value == std::numeric_limits<float>::infinity() ? infinite_bound
		: static_cast<uint8_t>(units);
}

// Units of 2^exponent that value (not negative) is within: rounded up, at
// most 255.  In double, where the scaling is exact for any float.
inline uint8_t
bound_units_up(float value, int exponent) noexcept
{
	double		scale = std::bit_cast<double>(static_cast<uint64_t>(1023 - exponent) << 52);	// 2^-exponent
	double		units = std::ceil(static_cast<double>(value) * scale);

	return units < 255.0 ? static_cast<uint8_t>(units) : uint8_t(255);
}

// The portable kernels below have internal linkage: each target's table
// may take them, each compiled with its target's instruction set, and the
// linker must not pick one of those copies for every table.
namespace
{

// The portable lower_bounds_select: both loops vectorise (the selection is
// a branch-free compaction).
inline size_t
lower_bounds_select_portable(uint8_t *bounds, const uint8_t *moved, size_t count, uint8_t below,
							 uint32_t *selected) noexcept
{
	size_t		n = 0;

	for (size_t g = 0; g < count; g++)
	{
		uint8_t		bound = bounds[g];
		uint8_t		lowered = bound > moved[g] ? static_cast<uint8_t>(bound - moved[g]) : uint8_t(0);

		bounds[g] = bound == infinite_bound ? infinite_bound : lowered;
	}
	for (size_t g = 0; g < count; g++)
	{
		selected[n] = static_cast<uint32_t>(g);
		n += bounds[g] < below;
	}
	return n;
}

// k-means' first pass, one row (KMeans::first_pass_raw): out[c] =
// (x_norm + norms[c]) * keep - 2 dots[c] for c < k; returns the least,
// NaNs ignored (infinity if there is none).
inline float
f32_estimates_least_portable(const float *dots, const float *norms, float x_norm, float keep,
							 size_t k, float *out) noexcept
{
	float		least = std::numeric_limits<float>::infinity();

	for (size_t c = 0; c < k; c++)
	{
		float		estimate = (x_norm + norms[c]) * keep - 2.0f * dots[c];

		out[c] = estimate;
		least = estimate < least ? estimate : least;
	}
	return least;
}

// values[c] = sqrt(values[c]), negative ones and NaNs taken as 0, for
// c < k; returns the least.
inline float
f32_roots_least_portable(float *values, size_t k) noexcept
{
	float		least = std::numeric_limits<float>::infinity();

	for (size_t c = 0; c < k; c++)
	{
		float		root = __builtin_sqrtf(values[c] > 0.0f ? values[c] : 0.0f);

		values[c] = root;
		least = root < least ? root : least;
	}
	return least;
}

// out[c] = encode_bound(values[c], per_unit) for c < k (values not NaN).
// Only the scalar table takes it (the others their own, compiled for them),
// so encode_bound is only ever built for the baseline.
inline void
encode_bounds_portable(const float *values, size_t k, float per_unit, uint8_t *out) noexcept
{
	for (size_t c = 0; c < k; c++)
		out[c] = encode_bound(values[c], per_unit);
}

}							// namespace

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
	// k-means' lower bounds, each kept in one byte (encode_bound): every
	// finite bounds[g] less moved[g] units (down to 0), for g < count;
	// returns how many are then below the code below, their g in
	// selected[] in increasing order (selected has room for count +
	// select_slack entries).  Bit for bit lower_bounds_select_portable's.
	size_t (*lower_bounds_select)(uint8_t *bounds, const uint8_t *moved, size_t count,
								  uint8_t below, uint32_t *selected) noexcept;
	// k-means' first pass, one row at a time (the *_portable functions
	// above say what they do; others may round differently, and the first
	// pass's margins allow for it)
	float (*f32_estimates_least)(const float *dots, const float *norms, float x_norm, float keep,
								 size_t k, float *out) noexcept;
	float (*f32_roots_least)(float *values, size_t k) noexcept;
	// bit for bit encode_bounds_portable's
	void (*encode_bounds)(const float *values, size_t k, float per_unit, uint8_t *out) noexcept;

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
