// refbench under a hostile but realistic environment (issue 13): devices and FIFOs as
// --out, existing results, a second writer, signals, a full disk, thread limits, a
// restricted CPU set, malformed input. Each test runs the binary as a user would; what the
// machine cannot make (root for mknod and mount, a user to drop to) is skipped with the
// reason.
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "pinning/topology.h"
#include "tests/harness/end_to_end_support.h"

extern char** environ;

namespace {

using namespace refbench::testing_support;

// A short run: one strategy, one workload, one repetition, one PU.
constexpr const char* kShortRun =
    "run --strategy immortal --workload stream --cores 0,0 --messages 2000 --repetitions 1 ";

// One line on stderr, starting `refbench: ` and holding `what`.
void expect_one_line(const Outcome& o, const std::string& what) {
  EXPECT_EQ(o.err.rfind("refbench: ", 0), 0u) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_NE(o.err.find(what), std::string::npos) << o.err;
}

TEST_F(EndToEnd, ADeviceFifoOrDirectoryAsOutIsRefusedAndLeftAsItWas) {
  ASSERT_EQ(mkfifo((dir_ / "fifo.csv").c_str(), 0644), 0);
  fs::create_directories(dir_ / "dir.csv");
  const Outcome fifo = refbench(std::string(kShortRun) + "--out fifo.csv");
  EXPECT_EQ(fifo.status, 2);
  expect_one_line(fifo, "--out: fifo.csv is a FIFO (allowed: a regular file or a new path)");
  const Outcome dir = refbench(std::string(kShortRun) + "--out dir.csv");
  EXPECT_EQ(dir.status, 2);
  expect_one_line(dir, "--out: dir.csv is a directory");
  EXPECT_EQ(files(), (std::set<std::string>{"fifo.csv", "dir.csv"}));
  EXPECT_TRUE(fs::is_fifo(dir_ / "fifo.csv"));
  if (geteuid() != 0)
    GTEST_SKIP() << "a device node needs root (mknod); FIFO and directory checked";
  ASSERT_EQ(mknod((dir_ / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  for (const char* command : {"run --strategy immortal --workload stream --cores 0,0 --messages "
                              "2000 --repetitions 1 --out null",
                              "sweep --strategy immortal --workload stream --messages 2000 "
                              "--repetitions 1 --out null",
                              "run --strategy immortal --workload stream --cores 0,0 --messages "
                              "2000 --repetitions 1 --out null --force"}) {
    const Outcome o = refbench(command);
    EXPECT_EQ(o.status, 2) << command;
    expect_one_line(o, "--out: null is a character device (allowed: a regular file or a new path)");
    EXPECT_TRUE(fs::is_character_file(dir_ / "null")) << command << ": the device is still there";
  }
  EXPECT_EQ(files(), (std::set<std::string>{"fifo.csv", "dir.csv", "null"}));
}

TEST_F(EndToEnd, AnExistingResultIsNeverOverwrittenWithoutForce) {
  ASSERT_EQ(refbench(std::string(kShortRun) + "--out r.csv").status, 0);
  const std::string first = slurp(dir_ / "r.csv");
  const Outcome again = refbench(std::string(kShortRun) + "--out r.csv");
  EXPECT_EQ(again.status, 2);
  expect_one_line(again, "--out: r.csv exists (refbench never writes over a result): use --force");
  EXPECT_EQ(slurp(dir_ / "r.csv"), first);

  const std::string sweep =
      "sweep --strategy immortal --workload stream --messages 2000 --repetitions 1 ";
  ASSERT_EQ(refbench(sweep + "--out s.csv").status, 0);
  const std::string swept = slurp(dir_ / "s.csv");
  const Outcome sweep_again = refbench(sweep + "--out s.csv");
  EXPECT_EQ(sweep_again.status, 2);
  expect_one_line(sweep_again, "use --resume to go on or --force to replace it");
  EXPECT_EQ(slurp(dir_ / "s.csv"), swept);
  EXPECT_EQ(refbench(sweep + "--resume s.csv --force").status, 2);

  const Outcome forced = refbench(std::string(kShortRun) + "--out r.csv --force");
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(parse_csv(slurp(dir_ / "r.csv")).rows.size(), 1u);
  EXPECT_EQ(refbench(sweep + "--out s.csv --force").status, 0);
  EXPECT_EQ(files(), (std::set<std::string>{"r.csv", "r.meta.json", "r.topology.xml", "s.csv",
                                            "s.meta.json", "s.topology.xml"}));
}

// A file being written holds its lock: a second refbench writing it is refused at once and
// leaves the first one's file alone.
TEST_F(EndToEnd, AResultBeingWrittenIsLockedAgainstASecondWriter) {
  ASSERT_EQ(refbench("sweep --strategy immortal --workload stream --messages 2000 --repetitions 1 "
                     "--out s.csv")
                .status,
            0);
  const std::string before = slurp(dir_ / "s.csv");
  const int held = open((dir_ / "s.csv").c_str(), O_RDONLY);
  ASSERT_GE(held, 0);
  ASSERT_EQ(flock(held, LOCK_EX | LOCK_NB), 0);  // as a sweep appending to it does
  const auto start = std::chrono::steady_clock::now();
  const Outcome resumed = refbench(
      "sweep --strategy immortal --workload stream --messages 2000 --repetitions 1 "
      "--resume s.csv");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << "at once";
  EXPECT_EQ(resumed.status, 2);
  expect_one_line(resumed, "s.csv is being written by another refbench");
  EXPECT_EQ(slurp(dir_ / "s.csv"), before);

  // A run writes r.csv.tmp until it ends: another run to r.csv is refused meanwhile.
  std::ofstream(dir_ / "r.csv.tmp") << "partial";
  const int writing = open((dir_ / "r.csv.tmp").c_str(), O_RDONLY);
  ASSERT_EQ(flock(writing, LOCK_EX | LOCK_NB), 0);
  const Outcome run = refbench(std::string(kShortRun) + "--out r.csv");
  EXPECT_EQ(run.status, 2);
  expect_one_line(run, "r.csv.tmp is being written by another refbench");
  EXPECT_EQ(slurp(dir_ / "r.csv.tmp"), "partial");
  EXPECT_FALSE(fs::exists(dir_ / "r.csv"));
  close(writing);
  close(held);
  // Once the lock is free, a stale temporary file (a killed run's) is taken over.
  const Outcome after = refbench(std::string(kShortRun) + "--out r.csv");
  EXPECT_EQ(after.status, 0) << after.err;
  EXPECT_FALSE(fs::exists(dir_ / "r.csv.tmp"));
}

}  // namespace

namespace {

pid_t start_refbench(const fs::path& dir, const std::vector<std::string>& args) {
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

std::size_t lines_in(const fs::path& file) {
  const std::string text = slurp(file);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Sends `signal` once `file` has more than `lines` lines, and returns the exit status.
int stop_when(pid_t pid, const fs::path& file, std::size_t lines, int signal) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lines_in(file) <= lines && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, signal);
  int raw = 0;
  waitpid(pid, &raw, 0);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// SIGTERM and SIGHUP stop a sweep as Ctrl-C does: every finished row kept under the real
// name, 128 + the signal, and the command that goes on (without --force, which --resume
// refuses); a run stopped so renames its rows to --out.
TEST_F(EndToEnd, SigtermAndSighupKeepTheRowsAndSayHowToGoOn) {
  const std::vector<std::string> sweep = {"sweep",  "--strategy", "all",   "--workload",
                                          "stream", "--seconds",  "0.05",  "--repetitions",
                                          "3",      "--out",      "s.csv", "--force"};
  const int status = stop_when(start_refbench(dir_, sweep), dir_ / "s.csv", 2, SIGTERM);
  const std::string err = slurp(dir_ / "stderr.txt");
  EXPECT_EQ(status, 128 + SIGTERM) << err;
  EXPECT_NE(err.find("refbench: interrupted (SIGTERM) after"), std::string::npos) << err;
  EXPECT_NE(err.find("refbench sweep --strategy all --workload stream "
                     "--seconds 0.05 --repetitions 3 --out s.csv --resume 's.csv'"),
            std::string::npos)
      << err;
  const std::size_t kept = parse_csv(slurp(dir_ / "s.csv")).rows.size();
  EXPECT_GE(kept, 2u);
  EXPECT_EQ(lines_in(dir_ / "s.csv"), kept + 1) << "every row whole";
  const Outcome resumed = refbench(
      "sweep --strategy all --workload stream --seconds 0.05 --repetitions 3 --out s.csv "
      "--resume s.csv");
  EXPECT_EQ(resumed.status, 0) << resumed.err;

  const std::vector<std::string> run = {
      "run",       "--strategy", "all",           "--workload", "stream", "--cores", "0,0",
      "--seconds", "0.05",       "--repetitions", "3",          "--out",  "r.csv"};
  const int run_status = stop_when(start_refbench(dir_, run), dir_ / "r.csv.tmp", 2, SIGHUP);
  const std::string run_err = slurp(dir_ / "stderr.txt");
  EXPECT_EQ(run_status, 128 + SIGHUP) << run_err;
  EXPECT_NE(run_err.find("refbench: interrupted (SIGHUP) after"), std::string::npos) << run_err;
  EXPECT_FALSE(fs::exists(dir_ / "r.csv.tmp"));
  EXPECT_GE(parse_csv(slurp(dir_ / "r.csv")).rows.size(), 2u);
}

}  // namespace

namespace {

// Threads the system will not create (a pids cgroup, RLIMIT_NPROC, as in containers and
// batch jobs): the point gets an error row naming what failed, how many threads it needs
// and the limit, and the run goes on and ends; it never waits for threads that never came.
TEST_F(EndToEnd, ThreadsTheSystemRefusesFailThePointNotHangTheRun) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to run refbench as another user (nobody) under RLIMIT_NPROC: "
                    "the limit does not bind root, and as this user every process of it counts";
  }
  if (std::system("command -v setpriv >/dev/null && command -v prlimit >/dev/null") != 0) {
    GTEST_SKIP() << "needs setpriv and prlimit (util-linux) to drop to nobody with a limit";
  }
  fs::permissions(dir_, fs::perms::all);  // nobody writes its results here
  std::string cores = "0";
  for (int i = 1; i < 16; ++i) cores += ",0";
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = refbench(
      "run --workload shuffle --strategy atomic --cores " + cores +
          " --messages 100 --repetitions 2 --counters none --out r.csv",
      "timeout 120 prlimit --nproc=8:8 setpriv --reuid=65534 --regid=65534 --clear-groups ");
  EXPECT_NE(o.status, 124) << "hung at the start barrier";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  EXPECT_EQ(o.status, 1) << o.out << o.err;
  EXPECT_NE(o.err.find("could not start interpreter thread "), std::string::npos) << o.err;
  EXPECT_NE(o.err.find(" of 16: Resource temporarily unavailable; the point needs 16 interpreter "
                       "threads and a watchdog thread; the likely limit: ulimit -u 8 "
                       "(RLIMIT_NPROC"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("its row says so, and the run goes on"), std::string::npos) << o.err;
  const Csv csv = parse_csv(slurp(dir_ / "r.csv"));
  ASSERT_EQ(csv.rows.size(), 2u) << "both repetitions have their row";
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    EXPECT_EQ(csv.at(r, "ns_per_msg"), "");
  }
}

}  // namespace

namespace {

// The CPU set this process may run on (taskset, a cpuset) is "this machine": a PU outside
// it is refused naming the allowed set, defaults and sweeps use only allowed PUs, and the
// topology printout names the PUs left out.
TEST_F(EndToEnd, TheAllowedCpuSetIsThisMachine) {
  const auto topo = refbench::pinning::Topology::this_machine();
  if (!topo.has_pu(0) || !topo.has_pu(1)) {
    GTEST_SKIP() << "needs PUs 0 and 1 allowed here, to restrict to PU 0 with taskset";
  }
  if (std::system("command -v taskset >/dev/null") != 0) {
    GTEST_SKIP() << "needs taskset (util-linux) to restrict the CPU set";
  }
  const std::string restricted = "taskset -c 0 ";
  const Outcome outside =
      refbench("run --strategy immortal --workload stream --cores 0,1 --messages 2000 --out r.csv",
               restricted);
  EXPECT_EQ(outside.status, 2);
  expect_one_line(outside,
                  "--cores: PU 1 is outside the PUs this process may run on (allowed: 0; its CPU "
                  "affinity, from taskset or a cpuset)");

  const Outcome topology = refbench("topology", restricted);
  ASSERT_EQ(topology.status, 0) << topology.err;
  EXPECT_NE(topology.out.find("1 PU"), std::string::npos) << topology.out;
  EXPECT_NE(topology.out.find("not allowed to this process (its CPU affinity: taskset, a "
                              "cpuset), never planned on: PU 1"),
            std::string::npos)
      << topology.out;

  const Outcome plan = refbench("run --dry-run", restricted);
  ASSERT_EQ(plan.status, 0) << plan.err;
  EXPECT_NE(plan.out.find("PUs 0,0"), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find("PUs 0,1"), std::string::npos) << "default pairs on allowed PUs only";
  EXPECT_EQ(plan.out.find("PUs 1,"), std::string::npos) << plan.out;

  const Outcome pairs = refbench("sweep --pairs all --dry-run", restricted);
  EXPECT_EQ(pairs.status, 2);
  expect_one_line(pairs,
                  "--pairs all: this machine has 1 PU that this process may run on, and "
                  "pairs of distinct PUs need two");
  EXPECT_TRUE(files().empty());
}

}  // namespace
