#include "tools/warehouse.h"

#include <libpq-fe.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "common/encoding.h"
#include "common/types.h"
#include "connectors/odbc/odbc_connection.h"
#include "connectors/postgres/pg_connection.h"
#include "sql/dialect.h"

namespace fedgate::tools {

namespace {

using connectors::odbc::OdbcConnection;
using connectors::odbc::TextRow;
using connectors::pg::PgConnection;

constexpr const char* kIdentifier = "nhs_number";

// The PostgreSQL providers' tables.
const std::vector<std::pair<std::string, std::vector<std::string>>> kPgTables = {
    {"gp", {"patients", "diagnoses", "consultations", "observations", "prescriptions"}},
    {"acute", {"admissions", "outpatients", "ae_attendances"}},
    {"mental_health", {"referrals", "contacts"}},
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string Rounded(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  return buf;
}

// A raw identifier as COPY text of its pseudonym, a bytea (\\x...), or NULL when it is not
// a valid NHS number.
void AppendPseudonym(std::string& out, const Pseudonymiser& pseudonymiser, std::string_view raw) {
  auto p = pseudonymiser.FromRaw(raw);
  out += p ? "\\\\x" + p->Hex() : "\\N";
}

// The columns of public.`table`: names and types, in order.
std::vector<std::pair<std::string, std::string>> TableColumns(PgConnection& db,
                                                              const std::string& table) {
  auto cols = db.Query(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
      "'public." +
      table + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < cols.rows(); ++i) out.emplace_back(cols.Get(i, 0), cols.Get(i, 1));
  return out;
}

// COPY text format for one value.
void AppendCopyEscaped(std::string& out, std::string_view v) {
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
}

std::string FromHex(const std::string& hex) {
  auto bytes = HexDecode(hex);
  if (!bytes) throw std::runtime_error("bad hex digit in a HEX() value");
  return *bytes;
}

// COPY schema.table FROM STDIN: append each row's text (ending in a newline) to text(), then
// Row(); Finish() ends it, checks it and analyses the table.
class CopyIn {
 public:
  CopyIn(PgConnection& dst, std::string table) : dst_(dst), table_(std::move(table)) {
    PGresult* r = PQexec(dst_.raw(), ("COPY " + table_ + " FROM STDIN").c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      PQclear(r);
      dst_.Fail("COPY " + table_ + " FROM STDIN");
    }
    PQclear(r);
  }
  std::string& text() { return out_; }
  void Row() {
    ++rows_;
    if (out_.size() > (1 << 20)) Flush();
  }
  int64_t Finish() {
    Flush();
    if (PQputCopyEnd(dst_.raw(), nullptr) != 1) dst_.Fail("COPY end");
    PGresult* r = PQgetResult(dst_.raw());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("loading " + table_ + ": " + msg);
    }
    PQclear(r);
    while ((r = PQgetResult(dst_.raw())) != nullptr) PQclear(r);
    dst_.Exec("ANALYZE " + table_);
    return rows_;
  }

 private:
  void Flush() {
    if (!out_.empty() && PQputCopyData(dst_.raw(), out_.data(), static_cast<int>(out_.size())) != 1)
      dst_.Fail("COPY data");
    out_.clear();
  }
  PgConnection& dst_;
  std::string table_;
  std::string out_;
  int64_t rows_ = 0;
};

// Copies public.`table` of a PostgreSQL provider into schema.table, the identifier column
// replaced by person_id bytea. Returns the rows copied.
int64_t CopyPgTable(PgConnection& src, PgConnection& dst, const std::string& schema,
                    const std::string& table, const Pseudonymiser& pseudonymiser) {
  std::string ddl = "CREATE TABLE " + schema + "." + table + " (";
  int id_index = -1;
  const auto columns = TableColumns(src, table);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& [name, type] = columns[i];
    if (name == kIdentifier) id_index = static_cast<int>(i);
    ddl += (i ? ", " : "") + (name == kIdentifier ? "person_id bytea" : name + " " + type);
  }
  ddl += ")";
  if (id_index < 0)
    throw std::runtime_error(schema + "." + table + " has no " + kIdentifier + " column");
  dst.Exec(ddl);

  PGresult* r = PQexec(src.raw(), ("COPY public." + table + " TO STDOUT").c_str());
  if (PQresultStatus(r) != PGRES_COPY_OUT) {
    PQclear(r);
    src.Fail("COPY " + table + " TO STDOUT");
  }
  PQclear(r);
  CopyIn copy(dst, schema + "." + table);
  for (;;) {
    char* buf = nullptr;
    int n = PQgetCopyData(src.raw(), &buf, 0);
    if (n == -1) break;
    if (n < 0) src.Fail("reading COPY data of " + table);
    std::string_view line(buf, static_cast<size_t>(n));
    // Only the identifier's field changes: find it between tabs, copy the rest as it is.
    size_t begin = 0;
    for (int i = 0; i < id_index; ++i) begin = line.find('\t', begin) + 1;
    size_t end = line.find('\t', begin);
    if (end == std::string_view::npos) end = line.size() - 1;  // before the newline
    std::string& out = copy.text();
    out.append(line.substr(0, begin));
    std::string_view id = line.substr(begin, end - begin);
    if (id == "\\N") {
      out += id;
    } else {
      AppendPseudonym(out, pseudonymiser, id);
    }
    out.append(line.substr(end));
    PQfreemem(buf);
    copy.Row();
  }
  PGresult* last;
  while ((last = PQgetResult(src.raw())) != nullptr) {
    bool ok = PQresultStatus(last) == PGRES_COMMAND_OK;
    PQclear(last);
    if (!ok) src.Fail("COPY " + table + " TO STDOUT");
  }
  return copy.Finish();
}

// One column of an ODBC provider's table in PostgreSQL: its name and type there, and how it
// is read: kId (the identifier: pseudonymised, or kept as text when copying as it is), kText
// (through HEX(), so the bytes stored arrive whatever the driver converts) or kPlain (the
// driver's text form of a number or date).
struct CopyColumn {
  enum Read { kId, kText, kPlain };
  std::string name;
  std::string type;
  Read read;
  std::string expr;  // the source's expression ("" for t.<name>)
};

struct OdbcTable {
  std::string table;
  std::vector<CopyColumn> columns;
  std::string from;  // FROM clause at the source ("" for the table itself, aliased t)
};

CopyColumn Text(const std::string& name) {
  return {name, "text", CopyColumn::kText, ""};
}
CopyColumn Plain(const std::string& name, const std::string& type) {
  return {name, type, CopyColumn::kPlain, ""};
}

// The ODBC providers' tables. With a pseudonymiser (the warehouse) the identifier becomes
// person_id and services gets clients' through client_id; without (a copy as it is) nhs_number
// stays where it is.
std::vector<std::pair<std::string, std::vector<OdbcTable>>> OdbcTables(bool pseudonymised,
                                                                       bool with_notes) {
  const CopyColumn id = pseudonymised
                            ? CopyColumn{"person_id", "bytea", CopyColumn::kId, "t.nhs_number"}
                            : CopyColumn{"nhs_number", "text", CopyColumn::kId, "t.nhs_number"};
  std::vector<CopyColumn> services = {
      Plain("service_id", "bigint"), Plain("client_id", "bigint"),
      Text("service_type"),          Plain("start_date", "date"),
      Plain("end_date", "date"),     Plain("weekly_cost", "numeric(10,2)")};
  if (pseudonymised)
    services.push_back(CopyColumn{"person_id", "bytea", CopyColumn::kId, "c.nhs_number"});
  std::vector<OdbcTable> social_care = {
      {"clients",
       {Plain("client_id", "bigint"), id, Plain("date_of_birth", "date"), Text("postcode_district"),
        Text("primary_support_reason")},
       ""},
      {"services", services,
       pseudonymised ? "services t LEFT JOIN clients c ON c.client_id = t.client_id" : ""}};
  std::vector<OdbcTable> community = {
      {"contacts",
       {Plain("contact_id", "bigint"), id, Text("contact_date"), Text("service"), Text("setting"),
        Plain("duration_min", "bigint"), Plain("cost", "double precision")},
       ""}};
  if (with_notes) {
    social_care.push_back(
        {"notes",
         {Plain("note_id", "bigint"), id, Plain("written_on", "date"), Text("label"), Text("note")},
         ""});
    community.push_back(
        {"notes",
         {Plain("note_id", "bigint"), id, Text("written_on"), Text("label"), Text("note")},
         ""});
  }
  return {{"social_care", social_care}, {"community", community}};
}

int64_t CopyOdbcTable(OdbcConnection& src, PgConnection& dst, const std::string& schema,
                      const OdbcTable& t, const Pseudonymiser* pseudonymiser) {
  std::string ddl, select;
  for (const auto& c : t.columns) {
    ddl += (ddl.empty() ? "" : ", ") + c.name + " " + c.type;
    std::string e = c.expr.empty() ? "t." + c.name : c.expr;
    // (SQLite's hex(NULL) is '', not NULL.)
    if (c.read == CopyColumn::kText)
      e = "CASE WHEN " + e + " IS NULL THEN NULL ELSE HEX(" + e + ") END";
    select += (select.empty() ? "" : ", ") + e;
  }
  dst.Exec("CREATE TABLE " + schema + "." + t.table + " (" + ddl + ")");
  CopyIn copy(dst, schema + "." + t.table);
  src.ForEachRow("SELECT " + select + " FROM " + (t.from.empty() ? t.table + " t" : t.from),
                 [&](const TextRow& row) {
                   std::string& out = copy.text();
                   for (size_t i = 0; i < row.size(); ++i) {
                     if (i) out += '\t';
                     const auto& v = row[i];
                     const auto& c = t.columns[i];
                     if (!v) {
                       out += "\\N";
                     } else if (c.read == CopyColumn::kId && pseudonymiser) {
                       AppendPseudonym(out, *pseudonymiser, *v);
                     } else if (c.read == CopyColumn::kText) {
                       AppendCopyEscaped(out, FromHex(*v));
                     } else {
                       AppendCopyEscaped(out, *v);
                     }
                   }
                   out += '\n';
                   copy.Row();
                 });
  return copy.Finish();
}

void RecreateDatabase(const ProviderLocations& where, const std::string& database) {
  PgConnection admin("postgres", where.pg_conninfo, std::string("postgres"));
  admin.Exec("DROP DATABASE IF EXISTS " + sql::QuoteIdentifier(sql::PostgresDialect(), database) +
             " WITH (FORCE)");
  admin.Exec("CREATE DATABASE " + sql::QuoteIdentifier(sql::PostgresDialect(), database));
}

std::unique_ptr<OdbcConnection> OpenOdbcProvider(const ProviderLocations& where,
                                                 const std::string& provider) {
  return std::make_unique<OdbcConnection>(
      provider, provider == "community" ? where.community_odbc : where.social_care_odbc);
}

// The value of `key` in a libpq conninfo ("" when absent).
std::string ConninfoValue(const std::string& conninfo, const std::string& key) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (!opts) {
    std::string msg = err ? err : "out of memory";
    PQfreemem(err);
    throw std::runtime_error("cannot parse the PostgreSQL connection string: " + msg);
  }
  std::string value;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (key == o->keyword && o->val) value = o->val;
  }
  PQconninfoFree(opts);
  return value;
}

// A foreign server's host and port options (`verb` "" to create them, "SET " to change them).
std::string ServerAddress(const ProviderLocations& where, const std::string& verb) {
  const auto& pg = sql::PostgresDialect();
  const std::string host = ConninfoValue(where.pg_conninfo, "host");
  const std::string port = ConninfoValue(where.pg_conninfo, "port");
  return verb + "host " + sql::QuoteString(pg, host.empty() ? "127.0.0.1" : host) + ", " + verb +
         "port " + sql::QuoteString(pg, port.empty() ? "5432" : port);
}

// A user mapping's login options (`verb` as for ServerAddress).
std::string MappingLogin(const ProviderLocations& where, const std::string& verb) {
  const auto& pg = sql::PostgresDialect();
  const std::string user = ConninfoValue(where.pg_conninfo, "user");
  return verb + "user " + sql::QuoteString(pg, user.empty() ? "postgres" : user) + ", " + verb +
         "password " + sql::QuoteString(pg, ConninfoValue(where.pg_conninfo, "password"));
}

// A provider database of the hub and the tables it exports.
struct HubProvider {
  std::string name;      // the schema in the hub and the foreign server's name
  std::string database;  // its PostgreSQL database
  std::vector<std::string> tables;
};

// The view that exports `table` with nhs_number replaced by its pseudonym. `key_hex` is the
// DSA's key, derived in SQL at the provider.
std::string ExportView(PgConnection& db, const std::string& table, const std::string& key_hex) {
  const auto& pg = sql::PostgresDialect();
  auto pseudonym = [&](const std::string& raw) {
    return "substring(hmac(convert_to(" + sql::CanonicalIdentifier(pg, raw) + ", 'UTF8'), '\\x" +
           key_hex + "'::bytea, 'sha256') FROM 1 FOR 16)";
  };
  std::string select;
  bool has_identifier = false;
  for (const auto& [name, type] : TableColumns(db, table)) {
    select += select.empty() ? "" : ", ";
    if (name == kIdentifier) {
      select += pseudonym("t.nhs_number") + " AS person_id";
      has_identifier = true;
    } else {
      select += "t." + name;
    }
  }
  std::string from = "public." + table + " t";
  if (!has_identifier) {
    if (table != "services")
      throw std::runtime_error(table + " has no " + std::string(kIdentifier) + " column");
    // The council's services get their person from clients, as fedgate's configuration says.
    select += ", " + pseudonym("c.nhs_number") + " AS person_id";
    from += " LEFT JOIN public.clients c ON c.client_id = t.client_id";
  }
  return "CREATE VIEW hub_export." + table + " AS SELECT " + select + " FROM " + from;
}

}  // namespace

std::string ProvidersFingerprint(const ProviderLocations& where) {
  const std::string marker = "SELECT seed, persons, model, loaded_at FROM fedgate_datagen";
  std::string out;
  auto add = [&](const std::string& provider, const TextRow& row) {
    out += provider + ":";
    for (const auto& v : row) out += (v ? *v : "NULL") + ",";
    out += ";";
  };
  for (const auto& [db, tables] : kPgTables) {
    PgConnection conn(db, where.pg_conninfo, db);
    auto r = conn.Query(marker);
    if (r.rows() != 1) throw std::runtime_error(db + ": fedgate_datagen has no single row");
    TextRow row;
    for (int c = 0; c < r.columns(); ++c) row.emplace_back(std::string(r.Get(0, c)));
    add(db, row);
  }
  for (const auto& [provider, tables] : OdbcTables(false, false)) {
    auto rows = OpenOdbcProvider(where, provider)->QueryText(marker);
    if (rows.size() != 1)
      throw std::runtime_error(provider + ": fedgate_datagen has no single row");
    add(provider, rows[0]);
  }
  return out;
}

void BuildWarehouse(const ProviderLocations& where, const std::string& database,
                    const Pseudonymiser& pseudonymiser, const WarehouseOptions& options,
                    const Progress& progress) {
  RecreateDatabase(where, database);
  PgConnection dst(database, where.pg_conninfo, database);
  auto report = [&](const std::string& table, int64_t rows,
                    std::chrono::steady_clock::time_point start) {
    progress(database + ": " + table + " " + std::to_string(rows) + " rows in " +
             Rounded(SecondsSince(start)));
  };
  std::string schemas;
  for (const auto& [db, tables] : kPgTables) {
    PgConnection src(db, where.pg_conninfo, db);
    dst.Exec("CREATE SCHEMA " + db);
    schemas += (schemas.empty() ? "" : ", ") + db;
    for (const auto& t : tables) {
      auto start = std::chrono::steady_clock::now();
      report(db + "." + t, CopyPgTable(src, dst, db, t, pseudonymiser), start);
    }
  }
  for (const auto& [schema, tables] : OdbcTables(true, options.with_notes)) {
    auto src = OpenOdbcProvider(where, schema);
    dst.Exec("CREATE SCHEMA " + schema);
    schemas += ", " + schema;
    for (const auto& t : tables) {
      auto start = std::chrono::steady_clock::now();
      report(schema + "." + t.table, CopyOdbcTable(*src, dst, schema, t, &pseudonymiser), start);
    }
  }
  if (!options.grant_to.empty()) {
    dst.Exec("GRANT USAGE ON SCHEMA " + schemas + " TO " + options.grant_to);
    dst.Exec("GRANT SELECT ON ALL TABLES IN SCHEMA " + schemas + " TO " + options.grant_to);
  }
}

void BuildFdwHub(const ProviderLocations& where, const HubOptions& options,
                 const Pseudonymiser& check, const Progress& progress) {
  const auto& pg = sql::PostgresDialect();
  // The ODBC providers, copied as they are into PostgreSQL databases of their own.
  std::vector<HubProvider> providers;
  for (const auto& [db, tables] : kPgTables) providers.push_back({db, db, tables});
  for (const auto& [provider, tables] : OdbcTables(false, false)) {
    const std::string copy_db = provider + "_copy";
    RecreateDatabase(where, copy_db);
    PgConnection dst(copy_db, where.pg_conninfo, copy_db);
    auto src = OpenOdbcProvider(where, provider);
    HubProvider p{provider, copy_db, {}};
    for (const auto& t : tables) {
      auto start = std::chrono::steady_clock::now();
      int64_t rows = CopyOdbcTable(*src, dst, "public", t, nullptr);
      progress(copy_db + ": " + t.table + " " + std::to_string(rows) + " rows in " +
               Rounded(SecondsSince(start)));
      p.tables.push_back(t.table);
    }
    providers.push_back(std::move(p));
  }

  // At each provider: the DSA's key derived from the linkage secret as fedgate derives it
  // (HKDF-SHA256 with an empty salt, whose HMAC key is the same as HashLen zero bytes, and one
  // output block: T(1) = HMAC(PRK, info || 0x01)), and views that export pseudonyms only.
  const std::string info = "fedgate/dsa/" + options.dsa;
  for (const auto& p : providers) {
    PgConnection db(p.database, where.pg_conninfo, p.database);
    db.Exec("CREATE EXTENSION IF NOT EXISTS pgcrypto");
    auto key = db.Query("SELECT encode(hmac(convert_to(" + sql::QuoteString(pg, info) +
                        ", 'UTF8') || '\\x01'::bytea, hmac(convert_to(" +
                        sql::QuoteString(pg, options.linkage_secret) +
                        ", 'UTF8'), ''::bytea, 'sha256'), 'sha256'), 'hex')");
    const std::string key_hex(key.Get(0, 0));
    db.Exec("DROP SCHEMA IF EXISTS hub_export CASCADE");
    db.Exec("CREATE SCHEMA hub_export");
    for (const auto& t : p.tables) db.Exec(ExportView(db, t, key_hex));
  }

  RecreateDatabase(where, options.database);
  PgConnection hub(options.database, where.pg_conninfo, options.database);
  hub.Exec("CREATE EXTENSION postgres_fdw");
  for (const auto& p : providers) {
    hub.Exec("CREATE SERVER " + p.name + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (" +
             ServerAddress(where, "") + ", dbname " + sql::QuoteString(pg, p.database) +
             ", use_remote_estimate 'true', fetch_size " +
             sql::QuoteString(pg, std::to_string(options.fetch_size)) + ", async_capable 'true')");
    hub.Exec("CREATE USER MAPPING FOR CURRENT_USER SERVER " + p.name + " OPTIONS (" +
             MappingLogin(where, "") + ")");
    hub.Exec("CREATE SCHEMA " + p.name);
    hub.Exec("IMPORT FOREIGN SCHEMA hub_export FROM SERVER " + p.name + " INTO " + p.name);
    for (const auto& t : p.tables) {
      auto start = std::chrono::steady_clock::now();
      hub.Exec("ANALYZE " + p.name + "." + t);
      progress(options.database + ": " + p.name + "." + t + " imported and analysed in " +
               Rounded(SecondsSince(start)));
    }
  }

  // The hub links as fedgate does: its pseudonyms are fedgate's, row for row.
  for (const auto& p : providers) {
    const std::string& t = p.tables.front();
    PgConnection db(p.database, where.pg_conninfo, p.database);
    // Every provider table's first column is its key.
    const std::string order = TableColumns(db, t).front().first;
    auto hub_rows = hub.Query("SELECT " + order + ", encode(person_id, 'hex') FROM " + p.name +
                              "." + t + " ORDER BY " + order + " LIMIT 200");
    auto src_rows = db.Query("SELECT " + order + ", nhs_number FROM public." + t + " ORDER BY " +
                             order + " LIMIT 200");
    if (hub_rows.rows() != src_rows.rows() || hub_rows.rows() == 0)
      throw std::runtime_error("hub check: " + p.name + "." + t + " rows differ");
    int compared = 0;
    for (int i = 0; i < hub_rows.rows(); ++i) {
      if (hub_rows.Get(i, 0) != src_rows.Get(i, 0))
        throw std::runtime_error("hub check: " + p.name + "." + t + " rows out of order");
      std::optional<Pseudonym> want;
      if (!src_rows.IsNull(i, 1)) want = check.FromRaw(src_rows.Get(i, 1));
      std::string expected = want ? want->Hex() : "";
      if (hub_rows.IsNull(i, 1) != !want || (want && hub_rows.Get(i, 1) != expected))
        throw std::runtime_error("hub check: the view's pseudonym of " + p.name + "." + t +
                                 " row " + std::string(src_rows.Get(i, 0)) + " is not fedgate's (" +
                                 std::string(hub_rows.Get(i, 1)) + " vs " + expected + ")");
      compared += want ? 1 : 0;
    }
    if (compared == 0)
      throw std::runtime_error("hub check: no valid NHS number among " + p.name + "." + t +
                               "'s first rows");
  }
  progress(options.database + ": pseudonyms of every provider's views checked against fedgate's");
}

void ReconnectFdwHub(const ProviderLocations& where, const HubOptions& options) {
  PgConnection hub(options.database, where.pg_conninfo, options.database);
  std::vector<std::string> servers;
  for (const auto& [provider, tables] : kPgTables) servers.push_back(provider);
  for (const auto& [provider, tables] : OdbcTables(false, false)) servers.push_back(provider);
  for (const auto& server : servers) {
    hub.Exec("ALTER SERVER " + server + " OPTIONS (" + ServerAddress(where, "SET ") + ")");
    hub.Exec("ALTER USER MAPPING FOR CURRENT_USER SERVER " + server + " OPTIONS (" +
             MappingLogin(where, "SET ") + ")");
  }
}

void WriteStamp(const ProviderLocations& where, const std::string& database,
                const std::string& stamp) {
  PgConnection db(database, where.pg_conninfo, database);
  db.Exec("DROP TABLE IF EXISTS public.fedgate_baseline");
  db.Exec("CREATE TABLE public.fedgate_baseline (stamp text)");
  db.Exec("INSERT INTO public.fedgate_baseline VALUES (" +
          sql::QuoteString(sql::PostgresDialect(), stamp) + ")");
}

std::string ReadStamp(const ProviderLocations& where, const std::string& database) {
  PgConnection admin("postgres", where.pg_conninfo, std::string("postgres"));
  auto exists = admin.Query("SELECT 1 FROM pg_database WHERE datname = " +
                            sql::QuoteString(sql::PostgresDialect(), database));
  if (exists.rows() == 0) return "";
  PgConnection db(database, where.pg_conninfo, database);
  auto has = db.Query("SELECT to_regclass('public.fedgate_baseline') IS NOT NULL");
  if (has.Get(0, 0) != "t") return "";
  auto r = db.Query("SELECT stamp FROM public.fedgate_baseline");
  return r.rows() == 1 ? std::string(r.Get(0, 0)) : "";
}

}  // namespace fedgate::tools
