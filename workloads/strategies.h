// The strategies as compile-time policies: what a sender does to hand a reference over,
// what a receiver holds, and how it lets go. MISSION.md's table says why each exists.
//
// Every strategy provides:
//   kStrategy, kTraits            its name, and what it is (vocabulary.h's StrategyTraits)
//   local_incref/local_decref     counting on the interpreter's own objects
//   send(self, object, actor)     inside the sender: take the reference the message carries
//   receive(self, message, actor) inside the receiver: what it holds (Reference or View)
//   release(held, actor)          inside the receiver: let go of what it held
//   drop_heap_reference(o, actor) at finalisation: the heap lets go of its own reference
// and may provide:
//   references(o)                  the object's count, for the ground truth (default: refcount)
//   at_safe_point(self, actor, n)  inside its interpreter, between messages: carry out up to
//                                  n requests other threads posted to it
//   owner_exits(self, actor)       on the interpreter's thread, when it has nothing left to
//                                  do: carry out every request and stop taking more
//   interpreter_ends(self, actor)  after every thread is done, as the runtime ends the
//                                  interpreter: carry out what is still pending
//   kWitnessed                     every lost update is seen by the store that made it
//                                  (racy under ground-truth verification)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "workloads/biased.h"
#include "workloads/counting.h"
#include "workloads/integrity.h"
#include "workloads/interpreter.h"
#include "workloads/invariant.h"
#include "workloads/object.h"
#include "workloads/view.h"
#include "workloads/vocabulary.h"

namespace refbench::workloads {

// What a channel carries: the object, the interpreter that sent it, and the length of the
// buffer the receiver reads, which starts where the object's header ends (every heap lays
// its objects out so: payload_of). As a view or a buffer protocol export holds its pointer
// and length, the receiver finds the payload without reading the sender's header. 24 bytes,
// so that a channel slot (a message and its sequence number) is half a cache line and a
// stream moves two messages per line. A null object ends a phase.
struct Message {
  Object* object = nullptr;
  Interpreter* sender = nullptr;
  std::uint32_t payload_bytes = 0;

  // The message for `o` from `sender`; the sender reads its own header for the buffer.
  static Message of(Object& o, Interpreter& sender) {
    REFBENCH_ASSERT(o.payload == payload_of(o), "a payload starts where its header ends");
    return {&o, &sender, o.payload_bytes};
  }
  std::span<const std::byte> buffer() const { return {payload_of(*object), payload_bytes}; }
};
static_assert(sizeof(Message) == 24, "a message and a channel's sequence number fit in 32 bytes");

// A plain counted reference, as every strategy but `civ` hands over.
class Reference {
 public:
  explicit Reference(const Message& m) : object_(m.object), buffer_(m.buffer()) {}
  Object& object() const { return *object_; }
  std::span<const std::byte> buffer() const { return buffer_; }

 private:
  Object* object_;
  std::span<const std::byte> buffer_;
};

// Strategies that hand over an ordinary counted reference: the sender increments, the
// receiver decrements, each with `Count`, each under its own interpreter's lock.
template <Strategy S, class Count>
struct CountedStrategy {
  static constexpr Strategy kStrategy = S;
  static constexpr StrategyTraits kTraits = traits(S);
  using Held = Reference;

  static void local_incref(Object& o) { Count::incref(o); }
  static void local_decref(Object& o, Tally& actor) { Count::decref(o, actor); }

  static Message send(Interpreter& self, Object& o, Tally& actor) {
    counting::check_live(o, actor);
    Count::incref(o);
    return Message::of(o, self);
  }
  static Held receive(Interpreter&, const Message& m, Tally&) { return Reference(m); }
  static void release(Held& held, Tally& actor) { Count::decref(held.object(), actor); }
  static void drop_heap_reference(Object& o, Tally& actor) { Count::decref(o, actor); }
};

// One process-wide lock; plain counts under it (CPython before 3.12).
using GilStrategy = CountedStrategy<Strategy::gil, counting::Plain>;
// Per-interpreter locks, plain counts from both sides: loses updates.
using RacyStrategy = CountedStrategy<Strategy::racy, counting::Racy>;
// The same under --verify, with every lost update seen by the store that causes it.
struct RacyWitnessedStrategy : CountedStrategy<Strategy::racy, counting::RacyWitnessed> {
  static constexpr bool kWitnessed = true;
};
// racy as a point runs it: with the witness (--verify=witness) or as it runs unverified,
// which --verify leaves alone (the ledger is kept apart from the counts).
template <bool Witness>
using RacyFor = std::conditional_t<Witness, RacyWitnessedStrategy, RacyStrategy>;

// Per-interpreter locks, every count a lock-prefixed RMW (free-threaded style): a runtime
// cannot tell which objects will cross, so its own objects pay too.
using AtomicStrategy = CountedStrategy<Strategy::atomic, counting::Atomic>;

// The seed's cross-interpreter view: counts stay plain and are only ever changed under the
// owner's lock; the receiver's close goes back into the sender to release.
struct CivStrategy {
  static constexpr Strategy kStrategy = Strategy::civ;
  static constexpr StrategyTraits kTraits = traits(kStrategy);
  using Held = View;

  static void local_incref(Object& o) { counting::Plain::incref(o); }
  static void local_decref(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }

  // Seed step 2, in the sender: a reference to the object, an export of its buffer, and a
  // reference to the sending interpreter itself (not with --view-owner id: CPython's view
  // records only the sender's id, and nothing keeps the sender alive for it).
  static Message send(Interpreter& self, Object& o, Tally& actor) {
    counting::check_live(o, actor);
    counting::Plain::incref(o);
    ++o.exports;
    keep_in_memory(o.exports);
    if (self.release_path().views_hold_owner) self.incref();
    self.view_opened();
    return Message::of(o, self);
  }
  static Held receive(Interpreter&, const Message& m, Tally& actor) {
    return View(*m.object, *m.sender, m.buffer(), actor);
  }
  static void release(Held& view, Tally&) { view.close(); }
  static void drop_heap_reference(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }
};

// Takes at most `most` requests under one hold of the queue's mutex, whatever the hint
// says, and carries them out with `act`.
template <class Act>
void carry_out_taken(Interpreter& self, std::size_t most, Act act) {
  static thread_local std::vector<PendingQueue::Request> taken;
  taken.clear();
  self.pending().take(most, taken);
  for (const PendingQueue::Request& r : taken) act(r);
}

// Carries out with `act` at most `most` of the requests this interpreter's queue holds,
// taken under one hold of its mutex; with none waiting, one load and no lock.
template <class Act>
void carry_out_pending(Interpreter& self, std::size_t most, Act act) {
  if (!self.pending().has_pending()) return;
  carry_out_taken(self, most, act);
}

// The same, as CPython's drain of pending calls does it: the mutex taken once per call.
template <class Act>
void carry_out_pending_calls(Interpreter& self, std::size_t most, Act act) {
  if (!self.pending().has_pending()) return;
  PendingQueue::Request r;
  for (std::size_t n = 0; n < most && self.pending().take_one(r); ++n) act(r);
}

// The owner's thread is done: the queue refuses new requests, and every one left is carried
// out with `act`.
template <class Act>
void carry_out_pending_and_close(Interpreter& self, Act act) {
  self.pending().close();
  // Not through the hint: a poster signals after it lets go of the mutex, so a request
  // that got in before close() may not have set it yet. The mutex orders them all.
  carry_out_taken(self, PendingQueue::kAll, act);
}

// Biased counting (PEP 703): the owner's thread counts plainly, others atomically; an object
// a non-owner takes below zero in shared is queued to its owner, which merges it at its next
// safe point (biased.h).
struct BiasedStrategy : CountedStrategy<Strategy::biased, counting::Biased> {
  using Count = counting::Biased;

  static std::int64_t references(const Object& o) { return Count::references(o); }

  static void at_safe_point(Interpreter& self, Tally& actor, std::size_t most) {
    carry_out_pending(self, most, [&](const PendingQueue::Request& r) {
      Count::merge_queued(*r.object(), actor);
    });
  }
  // As CPython does when a thread state is deleted: merge what is queued; objects queued
  // later are merged by the thread that queues them.
  static void owner_exits(Interpreter& self, Tally& actor) {
    carry_out_pending_and_close(
        self, [&](const PendingQueue::Request& r) { Count::merge_queued(*r.object(), actor); });
  }
};

// The seed's view with the close deferred: the receiver posts a release request to the
// sender's queue and goes on, without entering the sender; the sender releases the requests
// in batches, under its own lock, at its own safe points (as CPython releases
// cross-interpreter data through a pending call in the owning interpreter). Counts stay
// plain, changed only under the owner's lock.
struct CivDeferredStrategy {
  static constexpr Strategy kStrategy = Strategy::civ_deferred;
  static constexpr StrategyTraits kTraits = traits(kStrategy);
  using Held = DeferredView;

  static void local_incref(Object& o) { counting::Plain::incref(o); }
  static void local_decref(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }

  // As civ: a reference to the object, an export of its buffer, a reference to the sender.
  static Message send(Interpreter& self, Object& o, Tally& actor) {
    return CivStrategy::send(self, o, actor);
  }
  static Held receive(Interpreter&, const Message& m, Tally& actor) {
    return DeferredView(*m.object, *m.sender, m.buffer(), actor);
  }
  static void release(Held& view, Tally&) { view.close(); }
  static void drop_heap_reference(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }

  static void at_safe_point(Interpreter& self, Tally& actor, std::size_t most) {
    carry_out_pending_calls(self, most,
                            [&](const PendingQueue::Request& r) { release_view(self, r, actor); });
  }
  // The owner's thread is done. As CPython runs it, that is all: a thread that no longer
  // runs code reaches no eval breaker, so what is pending stays, and later releases queue
  // behind it (a full ring drops them) until the interpreter is ended. Off CPython's path
  // (refbench's departure), the thread releases what is pending and stops taking more; a
  // view closed later is closed by its holder, entering this interpreter as civ does.
  static void owner_exits(Interpreter& self, Tally& actor) {
    if (self.release_path().held_until_ended) return;
    carry_out_pending_and_close(
        self, [&](const PendingQueue::Request& r) { release_view(self, r, actor); });
  }
  // The runtime ends the interpreter: as Py_EndInterpreter does first
  // (_Py_FinishPendingCalls), the calls still pending are made.
  static void interpreter_ends(Interpreter& self, Tally& actor) {
    std::vector<PendingQueue::Request> left;
    self.pending().finish(left);
    for (const PendingQueue::Request& r : left) {
      ++actor.calls_at_end;
      release_view(self, r, actor);
    }
  }

  // Inside `self`, the view's owner: what civ's close does in the sender, then the view's
  // reference to the interpreter (a view that holds only the id has none). That may
  // finalise it (after --teardown early), on its own thread.
  // On CPython's main a release comes as two calls (ViewRelease::kBuffer, then kView).
  static void release_view(Interpreter& self, const PendingQueue::Request& r, Tally& actor) {
    ++actor.pending_calls;
    if (r.part != ViewRelease::kView) release_in_sender(*r.object(), self, actor);
    if (r.part != ViewRelease::kBuffer && self.release_path().views_hold_owner) {
      self.decref(actor);
    }
  }
};

// Immortal objects (PEP 683): never counted, freed when the runtime finalises. The floor:
// what the channel and the interpreter locks cost on their own.
struct ImmortalStrategy {
  static constexpr Strategy kStrategy = Strategy::immortal;
  static constexpr StrategyTraits kTraits = traits(kStrategy);
  using Held = Reference;

  static void local_incref(Object& o) { counting::Plain::incref(o); }
  static void local_decref(Object& o, Tally& actor) { counting::Plain::decref(o, actor); }

  static Message send(Interpreter& self, Object& o, Tally& actor) {
    counting::check_live(o, actor);
    return Message::of(o, self);
  }
  static Held receive(Interpreter&, const Message& m, Tally&) { return Reference(m); }
  static void release(Held&, Tally&) {}
  // Immortal objects belong to the runtime, not to the interpreter that made them: they
  // outlive its finalisation (a receiver may still use one) and the runtime frees them at
  // its own end (Runtime::audit_and_tear_down).
  static void drop_heap_reference(Object&, Tally&) {}
};

}  // namespace refbench::workloads
