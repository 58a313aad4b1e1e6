// kernel_api.cpp: the extern "C" kernel functions of vector_core.h.
//
// Each one forwards to the active kernel table and finishes the scalar part
// that is the same on every target (cosine and Jaccard from their sums).
#include "cpu_dispatch.hpp"
#include "float16_convert.hpp"
#include "kernels_sparse.hpp"

using namespace vector_core;

/* float32 ---------------------------------------------------------------- */

extern "C" float
vc_f32_l2_squared(const float *a, const float *b, size_t n) noexcept
{
	return active_kernels().f32_l2_squared(a, b, n);
}

extern "C" float
vc_f32_inner_product(const float *a, const float *b, size_t n) noexcept
{
	return active_kernels().f32_inner_product(a, b, n);
}

extern "C" double
vc_f32_cosine_distance(const float *a, const float *b, size_t n) noexcept
{
	return cosine_distance_from_sums(active_kernels().f32_cosine_sums(a, b, n));
}

extern "C" float
vc_f32_l1(const float *a, const float *b, size_t n) noexcept
{
	return active_kernels().f32_l1(a, b, n);
}

extern "C" double
vc_f32_l2_norm(const float *a, size_t n) noexcept
{
	return std::sqrt(active_kernels().f32_sum_of_squares(a, n));
}

extern "C" void
vc_f32_distance_batch(vc_metric metric, const float *query,
					  const float *const *vectors, size_t count, size_t n,
					  float *distances) noexcept
{
	active_kernels().f32_distance_batch(metric, query, vectors, count, n, distances);
}

/* arithmetic ------------------------------------------------------------- */

extern "C" vc_status
vc_f32_add(const float *a, const float *b, float *out, size_t n) noexcept
{
	return active_kernels().f32_add(a, b, out, n);
}

extern "C" vc_status
vc_f32_subtract(const float *a, const float *b, float *out, size_t n) noexcept
{
	return active_kernels().f32_subtract(a, b, out, n);
}

extern "C" vc_status
vc_f32_multiply(const float *a, const float *b, float *out, size_t n) noexcept
{
	return active_kernels().f32_multiply(a, b, out, n);
}

extern "C" void
vc_f64_accumulate_f32(double *sums, const float *a, size_t n) noexcept
{
	active_kernels().f64_accumulate_f32(sums, a, n);
}

/* float16 ---------------------------------------------------------------- */

extern "C" float
vc_f16_to_f32(uint16_t half) noexcept
{
	return half_to_float(half);
}

extern "C" uint16_t
vc_f32_to_f16(float value) noexcept
{
	return float_to_half(value);
}

extern "C" void
vc_f16_array_to_f32(const uint16_t *in, float *out, size_t n) noexcept
{
	active_kernels().f16_to_f32_array(in, out, n);
}

extern "C" vc_status
vc_f32_array_to_f16(const float *in, uint16_t *out, size_t n,
					size_t *bad_index) noexcept
{
	size_t		first_overflow = active_kernels().f32_to_f16_array(in, out, n);

	if (first_overflow == n)
		return VC_OK;
	if (bad_index != nullptr)
		*bad_index = first_overflow;
	return VC_ERROR_OUT_OF_RANGE;
}

extern "C" float
vc_f16_l2_squared(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	return active_kernels().f16_l2_squared(a, b, n);
}

extern "C" float
vc_f16_inner_product(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	return active_kernels().f16_inner_product(a, b, n);
}

extern "C" double
vc_f16_cosine_distance(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	return cosine_distance_from_sums(active_kernels().f16_cosine_sums(a, b, n));
}

extern "C" float
vc_f16_l1(const uint16_t *a, const uint16_t *b, size_t n) noexcept
{
	return active_kernels().f16_l1(a, b, n);
}

extern "C" double
vc_f16_l2_norm(const uint16_t *a, size_t n) noexcept
{
	return std::sqrt(active_kernels().f16_sum_of_squares(a, n));
}

extern "C" void
vc_f16_distance_batch(vc_metric metric, const uint16_t *query,
					  const uint16_t *const *vectors, size_t count, size_t n,
					  float *distances) noexcept
{
	active_kernels().f16_distance_batch(metric, query, vectors, count, n, distances);
}

/* sparse ----------------------------------------------------------------- */

extern "C" float
vc_sparse_l2_squared(const int32_t *a_index, const float *a_value, size_t a_nnz,
					 const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	return sparse::l2_squared(a_index, a_value, a_nnz, b_index, b_value, b_nnz);
}

extern "C" float
vc_sparse_inner_product(const int32_t *a_index, const float *a_value, size_t a_nnz,
						const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	return sparse::inner_product(a_index, a_value, a_nnz, b_index, b_value, b_nnz);
}

extern "C" double
vc_sparse_cosine_distance(const int32_t *a_index, const float *a_value, size_t a_nnz,
						  const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	return cosine_distance_from_sums(
		sparse::cosine_sums(a_index, a_value, a_nnz, b_index, b_value, b_nnz));
}

extern "C" float
vc_sparse_l1(const int32_t *a_index, const float *a_value, size_t a_nnz,
			 const int32_t *b_index, const float *b_value, size_t b_nnz) noexcept
{
	return sparse::l1(a_index, a_value, a_nnz, b_index, b_value, b_nnz);
}

/* bits ------------------------------------------------------------------- */

extern "C" uint64_t
vc_bits_hamming(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	return active_kernels().bits_hamming(a, b, nbytes);
}

extern "C" double
vc_bits_jaccard(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept
{
	return jaccard_distance_from_counts(active_kernels().bits_jaccard_counts(a, b, nbytes));
}
