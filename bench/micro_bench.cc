// refbench_micro: the micro-level costs behind the strategies, with libpfm4 counters as
// Google Benchmark user counters (per iteration, scaled for multiplexing; counters this
// machine cannot count are left out, never shown as zero).
//
//   increment/*      one reference-count increment of each kind, uncontended
//   channel/*        a push and a pop through refbench's channel on one thread: of pointers
//                    (threads), and of offsets from a shared region (processes)
//   civ/*            a view opened and closed: counts only, and with the seed's lock
//                    hand-off (leave, enter the sender, leave, re-enter)
//   contended/*      two threads pinned to --cores incrementing one count
//   overhead/*       the same stream point with counters off and on, side by side
//
//   refbench_micro [--cores=A,B] [--counters=SPEC] [Google Benchmark flags]
#include <barrier>
#include <thread>

#include "bench/bench_support.h"
#include "harness/execute.h"
#include "harness/plan.h"
#include "workloads/channel.h"
#include "workloads/counting.h"
#include "workloads/region_channel.h"
#include "workloads/runtime.h"
#include "workloads/shared_region.h"
#include "workloads/strategies.h"

namespace {

using namespace refbench;
using workloads::Object;

bench::Setup* g_setup = nullptr;

// ---- One increment of each kind.

// On the heap, where objects live: on the stack, recent cores forward a store to the next
// load of the same stack slot at almost no cost (memory renaming), which no real object
// enjoys.
template <class Increment, bool Owned>
void BM_Increment(benchmark::State& state) {
  bench::pin(*g_setup, 0);
  const auto object = std::make_unique<Object>();
  object->owner_thread = Owned ? workloads::counting::this_thread_token() : 0;
  bench::CountedRegion region(g_setup->counters);
  for (auto _ : state) Increment::incref(*object);
  region.report(state);
  benchmark::DoNotOptimize(object->refcount + object->shared_refcount);
}
using workloads::counting::Atomic;
using workloads::counting::Biased;
using workloads::counting::Plain;
BENCHMARK(BM_Increment<Plain, true>)->Name("increment/plain");
BENCHMARK(BM_Increment<Atomic, true>)->Name("increment/atomic");
BENCHMARK(BM_Increment<Biased, true>)->Name("increment/biased_owner");
BENCHMARK(BM_Increment<Biased, false>)->Name("increment/biased_other");

// ---- A channel push and pop on one thread: the instructions, without any transfer.

// The same message in each time and the popped one kept apart, so that no iteration waits
// for the last one's pop: what is timed is the instructions of a push and a pop.
template <class C>
void BM_ChannelPushPop(benchmark::State& state, C& channel, const workloads::Message message) {
  bench::pin(*g_setup, 0);
  workloads::Message popped;
  bench::CountedRegion region(g_setup->counters);
  for (auto _ : state) {
    // Never full or empty here: a failure is a broken channel, not a measurement.
    if (!channel.try_push(message) || !channel.try_pop(popped)) {
      state.SkipWithError("the channel refused a push or a pop it had room for");
      break;
    }
    benchmark::DoNotOptimize(popped);
  }
  region.report(state);
}

// Threads' channels carry pointers.
void BM_ChannelOfPointers(benchmark::State& state) {
  workloads::Channel<workloads::Message> channel(256, workloads::WaitPolicy::spin);
  static std::byte somewhere[256];
  BM_ChannelPushPop(state, channel,
                    {reinterpret_cast<Object*>(somewhere),
                     reinterpret_cast<workloads::Interpreter*>(somewhere + 128), 16});
}
BENCHMARK(BM_ChannelOfPointers)->Name("channel/push_pop");

// A process-mode point's channels carry offsets from the region: the conversion each way,
// in the same binary as the pointers above (a message naming an object in the region).
void BM_ChannelOfOffsets(benchmark::State& state) {
  workloads::SharedRegion shared(16 << 20);
  const workloads::RegionBase::Scope messages_from(shared.base(), shared.size());
  std::unique_ptr<workloads::RegionChannel> channel;
  {
    // Only the channel: the benchmark library's own allocations must outlive the region.
    const workloads::SharedRegion::Scope allocating_in(shared);
    channel = std::make_unique<workloads::RegionChannel>(256, workloads::WaitPolicy::spin);
  }
  auto* in_region = static_cast<std::byte*>(shared.allocate(256, 64));
  BM_ChannelPushPop(state, *channel,
                    {reinterpret_cast<Object*>(in_region),
                     reinterpret_cast<workloads::Interpreter*>(in_region + 128), 16});
}
BENCHMARK(BM_ChannelOfOffsets)->Name("channel/push_pop_offsets");

// ---- A view opened and closed, both interpreters on this thread.

class TwoInterpreters {
 public:
  TwoInterpreters() : runtime_(config(), 2, false, &workloads::CivStrategy::drop_heap_reference) {
    for (unsigned i = 0; i < 2; ++i) runtime_.make_heap(i, [](auto) {});
  }
  workloads::Interpreter& sender() { return runtime_.interpreter(0); }
  workloads::Interpreter& receiver() { return runtime_.interpreter(1); }
  Object& object() { return sender().heap().pooled(0); }
  workloads::Tally tally;

 private:
  static workloads::PointConfig config() {
    workloads::PointConfig c;
    c.objects = 1;
    c.messages = 1;
    return c;
  }
  workloads::Runtime runtime_;
};

// The seed's protocol: open in the sender, close from the receiver by leaving it, entering
// the sender, releasing, leaving, re-entering and dropping the sender reference.
void BM_CivSeedHandOff(benchmark::State& state) {
  bench::pin(*g_setup, 0);
  TwoInterpreters two;
  bench::CountedRegion region(g_setup->counters);
  for (auto _ : state) {
    workloads::Message m;
    {
      workloads::Entered in_sender(two.sender());
      m = workloads::CivStrategy::send(two.sender(), two.object(), two.tally);
    }
    workloads::Entered in_receiver(two.receiver());
    workloads::View view = workloads::CivStrategy::receive(two.receiver(), m, two.tally);
    view.close();
  }
  region.report(state);
}
BENCHMARK(BM_CivSeedHandOff)->Name("civ/open_close_seed_hand_off");

// The same counts without the hand-off: the releases done where the view was opened.
void BM_CivCountsOnly(benchmark::State& state) {
  bench::pin(*g_setup, 0);
  TwoInterpreters two;
  bench::CountedRegion region(g_setup->counters);
  for (auto _ : state) {
    {
      workloads::Entered in_sender(two.sender());
      workloads::CivStrategy::send(two.sender(), two.object(), two.tally);
      --two.object().exports;
      workloads::keep_in_memory(two.object().exports);
      Plain::decref(two.object(), two.tally);
      two.sender().view_closed();
    }
    workloads::Entered in_receiver(two.receiver());
    two.sender().decref(two.tally);
  }
  region.report(state);
}
BENCHMARK(BM_CivCountsOnly)->Name("civ/open_close_counts_only");

// ---- Two pinned threads incrementing one count: the cache line moves on every increment.

void BM_ContendedAtomic(benchmark::State& state) {
  constexpr std::uint64_t kBatch = 200'000;
  // Relaxed increments: the count publishes nothing; the line moving is what is measured.
  alignas(workloads::kCacheLine) std::atomic<std::int64_t> count{0};
  // Relaxed: the barrier after the store orders it before the other thread's load.
  std::atomic<bool> done{false};
  std::barrier start(2), finish(2);
  std::thread other([&] {
    bench::pin(*g_setup, 1);
    for (;;) {
      start.arrive_and_wait();
      if (done.load(std::memory_order_relaxed)) return;
      for (std::uint64_t i = 0; i < kBatch; ++i) count.fetch_add(1, std::memory_order_relaxed);
      finish.arrive_and_wait();
    }
  });
  bench::pin(*g_setup, 0);
  bench::CountedRegion region(g_setup->counters);
  double seconds = 0;
  for (auto _ : state) {
    const auto begin = std::chrono::steady_clock::now();
    start.arrive_and_wait();
    for (std::uint64_t i = 0; i < kBatch; ++i) count.fetch_add(1, std::memory_order_relaxed);
    finish.arrive_and_wait();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - begin;
    state.SetIterationTime(elapsed.count());
    seconds += elapsed.count();
  }
  region.report(state);
  // Both threads' increments over every iteration: a plain figure, not averaged again.
  state.counters["ns_per_increment"] =
      seconds * 1e9 / (2.0 * kBatch * static_cast<double>(state.iterations()));
  done.store(true, std::memory_order_relaxed);
  start.arrive_and_wait();
  other.join();
}
BENCHMARK(BM_ContendedAtomic)->Name("contended/atomic_two_threads")->UseManualTime();

// ---- The same point measured with counters off and on, side by side.

template <bool WithCounters>
void BM_CounterOverhead(benchmark::State& state) {
  harness::PointOptions options;
  options.strategies = {workloads::Strategy::atomic};
  options.workloads = {workloads::Workload::stream};
  options.config.messages = 1'000'000;
  options.repetitions = 1;
  const harness::Plan plan = harness::make_plan(options, g_setup->topology, {g_setup->pus});
  static const harness::CounterSet none = harness::CounterSet::resolve("none");
  const harness::CounterSet& counters = WithCounters ? g_setup->counters : none;
  for (auto _ : state) {
    const auto row = harness::measure(g_setup->topology, options, counters, plan.points.front());
    state.SetIterationTime(row.elapsed_s);
    state.counters["ns_per_msg"] = row.ns_per_msg();
  }
}
BENCHMARK(BM_CounterOverhead<false>)->Name("overhead/counters_off")->UseManualTime()->Iterations(1);
BENCHMARK(BM_CounterOverhead<true>)->Name("overhead/counters_on")->UseManualTime()->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  const auto setup = bench::set_up(argc, args, 7);
  if (!setup) return 2;
  g_setup = setup.get();
  // Made from the flags before Initialize takes them out of args.
  auto display = refbench::bench::display_reporter(args);
  benchmark::Initialize(&argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(argc, args.data())) return 2;
  bench::RatioReporter reporter("ns_per_msg",
                                {{"overhead/counters_on", "overhead/counters_off",
                                  "time per message with counters on / off (target <= 1.02)"}},
                                std::move(display));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
