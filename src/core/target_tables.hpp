// target_tables.hpp: the kernel table each compiled instruction-set target
// exports. Each targets/<name>.cpp defines exactly one of these functions and
// nothing else with external linkage.
#pragma once

#include "cpp_only.hpp"

#include "kernel_table.hpp"

#if defined(__x86_64__)
#define VECTOR_CORE_HAVE_X86_TARGETS 1
#elif defined(__aarch64__)
#define VECTOR_CORE_HAVE_NEON_TARGET 1
#endif

namespace vector_core
{

#ifdef VECTOR_CORE_HAVE_X86_TARGETS
namespace sse4_2
{
const KernelTable &sse4_2_kernel_table() noexcept;
}
namespace avx2
{
const KernelTable &avx2_kernel_table() noexcept;
}
namespace avx512
{
const KernelTable &avx512_kernel_table() noexcept;
}
#endif

#ifdef VECTOR_CORE_HAVE_NEON_TARGET
namespace neon
{
const KernelTable &neon_kernel_table() noexcept;
}
#endif

}							// namespace vector_core
