// Plain-text tables for the terminal: columns padded to their widest cell.
#pragma once

#include <string>
#include <vector>

namespace refbench::results {

class TextTable {
 public:
  // A header cell starting with '<' is left-aligned (the '<' is dropped); others are
  // right-aligned, as numbers read best.
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  // Rows separated by '\n', each indented by `indent` spaces, the header underlined.
  std::string render(int indent = 2) const;

 private:
  std::vector<std::string> header_;
  std::vector<bool> left_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace refbench::results
