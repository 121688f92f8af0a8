#include "connectors/postgres/postgres_scan.h"

#include <arpa/inet.h>

#include <cmath>
#include <cstring>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::connectors::pg {

namespace {

// Type OIDs from PostgreSQL's pg_type.dat.
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kTextOid = 25,
              kFloat4Oid = 700, kFloat8Oid = 701, kBpcharOid = 1042, kVarcharOid = 1043,
              kDateOid = 1082, kTimestampOid = 1114, kTimestamptzOid = 1184, kIntervalOid = 1186,
              kNumericOid = 1700, kNameOid = 19;

int16_t Read16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return static_cast<int16_t>(ntohs(v));
}
int32_t Read32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return static_cast<int32_t>(ntohl(v));
}
int64_t Read64(const char* p) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(Read32(p))) << 32) |
                              static_cast<uint32_t>(Read32(p + 4)));
}

constexpr int64_t kEpochMicros = static_cast<int64_t>(kPostgresEpochDays) * 86400 * 1000000;

// Digits of a binary numeric as an integer `mantissa` times 10^-`exponent`.
void NumericParts(const char* data, int length, __int128& mantissa, int& exponent, bool& negative) {
  if (length < 8) throw Error(ErrorCode::kSource, "malformed numeric value");
  int ndigits = Read16(data), weight = Read16(data + 2);
  uint16_t sign = static_cast<uint16_t>(Read16(data + 4));
  if (sign == 0xC000) throw Error(ErrorCode::kSource, "numeric NaN is not supported");
  if (sign == 0xD000 || sign == 0xF000) {
    throw Error(ErrorCode::kSource, "numeric infinity is not supported");
  }
  negative = sign == 0x4000;
  mantissa = 0;
  for (int i = 0; i < ndigits; ++i) {
    mantissa = mantissa * 10000 + Read16(data + 8 + 2 * i);
    if (mantissa > (static_cast<__int128>(1) << 120)) {
      throw Error(ErrorCode::kSource, "numeric value out of range");
    }
  }
  exponent = 4 * (ndigits - 1 - weight);
}

}  // namespace

int64_t DecodeNumericFixed(const char* data, int length, int scale) {
  __int128 m;
  int e;
  bool negative;
  NumericParts(data, length, m, e, negative);
  if (m == 0) return 0;
  while (e < scale) {  // multiply up to the wanted scale
    m *= 10;
    ++e;
    if (m > (static_cast<__int128>(1) << 120)) {
      throw Error(ErrorCode::kSource, "numeric value out of range");
    }
  }
  if (e > scale) {  // divide down, rounding half away from zero
    __int128 divisor = 1;
    for (int i = scale; i < e; ++i) divisor *= 10;
    __int128 q = m / divisor, r = m % divisor;
    if (r * 2 >= divisor) ++q;
    m = q;
  }
  if (m > INT64_MAX) throw Error(ErrorCode::kSource, "numeric value out of range for fedgate");
  return negative ? -static_cast<int64_t>(m) : static_cast<int64_t>(m);
}

double DecodeNumericDouble(const char* data, int length) {
  __int128 m;
  int e;
  bool negative;
  NumericParts(data, length, m, e, negative);
  double v = static_cast<double>(m) * std::pow(10.0, -e);
  return negative ? -v : v;
}

PostgresScan::PostgresScan(PostgresConnector& owner, std::unique_ptr<PgConnection> conn,
                           Fragment fragment, QueryContext context)
    : owner_(owner), conn_(std::move(conn)), fragment_(std::move(fragment)), context_(context) {
  cancel_ = PQgetCancel(conn_->raw());
  if (PQsendQueryParams(conn_->raw(), fragment_.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                        /*resultFormat=*/1) != 1) {
    conn_->Fail("cannot send the query");
  }
  if (PQsetSingleRowMode(conn_->raw()) != 1) conn_->Fail("cannot use single-row mode");
}

PostgresScan::~PostgresScan() {
  if (!done_ && conn_) {
    Cancel();
    Finish();
  }
  std::lock_guard lock(cancel_mu_);
  if (cancel_) PQfreeCancel(cancel_);
}

void PostgresScan::Cancel() {
  cancelled_ = true;
  std::lock_guard lock(cancel_mu_);
  if (cancel_ && !done_ && !cancel_sent_) {
    cancel_sent_ = true;
    char err[256];
    PQcancel(cancel_, err, sizeof err);  // best effort: the query may have just finished
  }
}

void PostgresScan::Fail(PGresult* result) {
  std::string message = PQresultErrorMessage(result);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  bool cancelled = cancelled_ || (state && std::strcmp(state, "57014") == 0);
  PQclear(result);
  Finish();
  if (cancelled) {
    throw Error(ErrorCode::kCancelled, "source '" + fragment_.source + "': query cancelled");
  }
  ThrowSource(fragment_.source, message);
}

void PostgresScan::Finish() {
  if (done_) return;
  bool sent;
  {
    std::lock_guard lock(cancel_mu_);
    done_ = true;
    sent = cancel_sent_;
  }
  if (sent) {
    // A cancel request may still be on its way to this session: close it rather than risk
    // cancelling the next query that would run on it. Nothing needs draining then.
    conn_.reset();
    return;
  }
  while (PGresult* r = PQgetResult(conn_->raw())) PQclear(r);
  owner_.Release(std::move(conn_));
}

bool PostgresScan::Next(Batch& batch) {
  batch.columns.resize(fragment_.columns.size());
  for (size_t c = 0; c < fragment_.columns.size(); ++c) {
    batch.columns[c].type = fragment_.columns[c].type;
    batch.columns[c].Clear();
  }
  batch.rows = 0;
  if (done_) return false;
  while (batch.rows < kBatchRows) {
    if (cancelled_) {  // Cancel() has asked the server to stop; the rest is drained on destruction
      throw Error(ErrorCode::kCancelled, "source '" + fragment_.source + "': query cancelled");
    }
    PGresult* r = PQgetResult(conn_->raw());
    if (r == nullptr) {  // should not happen before TUPLES_OK, but be safe
      Finish();
      break;
    }
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_SINGLE_TUPLE) {
      DecodeRow(r, batch);
      PQclear(r);
      continue;
    }
    if (status == PGRES_TUPLES_OK) {
      PQclear(r);
      Finish();
      break;
    }
    Fail(r);
  }
  rows_ += static_cast<int64_t>(batch.rows);
  return batch.rows > 0;
}

void PostgresScan::DecodeRow(PGresult* r, Batch& batch) {
  const int fields = PQnfields(r);
  if (fields != static_cast<int>(fragment_.columns.size())) {
    throw Error(ErrorCode::kInternal, "source '" + fragment_.source + "' returned " +
                                          std::to_string(fields) + " columns, expected " +
                                          std::to_string(fragment_.columns.size()));
  }
  for (int c = 0; c < fields; ++c) {
    Column& col = batch.columns[c];
    const auto& spec = fragment_.columns[c];
    if (PQgetisnull(r, 0, c)) {
      col.AppendNull();
      continue;
    }
    const char* v = PQgetvalue(r, 0, c);
    const int len = PQgetlength(r, 0, c);
    const Oid oid = PQftype(r, c);
    if (spec.identifier) {
      // The identifier becomes a pseudonym here, before the batch goes anywhere.
      auto p = context_.pseudonymiser->FromRaw(std::string_view(v, static_cast<size_t>(len)));
      if (!p) {
        col.AppendNull();
      } else {
        col.null.push_back(0);
        col.pseudo.push_back(*p);
      }
      continue;
    }
    col.null.push_back(0);
    switch (spec.type.id) {
      case TypeId::kBool:
        col.i64.push_back(v[0] != 0);
        break;
      case TypeId::kInt64:
        if (oid == kInt8Oid)
          col.i64.push_back(Read64(v));
        else if (oid == kInt4Oid)
          col.i64.push_back(Read32(v));
        else if (oid == kInt2Oid)
          col.i64.push_back(Read16(v));
        else if (oid == kNumericOid)
          col.i64.push_back(DecodeNumericFixed(v, len, 0));
        else
          goto mismatch;
        break;
      case TypeId::kDecimal:
        if (oid == kNumericOid)
          col.i64.push_back(DecodeNumericFixed(v, len, spec.type.scale));
        else if (oid == kInt8Oid)
          col.i64.push_back(Read64(v) * Pow10(spec.type.scale));
        else if (oid == kInt4Oid)
          col.i64.push_back(Read32(v) * Pow10(spec.type.scale));
        else
          goto mismatch;
        break;
      case TypeId::kDouble:
        if (oid == kFloat8Oid) {
          int64_t bits = Read64(v);
          double d;
          std::memcpy(&d, &bits, 8);
          col.f64.push_back(d);
        } else if (oid == kFloat4Oid) {
          int32_t bits = Read32(v);
          float f;
          std::memcpy(&f, &bits, 4);
          col.f64.push_back(f);
        } else if (oid == kNumericOid) {
          col.f64.push_back(DecodeNumericDouble(v, len));
        } else if (oid == kInt8Oid) {
          col.f64.push_back(static_cast<double>(Read64(v)));
        } else if (oid == kInt4Oid) {
          col.f64.push_back(Read32(v));
        } else {
          goto mismatch;
        }
        break;
      case TypeId::kText:
        if (oid != kTextOid && oid != kVarcharOid && oid != kBpcharOid && oid != kNameOid) {
          goto mismatch;
        }
        col.str.emplace_back(v, static_cast<size_t>(len));
        break;
      case TypeId::kDate:
        if (oid != kDateOid) goto mismatch;
        col.i64.push_back(Read32(v) + kPostgresEpochDays);
        break;
      case TypeId::kTimestamp:
        if (oid != kTimestampOid && oid != kTimestamptzOid) goto mismatch;
        col.i64.push_back(Read64(v) + kEpochMicros);
        break;
      case TypeId::kInterval:
        if (oid != kIntervalOid) goto mismatch;
        col.ivl.push_back(Interval{Read32(v + 12), Read32(v + 8), Read64(v)});
        break;
      default:
        goto mismatch;
    }
    continue;
  mismatch:
    throw Error(ErrorCode::kInternal, "source '" + fragment_.source + "' column '" + spec.name +
                                          "' has type oid " + std::to_string(oid) +
                                          ", which fedgate cannot read as " + spec.type.ToString());
  }
  ++batch.rows;
}

}  // namespace fedgate::connectors::pg
