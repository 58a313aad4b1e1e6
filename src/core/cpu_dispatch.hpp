// cpu_dispatch.hpp: which kernel table is in use.
#pragma once

#include "cpp_only.hpp"

#include "kernel_table.hpp"

namespace vector_core
{

// The table in use: the one vc_simd_set_target() chose, else the default
// (VECTOR_SIMD_TARGET if it names a supported target, else the best one),
// decided on first use.
const KernelTable &active_kernels() noexcept;

}							// namespace vector_core
