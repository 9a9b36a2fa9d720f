// What refbench's Google Benchmark programs share: --cores, pinning (Google Benchmark has
// none: its issue 185), libpfm4 counters as user counters, and ratios taken side by side,
// per repetition block.
#pragma once

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/counters.h"
#include "harness/placements.h"
#include "pinning/topology.h"
#include "results/ratios.h"
#include "results/row.h"
#include "results/statistics.h"

namespace refbench::bench {

// The machine and the two PUs the benchmarks run on (--cores=A,B, default 0,1).
struct Setup {
  pinning::Topology topology = pinning::Topology::this_machine();
  harness::PuList pus;
  harness::CounterSet counters;
};

// Parses and removes --cores=A,B and --counters=SPEC from argv, resolves them, and adds
// the defaults a fair comparison needs (repetitions, random interleaving) unless given.
// Says on stderr, and in the JSON context (refbench_pus, refbench_distance_class,
// refbench_counters), which PUs are pinned and what the counters are. Returns null after
// printing the error if the cores or counters are bad.
std::unique_ptr<Setup> set_up(int& argc, std::vector<char*>& args, int repetitions);

// Pins the calling thread to one of the setup's PUs.
inline void pin(const Setup& setup, std::size_t which) {
  setup.topology.bind_this_thread(setup.pus.at(which));
}

// Counts the calling thread from construction to report(), then adds each counter that
// could be counted here to the benchmark as a per-iteration user counter (scaled for
// multiplexing; a figure scaled up by more than 1.05x, an estimate, adds C_scale beside
// it). Counters that cannot be counted are left out, never reported as zero; one the set
// could count that failed on this thread says why on stderr.
class CountedRegion {
 public:
  explicit CountedRegion(const harness::CounterSet& set) : set_(set), counters_(set) {
    counters_.start();
  }
  void report(benchmark::State& state) {
    counters_.stop();
    const auto readings = counters_.read();
    for (std::size_t i = 0; i < readings.size(); ++i) {
      const std::string& column = set_.events()[i].column;
      if (!readings[i].value) {
        if (!readings[i].problem.empty()) {
          std::cerr << "counter " << column << " not counted: " << readings[i].problem << "\n";
        }
        continue;
      }
      state.counters[column] =
          benchmark::Counter(*readings[i].value, benchmark::Counter::kAvgIterations);
      if (readings[i].scale > results::CounterFigure::kEstimateScale) {
        state.counters[column + "_scale"] = benchmark::Counter(readings[i].scale);
      }
    }
  }

 private:
  const harness::CounterSet& set_;
  harness::ThreadCounters counters_;
};

// The display reporter Google Benchmark itself would make from --benchmark_format
// (console, json, csv), --benchmark_color and --benchmark_counters_tabular in `args`, read
// before benchmark::Initialize removes them.
std::unique_ptr<benchmark::BenchmarkReporter> display_reporter(const std::vector<char*>& args);

// Wraps the display reporter the flags chose: passes every run through (aggregates whose
// figure is not a number, such as the coefficient of variation of a counter that is always
// zero, leave that counter out, so that the JSON stays JSON), keeps one figure (a user
// counter) of every repetition, and at the end prints on stderr named ratios taken as
// refbench run takes them: per repetition block (the k-th repetition of the numerator over
// the k-th of the denominator; with random interleaving the k-th repetitions of all
// benchmarks run in one round), summarised by the median with its distribution-free 95 %
// interval (results/ratios.h).
class RatioReporter : public benchmark::BenchmarkReporter {
 public:
  struct Ratio {
    std::string numerator;    // benchmark name
    std::string denominator;  // benchmark name
    std::string meaning;      // what the ratio says, with its target if it has one
  };
  RatioReporter(std::string figure, std::vector<Ratio> ratios,
                std::unique_ptr<benchmark::BenchmarkReporter> display)
      : figure_(std::move(figure)), ratios_(std::move(ratios)), display_(std::move(display)) {}

  bool ReportContext(const Context& context) override { return display_->ReportContext(context); }

  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> shown = runs;
    for (Run& run : shown) {
      std::erase_if(run.counters, [](const auto& c) { return !std::isfinite(c.second.value); });
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      const auto it = run.counters.find(figure_);
      if (it != run.counters.end()) {
        values_[run.run_name.function_name][run.repetition_index] = it->second.value;
      }
    }
    display_->ReportRuns(shown);
  }

  void Finalize() override {
    display_->Finalize();
    std::fprintf(stderr,
                 "\nratios of %s, per repetition block: median (95%% CI; [min, max] with its "
                 "coverage below 6 blocks)\n",
                 figure_.c_str());
    for (const Ratio& r : ratios_) {
      const results::MedianWithInterval m = results::median_with_interval(per_block(r));
      if (m.samples == 0) continue;
      std::fprintf(stderr, "  %-40s %6.3fx  (%.3f-%.3f, %.0f%%, %zu blocks)  %s\n",
                   (r.numerator + " / " + r.denominator).c_str(), m.median, m.low, m.high,
                   100 * m.coverage, m.samples, r.meaning.c_str());
    }
  }

 private:
  // The ratio in every repetition both benchmarks have.
  std::vector<double> per_block(const Ratio& r) const {
    std::vector<double> ratios;
    const auto a = values_.find(r.numerator);
    const auto b = values_.find(r.denominator);
    if (a == values_.end() || b == values_.end()) return ratios;
    for (const auto& [repetition, value] : a->second) {
      const auto other = b->second.find(repetition);
      if (other != b->second.end() && value > 0 && other->second > 0)
        ratios.push_back(value / other->second);
    }
    return ratios;
  }
  std::string figure_;
  std::vector<Ratio> ratios_;
  std::unique_ptr<benchmark::BenchmarkReporter> display_;
  std::map<std::string, std::map<std::int64_t, double>> values_;
};

}  // namespace refbench::bench
