// Builds the differential SQL tests' reference database: every table of the gp, acute and
// mental_health providers copied into one PostgreSQL database `reference` (schemas named after
// the providers), with the NHS number already replaced by `person_id bytea`, the same
// pseudonym fedgate's connectors compute (Pseudonymiser, keyed for the test DSA). The same
// SQL then runs on PostgreSQL alone and on fedgate, and the answers must agree.
//
// Usage: fedgate_sql_reference HARNESS_ENV_FILE   (FEDGATE_TEST_LINKAGE_SECRET must be set)

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/pseudonymiser.h"
#include "connectors/postgres/pg_connection.h"

namespace {

using fedgate::connectors::pg::PgConnection;

const std::map<std::string, std::vector<std::string>> kTables = {
    {"gp", {"patients", "diagnoses", "consultations", "observations", "prescriptions"}},
    {"acute", {"admissions", "outpatients", "ae_attendances"}},
    {"mental_health", {"referrals", "contacts"}},
};
constexpr const char* kIdentifier = "nhs_number";

std::map<std::string, std::string> ReadEnvFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read harness env file " + path + " (is the harness up?)");
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == '\t') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// Copies one table, replacing the identifier column by its pseudonym. Returns rows copied.
int64_t CopyTable(PgConnection& src, PgConnection& ref, const std::string& schema,
                  const std::string& table, const fedgate::Pseudonymiser& pseudonymiser) {
  auto cols = src.Query(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
      "'public." +
      table + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  std::string ddl = "CREATE TABLE " + schema + "." + table + " (";
  int id_index = -1;
  for (int i = 0; i < cols.rows(); ++i) {
    std::string name(cols.Get(i, 0)), type(cols.Get(i, 1));
    if (name == kIdentifier) {
      id_index = i;
      name = "person_id";
      type = "bytea";
    }
    ddl += (i ? ", " : "") + name + " " + type;
  }
  ddl += ")";
  if (id_index < 0)
    throw std::runtime_error(schema + "." + table + " has no " + kIdentifier + " column");
  ref.Exec(ddl);

  PGresult* r = PQexec(src.raw(), ("COPY public." + table + " TO STDOUT").c_str());
  if (PQresultStatus(r) != PGRES_COPY_OUT) src.Fail("COPY " + table + " TO STDOUT");
  PQclear(r);
  r = PQexec(ref.raw(), ("COPY " + schema + "." + table + " FROM STDIN").c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) ref.Fail("COPY " + schema + "." + table + " FROM STDIN");
  PQclear(r);

  static const char* kHex = "0123456789abcdef";
  int64_t rows = 0;
  std::string out;
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(src.raw(), &buf, 0);
    if (n == -1) break;
    if (n < 0) src.Fail("reading COPY data of " + table);
    std::string line(buf, static_cast<size_t>(n));
    PQfreemem(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    auto fields = SplitTabs(line);
    std::string& id = fields.at(static_cast<size_t>(id_index));
    if (id != "\\N") {
      auto p = pseudonymiser.FromRaw(id);
      if (!p) {
        id = "\\N";
      } else {
        id = "\\\\x";
        for (uint8_t b : p->bytes) {
          id += kHex[b >> 4];
          id += kHex[b & 15];
        }
      }
    }
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "\t" : "") + fields[i];
    out += '\n';
    ++rows;
    if (out.size() > (1 << 20)) {
      if (PQputCopyData(ref.raw(), out.data(), static_cast<int>(out.size())) != 1)
        ref.Fail("COPY data");
      out.clear();
    }
  }
  PQclear(PQgetResult(src.raw()));
  if (!out.empty() && PQputCopyData(ref.raw(), out.data(), static_cast<int>(out.size())) != 1) {
    ref.Fail("COPY data");
  }
  if (PQputCopyEnd(ref.raw(), nullptr) != 1) ref.Fail("COPY end");
  r = PQgetResult(ref.raw());
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error("loading " + schema + "." + table + ": " + msg);
  }
  PQclear(r);
  ref.Exec("ANALYZE " + schema + "." + table);
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc != 2) {
      std::cerr << "usage: fedgate_sql_reference HARNESS_ENV_FILE\n";
      return 2;
    }
    const char* secret = std::getenv("FEDGATE_TEST_LINKAGE_SECRET");
    const char* dsa = std::getenv("FEDGATE_TEST_DSA");
    if (!secret || !dsa)
      throw std::runtime_error("FEDGATE_TEST_LINKAGE_SECRET and FEDGATE_TEST_DSA must be set");
    auto env = ReadEnvFile(argv[1]);
    std::string conninfo = "host=" + env["FEDGATE_PG_HOST"] + " port=" + env["FEDGATE_PG_PORT"] +
                           " user=" + env["FEDGATE_PG_ADMIN_USER"] +
                           " password=" + env["FEDGATE_PG_ADMIN_PASSWORD"];
    fedgate::Pseudonymiser pseudonymiser(secret, dsa);
    {
      PgConnection admin("reference", conninfo, std::string("postgres"));
      admin.Exec("DROP DATABASE IF EXISTS reference");
      admin.Exec("CREATE DATABASE reference");
    }
    PgConnection ref("reference", conninfo, std::string("reference"));
    for (const auto& [db, tables] : kTables) {
      PgConnection src(db, conninfo, db);
      ref.Exec("CREATE SCHEMA " + db);
      for (const auto& t : tables) {
        int64_t rows = CopyTable(src, ref, db, t, pseudonymiser);
        std::cout << "reference: " << db << "." << t << " " << rows << " rows\n";
      }
    }
    // The SQL tests read it as the gp reader does the providers: read-only.
    ref.Exec("GRANT USAGE ON SCHEMA gp, acute, mental_health TO gp_reader");
    ref.Exec("GRANT SELECT ON ALL TABLES IN SCHEMA gp, acute, mental_health TO gp_reader");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "fedgate_sql_reference: " << e.what() << "\n";
    return 1;
  }
}
