#include "connectors/odbc/odbc_connector.h"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <optional>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::connectors::odbc {

namespace {

constexpr SQLULEN kRowArray = 1024;      // rows per SQLFetch in block mode
constexpr SQLULEN kMaxBoundText = 8000;  // longer text columns are read with SQLGetData
constexpr SQLLEN kDecimalWidth = 80;     // a decimal as text

bool IsText(SQLSMALLINT t) {
  return t == SQL_CHAR || t == SQL_VARCHAR || t == SQL_LONGVARCHAR || t == SQL_WCHAR ||
         t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR;
}

bool IsWide(SQLSMALLINT t) {
  return t == SQL_WCHAR || t == SQL_WVARCHAR || t == SQL_WLONGVARCHAR;
}

int64_t MicrosOf(const SQL_TIMESTAMP_STRUCT& ts) {
  const int64_t days = DaysFromCivil(ts.year, ts.month, ts.day);
  return ((days * 24 + ts.hour) * 60 + ts.minute) * 60 * 1000000 +
         static_cast<int64_t>(ts.second) * 1000000 + ts.fraction / 1000;
}

// "yyyy-mm-dd[ hh:mm:ss[.ffffff]]" as microseconds since 1970; nullopt when malformed.
std::optional<int64_t> ParseTimestampText(std::string_view t) {
  auto days = ParseIsoDate(t.substr(0, 10));
  if (!days) return std::nullopt;
  int64_t micros = static_cast<int64_t>(*days) * 86400 * 1000000;
  if (t.size() == 10) return micros;
  int h = 0, m = 0, s = 0;
  if (t.size() < 19 || (t[10] != ' ' && t[10] != 'T') ||
      std::sscanf(std::string(t.substr(11, 8)).c_str(), "%2d:%2d:%2d", &h, &m, &s) != 3)
    return std::nullopt;
  micros += ((h * 60 + m) * 60 + s) * int64_t{1000000};
  if (t.size() > 20 && t[19] == '.') {
    int64_t frac = 0, digits = 0;
    for (size_t i = 20; i < t.size() && digits < 6 && t[i] >= '0' && t[i] <= '9'; ++i, ++digits)
      frac = frac * 10 + (t[i] - '0');
    while (digits++ < 6) frac *= 10;
    micros += frac;
  }
  return micros;
}

// One column's bound array.
struct Bound {
  SQLSMALLINT c_type = SQL_C_CHAR;
  SQLLEN width = 0;  // bytes per row
  std::vector<char> data;
  std::vector<SQLLEN> indicator;
};

class OdbcScan : public Scan {
 public:
  OdbcScan(OdbcConnector& owner, Fragment fragment, QueryContext context)
      : owner_(owner), fragment_(std::move(fragment)), context_(context) {}

  ~OdbcScan() override {
    if (!done_) Cancel();
    Close(false);
  }

  bool Next(Batch& batch) override {
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    batch.columns.clear();
    for (const auto& c : fragment_.columns) batch.columns.emplace_back(c.type);
    batch.rows = 0;
    if (done_) return false;
    if (!started_) Start();
    while (batch.rows < kBatchRows && !done_) {
      if (block_mode_) {
        if (next_row_ >= fetched_) {
          if (!Fetch()) break;
          next_row_ = 0;
        }
        for (; next_row_ < fetched_ && batch.rows < kBatchRows; ++next_row_) {
          const SQLUSMALLINT s = status_[next_row_];
          if (s == SQL_ROW_NOROW || s == SQL_ROW_DELETED) continue;
          if (s == SQL_ROW_ERROR) Fail("a row could not be read");
          AppendBound(batch, next_row_);
        }
      } else {
        if (!Fetch()) break;
        AppendUnbound(batch);
      }
    }
    if (done_) Close(true);
    rows_ += static_cast<int64_t>(batch.rows);
    return batch.rows > 0;
  }

  void Cancel() override {
    cancelled_ = true;
    std::lock_guard lock(mu_);
    if (stmt_ != SQL_NULL_HSTMT && !done_) SQLCancel(stmt_);  // thread-safe per ODBC
  }

  int64_t rows() const override { return rows_; }

 private:
  [[noreturn]] void Fail(const std::string& what) {
    std::string diag = stmt_ != SQL_NULL_HSTMT ? DiagnosticChain(SQL_HANDLE_STMT, stmt_) : "";
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    done_ = true;
    ThrowSource(fragment_.source, what + (diag.empty() ? "" : ": " + diag));
  }

  void Start() {
    started_ = true;
    conn_ = owner_.Acquire();
    {
      std::lock_guard lock(mu_);
      if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, conn_->handle(), &stmt_))) {
        stmt_ = SQL_NULL_HSTMT;
        ThrowSource(fragment_.source, "cannot allocate an ODBC statement: " +
                                          DiagnosticChain(SQL_HANDLE_DBC, conn_->handle()));
      }
    }
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    SQLSetStmtAttr(stmt_, SQL_ATTR_CURSOR_TYPE,
                   reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(SQL_CURSOR_FORWARD_ONLY)), 0);
    if (context_.timeout_seconds > 0) {
      SQLSetStmtAttr(stmt_, SQL_ATTR_QUERY_TIMEOUT,
                     reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(context_.timeout_seconds)),
                     0);
    }
    SQLRETURN rc = SQLExecDirect(
        stmt_, reinterpret_cast<SQLCHAR*>(const_cast<char*>(fragment_.sql.c_str())), SQL_NTS);
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
      Fail("query failed (" + fragment_.sql.substr(0, 300) + ")");
    SQLSMALLINT ncols = 0;
    SQLNumResultCols(stmt_, &ncols);
    if (static_cast<size_t>(ncols) != fragment_.columns.size()) {
      Fail("the query returned " + std::to_string(ncols) + " columns, fedgate expected " +
           std::to_string(fragment_.columns.size()));
    }
    sql_types_.resize(ncols);
    std::vector<SQLULEN> sizes(ncols);
    for (SQLSMALLINT c = 0; c < ncols; ++c) {
      SQLCHAR name[256];
      SQLSMALLINT name_len = 0, digits = 0, nullable = 0;
      if (!SQL_SUCCEEDED(SQLDescribeCol(stmt_, c + 1, name, sizeof name, &name_len, &sql_types_[c],
                                        &sizes[c], &digits, &nullable)))
        Fail("cannot describe the result");
      const bool text =
          fragment_.columns[c].identifier || fragment_.columns[c].type.id == TypeId::kText;
      if (text && (sql_types_[c] == SQL_LONGVARCHAR || sql_types_[c] == SQL_WLONGVARCHAR ||
                   sizes[c] == 0 || sizes[c] > kMaxBoundText))
        block_mode_ = false;  // long text: SQLGetData reads it whole, row by row
    }
    if (!block_mode_) return;
    bound_.resize(ncols);
    status_.resize(kRowArray);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_BIND_TYPE,
                   reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(SQL_BIND_BY_COLUMN)), 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_ARRAY_SIZE,
                   reinterpret_cast<SQLPOINTER>(static_cast<intptr_t>(kRowArray)), 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROW_STATUS_PTR, status_.data(), 0);
    SQLSetStmtAttr(stmt_, SQL_ATTR_ROWS_FETCHED_PTR, &fetched_, 0);
    for (SQLSMALLINT c = 0; c < ncols; ++c) {
      Bound& b = bound_[c];
      const auto& spec = fragment_.columns[c];
      switch (spec.identifier ? TypeId::kText : spec.type.id) {
        case TypeId::kBool:
          b.c_type = SQL_C_BIT;
          b.width = 1;
          break;
        case TypeId::kInt64:
          b.c_type = SQL_C_SBIGINT;
          b.width = sizeof(int64_t);
          break;
        case TypeId::kDouble:
          b.c_type = SQL_C_DOUBLE;
          b.width = sizeof(double);
          break;
        case TypeId::kDate:
          b.c_type = SQL_C_TYPE_DATE;
          b.width = sizeof(SQL_DATE_STRUCT);
          break;
        case TypeId::kTimestamp:
          b.c_type = SQL_C_TYPE_TIMESTAMP;
          b.width = sizeof(SQL_TIMESTAMP_STRUCT);
          break;
        case TypeId::kDecimal:
          b.c_type = SQL_C_CHAR;
          b.width = kDecimalWidth;
          break;
        case TypeId::kText:
          // UTF-8 takes up to 4 bytes a character; non-text sources (a number as text) get room.
          b.c_type = SQL_C_CHAR;
          b.width = static_cast<SQLLEN>(
              (IsText(sql_types_[c]) ? sizes[c] * (IsWide(sql_types_[c]) ? 4 : 1) : 64) + 1);
          break;
        default:
          Fail("column " + spec.name + " has type " + spec.type.ToString() +
               ", which the ODBC connector cannot read");
      }
      b.data.resize(static_cast<size_t>(b.width) * kRowArray);
      b.indicator.resize(kRowArray);
      if (!SQL_SUCCEEDED(
              SQLBindCol(stmt_, c + 1, b.c_type, b.data.data(), b.width, b.indicator.data())))
        Fail("cannot bind column " + spec.name);
    }
  }

  // Fetches the next block (or row); false at the end.
  bool Fetch() {
    SQLRETURN rc = SQLFetch(stmt_);
    // A cancelled statement may simply stop returning rows: that is not the end of the result.
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    if (rc == SQL_NO_DATA) {
      done_ = true;
      return false;
    }
    if (!SQL_SUCCEEDED(rc)) Fail("fetching rows failed");
    if (cancelled_) throw Error(ErrorCode::kCancelled, "query cancelled");
    return true;
  }

  void AppendIdentifier(Column& col, std::string_view raw) {
    auto p = context_.pseudonymiser->FromRaw(raw);
    if (!p) {
      col.AppendNull();
    } else {
      col.null.push_back(0);
      col.pseudo.push_back(*p);
    }
  }

  void AppendBound(Batch& batch, SQLULEN row) {
    for (size_t c = 0; c < bound_.size(); ++c) {
      const Bound& b = bound_[c];
      Column& col = batch.columns[c];
      const SQLLEN ind = b.indicator[row];
      if (ind == SQL_NULL_DATA) {
        col.AppendNull();
        continue;
      }
      const char* p = b.data.data() + static_cast<size_t>(b.width) * row;
      if (b.c_type == SQL_C_CHAR && (ind == SQL_NO_TOTAL || ind >= b.width)) {
        Fail("a value of column " + fragment_.columns[c].name + " is longer than the " +
             std::to_string(b.width - 1) + " bytes the source described");
      }
      const auto& spec = fragment_.columns[c];
      if (spec.identifier) {
        AppendIdentifier(col, std::string_view(p, static_cast<size_t>(ind)));
        continue;
      }
      col.null.push_back(0);
      switch (spec.type.id) {
        case TypeId::kBool:
          col.i64.push_back(*p != 0);
          break;
        case TypeId::kInt64: {
          int64_t v;
          std::memcpy(&v, p, sizeof v);
          col.i64.push_back(v);
          break;
        }
        case TypeId::kDouble: {
          double v;
          std::memcpy(&v, p, sizeof v);
          col.f64.push_back(v);
          break;
        }
        case TypeId::kDate: {
          SQL_DATE_STRUCT d;
          std::memcpy(&d, p, sizeof d);
          col.i64.push_back(DaysFromCivil(d.year, d.month, d.day));
          break;
        }
        case TypeId::kTimestamp: {
          SQL_TIMESTAMP_STRUCT ts;
          std::memcpy(&ts, p, sizeof ts);
          col.i64.push_back(MicrosOf(ts));
          break;
        }
        case TypeId::kDecimal:
          col.i64.push_back(
              ParseDecimalText(std::string_view(p, static_cast<size_t>(ind)), spec.type.scale));
          break;
        default:  // text
          col.str.emplace_back(p, static_cast<size_t>(ind));
          break;
      }
    }
    ++batch.rows;
  }

  // Reads column c of the current row as text with SQLGetData; false for NULL.
  bool GetText(SQLUSMALLINT c, std::string& out) {
    out.clear();
    char chunk[8192];
    for (;;) {
      SQLLEN ind = 0;
      SQLRETURN rc = SQLGetData(stmt_, c, SQL_C_CHAR, chunk, sizeof chunk, &ind);
      if (rc == SQL_NO_DATA) break;
      if (!SQL_SUCCEEDED(rc)) Fail("reading a value failed");
      if (ind == SQL_NULL_DATA) return false;
      const size_t got = (ind == SQL_NO_TOTAL || ind >= static_cast<SQLLEN>(sizeof chunk))
                             ? sizeof chunk - 1
                             : static_cast<size_t>(ind);
      out.append(chunk, got);
      if (rc == SQL_SUCCESS) break;
    }
    return true;
  }

  void AppendUnbound(Batch& batch) {
    std::string text;
    for (size_t c = 0; c < fragment_.columns.size(); ++c) {
      const auto& spec = fragment_.columns[c];
      Column& col = batch.columns[c];
      if (!GetText(static_cast<SQLUSMALLINT>(c + 1), text)) {
        col.AppendNull();
        continue;
      }
      if (spec.identifier) {
        AppendIdentifier(col, text);
        continue;
      }
      col.null.push_back(0);
      switch (spec.type.id) {
        case TypeId::kBool:
          col.i64.push_back(text == "1" || text == "t" || text == "true");
          break;
        case TypeId::kInt64:
          col.i64.push_back(ParseDecimalText(text, 0));
          break;
        case TypeId::kDecimal:
          col.i64.push_back(ParseDecimalText(text, spec.type.scale));
          break;
        case TypeId::kDouble:
          col.f64.push_back(std::strtod(text.c_str(), nullptr));
          break;
        case TypeId::kDate: {
          auto d = ParseIsoDate(std::string_view(text).substr(0, 10));
          if (!d) Fail("column " + spec.name + " holds '" + text + "', not a date");
          col.i64.push_back(*d);
          break;
        }
        case TypeId::kTimestamp: {
          auto ts = ParseTimestampText(text);
          if (!ts) Fail("column " + spec.name + " holds '" + text + "', not a timestamp");
          col.i64.push_back(*ts);
          break;
        }
        default:
          col.str.push_back(std::move(text));
          text.clear();
          break;
      }
    }
    ++batch.rows;
  }

  // Frees the statement; returns the connection to the pool when it ended cleanly.
  void Close(bool reusable) {
    std::lock_guard lock(mu_);
    if (stmt_ != SQL_NULL_HSTMT) {
      SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
      stmt_ = SQL_NULL_HSTMT;
    }
    if (conn_) {
      if (reusable && !cancelled_) owner_.Release(std::move(conn_));
      conn_.reset();
    }
  }

  OdbcConnector& owner_;
  Fragment fragment_;
  QueryContext context_;
  std::unique_ptr<OdbcConnection> conn_;
  std::mutex mu_;  // stmt_ against Cancel
  SQLHSTMT stmt_ = SQL_NULL_HSTMT;
  std::atomic<bool> cancelled_{false};
  bool started_ = false;
  bool done_ = false;
  bool block_mode_ = true;
  std::vector<SQLSMALLINT> sql_types_;
  std::vector<Bound> bound_;
  std::vector<SQLUSMALLINT> status_;
  SQLULEN fetched_ = 0;
  SQLULEN next_row_ = 0;
  int64_t rows_ = 0;
};

}  // namespace

bool MapOdbcType(int sql_type, int column_size, int digits, DataType& out) {
  switch (sql_type) {
    case SQL_BIT:
      out = DataType::Bool();
      return true;
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT:
      out = DataType::Int64();
      return true;
    case SQL_DECIMAL:
    case SQL_NUMERIC:
      // Fixed point when it fits fedgate's 18 digits; otherwise (or with no declared scale, as
      // SQLite's NUMERIC) a double.
      if (column_size > 0 && column_size <= 18 && digits >= 0 && digits <= 9) {
        out = DataType::Decimal(digits);
      } else {
        out = DataType::Double();
      }
      return true;
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE:
      out = DataType::Double();
      return true;
    case SQL_TYPE_DATE:
    case SQL_DATE:
      out = DataType::Date();
      return true;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP:
      out = DataType::Timestamp();
      return true;
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_LONGVARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
    case SQL_WLONGVARCHAR:
      out = DataType::Text();
      return true;
    default:
      return false;
  }
}

int64_t ParseDecimalText(std::string_view text, int scale) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  __int128 m = 0;
  int frac = 0;
  bool any = false, dot = false, round_up = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (dot && frac == scale) {  // first dropped digit decides the rounding
      if (!round_up && c >= '5') round_up = true;
      frac = scale + 1;
      continue;
    }
    if (dot && frac > scale) continue;
    m = m * 10 + (c - '0');
    if (dot) ++frac;
    if (m > (static_cast<__int128>(1) << 100))
      throw Error(ErrorCode::kSource, "decimal value out of range: " + std::string(text));
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (!any || i != text.size())
    throw Error(ErrorCode::kSource, "not a decimal number: '" + std::string(text) + "'");
  for (int f = std::min(frac, scale); f < scale; ++f) m *= 10;
  if (round_up) ++m;
  if (m > INT64_MAX)
    throw Error(ErrorCode::kSource, "decimal value out of range: " + std::string(text));
  return negative ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
}

OdbcConnector::OdbcConnector(std::string name, std::string connection_string,
                             const sql::Dialect& dialect, int max_idle)
    : name_(std::move(name)),
      connection_string_(std::move(connection_string)),
      dialect_(dialect),
      max_idle_(static_cast<size_t>(max_idle)) {}

std::unique_ptr<OdbcConnection> OdbcConnector::Acquire() {
  for (;;) {
    Idle idle;
    {
      std::lock_guard lock(mu_);
      if (idle_.empty()) break;
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    // Just used: trust it (a burst of fragments costs no extra round trips).
    if (std::chrono::steady_clock::now() - idle.since < std::chrono::seconds(1) ||
        idle.conn->Alive()) {
      return std::move(idle.conn);
    }
    // Dead (the server restarted or dropped it): drop it and try the next one.
  }
  return std::make_unique<OdbcConnection>(name_, connection_string_);
}

void OdbcConnector::Release(std::unique_ptr<OdbcConnection> conn) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_)
    idle_.push_back({std::move(conn), std::chrono::steady_clock::now()});
}

std::vector<SourceColumn> OdbcConnector::Describe(const std::string& table) {
  auto conn = Acquire();
  SQLHSTMT stmt = SQL_NULL_HSTMT;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, conn->handle(), &stmt)))
    ThrowSource(name_, "cannot allocate an ODBC statement: " +
                           DiagnosticChain(SQL_HANDLE_DBC, conn->handle()));
  std::vector<SourceColumn> out;
  bool found = false;
  try {
    if (!SQL_SUCCEEDED(SQLColumns(stmt, nullptr, 0, nullptr, 0,
                                  reinterpret_cast<SQLCHAR*>(const_cast<char*>(table.c_str())),
                                  SQL_NTS, nullptr, 0)))
      ThrowSource(name_, "cannot list the columns of " + table + ": " +
                             DiagnosticChain(SQL_HANDLE_STMT, stmt));
    for (;;) {
      SQLRETURN rc = SQLFetch(stmt);
      if (rc == SQL_NO_DATA) break;
      if (!SQL_SUCCEEDED(rc))
        ThrowSource(name_, "cannot list the columns of " + table + ": " +
                               DiagnosticChain(SQL_HANDLE_STMT, stmt));
      char name[256] = {0}, type_name[128] = {0};
      SQLSMALLINT data_type = 0, digits = 0;
      SQLINTEGER size = 0;
      SQLLEN ind = 0, digits_ind = 0;
      SQLGetData(stmt, 4, SQL_C_CHAR, name, sizeof name, &ind);
      SQLGetData(stmt, 5, SQL_C_SSHORT, &data_type, 0, &ind);
      SQLGetData(stmt, 6, SQL_C_CHAR, type_name, sizeof type_name, &ind);
      SQLGetData(stmt, 7, SQL_C_SLONG, &size, 0, &ind);
      SQLGetData(stmt, 9, SQL_C_SSHORT, &digits, 0, &digits_ind);
      if (digits_ind == SQL_NULL_DATA) digits = -1;
      found = true;
      DataType type;
      if (!MapOdbcType(data_type, size, digits, type)) continue;  // not exposed
      out.push_back({name, type, type_name});
    }
  } catch (...) {
    SQLFreeHandle(SQL_HANDLE_STMT, stmt);
    throw;
  }
  SQLFreeHandle(SQL_HANDLE_STMT, stmt);
  Release(std::move(conn));
  if (!found) {
    throw Error(ErrorCode::kNotFound,
                "table " + table + " does not exist at source '" + name_ + "'");
  }
  return out;
}

// The statement is executed in the first Next, on the scan's thread: SQLExecDirect blocks
// until the source has the first rows (see Connector::Open).
std::unique_ptr<Scan> OdbcConnector::Open(const Fragment& fragment, const QueryContext& context) {
  return std::make_unique<OdbcScan>(*this, fragment, context);
}

Connector::Info OdbcConnector::About() {
  auto conn = Acquire();
  Info info{conn->DriverName(), conn->DbmsName(), conn->DbmsVersion()};
  Release(std::move(conn));
  return info;
}

}  // namespace fedgate::connectors::odbc
