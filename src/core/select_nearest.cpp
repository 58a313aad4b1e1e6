// select_nearest.cpp: partial sort of scored ids.
#include "select_nearest.hpp"

#include <algorithm>

namespace vector_core
{

void
select_nearest(vc_scored_id *items, size_t count, size_t take) noexcept
{
	if (take > count)
		take = count;
	if (take == 0)
		return;
	// nth_element is linear on average (introselect: never quadratic), and
	// only the first take are then sorted.
	if (take < count)
		std::nth_element(items, items + take - 1, items + count, scored_nearer);
	std::sort(items, items + take, scored_nearer);
}

}							// namespace vector_core
