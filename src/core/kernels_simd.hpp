// kernels_simd.hpp: the kernels written once with xsimd, compiled once per
// instruction set by src/core/targets/<name>.cpp.
//
// A target TU defines a Target description and calls make_kernel_table():
//
//	struct Target
//	{
//		using arch = xsimd::fma3<xsimd::avx2>;	// xsimd architecture tag
//		static constexpr size_t unroll = 2;		// independent sums per candidate
//		static constexpr size_t accumulator_budget = 8;	// vector registers for sums
//		static batch load_halves(const uint16_t *) noexcept;	// 'size' halves
//		static void store_halves(batch, uint16_t *) noexcept;	// round to nearest even
//		// the first count (< size) elements, the other lanes zero
//		static batch load_floats_partial(const float *, size_t count) noexcept;
//		static batch load_halves_partial(const uint16_t *, size_t count) noexcept;
//		static batch sqrt(batch) noexcept;	// correctly rounded, as sqrtf
//	};
//
// ODR: this header is compiled with different instruction-set flags in each
// target TU. Everything here has internal linkage (anonymous namespace) and
// calls only xsimd templates (distinct per architecture) and compiler
// builtins, never a std:: inline function that the linker could share
// between TUs.
//
// Bit-for-bit contract: a candidate's sums depend only on the query, the
// candidate and n, never on how many candidates share a pass, so batched
// distances equal single-pair ones exactly.
#pragma once

#include "cpp_only.hpp"

#include <xsimd/xsimd.hpp>

#include "float16_convert.hpp"
#include "kernel_table.hpp"

namespace vector_core
{
namespace
{

template <class Target>
using FloatBatch = xsimd::batch<float, typename Target::arch>;

/* Loading elements as float batches --------------------------------------- */

template <class Target>
struct Float32Source
{
	using Element = float;

	static FloatBatch<Target> load(const float *p) noexcept
	{
		return FloatBatch<Target>::load_unaligned(p);
	}

	static FloatBatch<Target> load_partial(const float *p, size_t count) noexcept
	{
		return Target::load_floats_partial(p, count);
	}
};

template <class Target>
struct Float16Source
{
	using Element = uint16_t;

	static FloatBatch<Target> load(const uint16_t *p) noexcept
	{
		return Target::load_halves(p);
	}

	static FloatBatch<Target> load_partial(const uint16_t *p, size_t count) noexcept
	{
		return Target::load_halves_partial(p, count);
	}
};

// For targets without masked loads: copy into a zeroed block. The copy loop
// is kept from becoming a memcpy call, which costs more than the loop.
template <class Target, class Element>
FloatBatch<Target>
load_partial_by_copy(const Element *p, size_t count) noexcept
{
	alignas(64) Element block[FloatBatch<Target>::size] = {};

	for (size_t i = 0; i < count; i++)
	{
		block[i] = p[i];
		__asm__("" : : : "memory");	/* no memcpy idiom */
	}
	if constexpr (sizeof(Element) == sizeof(float))
		return FloatBatch<Target>::load_aligned(block);
	else
		return Target::load_halves(block);
}

// For targets without half-precision instructions.
template <class Target>
void
store_halves_one_by_one(const FloatBatch<Target> &batch, uint16_t *p) noexcept
{
	alignas(64) float values[FloatBatch<Target>::size];

	batch.store_aligned(values);
	for (size_t i = 0; i < FloatBatch<Target>::size; i++)
		p[i] = float_to_half(values[i]);
}

// Halves (zero-extended to 32-bit lanes) to floats without F16C or
// branches: normal values, infinities and NaNs by moving the fields into
// place and rescaling the exponent (exact: a power of two), subnormals by
// converting the mantissa as an integer (exact too).
template <class Target>
FloatBatch<Target>
floats_from_half_words(const xsimd::batch<uint32_t, typename Target::arch> &words) noexcept
{
	using Batch = FloatBatch<Target>;
	using Words = xsimd::batch<uint32_t, typename Target::arch>;

	Words		sign = (words & Words(0x8000u)) << 16;
	Words		magnitude = words & Words(0x7fffu);
	// exponent bias 15 -> 127 is +112; adding 224 then scaling by 2^-112
	// also carries exponent 31 (infinity, NaN) to 255
	Batch		normal = xsimd::bitwise_cast<Batch>((magnitude << 13) + Words(224u << 23)) *
		Batch(0x1p-112f);
	Batch		subnormal = xsimd::to_float(xsimd::bitwise_cast<xsimd::batch<int32_t, typename Target::arch>>(magnitude)) *
		Batch(0x1p-24f);
	Batch		value = xsimd::select(subnormal < Batch(0x1p-14f), subnormal, normal);

	return xsimd::bitwise_cast<Batch>(xsimd::bitwise_cast<Words>(value) | sign);
}

/* Metrics: how one block of elements updates a candidate's sums ------------ */

struct L2SquaredSums
{
	static constexpr size_t count = 1;

	template <class B>
	static void step(const B &query, const B &candidate, B *sums) noexcept
	{
		B			difference = query - candidate;

		sums[0] = xsimd::fma(difference, difference, sums[0]);
	}
};

struct InnerProductSums
{
	static constexpr size_t count = 1;

	template <class B>
	static void step(const B &query, const B &candidate, B *sums) noexcept
	{
		sums[0] = xsimd::fma(query, candidate, sums[0]);
	}
};

struct L1Sums
{
	static constexpr size_t count = 1;

	template <class B>
	static void step(const B &query, const B &candidate, B *sums) noexcept
	{
		sums[0] += xsimd::abs(query - candidate);
	}
};

// dot, |query|^2, |candidate|^2: a single cosine distance.
struct CosineSumsOfPair
{
	static constexpr size_t count = 3;

	template <class B>
	static void step(const B &query, const B &candidate, B *sums) noexcept
	{
		sums[0] = xsimd::fma(query, candidate, sums[0]);
		sums[1] = xsimd::fma(query, query, sums[1]);
		sums[2] = xsimd::fma(candidate, candidate, sums[2]);
	}
};

// dot and |candidate|^2: cosine in a batch, where |query|^2 is summed once
// by QuerySquares. Same operations on the same lanes as CosineSumsOfPair,
// hence the same bits.
struct CosineSumsOfCandidate
{
	static constexpr size_t count = 2;

	template <class B>
	static void step(const B &query, const B &candidate, B *sums) noexcept
	{
		sums[0] = xsimd::fma(query, candidate, sums[0]);
		sums[1] = xsimd::fma(candidate, candidate, sums[1]);
	}
};

struct QuerySquares
{
	static constexpr size_t count = 1;

	template <class B>
	static void step(const B &query, const B &, B *sums) noexcept
	{
		sums[0] = xsimd::fma(query, query, sums[0]);
	}
};

/* The accumulation loop ---------------------------------------------------- */

// Sums of Metric between query and each of the Candidates vectors, into
// sums[candidate][0..Metric::count). Each candidate keeps Target::unroll
// independent partial sums (to hide FMA latency); the tail is loaded as a
// zero-padded batch, and zeros add nothing to any metric.
template <class Target, class Source, class Metric, size_t Candidates>
[[gnu::always_inline]] inline void
accumulate(const typename Source::Element *query,
		   const typename Source::Element *const *candidates, size_t n,
		   float (*sums)[Metric::count]) noexcept
{
	using Batch = FloatBatch<Target>;
	constexpr size_t width = Batch::size;
	constexpr size_t unroll = Target::unroll;
	constexpr size_t count = Metric::count;

	Batch		partial[Candidates][unroll][count];

#pragma GCC unroll 4
	for (size_t c = 0; c < Candidates; c++)
#pragma GCC unroll 4
		for (size_t u = 0; u < unroll; u++)
#pragma GCC unroll 3
			for (size_t s = 0; s < count; s++)
				partial[c][u][s] = Batch(0.0f);

	size_t		i = 0;

	for (; i + unroll * width <= n; i += unroll * width)
	{
#pragma GCC unroll 4
		for (size_t u = 0; u < unroll; u++)
		{
			Batch		q = Source::load(query + i + u * width);

#pragma GCC unroll 4
			for (size_t c = 0; c < Candidates; c++)
				Metric::step(q, Source::load(candidates[c] + i + u * width), partial[c][u]);
		}
	}
	for (; i + width <= n; i += width)
	{
		Batch		q = Source::load(query + i);

#pragma GCC unroll 4
		for (size_t c = 0; c < Candidates; c++)
			Metric::step(q, Source::load(candidates[c] + i), partial[c][0]);
	}
	if (i < n)
	{
		Batch		q = Source::load_partial(query + i, n - i);

#pragma GCC unroll 4
		for (size_t c = 0; c < Candidates; c++)
			Metric::step(q, Source::load_partial(candidates[c] + i, n - i), partial[c][0]);
	}

#pragma GCC unroll 4
	for (size_t c = 0; c < Candidates; c++)
#pragma GCC unroll 3
		for (size_t s = 0; s < count; s++)
		{
			Batch		total = partial[c][0][s];

#pragma GCC unroll 4
			for (size_t u = 1; u < unroll; u++)
				total += partial[c][u][s];
			sums[c][s] = xsimd::hadd(total);
		}
}

template <class Target, class Source, class Metric>
void
accumulate_pair(const typename Source::Element *a, const typename Source::Element *b,
				size_t n, float (&sums)[Metric::count]) noexcept
{
	const typename Source::Element *candidates[1] = {b};

	accumulate<Target, Source, Metric, 1>(a, candidates, n, &sums);
}

/* Single-pair kernels -------------------------------------------------------- */

// The distances that are a single sum: L2 squared, inner product, L1.
template <class Target, class Source, class Metric>
float
single_sum(const typename Source::Element *a, const typename Source::Element *b, size_t n) noexcept
{
	static_assert(Metric::count == 1);
	float		sums[1];

	accumulate_pair<Target, Source, Metric>(a, b, n, sums);
	return sums[0];
}

template <class Target, class Source>
CosineSums
cosine_sums(const typename Source::Element *a, const typename Source::Element *b, size_t n) noexcept
{
	float		sums[3];

	accumulate_pair<Target, Source, CosineSumsOfPair>(a, b, n, sums);
	return CosineSums{sums[0], sums[1], sums[2]};
}

// pgvector sums norms in float64, element by element; so does this (the
// batch only converts), giving the scalar result exactly.
template <class Target, class Source>
double
sum_of_squares(const typename Source::Element *a, size_t n) noexcept
{
	constexpr size_t width = FloatBatch<Target>::size;
	alignas(64) float values[width];
	double		sum = 0.0;
	size_t		i = 0;

	for (; i + width <= n; i += width)
	{
		Source::load(a + i).store_aligned(values);
		for (size_t j = 0; j < width; j++)
			sum += static_cast<double>(values[j]) * static_cast<double>(values[j]);
	}
	for (; i < n; i++)
	{
		double		x;

		if constexpr (sizeof(typename Source::Element) == sizeof(float))
			x = a[i];
		else
			x = half_to_float(a[i]);
		sum += x * x;
	}
	return sum;
}

/* Batches: one query against many candidates --------------------------------- */

// How many candidates share a pass: as many as keep their partial sums in
// registers, at most 4 (FAISS's choice; more gains little).
template <class Target, class Metric>
constexpr size_t
candidates_per_pass() noexcept
{
	constexpr size_t fit = Target::accumulator_budget / (Target::unroll * Metric::count);

	return fit < 1 ? 1 : (fit > 4 ? 4 : fit);
}

// distances[i] = finish(sums of Metric for vectors[i]).
template <class Target, class Source, class Metric, class Finish>
void
batch_of(const typename Source::Element *query,
		 const typename Source::Element *const *vectors, size_t count, size_t n,
		 float *distances, Finish finish) noexcept
{
	constexpr size_t per_pass = candidates_per_pass<Target, Metric>();
	float		sums[per_pass][Metric::count];
	size_t		i = 0;

	for (; i + per_pass <= count; i += per_pass)
	{
		// Start fetching the next pass's vectors: in an index scan they are
		// scattered over buffer pages, where the hardware prefetcher cannot
		// guess them.
		for (size_t c = i + per_pass; c < i + 2 * per_pass && c < count; c++)
			__builtin_prefetch(vectors[c]);
		accumulate<Target, Source, Metric, per_pass>(query, vectors + i, n, sums);
		for (size_t c = 0; c < per_pass; c++)
			distances[i + c] = finish(sums[c]);
	}
	for (; i < count; i++)
	{
		accumulate<Target, Source, Metric, 1>(query, vectors + i, n, sums);
		distances[i] = finish(sums[0]);
	}
}

template <class Target, class Source>
void
distance_batch(vc_metric metric, const typename Source::Element *query,
			   const typename Source::Element *const *vectors, size_t count,
			   size_t n, float *distances) noexcept
{
	switch (metric)
	{
		case VC_METRIC_L2_SQUARED:
			batch_of<Target, Source, L2SquaredSums>(query, vectors, count, n, distances,
													[](const float *sums) { return sums[0]; });
			return;
		case VC_METRIC_NEGATIVE_INNER_PRODUCT:
			batch_of<Target, Source, InnerProductSums>(query, vectors, count, n, distances,
													   [](const float *sums) { return -sums[0]; });
			return;
		case VC_METRIC_COSINE:
			{
				float		query_norm[1];

				accumulate_pair<Target, Source, QuerySquares>(query, query, n, query_norm);
				batch_of<Target, Source, CosineSumsOfCandidate>(
					query, vectors, count, n, distances,
					[&query_norm](const float *sums) {
						return static_cast<float>(cosine_distance_from_sums(
							CosineSums{sums[0], query_norm[0], sums[1]}));
					});
				return;
			}
		case VC_METRIC_L1:
			batch_of<Target, Source, L1Sums>(query, vectors, count, n, distances,
											 [](const float *sums) { return sums[0]; });
			return;
		case VC_METRIC_HAMMING:
		case VC_METRIC_JACCARD:
			break;				/* bit-string metrics: no float distance */
	}
	for (size_t i = 0; i < count; i++)
		distances[i] = __builtin_nanf("");
}

/* Dot products with panels of centres ------------------------------------------- */

// Rows rows at a time against one panel: Rows x (panel_width / width)
// running sums, a lane per centre, fed by a broadcast element of a row and
// one load of the panel; no sum across lanes.  Each lane sums in element
// order, as the scalar kernel does (fused where the target has FMA).
template <class Target, size_t Rows>
[[gnu::always_inline]] inline void
dot_panel_rows(const float *const *rows, const float *panel, size_t n, float *const *out) noexcept
{
	using Batch = FloatBatch<Target>;
	constexpr size_t width = Batch::size;
	constexpr size_t batches = panel_width / width;

	Batch		sums[Rows][batches];

#pragma GCC unroll 8
	for (size_t r = 0; r < Rows; r++)
#pragma GCC unroll 4
		for (size_t b = 0; b < batches; b++)
			sums[r][b] = Batch(0.0f);
	for (size_t j = 0; j < n; j++)
	{
#pragma GCC unroll 4
		for (size_t b = 0; b < batches; b++)
		{
			Batch		centres = Batch::load_unaligned(panel + j * panel_width + b * width);

#pragma GCC unroll 8
			for (size_t r = 0; r < Rows; r++)
				sums[r][b] = xsimd::fma(Batch(rows[r][j]), centres, sums[r][b]);
		}
	}
#pragma GCC unroll 8
	for (size_t r = 0; r < Rows; r++)
#pragma GCC unroll 4
		for (size_t b = 0; b < batches; b++)
			sums[r][b].store_unaligned(out[r] + b * width);
}

// As many rows per pass as keep their sums in the accumulator registers,
// at most 8 (enough independent sums to cover the FMA latency).
template <class Target>
constexpr size_t
rows_per_panel_pass() noexcept
{
	constexpr size_t batches = panel_width / FloatBatch<Target>::size;
	constexpr size_t fit = Target::accumulator_budget / batches;

	return fit < 1 ? 1 : (fit > 8 ? 8 : fit);
}

template <class Target>
void
dot_panels(const float *const *rows, size_t row_count, const float *panels, size_t panel_count,
		   size_t n, float *out) noexcept
{
	constexpr size_t per_pass = rows_per_panel_pass<Target>();
	size_t		out_row = panel_count * panel_width;

	// panel by panel, so that a panel stays in cache while the rows pass
	for (size_t p = 0; p < panel_count; p++)
	{
		const float *panel = panels + p * n * panel_width;
		size_t		r = 0;

		for (; r + per_pass <= row_count; r += per_pass)
		{
			float	   *targets[per_pass];

			for (size_t q = 0; q < per_pass; q++)
				targets[q] = out + (r + q) * out_row + p * panel_width;
			dot_panel_rows<Target, per_pass>(rows + r, panel, n, targets);
		}
		for (; r < row_count; r++)
		{
			float	   *target = out + r * out_row + p * panel_width;

			dot_panel_rows<Target, 1>(rows + r, panel, n, &target);
		}
	}
}

/* Element-wise arithmetic ---------------------------------------------------- */

struct Add
{
	template <class T>
	static T apply(const T &a, const T &b) noexcept { return a + b; }
	static constexpr bool checks_underflow = false;
};

struct Subtract
{
	template <class T>
	static T apply(const T &a, const T &b) noexcept { return a - b; }
	static constexpr bool checks_underflow = false;
};

struct Multiply
{
	template <class T>
	static T apply(const T &a, const T &b) noexcept { return a * b; }
	static constexpr bool checks_underflow = true;
};

// pgvector's rule: a result that is infinite overflowed; for multiplication
// a zero result from two non-zero inputs underflowed. Inputs are read before
// the result is stored, so out may alias a or b.
template <class Target, class Operation>
vc_status
elementwise(const float *a, const float *b, float *out, size_t n) noexcept
{
	using Batch = FloatBatch<Target>;
	constexpr size_t width = Batch::size;
	const Batch infinity(__builtin_inff());
	const Batch zero(0.0f);
	auto		out_of_range = (zero != zero);	/* all false */
	size_t		i = 0;

	for (; i + width <= n; i += width)
	{
		Batch		x = Batch::load_unaligned(a + i);
		Batch		y = Batch::load_unaligned(b + i);
		Batch		result = Operation::apply(x, y);

		out_of_range = out_of_range | (xsimd::abs(result) == infinity);
		if constexpr (Operation::checks_underflow)
			out_of_range = out_of_range | ((result == zero) & (x != zero) & (y != zero));
		result.store_unaligned(out + i);
	}

	bool		failed = xsimd::any(out_of_range);

	for (; i < n; i++)
	{
		float		x = a[i];
		float		y = b[i];
		float		result = Operation::apply(x, y);

		failed |= __builtin_isinf(result) != 0;
		if constexpr (Operation::checks_underflow)
			failed |= result == 0.0f && x != 0.0f && y != 0.0f;
		out[i] = result;
	}
	return failed ? VC_ERROR_OUT_OF_RANGE : VC_OK;
}

inline void
accumulate_into_doubles(double *sums, const float *a, size_t n) noexcept
{
	for (size_t i = 0; i < n; i++)
		sums[i] += static_cast<double>(a[i]);
}

/* float16 arrays ------------------------------------------------------------- */

template <class Target>
void
halves_to_floats(const uint16_t *in, float *out, size_t n) noexcept
{
	constexpr size_t width = FloatBatch<Target>::size;
	size_t		i = 0;

	for (; i + width <= n; i += width)
		Target::load_halves(in + i).store_unaligned(out + i);
	for (; i < n; i++)
		out[i] = half_to_float(in[i]);
}

// A finite float overflows a half exactly when its magnitude reaches 65520
// (halfway between the largest half, 65504, and 2^16). Returns the index of
// the first such value, or n.
template <class Target>
size_t
floats_to_halves(const float *in, uint16_t *out, size_t n) noexcept
{
	using Batch = FloatBatch<Target>;
	constexpr size_t width = Batch::size;
	const Batch overflow_threshold(65520.0f);
	const Batch infinity(__builtin_inff());
	size_t		i = 0;

	for (; i + width <= n; i += width)
	{
		Batch		x = Batch::load_unaligned(in + i);
		Batch		magnitude = xsimd::abs(x);

		if (xsimd::any((magnitude >= overflow_threshold) & (magnitude != infinity)))
			break;				/* the scalar loop finds which one */
		Target::store_halves(x, out + i);
	}
	for (; i < n; i++)
	{
		out[i] = float_to_half(in[i]);
		if (half_is_infinite(out[i]) && !__builtin_isinf(in[i]))
			return i;
	}
	return n;
}

/* Bits with the 64-bit popcount instruction ------------------------------------- */

inline uint64_t
load_word(const uint8_t *p) noexcept
{
	uint64_t	word;

	__builtin_memcpy(&word, p, sizeof(word));
	return word;
}

// Hamming distance of bytes [start, nbytes), four words per step so that
// the popcounts can overlap.
inline uint64_t
hamming_from(const uint8_t *a, const uint8_t *b, size_t start, size_t nbytes) noexcept
{
	uint64_t	counts[4] = {0, 0, 0, 0};
	size_t		i = start;

	for (; i + 32 <= nbytes; i += 32)
		for (size_t w = 0; w < 4; w++)
			counts[w] += __builtin_popcountll(load_word(a + i + 8 * w) ^ load_word(b + i + 8 * w));
	for (; i + 8 <= nbytes; i += 8)
		counts[0] += __builtin_popcountll(load_word(a + i) ^ load_word(b + i));
	for (; i < nbytes; i++)
		counts[0] += __builtin_popcount(static_cast<unsigned>(a[i] ^ b[i]));
	return counts[0] + counts[1] + counts[2] + counts[3];
}

inline BitCounts
jaccard_counts_from(const uint8_t *a, const uint8_t *b, size_t start, size_t nbytes) noexcept
{
	BitCounts	counts = {0, 0, 0};
	size_t		i = start;

	for (; i + 8 <= nbytes; i += 8)
	{
		uint64_t	x = load_word(a + i);
		uint64_t	y = load_word(b + i);

		counts.both += __builtin_popcountll(x & y);
		counts.a += __builtin_popcountll(x);
		counts.b += __builtin_popcountll(y);
	}
	for (; i < nbytes; i++)
	{
		counts.both += __builtin_popcount(static_cast<unsigned>(a[i] & b[i]));
		counts.a += __builtin_popcount(a[i]);
		counts.b += __builtin_popcount(b[i]);
	}
	return counts;
}

inline uint64_t
hamming_with_popcnt(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	return hamming_from(a, b, 0, nbytes);
}

inline BitCounts
jaccard_counts_with_popcnt(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	return jaccard_counts_from(a, b, 0, nbytes);
}

/* k-means' first pass, one row ---------------------------------------------- */

// The least lane of a batch; NaN lanes ignored
template <class Target>
float
least_lane(const FloatBatch<Target> &values) noexcept
{
	constexpr size_t width = FloatBatch<Target>::size;
	alignas(64) float lanes[width];
	float		least = __builtin_inff();

	values.store_aligned(lanes);
	for (size_t j = 0; j < width; j++)
		least = lanes[j] < least ? lanes[j] : least;
	return least;
}

// As f32_estimates_least_portable (kernel_table.hpp), a batch at a time;
// comparisons and selects rather than min and max, whose NaN handling
// differs between instruction sets.
template <class Target>
float
estimates_least(const float *dots, const float *norms, float x_norm, float keep, size_t k,
				float *out) noexcept
{
	using Batch = FloatBatch<Target>;
	constexpr size_t width = Batch::size;
	Batch		least(__builtin_inff());
	size_t		c = 0;

	for (; c + width <= k; c += width)
	{
		Batch		estimate = (Batch(x_norm) + Batch::load_unaligned(norms + c)) * Batch(keep) -
			Batch(2.0f) * Batch::load_unaligned(dots + c);

		estimate.store_unaligned(out + c);
		least = xsimd::select(estimate < least, estimate, least);
	}

	float		tail_least = least_lane<Target>(least);

	for (; c < k; c++)
	{
		float		estimate = (x_norm + norms[c]) * keep - 2.0f * dots[c];

		out[c] = estimate;
		tail_least = estimate < tail_least ? estimate : tail_least;
	}
	return tail_least;
}

// As f32_roots_least_portable, a batch at a time
template <class Target>
float
roots_least(float *values, size_t k) noexcept
{
	using Batch = FloatBatch<Target>;
	constexpr size_t width = Batch::size;
	Batch		least(__builtin_inff());
	size_t		c = 0;

	for (; c + width <= k; c += width)
	{
		Batch		value = Batch::load_unaligned(values + c);
		Batch		root = Target::sqrt(xsimd::select(value > Batch(0.0f), value, Batch(0.0f)));

		root.store_unaligned(values + c);
		least = xsimd::select(root < least, root, least);
	}

	float		tail_least = least_lane<Target>(least);

	for (; c < k; c++)
	{
		float		root = __builtin_sqrtf(values[c] > 0.0f ? values[c] : 0.0f);

		values[c] = root;
		tail_least = root < tail_least ? root : tail_least;
	}
	return tail_least;
}

// encode_bounds_portable's loop, compiled for this target (it vectorises)
template <class Target>
void
encode_bounds_of(const float *values, size_t k, float per_unit, uint8_t *out) noexcept
{
	for (size_t c = 0; c < k; c++)
	{
		float		units = values[c] * per_unit;

		units = units > 0.0f ? units : 0.0f;
		units = units < static_cast<float>(most_bound_units) ? units : static_cast<float>(most_bound_units);
		out[c] = values[c] == __builtin_inff() ? infinite_bound : static_cast<uint8_t>(static_cast<int32_t>(units));
	}
}

/* The table -------------------------------------------------------------------- */

// A target with its own bit-counting instructions passes its bit kernels,
// one with compress instructions its bounds selection.
template <class Target>
constexpr KernelTable
make_kernel_table(const char *name,
				  decltype(KernelTable::bits_hamming) bits_hamming = hamming_with_popcnt,
				  decltype(KernelTable::bits_jaccard_counts) bits_jaccard_counts =
				  jaccard_counts_with_popcnt,
				  decltype(KernelTable::lower_bounds_select) lower_bounds_select =
				  lower_bounds_select_portable) noexcept
{
	using F32 = Float32Source<Target>;
	using F16 = Float16Source<Target>;

	return KernelTable{
		.name = name,
		.f32_l2_squared = single_sum<Target, F32, L2SquaredSums>,
		.f32_inner_product = single_sum<Target, F32, InnerProductSums>,
		.f32_cosine_sums = cosine_sums<Target, F32>,
		.f32_l1 = single_sum<Target, F32, L1Sums>,
		.f32_sum_of_squares = sum_of_squares<Target, F32>,
		.f32_distance_batch = distance_batch<Target, F32>,
		.f32_dot_panels = dot_panels<Target>,
		.lower_bounds_select = lower_bounds_select,
		.f32_estimates_least = estimates_least<Target>,
		.f32_roots_least = roots_least<Target>,
		.encode_bounds = encode_bounds_of<Target>,
		.f32_add = elementwise<Target, Add>,
		.f32_subtract = elementwise<Target, Subtract>,
		.f32_multiply = elementwise<Target, Multiply>,
		.f64_accumulate_f32 = accumulate_into_doubles,
		.f16_to_f32_array = halves_to_floats<Target>,
		.f32_to_f16_array = floats_to_halves<Target>,
		.f16_l2_squared = single_sum<Target, F16, L2SquaredSums>,
		.f16_inner_product = single_sum<Target, F16, InnerProductSums>,
		.f16_cosine_sums = cosine_sums<Target, F16>,
		.f16_l1 = single_sum<Target, F16, L1Sums>,
		.f16_sum_of_squares = sum_of_squares<Target, F16>,
		.f16_distance_batch = distance_batch<Target, F16>,
		.bits_hamming = bits_hamming,
		.bits_jaccard_counts = bits_jaccard_counts,
	};
}

}							// namespace
}							// namespace vector_core
