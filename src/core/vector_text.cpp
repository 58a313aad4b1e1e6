// vector_text.cpp: the text form of float vectors, "[1,2.5,-3e+20]".
//
// Parsing accepts what pgvector (which uses strtof) accepts, but is locale
// independent: std::from_chars plus our own handling of signs, whitespace and
// hexadecimal floats.  Formatting prints the shortest text that reads back to
// the same float, laid out exactly as PostgreSQL's float4out prints it.
#include "cpp_only.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <system_error>

#include "vector_core.h"

namespace
{

// The characters PostgreSQL's array parser treats as whitespace.
constexpr bool
is_space(char c) noexcept
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constexpr bool
is_digit(char c, int base) noexcept
{
	if (c >= '0' && c <= '9')
		return true;
	if (base == 16)
		return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	return false;
}

const char *
skip_spaces(const char *p) noexcept
{
	while (is_space(*p))
		++p;
	return p;
}

// Whether the number spelled by [digits, end) (no sign, no "0x") is at least
// one in magnitude.  from_chars does not say whether an out-of-range value
// overflowed or underflowed; the position of the first significant digit plus
// the exponent does.  Both are in the same unit (decimal digits, or bits for
// hexadecimal), so only the sign of their sum matters.
bool
magnitude_at_least_one(const char *digits, const char *end, int base) noexcept
{
	const char	exponent_marker = (base == 16) ? 'p' : 'e';
	const int64_t unit = (base == 16) ? 4 : 1;
	int64_t		position = 0;	// floor(log(|mantissa|)) + 1, in units
	bool		seen_significant = false;
	bool		after_point = false;
	const char *p = digits;

	for (; p < end && (is_digit(*p, base) || *p == '.'); ++p)
	{
		if (*p == '.')
		{
			after_point = true;
			continue;
		}
		if (!seen_significant && *p == '0')
		{
			if (after_point)
				position -= unit;
			continue;
		}
		seen_significant = true;
		if (!after_point)
			position += unit;
	}

	int64_t		exponent = 0;

	if (p < end && (*p | 0x20) == exponent_marker)
	{
		++p;
		bool		negative = false;

		if (p < end && (*p == '+' || *p == '-'))
			negative = (*p++ == '-');
		for (; p < end && *p >= '0' && *p <= '9'; ++p)
		{
			// saturate: a billion is far beyond any float exponent
			if (exponent < 1000000000)
				exponent = exponent * 10 + (*p - '0');
		}
		if (negative)
			exponent = -exponent;
	}

	return position + exponent > 0;
}

// Parse one float at p, as strtof would (optional sign, decimal or "0x" hex,
// "inf", "nan").  *end is just past it, or on a syntax error where the
// number went wrong.  Underflow becomes a zero of the right sign, as
// strtof's result is accepted by pgvector.
vc_status
parse_float(const char *p, const char *limit, float *value, const char **end) noexcept
{
	bool		negative = false;

	if (p < limit && (*p == '+' || *p == '-'))
		negative = (*p++ == '-');

	// from_chars would accept a second '-' itself; strtof does not
	if (p >= limit || *p == '+' || *p == '-')
	{
		*end = p;
		return VC_ERROR_SYNTAX;
	}

	int			base = 10;
	std::chars_format format = std::chars_format::general;

	if (limit - p > 2 && p[0] == '0' && (p[1] | 0x20) == 'x' &&
		(is_digit(p[2], 16) || (p[2] == '.' && limit - p > 3 && is_digit(p[3], 16))))
	{
		base = 16;
		format = std::chars_format::hex;
		p += 2;
	}

	float		parsed = 0.0f;
	const auto	result = std::from_chars(p, limit, parsed, format);

	if (result.ptr == p)
	{
		*end = p;
		return VC_ERROR_SYNTAX;
	}
	*end = result.ptr;

	if (result.ec == std::errc::result_out_of_range)
	{
		if (magnitude_at_least_one(p, result.ptr, base))
			return VC_ERROR_OUT_OF_RANGE;
		parsed = 0.0f;
	}
	else if (result.ec != std::errc())
		return VC_ERROR_SYNTAX;

	if (!std::isfinite(parsed))
		return VC_ERROR_NOT_FINITE;

	*value = negative ? -parsed : parsed;
	return VC_OK;
}

// The significant digits of a positive number and the decimal exponent of
// the first one: value = d.ddd * 10^exponent.  No trailing zeros.
struct Digits
{
	char		text[20];
	int			count;
	int			exponent;
};

// A decimal number digits * 10^exponent, for exact comparisons.
struct Decimal
{
	uint64_t	digits;
	int			exponent;
};

// value (positive) rounded to significant_digits digits, or the shortest
// digits that read back to it when significant_digits is 0; read out of
// std::to_chars' scientific form "d.ddde+XX".
Digits
digits_of(float value, int significant_digits) noexcept
{
	char		scientific[48];
	const auto	converted = (significant_digits == 0)
		? std::to_chars(scientific, scientific + sizeof(scientific), value,
						std::chars_format::scientific)
		: std::to_chars(scientific, scientific + sizeof(scientific), value,
						std::chars_format::scientific, significant_digits - 1);
	const char *p = scientific;
	const char *stop = converted.ptr;
	Digits		result;

	result.count = 0;
	for (; p < stop && *p != 'e'; ++p)
	{
		if (*p != '.' && result.count < static_cast<int>(sizeof(result.text)))
			result.text[result.count++] = *p;
	}
	while (result.count > 1 && result.text[result.count - 1] == '0')
		--result.count;

	int			exponent = 0;

	if (p < stop)
	{
		const bool	negative = (p[1] == '-');

		for (p += 2; p < stop; ++p)
			exponent = exponent * 10 + (*p - '0');
		if (negative)
			exponent = -exponent;
	}
	result.exponent = exponent;
	return result;
}

Decimal
decimal_from_digits(const Digits &digits) noexcept
{
	Decimal		decimal = {0, digits.exponent - (digits.count - 1)};

	for (int i = 0; i < digits.count; ++i)
		decimal.digits = decimal.digits * 10 + static_cast<uint64_t>(digits.text[i] - '0');
	return decimal;
}

Digits
digits_from_decimal(Decimal decimal) noexcept
{
	Digits		result;

	while (decimal.digits != 0 && decimal.digits % 10 == 0)
	{
		decimal.digits /= 10;
		++decimal.exponent;
	}
	result.count = static_cast<int>(std::to_chars(result.text, result.text + sizeof(result.text),
												  decimal.digits).ptr - result.text);
	result.exponent = decimal.exponent + result.count - 1;
	return result;
}

// n = odd part * 2^twos * 5^fives, with the odd part free of fives.
struct Factored
{
	uint64_t	rest;
	int			twos;
	int			fives;
};

Factored
factor_twos_and_fives(uint64_t n, int twos, int fives) noexcept
{
	while (n != 0 && n % 2 == 0)
	{
		n /= 2;
		++twos;
	}
	while (n != 0 && n % 5 == 0)
	{
		n /= 5;
		++fives;
	}
	return {n, twos, fives};
}

// Whether decimal equals odd * 2^power exactly.  Exact: compares the prime
// factorizations, so no rounding can fake an equality.
bool
decimal_equals_binary(Decimal decimal, uint64_t odd, int power) noexcept
{
	const Factored d = factor_twos_and_fives(decimal.digits, decimal.exponent, decimal.exponent);
	const Factored b = factor_twos_and_fives(odd, power, 0);

	return d.rest == b.rest && d.twos == b.twos && d.fives == b.fives;
}

// value (positive, finite, non-zero) = mantissa * 2^power.
struct Binary
{
	uint64_t	mantissa;
	int			power;
	bool		at_power_of_two;	// the neighbour below is half as far away
};

Binary
binary_of(float value) noexcept
{
	const uint32_t bits = std::bit_cast<uint32_t>(value);
	const uint32_t biased_exponent = bits >> 23;
	const uint32_t stored_mantissa = bits & 0x7fffffu;

	if (biased_exponent == 0)
		return {stored_mantissa, -149, false};
	return {stored_mantissa | 0x800000u, static_cast<int>(biased_exponent) - 150,
			stored_mantissa == 0 && biased_exponent > 1};
}

// Whether a decimal of at most 9 significant digits can lie halfway between
// value and a neighbour at all.  The midpoints are odd * 2^q with q at most
// power - 1; for q <= -13 that is odd * 5^-q / 10^-q, which has at least 10
// significant digits (5^13 has 10).  So it never can below 2048.
bool
halfway_possible(float value) noexcept
{
	return binary_of(value).power - 1 > -13;
}

// Whether decimal lies exactly halfway between value (positive, finite,
// non-zero) and one of its neighbours.  std::to_chars may return such a
// number (strtof rounds it back to an even mantissa), but PostgreSQL's Ryu
// is built without STRICTLY_SHORTEST and never does; we print what it prints.
bool
is_halfway(Decimal decimal, float value) noexcept
{
	const Binary binary = binary_of(value);

	if (decimal_equals_binary(decimal, 2 * binary.mantissa + 1, binary.power - 1))
		return true;
	if (binary.at_power_of_two)
		return decimal_equals_binary(decimal, 4 * binary.mantissa - 1, binary.power - 2);
	return decimal_equals_binary(decimal, 2 * binary.mantissa - 1, binary.power - 1);
}

// Whether decimal reads back to value and is strictly inside its rounding
// interval.
bool
strictly_identifies(Decimal decimal, float value) noexcept
{
	char		text[48];

	// at most 20 digits, 'e', and a short exponent
	char	   *end = std::to_chars(text, text + 24, decimal.digits).ptr;

	*end++ = 'e';
	end = std::to_chars(end, text + sizeof(text), decimal.exponent).ptr;

	float		parsed = 0.0f;
	const auto	result = std::from_chars(text, end, parsed);

	return result.ec == std::errc() && parsed == value && !is_halfway(decimal, value);
}

// The digits Ryu (as PostgreSQL builds it) prints for value (positive): the
// fewest digits strictly inside the rounding interval, nearest to value.
Digits
shortest_digits(float value) noexcept
{
	const Digits shortest = digits_of(value, 0);

	if (!halfway_possible(value) || !is_halfway(decimal_from_digits(shortest), value))
		return shortest;

	// Rare: only a boundary had that few digits; look one digit longer, at
	// the nearest candidate and then its neighbours on either side.
	for (int length = shortest.count + 1; length <= 9; ++length)
	{
		const Decimal nearest = decimal_from_digits(digits_of(value, length));

		if (strictly_identifies(nearest, value))
			return digits_from_decimal(nearest);
		for (const int64_t step : {1, -1})
		{
			const Decimal neighbour = {nearest.digits + step, nearest.exponent};

			if (neighbour.digits != 0 && strictly_identifies(neighbour, value))
				return digits_from_decimal(neighbour);
		}
	}
	return digits_of(value, 9);	// nine digits always identify a float
}

// Lay out the digits as float4out does: fixed notation when the decimal
// exponent is in [-4, 6), otherwise d.ddde+XX with at least two exponent
// digits.
size_t
format_finite(float value, char *buffer) noexcept
{
	char	   *out = buffer;

	if (std::signbit(value))
	{
		*out++ = '-';
		value = -value;
	}

	const Digits digits = shortest_digits(value);
	const char *d = digits.text;
	const int	ndigits = digits.count;
	const int	exponent = digits.exponent;

	if (exponent >= -4 && exponent < 6)
	{
		if (exponent < 0)
		{
			*out++ = '0';
			*out++ = '.';
			for (int i = -1; i > exponent; --i)
				*out++ = '0';
			std::memcpy(out, d, ndigits);
			out += ndigits;
		}
		else
		{
			const int	integer_digits = exponent + 1;

			for (int i = 0; i < integer_digits; ++i)
				*out++ = (i < ndigits) ? d[i] : '0';
			if (ndigits > integer_digits)
			{
				*out++ = '.';
				std::memcpy(out, d + integer_digits, ndigits - integer_digits);
				out += ndigits - integer_digits;
			}
		}
	}
	else
	{
		*out++ = d[0];
		if (ndigits > 1)
		{
			*out++ = '.';
			std::memcpy(out, d + 1, ndigits - 1);
			out += ndigits - 1;
		}
		*out++ = 'e';
		*out++ = (exponent < 0) ? '-' : '+';

		const int	magnitude = (exponent < 0) ? -exponent : exponent;

		*out++ = static_cast<char>('0' + magnitude / 10);
		*out++ = static_cast<char>('0' + magnitude % 10);
	}

	*out = '\0';
	return static_cast<size_t>(out - buffer);
}

size_t
copy_text(const char *text, char *buffer) noexcept
{
	const size_t length = std::strlen(text);

	std::memcpy(buffer, text, length + 1);
	return length;
}

}								// namespace

extern "C" size_t
vc_format_float(float value, char *buffer) noexcept
{
	if (std::isnan(value))
		return copy_text("NaN", buffer);
	if (std::isinf(value))
		return copy_text(value < 0 ? "-Infinity" : "Infinity", buffer);
	if (value == 0.0f)
		return copy_text(std::signbit(value) ? "-0" : "0", buffer);
	return format_finite(value, buffer);
}

extern "C" size_t
vc_format_vector_text(const float *values, size_t n, char *buffer) noexcept
{
	char	   *out = buffer;

	*out++ = '[';
	for (size_t i = 0; i < n; ++i)
	{
		if (i > 0)
			*out++ = ',';
		out += vc_format_float(values[i], out);
	}
	*out++ = ']';
	*out = '\0';
	return static_cast<size_t>(out - buffer);
}

extern "C" size_t
vc_vector_text_element_bound(const char *text) noexcept
{
	size_t		commas = 0;

	for (const char *p = text; *p != '\0'; ++p)
		commas += (*p == ',');
	return commas + 1;
}

extern "C" vc_status
vc_parse_vector_text(const char *text, float *values, size_t capacity,
					 size_t *count, size_t *error_pos) noexcept
{
	const char *const limit = text + std::strlen(text);
	const char *p = skip_spaces(text);
	size_t		n = 0;

	*count = 0;
	*error_pos = 0;

	auto		fail = [&](vc_status status, const char *where) noexcept {
		*error_pos = static_cast<size_t>(where - text);
		return status;
	};

	if (*p != '[')
		return fail(VC_ERROR_SYNTAX, p);
	p = skip_spaces(p + 1);

	if (*p == ']')
		return fail(VC_ERROR_EMPTY, p);

	for (;;)
	{
		p = skip_spaces(p);
		if (n == capacity)
			return fail(VC_ERROR_TOO_MANY, p);

		const char *element_end = p;
		const vc_status status = parse_float(p, limit, &values[n], &element_end);

		// syntax errors point at the offending character, the others at
		// the element, which the glue quotes
		if (status != VC_OK)
			return fail(status, status == VC_ERROR_SYNTAX ? element_end : p);
		++n;

		p = skip_spaces(element_end);
		if (*p == ',')
			++p;
		else if (*p == ']')
		{
			++p;
			break;
		}
		else
			return fail(VC_ERROR_SYNTAX, p);
	}

	p = skip_spaces(p);
	if (*p != '\0')
		return fail(VC_ERROR_SYNTAX, p);

	*count = n;
	return VC_OK;
}
