// Ground truth for --verify: how many references each pooled object really has.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/hardware.h"
#include "workloads/invariant.h"
#include "workloads/object.h"

namespace refbench::workloads {

// A shadow account that no strategy touches. Each interpreter thread records the references
// its messages take and the ones it drops in a row of its own, with plain increments on
// memory no other thread writes: the account costs every strategy the same, adds no locked
// instruction and no shared cache line to the measured loop, and so leaves racy's race as
// it runs unverified. The rows are summed only after every thread has been joined (the
// join orders them).
class Ledger {
 public:
  using Row = std::int64_t*;

  // `objects`: every pooled object of the point; `threads`: the interpreter threads. One
  // more row takes what happens on no interpreter thread (the runtime's teardown).
  Ledger(std::size_t objects, unsigned threads)
      : objects_(objects),
        stride_((objects + kPerLine - 1) / kPerLine * kPerLine),
        rows_(threads + 1),
        storage_(rows_ * stride_ + kPerLine, 0) {}
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Interpreter thread i's row; the last row belongs to the runtime. Rows start on a cache
  // line of their own, so that two threads never write one line.
  Row row(unsigned i) { return base() + std::size_t{i} * stride_; }
  Row runtime_row() { return row(static_cast<unsigned>(rows_ - 1)); }

  // On the thread that owns `row`.
  static void taken(Row row, const Object& o) { ++row[o.id]; }
  static void dropped(Row row, const Object& o) { --row[o.id]; }

  // After every thread has been joined: the heap's reference plus every row's net.
  std::int64_t references(const Object& o) const {
    REFBENCH_ASSERT(o.id < objects_, "an object of the ledger's pools");
    const std::int64_t* first = const_cast<Ledger*>(this)->base();
    std::int64_t refs = 1;
    for (std::size_t r = 0; r < rows_; ++r) refs += first[r * stride_ + o.id];
    return refs;
  }

 private:
  static constexpr std::size_t kPerLine = kCacheLine / sizeof(std::int64_t);

  std::int64_t* base() {
    const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
    const std::uintptr_t aligned = (address + kCacheLine - 1) / kCacheLine * kCacheLine;
    return storage_.data() + (aligned - address) / sizeof(std::int64_t);
  }

  const std::size_t objects_;
  const std::size_t stride_;  // `objects_` rounded up to whole cache lines
  const std::size_t rows_;
  std::vector<std::int64_t> storage_;  // the rows, from the first cache line boundary in it
};

// The ledger row the calling thread records in (null: none, or not an interpreter thread),
// for what a strategy does on whichever thread it happens: a heap finalised by the thread
// that closed the last view of its interpreter.
inline Ledger::Row& this_thread_ledger_row() {
  static thread_local Ledger::Row row = nullptr;
  return row;
}

}  // namespace refbench::workloads
