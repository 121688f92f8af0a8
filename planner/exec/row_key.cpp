// Composite hash keys of join and group columns.
#include "planner/exec/operators.h"

namespace fedgate::planner::exec {

bool AppendKey(const Column& c, size_t row, std::string& key) {
  if (c.null[row]) return false;
  switch (c.type.id) {
    case TypeId::kDouble: {
      double d = c.f64[row] == 0.0 ? 0.0 : c.f64[row];
      key.append(reinterpret_cast<const char*>(&d), sizeof d);
      break;
    }
    case TypeId::kText: {
      uint32_t n = static_cast<uint32_t>(c.str[row].size());
      key.append(reinterpret_cast<const char*>(&n), sizeof n);
      key.append(c.str[row]);
      break;
    }
    case TypeId::kPseudonym:
      key.append(reinterpret_cast<const char*>(c.pseudo[row].bytes.data()), 16);
      break;
    case TypeId::kInterval:
      key.append(reinterpret_cast<const char*>(&c.ivl[row]), sizeof(Interval));
      break;
    case TypeId::kNull:
      return false;
    default:
      key.append(reinterpret_cast<const char*>(&c.i64[row]), sizeof(int64_t));
  }
  return true;
}

}  // namespace fedgate::planner::exec
