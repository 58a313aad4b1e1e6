// nearest_centers.cpp: the nearest of contiguous centres to a vector.
#include "nearest_centers.hpp"

#include <algorithm>
#include <vector>

#include "select_nearest.hpp"

namespace vector_core
{

namespace
{

// Centres scored per batch call: enough to amortise the call, few enough
// that the pointers and distances stay on the stack.
constexpr size_t block_size = 64;

}							// namespace

bool
nearest_centers_configuration_is_valid(vc_element_kind kind, vc_metric metric,
									   size_t dimensions) noexcept
{
	return (kind == VC_ELEMENT_F32 || kind == VC_ELEMENT_F16 || kind == VC_ELEMENT_BITS) &&
		ElementDistance::is_valid_configuration(kind, metric, dimensions);
}

void
distances_to_contiguous(const ElementDistance &distance, const void *query,
						const void *vectors, size_t count, float *out) noexcept
{
	const char *base = static_cast<const char *>(vectors);
	size_t		stride = distance.fixed_bytes();
	const void *pointers[block_size];

	for (size_t start = 0; start < count; start += block_size)
	{
		size_t		n = std::min(block_size, count - start);

		for (size_t i = 0; i < n; i++)
			pointers[i] = base + (start + i) * stride;
		distance.batch(query, pointers, n, out + start);
	}
}

void
nearest_centers(const ElementDistance &distance, const void *centers, size_t count,
				const void *query, size_t k, uint32_t *nearest, float *distances)
{
	k = std::min(k, count);
	if (k == 0)
		return;
	if (k == 1)
	{
		// The build assigns every row this way: no allocation, one pass.
		const char *base = static_cast<const char *>(centers);
		float		block[block_size];
		vc_scored_id best = {0, __builtin_nanf("")};

		for (size_t start = 0; start < count; start += block_size)
		{
			size_t		n = std::min(block_size, count - start);

			distances_to_contiguous(distance, query, base + start * distance.fixed_bytes(),
									n, block);
			for (size_t i = 0; i < n; i++)
			{
				vc_scored_id candidate = {start + i, block[i]};

				if (start + i == 0 || scored_nearer(candidate, best))
					best = candidate;
			}
		}
		nearest[0] = static_cast<uint32_t>(best.id);
		if (distances != nullptr)
			distances[0] = best.distance;
		return;
	}

	std::vector<float> all(count);
	std::vector<vc_scored_id> items(count);

	distances_to_contiguous(distance, query, centers, count, all.data());
	for (size_t i = 0; i < count; i++)
		items[i] = vc_scored_id{i, all[i]};
	select_nearest(items.data(), count, k);
	for (size_t i = 0; i < k; i++)
	{
		nearest[i] = static_cast<uint32_t>(items[i].id);
		if (distances != nullptr)
			distances[i] = items[i].distance;
	}
}

}							// namespace vector_core
