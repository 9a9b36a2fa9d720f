#include "harness/parse.h"

#include <gtest/gtest.h>

#include <limits>

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

// Found by the fuzzer (tests/fuzz/crashes/parse): 2^64 passed the range check as a double and
// overflowed the cast to 64 bits.
TEST(ParseWhole, TakesTheWholeSixtyFourBitRangeAndNothingAbove) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(parse_whole("--x", "18446744073709551615", 0, kMax), kMax);
  EXPECT_EQ(parse_whole("--x", "1e19", 0, kMax), 10000000000000000000u);
  for (const char* bad : {"18446744073709551616", "1.8446744073709552e19", "1e20"}) {
    EXPECT_EQ(error_of([&] { parse_whole("--x", bad, 0, kMax); }),
              std::string("--x: '") + bad +
                  "' is not allowed (allowed: a whole number from 0 to 18446744073709551615)")
        << bad;
  }
}

TEST(ParseWholeNumbers, ExpandsRangesAndRefusesDuplicatesAcrossThem) {
  EXPECT_EQ(parse_whole_numbers("--x", "1,3..5,9", 0, 100),
            (std::vector<std::uint64_t>{1, 3, 4, 5, 9}));
  EXPECT_EQ(error_of([] { parse_whole_numbers("--x", "1..5,4", 0, 100); }),
            "--x: 4 is listed twice");
}

// Found by the fuzzer: a range ending at 2^64-1 wrapped around and never ended, and the cap of
// 100000 values applied per range, so many ranges made a long list checked in quadratic time.
TEST(ParseWholeNumbers, CapsTheWholeListAndStopsAtTheTopOfTheRange) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(parse_whole_numbers("--x", "18446744073709551614..18446744073709551615", 0, kMax),
            (std::vector<std::uint64_t>{kMax - 1, kMax}));
  EXPECT_EQ(parse_whole_numbers("--x", "0..99999", 0, kMax).size(), 100000u);
  EXPECT_EQ(error_of([] { parse_whole_numbers("--x", "0..99999,100000", 0, 1000000); }),
            "--x: '100000' is not allowed (allowed: ranges A..B with A <= B, at most 100000 "
            "values in all)");
  EXPECT_EQ(error_of([] { parse_whole_numbers("--x", "0..49999,50000..100000", 0, 1000000); }),
            "--x: '50000..100000' is not allowed (allowed: ranges A..B with A <= B, at most "
            "100000 values in all)");
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
            "--strategy: 'foo' is not allowed (allowed: gil, racy, atomic, biased, civ, "
            "civ-deferred, immortal, or all)");
  EXPECT_EQ(error_of([&] { parse("civ,civ"); }), "--strategy: 'civ' is listed twice");
}

}  // namespace
}  // namespace refbench::harness
