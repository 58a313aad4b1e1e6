// kernels_sparse.hpp: distances between sparse vectors given as strictly
// increasing 0-based indices with their values.
//
// Merge-joins of the two index lists, accumulated in float32 in index order.
// An element present in only one vector still counts for L2 and L1 (the
// other vector is zero there). Sparse data gives SIMD little to do, so there
// is one implementation for every dispatch target.
#pragma once

#include "cpp_only.hpp"

#include "kernel_table.hpp"

namespace vector_core::sparse
{

float		l2_squared(const int32_t *a_index, const float *a_value, size_t a_nnz,
					   const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept;
float		inner_product(const int32_t *a_index, const float *a_value, size_t a_nnz,
						  const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept;
CosineSums	cosine_sums(const int32_t *a_index, const float *a_value, size_t a_nnz,
						const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept;
float		l1(const int32_t *a_index, const float *a_value, size_t a_nnz,
			   const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept;

}							// namespace vector_core::sparse
