// Parsing option values into numbers and lists, with errors that name the option, the bad
// value and what is allowed. Every function throws UsageError on bad input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace refbench::harness {

// A whole number in [min, max]. Accepts "1000000" and exact scientific forms like "1e6".
std::uint64_t parse_whole(std::string_view option, std::string_view text, std::uint64_t min,
                          std::uint64_t max);

// Whole numbers in [min, max], comma-separated; an item may be a range "A..B" (every number
// from A to B). No duplicates. "2,4..6" -> {2, 4, 5, 6}.
std::vector<std::uint64_t> parse_whole_numbers(std::string_view option, std::string_view text,
                                               std::uint64_t min, std::uint64_t max);

// The same, converted to T (max must fit in T).
template <class T>
std::vector<T> parse_whole_list(std::string_view option, std::string_view text, std::uint64_t min,
                                std::uint64_t max) {
  std::vector<T> values;
  for (std::uint64_t n : parse_whole_numbers(option, text, min, max)) {
    values.push_back(static_cast<T>(n));
  }
  return values;
}

// A number above 0 and at most `max`; `what` names it in the error ("seconds").
double parse_positive(std::string_view option, std::string_view text, double max,
                      std::string_view what);

// A positive number of seconds, at most `max`.
inline double parse_seconds(std::string_view option, std::string_view text, double max) {
  return parse_positive(option, text, max, "seconds");
}

// Comma-separated items, none empty. "a,b" -> {"a", "b"}.
std::vector<std::string> split_list(std::string_view option, std::string_view text);

// Parses each item of a comma-separated list with `parse` (returning std::optional), or
// expands `all` to every value; rejects unknown names and duplicates.
template <class T, class Parse, class All>
std::vector<T> parse_names(std::string_view option, std::string_view text, Parse parse,
                           const All& all, const std::string& allowed);

}  // namespace refbench::harness

#include "harness/parse_inl.h"
