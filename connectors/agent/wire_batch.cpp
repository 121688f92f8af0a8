#include "connectors/agent/wire_batch.h"

#include <cstring>

#include "common/error.h"

namespace fedgate::agent {

namespace {

template <typename T>
void Put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T Get(const std::string& in, size_t at) {
  T v;
  std::memcpy(&v, in.data() + at, sizeof v);
  return v;
}

}  // namespace

namespace {

constexpr std::pair<ErrorCode, wire::ErrorKind::type> kErrorKinds[] = {
    {ErrorCode::kInvalidArgument, wire::ErrorKind::INVALID},
    {ErrorCode::kNotFound, wire::ErrorKind::NOT_FOUND},
    {ErrorCode::kPermissionDenied, wire::ErrorKind::REFUSED},
    {ErrorCode::kCancelled, wire::ErrorKind::CANCELLED},
    {ErrorCode::kSource, wire::ErrorKind::SOURCE},
};

}  // namespace

wire::ErrorKind::type ErrorKindOf(ErrorCode code) {
  for (const auto& [c, k] : kErrorKinds)
    if (c == code) return k;
  return wire::ErrorKind::INTERNAL;
}

ErrorCode ErrorCodeOf(wire::ErrorKind::type kind) {
  for (const auto& [c, k] : kErrorKinds)
    if (k == kind) return c;
  return ErrorCode::kSource;
}

wire::DataType ToWire(const DataType& t) {
  wire::DataType out;
  out.id = static_cast<wire::TypeId::type>(static_cast<int>(t.id));
  out.scale = t.scale;
  return out;
}

DataType FromWire(const wire::DataType& t) {
  if (t.id < 0 || t.id > static_cast<int>(TypeId::kPseudonym))
    throw Error(ErrorCode::kInvalidArgument, "unknown type id " + std::to_string(t.id));
  return DataType{static_cast<TypeId>(t.id), t.scale};
}

wire::Batch EncodeBatch(const Batch& batch, bool last) {
  static_assert(sizeof(Pseudonym) == 16);
  wire::Batch out;
  out.rows = static_cast<int32_t>(batch.rows);
  out.last = last;
  out.columns.resize(batch.columns.size());
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    wire::ColumnData& w = out.columns[c];
    w.type = ToWire(col.type);
    w.nulls.assign(reinterpret_cast<const char*>(col.null.data()), col.null.size());
    switch (StorageOf(col.type.id)) {
      case ColumnStorage::kInt:
        w.data.assign(reinterpret_cast<const char*>(col.i64.data()), col.i64.size() * 8);
        break;
      case ColumnStorage::kDouble:
        w.data.assign(reinterpret_cast<const char*>(col.f64.data()), col.f64.size() * 8);
        break;
      case ColumnStorage::kPseudonym:
        w.data.reserve(col.pseudo.size() * 16);
        for (const auto& p : col.pseudo)
          w.data.append(reinterpret_cast<const char*>(p.bytes.data()), 16);
        break;
      case ColumnStorage::kInterval:
        for (const auto& v : col.ivl) {
          Put(w.data, v.months);
          Put(w.data, v.days);
          Put(w.data, v.micros);
        }
        break;
      case ColumnStorage::kString: {
        uint32_t offset = 0;
        Put(w.offsets, offset);
        for (const auto& s : col.str) {
          w.data += s;
          offset += static_cast<uint32_t>(s.size());
          Put(w.offsets, offset);
        }
        break;
      }
      case ColumnStorage::kNone:
        break;
    }
  }
  return out;
}

Batch DecodeBatch(const wire::Batch& in, const std::vector<DataType>& expected,
                  const std::string& source) {
  auto bad = [&](const std::string& what) {
    throw Error(ErrorCode::kSource,
                "source '" + source + "': malformed batch from the agent: " + what);
  };
  if (in.rows < 0) bad("negative row count");
  if (in.columns.size() != expected.size())
    bad(std::to_string(in.columns.size()) + " columns, expected " +
        std::to_string(expected.size()));
  const size_t rows = static_cast<size_t>(in.rows);
  Batch out;
  out.rows = rows;
  out.columns.reserve(expected.size());
  for (size_t c = 0; c < expected.size(); ++c) {
    const wire::ColumnData& w = in.columns[c];
    DataType type = FromWire(w.type);
    // A NULL-typed column (all NULL) may come for any promised type.
    if (!(type == expected[c]) && type.id != TypeId::kNull)
      bad("column " + std::to_string(c) + " is " + type.ToString() + ", expected " +
          expected[c].ToString());
    Column col(expected[c]);
    if (w.nulls.size() != rows) bad("column " + std::to_string(c) + " has a wrong NULL map");
    col.null.assign(w.nulls.begin(), w.nulls.end());
    const auto storage = StorageOf(expected[c].id);
    auto need = [&](size_t bytes) {
      if (w.data.size() != bytes)
        bad("column " + std::to_string(c) + " holds " + std::to_string(w.data.size()) +
            " bytes, expected " + std::to_string(bytes));
    };
    if (type.id == TypeId::kNull) {
      col.type = expected[c];
      for (auto& n : col.null) n = 1;
    }
    switch (storage) {
      case ColumnStorage::kInt:
        if (type.id == TypeId::kNull) {
          col.i64.assign(rows, 0);
          break;
        }
        need(rows * 8);
        col.i64.resize(rows);
        if (rows) std::memcpy(col.i64.data(), w.data.data(), rows * 8);  // (no null pointers)
        break;
      case ColumnStorage::kDouble:
        if (type.id == TypeId::kNull) {
          col.f64.assign(rows, 0);
          break;
        }
        need(rows * 8);
        col.f64.resize(rows);
        if (rows) std::memcpy(col.f64.data(), w.data.data(), rows * 8);
        break;
      case ColumnStorage::kPseudonym:
        if (type.id == TypeId::kNull) {
          col.pseudo.assign(rows, Pseudonym{});
          break;
        }
        need(rows * 16);
        col.pseudo.resize(rows);
        for (size_t r = 0; r < rows; ++r)
          std::memcpy(col.pseudo[r].bytes.data(), w.data.data() + r * 16, 16);
        break;
      case ColumnStorage::kInterval:
        if (type.id == TypeId::kNull) {
          col.ivl.assign(rows, Interval{});
          break;
        }
        need(rows * 16);
        col.ivl.resize(rows);
        for (size_t r = 0; r < rows; ++r) {
          col.ivl[r].months = Get<int32_t>(w.data, r * 16);
          col.ivl[r].days = Get<int32_t>(w.data, r * 16 + 4);
          col.ivl[r].micros = Get<int64_t>(w.data, r * 16 + 8);
        }
        break;
      case ColumnStorage::kString: {
        if (type.id == TypeId::kNull) {
          col.str.assign(rows, std::string());
          break;
        }
        if (w.offsets.size() != (rows + 1) * 4) bad("column " + std::to_string(c) + " offsets");
        col.str.resize(rows);
        uint32_t prev = Get<uint32_t>(w.offsets, 0);
        if (prev != 0) bad("column " + std::to_string(c) + " offsets do not start at 0");
        for (size_t r = 0; r < rows; ++r) {
          const uint32_t next = Get<uint32_t>(w.offsets, (r + 1) * 4);
          if (next < prev || next > w.data.size())
            bad("column " + std::to_string(c) + " offsets out of range");
          col.str[r].assign(w.data, prev, next - prev);
          prev = next;
        }
        if (prev != w.data.size()) bad("column " + std::to_string(c) + " has trailing bytes");
        break;
      }
      case ColumnStorage::kNone:
        // A NULL-typed column (NULLIF(NULL, x), CASE ... THEN NULL) is its NULL map alone.
        if (type.id == TypeId::kNull && w.data.empty() && w.offsets.empty()) break;
        bad("column " + std::to_string(c) + " has a type that cannot be sent");
    }
    out.columns.push_back(std::move(col));
  }
  return out;
}

}  // namespace fedgate::agent
