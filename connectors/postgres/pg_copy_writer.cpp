#include "connectors/postgres/pg_copy_writer.h"

#include <arpa/inet.h>

#include <cstring>
#include <vector>

#include "common/date.h"
#include "common/error.h"

namespace fedgate::connectors::pg {

namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr char kSignature[] = "PGCOPY\n\377\r\n\0";  // 11 bytes with the NUL

}  // namespace

PgCopyWriter::PgCopyWriter(PgConnection& conn, const std::string& copy_target) : conn_(conn) {
  PgResult result(
      PQexec(conn_.raw(), ("COPY " + copy_target + " FROM STDIN (FORMAT binary)").c_str()));
  if (PQresultStatus(result.raw()) != PGRES_COPY_IN) {
    conn_.Fail("cannot start COPY into " + copy_target);
  }
  buffer_.reserve(kFlushBytes + 4096);
  buffer_.append(kSignature, 11);
  PutInt32(0);  // flags
  PutInt32(0);  // header extension length
}

PgCopyWriter::~PgCopyWriter() {
  if (!finished_) {
    PQputCopyEnd(conn_.raw(), "aborted by fedgate");
    while (PGresult* r = PQgetResult(conn_.raw())) PQclear(r);
  }
}

void PgCopyWriter::PutInt16(int16_t v) {
  uint16_t n = htons(static_cast<uint16_t>(v));
  buffer_.append(reinterpret_cast<const char*>(&n), 2);
}

void PgCopyWriter::PutInt32(int32_t v) {
  uint32_t n = htonl(static_cast<uint32_t>(v));
  buffer_.append(reinterpret_cast<const char*>(&n), 4);
}

void PgCopyWriter::PutInt64(int64_t v) {
  PutInt32(static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  PutInt32(static_cast<int32_t>(static_cast<uint64_t>(v) & 0xffffffffu));
}

void PgCopyWriter::BeginRow(int16_t fields) {
  MaybeFlush();
  PutInt16(fields);
  ++rows_;
}

void PgCopyWriter::Null() {
  PutInt32(-1);
}

void PgCopyWriter::Int64(int64_t v) {
  PutInt32(8);
  PutInt64(v);
}

void PgCopyWriter::Int32(int32_t v) {
  PutInt32(4);
  PutInt32(v);
}

void PgCopyWriter::Bool(bool v) {
  PutInt32(1);
  buffer_.push_back(v ? 1 : 0);
}

void PgCopyWriter::Text(std::string_view v) {
  PutInt32(static_cast<int32_t>(v.size()));
  buffer_.append(v);
}

void PgCopyWriter::Date(int32_t days) {
  PutInt32(4);
  PutInt32(days - kPostgresEpochDays);
}

void PgCopyWriter::Timestamp(int64_t micros) {
  PutInt32(8);
  PutInt64(micros - static_cast<int64_t>(kPostgresEpochDays) * 86400 * 1000000);
}

std::string PgCopyWriter::EncodeNumeric(int64_t unscaled, int scale) {
  // PostgreSQL's numeric on the wire: ndigits, weight, sign, dscale, then base-10000
  // digits, most significant first; weight is the power of 10000 of the first digit.
  bool negative = unscaled < 0;
  uint64_t magnitude =
      negative ? static_cast<uint64_t>(-(unscaled + 1)) + 1 : static_cast<uint64_t>(unscaled);
  std::string decimal = std::to_string(magnitude);
  if (decimal.size() <= static_cast<size_t>(scale)) {
    decimal.insert(0, static_cast<size_t>(scale) - decimal.size() + 1, '0');
  }
  std::string int_part = decimal.substr(0, decimal.size() - scale);
  std::string frac_part = decimal.substr(decimal.size() - scale);
  int_part.insert(0, (4 - int_part.size() % 4) % 4, '0');
  frac_part.append((4 - frac_part.size() % 4) % 4, '0');

  std::vector<int16_t> groups;
  for (size_t i = 0; i < int_part.size(); i += 4)
    groups.push_back(std::stoi(int_part.substr(i, 4)));
  int weight = static_cast<int>(groups.size()) - 1;
  for (size_t i = 0; i < frac_part.size(); i += 4) {
    groups.push_back(static_cast<int16_t>(std::stoi(frac_part.substr(i, 4))));
  }
  size_t first = 0;
  while (first < groups.size() && groups[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;

  std::string out;
  auto put16 = [&out](int v) {
    uint16_t n = htons(static_cast<uint16_t>(v));
    out.append(reinterpret_cast<const char*>(&n), 2);
  };
  if (first == last) {  // zero
    put16(0);
    put16(0);
    put16(0);
    put16(scale);
    return out;
  }
  put16(static_cast<int>(last - first));
  put16(weight);
  put16(negative ? 0x4000 : 0x0000);
  put16(scale);
  for (size_t i = first; i < last; ++i) put16(groups[i]);
  return out;
}

void PgCopyWriter::Numeric(int64_t unscaled, int scale) {
  std::string encoded = EncodeNumeric(unscaled, scale);
  PutInt32(static_cast<int32_t>(encoded.size()));
  buffer_.append(encoded);
}

void PgCopyWriter::MaybeFlush() {
  if (buffer_.size() >= kFlushBytes) Flush();
}

void PgCopyWriter::Flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(conn_.raw(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    conn_.Fail("COPY data could not be sent");
  }
  buffer_.clear();
}

int64_t PgCopyWriter::Finish() {
  PutInt16(-1);  // file trailer
  Flush();
  finished_ = true;
  if (PQputCopyEnd(conn_.raw(), nullptr) != 1) conn_.Fail("COPY could not be ended");
  std::string error;
  while (PGresult* r = PQgetResult(conn_.raw())) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && error.empty()) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  if (!error.empty()) {
    while (!error.empty() && error.back() == '\n') error.pop_back();
    ThrowSource(conn_.source(), "COPY failed: " + error);
  }
  return rows_;
}

}  // namespace fedgate::connectors::pg
