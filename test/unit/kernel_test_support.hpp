// kernel_test_support.hpp: what the kernel tests share: a fixture that runs
// a test once per SIMD target this CPU supports, input generators, and the
// float32 rounding bound the results are held to.
#pragma once

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "vector_core.h"

namespace kernel_test
{

// Every target the CPU supports, best first (scalar included).
inline std::vector<std::string>
supported_targets()
{
	const char *names[16];
	size_t		count = vc_simd_supported_targets(names, 16);

	return std::vector<std::string>(names, names + std::min<size_t>(count, 16));
}

// TEST_P fixtures derive from this: the parameter is the target, made active
// for the test and reset afterwards.
class PerTarget : public ::testing::TestWithParam<std::string>
{
protected:
	void		SetUp() override
	{
		ASSERT_EQ(vc_simd_set_target(GetParam().c_str()), VC_OK);
		ASSERT_EQ(std::string(vc_simd_target()), GetParam());
	}

	void		TearDown() override
	{
		vc_simd_set_target(nullptr);
	}
};

#define INSTANTIATE_FOR_EVERY_TARGET(fixture) \
	INSTANTIATE_TEST_SUITE_P(Targets, fixture, \
							 ::testing::ValuesIn(kernel_test::supported_targets()), \
							 [](const auto &info) { return info.param; })

// Lengths around every batch width and unroll step, plus the sizes that
// matter in practice and the maximum dimension.
inline std::vector<size_t>
test_lengths()
{
	std::vector<size_t> lengths;

	for (size_t n = 0; n <= 300; n++)
		lengths.push_back(n);
	lengths.push_back(1536);
	lengths.push_back(2000);
	lengths.push_back(VC_VECTOR_MAX_DIM);
	return lengths;
}

// Random floats of very different scales: mostly ordinary values, some
// large (up to 1e15, still far from overflowing any sum of 16000 squares),
// some subnormal, some exact zeros.
inline std::vector<float>
random_floats(std::mt19937 &random, size_t n)
{
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::uniform_int_distribution<int> kind(0, 19);
	std::vector<float> values(n);

	for (float &value : values)
	{
		switch (kind(random))
		{
			case 0:
				value = normal(random) * 1e15f;
				break;
			case 1:
				value = normal(random) * 1e-39f;	// subnormal
				break;
			case 2:
				value = 0.0f;
				break;
			case 3:
				value = normal(random) * 1e4f;
				break;
			default:
				value = normal(random);
				break;
		}
	}
	return values;
}

// Small integers: every product and sum (up to 16000 * 16 * 16) is exact in
// float32, so every target must give exactly the oracle's result.
inline std::vector<float>
small_integers(std::mt19937 &random, size_t n)
{
	std::uniform_int_distribution<int> value(-8, 8);
	std::vector<float> values(n);

	for (float &v : values)
		v = static_cast<float>(value(random));
	return values;
}

// How far a float32 sum of n terms may be from the exact sum, whatever the
// order of summation (blocked, unrolled, tree-reduced): each addition
// rounds with relative error <= eps/2 of a partial sum bounded by
// sum|terms|, and each term carries <= 2 roundings of its own (difference
// and product; FMA only removes one). So (n + 2) * eps * sum|terms|, plus
// an absolute allowance for subnormal results, whose rounding is absolute.
inline double
float32_sum_tolerance(size_t n, double sum_of_absolute_terms)
{
	return (static_cast<double>(n) + 2.0) * FLT_EPSILON * sum_of_absolute_terms +
		(static_cast<double>(n) + 2.0) * 0x1p-149;
}

}							// namespace kernel_test
