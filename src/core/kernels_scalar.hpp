// kernels_scalar.hpp: the scalar kernels, one plain loop each.
//
// They are the "scalar" dispatch target and the oracle the unit tests compare
// every SIMD target with; they accumulate strictly in element order, as
// pgvector's C loops do. Internal to the core: the glue uses vector_core.h.
#pragma once

#include "cpp_only.hpp"

#include "kernel_table.hpp"

namespace vector_core::scalar
{

float		f32_l2_squared(const float *a, const float *b, size_t n) noexcept;
float		f32_inner_product(const float *a, const float *b, size_t n) noexcept;
CosineSums	f32_cosine_sums(const float *a, const float *b, size_t n) noexcept;
float		f32_l1(const float *a, const float *b, size_t n) noexcept;
double		f32_sum_of_squares(const float *a, size_t n) noexcept;
void		f32_distance_batch(vc_metric metric, const float *query,
							   const float *const *vectors, size_t count,
							   size_t n, float *distances) noexcept;
void		f32_dot_panels(const float *const *rows, size_t row_count, const float *panels,
						   size_t panel_count, size_t n, float *out) noexcept;

vc_status	f32_add(const float *a, const float *b, float *out, size_t n) noexcept;
vc_status	f32_subtract(const float *a, const float *b, float *out, size_t n) noexcept;
vc_status	f32_multiply(const float *a, const float *b, float *out, size_t n) noexcept;
void		f64_accumulate_f32(double *sums, const float *a, size_t n) noexcept;

void		f16_to_f32_array(const uint16_t *in, float *out, size_t n) noexcept;
size_t		f32_to_f16_array(const float *in, uint16_t *out, size_t n) noexcept;

float		f16_l2_squared(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
float		f16_inner_product(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
CosineSums	f16_cosine_sums(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
float		f16_l1(const uint16_t *a, const uint16_t *b, size_t n) noexcept;
double		f16_sum_of_squares(const uint16_t *a, size_t n) noexcept;
void		f16_distance_batch(vc_metric metric, const uint16_t *query,
							   const uint16_t *const *vectors, size_t count,
							   size_t n, float *distances) noexcept;

uint64_t	bits_hamming(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept;
BitCounts	bits_jaccard_counts(const uint8_t *a, const uint8_t *b, size_t nbytes) noexcept;

const KernelTable &scalar_kernel_table() noexcept;

}							// namespace vector_core::scalar
