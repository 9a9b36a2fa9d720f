// References in messages as offsets from the point's shared memory region.
//
// An interpreter process (--isolation process) finds what a message names at the base at
// which it maps the point's region plus the message's offset, as a process of Python's
// multiprocessing finds an object in a shared_memory block: the message means the same
// object whatever address a process maps the region at. Where there is no region (thread
// mode, every point's parent outside its point) the base is 0 and an offset is the address
// itself.
//
// What crosses between processes is kept so: the messages in a process-mode point's
// channels (region_channel.h; thread-mode channels keep pointers) and the requests posted
// to an interpreter's queue (pending.h, in both modes: a mutex per post dwarfs an add).
// The region's own structures (heaps, channels, queues, locks) still point at one
// another, so a process must map the region where the point's parent did, before it
// forked; see README.md, "Interpreters as processes".
#pragma once

#include <cstdint>

#include "workloads/invariant.h"

namespace refbench::workloads {

class RegionBase {
 public:
  static std::uintptr_t get() { return base_; }

  // Sets this process's base to where it maps the region, `size` bytes from `base`, until
  // destroyed. The parent holds one around its process-mode point and each interpreter
  // process sets its own after the fork; no point runs while it changes, so a plain
  // variable is enough (thread starts and joins order it for every thread that reads it).
  class Scope {
   public:
    Scope(std::uintptr_t base, std::uintptr_t size) : outer_base_(base_), outer_size_(size_) {
      base_ = base;
      size_ = size;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() {
      base_ = outer_base_;
      size_ = outer_size_;
    }

   private:
    std::uintptr_t outer_base_;
    std::uintptr_t outer_size_;
  };

  // Whether `offset` names something inside the region (always, where there is none).
  static bool inside(std::uintptr_t offset) { return base_ == 0 || offset < size_; }

 private:
  static inline std::uintptr_t base_ = 0;
  static inline std::uintptr_t size_ = 0;
};

// A reference to a T as an offset from this process's RegionBase. Null has an offset of
// its own, which no object can have, so that it stays null whatever the base (a select,
// not a jump, on the way in and out).
template <class T>
class RegionOffset {
 public:
  RegionOffset() = default;
  explicit RegionOffset(T* p)
      : offset_(p == nullptr ? kNull : reinterpret_cast<std::uintptr_t>(p) - RegionBase::get()) {
    REFBENCH_ASSERT(p == nullptr || RegionBase::inside(offset_),
                    "a message names only what lies in the point's region");
  }
  T* get() const {
    return offset_ == kNull ? nullptr : reinterpret_cast<T*>(offset_ + RegionBase::get());
  }
  // What is stored: the distance from the region's start (the address, with no region).
  std::uintptr_t offset() const { return offset_; }

 private:
  static constexpr std::uintptr_t kNull = ~std::uintptr_t{0};
  std::uintptr_t offset_ = kNull;
};

}  // namespace refbench::workloads
