// vector_text_bench.cpp: Google Benchmark figures for the vector text form,
// what vector_out and vector_in cost per element.
//
//	vector_text/format/<dims>	vc_format_vector_text of unit-normal floats
//	vector_text/parse/<dims>	vc_parse_vector_text of that text
//
// items_per_second is elements per second.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "vector_core.h"

namespace
{

std::vector<float>
normal_floats(size_t n)
{
	std::mt19937 random(42);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> values(n);

	for (float &v : values)
		v = normal(random);
	return values;
}

void
format_vector(benchmark::State &state)
{
	const size_t dims = static_cast<size_t>(state.range(0));
	const std::vector<float> values = normal_floats(dims);
	std::vector<char> text(dims * (VC_FLOAT_TEXT_MAX + 1) + 3);

	for (auto _ : state)
		benchmark::DoNotOptimize(vc_format_vector_text(values.data(), dims, text.data()));
	state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(dims));
}

void
parse_vector(benchmark::State &state)
{
	const size_t dims = static_cast<size_t>(state.range(0));
	const std::vector<float> values = normal_floats(dims);
	std::vector<char> text(dims * (VC_FLOAT_TEXT_MAX + 1) + 3);
	std::vector<float> parsed(dims);
	size_t		count = 0;
	size_t		error_pos = 0;

	vc_format_vector_text(values.data(), dims, text.data());
	for (auto _ : state)
		benchmark::DoNotOptimize(vc_parse_vector_text(text.data(), parsed.data(), dims,
													  &count, &error_pos));
	state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(dims));
}

}								// namespace

BENCHMARK(format_vector)->Name("vector_text/format")->Arg(128)->Arg(768);
BENCHMARK(parse_vector)->Name("vector_text/parse")->Arg(128)->Arg(768);
