// Whether this test binary runs under ThreadSanitizer, and the skip the process-isolation
// tests share: TSan sees only the accesses of its own process, so the other processes'
// writes to a point's shared region are invisible to it; it could neither confirm nor refute
// the ordering between interpreters, and its runtime is not built for forking a process that
// keeps running instrumented code. Those tests run in the other builds.
#pragma once

#include <gtest/gtest.h>

namespace refbench::testing_support {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#else
inline constexpr bool kThreadSanitizer = false;
#endif

}  // namespace refbench::testing_support

#define SKIP_UNDER_TSAN()                                                                   \
  if (::refbench::testing_support::kThreadSanitizer) {                                      \
    GTEST_SKIP() << "ThreadSanitizer cannot follow memory shared between forked processes"; \
  }
