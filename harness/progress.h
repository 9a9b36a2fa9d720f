// The progress line of a long sweep on a terminal: points done, ETA, the current point.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace refbench::harness {

// "1h02m", "3m10s", "45s".
std::string duration_text(std::chrono::seconds d);

// "[12/40  30%  ETA 3m10s] stream  civ  PUs 0,1 ...": `done` points took `elapsed`, the
// rest are expected to take as long each. No ETA before the first point is done.
std::string progress_text(std::size_t done, std::size_t total, std::chrono::seconds elapsed,
                          const std::string& current);

// Writes the line in place (carriage return, clear to the end of the line) when `out` is
// a terminal and the run is not quiet; otherwise stays silent.
class ProgressLine {
 public:
  ProgressLine(std::ostream& out, bool terminal, std::size_t total);
  ~ProgressLine();  // erases the line, if one was drawn
  void show(std::size_t done, const std::string& current);
  // Erases the line, so that a message can be printed on a line of its own.
  void clear();

 private:
  std::ostream& out_;
  const bool enabled_;
  const std::size_t total_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

}  // namespace refbench::harness
