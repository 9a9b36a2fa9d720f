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
#include <cstring>
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
  EXPECT_EQ(files(),
            (std::set<std::string>{"r.csv", "r.meta.json", "r.ratios.csv", "r.topology.xml",
                                   "s.csv", "s.meta.json", "s.ratios.csv", "s.topology.xml"}));
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

namespace {

// The text of `csv` with line `n` (1-based, the header is 1) replaced by `with`.
std::string with_line(const std::string& csv, std::size_t n, const std::string& with) {
  std::istringstream in(csv);
  std::string out;
  std::size_t at = 1;
  for (std::string line; std::getline(in, line); ++at) out += (at == n ? with : line) + "\n";
  return out;
}

std::string line_of(const std::string& csv, std::size_t n) {
  std::istringstream in(csv);
  std::string line;
  for (std::size_t at = 1; at <= n; ++at) std::getline(in, line);
  return line;
}

// compare, merge, plot and --resume read results strictly: every malformed file is one line,
// exit 2, naming the file, the line and the field; never a raw C++ message.
TEST_F(EndToEnd, EveryReaderRefusesAMalformedResultsFileOnOneLine) {
  const std::string sweep =
      "sweep --strategy immortal,atomic --workload stream --messages 2000 --repetitions 1 "
      "--counters none ";
  ASSERT_EQ(refbench(sweep + "--out good.csv").status, 0);
  const std::string good = slurp(dir_ / "good.csv");
  const std::string row = line_of(good, 2);  // "stream,immortal,...\r"
  const std::string header = line_of(good, 1);
  auto swapped = header;
  swapped.replace(0, std::string("workload,strategy").size(), "strategy,workload");
  auto not_number = row;
  // ns_per_msg is the first figure: replace the row's figure by text via the header's index.
  std::vector<std::string> fields;
  std::istringstream cells(row);
  for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(cell);
  std::vector<std::string> names;
  std::istringstream labels(header);
  for (std::string cell; std::getline(labels, cell, ',');) names.push_back(cell);
  const auto ns =
      static_cast<std::size_t>(std::find(names.begin(), names.end(), "ns_per_msg") - names.begin());
  ASSERT_LT(ns, fields.size());
  fields[ns] = "abc";
  not_number.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) not_number += (i ? "," : "") + fields[i];

  const std::string next_line = "line " + std::to_string(parse_csv(good).rows.size() + 2);
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"number.csv",
       {with_line(good, 2, not_number),
        "line 2: field ns_per_msg: 'abc' is not a "
        "number"}},
      {"short.csv",
       {with_line(good, 2, "stream,immortal,1\r"), "line 2: 3 fields; the header has"}},
      {"extra.csv",
       {with_line(good, 2, row.substr(0, row.size() - 1) + ",x\r"),
        "line 2: " + std::to_string(names.size() + 1) + " fields; the header has " +
            std::to_string(names.size())}},
      {"swapped.csv",
       {with_line(good, 1, swapped),
        "line 2: field workload: 'immortal' is not a "
        "workload"}},
      {"twice.csv", {good + row + "\n", next_line + ": the same point (stream immortal PUs"}},
      {"cut.csv", {good + row.substr(0, 20), next_line + ": the last row is cut short"}},
  };
  for (const auto& [name, content] : cases) {
    std::ofstream(dir_ / name, std::ios::binary) << content.first;
    for (const std::string& command :
         {"compare good.csv " + name, "merge " + name + " --out m-" + name, "plot " + name}) {
      const Outcome o = refbench(command);
      EXPECT_EQ(o.status, 2) << command;
      expect_one_line(o, name + ": " + content.second);
      EXPECT_EQ(o.err.find("stod"), std::string::npos) << o.err;
    }
  }
  // --resume reads the same way (a cut row aside: see the resume test).
  fs::copy_file(dir_ / "twice.csv", dir_ / "resume.csv");
  fs::copy_file(dir_ / "good.meta.json", dir_ / "resume.meta.json");
  const Outcome resumed = refbench(sweep + "--resume resume.csv");
  EXPECT_EQ(resumed.status, 2);
  expect_one_line(resumed, "--resume: resume.csv: " + next_line + ": the same point");
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().rfind("m-", 0), std::string::npos)
        << "nothing written: " << entry.path();
  }
}

// Paths that cannot be written are one line, exit 2, and leave nothing behind.
TEST_F(EndToEnd, UnwritablePathsAreOneLineAndLeaveNothing) {
  const Outcome long_name =
      refbench(std::string(kShortRun) + "--out " + std::string(300, 'x') + ".csv");
  EXPECT_EQ(long_name.status, 2);
  expect_one_line(long_name, "File name too long");
  std::ofstream(dir_ / "results") << "a file where the results directory would go";
  const Outcome no_dir = refbench(kShortRun);
  EXPECT_EQ(no_dir.status, 2);
  expect_one_line(no_dir, "--out: cannot make the directory results for the results");
  EXPECT_EQ(no_dir.err.find("filesystem error"), std::string::npos);
  EXPECT_EQ(files(), (std::set<std::string>{"results"}));
  // A value holding a line break is shown escaped: the message stays one line.
  const Outcome newline = refbench("compare $'a\\nb.csv' other.csv");
  EXPECT_EQ(newline.status, 2);
  expect_one_line(newline, "a\\nb.csv");
}

// stdout that cannot be written fails the command; a pipe closed by its reader ends it
// quietly.
TEST_F(EndToEnd, StdoutWriteErrorsFailAndAClosedPipeIsQuiet) {
  const int full = std::system(
      ("cd '" + dir_.string() + "' && '" + REFBENCH_BINARY + "' run --dry-run >/dev/full 2>err.txt")
          .c_str());
  EXPECT_EQ(WEXITSTATUS(full), 1);
  EXPECT_EQ(slurp(dir_ / "err.txt"), "refbench: cannot write to stdout: No space left on device\n");
  const int piped = std::system(("cd '" + dir_.string() + "' && '" + REFBENCH_BINARY +
                                 "' sweep --pairs all --payload 1..300 --dry-run 2>err.txt | "
                                 "head -1 >/dev/null")
                                    .c_str());
  EXPECT_EQ(WEXITSTATUS(piped), 0);
  EXPECT_EQ(slurp(dir_ / "err.txt"), "") << "quiet";
}

// A disk that fills mid-sweep (a 16 KiB tmpfs): the run fails with a true message, the
// file holds only whole rows, no temporary is left, and --resume on the grown disk ends it.
TEST_F(EndToEnd, AFullDiskKeepsWholeRowsAndResumeEndsTheSweep) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  const fs::path small = dir_ / "small";
  fs::create_directories(small);
  if (mount("tmpfs", small.c_str(), "tmpfs", 0, "size=16k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  struct Unmount {
    fs::path at;
    ~Unmount() { umount2(at.c_str(), MNT_DETACH); }
  } unmount{small};
  const std::string sweep =
      "sweep --strategy immortal,atomic,civ,gil,biased --workload stream,pingpong "
      "--messages 2000 --repetitions 2 --counters none ";
  const Outcome full = refbench(sweep + "--out small/s.csv");
  EXPECT_EQ(full.status, 1) << full.err;
  const std::string kept = slurp(small / "s.csv");
  const std::size_t rows = parse_csv(kept).rows.size();
  ASSERT_GT(rows, 0u) << full.err;
  ASSERT_LT(rows, 40u) << "the disk should have filled before the sweep ended";
  EXPECT_NE(full.err.find("No space left on device; the " + std::to_string(rows) +
                          " rows finished before it are in small/s.csv"),
            std::string::npos)
      << full.err;
  EXPECT_EQ(kept.substr(kept.size() - 2), "\r\n") << "only whole rows";
  for (const auto& entry : fs::directory_iterator(small))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
  ASSERT_EQ(mount("tmpfs", small.c_str(), "tmpfs", MS_REMOUNT, "size=1m"), 0);
  const Outcome resumed = refbench(sweep + "--resume small/s.csv");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  const std::string after = slurp(small / "s.csv");
  EXPECT_EQ(parse_csv(after).rows.size(), 40u);
  EXPECT_EQ(after.substr(0, kept.size()), kept) << "the finished rows are kept as they were";
}

// A sweep killed mid-row (SIGKILL, a full disk) leaves a last row cut short: --resume says
// so, removes it, runs its point again, and the file ends whole.
TEST_F(EndToEnd, ResumeTrimsALastRowCutShortWithANote) {
  const std::string sweep =
      "sweep --strategy immortal,atomic,civ --workload stream --messages 2000 --repetitions 1 "
      "--counters none ";
  ASSERT_EQ(refbench(sweep + "--out s.csv").status, 0);
  const std::string whole = slurp(dir_ / "s.csv");
  const Csv all = parse_csv(whole);
  // Drop the last row and leave half of it, as a killed writer would.
  const std::size_t last = whole.rfind('\n', whole.size() - 2) + 1;
  std::ofstream(dir_ / "s.csv", std::ios::binary) << whole.substr(0, last) + whole.substr(last, 25);
  const Outcome dry = refbench(sweep + "--resume s.csv --dry-run");
  EXPECT_EQ(dry.status, 0) << dry.err;
  EXPECT_NE(dry.err.find("is a row cut short"), std::string::npos) << dry.err;
  const Outcome resumed = refbench(sweep + "--resume s.csv");
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_NE(
      resumed.err.find("refbench: --resume: s.csv line " + std::to_string(all.rows.size() + 1) +
                       " is a row cut short (its writer was killed, or the disk was full); "
                       "removed it; its point runs again"),
      std::string::npos)
      << resumed.err;
  const std::string after = slurp(dir_ / "s.csv");
  EXPECT_EQ(parse_csv(after).rows.size(), all.rows.size());
  EXPECT_EQ(after.substr(0, last), whole.substr(0, last));
  EXPECT_EQ(after.substr(after.size() - 2), "\r\n");
}

}  // namespace
