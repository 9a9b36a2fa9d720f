#include "workloads/vocabulary.h"

#include <span>

namespace refbench::workloads {
namespace {

template <class Enum, std::size_t N>
std::optional<Enum> parse_among(std::string_view text, const std::array<Enum, N>& all) {
  for (Enum e : all) {
    if (name(e) == text) return e;
  }
  return std::nullopt;
}

template <class Enum, std::size_t N>
std::string join_names(const std::array<Enum, N>& all) {
  std::string out;
  for (Enum e : all) {
    if (!out.empty()) out += ", ";
    out += name(e);
  }
  return out;
}

}  // namespace

std::string_view name(Strategy s) {
  switch (s) {
    case Strategy::gil:
      return "gil";
    case Strategy::racy:
      return "racy";
    case Strategy::atomic:
      return "atomic";
    case Strategy::biased:
      return "biased";
    case Strategy::civ:
      return "civ";
    case Strategy::civ_deferred:
      return "civ-deferred";
    case Strategy::immortal:
      return "immortal";
  }
  return "?";
}

std::string_view name(Workload w) {
  switch (w) {
    case Workload::stream:
      return "stream";
    case Workload::pingpong:
      return "pingpong";
    case Workload::pipeline:
      return "pipeline";
    case Workload::fanout:
      return "fanout";
    case Workload::shuffle:
      return "shuffle";
  }
  return "?";
}

std::string_view name(WaitPolicy w) {
  switch (w) {
    case WaitPolicy::spin:
      return "spin";
    case WaitPolicy::yield:
      return "yield";
    case WaitPolicy::block:
      return "block";
  }
  return "?";
}

std::optional<Strategy> parse_strategy(std::string_view text) {
  return parse_among(text, kAllStrategies);
}
std::optional<Workload> parse_workload(std::string_view text) {
  return parse_among(text, kAllWorkloads);
}
std::optional<WaitPolicy> parse_wait_policy(std::string_view text) {
  return parse_among(text, kAllWaitPolicies);
}

std::string strategy_names() { return join_names(kAllStrategies); }
std::string workload_names() { return join_names(kAllWorkloads); }
std::string wait_policy_names() { return join_names(kAllWaitPolicies); }

std::string_view name(Teardown t) { return t == Teardown::early ? "early" : "end"; }

std::optional<Teardown> parse_teardown(std::string_view text) {
  if (text == "end") return Teardown::end;
  if (text == "early") return Teardown::early;
  return std::nullopt;
}

std::string_view name(Isolation i) { return i == Isolation::process ? "process" : "thread"; }

std::optional<Isolation> parse_isolation(std::string_view text) {
  if (text == "thread") return Isolation::thread;
  if (text == "process") return Isolation::process;
  return std::nullopt;
}

std::string_view name(GilKind g) { return g == GilKind::spin ? "spin" : "cpython"; }

std::optional<GilKind> parse_gil_kind(std::string_view text) {
  return parse_among(text, kAllGilKinds);
}

std::string gil_kind_names() { return join_names(kAllGilKinds); }

std::string_view name(CpythonVersion v) {
  switch (v) {
    case CpythonVersion::v3_12:
      return "3.12";
    case CpythonVersion::v3_13:
      return "3.13";
    case CpythonVersion::main:
      return "main";
  }
  return "main";
}

std::optional<CpythonVersion> parse_cpython_version(std::string_view text) {
  return parse_among(text, kAllCpythonVersions);
}

std::string cpython_version_names() { return join_names(kAllCpythonVersions); }

std::string_view name(ViewOwner o) { return o == ViewOwner::id ? "id" : "strong"; }

std::optional<ViewOwner> parse_view_owner(std::string_view text) {
  return parse_among(text, kAllViewOwners);
}

std::string view_owner_names() { return join_names(kAllViewOwners); }

}  // namespace refbench::workloads
