// large_pages.hpp: memory for the core's large arrays (k-means samples and
// bounds, tens to hundreds of megabytes) in transparent huge pages where
// the kernel offers them on request (madvise mode, Debian's default):
// first touching 4 kB pages costs one page fault each, and on virtual
// machines a fault is expensive; 2 MB pages take 512 times fewer.
// Allocations below large_page_bytes come from operator new as usual.
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

namespace vector_core
{

inline constexpr size_t large_page_bytes = size_t(2) << 20;

// Memory for bytes from operator new, aligned to large_page_bytes (and
// advised to be backed by huge pages) when it is at least that large;
// throws std::bad_alloc.  Release with free_large(pointer, bytes), the same
// bytes.
void	   *allocate_large(size_t bytes);
void		free_large(void *pointer, size_t bytes) noexcept;

// The machine's physical memory (SIZE_MAX if unknown)
size_t		physical_memory_bytes() noexcept;

// std::vector<T, LargePageAllocator<T>>: a vector whose large buffers are
// in huge pages.  resize() leaves the new elements of a trivial type
// uninitialised (default-initialised, not zeroed), for arrays that are
// written before they are read: zeroing would touch every page up front,
// in one thread, where the threads that fill them in would share the
// page faults.
template <typename T>
struct LargePageAllocator
{
	using value_type = T;

	LargePageAllocator() noexcept = default;
	template <typename U>
	LargePageAllocator(const LargePageAllocator<U> &) noexcept
	{
	}

	T		   *allocate(size_t n)
	{
		if (n > SIZE_MAX / sizeof(T))
			throw std::bad_alloc();
		return static_cast<T *>(allocate_large(n * sizeof(T)));
	}
	void		deallocate(T *pointer, size_t n) noexcept { free_large(pointer, n * sizeof(T)); }

	template <typename U>
	void		construct(U *pointer) noexcept(std::is_nothrow_default_constructible_v<U>)
	{
		::new (static_cast<void *>(pointer)) U;
	}
	template <typename U, typename... Args>
	void		construct(U *pointer, Args &&...args)
	{
		::new (static_cast<void *>(pointer)) U(std::forward<Args>(args)...);
	}

	template <typename U>
	bool		operator==(const LargePageAllocator<U> &) const noexcept { return true; }
};

// Faults in fresh memory in a thread of its own (every signal blocked), so
// that the caller, which writes it later, does not wait for the page
// faults: on a virtual machine a first touch of fresh memory costs about a
// millisecond per megabyte, as much as reading the rows it will hold.
// Populating does not change the memory's contents, so the caller may
// write it meanwhile.  One range at a time: prefault() waits for the one
// before.  Without MADV_POPULATE_WRITE (Linux before 5.14), or without a
// thread, it does nothing.
//
// Unlike the core's other threads (DESIGN.md: joined before the core call
// returns), this one outlives the call that starts it, so that its faults
// overlap the caller's table scan: it only calls madvise() on memory its
// owner allocated, with every signal blocked, and the owner joins it
// before freeing that memory, also when an ERROR frees the owner.
class Prefaulter
{
public:
	struct Range
	{
		void	   *pointer;
		size_t		bytes;
	};

	Prefaulter() = default;
	Prefaulter(const Prefaulter &) = delete;
	Prefaulter &operator=(const Prefaulter &) = delete;
	~Prefaulter() { wait(); }

	// both ranges, in one thread
	void		prefault(Range first, Range second = Range{nullptr, 0}) noexcept;
	void		wait() noexcept;

private:
	std::thread thread_;
};

}							// namespace vector_core
