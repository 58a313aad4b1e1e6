// neon.cpp: the kernels for AArch64 Advanced SIMD, where NEON, FMA and
// half-precision conversion are part of the base architecture. Only
// neon_kernel_table() has external linkage. (Compiled on aarch64 only.)
#include <arm_neon.h>

#include "../kernels_simd.hpp"
#include "../target_tables.hpp"

namespace vector_core::neon
{
namespace
{

struct NeonTarget
{
	using arch = xsimd::neon64;
	using Batch = xsimd::batch<float, arch>;

	// 32 vector registers, but 4-lane batches: more partial sums to cover
	// the FMA latency.
	static constexpr size_t unroll = 4;
	static constexpr size_t accumulator_budget = 16;

	static Batch load_halves(const uint16_t *p) noexcept
	{
		return Batch(vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))));
	}

	static void store_halves(const Batch &batch, uint16_t *p) noexcept
	{
		vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(batch)));
	}

	static Batch sqrt(const Batch &batch) noexcept
	{
		return Batch(vsqrtq_f32(batch));	// xsimd 8 estimates it on NEON
	}

	static Batch load_floats_partial(const float *p, size_t count) noexcept
	{
		return load_partial_by_copy<NeonTarget>(p, count);
	}

	static Batch load_halves_partial(const uint16_t *p, size_t count) noexcept
	{
		return load_partial_by_copy<NeonTarget>(p, count);
	}
};

// Per-byte counts (CNT) widened pairwise into 64-bit lanes.
inline uint64x2_t
add_bit_counts(uint64x2_t total, uint8x16_t bytes) noexcept
{
	return vpadalq_u32(total, vpaddlq_u16(vpaddlq_u8(vcntq_u8(bytes))));
}

uint64_t
hamming_cnt(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	uint64x2_t	total = vdupq_n_u64(0);
	size_t		i = 0;

	for (; i + 16 <= nbytes; i += 16)
		total = add_bit_counts(total, veorq_u8(vld1q_u8(a + i), vld1q_u8(b + i)));
	return vaddvq_u64(total) + hamming_from(a, b, i, nbytes);
}

BitCounts
jaccard_counts_cnt(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	uint64x2_t	both = vdupq_n_u64(0);
	uint64x2_t	in_a = vdupq_n_u64(0);
	uint64x2_t	in_b = vdupq_n_u64(0);
	size_t		i = 0;

	for (; i + 16 <= nbytes; i += 16)
	{
		uint8x16_t	x = vld1q_u8(a + i);
		uint8x16_t	y = vld1q_u8(b + i);

		both = add_bit_counts(both, vandq_u8(x, y));
		in_a = add_bit_counts(in_a, x);
		in_b = add_bit_counts(in_b, y);
	}

	BitCounts	rest = jaccard_counts_from(a, b, i, nbytes);

	return BitCounts{
		vaddvq_u64(both) + rest.both,
		vaddvq_u64(in_a) + rest.a,
		vaddvq_u64(in_b) + rest.b,
	};
}

}							// namespace

const KernelTable &
neon_kernel_table() noexcept
{
	static constexpr KernelTable table =
		make_kernel_table<NeonTarget>("neon", hamming_cnt, jaccard_counts_cnt);

	return table;
}

}							// namespace vector_core::neon
