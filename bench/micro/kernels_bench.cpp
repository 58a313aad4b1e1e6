// kernels_bench.cpp: Google Benchmark figures for the distance kernels of
// every SIMD target this CPU supports.
//
//	distance/<target>/<metric>/<dims>	ns per single float32 distance, data in L1
//	distance_f16/<target>/l2/768, hamming/<target>/768bits
//	batch_l1_resident/<target>/<metric>	a batch over 24 KiB of vectors: FMA bound
//	batch_memory/<target>/<metric>		a batch over 256 MiB: memory-bandwidth bound
//	batch_memory_shuffled/<target>/<metric>	the same in random order (index-scan-like)
//	memory_read_baseline/256MiB		plain reads of 256 MiB, for comparison
//
// Run: build-kernels/vector_core_bench --benchmark_min_time=0.2
// (bytes_per_second is vector bytes read per second).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "vector_core.h"

namespace
{

std::vector<float>
random_floats(size_t n, unsigned seed)
{
	std::mt19937 random(seed);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> values(n);

	for (float &v : values)
		v = normal(random);
	return values;
}

const char *
metric_name(vc_metric metric)
{
	switch (metric)
	{
		case VC_METRIC_L2_SQUARED:
			return "l2_squared";
		case VC_METRIC_NEGATIVE_INNER_PRODUCT:
			return "inner_product";
		case VC_METRIC_COSINE:
			return "cosine";
		case VC_METRIC_L1:
			return "l1";
		case VC_METRIC_HAMMING:
			return "hamming";
		case VC_METRIC_JACCARD:
			return "jaccard";
	}
	return "?";
}

double
single_distance(vc_metric metric, const float *a, const float *b, size_t n)
{
	switch (metric)
	{
		case VC_METRIC_L2_SQUARED:
			return vc_f32_l2_squared(a, b, n);
		case VC_METRIC_NEGATIVE_INNER_PRODUCT:
			return -vc_f32_inner_product(a, b, n);
		case VC_METRIC_COSINE:
			return vc_f32_cosine_distance(a, b, n);
		case VC_METRIC_L1:
			return vc_f32_l1(a, b, n);
		case VC_METRIC_HAMMING:
		case VC_METRIC_JACCARD:
			break;				/* bit-string metrics: not float data */
	}
	return 0.0;
}

// Distances from one query to 4 vectors in turn, one call each: 5 vectors
// of 1536 floats (30 KiB) still fit a 32 KiB L1 data cache.
void
bench_single_distance(benchmark::State &state, std::string target, vc_metric metric, size_t dims)
{
	vc_simd_set_target(target.c_str());
	constexpr size_t vector_count = 4;
	auto		query = random_floats(dims, 1);
	auto		data = random_floats(dims * vector_count, 2);
	size_t		i = 0;

	for (auto _ : state)
	{
		benchmark::DoNotOptimize(single_distance(metric, query.data(), data.data() + dims * i, dims));
		i = (i + 1) % vector_count;
	}
	state.SetItemsProcessed(state.iterations());
	state.SetBytesProcessed(state.iterations() * dims * sizeof(float));
	vc_simd_set_target(nullptr);
}

void
bench_f16_l2(benchmark::State &state, std::string target, size_t dims)
{
	vc_simd_set_target(target.c_str());
	auto		floats = random_floats(dims * 2, 3);
	std::vector<uint16_t> halves(dims * 2);
	size_t		bad;

	vc_f32_array_to_f16(floats.data(), halves.data(), halves.size(), &bad);
	for (auto _ : state)
		benchmark::DoNotOptimize(vc_f16_l2_squared(halves.data(), halves.data() + dims, dims));
	state.SetItemsProcessed(state.iterations());
	state.SetBytesProcessed(state.iterations() * dims * sizeof(uint16_t));
	vc_simd_set_target(nullptr);
}

void
bench_hamming(benchmark::State &state, std::string target, size_t bits)
{
	vc_simd_set_target(target.c_str());
	std::mt19937 random(4);
	std::vector<uint8_t> bytes(bits / 4);

	for (auto &b : bytes)
		b = static_cast<uint8_t>(random());
	for (auto _ : state)
		benchmark::DoNotOptimize(vc_bits_hamming(bytes.data(), bytes.data() + bits / 8, bits / 8));
	state.SetItemsProcessed(state.iterations());
	state.SetBytesProcessed(state.iterations() * bits / 8);
	vc_simd_set_target(nullptr);
}

// One query against every vector of a block of total_bytes, in memory
// order or, like an index scan visiting graph neighbours, shuffled.
void
bench_batch(benchmark::State &state, std::string target, vc_metric metric, size_t dims,
			size_t total_bytes, bool shuffled)
{
	vc_simd_set_target(target.c_str());
	size_t		count = total_bytes / (dims * sizeof(float));
	auto		query = random_floats(dims, 5);
	auto		data = random_floats(count * dims, 6);
	std::vector<const float *> pointers(count);
	std::vector<float> distances(count);

	for (size_t i = 0; i < count; i++)
		pointers[i] = data.data() + i * dims;
	if (shuffled)
		std::shuffle(pointers.begin(), pointers.end(), std::mt19937(7));
	for (auto _ : state)
	{
		vc_f32_distance_batch(metric, query.data(), pointers.data(), count, dims, distances.data());
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(state.iterations() * count);
	state.SetBytesProcessed(state.iterations() * count * dims * sizeof(float));
	vc_simd_set_target(nullptr);
}

// Reference for batch_memory: plain reads of the same 256 MiB, summed so
// that nothing is optimised away (no kernel, no dispatch).
void
bench_memory_read(benchmark::State &state)
{
	std::vector<uint64_t> data((size_t{256} << 20) / sizeof(uint64_t), 1);

	for (auto _ : state)
	{
		uint64_t	sums[4] = {0, 0, 0, 0};

		for (size_t i = 0; i < data.size(); i += 4)
			for (size_t j = 0; j < 4; j++)
				sums[j] += data[i + j];
		benchmark::DoNotOptimize(sums);
	}
	state.SetBytesProcessed(state.iterations() * data.size() * sizeof(uint64_t));
}

std::vector<std::string>
supported_targets()
{
	const char *names[16];
	size_t		count = vc_simd_supported_targets(names, 16);

	return std::vector<std::string>(names, names + (count < 16 ? count : 16));
}

}							// namespace

int
main(int argc, char **argv)
{
	const vc_metric metrics[] = {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT,
	VC_METRIC_COSINE, VC_METRIC_L1};

	for (const std::string &target : supported_targets())
	{
		for (vc_metric metric : metrics)
			for (size_t dims : {128, 768, 1536})
				benchmark::RegisterBenchmark(
					("distance/" + target + "/" + metric_name(metric) + "/" + std::to_string(dims)).c_str(),
					bench_single_distance, target, metric, dims);
		benchmark::RegisterBenchmark(("distance_f16/" + target + "/l2_squared/768").c_str(),
									 bench_f16_l2, target, 768);
		benchmark::RegisterBenchmark(("hamming/" + target + "/768bits").c_str(),
									 bench_hamming, target, 768);
		for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT})
		{
			benchmark::RegisterBenchmark(
				("batch_l1_resident/" + target + "/" + metric_name(metric) + "/768").c_str(),
				bench_batch, target, metric, 768, size_t{24} << 10, false);
			benchmark::RegisterBenchmark(
				("batch_memory/" + target + "/" + metric_name(metric) + "/768").c_str(),
				bench_batch, target, metric, 768, size_t{256} << 20, false)
				->Unit(benchmark::kMillisecond);
			benchmark::RegisterBenchmark(
				("batch_memory_shuffled/" + target + "/" + metric_name(metric) + "/768").c_str(),
				bench_batch, target, metric, 768, size_t{256} << 20, true)
				->Unit(benchmark::kMillisecond);
		}
	}
	benchmark::RegisterBenchmark("memory_read_baseline/256MiB", bench_memory_read)
		->Unit(benchmark::kMillisecond);
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
