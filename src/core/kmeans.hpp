// kmeans.hpp: the IVFFlat lists' centres by k-means over a sample, run in
// chunks of about a given number of distance computations.
//
// Seeding is k-means++ (D^2 sampling, one centre at a time).  Centres are
// drawn by rejection sampling against weights that may lag behind the
// latest centres (exact D^2 sampling still), so that the samples' distances
// to up to 32 new centres are brought up to date in one pass over them
// rather than one pass per centre: for samples larger than the caches,
// several times less memory traffic.  That pass skips the samples the
// triangle inequality shows a new centre cannot take.
// Iterations are Lloyd's, accelerated with Yinyang k-means' group bounds
// (Ding et al., 2015), a middle way between Hamerly's one bound per sample
// and Elkan's one per sample and centre: the centres are split into groups
// of nearby centres (one per centre while those bounds take at most twice
// the samples' memory, or fewer samples than the capacity leave room for
// them; else k/10 groups, up to 32, or more, up to 256, while the bounds
// take no more memory than the samples), and each sample
// keeps the exact distance to its centre (recomputed every iteration,
// which also gives the exact inertia) and a lower bound of its distance to
// each group, in one byte (whole units of a power of two fitted to the
// sample's distances, cut toward zero: kernel_table.hpp).  Only the
// groups whose bound is below the distance to its centre are compared with
// the sample.  The assignment is the one a full comparison would give (ties
// keep the current centre, then go to the first).
//
// Started from given centres instead (set_initial_centers: a build
// refining a sample's centres on every row), there is no seeding: the
// first pass compares every sample with every centre, which gives each its
// centre and exact group bounds in one read of the samples.  For float
// vectors it estimates the distances from dot products with the centres
// laid out 16 to a panel (no sums across vector lanes) and computes exactly
// only those of the centres that may be the nearest within the estimates'
// error.
//
// Spherical k-means (NEGATIVE_INNER_PRODUCT, COSINE) runs on L2 distances
// too: with every centre of unit length, |x - c|^2 = |x|^2 + 1 - 2 x.c, so
// the nearest centre is the one of largest inner product, and the triangle
// inequality behind the bounds holds.  COSINE samples are normalised when
// they are set.  BITS with HAMMING: Hamming distance is a metric too, and a
// centre is the per-bit majority of its samples (a tie keeps the bit).
//
// Every step is a function of the samples, the seed and the steps before
// it, never of the chunking or of the threads: blocks of samples are shared
// out to threads, but each block's result depends only on its samples, and
// sums over samples are taken in sample order by one thread.
#pragma once

#include "cpp_only.hpp"

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "element_distance.hpp"
#include "kernel_table.hpp"
#include "large_pages.hpp"
#include "vector_core.h"

namespace vector_core
{

class WorkerThreads;

class KMeans
{
public:
	static bool is_valid(const vc_kmeans_params &params) noexcept;

	// Upper bound of the bytes the constructor and run() allocate; 0 if the
	// parameters are invalid.
	static size_t memory_bytes(const vc_kmeans_params &params) noexcept;

	// Parameters checked by is_valid() first.  Throws std::bad_alloc.
	explicit KMeans(const vc_kmeans_params &params);
	~KMeans();

	vc_status	set_sample(size_t index, const void *vector) noexcept;
	// Start from these centres instead of seeding (a warm start: refining
	// the centres of a sample's k-means on the whole table).
	vc_status	set_initial_centers(const void *centers) noexcept;
	// Each sample's centre (an index into centers()), once finished.
	vc_status	assignment(uint32_t *out, size_t count) const noexcept;
	size_t		sample_count() const noexcept { return sample_count_; }
	// Takes effect at the end of the current pass.
	void		set_max_iterations(int max_iterations) noexcept { max_iterations_ = max_iterations; }
	const void *sample_row(size_t i) const noexcept { return sample(i); }
	vc_status	run(size_t max_distances, bool *done) noexcept;
	void		progress(vc_kmeans_progress *out) const noexcept;

	bool		finished() const noexcept { return phase_ == Phase::finished; }
	size_t		centers_bytes() const noexcept { return centers_count_ * row_bytes_; }
	const void *centers() const noexcept { return centers_.data(); }

private:
	enum class Phase
	{
		seeding,			// centres drawn, distances from them to every sample
		first_pass,			// given centres: every sample against every centre
		update,				// centres from the assignment, how far they moved
		pass,				// assignment with the bounds
		finished
	};

	static constexpr uint32_t unassigned = UINT32_MAX;

	bool		spherical() const noexcept
	{
		return metric_ == VC_METRIC_NEGATIVE_INNER_PRODUCT || metric_ == VC_METRIC_COSINE;
	}
	const uint8_t *sample(size_t i) const noexcept
	{
		return reinterpret_cast<const uint8_t *>(sample_chunks_[i >> chunk_shift_].data()) +
			(i & ((size_t(1) << chunk_shift_) - 1)) * row_bytes_;
	}
	uint8_t    *center(size_t c) noexcept
	{
		return reinterpret_cast<uint8_t *>(centers_.data()) + c * row_bytes_;
	}
	const uint8_t *center(size_t c) const noexcept
	{
		return reinterpret_cast<const uint8_t *>(centers_.data()) + c * row_bytes_;
	}
	uint8_t    *bounds(size_t i) noexcept { return bounds_.data() + i * groups_; }
	void		set_bound_exponent(size_t i, float nearest, float next) noexcept
	{
		bound_exponents_[i] = static_cast<int8_t>(bound_exponent_for(std::max(nearest, next)));
	}
	void		note_bound_exponents() noexcept;
	Prefaulter::Range early_bounds(size_t chunk) noexcept;
	void		round_moves_to_units() noexcept;
	// k rows of scratch until the first update: the sums' (or counts') space
	uint8_t    *spare_rows() noexcept
	{
		return kind_ == VC_ELEMENT_F32 ? reinterpret_cast<uint8_t *>(sums_.data())
			: reinterpret_cast<uint8_t *>(ones_.data());
	}
	// A distance the triangle inequality holds for, from a kernel's value
	float		metric_distance(float raw) const noexcept
	{
		return kind_ == VC_ELEMENT_F32 ? std::sqrt(raw) : raw;
	}
	double		inertia_of(size_t i) const noexcept;
	bool		may_be_center(size_t i) const noexcept;
	double		total_inertia() const noexcept;

	size_t		run_blocks(WorkerThreads *pool, size_t blocks, size_t budget);
	size_t		seed_block(size_t block) noexcept;
	size_t		draw_next_center() noexcept;
	void		sum_weights() noexcept;
	float	   *gap_row(size_t c) noexcept
	{
		return center_gap_.data() + (c % max_pending_rows()) * centers_count_;
	}
	size_t		max_pending_rows() const noexcept { return center_gap_.size() / centers_count_; }
	size_t		pass_block(size_t block, size_t thread) noexcept;
	size_t		first_pass_block(size_t block, size_t thread) noexcept;
	void		take_all_given_centers() noexcept;
	void		lay_out_panels() noexcept;
	size_t		first_pass_raw(const float *dots, size_t i, float *raw) noexcept;
	bool		reassign(size_t i, float upper_raw, const uint32_t *compared, size_t groups,
						 size_t thread, size_t &work) noexcept;
	bool		reassign_to_centers(size_t i, float upper_raw, const uint32_t *compared,
									size_t count, size_t thread, size_t &work) noexcept;

	size_t		groups_for(size_t samples) const noexcept;
	void		prepare_samples();
	void		choose_center(size_t sample_index) noexcept;
	void		take_given_center() noexcept;
	void		center_chosen() noexcept;
	void		finish_center_pass() noexcept;
	void		form_groups() noexcept;
	void		finish_pass() noexcept;
	size_t		update_centers() noexcept;
	void		move_sample(size_t i, uint32_t from, uint32_t to) noexcept;
	void		fill_empty_clusters() noexcept;
	bool		recompute_center(size_t c) noexcept;

	// configuration
	vc_element_kind kind_;
	vc_metric	metric_;
	size_t		dimensions_;
	size_t		centers_count_;
	size_t		capacity_;
	int			max_iterations_;
	size_t		threads_;
	size_t		row_bytes_;
	size_t		groups_;
	ElementDistance distance_;	// L2 squared (F32) or Hamming (BITS)
	const KernelTable *kernels_;	// the table distance_ uses

	// samples and centres, rows of row_bytes_ (8-byte words for alignment)
	// Samples in chunks of 2^chunk_shift_ rows, allocated as slots are set:
	// a k-means given every row of a table takes memory as they come.
	template <typename T>
	using Large = std::vector<T, LargePageAllocator<T>>;
	std::vector<Large<uint64_t>> sample_chunks_;
	Prefaulter	prefaulter_;		// after the chunks: done before they are freed
	size_t		chunk_shift_;
	std::vector<uint64_t> centers_;
	std::vector<uint64_t> candidate_;	// a centre being recomputed; at
										// grouping, all centres reordered
	Large<double> squared_norms_;	// spherical only: |x|^2 of each sample
	bool		given_ = false;			// initial centres instead of seeding (in
										// spare_rows() until taken)
	std::vector<uint32_t> given_order_;	// the order they are taken in
	// F32 given centres: the first pass's dot products in panels
	// the centres laid out for f32_dot_panels, in the sums' space (which
	// the given centres pass through, and which is zero again before the
	// first update), or beyond it for fewer than 8 centres
	float	   *panels() noexcept
	{
		return extra_panels_.empty() ? reinterpret_cast<float *>(sums_.data()) : extra_panels_.data();
	}
	std::vector<float> extra_panels_;
	std::vector<float> center_norms_;	// |c|^2
	float		largest_center_norm_ = 0.0f;
	std::vector<float> dots_;			// per thread: a block's rows x the panels
	size_t		panel_count_ = 0;	// 0: no first pass through panels

	// per sample
	Large<uint32_t> assignment_;
	Large<uint32_t> summed_as_;	// the cluster its values are summed in
	Large<float> upper_;			// distance to its centre (exact after a pass)
	Large<float> second_;			// seeding: lower bound of the distance to any other
	Large<uint8_t> bounds_;		// lower bound of the distance to each group's
										// centres (its own excluded), encode_bound'ed
	Large<int8_t> bound_exponents_;	// its bounds' unit is 2^this (bound_exponent_for)
	Large<uint32_t> order_;		// scratch: candidates to fill empty clusters
	Large<double> cumulative_;	// seeding: sums of the weights up to each

	// per centre
	std::vector<double> sums_;			// F32: sum of the samples' values
	std::vector<uint32_t> ones_;		// BITS: samples with each bit set
	std::vector<uint32_t> members_;
	std::vector<float> moved_;			// distance moved by the last update
	std::vector<float> center_gap_;		// seeding: each pending centre's distances
										// to the centres before it
	std::vector<uint8_t> changed_;		// membership changed since the last update
	std::vector<uint32_t> group_of_;	// groups are runs of consecutive centres
	std::vector<uint32_t> group_start_;	// groups_ + 1 offsets
	std::vector<uint32_t> new_position_;	// grouping: where each centre goes
	std::vector<float> group_moved_;	// the furthest a centre of the group moved

	// group_moved_ in units of each bound exponent from least_exponent_ on,
	// rounded up (bound_exponent_window x groups_)
	std::vector<uint8_t> moved_units_;
	int			least_exponent_ = 0;

	// per thread: distances from one sample to the centres, and the centres
	std::vector<float> scratch_;
	std::vector<const void *> scratch_vectors_;
	std::vector<uint32_t> scratch_ids_;		// the centres compared
	std::vector<uint32_t> scratch_groups_;	// the groups compared
	std::vector<uint32_t> scratch_group_first_;	// where each one's centres start

	// progress
	Phase		phase_ = Phase::seeding;
	bool		started_ = false;
	size_t		sample_count_ = 0;
	size_t		seeded_ = 0;
	size_t		applied_ = 0;		// centres every sample has been compared with
	bool		stale_ = false;		// the weights must be brought up to date
	size_t		seed_block_size_;
	size_t		cursor_ = 0;		// next block of the phase
	uint64_t	random_state_;
	int			iterations_ = 0;
	double		inertia_ = 0.0;
	size_t		reassigned_ = 0;
	std::atomic<size_t> pass_reassigned_{0};
};

}							// namespace vector_core
