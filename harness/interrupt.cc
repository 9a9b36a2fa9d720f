#include "harness/interrupt.h"

#include <atomic>
#include <csignal>

namespace refbench::harness {
namespace {

static_assert(kStopSignals[0] == SIGINT && kStopSignals[1] == SIGTERM && kStopSignals[2] == SIGHUP);

// Lock-free, so a signal handler may store to it. 0: no signal yet.
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
struct sigaction g_previous[3]{};
// Scopes nest (a command's around the plan's): only the outermost installs and restores.
int g_depth = 0;

void on_signal(int number) {
  int none = 0;
  // The first signal is the one reported.
  g_signal.compare_exchange_strong(none, number, std::memory_order_relaxed);
}

}  // namespace

int interrupted_status(int signal) { return 128 + signal; }

bool is_interrupted_status(int status) {
  for (int s : kStopSignals) {
    if (status == interrupted_status(s)) return true;
  }
  return false;
}

InterruptScope::InterruptScope() {
  if (g_depth++ > 0) return;
  g_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // One-shot: the handler resets to the default, so a second Ctrl-C (or SIGTERM) ends the
  // process.
  action.sa_flags = SA_RESETHAND;
  for (int i = 0; i < 3; ++i) sigaction(kStopSignals[i], &action, &g_previous[i]);
}

InterruptScope::~InterruptScope() {
  if (--g_depth > 0) return;
  for (int i = 0; i < 3; ++i) sigaction(kStopSignals[i], &g_previous[i], nullptr);
}

bool InterruptScope::requested() { return g_signal.load(std::memory_order_relaxed) != 0; }

int InterruptScope::signal() { return g_signal.load(std::memory_order_relaxed); }

const char* InterruptScope::signal_name() {
  switch (signal()) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

}  // namespace refbench::harness
