#include "tests/integration/harness_env.h"

#include <cstdlib>
#include <fstream>

#include "connectors/postgres/pg_connection.h"

namespace fedgate::testing {

const HarnessEnv& HarnessEnv::Get() {
  static const HarnessEnv env = [] {
    HarnessEnv e;
    const char* path = std::getenv("FEDGATE_HARNESS_ENV");
    const std::string how =
        " Run the suite with './run test' (or ctest), which starts the servers, or start them "
        "with 'tests/harness/sources up --dir DIR' and set FEDGATE_HARNESS_ENV=DIR/env.";
    if (path == nullptr || *path == '\0') {
      e.error_ = "FEDGATE_HARNESS_ENV is not set: this test needs the real database servers." + how;
      return e;
    }
    std::ifstream in(path);
    if (!in) {
      e.error_ = std::string("cannot read ") + path + ": the harness is not running." + how;
      return e;
    }
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos) e.values_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    for (const char* key : {"FEDGATE_PG_PORT", "FEDGATE_PG_ADMIN_PASSWORD", "FEDGATE_MARIADB_PORT",
                            "FEDGATE_SQLITE_DIR"}) {
      if (!e.values_.count(key)) e.error_ = std::string(path) + " has no " + key + "." + how;
    }
    return e;
  }();
  return env;
}

std::string HarnessEnv::Value(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? "" : it->second;
}

std::string HarnessEnv::PgConninfo() const {
  return "host=" + Value("FEDGATE_PG_HOST") + " port=" + Value("FEDGATE_PG_PORT") +
         " user=" + Value("FEDGATE_PG_ADMIN_USER") +
         " password=" + Value("FEDGATE_PG_ADMIN_PASSWORD");
}

std::string HarnessEnv::MariaDbOdbc(const std::string& database) const {
  return "Driver={MariaDB Unicode};Server=" + Value("FEDGATE_MARIADB_HOST") +
         ";Port=" + Value("FEDGATE_MARIADB_PORT") + ";Database=" + database +
         ";Uid=" + Value("FEDGATE_MARIADB_ADMIN_USER") +
         ";Pwd=" + Value("FEDGATE_MARIADB_ADMIN_PASSWORD") + ";";
}

std::string HarnessEnv::SqlitePath(const std::string& file) const {
  return Value("FEDGATE_SQLITE_DIR") + "/" + file;
}

std::string HarnessEnv::SqliteOdbc(const std::string& file) const {
  return "Driver={SQLite3};Database=" + SqlitePath(file) + ";";
}

void PgRows(const std::string& database, const std::string& sql, const RowFn& row) {
  connectors::pg::PgConnection conn(database, HarnessEnv::Get().PgConninfo(), database);
  auto r = conn.Query(sql);
  connectors::odbc::TextRow values(r.columns());
  for (int i = 0; i < r.rows(); ++i) {
    for (int c = 0; c < r.columns(); ++c) {
      values[c] = r.IsNull(i, c) ? std::nullopt : std::optional<std::string>(r.Get(i, c));
    }
    row(values);
  }
}

void MariaDbRows(const std::string& database, const std::string& sql, const RowFn& row) {
  connectors::odbc::OdbcConnection conn(database, HarnessEnv::Get().MariaDbOdbc(database));
  conn.ForEachRow(sql, row);
}

void SqliteRows(const std::string& file, const std::string& sql, const RowFn& row) {
  connectors::odbc::OdbcConnection conn(file, HarnessEnv::Get().SqliteOdbc(file));
  conn.ForEachRow(sql, row);
}

}  // namespace fedgate::testing
