// Tests of the vector text form: float formatting against PostgreSQL's own
// float4out output, parse/format round trips, and every parse error.
#include <gtest/gtest.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "vector_core.h"

namespace
{

struct FloatText
{
	uint32_t	bits;
	const char *text;
};

// Expected texts come from a real PostgreSQL 15 server (see the file).
const FloatText kServerFloatTexts[] = {
#include "float4_text_fixture.inc"
};

std::string
format(float value)
{
	char		buffer[VC_FLOAT_TEXT_MAX + 1];
	const size_t length = vc_format_float(value, buffer);

	EXPECT_LE(length, static_cast<size_t>(VC_FLOAT_TEXT_MAX));
	EXPECT_EQ(buffer[length], '\0');
	return std::string(buffer, length);
}

struct Parsed
{
	vc_status	status;
	std::vector<float> values;
	size_t		error_pos;
};

Parsed
parse(const std::string &text, size_t capacity = 16)
{
	std::vector<float> values(capacity);
	size_t		count = 99;
	size_t		error_pos = 0;
	const vc_status status = vc_parse_vector_text(text.c_str(), values.data(),
												  capacity, &count, &error_pos);

	values.resize(status == VC_OK ? count : 0);
	return {status, values, error_pos};
}

uint32_t
bits_of(float value)
{
	return std::bit_cast<uint32_t>(value);
}

TEST(FormatFloat, MatchesPostgresFloat4Out)
{
	ASSERT_GT(std::size(kServerFloatTexts), 2000u);
	for (const FloatText &expected : kServerFloatTexts)
		EXPECT_EQ(format(std::bit_cast<float>(expected.bits)), expected.text)
			<< "bits 0x" << std::hex << expected.bits;
}

TEST(FormatFloat, SpecialValues)
{
	EXPECT_EQ(format(0.0f), "0");
	EXPECT_EQ(format(-0.0f), "-0");
	EXPECT_EQ(format(1.0f), "1");
	EXPECT_EQ(format(100000.0f), "100000");
	EXPECT_EQ(format(1000000.0f), "1e+06");
	EXPECT_EQ(format(0.0001f), "0.0001");
	EXPECT_EQ(format(0.00001f), "1e-05");
	EXPECT_EQ(format(std::nanf("")), "NaN");
	EXPECT_EQ(format(INFINITY), "Infinity");
	EXPECT_EQ(format(-INFINITY), "-Infinity");
}

TEST(FormatFloat, RoundTripsRandomBitPatterns)
{
	std::mt19937 generator(42);

	for (int i = 0; i < 200000; ++i)
	{
		const uint32_t bits = generator();
		const float value = std::bit_cast<float>(bits);

		if (!std::isfinite(value))
			continue;

		std::string text = format(value);
		text.insert(text.begin(), '[');	// not "[" + s: GCC 12 warns falsely (-Wrestrict)
		text.push_back(']');
		const Parsed parsed = parse(text);

		ASSERT_EQ(parsed.status, VC_OK) << text;
		ASSERT_EQ(parsed.values.size(), 1u);
		ASSERT_EQ(bits_of(parsed.values[0]), bits) << text;
	}
}

TEST(FormatVector, JoinsElements)
{
	const float values[] = {1.0f, -2.5f, 3e20f};
	char		buffer[3 * (VC_FLOAT_TEXT_MAX + 1) + 3];
	const size_t length = vc_format_vector_text(values, 3, buffer);

	EXPECT_EQ(std::string(buffer, length), "[1,-2.5,3e+20]");
	EXPECT_EQ(buffer[length], '\0');
}

TEST(ParseVector, AcceptsWhatStrtofAccepts)
{
	const Parsed parsed = parse(" [ 1 ,+2.5,\t-3e2 , 1., .5,1E-1 ,0x10, 0X.8p1 ]\n");

	ASSERT_EQ(parsed.status, VC_OK);
	EXPECT_EQ(parsed.values, (std::vector<float>{1, 2.5f, -300, 1, 0.5f, 0.1f, 16, 1}));
}

// A random number literal: signs, digits, points, exponents, hex, inf, nan.
std::string
random_number_text(std::mt19937 &generator)
{
	auto		pick = [&](int n) { return static_cast<int>(generator() % n); };
	std::string text;

	if (pick(3) == 0)
		text += "+-"[pick(2)];
	switch (pick(20))
	{
		case 0:
			return text + "inf";
		case 1:
			return text + "nan";
		case 2:
			return text + "0x1.8p" + std::to_string(pick(300) - 150);
	}
	for (int i = pick(12); i > 0; --i)
		text += static_cast<char>('0' + pick(10));
	if (pick(2))
	{
		text += '.';
		for (int i = pick(10); i > 0; --i)
			text += static_cast<char>('0' + pick(10));
	}
	if (pick(2))
	{
		text += "eE"[pick(2)];
		if (pick(2))
			text += "+-"[pick(2)];
		for (int i = pick(4); i > 0; --i)
			text += static_cast<char>('0' + pick(10));
	}
	return text;
}

// pgvector reads elements with strtof: check we accept, reject and round
// exactly as it does (this process runs in the C locale).
TEST(ParseVector, AgreesWithStrtof)
{
	std::mt19937 generator(5);

	for (int iteration = 0; iteration < 200000; ++iteration)
	{
		const std::string element = random_number_text(generator);
		const Parsed parsed = parse("[" + element + "]");
		char	   *end = nullptr;

		errno = 0;
		const float expected = std::strtof(element.c_str(), &end);

		if (element.empty())
			EXPECT_EQ(parsed.status, VC_ERROR_EMPTY);
		else if (*end != '\0')
			EXPECT_EQ(parsed.status, VC_ERROR_SYNTAX) << element;
		else if (errno == ERANGE && std::isinf(expected))
			EXPECT_EQ(parsed.status, VC_ERROR_OUT_OF_RANGE) << element;
		else if (!std::isfinite(expected))
			EXPECT_EQ(parsed.status, VC_ERROR_NOT_FINITE) << element;
		else
		{
			ASSERT_EQ(parsed.status, VC_OK) << element;
			EXPECT_EQ(bits_of(parsed.values[0]), bits_of(expected)) << element;
		}
	}
}

TEST(ParseVector, UnderflowBecomesSignedZero)
{
	const Parsed parsed = parse("[1e-50,-1e-50,1e-45]");

	ASSERT_EQ(parsed.status, VC_OK);
	EXPECT_EQ(bits_of(parsed.values[0]), 0u);
	EXPECT_EQ(bits_of(parsed.values[1]), 0x80000000u);
	EXPECT_EQ(bits_of(parsed.values[2]), 1u);
}

TEST(ParseVector, LargestFloat)
{
	const Parsed parsed = parse("[3.4028235e38,-3.4028235e38]");

	ASSERT_EQ(parsed.status, VC_OK);
	EXPECT_EQ(parsed.values[0], std::numeric_limits<float>::max());
	EXPECT_EQ(parsed.values[1], -std::numeric_limits<float>::max());
}

TEST(ParseVector, OutOfRange)
{
	for (const char *text : {"[1e40]", "[-1e39]", "[3.4028236e38]", "[1,1e99999999999999]",
		 "[0x1p200]", "[100000000000000000000000000000000000000000]"})
		EXPECT_EQ(parse(text).status, VC_ERROR_OUT_OF_RANGE) << text;
}

TEST(ParseVector, NotFinite)
{
	for (const char *text : {"[nan]", "[NaN]", "[1,inf]", "[-Infinity]", "[+inf]", "[nan(1)]"})
		EXPECT_EQ(parse(text).status, VC_ERROR_NOT_FINITE) << text;
}

TEST(ParseVector, Empty)
{
	EXPECT_EQ(parse("[]").status, VC_ERROR_EMPTY);
	EXPECT_EQ(parse(" [ ] ").status, VC_ERROR_EMPTY);
}

TEST(ParseVector, SyntaxErrorsWithPosition)
{
	struct Case
	{
		const char *text;
		size_t		position;
	};
	const Case	cases[] = {
		{"", 0}, {"1,2", 0}, {"  (1,2)", 2}, {"[1,2", 4}, {"[1,,2]", 3},
		{"[1 2]", 3}, {"[1,2]x", 5}, {"[1,2] ]", 6}, {"[,1]", 1}, {"[1,]", 3},
		{"[--1]", 2}, {"[+-1]", 2}, {"[+]", 2}, {"[1e]", 2}, {"[abc]", 1},
		{"[0x]", 2}, {"[1;2]", 2}, {"[", 1},
	};

	for (const Case &c : cases)
	{
		const Parsed parsed = parse(c.text);

		EXPECT_EQ(parsed.status, VC_ERROR_SYNTAX) << c.text;
		EXPECT_EQ(parsed.error_pos, c.position) << c.text;
	}
}

TEST(ParseVector, TooManyForCapacity)
{
	EXPECT_EQ(parse("[1,2,3]", 3).status, VC_OK);
	EXPECT_EQ(parse("[1,2,3,4]", 3).status, VC_ERROR_TOO_MANY);
}

TEST(ParseVector, ElementBoundCountsCommas)
{
	EXPECT_EQ(vc_vector_text_element_bound("[1]"), 1u);
	EXPECT_EQ(vc_vector_text_element_bound("[1,2,3]"), 3u);
	EXPECT_EQ(vc_vector_text_element_bound("[1,,2]"), 3u);
}

}								// namespace
