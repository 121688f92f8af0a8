// Golden deparse tests: SQL in, the exact SQL fedgate sends to each source out, one case per
// pushdown rule, including the cases that must not be pushed. The catalog comes from the
// test harness's real servers (column types from Describe); nothing is executed.
//
// File format (tests/sql/golden/*.golden):
//
//   golden LABEL [OPTIMIZER-SETTINGS]
//   SELECT ...
//   ----
//   source: SELECT ...          (one line per fragment, in plan order)
//   ====
//
// To regenerate after an intended change, run with FEDGATE_GOLDEN_REWRITE=1 and review the
// diff like any other change.
//
// No SQL Server runs here, so sqlserver.golden is planned with every source claiming the SQL
// Server dialect (their columns still described by the harness's servers).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/error.h"
#include "connectors/connector.h"
#include "engine/query_engine.h"
#include "planner/catalog.h"
#include "planner/config.h"
#include "sql/dialect.h"
#include "tests/integration/harness_env.h"
#include "tests/sql/sql_test_engine.h"

namespace fedgate::testing {
namespace {

struct GoldenCase {
  std::string file;
  int line = 0;
  std::string label;
  std::string settings;
  std::string sql;
  std::string expected;
};

std::vector<std::filesystem::path> GoldenFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(FEDGATE_SQL_TEST_DIR) + "/golden")) {
    if (e.path().extension() == ".golden") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<GoldenCase> LoadGolden() {
  std::vector<GoldenCase> cases;
  for (const auto& path : GoldenFiles()) {
    std::ifstream in(path);
    std::string line;
    int number = 0;
    enum { kIdle, kSql, kExpected } state = kIdle;
    while (std::getline(in, line)) {
      ++number;
      if (state == kIdle) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string kind, label, settings;
        words >> kind >> label >> settings;
        if (kind != "golden" || label.empty()) {
          throw std::runtime_error(path.string() + ":" + std::to_string(number) +
                                   ": expected 'golden LABEL'");
        }
        cases.push_back({path.filename().string(), number, path.stem().string() + "_" + label,
                         settings, "", ""});
        state = kSql;
      } else if (state == kSql) {
        if (line == "----") {
          state = kExpected;
        } else {
          cases.back().sql += line + "\n";
        }
      } else {
        if (line == "====") {
          state = kIdle;
        } else {
          cases.back().expected += line + "\n";
        }
      }
    }
    if (state != kIdle)
      throw std::runtime_error(path.string() + ": the last case is not closed by '===='");
  }
  return cases;
}

// A source described by another connector but planned for another dialect; nothing runs.
class DialectOverride : public connectors::Connector {
 public:
  DialectOverride(connectors::Connector& inner, const sql::Dialect& dialect)
      : inner_(inner), dialect_(dialect) {}
  const std::string& name() const override { return inner_.name(); }
  const sql::Dialect& dialect() const override { return dialect_; }
  std::vector<connectors::SourceColumn> Describe(const std::string& table) override {
    return inner_.Describe(table);
  }
  std::unique_ptr<connectors::Scan> Open(const connectors::Fragment&,
                                         const connectors::QueryContext&) override {
    throw Error(ErrorCode::kInternal, "golden tests do not run queries");
  }
  Info About() override { return {"none", std::string(dialect_.name), ""}; }

 private:
  connectors::Connector& inner_;
  const sql::Dialect& dialect_;
};

engine::QueryEngine& SqlServerEngine() {
  static std::unique_ptr<engine::QueryEngine> engine = [] {
    engine::QueryEngine& real = SqlTestEngine();
    const planner::GatewayConfig& config = real.config();
    std::map<std::string, std::unique_ptr<connectors::Connector>> connectors;
    for (const auto& [name, unused] : config.sources) {
      connectors[name] = std::make_unique<DialectOverride>(real.catalog().ConnectorFor(name),
                                                           sql::SqlServerDialect());
    }
    return std::make_unique<engine::QueryEngine>(
        config, std::make_unique<planner::Catalog>(config, std::move(connectors)));
  }();
  return *engine;
}

std::string Deparse(const GoldenCase& c) {
  engine::QueryOptions options;
  options.optimizer.Parse(c.settings);
  engine::QueryEngine& engine =
      c.file.rfind("sqlserver", 0) == 0 ? SqlServerEngine() : SqlTestEngine();
  std::string out;
  for (const auto& f : engine.Explain(c.sql, options).fragments)
    out += f.source + ": " + f.sql + "\n";
  return out;
}

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

// Not a check: rewrites the golden files from fedgate's current output when asked to.
TEST(GoldenRewrite, RewriteWhenAsked) {
  if (std::getenv("FEDGATE_GOLDEN_REWRITE") == nullptr) return;
  FEDGATE_REQUIRE_HARNESS();
  auto cases = LoadGolden();
  for (const auto& path : GoldenFiles()) {
    std::ifstream in(path);
    std::stringstream out;
    std::string line;
    bool skipping = false;
    size_t next = 0;
    while (std::getline(in, line)) {
      if (skipping) {
        if (line == "====") {
          skipping = false;
          out << "====\n";
        }
        continue;
      }
      out << line << "\n";
      if (line == "----") {
        while (cases[next].file != path.filename().string()) ++next;
        out << Deparse(cases[next++]);
        skipping = true;
      }
    }
    std::ofstream(path) << out.str();
  }
}

void PrintTo(const GoldenCase& c, std::ostream* os) {
  *os << c.file << ":" << c.line;
}

INSTANTIATE_TEST_SUITE_P(Files, GoldenTest, ::testing::ValuesIn(LoadGolden()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.label;
                         });

}  // namespace
}  // namespace fedgate::testing
