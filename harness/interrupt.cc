#include "harness/interrupt.h"

#include <atomic>
#include <csignal>

namespace refbench::harness {
namespace {

// Lock-free, so a signal handler may store to it.
std::atomic<bool> g_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);
struct sigaction g_previous {};

void on_interrupt(int) { g_requested.store(true, std::memory_order_relaxed); }

}  // namespace

InterruptScope::InterruptScope() {
  g_requested.store(false);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // One-shot: the handler resets to the default, so a second Ctrl-C ends the process.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, &g_previous);
}

InterruptScope::~InterruptScope() { sigaction(SIGINT, &g_previous, nullptr); }

bool InterruptScope::requested() { return g_requested.load(std::memory_order_relaxed); }

}  // namespace refbench::harness
