// large_pages.cpp: see large_pages.hpp.
#include "large_pages.hpp"

#include <sys/mman.h>

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

}							// namespace vector_core
