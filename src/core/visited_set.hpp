// visited_set.hpp: the set of element ids a graph search has already seen.
//
// An open-addressing hash table of uint64 ids whose slots carry the
// generation they were written in: a slot is occupied only if its tag is the
// current generation, so clearing the set between searches is one increment
// (hnswlib's VisitedList idea), and its memory is reused.
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vector_core
{

class VisitedSet
{
public:
	// Room for initial_capacity ids before the first growth (rounded up).
	explicit VisitedSet(size_t initial_capacity = 1024);

	// Forget every id, in O(1) (except once per 2^32 clears).
	void		clear() noexcept;

	// Add id; true if it was not in the set.  May throw std::bad_alloc when
	// the table grows (the set is unchanged then).
	bool		insert(uint64_t id);

	bool		contains(uint64_t id) const noexcept;

	size_t		size() const noexcept { return count_; }

	// Number of slots (a power of two), for tests of growth.
	size_t		slot_count() const noexcept { return slots_.size(); }

private:
	struct Slot
	{
		uint64_t	id;
		uint32_t	generation;	// occupied iff equal to generation_
	};

	size_t		find_slot(uint64_t id) const noexcept;
	void		grow();

	std::vector<Slot> slots_;
	size_t		mask_;			// slots_.size() - 1
	size_t		count_ = 0;
	uint32_t	generation_ = 1;	// slots start at 0: empty
};

}							// namespace vector_core
