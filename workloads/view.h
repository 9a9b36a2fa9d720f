// The cross-interpreter view (CIV) of the seed: what a `civ` receiver holds.
#pragma once

#include <cstddef>
#include <span>

#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/object.h"

namespace refbench::workloads {

// Holds a reference to an object, a buffer export of its payload, and a reference to the
// interpreter that sent it (seed step 2: the sender took all three). The receiver reads the
// payload and closes the view, which releases them in the sender's interpreter (steps 4-6).
// A view destroyed while open is closed by its destructor and counted as a resource
// warning, like a memoryview collected without release().
class View {
 public:
  // Adopts the references the sender took for this message. `holder` is the receiving
  // thread's tally, charged with any resource warning.
  View(Object& object, Interpreter& sender, Tally& holder)
      : object_(&object), sender_(&sender), holder_(&holder) {}
  View(View&& other) noexcept
      : object_(other.object_), sender_(other.sender_), holder_(other.holder_) {
    other.object_ = nullptr;
  }
  View& operator=(View&&) = delete;
  View(const View&) = delete;
  View& operator=(const View&) = delete;
  ~View();

  bool is_open() const { return object_ != nullptr; }
  Object& object() const { return *object_; }
  std::span<const std::byte> buffer() const { return {object_->payload, object_->payload_bytes}; }

  // The seed's close, literally: leave the interpreter this thread is in (if any), enter
  // the sender's, release the buffer and the object reference with plain decrements,
  // leave, re-enter the first interpreter, and only then drop the reference to the sender.
  // No two interpreter locks are ever held at once.
  void close();

 private:
  Object* object_;  // null once closed
  Interpreter* sender_;
  Tally* holder_;
};

// What a `civ-deferred` receiver holds: the same three references as a View. Closing it
// posts a release request to the sender's queue instead of entering the sender; the sender
// releases them at its own safe points. If the sender's queue is full the request is
// dropped and counted (CPython's behaviour: a leak). If the sender's thread no longer takes
// requests (it finished or tore itself down), the holder closes it as a View closes: the
// view holds the sender alive, where CPython's holds only its id and leaks.
class DeferredView {
 public:
  DeferredView(Object& object, Interpreter& sender, Tally& holder)
      : object_(&object), sender_(&sender), holder_(&holder) {}
  DeferredView(DeferredView&& other) noexcept
      : object_(other.object_), sender_(other.sender_), holder_(other.holder_) {
    other.object_ = nullptr;
  }
  DeferredView& operator=(DeferredView&&) = delete;
  DeferredView(const DeferredView&) = delete;
  DeferredView& operator=(const DeferredView&) = delete;
  ~DeferredView();

  bool is_open() const { return object_ != nullptr; }
  Object& object() const { return *object_; }
  std::span<const std::byte> buffer() const { return {object_->payload, object_->payload_bytes}; }

  void close();

 private:
  Object* object_;  // null once closed
  Interpreter* sender_;
  Tally* holder_;
};

}  // namespace refbench::workloads
