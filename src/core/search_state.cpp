// search_state.cpp: the search-layer rule of HNSW over caller-fetched data.
#include "search_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "element_distance.hpp"

namespace vector_core
{

namespace
{

// Heap orders: std::push_heap keeps the "largest" by the comparator at the
// front, so results use nearer (front = furthest) and candidates its
// reverse (front = nearest).  Function objects, not function pointers, so
// the comparisons are inlined into the heap algorithms.
struct FurthestOnTop
{
	bool		operator()(const ScoredElement &a, const ScoredElement &b) const noexcept
	{
		return nearer(a, b);
	}
};

struct NearestOnTop
{
	bool		operator()(const ScoredElement &a, const ScoredElement &b) const noexcept
	{
		return nearer(b, a);
	}
};

// A typical batch is one element's neighbour list (2 * m ids).
constexpr size_t initial_batch_capacity = 64;

constexpr size_t max_reserved_results = size_t{1} << 16;

// Room for one more element, growing geometrically; throws std::bad_alloc
// before anything is changed.
void
make_room_for_one(std::vector<ScoredElement> &heap)
{
	if (heap.size() == heap.capacity())
		heap.reserve(2 * heap.capacity() + 16);
}

}							// namespace

bool
SearchState::is_valid_configuration(vc_element_kind kind, vc_metric metric,
									size_t dimensions) noexcept
{
	return kind == VC_ELEMENT_CALLER_SCORED ||
		ElementDistance::is_valid_configuration(kind, metric, dimensions);
}

SearchState::SearchState(vc_element_kind kind, vc_metric metric, size_t dimensions)
	: kind_(kind),
	  metric_(metric),
	  dimensions_(kind == VC_ELEMENT_CALLER_SCORED || kind == VC_ELEMENT_SPARSE ? 0 : dimensions),
	  query_bytes_(ElementDistance::fixed_bytes_of(kind, dimensions_)),
	  query_words_((query_bytes_ + sizeof(uint64_t) - 1) / sizeof(uint64_t)),
	  batch_distances_(initial_batch_capacity)
{
}

bool
SearchState::is_valid_query(const void *query) const noexcept
{
	if (!needs_query())
		return true;
	if (query == nullptr)
		return false;
	return kind_ != VC_ELEMENT_SPARSE || SparseBody::bytes_of(query) != 0;
}

void
SearchState::begin(const void *query, size_t ef)
{
	if (kind_ == VC_ELEMENT_SPARSE)
	{
		// Sized first: if that fails, the state is as it was.
		size_t		bytes = SparseBody::bytes_of(query);

		if (query_words_.size() * sizeof(uint64_t) < bytes)
			query_words_.resize((bytes + sizeof(uint64_t) - 1) / sizeof(uint64_t));
		query_bytes_ = bytes;
	}
	candidates_.clear();
	results_.clear();
	visited_.clear();
	ef_ = ef;
	if (query_bytes_ > 0)
		std::memcpy(query_words_.data(), query, query_bytes_);

	// Reserved before the search (last, so a failure leaves a usable state),
	// so the offer path does not allocate in the common case: results never
	// exceed ef, candidates rarely exceed 2 ef.  Capped so that a huge ef (an
	// iterative scan) grows on demand instead.
	size_t		expected = std::min(ef, max_reserved_results);

	results_.reserve(expected);
	candidates_.reserve(2 * expected);
}

size_t
SearchState::filter_unvisited(const uint64_t *ids, size_t count, uint64_t *out_ids)
{
	size_t		fresh = 0;

	for (size_t i = 0; i < count; i++)
	{
		uint64_t	id = ids[i];	// read before out_ids[fresh] may overwrite it

		if (visited_.insert(id))
			out_ids[fresh++] = id;
	}
	return fresh;
}

void
SearchState::score(const void *const *vectors, size_t count, float *distances) const noexcept
{
	if (kind_ == VC_ELEMENT_CALLER_SCORED)
		return;
	ElementDistance(kind_, metric_, dimensions_).batch(query_words_.data(), vectors, count,
													   distances);
}

void
SearchState::offer_vectors(const uint64_t *ids, const void *const *vectors, size_t count)
{
	if (count > batch_distances_.size())
		batch_distances_.resize(count);
	score(vectors, count, batch_distances_.data());
	offer_distances(ids, batch_distances_.data(), count);
}

void
SearchState::offer_distances(const uint64_t *ids, const float *distances, size_t count)
{
	for (size_t i = 0; i < count; i++)
	{
		if (std::isnan(distances[i]))
			continue;			// unorderable: it would break the heaps
		admit(ScoredElement{distances[i], ids[i]});
	}
}

void
SearchState::offer_waypoints(const uint64_t *ids, const void *const *vectors, size_t count)
{
	if (count > batch_distances_.size())
		batch_distances_.resize(count);
	score(vectors, count, batch_distances_.data());
	for (size_t i = 0; i < count; i++)
	{
		ScoredElement element{batch_distances_[i], ids[i]};

		if (std::isnan(element.distance))
			continue;
		// worth expanding by the same rule as a result, but never one
		if (results_.size() < ef_ || nearer(element, results_.front()))
		{
			make_room_for_one(candidates_);
			candidates_.push_back(element);
			std::push_heap(candidates_.begin(), candidates_.end(), NearestOnTop{});
		}
	}
}

// HNSW's search-layer rule: keep the element if it is among the ef nearest
// seen so far; then it is also worth expanding.
void
SearchState::admit(ScoredElement element)
{
	if (results_.size() >= ef_)
	{
		if (!nearer(element, results_.front()))
			return;
		// Room first, so an allocation failure leaves both heaps valid.
		make_room_for_one(candidates_);
		std::pop_heap(results_.begin(), results_.end(), FurthestOnTop{});
		results_.back() = element;
	}
	else
	{
		make_room_for_one(candidates_);
		make_room_for_one(results_);
		results_.push_back(element);
	}
	std::push_heap(results_.begin(), results_.end(), FurthestOnTop{});
	candidates_.push_back(element);
	std::push_heap(candidates_.begin(), candidates_.end(), NearestOnTop{});
}

bool
SearchState::next_candidate(ScoredElement &nearest) noexcept
{
	if (candidates_.empty())
		return false;
	// Everything reachable from a candidate beyond the furthest of ef
	// results is further still, in the greedy model: the search is over.
	if (results_.size() >= ef_ && candidates_.front().distance > results_.front().distance)
		return false;
	std::pop_heap(candidates_.begin(), candidates_.end(), NearestOnTop{});
	nearest = candidates_.back();
	candidates_.pop_back();
	return true;
}

size_t
SearchState::take_results(uint64_t *ids, float *distances, size_t capacity) noexcept
{
	size_t		written = std::min(capacity, results_.size());

	std::sort_heap(results_.begin(), results_.end(), FurthestOnTop{});	// nearest first
	for (size_t i = 0; i < written; i++)
	{
		ids[i] = results_[i].id;
		distances[i] = results_[i].distance;
	}
	results_.clear();
	return written;
}

}							// namespace vector_core
