// The memory the interpreter processes of one point share (--isolation process).
//
// One memfd (no name in /dev/shm, nothing to unlink: it goes when the last process that
// maps it exits, whatever killed it), mapped MAP_SHARED by the parent before it forks, so
// that it sits at the same address in every interpreter process. That is what lets the
// point's ordinary objects (heaps, channels, locks, queues, the ledger, the tallies) be
// shared as they are, pointers included: a pointer into the region means the same object
// in every process of the point. Messages name objects by their offset from the region's
// start all the same (region_offset.h), as processes that map it anywhere would have to.
//
// While a Scope is active on a thread, every operator new of that thread (and of the
// processes it forks) is carved out of the region, and operator delete of a pointer into a
// region gives the block back to the region (for reuse by any of its processes): the
// region itself is freed whole, after the point. Outside any Scope (every
// thread-mode point, every other thread) new and delete are malloc and free, as before.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace refbench::workloads {

class SharedRegion {
 public:
  // Maps `bytes` of fresh shared memory (pages come only when first touched). Throws
  // std::system_error if the system refuses.
  explicit SharedRegion(std::size_t bytes);
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;
  ~SharedRegion();

  // `bytes` at `alignment` (a power of two), from any process of the point; throws
  // std::bad_alloc when the region is spent. Blocks are powers of two; what deallocate()
  // gives back is reused for the same size.
  void* allocate(std::size_t bytes, std::size_t alignment);
  void deallocate(void* p);
  bool contains(const void* p) const {
    const auto a = reinterpret_cast<std::uintptr_t>(p);
    return a >= begin_ && a < end_;
  }
  std::size_t used() const;
  // Where this process maps the region, and its size.
  std::uintptr_t base() const { return begin_; }
  std::uintptr_t size() const { return end_ - begin_; }

  // The region the calling thread allocates in, or null.
  static SharedRegion* active();
  // The live region `p` lies in, or null (what operator delete asks).
  static SharedRegion* holding(const void* p);
  static bool in_any(const void* p) { return holding(p) != nullptr; }

  // Makes `region` the calling thread's allocator until destroyed.
  class Scope {
   public:
    explicit Scope(SharedRegion& region);
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope();

   private:
    SharedRegion* outer_;
  };

 private:
  struct Header;
  Header* header() const { return reinterpret_cast<Header*>(begin_); }

  int fd_ = -1;
  std::uintptr_t begin_ = 0;
  std::uintptr_t end_ = 0;
};

}  // namespace refbench::workloads
