// The table of a point's settings: each option of `run` and `sweep` is declared here once,
// with its flag, help, default, CSV column, the strategies it applies to and what it takes
// part in. The CLI and --help, the translation into a point's config, the row's settings
// columns, the plan fingerprint, the resume check and compare's point key all read it:
// adding a setting is one entry here plus the code that uses it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/options.h"
#include "workloads/point.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {

// What a setting takes part in, beyond the CLI (a bit mask).
enum SettingRole : unsigned {
  kNoRole = 0,
  // The plan fingerprint: the shards of one plan, and a resumed shard, must agree on it.
  kFingerprint = 1u << 0,
  // A resumed sweep's rows must hold the value given now (only with a column).
  kResumeIdentity = 1u << 1,
  // Names a point across runs (only with a column): compare pairs points by it.
  kComparedPoint = 1u << 2,
  // Names a point in Google Benchmark's JSON (its run name), where it applies.
  kBenchmarkName = 1u << 3,
};

struct Setting {
  // The option without "--"; null for a column derived from other settings, with no option.
  const char* flag = nullptr;
  const char* value_name = nullptr;  // "N", "S", ...; null for a switch, which takes no value
  // Set for an option whose value may be left out (--verify, --verify=witness): what it
  // reads when it is.
  const char* implicit_text = nullptr;
  std::string help;  // as --help shows it, its default included
  // The CSV column that records the value, or null: a plan dimension or a setting with no
  // column of its own (the plan's points, or the timing, record it).
  const char* column = nullptr;
  unsigned roles = kNoRole;
  // Which strategies it changes; for the others its column is empty and it is not checked.
  bool (*applies_to)(workloads::Strategy) = nullptr;  // null: every strategy
  // A point setting's default as one would type it (its help ends with it, or with
  // `default_note` where that says more); null: unset (a switch is off, --messages unused).
  const char* default_text = nullptr;
  const char* default_note = nullptr;
  // Reads the option's text ("" for a switch) into a point's config; throws UsageError
  // naming the flag, the value and what is allowed.
  std::function<void(const std::string& text, workloads::PointConfig& config)> read;
  // Or, for an option that shapes the plan rather than each point (strategies, payloads,
  // repetitions, ...), reads it into the options. Exactly one of the two is set.
  std::function<void(const std::string& text, PointOptions& options)> read_option;
  // The value as its column and the fingerprint record it (settings with a column or a
  // fingerprint only).
  std::function<std::string(const workloads::PointConfig& config)> show;
  // For a plan option with a column (--isolation): the value as the fingerprint records it,
  // from the options (a list); null: show(options.config).
  std::function<std::string(const PointOptions& options)> show_option;

  bool has(SettingRole role) const { return (roles & role) != 0; }
  bool applies(workloads::Strategy s) const { return applies_to == nullptr || applies_to(s); }
  // What its column holds for a point of strategy `s`: the value, or "" where it does not
  // apply.
  std::string column_value(const workloads::PointConfig& config) const;
  // What the plan fingerprint records of it.
  std::string fingerprint_value(const PointOptions& options) const;
};

// Every option of a point, in the order --help lists them.
const std::vector<Setting>& point_settings();

// The settings with a CSV column, in table order.
std::vector<const Setting*> column_settings();

// The setting of option --`flag` (a refbench bug if there is none).
const Setting& setting(std::string_view flag);

// Reads one option as the user typed it (flag without "--", text "" for a switch).
void read_option(const Setting& setting, const std::string& text, PointOptions& options);

}  // namespace refbench::harness
