// Ctrl-C during a run or sweep: the first SIGINT asks to stop after the point being
// measured (its threads finish, its row is written); a second one ends the process at once.
#pragma once

namespace refbench::harness {

// Exit status of a plan stopped by Ctrl-C (128 + SIGINT, as shells report it).
inline constexpr int kInterrupted = 130;

class InterruptScope {
 public:
  InterruptScope();   // installs the handler
  ~InterruptScope();  // restores the previous one
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // Whether SIGINT arrived since the scope began.
  static bool requested();
};

}  // namespace refbench::harness
