// Small hardware facts and primitives the concurrent structures are laid out around.
#pragma once

#include <cstddef>

namespace refbench::workloads {

// x86-64 and most Arm cores move 64-byte lines between caches. (We do not use
// std::hardware_destructive_interference_size: GCC warns that its value may change
// between compiler versions, which would change our layouts silently.)
inline constexpr std::size_t kCacheLine = 64;

// Tells the core we are spinning: on x86 `pause` frees the SMT sibling's resources and
// avoids the memory-order mis-speculation flush when the awaited line finally changes.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Forces `value` to be really stored and later reloaded, like an interpreter's refcount
// update that sits between calls the compiler cannot see through. Without it, a run of
// increments and decrements on one object could be folded away.
template <class T>
inline void keep_in_memory(T& value) {
  asm volatile("" : "+m"(value));
}

}  // namespace refbench::workloads
