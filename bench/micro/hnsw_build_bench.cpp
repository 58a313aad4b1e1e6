// hnsw_build_bench.cpp: Google Benchmark figures for the in-memory HNSW
// build (vc_hnsw_graph_*): append and link N clustered float32 vectors of d
// dimensions, m 16, ef_construction 64, L2, with 1 and 2 threads.
//
//	hnsw_build/<N>/<d>/<threads>	seconds for the whole build (append +
//					link); counters: elements/s, recall@10 at
//					ef_search 64 over 100 queries (from the same
//					clusters) against brute force, and the graph's
//					memory_bytes
//
// Run: build-graph/vector_core_bench --benchmark_filter=hnsw_build
// (each case is one build; the 100,000-element ones take seconds each).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "vector_core.h"

namespace
{

struct GraphFree
{
	void		operator()(vc_hnsw_graph *graph) const { vc_hnsw_graph_free(graph); }
};

struct SearchFree
{
	void		operator()(vc_search *search) const { vc_search_free(search); }
};

// n vectors around 100 Gaussian centres (spread 1, clusters 0.5), flat.
std::vector<float>
clustered(size_t n, size_t dimensions, unsigned seed)
{
	std::mt19937 random(seed);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> centres(100 * dimensions);
	std::vector<float> values(n * dimensions);

	for (float &x : centres)
		x = normal(random);
	for (size_t i = 0; i < n; i++)
	{
		const float *centre = centres.data() + (random() % 100) * dimensions;

		for (size_t d = 0; d < dimensions; d++)
			values[i * dimensions + d] = centre[d] + 0.5f * normal(random);
	}
	return values;
}

// The glue's search: ef 1 down the upper layers, ef_search on layer 0.
std::vector<uint64_t>
search(const vc_hnsw_graph *graph, vc_search *state, const float *query, size_t ef)
{
	uint32_t	entry;
	int			level;
	uint64_t	nearest;
	std::vector<uint64_t> ids(256), fresh(256);
	std::vector<const void *> vectors(256);

	if (!vc_hnsw_graph_entry_point(graph, &entry, &level))
		return {};
	nearest = entry;
	for (int layer = level; layer >= 0; layer--)
	{
		size_t		layer_ef = layer > 0 ? 1 : ef;
		size_t		count = 0;
		uint64_t	id;
		float		distance;
		vc_hnsw_element_view view;

		vc_search_begin(state, query, layer_ef);
		vc_search_filter_unvisited(state, &nearest, 1, fresh.data(), &count);
		vc_hnsw_graph_element(graph, static_cast<uint32_t>(nearest), &view);
		vectors[0] = view.vector;
		vc_search_offer_vectors(state, fresh.data(), vectors.data(), count);
		while (vc_search_next_candidate(state, &id, &distance))
		{
			uint32_t	neighbours[256];
			size_t		n = vc_hnsw_graph_neighbours(graph, static_cast<uint32_t>(id), layer,
													 neighbours, 256);

			for (size_t k = 0; k < n; k++)
				ids[k] = neighbours[k];
			vc_search_filter_unvisited(state, ids.data(), n, fresh.data(), &count);
			for (size_t k = 0; k < count; k++)
			{
				vc_hnsw_graph_element(graph, static_cast<uint32_t>(fresh[k]), &view);
				vectors[k] = view.vector;
			}
			vc_search_offer_vectors(state, fresh.data(), vectors.data(), count);
		}

		size_t		results = vc_search_result_count(state);
		std::vector<uint64_t> found(results);
		std::vector<float> distances(results);

		vc_search_take_results(state, found.data(), distances.data(), results);
		if (layer == 0)
			return found;
		nearest = found.at(0);
	}
	return {};
}

// Queries are the last 100 vectors of data, from the same clusters, not in
// the graph.
double
recall_at_10(const vc_hnsw_graph *graph, const std::vector<float> &data, size_t n,
			 size_t dimensions)
{
	const size_t queries = 100, k = 10;
	const float *query_values = data.data() + n * dimensions;
	vc_search  *raw = nullptr;

	vc_search_create(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, &raw);
	std::unique_ptr<vc_search, SearchFree> state(raw);
	size_t		found = 0;

	for (size_t q = 0; q < queries; q++)
	{
		const float *query = query_values + q * dimensions;
		std::vector<std::pair<float, uint64_t>> exact(n);

		for (size_t i = 0; i < n; i++)
			exact[i] = {vc_f32_l2_squared(query, data.data() + i * dimensions, dimensions), i};
		std::partial_sort(exact.begin(), exact.begin() + k, exact.end());

		std::set<uint64_t> truth;
		for (size_t i = 0; i < k; i++)
			truth.insert(exact[i].second);

		std::vector<uint64_t> result = search(graph, state.get(), query, 64);
		for (size_t r = 0; r < std::min(k, result.size()); r++)
		{
			vc_hnsw_element_view view;

			vc_hnsw_graph_element(graph, static_cast<uint32_t>(result[r]), &view);
			found += truth.count(view.payloads[0]);
		}
	}
	return static_cast<double>(found) / (queries * k);
}

void
bench_build(benchmark::State &state)
{
	const size_t n = static_cast<size_t>(state.range(0));
	const size_t dimensions = static_cast<size_t>(state.range(1));
	const int	threads = static_cast<int>(state.range(2));
	std::vector<float> data = clustered(n + 100, dimensions, 1);	// + the queries
	double		recall = 0.0;
	size_t		memory = 0;

	for (auto _ : state)
	{
		vc_hnsw_params params{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, 16, 64, 42};
		vc_hnsw_graph *raw = nullptr;

		if (vc_hnsw_graph_create(&params, &raw) != VC_OK)
		{
			state.SkipWithError("vc_hnsw_graph_create failed");
			return;
		}
		std::unique_ptr<vc_hnsw_graph, GraphFree> graph(raw);

		for (size_t i = 0; i < n; i++)
			vc_hnsw_graph_append(graph.get(), data.data() + i * dimensions,
								 dimensions * sizeof(float), i, nullptr);
		// In chunks, as the glue does between interrupt checks.
		while (vc_hnsw_graph_pending_count(graph.get()) > 0)
			if (vc_hnsw_graph_link_pending(graph.get(), 10000, threads, nullptr) != VC_OK)
			{
				state.SkipWithError("vc_hnsw_graph_link_pending failed");
				return;
			}

		state.PauseTiming();
		memory = vc_hnsw_graph_memory_bytes(graph.get());
		recall = recall_at_10(graph.get(), data, n, dimensions);
		state.ResumeTiming();
	}
	state.counters["elements_per_s"] = benchmark::Counter(static_cast<double>(n),
														  benchmark::Counter::kIsIterationInvariantRate);
	state.counters["recall_at_10"] = recall;
	state.counters["memory_MB"] = static_cast<double>(memory) / 1e6;
}

BENCHMARK(bench_build)
	->Name("hnsw_build")
	->Args({20000, 128, 1})
	->Args({20000, 128, 2})
	->Args({100000, 128, 1})
	->Args({100000, 128, 2})
	->Args({100000, 768, 2})
	->Iterations(1)
	->Unit(benchmark::kSecond)
	->UseRealTime();

}							// namespace
