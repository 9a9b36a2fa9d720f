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

// A positive number of seconds, at most `max`.
double parse_seconds(std::string_view option, std::string_view text, double max);

// Comma-separated items, none empty. "a,b" -> {"a", "b"}.
std::vector<std::string> split_list(std::string_view option, std::string_view text);

// Parses each item of a comma-separated list with `parse` (returning std::optional), or
// expands `all` to every value; rejects unknown names and duplicates.
template <class T, class Parse, class All>
std::vector<T> parse_names(std::string_view option, std::string_view text, Parse parse,
                           const All& all, const std::string& allowed);

}  // namespace refbench::harness

#include "harness/parse_inl.h"
