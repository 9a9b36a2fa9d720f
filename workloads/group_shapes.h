// Workload shapes on N interpreters that pass objects along fixed links: a pipeline (a
// chain) and a fanout (one interpreter broadcasting to all the others). Shuffle, all to
// all, is in shuffle.h.
//
// As in shapes.h, C is the channel type and play(i, actor, limit, round_trips) runs
// interpreter i's part of one phase, returning the hand-offs it counted: here every message
// an interpreter receives. The first interpreter decides when the phase ends: once it
// reaches `limit` it sends an end marker, which every stage passes on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "workloads/actor.h"
#include "workloads/channel.h"
#include "workloads/phase.h"
#include "workloads/point.h"
#include "workloads/shapes.h"

namespace refbench::workloads {

// One channel per link of the point's workload (links()): from `from` to `to`.
template <class C>
class LinkChannels {
 public:
  explicit LinkChannels(const PointConfig& config)
      : interpreters_(config.interpreters),
        channels_(std::size_t{config.interpreters} * config.interpreters) {
    for (const auto& [from, to] : links(config.workload, interpreters_)) {
      channels_[index(from, to)] = std::make_unique<C>(config.channel_capacity, config.wait);
    }
  }
  C& between(unsigned from, unsigned to) { return *channels_[index(from, to)]; }
  void close_all() {
    for (auto& channel : channels_) {
      if (channel) channel->close();
    }
  }

 private:
  std::size_t index(unsigned from, unsigned to) const {
    return std::size_t{from} * interpreters_ + to;
  }
  const unsigned interpreters_;
  std::vector<std::unique_ptr<C>> channels_;  // null where there is no link
};

// A chain: interpreter 0 sends its own objects to 1; each middle stage receives from the
// one before, uses and releases what it got, and passes one of its own objects on, as
// subinterpreter pipeline stages pass on their own results; the last only receives.
template <class S, class C = Channel<Message>>
class PipelineShape {
 public:
  explicit PipelineShape(const PointConfig& config)
      : channels_(config), last_(config.interpreters - 1) {}

  void cancel() { channels_.close_all(); }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit, std::vector<std::uint64_t>*) {
    if (i == 0) {
      send_until_limit(channels_.between(0, 1), actor, limit);
      return 0;  // the next stage counts the hand-offs
    }
    C& in = channels_.between(i - 1, i);
    if (i == last_) return receive_until_end(in, actor);
    return relay(in, channels_.between(i, i + 1), actor);
  }

 private:
  // One of our own objects out per object in; the end marker goes on down the chain.
  static std::uint64_t relay(C& in, C& out, Actor<S>& actor) {
    std::uint64_t received = 0;
    for (Message message; actor.pop(in, message);) {
      if (message.object == nullptr) {
        send_end(out, actor);
        break;
      }
      actor.receive(message);
      ++received;
      if (!actor.push(out, actor.send_next())) break;
    }
    return received;
  }

  LinkChannels<C> channels_;
  const unsigned last_;
};

// Interpreter 0 broadcasts each of its objects to the N-1 others: per broadcast it takes
// N-1 references to the same object, one per receiver, so that one count is hot on every
// core at once. Each receiver uses and releases its reference.
template <class S, class C = Channel<Message>>
class FanoutShape {
 public:
  explicit FanoutShape(const PointConfig& config)
      : channels_(config), copies_(config.interpreters - 1) {}

  void cancel() { channels_.close_all(); }

  std::uint64_t play(unsigned i, Actor<S>& actor, PhaseLimit limit, std::vector<std::uint64_t>*) {
    if (i != 0) return receive_until_end(channels_.between(0, i), actor);
    broadcast(actor, limit);
    return 0;  // the receivers count the hand-offs
  }

 private:
  // Every reference of a broadcast is taken before the first is sent: the receivers then
  // release one object's count from every core at once.
  void broadcast(Actor<S>& actor, PhaseLimit limit) {
    for (std::uint64_t sent = 0; !limit.reached(sent); ++sent) {
      actor.send_to_each(copies_);
      for (unsigned k = 0; k < copies_.size(); ++k) {
        if (!actor.push(channels_.between(0, k + 1), copies_[k])) return;
      }
    }
    for (unsigned k = 0; k < copies_.size(); ++k) send_end(channels_.between(0, k + 1), actor);
  }

  LinkChannels<C> channels_;
  std::vector<Message> copies_;  // one per receiver; only interpreter 0 touches it
};

}  // namespace refbench::workloads
