#pragma once

#include <string>
#include <vector>

namespace fedgate::planner {

// The functions an analyst can call, with their signatures as Trino names types (what SHOW
// FUNCTIONS lists for editors' autocomplete). One row per overload. Kept beside the binder's
// list of callable names: tests/unit/function_list_test.cpp fails when a function the
// evaluator knows by name is missing here, or a name here is not one it knows.
struct FunctionSignature {
  std::string name;
  std::string return_type;
  std::string argument_types;  // ", "-separated
  std::string kind;            // "scalar", "aggregate" or "window" (OVER only)
  std::string description;
};

const std::vector<FunctionSignature>& FunctionSignatures();

}  // namespace fedgate::planner
