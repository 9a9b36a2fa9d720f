#include "results/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "results/csv.h"

namespace refbench::results {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutputFileTest : public testing::Test {
 protected:
  OutputFileTest()
      : dir_(fs::temp_directory_path() / ("refbench-output-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~OutputFileTest() override { fs::remove_all(dir_); }
  std::string error_of(const fs::path& path, OutputFile::Mode mode, bool replace = false) {
    try {
      OutputFile file(path, mode, replace);
      return "";
    } catch (const OutputError& e) {
      return e.what();
    }
  }
  fs::path dir_;
};

TEST_F(OutputFileTest, WhatIsNotARegularFileIsRefusedAndLeftAsItWas) {
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0644), 0);
  EXPECT_EQ(error_of(dir_ / "fifo", OutputFile::Mode::whole),
            (dir_ / "fifo").string() + " is a FIFO (allowed: a regular file or a new path)");
  EXPECT_NE(error_of(dir_, OutputFile::Mode::stream, true).find("is a directory"),
            std::string::npos);
  EXPECT_TRUE(fs::is_fifo(dir_ / "fifo"));
  EXPECT_FALSE(fs::exists(dir_ / "fifo.tmp"));
  if (geteuid() != 0) GTEST_SKIP() << "a device node needs root (mknod); FIFO checked only";
  ASSERT_EQ(mknod((dir_ / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  EXPECT_NE(error_of(dir_ / "null", OutputFile::Mode::whole).find("is a character device"),
            std::string::npos);
  EXPECT_THROW(write_file_atomically(dir_ / "null", "x"), OutputError);
  EXPECT_TRUE(fs::is_character_file(dir_ / "null")) << "the device is still there";
}

TEST_F(OutputFileTest, AStreamIsNewUnlessToldToReplace) {
  std::ofstream(dir_ / "s.csv") << "old\n";
  EXPECT_NE(error_of(dir_ / "s.csv", OutputFile::Mode::stream).find("exists"), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "s.csv"), "old\n");
  {
    OutputFile file(dir_ / "s.csv", OutputFile::Mode::stream, true);
    file.write("new\n");
  }
  EXPECT_EQ(slurp(dir_ / "s.csv"), "new\n");
}

// A file being written is locked: a second writer is refused at once, and does not remove
// or truncate what the first one is writing.
TEST_F(OutputFileTest, ASecondWriterIsRefusedAtOnce) {
  OutputFile first(dir_ / "r.csv", OutputFile::Mode::whole);
  first.write("row\n");
  EXPECT_NE(error_of(dir_ / "r.csv", OutputFile::Mode::whole).find("being written by another"),
            std::string::npos);
  EXPECT_EQ(slurp(dir_ / "r.csv.tmp"), "row\n");
  {
    OutputFile stream(dir_ / "s.csv", OutputFile::Mode::stream);
    EXPECT_NE(error_of(dir_ / "s.csv", OutputFile::Mode::append).find("being written by another"),
              std::string::npos);
  }
  // Once the first writer is done, the file may be appended to again.
  EXPECT_EQ(error_of(dir_ / "s.csv", OutputFile::Mode::append), "");
}

// A write the file system refuses (here the file size limit, as a full disk would) leaves
// the file as it was before the write: never half a record.
TEST_F(OutputFileTest, AWriteThatDoesNotFitIsCutBack) {
  const fs::path path = dir_ / "s.csv";
  OutputFile file(path, OutputFile::Mode::stream);
  file.write("header\r\n");
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 20;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string error;
  try {
    file.write("a row much longer than the limit allows\r\n");
  } catch (const OutputError& e) {
    error = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  EXPECT_NE(error.find("cannot write " + path.string() + ": File too large"), std::string::npos)
      << error;
  EXPECT_EQ(slurp(path), "header\r\n");
  file.write("1\r\n");
  EXPECT_EQ(slurp(path), "header\r\n1\r\n") << "the next row follows the last whole one";
}

TEST_F(OutputFileTest, AWholeFileThatFailsLeavesNoTemporary) {
  {
    OutputFile file(dir_ / "r.json", OutputFile::Mode::whole);
    file.write("{");
  }
  EXPECT_TRUE(fs::is_empty(dir_));
  write_file_atomically(dir_ / "m.json", "{}\n");
  EXPECT_EQ(slurp(dir_ / "m.json"), "{}\n");
  EXPECT_FALSE(fs::exists(dir_ / "m.json.tmp"));
}

}  // namespace
}  // namespace refbench::results
