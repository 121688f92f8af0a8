#pragma once

#include <string>

#include "planner/exec/operator.h"

namespace fedgate::planner::exec {

// Hash join of every kind (inner, left, right, full, semi, anti with NOT IN's null rules,
// cross): builds on the right input, probes with the left. Equality conjuncts between the
// two sides are the hash keys; the rest of the condition is checked on each candidate pair.
OperatorPtr MakeHashJoin(const LogicalOp& op, OperatorPtr left, OperatorPtr right,
                         ExecContext& ctx);

// Hash aggregation with count, count(DISTINCT), sum, avg, min, max, and the number of
// distinct persons behind every group (or the largest earlier count, for input that was
// already aggregated).
OperatorPtr MakeHashAggregate(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);

// Disclosure control over an output aggregate's rows (LogicalOp kProtect).
OperatorPtr MakeProtect(const LogicalOp& op, OperatorPtr child, ExecContext& ctx);

// Appends an encoding of one value to a hash key; false (and nothing appended) for NULL.
bool AppendKey(const Column& column, size_t row, std::string& key);

}  // namespace fedgate::planner::exec
