// Ground truth for --verify: how many references each pooled object really has.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "workloads/object.h"

namespace refbench::workloads {

// A shadow account that no strategy touches: the driver records each reference a message
// takes and each one a receiver drops, with an atomic that cannot lose updates. Relaxed:
// the account is read only after every thread has been joined.
class Ledger {
 public:
  // Every object starts with one reference, its heap's.
  explicit Ledger(std::size_t objects) : refs_(objects) {
    for (auto& r : refs_) r.store(1, std::memory_order_relaxed);
  }

  void taken(const Object& o) { refs_[o.id].fetch_add(1, std::memory_order_relaxed); }
  void dropped(const Object& o) { refs_[o.id].fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t references(const Object& o) const {
    return refs_[o.id].load(std::memory_order_relaxed);
  }

 private:
  std::vector<std::atomic<std::int64_t>> refs_;
};

}  // namespace refbench::workloads
