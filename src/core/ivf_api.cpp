// ivf_api.cpp: the extern "C" IVFFlat functions of vector_core.h (k-means,
// nearest centres, selection of the nearest scored tuples).
//
// Each one checks its arguments and runs its work through status_of, so no
// exception crosses the C boundary.
#include "kmeans.hpp"
#include "nearest_centers.hpp"
#include "select_nearest.hpp"
#include "status_of.hpp"

#include <cstring>

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

/* k-means ------------------------------------------------------------------ */

// The opaque handle the glue holds is the k-means itself.
struct vc_kmeans : KMeans
{
	using KMeans::KMeans;
};

extern "C" size_t
vc_kmeans_memory_bytes(const vc_kmeans_params *params) noexcept
{
	return params == nullptr ? 0 : KMeans::memory_bytes(*params);
}

extern "C" vc_status
vc_kmeans_create(const vc_kmeans_params *params, vc_kmeans **out) noexcept
{
	return create_handle(params, &KMeans::is_valid, out);
}

extern "C" void
vc_kmeans_free(vc_kmeans *kmeans) noexcept
{
	delete kmeans;
}

extern "C" vc_status
vc_kmeans_set_sample(vc_kmeans *kmeans, size_t index, const void *vector) noexcept
{
	if (kmeans == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	return kmeans->set_sample(index, vector);
}

extern "C" vc_status
vc_kmeans_set_centers(vc_kmeans *kmeans, const void *centers) noexcept
{
	if (kmeans == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	return kmeans->set_initial_centers(centers);
}

extern "C" vc_status
vc_kmeans_set_max_iterations(vc_kmeans *kmeans, int max_iterations) noexcept
{
	if (kmeans == nullptr || max_iterations < 1)
		return VC_ERROR_INVALID_ARGUMENT;
	kmeans->set_max_iterations(max_iterations);
	return VC_OK;
}

extern "C" vc_status
vc_kmeans_run(vc_kmeans *kmeans, size_t max_distances, bool *done) noexcept
{
	if (kmeans == nullptr || done == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	return kmeans->run(max_distances, done);
}

extern "C" void
vc_kmeans_get_progress(const vc_kmeans *kmeans, vc_kmeans_progress *out) noexcept
{
	if (kmeans != nullptr && out != nullptr)
		kmeans->progress(out);
}

extern "C" vc_status
vc_kmeans_centers(const vc_kmeans *kmeans, void *out, size_t capacity_bytes) noexcept
{
	if (kmeans == nullptr || out == nullptr || !kmeans->finished() ||
		capacity_bytes < kmeans->centers_bytes())
		return VC_ERROR_INVALID_ARGUMENT;
	std::memcpy(out, kmeans->centers(), kmeans->centers_bytes());
	return VC_OK;
}

extern "C" vc_status
vc_kmeans_assignment(const vc_kmeans *kmeans, uint32_t *out, size_t count) noexcept
{
	if (kmeans == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	return kmeans->assignment(out, count);
}

extern "C" const void *
vc_kmeans_sample(const vc_kmeans *kmeans, size_t index) noexcept
{
	if (kmeans == nullptr || index >= kmeans->sample_count())
		return nullptr;
	return kmeans->sample_row(index);
}
