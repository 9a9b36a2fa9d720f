#include "harness/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace refbench::harness {
namespace {

using std::chrono::seconds;

TEST(Progress, DurationsReadAtAGlance) {
  EXPECT_EQ(duration_text(seconds(45)), "45s");
  EXPECT_EQ(duration_text(seconds(190)), "3m10s");
  EXPECT_EQ(duration_text(seconds(3720)), "1h02m");
  EXPECT_EQ(duration_text(seconds(0)), "0s");
}

TEST(Progress, PointsDonePercentEtaAndTheCurrentPoint) {
  EXPECT_EQ(progress_text(0, 40, seconds(0), "stream civ"), "[0/40  0%  ETA -] stream civ");
  // 10 points in 60 s: 30 more take 180 s.
  EXPECT_EQ(progress_text(10, 40, seconds(60), "stream civ"), "[10/40  25%  ETA 3m00s] stream civ");
  EXPECT_EQ(progress_text(40, 40, seconds(99), "x"), "[40/40  100%  ETA 0s] x");
}

TEST(Progress, SilentWhenNotATerminal) {
  std::ostringstream out;
  {
    ProgressLine line(out, false, 10);
    line.show(3, "point");
    line.clear();
  }
  EXPECT_EQ(out.str(), "");
}

TEST(Progress, OnATerminalRedrawsOneLineAndErasesIt) {
  std::ostringstream out;
  {
    ProgressLine line(out, true, 10);
    line.show(0, "a");
    line.show(1, "b");
  }
  EXPECT_EQ(out.str(), "\r[0/10  0%  ETA -] a\x1b[K\r[1/10  10%  ETA 0s] b\x1b[K\r\x1b[K");
}

}  // namespace
}  // namespace refbench::harness
