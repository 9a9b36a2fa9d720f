// What went wrong with the counts: events seen during a run, and the audit after it.
#pragma once

#include <cstdint>
#include <optional>

namespace refbench::workloads {

// Integrity events one thread observed. Each interpreter thread keeps its own (no sharing
// in the measured loop); they are summed after the threads are joined.
struct Tally {
  std::uint64_t premature_frees = 0;    // an object freed while its owner's heap held it
  std::uint64_t use_after_free = 0;     // an access to an object already freed
  std::uint64_t double_frees = 0;       // a count reaching zero on an object already freed
  std::uint64_t resource_warnings = 0;  // views closed by their destructor, not by close()

  Tally& operator+=(const Tally& other) {
    premature_frees += other.premature_frees;
    use_after_free += other.use_after_free;
    double_frees += other.double_frees;
    resource_warnings += other.resource_warnings;
    return *this;
  }
};

// The integrity of one run point, after teardown.
struct Integrity {
  Tally events;
  std::uint64_t leaks = 0;            // objects still alive after their interpreter finalised
  std::uint64_t views_left_open = 0;  // views opened and never closed
  // Sum over objects of |count - true references| just before teardown: net lost updates
  // (a lost increment and a lost decrement on one object cancel, so it is a lower bound).
  // Only known with --verify, which keeps the true references in a Ledger.
  std::optional<std::uint64_t> lost_updates;

  // Everything that must be zero for a correct strategy. Resource warnings are not
  // violations: a view closed by its destructor is still closed correctly.
  std::uint64_t violations() const {
    return leaks + views_left_open + events.premature_frees + events.use_after_free +
           events.double_frees + lost_updates.value_or(0);
  }
};

}  // namespace refbench::workloads
