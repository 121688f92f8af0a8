#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "connectors/postgres/pg_connection.h"

namespace fedgate::connectors::pg {

// Streams rows into a table with binary COPY (`COPY t (cols) FROM STDIN (FORMAT binary)`).
// Rows are buffered and sent in ~1 MiB chunks. Values must be written in the table's column
// order with the exact binary types the columns have (int8 for bigint, int4 for integer...).
// Finish() must be called to complete the COPY; destroying an unfinished writer aborts it.
class PgCopyWriter {
 public:
  // Starts the COPY. `copy_target` is `table (col, col, ...)`.
  PgCopyWriter(PgConnection& conn, const std::string& copy_target);
  PgCopyWriter(const PgCopyWriter&) = delete;
  PgCopyWriter& operator=(const PgCopyWriter&) = delete;
  ~PgCopyWriter();

  void BeginRow(int16_t fields);
  void Null();
  void Int64(int64_t v);
  void Int32(int32_t v);
  void Bool(bool v);
  void Text(std::string_view v);
  // Days since 1970-01-01.
  void Date(int32_t days);
  // Microseconds since 1970-01-01 00:00:00.
  void Timestamp(int64_t micros);
  // A numeric value given as `unscaled / 10^scale`, e.g. (12345, 2) is 123.45.
  void Numeric(int64_t unscaled, int scale);

  // Sends the trailer, ends the COPY and checks the server's verdict. Returns rows written.
  int64_t Finish();

  // Exposed for tests: the binary encoding of a numeric, without the length word.
  static std::string EncodeNumeric(int64_t unscaled, int scale);

 private:
  void PutInt16(int16_t v);
  void PutInt32(int32_t v);
  void PutInt64(int64_t v);
  void MaybeFlush();
  void Flush();

  PgConnection& conn_;
  std::string buffer_;
  int64_t rows_ = 0;
  bool finished_ = false;
};

}  // namespace fedgate::connectors::pg
