// Shuffle: all to all. Each interpreter sends its own objects to every other, round robin
// over its peers, and receives from all of them; each counts the messages it received.
//
// No thread ever waits on one channel. Each alternates trying to push its next message with
// draining its incoming channels, and waits by the point's policy only when nothing moved at
// all. So no channel capacity can deadlock it: a thread that cannot push has a full channel
// to a peer that has not yet seen its end marker, and that peer drains the channel as soon
// as it runs. An interpreter's part of a phase ends once it has sent an end marker to every
// peer (after its last message) and seen one from every peer; channels are FIFO, so by then
// every message to it has arrived and every channel is empty for the next phase.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "workloads/actor.h"
#include "workloads/channel.h"
#include "workloads/group_shapes.h"
#include "workloads/parker.h"
#include "workloads/phase.h"
#include "workloads/point.h"
#include "workloads/waiting.h"

namespace refbench::workloads {

template <class S, class C = Channel<Message>>
class ShuffleShape {
 public:
  explicit ShuffleShape(const PointConfig& config)
      : interpreters_(config.interpreters),
        wait_(config.wait),
        channels_(config),
        parkers_(config.interpreters) {}

  // Every thread's next check sees it; a sleeping thread is woken to see it.
  void cancel() {
    // seq_cst, though what publishes the flag to a sleeper is the wake() below, ordered after
    // this store: a sleeper that reads its parker's count (Parker::park, step 1) then sees it.
    cancelled_.store(true, std::memory_order_seq_cst);
    channels_.close_all();
    for (Parker& parker : parkers_) parker.wake();
  }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit, std::vector<std::uint64_t>*) {
    return Part(*this, i, actor, limit).run();
  }

 private:
  // Under `block` an idle interpreter sleeps on a parker of its own (parker.h): it cannot
  // sleep on one channel when any of 2(N-1) may wake it. Its re-check is whether any of its
  // channels could move a message (could_move(), seq_cst loads of the other ends' indices); a
  // thread that moved a message to or from it stores the channel's index (seq_cst: publish()
  // under block) and then wakes it if it is parked.
  void moved_for(unsigned other) {
    if (wait_ != WaitPolicy::block) return;  // only `block` sleeps
    parkers_[other].wake_if_parked();
  }

  // Relaxed: a flag to notice, publishing nothing; a sleeper is woken to see it (cancel()).
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  // Interpreter `self`'s part of one phase.
  class Part {
   public:
    Part(ShuffleShape& shape, unsigned self, Actor<S>& actor, PhaseLimit limit)
        : shape_(shape),
          self_(self),
          peers_(shape.interpreters_ - 1),
          actor_(actor),
          limit_(limit),
          ended_(peers_, false) {}

    std::uint64_t run() {
      Backoff backoff(shape_.wait_);
      while (!finished()) {
        if (shape_.cancelled()) break;
        const bool sent = send_some();
        const bool received = receive_some();
        if (sent || received) {
          backoff = Backoff(shape_.wait_);
        } else {
          // Nothing moved: wait outside our interpreter, as a blocked CPython thread does.
          (void)actor_.outside([&] {
            if (backoff.pause()) sleep();
            return true;
          });
        }
      }
      return received_;
    }

   private:
    // Peer k (0 to N-2) of interpreter self: the others in order, starting after self.
    unsigned peer(unsigned k) const { return (self_ + 1 + k) % shape_.interpreters_; }

    bool finished() const { return !has_pending_ && ends_sent_ == peers_ && ends_seen_ == peers_; }

    // Makes the next message to send pending: a message to the next peer in turn, or, once
    // the limit is reached, an end marker to each peer. False when everything is sent.
    bool take_next() {
      if (!limit_reached_ && !limit_.reached(sent_)) {
        pending_ = actor_.send_next();
        target_ = peer(static_cast<unsigned>(sent_ % peers_));
        ++sent_;
      } else if (ends_sent_ < peers_) {
        limit_reached_ = true;
        pending_ = Message{};
        target_ = peer(ends_sent_++);
      } else {
        return false;
      }
      has_pending_ = true;
      return true;
    }

    // Pushes up to a burst of messages, until one does not fit. True if any moved.
    bool send_some() {
      bool moved = false;
      for (unsigned n = 0; n < kBurst; ++n) {
        if (!has_pending_ && !take_next()) break;
        if (!shape_.channels_.between(self_, target_).try_push(pending_)) break;
        has_pending_ = false;
        shape_.moved_for(target_);
        moved = true;
      }
      return moved;
    }

    // Takes up to a burst of messages from each peer that has not ended. True if any moved.
    bool receive_some() {
      bool moved = false;
      for (unsigned k = 0; k < peers_; ++k) {
        if (ended_[k]) continue;
        C& in = shape_.channels_.between(peer(k), self_);
        Message message;
        for (unsigned n = 0; n < kBurst && in.try_pop(message); ++n) {
          shape_.moved_for(peer(k));
          moved = true;
          if (message.object == nullptr) {
            ended_[k] = true;
            ++ends_seen_;
            break;
          }
          actor_.receive(message);
          ++received_;
        }
      }
      return moved;
    }

    // Whether a message could move now: room for the pending one, or one to take.
    bool could_move() const {
      if (has_pending_ && shape_.channels_.between(self_, target_).has_room()) return true;
      for (unsigned k = 0; k < peers_; ++k) {
        if (!ended_[k] && shape_.channels_.between(peer(k), self_).has_message()) return true;
      }
      return false;
    }

    // Under `block`: sleep until a peer moves a message for us or the point is cancelled.
    void sleep() {
      shape_.parkers_[self_].park([&] { return shape_.cancelled() || could_move(); });
    }

    // Messages pushed or taken per visit: enough to keep a fast channel busy, few enough
    // that every peer is visited often.
    static constexpr unsigned kBurst = 32;

    ShuffleShape& shape_;
    const unsigned self_;
    const unsigned peers_;
    Actor<S>& actor_;
    const PhaseLimit limit_;
    bool limit_reached_ = false;
    std::uint64_t sent_ = 0;
    Message pending_;
    bool has_pending_ = false;
    unsigned target_ = 0;
    unsigned ends_sent_ = 0;
    std::vector<bool> ended_;  // by peer: its end marker arrived
    unsigned ends_seen_ = 0;
    std::uint64_t received_ = 0;
  };

  const unsigned interpreters_;
  const WaitPolicy wait_;
  LinkChannels<C> channels_;
  std::vector<Parker> parkers_;  // by interpreter
  std::atomic<bool> cancelled_{false};
};

}  // namespace refbench::workloads
