// hnsw_repair.hpp: choosing a new neighbour list for an element whose list
// lost members to VACUUM.
//
// The candidates are whatever the glue gathered: the list's surviving
// members, the neighbours of its removed members (a removed element's own
// links are the natural detour around it, as in FreshDiskANN's delete
// consolidation), and, when those are too few, the result of a graph search.
// They come unsorted and may repeat; this orders them by distance to the
// element (ties by id), drops repeats, the element itself and anything the
// metric cannot order, and applies the selection heuristic.
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>

#include "element_distance.hpp"

namespace vector_core
{

// Writes at most m chosen ids, nearest first, to selected and returns their
// number.  May throw std::bad_alloc.
size_t		repair_neighbours(const ElementDistance &distance, const void *element_vector,
							  uint64_t element_id, const uint64_t *candidate_ids,
							  const void *const *candidate_vectors, size_t count, size_t m,
							  uint64_t *selected);

}							// namespace vector_core
