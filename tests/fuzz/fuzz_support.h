// What the fuzz targets share: reading an input front to back, and reporting a broken
// invariant so that libFuzzer keeps the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>

namespace refbench::fuzz {

// Prints what broke and aborts: libFuzzer reports a "deadly signal" and saves the input.
[[noreturn]] inline void finding(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz finding: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

inline void expect(bool holds, std::string_view what, std::string_view detail = {}) {
  if (!holds) finding(what, detail);
}

// An error meant for the user says something, on one line. A message may quote the input,
// so a line break is allowed only where the input had one.
inline void expect_one_line(std::string_view message, bool input_has_break) {
  expect(!message.empty(), "empty error message");
  if (!input_has_break) {
    expect(message.find('\n') == std::string_view::npos, "error message spans lines", message);
  }
}

// Any exception the code does not document is a finding; call from a catch (...) block.
[[noreturn]] inline void undocumented_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    finding("undocumented exception", std::string(typeid(e).name()) + ": " + e.what());
  } catch (...) {
    finding("undocumented exception", "not a std::exception");
  }
}

// The fields of a fuzz input, read front to back (FuzzedDataProvider reads numbers from
// the back), so a seed file is a few header bytes and then readable text.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : bytes_(data, size) {}

  // The next byte, or 0 once the input is used up.
  std::uint8_t byte() {
    if (bytes_.empty()) return 0;
    const std::uint8_t b = bytes_.front();
    bytes_ = bytes_.subspan(1);
    return b;
  }
  // The next 8 bytes, little endian (missing bytes read as 0).
  std::uint64_t u64() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 8) value |= std::uint64_t{byte()} << shift;
    return value;
  }
  // Everything not read yet.
  std::string rest() {
    std::string text(bytes_.begin(), bytes_.end());
    bytes_ = {};
    return text;
  }

 private:
  std::span<const std::uint8_t> bytes_;
};

}  // namespace refbench::fuzz
