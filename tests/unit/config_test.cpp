// The gateway configuration: tables whose identifier comes through another table.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "common/error.h"
#include "planner/config.h"

namespace fedgate::planner {
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

}  // namespace
}  // namespace fedgate::planner
