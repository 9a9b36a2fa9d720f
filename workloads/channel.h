// A bounded single-producer single-consumer channel between two interpreter threads.
//
// The layout follows rigtorp's SPSCQueue: each index on its own cache line, and each side
// keeps a private copy of the other side's index so that it reads the shared one only when
// its copy says the channel is full (producer) or empty (consumer). In steady streaming the
// lines then move between cores about once per lap instead of once per message.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "workloads/hardware.h"
#include "workloads/vocabulary.h"
#include "workloads/waiting.h"

namespace refbench::workloads {

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

  // Producer only. False if the channel is full.
  bool try_push(const T& message) {
    const std::uint32_t tail = producer_.index.load(std::memory_order_relaxed);
    const std::uint32_t next = advance(tail);
    if (next == producer_.cached_other) {
      // acquire: the consumer finished copying out of the slot we are about to reuse.
      producer_.cached_other = consumer_.index.load(std::memory_order_acquire);
      if (next == producer_.cached_other) return false;
    }
    slot(tail) = message;
    publish(producer_.index, next, consumer_sleep_);
    return true;
  }

  // Consumer only. False if the channel is empty.
  bool try_pop(T& message) {
    const std::uint32_t head = consumer_.index.load(std::memory_order_relaxed);
    if (head == consumer_.cached_other) {
      // acquire: the producer's write of the slot happened before its index moved.
      consumer_.cached_other = producer_.index.load(std::memory_order_acquire);
      if (head == consumer_.cached_other) return false;
    }
    message = slot(head);
    publish(consumer_.index, advance(head), producer_sleep_);
    return true;
  }

  // Waits by the policy while full. False if the channel was closed first.
  bool push(const T& message) {
    if (try_push(message)) return true;
    return wait_then(
        producer_sleep_, [&] { return try_push(message); }, [&] { return has_room(); });
  }

  // Waits by the policy while empty. False if the channel was closed first.
  bool pop(T& message) {
    if (try_pop(message)) return true;
    return wait_then(
        consumer_sleep_, [&] { return try_pop(message); }, [&] { return has_message(); });
  }

  // Wakes both ends and makes every later wait return false (run cancelled). Messages
  // already in the channel can still be taken with try_pop.
  void close() {
    closed_.store(true, std::memory_order_seq_cst);
    wake(producer_sleep_);
    wake(consumer_sleep_);
  }

  bool closed() const { return closed_.load(std::memory_order_relaxed); }

  // The re-checks of a sleeper, after it announced its sleep (see publish()): whether a
  // message is there (consumer only) or there is room (producer only). The other side's
  // index is read seq_cst to pair with publish() (Dekker); our own index only we write.
  // Public for shapes that sleep on something else than one channel (shuffle.h).
  bool has_message() const {
    return producer_.index.load(std::memory_order_seq_cst) !=
           consumer_.index.load(std::memory_order_relaxed);
  }
  bool has_room() const {
    return advance(producer_.index.load(std::memory_order_relaxed)) !=
           consumer_.index.load(std::memory_order_seq_cst);
  }

 private:
  static constexpr std::uint32_t kMaxCapacity = 1u << 30;

  // One side's index and its private copy of the other side's.
  struct alignas(kCacheLine) Side {
    std::atomic<std::uint32_t> index{0};
    alignas(kCacheLine) std::uint32_t cached_other = 0;
  };

  // How one side sleeps under `block`: a flag saying it is asleep and a word it sleeps on.
  struct alignas(kCacheLine) Sleeper {
    std::atomic<std::uint32_t> asleep{0};
    std::atomic<std::uint32_t> wakeups{0};
  };

  // Padding slots keep the hot slots off the cache lines of whatever the allocator put
  // next to the array.
  struct Slot {
    T value;
  };
  static constexpr std::size_t kPaddingSlots = (kCacheLine - 1) / sizeof(Slot) + 1;

  T& slot(std::uint32_t index) { return storage_[index + kPaddingSlots].value; }

  std::uint32_t advance(std::uint32_t index) const {
    return index + 1 == slots_count_ ? 0 : index + 1;
  }

  // Moves an index forward, then wakes the other side if it sleeps. Under `block` the store
  // and the check of `asleep` are seq_cst, as are the sleeper's store of `asleep` and its
  // re-check of the index (Dekker): either the sleeper sees the new index and does not
  // sleep, or we see it asleep and wake it. Other policies never sleep: release suffices.
  void publish(std::atomic<std::uint32_t>& index, std::uint32_t value, Sleeper& other) {
    if (policy_ != WaitPolicy::block) {
      index.store(value, std::memory_order_release);
      return;
    }
    index.store(value, std::memory_order_seq_cst);
    if (other.asleep.load(std::memory_order_seq_cst) != 0) wake(other);
  }

  static void wake(Sleeper& sleeper) {
    sleeper.wakeups.fetch_add(1, std::memory_order_seq_cst);
    sleeper.wakeups.notify_one();
  }

  template <class TryOnce, class Ready>
  bool wait_then(Sleeper& self, TryOnce try_once, Ready ready) {
    Backoff backoff(policy_);
    for (;;) {
      if (closed()) return false;
      if (backoff.pause()) sleep(self, ready);
      if (try_once()) return true;
    }
  }

  // Announces sleep, re-checks, then sleeps until woken. Reading `wakeups` before the
  // re-check means a wake that lands between the re-check and the sleep is not lost:
  // the futex wait returns at once because the word changed.
  template <class Ready>
  void sleep(Sleeper& self, Ready& ready) {
    const std::uint32_t seen = self.wakeups.load(std::memory_order_seq_cst);
    self.asleep.store(1, std::memory_order_seq_cst);
    if (!closed() && !ready()) self.wakeups.wait(seen, std::memory_order_seq_cst);
    self.asleep.store(0, std::memory_order_relaxed);
  }

  Side producer_;
  Side consumer_;
  Sleeper producer_sleep_;
  Sleeper consumer_sleep_;
  alignas(kCacheLine) std::atomic<bool> closed_{false};
  const std::uint32_t slots_count_;
  const WaitPolicy policy_;
  std::unique_ptr<Slot[]> storage_;
};

}  // namespace refbench::workloads
