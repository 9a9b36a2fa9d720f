// Fuzzes the option value parsers of harness/parse.h: every text gives values within the
// bounds asked for, or a one-line UsageError that starts with the option's name.
//
// Input: byte 0 picks the parser; for the whole-number parsers bytes 1 and 2 pick min and
// max (an index into kBounds, or from kBounds.size() on, the next 8 bytes), for
// parse_positive byte 1 picks max from kMaxima; the rest is the text.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "harness/parse.h"
#include "harness/usage_error.h"
#include "tests/fuzz/fuzz_support.h"
#include "workloads/vocabulary.h"

namespace {

using refbench::fuzz::expect;
using refbench::fuzz::Input;
namespace harness = refbench::harness;
namespace workloads = refbench::workloads;

constexpr std::string_view kOption = "--value";
constexpr std::uint64_t kMax64 = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max();

// The bounds the command line uses, and the edges of the types.
constexpr std::array<std::uint64_t, 12> kBounds = {
    0, 1, 2, 6, 4096, 100000, 1u << 20, 1u << 26, 1u << 30, 1'000'000'000'000, kMax32, kMax64};
constexpr std::array<double, 6> kMaxima = {86400, 1000, 0.5, 1, 1e-9, 1e300};

std::uint64_t bound(Input& input) {
  const std::uint8_t pick = input.byte();
  return pick < kBounds.size() ? kBounds[pick] : input.u64();
}

struct Bounds {
  std::uint64_t min;
  std::uint64_t max;
};

Bounds bounds(Input& input) {
  const std::uint64_t a = bound(input);
  const std::uint64_t b = bound(input);
  return {std::min(a, b), std::max(a, b)};
}

bool unique(std::vector<std::uint64_t> values) {
  std::sort(values.begin(), values.end());
  return std::adjacent_find(values.begin(), values.end()) == values.end();
}

void whole(Input& input, std::string& text) {
  const Bounds b = bounds(input);
  text = input.rest();
  const std::uint64_t value = harness::parse_whole(kOption, text, b.min, b.max);
  expect(value >= b.min && value <= b.max, "parse_whole out of bounds");
}

void check_numbers(const std::vector<std::uint64_t>& values, Bounds b) {
  expect(!values.empty(), "parse_whole_numbers gave no number");
  expect(unique(values), "parse_whole_numbers gave a number twice");
  for (std::uint64_t n : values) expect(n >= b.min && n <= b.max, "number out of bounds");
}

void whole_numbers(Input& input, std::string& text) {
  const Bounds b = bounds(input);
  text = input.rest();
  check_numbers(harness::parse_whole_numbers(kOption, text, b.min, b.max), b);
}

// parse_whole_list<T> needs max to fit in T: clamp it to uint32_t.
void whole_list(Input& input, std::string& text) {
  Bounds b = bounds(input);
  b.max = std::min(b.max, kMax32);
  b.min = std::min(b.min, b.max);
  text = input.rest();
  const auto values = harness::parse_whole_list<std::uint32_t>(kOption, text, b.min, b.max);
  const auto wide = harness::parse_whole_numbers(kOption, text, b.min, b.max);
  expect(std::equal(values.begin(), values.end(), wide.begin(), wide.end()),
         "parse_whole_list differs from parse_whole_numbers");
}

void positive(Input& input, std::string& text) {
  const double max = kMaxima[input.byte() % kMaxima.size()];
  text = input.rest();
  const double value = harness::parse_positive(kOption, text, max, "a number");
  expect(std::isfinite(value) && value > 0 && value <= max, "parse_positive out of bounds");
}

void seconds(Input& input, std::string& text) {
  text = input.rest();
  const double value = harness::parse_seconds(kOption, text, 86400);
  expect(std::isfinite(value) && value > 0 && value <= 86400, "parse_seconds out of bounds");
}

void list(Input& input, std::string& text) {
  text = input.rest();
  std::string joined;
  for (const std::string& item : harness::split_list(kOption, text)) {
    expect(!item.empty() && item.find(',') == std::string::npos, "bad split_list item", item);
    joined += (joined.empty() ? "" : ",") + item;
  }
  expect(joined == text, "split_list items do not join back to the text");
}

void names(Input& input, std::string& text) {
  text = input.rest();
  const auto strategies = harness::parse_names<workloads::Strategy>(
      kOption, text, workloads::parse_strategy, workloads::kAllStrategies, "the strategies");
  std::vector<std::uint64_t> numbers;
  for (auto s : strategies) numbers.push_back(static_cast<std::uint64_t>(s));
  expect(!numbers.empty() && unique(numbers), "parse_names gave none or a name twice");
}

// Each reads its header fields from the input, then parses the rest, which it leaves in
// `text` for the caller to judge the error message by.
using Parser = void (*)(Input& input, std::string& text);
constexpr std::array<Parser, 7> kParsers = {whole,   whole_numbers, whole_list, positive,
                                            seconds, list,          names};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(data, size);
  std::string text;
  try {
    kParsers[input.byte() % kParsers.size()](input, text);
  } catch (const harness::UsageError& e) {
    const std::string_view message = e.what();
    refbench::fuzz::expect_one_line(message, text.find('\n') != std::string::npos);
    expect(message.starts_with(std::string(kOption) + ": "), "error does not name the option",
           message);
  } catch (...) {
    refbench::fuzz::undocumented_exception();
  }
  return 0;
}
