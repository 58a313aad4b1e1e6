// hnsw_neighbour_selection.hpp: HNSW's neighbour-selection heuristic
// (Malkov & Yashunin, algorithm 4, with pruned candidates kept), shared by
// the in-memory graph build and vc_hnsw_select_neighbours.
//
// A candidate is kept only if it is nearer to the element being linked than
// to every candidate kept before it, so links spread in different
// directions instead of piling into the nearest cluster; then, while fewer
// than fill_to are kept, the nearest discarded candidates fill up (with
// fill_to = m: hnswlib's keepPrunedConnections, pgvector's behaviour, so a
// list is never shorter than it can be).
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "element_distance.hpp"

namespace vector_core
{

// Buffers the heuristic reuses from call to call.
struct SelectionScratch
{
	std::vector<const void *> kept_vectors;
	std::vector<uint32_t> discarded;

	// Room for count candidates: after this, select_neighbours() with at most
	// count candidates does not allocate.  May throw std::bad_alloc.
	void		reserve(size_t count)
	{
		kept_vectors.reserve(count);
		discarded.reserve(count);
	}
};

// From count candidates sorted nearest first by distances[i] (to the element
// being linked), writes the positions of the selected ones (at most m, at
// least min(fill_to, count); fill_to <= m) in increasing order (so nearest
// first) to selected, and returns their number.  Distances between
// candidates come from distance.  May throw std::bad_alloc only if scratch
// was not reserved for count.
size_t		select_neighbours(const ElementDistance &distance, const void *const *vectors,
							  const float *distances, size_t count, size_t m,
							  size_t fill_to, uint32_t *selected, SelectionScratch &scratch);

}							// namespace vector_core
