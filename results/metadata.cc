#include "results/metadata.h"

#include <cerrno>
#include <cstring>
#include <fstream>

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

}  // namespace

nlohmann::ordered_json to_json(const Metadata& m) {
  nlohmann::ordered_json counters = nlohmann::ordered_json::array();
  for (const CounterProvenance& c : m.counters) {
    counters.push_back(
        {{"name", c.name}, {"event", c.event}, {"source", c.source}, {"problem", c.problem}});
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

std::filesystem::path metadata_path(const std::filesystem::path& results) {
  return beside(results, ".meta.json");
}

std::filesystem::path topology_xml_path(const std::filesystem::path& results) {
  return beside(results, ".topology.xml");
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << content;
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary);
      throw OutputError("cannot write " + temporary.string() + ": " + std::strerror(errno));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary);
    throw OutputError("cannot rename " + temporary.string() + " to " + path.string() + ": " +
                      error.message());
  }
}

}  // namespace refbench::results
