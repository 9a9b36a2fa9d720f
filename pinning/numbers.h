// Whole numbers as users write them in specs: PU lists, LIKWID expressions, class names.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace refbench::pinning {

// `text` as an unsigned decimal number, all of it: nothing for "", "-1", "2x" or a value
// that does not fit.
inline std::optional<unsigned> parse_unsigned(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace refbench::pinning
