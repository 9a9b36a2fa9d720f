// One row of results: a point and repetition, what was measured, and its integrity. The
// CSV columns are defined once, here, with their units in their names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace refbench::results {

// One counter of a row: summed over the point's interpreters, per message, and per role.
// Values are empty where the counter is unavailable, never 0.
struct CounterFigure {
  std::string name;    // the column prefix: "cycles", "task_clock_ns", "c2c_near"
  std::string source;  // hw, sw or unavailable
  std::optional<double> total;
  std::optional<double> per_msg;
  std::optional<double> sender_per_msg;
  std::optional<double> receiver_per_msg;
  std::optional<double> scale;  // largest multiplexing factor of its threads (1: none)
  // Why a counter the set could count has no figure in this row (a thread that could not
  // open it, a failed ioctl, a group never scheduled), else empty.
  std::string problem = "";

  // Scaled up by more than kEstimateScale: the figure is an estimate (multiplexed).
  bool estimate() const { return scale && *scale > kEstimateScale; }
  static constexpr double kEstimateScale = 1.05;
};

// One setting of a point as its row records it.
struct SettingField {
  std::string column;  // "local_work"
  std::string value;   // "4"; "" where the setting does not apply to the point's strategy
  // Part of the point's name in Google Benchmark's JSON (where it applies).
  bool names_benchmark = false;
};

struct ResultRow {
  // The point.
  std::string workload;
  std::string strategy;
  bool strategy_is_correct = true;
  unsigned interpreters = 0;
  // What placed the interpreters: a placement spec (`scatter`, an explicit list with ';' for
  // ',': "0;1;0"), `default` (run's own pairs) or `pairs:all|unordered|classes` (a sweep).
  std::string placement;
  std::string pus;  // PU OS indices in interpreter order, ';'-separated: "0;1"
  std::string distance_class;
  std::string wait_policy;
  std::string memory;  // heap placement per interpreter, ';'-separated: "local:numa0;..."
  std::string topology;
  std::string host;  // the machine that measured the row: merged shards may come from several
  unsigned repetition = 0;
  std::uint64_t payload_bytes = 0;
  // The point's settings (objects, local_work, ..., verified, teardown, view_owner, isolation),
  // each under its column, filled from the harness's table of settings (harness/settings.h): ""
  // where a setting does not apply to the strategy.
  std::vector<SettingField> settings;
  // What was measured.
  std::uint64_t messages = 0;
  std::uint64_t round_trips = 0;
  double elapsed_s = 0;
  std::optional<std::uint64_t> rtt_p50_ns;  // pingpong only
  std::optional<std::uint64_t> rtt_p99_ns;
  std::optional<std::uint64_t> rtt_max_ns;
  // A bare cache-line round trip between the sender's and the first receiver's PU, taken
  // right before the point (harness/probe.h): the distance it actually saw. None on one PU.
  std::optional<double> probe_rtt_ns;
  // Integrity.
  // Why the point has no figures (it stalled and was given up); empty when it ran.
  std::string error;
  std::uint64_t leaks = 0;
  std::uint64_t premature_frees = 0;
  std::uint64_t use_after_free = 0;
  std::uint64_t double_frees = 0;
  std::uint64_t views_left_open = 0;
  std::uint64_t resource_warnings = 0;
  std::uint64_t dropped_releases = 0;
  std::uint64_t pending_at_end = 0;  // civ-deferred: release calls made only at the end
  // Views that hold only their sender's id (view_owner id): closes that found the sender
  // finalised (a leak), and buffer reads after it was.
  std::uint64_t orphaned_releases = 0;
  std::uint64_t reads_after_owner_gone = 0;
  std::optional<std::uint64_t> lost_increments;  // with --verify only
  std::optional<std::uint64_t> lost_decrements;  // with --verify only
  // How the split into lost increments and decrements is known: "exact" or "lower_bound"
  // (racy checked against the ledger: per object only the net); "" without --verify.
  std::string lost_split;
  std::uint64_t violations = 0;
  // An error row whose integrity was still counted (an interpreter process died: what its
  // point left): it keeps leaks .. reads_after_owner_gone; violations and lost updates stay
  // empty (the kill left those references, not the strategy).
  bool integrity_counted = false;
  // Counters, in the order of the file's counter columns.
  std::vector<CounterFigure> counters;

  // The value of setting `column`, or "" if the row has none.
  const std::string& setting(std::string_view column) const;
  // What its interpreters ran as (--isolation): "thread" or "process"; "thread" for a row
  // from before the column.
  std::string isolation() const;

  double msgs_per_s() const {
    return elapsed_s > 0 ? static_cast<double>(messages) / elapsed_s : 0;
  }
  double ns_per_msg() const {
    return messages > 0 ? elapsed_s * 1e9 / static_cast<double>(messages) : 0;
  }
};

// The CSV header: stable snake_case names, units in the names; then, for each counter C,
// C (total), C_per_msg, C_sender_per_msg, C_receiver_per_msg, C_scale and C_source.
// `x` as a plain decimal (never an exponent) with `digits` significant digits, however
// small: a page fault per million messages is 0.00000123, not 0.0000.
std::string significant(double x, int digits);

std::vector<std::string> csv_header(const std::vector<std::string>& counters = {});
// Whether a column holds what was measured (a figure, a counter column) rather than a
// setting of the point (workload, strategy, pus, ..., verified, teardown, host, error).
bool is_figure(const std::string& column);
// The row's fields in header order. Figures that were not measured are empty, never 0.
std::vector<std::string> csv_fields(const ResultRow& row);

}  // namespace refbench::results
