// kernel_float16_test.cpp: binary16 conversion (against independent
// computations and, on x86 targets with F16C, against the hardware) and the
// float16 distances of every target.
#include "kernel_test_support.hpp"

#include <cstring>

#include "cpu_dispatch.hpp"
#include "kernels_scalar.hpp"

namespace
{

using kernel_test::float32_sum_tolerance;
using kernel_test::PerTarget;

uint32_t
bits_of(float value)
{
	uint32_t	bits;

	std::memcpy(&bits, &value, sizeof(bits));
	return bits;
}

// The value of a half from its fields, computed in double.
double
half_value(uint16_t half)
{
	int			sign = (half & 0x8000) ? -1 : 1;
	int			exponent = (half >> 10) & 0x1f;
	int			mantissa = half & 0x3ff;

	if (exponent == 0)
		return sign * std::ldexp(mantissa, -24);
	if (exponent == 31)
		return mantissa ? NAN : sign * INFINITY;
	return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(Float16Conversion, EveryHalfToFloat)
{
	for (uint32_t h = 0; h <= 0xffff; h++)
	{
		float		value = vc_f16_to_f32(static_cast<uint16_t>(h));
		double		expected = half_value(static_cast<uint16_t>(h));

		if (std::isnan(expected))
			EXPECT_TRUE(std::isnan(value)) << h;
		else
		{
			EXPECT_EQ(value, expected) << h;
			EXPECT_EQ(std::signbit(value), (h & 0x8000) != 0) << h;
		}
	}
}

TEST(Float16Conversion, EveryHalfSurvivesARoundTrip)
{
	for (uint32_t h = 0; h <= 0xffff; h++)
	{
		if (std::isnan(half_value(static_cast<uint16_t>(h))))
			continue;
		EXPECT_EQ(vc_f32_to_f16(vc_f16_to_f32(static_cast<uint16_t>(h))), h);
	}
}

TEST(Float16Conversion, EdgeValues)
{
	EXPECT_EQ(vc_f32_to_f16(0.0f), 0x0000);
	EXPECT_EQ(vc_f32_to_f16(-0.0f), 0x8000);
	EXPECT_EQ(vc_f32_to_f16(1.0f), 0x3c00);
	EXPECT_EQ(vc_f32_to_f16(-2.0f), 0xc000);
	EXPECT_EQ(vc_f32_to_f16(65504.0f), 0x7bff);	// largest half
	EXPECT_EQ(vc_f32_to_f16(65519.996f), 0x7bff);	// just below halfway
	EXPECT_EQ(vc_f32_to_f16(65520.0f), 0x7c00);	// halfway: even is 2^16, inf
	EXPECT_EQ(vc_f32_to_f16(-1e10f), 0xfc00);
	EXPECT_EQ(vc_f32_to_f16(INFINITY), 0x7c00);
	EXPECT_EQ(vc_f32_to_f16(-INFINITY), 0xfc00);
	EXPECT_TRUE(std::isnan(vc_f16_to_f32(vc_f32_to_f16(NAN))));
	EXPECT_EQ(vc_f32_to_f16(0x1p-14f), 0x0400);	// smallest normal
	EXPECT_EQ(vc_f32_to_f16(0x1p-24f), 0x0001);	// smallest subnormal
	EXPECT_EQ(vc_f32_to_f16(0x1p-25f), 0x0000);	// halfway to it: even is 0
	EXPECT_EQ(vc_f32_to_f16(0x1.000002p-25f), 0x0001);	// just above halfway
	EXPECT_EQ(vc_f32_to_f16(0x3p-25f), 0x0002);	// 1.5 units: even is 2
	EXPECT_EQ(vc_f32_to_f16(0x5p-25f), 0x0002);	// 2.5 units: even is 2
	EXPECT_EQ(vc_f32_to_f16(-0x1p-30f), 0x8000);	// underflow keeps the sign
	EXPECT_EQ(vc_f32_to_f16(0x1.ff8p-15f), 0x03ff);	// largest subnormal, 1023 units
	EXPECT_EQ(vc_f32_to_f16(0x1.ffap-15f), 0x03ff);	// 1023.25 units
	EXPECT_EQ(vc_f32_to_f16(0x1.ffcp-15f), 0x0400);	// 1023.5: even is the smallest normal
	EXPECT_EQ(vc_f32_to_f16(1.0f + 0x1p-11f), 0x3c00);	// tie: even mantissa
	EXPECT_EQ(vc_f32_to_f16(1.0f + 0x3p-11f), 0x3c02);	// tie: rounds up to even
	EXPECT_EQ(vc_f32_to_f16(1e-45f), 0x0000);	// float subnormal
}

// Rounding of every 65537th float bit pattern, against the nearest-even
// choice between the two neighbouring halves computed in double.
TEST(Float16Conversion, RoundsToNearestEven)
{
	for (uint64_t bits = 0; bits < 0x477ff000; bits += 65537)
	{
		uint32_t	b32 = static_cast<uint32_t>(bits);
		float		value;

		std::memcpy(&value, &b32, sizeof(value));
		uint16_t	half = vc_f32_to_f16(value);
		double		chosen = half_value(half);

		ASSERT_FALSE(std::isinf(chosen)) << value;
		// no other half is nearer, and a tie goes to the even one
		double		below = half == 0 ? -half_value(1) : half_value(half - 1);
		double		above = half_value(half + 1);
		double		error = std::fabs(chosen - value);

		EXPECT_LE(error, std::fabs(below - value)) << value;
		if (half != 0x7bff)
		{
			EXPECT_LE(error, std::fabs(above - value)) << value;
		}
		if (error == std::fabs(above - value) || error == std::fabs(below - value))
		{
			EXPECT_EQ(half & 1, 0) << value;
		}
	}
}

class Float16Kernels : public PerTarget
{
};

TEST_P(Float16Kernels, ArrayConversionsMatchScalarConversion)
{
	std::mt19937 random(21);
	std::uniform_real_distribution<float> uniform(-70000.0f, 70000.0f);
	std::uniform_int_distribution<uint32_t> any_half(0, 0xffff);

	for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 33, 300, 2000})
	{
		std::vector<uint16_t> halves(n);
		std::vector<float> floats(n);

		for (auto &h : halves)
			h = static_cast<uint16_t>(any_half(random));
		vc_f16_array_to_f32(halves.data(), floats.data(), n);
		for (size_t i = 0; i < n; i++)
		{
			float		expected = vc_f16_to_f32(halves[i]);

			if (std::isnan(expected))
				EXPECT_TRUE(std::isnan(floats[i]));
			else
				EXPECT_EQ(bits_of(floats[i]), bits_of(expected)) << halves[i];
		}

		// In range: every value converted as the scalar conversion does.
		auto		values = kernel_test::random_floats(random, n);

		for (auto &v : values)
			v = std::fmod(v, 65000.0f);
		std::vector<uint16_t> out(n);
		size_t		bad = 12345;

		ASSERT_EQ(vc_f32_array_to_f16(values.data(), out.data(), n, &bad), VC_OK);
		for (size_t i = 0; i < n; i++)
			EXPECT_EQ(out[i], vc_f32_to_f16(values[i])) << values[i];
	}
}

TEST_P(Float16Kernels, EveryHalfConvertsAsTheScalarConversionDoes)
{
	std::vector<uint16_t> halves(65536);
	std::vector<float> floats(65536);

	for (uint32_t h = 0; h <= 0xffff; h++)
		halves[h] = static_cast<uint16_t>(h);
	vc_f16_array_to_f32(halves.data(), floats.data(), halves.size());
	for (uint32_t h = 0; h <= 0xffff; h++)
	{
		float		expected = vc_f16_to_f32(static_cast<uint16_t>(h));

		if (std::isnan(expected))
			EXPECT_TRUE(std::isnan(floats[h])) << h;
		else
			EXPECT_EQ(bits_of(floats[h]), bits_of(expected)) << h;
	}
}

TEST_P(Float16Kernels, ArrayConversionReportsTheFirstOverflow)
{
	for (size_t n : {1, 8, 9, 16, 17, 40})
	{
		for (size_t position = 0; position < n; position++)
		{
			std::vector<float> values(n, 1.5f);
			std::vector<uint16_t> out(n);
			size_t		bad = 12345;

			values[position] = -65520.0f;
			if (position + 1 < n)
				values[position + 1] = 1e30f;	// a later overflow is not the one reported
			EXPECT_EQ(vc_f32_array_to_f16(values.data(), out.data(), n, &bad), VC_ERROR_OUT_OF_RANGE);
			EXPECT_EQ(bad, position);

			// infinity itself is representable, and 65519 rounds to 65504
			values[position] = INFINITY;
			if (position + 1 < n)
				values[position + 1] = 65519.0f;
			EXPECT_EQ(vc_f32_array_to_f16(values.data(), out.data(), n, &bad), VC_OK);
			EXPECT_EQ(out[position], 0x7c00);
			if (position + 1 < n)
			{
				EXPECT_EQ(out[position + 1], 0x7bff);
			}
		}
	}
}

std::vector<uint16_t>
random_halves(std::mt19937 &random, size_t n)
{
	auto		values = kernel_test::random_floats(random, n);
	std::vector<uint16_t> halves(n);

	// keep within the half range; subnormal halves come from the 1e-39 and
	// 1e4-scaled draws being reduced
	for (size_t i = 0; i < n; i++)
	{
		float		v = std::fmod(values[i], 60000.0f);

		if (i % 7 == 0)
			v *= 0x1p-20f;		/* subnormal halves */
		halves[i] = vc_f32_to_f16(v);
	}
	return halves;
}

std::vector<float>
as_floats(const std::vector<uint16_t> &halves)
{
	std::vector<float> floats(halves.size());

	for (size_t i = 0; i < halves.size(); i++)
		floats[i] = vc_f16_to_f32(halves[i]);
	return floats;
}

TEST_P(Float16Kernels, DistancesWithinFloat32RoundingOfExactSums)
{
	std::mt19937 random(77);
	const auto &kernels = vector_core::active_kernels();

	for (size_t n : kernel_test::test_lengths())
	{
		auto		a = random_halves(random, n);
		auto		b = random_halves(random, n);
		auto		x = as_floats(a);
		auto		y = as_floats(b);
		long double l2 = 0, dot = 0, dot_abs = 0, l1 = 0, norm_a = 0, norm_b = 0;

		for (size_t i = 0; i < n; i++)
		{
			long double d = static_cast<long double>(x[i]) - y[i];

			l2 += d * d;
			dot += static_cast<long double>(x[i]) * y[i];
			dot_abs += fabsl(static_cast<long double>(x[i]) * y[i]);
			l1 += fabsl(d);
			norm_a += static_cast<long double>(x[i]) * x[i];
			norm_b += static_cast<long double>(y[i]) * y[i];
		}

		SCOPED_TRACE("n = " + std::to_string(n));
		EXPECT_NEAR(vc_f16_l2_squared(a.data(), b.data(), n), l2, float32_sum_tolerance(n, l2));
		EXPECT_NEAR(vc_f16_inner_product(a.data(), b.data(), n), dot, float32_sum_tolerance(n, dot_abs));
		EXPECT_NEAR(vc_f16_l1(a.data(), b.data(), n), l1, float32_sum_tolerance(n, l1));

		vector_core::CosineSums sums = kernels.f16_cosine_sums(a.data(), b.data(), n);

		EXPECT_NEAR(sums.dot, dot, float32_sum_tolerance(n, dot_abs));
		EXPECT_NEAR(sums.norm_a, norm_a, float32_sum_tolerance(n, norm_a));
		EXPECT_NEAR(sums.norm_b, norm_b, float32_sum_tolerance(n, norm_b));
		EXPECT_EQ(vc_f16_l2_norm(a.data(), n),
				  std::sqrt(vector_core::scalar::f16_sum_of_squares(a.data(), n)));
	}
}

TEST_P(Float16Kernels, SmallIntegersGiveExactlyTheOracleResult)
{
	std::mt19937 random(8);

	for (size_t n : kernel_test::test_lengths())
	{
		auto		fa = kernel_test::small_integers(random, n);
		auto		fb = kernel_test::small_integers(random, n);
		std::vector<uint16_t> a(n), b(n);

		for (size_t i = 0; i < n; i++)
		{
			a[i] = vc_f32_to_f16(fa[i]);
			b[i] = vc_f32_to_f16(fb[i]);
		}
		SCOPED_TRACE("n = " + std::to_string(n));
		EXPECT_EQ(vc_f16_l2_squared(a.data(), b.data(), n),
				  vector_core::scalar::f32_l2_squared(fa.data(), fb.data(), n));
		EXPECT_EQ(vc_f16_inner_product(a.data(), b.data(), n),
				  vector_core::scalar::f32_inner_product(fa.data(), fb.data(), n));
		EXPECT_EQ(vc_f16_l1(a.data(), b.data(), n),
				  vector_core::scalar::f32_l1(fa.data(), fb.data(), n));
		double		expected_cosine = vc_f32_cosine_distance(fa.data(), fb.data(), n);

		if (std::isnan(expected_cosine))
			EXPECT_TRUE(std::isnan(vc_f16_cosine_distance(a.data(), b.data(), n)));
		else
			EXPECT_EQ(vc_f16_cosine_distance(a.data(), b.data(), n), expected_cosine);
	}
}

TEST_P(Float16Kernels, CosineSpecialCases)
{
	std::vector<uint16_t> zero(40, 0);
	std::vector<uint16_t> a(40);

	for (size_t i = 0; i < a.size(); i++)
		a[i] = vc_f32_to_f16(static_cast<float>(i) - 20.0f);
	EXPECT_TRUE(std::isnan(vc_f16_cosine_distance(zero.data(), zero.data(), zero.size())));
	EXPECT_TRUE(std::isnan(vc_f16_cosine_distance(a.data(), zero.data(), a.size())));
	EXPECT_EQ(vc_f16_cosine_distance(a.data(), a.data(), a.size()), 0.0);
	EXPECT_EQ(vc_f16_l2_squared(a.data(), a.data(), a.size()), 0.0f);
}

TEST_P(Float16Kernels, BatchEqualsSingleCallsBitForBit)
{
	std::mt19937 random(4);
	const vc_metric metrics[] = {VC_METRIC_L2_SQUARED, VC_METRIC_NEGATIVE_INNER_PRODUCT,
	VC_METRIC_COSINE, VC_METRIC_L1};

	for (size_t n : {0, 1, 9, 16, 31, 64, 100, 768})
	{
		auto		query = random_halves(random, n);
		std::vector<std::vector<uint16_t>> vectors;
		std::vector<const uint16_t *> pointers;

		for (size_t i = 0; i < 9; i++)
			vectors.push_back(random_halves(random, n));
		for (auto &vector : vectors)
			pointers.push_back(vector.data());

		for (vc_metric metric : metrics)
		{
			std::vector<float> distances(vectors.size());

			vc_f16_distance_batch(metric, query.data(), pointers.data(), pointers.size(), n,
								  distances.data());
			for (size_t i = 0; i < vectors.size(); i++)
			{
				const uint16_t *v = pointers[i];
				float		expected = 0.0f;

				switch (metric)
				{
					case VC_METRIC_L2_SQUARED:
						expected = vc_f16_l2_squared(query.data(), v, n);
						break;
					case VC_METRIC_NEGATIVE_INNER_PRODUCT:
						expected = -vc_f16_inner_product(query.data(), v, n);
						break;
					case VC_METRIC_COSINE:
						expected = static_cast<float>(vc_f16_cosine_distance(query.data(), v, n));
						break;
					case VC_METRIC_L1:
						expected = vc_f16_l1(query.data(), v, n);
						break;
					case VC_METRIC_HAMMING:
					case VC_METRIC_JACCARD:
						break;	/* bit-string metrics: not tested here */
				}
				if (std::isnan(expected))
					EXPECT_TRUE(std::isnan(distances[i]));
				else
					EXPECT_EQ(distances[i], expected) << metric << " " << n << " " << i;
			}
		}
	}
}

INSTANTIATE_FOR_EVERY_TARGET(Float16Kernels);

}							// namespace
