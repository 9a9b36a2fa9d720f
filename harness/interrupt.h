// Ctrl-C (SIGINT), SIGTERM (a batch scheduler's time limit, `kill`) and SIGHUP (the
// terminal closed) during a run or sweep: the first asks to stop after the point being
// measured (its threads finish, its row is written, the rows are kept under the file's real
// name); a second one of the same signal ends the process at once.
#pragma once

namespace refbench::harness {

// The signals that stop a plan cleanly.
inline constexpr int kStopSignals[] = {2 /*SIGINT*/, 15 /*SIGTERM*/, 1 /*SIGHUP*/};

// Exit status of a plan stopped by `signal` (128 + the signal, as shells report it).
int interrupted_status(int signal);
// Whether `status` is one interrupted_status returns.
bool is_interrupted_status(int status);

// Scopes nest: a signal that arrives in an outer scope (while the results file is opened)
// is still requested() in an inner one (the plan's loop).
class InterruptScope {
 public:
  InterruptScope();   // the outermost installs the handlers
  ~InterruptScope();  // the outermost restores the previous ones
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // Whether one of kStopSignals arrived since the scope began.
  static bool requested();
  // The first signal that arrived (0: none): "SIGTERM".
  static int signal();
  static const char* signal_name();
};

}  // namespace refbench::harness
