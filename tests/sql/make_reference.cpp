// Builds the differential SQL tests' reference database: the central warehouse of
// tools/warehouse.h (every table of the five providers copied into one PostgreSQL database
// `reference`, schemas named after the providers, the NHS number already replaced by
// `person_id bytea`, the same pseudonym fedgate's connectors compute for the test DSA). The
// same SQL then runs on PostgreSQL alone and on fedgate, and the answers must agree.
//
// First, each ODBC source gets a `notes` table of awkward text (quotes, backslashes,
// non-ASCII, emoji, case and trailing-space variants, NULL and empty), which fedgate's test
// configuration exposes too and the reference copies.
//
// Usage: fedgate_sql_reference HARNESS_ENV_FILE   (FEDGATE_TEST_LINKAGE_SECRET must be set)

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "common/pseudonymiser.h"
#include "connectors/odbc/odbc_connection.h"
#include "tests/integration/harness_env.h"
#include "tools/warehouse.h"

namespace {

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
    ::setenv("FEDGATE_HARNESS_ENV", argv[1], 1);
    const auto& harness = fedgate::testing::HarnessEnv::Get();
    if (!harness.ok()) throw std::runtime_error(harness.error());
    MakeNotes(harness);
    fedgate::tools::ProviderLocations where{harness.PgConninfo(),
                                            harness.MariaDbOdbc("social_care"),
                                            harness.SqliteOdbc("community.db")};
    // The SQL tests read it as the gp reader does the providers: read-only.
    fedgate::tools::BuildWarehouse(where, "reference", fedgate::Pseudonymiser(secret, dsa),
                                   {.with_notes = true, .grant_to = "gp_reader"},
                                   [](const std::string& line) { std::cout << line << "\n"; });
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "fedgate_sql_reference: " << e.what() << "\n";
    return 1;
  }
}
