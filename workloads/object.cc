#include "workloads/object.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "workloads/counting.h"
#include "workloads/invariant.h"
#include "workloads/shared_region.h"

namespace refbench::workloads {
namespace {

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

constexpr std::size_t kPage = 4096;

std::byte* map_fresh(std::size_t bytes) {
  // A process-mode point: in the shared region, on pages of its own (for memory binding).
  if (SharedRegion* region = SharedRegion::active()) {
    return static_cast<std::byte*>(region->allocate(round_up(bytes, kPage), kPage));
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    throw std::runtime_error("mmap of " + std::to_string(bytes) +
                             " bytes for an interpreter heap failed: " + std::strerror(errno));
  }
  return static_cast<std::byte*>(p);
}

// Header + payload, rounded up to whole cache lines: no two objects share a line.
std::size_t stride_for(std::uint32_t payload_bytes) {
  return sizeof(Object) + round_up(payload_bytes, kCacheLine);
}

}  // namespace

std::size_t Heap::bytes_for(std::uint32_t pool_objects, std::uint32_t payload_bytes) {
  return stride_for(payload_bytes) * pool_objects + sizeof(Object) * kLocalObjects;
}

Heap::Heap(std::uint32_t pool_objects, std::uint32_t payload_bytes)
    : pool_objects_(pool_objects),
      payload_bytes_(payload_bytes),
      stride_(stride_for(payload_bytes)),
      bytes_(bytes_for(pool_objects, payload_bytes)),
      base_(map_fresh(bytes_)),
      in_region_(SharedRegion::in_any(base_)) {}

Heap::~Heap() {
  if (!in_region_) munmap(base_, bytes_);  // a shared region is unmapped whole
}

Object* Heap::object_at(std::uint32_t i) const {
  REFBENCH_ASSERT(i < pool_objects_, "a pooled object is one of the pool");
  return std::launder(reinterpret_cast<Object*>(base_ + stride_ * i));
}

Object* Heap::local_at(std::uint32_t i) const {
  REFBENCH_ASSERT(i < kLocalObjects, "a local object is one of the heap's own");
  return std::launder(
      reinterpret_cast<Object*>(base_ + stride_ * pool_objects_ + sizeof(Object) * i));
}

void Heap::initialise(Interpreter& owner, std::uint32_t first_id) {
  for (std::uint32_t i = 0; i < pool_objects_; ++i) {
    auto* header = base_ + stride_ * i;
    auto* object = new (header) Object;
    object->owner = &owner;
    object->owner_thread = counting::this_thread_token();  // initialise runs on the owner's thread
    object->id = first_id + i;
    object->payload = payload_of(*object);
    object->payload_bytes = payload_bytes_;
    // A recognisable, object-specific pattern, so a reader that saw the wrong object or
    // freed memory would read a different sum.
    std::memset(header + sizeof(Object), static_cast<int>(0x5a ^ (i & 0xff)), payload_bytes_);
  }
  for (std::uint32_t i = 0; i < kLocalObjects; ++i) {
    auto* object = new (base_ + stride_ * pool_objects_ + sizeof(Object) * i) Object;
    object->owner = &owner;
    object->owner_thread = counting::this_thread_token();
  }
}

}  // namespace refbench::workloads
