// kmeans_test.cpp: vc_kmeans_* against independently computed references:
// inertia never increases, well-separated clusters are recovered,
// degenerate samples (duplicates, fewer distinct samples than centres, one
// centre), per-bit majority for bits, unit centres for spherical k-means,
// results independent of chunking and threads, bounds valid across scales
// of distance, argument checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "ivf_test_support.hpp"
#include "kernel_test_support.hpp"
#include "vector_core.h"

namespace
{

struct KMeansFree
{
	void		operator()(vc_kmeans *kmeans) const { vc_kmeans_free(kmeans); }
};
using KMeansHandle = std::unique_ptr<vc_kmeans, KMeansFree>;

vc_kmeans_params
params_of(vc_element_kind kind, vc_metric metric, size_t dimensions, size_t centers,
		  size_t samples, int threads = 1)
{
	vc_kmeans_params params;

	params.kind = kind;
	params.metric = metric;
	params.dimensions = dimensions;
	params.centers = centers;
	params.sample_capacity = samples;
	params.max_iterations = 500;
	params.threads = threads;
	params.seed = 12345;
	return params;
}

size_t
row_bytes(const vc_kmeans_params &params)
{
	return params.kind == VC_ELEMENT_F32 ? params.dimensions * 4 : (params.dimensions + 7) / 8;
}

struct Outcome
{
	std::vector<uint8_t> centers;
	std::vector<uint32_t> assignment;
	vc_kmeans_progress progress;
	std::vector<vc_kmeans_progress> after_each_call;
};

// Cluster the samples (rows of row_bytes) with chunks of max_distances,
// from the given centres if start is not null.
Outcome
cluster(const vc_kmeans_params &params, const std::vector<uint8_t> &samples,
		size_t max_distances = SIZE_MAX, const std::vector<uint8_t> *start = nullptr)
{
	vc_kmeans  *raw = nullptr;
	size_t		bytes = row_bytes(params);
	size_t		count = samples.size() / bytes;
	Outcome		outcome;

	EXPECT_EQ(vc_kmeans_create(&params, &raw), VC_OK);

	KMeansHandle kmeans(raw);

	for (size_t i = 0; i < count; i++)
		EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), i, samples.data() + i * bytes), VC_OK);
	if (start != nullptr)
	{
		EXPECT_EQ(vc_kmeans_set_centers(kmeans.get(), start->data()), VC_OK);
	}

	bool		done = false;

	for (size_t calls = 0; !done; calls++)
	{
		if (calls > 100000000)
		{
			ADD_FAILURE() << "k-means does not end";
			break;
		}
		EXPECT_EQ(vc_kmeans_run(kmeans.get(), max_distances, &done), VC_OK);
		if (::testing::Test::HasFailure())
			break;
		vc_kmeans_get_progress(kmeans.get(), &outcome.progress);
		if (max_distances < SIZE_MAX)
			outcome.after_each_call.push_back(outcome.progress);
	}
	outcome.centers.resize(params.centers * bytes);
	EXPECT_EQ(vc_kmeans_centers(kmeans.get(), outcome.centers.data(), outcome.centers.size()),
			  VC_OK);
	outcome.assignment.resize(count);
	EXPECT_EQ(vc_kmeans_assignment(kmeans.get(), outcome.assignment.data(), count), VC_OK);
	return outcome;
}

template <typename T>
std::vector<uint8_t>
as_bytes(const std::vector<T> &values)
{
	std::vector<uint8_t> bytes(values.size() * sizeof(T));

	std::memcpy(bytes.data(), values.data(), bytes.size());
	return bytes;
}

std::vector<float>
as_floats(const std::vector<uint8_t> &bytes)
{
	std::vector<float> values(bytes.size() / 4);

	std::memcpy(values.data(), bytes.data(), bytes.size());
	return values;
}

// n points around `clusters` Gaussian centres of spread `spread`, noise 1;
// labels[i] is the true cluster of point i.
std::vector<float>
gaussian_clusters(size_t n, size_t dimensions, size_t clusters, float spread, unsigned seed,
				  std::vector<size_t> *labels = nullptr)
{
	std::mt19937 random(seed);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	std::vector<float> centres(clusters * dimensions);
	std::vector<float> points(n * dimensions);

	for (float &x : centres)
		x = spread * normal(random);
	if (labels != nullptr)
		labels->resize(n);
	for (size_t i = 0; i < n; i++)
	{
		size_t		label = i % clusters;

		if (labels != nullptr)
			(*labels)[i] = label;
		for (size_t d = 0; d < dimensions; d++)
			points[i * dimensions + d] = centres[label * dimensions + d] + normal(random);
	}
	return points;
}

// Scalar references, in double.
double
l2_squared(const float *a, const float *b, size_t n)
{
	double		sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
	return sum;
}

double
dot(const float *a, const float *b, size_t n)
{
	double		sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += static_cast<double>(a[i]) * b[i];
	return sum;
}

size_t
hamming(const uint8_t *a, const uint8_t *b, size_t nbytes)
{
	size_t		count = 0;

	for (size_t i = 0; i < nbytes; i++)
		count += static_cast<size_t>(__builtin_popcount(a[i] ^ b[i]));
	return count;
}

// The sample's distance to a centre in the metric's own terms (for cosine
// the sample is normalised first, as the k-means does).
double
reference_distance(const vc_kmeans_params &params, const uint8_t *sample, const uint8_t *center)
{
	size_t		d = params.dimensions;

	if (params.kind == VC_ELEMENT_BITS)
		return static_cast<double>(hamming(sample, center, (d + 7) / 8));

	const float *x = reinterpret_cast<const float *>(sample);
	const float *c = reinterpret_cast<const float *>(center);

	switch (params.metric)
	{
		case VC_METRIC_L2_SQUARED:
			return l2_squared(x, c, d);
		case VC_METRIC_NEGATIVE_INNER_PRODUCT:
			return -dot(x, c, d);
		default:
			{
				double		norm = std::sqrt(dot(x, x, d));

				return norm == 0.0 ? 1.0 : 1.0 - dot(x, c, d) / norm;
			}
	}
}

// Sum over samples of the distance to the nearest centre.
double
reference_inertia(const vc_kmeans_params &params, const std::vector<uint8_t> &samples,
				  const std::vector<uint8_t> &centers)
{
	size_t		bytes = row_bytes(params);
	double		total = 0.0;

	for (size_t i = 0; i < samples.size() / bytes; i++)
	{
		double		best = INFINITY;

		for (size_t c = 0; c < params.centers; c++)
			best = std::min(best, reference_distance(params, samples.data() + i * bytes,
													 centers.data() + c * bytes));
		total += best;
	}
	return total;
}

using Config = ivf_test::KindAndMetric;

// Samples for a config: Gaussian clusters, or for bits noisy copies of
// random prototypes.
std::vector<uint8_t>
samples_for(const Config &config, size_t n, size_t dimensions, size_t clusters, unsigned seed)
{
	if (config.kind == VC_ELEMENT_F32)
		return as_bytes(gaussian_clusters(n, dimensions, clusters, 3.0f, seed));

	std::mt19937 random(seed);
	size_t		nbytes = (dimensions + 7) / 8;
	std::vector<uint8_t> prototypes(clusters * nbytes);
	std::vector<uint8_t> samples(n * nbytes);

	for (uint8_t &byte : prototypes)
		byte = static_cast<uint8_t>(random());
	for (size_t i = 0; i < n; i++)
	{
		std::memcpy(samples.data() + i * nbytes, prototypes.data() + (i % clusters) * nbytes, nbytes);
		for (int flip = 0; flip < 6; flip++)
		{
			size_t		bit = random() % dimensions;

			samples[i * nbytes + bit / 8] ^= static_cast<uint8_t>(0x80u >> (bit % 8));
		}
	}
	return samples;
}

/* Behaviour ------------------------------------------------------------------ */

TEST(KMeans, InertiaNeverIncreasesAndEqualsTheReference)
{
	for (const Config &config : ivf_test::every_kind_and_metric)
	{
		if (!ivf_test::is_clustered(config))
			continue;

		size_t		dimensions = config.kind == VC_ELEMENT_BITS ? 96 : 16;
		vc_kmeans_params params = params_of(config.kind, config.metric, dimensions, 20, 1500);
		std::vector<uint8_t> samples = samples_for(config, 1500, dimensions, 30, 1);
		Outcome		outcome = cluster(params, samples, 200);
		double		previous = INFINITY;
		int			iterations = 0;
		bool		seen_seeding = false;

		for (const vc_kmeans_progress &p : outcome.after_each_call)
		{
			seen_seeding |= p.seeding;
			if (p.seeding || p.iterations == iterations)
				continue;
			ASSERT_EQ(p.iterations, iterations + 1) << "chunks of 200 distances skip no iteration";
			iterations = p.iterations;
			EXPECT_LE(p.inertia, previous + 1e-6 * std::fabs(previous))
				<< "metric " << config.metric << " iteration " << iterations;
			previous = p.inertia;
		}
		EXPECT_TRUE(seen_seeding);
		EXPECT_GT(iterations, 1);
		EXPECT_EQ(outcome.progress.reassigned, 0u) << "converged before 500 iterations";
		EXPECT_EQ(outcome.progress.centers_seeded, 20u);

		// The reported inertia is that of the final centres.
		double		expected = reference_inertia(params, samples, outcome.centers);

		EXPECT_NEAR(outcome.progress.inertia, expected, 1e-6 * (1.0 + std::fabs(expected)))
			<< "metric " << config.metric;
	}
}

class KMeansPerTarget : public kernel_test::PerTarget
{
};

// 8 clusters far apart: every true cluster gets its own centre, at its mean.
TEST_P(KMeansPerTarget, RecoversWellSeparatedClusters)
{
	size_t		n = 800;
	size_t		dimensions = 24;
	size_t		k = 8;
	std::vector<size_t> labels;
	std::vector<float> points = gaussian_clusters(n, dimensions, k, 50.0f, 7, &labels);
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, k, n);
	Outcome		outcome = cluster(params, as_bytes(points));
	std::vector<float> centers = as_floats(outcome.centers);
	std::vector<std::set<size_t>> found(k);

	for (size_t i = 0; i < n; i++)
	{
		uint32_t	nearest;

		ASSERT_EQ(vc_nearest_centers(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions,
									 centers.data(), k, points.data() + i * dimensions, 1,
									 &nearest, nullptr), VC_OK);
		found[labels[i]].insert(nearest);
	}

	std::set<size_t> used;

	for (size_t label = 0; label < k; label++)
	{
		ASSERT_EQ(found[label].size(), 1u) << "true cluster " << label << " was split";
		used.insert(*found[label].begin());

		// its centre is the mean of its points
		std::vector<double> mean(dimensions, 0.0);

		for (size_t i = label; i < n; i += k)
			for (size_t d = 0; d < dimensions; d++)
				mean[d] += points[i * dimensions + d] / static_cast<double>(n / k);
		for (size_t d = 0; d < dimensions; d++)
			EXPECT_NEAR(centers[*found[label].begin() * dimensions + d], mean[d], 1e-3);
	}
	EXPECT_EQ(used.size(), k) << "two true clusters share a centre";
}

INSTANTIATE_FOR_EVERY_TARGET(KMeansPerTarget);

TEST(KMeans, IdenticalSamplesGiveIdenticalCenters)
{
	std::vector<float> points;

	for (int i = 0; i < 50; i++)
		points.insert(points.end(), {1.5f, -2.0f, 3.25f});

	for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT, VC_METRIC_COSINE})
	{
		Config		config = {VC_ELEMENT_F32, metric};

		vc_kmeans_params params = params_of(config.kind, config.metric, 3, 5, 50);
		std::vector<float> centers = as_floats(cluster(params, as_bytes(points)).centers);
		double		norm = std::sqrt(1.5 * 1.5 + 2.0 * 2.0 + 3.25 * 3.25);
		double		scale = config.metric == VC_METRIC_L2_SQUARED ? 1.0 : 1.0 / norm;

		for (size_t c = 0; c < 5; c++)
			for (size_t d = 0; d < 3; d++)
				EXPECT_NEAR(centers[c * 3 + d], points[d] * scale, 1e-6);
	}
}

// 3 distinct points, 10 copies each, 8 centres: every centre is one of the
// points (copies), and every point is a centre.
TEST(KMeans, MoreCentersThanDistinctSamples)
{
	const float distinct[3][2] = {{0, 0}, {10, 0}, {0, 10}};

	for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_COSINE})
	{
		std::vector<float> points;

		for (int copy = 0; copy < 10; copy++)
			for (const auto &p : distinct)
				if (metric == VC_METRIC_L2_SQUARED || p[0] + p[1] != 0)
					points.insert(points.end(), {p[0], p[1]});

		vc_kmeans_params params = params_of(VC_ELEMENT_F32, metric, 2, 8, points.size() / 2);
		std::vector<float> centers = as_floats(cluster(params, as_bytes(points)).centers);
		std::set<std::pair<float, float>> expected;
		std::set<std::pair<float, float>> seen;

		for (const auto &p : distinct)
			if (metric == VC_METRIC_L2_SQUARED)
				expected.insert({p[0], p[1]});
			else if (p[0] + p[1] != 0)
				expected.insert({p[0] / 10, p[1] / 10});
		for (size_t c = 0; c < 8; c++)
		{
			std::pair<float, float> centre = {centers[2 * c], centers[2 * c + 1]};

			EXPECT_EQ(expected.count(centre), 1u) << "centre " << c << " is no sample";
			seen.insert(centre);
		}
		EXPECT_EQ(seen, expected);
	}
}

TEST(KMeans, FewerSamplesThanCenters)
{
	std::vector<float> points = {1, 2, 3, 4, 5, 6};
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, 7, 3);
	std::vector<float> centers = as_floats(cluster(params, as_bytes(points)).centers);
	std::set<std::pair<float, float>> seen;

	for (size_t c = 0; c < 7; c++)
	{
		std::pair<float, float> centre = {centers[2 * c], centers[2 * c + 1]};

		EXPECT_TRUE(centre == std::make_pair(1.0f, 2.0f) || centre == std::make_pair(3.0f, 4.0f) ||
					centre == std::make_pair(5.0f, 6.0f));
		seen.insert(centre);
	}
	EXPECT_EQ(seen.size(), 3u);
}

TEST(KMeans, OneCenterIsTheMeanOrTheDirectionOfTheSum)
{
	size_t		n = 300;
	size_t		dimensions = 10;
	std::vector<float> points = gaussian_clusters(n, dimensions, 4, 2.0f, 5);

	for (vc_metric metric : {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT})
	{
		vc_kmeans_params params = params_of(VC_ELEMENT_F32, metric, dimensions, 1, n);
		Outcome		outcome = cluster(params, as_bytes(points));
		std::vector<float> center = as_floats(outcome.centers);
		std::vector<double> sum(dimensions, 0.0);
		double		norm = 0.0;

		for (size_t i = 0; i < n; i++)
			for (size_t d = 0; d < dimensions; d++)
				sum[d] += points[i * dimensions + d];
		for (double s : sum)
			norm += s * s;
		norm = std::sqrt(norm);
		for (size_t d = 0; d < dimensions; d++)
			EXPECT_NEAR(center[d], metric == VC_METRIC_L2_SQUARED ? sum[d] / n : sum[d] / norm, 1e-5);
		EXPECT_EQ(outcome.progress.iterations, 1) << "one centre: nothing to reassign";
	}
}

// Zero vectors have no direction: never a spherical centre, and with
// nothing else, every centre is the first unit vector.
TEST(KMeans, ZeroSamplesInSphericalKMeans)
{
	for (vc_metric metric : {VC_METRIC_NEGATIVE_INNER_PRODUCT, VC_METRIC_COSINE})
	{
		std::vector<float> zeros(20 * 4, 0.0f);
		vc_kmeans_params params = params_of(VC_ELEMENT_F32, metric, 4, 3, 20);
		std::vector<float> centers = as_floats(cluster(params, as_bytes(zeros)).centers);

		for (size_t c = 0; c < 3; c++)
			EXPECT_EQ(std::vector<float>(centers.begin() + 4 * c, centers.begin() + 4 * c + 4),
					  (std::vector<float>{1, 0, 0, 0}));

		// zeros among directions: the centres are the directions
		std::vector<float> mixed = zeros;

		mixed[4 * 5 + 1] = 3.0f;	// sample 5 along the second axis
		mixed[4 * 9 + 2] = -0.5f;	// sample 9 against the third
		params.centers = 2;
		centers = as_floats(cluster(params, as_bytes(mixed)).centers);
		std::set<std::vector<float>> found = {
			std::vector<float>(centers.begin(), centers.begin() + 4),
			std::vector<float>(centers.begin() + 4, centers.begin() + 8)};

		EXPECT_EQ(found, (std::set<std::vector<float>>{{0, 1, 0, 0}, {0, 0, -1, 0}}));
	}
}

// Bits: each centre is the per-bit majority of the samples nearest to it.
TEST(KMeans, BitsCentersAreThePerBitMajority)
{
	size_t		dimensions = 100;	// not a multiple of 8
	size_t		nbytes = 13;
	size_t		k = 6;
	Config		config = {VC_ELEMENT_BITS, VC_METRIC_HAMMING};
	std::vector<uint8_t> samples = samples_for(config, 6 * 31, dimensions, k, 9);
	vc_kmeans_params params = params_of(VC_ELEMENT_BITS, VC_METRIC_HAMMING, dimensions, k,
										samples.size() / nbytes);
	Outcome		outcome = cluster(params, samples);
	std::vector<std::vector<int>> ones(k, std::vector<int>(dimensions, 0));
	std::vector<int> members(k, 0);

	ASSERT_EQ(outcome.progress.reassigned, 0u);
	for (size_t i = 0; i < samples.size() / nbytes; i++)
	{
		const uint8_t *x = samples.data() + i * nbytes;
		size_t		best = 0;

		for (size_t c = 1; c < k; c++)
			if (hamming(x, outcome.centers.data() + c * nbytes, nbytes) <
				hamming(x, outcome.centers.data() + best * nbytes, nbytes))
				best = c;
		members[best]++;
		for (size_t bit = 0; bit < dimensions; bit++)
			ones[best][bit] += (x[bit / 8] >> (7 - bit % 8)) & 1;
	}
	for (size_t c = 0; c < k; c++)
	{
		ASSERT_GT(members[c], 0);
		for (size_t bit = 0; bit < dimensions; bit++)
		{
			int			bit_set = (outcome.centers[c * nbytes + bit / 8] >> (7 - bit % 8)) & 1;

			if (2 * ones[c][bit] != members[c])
			{
				EXPECT_EQ(bit_set, 2 * ones[c][bit] > members[c] ? 1 : 0)
					<< "centre " << c << " bit " << bit;
			}
		}
		// padding bits stay clear
		EXPECT_EQ(outcome.centers[c * nbytes + nbytes - 1] & 0x0f, 0);
	}
}

TEST(KMeans, SphericalCentersHaveUnitNorm)
{
	for (vc_metric metric : {VC_METRIC_NEGATIVE_INNER_PRODUCT, VC_METRIC_COSINE})
	{
		size_t		dimensions = 32;
		vc_kmeans_params params = params_of(VC_ELEMENT_F32, metric, dimensions, 25, 2000);
		std::vector<float> centers = as_floats(
			cluster(params, as_bytes(gaussian_clusters(2000, dimensions, 40, 3.0f, 11))).centers);

		for (size_t c = 0; c < 25; c++)
			EXPECT_NEAR(dot(centers.data() + c * dimensions, centers.data() + c * dimensions,
							dimensions), 1.0, 1e-5) << "centre " << c;
	}
}

TEST(KMeans, ResultDoesNotDependOnChunkingOrThreads)
{
	for (const Config &config : ivf_test::every_kind_and_metric)
	{
		if (!ivf_test::is_clustered(config))
			continue;

		size_t		dimensions = config.kind == VC_ELEMENT_BITS ? 64 : 20;
		std::vector<uint8_t> samples = samples_for(config, 3000, dimensions, 50, 3);
		vc_kmeans_params params = params_of(config.kind, config.metric, dimensions, 40, 3000);
		Outcome		whole = cluster(params, samples);

		for (size_t chunk : {size_t(1), size_t(333), size_t(100000)})
		{
			Outcome		chunked = cluster(params, samples, chunk);

			EXPECT_EQ(chunked.centers, whole.centers) << "metric " << config.metric
				<< " chunks of " << chunk;
			EXPECT_EQ(chunked.progress.iterations, whole.progress.iterations);
			EXPECT_EQ(chunked.progress.inertia, whole.progress.inertia);
		}

		// Blocks go to threads, but each block's result is its own.
		vc_kmeans_params two = params;

		two.threads = 2;
		for (size_t chunk : {size_t(1000), SIZE_MAX})
		{
			Outcome		threaded = cluster(two, samples, chunk);

			EXPECT_EQ(threaded.centers, whole.centers) << "metric " << config.metric;
			EXPECT_EQ(threaded.progress.inertia, whole.progress.inertia);
		}
	}
}

// The inertia after the iterations that ended a call (calls end where the
// work budget does, which the bounds change: a call may span iterations).
std::map<int, double>
inertia_by_iteration(const Outcome &outcome)
{
	std::map<int, double> inertia;

	for (const vc_kmeans_progress &progress : outcome.after_each_call)
		if (!progress.seeding && progress.iterations > 0)
			inertia[progress.iterations] = progress.inertia;
	return inertia;
}

// Each sample's centre, as bytes: the order of the centres is k-means' own
// (grouped by its bounds), the centre a sample ends in is not.
std::vector<std::vector<uint8_t>>
centre_of_each_sample(const Outcome &outcome, size_t bytes)
{
	std::vector<std::vector<uint8_t>> centres;

	for (uint32_t c : outcome.assignment)
		centres.emplace_back(outcome.centers.begin() + c * bytes, outcome.centers.begin() + (c + 1) * bytes);
	return centres;
}

// A k-means given far fewer samples than its capacity has the memory for
// one bound per centre (Elkan's) instead of per group of centres.  Bounds
// only skip comparisons that cannot change the result, so for float
// vectors, seeded or warm started, on one thread or two, each sample ends
// in the same centre, after the same iterations of the same inertia, as in
// the same k-means at full capacity.  Bit vectors' distances tie often,
// and a tie goes to the first centre in an order the groups decide: there
// each sample must end at a nearest centre.
TEST(KMeans, ResultDoesNotDependOnTheBoundsTheCapacityAllows)
{
	for (const Config &config : ivf_test::every_kind_and_metric)
	{
		if (!ivf_test::is_clustered(config))
			continue;

		// rows small enough for groups of centres at full capacity
		size_t		dimensions = config.kind == VC_ELEMENT_BITS ? 96 : 8;
		size_t		bytes = config.kind == VC_ELEMENT_BITS ? 12 : 8 * 4;
		size_t		count = 4000;
		size_t		k = 60;
		std::vector<uint8_t> samples = samples_for(config, count, dimensions, 80, 11);
		// warm started from some of the samples: the first pass gives every bound
		std::vector<uint8_t> given(samples.begin() + 7 * bytes, samples.begin() + (7 + k) * bytes);
		vc_kmeans_params full = params_of(config.kind, config.metric, dimensions, k, count);
		vc_kmeans_params roomy = full;

		roomy.sample_capacity = 100 * count;
		full.max_iterations = roomy.max_iterations = 40;

		Outcome		seeded = cluster(full, samples, 5000);
		Outcome		warm = cluster(full, samples, 5000, &given);

		for (int threads : {1, 2})
		{
			roomy.threads = threads;

			Outcome		seeded_roomy = cluster(roomy, samples, 5000);
			Outcome		warm_roomy = cluster(roomy, samples, 5000, &given);

			ASSERT_FALSE(::testing::Test::HasFailure());
			if (config.kind == VC_ELEMENT_BITS)
			{
				for (const Outcome *outcome : {&seeded_roomy, &warm_roomy})
					for (size_t i = 0; i < count; i++)
					{
						const uint8_t *x = samples.data() + i * bytes;
						double		own = reference_distance(roomy, x, outcome->centers.data() +
															 outcome->assignment[i] * bytes);

						for (size_t c = 0; c < k; c++)
							ASSERT_LE(own, reference_distance(roomy, x, outcome->centers.data() + c * bytes))
								<< "sample " << i << " centre " << c;
					}
				continue;
			}

			EXPECT_EQ(centre_of_each_sample(seeded_roomy, bytes), centre_of_each_sample(seeded, bytes))
				<< "metric " << config.metric;
			EXPECT_EQ(seeded_roomy.progress.iterations, seeded.progress.iterations);
			EXPECT_EQ(seeded_roomy.progress.inertia, seeded.progress.inertia);
			for (auto [iteration, inertia] : inertia_by_iteration(seeded_roomy))
			{
				if (inertia_by_iteration(seeded).count(iteration) != 0)
				{
					EXPECT_EQ(inertia, inertia_by_iteration(seeded).at(iteration))
						<< "metric " << config.metric << " iteration " << iteration;
				}
			}

			EXPECT_EQ(centre_of_each_sample(warm_roomy, bytes), centre_of_each_sample(warm, bytes))
				<< "metric " << config.metric;
			EXPECT_EQ(warm_roomy.progress.iterations, warm.progress.iterations);
			EXPECT_EQ(warm_roomy.progress.inertia, warm.progress.inertia);
			EXPECT_GT(warm.progress.iterations, 1);
		}
	}
}

// From given centres, the first pass estimates float distances from dot
// products and computes exactly only those that may be the nearest: its
// inertia must be the exact one of every sample at its nearest given
// centre, whatever the dimension (a margin that grows with it), the scale
// of the values, a last panel only partly filled, samples on a centre and
// centres given twice (ties).
TEST(KMeans, WarmStartFirstPassFindsEverySamplesNearestGivenCentre)
{
	for (size_t dimensions : {3, 24, 128, 700})
	{
		for (float scale : {1.0f, 1000.0f, 1e-3f})
		{
			size_t		count = 2000;
			size_t		k = 50;		// three panels and two centres
			vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, k, count);
			std::vector<float> values = gaussian_clusters(count, dimensions, 40, 3.0f, 5);

			for (float &value : values)
				value *= scale;

			std::vector<uint8_t> samples = as_bytes(values);
			std::vector<uint8_t> given(samples.begin(), samples.begin() + k * dimensions * 4);

			std::copy(given.begin() + 10 * dimensions * 4, given.begin() + 11 * dimensions * 4,
					  given.begin() + 49 * dimensions * 4);

			Outcome		outcome = cluster(params, samples, 1, &given);
			double		expected = reference_inertia(params, samples, given);
			bool		seen = false;

			ASSERT_FALSE(::testing::Test::HasFailure());
			for (const vc_kmeans_progress &progress : outcome.after_each_call)
				if (!progress.seeding && progress.iterations == 0 && progress.reassigned == count)
				{
					EXPECT_NEAR(progress.inertia, expected, 1e-6 * expected)
						<< "dimensions " << dimensions << " scale " << scale;
					seen = true;
				}
			EXPECT_TRUE(seen) << "no progress between the first pass and the first update";
		}
	}
}

// The build clusters a sample, then refines those centres on the whole
// table and takes the lists from the refinement's assignment: every row
// must be in the list of its nearest centre (scans and inserts rank lists
// that way), however few iterations ran, and the refinement must not make
// the clustering of the whole set worse than the sample's centres.
TEST(KMeans, WarmStartRefinesTheCentresAndAssignsEverySampleToItsNearest)
{
	for (const Config &config : ivf_test::every_kind_and_metric)
	{
		if (!ivf_test::is_clustered(config))
			continue;

		size_t		dimensions = config.kind == VC_ELEMENT_BITS ? 96 : 24;
		size_t		bytes = config.kind == VC_ELEMENT_BITS ? 12 : 24 * 4;
		size_t		all = 4000;
		size_t		sampled = 400;
		size_t		k = 30;
		std::vector<uint8_t> samples = samples_for(config, all, dimensions, 60, 7);
		std::vector<uint8_t> head(samples.begin(), samples.begin() + sampled * bytes);
		Outcome		from_sample = cluster(params_of(config.kind, config.metric, dimensions, k, sampled), head);
		double		before = reference_inertia(params_of(config.kind, config.metric, dimensions, k, all),
											   samples, from_sample.centers);

		for (int max_iterations : {1, 3, 500})
		{
			vc_kmeans_params params = params_of(config.kind, config.metric, dimensions, k, all);

			params.max_iterations = max_iterations;

			Outcome		refined = cluster(params, samples, 777, &from_sample.centers);

			ASSERT_FALSE(::testing::Test::HasFailure());
			EXPECT_FALSE(refined.progress.seeding);
			EXPECT_LE(refined.progress.iterations, max_iterations);
			EXPECT_EQ(refined.progress.centers_seeded, k);
			for (size_t i = 0; i < all; i++)
			{
				const uint8_t *x = samples.data() + i * bytes;
				double		own = reference_distance(params, x, refined.centers.data() + refined.assignment[i] * bytes);

				ASSERT_LT(refined.assignment[i], k);
				for (size_t c = 0; c < k; c++)
					ASSERT_LE(own, reference_distance(params, x, refined.centers.data() + c * bytes) +
							  1e-5 * (1.0 + std::fabs(own)))
						<< "metric " << config.metric << " sample " << i << " centre " << c;
			}

			double		after = reference_inertia(params, samples, refined.centers);

			EXPECT_LE(after, before + 1e-6 * std::fabs(before)) << "metric " << config.metric;
			if (max_iterations == 500)
			{
				EXPECT_EQ(refined.progress.reassigned, 0u);
			}

			// threads and chunks do not change it
			params.threads = 3;

			Outcome		threaded = cluster(params, samples, SIZE_MAX, &from_sample.centers);

			EXPECT_EQ(threaded.centers, refined.centers);
			EXPECT_EQ(threaded.assignment, refined.assignment);
		}
	}
}

// The bounds are kept in units of each sample's own scale, within a window
// of scales (kmeans.cpp): samples whose distances are tiny next to the
// others' (a tight cluster, exact duplicates at distance 0) get coarser
// bounds, which must still be lower bounds.  With clusters a thousand
// apart and one of spread 1e-4, after any number of passes every sample
// is at its nearest centre, cold and warm started, in one thread or three.
TEST(KMeans, BoundsHoldAcrossScalesOfDistance)
{
	size_t		dimensions = 16;
	std::mt19937 random(21);
	std::uniform_real_distribution<float> anywhere(-1000.0f, 1000.0f);
	std::normal_distribution<float> spread(0.0f, 10.0f);
	std::normal_distribution<float> tight(0.0f, 1e-4f);
	std::vector<float> values;

	for (int cluster = 0; cluster < 20; cluster++)
	{
		std::vector<float> middle(dimensions);

		for (float &x : middle)
			x = anywhere(random);
		for (int i = 0; i < 100; i++)
			for (size_t j = 0; j < dimensions; j++)
				values.push_back(middle[j] + spread(random));
	}
	for (int i = 0; i < 200; i++)
		for (size_t j = 0; j < dimensions; j++)
			values.push_back(1.0f + (i < 20 ? 0.0f : tight(random)));

	std::vector<uint8_t> samples = as_bytes(values);
	size_t		all = values.size() / dimensions;
	size_t		k = 26;
	std::vector<uint8_t> start;

	// warm: a centre in each wide cluster, six in the tight one (so that
	// its samples' second-nearest centres are near too), one a duplicate
	for (size_t row : {0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500,
					   1600, 1700, 1800, 1900, 2000, 2025, 2050, 2075, 2100, 2150})
		start.insert(start.end(), samples.begin() + row * dimensions * 4,
					 samples.begin() + (row + 1) * dimensions * 4);

	for (bool warm : {false, true})
		for (int max_iterations : {1, 2, 3, 500})
			for (int threads : {1, 3})
			{
				vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, k, all, threads);

				params.max_iterations = max_iterations;

				Outcome		result = cluster(params, samples, 5000, warm ? &start : nullptr);

				ASSERT_FALSE(::testing::Test::HasFailure());
				for (size_t i = 0; i < all; i++)
				{
					const uint8_t *x = samples.data() + i * dimensions * 4;
					double		own = reference_distance(params, x, result.centers.data() + result.assignment[i] * dimensions * 4);

					for (size_t c = 0; c < k; c++)
						ASSERT_LE(own, reference_distance(params, x, result.centers.data() + c * dimensions * 4) *
								  (1.0 + 1e-5))
							<< "warm " << warm << " iterations " << max_iterations << " sample " << i << " centre " << c;
				}
				if (max_iterations == 500)
				{
					EXPECT_EQ(result.progress.reassigned, 0u);
				}
			}
}

// Started from converged centres on the same samples, nothing moves.
TEST(KMeans, WarmStartFromConvergedCentresKeepsThem)
{
	std::vector<uint8_t> samples = as_bytes(gaussian_clusters(2000, 12, 40, 3.0f, 8));
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 12, 25, 2000);
	Outcome		converged = cluster(params, samples);
	Outcome		again = cluster(params, samples, SIZE_MAX, &converged.centers);
	auto		rows = [](const std::vector<uint8_t> &centers) {
		std::vector<std::vector<uint8_t>> out;

		for (size_t c = 0; c < centers.size(); c += 12 * 4)
			out.emplace_back(centers.begin() + c, centers.begin() + c + 12 * 4);
		std::sort(out.begin(), out.end());
		return out;
	};

	EXPECT_EQ(again.progress.iterations, 1);
	EXPECT_EQ(again.progress.reassigned, 0u);
	EXPECT_EQ(rows(again.centers), rows(converged.centers)) << "the same centres, in some order";
	EXPECT_NEAR(again.progress.inertia, converged.progress.inertia,
				1e-9 * converged.progress.inertia);
}

TEST(KMeans, SameSeedSameCentersOtherSeedOtherCenters)
{
	std::vector<uint8_t> samples = as_bytes(gaussian_clusters(1000, 8, 30, 1.0f, 4));
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 8, 10, 1000);
	std::vector<uint8_t> first = cluster(params, samples).centers;

	EXPECT_EQ(cluster(params, samples).centers, first);
	params.seed = 999;
	EXPECT_NE(cluster(params, samples).centers, first);
}

// k-means++ draws each centre with probability proportional to D^2 (the
// core by rejection against stale weights, see kmeans.hpp).  Ten copies
// each of 0, 1, 3 and 7 on a line, three centres: the location left out
// shows in the centres after one iteration ({0.5, 3, 7} if 0 or 1, {0, 2, 7}
// if 3, {0, 1, 5} if 7); its frequency over many seeds must match the exact
// D^2 probabilities, computed here by enumeration.
TEST(KMeans, SeedingDrawsByDSquared)
{
	const double locations[4] = {0, 1, 3, 7};
	double		left_out[4] = {0, 0, 0, 0};

	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
		{
			if (b == a)
				continue;

			double		weight_b = 0.0;
			double		total_b = 0.0;

			for (int x = 0; x < 4; x++)
			{
				double		d = locations[x] - locations[a];

				total_b += d * d;
				if (x == b)
					weight_b = d * d;
			}
			for (int c = 0; c < 4; c++)
			{
				if (c == a || c == b)
					continue;

				double		weight_c = 0.0;
				double		total_c = 0.0;

				for (int x = 0; x < 4; x++)
				{
					double		d = std::min(std::fabs(locations[x] - locations[a]),
											 std::fabs(locations[x] - locations[b]));

					total_c += d * d;
					if (x == c)
						weight_c = d * d;
				}
				left_out[6 - a - b - c] += 0.25 * weight_b / total_b * weight_c / total_c;
			}
		}

	const double expected[3] = {left_out[0] + left_out[1], left_out[2], left_out[3]};
	const std::set<float> outcomes[3] = {{0.5f, 3.0f, 7.0f}, {0.0f, 2.0f, 7.0f}, {0.0f, 1.0f, 5.0f}};
	const int	trials = 3000;
	int			seen[3] = {0, 0, 0};
	std::vector<float> points;

	for (int copy = 0; copy < 10; copy++)
		for (double x : locations)
			points.push_back(static_cast<float>(x));

	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 1, 3, points.size());

	params.max_iterations = 1;
	for (int trial = 0; trial < trials; trial++)
	{
		params.seed = static_cast<uint64_t>(trial);

		std::vector<float> centers = as_floats(cluster(params, as_bytes(points)).centers);
		std::set<float> found(centers.begin(), centers.end());
		int			outcome = 0;

		while (outcome < 3 && found != outcomes[outcome])
			outcome++;
		ASSERT_LT(outcome, 3) << "unexpected centres after one iteration";
		seen[outcome]++;
	}
	for (int o = 0; o < 3; o++)
	{
		double		p = expected[o];
		double		sigma = std::sqrt(p * (1.0 - p) / trials);

		EXPECT_NEAR(static_cast<double>(seen[o]) / trials, p, 4.0 * sigma + 1e-9)
			<< "outcome " << o;
	}
}

TEST(KMeans, StopsAfterMaxIterations)
{
	std::vector<uint8_t> samples = as_bytes(gaussian_clusters(2000, 8, 100, 1.0f, 6));
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 8, 50, 2000);

	params.max_iterations = 2;

	Outcome		outcome = cluster(params, samples);

	EXPECT_EQ(outcome.progress.iterations, 2);
	EXPECT_GT(outcome.progress.reassigned, 0u);

	// lowered while it runs (a build that refines on every row): it stops
	// at the end of the pass that reaches the new limit
	params.max_iterations = 500;

	vc_kmeans  *raw = nullptr;

	ASSERT_EQ(vc_kmeans_create(&params, &raw), VC_OK);

	KMeansHandle kmeans(raw);
	bool		done = false;
	vc_kmeans_progress progress;

	for (size_t i = 0; i < 2000; i++)
		ASSERT_EQ(vc_kmeans_set_sample(kmeans.get(), i, samples.data() + i * 8 * 4), VC_OK);
	ASSERT_EQ(vc_kmeans_run(kmeans.get(), 1, &done), VC_OK);
	EXPECT_EQ(vc_kmeans_set_max_iterations(kmeans.get(), 0), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_set_max_iterations(nullptr, 3), VC_ERROR_INVALID_ARGUMENT);
	ASSERT_EQ(vc_kmeans_set_max_iterations(kmeans.get(), 3), VC_OK);
	while (!done)
		ASSERT_EQ(vc_kmeans_run(kmeans.get(), 1000, &done), VC_OK);
	vc_kmeans_get_progress(kmeans.get(), &progress);
	EXPECT_EQ(progress.iterations, 3);
}

// Reservoir sampling overwrites slots; unset slots below the highest are
// zero vectors.
TEST(KMeans, SamplesAreTheSlotsUpToTheHighestSet)
{
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 1, 2, 10);
	vc_kmeans  *raw = nullptr;
	float		value = 100.0f;
	float		replaced = 7.0f;

	ASSERT_EQ(vc_kmeans_create(&params, &raw), VC_OK);

	KMeansHandle kmeans(raw);
	bool		done = false;
	float		centers[2];

	ASSERT_EQ(vc_kmeans_set_sample(kmeans.get(), 2, &replaced), VC_OK);
	ASSERT_EQ(vc_kmeans_set_sample(kmeans.get(), 2, &value), VC_OK);
	while (!done)
		ASSERT_EQ(vc_kmeans_run(kmeans.get(), 1, &done), VC_OK);
	ASSERT_EQ(vc_kmeans_centers(kmeans.get(), centers, sizeof(centers)), VC_OK);
	std::sort(centers, centers + 2);
	EXPECT_EQ(centers[0], 0.0f);
	EXPECT_EQ(centers[1], 100.0f);
}

/* Arguments -------------------------------------------------------------------- */

TEST(KMeansArguments, InvalidParametersAreRefused)
{
	vc_kmeans_params good = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 4, 3, 10);
	std::vector<vc_kmeans_params> bad(14, good);

	bad[0].kind = VC_ELEMENT_F16;
	bad[1].kind = VC_ELEMENT_SPARSE;
	bad[2].metric = VC_METRIC_L1;
	bad[3].metric = VC_METRIC_HAMMING;
	bad[4].kind = VC_ELEMENT_BITS;	/* with L2 */
	bad[5].dimensions = 0;
	bad[6].dimensions = VC_VECTOR_MAX_DIM + 1;
	bad[7].centers = 0;
	bad[8].centers = VC_KMEANS_MAX_CENTERS + 1;
	bad[9].sample_capacity = 0;
	bad[10].max_iterations = 0;
	bad[11].threads = 0;
	bad[12].threads = 65;
	bad[13] = params_of(VC_ELEMENT_BITS, VC_METRIC_JACCARD, 8, 3, 10);

	for (size_t i = 0; i < bad.size(); i++)
	{
		vc_kmeans  *kmeans = reinterpret_cast<vc_kmeans *>(&good);

		EXPECT_EQ(vc_kmeans_create(&bad[i], &kmeans), VC_ERROR_INVALID_ARGUMENT) << "case " << i;
		EXPECT_EQ(kmeans, nullptr);
		EXPECT_EQ(vc_kmeans_memory_bytes(&bad[i]), 0u) << "case " << i;
	}

	vc_kmeans  *kmeans = nullptr;

	EXPECT_EQ(vc_kmeans_create(nullptr, &kmeans), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_create(&good, nullptr), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_memory_bytes(nullptr), 0u);
	EXPECT_GT(vc_kmeans_memory_bytes(&good), 0u);
	vc_kmeans_free(nullptr);
}

TEST(KMeansArguments, MisuseOfAStateIsRefused)
{
	vc_kmeans_params params = params_of(VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 2, 2, 4);
	vc_kmeans  *raw = nullptr;

	ASSERT_EQ(vc_kmeans_create(&params, &raw), VC_OK);

	KMeansHandle kmeans(raw);
	bool		done = true;
	float		ok[2] = {1, 2};
	float		nan[2] = {1, NAN};
	float		inf[2] = {-INFINITY, 2};
	float		centers[4];

	EXPECT_EQ(vc_kmeans_run(kmeans.get(), 100, &done), VC_ERROR_EMPTY);
	EXPECT_FALSE(done);
	EXPECT_EQ(vc_kmeans_run(kmeans.get(), 100, nullptr), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_run(nullptr, 100, &done), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), 0, nan), VC_ERROR_NOT_FINITE);
	EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), 0, inf), VC_ERROR_NOT_FINITE);
	EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), 4, ok), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), 0, nullptr), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_set_sample(nullptr, 0, ok), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), 0, ok), VC_OK);
	EXPECT_EQ(vc_kmeans_centers(kmeans.get(), centers, sizeof(centers)), VC_ERROR_INVALID_ARGUMENT)
		<< "not done yet";
	uint32_t	assignment[1];

	EXPECT_EQ(vc_kmeans_assignment(kmeans.get(), assignment, 1), VC_ERROR_INVALID_ARGUMENT)
		<< "not done yet";
	float		nan_centers[4] = {0, 0, NAN, 1};

	EXPECT_EQ(vc_kmeans_set_centers(kmeans.get(), nan_centers), VC_ERROR_NOT_FINITE);
	EXPECT_EQ(vc_kmeans_set_centers(kmeans.get(), nullptr), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_set_centers(nullptr, centers), VC_ERROR_INVALID_ARGUMENT);

	done = false;
	while (!done)
		ASSERT_EQ(vc_kmeans_run(kmeans.get(), 1, &done), VC_OK);
	EXPECT_EQ(vc_kmeans_set_sample(kmeans.get(), 1, ok), VC_ERROR_INVALID_ARGUMENT)
		<< "samples are fixed once run";
	EXPECT_EQ(vc_kmeans_centers(kmeans.get(), centers, sizeof(centers) - 1),
			  VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_centers(kmeans.get(), nullptr, sizeof(centers)), VC_ERROR_INVALID_ARGUMENT);
	EXPECT_EQ(vc_kmeans_centers(kmeans.get(), centers, sizeof(centers)), VC_OK);
	EXPECT_EQ(centers[0], 1.0f);
	EXPECT_EQ(centers[3], 2.0f);
	EXPECT_EQ(vc_kmeans_set_centers(kmeans.get(), centers), VC_ERROR_INVALID_ARGUMENT)
		<< "too late once run";
	EXPECT_EQ(vc_kmeans_assignment(kmeans.get(), assignment, 1), VC_OK);
	EXPECT_EQ(assignment[0], 0u);
	EXPECT_EQ(vc_kmeans_assignment(kmeans.get(), assignment, 2), VC_ERROR_INVALID_ARGUMENT)
		<< "one sample";
	EXPECT_EQ(vc_kmeans_assignment(kmeans.get(), nullptr, 1), VC_ERROR_INVALID_ARGUMENT);

	// Running a finished state is harmless.
	EXPECT_EQ(vc_kmeans_run(kmeans.get(), 1, &done), VC_OK);
	EXPECT_TRUE(done);
}

}							// namespace
