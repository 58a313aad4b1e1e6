// sse4_2.cpp: the kernels for SSE4.2 (+ POPCNT), the flags this TU alone is
// compiled with. No FMA and no F16C here: multiply-adds are two roundings
// and halves are widened with integer arithmetic. Only sse4_2_kernel_table()
// has external linkage.
#include <smmintrin.h>

#include "../kernels_simd.hpp"
#include "../target_tables.hpp"

namespace vector_core::sse4_2
{
namespace
{

struct Sse42Target
{
	using arch = xsimd::sse4_2;
	using Batch = xsimd::batch<float, arch>;

	// 16 xmm registers: 8 for partial sums leaves room for loads.
	static constexpr size_t unroll = 2;
	static constexpr size_t accumulator_budget = 8;

	static Batch load_halves(const uint16_t *p) noexcept
	{
		__m128i		words = _mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));

		return floats_from_half_words<Sse42Target>(xsimd::batch<uint32_t, arch>(words));
	}

	static void store_halves(const Batch &batch, uint16_t *p) noexcept
	{
		store_halves_one_by_one<Sse42Target>(batch, p);
	}

	static Batch sqrt(const Batch &batch) noexcept
	{
		return xsimd::sqrt(batch);	// sqrtps: correctly rounded
	}

	static Batch load_floats_partial(const float *p, size_t count) noexcept
	{
		return load_partial_by_copy<Sse42Target>(p, count);
	}

	static Batch load_halves_partial(const uint16_t *p, size_t count) noexcept
	{
		return load_partial_by_copy<Sse42Target>(p, count);
	}
};

}							// namespace

const KernelTable &
sse4_2_kernel_table() noexcept
{
	static constexpr KernelTable table = make_kernel_table<Sse42Target>("sse4_2");

	return table;
}

}							// namespace vector_core::sse4_2
