#pragma once

#include <functional>
#include <map>
#include <string>

#include "connectors/odbc/odbc_connection.h"

namespace fedgate::testing {

// The connection settings the test harness (tests/harness/sources) printed. Integration
// tests read them from the file named by FEDGATE_HARNESS_ENV, which ctest sets; a test run
// without the harness fails with a message saying how to start it, never skips.
class HarnessEnv {
 public:
  // Loads the file or records why it could not; check ok() / error().
  static const HarnessEnv& Get();

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string Value(const std::string& key) const;

  // libpq conninfo of the PostgreSQL server as its admin user, for `database`.
  std::string PgConninfo() const;
  // ODBC connection string for MariaDB as the loader, for `database`.
  std::string MariaDbOdbc(const std::string& database) const;
  // ODBC connection string for a SQLite provider file in the harness's directory.
  std::string SqliteOdbc(const std::string& file) const;
  std::string SqlitePath(const std::string& file) const;

 private:
  std::map<std::string, std::string> values_;
  std::string error_;
};

using RowFn = std::function<void(const connectors::odbc::TextRow&)>;

// Run `sql` against a harness database and call `row` with each row's text values (NULL as
// nullopt): PostgreSQL through libpq, MariaDB and SQLite through their ODBC drivers.
void PgRows(const std::string& database, const std::string& sql, const RowFn& row);
void MariaDbRows(const std::string& database, const std::string& sql, const RowFn& row);
void SqliteRows(const std::string& file, const std::string& sql, const RowFn& row);

}  // namespace fedgate::testing

// Fails the current test (fatal) when the harness is not running.
#define FEDGATE_REQUIRE_HARNESS()                                     \
  do {                                                                \
    const auto& harness_env_ = ::fedgate::testing::HarnessEnv::Get(); \
    if (!harness_env_.ok()) GTEST_FAIL() << harness_env_.error();     \
  } while (0)
