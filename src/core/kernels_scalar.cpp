// kernels_scalar.cpp: plain-loop kernels, the "scalar" target and the oracle
// for the SIMD ones. Sums run strictly in element order in float32.
#include "kernels_scalar.hpp"

#include <bit>
#include <cmath>
#include <cstring>

#include "float16_convert.hpp"

namespace vector_core::scalar
{

namespace
{

// Reads 8 bytes at p whatever its alignment.
inline uint64_t
load_u64(const uint8_t *p) noexcept
{
	uint64_t	word;

	std::memcpy(&word, p, sizeof(word));
	return word;
}

// One metric of a batch through the single-pair kernels, so the results are
// identical to theirs by construction.
template <typename Element, typename Kernels>
void
distance_batch(vc_metric metric, const Element *query,
			   const Element *const *vectors, size_t count, size_t n,
			   float *distances, const Kernels &kernels) noexcept
{
	for (size_t i = 0; i < count; i++)
	{
		const Element *vector = vectors[i];

		switch (metric)
		{
			case VC_METRIC_L2_SQUARED:
				distances[i] = kernels.l2_squared(query, vector, n);
				break;
			case VC_METRIC_NEGATIVE_INNER_PRODUCT:
				distances[i] = -kernels.inner_product(query, vector, n);
				break;
			case VC_METRIC_COSINE:
				distances[i] = static_cast<float>(
					cosine_distance_from_sums(kernels.cosine_sums(query, vector, n)));
				break;
			case VC_METRIC_L1:
				distances[i] = kernels.l1(query, vector, n);
				break;
			default:
				distances[i] = NAN;
				break;
		}
	}
}

template <typename Element>
struct PairKernels
{
	float		(*l2_squared)(const Element *, const Element *, size_t) noexcept;
	float		(*inner_product)(const Element *, const Element *, size_t) noexcept;
	CosineSums	(*cosine_sums)(const Element *, const Element *, size_t) noexcept;
	float		(*l1)(const Element *, const Element *, size_t) noexcept;
};

}							// namespace

/* float32 ---------------------------------------------------------------- */

float
f32_l2_squared(const float *a, const float *b, size_t n) noexcept
{
	float		sum = 0.0f;

	for (size_t i = 0; i < n; i++)
	{
		float		difference = a[i] - b[i];

		sum += difference * difference;
	}
	return sum;
}

float
f32_inner_product(const float *a, const float *b, size_t n) noexcept
{
	float		sum = 0.0f;

	for (size_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

CosineSums
f32_cosine_sums(const float *a, const float *b, size_t n) noexcept
{
	CosineSums	sums = {0.0f, 0.0f, 0.0f};

	for (size_t i = 0; i < n; i++)
	{
		sums.dot += a[i] * b[i];
		sums.norm_a += a[i] * a[i];
		sums.norm_b += b[i] * b[i];
	}
	return sums;
}

float
f32_l1(const float *a, const float *b, size_t n) noexcept
{
	float		sum = 0.0f;

	for (size_t i = 0; i < n; i++)
		sum += std::fabs(a[i] - b[i]);
	return sum;
}

double
f32_sum_of_squares(const float *a, size_t n) noexcept
{
	double		sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += static_cast<double>(a[i]) * static_cast<double>(a[i]);
	return sum;
}

void
f32_distance_batch(vc_metric metric, const float *query,
				   const float *const *vectors, size_t count, size_t n,
				   float *distances) noexcept
{
	static constexpr PairKernels<float> kernels = {
		f32_l2_squared, f32_inner_product, f32_cosine_sums, f32_l1
	};

	distance_batch(metric, query, vectors, count, n, distances, kernels);
}

void
f32_dot_panels(const float *const *rows, size_t row_count, const float *panels,
			   size_t panel_count, size_t n, float *out) noexcept
{
	for (size_t r = 0; r < row_count; r++)
		for (size_t p = 0; p < panel_count; p++)
			for (size_t lane = 0; lane < panel_width; lane++)
			{
				const float *panel = panels + p * n * panel_width + lane;
				float		dot = 0.0f;

				for (size_t j = 0; j < n; j++)
					dot = std::fma(rows[r][j], panel[j * panel_width], dot);
				out[(r * panel_count + p) * panel_width + lane] = dot;
			}
}

/* arithmetic ------------------------------------------------------------- */

vc_status
f32_add(const float *a, const float *b, float *out, size_t n) noexcept
{
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
	{
		out[i] = a[i] + b[i];
		overflow |= std::isinf(out[i]);
	}
	return overflow ? VC_ERROR_OUT_OF_RANGE : VC_OK;
}

vc_status
f32_subtract(const float *a, const float *b, float *out, size_t n) noexcept
{
	bool		overflow = false;

	for (size_t i = 0; i < n; i++)
	{
		out[i] = a[i] - b[i];
		overflow |= std::isinf(out[i]);
	}
	return overflow ? VC_ERROR_OUT_OF_RANGE : VC_OK;
}

vc_status
f32_multiply(const float *a, const float *b, float *out, size_t n) noexcept
{
	bool		out_of_range = false;

	for (size_t i = 0; i < n; i++)
	{
		// out may alias a or b: decide on the inputs before writing
		bool		inputs_non_zero = a[i] != 0.0f && b[i] != 0.0f;

		out[i] = a[i] * b[i];
		out_of_range |= std::isinf(out[i]);
		out_of_range |= out[i] == 0.0f && inputs_non_zero;
	}
	return out_of_range ? VC_ERROR_OUT_OF_RANGE : VC_OK;
}

void
f64_accumulate_f32(double *sums, const float *a, size_t n) noexcept
{
	for (size_t i = 0; i < n; i++)
		sums[i] += static_cast<double>(a[i]);
}

/* float16 ---------------------------------------------------------------- */

void
f16_to_f32_array(const uint16_t *in, float *out, size_t n) noexcept
{
	for (size_t i = 0; i < n; i++)
		out[i] = half_to_float(in[i]);
}

size_t
f32_to_f16_array(const float *in, uint16_t *out, size_t n) noexcept
{
	for (size_t i = 0; i < n; i++)
	{
		out[i] = float_to_half(in[i]);
		if (half_is_infinite(out[i]) && !std::isinf(in[i]))
			return i;
	}
	return n;
}

float
f16_l2_squared(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	float		sum = 0.0f;

	for (size_t i = 0; i < n; i++)
	{
		float		difference = half_to_float(a[i]) - half_to_float(b[i]);

		sum += difference * difference;
	}
	return sum;
}

float
f16_inner_product(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	float		sum = 0.0f;

	for (size_t i = 0; i < n; i++)
		sum += half_to_float(a[i]) * half_to_float(b[i]);
	return sum;
}

CosineSums
f16_cosine_sums(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	CosineSums	sums = {0.0f, 0.0f, 0.0f};

	for (size_t i = 0; i < n; i++)
	{
		float		x = half_to_float(a[i]);
		float		y = half_to_float(b[i]);

		sums.dot += x * y;
		sums.norm_a += x * x;
		sums.norm_b += y * y;
	}
	return sums;
}

float
f16_l1(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	float		sum = 0.0f;

	for (size_t i = 0; i < n; i++)
		sum += std::fabs(half_to_float(a[i]) - half_to_float(b[i]));
	return sum;
}

double
f16_sum_of_squares(const uint16_t *a, size_t n) noexcept
{
	double		sum = 0.0;

	for (size_t i = 0; i < n; i++)
	{
		double		x = half_to_float(a[i]);

		sum += x * x;
	}
	return sum;
}

void
f16_distance_batch(vc_metric metric, const uint16_t *query,
				   const uint16_t *const *vectors, size_t count, size_t n,
				   float *distances) noexcept
{
	static constexpr PairKernels<uint16_t> kernels = {
		f16_l2_squared, f16_inner_product, f16_cosine_sums, f16_l1
	};

	distance_batch(metric, query, vectors, count, n, distances, kernels);
}

/* bits ------------------------------------------------------------------- */

uint64_t
bits_hamming(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	uint64_t	distance = 0;
	size_t		i = 0;

	for (; i + 8 <= nbytes; i += 8)
		distance += std::popcount(load_u64(a + i) ^ load_u64(b + i));
	for (; i < nbytes; i++)
		distance += std::popcount(static_cast<uint8_t>(a[i] ^ b[i]));
	return distance;
}

BitCounts
bits_jaccard_counts(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	BitCounts	counts = {0, 0, 0};
	size_t		i = 0;

	for (; i + 8 <= nbytes; i += 8)
	{
		uint64_t	x = load_u64(a + i);
		uint64_t	y = load_u64(b + i);

		counts.both += std::popcount(x & y);
		counts.a += std::popcount(x);
		counts.b += std::popcount(y);
	}
	for (; i < nbytes; i++)
	{
		counts.both += std::popcount(static_cast<uint8_t>(a[i] & b[i]));
		counts.a += std::popcount(a[i]);
		counts.b += std::popcount(b[i]);
	}
	return counts;
}

const KernelTable &
scalar_kernel_table() noexcept
{
	static constexpr KernelTable table = {
		.name = "scalar",
		.f32_l2_squared = f32_l2_squared,
		.f32_inner_product = f32_inner_product,
		.f32_cosine_sums = f32_cosine_sums,
		.f32_l1 = f32_l1,
		.f32_sum_of_squares = f32_sum_of_squares,
		.f32_distance_batch = f32_distance_batch,
		.f32_dot_panels = f32_dot_panels,
		.lower_bounds_select = lower_bounds_select_portable,
		.f32_estimates_least = f32_estimates_least_portable,
		.f32_roots_least = f32_roots_least_portable,
		.encode_bounds = encode_bounds_portable,
		.f32_add = f32_add,
		.f32_subtract = f32_subtract,
		.f32_multiply = f32_multiply,
		.f64_accumulate_f32 = f64_accumulate_f32,
		.f16_to_f32_array = f16_to_f32_array,
		.f32_to_f16_array = f32_to_f16_array,
		.f16_l2_squared = f16_l2_squared,
		.f16_inner_product = f16_inner_product,
		.f16_cosine_sums = f16_cosine_sums,
		.f16_l1 = f16_l1,
		.f16_sum_of_squares = f16_sum_of_squares,
		.f16_distance_batch = f16_distance_batch,
		.bits_hamming = bits_hamming,
		.bits_jaccard_counts = bits_jaccard_counts,
	};

	return table;
}

}							// namespace vector_core::scalar
