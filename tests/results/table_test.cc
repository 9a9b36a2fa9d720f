#include "results/table.h"

#include <gtest/gtest.h>

namespace refbench::results {
namespace {

TEST(TextTable, PadsColumnsAndAlignsNumbersRight) {
  TextTable t({"<name", "ns", "<note"});
  t.add_row({"atomic", "12.5", "ok"});
  t.add_row({"gil", "301.0", ""});
  EXPECT_EQ(t.render(1),
            " name       ns  note\n"
            " ------  -----  ----\n"
            " atomic   12.5  ok\n"
            " gil     301.0\n");
}

TEST(TextTable, MissingCellsAreBlank) {
  TextTable t({"a", "b"});
  t.add_row({"1"});
  EXPECT_EQ(t.render(0), "a  b\n-  -\n1\n");
}

}  // namespace
}  // namespace refbench::results
