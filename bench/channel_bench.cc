// Is refbench's channel as cheap as the best SPSC queue we can get? The same two pinned
// threads move the same messages through refbench's Channel and through Boost.Lockfree's
// spsc_queue (runtime and compile-time capacity), twice: bare queues, and the whole
// `immortal` stream workload (interpreter locks, payload reads) with the queue swapped in.
// Repetitions are interleaved at random so drift hits every queue alike; the ratios of the
// medians are printed at the end.
//
//   refbench_channel_bench [--cores=A,B] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "bench/bench_support.h"
#include "harness/placements.h"
#include "pinning/topology.h"
#include "results/statistics.h"
#include "workloads/channel.h"
#include "workloads/drive.h"
#include "workloads/shapes.h"
#include "workloads/strategies.h"

namespace {

using refbench::workloads::Channel;
using refbench::workloads::Message;
using refbench::workloads::WaitPolicy;

constexpr std::uint32_t kCapacity = 256;
constexpr std::uint64_t kMessages = 2'000'000;

// Boost's queue behind Channel's interface: spin-waits with the same pause hint, and
// checks for close on every retry as Channel does. The closed flag is relaxed everywhere:
// waiters only spin, never sleep, so they need only to notice it, and it publishes nothing.
template <class Queue>
class BoostChannel {
 public:
  BoostChannel(std::uint32_t capacity, WaitPolicy) : queue_(capacity) {}
  // False if the channel was closed first: the message was not sent.
  [[nodiscard]] bool push(const Message& m) {
    while (!queue_.push(m)) {
      if (closed()) return false;
      refbench::workloads::cpu_relax();
    }
    return true;
  }
  // False if the channel was closed first: nothing was received.
  [[nodiscard]] bool pop(Message& m) {
    while (!queue_.pop(m)) {
      if (closed()) return false;
      refbench::workloads::cpu_relax();
    }
    return true;
  }
  [[nodiscard]] bool try_push(const Message& m) { return queue_.push(m); }
  [[nodiscard]] bool try_pop(Message& m) { return queue_.pop(m); }
  void close() { closed_.store(true, std::memory_order_relaxed); }
  bool closed() const { return closed_.load(std::memory_order_relaxed); }

 private:
  Queue queue_;
  alignas(refbench::workloads::kCacheLine) std::atomic<bool> closed_{false};
};

template <std::uint32_t Capacity>
struct FixedSpsc : boost::lockfree::spsc_queue<Message, boost::lockfree::capacity<Capacity>> {
  explicit FixedSpsc(std::uint32_t) {}
};
using BoostRuntime = BoostChannel<boost::lockfree::spsc_queue<Message>>;
using BoostFixed = BoostChannel<FixedSpsc<kCapacity>>;

using RefbenchChannel = Channel<Message>;

refbench::bench::Setup* g_setup = nullptr;

void report(benchmark::State& state, std::uint64_t messages, double seconds) {
  state.SetIterationTime(seconds);
  state.counters["ns_per_msg"] = seconds * 1e9 / static_cast<double>(messages);
  state.counters["msgs_per_s"] = static_cast<double>(messages) / seconds;
}

// Bare queue: one thread pushes kMessages, the other pops them.
template <class Queue>
void BM_BareQueue(benchmark::State& state) {
  for (auto _ : state) {
    Queue queue(kCapacity, WaitPolicy::spin);
    std::uint64_t sum = 0;
    std::thread consumer([&] {
      refbench::bench::pin(*g_setup, 1);
      Message m;
      // A pop or push fails only on a closed queue, and nothing closes this one: a failure
      // would be a broken queue, and the sum below says so.
      for (std::uint64_t i = 0; i < kMessages && queue.pop(m); ++i) {
        sum += reinterpret_cast<std::uintptr_t>(m.object);
      }
    });
    refbench::bench::pin(*g_setup, 0);
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 1; i <= kMessages; ++i) {
      if (!queue.push(Message{reinterpret_cast<refbench::workloads::Object*>(i), nullptr})) break;
    }
    consumer.join();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (sum != kMessages * (kMessages + 1) / 2) state.SkipWithError("messages lost");
    benchmark::DoNotOptimize(sum);
    report(state, kMessages, elapsed.count());
  }
}

// The whole immortal stream workload, through refbench's driver, with the queue swapped.
template <class Queue>
void BM_ImmortalStream(benchmark::State& state) {
  using refbench::workloads::ImmortalStrategy;
  refbench::workloads::PointConfig config;
  config.strategy = refbench::workloads::Strategy::immortal;
  config.workload = refbench::workloads::Workload::stream;
  config.wait = WaitPolicy::spin;
  config.messages = kMessages;
  config.warmup_messages = 10000;
  config.channel_capacity = kCapacity;
  std::vector<std::string> memory_used;
  const auto hooks = refbench::harness::point_hooks(
      g_setup->topology, g_setup->pus, refbench::pinning::MemoryPolicy::local, memory_used);
  for (auto _ : state) {
    const auto r =
        refbench::workloads::drive<ImmortalStrategy,
                                   refbench::workloads::StreamShape<ImmortalStrategy, Queue>>(
            config, hooks);
    report(state, r.messages, r.elapsed_seconds);
  }
}

BENCHMARK(BM_BareQueue<RefbenchChannel>)
    ->Name("bare/refbench_channel")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK(BM_BareQueue<BoostRuntime>)->Name("bare/boost_spsc")->UseManualTime()->Iterations(1);
BENCHMARK(BM_BareQueue<BoostFixed>)->Name("bare/boost_spsc_fixed")->UseManualTime()->Iterations(1);
BENCHMARK(BM_ImmortalStream<RefbenchChannel>)
    ->Name("immortal_stream/refbench_channel")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK(BM_ImmortalStream<BoostRuntime>)
    ->Name("immortal_stream/boost_spsc")
    ->UseManualTime()
    ->Iterations(1);
BENCHMARK(BM_ImmortalStream<BoostFixed>)
    ->Name("immortal_stream/boost_spsc_fixed")
    ->UseManualTime()
    ->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  const auto setup = refbench::bench::set_up(argc, args, 7);
  if (!setup) return 2;
  g_setup = setup.get();
  // Made from the flags before Initialize takes them out of args.
  auto display = refbench::bench::display_reporter(args);
  benchmark::Initialize(&argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(argc, args.data())) return 2;
  // Throughput ratio = their time per message / ours: above 1 means refbench is faster.
  std::vector<refbench::bench::RatioReporter::Ratio> ratios;
  for (const char* group : {"bare", "immortal_stream"}) {
    for (const char* boost : {"boost_spsc", "boost_spsc_fixed"}) {
      ratios.push_back({std::string(group) + "/" + boost, std::string(group) + "/refbench_channel",
                        "throughput of refbench's channel relative to Boost's (target >= 0.95)"});
    }
  }
  refbench::bench::RatioReporter reporter("ns_per_msg", std::move(ratios), std::move(display));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
