#include "harness/resume.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "harness/settings.h"
#include "harness/usage_error.h"
#include "results/csv.h"
#include "results/metadata.h"
#include "results/row.h"

namespace refbench::harness {
namespace {

namespace fs = std::filesystem;

class Resume : public testing::Test {
 protected:
  Resume()
      : topo_(pinning::Topology::load("synthetic:pack:1 core:2 pu:1")),
        counters_(CounterSet::resolve("none")),
        dir_(fs::temp_directory_path() / ("refbench-resume-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
    options_.strategies = {workloads::Strategy::gil, workloads::Strategy::civ};
    options_.workloads = {workloads::Workload::stream};
    options_.repetitions = 2;
    replan();
  }
  ~Resume() override { fs::remove_all(dir_); }

  // A CSV holding the rows of the first `done` points of the plan.
  fs::path file_with(std::size_t done, std::uint64_t objects = 1) {
    const fs::path path = dir_ / "s.csv";
    results::CsvFile csv(path, results::csv_header(), results::Opening::stream, true);
    for (std::size_t i = 0; i < done; ++i) {
      const Point& p = plan_.points[i];
      results::ResultRow r;
      r.workload = std::string(name(p.workload));
      r.strategy = std::string(name(p.strategy));
      r.interpreters = 2;
      r.pus = p.placement.pus_field();
      r.repetition = p.repetition;
      r.payload_bytes = p.payload_bytes;
      workloads::PointConfig config = point_config(options_, p);
      config.objects = objects;
      for (const Setting* s : column_settings()) {
        r.settings.push_back({s->column, s->column_value(config)});
      }
      csv.write_row(results::csv_fields(r));
    }
    csv.commit();
    return path;
  }

  void replan() {
    space_ = std::make_unique<PlanSpace>(options_, topo_, PuLists::given({{0, 1}}));
    plan_ = space_->materialize();
  }
  PlanStretch whole() const { return PlanStretch(*space_, 0, space_->size()); }

  std::string error_of(const fs::path& path) {
    try {
      points_done(path, whole(), options_, counters_);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  }

  pinning::Topology topo_;
  CounterSet counters_;
  fs::path dir_;
  PointOptions options_;
  std::unique_ptr<PlanSpace> space_;
  Plan plan_;
};

TEST_F(Resume, PointsInTheFileAreDone) {
  ASSERT_EQ(plan_.points.size(), 4u);
  EXPECT_EQ(points_done(file_with(3), whole(), options_, counters_),
            (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(points_done(file_with(0), whole(), options_, counters_), std::vector<std::size_t>{});
}

// A shard resumes on its stretch of the plan: what is done is named by its place in the
// whole plan, and what is left skips it.
TEST_F(Resume, AStretchOfThePlanKnowsWhatIsLeft) {
  options_.repetitions = 4;
  replan();
  ASSERT_EQ(space_->size(), 8u);
  const fs::path with_rows = file_with(8);
  const std::string all = [&] {
    std::ifstream in(with_rows, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  // Keep the header and the rows of points 4, 5 and 7.
  std::vector<std::string> lines;
  for (std::size_t at = 0, next; (next = all.find("\r\n", at)) != std::string::npos;
       at = next + 2) {
    lines.push_back(all.substr(at, next + 2 - at));
  }
  ASSERT_EQ(lines.size(), 9u);
  std::ofstream(with_rows, std::ios::binary) << lines[0] + lines[5] + lines[6] + lines[8];
  const PlanStretch second(*space_, 4, 8);
  const std::vector<std::size_t> done = points_done(with_rows, second, options_, counters_);
  EXPECT_EQ(done, (std::vector<std::size_t>{4, 5, 7}));
  const PlanStretch left(*space_, 4, 8, done);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.position(0), 6u);
  EXPECT_EQ(describe(left.at(0)), describe(plan_.points[6]));
  // Rows of the first shard are not points of the second.
  EXPECT_NE(
      [&] {
        try {
          points_done(file_with(2), second, options_, counters_);
        } catch (const UsageError& e) {
          return std::string(e.what());
        }
        return std::string("no error");
      }()
          .find("line 2 (stream gil PUs 0;1, placement ) is not a point of this sweep"),
      std::string::npos);
}

TEST_F(Resume, AnotherSweepsFileIsRefused) {
  EXPECT_EQ(error_of(file_with(2, 4)),
            "--resume: " + (dir_ / "s.csv").string() +
                " was made with --objects 4; this sweep has --objects 1");
  std::ofstream(dir_ / "foreign.csv") << "a,b\n1,2\n";
  EXPECT_EQ(error_of(dir_ / "foreign.csv"),
            "--resume: " + (dir_ / "foreign.csv").string() +
                " is not a refbench results CSV (needs the columns workload, strategy, pus, "
                "payload_bytes, repetition and ns_per_msg; line 1 lacks workload)");
  EXPECT_NE(error_of(dir_ / "missing.csv").find("cannot read"), std::string::npos);
  const CounterSet basic = CounterSet::resolve("basic");
  try {
    points_done(file_with(1), whole(), options_, basic);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("has other columns than this sweep writes"),
              std::string::npos);
  }
}

// --isolation thread,process: the same strategy and repetition twice, told apart by the
// row's isolation; a file of another isolation is another sweep's.
TEST_F(Resume, TheIsolationIsPartOfEachPointDone) {
  using workloads::Isolation;
  options_.isolations = {Isolation::thread, Isolation::process};
  replan();
  ASSERT_EQ(plan_.points.size(), 8u);
  EXPECT_EQ(points_done(file_with(3), whole(), options_, counters_),
            (std::vector<std::size_t>{0, 1, 2}));
  const fs::path both = file_with(8);
  options_.isolations = {Isolation::thread};
  replan();
  EXPECT_EQ(error_of(both), "--resume: " + both.string() +
                                " was made with --isolation process; this sweep has "
                                "--isolation thread");
}

TEST_F(Resume, ARowThisSweepDoesNotPlanIsRefused) {
  const fs::path path = file_with(4);
  options_.strategies = {workloads::Strategy::gil};
  replan();
  EXPECT_NE(error_of(path).find("is not a point of this sweep"), std::string::npos);
}

// A shard's file records its plan and shard beside it; resuming checks both.
TEST_F(Resume, AShardsFileIsResumedOnlyAsThatShardOfThatPlan) {
  const fs::path path = file_with(2);
  const results::PlanRecord ours{"00000000000000aa", 8, 2, 4, 4};
  // No metadata (or metadata from before sharding): the rows alone decide.
  EXPECT_EQ(shard_points_done(path, whole(), options_, counters_, ours),
            (std::vector<std::size_t>{0, 1}));
  auto write_meta = [&](const results::PlanRecord& plan) {
    results::Metadata meta;
    meta.plan = plan;
    std::ofstream(results::metadata_path(path)) << results::to_json(meta).dump(2);
  };
  write_meta(ours);
  EXPECT_EQ(shard_points_done(path, whole(), options_, counters_, ours),
            (std::vector<std::size_t>{0, 1}));
  const std::string meta = results::metadata_path(path).string();
  write_meta({"00000000000000aa", 8, 3, 4, 4});
  try {
    shard_points_done(path, whole(), options_, counters_, ours);
    FAIL() << "resumed another shard";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--resume: " + path.string() + " holds shard 3 of 4 (says " +
                                         meta + "); this sweep is shard 2 of 4");
  }
  write_meta({"00000000000000bb", 8, 2, 4, 4});
  try {
    shard_points_done(path, whole(), options_, counters_, ours);
    FAIL() << "resumed another plan";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--resume: " + path.string() + " was made for another plan (fingerprint " +
                  "00000000000000bb in " + meta +
                  "; this sweep's is 00000000000000aa): other options, or a machine of another "
                  "topology");
  }
  std::ofstream(results::metadata_path(path)) << "{ not json";
  try {
    shard_points_done(path, whole(), options_, counters_, ours);
    FAIL() << "read broken metadata";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--resume: " + meta + ": not a refbench metadata record (not valid JSON)");
  }
}

}  // namespace
}  // namespace refbench::harness
