// ivf_api.cpp: the extern "C" IVFFlat functions of vector_core.h (k-means,
// nearest centres, selection of the nearest scored tuples).
//
// Each one checks its arguments and runs its work through status_of, so no
// exception crosses the C boundary.
#include "nearest_centers.hpp"
#include "select_nearest.hpp"
#include "status_of.hpp"

using namespace vector_core;

extern "C" vc_status
vc_nearest_centers(vc_element_kind kind, vc_metric metric, size_t dimensions,
				   const void *centers, size_t count, const void *query,
				   size_t k, uint32_t *nearest, float *distances) noexcept
{
	if (!nearest_centers_configuration_is_valid(kind, metric, dimensions) ||
		query == nullptr || nearest == nullptr || (count > 0 && centers == nullptr) ||
		count > UINT32_MAX)
		return VC_ERROR_INVALID_ARGUMENT;

	const ElementDistance distance(kind, metric, dimensions);

	return status_of([&] {
		nearest_centers(distance, centers, count, query, k, nearest, distances);
	});
}

extern "C" void
vc_select_nearest(vc_scored_id *items, size_t count, size_t take) noexcept
{
	if (items != nullptr)
		select_nearest(items, count, take);
}
