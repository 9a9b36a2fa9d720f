#include "results/metadata.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "results/csv.h"

namespace refbench::results {
namespace {

nlohmann::ordered_json optional_text(const std::optional<std::string>& text) {
  return text ? nlohmann::ordered_json(*text) : nlohmann::ordered_json(nullptr);
}

std::filesystem::path beside(const std::filesystem::path& results, const char* suffix) {
  std::filesystem::path path = results;
  path.replace_extension();
  return path.string() + suffix;
}

nlohmann::ordered_json to_json(const PlanRecord& plan) {
  return {
      {"fingerprint", plan.fingerprint},
      {"points", plan.points},
      {"shard",
       {{"index", plan.shard_index}, {"count", plan.shard_count}, {"points", plan.shard_points}}}};
}

// The value at `key` of `object`, or `otherwise` where there is none (or it is null).
template <class T>
T field(const nlohmann::json& object, const char* key, T otherwise) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return otherwise;
  return it->get<T>();
}

std::optional<std::string> optional_field(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

PlanRecord plan_from_json(const nlohmann::json& plan) {
  PlanRecord p;
  p.fingerprint = plan.at("fingerprint").get<std::string>();
  p.points = plan.at("points").get<std::size_t>();
  const nlohmann::json& shard = plan.at("shard");
  p.shard_index = shard.at("index").get<unsigned>();
  p.shard_count = shard.at("count").get<unsigned>();
  p.shard_points = shard.at("points").get<std::size_t>();
  return p;
}

Metadata from_object(const nlohmann::json& j) {
  Metadata m;
  for (auto [text, key] : {std::pair{&m.refbench_version, "refbench_version"},
                           {&m.git_commit, "git_commit"},
                           {&m.command_line, "command_line"},
                           {&m.date, "date"},
                           {&m.host, "host"},
                           {&m.cpu_model, "cpu_model"},
                           {&m.kernel, "kernel"},
                           {&m.compiler, "compiler"},
                           {&m.compiler_flags, "compiler_flags"},
                           {&m.build_type, "build_type"}}) {
    *text = field<std::string>(j, key, "");
  }
  const nlohmann::json topology = field<nlohmann::json>(j, "topology", nlohmann::json::object());
  m.topology_source = field<std::string>(topology, "source", "");
  m.topology_summary = field<std::string>(topology, "summary", "");
  m.topology_xml = field<std::string>(topology, "xml", "");
  m.pus = field<unsigned>(topology, "pus", 0);
  for (const nlohmann::json& c : field<nlohmann::json>(j, "counters", nlohmann::json::array())) {
    m.counters.push_back({field<std::string>(c, "name", ""), field<std::string>(c, "event", ""),
                          field<std::string>(c, "source", ""), field<std::string>(c, "problem", ""),
                          field<std::string>(c, "scope", ""),
                          field<std::string>(c, "meaning", "")});
  }
  const nlohmann::json frequency =
      field<nlohmann::json>(j, "cpu_frequency", nlohmann::json::object());
  m.governor = optional_field(frequency, "governor");
  m.turbo = optional_field(frequency, "turbo");
  m.frequency_note = field<std::string>(frequency, "note", "");
  if (j.contains("plan") && !j.at("plan").is_null()) m.plan = plan_from_json(j.at("plan"));
  if (j.contains("checks") && !j.at("checks").is_null()) {
    const nlohmann::json& checks = j.at("checks");
    m.checks = RunChecks{field<std::vector<std::string>>(checks, "drift", {}),
                         field<std::vector<std::string>>(checks, "harness_round_trip", {}),
                         field<std::vector<std::string>>(checks, "precision_not_reached", {}),
                         field<std::vector<std::string>>(checks, "counter_overhead", {})};
  }
  return m;
}

// Everything but the plan.
nlohmann::ordered_json machine_and_build(const Metadata& m) {
  nlohmann::ordered_json counters = nlohmann::ordered_json::array();
  for (const CounterProvenance& c : m.counters) {
    counters.push_back({{"name", c.name},
                        {"event", c.event},
                        {"source", c.source},
                        {"problem", c.problem},
                        {"scope", c.scope},
                        {"meaning", c.meaning}});
  }
  return {{"refbench_version", m.refbench_version},
          {"git_commit", m.git_commit},
          {"command_line", m.command_line},
          {"date", m.date},
          {"host", m.host},
          {"cpu_model", m.cpu_model},
          {"kernel", m.kernel},
          {"compiler", m.compiler},
          {"compiler_flags", m.compiler_flags},
          {"build_type", m.build_type},
          {"topology",
           {{"source", m.topology_source},
            {"summary", m.topology_summary},
            {"xml", m.topology_xml},
            {"pus", m.pus}}},
          {"counters", counters},
          {"cpu_frequency",
           {{"governor", optional_text(m.governor)},
            {"turbo", optional_text(m.turbo)},
            {"note", m.frequency_note}}}};
}

}  // namespace

nlohmann::ordered_json to_json(const Metadata& m) {
  nlohmann::ordered_json json = machine_and_build(m);
  if (m.plan) json["plan"] = to_json(*m.plan);
  if (m.checks) {
    json["checks"] = {{"drift", m.checks->drift},
                      {"harness_round_trip", m.checks->harness_round_trip},
                      {"precision_not_reached", m.checks->precision_not_reached},
                      {"counter_overhead", m.checks->counter_overhead}};
  }
  return json;
}

nlohmann::ordered_json to_json(const Metadata& summary, const std::vector<MergedShard>& shards,
                               const std::vector<std::string>& notes) {
  nlohmann::ordered_json merged_shards = nlohmann::ordered_json::array();
  for (const MergedShard& shard : shards) {
    merged_shards.push_back(
        {{"file", shard.file}, {"rows", shard.rows}, {"metadata", to_json(shard.metadata)}});
  }
  nlohmann::ordered_json json = to_json(summary);
  json["merged"] = {
      {"order", "the plan's: each shard is a contiguous part of it, joined in shard order"},
      {"notes", notes},
      {"shards", merged_shards}};
  return json;
}

Metadata metadata_from_json(const nlohmann::json& json, const std::string& origin) {
  if (!json.is_object())
    throw OutputError(origin + ": not a refbench metadata record (not a JSON object)");
  try {
    return from_object(json);
  } catch (const nlohmann::json::exception& e) {
    throw OutputError(origin + ": not a refbench metadata record (" + e.what() + ")");
  }
}

Metadata read_metadata(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw OutputError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded()) {
    throw OutputError(path.string() + ": not a refbench metadata record (not valid JSON)");
  }
  return metadata_from_json(json, path.string());
}

std::filesystem::path metadata_path(const std::filesystem::path& results) {
  return beside(results, ".meta.json");
}

std::filesystem::path topology_xml_path(const std::filesystem::path& results) {
  return beside(results, ".topology.xml");
}

}  // namespace refbench::results
