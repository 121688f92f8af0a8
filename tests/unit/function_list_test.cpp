#include "planner/function/function_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "planner/function/functions.h"
#include "planner/function/window_functions.h"

namespace fedgate::planner {
namespace {

// Names the evaluator knows that are operators or internal, not functions an analyst calls.
const std::set<std::string> kNotCallable = {"and",
                                            "or",
                                            "not",
                                            "case",
                                            "cast",
                                            "in",
                                            "like",
                                            "ilike",
                                            "neg",
                                            "count_star",
                                            "is_null",
                                            "is_true",
                                            "is_false",
                                            "is_not_null",
                                            "is_not_true",
                                            "is_not_false",
                                            "is_distinct_from",
                                            "is_not_distinct_from",
                                            "scalar_subquery"};

TEST(FunctionList, ListsEveryCallableFunctionAndOnlyThose) {
  std::set<std::string> listed, windows;
  for (const auto& f : FunctionSignatures()) {
    if (f.kind == "window") {
      windows.insert(f.name);
      EXPECT_NE(FindWindowFunction(f.name), nullptr) << f.name << " is not a window function";
      continue;
    }
    listed.insert(f.name);
    EXPECT_TRUE(f.kind == "scalar" || f.kind == "aggregate") << f.name;
    EXPECT_FALSE(f.return_type.empty()) << f.name;
    EXPECT_FALSE(f.description.empty()) << f.name;
  }
  const auto& known = KnownFunctionNames();
  for (const auto& name : known) {
    if (!std::isalpha(static_cast<unsigned char>(name[0])) || kNotCallable.count(name)) continue;
    EXPECT_TRUE(listed.count(name)) << name << " is callable but not in FunctionSignatures()";
  }
  // Window functions: every one listed, as a window function or (count, sum, ...) an aggregate.
  for (const auto& f : WindowFunctions()) {
    if (f.name == "count_star") continue;
    EXPECT_TRUE(windows.count(std::string(f.name)) || listed.count(std::string(f.name))) << f.name;
  }
  for (const auto& name : listed) {
    // btrim is the binder's alias of trim.
    EXPECT_TRUE(name == "btrim" || std::find(known.begin(), known.end(), name) != known.end())
        << name << " is listed but the evaluator does not know it";
  }
}

}  // namespace
}  // namespace fedgate::planner
