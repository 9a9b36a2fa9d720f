// A bounded single-producer single-consumer channel between two interpreter threads.
//
// The layout follows rigtorp's SPSCQueue: each index on its own cache line, and each side
// keeps a private copy of the other side's index so that it reads the shared one only when
// its copy says the channel is full (producer) or empty (consumer). In steady streaming the
// lines then move between cores about once per lap instead of once per message. The
// static_asserts below hold the layout to that.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "workloads/hardware.h"
#include "workloads/parker.h"
#include "workloads/vocabulary.h"
#include "workloads/waiting.h"

namespace refbench::workloads {

namespace channel_layout {

// One side's index (the producer's tail or the consumer's head), which the other side reads,
// and its private copy of the other side's index, which only this side touches.
struct alignas(kCacheLine) Side {
  std::atomic<std::uint32_t> index{0};
  alignas(kCacheLine) std::uint32_t cached_other = 0;
};

// What both threads touch, line by line.
struct Lines {
  Side producer;
  Side consumer;
  Parker producer_parker;  // where the producer sleeps while full (under `block`)
  Parker consumer_parker;  // where the consumer sleeps while empty
  alignas(kCacheLine) std::atomic<bool> closed{false};
};

// The byte offset of the first byte after member `m` of `Lines`.
#define REFBENCH_END_OF(m) (offsetof(Lines, m) + sizeof(Lines::m))

static_assert(std::is_standard_layout_v<Side> && std::is_standard_layout_v<Lines>,
              "the layout promises below are checked with offsetof, which needs standard layout");
static_assert(offsetof(Side, cached_other) - offsetof(Side, index) >= kCacheLine,
              "a side's private copy of the other index sits a cache line from its own index: "
              "refreshing the copy never invalidates the line the other side polls");
static_assert(sizeof(Side) % kCacheLine == 0, "a side is whole cache lines");
static_assert(offsetof(Lines, consumer) + offsetof(Side, index) -
                      (offsetof(Lines, producer) + offsetof(Side, cached_other)) >=
                  kCacheLine,
              "the head and tail indices (and the cached copies) are a cache line apart: the "
              "producer and the consumer never write the same line (no false sharing)");
static_assert(offsetof(Lines, producer_parker) >= REFBENCH_END_OF(consumer) &&
                  offsetof(Lines, consumer_parker) >= REFBENCH_END_OF(producer_parker),
              "each parker has a line of its own, apart from the indices: a waker's check of "
              "`parked` never moves an index's line");
static_assert(offsetof(Lines, closed) >= REFBENCH_END_OF(consumer_parker) &&
                  offsetof(Lines, closed) % kCacheLine == 0,
              "the closed flag, polled by every wait, sits on a line of its own");

#undef REFBENCH_END_OF

}  // namespace channel_layout

template <class T>
class Channel {
  static_assert(std::is_trivially_copyable_v<T>,
                "channel slots are copied with plain stores; give it a trivially copyable message");

 public:
  // Holds up to `capacity` messages (one slot more is allocated to tell full from empty).
  Channel(std::uint32_t capacity, WaitPolicy policy)
      : slots_count_(capacity + 1),
        policy_(policy),
        storage_(std::make_unique<Slot[]>(slots_count_ + 2 * kPaddingSlots)) {
    if (capacity == 0 || capacity > kMaxCapacity) {
      throw std::invalid_argument("channel capacity must be 1 to 2^30");
    }
  }

  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  std::uint32_t capacity() const { return slots_count_ - 1; }

  // Producer only. False if the channel is full: the message was not sent.
  [[nodiscard]] bool try_push(const T& message) {
    // Relaxed: only the producer writes its own index.
    const std::uint32_t tail = lines_.producer.index.load(std::memory_order_relaxed);
    const std::uint32_t next = advance(tail);
    if (next == lines_.producer.cached_other) {
      // acquire: the consumer finished copying out of the slot we are about to reuse.
      lines_.producer.cached_other = lines_.consumer.index.load(std::memory_order_acquire);
      if (next == lines_.producer.cached_other) return false;
    }
    slot(tail) = message;
    publish(lines_.producer.index, next, lines_.consumer_parker);
    return true;
  }

  // Consumer only. False if the channel is empty: `message` is untouched.
  [[nodiscard]] bool try_pop(T& message) {
    // Relaxed: only the consumer writes its own index.
    const std::uint32_t head = lines_.consumer.index.load(std::memory_order_relaxed);
    if (head == lines_.consumer.cached_other) {
      // acquire: the producer's write of the slot happened before its index moved.
      lines_.consumer.cached_other = lines_.producer.index.load(std::memory_order_acquire);
      if (head == lines_.consumer.cached_other) return false;
    }
    message = slot(head);
    publish(lines_.consumer.index, advance(head), lines_.producer_parker);
    return true;
  }

  // Waits by the policy while full. False if the channel was closed first: the message was
  // not sent (the point is being cancelled).
  [[nodiscard]] bool push(const T& message) {
    if (try_push(message)) return true;
    return wait_then(
        lines_.producer_parker, [&] { return try_push(message); }, [&] { return has_room(); });
  }

  // Waits by the policy while empty. False if the channel was closed first: nothing was
  // received (the point is being cancelled).
  [[nodiscard]] bool pop(T& message) {
    if (try_pop(message)) return true;
    return wait_then(
        lines_.consumer_parker, [&] { return try_pop(message); }, [&] { return has_message(); });
  }

  // Wakes both ends and makes every later wait return false (run cancelled). Messages
  // already in the channel can still be taken with try_pop.
  void close() {
    // seq_cst, though what publishes the flag to a sleeper is the wake() below: its
    // read-modify-write of the parker's count is ordered after this store, and a sleeper
    // that reads that count (Parker::park, step 1) then sees the flag. A spinning waiter
    // needs no order, only to see the flag soon.
    lines_.closed.store(true, std::memory_order_seq_cst);
    lines_.producer_parker.wake();
    lines_.consumer_parker.wake();
  }

  // Relaxed, correct only because close() wakes both parkers after its store (see close()).
  bool closed() const { return lines_.closed.load(std::memory_order_relaxed); }

  // The re-checks of a sleeper, after it announced its sleep (Parker::park): whether a
  // message is there (consumer only) or there is room (producer only). The other side's
  // index is read seq_cst to pair with publish() (Dekker); our own index only we write.
  // Public for shapes that sleep on something else than one channel (shuffle.h).
  bool has_message() const {
    return lines_.producer.index.load(std::memory_order_seq_cst) !=
           lines_.consumer.index.load(std::memory_order_relaxed);
  }
  bool has_room() const {
    return advance(lines_.producer.index.load(std::memory_order_relaxed)) !=
           lines_.consumer.index.load(std::memory_order_seq_cst);
  }

 private:
  static constexpr std::uint32_t kMaxCapacity = 1u << 30;

  // Padding slots keep the hot slots off the cache lines of whatever the allocator put
  // next to the array.
  struct Slot {
    T value;
  };
  static constexpr std::size_t kPaddingSlots = (kCacheLine - 1) / sizeof(Slot) + 1;
  static_assert(kPaddingSlots * sizeof(Slot) >= kCacheLine,
                "the padding at each end of the ring covers a whole cache line");

  T& slot(std::uint32_t index) { return storage_[index + kPaddingSlots].value; }

  std::uint32_t advance(std::uint32_t index) const {
    return index + 1 == slots_count_ ? 0 : index + 1;
  }

  // Moves an index forward, then wakes the other side if it sleeps. Under `block` the store
  // is seq_cst: the store half of the waker's side of the parker's Dekker pair (parker.h),
  // the check of `parked` is the other. Other policies never sleep: release suffices, for
  // the slot written (producer) or read (consumer) before the index moves.
  void publish(std::atomic<std::uint32_t>& index, std::uint32_t value, Parker& other) {
    if (policy_ != WaitPolicy::block) {
      index.store(value, std::memory_order_release);
      return;
    }
    index.store(value, std::memory_order_seq_cst);
    other.wake_if_parked();
  }

  template <class TryOnce, class Ready>
  bool wait_then(Parker& self, TryOnce try_once, Ready ready) {
    Backoff backoff(policy_);
    for (;;) {
      if (closed()) return false;
      if (backoff.pause()) self.park([&] { return closed() || ready(); });
      if (try_once()) return true;
    }
  }

  channel_layout::Lines lines_;
  const std::uint32_t slots_count_;
  const WaitPolicy policy_;
  std::unique_ptr<Slot[]> storage_;
};

}  // namespace refbench::workloads
