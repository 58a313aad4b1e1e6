// select_nearest.hpp: the order of scored ids (nearest first, ties by smaller
// id, NaN last) and a partial sort by it, for IVFFlat scans and for ranking
// centres.
#pragma once

#include "cpp_only.hpp"

#include <cmath>
#include <cstddef>

#include "vector_core.h"

namespace vector_core
{

// A strict weak order even with NaN: a NaN distance follows every number,
// and NaNs among themselves go by id, so the result is deterministic.
inline bool
scored_nearer(const vc_scored_id &a, const vc_scored_id &b) noexcept
{
	bool		a_nan = std::isnan(a.distance);
	bool		b_nan = std::isnan(b.distance);

	if (a_nan != b_nan)
		return b_nan;
	if (!a_nan && a.distance != b.distance)
		return a.distance < b.distance;
	return a.id < b.id;
}

// items[0..min(take, count)) become the nearest, sorted; the rest follow in
// no particular order.  Linear in count plus take log take.
void		select_nearest(vc_scored_id *items, size_t count, size_t take) noexcept;

}							// namespace vector_core
