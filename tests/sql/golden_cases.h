#pragma once

// The golden deparse cases (tests/sql/golden/*.golden) and how fedgate deparses one: shared by
// the test (golden_test.cpp) and the tool that rewrites the files (golden_rewrite.cpp).
//
// File format:
//
//   golden LABEL [OPTIMIZER-SETTINGS]
//   SELECT ...
//   ----
//   source: SELECT ...          (one line per fragment, in plan order)
//   ====
//
// No SQL Server runs here, so sqlserver.golden is planned with every source claiming the SQL
// Server dialect (their columns still described by the harness's servers).

#include <filesystem>
#include <string>
#include <vector>

namespace fedgate::testing {

struct GoldenCase {
  std::string file;  // file name, e.g. "postgres.golden"
  int line = 0;      // of its "golden" line
  std::string label;
  std::string settings;
  std::string sql;
  std::string expected;
};

// The *.golden files, in name order.
std::vector<std::filesystem::path> GoldenFiles();
// Every case of every file. Throws std::runtime_error naming file:line on a format error.
std::vector<GoldenCase> LoadGolden();
// The fragments fedgate plans for the case, one "source: SQL" line each. REQUIRES the test
// harness's servers (FEDGATE_HARNESS_ENV). Throws Error when fedgate cannot plan it.
std::string Deparse(const GoldenCase& c);

}  // namespace fedgate::testing
