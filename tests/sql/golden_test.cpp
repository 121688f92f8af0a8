// Golden deparse tests: SQL in, the exact SQL fedgate sends to each source out, one case per
// pushdown rule, including the cases that must not be pushed. The catalog comes from the
// test harness's real servers (column types from Describe); nothing is executed. The cases
// and their file format: golden_cases.h.
//
// To regenerate after an intended change: `./run golden-rewrite` (tests/sql/golden_rewrite.cpp),
// then review the diff like any other change.

#include <gtest/gtest.h>

#include "common/error.h"
#include "tests/integration/harness_env.h"
#include "tests/sql/golden_cases.h"

namespace fedgate::testing {

// gtest prints a case as its file and line (found by argument-dependent lookup, so outside
// the anonymous namespace).
void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.file << ":" << c.line;
}

namespace {

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, RemoteSql) {
  FEDGATE_REQUIRE_HARNESS();
  const GoldenCase& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + "\n" + c.sql);
  std::string actual;
  try {
    actual = Deparse(c);
  } catch (const Error& e) {
    FAIL() << "fedgate failed: " << e.what();
  }
  EXPECT_EQ(actual, c.expected);
}

INSTANTIATE_TEST_SUITE_P(Files, GoldenTest, ::testing::ValuesIn(LoadGolden()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.label;
                         });

}  // namespace
}  // namespace fedgate::testing
