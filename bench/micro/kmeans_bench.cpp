// kmeans_bench.cpp: Google Benchmark figures for the IVFFlat core.
//
//	kmeans/<samples>/<d>/<centres>/<metric>/<threads>
//			seconds for one k-means (create, set every sample, run
//			in chunks of 10^6 distances to the end) over uniform
//			random floats in [-1, 1) with seed 1; metric 0 = L2,
//			2 = cosine (vc_metric); counters: iterations, seconds
//			per iteration after seeding is not separated
//	ivf_assign/<d>/<centres>
//			one vc_nearest_centers call (k = 1), as an IVFFlat
//			build makes for every row
//
// The IVFFlat build of 100,000 rows with 316 lists samples 50 rows per
// list: 15,800 samples.  Run: build/vector_core_bench --benchmark_filter='kmeans|ivf'
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "vector_core.h"

namespace
{

std::vector<float>
uniform_floats(size_t count, unsigned seed)
{
	std::mt19937 random(seed);
	std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
	std::vector<float> values(count);

	for (float &x : values)
		x = uniform(random);
	return values;
}

void
bench_kmeans(benchmark::State &state)
{
	size_t		n = static_cast<size_t>(state.range(0));
	size_t		dimensions = static_cast<size_t>(state.range(1));
	size_t		centers = static_cast<size_t>(state.range(2));
	vc_metric	metric = static_cast<vc_metric>(state.range(3));
	int			threads = static_cast<int>(state.range(4));
	std::vector<float> samples = uniform_floats(n * dimensions, 1);
	vc_kmeans_params params = {VC_ELEMENT_F32, metric, dimensions, centers, n, 500, threads, 1};
	vc_kmeans_progress progress = {};

	for (auto _ : state)
	{
		vc_kmeans  *kmeans = nullptr;
		bool		done = false;

		if (vc_kmeans_create(&params, &kmeans) != VC_OK)
		{
			state.SkipWithError("vc_kmeans_create failed");
			return;
		}
		for (size_t i = 0; i < n; i++)
			vc_kmeans_set_sample(kmeans, i, samples.data() + i * dimensions);
		while (!done)
			vc_kmeans_run(kmeans, 1000000, &done);
		vc_kmeans_get_progress(kmeans, &progress);
		vc_kmeans_free(kmeans);
	}
	state.counters["iterations"] = progress.iterations;
	state.counters["memory_MB"] = static_cast<double>(vc_kmeans_memory_bytes(&params)) / 1e6;
}

BENCHMARK(bench_kmeans)
	->Name("kmeans")
	->Args({15800, 128, 316, VC_METRIC_L2_SQUARED, 1})
	->Args({15800, 128, 316, VC_METRIC_L2_SQUARED, 2})
	->Args({15800, 768, 316, VC_METRIC_COSINE, 1})
	->Iterations(1)
	->Unit(benchmark::kMillisecond)
	->UseRealTime();

void
bench_assign(benchmark::State &state)
{
	size_t		dimensions = static_cast<size_t>(state.range(0));
	size_t		centers = static_cast<size_t>(state.range(1));
	std::vector<float> center_values = uniform_floats(centers * dimensions, 2);
	std::vector<float> rows = uniform_floats(64 * dimensions, 3);
	size_t		row = 0;
	uint32_t	nearest;

	for (auto _ : state)
	{
		vc_nearest_centers(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, center_values.data(),
						   centers, rows.data() + (row++ % 64) * dimensions, 1, &nearest, nullptr);
		benchmark::DoNotOptimize(nearest);
	}
}

BENCHMARK(bench_assign)->Name("ivf_assign")->Args({128, 316})->Args({768, 316});

}							// namespace
