// Disclosure control end to end on the harness: each case of tests/disclosure/*.test runs
// under its DSA and must return exactly the rows and marks in the file. Every cell is also
// checked against the unprotected answer (the same query with a threshold of one person):
// a cell released as computed equals it, a rounded one is its rounding, a withheld one is
// NULL — so a file cannot bless a wrong answer.
//
// Format of a case:
//   query LABEL DSA [USER]       (USER: one of tests/policy/fedgate_policy_test.yaml's; ana)
//   SQL (ORDER BY, so rows line up)
//   ----
//   one line per row: cells separated by " | "; a withheld cell is [rule], a changed one
//   "value (rule)"
//   (a blank line ends the case)

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "disclosure/arithmetic.h"
#include "planner/value.h"
#include "tests/policy/test_gateway.h"

namespace fedgate::testing {
namespace {

struct Case {
  std::string file;
  int line = 0;
  std::string label, dsa, user, sql;
  std::vector<std::string> expected;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.file << ":" << c.line << " " << c.label;
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(FEDGATE_DISCLOSURE_TEST_DIR)) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int number = 0;
    enum { kOutside, kSql, kRows } state = kOutside;
    while (std::getline(in, line)) {
      ++number;
      if (state == kOutside) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string kind;
        Case c;
        words >> kind >> c.label >> c.dsa >> c.user;
        if (c.user.empty()) c.user = "ana";
        if (kind != "query" || c.dsa.empty())
          throw std::runtime_error(path.string() + ":" + std::to_string(number) +
                                   ": expected 'query LABEL DSA [USER]'");
        c.file = path.filename().string();
        c.line = number;
        cases.push_back(std::move(c));
        state = kSql;
      } else if (state == kSql) {
        if (line == "----")
          state = kRows;
        else
          cases.back().sql += line + "\n";
      } else if (line.empty()) {
        state = kOutside;
      } else {
        cases.back().expected.push_back(line);
      }
    }
  }
  return cases;
}

std::string Text(const Column& c, size_t row) {
  return c.IsNull(row) ? "NULL" : planner::GetValue(c, row).ToString();
}

class DisclosureFile : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { gateway_ = new Gateway("disclosure-files"); }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }
  static Gateway* gateway_;
};
Gateway* DisclosureFile::gateway_ = nullptr;

TEST_P(DisclosureFile, ReleasesExactlyTheseCells) {
  const Case& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + " " + c.label);
  ASSERT_TRUE(HarnessEnv::Get().ok()) << HarnessEnv::Get().error();
  auto dsa = gateway_->registry->Get(c.dsa);
  auto r = gateway_->gate->Query(gateway_->Session(c.user, "cost-analysis"), c.dsa, c.sql);
  const size_t nc = r.columns.size();
  std::vector<std::string> actual;
  for (size_t row = 0; row < r.rows.rows; ++row) {
    std::string line;
    for (size_t k = 0; k < nc; ++k) {
      const auto rule = static_cast<disclosure::Rule>(r.disclosure.cell_rules[row * nc + k]);
      std::string cell = Text(r.rows.columns[k], row);
      if (disclosure::Withholds(rule))
        cell = "[" + std::string(disclosure::RuleName(rule)) + "]";
      else if (rule != disclosure::Rule::kNone)
        cell += " (" + std::string(disclosure::RuleName(rule)) + ")";
      line += (k ? " | " : "") + cell;
    }
    actual.push_back(line);
  }
  std::string got;
  for (const auto& l : actual) got += l + "\n";
  EXPECT_EQ(actual, c.expected) << "actual rows:\n" << got;

  // The oracle: the unprotected answer.
  engine::QueryOptions raw;
  auto rules = std::make_shared<disclosure::Rules>();
  rules->min_persons = 1;
  rules->extremes_allowed = true;
  rules->unlinked_records_count = true;  // a count of unlinkable records only: the truth too
  raw.disclosure = rules;
  raw.dsa = c.dsa;
  auto truth = gateway_->engine->Run(c.sql, raw);
  ASSERT_EQ(truth.rows.rows, r.rows.rows);
  const auto& rounding = dsa->disclosure.rounding;
  for (size_t row = 0; row < r.rows.rows; ++row) {
    for (size_t k = 0; k < nc; ++k) {
      const auto rule = static_cast<disclosure::Rule>(r.disclosure.cell_rules[row * nc + k]);
      const Column& got_col = r.rows.columns[k];
      const Column& true_col = truth.rows.columns[k];
      const std::string where = "row " + std::to_string(row) + " column " + std::to_string(k);
      if (disclosure::Withholds(rule)) {
        EXPECT_TRUE(got_col.IsNull(row)) << where << ": a withheld cell has a value";
      } else if (rule == disclosure::Rule::kNone) {
        EXPECT_EQ(Text(got_col, row), Text(true_col, row)) << where;
      } else if (rule == disclosure::Rule::kRounded && !true_col.IsNull(row)) {
        const double v = planner::GetValue(true_col, row).AsDouble();
        const double expect = static_cast<double>(
            disclosure::ApplyRounding(static_cast<int64_t>(std::llround(v)), rounding));
        EXPECT_EQ(planner::GetValue(got_col, row).AsDouble(), expect) << where;
      }
    }
  }
}

std::string Name(const ::testing::TestParamInfo<Case>& info) {
  std::string n = info.param.file.substr(0, info.param.file.find('.')) + "_" + info.param.label;
  for (char& ch : n) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Files, DisclosureFile, ::testing::ValuesIn(LoadCases()), Name);

}  // namespace
}  // namespace fedgate::testing
