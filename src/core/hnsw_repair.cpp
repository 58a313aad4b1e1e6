// hnsw_repair.cpp: see hnsw_repair.hpp.
#include "hnsw_repair.hpp"

#include <algorithm>
#include <vector>

#include "hnsw_neighbour_selection.hpp"

namespace vector_core
{

size_t
repair_neighbours(const ElementDistance &distance, const void *element_vector,
				  uint64_t element_id, const uint64_t *candidate_ids,
				  const void *const *candidate_vectors, size_t count, size_t m,
				  uint64_t *selected)
{
	struct Candidate
	{
		uint64_t	id;
		const void *vector;
		float		distance;
	};
	std::vector<Candidate> candidates;

	candidates.reserve(count);
	for (size_t i = 0; i < count; i++)
	{
		if (candidate_ids[i] != element_id && candidate_vectors[i] != nullptr)
			candidates.push_back({candidate_ids[i], candidate_vectors[i], 0});
	}

	// repeats first (one id, one element: score it once)
	std::sort(candidates.begin(), candidates.end(),
			  [](const Candidate &a, const Candidate &b) { return a.id < b.id; });
	candidates.erase(std::unique(candidates.begin(), candidates.end(),
								 [](const Candidate &a, const Candidate &b) { return a.id == b.id; }),
					 candidates.end());

	for (Candidate &c : candidates)
		c.distance = distance.pair(element_vector, c.vector);
	std::erase_if(candidates, [](const Candidate &c) { return c.distance != c.distance; });
	// stable: equal distances stay in id order
	std::stable_sort(candidates.begin(), candidates.end(),
					 [](const Candidate &a, const Candidate &b) { return a.distance < b.distance; });

	std::vector<const void *> vectors(candidates.size());
	std::vector<float> distances(candidates.size());

	for (size_t i = 0; i < candidates.size(); i++)
	{
		vectors[i] = candidates[i].vector;
		distances[i] = candidates[i].distance;
	}

	SelectionScratch scratch;
	std::vector<uint32_t> positions(std::min(m, candidates.size()));

	scratch.reserve(candidates.size());
	size_t		kept = select_neighbours(distance, vectors.data(), distances.data(),
										 candidates.size(), m, m, positions.data(), scratch);

	for (size_t i = 0; i < kept; i++)
		selected[i] = candidates[positions[i]].id;
	return kept;
}

}							// namespace vector_core
