// Running the refbench binary as a user would, in a scratch directory, and reading what it
// wrote.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "workloads/vocabulary.h"

namespace refbench::testing_support {

namespace fs = std::filesystem;

// What `--strategy all` (the default) runs.
inline constexpr std::size_t kStrategies = workloads::kAllStrategies.size();

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class EndToEnd : public ::testing::Test {
 protected:
  EndToEnd()
      : dir_(fs::temp_directory_path() /
             ("refbench-e2e-" + std::to_string(getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::create_directories(dir_);
  }
  ~EndToEnd() override { fs::remove_all(dir_); }

  // Runs refbench with `args` (shell words) inside the test's directory; `environment`
  // ("NAME=value ") goes before the command.
  Outcome refbench(const std::string& args, const std::string& environment = "") {
    const std::string command = "cd '" + dir_.string() + "' && " + environment + "'" +
                                REFBENCH_BINARY + "' " + args + " >stdout.txt 2>stderr.txt";
    const int raw = std::system(command.c_str());
    Outcome o;
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    o.out = slurp(dir_ / "stdout.txt");
    o.err = slurp(dir_ / "stderr.txt");
    fs::remove(dir_ / "stdout.txt");
    fs::remove(dir_ / "stderr.txt");
    return o;
  }

  // Files the run left in its directory.
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      names.insert(fs::relative(entry.path(), dir_).string());
    }
    return names;
  }

  fs::path dir_;
};

// A parsed CSV: header names to their column, and the rows.
struct Csv {
  std::map<std::string, std::size_t> column;
  std::vector<std::vector<std::string>> rows;
  const std::string& at(std::size_t row, const std::string& name) const {
    return rows.at(row).at(column.at(name));
  }
};

// The harness writes no quoted fields for these runs, so splitting on commas is exact.
inline Csv parse_csv(const std::string& text) {
  Csv csv;
  std::istringstream lines(text);
  std::string line;
  bool header = true;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::istringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(cell);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    if (header) {
      for (std::size_t i = 0; i < fields.size(); ++i) csv.column[fields[i]] = i;
      header = false;
    } else {
      csv.rows.push_back(fields);
    }
  }
  return csv;
}

// Starts refbench in `dir` without waiting for it, stdout and stderr to files there.
inline pid_t start_refbench(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> words = {REFBENCH_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addopen(&actions, 1, (dir / "stdout.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, (dir / "stderr.txt").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace refbench::testing_support
