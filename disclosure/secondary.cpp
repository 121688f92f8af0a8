#include "disclosure/secondary.h"

#include <map>

namespace fedgate::disclosure {

namespace {

// A cell's identity within its set: the set and the keys it groups, except `skip`.
std::string Identity(const TableCell& c, int64_t set, int skip) {
  std::string t = std::to_string(set) + "|";
  for (size_t k = 0; k < c.keys.size(); ++k) {
    if (!((set >> k) & 1) || static_cast<int>(k) == skip) continue;
    t += c.keys[k];
    t += '\x1f';
  }
  return t;
}

}  // namespace

std::vector<Line> TableLines(const std::vector<TableCell>& cells) {
  std::map<std::string, size_t> cell_of;
  for (size_t i = 0; i < cells.size(); ++i) cell_of[Identity(cells[i], cells[i].set, -1)] = i;
  std::map<std::string, Line> lines;
  for (size_t i = 0; i < cells.size(); ++i) {
    const TableCell& c = cells[i];
    for (size_t k = 0; k < c.keys.size() && k < 63; ++k) {
      if (!((c.set >> k) & 1)) continue;
      const int64_t parent = c.set & ~(int64_t{1} << k);
      auto margin = cell_of.find(Identity(c, parent, -1));
      if (margin == cell_of.end()) continue;
      Line& line = lines[std::to_string(k) + "#" + Identity(c, c.set, static_cast<int>(k))];
      line.margin = margin->second;
      line.parts.push_back(i);
    }
  }
  std::vector<Line> out;
  for (auto& [id, line] : lines) out.push_back(std::move(line));
  return out;
}

std::vector<size_t> Suppress(const std::vector<Line>& lines, const std::vector<double>& size,
                             std::vector<bool>& withheld) {
  std::vector<size_t> added;
  bool changed = true;
  while (changed) {
    changed = false;
    for (const Line& line : lines) {
      int out = withheld[line.margin] ? 1 : 0;
      for (size_t p : line.parts) out += withheld[p];
      if (out != 1) continue;
      size_t best = line.margin;
      bool found = false;
      for (size_t p : line.parts) {
        if (!withheld[p] && (!found || size[p] < size[best])) {
          best = p;
          found = true;
        }
      }
      withheld[best] = true;
      added.push_back(best);
      changed = true;
    }
  }
  return added;
}

std::vector<TableCell> TwoWayTable(size_t rows, size_t cols) {
  std::vector<TableCell> cells;
  for (size_t r = 0; r <= rows; ++r) {
    for (size_t c = 0; c <= cols; ++c) {
      TableCell cell;
      cell.set = (r < rows ? 1 : 0) | (c < cols ? 2 : 0);
      cell.keys = {std::to_string(r), std::to_string(c)};
      cells.push_back(std::move(cell));
    }
  }
  return cells;
}

}  // namespace fedgate::disclosure
