// large_pages_test.cpp: the prefaulting thread faults memory in without
// changing it, while the caller writes the same memory, and a prefault
// started on memory that is freed right after is waited for first.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "large_pages.hpp"

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

}							// namespace
