// kernels_sparse.cpp: merge-join distances over sparse vectors.
#include "kernels_sparse.hpp"

#include <cmath>

namespace vector_core::sparse
{

namespace
{

// Walks both sorted index lists once. For every index present in a only, in
// b only, or in both, calls the matching callback with the value(s).
template <typename OnlyA, typename OnlyB, typename Both>
void
merge_join(const int32_t *a_index, const float *a_value, size_t a_nnz,
		   const int32_t *b_index, const float *b_value, size_t b_nnz,
		   OnlyA only_a, OnlyB only_b, Both both) noexcept
{
	size_t		i = 0;
	size_t		j = 0;

	while (i < a_nnz && j < b_nnz)
	{
		if (a_index[i] == b_index[j])
			both(a_value[i++], b_value[j++]);
		else if (a_index[i] < b_index[j])
			only_a(a_value[i++]);
		else
			only_b(b_value[j++]);
	}
	for (; i < a_nnz; i++)
		only_a(a_value[i]);
	for (; j < b_nnz; j++)
		only_b(b_value[j]);
}

}							// namespace

float
l2_squared(const int32_t *a_index, const float *a_value, size_t a_nnz,
		   const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	float		sum = 0.0f;

	merge_join(a_index, a_value, a_nnz, b_index, b_value, b_nnz,
			   [&](float a) { sum += a * a; },
			   [&](float b) { sum += b * b; },
			   [&](float a, float b) { float d = a - b; sum += d * d; });
	return sum;
}

float
inner_product(const int32_t *a_index, const float *a_value, size_t a_nnz,
			  const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	float		sum = 0.0f;

	merge_join(a_index, a_value, a_nnz, b_index, b_value, b_nnz,
			   [](float) {},
			   [](float) {},
			   [&](float a, float b) { sum += a * b; });
	return sum;
}

CosineSums
cosine_sums(const int32_t *a_index, const float *a_value, size_t a_nnz,
			const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	CosineSums	sums = {
		inner_product(a_index, a_value, a_nnz, b_index, b_value, b_nnz), 0.0f, 0.0f
	};

	// Each norm runs over its own vector only, like pgvector.
	for (size_t i = 0; i < a_nnz; i++)
		sums.norm_a += a_value[i] * a_value[i];
	for (size_t j = 0; j < b_nnz; j++)
		sums.norm_b += b_value[j] * b_value[j];
	return sums;
}

float
l1(const int32_t *a_index, const float *a_value, size_t a_nnz,
   const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	float		sum = 0.0f;

	merge_join(a_index, a_value, a_nnz, b_index, b_value, b_nnz,
			   [&](float a) { sum += std::fabs(a); },
			   [&](float b) { sum += std::fabs(b); },
			   [&](float a, float b) { sum += std::fabs(a - b); });
	return sum;
}

}							// namespace vector_core::sparse
