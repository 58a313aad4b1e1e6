// element_distance.hpp: the distance between two vectors of one element kind
// and metric, through the dispatched kernels.
//
// Shared by the search state (query against fetched vectors) and the HNSW
// graph build (stored element against stored element), so that both compute
// exactly the same float, "smaller is nearer": the batch kernels give the
// single-pair results bit for bit, so pair() and batch() agree too.
#pragma once

#include "cpp_only.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cpu_dispatch.hpp"
#include "kernels_sparse.hpp"
#include "vector_core.h"

namespace vector_core
{

// A sparsevec body: the sparsevec without its varlena header.  The header
// words are read with memcpy (the body needs no alignment for them); the
// index and value arrays are used in place, so the body must be 4-byte
// aligned, as a detoasted sparsevec is.
struct SparseBody
{
	static constexpr size_t header_bytes = 3 * sizeof(int32_t);	// dim, nnz, unused

	const int32_t *indices;
	const float *values;
	size_t		nnz;

	explicit SparseBody(const void *body) noexcept
	{
		int32_t		count;

		std::memcpy(&count, static_cast<const char *>(body) + sizeof(int32_t), sizeof(count));
		nnz = static_cast<size_t>(count);
		indices = reinterpret_cast<const int32_t *>(static_cast<const char *>(body) + header_bytes);
		values = reinterpret_cast<const float *>(indices + nnz);
	}

	// Bytes of a body with nnz elements.
	static size_t bytes_for(size_t nnz) noexcept
	{
		return header_bytes + nnz * (sizeof(int32_t) + sizeof(float));
	}

	// The nnz field of a body, unchecked.
	static int32_t read_nnz(const void *body) noexcept
	{
		int32_t		count;

		std::memcpy(&count, static_cast<const char *>(body) + sizeof(int32_t), sizeof(count));
		return count;
	}

	// Bytes of the body given its nnz field; 0 if the field is out of range.
	static size_t bytes_of(const void *body) noexcept
	{
		int32_t		count = read_nnz(body);

		if (count < 0 || count > VC_SPARSEVEC_MAX_NNZ)
			return 0;
		return bytes_for(static_cast<size_t>(count));
	}
};

class ElementDistance
{
public:
	// Arguments are checked by is_valid_configuration() first.  The kernel
	// table in use now is the one this object keeps using.
	ElementDistance(vc_element_kind kind, vc_metric metric, size_t dimensions) noexcept
		: kernels_(&active_kernels()),
		  kind_(kind),
		  metric_(metric),
		  dimensions_(kind == VC_ELEMENT_SPARSE ? 0 : dimensions),
		  fixed_bytes_(fixed_bytes_of(kind, dimensions_))
	{
	}

	// Kinds with vectors: F32, F16 (float metrics), BITS (bit metrics),
	// SPARSE (float metrics; dimensions ignored).
	static bool is_valid_configuration(vc_element_kind kind, vc_metric metric,
									   size_t dimensions) noexcept;

	// Bytes of one vector for F32, F16 and BITS; 0 for SPARSE (each says).
	static size_t fixed_bytes_of(vc_element_kind kind, size_t dimensions) noexcept;

	vc_element_kind kind() const noexcept { return kind_; }
	vc_metric	metric() const noexcept { return metric_; }
	size_t		dimensions() const noexcept { return dimensions_; }
	size_t		fixed_bytes() const noexcept { return fixed_bytes_; }

	// Bytes of vector: fixed_bytes(), or the size its sparse header gives.
	size_t		bytes_of(const void *vector) const noexcept
	{
		return kind_ == VC_ELEMENT_SPARSE ? SparseBody::bytes_of(vector) : fixed_bytes_;
	}

	float		pair(const void *a, const void *b) const noexcept;

	// distances[i] = pair(query, vectors[i]), with the batch kernels.
	void		batch(const void *query, const void *const *vectors, size_t count,
					  float *distances) const noexcept;

private:
	const KernelTable *kernels_;
	vc_element_kind kind_;
	vc_metric	metric_;
	size_t		dimensions_;
	size_t		fixed_bytes_;
};

}							// namespace vector_core
