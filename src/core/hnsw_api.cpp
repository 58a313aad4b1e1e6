// hnsw_api.cpp: the extern "C" vc_hnsw_* functions of vector_core.h.
//
// Each one checks its arguments and turns any exception of the C++ side
// (only allocation failures are possible) into a vc_status, so nothing
// throws across the C boundary.
#include "hnsw_graph.hpp"
#include "status_of.hpp"

#include <new>
#include <vector>

using namespace vector_core;

// The opaque handle the glue holds is the graph itself.
struct vc_hnsw_graph : HnswGraph
{
	using HnswGraph::HnswGraph;
};

extern "C" vc_status
vc_hnsw_graph_create(const vc_hnsw_params *params, vc_hnsw_graph **out) noexcept
{
	return create_handle(params, &HnswGraph::is_valid_params, out);
}

extern "C" void
vc_hnsw_graph_free(vc_hnsw_graph *graph) noexcept
{
	delete graph;
}

extern "C" size_t
vc_hnsw_graph_memory_bytes(const vc_hnsw_graph *graph) noexcept
{
	return graph == nullptr ? 0 : graph->memory_bytes();
}

extern "C" size_t
vc_hnsw_graph_append_cost(const vc_hnsw_graph *graph, size_t vector_bytes) noexcept
{
	return graph == nullptr ? 0 : graph->append_cost(vector_bytes);
}

extern "C" vc_status
vc_hnsw_graph_append(vc_hnsw_graph *graph, const void *vector, size_t vector_bytes,
					 uint64_t payload, bool *merged) noexcept
{
	bool		joined = false;

	if (merged != nullptr)
		*merged = false;
	if (graph == nullptr || !graph->is_valid_vector(vector, vector_bytes))
		return VC_ERROR_INVALID_ARGUMENT;

	vc_status	status = graph->append(vector, vector_bytes, payload, &joined);

	if (merged != nullptr)
		*merged = joined;
	return status;
}

extern "C" size_t
vc_hnsw_graph_pending_count(const vc_hnsw_graph *graph) noexcept
{
	return graph == nullptr ? 0 : graph->pending_count();
}

extern "C" vc_status
vc_hnsw_graph_link_pending(vc_hnsw_graph *graph, size_t max_elements, int threads,
						   size_t *linked) noexcept
{
	size_t		count = 0;

	if (linked != nullptr)
		*linked = 0;
	if (graph == nullptr || threads < 1)
		return VC_ERROR_INVALID_ARGUMENT;

	vc_status	status = graph->link_pending(max_elements, threads, &count);

	if (linked != nullptr)
		*linked = count;
	return status;
}

extern "C" size_t
vc_hnsw_graph_element_count(const vc_hnsw_graph *graph) noexcept
{
	return graph == nullptr ? 0 : graph->element_count();
}

extern "C" bool
vc_hnsw_graph_entry_point(const vc_hnsw_graph *graph, uint32_t *element, int *level) noexcept
{
	uint32_t	entry;
	int			entry_level;

	if (graph == nullptr || !graph->entry_point(&entry, &entry_level))
		return false;
	if (element != nullptr)
		*element = entry;
	if (level != nullptr)
		*level = entry_level;
	return true;
}

extern "C" vc_status
vc_hnsw_graph_element(const vc_hnsw_graph *graph, uint32_t element,
					  vc_hnsw_element_view *out) noexcept
{
	if (graph == nullptr || out == nullptr || element >= graph->element_count())
		return VC_ERROR_INVALID_ARGUMENT;
	graph->element_view(element, *out);
	return VC_OK;
}

extern "C" size_t
vc_hnsw_graph_neighbours(const vc_hnsw_graph *graph, uint32_t element, int layer,
						 uint32_t *out, size_t capacity) noexcept
{
	if (graph == nullptr || (out == nullptr && capacity > 0))
		return 0;
	return graph->neighbours(element, layer, out, capacity);
}

extern "C" vc_status
vc_hnsw_graph_layout_order(const vc_hnsw_graph *graph, uint32_t *order,
						   size_t capacity) noexcept
{
	if (graph == nullptr || capacity < graph->element_count() ||
		(order == nullptr && graph->element_count() > 0))
		return VC_ERROR_INVALID_ARGUMENT;
	return status_of([&] { graph->layout_order(order); });
}

extern "C" vc_status
vc_hnsw_select_neighbours(vc_element_kind kind, vc_metric metric, size_t dimensions,
						  const void *const *vectors, const float *distances,
						  size_t count, size_t m, uint32_t *selected,
						  size_t *selected_count) noexcept
{
	if (selected_count == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;
	*selected_count = 0;
	if (!ElementDistance::is_valid_configuration(kind, metric, dimensions) ||
		(count > 0 && (vectors == nullptr || distances == nullptr || selected == nullptr)) ||
		count > UINT32_MAX)
		return VC_ERROR_INVALID_ARGUMENT;

	// The heuristic relies on the order: check it (and that nothing is NaN)
	// rather than select wrongly.
	for (size_t i = 0; i < count; i++)
	{
		if (vectors[i] == nullptr || !(i == 0 ? distances[i] == distances[i]
									   : distances[i - 1] <= distances[i]))
			return VC_ERROR_INVALID_ARGUMENT;
		if (kind == VC_ELEMENT_SPARSE && SparseBody::bytes_of(vectors[i]) == 0)
			return VC_ERROR_INVALID_ARGUMENT;
	}

	return status_of([&] {
		SelectionScratch scratch;

		scratch.reserve(count);
		*selected_count = select_neighbours(ElementDistance(kind, metric, dimensions), vectors,
											distances, count, m, m, selected, scratch);
	});
}

extern "C" vc_status
vc_element_distance(vc_element_kind kind, vc_metric metric, size_t dimensions,
					const void *a, const void *b, float *distance) noexcept
{
	if (a == nullptr || b == nullptr || distance == nullptr ||
		!ElementDistance::is_valid_configuration(kind, metric, dimensions))
		return VC_ERROR_INVALID_ARGUMENT;
	*distance = ElementDistance(kind, metric, dimensions).pair(a, b);
	return VC_OK;
}
