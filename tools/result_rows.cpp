#include "tools/result_rows.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "planner/value.h"

namespace fedgate::tools {

namespace {

std::optional<double> Number(const Cell& s) {
  if (!s || s->empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s->c_str(), &end);
  if (end != s->c_str() + s->size()) return std::nullopt;
  return d;
}

std::string SortKey(const Row& row) {
  std::string key;
  for (const auto& cell : row) {
    if (!cell) {
      key += "\x01NULL";
    } else if (auto n = Number(cell)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.8e", *n);
      key += std::string("\x02") + buf;
    } else {
      key += "\x03" + *cell;
    }
    key += '\x1f';
  }
  return key;
}

}  // namespace

std::vector<Row> RowsOf(const engine::QueryResult& result) {
  std::vector<Row> rows;
  rows.reserve(result.rows.rows);
  for (size_t r = 0; r < result.rows.rows; ++r) {
    Row row;
    for (const auto& col : result.rows.columns) {
      if (col.IsNull(r)) {
        row.push_back(std::nullopt);
      } else {
        row.push_back(planner::GetValue(col, r).ToString());
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool CellsEqual(const Cell& a, const Cell& b) {
  if (!a || !b) return !a && !b;
  if (*a == *b) return true;
  auto x = Number(a), y = Number(b);
  if (!x || !y) return false;
  return std::fabs(*x - *y) <= 1e-9 * std::max({1.0, std::fabs(*x), std::fabs(*y)});
}

std::string Show(const Row& row) {
  std::string out;
  for (size_t i = 0; i < row.size(); ++i)
    out += (i ? " | " : "") + (row[i] ? *row[i] : std::string("NULL"));
  return out;
}

std::string FirstDifference(std::vector<Row> a, std::vector<Row> b, bool ordered,
                            const std::string& a_name, const std::string& b_name) {
  if (!ordered) {
    auto by_key = [](const Row& x, const Row& y) { return SortKey(x) < SortKey(y); };
    std::sort(a.begin(), a.end(), by_key);
    std::sort(b.begin(), b.end(), by_key);
  }
  if (a.size() != b.size()) {
    return "row counts differ: " + a_name + " " + std::to_string(a.size()) + ", " + b_name + " " +
           std::to_string(b.size());
  }
  for (size_t r = 0; r < a.size(); ++r) {
    bool same = a[r].size() == b[r].size();
    for (size_t k = 0; same && k < a[r].size(); ++k) same = CellsEqual(a[r][k], b[r][k]);
    if (!same) {
      std::string pad(std::max(a_name.size(), b_name.size()), ' ');
      return "row " + std::to_string(r) + " differs\n  " + a_name + ": " +
             pad.substr(a_name.size()) + Show(a[r]) + "\n  " + b_name + ": " +
             pad.substr(b_name.size()) + Show(b[r]);
    }
  }
  return "";
}

}  // namespace fedgate::tools
