// Objects and the heaps interpreters keep them in.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "workloads/hardware.h"

namespace refbench::workloads {

class Interpreter;

enum class ObjectState : std::uint32_t { live = 0, freed = 1 };

// An object's header: one cache line, so counting one object never moves another's line.
// Which fields a strategy touches, and how, is in counting.h and strategies.h.
struct alignas(kCacheLine) Object {
  // The reference count. Lock-based strategies (gil, civ) update it plainly: the lock
  // orders all writers, and ThreadSanitizer checks that it really does. `racy` and `atomic`
  // reach it through std::atomic_ref (relaxed load+store, or lock-prefixed RMW).
  std::int64_t refcount = 1;
  // Buffer exports (open views on the payload); only ever touched under the owner's lock.
  std::int64_t exports = 0;
  Interpreter* owner = nullptr;
  const std::byte* payload = nullptr;
  std::uint32_t payload_bytes = 0;
  // Index of this object in the run's ledger of true reference counts.
  std::uint32_t id = 0;
  // Atomic because under `racy` one thread may free an object another is using.
  std::atomic<ObjectState> state{ObjectState::live};
  // The owner's heap holds one reference until its interpreter finalises; a free while
  // this is set is premature. Atomic: with --teardown early the finalising thread clears
  // it while a receiver may be freeing the object.
  std::atomic<bool> held_by_heap{true};
  // Biased counting (PEP 703): the thread that counts plainly in `refcount`, and the count
  // every other thread keeps, atomically, through std::atomic_ref.
  std::uintptr_t owner_thread = 0;
  std::int64_t shared_refcount = 0;
};
static_assert(sizeof(Object) == kCacheLine, "an object header fills exactly one cache line");
static_assert(alignof(Object) == kCacheLine, "an object header starts a cache line");

// Where an object's payload starts: right after its header, in every heap (Heap lays them
// out so). Who holds a reference finds the buffer from the object's address alone, without
// reading the header (a line its owner writes).
inline const std::byte* payload_of(const Object& o) {
  return reinterpret_cast<const std::byte*>(&o) + sizeof(Object);
}

// An interpreter's objects: a pool it sends, each header followed by its payload, and a
// few local objects it churns to model the rest of the interpreter. The memory is mapped
// fresh (untouched), so that it can be bound to a NUMA node before the owner thread first
// touches it.
class Heap {
 public:
  static constexpr std::uint32_t kLocalObjects = 64;  // 4 KiB of headers: stays in L1

  Heap(std::uint32_t pool_objects, std::uint32_t payload_bytes);
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;
  ~Heap();

  // The bytes a heap of these objects maps: each pooled object's header and payload,
  // rounded up to whole cache lines, then the local objects' headers. What the harness
  // checks against the machine's memory before anything runs.
  static std::size_t bytes_for(std::uint32_t pool_objects, std::uint32_t payload_bytes);

  // The whole mapping, for memory binding before initialise().
  std::span<std::byte> memory() { return {base_, bytes_}; }

  // Constructs the objects (the first touch of every page) and fills the payloads.
  void initialise(Interpreter& owner, std::uint32_t first_id);

  std::uint32_t pool_size() const { return pool_objects_; }
  Object& pooled(std::uint32_t i) { return *object_at(i); }
  Object& local(std::uint32_t i) { return *local_at(i); }

 private:
  Object* object_at(std::uint32_t i) const;
  Object* local_at(std::uint32_t i) const;

  std::uint32_t pool_objects_;
  std::uint32_t payload_bytes_;
  std::size_t stride_;  // header + payload, rounded up to whole cache lines
  std::size_t bytes_;
  std::byte* base_;
  bool in_region_;  // in a point's shared region (--isolation process), not a mapping of its own
};

}  // namespace refbench::workloads
