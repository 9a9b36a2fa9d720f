#include "results/row.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>

#include "results/table.h"

namespace refbench::results {
namespace {

std::string number(std::uint64_t n) { return std::to_string(n); }
std::string flag(bool b) { return b ? "1" : "0"; }
std::string maybe(const std::optional<std::uint64_t>& n) { return n ? number(*n) : ""; }

}  // namespace

std::string significant(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return fixed(x, 0);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  return fixed(x, std::clamp(digits - 1 - magnitude, 0, 15));
}

namespace {

// Figures are plain decimals (fixed(): never exponents, which some CSV readers take for
// text) with a fixed number of places: nanoseconds for seconds, thousandths for ns per
// message.
struct Column {
  const char* name;
  std::function<std::string(const ResultRow&)> field;
  // A setting of the point rather than a figure: kept when a point failed.
  bool is_setting = false;
};

// The column of a setting the harness's table fills (ResultRow::settings). Its place here
// is the CSV's stable column order.
Column setting(const char* name) {
  return {name, [name](const ResultRow& r) { return r.setting(name); }, true};
}

// The columns that say which point a row is: kept when a point failed, as settings are.
Column identity(Column c) {
  c.is_setting = true;
  return c;
}

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {
      identity({"workload", [](const ResultRow& r) { return r.workload; }}),
      identity({"strategy", [](const ResultRow& r) { return r.strategy; }}),
      identity(
          {"strategy_is_correct", [](const ResultRow& r) { return flag(r.strategy_is_correct); }}),
      identity({"interpreters", [](const ResultRow& r) { return number(r.interpreters); }}),
      identity({"placement", [](const ResultRow& r) { return r.placement; }}),
      identity({"pus", [](const ResultRow& r) { return r.pus; }}),
      identity({"distance_class", [](const ResultRow& r) { return r.distance_class; }}),
      identity({"wait_policy", [](const ResultRow& r) { return r.wait_policy; }}),
      identity({"memory", [](const ResultRow& r) { return r.memory; }}),
      identity({"topology", [](const ResultRow& r) { return r.topology; }}),
      identity({"host", [](const ResultRow& r) { return r.host; }}),
      identity({"repetition", [](const ResultRow& r) { return number(r.repetition); }}),
      identity({"payload_bytes", [](const ResultRow& r) { return number(r.payload_bytes); }}),
      setting("objects"),
      setting("local_work"),
      setting("channel_capacity"),
      setting("warmup_messages"),
      setting("release_queue"),
      setting("release_batch"),
      setting("drain_interval"),
      setting("cpython"),
      setting("cpython_path"),
      setting("gil"),
      setting("switch_interval_s"),
      {"messages", [](const ResultRow& r) { return number(r.messages); }},
      {"round_trips",
       [](const ResultRow& r) { return r.round_trips ? number(r.round_trips) : ""; }},
      {"elapsed_s", [](const ResultRow& r) { return fixed(r.elapsed_s, 9); }},
      {"msgs_per_s", [](const ResultRow& r) { return fixed(r.msgs_per_s(), 1); }},
      {"ns_per_msg", [](const ResultRow& r) { return fixed(r.ns_per_msg(), 3); }},
      {"rtt_p50_ns", [](const ResultRow& r) { return maybe(r.rtt_p50_ns); }},
      {"rtt_p99_ns", [](const ResultRow& r) { return maybe(r.rtt_p99_ns); }},
      {"rtt_max_ns", [](const ResultRow& r) { return maybe(r.rtt_max_ns); }},
      {"probe_rtt_ns",
       [](const ResultRow& r) { return r.probe_rtt_ns ? fixed(*r.probe_rtt_ns, 1) : ""; }},
      setting("verified"),
      setting("teardown"),
      setting("view_owner"),
      setting("isolation"),
      {"leaks", [](const ResultRow& r) { return number(r.leaks); }},
      {"premature_frees", [](const ResultRow& r) { return number(r.premature_frees); }},
      {"use_after_free", [](const ResultRow& r) { return number(r.use_after_free); }},
      {"double_frees", [](const ResultRow& r) { return number(r.double_frees); }},
      {"views_left_open", [](const ResultRow& r) { return number(r.views_left_open); }},
      {"resource_warnings", [](const ResultRow& r) { return number(r.resource_warnings); }},
      {"dropped_releases", [](const ResultRow& r) { return number(r.dropped_releases); }},
      {"pending_at_end", [](const ResultRow& r) { return number(r.pending_at_end); }},
      {"orphaned_releases", [](const ResultRow& r) { return number(r.orphaned_releases); }},
      {"reads_after_owner_gone",
       [](const ResultRow& r) { return number(r.reads_after_owner_gone); }},
      {"lost_increments", [](const ResultRow& r) { return maybe(r.lost_increments); }},
      {"lost_decrements", [](const ResultRow& r) { return maybe(r.lost_decrements); }},
      {"lost_split", [](const ResultRow& r) { return r.lost_split; }},
      {"violations", [](const ResultRow& r) { return number(r.violations); }},
      identity({"error", [](const ResultRow& r) { return r.error; }}),
  };
  return kColumns;
}

}  // namespace

std::vector<std::string> csv_header(const std::vector<std::string>& counters) {
  std::vector<std::string> names;
  for (const Column& c : columns()) names.emplace_back(c.name);
  for (const std::string& counter : counters) {
    for (const char* suffix :
         {"", "_per_msg", "_sender_per_msg", "_receiver_per_msg", "_scale", "_source"}) {
      names.push_back(counter + suffix);
    }
  }
  return names;
}

// A point that failed (stalled) measured nothing: from `messages` to `violations` its
// figures are empty, never 0, and so are its counters.
bool is_figure(const std::string& column) {
  for (const Column& c : columns()) {
    if (c.name == column) return !c.is_setting;
  }
  return true;  // a counter column
}

const std::string& ResultRow::setting(std::string_view column) const {
  static const std::string kNone;
  for (const SettingField& s : settings) {
    if (s.column == column) return s.value;
  }
  return kNone;
}

std::string ResultRow::isolation() const {
  const std::string& value = setting("isolation");
  return value.empty() ? "thread" : value;
}

namespace {

// The columns an error row keeps when its integrity was counted (integrity_counted).
bool counted_after_error(const ResultRow& row, std::string_view column) {
  static constexpr std::array<std::string_view, 10> kCounted = {"leaks",
                                                                "premature_frees",
                                                                "use_after_free",
                                                                "double_frees",
                                                                "views_left_open",
                                                                "resource_warnings",
                                                                "dropped_releases",
                                                                "pending_at_end",
                                                                "orphaned_releases",
                                                                "reads_after_owner_gone"};
  return row.integrity_counted &&
         std::find(kCounted.begin(), kCounted.end(), column) != kCounted.end();
}

}  // namespace

std::vector<std::string> csv_fields(const ResultRow& row) {
  std::vector<std::string> fields;
  for (const Column& c : columns()) {
    const bool kept = row.error.empty() || c.is_setting || counted_after_error(row, c.name);
    fields.push_back(kept ? c.field(row) : std::string());
  }
  auto value = [](const std::optional<double>& x, int places) {
    return x ? fixed(*x, places) : std::string();
  };
  auto per_message = [](const std::optional<double>& x) {
    return x ? significant(*x, 6) : std::string();
  };
  for (const CounterFigure& f : row.counters) {
    if (!row.error.empty()) {
      fields.insert(fields.end(), 6, std::string());
      continue;
    }
    fields.push_back(value(f.total, 0));
    fields.push_back(per_message(f.per_msg));
    fields.push_back(per_message(f.sender_per_msg));
    fields.push_back(per_message(f.receiver_per_msg));
    fields.push_back(value(f.scale, 3));
    fields.push_back(f.source);
  }
  return fields;
}

}  // namespace refbench::results
