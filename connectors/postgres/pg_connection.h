#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fedgate::connectors::pg {

// The result of one statement. Owns the PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  // Text of a value; empty for NULL. Valid as long as this result lives.
  std::string_view Get(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<size_t>(PQgetlength(result_.get(), row, column))};
  }
  // REQUIRES: the value is a whole number in text form.
  int64_t GetInt(int row, int column) const;
  double GetDouble(int row, int column) const;
  PGresult* raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// One libpq connection to one source. Every failure throws Error(kSource) whose message
// names the source and carries libpq's own text. Not thread-safe: one thread at a time.
class PgConnection {
 public:
  // Connects with a libpq conninfo string (key=value or URI). When `database` is given it
  // replaces any dbname in `conninfo`.
  PgConnection(std::string source, const std::string& conninfo,
               std::optional<std::string> database = std::nullopt);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs one or more statements that return no rows.
  void Exec(const std::string& sql);
  // Runs a statement and returns its rows (text format). For small results.
  PgResult Query(const std::string& sql);

  const std::string& source() const { return source_; }
  PGconn* raw() const { return conn_; }
  // Throws Error(kSource) with the connection's last error message and `what`.
  [[noreturn]] void Fail(const std::string& what) const;

 private:
  std::string source_;
  PGconn* conn_ = nullptr;
};

}  // namespace fedgate::connectors::pg
