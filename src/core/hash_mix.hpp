// hash_mix.hpp: the 64-bit finaliser of MurmurHash3, for hash tables keyed
// by ids whose low bits alone are poorly spread (packed block << 16 | offset,
// element numbers): every input bit reaches every output bit.  And SplitMix64,
// the core's seeded random stream (HNSW levels, k-means seeding): the same
// numbers on every platform, unlike std:: distributions.
#pragma once

#include "cpp_only.hpp"

#include <cstdint>

namespace vector_core
{

inline uint64_t
mix64(uint64_t h) noexcept
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

// The next number of the stream whose state is state.
inline uint64_t
splitmix64(uint64_t &state) noexcept
{
	uint64_t	z = (state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

}							// namespace vector_core
