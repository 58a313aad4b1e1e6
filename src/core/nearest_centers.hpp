// nearest_centers.hpp: distances from one vector to many stored contiguously
// (IVFFlat centres), and the k nearest of them.
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>

#include "element_distance.hpp"

namespace vector_core
{

// Kinds and metrics whose vectors have a fixed size: F32 and F16 with a
// float metric, BITS with a bit metric (as vc_search_create accepts them).
bool		nearest_centers_configuration_is_valid(vc_element_kind kind, vc_metric metric,
												   size_t dimensions) noexcept;

// out[i] = distance(query, vectors[i]) for count vectors of
// distance.fixed_bytes() each, laid out one after the other, with the batch
// kernels (the same floats the search state computes).
void		distances_to_contiguous(const ElementDistance &distance, const void *query,
									const void *vectors, size_t count, float *out) noexcept;

// The min(k, count) nearest of the contiguous vectors to query, nearest
// first, ties by smaller index, NaN last: indices into nearest, distances
// into distances (may be null).  Throws std::bad_alloc (k > 1 only).
void		nearest_centers(const ElementDistance &distance, const void *centers, size_t count,
							const void *query, size_t k, uint32_t *nearest, float *distances);

}							// namespace vector_core
