// The differential SQL tests. Each case in tests/sql/*.test is a query; it runs through
// fedgate (over the five providers of the test harness: gp, acute and mental_health on
// PostgreSQL, social_care on MariaDB and community on SQLite, with min_persons 1) and on
// PostgreSQL alone over the reference database (every table in one database, the NHS number
// already replaced by the same pseudonym), and the two answers must
// agree. Every case runs twice: with all optimizer passes on, and with all of them off.
//
// File format (sqllogictest-like):
//
//   # a comment
//   query LABEL [ordered]
//   SELECT ...
//   ----
//
//   error LABEL
//   SELECT ...
//   ---- text the error message must contain
//
// `optimized_only` skips the run with every pass off, for queries that are only feasible
// optimized (a comma join whose WHERE makes it an equi-join, say: unoptimized it is a cross
// product of two tables). `ordered` compares rows in order (the query has an ORDER BY that fixes
// it); otherwise rows are compared as multisets. Numbers compare with a relative tolerance of 1e-9,
// since fedgate computes AVG in double precision where PostgreSQL uses numeric.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <unordered_set>

#include "common/error.h"
#include "config/config.h"
#include "connectors/agent/agent_connector.h"
#include "engine/query_engine.h"
#include "planner/value.h"
#include "tests/integration/harness_env.h"
#include "tests/sql/sql_test_engine.h"
#include "tools/result_rows.h"

namespace fedgate::testing {
namespace {

struct SqlCase {
  std::string file;
  int line = 0;
  std::string label;
  bool expect_error = false;
  bool ordered = false;
  bool optimized_only = false;
  std::string sql;
  std::string error_text;
};

std::vector<SqlCase> LoadCases() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(FEDGATE_SQL_TEST_DIR)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SqlCase> cases;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int number = 0;
    SqlCase* open = nullptr;
    while (std::getline(in, line)) {
      ++number;
      if (open) {
        if (line.rfind("----", 0) == 0) {
          open->error_text = line.size() > 5 ? line.substr(5) : "";
          open = nullptr;
        } else {
          open->sql += line + "\n";
        }
        continue;
      }
      if (line.empty() || line[0] == '#') continue;
      std::istringstream words(line);
      std::string kind, label, flag;
      words >> kind >> label;
      if ((kind != "query" && kind != "error") || label.empty()) {
        throw std::runtime_error(path.string() + ":" + std::to_string(number) +
                                 ": expected 'query LABEL' or 'error LABEL'");
      }
      SqlCase c;
      c.file = path.filename().string();
      c.line = number;
      c.label = path.stem().string() + "_" + label;
      c.expect_error = kind == "error";
      while (words >> flag) {
        if (flag == "ordered") {
          c.ordered = true;
        } else if (flag == "optimized_only") {
          c.optimized_only = true;
        } else {
          throw std::runtime_error(path.string() + ":" + std::to_string(number) +
                                   ": unknown flag " + flag);
        }
      }
      cases.push_back(std::move(c));
      open = &cases.back();
    }
    if (open) throw std::runtime_error(path.string() + ": the last case has no '----' line");
  }
  return cases;
}

// With FEDGATE_SQL_TEST_INSPECT_AGENT_BATCHES set (the runs with sources behind agents), every
// batch the gateway receives from an agent is searched, as received, for the NHS numbers the
// providers hold (any run of ten digits, spaces or hyphens allowed between them, checked against
// all of them); a case fails when one turns up.
struct AgentBatchInspection {
  std::unordered_set<std::string> numbers;  // digits only
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> found{0};
  std::mutex mu;
  std::string first;

  void Inspect(const std::string& source, const agent::wire::Batch& batch) {
    ++batches;
    for (const auto& column : batch.columns) {
      const std::string& d = column.data;
      std::string digits;
      auto flush = [&] {
        for (size_t i = 0; i + 10 <= digits.size(); ++i) {
          if (numbers.count(digits.substr(i, 10))) {
            ++found;
            std::lock_guard lock(mu);
            if (first.empty()) first = source + ": " + digits;
          }
        }
        digits.clear();
      };
      for (size_t i = 0; i < d.size(); ++i) {
        const char c = d[i];
        if (c >= '0' && c <= '9') {
          digits += c;
        } else if ((c == ' ' || c == '-') && !digits.empty()) {
          continue;
        } else {
          flush();
        }
      }
      flush();
    }
  }
};

AgentBatchInspection* Inspection() {
  static AgentBatchInspection* inspection = []() -> AgentBatchInspection* {
    if (!std::getenv("FEDGATE_SQL_TEST_INSPECT_AGENT_BATCHES")) return nullptr;
    auto* in = new AgentBatchInspection;
    auto add = [in](const connectors::odbc::TextRow& r) {
      if (!r[0]) return;
      std::string digits;
      for (char c : *r[0])
        if (c >= '0' && c <= '9') digits += c;
      if (digits.size() == 10) in->numbers.insert(digits);
    };
    PgRows("gp", "SELECT nhs_number FROM patients", add);
    PgRows("acute", "SELECT nhs_number FROM admissions UNION SELECT nhs_number FROM outpatients",
           add);
    PgRows("mental_health", "SELECT nhs_number FROM referrals", add);
    MariaDbRows("social_care", "SELECT nhs_number FROM clients", add);
    SqliteRows("community.db", "SELECT DISTINCT nhs_number FROM contacts", add);
    // The search finds what it looks for: one of the numbers, written as acute writes them.
    if (!in->numbers.empty()) {
      const std::string n = *in->numbers.begin();
      agent::wire::Batch probe;
      probe.columns.resize(1);
      probe.columns[0].data = "x" + n.substr(0, 3) + " " + n.substr(3, 3) + " " + n.substr(6) + "y";
      in->Inspect("probe", probe);
      if (in->found != 1) throw std::runtime_error("the batch inspection does not work");
      in->found = 0;
      in->first.clear();
      in->batches = 0;
    }
    agent::SetReceivedBatchInspector(
        [in](const std::string& source, const agent::wire::Batch& b) { in->Inspect(source, b); });
    return in;
  }();
  return inspection;
}

// At the end of an inspected run: batches were in fact inspected.
class InspectionCheck : public ::testing::Environment {
 public:
  void TearDown() override {
    if (std::getenv("FEDGATE_SQL_TEST_INSPECT_AGENT_BATCHES") && Inspection()) {
      EXPECT_GT(Inspection()->batches.load(), 0) << "no batch from an agent was inspected";
      std::cout << "inspected " << Inspection()->batches.load()
                << " batches from agents: no NHS number in any\n";
    }
  }
};
const auto* const kInspectionCheck = ::testing::AddGlobalTestEnvironment(new InspectionCheck);

using tools::Row;

class SqlTest : public ::testing::TestWithParam<std::tuple<SqlCase, bool>> {};

TEST_P(SqlTest, MatchesReference) {
  FEDGATE_REQUIRE_HARNESS();
  const auto& [c, optimized] = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + "\n" + c.sql);
  engine::QueryOptions options;
  if (!optimized) options.optimizer.Set("all", false);

  if (c.expect_error) {
    try {
      SqlTestEngine().Run(c.sql, options);
      FAIL() << "expected an error containing '" << c.error_text << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.error_text), std::string::npos)
          << "error was: " << e.what() << " (" << ErrorCodeName(e.code()) << ")";
    }
    return;
  }

  AgentBatchInspection* inspection = Inspection();
  if (inspection) {
    ASSERT_GT(inspection->numbers.size(), 1000u);
  }
  engine::QueryResult result;
  try {
    result = SqlTestEngine().Run(c.sql, options);
  } catch (const Error& e) {
    FAIL() << "fedgate failed: " << e.what();
  }
  if (inspection) {
    ASSERT_EQ(inspection->found.load(), 0)
        << "an NHS number arrived in a batch from an agent (" << inspection->first << ")";
  }
  ASSERT_EQ(result.disclosure.suppressed_rows, 0)
      << "rows were suppressed with min_persons 1 (a group of 0 persons)";
  std::vector<Row> actual = tools::RowsOf(result);
  std::vector<Row> expected;
  PgRows("reference", c.sql,
         [&](const connectors::odbc::TextRow& row) { expected.push_back(row); });

  std::string difference = tools::FirstDifference(std::move(actual), std::move(expected), c.ordered,
                                                  "fedgate", "PostgreSQL");
  EXPECT_EQ(difference, "");
}

void PrintTo(const SqlCase& c, std::ostream* os) {
  *os << c.file << ":" << c.line;
}

std::string CaseName(const ::testing::TestParamInfo<std::tuple<SqlCase, bool>>& info) {
  return std::get<0>(info.param).label + (std::get<1>(info.param) ? "" : "_unoptimized");
}

std::vector<std::tuple<SqlCase, bool>> AllRuns() {
  std::vector<std::tuple<SqlCase, bool>> out;
  for (const auto& c : LoadCases()) {
    out.emplace_back(c, true);
    if (!c.optimized_only) out.emplace_back(c, false);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Files, SqlTest, ::testing::ValuesIn(AllRuns()), CaseName);

}  // namespace
}  // namespace fedgate::testing
