#include "harness/progress.h"

namespace refbench::harness {

std::string duration_text(std::chrono::seconds d) {
  const long long s = d.count();
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  } else if (s >= 60) {
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%llds", s);
  }
  return text;
}

std::string progress_text(std::size_t done, std::size_t total, std::chrono::seconds elapsed,
                          const std::string& current) {
  const std::size_t percent = total == 0 ? 100 : done * 100 / total;
  std::string eta = "ETA -";
  if (done > 0) {
    const auto left = elapsed * static_cast<long long>(total - done) / static_cast<long long>(done);
    eta = "ETA " + duration_text(left);
  }
  return "[" + std::to_string(done) + "/" + std::to_string(total) + "  " + std::to_string(percent) +
         "%  " + eta + "] " + current;
}

ProgressLine::ProgressLine(std::ostream& out, bool terminal, std::size_t total)
    : out_(out), enabled_(terminal), total_(total) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::clear() {
  if (!drawn_) return;
  out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

void ProgressLine::show(std::size_t done, const std::string& current) {
  if (!enabled_) return;
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start_);
  // \r: back to the start of the line; ESC[K: clear what a longer line left behind.
  out_ << "\r" << progress_text(done, total_, elapsed, current) << "\x1b[K" << std::flush;
  drawn_ = true;
}

}  // namespace refbench::harness
