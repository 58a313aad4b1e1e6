// avx2.cpp: the kernels for AVX2 + FMA + F16C (+ POPCNT), the flags this TU
// alone is compiled with. Only avx2_kernel_table() has external linkage.
#include <immintrin.h>

#include "../kernels_simd.hpp"
#include "../target_tables.hpp"

namespace vector_core::avx2
{
namespace
{

struct Avx2Target
{
	using arch = xsimd::fma3<xsimd::avx2>;
	using Batch = xsimd::batch<float, arch>;

	// 16 ymm registers: 8 for partial sums leaves room for loads.
	static constexpr size_t unroll = 2;
	static constexpr size_t accumulator_budget = 8;

	static Batch load_halves(const uint16_t *p) noexcept
	{
		return Batch(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))));
	}

	static void store_halves(const Batch &batch, uint16_t *p) noexcept
	{
		_mm_storeu_si128(reinterpret_cast<__m128i *>(p),
						 _mm256_cvtps_ph(batch, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
	}

	static Batch sqrt(const Batch &batch) noexcept
	{
		return xsimd::sqrt(batch);	// vsqrtps: correctly rounded
	}

	static Batch load_floats_partial(const float *p, size_t count) noexcept
	{
		__m256i		lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
		__m256i		mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), lane);

		return Batch(_mm256_maskload_ps(p, mask));
	}

	static Batch load_halves_partial(const uint16_t *p, size_t count) noexcept
	{
		return load_partial_by_copy<Avx2Target>(p, count);
	}
};

}							// namespace

const KernelTable &
avx2_kernel_table() noexcept
{
	static constexpr KernelTable table = make_kernel_table<Avx2Target>("avx2");

	return table;
}

}							// namespace vector_core::avx2
