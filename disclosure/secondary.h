#pragma once

#include <cstdint>
#include <string>
#include <vector>

// Secondary suppression: after the primary rules, a line of a table with totals (a margin
// and the cells it totals) with exactly one withheld cell gives that cell away by
// subtraction; complementary cells are withheld until every line has none or at least two.
// One algorithm, the iterative heuristic of REFERENCE.md ("Secondary suppression"); the
// release step and the unit tests both build lines with TableLines and call Suppress.
namespace fedgate::disclosure {

// A margin and the cells it totals, as indexes into the table's cells.
struct Line {
  size_t margin = 0;
  std::vector<size_t> parts;
};

// One cell of a table of grouping sets (ROLLUP, CUBE, GROUPING SETS, a 2-way table with its
// margins): `set` has bit k set when key k is grouped (not totalled) in this cell, `keys`
// holds the value of every key (ignored where the bit is clear).
struct TableCell {
  int64_t set = 0;
  std::vector<std::string> keys;
};

// Every line of the table: for each cell and each key k it groups, the cell of the set
// without k with the same other keys is a margin of it. Margins missing from the table give
// no line.
std::vector<Line> TableLines(const std::vector<TableCell>& cells);

// Adds complementary suppressions: `withheld` (one per cell) is updated in place; `size` is
// the magnitude used to choose the partner (the smallest non-withheld part of the line, else
// the margin). Returns the cells added, in the order they were withheld.
std::vector<size_t> Suppress(const std::vector<Line>& lines, const std::vector<double>& size,
                             std::vector<bool>& withheld);

// The cells of a rows x cols table with its margins (the last row and column are totals,
// the corner the grand total), row-major, as TableCells of two keys.
std::vector<TableCell> TwoWayTable(size_t rows, size_t cols);

}  // namespace fedgate::disclosure
