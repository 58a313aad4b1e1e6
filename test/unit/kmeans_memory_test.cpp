// kmeans_memory_test.cpp: vc_kmeans_memory_bytes is an upper bound of what
// a k-means allocates from create to the end of its last run, measured by
// replacing the global operator new of this test program with one that
// counts (malloc's usable sizes, so the count errs on the high side).
#include <gtest/gtest.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "vector_core.h"

namespace
{

std::atomic<size_t> allocated{0};
std::atomic<size_t> peak{0};

void	   *
counted_allocation(size_t size)
{
	void	   *p = std::malloc(size == 0 ? 1 : size);

	if (p == nullptr)
		throw std::bad_alloc();

	size_t		now = allocated.fetch_add(malloc_usable_size(p)) + malloc_usable_size(p);
	size_t		high = peak.load();

	while (now > high && !peak.compare_exchange_weak(high, now))
	{
	}
	return p;
}

void
counted_free(void *p)
{
	if (p == nullptr)
		return;
	allocated.fetch_sub(malloc_usable_size(p));
	std::free(p);
}

}							// namespace

void	   *
operator new(size_t size)
{
	return counted_allocation(size);
}

void	   *
operator new[](size_t size)
{
	return counted_allocation(size);
}

// Every form that pairs with the deletes below (sorting uses the nothrow
// ones), so that nothing this file frees came from another allocator.
void	   *
operator new(size_t size, const std::nothrow_t &) noexcept
{
	try
	{
		return counted_allocation(size);
	}
	catch (...)
	{
		return nullptr;
	}
}

void	   *
operator new[](size_t size, const std::nothrow_t &tag) noexcept
{
	return operator new(size, tag);
}

void
operator delete(void *p) noexcept
{
	counted_free(p);
}

void
operator delete[](void *p) noexcept
{
	counted_free(p);
}

void
operator delete(void *p, size_t) noexcept
{
	counted_free(p);
}

void
operator delete[](void *p, size_t) noexcept
{
	counted_free(p);
}

// The core's large arrays are aligned to huge pages (large_pages.hpp) and
// counted as the whole huge pages they span: aligned_alloc's usable size
// includes alignment slack that is never touched.  Other aligned
// allocations (over-aligned types) count their usable size.
constexpr size_t huge_alignment = size_t(2) << 20;

size_t
counted_size(void *p, size_t size, std::align_val_t alignment)
{
	size_t		align = static_cast<size_t>(alignment);

	return align >= huge_alignment ? (size + align - 1) / align * align : malloc_usable_size(p);
}

void	   *
operator new(size_t size, std::align_val_t alignment)
{
	size_t		align = static_cast<size_t>(alignment);
	void	   *p = std::aligned_alloc(align, (size + align - 1) / align * align);

	if (p == nullptr)
		throw std::bad_alloc();

	size_t		counted = counted_size(p, size, alignment);
	size_t		now = allocated.fetch_add(counted) + counted;
	size_t		high = peak.load();

	while (now > high && !peak.compare_exchange_weak(high, now))
	{
	}
	return p;
}

void
operator delete(void *p, size_t size, std::align_val_t alignment) noexcept
{
	if (p == nullptr)
		return;
	allocated.fetch_sub(counted_size(p, size, alignment));
	std::free(p);
}

void
operator delete(void *p, std::align_val_t alignment) noexcept
{
	if (p == nullptr)
		return;
	if (static_cast<size_t>(alignment) >= huge_alignment)
		std::abort();			// the core frees its large arrays with their size
	allocated.fetch_sub(malloc_usable_size(p));
	std::free(p);
}

namespace
{

struct Case
{
	vc_element_kind kind;
	vc_metric	metric;
	size_t		dimensions;
	size_t		centers;
	size_t		samples;
	int			threads;
	size_t		capacity = 0;	// samples if 0; more leaves room for more bounds
	bool		warm = false;	// started from given centres (the first samples)
};

TEST(KMeansMemory, MemoryBytesBoundsWhatCreateAndRunAllocate)
{
	const Case	cases[] = {
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 64, 100, 2000, 1},
		{VC_ELEMENT_F32, VC_METRIC_COSINE, 33, 40, 1500, 2},
		{VC_ELEMENT_F32, VC_METRIC_NEGATIVE_INNER_PRODUCT, 8, 500, 300, 4},
		{VC_ELEMENT_BITS, VC_METRIC_HAMMING, 100, 64, 1000, 2},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 3, 1, 10, 1},
		{VC_ELEMENT_F32, VC_METRIC_COSINE, 768, 40, 3000, 2},	// samples in huge pages
		// fewer samples than the capacity: one bound per centre where it fits
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 64, 100, 2000, 2, 2100},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 32, 300, 20000, 2, 60000},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 128, 316, 20000, 2, 400000},
		{VC_ELEMENT_BITS, VC_METRIC_HAMMING, 100, 64, 1000, 1, 1000000},
		// given centres: the first pass's panels (in the sums' space, or
		// their own for fewer than 8 centres) and dot products
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 128, 316, 5000, 2, 0, true},
		{VC_ELEMENT_F32, VC_METRIC_COSINE, 768, 40, 3000, 2, 0, true},
		{VC_ELEMENT_F32, VC_METRIC_L2_SQUARED, 100, 3, 500, 3, 0, true},
		{VC_ELEMENT_BITS, VC_METRIC_HAMMING, 100, 64, 1000, 2, 0, true},
	};
	std::mt19937 random(8);

	for (const Case &c : cases)
	{
		vc_kmeans_params params = {c.kind, c.metric, c.dimensions, c.centers,
								   c.capacity == 0 ? c.samples : c.capacity, 50, c.threads, 1};
		size_t		row = c.kind == VC_ELEMENT_F32 ? c.dimensions * 4 : (c.dimensions + 7) / 8;
		std::vector<uint8_t> data(c.samples * row);
		std::normal_distribution<float> normal;

		for (size_t i = 0; i < data.size(); i++)
			if (c.kind == VC_ELEMENT_BITS)
				data[i] = static_cast<uint8_t>(random());
		if (c.kind == VC_ELEMENT_F32)
			for (size_t i = 0; i < data.size() / 4; i++)
				reinterpret_cast<float *>(data.data())[i] = normal(random);

		size_t		before = allocated.load();

		peak.store(before);

		vc_kmeans  *kmeans = nullptr;
		bool		done = false;

		ASSERT_EQ(vc_kmeans_create(&params, &kmeans), VC_OK);
		for (size_t i = 0; i < c.samples; i++)
			ASSERT_EQ(vc_kmeans_set_sample(kmeans, i, data.data() + i * row), VC_OK);
		if (c.warm)
		{
			ASSERT_EQ(vc_kmeans_set_centers(kmeans, data.data()), VC_OK);
		}
		while (!done)
			ASSERT_EQ(vc_kmeans_run(kmeans, 5000, &done), VC_OK);

		size_t		used = peak.load() - before;

		vc_kmeans_free(kmeans);
		EXPECT_LE(used, vc_kmeans_memory_bytes(&params))
			<< "kind " << c.kind << " metric " << c.metric << " centres " << c.centers;
		// and not wildly above it
		if (c.capacity == 0)
		{
			EXPECT_GE(2 * used + 4096, vc_kmeans_memory_bytes(&params));
		}
		EXPECT_EQ(allocated.load(), before) << "everything freed";
	}
}

}							// namespace
