#include "tests/sql/golden_cases.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "common/error.h"
#include "config/config.h"
#include "connectors/connector.h"
#include "engine/query_engine.h"
#include "planner/catalog.h"
#include "sql/dialect.h"
#include "tests/sql/sql_test_engine.h"

namespace fedgate::testing {

namespace {

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
    const config::GatewayConfig& config = real.config();
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

}  // namespace

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

}  // namespace fedgate::testing
