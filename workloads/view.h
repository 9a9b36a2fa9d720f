// The cross-interpreter view (CIV) of the seed: what a `civ` receiver holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/invariant.h"
#include "workloads/object.h"

namespace refbench::workloads {

// What a view holds: a reference to an object, a buffer export of its payload (its pointer
// and length, as a memoryview's Py_buffer keeps them), and a
// reference to the interpreter that sent it (seed step 2: the sender took all three), until
// it is closed. A view destroyed while open is closed by its destructor and counted as a
// resource warning, like a memoryview collected without release(). `Close` is how the
// kind of view lets go of the three.
//
// With --view-owner id (the sender's ReleasePath::views_hold_owner false) the view holds
// no reference to the sender, only what stands for its id: `sender_` is then used only
// through Interpreter::look_up() and finalised(), which stay safe because interpreter
// objects (and their quarantined heaps) live until the runtime is torn down.
template <class Close>
class HeldView {
 public:
  // Adopts the references the sender took for this message. `holder` is the receiving
  // thread's tally, charged with any resource warning.
  HeldView(Object& object, Interpreter& sender, std::span<const std::byte> buffer, Tally& holder)
      : object_(&object), sender_(&sender), buffer_(buffer), holder_(&holder) {}
  HeldView(HeldView&& other) noexcept
      : object_(other.object_),
        sender_(other.sender_),
        buffer_(other.buffer_),
        holder_(other.holder_) {
    other.object_ = nullptr;
  }
  HeldView& operator=(HeldView&&) = delete;
  HeldView(const HeldView&) = delete;
  HeldView& operator=(const HeldView&) = delete;
  ~HeldView() {
    if (!is_open()) return;
    ++holder_->resource_warnings;
    close();
  }

  bool is_open() const { return object_ != nullptr; }
  Object& object() const { return *object_; }
  // The exported buffer, as the sender described it: reading it touches the payload only.
  std::span<const std::byte> buffer() const { return buffer_; }
  // Whether the sender was finalised while this view is open, which only a view that holds
  // just its id can see: a read of buffer() now reads what CPython would have freed.
  bool owner_gone() const { return sender_->finalised(); }

  // Closes the view: once. (A view destroyed while open is closed by its destructor.)
  void close() {
    REFBENCH_ASSERT(is_open(), "a view is closed once");
    Object& object = *object_;
    object_ = nullptr;
    Close::close(object, *sender_, *holder_);
  }

 private:
  Object* object_;  // null once closed
  Interpreter* sender_;
  std::span<const std::byte> buffer_;
  Tally* holder_;
};

// Inside the sender (its lock held, not finalised): what closing a view releases there,
// the buffer export and the object reference, with plain decrements (seed step 5).
void release_in_sender(Object& object, Interpreter& sender, Tally& holder);

// The seed's close, literally: leave the interpreter this thread is in (if any), enter the
// sender's, release the buffer and the object reference with plain decrements, leave,
// re-enter the first interpreter, and only then drop the reference to the sender. No two
// interpreter locks are ever held at once.
// A view that holds only the sender's id looks it up first (Interpreter::look_up) and
// drops no reference to it; a sender found gone, or finalised by the time the closer got
// in, cannot release: the release is orphaned (counted; the object and buffer leak).
struct CloseInSender {
  static void close(Object& object, Interpreter& sender, Tally& holder);
};

// The parts of a civ-deferred release, as pending calls carry them out (PendingQueue's
// Request::part): the whole release in one call, or, as CPython's main posts it for a
// memoryview, the buffer and object (_release_xid_data) and then the view's hold on the
// interpreter (xibufferview_dealloc) in two.
struct ViewRelease {
  static constexpr std::uint32_t kWhole = 0;
  static constexpr std::uint32_t kBuffer = 1;
  static constexpr std::uint32_t kView = 2;
};

// civ-deferred's close: post a release request to the sender's queue instead of entering
// the sender; the sender releases it at one of its own safe points. If the sender's queue
// is full the request is dropped and counted (CPython's behaviour: a leak). If the sender's
// thread no longer takes requests (it finished or tore itself down), the holder closes as
// a View does. With a view that holds only the sender's id (CPython's), a sender found
// gone, by the lookup or once its queue was finished, orphans the release (a leak).
struct PostToSender {
  static void close(Object& object, Interpreter& sender, Tally& holder);
};

// What a `civ` receiver holds. The receiver reads the payload and closes the view, which
// releases the three references in the sender's interpreter (seed steps 4-6).
using View = HeldView<CloseInSender>;
// What a `civ-deferred` receiver holds.
using DeferredView = HeldView<PostToSender>;

}  // namespace refbench::workloads
