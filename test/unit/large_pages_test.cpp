// large_pages_test.cpp: the prefaulting thread faults memory in without
// changing it, while the caller writes the same memory, and a prefault
// started on memory that is freed right after is waited for first; a
// k-means whose capacity's bounds would pass a quarter of the machine's
// memory allocates them later, for its samples, with the same result.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "large_pages.hpp"
#include "vector_core.h"

namespace
{

using Large = std::vector<uint64_t, vector_core::LargePageAllocator<uint64_t>>;

TEST(Prefaulter, LeavesContentsAsTheCallerWroteThem)
{
	const size_t words = (size_t(6) << 20) / sizeof(uint64_t);	// three huge pages

	for (int round = 0; round < 4; round++)
	{
		Large		first;
		Large		second;
		vector_core::Prefaulter prefaulter;

		first.resize(words);
		second.resize(words / 3 + 5);
		prefaulter.prefault({first.data(), words * sizeof(uint64_t)},
							{second.data() + 1, (words / 3 + 4) * sizeof(uint64_t)});
		// written while the other thread may still be faulting them in
		for (size_t i = 0; i < words; i++)
			first[i] = i * 2654435761u + static_cast<uint64_t>(round);
		for (size_t i = 0; i < second.size(); i++)
			second[i] = ~i;
		prefaulter.wait();
		for (size_t i = 0; i < words; i++)
			ASSERT_EQ(first[i], i * 2654435761u + static_cast<uint64_t>(round)) << i;
		for (size_t i = 0; i < second.size(); i++)
			ASSERT_EQ(second[i], ~i) << i;
	}
}

TEST(Prefaulter, EmptyAndRepeatedRangesAndDestructionWhileRunning)
{
	Large		memory;

	memory.resize((size_t(4) << 20) / sizeof(uint64_t));
	std::memset(memory.data(), 0x5a, memory.size() * sizeof(uint64_t));
	{
		vector_core::Prefaulter prefaulter;

		prefaulter.prefault({nullptr, 0});
		prefaulter.prefault({memory.data(), memory.size() * sizeof(uint64_t)});
		prefaulter.prefault({memory.data(), memory.size() * sizeof(uint64_t)});	// waits for the first
	}	// joined here, before the memory goes
	for (uint64_t word : memory)
		ASSERT_EQ(word, 0x5a5a5a5a5a5a5a5aull);
}

// The bounds for the capacity are allocated up front only while they
// take at most a quarter of the machine's memory (kmeans.cpp): past that,
// the same samples give the same centres and assignment.
TEST(Prefaulter, KMeansWithAHugeCapacityGivesTheSameResult)
{
	const size_t dimensions = 16;
	const size_t centers = 20;
	const size_t samples = 3000;
	size_t		huge = vector_core::physical_memory_bytes() / 4 / centers + 1000;
	std::vector<float> rows(samples * dimensions);

	for (size_t i = 0; i < rows.size(); i++)
		rows[i] = static_cast<float>((i * 2654435761u) % 1000) / 100.0f + static_cast<float>(i / dimensions % 7);

	auto		cluster = [&](size_t capacity, std::vector<float> &out, std::vector<uint32_t> &assignment) {
		vc_kmeans_params params = {VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, dimensions, centers, capacity, 500, 2, 9};
		vc_kmeans  *kmeans = nullptr;
		bool		done = false;

		ASSERT_EQ(vc_kmeans_create(&params, &kmeans), VC_OK);
		for (size_t i = 0; i < samples; i++)
			ASSERT_EQ(vc_kmeans_set_sample(kmeans, i, rows.data() + i * dimensions), VC_OK);
		while (!done)
			ASSERT_EQ(vc_kmeans_run(kmeans, 100000, &done), VC_OK);
		out.resize(centers * dimensions);
		assignment.resize(samples);
		ASSERT_EQ(vc_kmeans_centers(kmeans, out.data(), out.size() * sizeof(float)), VC_OK);
		ASSERT_EQ(vc_kmeans_assignment(kmeans, assignment.data(), samples), VC_OK);
		vc_kmeans_free(kmeans);
	};
	std::vector<float> small_centers, huge_centers;
	std::vector<uint32_t> small_assignment, huge_assignment;

	if (huge > UINT32_MAX - 1)
		GTEST_SKIP() << "more memory than a capacity can reach";
	cluster(samples, small_centers, small_assignment);
	cluster(huge, huge_centers, huge_assignment);
	EXPECT_EQ(small_centers, huge_centers);
	EXPECT_EQ(small_assignment, huge_assignment);
}

}							// namespace
