#include "results/csv.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(CsvRead, ParsesWhatTheWriterWrites) {
  const std::string text = csv_record({"a", "b,c", "say \"hi\"", "two\nlines", ""}) +
                           csv_record({"1", "2", "3", "4", "5"});
  const CsvTable t = parse_csv(text, "test");
  EXPECT_EQ(t.header, (std::vector<std::string>{"a", "b,c", "say \"hi\"", "two\nlines", ""}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(t.column("b,c"), 1);
  EXPECT_EQ(t.column("missing"), -1);
  EXPECT_EQ(parse_csv("x,y\n1,2\n", "lf").rows.size(), 1u) << "LF line ends too";
}

TEST(CsvRead, MalformedRecordsNameTheLine) {
  try {
    parse_csv("a,b\r\n1,\"open\r\n", "f.csv");
    FAIL();
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), "f.csv: line 2: a quoted field never ends");
  }
  try {
    parse_csv("a,b\r\n1,x\"y\r\n", "f.csv");
    FAIL();
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), "f.csv: line 2: a quote inside an unquoted field");
  }
  EXPECT_THROW(read_csv("/no/such/file.csv"), OutputError);
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
    CsvFile csv(path, {"x"}, Opening::stream);
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
  r.placement = "0;1";  // run --cores 0,1
  r.pus = "0;1";
  r.distance_class = "shared_l3";
  r.wait_policy = "spin";
  r.memory = "first-touch;first-touch";
  r.topology = "this machine";
  r.host = "bench-host";
  r.repetition = 2;
  r.payload_bytes = 64;
  r.settings = {{"objects", "1"},
                {"local_work", "0"},
                {"channel_capacity", "256"},
                {"warmup_messages", "10000"},
                {"gil", "cpython"},
                {"switch_interval_s", "0.005"},
                {"verified", "1"},
                {"teardown", "end"},
                {"view_owner", "strong"},
                {"isolation", "thread"}};
  r.messages = 2000;
  r.round_trips = 1000;
  r.elapsed_s = 0.0005;
  r.rtt_p50_ns = 480;
  r.rtt_p99_ns = 900;
  r.rtt_max_ns = 12000;
  r.lost_increments = 0;
  r.lost_decrements = 0;
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
  for (const char* column : {"rtt_p50_ns", "rtt_p99_ns", "rtt_max_ns", "lost_increments",
                             "lost_decrements", "round_trips"}) {
    const auto at = std::find(header.begin(), header.end(), column) - header.begin();
    ASSERT_LT(static_cast<std::size_t>(at), header.size()) << column;
    EXPECT_EQ(fields[static_cast<std::size_t>(at)], "") << column;
  }
}

TEST(ResultRowCsv, CounterFiguresKeepSixSignificantDigitsHoweverSmall) {
  ResultRow r;
  r.messages = 1000000;
  r.elapsed_s = 1;
  r.counters = {{"page_faults", "sw", 3, 3e-6, 0.0000012345678, 0.0000017, 1},
                {"cycles", "hw", 412345678, 412.345678, 200, 212.3456789, 1.5},
                {"instructions", "unavailable", {}, {}, {}, {}, {}}};
  const std::vector<std::string> header = csv_header({"page_faults", "cycles", "instructions"});
  const std::vector<std::string> fields = csv_fields(r);
  ASSERT_EQ(header.size(), fields.size());
  const auto field = [&](const std::string& column) {
    return fields[static_cast<std::size_t>(std::find(header.begin(), header.end(), column) -
                                           header.begin())];
  };
  EXPECT_EQ(field("page_faults"), "3");
  EXPECT_EQ(field("page_faults_per_msg"), "0.00000300000");
  EXPECT_EQ(field("page_faults_sender_per_msg"), "0.00000123457");
  EXPECT_EQ(field("cycles_per_msg"), "412.346");
  EXPECT_EQ(field("cycles_sender_per_msg"), "200.000");
  EXPECT_EQ(field("cycles_scale"), "1.500");
  EXPECT_EQ(field("instructions_per_msg"), "");
  EXPECT_EQ(field("instructions_source"), "unavailable");
}

}  // namespace
}  // namespace refbench::results
