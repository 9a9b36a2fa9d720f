// --isolation process through the binary: the rows say so, and a killed interpreter process
// is an error row, not a hang.
#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/end_to_end_support.h"
#include "tests/thread_sanitizer.h"

namespace {

using namespace refbench::testing_support;

std::vector<std::string> dev_shm() {
  std::vector<std::string> names;
  if (DIR* dir = opendir("/dev/shm")) {
    while (dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
  }
  return names;
}

// The processes whose parent is `parent`, from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  if (DIR* proc = opendir("/proc")) {
    while (dirent* entry = readdir(proc)) {
      const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
      if (pid <= 0) continue;
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      // pid (comm) state ppid ...: comm may hold spaces, so read from its closing paren.
      std::istringstream rest(line.substr(line.rfind(')') + 2));
      char state = 0;
      pid_t ppid = 0;
      rest >> state >> ppid;
      if (ppid == parent) children.push_back(pid);
    }
    closedir(proc);
  }
  return children;
}

// Whether `pid` still runs: not gone, and not a zombie nobody has reaped yet (whoever
// inherits an orphan reaps it, or not, in its own time).
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  return line.substr(line.rfind(')') + 2, 1) != "Z";
}

template <class Condition>
bool within(std::chrono::seconds limit, Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Every strategy, stream and pingpong, each interpreter a process: verified, no violation
// but racy's, and every row records its isolation.
TEST_F(EndToEnd, EveryStrategyRunsAsProcessesVerified) {
  SKIP_UNDER_TSAN();
  const Outcome o = refbench(
      "run --strategy all --workload stream,pingpong --cores 0,1 --messages 3000 --warmup 100 "
      "--wait yield --repetitions 1 --verify --counters none --isolation process --out p.csv");
  const Csv csv = parse_csv(slurp(dir_ / "p.csv"));
  ASSERT_EQ(csv.rows.size(), 14u) << o.err;
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    EXPECT_EQ(csv.at(r, "isolation"), "process");
    // Where each heap went, as each interpreter process bound it, came back.
    EXPECT_NE(csv.at(r, "memory"), "");
    EXPECT_EQ(csv.at(r, "error"), "") << csv.at(r, "strategy");
    if (csv.at(r, "strategy") != "racy") {
      EXPECT_EQ(csv.at(r, "violations"), "0") << csv.at(r, "strategy");
    }
  }
  // racy may lose updates (exit 1 for a violation is racy's alone: it is not "correct").
  EXPECT_TRUE(o.status == 0) << o.err;
}

// compare pairs each point run as threads with the same point run as processes: B/A is
// process over thread.
TEST_F(EndToEnd, CompareGivesProcessOverThreadPerPoint) {
  SKIP_UNDER_TSAN();
  for (const char* isolation : {"thread", "process"}) {
    const Outcome o = refbench(
        std::string("run --strategy atomic,immortal --workload pingpong --cores 0,1 --messages "
                    "2000 --wait yield --repetitions 2 --counters none --isolation ") +
        isolation + " --out " + isolation + ".csv");
    ASSERT_EQ(o.status, 0) << o.err;
  }
  const Outcome compared = refbench("compare thread.csv process.csv");
  ASSERT_EQ(compared.status, 0) << compared.err;
  EXPECT_NE(compared.out.find("2 points in both; 0 only in A, 0 only in B"), std::string::npos)
      << compared.out;
}

// REFBENCH_INJECT_KILL: interpreter 1 of civ's points SIGKILLs itself as its timed phase
// starts. The point gets an error row naming the process and the signal, with what it left
// in its integrity columns: under civ every reference nothing will release is a view the
// sender opened and the dead receiver never closed (how many depends on how far the sender
// got before it was stopped), and nothing was freed twice. Its violations stay empty (the
// kill left them, not the strategy). The other strategy's points are measured, the run ends
// (exit 1), and nothing is left in /dev/shm. (process_test.cc counts exactly what a kill at
// a known point leaves.)
TEST_F(EndToEnd, AKilledInterpreterProcessGetsAnErrorRowAndTheRunGoesOn) {
  SKIP_UNDER_TSAN();
  const std::vector<std::string> before = dev_shm();
  const Outcome o = refbench(
      "run --strategy atomic,civ --workload stream --cores 0,1 --messages 20000 --wait yield "
      "--repetitions 2 --counters none --isolation process --out k.csv",
      "REFBENCH_INJECT_KILL=civ ");
  EXPECT_EQ(o.status, 1) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "k.csv"));
  ASSERT_EQ(csv.rows.size(), 4u) << o.err;
  for (std::size_t r = 0; r < 4; ++r) {
    if (csv.at(r, "strategy") == "civ") {
      const std::string error = csv.at(r, "error");
      EXPECT_NE(error.find("interpreter process 1 (pid "), std::string::npos) << error;
      EXPECT_NE(error.find("killed by signal 9 (SIGKILL)"), std::string::npos) << error;
      EXPECT_NE(error.find("left behind: "), std::string::npos) << error;
      EXPECT_EQ(csv.at(r, "ns_per_msg"), "");
      const std::uint64_t leaks = std::stoull(csv.at(r, "leaks"));
      const std::uint64_t open = std::stoull(csv.at(r, "views_left_open"));
      EXPECT_EQ(leaks > 0, open > 0) << error;
      EXPECT_EQ(csv.at(r, "double_frees"), "0");
      EXPECT_EQ(csv.at(r, "premature_frees"), "0");
      EXPECT_EQ(csv.at(r, "use_after_free"), "0");
      EXPECT_EQ(csv.at(r, "violations"), "");
    } else {
      EXPECT_EQ(csv.at(r, "error"), "");
      EXPECT_EQ(csv.at(r, "messages"), "20000");
    }
  }
  EXPECT_EQ(dev_shm(), before);
}

// refbench itself killed with SIGKILL mid-point: its interpreter processes go with it
// (PR_SET_PDEATHSIG), and the region, a memfd, leaves nothing in /dev/shm.
TEST_F(EndToEnd, RefbenchKilledTakesItsInterpreterProcessesWithIt) {
  SKIP_UNDER_TSAN();
  const std::vector<std::string> before = dev_shm();
  const std::string out = (dir_ / "k.csv").string();
  std::vector<std::string> words = {
      REFBENCH_BINARY, "run",  "--strategy",  "atomic",  "--workload",    "pingpong",
      "--cores",       "0,1",  "--seconds",   "60",      "--repetitions", "1",
      "--counters",    "none", "--isolation", "process", "--out",         out};
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t refbench_pid = 0;
  ASSERT_EQ(posix_spawn(&refbench_pid, REFBENCH_BINARY, &quiet, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&quiet);

  std::vector<pid_t> interpreters;
  const bool started = within(std::chrono::seconds(60), [&] {
    interpreters = children_of(refbench_pid);
    return interpreters.size() == 2;
  });
  kill(refbench_pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(refbench_pid, &status, 0), refbench_pid);
  ASSERT_TRUE(started) << "the point's two interpreter processes never appeared";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(within(std::chrono::seconds(10), [&] {
    for (pid_t pid : interpreters) {
      if (running(pid)) return false;
    }
    return true;
  })) << "an interpreter process outlived refbench";
  for (pid_t pid : interpreters) {
    if (running(pid)) kill(pid, SIGKILL);  // the test failed: do not leave them spinning
  }
  EXPECT_EQ(dev_shm(), before);
}

}  // namespace
