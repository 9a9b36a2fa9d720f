#include "workloads/shared_region.h"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <new>
#include <string>
#include <system_error>

namespace refbench::workloads {
namespace {

thread_local SharedRegion* t_active = nullptr;

// The live regions, for operator delete: it must tell a pointer into a region (nothing to
// free) from one malloc gave. `g_live` is 0 outside process-mode points: one load.
constexpr std::size_t kMaxRegions = 8;
std::atomic<unsigned> g_live{0};
std::array<std::atomic<const SharedRegion*>, kMaxRegions> g_regions{};

void enlist(const SharedRegion* region) {
  for (auto& slot : g_regions) {
    const SharedRegion* expected = nullptr;
    if (slot.compare_exchange_strong(expected, region)) {
      g_live.fetch_add(1);
      return;
    }
  }
  throw std::system_error(std::make_error_code(std::errc::too_many_files_open),
                          "more than 8 shared regions at once");
}

void delist(const SharedRegion* region) {
  for (auto& slot : g_regions) {
    const SharedRegion* expected = region;
    if (slot.compare_exchange_strong(expected, nullptr)) {
      g_live.fetch_sub(1);
      return;
    }
  }
}

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

// At the region's start, for every process of the point: where the next fresh block goes,
// and the blocks given back, by size class (powers of two), for reuse: a queue that grows and
// shrinks (a std::deque of pending calls) must not spend the region.
struct SharedRegion::Header {
  static constexpr std::size_t kClasses = 48;
  std::atomic<std::size_t> next;
  std::atomic<std::uint32_t> lock{0};  // guards `free`; held for a few loads and stores
  std::size_t free[kClasses] = {};     // offset of the first free block of each class, or 0
};

namespace {

// Before each block, at its alignment: its size class (and, where free, the next free one).
struct BlockHeader {
  std::size_t size_class;
  std::size_t next_free;
};

unsigned size_class_of(std::size_t bytes) {
  unsigned c = 4;  // 16 bytes at least
  while ((std::size_t{1} << c) < bytes) ++c;
  return c;
}

}  // namespace

SharedRegion::SharedRegion(std::size_t bytes) {
  bytes = round_up(bytes + sizeof(Header), 4096);
  fd_ = memfd_create("refbench-point", MFD_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "memfd_create");
  if (ftruncate(fd_, static_cast<off_t>(bytes)) != 0) {
    const int error = errno;
    close(fd_);
    throw std::system_error(error, std::generic_category(),
                            "ftruncate of the shared region to " + std::to_string(bytes));
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) {
    const int error = errno;
    close(fd_);
    throw std::system_error(error, std::generic_category(), "mmap of the shared region");
  }
  begin_ = reinterpret_cast<std::uintptr_t>(p);
  end_ = begin_ + bytes;
  new (p) Header{sizeof(Header)};
  enlist(this);
}

SharedRegion::~SharedRegion() {
  delist(this);
  munmap(reinterpret_cast<void*>(begin_), end_ - begin_);
  close(fd_);
}

// A block of 2^class bytes, its BlockHeader in the `alignment` bytes (at least 16) before
// it. Free blocks of the class are reused only at the alignment they were made with.
void* SharedRegion::allocate(std::size_t bytes, std::size_t alignment) {
  alignment = std::max<std::size_t>(alignment, sizeof(BlockHeader));
  const unsigned size_class = size_class_of(bytes);
  if (size_class >= Header::kClasses) throw std::bad_alloc();
  Header& h = *header();
  if (alignment == sizeof(BlockHeader)) {  // the reusable kind: the common alignment
    while (h.lock.exchange(1, std::memory_order_acquire) != 0) sched_yield();
    const std::size_t at = h.free[size_class];
    if (at != 0) {
      h.free[size_class] = reinterpret_cast<BlockHeader*>(begin_ + at)->next_free;
      h.lock.store(0, std::memory_order_release);
      return reinterpret_cast<void*>(begin_ + at + sizeof(BlockHeader));
    }
    h.lock.store(0, std::memory_order_release);
  }
  const std::size_t size = end_ - begin_;
  const std::size_t block = std::size_t{1} << size_class;
  std::size_t at = h.next.load(std::memory_order_relaxed);
  for (;;) {
    const std::size_t start = round_up(at + sizeof(BlockHeader), alignment);
    const std::size_t next = start + block;
    if (next > size || next < start) throw std::bad_alloc();
    if (h.next.compare_exchange_weak(at, next, std::memory_order_relaxed)) {
      auto* block_header = reinterpret_cast<BlockHeader*>(begin_ + start - sizeof(BlockHeader));
      block_header->size_class = alignment == sizeof(BlockHeader) ? size_class : Header::kClasses;
      return reinterpret_cast<void*>(begin_ + start);
    }
  }
}

void SharedRegion::deallocate(void* p) {
  auto* block = reinterpret_cast<BlockHeader*>(static_cast<std::byte*>(p) - sizeof(BlockHeader));
  const std::size_t size_class = block->size_class;
  if (size_class >= Header::kClasses) return;  // over-aligned: kept until the region goes
  Header& h = *header();
  while (h.lock.exchange(1, std::memory_order_acquire) != 0) sched_yield();
  block->next_free = h.free[size_class];
  h.free[size_class] = reinterpret_cast<std::uintptr_t>(block) - begin_;
  h.lock.store(0, std::memory_order_release);
}

std::size_t SharedRegion::used() const { return header()->next.load(std::memory_order_relaxed); }

SharedRegion* SharedRegion::active() { return t_active; }

SharedRegion* SharedRegion::holding(const void* p) {
  if (g_live.load(std::memory_order_relaxed) == 0) return nullptr;
  for (const auto& slot : g_regions) {
    const SharedRegion* region = slot.load(std::memory_order_relaxed);
    if (region != nullptr && region->contains(p)) return const_cast<SharedRegion*>(region);
  }
  return nullptr;
}

SharedRegion::Scope::Scope(SharedRegion& region) : outer_(t_active) { t_active = &region; }
SharedRegion::Scope::~Scope() { t_active = outer_; }

}  // namespace refbench::workloads

// The replaceable allocation functions: the region while a Scope is active, else malloc.
namespace {

using refbench::workloads::SharedRegion;

void* allocate(std::size_t n, std::size_t alignment) {
  if (SharedRegion* region = SharedRegion::active()) return region->allocate(n, alignment);
  if (n == 0) n = 1;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(n)
                : std::aligned_alloc(alignment, (n + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void release(void* p) noexcept {
  if (p == nullptr) return;
  if (SharedRegion* region = SharedRegion::holding(p)) return region->deallocate(p);
  std::free(p);
}

constexpr std::size_t kDefault = alignof(std::max_align_t);

}  // namespace

void* operator new(std::size_t n) { return allocate(n, kDefault); }
void* operator new[](std::size_t n) { return allocate(n, kDefault); }
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n, kDefault);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n, kDefault);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return allocate(n, static_cast<std::size_t>(a));
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return allocate(n, static_cast<std::size_t>(a));
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
