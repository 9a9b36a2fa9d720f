// Workload shapes: who sends to whom, over which channels, in one phase.
//
// C is the channel type: constructible from (capacity, wait policy), with push, pop,
// try_push, try_pop, close
// and closed as Channel has them (bench/ plugs in Boost's queue to compare).
//
// A shape's play(i, actor, limit, round_trips) runs interpreter i's part of one phase and
// returns the hand-offs it counted; a shape that times round trips adds each one's stamp()
// ticks to `round_trips` (when not null). In each pair the sender decides: when it reaches
// `limit` it sends an end marker, and the phase is over once every pair has seen its own.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/actor.h"
#include "workloads/channel.h"
#include "workloads/invariant.h"
#include "workloads/phase.h"
#include "workloads/point.h"

namespace refbench::workloads {

// Channels for independent pairs of interpreters: pair k is interpreters 2k (sender)
// and 2k+1 (receiver); `per_pair` channels each.
template <class C>
class PairChannels {
 public:
  PairChannels(const PointConfig& config, unsigned per_pair) : per_pair_(per_pair) {
    for (unsigned i = 0; i < config.interpreters / 2 * per_pair; ++i) {
      channels_.push_back(std::make_unique<C>(config.channel_capacity, config.wait));
    }
  }
  C& of(unsigned interpreter, unsigned which = 0) {
    return *channels_[interpreter / 2 * per_pair_ + which];
  }
  void close_all() {
    for (auto& channel : channels_) channel->close();
  }

 private:
  const unsigned per_pair_;
  std::vector<std::unique_ptr<C>> channels_;
};

// Sends the end marker of a phase down `channel`. A push fails only on a closed channel,
// and a channel is closed only when the point is cancelled (a thread failed, or the watchdog
// gave up): the receiver's pop then returns false without the marker, and what the marker
// would have ended ends anyway. So a failed push here needs nothing more.
template <class S, class C>
void send_end(C& channel, Actor<S>& actor) {
  const bool sent = actor.push(channel, Message{});
  REFBENCH_ASSERT(sent || channel.closed(), "a push fails only on a closed channel");
}

// Sends the actor's objects until the limit, then the end marker (not if the channel was
// closed: a cancelled point).
template <class S, class C>
void send_until_limit(C& channel, Actor<S>& actor, PhaseLimit limit) {
  for (std::uint64_t sent = 0; !limit.reached(sent); ++sent) {
    if (!actor.push(channel, actor.send_next())) return;
  }
  send_end(channel, actor);
}

// Receives, uses and releases every message until the end marker (or a cancelled wait);
// returns how many it received.
template <class S, class C>
std::uint64_t receive_until_end(C& channel, Actor<S>& actor) {
  std::uint64_t received = 0;
  Message message;
  while (actor.pop(channel, message) && message.object != nullptr) {
    actor.receive(message);
    ++received;
  }
  return received;
}

// In each pair, the sender streams to the receiver: throughput.
template <class S, class C = Channel<Message>>
class StreamShape {
 public:
  explicit StreamShape(const PointConfig& config) : channels_(config, 1) {}

  void cancel() { channels_.close_all(); }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit, std::vector<std::uint64_t>*) {
    C& channel = channels_.of(i);
    if (i % 2 == 0) {
      send_until_limit(channel, actor, limit);
      return 0;  // the receiver counts the hand-offs
    }
    return receive_until_end(channel, actor);
  }

 private:
  PairChannels<C> channels_;
};

// In each pair, the sender sends one of its objects and the receiver answers with one of
// its own: each round trip is two hand-offs, and the sender times every one, in stamp()
// ticks (drive() turns them into nanoseconds once the phase is over).
template <class S, class C = Channel<Message>>
class PingpongShape {
 public:
  explicit PingpongShape(const PointConfig& config) : channels_(config, 2) {}

  void cancel() { channels_.close_all(); }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit,
                     std::vector<std::uint64_t>* round_trips) {
    C& there = channels_.of(i, 0);
    C& back = channels_.of(i, 1);
    return i % 2 == 0 ? serve(there, back, actor, limit, round_trips) : answer(there, back, actor);
  }

 private:
  static std::uint64_t serve(C& there, C& back, Actor<S>& actor, PhaseLimit limit,
                             std::vector<std::uint64_t>* ticks) {
    std::uint64_t done = 0;
    Message reply;
    for (; !limit.reached(done); ++done) {
      const std::uint64_t start = stamp();
      if (!actor.push(there, actor.send_next()) || !actor.pop(back, reply)) return 2 * done;
      actor.receive(reply);
      // The sample ends before it is stored: a growing vector never lands in a sample.
      const std::uint64_t end = stamp();
      if (ticks) ticks->push_back(end - start);
    }
    send_end(there, actor);
    return 2 * done;
  }

  static std::uint64_t answer(C& there, C& back, Actor<S>& actor) {
    Message message;
    while (actor.pop(there, message) && message.object != nullptr) {
      actor.receive(message);
      if (!actor.push(back, actor.send_next())) break;
    }
    return 0;  // the sender counts the round trips
  }

  PairChannels<C> channels_;
};

}  // namespace refbench::workloads
