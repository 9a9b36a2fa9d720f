// Fuzzes harness::parse_command_line: every argv gives a command whose values are within
// the limits the options document, or a one-line UsageError.
//
// Input: byte 0 picks the command word (run, sweep, compare, plot, topology, events, stress,
// merge, or none: the first word of the text is the command), so that most inputs get past the
// command and into its options; the rest, split at NUL and newline, is the argv that follows.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/cli.h"
#include "harness/usage_error.h"
#include "tests/fuzz/fuzz_support.h"
#include "workloads/point.h"

namespace {

using refbench::fuzz::expect;
using refbench::harness::CompareOptions;
using refbench::harness::HelpRequest;
using refbench::harness::MergeOptions;
using refbench::harness::OutputOptions;
using refbench::harness::PointOptions;
using refbench::harness::RunOptions;
using refbench::harness::SweepOptions;
using refbench::harness::TopologyOptions;

constexpr std::array<std::string_view, 8> kCommands = {"run",      "sweep",  "compare", "plot",
                                                       "topology", "events", "stress",  "merge"};

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> split;
  for (std::size_t start = 0;;) {
    const std::size_t end = text.find_first_of(std::string_view("\0\n", 2), start);
    split.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return split;
    start = end + 1;
  }
}

std::vector<std::string> argv_of(refbench::fuzz::Input& input) {
  std::vector<std::string> args = {"refbench"};
  const std::size_t command = input.byte() % (kCommands.size() + 1);
  if (command < kCommands.size()) args.emplace_back(kCommands[command]);
  const std::string text = input.rest();
  if (!text.empty()) {
    for (std::string& word : words(text)) args.push_back(std::move(word));
  }
  return args;
}

template <class T>
bool unique(std::vector<T> values) {
  std::sort(values.begin(), values.end());
  return std::adjacent_find(values.begin(), values.end()) == values.end();
}

bool within(double value, double above, double at_most) {
  return std::isfinite(value) && value > above && value <= at_most;
}

// The limits of cli.cc, as `refbench run --help` and docs/commands.md state them.
void check(const PointOptions& o) {
  expect(!o.strategies.empty() && unique(o.strategies), "strategies empty or repeated");
  expect(!o.workloads.empty() && unique(o.workloads), "workloads empty or repeated");
  expect(!o.payloads.empty() && unique(o.payloads), "payloads empty or repeated");
  for (std::uint32_t payload : o.payloads) expect(payload <= (1u << 30), "payload too large");
  expect(o.config.messages <= 1'000'000'000'000, "messages above a trillion");
  expect(o.config.warmup_messages <= 1'000'000'000'000, "warmup above a trillion");
  expect(within(std::chrono::duration<double>(o.config.duration).count(), 0, 86400),
         "seconds out of range");
  expect(o.config.objects >= 1 && o.config.objects <= (1u << 26), "objects out of range");
  expect(o.config.local_work <= (1u << 20), "local work out of range");
  expect(o.config.channel_capacity >= 1 && o.config.channel_capacity <= (1u << 30),
         "capacity out of range");
  expect(o.repetitions >= 1 && o.repetitions <= 100000, "repetitions out of range");
  expect(within(o.noise_threshold, 0, 10), "noise threshold out of range");
  for (refbench::workloads::Workload w : o.workloads) {
    expect(refbench::workloads::teardown_problem(w, o.config.teardown).empty(),
           "a workload that cannot run with the teardown asked for");
  }
}

void check(const OutputOptions& o) {
  expect(!(o.plot && o.format == refbench::results::Format::json), "--plot with JSON accepted");
}

// A command without limits of its own here (yet) is still parsed, and its errors checked.
template <class Command>
void check(const Command&) {}

void check(const HelpRequest& help) { expect(!help.text.empty(), "empty help"); }
void check(const RunOptions& run) {
  check(run.points);
  check(run.output);
}

void check(const SweepOptions& sweep) {
  check(sweep.points);
  check(sweep.output);
  expect(unique(sweep.interpreters), "interpreter counts repeated");
  for (unsigned n : sweep.interpreters) expect(n >= 1 && n <= 4096, "interpreters out of range");
  expect(!sweep.interpreters.empty() || sweep.placement.empty(), "--placement without counts");
  if (sweep.shard) {
    expect(sweep.shard->index >= 1 && sweep.shard->index <= sweep.shard->count &&
               sweep.shard->count <= 100000,
           "shard out of range");
  }
}

void check(const MergeOptions& merge) {
  expect(!merge.inputs.empty(), "merge without files");
  expect(!merge.out.empty() && merge.out.extension() != ".json", "merge --out empty or JSON");
}

void check(const CompareOptions& compare) {
  expect(within(compare.alpha, 0, 0.5), "alpha out of range");
}

void check(const TopologyOptions& topology) {
  expect(topology.interpreters >= 1 && topology.interpreters <= 4096, "interpreters out of range");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  refbench::fuzz::Input input(data, size);
  const std::vector<std::string> args = argv_of(input);
  try {
    std::visit([](const auto& command) { check(command); },
               refbench::harness::parse_command_line(args));
  } catch (const refbench::harness::UsageError& e) {
    // No word holds a line break: the input's were where it was split.
    refbench::fuzz::expect_one_line(e.what(), false);
  } catch (...) {
    refbench::fuzz::undocumented_exception();
  }
  return 0;
}
