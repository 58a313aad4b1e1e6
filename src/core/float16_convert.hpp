// float16_convert.hpp: IEEE binary16 <-> binary32 conversion in plain
// integer arithmetic, independent of the FPU rounding mode and of F16C.
//
// Included by per-target TUs compiled with wider instruction sets, so every
// function has internal linkage (see kernel_table.hpp), and only compiler
// builtins are used: no std:: inline function whose one shared copy the
// linker could take from an AVX-512 object.
#pragma once

#include "cpp_only.hpp"

#include <cstdint>

namespace vector_core
{
namespace
{

constexpr uint16_t half_infinity_bits = 0x7c00;
constexpr uint16_t half_sign_bit = 0x8000;

inline float
half_to_float(uint16_t half) noexcept
{
	uint32_t	sign = static_cast<uint32_t>(half & half_sign_bit) << 16;
	uint32_t	exponent = (half >> 10) & 0x1f;
	uint32_t	mantissa = half & 0x3ff;

	if (exponent == 0)
	{
		// zero or subnormal: mantissa * 2^-24, exact in float
		float		magnitude = static_cast<float>(mantissa) * 0x1p-24f;

		return sign ? -magnitude : magnitude;
	}
	if (exponent == 0x1f)		// infinity or NaN, payload kept
		return __builtin_bit_cast(float, sign | 0x7f800000u | (mantissa << 13));
	// rebias the exponent from 15 to 127
	return __builtin_bit_cast(float, sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// Round to nearest, ties to even; magnitudes from 65520 up become infinity.
inline uint16_t
float_to_half(float value) noexcept
{
	uint32_t	bits = __builtin_bit_cast(uint32_t, value);
	uint16_t	sign = static_cast<uint16_t>((bits >> 16) & half_sign_bit);
	uint32_t	magnitude = bits & 0x7fffffffu;

	if (magnitude >= 0x7f800000u)
	{
		if (magnitude == 0x7f800000u)
			return sign | half_infinity_bits;
		// NaN: keep it quiet and keep the top of the payload
		return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
	}
	if (magnitude >= 0x477ff000u)	// 65520.0f: halfway to 2^16 rounds up
		return sign | half_infinity_bits;
	if (magnitude >= 0x38800000u)	// 2^-14: a normal half
	{
		// Round the 13 dropped bits to nearest even, then rebias 127 -> 15; a
		// carry out of the mantissa correctly bumps the exponent.
		uint32_t	rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);

		return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
	}

	// A subnormal half (or zero): units of 2^-24.
	uint32_t	exponent = magnitude >> 23;

	if (exponent < 102)			// below 2^-25: rounds to zero
		return sign;

	uint32_t	significand = (magnitude & 0x7fffffu) | 0x800000u;
	uint32_t	shift = 126 - exponent; // 14..24
	uint32_t	units = significand >> shift;
	uint32_t	remainder = significand & ((1u << shift) - 1);
	uint32_t	halfway = 1u << (shift - 1);

	if (remainder > halfway || (remainder == halfway && (units & 1u)))
		units++;
	return static_cast<uint16_t>(sign | units);
}

inline bool
half_is_infinite(uint16_t half) noexcept
{
	return (half & 0x7fff) == half_infinity_bits;
}

}							// namespace
}							// namespace vector_core
