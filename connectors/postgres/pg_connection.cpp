#include "connectors/postgres/pg_connection.h"

#include <charconv>
#include <cstdlib>

#include "common/error.h"

namespace fedgate::connectors::pg {

namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

int64_t PgResult::GetInt(int row, int column) const {
  std::string_view text = Get(row, column);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw Error(ErrorCode::kInternal, "expected a whole number, got '" + std::string(text) + "'");
  }
  return value;
}

double PgResult::GetDouble(int row, int column) const {
  return std::strtod(std::string(Get(row, column)).c_str(), nullptr);
}

PgConnection::PgConnection(std::string source, const std::string& conninfo,
                           std::optional<std::string> database)
    : source_(std::move(source)) {
  // Only the first dbname is expanded as a conninfo; a second one is a plain name that
  // overrides whatever the conninfo said.
  const char* keywords[] = {"dbname", "dbname", "connect_timeout", nullptr};
  const char* values[] = {conninfo.c_str(), database ? database->c_str() : nullptr, "10", nullptr};
  if (!database) {
    keywords[1] = "connect_timeout";
    values[1] = "10";
    keywords[2] = nullptr;
    values[2] = nullptr;
  }
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr) ThrowSource(source_, "out of memory creating a libpq connection");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = Trim(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    ThrowSource(source_, "cannot connect to PostgreSQL: " + message);
  }
}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgConnection::Fail(const std::string& what) const {
  ThrowSource(source_, what + ": " + Trim(PQerrorMessage(conn_)));
}

void PgConnection::Exec(const std::string& sql) {
  PgResult result(PQexec(conn_, sql.c_str()));
  auto status = PQresultStatus(result.raw());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ThrowSource(source_,
                Trim(PQresultErrorMessage(result.raw())) + " (in: " + sql.substr(0, 200) + ")");
  }
}

PgResult PgConnection::Query(const std::string& sql) {
  PgResult result(PQexec(conn_, sql.c_str()));
  if (PQresultStatus(result.raw()) != PGRES_TUPLES_OK) {
    ThrowSource(source_,
                Trim(PQresultErrorMessage(result.raw())) + " (in: " + sql.substr(0, 200) + ")");
  }
  return result;
}

}  // namespace fedgate::connectors::pg
