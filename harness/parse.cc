#include "harness/parse.h"

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_set>

#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

[[noreturn]] void reject(std::string_view option, std::string_view text,
                         const std::string& allowed) {
  throw UsageError(std::string(option) + ": " + quoted(text) + " is not allowed (" + allowed + ")");
}

// Parses all of `text` as T, or nothing.
template <class T>
bool parse_exactly(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, out);
  return error == std::errc() && ptr == end;
}

// "1e6" is a whole number written in scientific notation; "1.5" and "-1e3" are not. The caller
// checks the range: here the value only has to fit in 64 bits. The bound is 2^64 itself, not
// double(UINT64_MAX): that rounds up to 2^64, which would let 2^64 through to an overflowing cast.
bool parse_whole_scientific(std::string_view text, std::uint64_t& out) {
  constexpr double kTwoToThe64 = 0x1p64;
  double real = 0;
  if (!parse_exactly(text, real) || !std::isfinite(real) || real != std::floor(real) || real < 0 ||
      real >= kTwoToThe64) {
    return false;
  }
  out = static_cast<std::uint64_t>(real);
  return true;
}

}  // namespace

std::uint64_t parse_whole(std::string_view option, std::string_view text, std::uint64_t min,
                          std::uint64_t max) {
  std::uint64_t value = 0;
  const bool parsed = parse_exactly(text, value) || parse_whole_scientific(text, value);
  if (!parsed || value < min || value > max) {
    reject(option, text,
           "allowed: a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

std::vector<std::uint64_t> parse_whole_numbers(std::string_view option, std::string_view text,
                                               std::uint64_t min, std::uint64_t max) {
  // Ranges are expanded, so the whole list is capped, not each range: "0..99999,100000..199999"
  // would otherwise be two allowed ranges and 200000 values.
  constexpr std::uint64_t kMaxValues = 100000;
  std::vector<std::uint64_t> values;
  std::unordered_set<std::uint64_t> seen;
  for (const std::string& item : split_list(option, text)) {
    const std::size_t dots = item.find("..");
    const std::uint64_t first = parse_whole(option, item.substr(0, dots), min, max);
    const std::uint64_t last =
        dots == std::string::npos ? first : parse_whole(option, item.substr(dots + 2), min, max);
    if (last < first || last - first >= kMaxValues - values.size()) {
      reject(option, item,
             "allowed: ranges A..B with A <= B, at most " + std::to_string(kMaxValues) +
                 " values in all");
    }
    // Counted, not `n <= last`: a range that ends at 2^64-1 would wrap around and never end.
    for (std::uint64_t offset = 0; offset <= last - first; ++offset) {
      const std::uint64_t n = first + offset;
      if (!seen.insert(n).second) {
        throw UsageError(std::string(option) + ": " + std::to_string(n) + " is listed twice");
      }
      values.push_back(n);
    }
  }
  return values;
}

double parse_positive(std::string_view option, std::string_view text, double max,
                      std::string_view what) {
  double value = 0;
  if (!parse_exactly(text, value) || !std::isfinite(value) || value <= 0 || value > max) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%g", max);
    reject(option, text, "allowed: " + std::string(what) + ", more than 0 and at most " + limit);
  }
  return value;
}

std::vector<std::string> split_list(std::string_view option, std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty()) {
      reject(option, text, "allowed: a comma-separated list with no empty items");
    }
    items.emplace_back(item);
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

}  // namespace refbench::harness
