// The channels of a process-mode point (--isolation process): messages lie in them as
// offsets from the point's shared region, not as pointers.
//
// An interpreter hands a Message (pointers, as CPython's subinterpreters hand each other
// PyObject pointers) to the channel; the channel stores it as a MessageInRegion, each
// reference the distance from where the sending process maps the region, and the receiving
// process adds where it maps it (region_offset.h), as a process of Python's
// multiprocessing finds an object in a shared_memory block. The conversion happens only
// here, at the boundary between processes: thread-mode points use Channel<Message> and
// keep their pointers, so what is measured as threads is exactly what it was, and what a
// point measures as processes includes the offsets it pays.
#pragma once

#include <cstdint>

#include "workloads/channel.h"
#include "workloads/region_offset.h"
#include "workloads/strategies.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {

// A Message as it lies in shared memory: the same 24 bytes, the references as offsets.
struct MessageInRegion {
  RegionOffset<Object> object;
  RegionOffset<Interpreter> sender;
  std::uint32_t payload_bytes = 0;

  static MessageInRegion of(const Message& m) {
    return {RegionOffset<Object>(m.object), RegionOffset<Interpreter>(m.sender), m.payload_bytes};
  }
  Message message() const { return {object.get(), sender.get(), payload_bytes}; }
};
static_assert(sizeof(MessageInRegion) == sizeof(Message),
              "in the region a message keeps its size, so a slot keeps its half cache line");

// Channel<Message>'s interface over a Channel<MessageInRegion>.
class RegionChannel {
 public:
  RegionChannel(std::uint32_t capacity, WaitPolicy policy) : channel_(capacity, policy) {}

  std::uint32_t capacity() const { return channel_.capacity(); }
  [[nodiscard]] bool try_push(const Message& message) {
    return channel_.try_push(MessageInRegion::of(message));
  }
  [[nodiscard]] bool push(const Message& message) {
    return channel_.push(MessageInRegion::of(message));
  }
  [[nodiscard]] bool try_pop(Message& message) {
    MessageInRegion in;
    if (!channel_.try_pop(in)) return false;
    message = in.message();
    return true;
  }
  [[nodiscard]] bool pop(Message& message) {
    MessageInRegion in;
    if (!channel_.pop(in)) return false;
    message = in.message();
    return true;
  }
  void close() { channel_.close(); }
  bool closed() const { return channel_.closed(); }
  bool has_message() const { return channel_.has_message(); }
  bool has_room() const { return channel_.has_room(); }

 private:
  Channel<MessageInRegion> channel_;
};

}  // namespace refbench::workloads
