// One interpreter thread's side of a hand-off, for a strategy S: what it does per message
// sent and per message received, inside its own interpreter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "workloads/counting.h"
#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/ledger.h"
#include "workloads/point.h"
#include "workloads/strategies.h"
#include "workloads/watchdog.h"

namespace refbench::workloads {

template <class S>
class alignas(kCacheLine) Actor {
 public:
  // `ledger`: this thread's row of the ground truth's ledger, or null without --verify.
  Actor(Interpreter& self, const PointConfig& config, Ledger::Row ledger)
      : self_(self),
        local_work_(config.local_work),
        pool_size_(config.objects),
        drain_interval_(drain_options_apply() ? config.drain_interval : 1),
        release_batch_(drain_options_apply() ? pending_calls(config).batch : PendingQueue::kAll),
        probe_owner_(probes_owner(config)),
        ledger_(ledger) {}

  Interpreter& self() { return self_; }
  // Where each message received is counted, for the watchdog: a message has moved when it
  // arrives, and a sender that cannot send is waiting for a receiver anyway.
  void report_progress_to(Progress& progress) { progress_ = &progress; }

  // Until then, a counter nobody reads (shared, so only ever touched atomically).
  static Progress& unwatched() {
    static Progress nobody;
    return nobody;
  }
  Tally& tally() { return tally_; }
  std::uint64_t checksum() const { return checksum_; }
  // Messages this actor has sent (references taken to hand over, one per receiver of a
  // broadcast) and received (used and released), end markers not counted.
  std::uint64_t sent() const { return sent_; }
  std::uint64_t received() const { return received_; }

  // Whether this strategy's interpreters have locks their threads hold while they run.
  static constexpr bool kHoldsLock = S::kTraits.interpreter_lock;

  // Hands `message` to `channel`: at once if it has room, else waiting outside our
  // interpreter, as CPython releases its GIL around a call that blocks. False if the
  // channel was closed (a cancelled point).
  template <class C>
  [[nodiscard]] bool push(C& channel, const Message& message) {
    if (channel.try_push(message)) return true;
    return outside([&] { return channel.push(message); });
  }

  // Takes the next message from `channel`: at once if there is one, else waiting outside
  // our interpreter. False if the channel was closed first.
  template <class C>
  [[nodiscard]] bool pop(C& channel, Message& message) {
    if (channel.try_pop(message)) return true;
    return outside([&] { return channel.pop(message); });
  }

  // Runs `wait` (something that blocks) outside our interpreter: its lock is free for
  // others meanwhile, and taken again before we go on.
  // `wait` returns what the caller gets, a bool, and throws nothing.
  template <class Wait>
  bool outside(Wait wait) {
    Entered* here = kHoldsLock ? Entered::current() : nullptr;
    if (here == nullptr || !here->inside()) return wait();
    here->leave();
    const bool result = wait();
    here->enter();
    return result;
  }

  // Inside our interpreter: take the reference the next pooled object's message carries.
  Message send_next() {
    Object& object = self_.heap().pooled(cursor_);
    if (++cursor_ == pool_size_) cursor_ = 0;
    Message message = S::send(self_, object, tally_);
    if (ledger_) Ledger::taken(ledger_, object);
    ++sent_;
    churn_own_objects();
    safe_point();
    return message;
  }

  // Inside our interpreter: take one reference to the next pooled object per message in
  // `messages`, as a broadcast does (fanout): one entry, then one count taken per receiver,
  // each its own hand-off (and its own local work, as for any message sent).
  void send_to_each(std::span<Message> messages) {
    Object& object = self_.heap().pooled(cursor_);
    if (++cursor_ == pool_size_) cursor_ = 0;
    for (Message& message : messages) {
      message = S::send(self_, object, tally_);
      if (ledger_) Ledger::taken(ledger_, object);
      ++sent_;
      churn_own_objects();
    }
    safe_point();  // one safe point per broadcast
  }

  // Inside our interpreter: use the object (read all of its payload) and let it go.
  void receive(const Message& message) {
    typename S::Held held = S::receive(self_, message, tally_);
    // The use-after-free detector reads the object's header, a line the sender writes:
    // only where a free can happen early (racy) or the ground truth is kept, so that a
    // strategy's receiver otherwise touches only what the strategy itself touches.
    if (!S::kTraits.correct || ledger_) counting::check_live(held.object(), tally_);
    if constexpr (S::kTraits.views) {
      if (probe_owner_ && held.owner_gone()) ++tally_.reads_after_owner_gone;
    }
    checksum_ += read_all(held.buffer());
    S::release(held, tally_);
    if (ledger_) Ledger::dropped(ledger_, *message.object);
    ++received_;
    churn_own_objects();
    safe_point();
    progress_->step();
  }

 private:
  static constexpr bool drain_options_apply() { return S::kTraits.release_queue; }

  // Whether a receiver checks, before it reads a view's buffer, that the view's sender was
  // not finalised (a load of the sender's finalised flag): where that can happen (views
  // holding only the id, an early teardown), and under --verify, where a strong view shows
  // it never does. Elsewhere the read touches only what the strategy touches.
  static bool probes_owner(const PointConfig& config) {
    if (!S::kTraits.views) return false;
    return config.verify ||
           (config.view_owner == ViewOwner::id && config.teardown == Teardown::early);
  }

  // Between messages, inside our interpreter (CPython's eval breaker): the lock goes to a
  // thread that asked for it, and a strategy with a queue of requests from other threads
  // carries them out. A strategy with neither compiles this away.
  void safe_point() {
    if constexpr (kHoldsLock) {
      if (self_.lock().drop_requested()) hand_over_lock();
    }
    if constexpr (requires { S::at_safe_point(self_, tally_, PendingQueue::kAll); }) {
      if (++since_drain_ < drain_interval_) return;
      since_drain_ = 0;
      S::at_safe_point(self_, tally_, release_batch_);
    }
  }

  // Another thread asked for our interpreter's lock: let go (waiting until it is taken)
  // and take it back. Out of line: the rare path of the safe point.
  [[gnu::noinline]] void hand_over_lock() {
    (void)outside([] { return true; });  // leaving waits until the asker has the lock
  }

  // The rest of the interpreter: increments then decrements on our own objects, counted
  // the way the strategy counts everything.
  void churn_own_objects() {
    for (std::uint32_t i = 0; i < local_work_; ++i) {
      S::local_incref(self_.heap().local(i % Heap::kLocalObjects));
    }
    for (std::uint32_t i = 0; i < local_work_; ++i) {
      S::local_decref(self_.heap().local(i % Heap::kLocalObjects), tally_);
    }
  }

  static std::uint64_t read_all(std::span<const std::byte> buffer) {
    std::uint64_t sum = 0;
    std::size_t i = 0;
    for (; i + sizeof(std::uint64_t) <= buffer.size(); i += sizeof(std::uint64_t)) {
      std::uint64_t word;
      std::memcpy(&word, buffer.data() + i, sizeof word);
      sum += word;
    }
    for (; i < buffer.size(); ++i) sum += static_cast<std::uint64_t>(buffer[i]);
    return sum;
  }

  Interpreter& self_;
  const std::uint32_t local_work_;
  const std::uint32_t pool_size_;
  const std::uint32_t drain_interval_;
  const std::size_t release_batch_;
  const bool probe_owner_;
  std::uint32_t since_drain_ = 0;
  const Ledger::Row ledger_;
  Progress* progress_ = &unwatched();
  std::uint32_t cursor_ = 0;
  Tally tally_;
  std::uint64_t checksum_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t received_ = 0;
};

}  // namespace refbench::workloads
