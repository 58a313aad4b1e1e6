// search_api.cpp: the extern "C" vc_search_* functions of vector_core.h.
//
// Each one checks its arguments and turns any exception of the C++ side
// (only allocation failures are possible) into a vc_status, so nothing
// throws across the C boundary.
#include "search_state.hpp"
#include "status_of.hpp"

#include <new>

using namespace vector_core;

// The opaque handle the glue holds is the search state itself.
struct vc_search : SearchState
{
	using SearchState::SearchState;
};

extern "C" vc_status
vc_search_create(vc_element_kind kind, vc_metric metric, size_t dimensions,
				 vc_search **out) noexcept
{
	if (out == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	*out = nullptr;
	if (!SearchState::is_valid_configuration(kind, metric, dimensions))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { *out = new vc_search(kind, metric, dimensions); });
}

extern "C" void
vc_search_free(vc_search *search) noexcept
{
	delete search;
}

extern "C" vc_status
vc_search_begin(vc_search *search, const void *query, size_t ef) noexcept
{
	if (search == nullptr || ef == 0 || !search->is_valid_query(query))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { search->begin(query, ef); });
}

extern "C" vc_status
vc_search_filter_unvisited(vc_search *search, const uint64_t *ids, size_t count,
						   uint64_t *out_ids, size_t *out_count) noexcept
{
	if (search == nullptr || out_count == nullptr ||
		(count > 0 && (ids == nullptr || out_ids == nullptr)))
		return VC_ERROR_INVALID_ARGUMENT;
	*out_count = 0;
	return status_of([&] { *out_count = search->filter_unvisited(ids, count, out_ids); });
}

extern "C" vc_status
vc_search_offer_vectors(vc_search *search, const uint64_t *ids,
						const void *const *vectors, size_t count) noexcept
{
	if (search == nullptr || !search->needs_query() ||
		(count > 0 && (ids == nullptr || vectors == nullptr)))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { search->offer_vectors(ids, vectors, count); });
}

extern "C" vc_status
vc_search_offer_waypoints(vc_search *search, const uint64_t *ids,
						  const void *const *vectors, size_t count) noexcept
{
	if (search == nullptr || !search->needs_query() ||
		(count > 0 && (ids == nullptr || vectors == nullptr)))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { search->offer_waypoints(ids, vectors, count); });
}

extern "C" vc_status
vc_search_offer_distances(vc_search *search, const uint64_t *ids,
						  const float *distances, size_t count) noexcept
{
	if (search == nullptr || (count > 0 && (ids == nullptr || distances == nullptr)))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { search->offer_distances(ids, distances, count); });
}

extern "C" bool
vc_search_next_candidate(vc_search *search, uint64_t *id, float *distance) noexcept
{
	ScoredElement nearest;

	if (search == nullptr || id == nullptr || distance == nullptr ||
		!search->next_candidate(nearest))
		return false;
	*id = nearest.id;
	*distance = nearest.distance;
	return true;
}

extern "C" size_t
vc_search_result_count(const vc_search *search) noexcept
{
	return search == nullptr ? 0 : search->result_count();
}

extern "C" size_t
vc_search_take_results(vc_search *search, uint64_t *ids, float *distances,
					   size_t capacity) noexcept
{
	if (search == nullptr || (capacity > 0 && (ids == nullptr || distances == nullptr)))
		return 0;
	return search->take_results(ids, distances, capacity);
}
