// search_state.hpp: the state of one greedy best-first graph search (the
// object behind vector_core.h's vc_search).
//
// Candidates wait in a min-heap, the ef nearest results so far in a
// max-heap whose top is the furthest; both are ordered by (distance, id) so
// that equal distances resolve the same way on every run.  The query is
// copied in, vectors offered are scored with the dispatched batch kernels
// (element_distance.hpp).
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vector_core.h"
#include "visited_set.hpp"

namespace vector_core
{

struct ScoredElement
{
	float		distance;
	uint64_t	id;
};

// Strict total order of admitted elements (NaN distances are never admitted).
inline bool
nearer(const ScoredElement &a, const ScoredElement &b) noexcept
{
	return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
}

class SearchState
{
public:
	// Arguments are checked by is_valid_configuration() first.
	SearchState(vc_element_kind kind, vc_metric metric, size_t dimensions);

	static bool is_valid_configuration(vc_element_kind kind, vc_metric metric,
									   size_t dimensions) noexcept;

	bool		needs_query() const noexcept { return kind_ != VC_ELEMENT_CALLER_SCORED; }

	// Whether begin() can take query: present where needed, and for SPARSE
	// with an nnz field in 0..VC_SPARSEVEC_MAX_NNZ.
	bool		is_valid_query(const void *query) const noexcept;

	// May throw std::bad_alloc (only while the heaps, or a sparse query,
	// grow past earlier sizes).
	void		begin(const void *query, size_t ef);

	// Writes the ids not seen before to out_ids (may alias ids); returns how
	// many.  May throw std::bad_alloc while the visited set grows.
	size_t		filter_unvisited(const uint64_t *ids, size_t count, uint64_t *out_ids);

	// May throw std::bad_alloc (a batch larger than any before).
	void		offer_vectors(const uint64_t *ids, const void *const *vectors, size_t count);

	// Score and admit as candidates only, never as results (elements that
	// lead somewhere but must not be returned).  May throw std::bad_alloc.
	void		offer_waypoints(const uint64_t *ids, const void *const *vectors, size_t count);

	// May throw std::bad_alloc (the candidate heap growing).
	void		offer_distances(const uint64_t *ids, const float *distances, size_t count);

	bool		next_candidate(ScoredElement &nearest) noexcept;

	size_t		result_count() const noexcept { return results_.size(); }

	size_t		take_results(uint64_t *ids, float *distances, size_t capacity) noexcept;

private:
	void		admit(ScoredElement element);
	void		score(const void *const *vectors, size_t count, float *distances) const noexcept;

	const vc_element_kind kind_;
	const vc_metric metric_;
	const size_t dimensions_;
	size_t		query_bytes_;	// fixed, except for SPARSE: the current query's

	size_t		ef_ = 1;
	std::vector<uint64_t> query_words_;	// the query's bytes, aligned for any kind
	std::vector<ScoredElement> candidates_;	// min-heap: front is the nearest
	std::vector<ScoredElement> results_;	// max-heap: front is the furthest
	std::vector<float> batch_distances_;	// scratch for offer_vectors
	VisitedSet	visited_;
};

}							// namespace vector_core
