// avx512.cpp: the kernels for AVX-512 F/BW/DQ/VL + FMA + F16C, with
// VPOPCNTDQ for the bit kernels (cpu_dispatch.cpp swaps those for the AVX2
// ones on CPUs without it). Only avx512_kernel_table() has external linkage.
// GCC 12 flags the _mm512_undefined_*() inside its own AVX-512 intrinsics
// (cvtph_ps, reduce_add) as uninitialized reads once inlined: a known false
// positive (GCC bug 105593), silenced here only.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include "../kernels_simd.hpp"
#include "../target_tables.hpp"

namespace vector_core::avx512
{
namespace
{

struct Avx512Target
{
	using arch = xsimd::avx512bw;
	using Batch = xsimd::batch<float, arch>;

	// 32 zmm registers: 16 for partial sums, 4 per candidate of a single
	// distance to cover the FMA latency.
	static constexpr size_t unroll = 4;
	static constexpr size_t accumulator_budget = 16;

	static Batch load_halves(const uint16_t *p) noexcept
	{
		return Batch(_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))));
	}

	static void store_halves(const Batch &batch, uint16_t *p) noexcept
	{
		_mm256_storeu_si256(reinterpret_cast<__m256i *>(p),
							_mm512_cvtps_ph(batch, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
	}

	static Batch sqrt(const Batch &batch) noexcept
	{
		return xsimd::sqrt(batch);	// vsqrtps: correctly rounded
	}

	static Batch load_floats_partial(const float *p, size_t count) noexcept
	{
		return Batch(_mm512_maskz_loadu_ps(first_lanes(count), p));
	}

	static Batch load_halves_partial(const uint16_t *p, size_t count) noexcept
	{
		return Batch(_mm512_cvtph_ps(_mm256_maskz_loadu_epi16(first_lanes(count), p)));
	}

	static __mmask16 first_lanes(size_t count) noexcept
	{
		return static_cast<__mmask16>((1u << count) - 1);
	}
};

// The last partial block is read with a byte mask, so no tail loop.
inline __m512i
load_bytes(const uint8_t *p, size_t count) noexcept
{
	if (count >= 64)
		return _mm512_loadu_si512(p);
	return _mm512_maskz_loadu_epi8((__mmask64{1} << count) - 1, p);
}

uint64_t
hamming_vpopcntdq(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	__m512i		counts = _mm512_setzero_si512();

	for (size_t i = 0; i < nbytes; i += 64)
	{
		__m512i		difference = _mm512_xor_si512(load_bytes(a + i, nbytes - i),
												  load_bytes(b + i, nbytes - i));

		counts = _mm512_add_epi64(counts, _mm512_popcnt_epi64(difference));
	}
	return static_cast<uint64_t>(_mm512_reduce_add_epi64(counts));
}

BitCounts
jaccard_counts_vpopcntdq(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	__m512i		both = _mm512_setzero_si512();
	__m512i		in_a = _mm512_setzero_si512();
	__m512i		in_b = _mm512_setzero_si512();

	for (size_t i = 0; i < nbytes; i += 64)
	{
		__m512i		x = load_bytes(a + i, nbytes - i);
		__m512i		y = load_bytes(b + i, nbytes - i);

		both = _mm512_add_epi64(both, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
		in_a = _mm512_add_epi64(in_a, _mm512_popcnt_epi64(x));
		in_b = _mm512_add_epi64(in_b, _mm512_popcnt_epi64(y));
	}
	return BitCounts{
		static_cast<uint64_t>(_mm512_reduce_add_epi64(both)),
		static_cast<uint64_t>(_mm512_reduce_add_epi64(in_a)),
		static_cast<uint64_t>(_mm512_reduce_add_epi64(in_b)),
	};
}

// 64 bounds at a time: lowered with a saturating byte subtraction (255,
// infinity, kept), stored, and compared with below into a 64-bit mask;
// each 16 bits of it compress their lanes' indices (in a register: the
// compress-to-memory form is slow on some CPUs), 16 stored,
// popcount(mask) kept.  The tail through masks.
size_t
lower_bounds_select_compress(uint8_t *bounds, const uint8_t *moved, size_t count, uint8_t below,
							 uint32_t *selected) noexcept
{
	const __m512i infinite = _mm512_set1_epi8(static_cast<char>(infinite_bound));
	const __m512i limit = _mm512_set1_epi8(static_cast<char>(below));
	const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	size_t		n = 0;

	for (size_t g = 0; g < count; g += 64)
	{
		__mmask64	valid = count - g >= 64 ? ~__mmask64(0) : (__mmask64(1) << (count - g)) - 1;
		__m512i		codes = _mm512_maskz_loadu_epi8(valid, bounds + g);
		__mmask64	finite = _mm512_cmpneq_epu8_mask(codes, infinite);
		__m512i		lowered = _mm512_mask_subs_epu8(codes, finite, codes, _mm512_maskz_loadu_epi8(valid, moved + g));
		uint64_t	picked = _mm512_mask_cmplt_epu8_mask(valid, lowered, limit);

		_mm512_mask_storeu_epi8(bounds + g, valid, lowered);
		for (size_t part = 0; part < 64 && picked != 0; part += 16, picked >>= 16)
		{
			__mmask16	these = static_cast<__mmask16>(picked);
			__m512i		indices = _mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int>(g + part)));

			_mm512_storeu_si512(selected + n, _mm512_maskz_compress_epi32(these, indices));
			n += static_cast<size_t>(__builtin_popcount(these));
		}
	}
	return n;
}

}							// namespace

const KernelTable &
avx512_kernel_table() noexcept
{
	static constexpr KernelTable table =
		make_kernel_table<Avx512Target>("avx512", hamming_vpopcntdq, jaccard_counts_vpopcntdq,
										lower_bounds_select_compress);

	return table;
}

}							// namespace vector_core::avx512
