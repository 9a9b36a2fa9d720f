// Template definitions for parse.h.
#pragma once

#include <algorithm>

#include "harness/usage_error.h"

namespace refbench::harness {

template <class T, class Parse, class All>
std::vector<T> parse_names(std::string_view option, std::string_view text, Parse parse,
                           const All& all, const std::string& allowed) {
  if (text == "all") return std::vector<T>(all.begin(), all.end());
  std::vector<T> values;
  for (const std::string& item : split_list(option, text)) {
    const auto value = parse(item);
    if (!value) {
      throw UsageError(std::string(option) + ": '" + item +
                       "' is not allowed (allowed: " + allowed + ", or all)");
    }
    if (std::find(values.begin(), values.end(), *value) != values.end()) {
      throw UsageError(std::string(option) + ": '" + item + "' is listed twice");
    }
    values.push_back(*value);
  }
  return values;
}

}  // namespace refbench::harness
