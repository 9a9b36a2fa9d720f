// Workload shapes: who sends to whom, over which channels, in one phase.
//
// C is the channel type: constructible from (capacity, wait policy), with push, pop and
// close as Channel has them (bench/ plugs in Boost's queue to compare).
//
// A shape's play(i, actor, limit, round_trips) runs interpreter i's part of one phase and
// returns the hand-offs it counted. The phase ends when the first interpreter (the one
// that decides) reaches `limit`, sends an end marker, and everyone has seen it.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/actor.h"
#include "workloads/channel.h"
#include "workloads/phase.h"
#include "workloads/point.h"

namespace refbench::workloads {

// One sender (interpreter 0) streams to one receiver (interpreter 1): throughput.
template <class S, class C = Channel<Message>>
class StreamShape {
 public:
  explicit StreamShape(const PointConfig& config)
      : channel_(config.channel_capacity, config.wait) {}

  void cancel() { channel_.close(); }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit, std::vector<std::uint64_t>*) {
    return i == 0 ? send_all(actor, limit) : receive_all(actor);
  }

 private:
  std::uint64_t send_all(Actor<S>& actor, PhaseLimit limit) {
    std::uint64_t sent = 0;
    for (; !limit.reached(sent); ++sent) {
      if (!channel_.push(actor.send_next())) return sent;
    }
    channel_.push(Message{});
    return 0;  // the receiver counts the hand-offs
  }

  std::uint64_t receive_all(Actor<S>& actor) {
    std::uint64_t received = 0;
    Message message;
    while (channel_.pop(message) && message.object != nullptr) {
      actor.receive(message);
      ++received;
    }
    return received;
  }

  C channel_;
};

// Interpreter 0 sends to interpreter 1, which answers with one of its own objects: each
// round trip is two hand-offs, and interpreter 0 times every one.
template <class S, class C = Channel<Message>>
class PingpongShape {
 public:
  explicit PingpongShape(const PointConfig& config)
      : there_(config.channel_capacity, config.wait), back_(config.channel_capacity, config.wait) {}

  void cancel() {
    there_.close();
    back_.close();
  }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit,
                     std::vector<std::uint64_t>* round_trips) {
    return i == 0 ? serve(actor, limit, round_trips) : answer(actor);
  }

 private:
  std::uint64_t serve(Actor<S>& actor, PhaseLimit limit, std::vector<std::uint64_t>* times) {
    std::uint64_t done = 0;
    Message reply;
    for (; !limit.reached(done); ++done) {
      const auto start = Clock::now();
      if (!there_.push(actor.send_next()) || !back_.pop(reply)) return 2 * done;
      actor.receive(reply);
      // The sample ends before it is stored: a growing vector never lands in a sample.
      const auto end = Clock::now();
      if (times) {
        times->push_back(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count()));
      }
    }
    there_.push(Message{});
    return 2 * done;
  }

  std::uint64_t answer(Actor<S>& actor) {
    Message message;
    while (there_.pop(message) && message.object != nullptr) {
      actor.receive(message);
      if (!back_.push(actor.send_next())) break;
    }
    return 0;  // interpreter 0 counts the round trips
  }

  C there_;
  C back_;
};

}  // namespace refbench::workloads
