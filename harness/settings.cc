#include "harness/settings.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "harness/budget.h"
#include "harness/parse.h"
#include "harness/usage_error.h"

namespace refbench::harness {
namespace {

using workloads::PointConfig;
using workloads::Strategy;

constexpr std::uint64_t kMaxMessages = 1'000'000'000'000;  // a trillion: days of running
constexpr double kMaxSeconds = 86400;

std::string option(const char* flag) { return std::string("--") + flag; }

Setting named(const char* flag, const char* value_name, std::string help) {
  Setting s;
  s.flag = flag;
  s.value_name = value_name;
  s.help = std::move(help);
  return s;
}

bool uses_release_queue(Strategy s) { return workloads::traits(s).release_queue; }
bool takes_interpreter_locks(Strategy s) { return workloads::traits(s).interpreter_lock; }
bool hands_over_views(Strategy s) { return workloads::traits(s).views; }

// A whole-number setting kept in `field`, in [min, max].
template <class T>
Setting whole(const char* flag, const char* value_name, std::string help, T PointConfig::*field,
              std::uint64_t min, std::uint64_t max) {
  Setting s = named(flag, value_name, std::move(help));
  s.read = [flag, field, min, max](const std::string& text, PointConfig& c) {
    c.*field = static_cast<T>(parse_whole(option(flag), text, min, max));
  };
  s.show = [field](const PointConfig& c) { return std::to_string(c.*field); };
  return s;
}

// The shortest decimal that reads back as `x`: 0.005, not 0.0050000000000000001.
std::string shortest(double x) {
  char text[64];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, x);
    if (std::strtod(text, nullptr) == x) break;
  }
  return text;
}

// A setting that names one of an enum's values, kept in `field`.
template <class E>
Setting choice(const char* flag, const char* value_name, std::string help, E PointConfig::*field,
               std::optional<E> (*parse)(std::string_view), std::string allowed) {
  Setting s = named(flag, value_name, std::move(help));
  s.read = [flag, field, parse, allowed](const std::string& text, PointConfig& c) {
    const std::optional<E> value = parse(text);
    if (!value) {
      throw UsageError(option(flag) + ": '" + text + "' is not allowed (allowed: " + allowed + ")");
    }
    c.*field = *value;
  };
  s.show = [field](const PointConfig& c) { return std::string(workloads::name(c.*field)); };
  return s;
}

// civ-deferred's ring or batch: unset, the --cpython version's (`of`); set, a departure.
Setting ring_override(const char* flag, std::string help,
                      std::optional<std::uint32_t> PointConfig::*field, std::uint64_t max,
                      std::uint32_t (*of)(const workloads::PendingCalls&)) {
  Setting s = named(flag, "N", std::move(help));
  s.read = [flag, field, max](const std::string& text, PointConfig& c) {
    c.*field = static_cast<std::uint32_t>(parse_whole(option(flag), text, 1, max));
  };
  s.show = [of](const PointConfig& c) { return std::to_string(of(workloads::pending_calls(c))); };
  return s;
}

// A duration in seconds kept in `field`; with `zero_is_never`, "0" is allowed too.
Setting seconds(const char* flag, std::string help, std::chrono::nanoseconds PointConfig::*field,
                bool zero_is_never) {
  Setting s = named(flag, "S", std::move(help));
  s.read = [flag, field, zero_is_never](const std::string& text, PointConfig& c) {
    double value = 0;
    if (!(zero_is_never && text == "0")) {
      try {
        value = parse_seconds(option(flag), text, kMaxSeconds);
      } catch (const UsageError&) {
        if (!zero_is_never) throw;
        throw UsageError(option(flag) + ": '" + text +
                         "' is not allowed (allowed: seconds, more than 0 and at most 86400, or "
                         "0 for never)");
      }
    }
    c.*field =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(value));
  };
  s.show = [field](const PointConfig& c) {
    return shortest(std::chrono::duration<double>(c.*field).count());
  };
  return s;
}

// An option that shapes the plan, read into the options by `read`.
Setting plan_option(const char* flag, const char* value_name, std::string help,
                    std::function<void(const std::string&, PointOptions&)> read) {
  Setting s = named(flag, value_name, std::move(help));
  s.read_option = std::move(read);
  return s;
}

// "gil/civ,racy/atomic": pairs of strategy names, each checked.
std::vector<results::RatioPair> parse_ratio_pairs(const std::string& text) {
  std::vector<results::RatioPair> pairs;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    const std::size_t slash = item.find('/');
    const auto strategy = [&](const std::string& name) {
      if (!workloads::parse_strategy(name)) {
        throw UsageError("--ratios: '" + item + "' names no strategy '" + name +
                         "' (allowed: NUMERATOR/DENOMINATOR, each one of " +
                         workloads::strategy_names() + ")");
      }
      return name;
    };
    if (slash == std::string::npos) {
      throw UsageError("--ratios: '" + item +
                       "' is not a ratio (allowed: NUMERATOR/DENOMINATOR strategies, "
                       "e.g. gil/civ)");
    }
    results::RatioPair pair{strategy(item.substr(0, slash)), strategy(item.substr(slash + 1))};
    if (pair.numerator == pair.denominator) {
      throw UsageError("--ratios: '" + item + "' is a strategy over itself");
    }
    pairs.push_back(std::move(pair));
    start = comma + 1;
  }
  return pairs;
}

// Gives a setting its default, column and roles.
Setting with(Setting s, const char* default_text, const char* column, unsigned roles,
             bool (*applies_to)(Strategy) = nullptr, const char* default_note = nullptr) {
  s.default_text = default_text;
  s.default_note = default_note;
  s.column = column;
  s.roles = roles;
  s.applies_to = applies_to;
  return s;
}

std::vector<Setting> make_table() {
  const unsigned kIdentity = kFingerprint | kResumeIdentity;
  const unsigned kPointName = kIdentity | kComparedPoint | kBenchmarkName;
  std::vector<Setting> t;
  t.push_back(plan_option(
      "strategy", "LIST",
      "strategies to compare, comma-separated: gil, racy, atomic, biased, civ, civ-deferred, "
      "immortal, or all (default: all)",
      [](const std::string& text, PointOptions& o) {
        o.strategies =
            parse_names<Strategy>("--strategy", text, workloads::parse_strategy,
                                  workloads::kAllStrategies, workloads::strategy_names());
      }));
  t.push_back(plan_option(
      "workload", "LIST",
      "stream (a sender streams to a receiver: throughput), pingpong (round trips: "
      "latency), pipeline (a chain of interpreters), fanout (one broadcasts each object to "
      "the others: one hot count), shuffle (all to all), comma-separated, or all (default: "
      "stream,pingpong)",
      [](const std::string& text, PointOptions& o) {
        o.workloads =
            parse_names<workloads::Workload>("--workload", text, workloads::parse_workload,
                                             workloads::kAllWorkloads, workloads::workload_names());
      }));
  t.push_back(with(whole("messages", "N",
                         "timed messages per point and repetition: what each sender sends "
                         "(pingpong: round trips, two messages each; pipeline: the first "
                         "stage's; fanout: broadcasts, one message per receiver; shuffle: each "
                         "interpreter's); 1e6 is accepted. Conflicts with --seconds",
                         &PointConfig::messages, 1, kMaxMessages),
                   nullptr, nullptr, kFingerprint));
  t.push_back(with(
      seconds("seconds", "timed duration per point and repetition", &PointConfig::duration, false),
      "0.3", nullptr, kFingerprint, nullptr, "0.3 when --messages is not given"));
  t.push_back(with(whole("warmup", "N", "untimed messages before each timed phase",
                         &PointConfig::warmup_messages, 0, kMaxMessages),
                   "10000", "warmup_messages", kIdentity));
  t.push_back(plan_option("payload", "BYTES",
                          "payload size of each object, or a comma-separated list to sweep; the "
                          "receiver reads all of it (default: 64)",
                          [](const std::string& text, PointOptions& o) {
                            o.payloads =
                                parse_whole_list<std::uint32_t>("--payload", text, 0, 1u << 30);
                          }));
  t.push_back(with(whole("objects", "K",
                         "distinct objects each interpreter sends in turn; 1 is one hot count, "
                         "many give cold misses",
                         &PointConfig::objects, 1, 1u << 26),
                   "1", "objects", kPointName));
  t.push_back(with(whole("local-work", "N",
                         "increment+decrement pairs on the interpreter's own objects per "
                         "message sent and per message received, counted as the strategy counts "
                         "everything",
                         &PointConfig::local_work, 0, 1u << 20),
                   "0", "local_work", kPointName));
  t.push_back(
      with(whole("channel-capacity", "N", "messages a channel holds before the sender waits",
                 &PointConfig::channel_capacity, 1, 1u << 30),
           "256", "channel_capacity", kIdentity | kComparedPoint));
  Setting cpython = choice("cpython", "VERSION",
                           "civ-deferred: the CPython release path modelled: 3.12 (a ring of 32 "
                           "pending calls per interpreter, drained 32 at a time), 3.13 (300, "
                           "drained 100 at a time) or main (300 and 100, and two pending calls "
                           "per released memoryview); each release looks the owner up under one "
                           "process-wide lock, and the owner's drain takes the ring's mutex once "
                           "per call",
                           &PointConfig::cpython, workloads::parse_cpython_version,
                           workloads::cpython_version_names());
  t.push_back(with(std::move(cpython), "3.13", "cpython", kPointName, uses_release_queue,
                   "3.13, the newest release"));
  t.push_back(
      with(ring_override("release-queue",
                         "civ-deferred: pending calls each interpreter's ring holds; a full "
                         "ring drops the call, as CPython's pending calls do: a leak. "
                         "Departs from CPython (the row says not_cpython)",
                         &PointConfig::release_queue, 1u << 24,
                         [](const workloads::PendingCalls& p) { return p.ring; }),
           nullptr, "release_queue", kPointName, uses_release_queue,
           "the --cpython version's, 300 (32 for 3.12)"));
  t.push_back(with(ring_override("release-batch",
                                 "civ-deferred: pending calls the owner carries out at most per "
                                 "drain. Departs from CPython (the row says not_cpython)",
                                 &PointConfig::release_batch, 1u << 20,
                                 [](const workloads::PendingCalls& p) { return p.batch; }),
                   nullptr, "release_batch", kPointName, uses_release_queue,
                   "the --cpython version's, 100 (32 for 3.12)"));
  t.push_back(with(whole("drain-interval", "N",
                         "civ-deferred: the owner looks at its release requests every N safe "
                         "points, a safe point being each message it sends or receives; other "
                         "than 1 departs from CPython (the row says not_cpython)",
                         &PointConfig::drain_interval, 1, 1u << 20),
                   "1", "drain_interval", kPointName, uses_release_queue));
  Setting path;  // no option: what the three above make of the release path
  path.help = "";
  path.show = [](const PointConfig& c) {
    return std::string(workloads::follows_cpython(c) ? "cpython" : "not_cpython");
  };
  t.push_back(with(std::move(path), nullptr, "cpython_path", kComparedPoint | kResumeIdentity,
                   uses_release_queue));
  Setting gil = choice("gil", "KIND",
                       "the interpreter locks of gil, racy, civ and civ-deferred (atomic, biased "
                       "and immortal take none): cpython (a mutex and condition variable with "
                       "CPython's protocol: a waiter asks the holder to drop after "
                       "--switch-interval, the holder lets go at its next safe point and waits "
                       "until another thread took it) or spin (a spinlock that waits by --wait; a "
                       "waiter asks at once)",
                       &PointConfig::gil, workloads::parse_gil_kind, workloads::gil_kind_names());
  t.push_back(with(std::move(gil), "cpython", "gil", kPointName, takes_interpreter_locks));
  t.push_back(with(seconds("switch-interval",
                           "with --gil cpython: how long a thread waits for an interpreter lock "
                           "before it asks the holder to drop it, as sys.setswitchinterval",
                           &PointConfig::switch_interval, false),
                   "0.005", "switch_interval_s", kPointName, takes_interpreter_locks));
  t.push_back(plan_option(
      "wait", "POLICY",
      "what a thread does while it cannot go on: spin, yield, block, or auto = spin when "
      "the interpreters have PUs of their own, yield when they share one (default: auto)",
      [](const std::string& text, PointOptions& o) {
        if (text == "auto") {
          o.wait.reset();
          return;
        }
        o.wait = workloads::parse_wait_policy(text);
        if (!o.wait) {
          throw UsageError("--wait: '" + text + "' is not allowed (allowed: " +
                           workloads::wait_policy_names() + ", auto)");
        }
      }));
  t.push_back(plan_option(
      "memory", "POLICY",
      "where each interpreter's heap lives: local (bound to its PU's NUMA node), remote "
      "(another node), interleave (all nodes); with one NUMA node, local is first touch "
      "by the pinned owner thread (default: local)",
      [](const std::string& text, PointOptions& o) {
        const auto memory = pinning::parse_memory_policy(text);
        if (!memory) {
          throw UsageError("--memory: '" + text +
                           "' is not allowed (allowed: local, remote, interleave)");
        }
        o.memory = *memory;
      }));
  t.push_back(plan_option(
      "counters", "SPEC",
      "what each interpreter thread counts in its timed phase: none, or sets and libpfm4 "
      "events, comma-separated: basic (cycles, instructions), cache (L1D misses, LLC "
      "references and misses), coherence (this PMU's cache-to-cache transfers), or event "
      "names such as L1D:REPLACEMENT; software events (task-clock, context switches, "
      "migrations, page faults) come with every set (default: basic; see refbench events)",
      [](const std::string& text, PointOptions& o) { o.counters = text; }));
  t.push_back(plan_option(
      "repetitions", "R",
      "repetitions of each point, interleaved across strategies; 6 is the fewest with a 95 % "
      "confidence interval of the median (default: 6)",
      [](const std::string& text, PointOptions& o) {
        o.repetitions = static_cast<unsigned>(parse_whole("--repetitions", text, 1, 100000));
      }));
  t.push_back(plan_option(
      "ratios", "LIST",
      "more ratios to report, each NUMERATOR/DENOMINATOR strategies, comma-separated (e.g. "
      "gil/civ,racy/atomic); each strategy over immortal, civ/atomic, biased/atomic and "
      "civ-deferred/civ always come. Each is taken per repetition block",
      [](const std::string& text, PointOptions& o) { o.ratios = parse_ratio_pairs(text); }));
  t.push_back(plan_option(
      "precision", "PERCENT",
      "add repetition blocks, up to --max-repetitions, until every headline ratio's 95 % "
      "confidence interval is within PERCENT of it (default: off, --repetitions blocks)",
      [](const std::string& text, PointOptions& o) {
        o.precision = parse_positive("--precision", text, 100, "a percentage") / 100;
      }));
  t.push_back(plan_option(
      "max-repetitions", "R", "the most repetition blocks --precision may run (default: 30)",
      [](const std::string& text, PointOptions& o) {
        o.max_repetitions =
            static_cast<unsigned>(parse_whole("--max-repetitions", text, 1, 100000));
      }));
  t.push_back(plan_option(
      "budget", "DURATION",
      "the time the whole run or sweep may take (90s, 10m, 2h, 1h30m): each point's timed "
      "phase is chosen to fit it, from a measured per-point overhead, and adjusted while it "
      "runs; never below 10 ms (a plan that cannot fit is refused, naming what would). "
      "Conflicts with --seconds and --messages (default: off)",
      [](const std::string& text, PointOptions& o) { o.budget = parse_budget(text); }));
  t.push_back(plan_option(
      "noise-threshold", "PERCENT",
      "a point whose coefficient of variation over its repetitions exceeds this is flagged "
      "noisy in the tables (default: 5)",
      [](const std::string& text, PointOptions& o) {
        o.noise_threshold = parse_positive("--noise-threshold", text, 1000, "a percentage") / 100;
      }));
  Setting teardown =
      choice("teardown", "WHEN",
             "when each sending interpreter is destroyed: end (after every thread is done) "
             "or early (by its own thread right after its last send, while receivers may "
             "still hold references and views of its objects: stream's and pingpong's 2k, "
             "pipeline's first stage, fanout's root; not with shuffle, which has no pure "
             "sender)",
             &PointConfig::teardown, workloads::parse_teardown, "end, early");
  t.push_back(with(std::move(teardown), "end", "teardown", kIdentity));
  Setting view_owner =
      choice("view-owner", "HOLD",
             "civ and civ-deferred: what a view holds of the interpreter that sent it: strong "
             "(a reference, the seed's view: the sender lives until the last view of its "
             "objects closes) or id (only its id, as CPython's cross-interpreter buffer: the "
             "sender may be finalised while views are open; with --teardown early a close "
             "that finds it gone cannot release, a leak counted in orphaned_releases, and a "
             "read of its buffer then is counted in reads_after_owner_gone)",
             &PointConfig::view_owner, workloads::parse_view_owner, workloads::view_owner_names());
  t.push_back(with(std::move(view_owner), "strong", "view_owner", kPointName, hands_over_views));
  Setting isolation = plan_option(
      "isolation", "KIND",
      "what each interpreter runs as: thread (a thread of refbench's process), process (a "
      "process of its own, forked for the point and pinned as a thread would be; its heap, "
      "the channels, locks, queues and ledger live in one shared memory region, a memfd mapped "
      "before the fork, and messages name objects by their offset in it; the locks are "
      "process-shared and robust; each process opens its own "
      "counters), or thread,process: both, side by side in every repetition block (each "
      "strategy as threads, then as processes), and the summary gives process/thread ratios",
      [](const std::string& text, PointOptions& o) {
        o.isolations =
            parse_names<workloads::Isolation>("--isolation", text, workloads::parse_isolation,
                                              workloads::kAllIsolations, "thread, process");
      });
  isolation.show = [](const PointConfig& c) { return std::string(workloads::name(c.isolation)); };
  isolation.show_option = [](const PointOptions& o) {
    std::string text;
    for (workloads::Isolation i : o.isolations) {
      text += (text.empty() ? "" : ",") + std::string(workloads::name(i));
    }
    return text;
  };
  // A plan dimension, as strategies are: a resumed sweep finds each row's point by it (the
  // resume key), and compare pairs a points-as-threads file with a points-as-processes one
  // (compare_command.cc says when it is part of the key).
  t.push_back(with(std::move(isolation), "thread", "isolation", kFingerprint));
  t.push_back(with(seconds("stall-timeout",
                           "give up a point in which no message moved for S seconds: it gets an "
                           "error row and the run goes on (exit 1 at the end); 0 never gives up",
                           &PointConfig::stall_timeout, true),
                   "30", nullptr, kNoRole));
  Setting verify =
      named("verify", "[=witness]",
            "keep a ground-truth ledger of references (per thread, apart from the "
            "counts: racy races as it runs unverified) and report lost updates; exit 1 "
            "if a correct strategy (all but racy) shows any violation. "
            "--verify=witness also makes each of racy's stores an exchange that sees "
            "what it overwrote: an exact split of lost increments and decrements, for "
            "a narrower race (a locked instruction per update)");
  verify.implicit_text = "";
  verify.read = [](const std::string& text, PointConfig& c) {
    if (!text.empty() && text != "witness") {
      throw UsageError("--verify: '" + text +
                       "' is not allowed (allowed: --verify, or --verify=witness)");
    }
    c.verify = true;
    c.witness = text == "witness";
  };
  verify.show = [](const PointConfig& c) {
    return std::string(!c.verify ? "0" : c.witness ? "witness" : "1");
  };
  t.push_back(with(std::move(verify), nullptr, "verified", kIdentity));
  return t;
}

}  // namespace

std::string Setting::column_value(const PointConfig& config) const {
  return applies(config.strategy) ? show(config) : std::string();
}

std::string Setting::fingerprint_value(const PointOptions& options) const {
  return show_option ? show_option(options) : show(options.config);
}

const std::vector<Setting>& point_settings() {
  static const std::vector<Setting> kTable = [] {
    std::vector<Setting> table = make_table();
    for (Setting& s : table) {
      if (s.default_text != nullptr || s.default_note != nullptr) {
        s.help += std::string(" (default: ") +
                  (s.default_note != nullptr ? s.default_note : s.default_text) + ")";
      }
    }
    return table;
  }();
  return kTable;
}

std::vector<const Setting*> column_settings() {
  std::vector<const Setting*> out;
  for (const Setting& s : point_settings()) {
    if (s.column != nullptr) out.push_back(&s);
  }
  return out;
}

const Setting& setting(std::string_view flag) {
  for (const Setting& s : point_settings()) {
    if (s.flag != nullptr && s.flag == flag) return s;
  }
  throw std::logic_error("no setting --" + std::string(flag));
}

void read_option(const Setting& setting, const std::string& text, PointOptions& options) {
  if (setting.read_option) {
    setting.read_option(text, options);
  } else {
    setting.read(text, options.config);
  }
}

workloads::PointConfig default_point_config() {
  PointConfig config;
  for (const Setting& s : point_settings()) {
    if (s.read && s.default_text != nullptr) s.read(s.default_text, config);
  }
  return config;
}

}  // namespace refbench::harness
