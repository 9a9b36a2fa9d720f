#include "workloads/vocabulary.h"

#include <gtest/gtest.h>

namespace refbench::workloads {
namespace {

TEST(Vocabulary, EveryNameParsesBackToItsValue) {
  for (Strategy s : kAllStrategies) EXPECT_EQ(parse_strategy(name(s)), s);
  for (Workload w : kAllWorkloads) EXPECT_EQ(parse_workload(name(w)), w);
  for (WaitPolicy p : kAllWaitPolicies) EXPECT_EQ(parse_wait_policy(name(p)), p);
  for (ViewOwner o : kAllViewOwners) EXPECT_EQ(parse_view_owner(name(o)), o);
}

TEST(Vocabulary, UnknownNamesDoNotParse) {
  EXPECT_FALSE(parse_strategy("GIL"));
  EXPECT_FALSE(parse_strategy(""));
  EXPECT_FALSE(parse_workload("fan-out"));
  EXPECT_FALSE(parse_wait_policy("auto"));
  EXPECT_FALSE(parse_view_owner("weak"));
}

TEST(Vocabulary, OnlyRacyIsIncorrect) {
  for (Strategy s : kAllStrategies) EXPECT_EQ(is_correct(s), s != Strategy::racy) << name(s);
}

TEST(Vocabulary, NameListsForMessages) {
  EXPECT_EQ(strategy_names(), "gil, racy, atomic, biased, civ, civ-deferred, immortal");
  EXPECT_EQ(workload_names(), "stream, pingpong, pipeline, fanout, shuffle");
  EXPECT_EQ(wait_policy_names(), "spin, yield, block");
  EXPECT_EQ(view_owner_names(), "strong, id");
}

}  // namespace
}  // namespace refbench::workloads
