#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "config/config.h"
#include "engine/query_engine.h"
#include "tests/integration/harness_env.h"

namespace fedgate::testing {

// The engine the differential and golden tests run: tests/sql/fedgate_test.yaml over the
// harness's servers, keyed as the reference database was pseudonymised
// (FEDGATE_TEST_SECRET_VALUE and FEDGATE_TEST_DSA_VALUE from tests/sql/CMakeLists.txt).
inline engine::QueryEngine& SqlTestEngine() {
  static std::unique_ptr<engine::QueryEngine> engine = [] {
    const auto& env = HarnessEnv::Get();
    for (const char* key : {"FEDGATE_PG_HOST", "FEDGATE_PG_PORT", "FEDGATE_PG_READER_PASSWORD",
                            "FEDGATE_MARIADB_HOST", "FEDGATE_MARIADB_PORT",
                            "FEDGATE_MARIADB_READER_PASSWORD", "FEDGATE_SQLITE_DIR"}) {
      ::setenv(key, env.Value(key).c_str(), 1);
    }
    ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
    ::setenv("FEDGATE_TEST_DSA", FEDGATE_TEST_DSA_VALUE, 1);
    // FEDGATE_SQL_TEST_CONFIG: another configuration of the same providers (e.g. with some
    // behind agents), whose answers must be the same.
    const char* other = std::getenv("FEDGATE_SQL_TEST_CONFIG");
    return std::make_unique<engine::QueryEngine>(config::LoadConfig(
        other && *other ? std::string(other)
                        : std::string(FEDGATE_SQL_TEST_DIR) + "/fedgate_test.yaml"));
  }();
  return *engine;
}

}  // namespace fedgate::testing
