// hash_mix.hpp: the 64-bit finaliser of MurmurHash3, for hash tables keyed
// by ids whose low bits alone are poorly spread (packed block << 16 | offset,
// element numbers): every input bit reaches every output bit.
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

}							// namespace vector_core
