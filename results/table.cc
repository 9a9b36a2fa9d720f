#include "results/table.h"

#include <algorithm>
#include <cstdio>

namespace refbench::results {

std::string fixed(double x, int places) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", places, x);
  return buffer;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

TextTable::TextTable(std::vector<std::string> header) {
  for (std::string& cell : header) {
    const bool left = !cell.empty() && cell.front() == '<';
    left_.push_back(left);
    header_.push_back(left ? cell.substr(1) : cell);
  }
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(int indent) const {
  std::vector<std::size_t> widths;
  for (const std::string& h : header_) widths.push_back(h.size());
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out(static_cast<std::size_t>(indent), ' ');
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string pad(widths[i] - cells[i].size(), ' ');
      if (i > 0) out += "  ";
      out += left_[i] ? cells[i] + pad : pad + cells[i];
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_);
  std::vector<std::string> rule;
  for (std::size_t w : widths) rule.emplace_back(w, '-');
  out += line(rule);
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace refbench::results
