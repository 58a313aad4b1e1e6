// hnsw_repair_test.cpp: vc_hnsw_repair_neighbours, the choice of a new
// neighbour list after VACUUM removed elements.  Checked on its own (repeats,
// the element itself, NaN, order) and on a whole graph: delete 20% of a built
// graph's elements, repair every list that lost a member from local
// candidates only (surviving members plus the removed members' neighbours;
// the glue's vacuum adds what a graph search finds), links back included,
// and compare recall@10 of searches over the repaired lists with brute
// force, with the graph before repair and with one built afresh.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "vector_core.h"

namespace
{

constexpr size_t dimensions = 16;

using Vectors = std::vector<std::vector<float>>;

Vectors
clustered(size_t count, unsigned seed)
{
	std::mt19937 random(seed);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	Vectors		centres(30, std::vector<float>(dimensions));
	Vectors		out;

	for (auto &centre : centres)
		for (float &x : centre)
			x = 3.0f * normal(random);
	for (size_t i = 0; i < count; i++)
	{
		const auto &centre = centres[random() % centres.size()];
		std::vector<float> v(dimensions);

		for (size_t d = 0; d < dimensions; d++)
			v[d] = centre[d] + normal(random);
		out.push_back(v);
	}
	return out;
}

double
l2_squared(const std::vector<float> &a, const std::vector<float> &b)
{
	double		sum = 0;

	for (size_t d = 0; d < a.size(); d++)
		sum += (static_cast<double>(a[d]) - b[d]) * (static_cast<double>(a[d]) - b[d]);
	return sum;
}

vc_status
repair(const std::vector<float> &element, uint64_t element_id, const std::vector<uint64_t> &ids,
	   const Vectors &all, size_t m, std::vector<uint64_t> &selected)
{
	std::vector<const void *> vectors;
	size_t		count = 0;

	for (uint64_t id : ids)
		vectors.push_back(all[id].data());
	selected.assign(m, UINT64_MAX);
	vc_status	status = vc_hnsw_repair_neighbours(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions,
												   element.data(), element_id, ids.data(),
												   vectors.data(), ids.size(), m, selected.data(),
												   &count);
	selected.resize(count);
	return status;
}

TEST(HnswRepair, DropsRepeatsSelfAndOrdersNearestFirst)
{
	Vectors		all = clustered(200, 7);
	std::vector<uint64_t> ids;
	std::mt19937 random(3);

	for (int i = 0; i < 120; i++)
		ids.push_back(random() % 200);
	ids.push_back(5);			// the element itself
	ids.push_back(5);

	std::vector<uint64_t> selected;
	ASSERT_EQ(repair(all[5], 5, ids, all, 12, selected), VC_OK);

	std::set<uint64_t> distinct(ids.begin(), ids.end());
	distinct.erase(5);
	EXPECT_EQ(selected.size(), std::min<size_t>(12, distinct.size()));
	EXPECT_EQ(std::set<uint64_t>(selected.begin(), selected.end()).size(), selected.size());
	for (uint64_t id : selected)
	{
		EXPECT_NE(id, 5u);
		EXPECT_TRUE(distinct.count(id));
	}

	// the nearest distinct candidate is always kept, and first
	uint64_t	nearest = *std::min_element(distinct.begin(), distinct.end(), [&](uint64_t a, uint64_t b) {
		return l2_squared(all[a], all[5]) < l2_squared(all[b], all[5]);
	});
	ASSERT_FALSE(selected.empty());
	EXPECT_EQ(selected[0], nearest);
	for (size_t i = 1; i < selected.size(); i++)
		EXPECT_LE(l2_squared(all[selected[i - 1]], all[5]), l2_squared(all[selected[i]], all[5]) + 1e-4);
}

TEST(HnswRepair, FewCandidatesAreAllKept)
{
	Vectors		all = clustered(50, 11);
	std::vector<uint64_t> selected;

	ASSERT_EQ(repair(all[0], 0, {3, 9, 3, 0, 17}, all, 8, selected), VC_OK);
	EXPECT_EQ(std::set<uint64_t>(selected.begin(), selected.end()), (std::set<uint64_t>{3, 9, 17}));
	ASSERT_EQ(repair(all[0], 0, {}, all, 8, selected), VC_OK);
	EXPECT_TRUE(selected.empty());
}

TEST(HnswRepair, CosineLeavesOutWhatCannotBeOrdered)
{
	std::vector<float> element = {1, 0, 0}, near = {1, 0.1f, 0}, far = {0, 1, 0}, zero = {0, 0, 0};
	const void *vectors[] = {zero.data(), far.data(), near.data()};
	uint64_t	ids[] = {1, 2, 3};
	uint64_t	selected[4];
	size_t		count = 0;

	ASSERT_EQ(vc_hnsw_repair_neighbours(VC_ELEMENT_F32, VC_METRIC_COSINE, 3, element.data(), 0, ids,
										vectors, 3, 4, selected, &count), VC_OK);
	ASSERT_EQ(count, 2u);
	EXPECT_EQ(selected[0], 3u);
	EXPECT_EQ(selected[1], 2u);
}

TEST(HnswRepair, RejectsBadArguments)
{
	float		v[dimensions] = {};
	uint64_t	selected[4];
	size_t		count = 99;
	const void *vectors[] = {v};
	uint64_t	ids[] = {1};

	EXPECT_EQ(vc_hnsw_repair_neighbours(VC_ELEMENT_F32, VC_METRIC_HAMMING, dimensions, v, 0, ids,
										vectors, 1, 4, selected, &count), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(count, 0u);
	EXPECT_EQ(vc_hnsw_repair_neighbours(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, nullptr, 0,
										ids, vectors, 1, 4, selected, &count), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_hnsw_repair_neighbours(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, v, 0,
										nullptr, vectors, 1, 4, selected, &count), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_hnsw_repair_neighbours(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, v, 0, ids,
										vectors, 1, 4, selected, nullptr), VC_ERROR_INVALID_ARGUMENT);
}

/* a whole graph ------------------------------------------------------------------- */

struct GraphDeleter
{
	void		operator()(vc_hnsw_graph *graph) const { vc_hnsw_graph_free(graph); }
};

// Every element's lists, per layer, as element numbers: what the pages hold.
struct Lists
{
	std::vector<int> levels;
	std::vector<std::vector<std::vector<uint64_t>>> links;	// [element][layer]
	uint64_t	entry = 0;
	int			entry_level = 0;
};

constexpr int graph_m = 16;

Lists
build_lists(const Vectors &vectors, const std::vector<uint64_t> &members)
{
	vc_hnsw_params params = {VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, graph_m, 64, 42};
	vc_hnsw_graph *raw = nullptr;

	EXPECT_EQ(vc_hnsw_graph_create(&params, &raw), VC_OK);
	std::unique_ptr<vc_hnsw_graph, GraphDeleter> graph(raw);

	for (uint64_t member : members)
		EXPECT_EQ(vc_hnsw_graph_append(graph.get(), vectors[member].data(), dimensions * 4, member,
									   nullptr), VC_OK);
	EXPECT_EQ(vc_hnsw_graph_link_pending(graph.get(), SIZE_MAX, 1, nullptr), VC_OK);

	// relabel elements by payload (the vector's number), as the pages' TIDs are
	Lists		lists;
	size_t		elements = vc_hnsw_graph_element_count(graph.get());
	std::vector<uint64_t> payload_of(elements);

	lists.levels.assign(vectors.size(), -1);
	lists.links.assign(vectors.size(), {});
	for (uint32_t e = 0; e < elements; e++)
	{
		vc_hnsw_element_view view;

		EXPECT_EQ(vc_hnsw_graph_element(graph.get(), e, &view), VC_OK);
		EXPECT_EQ(view.payload_count, 1u);
		payload_of[e] = view.payloads[0];
	}
	for (uint32_t e = 0; e < elements; e++)
	{
		vc_hnsw_element_view view;

		EXPECT_EQ(vc_hnsw_graph_element(graph.get(), e, &view), VC_OK);
		lists.levels[payload_of[e]] = view.level;
		for (int layer = 0; layer <= view.level; layer++)
		{
			uint32_t	neighbours[2 * graph_m];
			size_t		n = vc_hnsw_graph_neighbours(graph.get(), e, layer, neighbours, 2 * graph_m);
			std::vector<uint64_t> ids;

			for (size_t i = 0; i < n; i++)
				ids.push_back(payload_of[neighbours[i]]);
			lists.links[payload_of[e]].push_back(ids);
		}
	}
	uint32_t	entry;
	EXPECT_TRUE(vc_hnsw_graph_entry_point(graph.get(), &entry, &lists.entry_level));
	lists.entry = payload_of[entry];
	return lists;
}

std::vector<uint64_t>
search_layer(vc_search *search, const Lists &lists, const Vectors &vectors, const float *query,
			 uint64_t entry, int layer, size_t ef, const std::vector<bool> *removed = nullptr)
{
	std::vector<uint64_t> fresh(64);
	std::vector<const void *> fresh_vectors(64);
	size_t		count = 0;

	EXPECT_EQ(vc_search_begin(search, query, ef), VC_OK);
	EXPECT_EQ(vc_search_filter_unvisited(search, &entry, 1, fresh.data(), &count), VC_OK);
	fresh_vectors[0] = vectors[entry].data();
	EXPECT_EQ(vc_search_offer_vectors(search, fresh.data(), fresh_vectors.data(), count), VC_OK);

	uint64_t	id;
	float		distance;
	while (vc_search_next_candidate(search, &id, &distance))
	{
		const std::vector<uint64_t> &links = lists.links[id][layer];

		EXPECT_EQ(vc_search_filter_unvisited(search, links.data(), links.size(), fresh.data(), &count),
				  VC_OK);
		std::vector<uint64_t> waypoints;
		size_t		offered = 0;

		for (size_t k = 0; k < count; k++)
		{
			if (removed != nullptr && (*removed)[fresh[k]])
				waypoints.push_back(fresh[k]);
			else
				fresh[offered++] = fresh[k];
		}
		for (size_t k = 0; k < offered; k++)
			fresh_vectors[k] = vectors[fresh[k]].data();
		EXPECT_EQ(vc_search_offer_vectors(search, fresh.data(), fresh_vectors.data(), offered), VC_OK);
		for (size_t k = 0; k < waypoints.size(); k++)
			fresh_vectors[k] = vectors[waypoints[k]].data();
		EXPECT_EQ(vc_search_offer_waypoints(search, waypoints.data(), fresh_vectors.data(),
											waypoints.size()), VC_OK);
	}

	std::vector<uint64_t> out(vc_search_result_count(search));
	std::vector<float> distances(out.size());
	vc_search_take_results(search, out.data(), distances.data(), out.size());
	return out;
}

double
recall(const Lists &lists, const Vectors &vectors, const std::vector<uint64_t> &live,
	   const Vectors &queries, size_t ef, const std::vector<bool> *removed = nullptr)
{
	vc_search  *search = nullptr;
	size_t		found = 0;
	constexpr size_t k = 10;

	EXPECT_EQ(vc_search_create(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, &search), VC_OK);
	for (const auto &query : queries)
	{
		std::vector<uint64_t> truth = live;

		std::partial_sort(truth.begin(), truth.begin() + k, truth.end(), [&](uint64_t a, uint64_t b) {
			return l2_squared(vectors[a], query) < l2_squared(vectors[b], query);
		});
		std::set<uint64_t> expected(truth.begin(), truth.begin() + k);

		uint64_t	nearest = lists.entry;
		for (int layer = lists.entry_level; layer > 0; layer--)
			nearest = search_layer(search, lists, vectors, query.data(), nearest, layer, 1, removed).at(0);
		std::vector<uint64_t> got = search_layer(search, lists, vectors, query.data(), nearest, 0, ef, removed);

		got.resize(std::min(got.size(), k));
		for (uint64_t id : got)
			found += expected.count(id);
	}
	vc_search_free(search);
	return static_cast<double>(found) / static_cast<double>(queries.size() * k);
}

// A list's repair from local candidates: survivors plus the removed
// members' own links, chosen by the core, then links back.
void
repair_lists(Lists &lists, const Vectors &vectors, const std::vector<bool> &removed)
{
	Lists		before = lists;

	for (size_t e = 0; e < vectors.size(); e++)
	{
		if (lists.levels[e] < 0 || removed[e])
			continue;
		for (int layer = 0; layer <= lists.levels[e]; layer++)
		{
			const std::vector<uint64_t> &old = before.links[e][layer];
			std::vector<uint64_t> candidates;
			bool		lost = false;

			for (uint64_t id : old)
			{
				if (!removed[id])
				{
					candidates.push_back(id);
					continue;
				}
				lost = true;
				for (uint64_t second : before.links[id][layer])
					if (!removed[second])
						candidates.push_back(second);
			}
			if (!lost)
				continue;

			std::vector<uint64_t> selected;
			ASSERT_EQ(repair(vectors[e], e, candidates, vectors, layer == 0 ? 2 * graph_m : graph_m,
							 selected), VC_OK);
			lists.links[e][layer] = selected;

			// links back, as an insert gives them: the removed elements' in-links are gone
			for (uint64_t s : selected)
			{
				std::vector<uint64_t> &theirs = lists.links[s][layer];
				size_t		capacity = layer == 0 ? 2 * graph_m : graph_m;

				if (std::find(theirs.begin(), theirs.end(), e) != theirs.end())
					continue;
				if (theirs.size() < capacity)
				{
					theirs.push_back(e);
					continue;
				}
				std::vector<uint64_t> with_e = theirs;
				std::vector<uint64_t> chosen;

				with_e.push_back(e);
				std::erase_if(with_e, [&](uint64_t id) { return removed[id]; });
				ASSERT_EQ(repair(vectors[s], s, with_e, vectors, capacity, chosen), VC_OK);
				theirs = chosen;
			}
		}
	}
	for (size_t e = 0; e < vectors.size(); e++)
		if (removed[e])
			lists.links[e].assign(lists.links[e].size(), {});
}

TEST(HnswRepair, RecallAfterDeletingAFifthStaysNearAFreshBuild)
{
	constexpr size_t points = 4000;
	Vectors		vectors = clustered(points, 21);
	Vectors		queries = clustered(200, 22);
	std::vector<uint64_t> all(points);
	std::mt19937 random(5);

	for (size_t i = 0; i < points; i++)
		all[i] = i;
	Lists		lists = build_lists(vectors, all);

	std::vector<bool> removed(points, false);
	std::vector<uint64_t> live;
	for (size_t i = 0; i < points; i++)
	{
		removed[i] = random() % 5 == 0;
		if (!removed[i])
			live.push_back(i);
	}
	// the entry point goes too: vacuum then picks a survivor of the highest level
	removed[lists.entry] = true;
	std::erase(live, lists.entry);

	Lists		pruned = lists;	// removed members just dropped, no repair
	for (auto &element : pruned.links)
		for (auto &layer : element)
			std::erase_if(layer, [&](uint64_t id) { return removed[id]; });
	for (size_t i = 0; i < points; i++)
		if (removed[i])
			pruned.links[i].assign(pruned.links[i].size(), {});

	Lists		waypoints = lists;	// before VACUUM's repair: removed elements still lead on

	repair_lists(lists, vectors, removed);

	// new entry point: a survivor of the highest level left
	uint64_t	entry = live[0];
	for (uint64_t id : live)
		if (lists.levels[id] > lists.levels[entry])
			entry = id;
	lists.entry = pruned.entry = entry;
	lists.entry_level = pruned.entry_level = lists.levels[entry];

	// no list names a removed element, none is longer than allowed
	for (uint64_t id : live)
		for (int layer = 0; layer <= lists.levels[id]; layer++)
		{
			EXPECT_LE(lists.links[id][layer].size(), layer == 0 ? 2u * graph_m : 1u * graph_m);
			for (uint64_t link : lists.links[id][layer])
				EXPECT_FALSE(removed[link]);
		}

	// This small set (16 truly independent dimensions) is far harder than
	// real embeddings, so the margins are wider than the 2 points the bench
	// checks on 100,000 rows.
	Lists		fresh = build_lists(vectors, live);
	constexpr size_t ef = 64;
	double		repaired_recall = recall(lists, vectors, live, queries, ef);
	double		waypoint_recall = recall(waypoints, vectors, live, queries, ef, &removed);
	double		pruned_recall = recall(pruned, vectors, live, queries, ef);
	double		fresh_recall = recall(fresh, vectors, live, queries, ef);

	std::printf("recall@10 at ef %zu: fresh build %.4f, repaired %.4f, before repair %.4f, "
				"links dropped only %.4f\n", ef, fresh_recall, repaired_recall, waypoint_recall,
				pruned_recall);
	EXPECT_GE(repaired_recall, fresh_recall - 0.04);
	EXPECT_GE(repaired_recall, waypoint_recall - 0.03);
	EXPECT_GT(repaired_recall, pruned_recall + 0.02);
}

}							// namespace
