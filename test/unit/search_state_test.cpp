// search_state_test.cpp: the index search state (vc_search_*): heap order
// and the ef bound, the visited set, an end-to-end greedy search over a
// k-NN graph driven the way the glue drives it, scoring of every element
// kind, and argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <unordered_map>
#include <tuple>
#include <utility>
#include <vector>

#include "kernel_test_support.hpp"
#include "vector_core.h"
#include "visited_set.hpp"

namespace
{

struct SearchDeleter
{
	void		operator()(vc_search *search) const { vc_search_free(search); }
};
using SearchHandle = std::unique_ptr<vc_search, SearchDeleter>;

SearchHandle
make_search(vc_element_kind kind, vc_metric metric, size_t dimensions)
{
	vc_search  *search = nullptr;

	EXPECT_EQ(vc_search_create(kind, metric, dimensions, &search), VC_OK);
	return SearchHandle(search);
}

struct Result
{
	uint64_t	id;
	float		distance;

	bool		operator==(const Result &) const = default;
};

std::vector<Result>
take_all_results(vc_search *search)
{
	size_t		count = vc_search_result_count(search);
	std::vector<uint64_t> ids(count);
	std::vector<float> distances(count);

	EXPECT_EQ(vc_search_take_results(search, ids.data(), distances.data(), count), count);
	std::vector<Result> results;
	for (size_t i = 0; i < count; i++)
		results.push_back({ids[i], distances[i]});
	return results;
}

// An id shaped like the glue's packed ItemPointer (block << 16 | offset).
uint64_t
packed_id(size_t index)
{
	return (static_cast<uint64_t>(index / 50 + 1) << 16) | (index % 50 + 1);
}

/* heaps and the ef bound ---------------------------------------------------- */

TEST(SearchState, ResultsAreTheEfNearestInOrderWithTiesById)
{
	std::mt19937 random(11);
	// Few distinct distances, so that many ties must be broken by id.
	std::uniform_int_distribution<int> small(0, 40);

	for (size_t ef : {1u, 2u, 37u, 500u, 5000u})
	{
		SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
		ASSERT_EQ(vc_search_begin(search.get(), nullptr, ef), VC_OK);

		size_t		n = 3000;
		std::vector<uint64_t> ids(n);
		std::vector<float> distances(n);
		for (size_t i = 0; i < n; i++)
		{
			ids[i] = packed_id(i);
			distances[i] = static_cast<float>(small(random)) * 0.25f;
		}
		std::shuffle(ids.begin(), ids.end(), random);

		// Offered in batches of varying size, like neighbour lists.
		for (size_t start = 0; start < n;)
		{
			size_t		batch = std::min<size_t>(n - start, 1 + random() % 40);

			ASSERT_EQ(vc_search_offer_distances(search.get(), ids.data() + start,
												distances.data() + start, batch), VC_OK);
			start += batch;
		}

		std::vector<Result> expected;
		for (size_t i = 0; i < n; i++)
			expected.push_back({ids[i], distances[i]});
		std::sort(expected.begin(), expected.end(), [](const Result &a, const Result &b) {
			return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
		});
		expected.resize(std::min(ef, n));

		EXPECT_EQ(vc_search_result_count(search.get()), expected.size());
		EXPECT_EQ(take_all_results(search.get()), expected) << "ef " << ef;
		EXPECT_EQ(vc_search_result_count(search.get()), 0u);
	}
}

TEST(SearchState, AdmissionFollowsTheSearchLayerRule)
{
	SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 3), VC_OK);

	const uint64_t ids[] = {10, 20, 30};
	const float distances[] = {1.0f, 2.0f, 3.0f};
	ASSERT_EQ(vc_search_offer_distances(search.get(), ids, distances, 3), VC_OK);

	// Full: an element as far as the furthest result with a larger id is not
	// nearer and stays out; the same distance with a smaller id gets in.
	const uint64_t later_id = 31, earlier_id = 29;
	const float three = 3.0f, four = 4.0f;
	ASSERT_EQ(vc_search_offer_distances(search.get(), &later_id, &three, 1), VC_OK);
	ASSERT_EQ(vc_search_offer_distances(search.get(), &earlier_id, &four, 1), VC_OK);
	ASSERT_EQ(vc_search_offer_distances(search.get(), &earlier_id, &three, 1), VC_OK);

	// Candidates come out nearest first.  30 left the results but is still a
	// candidate, and it is expanded: it is as far as the furthest result (29
	// at 3.0), and only a strictly further candidate ends the search.
	uint64_t	id;
	float		distance;
	std::vector<uint64_t> expanded;
	while (vc_search_next_candidate(search.get(), &id, &distance))
		expanded.push_back(id);
	EXPECT_EQ(expanded, (std::vector<uint64_t>{10, 20, 29, 30}));

	EXPECT_EQ(take_all_results(search.get()),
			  (std::vector<Result>{{10, 1.0f}, {20, 2.0f}, {29, 3.0f}}));
}

TEST(SearchState, StopsWhenTheNearestCandidateIsBeyondFullResults)
{
	SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 2), VC_OK);

	const uint64_t ids[] = {1, 2};
	const float distances[] = {5.0f, 6.0f};
	ASSERT_EQ(vc_search_offer_distances(search.get(), ids, distances, 2), VC_OK);

	uint64_t	id;
	float		distance;
	ASSERT_TRUE(vc_search_next_candidate(search.get(), &id, &distance));
	EXPECT_EQ(id, 1u);
	EXPECT_EQ(distance, 5.0f);

	// Expanding 1 finds 3 and 4, nearer: 2 drops out of the results but is
	// still a candidate, now beyond the furthest result (4 at 4.0).
	const uint64_t found[] = {3, 4};
	const float found_distances[] = {0.5f, 4.0f};
	ASSERT_EQ(vc_search_offer_distances(search.get(), found, found_distances, 2), VC_OK);

	ASSERT_TRUE(vc_search_next_candidate(search.get(), &id, &distance));
	EXPECT_EQ(id, 3u);
	ASSERT_TRUE(vc_search_next_candidate(search.get(), &id, &distance));
	EXPECT_EQ(id, 4u);
	EXPECT_FALSE(vc_search_next_candidate(search.get(), &id, &distance));

	EXPECT_EQ(take_all_results(search.get()), (std::vector<Result>{{3, 0.5f}, {4, 4.0f}}));
}

TEST(SearchState, WaypointsAreExpandedButNeverResults)
{
	// 1-d float vectors: distances to the query 0 are the squares.
	SearchHandle search = make_search(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 1);
	const float query = 0.0f;
	ASSERT_EQ(vc_search_begin(search.get(), &query, 2), VC_OK);

	const float near_value = 1.0f, nearest_value = 0.5f, far_value = 3.0f;
	const void *live[] = {&far_value};
	const uint64_t live_ids[] = {7};
	const void *gone[] = {&nearest_value, &near_value};
	const uint64_t gone_ids[] = {5, 6};
	ASSERT_EQ(vc_search_offer_vectors(search.get(), live_ids, live, 1), VC_OK);
	ASSERT_EQ(vc_search_offer_waypoints(search.get(), gone_ids, gone, 2), VC_OK);

	// The waypoints come out first (nearer), then the live element.
	uint64_t	id;
	float		distance;
	std::vector<uint64_t> expanded;
	while (vc_search_next_candidate(search.get(), &id, &distance))
		expanded.push_back(id);
	EXPECT_EQ(expanded, (std::vector<uint64_t>{5, 6, 7}));
	EXPECT_EQ(take_all_results(search.get()), (std::vector<Result>{{7, 9.0f}}));

	// With full results, a waypoint no nearer than the furthest is dropped.
	ASSERT_EQ(vc_search_begin(search.get(), &query, 1), VC_OK);
	ASSERT_EQ(vc_search_offer_vectors(search.get(), live_ids + 0, live, 1), VC_OK);
	const float farther_value = 4.0f;
	const void *farther[] = {&farther_value};
	const uint64_t farther_id = 8;
	ASSERT_EQ(vc_search_offer_waypoints(search.get(), &farther_id, farther, 1), VC_OK);
	expanded.clear();
	while (vc_search_next_candidate(search.get(), &id, &distance))
		expanded.push_back(id);
	EXPECT_EQ(expanded, (std::vector<uint64_t>{7}));

	// Caller-scored states have no vectors to score.
	SearchHandle scored = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
	EXPECT_EQ(vc_search_offer_waypoints(scored.get(), live_ids, live, 1), VC_ERROR_INVALID_ARGUMENT);
}

TEST(SearchState, NotANumberIsNeverAdmitted)
{
	SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_COSINE, 0);
	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 4), VC_OK);

	const uint64_t ids[] = {1, 2, 3};
	const float distances[] = {NAN, 0.5f, -INFINITY};
	ASSERT_EQ(vc_search_offer_distances(search.get(), ids, distances, 3), VC_OK);
	EXPECT_EQ(take_all_results(search.get()),
			  (std::vector<Result>{{3, -INFINITY}, {2, 0.5f}}));
}

TEST(SearchState, BeginStartsAFreshSearch)
{
	SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
	const uint64_t ids[] = {1, 2, 3};
	const float distances[] = {3.0f, 2.0f, 1.0f};

	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 2), VC_OK);
	ASSERT_EQ(vc_search_offer_distances(search.get(), ids, distances, 3), VC_OK);
	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 5), VC_OK);
	EXPECT_EQ(vc_search_result_count(search.get()), 0u);

	uint64_t	id;
	float		distance;
	EXPECT_FALSE(vc_search_next_candidate(search.get(), &id, &distance));

	// A capacity below the count writes the nearest ones.
	ASSERT_EQ(vc_search_offer_distances(search.get(), ids, distances, 3), VC_OK);
	uint64_t	out_ids[2];
	float		out_distances[2];
	ASSERT_EQ(vc_search_take_results(search.get(), out_ids, out_distances, 2), 2u);
	EXPECT_EQ(out_ids[0], 3u);
	EXPECT_EQ(out_ids[1], 2u);
}

/* visited set --------------------------------------------------------------- */

std::vector<uint64_t>
filter(vc_search *search, const std::vector<uint64_t> &ids)
{
	std::vector<uint64_t> fresh(ids.size());
	size_t		count = 12345;

	EXPECT_EQ(vc_search_filter_unvisited(search, ids.data(), ids.size(), fresh.data(), &count),
			  VC_OK);
	fresh.resize(count);
	return fresh;
}

TEST(SearchState, FilterUnvisitedReturnsEachIdOncePerSearch)
{
	SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);

	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 10), VC_OK);
	EXPECT_EQ(filter(search.get(), {5, 1, 5, 0, 1, UINT64_MAX}),
			  (std::vector<uint64_t>{5, 1, 0, UINT64_MAX}));
	EXPECT_EQ(filter(search.get(), {1, 7, 0, 5}), (std::vector<uint64_t>{7}));
	EXPECT_EQ(filter(search.get(), {}), (std::vector<uint64_t>{}));

	// A new search has seen nothing.
	ASSERT_EQ(vc_search_begin(search.get(), nullptr, 10), VC_OK);
	EXPECT_EQ(filter(search.get(), {7, 5, 8}), (std::vector<uint64_t>{7, 5, 8}));

	// Filtering in place.
	std::vector<uint64_t> ids = {8, 9, 7, 10, 9};
	size_t		count = 0;
	ASSERT_EQ(vc_search_filter_unvisited(search.get(), ids.data(), ids.size(), ids.data(), &count),
			  VC_OK);
	ids.resize(count);
	EXPECT_EQ(ids, (std::vector<uint64_t>{9, 10}));
}

TEST(SearchState, FilterUnvisitedAcrossGrowthAndManySearches)
{
	SearchHandle search = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
	std::mt19937_64 random(5);

	for (int round = 0; round < 4; round++)
	{
		ASSERT_EQ(vc_search_begin(search.get(), nullptr, 10), VC_OK);

		// 100,000 distinct ids, far past the initial capacity, each offered
		// twice in random order: exactly the first sighting comes back.
		std::vector<uint64_t> ids;
		std::set<uint64_t> distinct;
		while (distinct.size() < 100000)
		{
			uint64_t	id = round % 2 ? random() : packed_id(distinct.size());

			if (distinct.insert(id).second)
				ids.push_back(id);
		}
		std::vector<uint64_t> twice = ids;
		twice.insert(twice.end(), ids.begin(), ids.end());
		std::shuffle(twice.begin(), twice.end(), random);

		std::vector<uint64_t> fresh;
		std::set<uint64_t> seen;
		std::vector<uint64_t> expected;
		for (size_t start = 0; start < twice.size(); start += 32)
		{
			std::vector<uint64_t> batch(twice.begin() + start,
										twice.begin() + std::min(start + 32, twice.size()));
			std::vector<uint64_t> got = filter(search.get(), batch);

			fresh.insert(fresh.end(), got.begin(), got.end());
			for (uint64_t id : batch)
				if (seen.insert(id).second)
					expected.push_back(id);
		}
		ASSERT_EQ(fresh, expected) << "round " << round;
		ASSERT_EQ(fresh.size(), 100000u);
	}
}

TEST(VisitedSet, GrowsWhenHalfFullAndClearsByGeneration)
{
	vector_core::VisitedSet visited(8);
	size_t		initial_slots = visited.slot_count();

	EXPECT_EQ(initial_slots, 16u);
	for (uint64_t id = 0; id < 8; id++)
		EXPECT_TRUE(visited.insert(id * 65536));
	EXPECT_EQ(visited.slot_count(), initial_slots);	// exactly half full
	EXPECT_TRUE(visited.insert(12345));
	EXPECT_EQ(visited.slot_count(), 2 * initial_slots);
	for (uint64_t id = 0; id < 8; id++)
		EXPECT_TRUE(visited.contains(id * 65536));
	EXPECT_FALSE(visited.insert(12345));
	EXPECT_EQ(visited.size(), 9u);

	visited.clear();
	EXPECT_EQ(visited.size(), 0u);
	EXPECT_EQ(visited.slot_count(), 2 * initial_slots);	// memory kept
	EXPECT_FALSE(visited.contains(12345));
	EXPECT_TRUE(visited.insert(12345));
}

/* end to end: greedy search over a k-NN graph ------------------------------ */

// 10,000 random 32-d points, each linked to its 16 nearest neighbours,
// to the points that have it among theirs (a k-NN graph searches far better
// undirected), and to 4 random points (long links that keep it navigable).
struct KnnGraph
{
	static constexpr size_t points = 10000;
	static constexpr size_t dimensions = 32;
	static constexpr size_t nearest_links = 16;
	static constexpr size_t random_links = 4;

	std::vector<std::vector<float>> vectors;
	std::vector<std::vector<size_t>> neighbours;
	std::unordered_map<uint64_t, size_t> index_of_id;

	explicit KnnGraph(unsigned seed)
	{
		std::mt19937 random(seed);
		std::normal_distribution<float> normal(0.0f, 1.0f);
		std::uniform_int_distribution<size_t> any_point(0, points - 1);

		for (size_t i = 0; i < points; i++)
		{
			std::vector<float> v(dimensions);
			for (float &x : v)
				x = normal(random);
			vectors.push_back(std::move(v));
			index_of_id[packed_id(i)] = i;
		}
		for (size_t i = 0; i < points; i++)
		{
			// The kernel here only to build the graph faster; the truth the
			// recall is measured against is computed in float64 below.
			std::vector<std::pair<float, size_t>> by_distance;
			by_distance.reserve(points);
			for (size_t j = 0; j < points; j++)
				if (j != i)
					by_distance.push_back({vc_f32_l2_squared(vectors[i].data(), vectors[j].data(),
															 dimensions), j});
			std::partial_sort(by_distance.begin(), by_distance.begin() + nearest_links,
							  by_distance.end());

			std::vector<size_t> links;
			for (size_t k = 0; k < nearest_links; k++)
				links.push_back(by_distance[k].second);
			for (size_t k = 0; k < random_links; k++)
				links.push_back(any_point(random));
			neighbours.push_back(std::move(links));
		}
		for (size_t i = 0; i < points; i++)
			for (size_t k = 0; k < nearest_links; k++)
			{
				std::vector<size_t> &back = neighbours[neighbours[i][k]];

				if (std::find(back.begin(), back.end(), i) == back.end())
					back.push_back(i);
			}
	}

	static double exact_l2_squared(const std::vector<float> &a, const std::vector<float> &b)
	{
		double		sum = 0.0;

		for (size_t k = 0; k < a.size(); k++)
			sum += (static_cast<double>(a[k]) - b[k]) * (static_cast<double>(a[k]) - b[k]);
		return sum;
	}
};

// The glue's loop: expand the nearest candidate, filter its neighbours,
// hand over the vectors of the fresh ones.
std::vector<Result>
greedy_search(vc_search *search, const KnnGraph &graph, const std::vector<float> &query,
			  size_t ef, size_t *expansions, size_t *scored)
{
	EXPECT_EQ(vc_search_begin(search, query.data(), ef), VC_OK);

	uint64_t	entry = packed_id(0);
	std::vector<uint64_t> fresh(KnnGraph::points);
	std::vector<const void *> vectors(KnnGraph::points);
	size_t		fresh_count = 0;

	EXPECT_EQ(vc_search_filter_unvisited(search, &entry, 1, fresh.data(), &fresh_count), VC_OK);
	vectors[0] = graph.vectors[0].data();
	EXPECT_EQ(vc_search_offer_vectors(search, fresh.data(), vectors.data(), fresh_count), VC_OK);
	*scored = fresh_count;

	uint64_t	id;
	float		distance;
	*expansions = 0;
	while (vc_search_next_candidate(search, &id, &distance))
	{
		std::vector<uint64_t> neighbour_ids;
		for (size_t neighbour : graph.neighbours.at(graph.index_of_id.at(id)))
			neighbour_ids.push_back(packed_id(neighbour));

		EXPECT_EQ(vc_search_filter_unvisited(search, neighbour_ids.data(), neighbour_ids.size(),
											 fresh.data(), &fresh_count), VC_OK);
		for (size_t k = 0; k < fresh_count; k++)
			vectors[k] = graph.vectors[graph.index_of_id.at(fresh[k])].data();
		EXPECT_EQ(vc_search_offer_vectors(search, fresh.data(), vectors.data(), fresh_count),
				  VC_OK);
		*scored += fresh_count;
		++*expansions;
	}
	return take_all_results(search);
}

// The same search written the textbook way (ordered sets, no heaps, no
// hash table), as an oracle: the state must give exactly its results.
std::vector<Result>
reference_search(const KnnGraph &graph, const std::vector<float> &query, size_t ef)
{
	using Entry = std::pair<float, uint64_t>;	// (distance, id): the same order
	std::set<Entry> candidates, results;
	std::set<uint64_t> visited;
	auto		visit = [&](size_t index) {
		uint64_t	id = packed_id(index);

		if (!visited.insert(id).second)
			return;
		Entry		entry{vc_f32_l2_squared(query.data(), graph.vectors[index].data(),
											KnnGraph::dimensions), id};
		if (results.size() < ef || entry < *results.rbegin())
		{
			candidates.insert(entry);
			results.insert(entry);
			if (results.size() > ef)
				results.erase(std::prev(results.end()));
		}
	};

	visit(0);
	while (!candidates.empty())
	{
		Entry		nearest = *candidates.begin();

		if (results.size() >= ef && nearest.first > results.rbegin()->first)
			break;
		candidates.erase(candidates.begin());
		for (size_t neighbour : graph.neighbours[graph.index_of_id.at(nearest.second)])
			visit(neighbour);
	}

	std::vector<Result> ordered;
	for (const Entry &entry : results)
		ordered.push_back({entry.second, entry.first});
	return ordered;
}

TEST(SearchState, GreedySearchOverAKnnGraphFindsTheNearest)
{
	const KnnGraph graph(2024);
	const size_t ef = 64, k = 10, queries = 100;
	std::mt19937 random(77);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	SearchHandle search = make_search(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, KnnGraph::dimensions);

	size_t		found = 0, total_expansions = 0, total_scored = 0;
	for (size_t q = 0; q < queries; q++)
	{
		std::vector<float> query(KnnGraph::dimensions);
		for (float &x : query)
			x = normal(random);

		size_t		expansions = 0, scored = 0;
		std::vector<Result> results = greedy_search(search.get(), graph, query, ef,
													&expansions, &scored);
		total_expansions += expansions;
		total_scored += scored;
		ASSERT_EQ(results.size(), ef);
		ASSERT_EQ(results, reference_search(graph, query, ef)) << "query " << q;

		// Distances are exactly what the kernel gives for the pair, in order.
		for (size_t r = 0; r < results.size(); r++)
		{
			const std::vector<float> &v = graph.vectors[graph.index_of_id.at(results[r].id)];

			EXPECT_EQ(results[r].distance,
					  vc_f32_l2_squared(query.data(), v.data(), KnnGraph::dimensions));
			if (r > 0)
			{
				EXPECT_LE(results[r - 1].distance, results[r].distance);
			}
		}

		// Recall@10 against brute force (float64, independent of the kernels).
		std::vector<std::pair<double, size_t>> exact;
		for (size_t i = 0; i < KnnGraph::points; i++)
			exact.push_back({KnnGraph::exact_l2_squared(query, graph.vectors[i]), i});
		std::partial_sort(exact.begin(), exact.begin() + k, exact.end());
		std::set<uint64_t> truth;
		for (size_t i = 0; i < k; i++)
			truth.insert(packed_id(exact[i].second));
		for (size_t r = 0; r < k; r++)
			found += truth.count(results[r].id);
	}

	double		recall = static_cast<double>(found) / (queries * k);
	std::printf("recall@10 %.4f with ef %zu; per query %.1f expansions, %.1f distances "
				"(of %zu points)\n", recall, ef, static_cast<double>(total_expansions) / queries,
				static_cast<double>(total_scored) / queries, KnnGraph::points);
	EXPECT_GE(recall, 0.95);
	// A search, not a scan: it must score well under the whole graph.
	EXPECT_LT(total_scored / queries, KnnGraph::points / 2);
}

/* scoring of every element kind ---------------------------------------------- */

class SearchScoring : public kernel_test::PerTarget
{
};

// Offer every vector with a large ef, so all are results, and return the
// distance each got, by index.
std::vector<float>
scored_distances(vc_element_kind kind, vc_metric metric, size_t dimensions,
				 const void *query, const std::vector<const void *> &vectors)
{
	SearchHandle search = make_search(kind, metric, dimensions);
	std::vector<uint64_t> ids(vectors.size());

	for (size_t i = 0; i < ids.size(); i++)
		ids[i] = i;
	EXPECT_EQ(vc_search_begin(search.get(), query, vectors.size()), VC_OK);
	EXPECT_EQ(vc_search_offer_vectors(search.get(), ids.data(), vectors.data(), vectors.size()),
			  VC_OK);

	std::vector<float> by_index(vectors.size(), NAN);
	for (const Result &result : take_all_results(search.get()))
		by_index.at(result.id) = result.distance;
	return by_index;
}

TEST_P(SearchScoring, Float32MatchesTheSinglePairKernels)
{
	std::mt19937 random(3);
	const size_t n = 77, count = 40;
	std::vector<float> query = kernel_test::random_floats(random, n);
	std::vector<std::vector<float>> data;
	std::vector<const void *> vectors;
	for (size_t i = 0; i < count; i++)
		data.push_back(kernel_test::random_floats(random, n));
	for (const auto &v : data)
		vectors.push_back(v.data());

	for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT,
							 VC_METRIC_COSINE, VC_METRIC_L1})
	{
		std::vector<float> got = scored_distances(VC_ELEMENT_F32, metric, n, query.data(), vectors);

		for (size_t i = 0; i < count; i++)
		{
			const float *a = query.data(), *b = data[i].data();
			float		expected = metric == VC_METRIC_L2_SQUARED ? vc_f32_l2_squared(a, b, n)
				: metric == VC_METRIC_NEGATIVE_INNER_PRODUCT ? -vc_f32_inner_product(a, b, n)
				: metric == VC_METRIC_COSINE ? static_cast<float>(vc_f32_cosine_distance(a, b, n))
				: vc_f32_l1(a, b, n);

			EXPECT_EQ(got[i], expected) << "metric " << metric << " vector " << i;
		}
	}
}

TEST_P(SearchScoring, Float16MatchesTheSinglePairKernels)
{
	std::mt19937 random(4);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	const size_t n = 129, count = 40;
	auto		random_halves = [&] {
		std::vector<uint16_t> halves(n);
		for (uint16_t &h : halves)
			h = vc_f32_to_f16(normal(random));
		return halves;
	};
	std::vector<uint16_t> query = random_halves();
	std::vector<std::vector<uint16_t>> data;
	std::vector<const void *> vectors;
	for (size_t i = 0; i < count; i++)
		data.push_back(random_halves());
	for (const auto &v : data)
		vectors.push_back(v.data());

	for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT,
							 VC_METRIC_COSINE, VC_METRIC_L1})
	{
		std::vector<float> got = scored_distances(VC_ELEMENT_F16, metric, n, query.data(), vectors);

		for (size_t i = 0; i < count; i++)
		{
			const uint16_t *a = query.data(), *b = data[i].data();
			float		expected = metric == VC_METRIC_L2_SQUARED ? vc_f16_l2_squared(a, b, n)
				: metric == VC_METRIC_NEGATIVE_INNER_PRODUCT ? -vc_f16_inner_product(a, b, n)
				: metric == VC_METRIC_COSINE ? static_cast<float>(vc_f16_cosine_distance(a, b, n))
				: vc_f16_l1(a, b, n);

			EXPECT_EQ(got[i], expected) << "metric " << metric << " vector " << i;
		}
	}
}

TEST_P(SearchScoring, BitsMatchHammingAndJaccard)
{
	std::mt19937 random(5);
	const size_t bits = 1003, bytes = (bits + 7) / 8, count = 40;
	auto		random_bits = [&] {
		std::vector<uint8_t> string(bytes);
		for (uint8_t &byte : string)
			byte = static_cast<uint8_t>(random());
		string.back() &= static_cast<uint8_t>(0xff << (bytes * 8 - bits));	// zero padding
		return string;
	};
	std::vector<uint8_t> query = random_bits();
	std::vector<std::vector<uint8_t>> data;
	std::vector<const void *> vectors;
	for (size_t i = 0; i < count; i++)
		data.push_back(random_bits());
	data[7] = query;			// distance 0 for both metrics
	for (const auto &v : data)
		vectors.push_back(v.data());

	std::vector<float> hamming = scored_distances(VC_ELEMENT_BITS, VC_METRIC_HAMMING, bits,
												  query.data(), vectors);
	std::vector<float> jaccard = scored_distances(VC_ELEMENT_BITS, VC_METRIC_JACCARD, bits,
												  query.data(), vectors);
	for (size_t i = 0; i < count; i++)
	{
		EXPECT_EQ(hamming[i],
				  static_cast<float>(vc_bits_hamming(query.data(), data[i].data(), bytes)));
		EXPECT_EQ(jaccard[i],
				  static_cast<float>(vc_bits_jaccard(query.data(), data[i].data(), bytes)));
	}
	EXPECT_EQ(hamming[7], 0.0f);
	EXPECT_EQ(jaccard[7], 0.0f);
}

// A sparsevec body (no varlena header): dim, nnz, unused, indices, values.
std::vector<uint32_t>
sparse_body(int32_t dim, const std::map<int32_t, float> &elements)
{
	std::vector<uint32_t> words = {static_cast<uint32_t>(dim),
		static_cast<uint32_t>(elements.size()), 0};

	for (const auto &element : elements)
		words.push_back(static_cast<uint32_t>(element.first));
	for (const auto &element : elements)
	{
		uint32_t	bits;

		std::memcpy(&bits, &element.second, sizeof(bits));
		words.push_back(bits);
	}
	return words;
}

std::map<int32_t, float>
random_sparse(std::mt19937 &random, size_t nnz)
{
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::map<int32_t, float> elements;

	while (elements.size() < nnz)
		elements[static_cast<int32_t>(random() % 200)] = normal(random);
	return elements;
}

TEST_P(SearchScoring, SparseMatchesTheSparseKernels)
{
	std::mt19937 random(6);
	const size_t count = 40;
	std::vector<uint32_t> query = sparse_body(200, random_sparse(random, 17));
	std::vector<std::vector<uint32_t>> data;
	std::vector<const void *> vectors;
	for (size_t i = 0; i < count; i++)
		data.push_back(sparse_body(200, random_sparse(random, i % 5 == 0 ? 0 : random() % 60)));
	for (const auto &v : data)
		vectors.push_back(v.data());

	auto		parts = [](const std::vector<uint32_t> &body) {
		size_t		nnz = body[1];

		return std::make_tuple(reinterpret_cast<const int32_t *>(body.data() + 3),
							   reinterpret_cast<const float *>(body.data() + 3 + nnz), nnz);
	};
	auto [qi, qv, qn] = parts(query);

	for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT,
							 VC_METRIC_COSINE, VC_METRIC_L1})
	{
		// dimensions are ignored for sparse vectors
		std::vector<float> got = scored_distances(VC_ELEMENT_SPARSE, metric, 0, query.data(),
												  vectors);

		for (size_t i = 0; i < count; i++)
		{
			auto [di, dv, dn] = parts(data[i]);
			float		expected = metric == VC_METRIC_L2_SQUARED
				? vc_sparse_l2_squared(qi, qv, qn, di, dv, dn)
				: metric == VC_METRIC_NEGATIVE_INNER_PRODUCT
				? -vc_sparse_inner_product(qi, qv, qn, di, dv, dn)
				: metric == VC_METRIC_COSINE
				? static_cast<float>(vc_sparse_cosine_distance(qi, qv, qn, di, dv, dn))
				: vc_sparse_l1(qi, qv, qn, di, dv, dn);

			if (std::isnan(expected))	// cosine against an empty vector: not admitted
			{
				EXPECT_TRUE(std::isnan(got[i])) << "metric " << metric << " vector " << i;
			}
			else
			{
				EXPECT_EQ(got[i], expected) << "metric " << metric << " vector " << i;
			}
		}
	}
}

INSTANTIATE_FOR_EVERY_TARGET(SearchScoring);

TEST(SearchState, SparseQueriesAreSizedByTheirHeaderAndCopied)
{
	vc_search  *raw = nullptr;

	EXPECT_EQ(vc_search_create(VC_ELEMENT_SPARSE, VC_METRIC_HAMMING, 0, &raw),
			  VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_create(VC_ELEMENT_SPARSE, VC_METRIC_JACCARD, 0, &raw),
			  VC_ERROR_INVALID_ARGUMENT);
	EXPECT_NE(make_search(VC_ELEMENT_SPARSE, VC_METRIC_L1, 123456789), nullptr);
	SearchHandle search = make_search(VC_ELEMENT_SPARSE, VC_METRIC_L2_SQUARED, 0);

	std::vector<uint32_t> bad = sparse_body(10, {{1, 1.0f}});
	bad[1] = static_cast<uint32_t>(-1);
	EXPECT_EQ(vc_search_begin(search.get(), bad.data(), 4), VC_ERROR_INVALID_ARGUMENT);
	bad[1] = VC_SPARSEVEC_MAX_NNZ + 1;
	EXPECT_EQ(vc_search_begin(search.get(), bad.data(), 4), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_begin(search.get(), nullptr, 4), VC_ERROR_INVALID_ARGUMENT);

	// Queries of growing and shrinking sizes, each overwritten after begin.
	std::mt19937 random(8);
	for (size_t nnz : {0u, 3u, 300u, 1u, 1000u, 40u})
	{
		std::map<int32_t, float> elements;
		std::normal_distribution<float> normal(0.0f, 1.0f);
		while (elements.size() < nnz)
			elements[static_cast<int32_t>(random() % 5000)] = normal(random);
		std::vector<uint32_t> query = sparse_body(5000, elements);
		std::vector<uint32_t> same = query;
		std::vector<uint32_t> other = sparse_body(5000, {{7, 2.0f}});
		const void *vectors[] = {same.data(), other.data()};
		const uint64_t ids[] = {1, 2};

		ASSERT_EQ(vc_search_begin(search.get(), query.data(), 4), VC_OK);
		std::fill(query.begin(), query.end(), 0xffffffffu);
		ASSERT_EQ(vc_search_offer_vectors(search.get(), ids, vectors, 2), VC_OK);

		std::vector<Result> results = take_all_results(search.get());
		ASSERT_EQ(results.size(), 2u);
		EXPECT_EQ(results[0].id, 1u) << nnz;
		EXPECT_EQ(results[0].distance, 0.0f) << nnz;
	}
}

/* argument checks ------------------------------------------------------------ */

TEST(SearchState, CreateRejectsBadArguments)
{
	struct Case
	{
		vc_element_kind kind;
		vc_metric	metric;
		size_t		dimensions;
	};
	const Case	bad[] = {
		{VC_ELEMENT_F32, VC_METRIC_HAMMING, 3},
		{VC_ELEMENT_F16, VC_METRIC_JACCARD, 3},
		{VC_ELEMENT_BITS, VC_METRIC_L2_SQUARED, 8},
		{VC_ELEMENT_BITS, VC_METRIC_COSINE, 8},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 0},
		{VC_ELEMENT_F16, VC_METRIC_L2_SQUARED, VC_VECTOR_MAX_DIM + 1},
		{VC_ELEMENT_BITS, VC_METRIC_HAMMING, 0},
		{VC_ELEMENT_BITS, VC_METRIC_HAMMING, VC_SEARCH_BITS_MAX_DIM + 1},
		// Not an enumerator, yet a valid vc_metric value in C++ (0..7): what
		// a C caller passing a stray int looks like.
		{VC_ELEMENT_F32, static_cast<vc_metric>(7), 3},
	};
	for (const Case &c : bad)
	{
		vc_search  *search = reinterpret_cast<vc_search *>(0x1);

		EXPECT_EQ(vc_search_create(c.kind, c.metric, c.dimensions, &search),
				  VC_ERROR_INVALID_ARGUMENT) << c.kind << " " << c.metric << " " << c.dimensions;
		EXPECT_EQ(search, nullptr);
	}
	EXPECT_EQ(vc_search_create(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 3, nullptr),
			  VC_ERROR_INVALID_ARGUMENT);

	// The limits themselves are fine.
	EXPECT_NE(make_search(VC_ELEMENT_F32, VC_METRIC_L1, VC_VECTOR_MAX_DIM), nullptr);
	EXPECT_NE(make_search(VC_ELEMENT_BITS, VC_METRIC_JACCARD, VC_SEARCH_BITS_MAX_DIM), nullptr);
	EXPECT_NE(make_search(VC_ELEMENT_CALLER_SCORED, static_cast<vc_metric>(7), 0), nullptr);

	vc_search_free(nullptr);
}

TEST(SearchState, CallsRejectBadArguments)
{
	SearchHandle vectors = make_search(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2);
	SearchHandle scored = make_search(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0);
	const float query[2] = {1.0f, 2.0f};
	const uint64_t id = 1;
	const void *vector = query;
	size_t		count;

	EXPECT_EQ(vc_search_begin(vectors.get(), query, 0), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_begin(vectors.get(), nullptr, 10), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_begin(nullptr, query, 10), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_begin(scored.get(), nullptr, 10), VC_OK);
	EXPECT_EQ(vc_search_offer_vectors(scored.get(), &id, &vector, 1), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_filter_unvisited(scored.get(), &id, 1, nullptr, &count),
			  VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_search_filter_unvisited(scored.get(), &id, 1, nullptr, nullptr),
			  VC_ERROR_INVALID_ARGUMENT);

	// An absurd ef is a memory failure at worst, never an exception.
	vc_status	status = vc_search_begin(scored.get(), nullptr, SIZE_MAX);
	EXPECT_TRUE(status == VC_OK || status == VC_ERROR_NO_MEMORY);

	uint64_t	out_id;
	float		out_distance;
	EXPECT_FALSE(vc_search_next_candidate(nullptr, &out_id, &out_distance));
	EXPECT_EQ(vc_search_result_count(nullptr), 0u);
	EXPECT_EQ(vc_search_take_results(nullptr, &out_id, &out_distance, 1), 0u);
}

}							// namespace
