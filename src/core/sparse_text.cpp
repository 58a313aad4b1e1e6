// sparse_text.cpp: the text form of sparsevec, "{1:1.5,3:2}/5".
//
// Indices are 1-based in text and 0-based everywhere else. The parser accepts
// what pgvector accepts: whitespace around every token, elements in any
// order, zero values (which are dropped), strtof() number syntax.
#include "cpp_only.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "vector_core.h"

namespace {

// The same set as PostgreSQL's scanner_isspace(), independent of locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

const char* skip_spaces(const char* p) {
  while (is_space(*p)) ++p;
  return p;
}

// Sorts the parsed elements by index; false if memory ran out.
bool sort_by_index(int32_t* indices, float* values, size_t count) {
  if (std::is_sorted(indices, indices + count)) return true;
  try {
    std::vector<std::pair<int32_t, float>> elements(count);
    for (size_t i = 0; i < count; ++i) elements[i] = {indices[i], values[i]};
    std::stable_sort(elements.begin(), elements.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < count; ++i) {
      indices[i] = elements[i].first;
      values[i] = elements[i].second;
    }
    return true;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

}  // namespace

extern "C" size_t vc_sparsevec_text_element_bound(const char* text) noexcept {
  size_t commas = 0;
  for (const char* p = text; *p != '\0'; ++p) commas += (*p == ',');
  return commas + 1;
}

extern "C" vc_status vc_parse_sparsevec_text(const char* text, int32_t* indices, float* values,
                                             size_t capacity, size_t* nnz, int64_t* dim,
                                             size_t* error_pos) noexcept {
  const char* p = skip_spaces(text);
  size_t count = 0;
  auto fail = [&](vc_status status, const char* where) {
    *error_pos = static_cast<size_t>(where - text);
    *nnz = count;
    return status;
  };

  if (*p != '{') return fail(VC_ERROR_SYNTAX, p);
  p = skip_spaces(p + 1);

  if (*p == '}') {
    ++p;
  } else {
    for (;;) {
      p = skip_spaces(p);
      const char* index_start = p;
      char* end = nullptr;
      long long index = std::strtoll(p, &end, 10);  // saturates on overflow
      if (end == p) return fail(VC_ERROR_SYNTAX, p);
      // Like pgvector, an index is range-checked only if its value is non-zero
      // and only against the dimensions (by the glue), so saturate it to a
      // range whose 0-based form still fits int32.
      index = std::clamp<long long>(index, INT32_MIN + 1LL, INT32_MAX);
      p = skip_spaces(end);

      if (*p != ':') return fail(VC_ERROR_SYNTAX, p);
      p = skip_spaces(p + 1);

      // strtof reads a sign, decimals, exponents, hex floats, inf and nan,
      // like float4in; the "C" numeric locale is PostgreSQL's.
      const char* value_start = p;
      errno = 0;
      float value = std::strtof(p, &end);
      if (end == p) return fail(VC_ERROR_SYNTAX, p);
      if (errno == ERANGE && (value == 0.0f || std::isinf(value)))
        return fail(VC_ERROR_OUT_OF_RANGE, value_start);
      if (!std::isfinite(value)) return fail(VC_ERROR_NOT_FINITE, value_start);

      if (value != 0.0f) {
        if (count == capacity) return fail(VC_ERROR_TOO_MANY, index_start);
        indices[count] = static_cast<int32_t>(index - 1);
        values[count] = value;
        ++count;
      }

      p = skip_spaces(end);
      if (*p == ',') {
        ++p;
      } else if (*p == '}') {
        ++p;
        break;
      } else {
        return fail(VC_ERROR_SYNTAX, p);
      }
    }
  }

  p = skip_spaces(p);
  if (*p != '/') return fail(VC_ERROR_SYNTAX, p);
  p = skip_spaces(p + 1);

  char* end = nullptr;
  errno = 0;
  long long parsed_dim = std::strtoll(p, &end, 10);  // saturates on overflow
  if (end == p) return fail(VC_ERROR_SYNTAX, p);
  p = skip_spaces(end);
  if (*p != '\0') return fail(VC_ERROR_SYNTAX, p);
  *dim = parsed_dim;

  if (!sort_by_index(indices, values, count)) return fail(VC_ERROR_NO_MEMORY, p);
  *nnz = count;

  for (size_t i = 1; i < count; ++i) {
    if (indices[i] == indices[i - 1]) {
      *error_pos = 0;
      return VC_ERROR_INDEX_ORDER;
    }
  }
  return VC_OK;
}

extern "C" size_t vc_format_sparsevec_text(const int32_t* indices, const float* values, size_t nnz,
                                           int32_t dim, char* buffer) noexcept {
  char* out = buffer;
  // Room for the longest int32; to_chars cannot fail with it.
  auto append_int = [&out](long long number) {
    out = std::to_chars(out, out + 11, number).ptr;
  };

  *out++ = '{';
  for (size_t i = 0; i < nnz; ++i) {
    if (i > 0) *out++ = ',';
    append_int(static_cast<long long>(indices[i]) + 1);
    *out++ = ':';
    out += vc_format_float(values[i], out);
  }
  *out++ = '}';
  *out++ = '/';
  append_int(dim);
  *out = '\0';
  return static_cast<size_t>(out - buffer);
}
