#include "results/csv.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/row.h"

namespace refbench::results {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CsvFileTest : public testing::Test {
 protected:
  CsvFileTest() : dir_(fs::temp_directory_path() / ("refbench-csv-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~CsvFileTest() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST(Csv, EscapesOnlyWhatRfc4180Requires) {
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("0;1"), "0;1");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_escape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_record({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST_F(CsvFileTest, RowsReachTheRealNameOnlyOnCommit) {
  const fs::path path = dir_ / "out.csv";
  {
    CsvFile csv(path, {"x", "y"});
    csv.write_row({"1", "2"});
    EXPECT_FALSE(fs::exists(path));
    EXPECT_EQ(slurp(path.string() + ".tmp"), "x,y\r\n1,2\r\n") << "rows are flushed as written";
    csv.commit();
  }
  EXPECT_EQ(slurp(path), "x,y\r\n1,2\r\n");
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

TEST_F(CsvFileTest, NothingIsLeftBehindWithoutCommit) {
  const fs::path path = dir_ / "abandoned.csv";
  {
    CsvFile csv(path, {"x"});
    csv.write_row({"1"});
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(CsvFileTest, AStreamWritesInPlaceAndKeepsFinishedRows) {
  const fs::path path = dir_ / "sweep.csv";
  {
    CsvFile csv(path, {"x"}, CsvFile::Mode::stream);
    csv.write_row({"1"});
    EXPECT_EQ(slurp(path), "x\r\n1\r\n") << "each row is in the file as soon as it is written";
  }  // interrupted: never committed
  EXPECT_EQ(slurp(path), "x\r\n1\r\n");
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

TEST_F(CsvFileTest, AnUnwritablePathIsAnOutputError) {
  try {
    CsvFile csv(dir_ / "missing-dir" / "out.csv", {"x"});
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("missing-dir/out.csv.tmp: No such file or directory"),
              std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(CsvFileTest, ARowMustMatchTheHeader) {
  CsvFile csv(dir_ / "x.csv", {"a", "b"});
  EXPECT_THROW(csv.write_row({"1"}), std::logic_error);
}

// The column names are a contract with users' scripts: a change here is a breaking change.
TEST(ResultRowCsv, GoldenHeaderAndRow) {
  ResultRow r;
  r.workload = "pingpong";
  r.strategy = "civ";
  r.interpreters = 2;
  r.pus = "0;1";
  r.distance_class = "shared_l3";
  r.wait_policy = "spin";
  r.memory = "first-touch;first-touch";
  r.topology = "this machine";
  r.repetition = 2;
  r.payload_bytes = 64;
  r.objects = 1;
  r.channel_capacity = 256;
  r.warmup_messages = 10000;
  r.messages = 2000;
  r.round_trips = 1000;
  r.elapsed_s = 0.0005;
  r.rtt_p50_ns = 480;
  r.rtt_p99_ns = 900;
  r.rtt_max_ns = 12000;
  r.verified = true;
  r.lost_updates = 0;
  const std::string expected = slurp(fs::path(REFBENCH_TEST_DATA_DIR) / "golden-row.csv");
  EXPECT_EQ(csv_record(csv_header()) + csv_record(csv_fields(r)), expected);
}

TEST(ResultRowCsv, UnmeasuredFiguresAreEmptyNotZero) {
  ResultRow r;
  r.workload = "stream";
  r.messages = 10;
  r.elapsed_s = 1;
  const std::vector<std::string> header = csv_header();
  const std::vector<std::string> fields = csv_fields(r);
  for (const char* column :
       {"rtt_p50_ns", "rtt_p99_ns", "rtt_max_ns", "lost_updates", "round_trips"}) {
    const auto at = std::find(header.begin(), header.end(), column) - header.begin();
    ASSERT_LT(static_cast<std::size_t>(at), header.size()) << column;
    EXPECT_EQ(fields[static_cast<std::size_t>(at)], "") << column;
  }
}

}  // namespace
}  // namespace refbench::results
