#pragma once

// Query results as rows of text, and comparing two of them the way the differential SQL tests
// and the benchmark's agreement check do: rows as multisets (or in order), NULL equal only to
// NULL, numbers equal within a relative 1e-9 (fedgate computes AVG in double precision where
// PostgreSQL uses numeric, and sums of doubles depend on their order).

#include <optional>
#include <string>
#include <vector>

#include "engine/query_engine.h"

namespace fedgate::tools {

using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

// fedgate's result as text (NULL as nullopt).
std::vector<Row> RowsOf(const engine::QueryResult& result);

bool CellsEqual(const Cell& a, const Cell& b);

// "a | b | NULL".
std::string Show(const Row& row);

// The first difference between two results ("" when they agree): `a_name`/`b_name` label the
// rows shown. Unless `ordered`, both are sorted first (by a key that puts equal rows next to
// each other despite small numeric differences).
std::string FirstDifference(std::vector<Row> a, std::vector<Row> b, bool ordered,
                            const std::string& a_name, const std::string& b_name);

}  // namespace fedgate::tools
