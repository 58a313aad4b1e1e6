// hnsw_graph.hpp: the in-memory HNSW graph of an index build (the object
// behind vector_core.h's vc_hnsw_graph).
//
// Storage, hnswlib-style: every element is one fixed-stride record holding
// its lock word, its layer-0 list (a count and 2m ids), its bookkeeping and
// its vector (or, for sparse vectors, where its vector is).  Records live in
// chunks of a power-of-two number of them, so element i is found with a
// shift and a mask, a chunk never moves once allocated, and growing the
// graph never copies it (nor needs twice its memory for a moment).  Upper
// layers' lists, sparse vectors and payload lists of merged duplicates come
// from a bump arena.  Duplicates are found with a chained hash table whose
// chains run through the records.
//
// Linking, Malkov & Yashunin's insert: greedy descent (ef 1) from the entry
// point down to the element's level, then on each layer from there to 0 a
// search with ef_construction from the previous layer's results, the
// neighbour-selection heuristic (hnsw_neighbour_selection.hpp) choosing at
// most m (2m on layer 0), filled up with pruned candidates as pgvector does,
// and reverse links, a full list being re-selected with the heuristic and
// filled up (so exactly one link goes).  Several threads link at once with a
// spinlock per element around its lists (hnswlib's scheme) and a mutex for
// the entry point.
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "element_distance.hpp"
#include "hnsw_neighbour_selection.hpp"
#include "vector_core.h"

namespace vector_core
{

// An element with its distance to the one being linked (or to a query).
struct HnswCandidate
{
	float		distance;
	uint32_t	element;
};

class HnswGraph
{
public:
	static bool is_valid_params(const vc_hnsw_params &params) noexcept;

	// params must be valid.  May throw std::bad_alloc.
	explicit	HnswGraph(const vc_hnsw_params &params);
	~HnswGraph();

	HnswGraph(const HnswGraph &) = delete;
	HnswGraph &operator=(const HnswGraph &) = delete;

	size_t		memory_bytes() const noexcept;
	size_t		append_cost(size_t vector_bytes) const noexcept;

	// Whether vector (bytes long) is one of the graph's kind.
	bool		is_valid_vector(const void *vector, size_t bytes) const noexcept;

	// Append a valid vector.  VC_ERROR_TOO_MANY past 2^32 - 1 elements;
	// VC_ERROR_NO_MEMORY, the graph then unchanged.
	vc_status	append(const void *vector, size_t bytes, uint64_t payload, bool *merged) noexcept;

	size_t		pending_count() const noexcept { return count_ - linked_; }
	size_t		element_count() const noexcept { return count_; }

	// threads >= 1.  After an error the graph is only good for freeing (some
	// elements may be half linked): later calls fail the same way.
	vc_status	link_pending(size_t max_elements, int threads, size_t *linked) noexcept;

	bool		entry_point(uint32_t *element, int *level) const noexcept;

	// element < element_count().
	void		element_view(uint32_t element, vc_hnsw_element_view &out) const noexcept;

	size_t		neighbours(uint32_t element, int layer, uint32_t *out,
						   size_t capacity) const noexcept;

	// order has room for element_count() entries.  May throw std::bad_alloc.
	void		layout_order(uint32_t *order) const;

private:
	struct ElementMeta;
	struct LinkScratch;
	class Arena;

	// Record layout and access.
	std::byte  *record(uint32_t element) const noexcept
	{
		return record_chunks_[element >> records_per_chunk_shift_].get() +
			static_cast<size_t>(element & records_per_chunk_mask_) * record_stride_;
	}
	uint32_t   *lock_word(uint32_t element) const noexcept;
	ElementMeta &meta(uint32_t element) const noexcept;
	uint32_t   *list(uint32_t element, int layer) const noexcept;	// count, then ids
	const void *vector(uint32_t element) const noexcept;
	size_t		vector_bytes(uint32_t element) const noexcept;
	size_t		list_capacity(int layer) const noexcept { return layer == 0 ? 2 * m_ : m_; }
	size_t		record_capacity() const noexcept
	{
		return record_chunks_.size() << records_per_chunk_shift_;
	}

	// Appending.
	uint32_t	find_mergeable(const void *vector, size_t bytes, uint32_t hash) const noexcept;
	void		add_record_chunk();
	void		grow_buckets();
	int			draw_level(uint64_t &state) const noexcept;

	// Linking.
	void		prepare_scratch(size_t workers);
	void		link_element(uint32_t element, LinkScratch &scratch,
							 const ElementDistance &distance);
	size_t		collect_unvisited(uint32_t element, int layer, uint16_t *visited, uint16_t tag,
								  LinkScratch &scratch) const noexcept;
	void		prefetch_vector(const void *vector) const noexcept;
	void		prefetch_list(uint32_t element, int layer) const noexcept;
	void		greedy_descent(uint32_t element, const void *query, uint32_t &nearest,
							   float &nearest_distance, int layer, LinkScratch &scratch,
							   const ElementDistance &distance) const noexcept;
	void		search_layer(uint32_t element, const void *query, int layer,
							 LinkScratch &scratch, const ElementDistance &distance) const;
	void		add_link(uint32_t neighbour, uint32_t element, float element_distance,
						 int layer, LinkScratch &scratch, const ElementDistance &distance);
	void		reselect_list(uint32_t base, uint32_t *stored, size_t capacity,
							  const HnswCandidate *extra, size_t extra_count,
							  LinkScratch &scratch, const ElementDistance &distance);
	bool		is_linked(uint32_t element) const noexcept;

	const vc_element_kind kind_;
	const vc_metric metric_;
	const size_t dimensions_;
	const size_t fixed_vector_bytes_;	// 0 for SPARSE
	const size_t m_;
	const size_t ef_construction_;
	const double level_multiplier_;	// mL = 1 / ln(m)

	// Record layout: [lock][layer-0 count][2m ids] [ElementMeta] [vector slot]
	size_t		meta_offset_;
	size_t		vector_offset_;
	size_t		record_stride_;
	uint32_t	records_per_chunk_shift_;
	uint32_t	records_per_chunk_mask_;
	size_t		record_chunk_bytes_;
	size_t		prefetch_vector_bytes_;

	struct AlignedFree
	{
		void		operator()(std::byte *block) const noexcept;
	};
	std::vector<std::unique_ptr<std::byte[], AlignedFree>> record_chunks_;
	std::unique_ptr<Arena> arena_;
	std::vector<uint32_t> buckets_;	// heads of the duplicate chains
	uint64_t	level_state_;	// splitmix64 state of the level generator

	size_t		count_ = 0;		// elements created
	size_t		linked_ = 0;	// elements [0, linked_) are linked
	vc_status	failure_ = VC_OK;	// of a link_pending that left the graph damaged

	std::mutex	entry_mutex_;
	uint32_t	entry_;			// UINT32_MAX while the graph is empty
	int			entry_level_ = -1;

	std::vector<std::unique_ptr<LinkScratch>> scratch_;	// one per linking thread
};

}							// namespace vector_core
