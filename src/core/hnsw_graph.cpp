// hnsw_graph.cpp: storage, levels, duplicates, and the threaded insert.
#include "hnsw_graph.hpp"

#include "hash_mix.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <new>
#include <thread>

#include "worker_threads.hpp"

namespace vector_core
{

namespace
{

constexpr uint32_t no_element = UINT32_MAX;

// Chunk sizes: small enough that one more chunk is a modest step for the
// glue's maintenance_work_mem check, large enough that the chunk tables
// stay small and the allocator's own overhead negligible.
constexpr size_t record_chunk_target_bytes = 128 * 1024;
constexpr size_t arena_chunk_bytes = 64 * 1024;
constexpr size_t initial_bucket_count = 1024;
constexpr size_t max_link_threads = 64;

// Records start on cache lines when the vector is at least one line long
// (no kernel load then straddles two lines); small ones pack tighter.
constexpr size_t cache_line = 64;

// How much of a vector to prefetch before scoring it: all of a 128-d float
// one; beyond, the hardware prefetcher follows the kernel's sequential walk.
constexpr size_t max_prefetch_bytes = 8 * cache_line;

constexpr size_t
round_up(size_t value, size_t multiple) noexcept
{
	return (value + multiple - 1) / multiple * multiple;
}

// Where a sparse element's vector is (in the arena).
struct SparseSlot
{
	const void *vector;
	size_t		bytes;
};

using Scored = HnswCandidate;

// The order of the search state: smaller distance, then smaller element
// number.  For what the glue sees (neighbour lists as written).
inline bool
nearer(const Scored &a, const Scored &b) noexcept
{
	return a.distance < b.distance || (a.distance == b.distance && a.element < b.element);
}

// The order while linking base: smaller distance, then equal distances in
// an order scrambled per base (a bijection of the element number, so still
// strict and total).  With ties by element number, every duplicate of a
// vector would keep the same lowest-numbered copies in its lists and the
// later copies would lose all their in-links; scrambled, each keeps a
// different subset and the copies stay reachable.  Computed only on ties.
struct LinkOrder
{
	uint32_t	base;

	bool		before(const Scored &a, const Scored &b) const noexcept
	{
		if (a.distance != b.distance)
			return a.distance < b.distance;
		return rank(a.element) < rank(b.element);
	}

	uint64_t	rank(uint32_t element) const noexcept
	{
		return mix64((static_cast<uint64_t>(base) << 32) | element);
	}
};

// Heap orders: std::push_heap keeps the "largest" by the comparator on top.
struct FurthestOnTop
{
	LinkOrder	order;

	bool		operator()(const Scored &a, const Scored &b) const noexcept
	{
		return order.before(a, b);
	}
};

struct NearestOnTop
{
	LinkOrder	order;

	bool		operator()(const Scored &a, const Scored &b) const noexcept
	{
		return order.before(b, a);
	}
};

inline void
cpu_relax() noexcept
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

// A spinlock on an element's lock word: a list is held for one scan of it
// or, at worst, one re-selection (microseconds), so spinning beats a mutex
// per element (40 bytes each).  Yields after a while, in case the holder
// was descheduled on a busy machine.  No thread ever holds two of them.
class ElementLock
{
public:
	explicit	ElementLock(uint32_t *word) noexcept : word_(*word)
	{
		for (int spins = 0; word_.exchange(1, std::memory_order_acquire) != 0;)
			while (word_.load(std::memory_order_relaxed) != 0)
			{
				if (++spins < 128)
					cpu_relax();
				else
					std::this_thread::yield();
			}
	}

	~ElementLock() { word_.store(0, std::memory_order_release); }

	ElementLock(const ElementLock &) = delete;
	ElementLock &operator=(const ElementLock &) = delete;

private:
	std::atomic_ref<uint32_t> word_;
};

// 64-bit hash of a vector's bytes for the duplicate check (equality is then
// confirmed with memcmp): four independent multiply-xor lanes over 8-byte
// words, so a long vector is hashed at several bytes a cycle.
uint64_t
hash_bytes(const void *data, size_t bytes) noexcept
{
	constexpr uint64_t multiplier = 0x9e3779b97f4a7c15ULL;
	const unsigned char *p = static_cast<const unsigned char *>(data);
	uint64_t	lanes[4] = {bytes, 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL,
		0xa4093822299f31d0ULL};
	size_t		i = 0;

	for (; i + 32 <= bytes; i += 32)
		for (size_t lane = 0; lane < 4; lane++)
		{
			uint64_t	word;

			std::memcpy(&word, p + i + 8 * lane, 8);
			lanes[lane] = (lanes[lane] ^ word) * multiplier;
			lanes[lane] ^= lanes[lane] >> 29;
		}
	for (size_t lane = 0; i < bytes; lane++)
	{
		uint64_t	word = 0;
		size_t		n = std::min<size_t>(8, bytes - i);

		std::memcpy(&word, p + i, n);
		lanes[lane] = (lanes[lane] ^ word) * multiplier;
		lanes[lane] ^= lanes[lane] >> 29;
		i += n;
	}

	uint64_t	h = lanes[0] ^ std::rotl(lanes[1], 17) ^ std::rotl(lanes[2], 31) ^
		std::rotl(lanes[3], 47);

	return mix64(h);
}

// Bytes a std::vector of capacity elements of T holds.
template <typename T>
size_t
capacity_bytes(const std::vector<T> &v) noexcept
{
	return v.capacity() * sizeof(T);
}

// What the next push_back adds to capacity_bytes() (libstdc++ doubles).
template <typename T>
size_t
push_back_cost(const std::vector<T> &v) noexcept
{
	return v.size() < v.capacity() ? 0 : std::max<size_t>(v.capacity(), 1) * sizeof(T);
}

}							// namespace

/* Per-element bookkeeping ----------------------------------------------------- */

struct HnswGraph::ElementMeta
{
	uint64_t	payload;		// the only payload, or (payload_count > 1) the
								// address of the array of all of them
	uint32_t   *upper_links;	// layers 1..level: 1 + m words each, or null
	uint32_t	hash;			// of the vector's bytes (low half)
	uint32_t	next_same_hash;	// next element in this hash bucket's chain
	uint8_t		level;
	uint8_t		payload_count;
	uint8_t		linked;			// set (atomically) once link_element is done
};

/* The bump arena ----------------------------------------------------------------- */

// Upper-layer lists, sparse vectors and payload arrays: never freed one by
// one, so a bump pointer over 64 KiB chunks (8-byte aligned) does.
class HnswGraph::Arena
{
public:
	// May throw std::bad_alloc, then nothing changed.
	void	   *allocate(size_t bytes)
	{
		bytes = round_up(bytes, sizeof(uint64_t));
		if (static_cast<size_t>(end_ - cursor_) < bytes)
		{
			size_t		chunk_bytes = std::max(arena_chunk_bytes, bytes);
			std::unique_ptr<std::byte[]> chunk(new std::byte[chunk_bytes]);

			chunks_.push_back(std::move(chunk));	// strong guarantee: nothing changed on failure
			cursor_ = chunks_.back().get();
			end_ = cursor_ + chunk_bytes;
			bytes_ += chunk_bytes;
		}

		void	   *block = cursor_;

		cursor_ += bytes;
		return block;
	}

	// What allocate(bytes) may add to memory_bytes().
	size_t		cost_of(size_t bytes) const noexcept
	{
		bytes = round_up(bytes, sizeof(uint64_t));
		if (static_cast<size_t>(end_ - cursor_) >= bytes)
			return 0;
		return std::max(arena_chunk_bytes, bytes) + push_back_cost(chunks_);
	}

	size_t		memory_bytes() const noexcept { return bytes_ + capacity_bytes(chunks_); }

private:
	std::vector<std::unique_ptr<std::byte[]>> chunks_;
	std::byte  *cursor_ = nullptr;
	std::byte  *end_ = nullptr;
	size_t		bytes_ = 0;
};

/* Per-thread linking scratch ------------------------------------------------------ */

// Everything one linking thread needs, allocated once and reused by every
// insert: a visited tag per element (hnswlib's visited list: a search
// starts by bumping the tag, not by clearing), the two heaps, and buffers
// of a list's length.
struct HnswGraph::LinkScratch
{
	std::unique_ptr<uint16_t[]> visited;
	size_t		visited_size = 0;
	uint16_t	generation = 0;

	std::vector<Scored> candidates;	// min-heap
	std::vector<Scored> results;	// max-heap, then sorted: the layer's nearest
	std::vector<uint32_t> fresh;	// unvisited members of a list
	std::vector<const void *> vectors;
	std::vector<float> distances;
	std::vector<Scored> pruned;		// a list's members plus new links
	std::vector<Scored> chosen;		// an element's own selection
	std::vector<uint32_t> selected;
	SelectionScratch selection;

	// Without the visited tags: the graph counts those (see memory_bytes()).
	size_t		memory_bytes() const noexcept
	{
		return sizeof(*this) + capacity_bytes(candidates) + capacity_bytes(results) +
			capacity_bytes(fresh) + capacity_bytes(vectors) +
			capacity_bytes(distances) + capacity_bytes(pruned) + capacity_bytes(chosen) +
			capacity_bytes(selected) +
			capacity_bytes(selection.kept_vectors) + capacity_bytes(selection.discarded);
	}

	// Start a search: every element unvisited.
	uint16_t	next_generation() noexcept
	{
		if (++generation == 0)
		{
			std::fill_n(visited.get(), visited_size, uint16_t{0});
			generation = 1;
		}
		return generation;
	}
};

/* Construction -------------------------------------------------------------------- */

void
HnswGraph::AlignedFree::operator()(std::byte *block) const noexcept
{
	::operator delete[](block, std::align_val_t{cache_line});
}

bool
HnswGraph::is_valid_params(const vc_hnsw_params &params) noexcept
{
	return ElementDistance::is_valid_configuration(params.kind, params.metric,
												   params.dimensions) &&
		params.m >= 2 && params.m <= 100 &&
		params.ef_construction >= 4 && params.ef_construction <= 1000 &&
		params.ef_construction >= 2 * params.m;
}

HnswGraph::HnswGraph(const vc_hnsw_params &params)
	: kind_(params.kind),
	  metric_(params.metric),
	  dimensions_(params.kind == VC_ELEMENT_SPARSE ? 0 : params.dimensions),
	  fixed_vector_bytes_(ElementDistance::fixed_bytes_of(kind_, dimensions_)),
	  m_(static_cast<size_t>(params.m)),
	  ef_construction_(static_cast<size_t>(params.ef_construction)),
	  level_multiplier_(1.0 / std::log(static_cast<double>(params.m))),
	  arena_(std::make_unique<Arena>()),
	  buckets_(initial_bucket_count, no_element),
	  level_state_(params.seed),
	  entry_(no_element)
{
	size_t		slot_bytes = kind_ == VC_ELEMENT_SPARSE
		? sizeof(SparseSlot) : round_up(fixed_vector_bytes_, sizeof(uint64_t));
	size_t		alignment = slot_bytes >= cache_line ? cache_line : 16;
	size_t		links_end = (2 + 2 * m_) * sizeof(uint32_t);

	meta_offset_ = round_up(links_end, alignof(ElementMeta));
	vector_offset_ = round_up(meta_offset_ + sizeof(ElementMeta),
							  alignment == cache_line ? cache_line : sizeof(uint64_t));
	record_stride_ = round_up(vector_offset_ + slot_bytes, alignment);

	size_t		per_chunk = std::bit_floor(std::max<size_t>(1, record_chunk_target_bytes /
															  record_stride_));

	records_per_chunk_shift_ = static_cast<uint32_t>(std::countr_zero(per_chunk));
	records_per_chunk_mask_ = static_cast<uint32_t>(per_chunk - 1);
	record_chunk_bytes_ = per_chunk * record_stride_;
	prefetch_vector_bytes_ = std::min(kind_ == VC_ELEMENT_SPARSE ? cache_line : slot_bytes,
									  max_prefetch_bytes);
}

HnswGraph::~HnswGraph() = default;

/* Record access -------------------------------------------------------------------- */

inline uint32_t *
HnswGraph::lock_word(uint32_t element) const noexcept
{
	return reinterpret_cast<uint32_t *>(record(element));
}

inline HnswGraph::ElementMeta &
HnswGraph::meta(uint32_t element) const noexcept
{
	return *reinterpret_cast<ElementMeta *>(record(element) + meta_offset_);
}

inline uint32_t *
HnswGraph::list(uint32_t element, int layer) const noexcept
{
	if (layer == 0)
		return reinterpret_cast<uint32_t *>(record(element)) + 1;
	return meta(element).upper_links + static_cast<size_t>(layer - 1) * (1 + m_);
}

inline const void *
HnswGraph::vector(uint32_t element) const noexcept
{
	const std::byte *slot = record(element) + vector_offset_;

	if (kind_ == VC_ELEMENT_SPARSE)
		return reinterpret_cast<const SparseSlot *>(slot)->vector;
	return slot;
}

inline size_t
HnswGraph::vector_bytes(uint32_t element) const noexcept
{
	if (kind_ == VC_ELEMENT_SPARSE)
		return reinterpret_cast<const SparseSlot *>(record(element) + vector_offset_)->bytes;
	return fixed_vector_bytes_;
}

// Start fetching a vector: its first lines (the hardware streams the rest
// of a long one once the kernel walks it).
inline void
HnswGraph::prefetch_vector(const void *vector) const noexcept
{
	const char *bytes = static_cast<const char *>(vector);

	for (size_t offset = 0; offset < prefetch_vector_bytes_; offset += cache_line)
		__builtin_prefetch(bytes + offset);
}

inline void
HnswGraph::prefetch_list(uint32_t element, int layer) const noexcept
{
	const char *stored = reinterpret_cast<const char *>(list(element, layer));

	__builtin_prefetch(stored);
	__builtin_prefetch(stored + cache_line);
}

/* Memory ------------------------------------------------------------------------------ */

size_t
HnswGraph::memory_bytes() const noexcept
{
	size_t		bytes = sizeof(*this) + sizeof(Arena) +
		record_chunks_.size() * record_chunk_bytes_ + capacity_bytes(record_chunks_) +
		arena_->memory_bytes() + capacity_bytes(buckets_) + capacity_bytes(scratch_);

	// Visited tags as the next link will size them, one per record (they
	// grow with the records, and append_cost counts that growth).
	for (const auto &scratch : scratch_)
		bytes += scratch->memory_bytes() + record_capacity() * sizeof(uint16_t);
	return bytes;
}

size_t
HnswGraph::append_cost(size_t vector_bytes) const noexcept
{
	size_t		cost = 0;

	if (count_ == record_capacity())
	{
		cost += record_chunk_bytes_ + push_back_cost(record_chunks_);
		// the linking threads' visited tags cover every record
		cost += scratch_.size() * (records_per_chunk_mask_ + 1) * sizeof(uint16_t);
	}
	if (count_ + 1 > buckets_.size())
		cost += 2 * buckets_.size() * sizeof(uint32_t);

	// The most one append takes from the arena: the upper lists of the top
	// level plus the sparse vector, or a merge's payload array.
	size_t		arena_bytes = round_up(VC_HNSW_MAX_LEVEL * (1 + m_) * sizeof(uint32_t),
									   sizeof(uint64_t));

	if (kind_ == VC_ELEMENT_SPARSE)
		arena_bytes += round_up(vector_bytes, sizeof(uint64_t));
	arena_bytes = std::max(arena_bytes, VC_HNSW_MAX_PAYLOADS * sizeof(uint64_t));
	return cost + arena_->cost_of(arena_bytes);
}

/* Appending ------------------------------------------------------------------------------ */

bool
HnswGraph::is_valid_vector(const void *vector, size_t bytes) const noexcept
{
	if (vector == nullptr)
		return false;
	if (kind_ != VC_ELEMENT_SPARSE)
		return bytes == fixed_vector_bytes_;
	if (bytes < SparseBody::header_bytes || SparseBody::bytes_of(vector) != bytes)
		return false;

	// The kernels merge-join index lists: they must be increasing.
	SparseBody	body(vector);
	int32_t		previous = -1;

	for (size_t i = 0; i < body.nnz; i++)
	{
		int32_t		index;

		std::memcpy(&index, reinterpret_cast<const char *>(body.indices) + i * sizeof(int32_t),
					sizeof(index));
		if (index <= previous)
			return false;
		previous = index;
	}
	return true;
}

uint32_t
HnswGraph::find_mergeable(const void *vector, size_t bytes, uint32_t hash) const noexcept
{
	for (uint32_t e = buckets_[hash & (buckets_.size() - 1)]; e != no_element;
		 e = meta(e).next_same_hash)
	{
		const ElementMeta &m = meta(e);

		if (m.hash == hash && m.payload_count < VC_HNSW_MAX_PAYLOADS &&
			vector_bytes(e) == bytes && std::memcmp(this->vector(e), vector, bytes) == 0)
			return e;
	}
	return no_element;
}

void
HnswGraph::add_record_chunk()
{
	std::unique_ptr<std::byte[], AlignedFree> chunk(
		new (std::align_val_t{cache_line}) std::byte[record_chunk_bytes_]);

	record_chunks_.push_back(std::move(chunk));
}

// Double the buckets and rechain every element (the chains run through the
// records, which keep each element's hash).
void
HnswGraph::grow_buckets()
{
	std::vector<uint32_t> bigger(buckets_.size() * 2, no_element);
	size_t		mask = bigger.size() - 1;

	for (uint32_t e = 0; e < count_; e++)
	{
		ElementMeta &m = meta(e);

		m.next_same_hash = bigger[m.hash & mask];
		bigger[m.hash & mask] = e;
	}
	buckets_.swap(bigger);
}

// Malkov & Yashunin: floor(-ln(U) mL) for U uniform in (0, 1], so that each
// level holds about 1/m of the one below.
int
HnswGraph::draw_level(uint64_t &state) const noexcept
{
	double		uniform = static_cast<double>((splitmix64(state) >> 11) + 1) * 0x1p-53;
	double		level = std::floor(-std::log(uniform) * level_multiplier_);

	return level >= VC_HNSW_MAX_LEVEL ? VC_HNSW_MAX_LEVEL : static_cast<int>(level);
}

vc_status
HnswGraph::append(const void *vector, size_t bytes, uint64_t payload, bool *merged) noexcept
{
	try
	{
		uint32_t	hash = static_cast<uint32_t>(hash_bytes(vector, bytes));
		uint32_t	same = find_mergeable(vector, bytes, hash);

		if (same != no_element)
		{
			ElementMeta &m = meta(same);

			if (m.payload_count == 1)
			{
				uint64_t   *all = static_cast<uint64_t *>(
					arena_->allocate(VC_HNSW_MAX_PAYLOADS * sizeof(uint64_t)));

				all[0] = m.payload;
				m.payload = reinterpret_cast<uintptr_t>(all);
			}
			reinterpret_cast<uint64_t *>(static_cast<uintptr_t>(m.payload))[m.payload_count++] =
				payload;
			*merged = true;
			return VC_OK;
		}

		if (count_ >= no_element)
			return VC_ERROR_TOO_MANY;

		// Everything that can fail first, so a failure changes nothing a
		// caller can see (a spare chunk or bigger buckets are harmless).
		if (count_ == record_capacity())
			add_record_chunk();
		if (count_ + 1 > buckets_.size())
			grow_buckets();

		uint64_t	state = level_state_;
		int			level = draw_level(state);
		size_t		upper_words = static_cast<size_t>(level) * (1 + m_);
		size_t		sparse_bytes = kind_ == VC_ELEMENT_SPARSE ? round_up(bytes, sizeof(uint64_t)) : 0;
		std::byte  *extra = nullptr;

		if (upper_words > 0 || sparse_bytes > 0)
			extra = static_cast<std::byte *>(
				arena_->allocate(sparse_bytes + upper_words * sizeof(uint32_t)));

		// Commit.
		uint32_t	element = static_cast<uint32_t>(count_);
		std::byte  *r = record(element);
		ElementMeta &m = meta(element);

		level_state_ = state;
		std::memset(r, 0, meta_offset_);	// unlocked, empty layer-0 list
		m.payload = payload;
		m.upper_links = upper_words > 0 ? reinterpret_cast<uint32_t *>(extra + sparse_bytes) : nullptr;
		m.hash = hash;
		m.level = static_cast<uint8_t>(level);
		m.payload_count = 1;
		m.linked = 0;
		for (int layer = 1; layer <= level; layer++)
			list(element, layer)[0] = 0;
		if (kind_ == VC_ELEMENT_SPARSE)
		{
			std::memcpy(extra, vector, bytes);
			*reinterpret_cast<SparseSlot *>(r + vector_offset_) = SparseSlot{extra, bytes};
		}
		else
			std::memcpy(r + vector_offset_, vector, bytes);

		size_t		bucket = hash & (buckets_.size() - 1);

		m.next_same_hash = buckets_[bucket];
		buckets_[bucket] = element;
		count_++;
		*merged = false;
		return VC_OK;
	}
	catch (...)
	{
		return VC_ERROR_NO_MEMORY;
	}
}

/* Reading ------------------------------------------------------------------------------------ */

bool
HnswGraph::entry_point(uint32_t *element, int *level) const noexcept
{
	if (entry_ == no_element)
		return false;
	*element = entry_;
	*level = entry_level_;
	return true;
}

void
HnswGraph::element_view(uint32_t element, vc_hnsw_element_view &out) const noexcept
{
	const ElementMeta &m = meta(element);

	out.vector = vector(element);
	out.vector_bytes = vector_bytes(element);
	out.level = m.level;
	out.payload_count = m.payload_count;
	out.payloads = m.payload_count == 1
		? &m.payload : reinterpret_cast<const uint64_t *>(static_cast<uintptr_t>(m.payload));
}

size_t
HnswGraph::neighbours(uint32_t element, int layer, uint32_t *out, size_t capacity) const noexcept
{
	if (element >= count_ || layer < 0 || layer > meta(element).level)
		return 0;

	// Stored in the order links arrived; sorted here, once per list written.
	const uint32_t *stored = list(element, layer);
	size_t		count = stored[0];
	std::array<const void *, 200> vectors;
	std::array<float, 200> distances;
	std::array<Scored, 200> sorted;

	for (size_t i = 0; i < count; i++)
		vectors[i] = vector(stored[1 + i]);
	ElementDistance(kind_, metric_, dimensions_).batch(vector(element), vectors.data(), count,
													   distances.data());
	for (size_t i = 0; i < count; i++)
		sorted[i] = Scored{std::isnan(distances[i]) ? INFINITY : distances[i], stored[1 + i]};
	std::sort(sorted.begin(), sorted.begin() + count, nearer);

	size_t		written = std::min(count, capacity);

	for (size_t i = 0; i < written; i++)
		out[i] = sorted[i].element;
	return written;
}

void
HnswGraph::layout_order(uint32_t *order) const
{
	std::vector<bool> placed(count_, false);
	size_t		placed_count = 0;

	// Breadth-first over layer 0, with order itself as the queue.
	if (entry_ != no_element)
	{
		order[placed_count++] = entry_;
		placed[entry_] = true;
		for (size_t head = 0; head < placed_count; head++)
		{
			const uint32_t *links = list(order[head], 0);

			for (uint32_t i = 0; i < links[0]; i++)
			{
				uint32_t	neighbour = links[1 + i];

				if (!placed[neighbour])
				{
					placed[neighbour] = true;
					order[placed_count++] = neighbour;
				}
			}
		}
	}
	for (uint32_t e = 0; e < count_; e++)
		if (!placed[e])
			order[placed_count++] = e;
}

/* Linking ------------------------------------------------------------------------------------ */

void
HnswGraph::prepare_scratch(size_t workers)
{
	// Up to ef_construction results, or a list's 2m members and 2m new ones.
	size_t		buffer = std::max(ef_construction_, 4 * m_) + 1;

	while (scratch_.size() < workers)
	{
		scratch_.reserve(workers);
		scratch_.push_back(std::make_unique<LinkScratch>());
	}
	for (size_t w = 0; w < workers; w++)
	{
		LinkScratch &s = *scratch_[w];

		// Tags for every record there is room for, so they grow only when the
		// records do (and append_cost can count them).
		if (s.visited_size < record_capacity())
		{
			s.visited.reset();
			s.visited_size = 0;
			s.visited.reset(new uint16_t[record_capacity()]());
			s.visited_size = record_capacity();
			s.generation = 0;
		}
		s.candidates.reserve(4 * ef_construction_ + 2 * m_);
		s.results.reserve(ef_construction_ + 1);
		s.fresh.resize(2 * m_);
		s.vectors.resize(buffer);
		s.distances.resize(buffer);
		s.pruned.reserve(buffer);
		s.chosen.resize(2 * m_);
		s.selected.resize(buffer);
		s.selection.reserve(buffer);
	}
}

vc_status
HnswGraph::link_pending(size_t max_elements, int threads, size_t *linked) noexcept
{
	*linked = 0;
	if (failure_ != VC_OK)
		return failure_;

	size_t		first = linked_;
	size_t		last = first + std::min(max_elements, count_ - first);

	if (first == last)
		return VC_OK;

	size_t		workers = std::min({static_cast<size_t>(threads), last - first, max_link_threads});

	try
	{
		prepare_scratch(workers);
	}
	catch (...)
	{
		return VC_ERROR_NO_MEMORY;	// nothing linked yet: the graph is intact
	}

	const ElementDistance distance(kind_, metric_, dimensions_);
	std::atomic<size_t> next{first};
	std::atomic<bool> failed{false};
	auto		work = [&](LinkScratch &scratch) noexcept {
		try
		{
			// Claimed one at a time in creation order: early elements, which
			// the rest are linked through, are done first.
			while (!failed.load(std::memory_order_relaxed))
			{
				size_t		element = next.fetch_add(1, std::memory_order_relaxed);

				if (element >= last)
					break;
				link_element(static_cast<uint32_t>(element), scratch, distance);
			}
		}
		catch (...)
		{
			failed.store(true, std::memory_order_relaxed);
		}
	};

	if (workers == 1)
		work(*scratch_[0]);
	else
	{
		// Fewer threads than asked for, if some failed to start: the work
		// is the same.
		WorkerThreads pool(workers);
		auto		work_of_thread = [&](size_t index) noexcept { work(*scratch_[index]); };

		pool.run(work_of_thread);
	}

	if (failed.load())
	{
		failure_ = VC_ERROR_NO_MEMORY;
		return failure_;
	}
	linked_ = last;
	*linked = last - first;
	return VC_OK;
}

// Under element's lock, put the members of its list on layer not visited
// yet (all of them without a visited array) into scratch.fresh and their
// vectors into scratch.vectors, marking them visited and starting to fetch
// their vectors; returns how many.  Filtering in place saves a copy.
size_t
HnswGraph::collect_unvisited(uint32_t element, int layer, uint16_t *visited, uint16_t tag,
							 LinkScratch &scratch) const noexcept
{
	ElementLock lock(lock_word(element));
	const uint32_t *stored = list(element, layer);
	size_t		count = stored[0];
	size_t		fresh = 0;

	if (visited != nullptr)
		for (size_t i = 0; i < count; i++)
			__builtin_prefetch(visited + stored[1 + i]);
	for (size_t i = 0; i < count; i++)
	{
		uint32_t	neighbour = stored[1 + i];

		if (visited != nullptr)
		{
			if (visited[neighbour] == tag)
				continue;
			visited[neighbour] = tag;
		}

		const void *v = vector(neighbour);

		prefetch_vector(v);
		scratch.fresh[fresh] = neighbour;
		scratch.vectors[fresh++] = v;
	}
	return fresh;
}

// The upper layers: move to the nearest neighbour while there is a nearer one.
void
HnswGraph::greedy_descent(uint32_t element, const void *query, uint32_t &nearest,
						  float &nearest_distance, int layer, LinkScratch &scratch,
						  const ElementDistance &distance) const noexcept
{
	const LinkOrder order{element};
	Scored		best{nearest_distance, nearest};

	for (bool moved = true; moved;)
	{
		size_t		count = collect_unvisited(best.element, layer, nullptr, 0, scratch);

		moved = false;
		distance.batch(query, scratch.vectors.data(), count, scratch.distances.data());
		for (size_t i = 0; i < count; i++)
		{
			Scored		candidate{scratch.distances[i], scratch.fresh[i]};

			// Only through elements done linking: one still being linked by
			// another thread may have no lists below yet, and a descent
			// stuck on it would link this element to it alone.
			if (!std::isnan(candidate.distance) && order.before(candidate, best) &&
				is_linked(candidate.element))
			{
				best = candidate;
				moved = true;
			}
		}
	}
	nearest = best.element;
	nearest_distance = best.distance;
}

// HNSW's search-layer from the elements in scratch.results (sorted, with
// their distances), leaving there the ef_construction nearest found, sorted.
void
HnswGraph::search_layer(uint32_t element, const void *query, int layer,
						LinkScratch &scratch, const ElementDistance &distance) const
{
	const size_t ef = ef_construction_;
	const LinkOrder order{element};
	const NearestOnTop nearest_on_top{order};
	const FurthestOnTop furthest_on_top{order};
	uint16_t	tag = scratch.next_generation();
	uint16_t   *visited = scratch.visited.get();
	std::vector<Scored> &candidates = scratch.candidates;
	std::vector<Scored> &results = scratch.results;

	visited[element] = tag;		// never its own neighbour
	candidates.clear();
	for (const Scored &entry : results)
	{
		visited[entry.element] = tag;
		candidates.push_back(entry);
	}
	std::make_heap(candidates.begin(), candidates.end(), nearest_on_top);
	std::make_heap(results.begin(), results.end(), furthest_on_top);

	while (!candidates.empty())
	{
		Scored		nearest = candidates.front();

		if (results.size() >= ef && results.front().distance < nearest.distance)
			break;				// nothing it leads to could be admitted
		std::pop_heap(candidates.begin(), candidates.end(), nearest_on_top);
		candidates.pop_back();
		// The next candidate's list, while this one's neighbours are scored.
		if (!candidates.empty())
			prefetch_list(candidates.front().element, layer);

		size_t		fresh = collect_unvisited(nearest.element, layer, visited, tag, scratch);

		distance.batch(query, scratch.vectors.data(), fresh, scratch.distances.data());

		for (size_t i = 0; i < fresh; i++)
		{
			Scored		found{scratch.distances[i], scratch.fresh[i]};

			if (std::isnan(found.distance))
				continue;		// unorderable: never linked
			if (results.size() >= ef && !order.before(found, results.front()))
				continue;
			candidates.push_back(found);
			std::push_heap(candidates.begin(), candidates.end(), nearest_on_top);
			if (results.size() >= ef)
			{
				std::pop_heap(results.begin(), results.end(), furthest_on_top);
				results.back() = found;
			}
			else
				results.push_back(found);
			std::push_heap(results.begin(), results.end(), furthest_on_top);
		}
	}
	std::sort_heap(results.begin(), results.end(), furthest_on_top);	// nearest first
}

// Under base's lock: replace its list on layer (capacity ids) by the
// heuristic's choice among its members and extra (scored from base, not
// among the members), or by all of them if they fit.
void
HnswGraph::reselect_list(uint32_t base, uint32_t *stored, size_t capacity,
						 const Scored *extra, size_t extra_count, LinkScratch &scratch,
						 const ElementDistance &distance)
{
	std::vector<Scored> &pruned = scratch.pruned;
	size_t		count = stored[0];
	size_t		members = 0;

	for (size_t i = 0; i < count; i++)
	{
		uint32_t	member = stored[1 + i];
		bool		in_extra = false;

		for (size_t k = 0; k < extra_count && !in_extra; k++)
			in_extra = extra[k].element == member;
		if (in_extra)
			continue;
		scratch.fresh[members] = member;
		scratch.vectors[members++] = vector(member);
		prefetch_vector(scratch.vectors[members - 1]);
	}
	distance.batch(vector(base), scratch.vectors.data(), members, scratch.distances.data());
	pruned.clear();
	for (size_t i = 0; i < members; i++)
		if (!std::isnan(scratch.distances[i]))
			pruned.push_back(Scored{scratch.distances[i], scratch.fresh[i]});
	pruned.insert(pruned.end(), extra, extra + extra_count);
	std::sort(pruned.begin(), pruned.end(), FurthestOnTop{LinkOrder{base}});

	size_t		kept = pruned.size();

	if (kept > capacity)
	{
		for (size_t i = 0; i < pruned.size(); i++)
		{
			scratch.vectors[i] = vector(pruned[i].element);
			scratch.distances[i] = pruned[i].distance;
		}
		kept = select_neighbours(distance, scratch.vectors.data(), scratch.distances.data(),
								 pruned.size(), capacity, capacity, scratch.selected.data(),
								 scratch.selection);
		for (size_t i = 0; i < kept; i++)
			pruned[i] = pruned[scratch.selected[i]];	// selected[i] >= i
	}
	for (size_t i = 0; i < kept; i++)
		stored[1 + i] = pruned[i].element;
	stored[0] = static_cast<uint32_t>(kept);
}

// Link element into neighbour's list on layer; a full list is re-selected
// from its members and element with the heuristic (which drops exactly one).
void
HnswGraph::add_link(uint32_t neighbour, uint32_t element, float element_distance,
					int layer, LinkScratch &scratch, const ElementDistance &distance)
{
	ElementLock lock(lock_word(neighbour));
	uint32_t   *stored = list(neighbour, layer);
	size_t		count = stored[0];

	for (size_t i = 0; i < count; i++)
		if (stored[1 + i] == element)
			return;
	if (count < list_capacity(layer))
	{
		stored[1 + count] = element;
		stored[0] = static_cast<uint32_t>(count + 1);
		return;
	}

	Scored		extra{element_distance, element};

	reselect_list(neighbour, stored, list_capacity(layer), &extra, 1, scratch, distance);
}

bool
HnswGraph::is_linked(uint32_t element) const noexcept
{
	return std::atomic_ref<uint8_t>(meta(element).linked).load(std::memory_order_acquire) != 0;
}

void
HnswGraph::link_element(uint32_t element, LinkScratch &scratch, const ElementDistance &distance)
{
	// However this ends, the element is done: others may descend through it.
	struct MarkLinked
	{
		uint8_t    &flag;

		~MarkLinked() { std::atomic_ref<uint8_t>(flag).store(1, std::memory_order_release); }
	}			mark{meta(element).linked};
	const void *query = vector(element);
	int			level = meta(element).level;

	// An element the metric cannot order (a zero vector for cosine, NaN or
	// infinite components) would poison every comparison: leave it alone.
	if (std::isnan(distance.pair(query, query)))
		return;

	std::unique_lock<std::mutex> entry_lock(entry_mutex_);
	uint32_t	nearest = entry_;
	int			top = entry_level_;

	if (nearest == no_element)
	{
		entry_ = element;
		entry_level_ = level;
		return;
	}
	// A new top level: hold the entry point until this element is linked
	// and becomes it (rare: about log_m(n) times a build).
	if (level <= top)
		entry_lock.unlock();

	float		nearest_distance = distance.pair(query, vector(nearest));

	if (std::isnan(nearest_distance))
		return;
	for (int layer = top; layer > level; layer--)
		greedy_descent(element, query, nearest, nearest_distance, layer, scratch, distance);

	scratch.results.clear();
	scratch.results.push_back(Scored{nearest_distance, nearest});
	for (int layer = std::min(level, top); layer >= 0; layer--)
	{
		search_layer(element, query, layer, scratch, distance);

		const std::vector<Scored> &found = scratch.results;

		for (size_t i = 0; i < found.size(); i++)
		{
			scratch.vectors[i] = vector(found[i].element);
			scratch.distances[i] = found[i].distance;
		}

		// The heuristic's own choice, filled up with the pruned to the
		// list's capacity, like pgvector (and hnswlib's keepPrunedConnections):
		// on the bench's 100,000-row sets (bench/run.sh hnsw) filling only to
		// 8 links built 1.9x (128-d) and 1.2x (768-d) faster and searched
		// faster per query, but gave 0.5 to 4.6 points less recall@10 than
		// pgvector at the same ef_search; users tune ef_search against
		// pgvector's recall, so the graph matches pgvector's density.
		// Without any filling, a small m leaves many more elements without
		// in-links, and copies of a duplicated vector link to one copy each.
		// Full lists are re-selected with fill-up too (reselect_list).
		size_t		capacity = list_capacity(layer);
		size_t		count = select_neighbours(distance, scratch.vectors.data(),
											  scratch.distances.data(), found.size(),
											  capacity, capacity,
											  scratch.selected.data(), scratch.selection);
		Scored	   *chosen = scratch.chosen.data();	// add_link reuses selected

		for (size_t i = 0; i < count; i++)
			chosen[i] = found[scratch.selected[i]];
		{
			ElementLock lock(lock_word(element));
			uint32_t   *own = list(element, layer);

			// Another thread may have linked to this element on this layer
			// already (it found it on the layer above): merge, not overwrite.
			if (own[0] == 0)
			{
				for (size_t i = 0; i < count; i++)
					own[1 + i] = chosen[i].element;
				own[0] = static_cast<uint32_t>(count);
			}
			else
				reselect_list(element, own, list_capacity(layer), chosen, count, scratch,
							  distance);
		}
		for (size_t i = 0; i < count; i++)
			add_link(chosen[i].element, element, chosen[i].distance, layer, scratch, distance);
		// found (scratch.results) is the next layer's entry set, untouched by add_link.
	}

	if (entry_lock.owns_lock())
	{
		entry_ = element;
		entry_level_ = level;
	}
}

}							// namespace vector_core
