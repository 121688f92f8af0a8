// Builds the differential SQL tests' reference database: every table of the five providers
// copied into one PostgreSQL database `reference` (schemas named after the providers), with
// the NHS number already replaced by `person_id bytea`, the same pseudonym fedgate's
// connectors compute (Pseudonymiser, keyed for the test DSA). The same SQL then runs on
// PostgreSQL alone and on fedgate, and the answers must agree.
//
// The PostgreSQL providers are copied with COPY; social_care (MariaDB) and community (SQLite)
// through their ODBC drivers, text columns read as HEX() so that the reference holds the
// bytes the DBMS stores, whatever the driver's character conversion does. social_care.services
// gets person_id from clients (the join its source runs for fedgate). First, each ODBC source
// gets a `notes` table of awkward text (quotes, backslashes, non-ASCII, emoji, case and
// trailing-space variants, NULL and empty), which fedgate's test configuration exposes too.
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
#include "connectors/odbc/odbc_connection.h"
#include "connectors/postgres/pg_connection.h"
#include "tests/integration/harness_env.h"

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

// A pseudonym as COPY text of a bytea (\\x...).
std::string PseudonymCopyText(const fedgate::Pseudonym& p) {
  return "\\\\x" + fedgate::HexEncode(std::string(p.bytes.begin(), p.bytes.end()));
}

// COPY schema.table FROM STDIN into the reference: append each row's text (ending in a
// newline) to text(), then Row(); Finish() ends it, checks it and analyses the table.
class CopyIn {
 public:
  CopyIn(PgConnection& ref, std::string table) : ref_(ref), table_(std::move(table)) {
    PGresult* r = PQexec(ref_.raw(), ("COPY " + table_ + " FROM STDIN").c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) ref_.Fail("COPY " + table_ + " FROM STDIN");
    PQclear(r);
  }
  std::string& text() { return out_; }
  void Row() {
    ++rows_;
    if (out_.size() > (1 << 20)) Flush();
  }
  int64_t Finish() {
    Flush();
    if (PQputCopyEnd(ref_.raw(), nullptr) != 1) ref_.Fail("COPY end");
    PGresult* r = PQgetResult(ref_.raw());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("loading " + table_ + ": " + msg);
    }
    PQclear(r);
    ref_.Exec("ANALYZE " + table_);
    return rows_;
  }

 private:
  void Flush() {
    if (!out_.empty() && PQputCopyData(ref_.raw(), out_.data(), static_cast<int>(out_.size())) != 1)
      ref_.Fail("COPY data");
    out_.clear();
  }
  PgConnection& ref_;
  std::string table_;
  std::string out_;
  int64_t rows_ = 0;
};

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
  CopyIn copy(ref, schema + "." + table);
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
      id = p ? PseudonymCopyText(*p) : "\\N";
    }
    std::string& out = copy.text();
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "\t" : "") + fields[i];
    out += '\n';
    copy.Row();
  }
  PQclear(PQgetResult(src.raw()));
  return copy.Finish();
}

// COPY text format for one value.
std::string CopyEscape(const std::string& v) {
  std::string out;
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FromHex(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    throw std::runtime_error("bad hex digit");
  };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  return out;
}

// One column of an ODBC provider's table in the reference: its name and PostgreSQL type
// there, and how it is read: "id" (the identifier, pseudonymised), "text" (through HEX()) or
// "plain" (the driver's text form of a number or date).
struct RefColumn {
  std::string name;
  std::string type;
  std::string read;
  std::string expr;  // the source's expression ("" for the column of that name)
};

struct OdbcTable {
  std::string table;
  std::vector<RefColumn> columns;
  std::string from;  // FROM clause at the source ("" for the table itself, aliased t)
};

int64_t CopyOdbcTable(fedgate::connectors::odbc::OdbcConnection& src, PgConnection& ref,
                      const std::string& schema, const OdbcTable& t,
                      const fedgate::Pseudonymiser& pseudonymiser) {
  std::string ddl, select;
  for (const auto& c : t.columns) {
    ddl += (ddl.empty() ? "" : ", ") + c.name + " " + c.type;
    std::string e = c.expr.empty() ? "t." + c.name : c.expr;
    // (SQLite's hex(NULL) is '', not NULL.)
    if (c.read == "text") e = "CASE WHEN " + e + " IS NULL THEN NULL ELSE HEX(" + e + ") END";
    select += (select.empty() ? "" : ", ") + e;
  }
  ref.Exec("CREATE TABLE " + schema + "." + t.table + " (" + ddl + ")");
  CopyIn copy(ref, schema + "." + t.table);
  src.ForEachRow("SELECT " + select + " FROM " + (t.from.empty() ? t.table + " t" : t.from),
                 [&](const fedgate::connectors::odbc::TextRow& row) {
                   std::string& out = copy.text();
                   for (size_t i = 0; i < row.size(); ++i) {
                     if (i) out += '\t';
                     const auto& v = row[i];
                     const auto& c = t.columns[i];
                     if (!v) {
                       out += "\\N";
                     } else if (c.read == "id") {
                       auto p = pseudonymiser.FromRaw(*v);
                       out += p ? PseudonymCopyText(*p) : "\\N";
                     } else if (c.read == "text") {
                       out += CopyEscape(FromHex(*v));
                     } else {
                       out += CopyEscape(*v);
                     }
                   }
                   out += '\n';
                   copy.Row();
                 });
  return copy.Finish();
}

// The awkward texts of the `notes` tables, chosen by id: quotes, a backslash (MariaDB reads
// it as an escape in literals unless told otherwise), non-ASCII in two, three and four bytes,
// values equal under MariaDB's case- and trailing-space-insensitive collation but not in
// fedgate, LIKE's metacharacters, control characters, the empty string and NULL.
const std::vector<const char*> kNoteTexts = {
    "O'Brien",
    "\"double quoted\"",
    "back\\slash",
    "caf\xC3\xA9",
    "Caf\xC3\xA9",
    "caf\xC3\xA9 ",
    "Z\xC3\xBCrich \xE2\x80\x93 \xC5\x81\xC3\xB3"
    "d\xC5\xBA",
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
    "emoji \xF0\x9F\x98\x80 note",
    "",
    nullptr,
    "50% off_",
    "line\nbreak",
    "tab\there",
    "it's \"both\"",
    "na\xC3\xAFve fa\xC3\xA7"
    "ade",
    nullptr,
    "ALL CAPS",
    "all caps",
    "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC"};

// CASE over `index` choosing one of kNoteTexts, each written as hex bytes so no DBMS's
// literal escaping is involved; `decode` turns X'..' into text (MariaDB: CONVERT ... USING
// utf8mb4, SQLite: CAST ... AS TEXT).
std::string NoteCase(const std::string& index, const std::string& decode_prefix,
                     const std::string& decode_suffix) {
  std::string sql = "CASE " + index;
  for (size_t i = 0; i < kNoteTexts.size(); ++i) {
    sql += " WHEN " + std::to_string(i) + " THEN ";
    sql += kNoteTexts[i] == nullptr ? std::string("NULL")
           : *kNoteTexts[i] == '\0'
               ? std::string("''")
               : decode_prefix + "X'" + fedgate::HexEncode(kNoteTexts[i]) + "'" + decode_suffix;
  }
  return sql + " END";
}

void MakeNotes(const fedgate::testing::HarnessEnv& env) {
  using fedgate::connectors::odbc::OdbcConnection;
  const std::string n = std::to_string(kNoteTexts.size());
  {
    OdbcConnection maria("social_care", env.MariaDbOdbc("social_care"));
    maria.Exec("DROP TABLE IF EXISTS notes");
    maria.Exec(
        "CREATE TABLE notes (note_id bigint PRIMARY KEY, nhs_number varchar(12), written_on "
        "date, label varchar(40), note text) DEFAULT CHARSET=utf8mb4");
    maria.Exec(
        "INSERT INTO notes SELECT client_id, nhs_number, DATE_ADD('2024-04-01', INTERVAL "
        "client_id % 365 DAY), " +
        NoteCase("client_id % " + n, "CONVERT(", " USING utf8mb4)") + ", " +
        NoteCase("(client_id DIV " + n + ") % " + n, "CONVERT(", " USING utf8mb4)") +
        " FROM clients WHERE client_id % 3 = 0");
  }
  OdbcConnection lite("community", env.SqliteOdbc("community.db"));
  lite.Exec("DROP TABLE IF EXISTS notes");
  lite.Exec(
      "CREATE TABLE notes (note_id integer PRIMARY KEY, nhs_number text, written_on text, "
      "label text, note text)");
  lite.Exec("INSERT INTO notes SELECT contact_id, nhs_number, contact_date, " +
            NoteCase("contact_id % " + n, "CAST(", " AS TEXT)") + ", " +
            NoteCase("(contact_id / " + n + ") % " + n, "CAST(", " AS TEXT)") +
            " FROM contacts WHERE contact_id % 97 = 0");
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
    ::setenv("FEDGATE_HARNESS_ENV", argv[1], 1);
    const auto& harness = fedgate::testing::HarnessEnv::Get();
    if (!harness.ok()) throw std::runtime_error(harness.error());
    MakeNotes(harness);
    auto text = [](const std::string& name) { return RefColumn{name, "text", "text", ""}; };
    auto plain = [](const std::string& name, const std::string& type) {
      return RefColumn{name, type, "plain", ""};
    };
    const RefColumn id{"person_id", "bytea", "id", "t.nhs_number"};
    const std::vector<std::pair<std::string, std::vector<OdbcTable>>> odbc = {
        {"social_care",
         {{"clients",
           {plain("client_id", "bigint"), id, plain("date_of_birth", "date"),
            text("postcode_district"), text("primary_support_reason")},
           ""},
          {"services",
           {plain("service_id", "bigint"), plain("client_id", "bigint"), text("service_type"),
            plain("start_date", "date"), plain("end_date", "date"),
            plain("weekly_cost", "numeric(10,2)"),
            RefColumn{"person_id", "bytea", "id", "c.nhs_number"}},
           "services t LEFT JOIN clients c ON c.client_id = t.client_id"},
          {"notes",
           {plain("note_id", "bigint"), id, plain("written_on", "date"), text("label"),
            text("note")},
           ""}}},
        {"community",
         {{"contacts",
           {plain("contact_id", "bigint"), id, text("contact_date"), text("service"),
            text("setting"), plain("duration_min", "bigint"), plain("cost", "double precision")},
           ""},
          {"notes",
           {plain("note_id", "bigint"), id, text("written_on"), text("label"), text("note")},
           ""}}}};
    for (const auto& [schema, tables] : odbc) {
      fedgate::connectors::odbc::OdbcConnection src(
          schema, schema == "community" ? harness.SqliteOdbc("community.db")
                                        : harness.MariaDbOdbc("social_care"));
      ref.Exec("CREATE SCHEMA " + schema);
      for (const auto& t : tables) {
        int64_t rows = CopyOdbcTable(src, ref, schema, t, pseudonymiser);
        std::cout << "reference: " << schema << "." << t.table << " " << rows << " rows\n";
      }
    }
    // The SQL tests read it as the gp reader does the providers: read-only.
    const std::string schemas = "gp, acute, mental_health, social_care, community";
    ref.Exec("GRANT USAGE ON SCHEMA " + schemas + " TO gp_reader");
    ref.Exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + schemas + " TO gp_reader");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "fedgate_sql_reference: " << e.what() << "\n";
    return 1;
  }
}
