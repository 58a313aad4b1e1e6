// ivf_nearest_test.cpp: vc_nearest_centers against a scalar loop over the
// single-pair kernels (every kind, metric and SIMD target; ties and NaN),
// vc_select_nearest against std::sort, and their argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "ivf_test_support.hpp"
#include "kernel_test_support.hpp"
#include "vector_core.h"

namespace
{

using Config = ivf_test::KindAndMetric;

size_t
bytes_per_vector(vc_element_kind kind, size_t dimensions)
{
	switch (kind)
	{
		case VC_ELEMENT_F32:
			return dimensions * 4;
		case VC_ELEMENT_F16:
			return dimensions * 2;
		default:
			return (dimensions + 7) / 8;
	}
}

// The public single-pair kernels of one float element type.
template <class Element>
struct FloatKernels
{
	float		(*l2_squared)(const Element *, const Element *, size_t);
	float		(*inner_product)(const Element *, const Element *, size_t);
	double		(*cosine)(const Element *, const Element *, size_t);
	float		(*l1)(const Element *, const Element *, size_t);

	float		distance(vc_metric metric, const void *a, const void *b, size_t n) const
	{
		const Element *x = static_cast<const Element *>(a);
		const Element *y = static_cast<const Element *>(b);

		switch (metric)
		{
			case VC_METRIC_L2_SQUARED:
				return l2_squared(x, y, n);
			case VC_METRIC_NEGATIVE_INNER_PRODUCT:
				return -inner_product(x, y, n);
			case VC_METRIC_COSINE:
				return static_cast<float>(cosine(x, y, n));
			default:
				return l1(x, y, n);
		}
	}
};

const FloatKernels<float> f32_kernels = {vc_f32_l2_squared, vc_f32_inner_product,
										 vc_f32_cosine_distance, vc_f32_l1};
const FloatKernels<uint16_t> f16_kernels = {vc_f16_l2_squared, vc_f16_inner_product,
											vc_f16_cosine_distance, vc_f16_l1};

// One distance with the public single-pair kernels, as the core reports it.
float
pair_distance(const Config &config, size_t dimensions, const void *a, const void *b)
{
	if (config.kind == VC_ELEMENT_F32)
		return f32_kernels.distance(config.metric, a, b, dimensions);
	if (config.kind == VC_ELEMENT_F16)
		return f16_kernels.distance(config.metric, a, b, dimensions);

	const uint8_t *x = static_cast<const uint8_t *>(a);
	const uint8_t *y = static_cast<const uint8_t *>(b);
	size_t		nbytes = (dimensions + 7) / 8;

	if (config.metric == VC_METRIC_HAMMING)
		return static_cast<float>(vc_bits_hamming(x, y, nbytes));
	return static_cast<float>(vc_bits_jaccard(x, y, nbytes));
}

// count vectors of small integers (many exact ties), with a zero vector
// (cosine: NaN) and, for floats, a NaN component (NaN for every metric).
std::vector<uint8_t>
tie_prone_vectors(const Config &config, size_t dimensions, size_t count, std::mt19937 &random)
{
	size_t		bytes = bytes_per_vector(config.kind, dimensions);
	std::vector<uint8_t> data(count * bytes);
	std::uniform_int_distribution<int> small(-2, 2);

	for (size_t i = 0; i < count; i++)
	{
		uint8_t    *vector = data.data() + i * bytes;
		bool		zero = i % 7 == 3;
		bool		nan = i % 11 == 5;

		for (size_t d = 0; d < dimensions; d++)
		{
			float		value = zero ? 0.0f : static_cast<float>(small(random));

			if (nan && d == 0)
				value = NAN;
			if (config.kind == VC_ELEMENT_F32)
				std::memcpy(vector + 4 * d, &value, 4);
			else if (config.kind == VC_ELEMENT_F16)
			{
				uint16_t	half = vc_f32_to_f16(value);

				std::memcpy(vector + 2 * d, &half, 2);
			}
			else if (!zero && small(random) > 0)
				vector[d / 8] |= static_cast<uint8_t>(1u << (d % 8));
		}
	}
	return data;
}

bool
reference_nearer(const std::pair<float, uint32_t> &a, const std::pair<float, uint32_t> &b)
{
	if (std::isnan(a.first) != std::isnan(b.first))
		return std::isnan(b.first);
	if (!std::isnan(a.first) && a.first != b.first)
		return a.first < b.first;
	return a.second < b.second;
}

bool
same_float(float a, float b)
{
	return (std::isnan(a) && std::isnan(b)) || a == b;
}

class NearestCenters : public kernel_test::PerTarget
{
};

TEST_P(NearestCenters, MatchesScalarLoopWithTiesAndNaN)
{
	std::mt19937 random(42);

	for (const Config &config : ivf_test::every_kind_and_metric)
		for (size_t dimensions : {1, 3, 17, 128})
			for (size_t count : {1, 2, 63, 64, 65, 130, 316})
			{
				size_t		bytes = bytes_per_vector(config.kind, dimensions);
				std::vector<uint8_t> centers = tie_prone_vectors(config, dimensions, count, random);
				std::vector<uint8_t> queries = tie_prone_vectors(config, dimensions, 4, random);

				for (size_t q = 0; q < 4; q++)
				{
					const uint8_t *query = queries.data() + q * bytes;
					std::vector<std::pair<float, uint32_t>> expected(count);

					for (size_t i = 0; i < count; i++)
						expected[i] = {pair_distance(config, dimensions, query,
													 centers.data() + i * bytes),
									   static_cast<uint32_t>(i)};
					std::sort(expected.begin(), expected.end(), reference_nearer);

					for (size_t k : {size_t(1), size_t(2), size_t(10), count, count + 3})
					{
						size_t		written = std::min(k, count);
						std::vector<uint32_t> nearest(written + 1, UINT32_MAX);
						std::vector<float> distances(written + 1, -1.0f);

						ASSERT_EQ(vc_nearest_centers(config.kind, config.metric, dimensions,
													 centers.data(), count, query, k,
													 nearest.data(), distances.data()),
								  VC_OK);
						for (size_t i = 0; i < written; i++)
						{
							ASSERT_EQ(nearest[i], expected[i].second)
								<< "kind " << config.kind << " metric " << config.metric
								<< " dims " << dimensions << " count " << count << " k " << k
								<< " rank " << i;
							ASSERT_TRUE(same_float(distances[i], expected[i].first));
						}
						EXPECT_EQ(nearest[written], UINT32_MAX) << "wrote past min(k, count)";
						EXPECT_EQ(distances[written], -1.0f);

						// Distances are optional.
						std::vector<uint32_t> alone(written);

						ASSERT_EQ(vc_nearest_centers(config.kind, config.metric, dimensions,
													 centers.data(), count, query, k,
													 alone.data(), nullptr),
								  VC_OK);
						ASSERT_TRUE(std::equal(alone.begin(), alone.end(), nearest.begin()));
					}
				}
			}
}

TEST_P(NearestCenters, RandomFloatsMatchScalarLoop)
{
	std::mt19937 random(7);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	const Config config = {VC_ELEMENT_F32, VC_METRIC_L2_SQUARED};
	size_t		dimensions = 128;
	size_t		count = 316;
	std::vector<float> centers(count * dimensions);

	for (float &x : centers)
		x = normal(random);
	for (int q = 0; q < 50; q++)
	{
		std::vector<float> query(dimensions);

		for (float &x : query)
			x = normal(random);

		size_t		best = 0;
		float		best_distance = INFINITY;

		for (size_t i = 0; i < count; i++)
		{
			float		d = pair_distance(config, dimensions, query.data(),
										  centers.data() + i * dimensions);

			if (d < best_distance)
			{
				best = i;
				best_distance = d;
			}
		}

		uint32_t	nearest;
		float		distance;

		ASSERT_EQ(vc_nearest_centers(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions,
									 centers.data(), count, query.data(), 1, &nearest, &distance),
				  VC_OK);
		EXPECT_EQ(nearest, best);
		EXPECT_EQ(distance, best_distance);
	}
}

INSTANTIATE_FOR_EVERY_TARGET(NearestCenters);

TEST(NearestCentersArguments, InvalidArgumentsAreRefused)
{
	float		centers[4] = {1, 2, 3, 4};
	float		query[2] = {0, 0};
	uint32_t	nearest[2];
	float		distances[2];

	struct Call
	{
		vc_element_kind kind;
		vc_metric	metric;
		size_t		dimensions;
		const float *centers;
		const float *query;
		uint32_t   *nearest;
	};
	const Call	refused[] = {
		{VC_ELEMENT_SPARSE, VC_METRIC_L2_SQUARED, 2, centers, query, nearest},
		{VC_ELEMENT_CALLER_SCORED, VC_METRIC_L2_SQUARED, 2, centers, query, nearest},
		{VC_ELEMENT_F32, VC_METRIC_HAMMING, 2, centers, query, nearest},
		{VC_ELEMENT_BITS, VC_METRIC_L2_SQUARED, 2, centers, query, nearest},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 0, centers, query, nearest},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, VC_VECTOR_MAX_DIM + 1, centers, query, nearest},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, nullptr, query, nearest},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, centers, nullptr, nearest},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, centers, query, nullptr},
	};

	for (const Call &call : refused)
		EXPECT_EQ(vc_nearest_centers(call.kind, call.metric, call.dimensions, call.centers, 2,
									 call.query, 1, call.nearest, distances),
				  VC_ERROR_INVALID_ARGUMENT)
			<< "kind " << call.kind << " metric " << call.metric << " dims " << call.dimensions;

	// No centres or k = 0: nothing to write, not an error.
	nearest[0] = 77;
	EXPECT_EQ(vc_nearest_centers(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, centers, 0, query, 1,
								 nearest, distances), VC_OK);
	EXPECT_EQ(vc_nearest_centers(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, centers, 2, query, 0,
								 nearest, distances), VC_OK);
	EXPECT_EQ(nearest[0], 77u);
}

bool
reference_item_nearer(const vc_scored_id &a, const vc_scored_id &b)
{
	return reference_nearer({a.distance, 0}, {b.distance, 0}) ||
		(!reference_nearer({b.distance, 0}, {a.distance, 0}) && a.id < b.id);
}

TEST(SelectNearest, MatchesStdSortWithTiesAndNaN)
{
	std::mt19937 random(3);
	const float values[] = {0.0f, -0.0f, 1.0f, 1.0f, 2.5f, -3.0f, INFINITY, NAN, NAN};

	for (size_t count : {0, 1, 2, 3, 10, 100, 1000, 5000})
		for (int round = 0; round < 5; round++)
		{
			std::vector<vc_scored_id> items(count);
			std::uniform_int_distribution<size_t> pick(0, std::size(values) - 1);
			std::normal_distribution<float> normal;

			for (size_t i = 0; i < count; i++)
			{
				// random ids (some repeated), distances from a small set
				// (ties) or continuous
				items[i].id = random() % (count + 1) * 1000003ull;
				items[i].distance = round % 2 == 0 ? values[pick(random)] : normal(random);
			}

			std::vector<vc_scored_id> sorted = items;

			std::sort(sorted.begin(), sorted.end(), reference_item_nearer);
			for (size_t take : {size_t(0), size_t(1), size_t(5), count / 2, count, count + 4})
			{
				std::vector<vc_scored_id> selected = items;
				size_t		prefix = std::min(take, count);

				vc_select_nearest(selected.data(), count, take);
				for (size_t i = 0; i < prefix; i++)
				{
					ASSERT_EQ(selected[i].id, sorted[i].id) << "count " << count << " take "
						<< take << " rank " << i;
					ASSERT_TRUE(same_float(selected[i].distance, sorted[i].distance));
				}

				// The rest is the rest of the input, in any order.
				auto		key = [](const vc_scored_id &a, const vc_scored_id &b) {
					return reference_item_nearer(a, b);
				};

				std::sort(selected.begin() + prefix, selected.end(), key);
				for (size_t i = prefix; i < count; i++)
				{
					ASSERT_EQ(selected[i].id, sorted[i].id);
					ASSERT_TRUE(same_float(selected[i].distance, sorted[i].distance));
				}
			}
		}
}

TEST(SelectNearest, NullItemsAreIgnored)
{
	vc_select_nearest(nullptr, 0, 5);
	vc_select_nearest(nullptr, 10, 5);
}

}							// namespace
