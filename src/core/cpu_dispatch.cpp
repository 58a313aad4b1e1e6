// cpu_dispatch.cpp: pick the kernel table for this CPU, once.
//
// Detection combines xsimd::available_architectures() with GCC's
// __builtin_cpu_supports(), which also checks that the OS saves the wider
// registers; xsimd 8.1 reads CPUID only. The vc_simd_* functions of
// vector_core.h live here too.
#include "cpu_dispatch.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include <xsimd/xsimd.hpp>

#include "kernels_scalar.hpp"
#include "target_tables.hpp"

namespace vector_core
{

namespace
{

struct Target
{
	const char *name;
	bool		(*supported)() noexcept;
	const KernelTable &(*table)() noexcept;
};

#ifdef VECTOR_CORE_HAVE_X86_TARGETS

bool
cpu_has_sse4_2() noexcept
{
	__builtin_cpu_init();
	return xsimd::available_architectures().sse4_2 &&
		__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt");
}

bool
cpu_has_avx2() noexcept
{
	__builtin_cpu_init();
	return cpu_has_sse4_2() && xsimd::available_architectures().avx2 &&
		__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
		__builtin_cpu_supports("f16c");
}

bool
cpu_has_avx512() noexcept
{
	const auto	architectures = xsimd::available_architectures();

	return cpu_has_avx2() && architectures.avx512f && architectures.avx512bw &&
		architectures.avx512dq &&
		__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		__builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

bool
cpu_has_avx512_popcount() noexcept
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512vpopcntdq");
}

// The avx512 TU counts bits with VPOPCNTDQ, which some AVX-512 CPUs (Skylake)
// lack; those get the AVX2 bit kernels in an otherwise AVX-512 table.
const KernelTable &
avx512_table_for_this_cpu() noexcept
{
	static const KernelTable table = [] {
		KernelTable	patched = avx512::avx512_kernel_table();

		if (!cpu_has_avx512_popcount())
		{
			patched.bits_hamming = avx2::avx2_kernel_table().bits_hamming;
			patched.bits_jaccard_counts = avx2::avx2_kernel_table().bits_jaccard_counts;
		}
		return patched;
	}();

	return table;
}

#endif							/* VECTOR_CORE_HAVE_X86_TARGETS */

#ifdef VECTOR_CORE_HAVE_NEON_TARGET
bool
cpu_has_neon() noexcept
{
	return xsimd::available_architectures().neon64;
}
#endif

bool
always_supported() noexcept
{
	return true;
}

// Best first; scalar last, as it always works.
constexpr Target targets[] = {
#ifdef VECTOR_CORE_HAVE_X86_TARGETS
	{"avx512", cpu_has_avx512, avx512_table_for_this_cpu},
	{"avx2", cpu_has_avx2, avx2::avx2_kernel_table},
	{"sse4_2", cpu_has_sse4_2, sse4_2::sse4_2_kernel_table},
#endif
#ifdef VECTOR_CORE_HAVE_NEON_TARGET
	{"neon", cpu_has_neon, neon::neon_kernel_table},
#endif
	{"scalar", always_supported, scalar::scalar_kernel_table},
};

// The supported target of that name, or nullptr.
const Target *
find_supported_target(const char *name) noexcept
{
	for (const Target &target : targets)
	{
		if (std::strcmp(target.name, name) == 0)
			return target.supported() ? &target : nullptr;
	}
	return nullptr;
}

const Target &
best_target() noexcept
{
	for (const Target &target : targets)
	{
		if (target.supported())
			return target;
	}
	return targets[std::size(targets) - 1];
}

// VECTOR_SIMD_TARGET is honoured only if it names a supported target; a
// typo must not take the fast kernels away, nor crash on an older CPU.
const KernelTable &
default_kernels() noexcept
{
	static const KernelTable *const table = [] {
		const char *requested = std::getenv("VECTOR_SIMD_TARGET");
		const Target *target = requested ? find_supported_target(requested) : nullptr;

		return &(target ? *target : best_target()).table();
	}();

	return *table;
}

// Set by vc_simd_set_target(); nullptr means the default.
std::atomic<const KernelTable *> forced_kernels{nullptr};

}							// namespace

const KernelTable &
active_kernels() noexcept
{
	const KernelTable *forced = forced_kernels.load(std::memory_order_acquire);

	return forced ? *forced : default_kernels();
}

}							// namespace vector_core

using namespace vector_core;

extern "C" const char *
vc_simd_target(void) noexcept
{
	return active_kernels().name;
}

extern "C" const char *
vc_simd_best_target(void) noexcept
{
	return best_target().name;
}

extern "C" vc_status
vc_simd_set_target(const char *name) noexcept
{
	if (name == nullptr)
	{
		forced_kernels.store(nullptr, std::memory_order_release);
		return VC_OK;
	}

	const Target *target = find_supported_target(name);

	if (target == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	forced_kernels.store(&target->table(), std::memory_order_release);
	return VC_OK;
}

extern "C" size_t
vc_simd_supported_targets(const char **names, size_t capacity) noexcept
{
	size_t		count = 0;

	for (const Target &target : targets)
	{
		if (!target.supported())
			continue;
		if (count < capacity)
			names[count] = target.name;
		count++;
	}
	return count;
}
