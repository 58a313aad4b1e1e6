// Unit tests of the sparsevec text form (src/core/sparse_text.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "vector_core.h"

namespace {

struct Parsed {
  vc_status status;
  std::vector<int32_t> indices;
  std::vector<float> values;
  int64_t dim = -1;
  size_t error_pos = 0;
};

Parsed parse(const std::string& text, size_t capacity = 64) {
  Parsed result;
  std::vector<int32_t> indices(capacity);
  std::vector<float> values(capacity);
  size_t nnz = 0;
  result.status = vc_parse_sparsevec_text(text.c_str(), indices.data(), values.data(), capacity,
                                          &nnz, &result.dim, &result.error_pos);
  result.indices.assign(indices.begin(), indices.begin() + nnz);
  result.values.assign(values.begin(), values.begin() + nnz);
  return result;
}

std::string format(const std::vector<int32_t>& indices, const std::vector<float>& values,
                   int32_t dim) {
  std::string buffer(VC_SPARSEVEC_TEXT_SIZE(indices.size()), '\0');
  size_t length =
      vc_format_sparsevec_text(indices.data(), values.data(), indices.size(), dim, buffer.data());
  EXPECT_LT(length, buffer.size());
  EXPECT_EQ(buffer[length], '\0');
  buffer.resize(length);
  return buffer;
}

TEST(SparseText, ParsesSortsAndDropsZeros) {
  Parsed p = parse(" { 3 : 2 , 1:1.5, 2:0 } / 5 ");
  ASSERT_EQ(p.status, VC_OK);
  EXPECT_EQ(p.dim, 5);
  EXPECT_EQ(p.indices, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(p.values, (std::vector<float>{1.5f, 2.0f}));
}

TEST(SparseText, EmptyBraces) {
  Parsed p = parse("{}/3");
  ASSERT_EQ(p.status, VC_OK);
  EXPECT_TRUE(p.indices.empty());
  EXPECT_EQ(p.dim, 3);
}

TEST(SparseText, NumberSyntaxOfStrtof) {
  Parsed p = parse("{1:+1e2,2:-.5,3:0x10}/3");
  ASSERT_EQ(p.status, VC_OK);
  EXPECT_EQ(p.values, (std::vector<float>{100.0f, -0.5f, 16.0f}));
}

TEST(SparseText, DimensionsAreReturnedUnchecked) {
  // The glue owns the limits; the parser only reads the number (saturated).
  EXPECT_EQ(parse("{}/0").dim, 0);
  EXPECT_EQ(parse("{}/-4").dim, -4);
  EXPECT_EQ(parse("{}/99999999999999999999999").dim, INT64_MAX);
}

TEST(SparseText, SyntaxErrorsReportWhere) {
  struct Case {
    const char* text;
    size_t pos;
  } cases[] = {
      {"", 0},          {"[1:2]/3", 0},   {"{1:2/3", 4},     {"{1:2}", 5},
      {"{1:2}/", 6},    {"{1:2}/3x", 7},  {"{1 2}/3", 3},    {"{:2}/3", 1},
      {"{1:}/3", 3},    {"{1:2,}/3", 5},  {"{,}/3", 1},      {"{1:2}}/3", 5},
      {"{a:1}/3", 1},   {"{1:2}/3/4", 7}, {"{1:2} 3", 6},    {"{1:2,,2:3}/3", 5},
  };
  for (const Case& c : cases) {
    Parsed p = parse(c.text);
    EXPECT_EQ(p.status, VC_ERROR_SYNTAX) << c.text;
    EXPECT_EQ(p.error_pos, c.pos) << c.text;
  }
}

TEST(SparseText, IndicesAreSaturatedNotChecked) {
  // the glue compares indices with the dimensions; the parser only keeps
  // them representable as 0-based int32
  Parsed zero = parse("{0:1}/3");
  EXPECT_EQ(zero.status, VC_OK);
  EXPECT_EQ(zero.indices, (std::vector<int32_t>{-1}));
  EXPECT_EQ(parse("{-1:1}/3").indices, (std::vector<int32_t>{-2}));
  EXPECT_EQ(parse("{2147483648:1}/3").indices, (std::vector<int32_t>{INT32_MAX - 1}));
  EXPECT_EQ(parse("{-99999999999:1}/3").indices, (std::vector<int32_t>{INT32_MIN}));
  EXPECT_EQ(parse("{2147483647:1}/3").status, VC_OK);
  // the index of a zero value is never looked at
  Parsed zero_value = parse("{0:0,9:0}/3");
  EXPECT_EQ(zero_value.status, VC_OK);
  EXPECT_TRUE(zero_value.indices.empty());
}

TEST(SparseText, OutOfRange) {
  EXPECT_EQ(parse("{1:1e39}/3").status, VC_ERROR_OUT_OF_RANGE);
  EXPECT_EQ(parse("{1:1e-46}/3").status, VC_ERROR_OUT_OF_RANGE);
  Parsed p = parse("{1:1, 2:-4e38}/3");
  EXPECT_EQ(p.status, VC_ERROR_OUT_OF_RANGE);
  EXPECT_EQ(p.error_pos, 8u);
}

TEST(SparseText, NotFinite) {
  EXPECT_EQ(parse("{1:nan}/3").status, VC_ERROR_NOT_FINITE);
  EXPECT_EQ(parse("{1:inf}/3").status, VC_ERROR_NOT_FINITE);
  EXPECT_EQ(parse("{1:-Infinity}/3").status, VC_ERROR_NOT_FINITE);
}

TEST(SparseText, DuplicatesComeLastWithOutputsFilled) {
  Parsed p = parse("{2:1,1:3,2:5}/7");
  EXPECT_EQ(p.status, VC_ERROR_INDEX_ORDER);
  EXPECT_EQ(p.dim, 7);
  EXPECT_EQ(p.indices.size(), 3u);
  // A zero next to a duplicate index is dropped first, as in pgvector.
  EXPECT_EQ(parse("{2:1,2:0}/7").status, VC_OK);
}

TEST(SparseText, CapacityCountsNonZerosOnly) {
  EXPECT_EQ(parse("{1:1,2:0,3:1}/3", 2).status, VC_OK);
  Parsed p = parse("{1:1,2:1,3:1}/3", 2);
  EXPECT_EQ(p.status, VC_ERROR_TOO_MANY);
  EXPECT_EQ(p.error_pos, 9u);
}

TEST(SparseText, ElementBound) {
  EXPECT_EQ(vc_sparsevec_text_element_bound("{}/1"), 1u);
  EXPECT_EQ(vc_sparsevec_text_element_bound("{1:1,2:2,3:3}/3"), 3u);
}

TEST(SparseText, Format) {
  EXPECT_EQ(format({}, {}, 3), "{}/3");
  EXPECT_EQ(format({0, 2}, {1.5f, -2.0f}, 5), "{1:1.5,3:-2}/5");
  EXPECT_EQ(format({999999999}, {1e-7f}, 1000000000), "{1000000000:1e-07}/1000000000");
}

TEST(SparseText, FormatBufferBoundHolds) {
  // Longest index and longest float at every position.
  std::vector<int32_t> indices(50);
  std::vector<float> values(50, -1.17549435e-38f);
  for (int i = 0; i < 50; ++i) indices[i] = 2147483590 + i;
  std::string text = format(indices, values, INT32_MIN);
  EXPECT_LT(text.size(), VC_SPARSEVEC_TEXT_SIZE(50));
}

TEST(SparseText, RoundTrip) {
  std::vector<int32_t> indices{0, 7, 99, 12345};
  std::vector<float> values{0.1f, -3.25f, 1e20f, 6.5e-6f};
  Parsed p = parse(format(indices, values, 20000));
  ASSERT_EQ(p.status, VC_OK);
  EXPECT_EQ(p.indices, indices);
  EXPECT_EQ(p.values, values);
  EXPECT_EQ(p.dim, 20000);
}

}  // namespace
