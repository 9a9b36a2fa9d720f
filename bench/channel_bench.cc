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
// checks for close on every retry as Channel does.
template <class Queue>
class BoostChannel {
 public:
  BoostChannel(std::uint32_t capacity, WaitPolicy) : queue_(capacity) {}
  bool push(const Message& m) {
    while (!queue_.push(m)) {
      if (closed_.load(std::memory_order_relaxed)) return false;
      refbench::workloads::cpu_relax();
    }
    return true;
  }
  bool pop(Message& m) {
    while (!queue_.pop(m)) {
      if (closed_.load(std::memory_order_relaxed)) return false;
      refbench::workloads::cpu_relax();
    }
    return true;
  }
  void close() { closed_.store(true); }

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

// Set from --cores before the benchmarks run.
refbench::pinning::Topology* g_topology = nullptr;
refbench::harness::PuList g_pus;

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
      g_topology->bind_this_thread(g_pus[1]);
      Message m;
      for (std::uint64_t i = 0; i < kMessages; ++i) {
        queue.pop(m);
        sum += reinterpret_cast<std::uintptr_t>(m.object);
      }
    });
    g_topology->bind_this_thread(g_pus[0]);
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 1; i <= kMessages; ++i) {
      queue.push(Message{reinterpret_cast<refbench::workloads::Object*>(i), nullptr});
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
      *g_topology, g_pus, refbench::pinning::MemoryPolicy::local, memory_used);
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

// Collects ns_per_msg of every repetition, then prints the ratios of the medians.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      ns_per_msg_[run.run_name.function_name].push_back(run.counters.at("ns_per_msg").value);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::cout << "\nthroughput ratios, refbench channel / Boost spsc_queue (median of "
              << "repetitions; > 1 means refbench is faster; target >= 0.95):\n";
    for (const char* group : {"bare", "immortal_stream"}) {
      const double ours = median(std::string(group) + "/refbench_channel");
      for (const char* other : {"boost_spsc", "boost_spsc_fixed"}) {
        const double theirs = median(std::string(group) + "/" + other);
        if (ours > 0 && theirs > 0) {
          std::printf("  %-16s vs %-17s %.2fx  (%.1f vs %.1f ns/msg)\n", group, other,
                      theirs / ours, ours, theirs);
        }
      }
    }
  }

 private:
  double median(const std::string& name) const {
    const auto it = ns_per_msg_.find(name);
    return it == ns_per_msg_.end() ? 0 : refbench::results::median(it->second);
  }
  std::map<std::string, std::vector<double>> ns_per_msg_;
};

// Takes --cores=A,B out of argv; the rest is Google Benchmark's.
std::string take_cores_flag(int& argc, char** argv) {
  std::string cores = "0,1";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--cores=", 8) == 0) {
      cores = argv[i] + 8;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return cores;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cores = take_cores_flag(argc, argv);
  refbench::pinning::Topology topology = refbench::pinning::Topology::this_machine();
  try {
    g_pus = refbench::harness::resolve_pus(topology, "--cores", cores, 2);
  } catch (const std::exception& e) {
    std::cerr << "refbench_channel_bench: " << e.what() << "\n";
    return 2;
  }
  g_topology = &topology;

  // Defaults that make the comparison fair; flags given on the command line win.
  std::vector<char*> args(argv, argv + argc);
  std::string repetitions = "--benchmark_repetitions=7";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, {repetitions.data(), interleave.data()});
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 2;
  std::cout << "PUs " << g_pus[0] << "," << g_pus[1] << " ("
            << refbench::pinning::name(topology.distance(g_pus[0], g_pus[1])) << ")\n";
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
