// The strategies as compile-time policies: what a sender does to hand a reference over,
// what a receiver holds, and how it lets go. MISSION.md's table says why each exists.
//
// Every strategy provides:
//   kStrategy, kSharedLock        its name, and whether all interpreters share one lock
//   local_incref/local_decref     counting on the interpreter's own objects
//   send(self, object, actor)     inside the sender: take the reference the message carries
//   receive(self, message, actor) inside the receiver: what it holds (Reference or View)
//   release(held, actor)          inside the receiver: let go of what it held
//   drop_heap_reference(o, actor) at finalisation: the heap lets go of its own reference
#pragma once

#include <cstddef>
#include <span>

#include "workloads/counting.h"
#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/object.h"
#include "workloads/view.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {

// What a channel carries: the object and the interpreter that sent it. A null object ends
// a phase.
struct Message {
  Object* object = nullptr;
  Interpreter* sender = nullptr;
};

// A plain counted reference, as every strategy but `civ` hands over.
class Reference {
 public:
  explicit Reference(Object& object) : object_(&object) {}
  Object& object() const { return *object_; }
  std::span<const std::byte> buffer() const { return {object_->payload, object_->payload_bytes}; }

 private:
  Object* object_;
};

// Strategies that hand over an ordinary counted reference: the sender increments, the
// receiver decrements, each with `Count`, each under its own interpreter's lock.
template <Strategy S, class Count, bool SharedLock>
struct CountedStrategy {
  static constexpr Strategy kStrategy = S;
  static constexpr bool kSharedLock = SharedLock;
  using Held = Reference;

  static void local_incref(Object& o) { Count::incref(o); }
  static void local_decref(Object& o, Tally& actor) { Count::decref(o, actor); }

  static Message send(Interpreter& self, Object& o, Tally& actor) {
    counting::check_live(o, actor);
    Count::incref(o);
    return {&o, &self};
  }
  static Held receive(Interpreter&, const Message& m, Tally&) { return Reference(*m.object); }
  static void release(Held& held, Tally& actor) { Count::decref(held.object(), actor); }
  static void drop_heap_reference(Object& o, Tally& actor) { Count::decref(o, actor); }
};

// One process-wide lock; plain counts under it (CPython before 3.12).
using GilStrategy = CountedStrategy<Strategy::gil, counting::Plain, true>;
// Per-interpreter locks, plain counts from both sides: loses updates.
using RacyStrategy = CountedStrategy<Strategy::racy, counting::Racy, false>;
// The same under --verify, with every lost update seen by the store that causes it.
using RacyWitnessedStrategy = CountedStrategy<Strategy::racy, counting::RacyWitnessed, false>;
// Per-interpreter locks, every count a lock-prefixed RMW (free-threaded style): a runtime
// cannot tell which objects will cross, so its own objects pay too.
using AtomicStrategy = CountedStrategy<Strategy::atomic, counting::Atomic, false>;

// The seed's cross-interpreter view: counts stay plain and are only ever changed under the
// owner's lock; the receiver's close goes back into the sender to release.
struct CivStrategy {
  static constexpr Strategy kStrategy = Strategy::civ;
  static constexpr bool kSharedLock = false;
  using Held = View;

  static void local_incref(Object& o) { counting::Plain::incref(o); }
  static void local_decref(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }

  // Seed step 2, in the sender: a reference to the object, an export of its buffer, and a
  // reference to the sending interpreter itself.
  static Message send(Interpreter& self, Object& o, Tally& actor) {
    counting::check_live(o, actor);
    counting::Plain::incref(o);
    ++o.exports;
    keep_in_memory(o.exports);
    self.incref();
    self.view_opened();
    return {&o, &self};
  }
  static Held receive(Interpreter&, const Message& m, Tally& actor) {
    return View(*m.object, *m.sender, actor);
  }
  static void release(Held& view, Tally&) { view.close(); }
  static void drop_heap_reference(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }
};

// Immortal objects (PEP 683): never counted, freed when the runtime finalises. The floor:
// what the channel and the interpreter locks cost on their own.
struct ImmortalStrategy {
  static constexpr Strategy kStrategy = Strategy::immortal;
  static constexpr bool kSharedLock = false;
  using Held = Reference;

  static void local_incref(Object& o) { counting::Plain::incref(o); }
  static void local_decref(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }

  static Message send(Interpreter& self, Object& o, Tally& actor) {
    counting::check_live(o, actor);
    return {&o, &self};
  }
  static Held receive(Interpreter&, const Message& m, Tally&) { return Reference(*m.object); }
  static void release(Held&, Tally&) {}
  // Immortal objects belong to the runtime, not to the interpreter that made them: they
  // outlive its finalisation (a receiver may still use one) and the runtime frees them at
  // its own end (Runtime::audit_and_tear_down).
  static void drop_heap_reference(Object&, Tally&) {}
};

}  // namespace refbench::workloads
