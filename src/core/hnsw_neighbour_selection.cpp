// hnsw_neighbour_selection.cpp: the heuristic, with batched distances.
#include "hnsw_neighbour_selection.hpp"

#include <algorithm>

namespace vector_core
{

namespace
{

// Kept candidates are compared in groups: one batch-kernel call scores a
// group (four vectors share a pass), and a candidate nearer to a kept one
// than to the element is usually caught by the first, nearest, group.
constexpr size_t comparison_group = 8;

}							// namespace

size_t
select_neighbours(const ElementDistance &distance, const void *const *vectors,
				  const float *distances, size_t count, size_t m,
				  size_t fill_to, uint32_t *selected, SelectionScratch &scratch)
{
	size_t		kept = 0;
	float		to_kept[comparison_group];

	scratch.kept_vectors.clear();
	scratch.discarded.clear();
	for (size_t i = 0; i < count && kept < m; i++)
	{
		bool		keep = true;

		for (size_t first = 0; first < kept && keep; first += comparison_group)
		{
			size_t		group = std::min(comparison_group, kept - first);

			distance.batch(vectors[i], scratch.kept_vectors.data() + first, group, to_kept);
			for (size_t k = 0; k < group; k++)
			{
				// Not strictly nearer to the element than to a kept one (a
				// tie included, as pgvector): it adds no new direction.
				if (to_kept[k] <= distances[i])
				{
					keep = false;
					break;
				}
			}
		}
		if (keep)
		{
			selected[kept++] = static_cast<uint32_t>(i);
			scratch.kept_vectors.push_back(vectors[i]);
		}
		else
			scratch.discarded.push_back(static_cast<uint32_t>(i));
	}

	// Fill up with the nearest discarded ones, merged in from the back so
	// that the positions stay increasing (std::inplace_merge would allocate).
	size_t		from_discarded = kept < fill_to
		? std::min(fill_to - kept, scratch.discarded.size()) : 0;
	size_t		total = kept + from_discarded;
	size_t		next_kept = kept;
	size_t		next_discarded = from_discarded;

	for (size_t write = total; next_discarded > 0;)
	{
		uint32_t	discarded = scratch.discarded[next_discarded - 1];

		if (next_kept > 0 && selected[next_kept - 1] > discarded)
			selected[--write] = selected[--next_kept];
		else
		{
			selected[--write] = discarded;
			next_discarded--;
		}
	}
	return total;
}

}							// namespace vector_core
