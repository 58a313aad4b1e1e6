// visited_set.cpp: open addressing with linear probing and generation tags.
#include "visited_set.hpp"

#include "hash_mix.hpp"

#include <bit>

namespace vector_core
{

// Ids are often packed (block << 16 | offset): mix64 spreads their bits.

VisitedSet::VisitedSet(size_t initial_capacity)
{
	// At most half full, so a probe sequence stays short.
	size_t		slots = std::bit_ceil(initial_capacity < 8 ? size_t{16} : initial_capacity * 2);

	slots_.assign(slots, Slot{0, 0});
	mask_ = slots - 1;
}

void
VisitedSet::clear() noexcept
{
	count_ = 0;
	if (++generation_ == 0)
	{
		// The tags wrapped: old ones could look current, so wipe them.
		for (Slot &slot : slots_)
			slot.generation = 0;
		generation_ = 1;
	}
}

// The slot holding id, or the empty slot where it would go.
size_t
VisitedSet::find_slot(uint64_t id) const noexcept
{
	size_t		position = mix64(id) & mask_;

	while (slots_[position].generation == generation_ && slots_[position].id != id)
		position = (position + 1) & mask_;
	return position;
}

bool
VisitedSet::contains(uint64_t id) const noexcept
{
	return slots_[find_slot(id)].generation == generation_;
}

bool
VisitedSet::insert(uint64_t id)
{
	size_t		position = find_slot(id);

	if (slots_[position].generation == generation_)
		return false;
	if (2 * (count_ + 1) > slots_.size())
	{
		grow();
		position = find_slot(id);
	}
	slots_[position] = Slot{id, generation_};
	count_++;
	return true;
}

// Double the table, moving over the ids of the current generation.
void
VisitedSet::grow()
{
	std::vector<Slot> bigger(slots_.size() * 2, Slot{0, 0});	// may throw: nothing changed yet
	size_t		bigger_mask = bigger.size() - 1;

	for (const Slot &slot : slots_)
	{
		if (slot.generation != generation_)
			continue;

		size_t		position = mix64(slot.id) & bigger_mask;

		while (bigger[position].generation == generation_)
			position = (position + 1) & bigger_mask;
		bigger[position] = slot;
	}
	slots_.swap(bigger);
	mask_ = bigger_mask;
}

}							// namespace vector_core
