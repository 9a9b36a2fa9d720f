// Invariants: what no strategy, shape or test may ever make happen, asserted where the state
// changes (a view closed twice, a correct count going below zero, a freed object counted).
//
// REFBENCH_ASSERT is active where NDEBUG is not defined, i.e. in the `checked` build
// (scripts/build checked), and compiled out everywhere else, its condition never evaluated:
// release (what measures) and the sanitizer builds pay nothing. A broken invariant is a bug
// in refbench, so it aborts with the file, the line, the reason and the condition, as
// Google Benchmark's BM_CHECK does.
//
// What a run may legitimately get wrong is never asserted: the integrity detectors count it
// (integrity.h). racy loses updates, frees objects early and touches freed ones; a view
// dropped without close() is a resource warning; a full civ-deferred queue drops a release;
// an early teardown leaves views open. An assert guards only what no strategy the tests run
// (racy included) may ever do.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace refbench::workloads {

// Whether this build checks its invariants: for the few checks that need state of their own
// (which thread took from a queue) and cost something to keep.
#ifdef NDEBUG
inline constexpr bool kChecked = false;
#else
inline constexpr bool kChecked = true;
#endif

[[noreturn]] inline void invariant_broken(const char* why, const char* condition, const char* file,
                                          int line) {
  std::fprintf(stderr, "%s:%d: refbench invariant broken: %s (%s)\n", file, line, why, condition);
  std::abort();
}

}  // namespace refbench::workloads

// REFBENCH_ASSERT(condition, "why it must hold"). Without checks the condition stays in an
// unevaluated sizeof, so that a value computed only for it raises no unused warning.
#ifdef NDEBUG
#define REFBENCH_ASSERT(condition, why) static_cast<void>(sizeof(static_cast<bool>(condition)))
#else
#define REFBENCH_ASSERT(condition, why) \
  ((condition) ? static_cast<void>(0)   \
               : ::refbench::workloads::invariant_broken((why), #condition, __FILE__, __LINE__))
#endif
