// Secondary suppression (disclosure/secondary.h): the one algorithm the release step runs,
// on a two-way table with margins, a three-way table with every margin (CUBE) and a ROLLUP
// of three levels. The property checked: in every line (a margin and the cells it totals),
// none or at least two cells are withheld, so no withheld cell is a margin minus the rest.

#include "disclosure/secondary.h"

#include <gtest/gtest.h>

#include <map>

namespace fedgate::disclosure {
namespace {

void ExpectEveryLineSafe(const std::vector<Line>& lines, const std::vector<bool>& withheld) {
  for (const Line& line : lines) {
    int n = withheld[line.margin];
    for (size_t p : line.parts) n += withheld[p];
    EXPECT_TRUE(n == 0 || n >= 2) << "a line with margin " << line.margin << " has " << n;
  }
}

// A 2 x 3 table with margins:
//            c0  c1  c2 | total
//   r0       20   3  30 |   53
//   r1       15  25  40 |   80
//   total    35  28  70 |  133
TEST(DisclosureSecondaryTest, TwoWayTableWithMargins) {
  const std::vector<double> size = {20, 3, 30, 53, 15, 25, 40, 80, 35, 28, 70, 133};
  const auto cells = TwoWayTable(2, 3);
  const auto lines = TableLines(cells);
  EXPECT_EQ(lines.size(), 2u + 3u + 1u + 1u);  // 2 rows, 3 columns, the margin row and column
  std::vector<bool> withheld(cells.size(), false);
  withheld[1] = true;  // primary: r0 c1, 3 persons
  const auto added = Suppress(lines, size, withheld);
  EXPECT_GE(added.size(), 3u);
  ExpectEveryLineSafe(lines, withheld);
  // The heuristic picks the smallest cells: row 0's partner is 20 (c0), column 1's is 25 (r1),
  // and r1 c0 closes row 1 and column 0.
  EXPECT_TRUE(withheld[0]);
  EXPECT_TRUE(withheld[5]);
  EXPECT_TRUE(withheld[4]);
  EXPECT_FALSE(withheld[11]) << "the grand total need not be withheld";
}

TEST(DisclosureSecondaryTest, CleanTablesLeftAlone) {
  const auto cells = TwoWayTable(2, 2);
  std::vector<bool> withheld(cells.size(), false);
  EXPECT_TRUE(Suppress(TableLines(cells), std::vector<double>(cells.size(), 1), withheld).empty());
}

// Cells of every grouping set in `sets` over keys with `levels` values each.
std::vector<TableCell> Grouped(const std::vector<int64_t>& sets, int keys, int levels) {
  std::vector<TableCell> cells;
  for (int64_t set : sets) {
    int combos = 1;
    for (int k = 0; k < keys; ++k) combos *= ((set >> k) & 1) ? levels : 1;
    for (int i = 0; i < combos; ++i) {
      TableCell c;
      c.set = set;
      int rest = i;
      for (int k = 0; k < keys; ++k) {
        if ((set >> k) & 1) {
          c.keys.push_back(std::to_string(rest % levels));
          rest /= levels;
        } else {
          c.keys.push_back("\x01");  // totalled: NULL
        }
      }
      cells.push_back(std::move(c));
    }
  }
  return cells;
}

// A 3 x 3 x 3 table with all its margins (CUBE(a, b, c)): 64 cells, 48 lines.
TEST(DisclosureSecondaryTest, ThreeWayTableWithMargins) {
  const auto cells = Grouped({7, 6, 5, 3, 4, 2, 1, 0}, 3, 3);
  ASSERT_EQ(cells.size(), 64u);
  const auto lines = TableLines(cells);
  EXPECT_EQ(lines.size(), 27u + 18u + 3u);  // per set, per grouped key: 3^(keys - 1)
  std::vector<double> size(cells.size());
  for (size_t i = 0; i < size.size(); ++i)
    size[i] = cells[i].set == 7 ? 10 + static_cast<double>((i * 37) % 23) : 1000;
  for (size_t primary : {0u, 13u, 26u}) {
    std::vector<bool> withheld(cells.size(), false);
    withheld[primary] = true;
    const auto added = Suppress(lines, size, withheld);
    EXPECT_GE(added.size(), 7u) << "a cell of a 3-way table needs a cube of partners";
    ExpectEveryLineSafe(lines, withheld);
  }
}

// ROLLUP(a, b, c): detail, (a, b), (a), grand total; a withheld detail cell and a withheld
// subtotal.
TEST(DisclosureSecondaryTest, RollupOfThreeLevels) {
  const auto cells = Grouped({7, 3, 1, 0}, 3, 2);
  ASSERT_EQ(cells.size(), 8u + 4u + 2u + 1u);
  const auto lines = TableLines(cells);
  EXPECT_EQ(lines.size(), 4u + 2u + 1u);  // only the rollup's own lines
  std::vector<double> size(cells.size(), 50);
  size[3] = 5;
  std::vector<bool> withheld(cells.size(), false);
  withheld[0] = true;   // a detail cell
  withheld[10] = true;  // an (a, b) subtotal
  Suppress(lines, size, withheld);
  ExpectEveryLineSafe(lines, withheld);
  EXPECT_FALSE(withheld[14]) << "the grand total need not be withheld";
}

}  // namespace
}  // namespace fedgate::disclosure
