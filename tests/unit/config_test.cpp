// The gateway configuration: tables whose identifier comes through another table.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/config.h"

namespace fedgate::config {
namespace {

std::string WithTable(const std::string& table_line) {
  ::setenv("FEDGATE_CONFIG_TEST_SECRET", "s3cret", 1);
  return "linkage_secret: {env: FEDGATE_CONFIG_TEST_SECRET}\n"
         "sources:\n"
         "  social_care:\n"
         "    kind: odbc\n"
         "    dialect: mariadb\n"
         "    connection: DSN=social_care\n"
         "    tables:\n"
         "      clients: {identifier: nhs_number}\n"
         "      " +
         table_line + "\n";
}

std::string ErrorOf(const std::string& yaml) {
  try {
    ParseConfig(yaml, "c.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigTest, IdentifierThroughAnotherTable) {
  auto config = ParseConfig(
      WithTable("services: {identifier: nhs_number, through: {table: clients, key: client_id}}"),
      "c.yaml");
  const TableConfig& t = config.sources.at("social_care").tables.at("services");
  EXPECT_EQ(t.identifier, "nhs_number");
  EXPECT_EQ(t.through_table, "clients");
  EXPECT_EQ(t.through_key, "client_id");
  EXPECT_TRUE(config.sources.at("social_care").tables.at("clients").through_table.empty());
}

TEST(ConfigTest, ThroughErrorsSayWhatIsMissing) {
  EXPECT_EQ(ErrorOf(WithTable("services: {through: {table: clients, key: client_id}}")),
            "c.yaml:9:27: sources.social_care.tables.services.through needs an identifier: the "
            "column of the other table that holds it");
  EXPECT_NE(ErrorOf(WithTable("services: {identifier: nhs_number, through: {table: clients}}"))
                .find("needs both table and key"),
            std::string::npos);
  EXPECT_NE(ErrorOf(WithTable("services: {identifier: nhs_number, through: clients}"))
                .find("must be a map: {table: TABLE, key: COLUMN}"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(WithTable("services: {identifier: nhs_number, through: {table: services, key: id}}"))
          .find("names the table itself"),
      std::string::npos);
  EXPECT_NE(ErrorOf(WithTable("services: {identifier: nhs_number, via: clients}"))
                .find("unknown key 'via'"),
            std::string::npos);
}

TEST(ConfigTest, AgentSecretFileMustBeItsOwn) {
  const std::string path = ::testing::TempDir() + "/agent-secret";
  { std::ofstream(path) << "an-agent-linkage-secret-of-some-length\n"; }
  const std::string yaml = "linkage_secret: {file: " + path +
                           "}\nagent: {listen: '127.0.0.1:7443', source: s, tls: {ca: a, "
                           "certificate: b, key: c}, allowed_gateways: [g]}\n"
                           "sources:\n  s:\n    kind: postgres\n    connection: x\n"
                           "    tables: {t: {identifier: n}}\n";
  ::chmod(path.c_str(), 0644);
  EXPECT_NE(ErrorOf(yaml).find("may be read by others (mode 644)"), std::string::npos)
      << ErrorOf(yaml);
  ::chmod(path.c_str(), 0600);
  auto config = ParseConfig(yaml, "c.yaml");
  EXPECT_TRUE(config.has_agent);
  EXPECT_EQ(config.agent.listen_port, 7443);
  EXPECT_EQ(config.agent.allowed_gateways, std::vector<std::string>{"g"});
}

TEST(ConfigTest, AgentSourcesNameNoIdentifierAndNeedNoSecret) {
  const std::string agent_source =
      "sources:\n  mh:\n    kind: agent\n    endpoint: 'agent-mh:7443'\n"
      "    tls: {ca: a, certificate: b, key: c}\n    tables: {referrals: }\n";
  auto config = ParseConfig(agent_source, "c.yaml");  // no linkage_secret: none needed
  EXPECT_EQ(config.sources.at("mh").agent_host, "agent-mh");
  EXPECT_EQ(config.sources.at("mh").agent_port, 7443);
  EXPECT_TRUE(config.linkage_secret.empty());
  std::string with_identifier = agent_source;
  with_identifier.replace(with_identifier.find("{referrals: }"), 13,
                          "{referrals: {identifier: nhs_number}}");
  EXPECT_NE(ErrorOf(with_identifier).find("an agent pseudonymises its own identifier"),
            std::string::npos);
  std::string bad_endpoint = agent_source;
  bad_endpoint.replace(bad_endpoint.find("'agent-mh:7443'"), 15, "agent-mh");
  EXPECT_NE(ErrorOf(bad_endpoint).find("must be HOST:PORT"), std::string::npos);
}

TEST(ConfigTest, AgentReidentificationSection) {
  const std::string path = ::testing::TempDir() + "/agent-secret-reid";
  { std::ofstream(path) << "an-agent-linkage-secret-of-some-length\n"; }
  ::chmod(path.c_str(), 0600);
  auto yaml = [&](const std::string& reid, const std::string& tables) {
    return "linkage_secret: {file: " + path +
           "}\nagent:\n  listen: '127.0.0.1:7443'\n  source: gp\n  tls: {ca: a, certificate: "
           "b, key: c}\n  allowed_gateways: [g]\n  reidentification: " +
           reid +
           "\nsources:\n  gp:\n    kind: postgres\n    connection: x\n    tables: " + tables + "\n";
  };
  const std::string good =
      "{gateway_key: k.pem, table: patients, organisation_column: practice_code, "
      "local_id_column: patient_id, allow: [{dsa: d1, purposes: [direct-care]}], max_persons: 9}";
  auto config = ParseConfig(yaml(good, "{patients: {identifier: nhs_number}}"), "c.yaml");
  ASSERT_TRUE(config.has_reidentification);
  EXPECT_EQ(config.reidentification.table, "patients");
  EXPECT_EQ(config.reidentification.allow.at("d1").purposes,
            std::vector<std::string>{"direct-care"});
  EXPECT_TRUE(config.reidentification.allow.at("d1").organisations.empty());
  EXPECT_EQ(config.reidentification.max_persons, 9);
  EXPECT_EQ(config.reidentification.max_age_seconds, 120);
  // The table must hold the identifier itself.
  EXPECT_NE(ErrorOf(yaml(good, "{patients: }"))
                .find("agent.reidentification.table must be a "
                      "table of the agent's source whose "
                      "identifier it holds itself"),
            std::string::npos)
      << ErrorOf(yaml(good, "{patients: }"));
  EXPECT_NE(
      ErrorOf(yaml("{gateway_key: k.pem, table: patients}", "{patients: {identifier: nhs_number}}"))
          .find("needs gateway_key"),
      std::string::npos);
  EXPECT_NE(ErrorOf(yaml(good.substr(0, good.size() - 1) + ", max_people: 3}",
                         "{patients: {identifier: nhs_number}}"))
                .find("max_people"),
            std::string::npos);
  // A gateway names its private key; the agent the gateway's public one.
  EXPECT_NE(
      ErrorOf("reidentification_key: k.pem\n" + yaml(good, "{patients: {identifier: nhs_number}}"))
          .find("reidentification_key is the gateway's signing key"),
      std::string::npos);
}

}  // namespace
}  // namespace fedgate::config
