// element_distance.cpp: one distance function per element kind and metric.
#include "element_distance.hpp"

namespace vector_core
{

namespace
{

bool
is_float_metric(vc_metric metric) noexcept
{
	return metric == VC_METRIC_L2_SQUARED || metric == VC_METRIC_NEGATIVE_INNER_PRODUCT ||
		metric == VC_METRIC_COSINE || metric == VC_METRIC_L1;
}

bool
is_bits_metric(vc_metric metric) noexcept
{
	return metric == VC_METRIC_HAMMING || metric == VC_METRIC_JACCARD;
}

float
sparse_distance(vc_metric metric, const SparseBody &a, const SparseBody &b) noexcept
{
	switch (metric)
	{
		case VC_METRIC_L2_SQUARED:
			return sparse::l2_squared(a.indices, a.values, a.nnz, b.indices, b.values, b.nnz);
		case VC_METRIC_NEGATIVE_INNER_PRODUCT:
			return -sparse::inner_product(a.indices, a.values, a.nnz, b.indices, b.values, b.nnz);
		case VC_METRIC_COSINE:
			return static_cast<float>(cosine_distance_from_sums(
				sparse::cosine_sums(a.indices, a.values, a.nnz, b.indices, b.values, b.nnz)));
		case VC_METRIC_L1:
			return sparse::l1(a.indices, a.values, a.nnz, b.indices, b.values, b.nnz);
		case VC_METRIC_HAMMING:
		case VC_METRIC_JACCARD:
			break;
	}
	return __builtin_nanf("");
}

}							// namespace

bool
ElementDistance::is_valid_configuration(vc_element_kind kind, vc_metric metric,
										size_t dimensions) noexcept
{
	switch (kind)
	{
		case VC_ELEMENT_F32:
		case VC_ELEMENT_F16:
			return is_float_metric(metric) && dimensions >= 1 &&
				dimensions <= VC_VECTOR_MAX_DIM;
		case VC_ELEMENT_BITS:
			return is_bits_metric(metric) && dimensions >= 1 &&
				dimensions <= VC_SEARCH_BITS_MAX_DIM;
		case VC_ELEMENT_SPARSE:
			return is_float_metric(metric);
		case VC_ELEMENT_CALLER_SCORED:
			break;
	}
	return false;
}

size_t
ElementDistance::fixed_bytes_of(vc_element_kind kind, size_t dimensions) noexcept
{
	switch (kind)
	{
		case VC_ELEMENT_F32:
			return dimensions * sizeof(float);
		case VC_ELEMENT_F16:
			return dimensions * sizeof(uint16_t);
		case VC_ELEMENT_BITS:
			return (dimensions + 7) / 8;
		case VC_ELEMENT_CALLER_SCORED:
		case VC_ELEMENT_SPARSE:
			break;
	}
	return 0;
}

float
ElementDistance::pair(const void *a, const void *b) const noexcept
{
	switch (kind_)
	{
		case VC_ELEMENT_F32:
			{
				const float *x = static_cast<const float *>(a);
				const float *y = static_cast<const float *>(b);

				switch (metric_)
				{
					case VC_METRIC_L2_SQUARED:
						return kernels_->f32_l2_squared(x, y, dimensions_);
					case VC_METRIC_NEGATIVE_INNER_PRODUCT:
						return -kernels_->f32_inner_product(x, y, dimensions_);
					case VC_METRIC_COSINE:
						return static_cast<float>(cosine_distance_from_sums(
							kernels_->f32_cosine_sums(x, y, dimensions_)));
					case VC_METRIC_L1:
						return kernels_->f32_l1(x, y, dimensions_);
					default:
						break;
				}
				break;
			}
		case VC_ELEMENT_F16:
			{
				const uint16_t *x = static_cast<const uint16_t *>(a);
				const uint16_t *y = static_cast<const uint16_t *>(b);

				switch (metric_)
				{
					case VC_METRIC_L2_SQUARED:
						return kernels_->f16_l2_squared(x, y, dimensions_);
					case VC_METRIC_NEGATIVE_INNER_PRODUCT:
						return -kernels_->f16_inner_product(x, y, dimensions_);
					case VC_METRIC_COSINE:
						return static_cast<float>(cosine_distance_from_sums(
							kernels_->f16_cosine_sums(x, y, dimensions_)));
					case VC_METRIC_L1:
						return kernels_->f16_l1(x, y, dimensions_);
					default:
						break;
				}
				break;
			}
		case VC_ELEMENT_BITS:
			{
				const uint8_t *x = static_cast<const uint8_t *>(a);
				const uint8_t *y = static_cast<const uint8_t *>(b);

				if (metric_ == VC_METRIC_HAMMING)
					return static_cast<float>(kernels_->bits_hamming(x, y, fixed_bytes_));
				if (metric_ == VC_METRIC_JACCARD)
					return static_cast<float>(jaccard_distance_from_counts(
						kernels_->bits_jaccard_counts(x, y, fixed_bytes_)));
				break;
			}
		case VC_ELEMENT_SPARSE:
			return sparse_distance(metric_, SparseBody(a), SparseBody(b));
		case VC_ELEMENT_CALLER_SCORED:
			break;
	}
	return __builtin_nanf("");
}

void
ElementDistance::batch(const void *query, const void *const *vectors, size_t count,
					   float *distances) const noexcept
{
	switch (kind_)
	{
		case VC_ELEMENT_F32:
			kernels_->f32_distance_batch(metric_, static_cast<const float *>(query),
										 reinterpret_cast<const float *const *>(vectors),
										 count, dimensions_, distances);
			return;
		case VC_ELEMENT_F16:
			kernels_->f16_distance_batch(metric_, static_cast<const uint16_t *>(query),
										 reinterpret_cast<const uint16_t *const *>(vectors),
										 count, dimensions_, distances);
			return;
		case VC_ELEMENT_SPARSE:
			{
				SparseBody	q(query);

				for (size_t i = 0; i < count; i++)
					distances[i] = sparse_distance(metric_, q, SparseBody(vectors[i]));
				return;
			}
		case VC_ELEMENT_BITS:
		case VC_ELEMENT_CALLER_SCORED:
			break;
	}
	for (size_t i = 0; i < count; i++)
		distances[i] = pair(query, vectors[i]);
}

}							// namespace vector_core
