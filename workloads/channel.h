// A bounded single-producer single-consumer channel between two interpreter threads.
//
// A hand-off moves as few cache lines as it must. Each slot carries a sequence number
// beside its message, on the same cache line: the producer writes the message, then the
// sequence number; the consumer polls the sequence number of the slot it expects next, so
// the line that tells it a message is there is the line that holds the message (as the
// fastest SPSC queues do: Vyukov's bounded queue, rigtorp's MPMCQueue). With a shared tail
// index instead, each hop of a ping-pong moved two lines one after the other (the index,
// then the slot): docs/measurements.md, 2026-11-30.
//
// Room is still told by an index, as in rigtorp's SPSCQueue: the consumer publishes its
// head, and the producer keeps a private copy that it refreshes only when the copy says
// the channel is full, about once per lap. So on the fast path a hop moves the one slot
// line towards the consumer, and each side's cursors stay on its own line. The
// static_asserts below hold the layout to that.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
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

// The producer's line, which only it touches: where it writes next, the sequence number
// that message gets, and its copy of the consumer's head.
struct alignas(kCacheLine) ProducerSide {
  std::uint32_t tail = 0;
  std::uint32_t sequence = 1;  // a slot's 0 means never written: the first message is 1
  std::uint32_t cached_head = 0;
};

// The consumer's line: its head, which the producer reads when its copy says full (about
// once per lap), and the sequence number it expects next, which only it touches.
struct alignas(kCacheLine) ConsumerSide {
  std::atomic<std::uint32_t> head{0};
  std::uint32_t sequence = 1;
};

// What both threads touch besides the slots, line by line.
struct Lines {
  ProducerSide producer;
  ConsumerSide consumer;
  Parker producer_parker;  // where the producer sleeps while full (under `block`)
  Parker consumer_parker;  // where the consumer sleeps while empty
  alignas(kCacheLine) std::atomic<bool> closed{false};
};

// The byte offset of the first byte after member `m` of `Lines`.
#define REFBENCH_END_OF(m) (offsetof(Lines, m) + sizeof(Lines::m))

static_assert(std::is_standard_layout_v<Lines>,
              "the layout promises below are checked with offsetof, which needs standard layout");
static_assert(sizeof(ProducerSide) == kCacheLine && sizeof(ConsumerSide) == kCacheLine,
              "each side's cursors fill one line of their own");
static_assert(offsetof(Lines, consumer) >= REFBENCH_END_OF(producer),
              "the producer's cursors and the consumer's are a cache line apart: the producer "
              "and the consumer never write the same line (no false sharing)");
static_assert(offsetof(Lines, producer_parker) >= REFBENCH_END_OF(consumer) &&
                  offsetof(Lines, consumer_parker) >= REFBENCH_END_OF(producer_parker),
              "each parker has a line of its own, apart from the cursors: a waker's check of "
              "`parked` never moves a cursor's line");
static_assert(offsetof(Lines, closed) >= REFBENCH_END_OF(consumer_parker) &&
                  offsetof(Lines, closed) % kCacheLine == 0,
              "the closed flag, polled by every wait, sits on a line of its own");

#undef REFBENCH_END_OF

// A slot: the message and, beside it, the sequence number that says it is there, so the
// line a consumer polls is the line that holds the message. Its size is a power of two (at
// most a cache line), so no slot straddles two lines: a 24-byte Message makes a 32-byte
// slot, two to a line, which a stream moves half as often as one message per line.
template <class T>
struct SlotFields {
  std::atomic<std::uint32_t> sequence{0};  // a message's sequence number, 0 before any
  T value{};
};
template <class T>
inline constexpr std::size_t kSlotAlignment = std::min(std::bit_ceil(sizeof(SlotFields<T>)),
                                                       kCacheLine);
template <class T>
struct alignas(kSlotAlignment<T>) Slot : SlotFields<T> {};

// The ring is whole cache lines of slots, each line aligned to one: no slot shares a line
// with whatever the allocator put beside the ring.
template <class T>
struct alignas(kCacheLine) SlotLine {
  static constexpr std::size_t kSlots = std::max<std::size_t>(kCacheLine / sizeof(Slot<T>), 1);
  Slot<T> slots[kSlots];
};

}  // namespace channel_layout

template <class T>
class Channel {
  static_assert(std::is_trivially_copyable_v<T>,
                "channel slots are copied with plain stores; give it a trivially copyable message");
  using Slot = channel_layout::Slot<T>;
  using SlotLine = channel_layout::SlotLine<T>;
  static_assert(kCacheLine % sizeof(Slot) == 0 || sizeof(Slot) % kCacheLine == 0,
                "no slot straddles two cache lines");

 public:
  // Holds up to `capacity` messages (one slot more is allocated to tell full from empty).
  Channel(std::uint32_t capacity, WaitPolicy policy)
      : slots_count_(checked(capacity) + 1),
        policy_(policy),
        ring_(std::make_unique<SlotLine[]>((slots_count_ + SlotLine::kSlots - 1) /
                                           SlotLine::kSlots)) {}

  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  std::uint32_t capacity() const { return slots_count_ - 1; }

  // Producer only. False if the channel is full: the message was not sent.
  [[nodiscard]] bool try_push(const T& message) {
    auto& self = lines_.producer;
    const std::uint32_t next = advance(self.tail);
    if (next == self.cached_head) {
      // acquire: the consumer finished copying out of the slot we are about to reuse.
      self.cached_head = lines_.consumer.head.load(std::memory_order_acquire);
      if (next == self.cached_head) return false;
    }
    Slot& slot = slot_at(self.tail);
    slot.value = message;
    publish(slot.sequence, self.sequence++, lines_.consumer_parker);
    self.tail = next;
    return true;
  }

  // Consumer only. False if the channel is empty: `message` is untouched.
  [[nodiscard]] bool try_pop(T& message) {
    auto& self = lines_.consumer;
    // Relaxed: only the consumer writes its head.
    const std::uint32_t head = self.head.load(std::memory_order_relaxed);
    Slot& slot = slot_at(head);
    // acquire: the producer wrote the message before it stored this sequence number.
    if (slot.sequence.load(std::memory_order_acquire) != self.sequence) return false;
    message = slot.value;
    ++self.sequence;
    publish(self.head, advance(head), lines_.producer_parker);
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
  // message is there (consumer only) or there is room (producer only). What the other side
  // stores is read seq_cst to pair with publish() (Dekker): the next slot's sequence number,
  // or the consumer's head; our own cursors only we write.
  // Public for shapes that sleep on something else than one channel (shuffle.h).
  bool has_message() const {
    const std::uint32_t head = lines_.consumer.head.load(std::memory_order_relaxed);
    return slot_at(head).sequence.load(std::memory_order_seq_cst) == lines_.consumer.sequence;
  }
  bool has_room() const {
    return advance(lines_.producer.tail) != lines_.consumer.head.load(std::memory_order_seq_cst);
  }

 private:
  static constexpr std::uint32_t kMaxCapacity = 1u << 30;

  static std::uint32_t checked(std::uint32_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity) {
      throw std::invalid_argument("channel capacity must be 1 to 2^30");
    }
    return capacity;
  }

  // kSlots is a power of two: a shift and a mask.
  Slot& slot_at(std::uint32_t index) const {
    return ring_[index / SlotLine::kSlots].slots[index % SlotLine::kSlots];
  }

  std::uint32_t advance(std::uint32_t index) const {
    return index + 1 == slots_count_ ? 0 : index + 1;
  }

  // Stores a slot's sequence number (producer) or the head (consumer), then wakes the
  // other side if it sleeps. Under `block` the store is seq_cst: the store half of the
  // waker's side of the parker's Dekker pair (parker.h), the check of `parked` is the other.
  // Other policies never sleep: release suffices, for the slot written (producer) or read
  // (consumer) before the store.
  //
  // Sequence numbers wrap at 2^32, harmlessly: a slot holds, at most one lap stale, the
  // number the consumer expects minus slots_count_, never equal to it (slots_count_ <=
  // 2^30 + 1 < 2^32), and by the time the expected number wraps to 0 every slot was written.
  void publish(std::atomic<std::uint32_t>& where, std::uint32_t value, Parker& other) {
    if (policy_ != WaitPolicy::block) {
      where.store(value, std::memory_order_release);
      return;
    }
    where.store(value, std::memory_order_seq_cst);
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
  std::unique_ptr<SlotLine[]> ring_;
};

}  // namespace refbench::workloads
