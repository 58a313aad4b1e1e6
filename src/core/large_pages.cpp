// large_pages.cpp: see large_pages.hpp.
#include "large_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include "worker_threads.hpp"

namespace vector_core
{

void *
allocate_large(size_t bytes)
{
	if (bytes < large_page_bytes)
		return ::operator new(bytes == 0 ? 1 : bytes);

	void	   *pointer = ::operator new(bytes, std::align_val_t(large_page_bytes));

#ifdef MADV_HUGEPAGE
	// Advice only (without transparent huge pages it is ignored or
	// refused), over the whole huge pages of the block, before anything
	// touches them.
	madvise(pointer, bytes / large_page_bytes * large_page_bytes, MADV_HUGEPAGE);
#endif
	return pointer;
}

void
free_large(void *pointer, size_t bytes) noexcept
{
	if (pointer == nullptr)
		return;
	if (bytes < large_page_bytes)
		::operator delete(pointer);
	else
		::operator delete(pointer, bytes, std::align_val_t(large_page_bytes));
}

size_t
physical_memory_bytes() noexcept
{
	long		pages = sysconf(_SC_PHYS_PAGES);
	long		page_size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || page_size <= 0)
		return SIZE_MAX;
	return static_cast<size_t>(pages) * static_cast<size_t>(page_size);
}

#ifdef MADV_POPULATE_WRITE
// The whole pages the range touches (madvise takes page-aligned starts; a
// page outside the mapping only makes it fail, harmlessly)
static void
populate(Prefaulter::Range range) noexcept
{
	long		page_size = sysconf(_SC_PAGESIZE);
	uintptr_t	page = page_size > 0 ? static_cast<uintptr_t>(page_size) : 4096;
	uintptr_t	start = reinterpret_cast<uintptr_t>(range.pointer) & ~(page - 1);
	uintptr_t	end = reinterpret_cast<uintptr_t>(range.pointer) + range.bytes;

	if (range.bytes > 0)
		madvise(reinterpret_cast<void *>(start), end - start, MADV_POPULATE_WRITE);
}
#endif

void
Prefaulter::prefault(Range first, Range second) noexcept
{
#ifdef MADV_POPULATE_WRITE
	wait();

	SignalsBlocked blocked;		// inherited by the thread

	try
	{
		thread_ = std::thread([first, second] {
			populate(first);
			populate(second);
		});
	}
	catch (...)
	{
		// no thread: the caller's writes fault the memory in
	}
#else
	(void) first;
	(void) second;
#endif
}

void
Prefaulter::wait() noexcept
{
	if (thread_.joinable())
		thread_.join();
}

}							// namespace vector_core
