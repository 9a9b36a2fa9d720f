// Plain-text tables for the terminal: columns padded to their widest cell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace refbench::results {

// `x` with `places` decimals, never an exponent: fixed(2.5, 3) is "2.500".
std::string fixed(double x, int places);

// The parts with `separator` between them: join({"a", "b"}, ";") is "a;b".
std::string join(const std::vector<std::string>& parts, std::string_view separator);

class TextTable {
 public:
  // A header cell starting with '<' is left-aligned (the '<' is dropped); others are
  // right-aligned, as numbers read best.
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  // Rows separated by '\n', each indented by `indent` spaces, the header underlined.
  std::string render(int indent = 2) const;
  std::size_t rows() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<bool> left_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace refbench::results
