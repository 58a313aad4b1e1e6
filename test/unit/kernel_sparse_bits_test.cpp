// kernel_sparse_bits_test.cpp: sparse merge-join distances against dense
// computations, and the bit-string kernels of every target against a
// bit-by-bit count.
#include "kernel_test_support.hpp"

#include <algorithm>

#include "kernels_scalar.hpp"

namespace
{

using kernel_test::float32_sum_tolerance;
using kernel_test::PerTarget;

struct Sparse
{
	std::vector<int32_t> index;
	std::vector<float> value;

	std::vector<float> dense(size_t dim) const
	{
		std::vector<float> d(dim, 0.0f);

		for (size_t i = 0; i < index.size(); i++)
			d[index[i]] = value[i];
		return d;
	}
};

// Each index of 0..dim present with probability density, values from make.
template <typename Make>
Sparse
random_sparse(std::mt19937 &random, size_t dim, double density, Make make)
{
	std::bernoulli_distribution present(density);
	Sparse		s;

	for (size_t i = 0; i < dim; i++)
	{
		if (present(random))
		{
			s.index.push_back(static_cast<int32_t>(i));
			s.value.push_back(make());
		}
	}
	return s;
}

float
sparse_l2(const Sparse &a, const Sparse &b)
{
	return vc_sparse_l2_squared(a.index.data(), a.value.data(), a.index.size(),
								b.index.data(), b.value.data(), b.index.size());
}

float
sparse_ip(const Sparse &a, const Sparse &b)
{
	return vc_sparse_inner_product(a.index.data(), a.value.data(), a.index.size(),
								   b.index.data(), b.value.data(), b.index.size());
}

double
sparse_cosine(const Sparse &a, const Sparse &b)
{
	return vc_sparse_cosine_distance(a.index.data(), a.value.data(), a.index.size(),
									 b.index.data(), b.value.data(), b.index.size());
}

float
sparse_l1(const Sparse &a, const Sparse &b)
{
	return vc_sparse_l1(a.index.data(), a.value.data(), a.index.size(),
						b.index.data(), b.value.data(), b.index.size());
}

// pgvector 0.8 sums sparse L1 in float32, like the dense L1: after 1e8 (whose
// float32 ulp is 8) every further 1 rounds away.  A float64 sum would give
// 1e8 + 1000, and disagree with the same vector stored dense.
TEST(SparseKernels, L1SumsInFloat32LikeTheDenseOne)
{
	Sparse		a;
	Sparse		empty;

	a.index.push_back(0);
	a.value.push_back(1e8f);
	for (int32_t i = 1; i <= 1000; i++)
	{
		a.index.push_back(i);
		a.value.push_back(1.0f);
	}
	EXPECT_EQ(sparse_l1(a, empty), 1e8f);
	EXPECT_EQ(sparse_l1(empty, a), 1e8f);
}

TEST(SparseKernels, HandComputedCases)
{
	// a = {0: 1, 2: 2}, b = {2: 3, 5: 4}: overlapping at 2 only
	Sparse		a{{0, 2}, {1, 2}};
	Sparse		b{{2, 5}, {3, 4}};
	Sparse		empty;

	EXPECT_EQ(sparse_l2(a, b), 1.0f + 1.0f + 16.0f);
	EXPECT_EQ(sparse_ip(a, b), 6.0f);
	EXPECT_EQ(sparse_l1(a, b), 1.0f + 1.0f + 4.0f);
	EXPECT_DOUBLE_EQ(sparse_cosine(a, b), 1.0 - 6.0 / std::sqrt(5.0 * 25.0));

	// disjoint: every element counts in L2 and L1, none in the product
	Sparse		c{{1, 3}, {2, -2}};

	EXPECT_EQ(sparse_l2(a, c), 1.0f + 4.0f + 4.0f + 4.0f);
	EXPECT_EQ(sparse_l1(a, c), 1.0f + 2.0f + 2.0f + 2.0f);
	EXPECT_EQ(sparse_ip(a, c), 0.0f);
	EXPECT_EQ(sparse_cosine(a, c), 1.0);

	// empty vectors
	EXPECT_EQ(sparse_l2(a, empty), 5.0f);
	EXPECT_EQ(sparse_l2(empty, a), 5.0f);
	EXPECT_EQ(sparse_l1(empty, b), 7.0f);
	EXPECT_EQ(sparse_l2(empty, empty), 0.0f);
	EXPECT_EQ(sparse_ip(empty, empty), 0.0f);
	EXPECT_TRUE(std::isnan(sparse_cosine(empty, empty)));
	EXPECT_TRUE(std::isnan(sparse_cosine(a, empty)));
	EXPECT_EQ(sparse_cosine(a, a), 0.0);
}

TEST(SparseKernels, IntegerValuesEqualTheDenseOracle)
{
	std::mt19937 random(17);
	std::uniform_int_distribution<int> small(-8, 8);
	auto		make = [&] { return static_cast<float>(small(random)); };

	for (size_t dim : {1, 2, 10, 100, 1000, 16000})
	{
		for (double density_a : {0.0, 0.05, 0.5, 1.0})
		{
			for (double density_b : {0.0, 0.3, 1.0})
			{
				Sparse		a = random_sparse(random, dim, density_a, make);
				Sparse		b = random_sparse(random, dim, density_b, make);
				auto		da = a.dense(dim);
				auto		db = b.dense(dim);

				EXPECT_EQ(sparse_l2(a, b), vector_core::scalar::f32_l2_squared(da.data(), db.data(), dim));
				EXPECT_EQ(sparse_ip(a, b), vector_core::scalar::f32_inner_product(da.data(), db.data(), dim));
				EXPECT_EQ(sparse_l1(a, b), vector_core::scalar::f32_l1(da.data(), db.data(), dim));

				double		dense_cosine = vector_core::cosine_distance_from_sums(
					vector_core::scalar::f32_cosine_sums(da.data(), db.data(), dim));

				if (std::isnan(dense_cosine))
					EXPECT_TRUE(std::isnan(sparse_cosine(a, b)));
				else
					EXPECT_EQ(sparse_cosine(a, b), dense_cosine);
			}
		}
	}
}

TEST(SparseKernels, RandomValuesWithinFloat32Rounding)
{
	std::mt19937 random(18);
	std::normal_distribution<float> normal(0.0f, 1.0f);
	auto		make = [&] { return normal(random) * (random() % 5 == 0 ? 1e6f : 1.0f); };

	for (size_t dim : {50, 1000, 100000})
	{
		Sparse		a = random_sparse(random, dim, 0.1, make);
		Sparse		b = random_sparse(random, dim, 0.1, make);
		auto		da = a.dense(dim);
		auto		db = b.dense(dim);
		long double l2 = 0, ip = 0, ip_abs = 0, l1 = 0;

		for (size_t i = 0; i < dim; i++)
		{
			long double d = static_cast<long double>(da[i]) - db[i];

			l2 += d * d;
			ip += static_cast<long double>(da[i]) * db[i];
			ip_abs += fabsl(static_cast<long double>(da[i]) * db[i]);
			l1 += fabsl(d);
		}
		size_t		terms = a.index.size() + b.index.size();

		EXPECT_NEAR(sparse_l2(a, b), l2, float32_sum_tolerance(terms, l2));
		EXPECT_NEAR(sparse_ip(a, b), ip, float32_sum_tolerance(terms, ip_abs));
		EXPECT_NEAR(sparse_l1(a, b), l1, float32_sum_tolerance(terms, l1));
	}
}

/* bits ------------------------------------------------------------------- */

uint64_t
count_ones_bit_by_bit(const std::vector<uint8_t> &bytes)
{
	uint64_t	count = 0;

	for (uint8_t byte : bytes)
		for (int bit = 0; bit < 8; bit++)
			count += (byte >> bit) & 1;
	return count;
}

std::vector<uint8_t>
combine(const std::vector<uint8_t> &a, const std::vector<uint8_t> &b, bool use_and)
{
	std::vector<uint8_t> out(a.size());

	for (size_t i = 0; i < a.size(); i++)
		out[i] = use_and ? (a[i] & b[i]) : (a[i] ^ b[i]);
	return out;
}

class BitKernels : public PerTarget
{
};

TEST_P(BitKernels, HammingAndJaccardAgainstBitByBitCounts)
{
	std::mt19937 random(31);
	std::uniform_int_distribution<int> byte(0, 255);
	std::vector<size_t> sizes;

	for (size_t n = 0; n <= 300; n++)
		sizes.push_back(n);
	sizes.push_back(2000);			// 16000 bits
	sizes.push_back(8000);			// 64000 bits, pgvector's bit limit

	for (size_t nbytes : sizes)
	{
		std::vector<uint8_t> a(nbytes), b(nbytes);

		for (size_t i = 0; i < nbytes; i++)
		{
			a[i] = static_cast<uint8_t>(byte(random));
			b[i] = static_cast<uint8_t>(byte(random));
		}
		SCOPED_TRACE("nbytes = " + std::to_string(nbytes));
		EXPECT_EQ(vc_bits_hamming(a.data(), b.data(), nbytes), count_ones_bit_by_bit(combine(a, b, false)));

		uint64_t	both = count_ones_bit_by_bit(combine(a, b, true));
		uint64_t	in_a = count_ones_bit_by_bit(a);
		uint64_t	in_b = count_ones_bit_by_bit(b);
		double		expected = both == 0 ? 1.0 : 1.0 - static_cast<double>(both) / (in_a + in_b - both);

		EXPECT_EQ(vc_bits_jaccard(a.data(), b.data(), nbytes), expected);
	}
}

TEST_P(BitKernels, AllZerosAndIdenticalStrings)
{
	for (size_t nbytes : {0, 1, 8, 63, 64, 65, 200})
	{
		std::vector<uint8_t> zeros(nbytes, 0);
		std::vector<uint8_t> ones(nbytes, 0xff);

		EXPECT_EQ(vc_bits_hamming(zeros.data(), zeros.data(), nbytes), 0u);
		// pgvector: nothing in common, including both all zero, is distance 1
		EXPECT_EQ(vc_bits_jaccard(zeros.data(), zeros.data(), nbytes), 1.0);
		EXPECT_EQ(vc_bits_hamming(zeros.data(), ones.data(), nbytes), 8 * nbytes);
		EXPECT_EQ(vc_bits_jaccard(zeros.data(), ones.data(), nbytes), 1.0);
		if (nbytes > 0)
		{
			EXPECT_EQ(vc_bits_jaccard(ones.data(), ones.data(), nbytes), 0.0);
		}
	}

	// 1100 vs 1010 (one byte, padding zero): 1 shared of 3 set
	const uint8_t a = 0xc0;
	const uint8_t b = 0xa0;

	EXPECT_EQ(vc_bits_hamming(&a, &b, 1), 2u);
	EXPECT_DOUBLE_EQ(vc_bits_jaccard(&a, &b, 1), 1.0 - 1.0 / 3.0);
}

INSTANTIATE_FOR_EVERY_TARGET(BitKernels);

}							// namespace
