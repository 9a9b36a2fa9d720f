#include "harness/run_command.h"

#include <sys/sysinfo.h>

#include <ctime>
#include <filesystem>
#include <map>

#include "harness/placements.h"
#include "harness/report.h"
#include "harness/usage_error.h"
#include "pinning/topology.h"
#include "results/csv.h"
#include "results/row.h"
#include "results/statistics.h"
#include "workloads/point.h"

namespace refbench::harness {
namespace {

using results::ResultRow;
using workloads::PointConfig;
using workloads::PointResult;

constexpr unsigned kInterpreters = 2;

std::filesystem::path default_output_path() {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  std::filesystem::path dir = "results";
  std::filesystem::create_directories(dir);
  std::filesystem::path path = dir / ("refbench-" + std::string(stamp) + ".csv");
  for (int n = 2; std::filesystem::exists(path); ++n) {
    path = dir / ("refbench-" + std::string(stamp) + "-" + std::to_string(n) + ".csv");
  }
  return path;
}

// Refuses pools that would not fit in memory, before anything runs.
void check_memory(const RunOptions& o) {
  const double per_object = 64.0 + ((o.payload_bytes + 63) / 64) * 64.0;
  const double needed = per_object * o.objects * kInterpreters;
  struct sysinfo info {};
  if (sysinfo(&info) != 0) return;
  const double available = static_cast<double>(info.totalram) * info.mem_unit / 2;
  if (needed > available) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "--objects %u with --payload %u needs %.1f GiB of heaps; at most half of this "
                  "machine's memory (%.1f GiB) is allowed",
                  o.objects, o.payload_bytes, needed / (1 << 30), available / (1 << 30));
    throw UsageError(text);
  }
}

PointConfig point_config(const RunOptions& o, workloads::Strategy s, workloads::Workload w,
                         workloads::WaitPolicy wait) {
  PointConfig c;
  c.strategy = s;
  c.workload = w;
  c.wait = wait;
  c.messages = o.messages;
  c.duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(o.messages > 0 ? 0 : o.seconds));
  c.warmup_messages = o.warmup_messages;
  c.payload_bytes = o.payload_bytes;
  c.objects = o.objects;
  c.local_work = o.local_work;
  c.channel_capacity = o.channel_capacity;
  c.verify = o.verify;
  return c;
}

ResultRow make_row(const PointConfig& c, const Placement& placement, const std::string& topology,
                   unsigned repetition, PointResult&& r) {
  ResultRow row;
  row.workload = std::string(name(c.workload));
  row.strategy = std::string(name(c.strategy));
  row.strategy_is_correct = workloads::is_correct(c.strategy);
  row.interpreters = static_cast<unsigned>(placement.pus.size());
  row.pus = placement.pus_field();
  row.distance_class = std::string(pinning::name(placement.distance));
  row.wait_policy = std::string(name(c.wait));
  row.topology = topology;
  row.repetition = repetition;
  row.payload_bytes = c.payload_bytes;
  row.objects = c.objects;
  row.local_work = c.local_work;
  row.channel_capacity = c.channel_capacity;
  row.warmup_messages = c.warmup_messages;
  row.messages = r.messages;
  row.round_trips = r.round_trips;
  row.elapsed_s = r.elapsed_seconds;
  if (c.workload == workloads::Workload::pingpong) {
    const results::LatencySummary rtt = results::summarize_latency(std::move(r.round_trip_ns));
    row.rtt_p50_ns = rtt.p50;
    row.rtt_p99_ns = rtt.p99;
    row.rtt_max_ns = rtt.max;
  }
  const workloads::Integrity& i = r.integrity;
  row.verified = c.verify;
  row.leaks = i.leaks;
  row.premature_frees = i.events.premature_frees;
  row.use_after_free = i.events.use_after_free;
  row.double_frees = i.events.double_frees;
  row.views_left_open = i.views_left_open;
  row.resource_warnings = i.events.resource_warnings;
  row.lost_updates = i.lost_updates;
  row.violations = i.violations();
  return row;
}

class Run {
 public:
  Run(const RunOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err), topology_(pinning::Topology::this_machine()) {}

  int execute() {
    const std::vector<Placement> placements = plan_placements();
    check_memory(options_);
    results::CsvFile csv(output_path(), results::csv_header());
    announce(placements);
    try {
      for (workloads::Workload w : options_.workloads) {
        for (const Placement& p : placements) run_group(csv, w, p);
      }
    } catch (const std::exception& e) {
      csv.commit();
      err_ << "refbench: error: " << e.what() << "; the " << csv.rows()
           << " rows finished before it are in " << csv.path().string() << "\n";
      return 1;
    }
    csv.commit();
    out_ << "wrote " << csv.rows() << " rows to " << csv.path().string() << "\n";
    return failures_ == 0 ? 0 : 1;
  }

 private:
  std::vector<Placement> plan_placements() const {
    if (options_.cores) return {resolve_placement(topology_, *options_.cores, kInterpreters)};
    return default_placements(topology_);
  }

  std::filesystem::path output_path() const {
    if (options_.out.empty()) return default_output_path();
    if (std::filesystem::is_directory(options_.out)) {
      throw UsageError("--out: '" + options_.out.string() +
                       "' is a directory (allowed: a file path)");
    }
    return options_.out;
  }

  void announce(const std::vector<Placement>& placements) {
    if (options_.quiet) return;
    const std::size_t points = options_.strategies.size() * options_.workloads.size() *
                               placements.size() * options_.repetitions;
    out_ << "refbench run: " << points << " runs (" << options_.strategies.size()
         << " strategies x " << options_.workloads.size() << " workloads x " << placements.size()
         << " placements x " << options_.repetitions << " repetitions), each ";
    if (options_.messages > 0) {
      out_ << options_.messages
           << (options_.workloads.size() == 1 &&
                       options_.workloads[0] == workloads::Workload::pingpong
                   ? " round trips"
                   : " messages (pingpong: round trips)");
    } else {
      out_ << options_.seconds << " s";
    }
    out_ << "\n\n";
  }

  void run_group(results::CsvFile& csv, workloads::Workload w, const Placement& placement) {
    const workloads::WaitPolicy wait = options_.wait.value_or(automatic_wait_policy(placement));
    const workloads::ThreadHooks hooks = pinning_hooks(topology_, placement);
    std::vector<ResultRow> rows;
    // Repetitions outermost, so that every strategy sees the same drift of the machine.
    for (unsigned rep = 1; rep <= options_.repetitions; ++rep) {
      for (workloads::Strategy s : options_.strategies) {
        const PointConfig config = point_config(options_, s, w, wait);
        ResultRow row = make_row(config, placement, topology_.source(), rep,
                                 workloads::run_point(config, hooks));
        csv.write_row(results::csv_fields(row));
        if (row.strategy_is_correct && row.violations > 0) ++failures_;
        rows.push_back(std::move(row));
      }
    }
    out_ << group_report(rows) << "\n";
    out_.flush();
  }

  const RunOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  pinning::Topology topology_;
  unsigned failures_ = 0;
};

}  // namespace

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return Run(options, out, err).execute();
  } catch (const results::OutputError& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

}  // namespace refbench::harness
