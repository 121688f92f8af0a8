#include "connectors/odbc/odbc_connection.h"

#include <memory>
#include <mutex>

#include "common/error.h"

namespace fedgate::connectors::odbc {

namespace {

// unixODBC wants one environment handle; it is thread-safe and lives for the process.
SQLHENV Environment() {
  static SQLHENV env = [] {
    SQLHENV h = SQL_NULL_HENV;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &h))) {
      throw Error(ErrorCode::kInternal, "cannot allocate the ODBC environment handle");
    }
    SQLSetEnvAttr(h, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    return h;
  }();
  return env;
}

struct StatementDeleter {
  void operator()(void* stmt) const { SQLFreeHandle(SQL_HANDLE_STMT, stmt); }
};
using Statement = std::unique_ptr<void, StatementDeleter>;

}  // namespace

std::string DiagnosticChain(SQLSMALLINT handle_type, SQLHANDLE handle) {
  std::string out;
  for (SQLSMALLINT i = 1;; ++i) {
    SQLCHAR state[6] = {0};
    SQLINTEGER native = 0;
    SQLCHAR message[1024] = {0};
    SQLSMALLINT length = 0;
    SQLRETURN rc =
        SQLGetDiagRec(handle_type, handle, i, state, &native, message, sizeof message, &length);
    if (!SQL_SUCCEEDED(rc)) break;
    if (!out.empty()) out += "; ";
    out += "SQLSTATE " + std::string(reinterpret_cast<char*>(state)) + " (native " +
           std::to_string(native) + "): " + reinterpret_cast<char*>(message);
  }
  return out.empty() ? "no diagnostics from the driver" : out;
}

OdbcConnection::OdbcConnection(std::string source, const std::string& connection_string,
                               int login_timeout_seconds)
    : source_(std::move(source)) {
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, Environment(), &dbc_))) {
    ThrowSource(source_, "cannot allocate an ODBC connection handle");
  }
  SQLSetConnectAttr(dbc_, SQL_ATTR_LOGIN_TIMEOUT,
                    reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(login_timeout_seconds)), 0);
  SQLCHAR out[1024];
  SQLSMALLINT out_len = 0;
  SQLRETURN rc = SQLDriverConnect(
      dbc_, nullptr, reinterpret_cast<SQLCHAR*>(const_cast<char*>(connection_string.c_str())),
      SQL_NTS, out, sizeof out, &out_len, SQL_DRIVER_NOPROMPT);
  if (!SQL_SUCCEEDED(rc)) {
    std::string diag = DiagnosticChain(SQL_HANDLE_DBC, dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    dbc_ = SQL_NULL_HDBC;
    ThrowSource(source_, "cannot connect through ODBC: " + diag);
  }
  connected_ = true;
}

OdbcConnection::~OdbcConnection() {
  if (dbc_ == SQL_NULL_HDBC) return;
  if (connected_) SQLDisconnect(dbc_);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
}

void OdbcConnection::Fail(SQLSMALLINT handle_type, SQLHANDLE handle,
                          const std::string& what) const {
  ThrowSource(source_, what + ": " + DiagnosticChain(handle_type, handle));
}

void OdbcConnection::Exec(const std::string& sql) {
  SQLHSTMT raw = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &raw))) {
    Fail(SQL_HANDLE_DBC, dbc_, "cannot allocate a statement");
  }
  Statement stmt(raw);
  SQLRETURN rc =
      SQLExecDirect(raw, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())), SQL_NTS);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    Fail(SQL_HANDLE_STMT, raw, "statement failed (" + sql.substr(0, 200) + ")");
  }
}

void OdbcConnection::ForEachRow(const std::string& sql,
                                const std::function<void(const TextRow&)>& row) {
  SQLHSTMT raw = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &raw))) {
    Fail(SQL_HANDLE_DBC, dbc_, "cannot allocate a statement");
  }
  Statement stmt(raw);
  if (!SQL_SUCCEEDED(SQLExecDirect(raw, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())),
                                   SQL_NTS))) {
    Fail(SQL_HANDLE_STMT, raw, "query failed (" + sql.substr(0, 200) + ")");
  }
  SQLSMALLINT columns = 0;
  SQLNumResultCols(raw, &columns);
  TextRow values(columns);
  std::string chunk(4096, '\0');
  for (;;) {
    SQLRETURN rc = SQLFetch(raw);
    if (rc == SQL_NO_DATA) break;
    if (!SQL_SUCCEEDED(rc)) Fail(SQL_HANDLE_STMT, raw, "fetch failed");
    for (SQLSMALLINT c = 0; c < columns; ++c) {
      // Long values arrive in pieces: SQLGetData until it stops returning data.
      std::string value;
      bool is_null = false;
      for (;;) {
        SQLLEN indicator = 0;
        rc = SQLGetData(raw, c + 1, SQL_C_CHAR, chunk.data(), static_cast<SQLLEN>(chunk.size()),
                        &indicator);
        if (rc == SQL_NO_DATA) break;
        if (!SQL_SUCCEEDED(rc)) Fail(SQL_HANDLE_STMT, raw, "reading a value failed");
        if (indicator == SQL_NULL_DATA) {
          is_null = true;
          break;
        }
        size_t got = (indicator == SQL_NO_TOTAL || indicator >= static_cast<SQLLEN>(chunk.size()))
                         ? chunk.size() - 1
                         : static_cast<size_t>(indicator);
        value.append(chunk.data(), got);
        if (rc == SQL_SUCCESS) break;
      }
      values[c] = is_null ? std::nullopt : std::optional<std::string>(std::move(value));
    }
    row(values);
  }
}

std::vector<TextRow> OdbcConnection::QueryText(const std::string& sql) {
  std::vector<TextRow> rows;
  ForEachRow(sql, [&rows](const TextRow& r) { rows.push_back(r); });
  return rows;
}

bool OdbcConnection::Alive() {
  SQLUINTEGER dead = SQL_CD_FALSE;
  if (SQL_SUCCEEDED(SQLGetConnectAttr(dbc_, SQL_ATTR_CONNECTION_DEAD, &dead, 0, nullptr)) &&
      dead == SQL_CD_TRUE) {
    return false;
  }
  SQLHSTMT raw = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &raw))) return false;
  Statement stmt(raw);
  SQLCHAR sql[] = "SELECT 1";
  return SQL_SUCCEEDED(SQLExecDirect(raw, sql, SQL_NTS)) && SQL_SUCCEEDED(SQLFetch(raw));
}

void OdbcConnection::SetAutocommit(bool on) {
  SQLRETURN rc = SQLSetConnectAttr(dbc_, SQL_ATTR_AUTOCOMMIT,
                                   reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(
                                       on ? SQL_AUTOCOMMIT_ON : SQL_AUTOCOMMIT_OFF)),
                                   0);
  if (!SQL_SUCCEEDED(rc)) Fail(SQL_HANDLE_DBC, dbc_, "cannot set autocommit");
}

void OdbcConnection::Commit() {
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_COMMIT))) {
    Fail(SQL_HANDLE_DBC, dbc_, "commit failed");
  }
}

void OdbcConnection::Rollback() {
  if (!SQL_SUCCEEDED(SQLEndTran(SQL_HANDLE_DBC, dbc_, SQL_ROLLBACK))) {
    Fail(SQL_HANDLE_DBC, dbc_, "rollback failed");
  }
}

std::string OdbcConnection::GetInfo(SQLUSMALLINT what) const {
  char buf[256] = {0};
  SQLSMALLINT len = 0;
  if (!SQL_SUCCEEDED(SQLGetInfo(dbc_, what, buf, sizeof buf, &len))) {
    Fail(SQL_HANDLE_DBC, dbc_, "SQLGetInfo failed");
  }
  return std::string(buf, static_cast<size_t>(len));
}

std::string OdbcConnection::DbmsName() const {
  return GetInfo(SQL_DBMS_NAME);
}
std::string OdbcConnection::DbmsVersion() const {
  return GetInfo(SQL_DBMS_VER);
}
std::string OdbcConnection::DriverName() const {
  return GetInfo(SQL_DRIVER_NAME);
}

}  // namespace fedgate::connectors::odbc
