#include "harness/parse.h"

#include <gtest/gtest.h>

#include "harness/usage_error.h"
#include "workloads/vocabulary.h"

namespace refbench::harness {
namespace {

std::string error_of(auto&& call) {
  try {
    call();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ParseWhole, AcceptsPlainAndScientificWholeNumbers) {
  EXPECT_EQ(parse_whole("--messages", "1000000", 1, 1e12), 1000000u);
  EXPECT_EQ(parse_whole("--messages", "1e7", 1, 1e12), 10000000u);
  EXPECT_EQ(parse_whole("--payload", "0", 0, 100), 0u);
  EXPECT_EQ(parse_whole("--payload", "100", 0, 100), 100u);
}

TEST(ParseWhole, RejectsWithTheOptionTheValueAndTheRange) {
  EXPECT_EQ(error_of([] { parse_whole("--messages", "0", 1, 10); }),
            "--messages: '0' is not allowed (allowed: a whole number from 1 to 10)");
  for (const char* bad : {"-1", "1.5", "abc", "", "1e30", "12x", " 5", "+5", "0x10", "nan"}) {
    EXPECT_NE(error_of([&] { parse_whole("--objects", bad, 1, 1000); }), "no error") << bad;
  }
  EXPECT_EQ(error_of([] { parse_whole("--objects", "-3", 1, 10); }),
            "--objects: '-3' is not allowed (allowed: a whole number from 1 to 10)");
}

TEST(ParseSeconds, AcceptsPositiveDurations) {
  EXPECT_DOUBLE_EQ(parse_seconds("--seconds", "0.25", 100), 0.25);
  EXPECT_DOUBLE_EQ(parse_seconds("--seconds", "2", 100), 2);
  EXPECT_EQ(error_of([] { parse_seconds("--seconds", "0", 100); }),
            "--seconds: '0' is not allowed (allowed: seconds, more than 0 and at most 100)");
  for (const char* bad : {"-1", "inf", "x", "", "101"}) {
    EXPECT_NE(error_of([&] { parse_seconds("--seconds", bad, 100); }), "no error") << bad;
  }
}

TEST(SplitList, SplitsOnCommasAndRefusesEmptyItems) {
  EXPECT_EQ(split_list("--x", "a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split_list("--x", "a"), (std::vector<std::string>{"a"}));
  for (const char* bad : {"", ",", "a,", ",a", "a,,b"}) {
    EXPECT_EQ(error_of([&] { split_list("--x", bad); }),
              std::string("--x: '") + bad +
                  "' is not allowed (allowed: a comma-separated list with no empty items)")
        << bad;
  }
}

TEST(ParseNames, ExpandsAllAndRejectsUnknownsAndDuplicates) {
  using workloads::Strategy;
  auto parse = [](std::string_view text) {
    return parse_names<Strategy>("--strategy", text, workloads::parse_strategy,
                                 workloads::kAllStrategies, workloads::strategy_names());
  };
  EXPECT_EQ(parse("all").size(), workloads::kAllStrategies.size());
  EXPECT_EQ(parse("civ,gil"), (std::vector<Strategy>{Strategy::civ, Strategy::gil}));
  EXPECT_EQ(error_of([&] { parse("civ,foo"); }),
            "--strategy: 'foo' is not allowed (allowed: gil, racy, atomic, civ, immortal, or all)");
  EXPECT_EQ(error_of([&] { parse("civ,civ"); }), "--strategy: 'civ' is listed twice");
}

}  // namespace
}  // namespace refbench::harness
