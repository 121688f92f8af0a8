#pragma once

// The policy tests' gateway: an engine over the harness's PostgreSQL providers, the DSAs of
// tests/policy/dsas, and an audit log of its own.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/query_engine.h"
#include "policy/gate.h"
#include "tests/integration/harness_env.h"

namespace fedgate::testing {

inline const std::string kDir = FEDGATE_POLICY_TEST_DIR;

inline void ExportEnv(const std::string& audit_log) {
  const auto& env = HarnessEnv::Get();
  for (const char* key : {"FEDGATE_PG_HOST", "FEDGATE_PG_PORT", "FEDGATE_PG_READER_PASSWORD"}) {
    ::setenv(key, env.Value(key).c_str(), 1);
  }
  ::setenv("FEDGATE_TEST_LINKAGE_SECRET", FEDGATE_TEST_SECRET_VALUE, 1);
  ::setenv("FEDGATE_TEST_AUDIT_LOG", audit_log.c_str(), 1);
}

// An engine, the DSAs of tests/policy/dsas, and an audit log of its own.
struct Gateway {
  explicit Gateway(const std::string& name) {
    audit_path = (std::filesystem::temp_directory_path() /
                  ("fedgate-audit-" + name + "-" + std::to_string(::getpid()) + ".log"))
                     .string();
    std::filesystem::remove(audit_path);
    std::filesystem::remove(audit_path + ".head");
    ExportEnv(audit_path);
    config = config::LoadConfig(kDir + "/fedgate_policy_test.yaml");
    engine = std::make_unique<engine::QueryEngine>(config);
    registry = std::make_unique<policy::DsaRegistry>(kDir + "/dsas");
    auto report = registry->Reload();
    EXPECT_TRUE(report.rejected.empty());
    audit = std::make_unique<audit::AuditLog>(audit_path);
    gate = std::make_unique<policy::PolicyGate>(*engine, *registry, audit.get());
  }
  ~Gateway() {
    std::filesystem::remove(audit_path);
    std::filesystem::remove(audit_path + ".head");
  }
  policy::Session Session(const std::string& user, const std::string& purpose) const {
    auto it = config.users.find(user);
    return {user, it == config.users.end() ? "" : it->second.role,
            it == config.users.end() ? "" : it->second.organisation, purpose};
  }
  std::vector<nlohmann::json> Records() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(audit_path);
    std::string line;
    while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::string audit_path;
  config::GatewayConfig config;
  std::unique_ptr<engine::QueryEngine> engine;
  std::unique_ptr<policy::DsaRegistry> registry;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<policy::PolicyGate> gate;
};

}  // namespace fedgate::testing
