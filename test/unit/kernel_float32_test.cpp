// kernel_float32_test.cpp: the float32 kernels of every SIMD target against
// the scalar oracle and against sums computed in long double.
#include "kernel_test_support.hpp"

#include <limits>

#include "cpu_dispatch.hpp"
#include "kernels_scalar.hpp"

namespace
{

using kernel_test::float32_sum_tolerance;
using kernel_test::PerTarget;

// Exact (long double) sums and sums of |terms| for one pair of vectors.
struct ReferenceSums
{
	long double l2 = 0, l2_abs = 0;
	long double dot = 0, dot_abs = 0;
	long double norm_a = 0, norm_b = 0;
	long double l1 = 0;
};

ReferenceSums
reference_sums(const std::vector<float> &a, const std::vector<float> &b)
{
	ReferenceSums sums;

	for (size_t i = 0; i < a.size(); i++)
	{
		long double x = a[i];
		long double y = b[i];
		long double difference = x - y;

		sums.l2 += difference * difference;
		sums.dot += x * y;
		sums.dot_abs += fabsl(x * y);
		sums.norm_a += x * x;
		sums.norm_b += y * y;
		sums.l1 += fabsl(difference);
	}
	sums.l2_abs = sums.l2;
	return sums;
}

class Float32Kernels : public PerTarget
{
};

TEST_P(Float32Kernels, RandomValuesWithinFloat32RoundingOfExactSums)
{
	std::mt19937 random(1234);
	const auto &kernels = vector_core::active_kernels();

	for (size_t n : kernel_test::test_lengths())
	{
		auto		a = kernel_test::random_floats(random, n);
		auto		b = kernel_test::random_floats(random, n);
		ReferenceSums exact = reference_sums(a, b);

		SCOPED_TRACE("n = " + std::to_string(n));
		EXPECT_NEAR(vc_f32_l2_squared(a.data(), b.data(), n), exact.l2,
					float32_sum_tolerance(n, exact.l2_abs));
		EXPECT_NEAR(vc_f32_inner_product(a.data(), b.data(), n), exact.dot,
					float32_sum_tolerance(n, exact.dot_abs));
		EXPECT_NEAR(vc_f32_l1(a.data(), b.data(), n), exact.l1,
					float32_sum_tolerance(n, exact.l1));

		vector_core::CosineSums sums = kernels.f32_cosine_sums(a.data(), b.data(), n);

		EXPECT_NEAR(sums.dot, exact.dot, float32_sum_tolerance(n, exact.dot_abs));
		EXPECT_NEAR(sums.norm_a, exact.norm_a, float32_sum_tolerance(n, exact.norm_a));
		EXPECT_NEAR(sums.norm_b, exact.norm_b, float32_sum_tolerance(n, exact.norm_b));

		// float64 sum of exact products: only n float64 roundings
		EXPECT_NEAR(vc_f32_l2_norm(a.data(), n), std::sqrt(static_cast<double>(exact.norm_a)),
					std::sqrt(static_cast<double>(exact.norm_a)) * (n + 2) * DBL_EPSILON);
		EXPECT_EQ(vc_f32_l2_norm(a.data(), n),
				  std::sqrt(vector_core::scalar::f32_sum_of_squares(a.data(), n)));
	}
}

TEST_P(Float32Kernels, SmallIntegersGiveExactlyTheOracleResult)
{
	std::mt19937 random(99);
	const auto &kernels = vector_core::active_kernels();

	for (size_t n : kernel_test::test_lengths())
	{
		auto		a = kernel_test::small_integers(random, n);
		auto		b = kernel_test::small_integers(random, n);

		SCOPED_TRACE("n = " + std::to_string(n));
		EXPECT_EQ(vc_f32_l2_squared(a.data(), b.data(), n),
				  vector_core::scalar::f32_l2_squared(a.data(), b.data(), n));
		EXPECT_EQ(vc_f32_inner_product(a.data(), b.data(), n),
				  vector_core::scalar::f32_inner_product(a.data(), b.data(), n));
		EXPECT_EQ(vc_f32_l1(a.data(), b.data(), n),
				  vector_core::scalar::f32_l1(a.data(), b.data(), n));

		vector_core::CosineSums sums = kernels.f32_cosine_sums(a.data(), b.data(), n);
		vector_core::CosineSums oracle = vector_core::scalar::f32_cosine_sums(a.data(), b.data(), n);

		EXPECT_EQ(sums.dot, oracle.dot);
		EXPECT_EQ(sums.norm_a, oracle.norm_a);
		EXPECT_EQ(sums.norm_b, oracle.norm_b);
	}
}

// A single differing element must show at every position, including the
// unrolled blocks and the tail.
TEST_P(Float32Kernels, EveryPositionCounts)
{
	for (size_t n : {1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 129})
	{
		for (size_t position = 0; position < n; position++)
		{
			std::vector<float> a(n, 1.0f);
			std::vector<float> b(n, 1.0f);

			b[position] = 4.0f;
			EXPECT_EQ(vc_f32_l2_squared(a.data(), b.data(), n), 9.0f) << n << " " << position;
			EXPECT_EQ(vc_f32_l1(a.data(), b.data(), n), 3.0f) << n << " " << position;
			EXPECT_EQ(vc_f32_inner_product(a.data(), b.data(), n), n + 3.0f) << n << " " << position;
		}
	}
}

TEST_P(Float32Kernels, CosineSpecialCases)
{
	std::vector<float> zero(100, 0.0f);
	std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
	std::vector<float> opposite(a.size());
	std::vector<float> orthogonal(a.size(), 0.0f);

	for (size_t i = 0; i < a.size(); i++)
		opposite[i] = -2.0f * a[i];
	orthogonal[0] = 2.0f;
	orthogonal[1] = -1.0f;

	// pgvector: a zero vector gives NaN (0 / 0), not an error
	EXPECT_TRUE(std::isnan(vc_f32_cosine_distance(zero.data(), zero.data(), zero.size())));
	EXPECT_TRUE(std::isnan(vc_f32_cosine_distance(a.data(), zero.data(), a.size())));
	EXPECT_EQ(vc_f32_cosine_distance(a.data(), a.data(), a.size()), 0.0);
	EXPECT_EQ(vc_f32_cosine_distance(a.data(), opposite.data(), a.size()), 2.0);
	EXPECT_EQ(vc_f32_cosine_distance(a.data(), orthogonal.data(), a.size()), 1.0);
	// nothing outside [0, 2], whatever the rounding
	std::mt19937 random(7);

	for (size_t n = 1; n < 200; n++)
	{
		auto		x = kernel_test::random_floats(random, n);
		std::vector<float> scaled(n);

		for (size_t i = 0; i < n; i++)
			scaled[i] = x[i] * 3.0f;
		double		distance = vc_f32_cosine_distance(x.data(), scaled.data(), n);

		if (!std::isnan(distance))
		{
			EXPECT_GE(distance, 0.0);
			EXPECT_LE(distance, 1e-6);
		}
	}
}

TEST_P(Float32Kernels, IdenticalVectorsAreAtDistanceZero)
{
	std::mt19937 random(5);

	for (size_t n : {1, 3, 16, 100, 1536})
	{
		auto		a = kernel_test::random_floats(random, n);

		EXPECT_EQ(vc_f32_l2_squared(a.data(), a.data(), n), 0.0f);
		EXPECT_EQ(vc_f32_l1(a.data(), a.data(), n), 0.0f);
	}
}

TEST_P(Float32Kernels, BatchEqualsSingleCallsBitForBit)
{
	std::mt19937 random(42);
	const vc_metric metrics[] = {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT,
	VC_METRIC_COSINE, VC_METRIC_L1};

	for (size_t n : {0, 1, 5, 16, 17, 33, 64, 100, 127, 768, 1536})
	{
		auto		query = kernel_test::random_floats(random, n);
		std::vector<std::vector<float>> vectors;
		std::vector<const float *> pointers;

		for (size_t i = 0; i < 11; i++)
			vectors.push_back(kernel_test::random_floats(random, n));
		for (auto &vector : vectors)
			pointers.push_back(vector.data());

		for (size_t count = 0; count <= vectors.size(); count++)
		{
			for (vc_metric metric : metrics)
			{
				std::vector<float> distances(count + 1, -123.0f);

				vc_f32_distance_batch(metric, query.data(), pointers.data(), count, n, distances.data());
				for (size_t i = 0; i < count; i++)
				{
					const float *v = pointers[i];
					float		expected = 0.0f;

					switch (metric)
					{
						case VC_METRIC_L2_SQUARED:
							expected = vc_f32_l2_squared(query.data(), v, n);
							break;
						case VC_METRIC_NEGATIVE_INNER_PRODUCT:
							expected = -vc_f32_inner_product(query.data(), v, n);
							break;
						case VC_METRIC_COSINE:
							expected = static_cast<float>(vc_f32_cosine_distance(query.data(), v, n));
							break;
						case VC_METRIC_L1:
							expected = vc_f32_l1(query.data(), v, n);
							break;
						case VC_METRIC_HAMMING:
						case VC_METRIC_JACCARD:
							break;	/* bit-string metrics: not tested here */
					}
					if (std::isnan(expected))
						EXPECT_TRUE(std::isnan(distances[i]));
					else
						EXPECT_EQ(distances[i], expected)
							<< "metric " << metric << " n " << n << " count " << count << " i " << i;
				}
				EXPECT_EQ(distances[count], -123.0f) << "wrote past the end";
			}
		}
	}
}

// k-means' first pass: every row against panels of centres.  Each product
// within float32 rounding of the exact sum, whatever the number of rows
// (passes of several rows and the rest one by one) and panels, and nothing
// written past the rows' outputs.
TEST_P(Float32Kernels, DotPanelsWithinFloat32RoundingOfExactSums)
{
	using vector_core::panel_width;
	std::mt19937 random(77);
	const auto &kernels = vector_core::active_kernels();

	for (size_t n : {1, 5, 16, 17, 100, 128, 768})
	{
		for (size_t panel_count : {1, 3})
		{
			size_t		centres = panel_count * panel_width;
			std::vector<std::vector<float>> centre(centres);
			std::vector<float> panels(panel_count * n * panel_width);

			for (size_t c = 0; c < centres; c++)
			{
				centre[c] = kernel_test::random_floats(random, n);
				for (size_t j = 0; j < n; j++)
					panels[(c / panel_width * n + j) * panel_width + c % panel_width] = centre[c][j];
			}
			for (size_t row_count : {0, 1, 7, 8, 9, 19})
			{
				std::vector<std::vector<float>> rows;
				std::vector<const float *> pointers;

				for (size_t r = 0; r < row_count; r++)
					rows.push_back(kernel_test::random_floats(random, n));
				for (auto &row : rows)
					pointers.push_back(row.data());

				std::vector<float> out(row_count * centres + 1, -123.0f);

				kernels.f32_dot_panels(pointers.data(), row_count, panels.data(), panel_count, n,
									   out.data());
				for (size_t r = 0; r < row_count; r++)
					for (size_t c = 0; c < centres; c++)
					{
						ReferenceSums exact = reference_sums(rows[r], centre[c]);

						EXPECT_NEAR(out[r * centres + c], static_cast<double>(exact.dot),
									kernel_test::float32_sum_tolerance(n, static_cast<double>(exact.dot_abs)))
							<< "n " << n << " rows " << row_count << " row " << r << " centre " << c;
					}
				EXPECT_EQ(out[row_count * centres], -123.0f) << "wrote past the end";
			}
		}
	}
}

// k-means' bounds: every target lowers them and selects those below the
// limit exactly as the portable loops do (bounds bit for bit, indices in
// order), for every count around the vector widths, with moves that take
// bounds to 0, infinite bounds (which stay so), and limits of 0 and 255;
// nothing written past the bounds, nor past the slack after the selection.
TEST_P(Float32Kernels, LowerBoundsSelectMatchesThePortableLoops)
{
	using vector_core::infinite_bound;
	using vector_core::select_slack;
	std::mt19937 random(5);
	std::uniform_int_distribution<int> code(0, vector_core::most_bound_units);
	std::uniform_int_distribution<int> move(0, 40);
	const auto &kernels = vector_core::active_kernels();

	for (size_t count = 0; count <= 140; count++)
	{
		for (int limit : {0, 1, 100, 200, 255})
		{
			std::vector<uint8_t> bounds(count + 1);
			std::vector<uint8_t> moved(count);

			for (size_t g = 0; g < count; g++)
			{
				bounds[g] = g % 11 == 3 ? infinite_bound : static_cast<uint8_t>(code(random));
				moved[g] = static_cast<uint8_t>(g % 7 == 1 ? 255 : move(random));
			}
			bounds[count] = 0x12;

			std::vector<uint8_t> expected_bounds = bounds;
			std::vector<uint32_t> expected(count + select_slack, 0xdeadbeef);
			std::vector<uint32_t> selected(count + select_slack + 1, 0xdeadbeef);
			size_t		expected_count = vector_core::lower_bounds_select_portable(
				expected_bounds.data(), moved.data(), count, static_cast<uint8_t>(limit), expected.data());
			size_t		n = kernels.lower_bounds_select(bounds.data(), moved.data(), count,
														static_cast<uint8_t>(limit), selected.data());

			ASSERT_EQ(n, expected_count) << "count " << count << " limit " << limit;
			EXPECT_EQ(bounds, expected_bounds) << "count " << count << " limit " << limit;
			for (size_t t = 0; t < n; t++)
				EXPECT_EQ(selected[t], expected[t]) << "count " << count << " entry " << t;
			EXPECT_EQ(selected[count + select_slack], 0xdeadbeef) << "wrote past the slack";
		}
	}
}

// k-means' first pass per row, on every target: estimates as the formula
// gives them (to rounding: a target may fuse the multiply and add), and
// the least returned is the least written, NaNs skipped; roots bit for bit
// (square roots are exactly rounded), negatives and NaNs as 0; codes bit
// for bit the portable loop's, infinity 255.  Every count around the
// vector widths.
TEST_P(Float32Kernels, FirstPassRowKernelsMatchTheirDefinitions)
{
	std::mt19937 random(17);
	std::uniform_real_distribution<float> uniform(-5.0f, 50.0f);
	const auto &kernels = vector_core::active_kernels();
	const float infinity = std::numeric_limits<float>::infinity();
	const float nan = std::numeric_limits<float>::quiet_NaN();

	for (size_t k = 1; k <= 70; k++)
	{
		std::vector<float> dots(k), norms(k), out(k + 1, 7.0f);

		for (size_t c = 0; c < k; c++)
		{
			dots[c] = uniform(random);
			norms[c] = std::fabs(uniform(random)) * 3;
		}
		if (k % 5 == 2)
			dots[k / 2] = nan;	// an estimate that overflowed

		float		x_norm = 40.0f;
		float		keep = 1.0f - 0x1p-18f;
		float		least = kernels.f32_estimates_least(dots.data(), norms.data(), x_norm, keep, k, out.data());
		float		expected_least = infinity;

		for (size_t c = 0; c < k; c++)
		{
			double		exact = (static_cast<double>(x_norm) + norms[c]) * keep - 2.0 * dots[c];

			if (std::isnan(dots[c]))
			{
				EXPECT_TRUE(std::isnan(out[c]));
				continue;
			}
			EXPECT_NEAR(out[c], exact, 1e-5 * (std::fabs(exact) + 100)) << "k " << k << " c " << c;
			expected_least = std::min(expected_least, out[c]);
		}
		EXPECT_EQ(least, expected_least) << "k " << k;
		EXPECT_EQ(out[k], 7.0f) << "wrote past the end";

		std::vector<float> values(k + 1, 7.0f);

		for (size_t c = 0; c < k; c++)
			values[c] = c % 9 == 4 ? infinity : c % 13 == 6 ? nan : uniform(random);

		std::vector<float> roots = values;
		float		roots_least = kernels.f32_roots_least(roots.data(), k);
		float		expected_roots_least = infinity;

		for (size_t c = 0; c < k; c++)
		{
			float		expected = std::sqrt(values[c] > 0.0f ? values[c] : 0.0f);

			EXPECT_EQ(roots[c], expected) << "k " << k << " c " << c << " of " << values[c];
			expected_roots_least = std::min(expected_roots_least, expected);
		}
		EXPECT_EQ(roots_least, expected_roots_least) << "k " << k;
		EXPECT_EQ(roots[k], 7.0f) << "wrote past the end";

		for (int exponent : {-100, -7, 0, 3, 100})
		{
			float		per_unit = vector_core::units_per_distance(exponent);
			std::vector<float> distances(k);
			std::vector<uint8_t> codes(k + 1, 0x42), expected_codes(k + 1, 0x42);

			for (size_t c = 0; c < k; c++)
				distances[c] = c % 9 == 4 ? infinity : roots[c] * std::ldexp(1.0f, exponent) * 7.0f;
			kernels.encode_bounds(distances.data(), k, per_unit, codes.data());
			vector_core::encode_bounds_portable(distances.data(), k, per_unit, expected_codes.data());
			EXPECT_EQ(codes, expected_codes) << "k " << k << " exponent " << exponent;
			for (size_t c = 0; c < k; c++)
				EXPECT_EQ(codes[c], vector_core::encode_bound(distances[c], per_unit)) << "k " << k << " c " << c;
		}
	}
}

// The portable loops against the definition: a finite bound less its move,
// at least 0; infinity kept; selected exactly those below the limit.
TEST(BoundCodes, LowerBoundsSelectPortableFollowsTheDefinition)
{
	std::vector<uint8_t> bounds = {0, 1, 5, 5, 254, 255, 255, 200, 17};
	std::vector<uint8_t> moved = {0, 3, 5, 4, 255, 0, 255, 10, 0};
	std::vector<uint32_t> selected(bounds.size() + vector_core::select_slack);
	size_t		n = vector_core::lower_bounds_select_portable(bounds.data(), moved.data(), bounds.size(), 17,
															  selected.data());

	EXPECT_EQ(bounds, (std::vector<uint8_t>{0, 0, 0, 1, 0, 255, 255, 190, 17}));
	ASSERT_EQ(n, 5u);
	EXPECT_EQ(std::vector<uint32_t>(selected.begin(), selected.begin() + 5),
			  (std::vector<uint32_t>{0, 1, 2, 3, 4}));
}

// The distance a bound's code stands for (kernel_table.hpp)
float
decode_bound(uint8_t code, int exponent)
{
	return code == vector_core::infinite_bound ? std::numeric_limits<float>::infinity()
		: std::ldexp(static_cast<float>(code), exponent);
}

// A bound's code, decoded, is never above the bound and less than one unit
// below it (up to the largest code, 254 units); infinity is 255; negative
// bounds are 0.  A move in units, rounded up, is never below the move.
// Checked against long double arithmetic over many magnitudes, including
// values that land exactly on and just beside whole units.
TEST(BoundCodes, EncodingIsALowerBoundWithinOneUnit)
{
	using vector_core::encode_bound;
	std::mt19937 random(11);
	std::uniform_real_distribution<float> fraction(0.0f, 1.0f);
	const float infinity = std::numeric_limits<float>::infinity();

	for (float reach : {0.0f, 1e-30f, 3e-7f, 0.01f, 0.7f, 1.0f, 5.5f, 300.0f, 6.5e4f, 1e20f, infinity})
	{
		int			exponent = vector_core::bound_exponent_for(reach);
		float		per_unit = vector_core::units_per_distance(exponent);
		long double unit = std::ldexp(1.0L, exponent);

		ASSERT_GE(exponent, vector_core::least_bound_exponent);
		ASSERT_LE(exponent, vector_core::most_bound_exponent);
		if (reach > 1e-27f && reach < 1e29f)
		{
			// 1.25 reach fits in 254 units, of at least 1/203 of reach
			EXPECT_GE(254.0L * unit, 1.25L * reach) << reach;
			EXPECT_LE(unit, 2.5L * reach / 254.0L) << reach;
		}
		EXPECT_EQ(encode_bound(infinity, per_unit), vector_core::infinite_bound);
		EXPECT_EQ(decode_bound(vector_core::infinite_bound, exponent), infinity);
		EXPECT_EQ(encode_bound(-1.0f, per_unit), 0);
		EXPECT_EQ(encode_bound(-infinity, per_unit), 0);

		for (int t = 0; t < 3000; t++)
		{
			long double target = t < 300 ? (t / 3) * unit : fraction(random) * 300.0L * unit;
			float		value = static_cast<float>(target);

			if (t < 300 && t % 3 != 0)
				value = std::nextafter(value, t % 3 == 1 ? 0.0f : infinity);
			if (!std::isfinite(value))
				continue;

			uint8_t		code = encode_bound(value, per_unit);
			long double decoded = decode_bound(code, exponent);

			ASSERT_LT(code, vector_core::infinite_bound) << value;
			EXPECT_LE(decoded, static_cast<long double>(value)) << value << " reach " << reach;
			if (value < 254.0L * unit)
				EXPECT_GT(decoded + unit, static_cast<long double>(value)) << value << " reach " << reach;
			else
				EXPECT_EQ(code, vector_core::most_bound_units) << value;

			uint8_t		up = vector_core::bound_units_up(value, exponent);

			if (value / unit < 255.0L)
			{
				EXPECT_GE(up * unit, static_cast<long double>(value)) << value << " reach " << reach;
				EXPECT_LT((up - 1) * unit, static_cast<long double>(value)) << value << " reach " << reach;
			}
			else
				EXPECT_EQ(up, 255) << value;
		}
	}
}

/* arithmetic ------------------------------------------------------------- */

TEST_P(Float32Kernels, ArithmeticMatchesFloatOperations)
{
	std::mt19937 random(3);

	for (size_t n : kernel_test::test_lengths())
	{
		auto		a = kernel_test::random_floats(random, n);
		auto		b = kernel_test::random_floats(random, n);
		std::vector<float> sum(n), difference(n), product(n);

		ASSERT_EQ(vc_f32_add(a.data(), b.data(), sum.data(), n), VC_OK);
		ASSERT_EQ(vc_f32_subtract(a.data(), b.data(), difference.data(), n), VC_OK);
		// random products may underflow (1e-39 * 1e-39), which is an error
		vc_status	status = vc_f32_multiply(a.data(), b.data(), product.data(), n);
		bool		underflows = false;

		for (size_t i = 0; i < n; i++)
		{
			EXPECT_EQ(sum[i], a[i] + b[i]);
			EXPECT_EQ(difference[i], a[i] - b[i]);
			EXPECT_EQ(product[i], a[i] * b[i]);
			underflows |= a[i] * b[i] == 0.0f && a[i] != 0.0f && b[i] != 0.0f;
		}
		EXPECT_EQ(status, underflows ? VC_ERROR_OUT_OF_RANGE : VC_OK) << n;
	}
}

TEST_P(Float32Kernels, ArithmeticReportsOverflowAndUnderflowAtAnyPosition)
{
	const float huge = std::numeric_limits<float>::max();

	for (size_t n : {1, 3, 8, 15, 16, 17, 40, 100})
	{
		for (size_t position = 0; position < n; position++)
		{
			std::vector<float> a(n, 1.5f), b(n, 2.0f), out(n);

			a[position] = huge;
			b[position] = huge;
			EXPECT_EQ(vc_f32_add(a.data(), b.data(), out.data(), n), VC_ERROR_OUT_OF_RANGE);
			EXPECT_EQ(vc_f32_multiply(a.data(), b.data(), out.data(), n), VC_ERROR_OUT_OF_RANGE);
			b[position] = -huge;
			EXPECT_EQ(vc_f32_subtract(a.data(), b.data(), out.data(), n), VC_ERROR_OUT_OF_RANGE);
			EXPECT_EQ(vc_f32_add(a.data(), b.data(), out.data(), n), VC_OK);

			// underflow to zero from non-zero inputs
			a[position] = 1e-30f;
			b[position] = 1e-30f;
			EXPECT_EQ(vc_f32_multiply(a.data(), b.data(), out.data(), n), VC_ERROR_OUT_OF_RANGE);
			// a zero input makes a zero product legitimate
			a[position] = 0.0f;
			EXPECT_EQ(vc_f32_multiply(a.data(), b.data(), out.data(), n), VC_OK);
			// a subnormal but non-zero product is fine
			a[position] = 1e-20f;
			b[position] = 1e-20f;
			EXPECT_EQ(vc_f32_multiply(a.data(), b.data(), out.data(), n), VC_OK);
		}
	}
}

TEST_P(Float32Kernels, ArithmeticOutputMayAliasAnInput)
{
	std::vector<float> a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
	std::vector<float> b(a.size(), 2.0f);
	size_t		n = a.size();

	ASSERT_EQ(vc_f32_multiply(a.data(), b.data(), a.data(), n), VC_OK);
	ASSERT_EQ(vc_f32_add(a.data(), b.data(), b.data(), n), VC_OK);
	for (size_t i = 0; i < n; i++)
	{
		EXPECT_EQ(a[i], 2.0f * (i + 1));
		EXPECT_EQ(b[i], 2.0f * (i + 1) + 2.0f);
	}
}

TEST_P(Float32Kernels, AccumulateIntoDoubles)
{
	std::mt19937 random(11);

	for (size_t n : {0, 1, 7, 33, 1536})
	{
		auto		a = kernel_test::random_floats(random, n);
		std::vector<double> sums(n, 0.25);

		vc_f64_accumulate_f32(sums.data(), a.data(), n);
		vc_f64_accumulate_f32(sums.data(), a.data(), n);
		for (size_t i = 0; i < n; i++)
			EXPECT_EQ(sums[i], 0.25 + static_cast<double>(a[i]) + static_cast<double>(a[i]));
	}
}

INSTANTIATE_FOR_EVERY_TARGET(Float32Kernels);

/* the oracle itself, against hand-computed values -------------------------- */

TEST(ScalarOracle, HandComputedDistances)
{
	const float a[] = {1, 2, 3};
	const float b[] = {4, 5, 6};

	EXPECT_EQ(vector_core::scalar::f32_l2_squared(a, b, 3), 27.0f);
	EXPECT_EQ(vector_core::scalar::f32_inner_product(a, b, 3), 32.0f);
	EXPECT_EQ(vector_core::scalar::f32_l1(a, b, 3), 9.0f);
	EXPECT_EQ(vector_core::scalar::f32_sum_of_squares(a, 3), 14.0);
	// 1 - 32 / sqrt(14 * 77)
	EXPECT_DOUBLE_EQ(vector_core::cosine_distance_from_sums(vector_core::scalar::f32_cosine_sums(a, b, 3)),
					 1.0 - 32.0 / std::sqrt(14.0 * 77.0));
}

}							// namespace
