// Where a thread sleeps under --wait block when it waits for other threads to move
// something: a channel end (channel.h) or a shuffle interpreter waiting on all its peers
// (shuffle.h). One sleeper, any number of wakers.
#pragma once

#include <atomic>
#include <cstdint>

#include "workloads/hardware.h"
#include "workloads/invariant.h"
#include "workloads/process_shared.h"

namespace refbench::workloads {

// The protocol, between a sleeper waiting for a condition and a waker that makes it true:
//
//   sleeper (park)                          waker (after changing the condition)
//   1. seen = wakeups                       a. store the change          seq_cst
//   2. parked = 1               seq_cst     b. if parked: wake()         seq_cst load
//   3. if !ready(): wait while wakeups == seen     wake(): ++wakeups, notify
//   4. parked = 0
//
// ready() re-checks the condition with seq_cst loads of what wakers store in (a). Steps 2-3
// against (a)-(b) are Dekker's: in the one total order of seq_cst operations either the
// sleeper's re-check comes after the waker's store, and it sees the change and does not
// sleep, or the waker's load of `parked` comes after the sleeper's store, and it wakes the
// sleeper. A wake that lands between the re-check and the futex wait is not lost: the wait
// returns at once, since `wakeups` no longer holds `seen` (read in 1, before the re-check).
//
// wake() alone, without the check of `parked`, serves what is rare and must never be missed
// (a closed channel, a cancelled point): the waker stores its flag, then wakes
// unconditionally, and the sleeper's re-check may read the flag relaxed (see step 1).
class alignas(kCacheLine) Parker {
 public:
  // Waker, step (b): after its seq_cst store of the change, wakes the sleeper if it is
  // parked or about to be. seq_cst: the load half of the waker's side of the Dekker pair.
  void wake_if_parked() {
    if (parked_.load(std::memory_order_seq_cst) != 0) wake();
  }

  // Wakes the sleeper whether it is parked or not; a thread not yet parked returns at once
  // from its next wait instead.
  void wake() {
    // seq_cst, of which release is what matters: a sleeper whose step 1 reads this count (or
    // a later one) sees every store the waker made before it, a closing flag included, so
    // that flag may be read relaxed. On x86 both are the same locked add.
    wakeups_.fetch_add(1, std::memory_order_seq_cst);
    if (shared_) {
      shared_futex_wake(wakeups_, 1);  // a sleeper in another process (--isolation process)
    } else {
      wakeups_.notify_one();  // one sleeper per parker
    }
  }

  // Sleeper (one thread per parker): sleeps until woken, unless `ready()` (the re-check:
  // the condition, and whatever ends the wait, such as a close) is already true. May
  // return without the condition holding (a stale wake): the caller re-tries, and parks
  // again if it must.
  template <class Ready>
  void park(Ready&& ready) {
    // Step 1. seq_cst, of which acquire is what matters: reading a wake()'s count makes what
    // that waker stored before it (a close) visible to the re-check below.
    const std::uint32_t seen = wakeups_.load(std::memory_order_seq_cst);
    // Only the sleeper writes `parked`, so it reads its own last store: relaxed.
    REFBENCH_ASSERT(parked_.load(std::memory_order_relaxed) == 0, "a parker has one sleeper");
    // Step 2. seq_cst: the store half of the sleeper's side of the Dekker pair.
    parked_.store(1, std::memory_order_seq_cst);
    // Step 3. The wait's loads seq_cst, of which acquire is what matters: as in step 1, for a
    // wake that lands after the re-check.
    if (!ready()) {
      if (shared_) {
        shared_futex_wait(wakeups_, seen);
      } else {
        wakeups_.wait(seen, std::memory_order_seq_cst);
      }
    }
    // Step 4. Relaxed: `parked` only tells wakers whether to wake. A waker that still reads
    // the 1 makes one wake too many (a count and a futex call nobody waits for); the next
    // park's seq_cst store of 1 follows this store, so no waker can read this 0 in place of
    // that 1 (the store it would have to read past happens before it in the total order).
    parked_.store(0, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::uint32_t> parked_{0};   // 1 from step 2 to step 4
  std::atomic<std::uint32_t> wakeups_{0};  // the futex word: changes on every wake()
  // Made in a point's shared region: sleeper and waker may be different processes.
  const bool shared_ = constructing_shared();
};

static_assert(sizeof(Parker) == kCacheLine && alignof(Parker) == kCacheLine,
              "a parker fills one cache line of its own: the wakers' loads of `parked` never "
              "pull in a line the sleeper or anyone else writes for another reason");

}  // namespace refbench::workloads
