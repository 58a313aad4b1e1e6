// kmeans.cpp: k-means++ seeding and Lloyd iterations with Yinyang group
// bounds, in resumable steps (see kmeans.hpp).
#include "kmeans.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "hash_mix.hpp"
#include "nearest_centers.hpp"
#include "worker_threads.hpp"

namespace vector_core
{

namespace
{

// Samples per block: a seeding block costs at most one distance each per
// pending centre, a pass block one each plus those of the groups a sample
// is compared with.
constexpr size_t max_seed_block_size = 256;
constexpr size_t pass_block_size = 64;
// Rows of a first-pass block whose dot products are taken at once: a
// panel is read once for them all.
constexpr size_t panel_rows = 16;

// Seeding: centres chosen by rejection before the samples' distances to
// them are brought up to date (one pass over the samples for them all),
// and attempts at one centre before bringing them up to date anyway.
constexpr size_t max_pending_centers = 32;
constexpr int max_draw_attempts = 4;

constexpr float infinity = std::numeric_limits<float>::infinity();
// Bound exponents in use at once (note_bound_exponents): units from the
// largest to 2^-15 of it
constexpr size_t bound_exponent_window = 16;
// Bytes a bound takes (encode_bound)
constexpr size_t bound_bytes = sizeof(uint8_t);

size_t
row_bytes_of(const vc_kmeans_params &params) noexcept
{
	return params.kind == VC_ELEMENT_F32 ? params.dimensions * sizeof(float)
		: (params.dimensions + 7) / 8;
}

// One group per centre (Elkan's bounds) while the bounds take at most
// twice the samples' memory; else Yinyang's k/10 groups (at most 32), or
// more, up to 256, while they take no more than the samples: the more
// groups, the fewer distances, above all when the samples have little
// structure, and one per centre needs no loop over a group's centres.
// This is what memory_bytes() counts on; a k-means given fewer samples
// than its capacity may take more groups (KMeans::groups_for).
size_t
groups_of(size_t centers, size_t row_bytes) noexcept
{
	size_t		yinyang = std::clamp<size_t>(centers / 10, 1, 32);

	if (centers * bound_bytes <= 2 * row_bytes)
		return centers;
	return std::min({centers, std::max(yinyang, row_bytes / bound_bytes), size_t(256)});
}

// Panels of panel_width centres for k centres
size_t
panels_of(size_t centers) noexcept
{
	return (centers + panel_width - 1) / panel_width;
}

// The panels live in the sums' space (k x dimensions doubles, unused until
// the first update); only fewer than 8 centres need them in floats of
// their own.
size_t
extra_panel_floats(size_t centers, size_t dimensions) noexcept
{
	size_t		floats = panels_of(centers) * panel_width * dimensions;

	return floats > 2 * centers * dimensions ? floats : 0;
}

size_t
words_for(size_t bytes) noexcept
{
	return (bytes + sizeof(uint64_t) - 1) / sizeof(uint64_t);
}

// No NaN or infinity among values[0..n) (one test per element, no early
// exit: the loop vectorises).
bool
all_finite(const float *values, size_t n) noexcept
{
	bool		finite = true;

	for (size_t j = 0; j < n; j++)
		finite &= std::isfinite(values[j]);
	return finite;
}

// The index of the first smallest of values[0..n), n > 0 (0 if none
// compares: NaNs): the minimum in four independent running minima, then
// where it first occurs, rather than one compare-and-select chain whose
// latency every element waits for.
size_t
first_minimum(const float *values, size_t n) noexcept
{
	float		partial[4] = {infinity, infinity, infinity, infinity};
	size_t		j = 0;

	for (; j + 4 <= n; j += 4)
		for (size_t u = 0; u < 4; u++)
			partial[u] = values[j + u] < partial[u] ? values[j + u] : partial[u];
	for (; j < n; j++)
		partial[0] = values[j] < partial[0] ? values[j] : partial[0];

	float		least = std::min(std::min(partial[0], partial[1]), std::min(partial[2], partial[3]));

	for (j = 0; j < n; j++)
		if (values[j] == least)
			return j;
	return 0;
}

// Samples per chunk, as a power of two: about 4 MB of rows (two huge
// pages), fewer if fewer samples are expected.
size_t
chunk_shift_of(size_t row_bytes, size_t capacity) noexcept
{
	size_t		shift = 0;

	while ((row_bytes << shift) < (size_t(4) << 20) && (size_t(1) << shift) < capacity)
		shift++;
	return shift;
}

bool
is_spherical(vc_metric metric) noexcept
{
	return metric == VC_METRIC_NEGATIVE_INNER_PRODUCT || metric == VC_METRIC_COSINE;
}

// Element counts of the arrays a k-means allocates: the constructor sizes
// them from here, and memory_bytes() adds them up.
struct Sizes
{
	size_t		sample_words;	// of one chunk
	size_t		center_words;
	size_t		row_words;
	size_t		norms;			// doubles
	size_t		per_sample;		// of each uint32_t/float array
	size_t		bounds;			// floats
	size_t		gaps;			// floats
	size_t		sums;			// doubles (F32)
	size_t		ones;			// uint32_t (BITS)
	size_t		per_center;		// of each uint32_t/float/uint8_t array
	size_t		groups;			// the most there can be: one per centre
	size_t		scratch;		// floats
	size_t		panels;			// floats (F32)
	size_t		dots;			// floats (F32), all threads
};

Sizes
sizes_of(const vc_kmeans_params &params) noexcept
{
	size_t		row = row_bytes_of(params);
	size_t		k = params.centers;
	size_t		n = params.sample_capacity;
	size_t		cells = k * params.dimensions;
	bool		f32 = params.kind == VC_ELEMENT_F32;

	size_t		chunk_rows = size_t(1) << chunk_shift_of(row, n);

	return Sizes{
		words_for(chunk_rows * row),	// per chunk
		words_for(k * row),
		words_for(row),
		is_spherical(params.metric) ? n : 0,
		n,
		n * groups_of(k, row),
		std::min(k, max_pending_centers) * k,
		f32 ? cells : 0,
		f32 ? 0 : cells,
		k,
		k,
		static_cast<size_t>(params.threads) * k,
		f32 ? extra_panel_floats(k, params.dimensions) : 0,
		f32 ? static_cast<size_t>(params.threads) * panel_rows * panels_of(k) * panel_width : 0,
	};
}

uint64_t
word_of_seed(uint64_t seed) noexcept
{
	return mix64(seed ^ 0x6b6d65616e73ULL);		// "kmeans": apart from other streams
}

double
uniform_01(uint64_t &state) noexcept
{
	return static_cast<double>(splitmix64(state) >> 11) * 0x1p-53;
}

}							// namespace

bool
KMeans::is_valid(const vc_kmeans_params &params) noexcept
{
	bool		kind_and_metric;

	switch (params.kind)
	{
		case VC_ELEMENT_F32:
			kind_and_metric = (params.metric == VC_METRIC_L2_SQUARED ||
							   is_spherical(params.metric)) &&
				params.dimensions >= 1 && params.dimensions <= VC_VECTOR_MAX_DIM;
			break;
		case VC_ELEMENT_BITS:
			kind_and_metric = params.metric == VC_METRIC_HAMMING &&
				params.dimensions >= 1 && params.dimensions <= VC_SEARCH_BITS_MAX_DIM;
			break;
		default:
			kind_and_metric = false;
			break;
	}
	return kind_and_metric && params.centers >= 1 && params.centers <= VC_KMEANS_MAX_CENTERS &&
		params.sample_capacity >= 1 && params.sample_capacity < UINT32_MAX &&
		params.max_iterations >= 1 && params.threads >= 1 && params.threads <= 64;
}

size_t
KMeans::memory_bytes(const vc_kmeans_params &params) noexcept
{
	if (!is_valid(params))
		return 0;

	Sizes		s = sizes_of(params);
	// What malloc takes for an array: its header, and for a large one
	// (mmapped) up to a page of rounding, or a huge page (large_pages.hpp).
	auto		array = [](size_t bytes) {
		if (bytes >= large_page_bytes)
			return (bytes + large_page_bytes - 1) / large_page_bytes * large_page_bytes + 4096 + 64;
		return bytes + 64 + (bytes >= 64 * 1024 ? 4096 : 0);
	};
	size_t		chunk_rows = size_t(1) << chunk_shift_of(row_bytes_of(params), params.sample_capacity);
	size_t		chunks = (params.sample_capacity + chunk_rows - 1) / chunk_rows;

	return array(sizeof(KMeans)) +
		chunks * array(s.sample_words * sizeof(uint64_t)) +
		array(chunks * sizeof(Large<uint64_t>)) +
		array(s.center_words * sizeof(uint64_t)) +
		array(s.per_center * sizeof(uint32_t)) +			// given centres' order
		array(s.row_words * sizeof(uint64_t)) +
		array(s.norms * sizeof(double)) +
		5 * array(s.per_sample * sizeof(uint32_t)) +	// assignment .. order
		array(s.per_sample * sizeof(int8_t)) +			// bound exponents
		array(bound_exponent_window * s.groups) +		// moves in units
		array(s.per_sample * sizeof(double)) +			// cumulative weights
		array(s.gaps * sizeof(float)) +
		array(s.bounds * bound_bytes) +
		array(s.sums * sizeof(double)) + array(s.ones * sizeof(uint32_t)) +
		6 * array(s.per_center * sizeof(uint32_t)) + array(s.per_center) +
		3 * array(s.groups * sizeof(uint32_t) + sizeof(uint32_t)) +
		array(s.scratch * sizeof(float)) + array(s.scratch * sizeof(const void *)) +
		array(s.scratch * sizeof(uint32_t)) +
		array(static_cast<size_t>(params.threads) * (s.groups + select_slack) * sizeof(uint32_t)) +
		array(static_cast<size_t>(params.threads) * (s.groups + 1) * sizeof(uint32_t)) +
		array(s.panels * sizeof(float)) + array(s.dots * sizeof(float)) +
		array(s.per_center * sizeof(float)) +			// centre norms
		WorkerThreads::memory_bytes(static_cast<size_t>(params.threads));
}

KMeans::KMeans(const vc_kmeans_params &params)
	: kind_(params.kind),
	  metric_(params.metric),
	  dimensions_(params.dimensions),
	  centers_count_(params.centers),
	  capacity_(params.sample_capacity),
	  max_iterations_(params.max_iterations),
	  threads_(static_cast<size_t>(params.threads)),
	  row_bytes_(row_bytes_of(params)),
	  groups_(groups_of(params.centers, row_bytes_of(params))),
	  distance_(params.kind, params.kind == VC_ELEMENT_F32 ? VC_METRIC_L2_SQUARED : VC_METRIC_HAMMING,
				params.dimensions),
	  kernels_(&active_kernels()),
	  random_state_(word_of_seed(params.seed))
{
	Sizes		s = sizes_of(params);

	chunk_shift_ = chunk_shift_of(row_bytes_, capacity_);
	sample_chunks_.reserve((capacity_ + (size_t(1) << chunk_shift_) - 1) >> chunk_shift_);
	// With one group per centre whatever the samples, the bounds are
	// allocated (not touched) for the capacity now, to be faulted in along
	// with the samples' chunks (early_bounds); not when that address space
	// would pass a quarter of the machine's memory (a capacity from a
	// maintenance_work_mem far above the rows), nor when it is refused:
	// then prepare_samples() allocates them for the samples there are.
	if (groups_ == centers_count_ && capacity_ * groups_ <= physical_memory_bytes() / 4)
	{
		try
		{
			bounds_.resize(capacity_ * groups_);
		}
		catch (const std::bad_alloc &)
		{
			Large<uint8_t>().swap(bounds_);
		}
	}
	centers_.assign(s.center_words, 0);
	candidate_.assign(s.row_words, 0);
	sums_.assign(s.sums, 0.0);
	ones_.assign(s.ones, 0);
	members_.assign(s.per_center, 0);
	moved_.assign(s.per_center, 0.0f);
	center_gap_.assign(s.gaps, 0.0f);
	seed_block_size_ = std::clamp<size_t>(512 * 1024 / std::max<size_t>(row_bytes_, 1), 16,
										  max_seed_block_size);
	changed_.assign(s.per_center, 0);
	group_of_.assign(s.per_center, 0);
	new_position_.assign(s.per_center, 0);
	group_start_.assign(s.groups + 1, 0);
	group_moved_.assign(s.groups, 0.0f);
	scratch_.assign(s.scratch, 0.0f);
	scratch_vectors_.assign(s.scratch, nullptr);
	scratch_ids_.assign(s.scratch, 0);
	scratch_groups_.assign(static_cast<size_t>(params.threads) * (s.groups + select_slack), 0);
	scratch_group_first_.assign(static_cast<size_t>(params.threads) * (s.groups + 1), 0);
}

KMeans::~KMeans() = default;

vc_status
KMeans::set_sample(size_t index, const void *vector) noexcept
{
	if (started_ || index >= capacity_ || vector == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;

	size_t		chunk = index >> chunk_shift_;

	try
	{
		size_t		chunk_words = words_for(std::min(size_t(1) << chunk_shift_, capacity_) * row_bytes_);
		size_t		wanted = std::min(chunk + 2, (capacity_ + (size_t(1) << chunk_shift_) - 1) >> chunk_shift_);

		// uninitialised (the rows are written as they come): zeroing the
		// chunks would first touch them in one more pass over the memory.
		// The chunk after this one is allocated too, and faulted in by
		// another thread while the caller reads the rows that will go in
		// it.
		while (sample_chunks_.size() < wanted)
		{
			sample_chunks_.emplace_back();
			sample_chunks_.back().resize(chunk_words);
			if (sample_chunks_.size() > chunk + 1)
				prefaulter_.prefault({sample_chunks_.back().data(), chunk_words * sizeof(uint64_t)},
									 early_bounds(sample_chunks_.size() - 1));
		}
	}
	catch (const std::bad_alloc &)
	{
		return VC_ERROR_NO_MEMORY;
	}

	// slots skipped below this one are samples too: zero vectors
	for (size_t skipped = sample_count_; skipped < index; skipped++)
		std::memset(const_cast<uint8_t *>(sample(skipped)), 0, row_bytes_);

	uint8_t    *row = const_cast<uint8_t *>(sample(index));

	if (kind_ == VC_ELEMENT_F32)
	{
		const float *values = static_cast<const float *>(vector);
		float	   *out = reinterpret_cast<float *>(row);

		if (!all_finite(values, dimensions_))
			return VC_ERROR_NOT_FINITE;
		std::memcpy(out, values, row_bytes_);
		if (metric_ == VC_METRIC_COSINE)
		{
			// cosine is the inner product of directions
			double		norm = 0.0;

			for (size_t j = 0; j < dimensions_; j++)
				norm += static_cast<double>(values[j]) * values[j];
			if (norm > 0.0)
			{
				double		scale = 1.0 / std::sqrt(norm);

				for (size_t j = 0; j < dimensions_; j++)
					out[j] = static_cast<float>(values[j] * scale);
			}
		}
	}
	else
	{
		std::memcpy(row, vector, row_bytes_);
		if (dimensions_ % 8 != 0)	// bits past the end count for nothing
			row[row_bytes_ - 1] &= static_cast<uint8_t>(0xff00u >> (dimensions_ % 8));
	}
	sample_count_ = std::max(sample_count_, index + 1);
	return VC_OK;
}

// The bounds of the samples of chunk, if they are allocated already (one
// group per centre from the start): to be faulted in with the chunk.
Prefaulter::Range
KMeans::early_bounds(size_t chunk) noexcept
{
	size_t		first = chunk << chunk_shift_;
	size_t		end = std::min(capacity_, (chunk + 1) << chunk_shift_);

	if (bounds_.size() != capacity_ * groups_ || first >= end)
		return Prefaulter::Range{nullptr, 0};
	return Prefaulter::Range{bounds_.data() + first * groups_, (end - first) * groups_};
}

// One group per centre (Elkan's bounds) when their bounds fit in what
// memory_bytes() counted for capacity_ samples: groups_of()'s bounds for
// each, and the rows of the samples never set (their chunks were never
// allocated), less room for rounding; else as many as fit, at least
// groups_of()'s.  More groups, fewer distances: refining 316 centres on
// 100,000 128-d rows took 15-17% less time with one group per centre than
// with groups_of()'s 128 groups (of 1 to 11 centres); 8-10% less with
// 768-d rows or 1,000 centres.  The bounds only skip comparisons that
// cannot change the result, so for float vectors it is the same whatever
// the groups; bit vectors' distances tie often, and a tie goes to the
// first centre in an order the groups set.
size_t
KMeans::groups_for(size_t n) const noexcept
{
	size_t		least = groups_of(centers_count_, row_bytes_);
	size_t		chunk_rows = size_t(1) << chunk_shift_;
	size_t		allocated_rows = std::min(capacity_, sample_chunks_.size() * chunk_rows);
	size_t		counted = capacity_ * least * bound_bytes + (capacity_ - allocated_rows) * row_bytes_;
	size_t		spare = counted > 2 * large_page_bytes ? counted - 2 * large_page_bytes : 0;

	return std::clamp(spare / (std::max<size_t>(n, 1) * bound_bytes), least, centers_count_);
}

// The arrays of one entry per sample, now that the samples are known (a
// k-means may be given fewer than its capacity).  Throws std::bad_alloc.
void
KMeans::prepare_samples()
{
	size_t		n = sample_count_;

	assignment_.assign(n, 0);
	summed_as_.assign(n, unassigned);
	upper_.assign(n, infinity);
	second_.assign(n, infinity);
	order_.assign(n, 0);
	size_t		groups = groups_for(n);

	// the bounds reserved up front (KMeans()) serve if the groups are those
	if (groups != groups_ || bounds_.size() < n * groups)
	{
		groups_ = groups;
		Large<uint8_t>().swap(bounds_);
	}
	bounds_.resize(n * groups_);	// uninitialised: written by form_groups or the first pass
	bound_exponents_.resize(n);		// likewise
	moved_units_.assign(bound_exponent_window * groups_, 0);
	cumulative_.assign(given_ ? 0 : n, 0.0);	// k-means++ weights, for seeding only
	if (given_ && kind_ == VC_ELEMENT_F32)
	{
		panel_count_ = panels_of(centers_count_);
		extra_panels_.assign(extra_panel_floats(centers_count_, dimensions_), 0.0f);
		center_norms_.assign(centers_count_, 0.0f);
		dots_.resize(threads_ * panel_rows * panel_count_ * panel_width);
	}
	if (spherical())
	{
		squared_norms_.assign(n, 0.0);
		for (size_t i = 0; i < n; i++)
		{
			const float *x = reinterpret_cast<const float *>(sample(i));
			double		norm = 0.0;

			for (size_t j = 0; j < dimensions_; j++)
				norm += static_cast<double>(x[j]) * x[j];
			squared_norms_[i] = norm;
		}
	}
}

vc_status
KMeans::set_initial_centers(const void *centers) noexcept
{
	if (started_ || centers == nullptr)
		return VC_ERROR_INVALID_ARGUMENT;

	if (kind_ == VC_ELEMENT_F32 &&
		!all_finite(static_cast<const float *>(centers), centers_count_ * dimensions_))
		return VC_ERROR_NOT_FINITE;
	try
	{
		given_order_.resize(centers_count_);
	}
	catch (const std::bad_alloc &)
	{
		return VC_ERROR_NO_MEMORY;
	}
	// sums_ (or ones_) is unused until the first update, and large enough
	std::memcpy(spare_rows(), centers, centers_count_ * row_bytes_);
	given_ = true;
	for (size_t c = 0; c < centers_count_; c++)
		given_order_[c] = static_cast<uint32_t>(c);
	for (size_t c = centers_count_; c > 1; c--)	// Fisher-Yates, from the seed
		std::swap(given_order_[c - 1], given_order_[splitmix64(random_state_) % c]);
	return VC_OK;
}

vc_status
KMeans::assignment(uint32_t *out, size_t count) const noexcept
{
	if (!finished() || out == nullptr || count != sample_count_)
		return VC_ERROR_INVALID_ARGUMENT;
	std::memcpy(out, assignment_.data(), count * sizeof(uint32_t));
	return VC_OK;
}

// The sample's share of the inertia, in the metric's own distance.
double
KMeans::inertia_of(size_t i) const noexcept
{
	double		u = upper_[i];

	if (kind_ == VC_ELEMENT_BITS)
		return u;
	if (metric_ == VC_METRIC_L2_SQUARED)
		return u * u;

	double		inner_product = (squared_norms_[i] + 1.0 - u * u) / 2.0;

	return metric_ == VC_METRIC_COSINE ? 1.0 - inner_product : -inner_product;
}

double
KMeans::total_inertia() const noexcept
{
	double		total = 0.0;

	for (size_t i = 0; i < sample_count_; i++)
		total += inertia_of(i);
	return total;
}

// A zero sample has no direction to be a spherical centre.
bool
KMeans::may_be_center(size_t i) const noexcept
{
	return !spherical() || squared_norms_[i] > 0.0;
}

/* Seeding ------------------------------------------------------------------- */

// Centre seeded_ becomes sample i (normalised if spherical), or, with no
// sample that may be one (all zero, spherical), the first unit vector.
void
KMeans::choose_center(size_t i) noexcept
{
	uint8_t    *out = center(seeded_);

	if (i >= sample_count_)
	{
		std::memset(out, 0, row_bytes_);
		reinterpret_cast<float *>(out)[0] = 1.0f;
	}
	else if (spherical())
	{
		const float *x = reinterpret_cast<const float *>(sample(i));
		double		scale = 1.0 / std::sqrt(squared_norms_[i]);

		for (size_t j = 0; j < dimensions_; j++)
			reinterpret_cast<float *>(out)[j] = static_cast<float>(x[j] * scale);
	}
	else
		std::memcpy(out, sample(i), row_bytes_);
	center_chosen();
}

// Centre seeded_ becomes the next of the given centres, taken in the
// shuffled order of given_order_: given centres usually come grouped (a
// k-means' output is ordered by its groups), and the first groups_ taken
// seed the groups here, so they should be spread out.
void
KMeans::take_given_center() noexcept
{
	std::memcpy(center(seeded_),
				spare_rows() + given_order_[seeded_] * row_bytes_,
				row_bytes_);
	center_chosen();
}

void
KMeans::center_chosen() noexcept
{
	uint8_t    *out = center(seeded_);

	// how far the earlier centres are from it, to skip samples (seed_block);
	// its group is the nearest of the first groups_ centres (k-means++
	// spreads those out), or its own if it is one of them
	float	   *gaps = gap_row(seeded_);

	distances_to_contiguous(distance_, out, centers_.data(), seeded_, gaps);
	for (size_t c = 0; c < seeded_; c++)
		gaps[c] = metric_distance(gaps[c]);
	group_of_[seeded_] = static_cast<uint32_t>(seeded_);
	if (seeded_ >= groups_)
		group_of_[seeded_] = static_cast<uint32_t>(std::min_element(gaps, gaps + groups_) - gaps);
	seeded_++;
}

// The samples' weights for k-means++ (squared distances to the nearest
// applied centre; none for a zero sample in spherical k-means), summed up
// in sample order for drawing.
void
KMeans::sum_weights() noexcept
{
	double		total = 0.0;

	for (size_t i = 0; i < sample_count_; i++)
	{
		if (may_be_center(i))
			total += static_cast<double>(upper_[i]) * upper_[i];
		cumulative_[i] = total;
	}
}

// k-means++: the next centre is sample i with probability proportional to
// its squared distance D(i)^2 to the nearest centre so far.  The weights
// known are those of the applied centres, upper bounds of D(i)^2 (pending
// centres can only bring samples nearer): a sample drawn by them is taken
// with probability D(i)^2 / weight, computed against the pending centres,
// which is exactly D^2 sampling (rejection sampling), however stale the
// weights.  After max_draw_attempts rejections (the weights have become
// too stale), returns without a centre so that the caller applies the
// pending ones first.  When every sample is a centre already (fewer
// distinct samples than centres), the rest are copies of samples in turn.
// Returns the work done.
size_t
KMeans::draw_next_center() noexcept
{
	double		total = cumulative_[sample_count_ - 1];
	size_t		pending = seeded_ - applied_;
	float	   *raw = scratch_.data();
	size_t		work = 1;

	if (!(total > 0.0) || !std::isfinite(total))
	{
		for (size_t t = 0; t < sample_count_; t++)
		{
			size_t		i = (seeded_ + t) % sample_count_;

			if (may_be_center(i))
			{
				choose_center(i);
				return work;
			}
		}
		choose_center(sample_count_);
		return work;
	}
	for (int attempt = 0; attempt < max_draw_attempts; attempt++)
	{
		double		target = uniform_01(random_state_) * total;
		size_t		i = std::min<size_t>(std::upper_bound(cumulative_.begin(),
														   cumulative_.begin() + sample_count_,
														   target) - cumulative_.begin(),
										 sample_count_ - 1);
		double		weight = static_cast<double>(upper_[i]) * upper_[i];
		double		now = weight;

		distances_to_contiguous(distance_, sample(i), center(applied_), pending, raw);
		work += pending;
		for (size_t p = 0; p < pending; p++)
		{
			double		d = metric_distance(raw[p]);

			now = std::min(now, d * d);
		}
		if (uniform_01(random_state_) * weight < now)
		{
			choose_center(i);
			return work;
		}
	}
	stale_ = true;
	return work;
}

// Distances from the pending centres, in order, to the samples of block.
// A sample whose centre a is at least twice its distance u from a pending
// centre c cannot be nearer to c (d(x, c) >= d(a, c) - u >= u): it is
// skipped, and d(a, c) - u bounds its distance to c from below.  Late in
// the seeding most samples are skipped.  The block's samples stay in cache
// from one pending centre to the next.
size_t
KMeans::seed_block(size_t block) noexcept
{
	size_t		first = block * seed_block_size_;
	size_t		last = std::min(first + seed_block_size_, sample_count_);
	uint32_t	indices[max_seed_block_size];
	const void *vectors[max_seed_block_size];
	float		raw[max_seed_block_size];
	size_t		work = 1;

	for (size_t c = applied_; c < seeded_; c++)
	{
		const float *gaps = gap_row(c);
		size_t		count = 0;

		for (size_t i = first; i < last; i++)
		{
			float		gap = gaps[assignment_[i]];

			if (c > 0 && gap >= 2.0f * upper_[i])
			{
				second_[i] = std::min(second_[i], gap - upper_[i]);
				continue;
			}
			indices[count] = static_cast<uint32_t>(i);
			vectors[count++] = sample(i);
		}
		if (count > 0)
			distance_.batch(center(c), vectors, count, raw);
		work += count;
		for (size_t b = 0; b < count; b++)
		{
			size_t		i = indices[b];
			float		d = metric_distance(raw[b]);

			// ties keep the earlier centre
			if (d < upper_[i])
			{
				second_[i] = upper_[i];
				upper_[i] = d;
				assignment_[i] = static_cast<uint32_t>(c);
			}
			else if (d < second_[i])
				second_[i] = d;
		}
	}
	return work;
}

// Every sample has seen the pending centres: draw more, or group the
// centres and start iterating with the assignment the seeding left.
void
KMeans::finish_center_pass() noexcept
{
	applied_ = seeded_;
	stale_ = false;
	if (seeded_ < centers_count_)
	{
		sum_weights();
		return;
	}
	form_groups();
	inertia_ = total_inertia();
	reassigned_ = sample_count_;
	phase_ = Phase::update;
}

// Yinyang's groups, chosen during the seeding (choose_center): the centres
// are reordered so that every group is a run of consecutive centres.  The
// order of the centres means nothing to the caller.  Every bound starts as
// the seeding's bound on the second nearest.
void
KMeans::form_groups() noexcept
{
	size_t		k = centers_count_;

	std::fill(group_start_.begin(), group_start_.end(), 0u);
	for (size_t c = 0; c < k; c++)
		group_start_[group_of_[c] + 1]++;
	for (size_t g = 0; g < groups_; g++)
		group_start_[g + 1] += group_start_[g];

	// sums_ (or ones_) is unused until the first update (given centres,
	// if any, have all been taken) and holds all the centres: reorder
	// through it, then clear it again
	uint8_t    *reordered = spare_rows();
	std::vector<uint32_t> &next = members_;	// also unused until then

	for (size_t g = 0; g < groups_; g++)
		next[g] = group_start_[g];
	for (size_t c = 0; c < k; c++)
	{
		new_position_[c] = next[group_of_[c]]++;
		std::memcpy(reordered + new_position_[c] * row_bytes_, center(c), row_bytes_);
	}
	std::memcpy(centers_.data(), reordered, k * row_bytes_);
	std::memset(reordered, 0, k * row_bytes_);
	std::fill(members_.begin(), members_.end(), 0u);
	for (size_t g = 0; g < groups_; g++)
		std::fill(group_of_.begin() + group_start_[g], group_of_.begin() + group_start_[g + 1],
				  static_cast<uint32_t>(g));

	for (size_t i = 0; i < sample_count_; i++)
		assignment_[i] = new_position_[assignment_[i]];
	// after seeding, the bounds start as the seeding's; given centres get
	// exact ones from the first pass
	if (given_)
		return;
	for (size_t i = 0; i < sample_count_; i++)
	{
		set_bound_exponent(i, upper_[i], second_[i]);
		std::fill(bounds(i), bounds(i) + groups_, encode_bound(second_[i], units_per_distance(bound_exponents_[i])));
	}
	note_bound_exponents();
}

/* Centres from the assignment ---------------------------------------------- */

void
KMeans::move_sample(size_t i, uint32_t from, uint32_t to) noexcept
{
	size_t		d = dimensions_;

	if (kind_ == VC_ELEMENT_F32)
	{
		const float *x = reinterpret_cast<const float *>(sample(i));

		if (from != unassigned)
		{
			double	   *sums = sums_.data() + from * d;

			for (size_t j = 0; j < d; j++)
				sums[j] -= x[j];
		}

		double	   *sums = sums_.data() + to * d;

		for (size_t j = 0; j < d; j++)
			sums[j] += x[j];
	}
	else
	{
		const uint8_t *x = sample(i);

		for (size_t byte = 0; byte < row_bytes_; byte++)
			for (unsigned bits = x[byte]; bits != 0; bits &= bits - 1)
			{
				// the first bit of a byte is its top one
				size_t		j = byte * 8 + 7 - static_cast<size_t>(__builtin_ctz(bits));

				if (from != unassigned)
					ones_[from * d + j]--;
				ones_[to * d + j]++;
			}
	}
	if (from != unassigned)
	{
		members_[from]--;
		changed_[from] = 1;
	}
	members_[to]++;
	changed_[to] = 1;
	summed_as_[i] = to;
}

// An empty cluster takes the sample furthest from its centre among those
// whose cluster keeps at least one other (splitting a spread-out cluster);
// with none left (fewer distinct samples than centres), it stays empty and
// keeps its centre.
void
KMeans::fill_empty_clusters() noexcept
{
	if (std::find(members_.begin(), members_.end(), 0u) == members_.end())
		return;

	size_t		candidates = 0;

	for (size_t i = 0; i < sample_count_; i++)
		if (members_[assignment_[i]] > 1 && may_be_center(i))
			order_[candidates++] = static_cast<uint32_t>(i);
	std::sort(order_.begin(), order_.begin() + candidates, [this](uint32_t a, uint32_t b) {
		return upper_[a] > upper_[b] || (upper_[a] == upper_[b] && a < b);
	});

	size_t		next = 0;

	for (size_t c = 0; c < centers_count_; c++)
	{
		if (members_[c] != 0)
			continue;
		while (next < candidates && members_[assignment_[order_[next]]] <= 1)
			next++;
		if (next == candidates)
			return;

		uint32_t	i = order_[next++];

		move_sample(i, assignment_[i], static_cast<uint32_t>(c));
		assignment_[i] = static_cast<uint32_t>(c);
		std::fill(bounds(i), bounds(i) + groups_, uint8_t(0));	// compare with all next time
	}
}

// Centre c from its members (if it has any); moved_[c] gets how far it
// went.  false if it stays where it is.
bool
KMeans::recompute_center(size_t c) noexcept
{
	size_t		count = members_[c];
	size_t		d = dimensions_;

	moved_[c] = 0.0f;
	if (count == 0)
		return false;

	uint8_t    *candidate = reinterpret_cast<uint8_t *>(candidate_.data());

	if (kind_ == VC_ELEMENT_F32)
	{
		const double *sums = sums_.data() + c * d;
		float	   *out = reinterpret_cast<float *>(candidate);
		double		scale = 1.0 / static_cast<double>(count);

		if (spherical())
		{
			double		norm = 0.0;

			for (size_t j = 0; j < d; j++)
				norm += sums[j] * sums[j];
			if (!(norm > 0.0) || !std::isfinite(norm))
				return false;	// no direction: keep the centre
			scale = 1.0 / std::sqrt(norm);
		}
		for (size_t j = 0; j < d; j++)
			out[j] = static_cast<float>(sums[j] * scale);
	}
	else
	{
		const uint32_t *ones = ones_.data() + c * d;
		const uint8_t *old = center(c);

		std::memset(candidate, 0, row_bytes_);
		for (size_t j = 0; j < d; j++)
		{
			size_t		twice = 2 * static_cast<size_t>(ones[j]);
			bool		bit = twice > count ||
				(twice == count && (old[j / 8] >> (7 - j % 8) & 1) != 0);

			if (bit)
				candidate[j / 8] |= static_cast<uint8_t>(0x80u >> (j % 8));
		}
	}
	moved_[c] = metric_distance(distance_.pair(center(c), candidate));
	std::memcpy(center(c), candidate, row_bytes_);
	return true;
}

// Centres from the assignment of the last pass, and how far each moved
// (moved_) and the furthest of each group (group_moved_), by which the
// next pass lowers the bounds.  Returns the work done, in about distances.
size_t
KMeans::update_centers() noexcept
{
	size_t		work = 1;

	for (size_t i = 0; i < sample_count_; i++)
		if (assignment_[i] != summed_as_[i])
			move_sample(i, summed_as_[i], assignment_[i]);
	fill_empty_clusters();

	std::fill(group_moved_.begin(), group_moved_.end(), 0.0f);
	for (size_t c = 0; c < centers_count_; c++)
	{
		moved_[c] = 0.0f;
		if (changed_[c])
		{
			recompute_center(c);
			changed_[c] = 0;
			work++;
		}
		group_moved_[group_of_[c]] = std::max(group_moved_[group_of_[c]], moved_[c]);
	}

	// the bounds are lowered by group_moved_ in the pass, sample by sample
	round_moves_to_units();
	cursor_ = 0;
	phase_ = Phase::pass;
	pass_reassigned_.store(0, std::memory_order_relaxed);
	return work;
}

// Once the samples' bounds are set (the first pass, or after seeding): the
// bound exponents are brought within a window of bound_exponent_window
// below the largest, so that the moves are rounded to that many units.  A
// sample below it (its distances tiny next to others') has its bounds
// taken to the window's least unit, cut toward zero: still lower bounds.
void
KMeans::note_bound_exponents() noexcept
{
	int			most = least_bound_exponent;

	for (size_t i = 0; i < sample_count_; i++)
		most = std::max<int>(most, bound_exponents_[i]);
	least_exponent_ = std::max<int>(most - static_cast<int>(bound_exponent_window) + 1, least_bound_exponent);
	for (size_t i = 0; i < sample_count_; i++)
	{
		int			shift = least_exponent_ - bound_exponents_[i];

		if (shift <= 0)
			continue;
		for (uint8_t *b = bounds(i); b != bounds(i) + groups_; b++)
			if (*b != infinite_bound)
				*b = static_cast<uint8_t>(shift < 8 ? *b >> shift : 0);
		bound_exponents_[i] = static_cast<int8_t>(least_exponent_);
	}
}

// group_moved_ in whole units of each exponent of the window, rounded up,
// for the pass to lower the bounds with byte subtractions.
void
KMeans::round_moves_to_units() noexcept
{
	for (size_t e = 0; e < bound_exponent_window; e++)
	{
		uint8_t    *units = moved_units_.data() + e * groups_;
		int			exponent = least_exponent_ + static_cast<int>(e);

		for (size_t g = 0; g < groups_; g++)
			units[g] = bound_units_up(group_moved_[g], exponent);
	}
}

/* Assignment ------------------------------------------------------------------ */

// Sample i, at upper_raw from its centre, against every other centre of the
// groups compared[0..groups) (those whose lowered bound is below its
// distance; one batch call): the nearest there (or its own), and exact
// bounds for those groups.  Distances are compared raw
// (squared for F32), exactly as a full comparison would; a tie keeps the
// current centre, then goes to the first.  Returns whether the centre
// changed.
bool
KMeans::reassign(size_t i, float upper_raw, const uint32_t *compared, size_t groups,
				 size_t thread, size_t &work) noexcept
{
	if (groups_ == centers_count_)
		return reassign_to_centers(i, upper_raw, compared, groups, thread, work);

	uint32_t	a = assignment_[i];
	uint8_t    *b = bounds(i);
	int			exponent = bound_exponents_[i];
	float		per_unit = units_per_distance(exponent);
	float	   *raw = scratch_.data() + thread * centers_count_;
	const void **vectors = scratch_vectors_.data() + thread * centers_count_;
	uint32_t   *ids = scratch_ids_.data() + thread * centers_count_;
	uint32_t   *first = scratch_group_first_.data() + thread * (groups_ + 1);
	size_t		count = 0;

	for (size_t t = 0; t < groups; t++)
	{
		uint32_t	g = compared[t];

		first[t] = static_cast<uint32_t>(count);
		for (size_t c = group_start_[g]; c < group_start_[g + 1]; c++)
		{
			vectors[count] = center(c);	// without a branch to mispredict
			ids[count] = static_cast<uint32_t>(c);
			count += c != a;
		}
	}
	first[groups] = static_cast<uint32_t>(count);
	distance_.batch(sample(i), vectors, count, raw);
	work += count;

	// the compared centres are in increasing order: the first minimum wins
	size_t		best_at = count;
	float		best_raw = upper_raw;

	for (size_t p = 0; p < count; p++)
		if (raw[p] < best_raw)
		{
			best_raw = raw[p];
			best_at = p;
		}

	uint32_t	best = a;

	if (best_at < count)
	{
		best = ids[best_at];
		raw[best_at] = infinity;	// a bound is on the other centres
	}
	for (size_t t = 0; t < groups; t++)
	{
		float		nearest = infinity;

		for (size_t p = first[t]; p < first[t + 1]; p++)
			nearest = raw[p] < nearest ? raw[p] : nearest;
		b[compared[t]] = encode_bound(metric_distance(nearest), per_unit);
	}
	// the centre left is one of its group's others now
	if (best != a)
		b[group_of_[a]] = std::min(b[group_of_[a]], encode_bound(metric_distance(upper_raw), per_unit));
	assignment_[i] = best;
	upper_[i] = metric_distance(best_raw);
	return best != a;
}

// reassign() with one group per centre (Elkan's bounds): compared[] are
// the centres themselves, each bound is a distance, no loops over groups.
// The own centre's bound stays infinite (no other centre in its group);
// it is compared only after fill_empty_clusters() zeroed every bound.
bool
KMeans::reassign_to_centers(size_t i, float upper_raw, const uint32_t *compared, size_t count,
							size_t thread, size_t &work) noexcept
{
	uint32_t	a = assignment_[i];
	uint8_t    *b = bounds(i);
	float		per_unit = units_per_distance(bound_exponents_[i]);
	float	   *raw = scratch_.data() + thread * centers_count_;
	const void **vectors = scratch_vectors_.data() + thread * centers_count_;

	for (size_t t = 0; t < count; t++)
		vectors[t] = center(compared[t]);
	distance_.batch(sample(i), vectors, count, raw);
	work += count;

	// a tie keeps the current centre (its distance is upper_raw, never
	// below it), then goes to the first
	size_t		best_at = first_minimum(raw, count);
	float		best_raw = raw[best_at] < upper_raw ? raw[best_at] : upper_raw;
	uint32_t	best = raw[best_at] < upper_raw ? compared[best_at] : a;

	if (kind_ == VC_ELEMENT_F32)
		for (size_t t = 0; t < count; t++)
			raw[t] = std::sqrt(raw[t]);
	for (size_t t = 0; t < count; t++)
		b[compared[t]] = encode_bound(raw[t], per_unit);
	if (best != a)
		b[a] = encode_bound(metric_distance(upper_raw), per_unit);	// one of the others now
	b[best] = infinite_bound;
	assignment_[i] = best;
	upper_[i] = metric_distance(best_raw);
	return best != a;
}

// Samples of block: each gets the exact distance to its centre; those that
// some group's bound (lowered by how far its centres moved) does not rule
// out are compared with those groups.
size_t
KMeans::pass_block(size_t block, size_t thread) noexcept
{
	size_t		first = block * pass_block_size;
	size_t		last = std::min(first + pass_block_size, sample_count_);
	size_t		work = last - first;
	size_t		reassigned = 0;
	uint32_t   *compared = scratch_groups_.data() + thread * (centers_count_ + select_slack);

	for (size_t i = first; i < last; i++)
	{
		float		upper_raw = distance_.pair(sample(i), center(assignment_[i]));
		float		upper = metric_distance(upper_raw);
		// the bounds are lowered by the last update's moves here, while they
		// are in cache, rather than in a sweep over all of them
		int			exponent = bound_exponents_[i];
		const uint8_t *moved = moved_units_.data() + static_cast<size_t>(exponent - least_exponent_) * groups_;
		size_t		groups = kernels_->lower_bounds_select(bounds(i), moved, groups_,
														   bound_units_up(upper, exponent), compared);
		upper_[i] = upper;
		if (groups > 0 && reassign(i, upper_raw, compared, groups, thread, work))
			reassigned++;
	}
	pass_reassigned_.fetch_add(reassigned, std::memory_order_relaxed);
	return work;
}

// Given centres: all are taken and grouped at once (the first groups_
// taken, spread out by the shuffle, seed the groups), and the first pass
// compares every sample with every centre, which gives each its centre and
// exact group bounds: one read of the samples, the centres staying in
// cache, rather than a seeding pass per batch of pending centres.
void
KMeans::take_all_given_centers() noexcept
{
	while (seeded_ < centers_count_)
		take_given_center();
	applied_ = seeded_;
	form_groups();
	if (panel_count_ != 0)
		lay_out_panels();
	cursor_ = 0;
	phase_ = Phase::first_pass;
}

// The centres (in their final order) into panels, and their norms.
void
KMeans::lay_out_panels() noexcept
{
	for (size_t c = 0; c < centers_count_; c++)
	{
		const float *x = reinterpret_cast<const float *>(center(c));
		float	   *panel = panels() + c / panel_width * dimensions_ * panel_width + c % panel_width;

		for (size_t j = 0; j < dimensions_; j++)
			panel[j * panel_width] = x[j];
		center_norms_[c] = static_cast<float>(kernels_->f32_sum_of_squares(x, dimensions_));
		largest_center_norm_ = std::max(largest_center_norm_, center_norms_[c]);
	}
}

// Sample i's raw distance to every centre, or a lower bound of it, from
// its dot products with them: |x - c|^2 = |x|^2 + |c|^2 - 2 x.c.  The dot
// products are float sums, off by at most (n + 2) 2^-24 (|x|^2 + |c|^2)
// (each |x_j c_j| summed, and sum |x_j c_j| <= (|x|^2 + |c|^2) / 2); the
// pair kernel's distance is off from the true one by about as much, and
// the float arithmetic here by a few units in the last place.  With a
// margin of 4 (n + 8) 2^-24 (|x|^2 + |c|^2), a centre whose estimate less
// the margin is not above the smallest estimate plus margin could be the
// nearest: it gets its exact distance from the pair kernel; the others are
// further than the nearest for sure, and get the estimate less the margin,
// a lower bound (the caller takes negative ones as 0).  Returns the
// nearest, the first of equals, of those compared: the centre a full
// comparison gives.
size_t
KMeans::first_pass_raw(const float *dots, size_t i, float *raw) noexcept
{
	const float *x = reinterpret_cast<const float *>(sample(i));
	float		x_norm = static_cast<float>(kernels_->f32_sum_of_squares(x, dimensions_));
	float		tolerance = 4.0f * (static_cast<float>(dimensions_) + 8.0f) * 0x1p-24f;
	size_t		k = centers_count_;
	size_t		best = k;

	// estimates less the margin; at least the smallest plus margin (the
	// smallest less the margin, plus the widest margin): anything above is
	// not the nearest
	float		least = kernels_->f32_estimates_least(dots, center_norms_.data(), x_norm, 1.0f - tolerance,
													  k, raw) +
		2.0f * tolerance * (x_norm + largest_center_norm_);

	for (size_t c = 0; c < k; c++)
		if (!(raw[c] > least))	// may be the nearest (or an estimate overflowed)
		{
			raw[c] = distance_.pair(x, center(c));
			if (best == k || raw[c] < raw[best])
				best = c;
		}
	if (best == k)				// nothing compared (overflows): the least estimate
	{
		for (size_t c = 0; c < k; c++)
			raw[c] = std::max(raw[c], 0.0f);
		best = first_minimum(raw, k);
	}
	return best;
}

size_t
KMeans::first_pass_block(size_t block, size_t thread) noexcept
{
	size_t		first = block * pass_block_size;
	size_t		last = std::min(first + pass_block_size, sample_count_);
	size_t		k = centers_count_;
	float	   *raw = scratch_.data() + thread * k;
	const void **vectors = scratch_vectors_.data() + thread * k;

	float	   *dots = dots_.empty() ? nullptr : dots_.data() + thread * panel_rows * panel_count_ * panel_width;

	if (dots == nullptr)
		for (size_t c = 0; c < k; c++)
			vectors[c] = center(c);
	for (size_t i = first; i < last; i++)
	{
		uint8_t    *b = bounds(i);
		size_t		best;

		if (dots != nullptr)
		{
			size_t		row = (i - first) % panel_rows;

			if (row == 0)
			{
				const float *rows[panel_rows];
				size_t		count = std::min(panel_rows, last - i);

				for (size_t r = 0; r < count; r++)
					rows[r] = reinterpret_cast<const float *>(sample(i + r));
				kernels_->f32_dot_panels(rows, count, panels(), panel_count_, dimensions_, dots);
			}
			best = first_pass_raw(dots + row * panel_count_ * panel_width, i, raw);
		}
		else
		{
			distance_.batch(sample(i), vectors, k, raw);
			best = first_minimum(raw, k);
		}
		assignment_[i] = static_cast<uint32_t>(best);
		upper_[i] = metric_distance(std::max(raw[best], 0.0f));
		raw[best] = infinity;	// the bounds are on the other centres
		// distances from here on (lower bounds of them, for those estimated)
		set_bound_exponent(i, upper_[i], kind_ == VC_ELEMENT_F32 ? kernels_->f32_roots_least(raw, k)
						   : raw[first_minimum(raw, k)]);

		float		per_unit = units_per_distance(bound_exponents_[i]);

		if (groups_ == k)
		{
			kernels_->encode_bounds(raw, k, per_unit, b);
			continue;
		}
		for (size_t g = 0; g < groups_; g++)
		{
			float		nearest = infinity;

			for (size_t c = group_start_[g]; c < group_start_[g + 1]; c++)
				nearest = raw[c] < nearest ? raw[c] : nearest;
			b[g] = encode_bound(nearest, per_unit);
		}
	}
	return (last - first) * k;
}

void
KMeans::finish_pass() noexcept
{
	inertia_ = total_inertia();
	reassigned_ = pass_reassigned_.load(std::memory_order_relaxed);
	iterations_++;
	phase_ = reassigned_ == 0 || iterations_ >= max_iterations_ ? Phase::finished : Phase::update;
}

/* Driving ---------------------------------------------------------------------- */

// Blocks cursor_.. of the current phase (seeding or pass), claimed in order
// by the threads, until their work reaches budget (at least one block).
// Each block's result depends on its samples only, so the claimed blocks
// are a prefix whatever the threads did.
size_t
KMeans::run_blocks(WorkerThreads *pool, size_t blocks, size_t budget)
{
	Phase		phase = phase_;
	auto		do_block = [this, phase](size_t b, size_t thread) noexcept -> size_t {
		switch (phase)
		{
			case Phase::seeding:
				return seed_block(b);
			case Phase::first_pass:
				return first_pass_block(b, thread);
			default:
				return pass_block(b, thread);
		}
	};

	if (pool == nullptr || blocks - cursor_ == 1)
	{
		size_t		work = 0;

		while (cursor_ < blocks && work < budget)
			work += do_block(cursor_++, 0);
		return work;
	}

	std::atomic<size_t> next{cursor_};
	std::atomic<size_t> work{0};
	auto		claim = [&](size_t thread) noexcept {
		while (work.load(std::memory_order_relaxed) < budget)
		{
			size_t		b = next.fetch_add(1, std::memory_order_relaxed);

			if (b >= blocks)
				break;
			work.fetch_add(do_block(b, thread), std::memory_order_relaxed);
		}
	};

	pool->run(claim);
	cursor_ = std::min(next.load(), blocks);
	return work.load();
}

vc_status
KMeans::run(size_t max_distances, bool *done) noexcept
{
	*done = false;
	if (sample_count_ == 0)
		return VC_ERROR_EMPTY;
	if (!started_)
	{
		try
		{
			prepare_samples();
		}
		catch (const std::bad_alloc &)
		{
			return VC_ERROR_NO_MEMORY;
		}
		started_ = true;
		if (given_)
			take_all_given_centers();
		else
		{
			size_t		first = splitmix64(random_state_) % sample_count_;
			size_t		chosen = sample_count_;	// none: a unit vector

			for (size_t t = 0; t < sample_count_ && chosen == sample_count_; t++)
				if (may_be_center((first + t) % sample_count_))
					chosen = (first + t) % sample_count_;
			choose_center(chosen);
		}
	}

	std::optional<WorkerThreads> pool;

	if (threads_ > 1 && phase_ != Phase::finished)
		pool.emplace(threads_);

	WorkerThreads *threads = pool && pool->count() > 1 ? &*pool : nullptr;
	size_t		budget = std::max<size_t>(max_distances, 1);
	size_t		spent = 0;

	while (spent < budget && phase_ != Phase::finished)
	{
		if (phase_ == Phase::update)
		{
			spent += update_centers();
			continue;
		}

		bool		seeding = phase_ == Phase::seeding;

		// between passes of the seeding, centres are drawn until the
		// pending ones must be applied
		if (seeding && cursor_ == 0 && seeded_ < centers_count_ && !stale_ &&
			seeded_ - applied_ < max_pending_centers && applied_ > 0)
		{
			spent += draw_next_center();
			continue;
		}

		size_t		block_size = seeding ? seed_block_size_ : pass_block_size;
		size_t		blocks = (sample_count_ + block_size - 1) / block_size;

		spent += run_blocks(threads, blocks, budget - spent);
		if (cursor_ == blocks)
		{
			cursor_ = 0;
			if (seeding)
				finish_center_pass();
			else if (phase_ == Phase::first_pass)
			{
				// the panels are done with: the sums start from zero
				if (panel_count_ != 0)
					std::fill(sums_.begin(), sums_.end(), 0.0);
				// as after seeding: the centres come from this assignment
				note_bound_exponents();
				inertia_ = total_inertia();
				reassigned_ = sample_count_;
				phase_ = Phase::update;
			}
			else
				finish_pass();
		}
	}
	*done = finished();
	return VC_OK;
}

void
KMeans::progress(vc_kmeans_progress *out) const noexcept
{
	out->seeding = phase_ == Phase::seeding;
	out->iterations = iterations_;
	out->centers_seeded = seeded_;
	out->inertia = inertia_;
	out->reassigned = reassigned_;
}

}							// namespace vector_core
