// search_state_bench.cpp: Google Benchmark figures for the index search
// state (vc_search_*), the per-element costs an HNSW scan pays.
//
//	search_offer_vectors/768/16		a batch of 16 768-d float32 vectors scored
//						and admitted, ef 40 (items = vectors)
//	search_offer_distances/16		admission alone, distances given
//	search_filter_unvisited/<ids>		marking ids visited, half of them seen
//						already (items = ids)
//
// Run: build-search/vector_core_bench --benchmark_filter=search_ --benchmark_min_time=0.5
// The time per item is printed as items_per_second; ns per item = 1e9 / that.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "vector_core.h"

namespace
{

struct SearchFree
{
	void		operator()(vc_search *search) const { vc_search_free(search); }
};

std::vector<float>
normal_floats(size_t n, std::mt19937 &random)
{
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> values(n);

	for (float &v : values)
		v = normal(random);
	return values;
}

// Offer batches of 16 vectors (one neighbour list) from a pool of 1,024
// (3 MiB, mostly in L2/L3 like recently read index pages); a new search every
// 64 batches keeps the heaps at their usual size.
void
bench_offer_vectors(benchmark::State &state)
{
	const size_t dimensions = static_cast<size_t>(state.range(0));
	const size_t batch = static_cast<size_t>(state.range(1));
	const size_t pool = 1024, ef = 40;
	std::mt19937 random(1);
	std::vector<float> query = normal_floats(dimensions, random);
	std::vector<std::vector<float>> vectors;
	for (size_t i = 0; i < pool; i++)
		vectors.push_back(normal_floats(dimensions, random));

	vc_search  *raw = nullptr;
	if (vc_search_create(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, &raw) != VC_OK)
	{
		state.SkipWithError("vc_search_create failed");
		return;
	}
	std::unique_ptr<vc_search, SearchFree> search(raw);

	std::vector<uint64_t> ids(batch);
	std::vector<const void *> pointers(batch);
	size_t		next = 0, batches = 0;

	vc_search_begin(search.get(), query.data(), ef);
	for (auto _ : state)
	{
		if (++batches % 64 == 0)
			vc_search_begin(search.get(), query.data(), ef);
		for (size_t i = 0; i < batch; i++)
		{
			ids[i] = next;
			pointers[i] = vectors[next % pool].data();
			next = (next + 1) % (pool * 7);	// ids repeat less often than vectors
		}
		vc_search_offer_vectors(search.get(), ids.data(), pointers.data(), batch);
	}
	state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
	state.SetLabel(vc_simd_target());
}

void
bench_offer_distances(benchmark::State &state)
{
	const size_t batch = static_cast<size_t>(state.range(0));
	const size_t ef = 40;
	std::mt19937 random(2);
	std::uniform_real_distribution<float> uniform(0.0f, 100.0f);
	std::vector<float> distances(4096);
	for (float &d : distances)
		d = uniform(random);

	vc_search  *raw = nullptr;
	if (vc_search_create(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0, &raw) != VC_OK)
	{
		state.SkipWithError("vc_search_create failed");
		return;
	}
	std::unique_ptr<vc_search, SearchFree> search(raw);
	std::vector<uint64_t> ids(batch);
	size_t		next = 0, batches = 0;

	vc_search_begin(search.get(), nullptr, ef);
	for (auto _ : state)
	{
		if (++batches % 64 == 0)
			vc_search_begin(search.get(), nullptr, ef);
		for (size_t i = 0; i < batch; i++)
			ids[i] = next + i;
		vc_search_offer_distances(search.get(), ids.data(), distances.data() + next % 4000, batch);
		next += batch;
	}
	state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

// Ids shaped like packed ItemPointers; each batch of 32 has 16 new ids and
// 16 seen before, and a search is restarted after `per_search` ids, so the
// set holds as many ids as a search of that size visits.
void
bench_filter_unvisited(benchmark::State &state)
{
	const size_t per_search = static_cast<size_t>(state.range(0));
	const size_t batch = 32;

	vc_search  *raw = nullptr;
	if (vc_search_create(VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 0, &raw) != VC_OK)
	{
		state.SkipWithError("vc_search_create failed");
		return;
	}
	std::unique_ptr<vc_search, SearchFree> search(raw);
	std::vector<uint64_t> ids(batch), fresh(batch);
	size_t		fresh_count = 0, seen = 0;
	uint64_t	counter = 0;

	vc_search_begin(search.get(), nullptr, 40);
	for (auto _ : state)
	{
		if (seen >= per_search)
		{
			vc_search_begin(search.get(), nullptr, 40);
			seen = 0;
		}
		for (size_t i = 0; i < batch; i += 2)
		{
			uint64_t	id = counter++;

			ids[i] = ((id / 100 + 1) << 16) | (id % 100 + 1);
			ids[i + 1] = ids[i / 2];	// from earlier in this batch: a repeat
		}
		vc_search_filter_unvisited(search.get(), ids.data(), batch, fresh.data(), &fresh_count);
		benchmark::DoNotOptimize(fresh_count);
		seen += fresh_count;
	}
	state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
}

}							// namespace

BENCHMARK(bench_offer_vectors)->Name("search_offer_vectors")->Args({768, 16});
BENCHMARK(bench_offer_distances)->Name("search_offer_distances")->Arg(16);
BENCHMARK(bench_filter_unvisited)->Name("search_filter_unvisited")->Arg(1000)->Arg(100000);
